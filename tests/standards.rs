//! The SBOM standards of 2026 end to end (issue 14): what CycloneDX 1.7 adds (declared and
//! concluded side by side, LicenseRef texts in `expressionDetails`, citations of the
//! evidence, the TLP marking), SPDX 3.0.1 JSON-LD out and in, and the compliance
//! profiles (`sbom --profile`, `check --sbom-profile`). The formats themselves are
//! validated with the reference validators in tests/sbom.rs (FORMATS) and here.

use crate::common::*;
use crate::sbom::{sbom_of, EPOCH, TREE};
use serde_json::Value;

fn json_of(args: &[&str]) -> Value {
    serde_json::from_slice(&sbom_of(args, EPOCH)).unwrap()
}

/// The fixture tree with a LicenseRef- kept the REUSE way, and a file that names it.
fn license_ref_tree() -> (tempfile::TempDir, &'static str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = "Acme Source License 1.0\n\nYou may use this code only on Tuesdays.";
    std::fs::create_dir_all(root.join("LICENSES")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("LICENSES/LicenseRef-Acme-1.0.txt"),
        format!("{text}\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.c"),
        format!("// {TAG}: LicenseRef-Acme-1.0\nint x;\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("package.json"),
        r#"{"name": "acme-app", "version": "1.0.0", "license": "LicenseRef-Acme-1.0"}"#,
    )
    .unwrap();
    (dir, text)
}

#[test]
fn cyclonedx_1_7_keeps_declared_and_concluded_apart_and_cites_the_evidence() {
    let doc = json_of(&[TREE, "--spec-version", "1.7", "--format", "cyclonedx-json"]);
    assert_eq!(doc["specVersion"], "1.7");
    let project = &doc["metadata"]["component"];
    let acks: Vec<&str> = project["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["acknowledgement"].as_str().unwrap())
        .collect();
    assert_eq!(acks, ["declared", "concluded"]);
    // Every citation points at a concluded or declared license entry that exists, is
    // attributed to the tool entry, and names the evidence files with their lines.
    let tool = doc["metadata"]["tools"]["components"][0]["bom-ref"].clone();
    let citations = doc["citations"].as_array().unwrap();
    assert!(!citations.is_empty());
    for c in citations {
        assert_eq!(c["attributedTo"], tool);
        let ptr = c["pointers"][0].as_str().unwrap();
        let entry = doc
            .pointer(ptr)
            .unwrap_or_else(|| panic!("{ptr} points nowhere"));
        assert!(entry["expression"].is_string(), "{ptr}");
    }
    let project_cite = citations
        .iter()
        .find(|c| c["pointers"][0] == "/metadata/component/licenses/1")
        .unwrap();
    let note = project_cite["note"].as_str().unwrap();
    // The evidence the scan recorded for the project, file by file, with lines.
    let (scan, _) = run_json(&["scan", TREE, "--no-caches", "--format", "json"]);
    let me = component_by(&scan, "bom_ref", scan["project"].as_str().unwrap());
    for e in me["evidence"].as_array().unwrap() {
        let want = format!(
            "{}: {} ({}",
            e["path"].as_str().unwrap(),
            e["expression"].as_str().unwrap(),
            e["kind"].as_str().unwrap()
        );
        assert!(note.contains(&want), "{want} not in {note}");
        assert!(note.contains(&format!("lines {}-{}", e["start_line"], e["end_line"])));
    }
}

#[test]
fn cyclonedx_1_7_carries_license_ref_texts_in_expression_details() {
    let (dir, text) = license_ref_tree();
    let root = dir.path().to_str().unwrap();
    let doc = json_of(&[root, "--spec-version", "1.7"]);
    let all = serde_json::to_string(&doc).unwrap();
    let details: Vec<&Value> = doc["metadata"]["component"]["licenses"]
        .as_array()
        .into_iter()
        .chain(
            doc["components"]
                .as_array()
                .into_iter()
                .flat_map(|cs| cs.iter().filter_map(|c| c["licenses"].as_array())),
        )
        .flatten()
        .filter_map(|l| l["expressionDetails"].as_array())
        .flatten()
        .collect();
    assert!(!details.is_empty(), "no expressionDetails in {all}");
    for d in details {
        assert_eq!(d["licenseIdentifier"], "LicenseRef-Acme-1.0");
        assert_eq!(d["text"]["content"], text);
    }
    // The XML form says the same, as expression-detailed / details.
    let xml = String::from_utf8(sbom_of(
        &[root, "--spec-version", "1.7", "--format", "cyclonedx-xml"],
        EPOCH,
    ))
    .unwrap();
    assert!(xml.contains("<details license-identifier=\"LicenseRef-Acme-1.0\">"));
    assert!(xml.contains("You may use this code only on Tuesdays."));
}

#[test]
fn tlp_marks_a_1_7_document_and_is_refused_elsewhere() {
    for level in ["CLEAR", "GREEN", "AMBER", "AMBER_AND_STRICT", "RED"] {
        let doc = json_of(&[TREE, "--spec-version", "1.7", "--tlp", level]);
        assert_eq!(doc["metadata"]["distributionConstraints"]["tlp"], level);
    }
    let xml = String::from_utf8(sbom_of(
        &[
            TREE,
            "--spec-version",
            "1.7",
            "--format",
            "cyclonedx-xml",
            "--tlp",
            "RED",
        ],
        EPOCH,
    ))
    .unwrap();
    assert!(xml.contains("<distributionConstraints>\n      <tlp>RED</tlp>"));
    for args in [
        vec!["sbom", TREE, "--tlp", "RED"],
        vec!["sbom", TREE, "--format", "spdx-json", "--tlp", "RED"],
        vec!["sbom", TREE, "--spec-version", "1.7", "--tlp", "PURPLE"],
    ] {
        let out = ospo().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("tlp") || err.contains("PURPLE"), "{err}");
    }
}

/// A 1.7 document read back names no unsupported version and keeps both licenses: SPDX
/// made from it says what SPDX made straight from the scan.
#[test]
fn cyclonedx_1_7_reads_back_without_a_version_warning() {
    let dir = tempfile::tempdir().unwrap();
    let licenses = |doc: &Value| -> Vec<String> {
        let mut v: Vec<String> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["name"], p["licenseDeclared"], p["licenseConcluded"]
                )
            })
            .collect();
        v.sort();
        v
    };
    let direct = licenses(&json_of(&[TREE, "--format", "spdx-json"]));
    for (format, suffix) in [("cyclonedx-json", "json"), ("cyclonedx-xml", "xml")] {
        let path = dir.path().join(format!("x.cdx.{suffix}"));
        std::fs::write(
            &path,
            sbom_of(&[TREE, "--spec-version", "1.7", "--format", format], EPOCH),
        )
        .unwrap();
        let out = ospo()
            .args(["sbom", "--format", "spdx-json", "--from"])
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("not a supported version"), "{err}");
        let back: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(licenses(&back), direct, "via {suffix}");
    }
}
