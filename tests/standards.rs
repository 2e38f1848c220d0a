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

/// ospo's SPDX 3.0.1 says what its SPDX 2.3 says: read back with --from and written as
/// 2.3, it is byte for byte the 2.3 document made straight from the tree (so packages,
/// files with their evidence, declared / concluded licenses, relationships, extracted
/// texts and creators all survive the trip through 3.0.1).
#[test]
fn spdx3_carries_everything_spdx_2_3_does() {
    let dir = tempfile::tempdir().unwrap();
    let (reuse, _) = license_ref_tree();
    for tree in [
        TREE,
        "tests/fixtures/ecosystems/npm/v3",
        "tests/fixtures/ecosystems/cargo/workspace",
        reuse.path().to_str().unwrap(),
    ] {
        let args = [tree, "--author", "ACME OSPO <ospo@acme.example>"];
        let path = dir.path().join("x.spdx3.json");
        let mut a3 = args.to_vec();
        a3.extend(["--format", "spdx3-json"]);
        std::fs::write(&path, sbom_of(&a3, EPOCH)).unwrap();
        let mut a2 = args.to_vec();
        a2.extend(["--format", "spdx-json"]);
        let direct = sbom_of(&a2, EPOCH);
        let via3 = sbom_of(
            &[
                "--from",
                path.to_str().unwrap(),
                "--format",
                "spdx-json",
                "--author",
                "ACME OSPO <ospo@acme.example>",
            ],
            EPOCH,
        );
        let (d, v): (Value, Value) = (
            serde_json::from_slice(&direct).unwrap(),
            serde_json::from_slice(&via3).unwrap(),
        );
        let diff = json_diff(&d, &v);
        assert!(diff.is_empty(), "{tree}: {}", diff.join("\n"));
    }
}

