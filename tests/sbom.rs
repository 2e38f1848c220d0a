//! `ospo sbom` end to end: golden files for the fixture tree in every format; every format
//! checked against the official schemas (tests/schemas/) and by the CycloneDX and SPDX
//! projects' own validators plus the NTIA minimum-elements checker (tests/validate_sbom.py,
//! installed into target/sbom-validators from tests/validators.txt on first use);
//! determinism; `--from` a saved scan.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test`, then review the diff.

use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::Value;

pub(crate) const TREE: &str = "tests/fixtures/tree";
pub(crate) const EPOCH: &str = "1700000000";

/// (--format, --spec-version, file suffix)
const FORMATS: &[(&str, Option<&str>, &str)] = &[
    ("cyclonedx-json", None, "cdx.json"),
    ("cyclonedx-xml", None, "cdx.xml"),
    ("cyclonedx-json", Some("1.5"), "1.5.cdx.json"),
    ("cyclonedx-xml", Some("1.5"), "1.5.cdx.xml"),
    ("cyclonedx-json", Some("1.7"), "1.7.cdx.json"),
    ("cyclonedx-xml", Some("1.7"), "1.7.cdx.xml"),
    ("spdx-json", None, "spdx.json"),
    ("spdx-tv", None, "spdx"),
    ("spdx3-json", None, "spdx3.json"),
];

pub(crate) fn sbom_of(args: &[&str], epoch: &str) -> Vec<u8> {
    let mut all = vec!["sbom", "--no-caches", "-q"];
    all.extend_from_slice(args);
    let out = ospo()
        .args(&all)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "ospo {all:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn sbom(path: &str, format: &str, spec: Option<&str>) -> Vec<u8> {
    let mut args = vec![path, "--format", format];
    if let Some(s) = spec {
        args.extend(["--spec-version", s]);
    }
    sbom_of(&args, EPOCH)
}

