//! `ospo check` for CI: `--format markdown` (golden: tests/golden/check/check.md, the
//! saved scan and policy of tests/policy.rs) and every `--fail-on` exit code on the fixture
//! tree tests/fixtures/list (see its SOURCES.md) under policies written per case.

use crate::common::*;

/// `ospo check` with `args`; (exit code, stdout, stderr).
fn check(args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .arg("check")
        .args(args)
        .env("OSPO_TODAY", "2026-12-01")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn markdown_matches_its_golden_file() {
    let (code, out, err) = check(&[
        "--from",
        "tests/fixtures/policy/scan.json",
        "--policy",
        "tests/fixtures/policy/policy.toml",
        "--format",
        "markdown",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("## ospo check: failed\n"), "{out}");
    assert!(
        out.contains("| ❌ fail | pkg:npm/old-tool@1.0.0 |"),
        "{out}"
    );
    assert_golden("check/check.md", &out);
}

#[test]
fn markdown_with_advisories_matches_its_golden_file() {
    // The OSV fixtures of tests/audit.rs: real published advisories and edge cases.
    let (code, out, err) = check(&[
        "--from",
        "tests/fixtures/osv/scan.json",
        "--db",
        "tests/fixtures/osv/db",
        "--policy",
        "tests/fixtures/osv/policy.toml",
        "--format",
        "markdown",
        "-q",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("\n### Advisories\n"), "{out}");
    assert!(
        out.contains("GHSA-jfh8-c2jp-5v3q"),
        "Log4Shell is listed: {out}"
    );
    assert_golden("check/check-db.md", &out);
}

/// A saved scan of tests/fixtures/list (one scan for all the cases below).
fn saved_scan(dir: &std::path::Path) -> String {
    let saved = dir.join("scan.json");
    ospo()
        .args([
            "scan",
            "tests/fixtures/list",
            "--no-caches",
            "--format",
            "json",
            "-o",
        ])
        .arg(&saved)
        .assert()
        .success();
    saved.to_str().unwrap().to_string()
}

fn policy(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_fail_on_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let scan = saved_scan(dir.path());
    // Everything passes: left-pad's WTFPL is allowed, mystery's unknown license is allowed
    // (but it is still unknown, and flagged for review).
    let lenient = policy(
        dir.path(),
        "lenient.toml",
        "[licenses]\nallow = [\"MIT\", \"ISC\", \"Apache-2.0\", \"WTFPL\"]\nunknown = \"allow\"\n",
    );
    // left-pad warns; nothing fails.
    let warns = policy(
        dir.path(),
        "warns.toml",
        "[licenses]\nallow = [\"MIT\", \"ISC\", \"Apache-2.0\"]\nunknown = \"allow\"\nunlisted = \"warn\"\n",
    );
    // mystery fails.
    let strict = policy(
        dir.path(),
        "strict.toml",
        "[licenses]\nallow = [\"MIT\", \"ISC\", \"Apache-2.0\", \"WTFPL\"]\nunknown = \"deny\"\n",
    );
    let cases: &[(&str, &[&str], i32, &str)] = &[
        (&lenient, &[], 0, ""),
        (&lenient, &["--fail-on", "warnings"], 0, ""),
        (
            &lenient,
            &["--fail-on", "unknown"],
            1,
            "--fail-on unknown: 1 component with an unknown license",
        ),
        (
            &lenient,
            &["--fail-on", "review"],
            1,
            "--fail-on review: 2 components to review",
        ),
        (&warns, &[], 0, ""),
        (
            &warns,
            &["--fail-on", "warnings"],
            1,
            "--fail-on warnings: 1 warning",
        ),
        (
            &warns,
            &["--fail-on", "warnings,unknown"],
            1,
            "--fail-on unknown: 1 component",
        ),
        (&strict, &[], 1, ""),
        (&strict, &["--fail-on", "warnings"], 1, ""),
    ];
    for (policy, extra, want, said) in cases {
        let mut args = vec!["--from", scan.as_str(), "--policy", policy];
        args.extend_from_slice(extra);
        let (code, out, err) = check(&args);
        assert_eq!(code, *want, "check {args:?}\n{out}{err}");
        assert!(
            err.contains(said),
            "check {args:?}: stderr lacks {said:?}:\n{err}"
        );
        if *want == 1 && !said.is_empty() {
            // The output said "passed"; stderr says why the exit code is 1 anyway.
            assert!(out.contains("check passed"), "{out}");
        }
    }
    // A clean tree passes every gate.
    let (code, _, err) = check(&[
        "tests/fixtures/ecosystems/npm/workspace",
        "--no-caches",
        "--policy",
        &lenient,
        "--fail-on",
        "warnings,review,unknown",
    ]);
    assert_eq!(code, 0, "{err}");
    // A misspelt condition is a usage error.
    let (code, _, err) = check(&["--fail-on", "warning", "--from", &scan]);
    assert_eq!(code, 2);
    assert!(err.contains("warnings"), "{err}");
}