#[test]
fn spdx3_document_shape() {
    let (dir, text) = license_ref_tree();
    let doc = json_of(&[dir.path().to_str().unwrap(), "--format", "spdx3-json"]);
    assert_eq!(
        doc["@context"],
        "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    );
    let graph = doc["@graph"].as_array().unwrap();
    let of = |t: &'static str| graph.iter().filter(move |e| e["type"] == t);
    let ci = of("CreationInfo").next().unwrap();
    assert_eq!(ci["specVersion"], "3.0.1");
    assert_eq!(ci["created"], "2023-11-14T22:13:20Z");
    let custom = of("expandedlicensing_CustomLicense").next().unwrap();
    assert_eq!(custom["simplelicensing_licenseText"], text);
    let expr = of("simplelicensing_LicenseExpression")
        .find(|e| e["simplelicensing_licenseExpression"] == "LicenseRef-Acme-1.0")
        .unwrap();
    assert_eq!(
        expr["simplelicensing_customIdToUri"][0]["value"],
        custom["spdxId"]
    );
    assert_eq!(expr["simplelicensing_licenseListVersion"], "3.29.0");
    let kinds: std::collections::BTreeSet<&str> = of("Relationship")
        .map(|r| r["relationshipType"].as_str().unwrap())
        .collect();
    for k in ["hasDeclaredLicense", "hasConcludedLicense", "contains"] {
        assert!(kinds.contains(k), "no {k} in {kinds:?}");
    }
    // Every spdxId is unique and every reference resolves inside the document.
    let ids: Vec<&str> = graph.iter().filter_map(|e| e["spdxId"].as_str()).collect();
    let set: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(set.len(), ids.len());
    for r in of("Relationship") {
        assert!(set.contains(r["from"].as_str().unwrap()));
        for t in r["to"].as_array().unwrap() {
            assert!(set.contains(t.as_str().unwrap()), "{t}");
        }
    }
}

/// A real SPDX 3.0.1 document of another tool (Pitloom, tests/fixtures/sbom/SOURCES.md):
/// every package, with its purl and its concluded license, as the document says.
#[test]
fn spdx3_of_another_tool_reads() {
    let path = fixture("sbom/spdx3/pitloom-ntia-conformance-checker-6.0.0.spdx3.json");
    let raw: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let graph = raw["@graph"].as_array().unwrap();
    let out = ospo()
        .args(["sbom", "--format", "spdx-json", "--from"])
        .arg(&path)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    // What ospo does not model is said, not dropped silently.
    assert!(err.contains("`Annotation` elements"), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let theirs: Vec<&Value> = graph
        .iter()
        .filter(|e| e["type"] == "software_Package")
        .collect();
    assert_eq!(packages.len(), theirs.len());
    for p in theirs {
        let mine = packages
            .iter()
            .find(|m| m["name"] == p["name"])
            .unwrap_or_else(|| panic!("no package {}", p["name"]));
        if let Some(purl) = p["software_packageUrl"].as_str() {
            assert_eq!(mine["externalRefs"][0]["referenceLocator"], purl);
        }
        let concluded = graph.iter().find(|r| {
            r["type"] == "Relationship"
                && r["relationshipType"] == "hasConcludedLicense"
                && r["from"] == p["spdxId"]
        });
        if let Some(r) = concluded {
            let lic = graph.iter().find(|e| e["spdxId"] == r["to"][0]).unwrap();
            if lic["type"] == "simplelicensing_LicenseExpression" {
                assert_eq!(
                    mine["licenseConcluded"], lic["simplelicensing_licenseExpression"],
                    "{}",
                    p["name"]
                );
            } else {
                // A license text of its own: kept as a LicenseRef- (the model keeps
                // foreign license texts by id only, as for SPDX 2 input).
                assert_eq!(lic["type"], "simplelicensing_SimpleLicensingText");
                let id = mine["licenseConcluded"].as_str().unwrap();
                assert!(id.starts_with("LicenseRef-"), "{id}");
                assert!(doc["hasExtractedLicensingInfos"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|i| i["licenseId"] == id));
            }
        }
    }
}

/// The CycloneDX specification's own 1.7 test documents (tests/fixtures/sbom/SOURCES.md):
/// several declared entries next to a concluded one, read the same from JSON and XML.
#[test]
fn cyclonedx_1_7_specification_examples_read() {
    use ospo::ingest;
    let json = ingest::read(&fixture(
        "sbom/cyclonedx/valid-license-declared-concluded-mix-1.7.json",
    ))
    .unwrap();
    let xml = ingest::read(&fixture(
        "sbom/cyclonedx/valid-license-declared-concluded-mix-1.7.xml",
    ))
    .unwrap();
    for d in json.diagnostics.iter().chain(&xml.diagnostics) {
        assert!(
            !d.message.contains("not a supported version"),
            "{}",
            d.message
        );
    }
    let raw: Value = serde_json::from_slice(
        &std::fs::read(fixture(
            "sbom/cyclonedx/valid-license-declared-concluded-mix-1.7.json",
        ))
        .unwrap(),
    )
    .unwrap();
    for c in raw["components"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let concluded_entry = c["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| {
                l["acknowledgement"] == "concluded"
                    || l["license"]["acknowledgement"] == "concluded"
            })
            .unwrap();
        let want = concluded_entry["expression"]
            .as_str()
            .or(concluded_entry["license"]["id"].as_str())
            .unwrap()
            .trim_matches(|c| c == '(' || c == ')');
        for scan in [&json, &xml] {
            let got = scan
                .components
                .iter()
                .find(|x| x.name.ends_with(name))
                .unwrap_or_else(|| {
                    panic!(
                        "{name} in {:?}",
                        scan.components.iter().map(|c| &c.name).collect::<Vec<_>>()
                    )
                });
            assert_eq!(
                got.concluded.trim_matches(|c| c == '(' || c == ')'),
                want,
                "{name}"
            );
            assert!(
                got.declared.is_some(),
                "{name}: the declared entries are kept"
            );
        }
    }
    let names = |s: &ospo::model::Scan| {
        let mut v: Vec<(String, String, Option<String>)> = s
            .components
            .iter()
            .map(|c| (c.name.clone(), c.concluded.clone(), c.declared.clone()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(&json), names(&xml));
    // The whole-document examples read in both encodings.
    for f in [
        "valid-bom-1.7.json",
        "valid-bom-1.7.xml",
        "valid-license-expression-with-text-1.7.json",
    ] {
        let s = ingest::read(&fixture(&format!("sbom/cyclonedx/{f}"))).unwrap();
        assert!(!s.components.is_empty(), "{f}");
    }
}

// ------------------------------------------------------------------ profiles

const AUTHOR: &str = "ACME OSPO <ospo@acme.example>";
const SUPPLIER: &str = "ACME GmbH https://acme.example";

/// `ospo check --sbom-profile P --from FILE --format F`: (exit code, stdout, stderr).
fn check_profile(profile: &str, file: &std::path::Path, format: &str) -> (i32, String, String) {
    let out = ospo()
        .args([
            "check",
            "--sbom-profile",
            profile,
            "--format",
            format,
            "--from",
        ])
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Other tools' SBOMs checked against each profile (tests/fixtures/sbom/SOURCES.md): the
/// whole report is golden, in every output format.
#[test]
fn check_third_party_sboms_against_profiles() {
    let cases = [
        (
            "cyclonedx/cyclonedx-py_with-extras_1.6.json",
            "bsi-tr-03183-2",
            "human",
            "cyclonedx-py.bsi.txt",
        ),
        (
            "cyclonedx/cyclonedx-py_with-extras_1.6.json",
            "ntia",
            "json",
            "cyclonedx-py.ntia.json",
        ),
        (
            "cyclonedx/valid-bom-1.7.xml",
            "cisa-2025",
            "human",
            "cdx-spec-1.7-xml.cisa.txt",
        ),
        (
            "spdx3/pitloom-ntia-conformance-checker-6.0.0.spdx3.json",
            "bsi-tr-03183-2",
            "sarif",
            "pitloom.bsi.sarif.json",
        ),
        (
            "spdx/vcpkg-sample.spdx.json",
            "ntia",
            "human",
            "vcpkg.ntia.txt",
        ),
    ];
    let mut failed = Vec::new();
    for (file, profile, format, golden) in cases {
        let rel = format!("tests/fixtures/sbom/{file}");
        let (code, out, err) = check_profile(profile, std::path::Path::new(&rel), format);
        // Each of these lacks a required field of the profile: exit 1, nothing on stderr.
        assert_eq!(code, 1, "{file} {profile}: {err}");
        assert!(err.is_empty(), "{err}");
        if let Err(e) = check_golden(&format!("profiles/{golden}"), &out) {
            failed.push(e);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// A document with every field the profile requires (or states unknown where the profile
/// accepts that) passes: ospo's NTIA SBOM of the fixture tree, exit 0.
#[test]
fn a_complete_sbom_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ntia.cdx.json");
    std::fs::write(&path, sbom_of(&[TREE, "--profile", "ntia"], EPOCH)).unwrap();
    let (code, out, _) = check_profile("ntia", &path, "json");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "{out}");
    // What is missing is stated unknown, which NTIA accepts: nothing fails.
    for c in report["components"].as_array().unwrap() {
        for g in c["gaps"].as_array().unwrap() {
            assert_eq!(g["fails"], false, "{g}");
            assert!(g["unknown"].is_string());
        }
    }
    // And the same document fails BSI, which asks for more.
    let (code, _, _) = check_profile("bsi-tr-03183-2", &path, "human");
    assert_eq!(code, 1);
}

/// What the writer could not fill it says, with a reason: every gap the checker finds in
/// a profile SBOM of ospo's is a stated known unknown, in every format and profile; and
/// the stderr summary counts exactly the checker's complete components.
#[test]
fn every_gap_of_a_profile_sbom_is_a_stated_known_unknown() {
    let dir = tempfile::tempdir().unwrap();
    for tree in [TREE, "tests/fixtures/ecosystems/npm/v3"] {
        for profile in ["bsi-tr-03183-2", "cisa-2025", "ntia"] {
            for (format, spec, suffix) in [
                ("cyclonedx-json", "1.7", "cdx.json"),
                ("cyclonedx-xml", "1.6", "cdx.xml"),
                ("spdx3-json", "", "spdx3.json"),
            ] {
                let mut args = vec![
                    tree,
                    "--profile",
                    profile,
                    "--format",
                    format,
                    "--author",
                    AUTHOR,
                    "--supplier",
                    SUPPLIER,
                ];
                if !spec.is_empty() {
                    args.extend(["--spec-version", spec]);
                }
                let out = ospo()
                    .arg("sbom")
                    .args(&args)
                    .env("SOURCE_DATE_EPOCH", EPOCH)
                    .output()
                    .unwrap();
                assert_eq!(out.status.code(), Some(0));
                let summary = String::from_utf8_lossy(&out.stderr).into_owned();
                let path = dir.path().join(format!("x.{suffix}"));
                std::fs::write(&path, &out.stdout).unwrap();
                let (_, report, _) = check_profile(profile, &path, "json");
                let report: Value = serde_json::from_str(&report).unwrap();
                let at = format!("{tree} {profile} {format}");
                assert!(
                    report["document"].as_array().unwrap().is_empty(),
                    "{at}: {}",
                    report["document"]
                );
                for c in report["components"].as_array().unwrap() {
                    for g in c["gaps"].as_array().unwrap() {
                        assert!(
                            g["unknown"].as_str().is_some_and(|u| !u.is_empty()),
                            "{at}: {} {} has no reason",
                            c["name"],
                            g["field"]
                        );
                    }
                }
                let want = format!(
                    "{profile}: {} of {} components have every required field",
                    report["complete_components"], report["total_components"]
                );
                assert!(summary.contains(&want), "{at}: {want} not in {summary}");
            }
        }
    }
}

/// Every profile output passes the reference validators (CycloneDX schemas and
/// cyclonedx-python-lib; spdx-python-model for SPDX 3).
#[test]
fn profile_sboms_pass_the_validators() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for tree in [TREE, "tests/fixtures/ecosystems/npm/v3"] {
        for profile in ["bsi-tr-03183-2", "cisa-2025", "ntia"] {
            for (format, spec, suffix) in [
                ("cyclonedx-json", "1.7", "cdx.json"),
                ("cyclonedx-xml", "1.6", "cdx.xml"),
                ("spdx3-json", "", "spdx3.json"),
            ] {
                let mut args = vec![
                    tree,
                    "--profile",
                    profile,
                    "--format",
                    format,
                    "--author",
                    AUTHOR,
                    "--supplier",
                    SUPPLIER,
                ];
                if !spec.is_empty() {
                    args.extend(["--spec-version", spec]);
                }
                let path = dir
                    .path()
                    .join(format!("{}-{profile}-{spec}.{suffix}", files.len()));
                std::fs::write(&path, sbom_of(&args, EPOCH)).unwrap();
                files.push(path);
            }
        }
    }
    validate_sboms(&files);
}

/// BSI TR-03183-2 forbids vulnerability data in the SBOM: ospo's BSI SBOM has none (VEX
/// is `ospo audit --format cyclonedx-json`, a document of its own), and the checker flags
/// an SBOM that carries them (the CycloneDX specification's vulnerability example).
#[test]
fn a_bsi_sbom_never_contains_vulnerabilities() {
    let doc = json_of(&[TREE, "--profile", "bsi-tr-03183-2", "--spec-version", "1.7"]);
    assert!(doc.get("vulnerabilities").is_none());
    let (code, out, _) = check_profile(
        "bsi-tr-03183-2",
        &fixture("sbom/cyclonedx/valid-vulnerability-1.6.json"),
        "json",
    );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(report["document"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["field"] == "no-vulnerabilities" && g["fails"] == true));
}

#[test]
fn bsi_fills_what_the_lockfile_and_registry_fix() {
    let doc = json_of(&[
        "tests/fixtures/ecosystems/npm/v3",
        "--profile",
        "bsi-tr-03183-2",
        "--spec-version",
        "1.7",
        "--author",
        AUTHOR,
        "--supplier",
        SUPPLIER,
    ]);
    let md = &doc["metadata"];
    assert_eq!(md["lifecycles"][0]["phase"], "pre-build");
    assert_eq!(md["supplier"]["url"][0], "https://acme.example");
    assert_eq!(doc["compositions"][0]["aggregate"], "incomplete");
    let (scan, _) = run_json(&[
        "scan",
        "tests/fixtures/ecosystems/npm/v3",
        "--no-caches",
        "--format",
        "json",
    ]);
    for c in doc["components"].as_array().unwrap() {
        let r = c["bom-ref"].as_str().unwrap();
        let model = component_by(&scan, "bom_ref", r);
        let props: Vec<(&str, &str)> = c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
            .collect();
        let prop = |n: &str| props.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
        // The SHA-512 is the lockfile's integrity, on the distribution reference too.
        let sha512 = model["hashes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|h| h["alg"] == "SHA-512");
        match sha512 {
            Some(h) => {
                let dist = c["externalReferences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["type"] == "distribution")
                    .unwrap();
                assert_eq!(
                    dist["hashes"][0]["content"],
                    h["value"].as_str().unwrap().to_ascii_lowercase()
                );
                let version = model["version"].as_str().unwrap();
                let base = model["name"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string();
                assert_eq!(
                    prop("bsi:component:filename"),
                    Some(format!("{base}-{version}.tgz").as_str())
                );
                assert_eq!(prop("bsi:component:archive"), Some("archive"));
            }
            None => assert!(
                props
                    .iter()
                    .any(|(k, v)| *k == "ospo:known-unknown" && v.starts_with("sha512: ")),
                "{r}: no SHA-512 and no reason"
            ),
        }
    }
}

#[test]
fn profile_usage_errors_exit_2() {
    for args in [
        vec![
            "sbom",
            TREE,
            "--profile",
            "bsi-tr-03183-2",
            "--format",
            "spdx-json",
        ],
        vec!["sbom", TREE, "--profile", "nist"],
        vec!["check", "--sbom-profile", "ntia", TREE],
    ] {
        let out = ospo().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert!(!out.stderr.is_empty());
    }
    // A file that is no SBOM: a clear error, exit 2.
    let (code, _, err) = check_profile("ntia", &fixture("tree/Cargo.toml"), "human");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a CycloneDX or SPDX document"), "{err}");
}

#[test]
fn profile_sarif_is_valid_sarif_2_1_0() {
    let text =
        std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap();
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    let text = text.replace(stray, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for file in [
        "cyclonedx/cyclonedx-py_with-extras_1.6.json",
        "spdx/vcpkg-sample.spdx.json",
    ] {
        let (_, out, _) =
            check_profile("bsi-tr-03183-2", &fixture(&format!("sbom/{file}")), "sarif");
        let sarif: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {}", errors.join("\n"));
        assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    }
}

/// The SPDX project's own BSI checker (ntia-conformance-checker, tests/bsi_crosscheck.py)
/// and ospo's name the same components as lacking each field both judge the same way
/// (creator, filename, concluded and declared licence), on another tool's SPDX 3 document
/// and on ospo's BSI SPDX 3 output.
#[test]
fn bsi_gaps_match_the_spdx_projects_checker() {
    let Some(python) = validators() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("npm.bsi.spdx3.json");
    std::fs::write(
        &ours,
        sbom_of(
            &[
                "tests/fixtures/ecosystems/npm/v3",
                "--profile",
                "bsi-tr-03183-2",
                "--format",
                "spdx3-json",
                "--author",
                AUTHOR,
                "--supplier",
                SUPPLIER,
            ],
            EPOCH,
        ),
    )
    .unwrap();
    for file in [
        fixture("sbom/spdx3/pitloom-ntia-conformance-checker-6.0.0.spdx3.json"),
        ours,
    ] {
        let out = std::process::Command::new(&python)
            .arg(root().join("tests/bsi_crosscheck.py"))
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (_, report, _) = check_profile("bsi-tr-03183-2", &file, "json");
        let report: Value = serde_json::from_str(&report).unwrap();
        for field in [
            "creator",
            "filename",
            "concluded-license",
            "declared-license",
        ] {
            let mut mine: Vec<&str> = report["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| {
                    c["gaps"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|g| g["field"] == field)
                })
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            mine.sort_unstable();
            let want: Vec<&str> = theirs["components"][field]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(mine, want, "{}: {field}", file.display());
        }
        let creator_missing = report["document"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["field"] == "sbom-creator");
        assert_eq!(
            !creator_missing,
            theirs["document"]["sbom-creator"],
            "{}",
            file.display()
        );
    }
}
