//! `ospo scan` end to end on the fixture project tests/fixtures/tree/.
//!
//! The whole `--format json` output is compared with tests/golden/tree.scan.json.
//! After an intended change: `UPDATE_GOLDEN=1 cargo test`, then review the diff.

use crate::common::*;
use serde_json::Value;

const TREE: &str = "tests/fixtures/tree";

fn scan_json_bytes(extra: &[&str]) -> Vec<u8> {
    // Package caches on this machine must not change the result.
    let mut args = vec!["scan", TREE, "--format", "json", "--no-caches"];
    args.extend_from_slice(extra);
    let out = ospo().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "ospo {args:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn scan_json(extra: &[&str]) -> Value {
    serde_json::from_slice(&scan_json_bytes(extra)).expect("scan JSON")
}

/// The file under ignored/ is git-ignored by the fixture's own .gitignore: it is in the
/// repository only because it was added with `git add -f`.
fn ignored_fixture_present() {
    assert!(
        fixture("tree/ignored/gpl3.sh").is_file(),
        "tests/fixtures/tree/ignored/gpl3.sh is missing: it must be committed with `git add -f`"
    );
}

#[test]
fn golden_tree_scan() {
    ignored_fixture_present();
    let bytes = scan_json_bytes(&[]);
    assert_golden(
        "tree.scan.json",
        &String::from_utf8(bytes).expect("UTF-8 JSON"),
    );
}