#[test]
fn golden_sboms_of_the_fixture_tree() {
    let failed: Vec<String> = FORMATS
        .iter()
        .filter_map(|(format, spec, suffix)| {
            let bytes = sbom(TREE, format, *spec);
            let text = String::from_utf8(bytes).expect("UTF-8 SBOM");
            check_golden(&format!("tree.{suffix}"), &text).err()
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn same_tree_same_epoch_same_bytes() {
    for (format, spec, _) in FORMATS {
        let a = sbom(TREE, format, *spec);
        let b = sbom(TREE, format, *spec);
        assert!(a == b, "{format} {spec:?} differs between two runs");
    }
    // Another time gives another timestamp and serial / namespace, nothing else.
    let a: Value = serde_json::from_slice(&sbom(TREE, "cyclonedx-json", None)).unwrap();
    let mut b: Value = serde_json::from_slice(&sbom_of(
        &[TREE, "--format", "cyclonedx-json"],
        "1800000000",
    ))
    .unwrap();
    assert_eq!(b["metadata"]["timestamp"], "2027-01-15T08:00:00Z");
    assert_ne!(a["serialNumber"], b["serialNumber"]);
    b["metadata"]["timestamp"] = a["metadata"]["timestamp"].clone();
    b["serialNumber"] = a["serialNumber"].clone();
    assert_eq!(a, b);
}

#[test]
fn from_a_saved_scan_gives_the_same_sbom() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("scan.json");
    let out = ospo()
        .args(["scan", TREE, "--no-caches", "-q", "--format", "json", "-o"])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for (format, spec, _) in FORMATS {
        let mut args = vec!["--from", saved.to_str().unwrap(), "--format", format];
        if let Some(s) = spec {
            args.extend(["--spec-version", *s]);
        }
        let from = sbom_of(&args, EPOCH);
        assert!(
            from == sbom(TREE, format, *spec),
            "{format} {spec:?}: --from scan.json differs from a fresh scan"
        );
    }
}

/// Every component and every edge of the scan is in both SBOMs.
#[test]
fn every_component_and_edge_is_carried() {
    let (scan, _) = run_json(&["scan", TREE, "--no-caches", "--format", "json"]);
    let comps = scan["components"].as_array().unwrap();
    let project = scan["project"].as_str().unwrap();

    let cdx: Value = serde_json::from_slice(&sbom(TREE, "cyclonedx-json", None)).unwrap();
    let mut refs: Vec<&str> = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(cdx["metadata"]["component"]["bom-ref"], project);
    refs.push(project);
    refs.sort();
    let mut want: Vec<&str> = comps
        .iter()
        .map(|c| c["bom_ref"].as_str().unwrap())
        .collect();
    want.sort();
    assert_eq!(refs, want);
    for c in comps {
        let r = c["bom_ref"].as_str().unwrap();
        let e = if r == project {
            &cdx["metadata"]["component"]
        } else {
            cdx["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["bom-ref"] == r)
                .unwrap()
        };
        assert_eq!(e["licenses"][0]["expression"], c["concluded"], "{r}");
    }
    for edge in scan["dependencies"].as_array().unwrap() {
        let d = cdx["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["ref"] == edge["from"])
            .unwrap();
        assert_eq!(d["dependsOn"], edge["to"]);
    }

    let spdx: Value = serde_json::from_slice(&sbom(TREE, "spdx-json", None)).unwrap();
    let packages = spdx["packages"].as_array().unwrap();
    assert_eq!(packages.len(), comps.len());
    for c in comps {
        let p = packages
            .iter()
            .find(|p| p["externalRefs"][0]["referenceLocator"] == c["purl"])
            .unwrap_or_else(|| panic!("no package for {}", c["bom_ref"]));
        assert_eq!(p["licenseConcluded"], c["concluded"]);
        assert_eq!(p["name"], c["name"]);
    }
    let depends = spdx["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DEPENDS_ON")
        .count();
    let edges: usize = scan["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_array().unwrap().len())
        .sum();
    assert_eq!(depends, edges);
}

fn write_all_formats(tree: &str, dir: &Path, files: &mut Vec<PathBuf>) {
    let stem = tree.replace('/', "_");
    for (format, spec, suffix) in FORMATS {
        let path = dir.join(format!("{stem}.{suffix}"));
        std::fs::write(&path, sbom(tree, format, *spec)).unwrap();
        files.push(path);
    }
}

#[test]
fn every_format_passes_the_schemas_and_reference_validators() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for tree in [
        TREE,
        "tests/fixtures/ecosystems/cargo/workspace",
        "tests/fixtures/ecosystems/npm/v3",
        "tests/fixtures/ecosystems/python/poetry",
        "tests/fixtures/ecosystems/go/project",
        "tests/fixtures/ecosystems/maven/multi",
    ] {
        write_all_formats(tree, dir.path(), &mut files);
    }
    validate_sboms(&files);
}

#[test]
fn bad_source_date_epoch_is_a_usage_error() {
    let out = ospo()
        .args(["sbom", TREE, "-q"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("SOURCE_DATE_EPOCH") && err.contains("seconds"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn spec_version_is_for_cyclonedx_only() {
    let out = ospo()
        .args([
            "sbom",
            TREE,
            "--format",
            "spdx-json",
            "--spec-version",
            "1.5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CycloneDX only"));
}

#[test]
fn authors_are_named_in_both_formats() {
    let args = [TREE, "--author", "ACME OSPO <ospo@acme.example>"];
    let mut cdx_args = args.to_vec();
    cdx_args.extend(["--format", "cyclonedx-json"]);
    let cdx: Value = serde_json::from_slice(&sbom_of(&cdx_args, EPOCH)).unwrap();
    assert_eq!(cdx["metadata"]["authors"][0]["name"], "ACME OSPO");
    assert_eq!(cdx["metadata"]["authors"][0]["email"], "ospo@acme.example");
    let mut spdx_args = args.to_vec();
    spdx_args.extend(["--format", "spdx-json"]);
    let spdx: Value = serde_json::from_slice(&sbom_of(&spdx_args, EPOCH)).unwrap();
    assert_eq!(
        spdx["creationInfo"]["creators"][1],
        "Person: ACME OSPO (ospo@acme.example)"
    );
}

/// scan -> SBOM -> --from -> SBOM: the second document is the first, byte for byte, in
/// every format (components, licenses, evidence, edges, files all carried).
#[test]
fn round_trip_through_every_format_is_lossless() {
    let dir = tempfile::tempdir().unwrap();
    for tree in [
        TREE,
        "tests/fixtures/ecosystems/npm/v3",
        "tests/fixtures/ecosystems/maven/multi",
    ] {
        for (format, spec, suffix) in FORMATS {
            let first = sbom(tree, format, *spec);
            let path = dir.path().join(format!("first.{suffix}"));
            std::fs::write(&path, &first).unwrap();
            let mut args = vec!["--from", path.to_str().unwrap(), "--format", format];
            if let Some(s) = spec {
                args.extend(["--spec-version", *s]);
            }
            let second = sbom_of(&args, EPOCH);
            if first != second {
                let (a, b) = (
                    String::from_utf8_lossy(&first),
                    String::from_utf8_lossy(&second),
                );
                let diff: Vec<String> = a
                    .lines()
                    .zip(b.lines())
                    .filter(|(x, y)| x != y)
                    .take(5)
                    .map(|(x, y)| format!("- {x}\n+ {y}"))
                    .collect();
                panic!(
                    "{tree} {format} {spec:?} changed on a round trip:\n{}",
                    diff.join("\n")
                );
            }
        }
    }
}

/// The packages, licenses and edges of an SPDX document, as comparable facts.
fn spdx_facts(doc: &Value) -> (Vec<String>, Vec<String>) {
    let pkgs = doc["packages"].as_array().unwrap();
    let name_of = |id: &Value| {
        pkgs.iter()
            .find(|p| &p["SPDXID"] == id)
            .map(|p| format!("{}@{}", p["name"], p["versionInfo"]))
            .unwrap_or_default()
    };
    let mut packages: Vec<String> = pkgs
        .iter()
        .map(|p| {
            format!(
                "{}@{} purl={} declared={} concluded={}",
                p["name"],
                p["versionInfo"],
                p["externalRefs"][0]["referenceLocator"],
                p["licenseDeclared"],
                p["licenseConcluded"]
            )
        })
        .collect();
    packages.sort();
    let mut edges: Vec<String> = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] != "CONTAINS")
        .map(|r| {
            format!(
                "{} {} {}",
                name_of(&r["spdxElementId"]),
                r["relationshipType"],
                name_of(&r["relatedSpdxElement"])
            )
        })
        .collect();
    edges.sort();
    (packages, edges)
}

/// CycloneDX -> --from -> SPDX names the same packages, licenses and edges as SPDX made
/// straight from the scan (CycloneDX carries no file list, so files are not compared).
#[test]
fn cyclonedx_converts_to_the_same_spdx_packages_and_edges() {
    let dir = tempfile::tempdir().unwrap();
    for tree in [TREE, "tests/fixtures/ecosystems/npm/v3"] {
        for (format, suffix) in [("cyclonedx-json", "cdx.json"), ("cyclonedx-xml", "cdx.xml")] {
            let path = dir.path().join(format!("x.{suffix}"));
            std::fs::write(&path, sbom(tree, format, None)).unwrap();
            let converted: Value = serde_json::from_slice(&sbom_of(
                &["--from", path.to_str().unwrap(), "--format", "spdx-json"],
                EPOCH,
            ))
            .unwrap();
            let direct: Value = serde_json::from_slice(&sbom(tree, "spdx-json", None)).unwrap();
            assert_eq!(
                spdx_facts(&converted),
                spdx_facts(&direct),
                "{tree} via {suffix}"
            );
        }
    }
}

/// A LicenseRef- whose text the tree keeps the REUSE way (LICENSES/LicenseRef-x.txt):
/// SPDX's hasExtractedLicensingInfos carries that text, not the tag line that named it.
#[test]
fn license_ref_text_comes_from_the_reuse_licenses_folder() {
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
    let out = sbom_of(&[root.to_str().unwrap(), "--format", "spdx-json"], EPOCH);
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let infos = doc["hasExtractedLicensingInfos"].as_array().unwrap();
    let acme = infos
        .iter()
        .find(|l| l["licenseId"] == "LicenseRef-Acme-1.0")
        .unwrap_or_else(|| panic!("no LicenseRef-Acme-1.0 in {infos:?}"));
    assert_eq!(acme["extractedText"], text);
}
