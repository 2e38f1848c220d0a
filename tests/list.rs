//! `ospo list` end to end: the per-component table in every format on the fixture tree
//! tests/fixtures/list (see its SOURCES.md), with golden files under tests/golden/list/;
//! the policy found at the scanned root as `check` finds it; `--from` a saved scan gives
//! the same rows as a fresh scan.

use crate::common::*;
use serde_json::Value;

const TREE: &str = "tests/fixtures/list";

fn list(extra: &[&str]) -> String {
    let mut args = vec!["list", TREE, "--no-caches"];
    args.extend_from_slice(extra);
    let out = ospo().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_format_matches_its_golden_file() {
    for (format, file) in [
        ("table", "list.txt"),
        ("csv", "list.csv"),
        ("markdown", "list.md"),
        ("json", "list.json"),
    ] {
        assert_golden(&format!("list/{file}"), &list(&["--format", format]));
    }
}

#[test]
fn rows_sort_by_name_without_case_and_carry_verdicts_and_review() {
    let v: Value = serde_json::from_str(&list(&["--format", "json"])).unwrap();
    assert_eq!(v["policy"], "tests/fixtures/list/policy.toml");
    let rows = v["components"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    // Byte order would put JSONStream first; people look for it under J.
    assert_eq!(
        names,
        [
            "@pkgjs/parseargs",
            "abbrev",
            "JSONStream",
            "left-pad",
            "list-demo",
            "ms",
            "mystery"
        ]
    );
    let row = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap();
    assert_eq!(row("JSONStream")["license"], "MIT OR Apache-2.0");
    assert_eq!(row("left-pad")["verdict"], "warn");
    assert_eq!(row("mystery")["verdict"], "fail");
    assert_eq!(row("mystery")["license"], "NOASSERTION");
    assert!(!row("mystery")["review"].as_array().unwrap().is_empty());
    assert!(row("abbrev").get("review").is_none());
    // Declared MIT, its LICENSE is Apache-2.0: the declared license is shown because it differs.
    let p = row("@pkgjs/parseargs");
    assert_eq!(p["declared"], "MIT");
    assert_eq!(p["license"], "MIT AND Apache-2.0");
    assert!(
        row("abbrev").get("declared").is_none(),
        "not repeated where it is the same"
    );
    // The project itself is not judged (check_project is off), so it has no verdict.
    assert!(row("list-demo").get("verdict").is_none());
    let table = list(&[]);
    assert!(table.contains("VERDICT"), "{table}");
    assert!(table.ends_with("7 components, 2 to review; policy tests/fixtures/list/policy.toml: 4 pass, 1 warn, 1 fail\n"), "{table}");
}

#[test]
fn without_a_policy_there_is_no_verdict_column() {
    // tests/fixtures/ecosystems/npm/v3 has no policy.toml: the built-in default is not
    // presented as if someone had written it.
    let out = ospo()
        .args(["list", "tests/fixtures/ecosystems/npm/v3", "--no-caches"])
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with("NAME "), "{table}");
    assert!(!table.contains("VERDICT"), "{table}");
    assert!(table.contains("left-pad"), "{table}");
}

#[test]
fn from_a_saved_scan_equals_a_fresh_scan() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("scan.json");
    ospo()
        .args(["scan", TREE, "--no-caches", "--format", "json", "-o"])
        .arg(&saved)
        .assert()
        .success();
    let out = ospo()
        .args([
            "list",
            "--format",
            "csv",
            "--policy",
            "tests/fixtures/list/policy.toml",
            "--from",
        ])
        .arg(&saved)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        list(&["--format", "csv"])
    );
}

#[test]
fn from_an_sbom_lists_the_same_components() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.cdx.json");
    ospo()
        .args(["sbom", TREE, "--no-caches", "-o"])
        .arg(&bom)
        .assert()
        .success();
    let out = ospo()
        .args(["list", "--format", "json", "--from"])
        .arg(&bom)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let names = |text: &[u8]| -> Vec<(String, String)> {
        let v: Value = serde_json::from_slice(text).unwrap();
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["license"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let fresh = list(&["--format", "json"]);
    assert_eq!(names(&out.stdout), names(fresh.as_bytes()));
}
