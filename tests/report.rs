//! `ospo report` from the command line: where it writes, what the file holds, errors.
//! The page's behaviour in a browser is tested in tests/report_browser.rs.

use crate::common::*;

fn report_stdout(args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "-"]);
    let out = ospo().args(&all).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "ospo {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "nothing on stderr with -o -");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn report_of_the_fixture_tree() {
    let html = report_stdout(&["tests/fixtures/tree", "--no-caches", "-q"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<title>License audit report: fixture-project 0.1.0</title>"));
    // No policy.toml in the tree: the built-in default judged it, and the report says so.
    assert!(html.contains("<strong>Policy:</strong> built-in default (no policy.toml found)."));
    assert!(html.contains("policy: pass"));
    // Both components in the table data, with their evidence and an excerpt of the files.
    assert!(html.contains("\"name\":\"fixture-project\""));
    assert!(html.contains("\"bom_ref\":\"pkg:generic/foo?vendored_at=vendor%2Ffoo\""));
    assert!(html.contains(
        "\"path\":\"vendor/foo/LICENSE\",\"lines\":\"4-29\",\"kind\":\"text\",\"score\":\"1.000\""
    ));
    assert!(html.contains("Redistribution and use in source and binary forms"));
    // The README reference's sentence is the matched text.
    assert!(html.contains("\"kind\":\"reference\""));
    // Self-contained: no network, the report's own script only.
    assert!(html.contains("default-src 'none'"));
    assert!(!html.contains(" src=") && !html.contains(" href="));
    // The chart.
    assert!(html.contains("<svg class=\"chart\""));
    assert!(html.contains("<title>BSD-3-Clause: 1</title>"));
}

#[test]
fn from_a_saved_scan_is_the_same_report() {
    // With --from, policy.toml is looked for in the current directory (here the example
    // policy at the top of the repository): name one policy for both.
    let fresh = report_stdout(&[
        "tests/fixtures/tree",
        "--no-caches",
        "-q",
        "--policy",
        "policy.toml",
    ]);
    let saved = report_stdout(&[
        "--from",
        "tests/golden/tree.scan.json",
        "--policy",
        "policy.toml",
    ]);
    assert_eq!(fresh, saved);
    assert_eq!(
        saved,
        report_stdout(&[
            "--from",
            "tests/golden/tree.scan.json",
            "--policy",
            "policy.toml"
        ])
    );
}

#[test]
fn writes_ospo_report_html_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let tree = fixture("tree");
    let out = ospo()
        .current_dir(dir.path())
        .args(["report", "--no-caches"])
        .arg(&tree)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrote ospo-report.html (2 components)"),
        "{stderr}"
    );
    let html = std::fs::read_to_string(dir.path().join("ospo-report.html")).unwrap();
    assert!(html.contains("\"name\":\"foo\""));
}

#[test]
fn unwritable_output_is_exit_2() {
    let out = ospo()
        .args([
            "report",
            "tests/fixtures/tree",
            "-o",
            "/nonexistent-dir/r.html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write /nonexistent-dir/r.html"));
}