/// The facts the golden file holds, asserted one by one, so a golden update cannot quietly
/// accept a wrong answer.
#[test]
fn tree_findings() {
    let v = scan_json(&[]);
    assert_eq!(v["root"], TREE);
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["tool"]["name"], "ospo");
    assert!(
        v["summary"].get("elapsed_ms").is_none(),
        "wall time must not be in the JSON"
    );
    let expect: &[(&str, &[(&str, &str)])] = &[
        ("LICENSE", &[("MIT", "text")]),
        ("LICENSE-APACHE", &[("Apache-2.0", "text")]),
        ("README.md", &[("Apache-2.0 OR MIT", "reference")]),
        ("csrc/util.c", &[("GPL-2.0-or-later", "notice")]),
        ("csrc/driver.h", &[("GPL-2.0-only", "notice")]),
        // The LLVM header sentence (a notice) and the SPDX tag under it.
        (
            "src/align.rs",
            &[
                ("Apache-2.0 WITH LLVM-exception", "notice"),
                ("Apache-2.0 WITH LLVM-exception", "tag"),
            ],
        ),
        ("tools/release.py", &[("MIT OR LicenseRef-Acme-1.0", "tag")]),
        ("vendor/foo/LICENSE", &[("BSD-3-Clause", "text")]),
    ];
    for (path, want) in expect {
        let rec =
            file(&v, path).unwrap_or_else(|| panic!("{path} not in the scan: {:?}", paths(&v)));
        let got: Vec<(String, String)> = licenses(rec)
            .iter()
            .map(|m| {
                (
                    m["expression"].as_str().unwrap().to_string(),
                    m["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(e, k)| (e.to_string(), k.to_string()))
            .collect();
        assert_eq!(got, want, "{path}: {rec:#}");
    }
    // The Java file's Apache header: Apache-2.0 (whether as notice or reference).
    let java = file(&v, "src/main/java/org/example/Greeter.java").expect("Greeter.java");
    assert_eq!(expressions(java), ["Apache-2.0"], "{java:#}");
    assert_eq!(copyrights(java), ["Copyright 2019 The Example Authors"]);

    assert_eq!(file(&v, "LICENSE").unwrap()["class"], "license");
    assert_eq!(file(&v, "README.md").unwrap()["class"], "readme");
    assert_eq!(file(&v, "Cargo.toml").unwrap()["class"], "manifest");
    // Paths are relative and '/'-separated; records are sorted by path.
    let ps = paths(&v);
    let mut sorted = ps.clone();
    sorted.sort();
    assert_eq!(ps, sorted);
    assert!(ps
        .iter()
        .all(|p| !p.starts_with('/') && !p.contains('\\') && !p.starts_with(TREE)));
    // Not in the result: the git-ignored file, the binary, a source file without a header.
    assert!(!ps.iter().any(|p| p.starts_with("ignored/")), "{ps:?}");
    assert!(
        !v.to_string().contains("GPL-3.0"),
        "the git-ignored GPL-3.0 file leaked into the scan"
    );
    assert!(file(&v, "assets/pixel.png").is_none());
    assert!(file(&v, "src/lib.rs").is_none());
    assert_eq!(v["summary"]["binary_files"], 1);
    assert_eq!(v["summary"]["skipped_files"], 0);
    // 13 files on disk outside ignored/ (.gitignore included).
    assert_eq!(v["summary"]["files_scanned"], 13);
    assert_eq!(v["diagnostics"], Value::Array(vec![]));
    // Hashes of the whole file, as lower-case hex.
    let lic = file(&v, "LICENSE").unwrap();
    assert_eq!(lic["size"], 1055);
    assert_eq!(lic["sha1"].as_str().unwrap().len(), 40);
    assert_eq!(lic["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn json_is_deterministic() {
    let a = scan_json_bytes(&[]);
    let b = scan_json_bytes(&[]);
    assert!(
        a == b,
        "two runs of `ospo scan --format json` are not byte-identical"
    );
    // Nor may the number of walker threads change a byte.
    let one = scan_json_bytes(&["-j", "1"]);
    assert!(
        a == one,
        "`-j 1` and the default thread count give different JSON"
    );
    assert!(a.ends_with(b"}\n"));
}

/// The human summary, whole (tests/golden/messages/scan-summary.txt), its wall time
/// replaced.
#[test]
fn human_summary() {
    let out = ospo().args(["scan", TREE, "--no-caches"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let timed = regex::Regex::new(r" in [0-9.]+ s\n").unwrap();
    assert!(timed.is_match(&text), "{text}");
    assert_golden(
        "messages/scan-summary.txt",
        &timed.replace(&text, " in <time> s\n"),
    );
}

#[test]
fn output_file_gets_everything_stdout_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("scan.json");
    let out = ospo()
        .args([
            "scan",
            TREE,
            "--format",
            "json",
            "-o",
            out_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let written = std::fs::read(&out_path).unwrap();
    assert_eq!(
        written,
        scan_json_bytes(&[]),
        "-o writes what stdout would have held"
    );
    // An ordinary file, not the private mode of the temporary file it was written as.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "mode {mode:o}");
    }

    // The human format goes to the file as well.
    let human = dir.path().join("scan.txt");
    ospo()
        .args(["scan", TREE, "--output", human.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout("");
    assert!(std::fs::read_to_string(&human)
        .unwrap()
        .starts_with("Scanned 13 files"));
}

#[test]
fn output_to_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("no/such/dir/scan.json");
    ospo()
        .args([
            "scan",
            TREE,
            "--format",
            "json",
            "-o",
            bad.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("no/such/dir"));
}

#[test]
fn exclude_leaves_vendor_out() {
    let v = scan_json(&["--exclude", "vendor/**"]);
    let ps = paths(&v);
    assert!(!ps.iter().any(|p| p.starts_with("vendor/")), "{ps:?}");
    assert!(!v["files"].to_string().contains("BSD-3-Clause"));
    assert!(file(&v, "LICENSE").is_some());
    assert_eq!(v["summary"]["files_scanned"], 12);

    // Repeatable, and a bare directory name works too.
    let v = scan_json(&["--exclude", "vendor", "--exclude", "*.java"]);
    let ps = paths(&v);
    assert!(
        !ps.iter()
            .any(|p| p.starts_with("vendor/") || p.ends_with(".java")),
        "{ps:?}"
    );
}

#[test]
fn no_ignore_brings_ignored_files_in() {
    ignored_fixture_present();
    let v = scan_json(&["--no-ignore"]);
    let rec = file(&v, "ignored/gpl3.sh")
        .unwrap_or_else(|| panic!("ignored/gpl3.sh missing: {:?}", paths(&v)));
    assert_eq!(expressions(rec), ["GPL-3.0-or-later"]);
    assert_eq!(licenses(rec)[0]["kind"], "notice");
    assert_eq!(v["summary"]["files_scanned"], 14);
}

#[test]
fn scan_of_a_single_file() {
    let v = scan_json_for(&["scan", "tests/fixtures/tree/LICENSE", "--format", "json"]);
    assert_eq!(v["root"], "tests/fixtures/tree/LICENSE");
    assert_eq!(paths(&v), ["LICENSE"]);
    assert_eq!(expressions(file(&v, "LICENSE").unwrap()), ["MIT"]);
}

fn scan_json_for(args: &[&str]) -> Value {
    run_json(args).0
}
