//! Bad input: every problem with one file is a diagnostic (in the JSON and one line on
//! stderr) and the scan goes on; only a missing or unreadable root is an error (exit 2).
//! The trees are built in a temporary directory at test time (nothing big is committed).

use std::fs;
use std::path::Path;

use crate::common::*;
use serde_json::Value;

const MIT: &str = "tests/fixtures/licenses/mit-carl-lerche.LICENSE";

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Whether permissions stop us (false when the tests run as root, or with
/// CAP_DAC_OVERRIDE): a file made unreadable can still be read.
#[cfg(unix)]
fn permissions_apply(unreadable_file: &Path) -> bool {
    let readable = fs::read(unreadable_file).is_ok();
    if readable {
        eprintln!(
            "note: {} is mode 000 but still readable (running as root?): permission assertions skipped",
            unreadable_file.display()
        );
    }
    !readable
}

/// Scan `dir` (absolute) with `extra` args; expect exit 0. Returns (scan, stderr lines).
fn scan_dir(dir: &Path, extra: &[&str]) -> (Value, Vec<String>) {
    let mut args = vec!["scan", dir.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let (v, stderr) = run_json(&args);
    (v, stderr.lines().map(String::from).collect())
}

fn diagnostics(v: &Value) -> Vec<Value> {
    v["diagnostics"].as_array().unwrap().clone()
}

fn diag_for<'a>(diags: &'a [Value], path: &str) -> Option<&'a Value> {
    diags.iter().find(|d| d["path"] == path)
}

/// One stderr line per warning or error diagnostic, each naming its path; nothing else.
fn assert_stderr_matches(v: &Value, stderr: &[String]) {
    let all = diagnostics(v);
    let shown: Vec<&Value> = all.iter().filter(|d| d["severity"] != "info").collect();
    assert_eq!(
        stderr.len(),
        shown.len(),
        "stderr: {stderr:#?}\ndiagnostics: {:#}",
        v["diagnostics"]
    );
    for d in shown {
        let sev = d["severity"].as_str().unwrap();
        let hit = stderr.iter().any(|l| {
            l.starts_with(&format!("ospo: {sev}: "))
                && d["path"].as_str().is_none_or(|p| l.contains(p))
                && l.contains(d["message"].as_str().unwrap())
        });
        assert!(hit, "no stderr line for {d}: {stderr:#?}");
    }
}

