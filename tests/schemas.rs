//! The JSON Schemas under schemas/ (issue 16, item 6): `ospo schema NAME` prints each one,
//! each compiles (draft 2020-12), and real JSON outputs validate against them: the golden
//! files other tests compare whole outputs with (so they are what the binary writes
//! today), and fresh runs of every JSON-writing command on fixture trees.

use crate::common::*;
use serde_json::Value;

const NAMES: [&str; 6] = ["scan", "check", "diff", "metrics", "audit", "list"];

fn schema(name: &str) -> Value {
    let out = ospo().args(["schema", name]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    let shipped =
        std::fs::read_to_string(root().join(format!("schemas/{name}.schema.json"))).unwrap();
    assert_eq!(
        printed, shipped,
        "`ospo schema {name}` prints schemas/{name}.schema.json"
    );
    serde_json::from_str(&shipped).unwrap()
}

/// Every error of `doc` against the schema NAME, as "pointer: message" lines.
fn errors(name: &str, doc: &Value) -> Vec<String> {
    let s = schema(name);
    let v = jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{name} schema: {e}"));
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .take(10)
        .collect()
}

fn assert_valid(name: &str, what: &str, text: &str) {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    let errs = errors(name, &doc);
    assert!(
        errs.is_empty(),
        "{what} against schemas/{name}.schema.json:\n{}",
        errs.join("\n")
    );
}

#[test]
fn every_schema_is_printed_and_compiles() {
    for n in NAMES {
        let s = schema(n);
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        jsonschema::validator_for(&s).unwrap_or_else(|e| panic!("{n}: {e}"));
    }
    // The schemas are closed: a field they do not name is an error, so drift is caught.
    let mut doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/golden/list/list.json")).unwrap(),
    )
    .unwrap();
    doc["components"][0]["licence"] = "MIT".into();
    assert_eq!(
        errors("list", &doc).len(),
        1,
        "an unknown field is reported"
    );
    doc["components"][0]
        .as_object_mut()
        .unwrap()
        .remove("licence");
    doc["components"][0]["verdict"] = "maybe".into();
    assert_eq!(
        errors("list", &doc).len(),
        1,
        "a verdict outside pass/warn/fail"
    );
    let out = ospo().args(["schema", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn golden_outputs_validate() {
    for (name, file) in [
        ("scan", "tree.scan.json"),
        ("check", "policy/check.json"),
        ("check", "audit/check-db.json"),
        ("audit", "audit/audit.json"),
        ("diff", "diff/release.json"),
        ("metrics", "metrics/v3-since-v1.json"),
        ("list", "list/list.json"),
    ] {
        let text = std::fs::read_to_string(root().join("tests/golden").join(file)).unwrap();
        assert_valid(name, file, &text);
    }
}

/// stdout of `ospo <args>` (exit 0 or 1: `check` exits 1 on violations).
fn json_of(args: &[&str]) -> String {
    let out = ospo()
        .args(args)
        .env("OSPO_TODAY", "2026-12-01")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "ospo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn fresh_outputs_validate() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("scan.json");
    let saved = saved.to_str().unwrap();
    // A tree with diagnostics (malformed manifests) and one with a policy and verdicts.
    for tree in [
        "tests/fixtures/ecosystems/npm/malformed",
        "tests/fixtures/list",
    ] {
        let scan = json_of(&["scan", tree, "--no-caches", "-q", "--format", "json"]);
        assert_valid("scan", tree, &scan);
        std::fs::write(saved, &scan).unwrap();
    }
    assert_valid(
        "list",
        "list",
        &json_of(&[
            "list",
            "--from",
            saved,
            "--format",
            "json",
            "--policy",
            "tests/fixtures/list/policy.toml",
        ]),
    );
    assert_valid(
        "check",
        "check",
        &json_of(&["check", "--from", saved, "--format", "json", "-q"]),
    );
    assert_valid(
        "audit",
        "audit",
        &json_of(&[
            "audit",
            "--from",
            "tests/fixtures/policy/scan.json",
            "--db",
            "tests/fixtures/osv",
            "--format",
            "json",
            "-q",
        ]),
    );
    assert_valid(
        "diff",
        "diff",
        &json_of(&[
            "diff",
            "tests/fixtures/ecosystems/npm/v1",
            "tests/fixtures/ecosystems/npm/v3",
            "--no-caches",
            "-q",
            "--format",
            "json",
        ]),
    );
    assert_valid(
        "metrics",
        "metrics",
        &json_of(&[
            "metrics",
            "tests/fixtures/list",
            "--no-caches",
            "-q",
            "--format",
            "json",
        ]),
    );
}