#[cfg(unix)]
#[test]
fn bad_tree_is_scanned_with_diagnostics() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;

    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("tree");
    fs::create_dir_all(t.join("sub")).unwrap();
    fs::copy(root().join(MIT), t.join("LICENSE")).unwrap();
    // Unreadable file (with a license in it) and a directory we may not enter.
    fs::write(t.join("unreadable.c"), format!("// {TAG}: GPL-3.0-only\n")).unwrap();
    chmod(&t.join("unreadable.c"), 0o000);
    fs::create_dir(t.join("locked")).unwrap();
    fs::write(
        t.join("locked/inner.c"),
        format!("// {TAG}: GPL-3.0-only\n"),
    )
    .unwrap();
    chmod(&t.join("locked"), 0o000);
    // Non-UTF-8 file name ("café.c" in Latin-1) with a tag inside.
    fs::write(
        t.join(OsStr::from_bytes(b"caf\xe9.c")),
        format!("// {TAG}: ISC\n"),
    )
    .unwrap();
    // Latin-1 content, CRLF with a BOM, binary, empty.
    fs::write(
        t.join("sub/latin1.c"),
        [
            &b"/* Copyright (c) 2001 J\xfcrgen M\xfcller\n * "[..],
            TAG.as_bytes(),
            b": Zlib\n */\n",
        ]
        .concat(),
    )
    .unwrap();
    fs::copy(
        fixture("snippets/gpl-2.0-or-later-crlf-bom.c"),
        t.join("sub/crlf.c"),
    )
    .unwrap();
    fs::write(
        t.join("sub/blob.bin"),
        [
            &b"\x7fELF\x02\x01\x01\x00\x00\x00"[..],
            TAG.as_bytes(),
            b": MIT\x00",
        ]
        .concat(),
    )
    .unwrap();
    fs::write(t.join("sub/empty.txt"), b"").unwrap();
    fs::write(t.join("sub/LICENSE-EMPTY"), b"").unwrap();
    // A symlink loop and a dangling link (both reported with --follow).
    symlink(".", t.join("sub/loop")).unwrap();
    symlink("does-not-exist", t.join("dangling")).unwrap();
    // A FIFO must be skipped, not read (reading it would block forever).
    let fifo = std::process::Command::new("mkfifo")
        .arg(t.join("sub/pipe"))
        .status()
        .is_ok_and(|s| s.success());

    let perms = permissions_apply(&t.join("unreadable.c"));
    let (v, stderr) = scan_dir(&t, &["--follow"]);
    chmod(&t.join("locked"), 0o755);
    chmod(&t.join("unreadable.c"), 0o644);

    let diags = diagnostics(&v);
    // The rest of the tree was scanned.
    assert_eq!(expressions(file(&v, "LICENSE").expect("LICENSE")), ["MIT"]);
    assert_eq!(
        expressions(file(&v, "sub/crlf.c").expect("crlf.c")),
        ["GPL-2.0-or-later"]
    );
    let latin1 = file(&v, "sub/latin1.c").expect("latin1.c");
    assert_eq!(expressions(latin1), ["Zlib"]);
    assert!(
        copyrights(latin1)
            .iter()
            .any(|c| c.contains("Jürgen Müller")),
        "{latin1:#}"
    );
    assert!(diag_for(&diags, "sub/latin1.c")
        .is_some_and(|d| d["message"].as_str().unwrap().contains("Latin-1")));
    // The non-UTF-8 name: shown lossily, its content still read, and a note about it.
    let cafe = "caf\u{FFFD}.c";
    assert_eq!(expressions(file(&v, cafe).expect("café.c")), ["ISC"]);
    assert!(diag_for(&diags, cafe).is_some(), "{diags:#?}");
    // Binary and empty files leave no license; the empty license file is kept as a license file.
    assert!(file(&v, "sub/blob.bin").is_none());
    assert!(file(&v, "sub/empty.txt").is_none());
    let empty_lic = file(&v, "sub/LICENSE-EMPTY").expect("empty license file is recorded");
    assert!(licenses(empty_lic).is_empty());
    assert_eq!(v["summary"]["binary_files"], 1);
    // Links: the loop and the dangling link are warnings naming them.
    let lp =
        diag_for(&diags, "sub/loop").unwrap_or_else(|| panic!("no loop diagnostic: {diags:#?}"));
    assert_eq!(lp["severity"], "warning");
    assert!(
        lp["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("loop"),
        "{lp}"
    );
    let dl = diag_for(&diags, "dangling")
        .unwrap_or_else(|| panic!("no dangling-link diagnostic: {diags:#?}"));
    assert_eq!(dl["severity"], "warning");
    if fifo {
        assert!(file(&v, "sub/pipe").is_none());
    }
    // Permissions (only where they stop a reader).
    if perms {
        let d = diag_for(&diags, "unreadable.c")
            .unwrap_or_else(|| panic!("no diagnostic for unreadable.c: {diags:#?}"));
        assert_eq!(d["severity"], "warning");
        assert!(d["message"].as_str().unwrap().contains("ermission"), "{d}");
        let d = diag_for(&diags, "locked")
            .unwrap_or_else(|| panic!("no diagnostic for locked/: {diags:#?}"));
        assert_eq!(d["severity"], "warning");
        assert!(!v.to_string().contains("GPL-3.0-only"));
    }
    // Everything a user must see is on stderr, one line each; info notes only with -v.
    assert_stderr_matches(&v, &stderr);
    assert!(!stderr.is_empty());

    // -q: nothing on stderr; -v: the info notes too. The JSON is the same.
    chmod(&t.join("locked"), 0o000);
    chmod(&t.join("unreadable.c"), 0o000);
    let (vq, quiet) = scan_dir(&t, &["--follow", "-q"]);
    let (vv, verbose) = scan_dir(&t, &["--follow", "-v"]);
    chmod(&t.join("locked"), 0o755);
    chmod(&t.join("unreadable.c"), 0o644);
    assert!(quiet.is_empty(), "-q printed: {quiet:#?}");
    assert_eq!(vq, v);
    assert_eq!(vv, v);
    assert_eq!(
        verbose.len(),
        diags.len(),
        "-v: one line per diagnostic: {verbose:#?}"
    );
    assert!(
        verbose
            .iter()
            .any(|l| l.starts_with("ospo: note: ") && l.contains("latin1.c")),
        "{verbose:#?}"
    );
}

#[cfg(unix)]
#[test]
fn links_are_not_followed_by_default() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::copy(root().join(MIT), t.join("LICENSE")).unwrap();
    symlink(".", t.join("loop")).unwrap();
    symlink("does-not-exist", t.join("dangling")).unwrap();
    symlink("LICENSE", t.join("LICENSE-LINK")).unwrap();
    let (v, stderr) = scan_dir(t, &[]);
    assert_eq!(paths(&v), ["LICENSE"]);
    assert_eq!(diagnostics(&v), Vec::<Value>::new());
    assert!(stderr.is_empty(), "{stderr:#?}");
}

#[test]
fn sparse_3_gib_file_is_read_only_at_its_start() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    fs::copy(root().join(MIT), t.join("LICENSE")).unwrap();
    let big = t.join("huge.c");
    let mut f = fs::File::create(&big).unwrap();
    f.write_all(format!("// {TAG}: Apache-2.0\n// Copyright 2026 Big File Inc.\n").as_bytes())
        .unwrap();
    // Real text past the binary sniffing window, then a hole to 3 GiB (no disk used).
    for i in 0..2000 {
        writeln!(f, "int x{i} = {i};").unwrap();
    }
    f.set_len(3 << 30).unwrap();
    drop(f);

    let started = std::time::Instant::now();
    let (v, stderr) = scan_dir(t, &[]);
    eprintln!(
        "scan of a tree with a sparse 3 GiB file: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(expressions(file(&v, "LICENSE").unwrap()), ["MIT"]);
    let rec = file(&v, "huge.c").expect("huge.c: its header tag");
    assert_eq!(expressions(rec), ["Apache-2.0"]);
    assert_eq!(rec["size"], 3u64 << 30);
    assert_eq!(
        v["summary"]["bytes_scanned"].as_u64().unwrap(),
        (3u64 << 30) + 1055
    );
    let diags = diagnostics(&v);
    let d = diag_for(&diags, "huge.c").expect("a note that only the start was read");
    assert_eq!(d["severity"], "info");
    assert_stderr_matches(&v, &stderr);
}

/// A missing root names it; one missing path among good ones is still an error (exit 2),
/// but the good ones are still listed. The messages are in
/// tests/golden/messages/missing-root.txt.
#[test]
fn missing_root_is_exit_2_naming_it() {
    let mut t = Transcript::default();
    for args in [
        &["scan", "tests/fixtures/no-such-dir"][..],
        &["detect", "tests/fixtures/no-such-dir"],
    ] {
        let (code, stdout, _) = t.stderr_of(args);
        assert_eq!(code, Some(2), "ospo {args:?}");
        assert_eq!(stdout, "", "ospo {args:?}: nothing on stdout");
    }
    let args = &["detect", MIT, "no-such-file.txt"];
    let (code, stdout, _) = t.stderr_of(args);
    assert_eq!(code, Some(2), "ospo {args:?}");
    assert!(
        stdout.starts_with(&format!("{MIT}:\n  MIT ")),
        "ospo {args:?}: the readable operand is listed:\n{stdout}"
    );
    t.assert_golden("messages/missing-root.txt");
}

#[cfg(unix)]
#[test]
fn unreadable_root_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("closed");
    fs::create_dir(&t).unwrap();
    fs::write(t.join("LICENSE"), "MIT").unwrap();
    let probe = tmp.path().join("probe");
    fs::write(&probe, "x").unwrap();
    chmod(&probe, 0o000);
    chmod(&t, 0o000);
    let perms = permissions_apply(&probe);
    let out = ospo()
        .args(["scan", t.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    chmod(&t, 0o755);
    if !perms {
        assert_eq!(out.status.code(), Some(0));
        return;
    }
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("closed") && stderr.contains("ermission"),
        "{stderr}"
    );
}

/// Usage errors are exit 2 with nothing on stdout; their wording (clap's and ours) is in
/// tests/golden/messages/usage-errors.txt.
#[test]
fn usage_errors_are_exit_2() {
    let mut t = Transcript::default();
    for args in [
        &["scan", "--no-such-flag"][..],
        &["scan", "tests/fixtures/tree", "--format", "yaml"],
        &["detect"],
        &["frobnicate"],
        &["scan", "tests/fixtures/tree", "-j", "many"],
        &[
            "sbom",
            "tests/fixtures/tree",
            "--format",
            "spdx-json",
            "--spec-version",
            "1.5",
        ],
    ] {
        let (code, stdout, _) = t.stderr_of(args);
        assert_eq!(code, Some(2), "ospo {args:?}");
        assert_eq!(stdout, "", "ospo {args:?}: nothing on stdout");
    }
    t.assert_golden("messages/usage-errors.txt");
    // No command: the help (wrapped to the terminal, so not in the golden file).
    ospo().assert().code(2).stdout("");
    ospo()
        .args(["--help"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("scan"));
    ospo()
        .args(["--version"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn detect_keeps_going_past_a_binary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("LICENSE.bin");
    fs::write(&bin, b"\x00\x01\x02\x03").unwrap();
    let (v, stderr) = run_json(&["detect", bin.to_str().unwrap(), MIT, "--format", "json"]);
    let recs = v.as_array().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["class"], "binary");
    assert_eq!(expressions(&recs[1]), ["MIT"]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("LICENSE.bin"), "{stderr}");
}
