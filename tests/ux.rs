//! The small things that cost trust (issue 16, item 7), each end to end: format aliases,
//! the exit codes in --help, what the diagnostics line claims, singular and plural, the
//! project of a folder without a manifest, the report's sort and chart, review counts that
//! agree, the repository URL, the repository's own license files, the release profile,
//! colour.

use crate::common::*;

fn stdout_of(args: &[&str]) -> String {
    let out = ospo()
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1764590400")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "ospo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn json_sbom_formats_have_short_aliases() {
    let from = ["--from", "tests/fixtures/policy/scan.json"];
    for (alias, full) in [("cyclonedx", "cyclonedx-json"), ("spdx", "spdx-json")] {
        let a = stdout_of(&[&["sbom", "--format", alias][..], &from].concat());
        let b = stdout_of(&[&["sbom", "--format", full][..], &from].concat());
        assert_eq!(a, b, "--format {alias} is --format {full}");
    }
    // `audit` takes the alias too (the database is a fixture of tests/audit.rs).
    let out = ospo()
        .args([
            "audit",
            "--db",
            "tests/fixtures/osv",
            "--format",
            "cyclonedx",
        ])
        .args(from)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"bomFormat\": \"CycloneDX\""));
}

#[test]
fn help_names_every_exit_1_case() {
    let help = stdout_of(&["--help"]);
    for needle in [
        "`check`",
        "--fail-on",
        "`audit`",
        "`diff --fail-on`",
        "NO_COLOR",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let check = stdout_of(&["check", "--help"]);
    assert!(check.contains("warnings"), "{check}");
}

/// A tree with one warning (a malformed package.json) and one note (a file name that is
/// not UTF-8).
fn tree_with_a_warning_and_a_note() -> tempfile::TempDir {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), "{ \"name\": ").unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(dir.path().join(name), "hello\n").unwrap();
    dir
}

#[test]
fn the_diagnostics_line_says_what_stderr_showed() {
    let dir = tree_with_a_warning_and_a_note();
    let p = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let out = ospo().args(["scan", p]).args(extra).output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (out, err) = run(&[]);
    assert_eq!(err.matches("ospo: warning:").count(), 1, "{err}");
    assert!(!err.contains("note:"), "{err}");
    assert!(
        out.contains("2 diagnostics (1 listed on stderr; -v lists the 1 note too; all are in --format json)."),
        "{out}"
    );
    let (out, err) = run(&["-v"]);
    assert!(err.contains("ospo: note:"), "{err}");
    assert!(
        out.contains("2 diagnostics (listed on stderr and in --format json)."),
        "{out}"
    );
    let (out, err) = run(&["-q"]);
    assert_eq!(err, "");
    assert!(
        out.contains("(not shown with -q; all are in --format json)"),
        "{out}"
    );
}

#[test]
fn one_file_is_singular_and_an_empty_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("my-app");
    std::fs::create_dir(&empty).unwrap();
    let out = stdout_of(&["scan", empty.to_str().unwrap()]);
    assert!(out.starts_with("Scanned 0 files"), "{out}");
    assert!(out.contains("the directory is empty"), "{out}");
    // Named after its folder, and it says so; no dangling " :" for the missing version.
    assert!(
        out.contains("project: my-app: NOASSERTION (no manifest names it: named after its folder)"),
        "{out}"
    );
    std::fs::write(
        empty.join("LICENSE"),
        std::fs::read(root().join("LICENSE-MIT")).unwrap(),
    )
    .unwrap();
    let out = stdout_of(&["scan", empty.to_str().unwrap()]);
    assert!(out.starts_with("Scanned 1 file ("), "{out}");
}

#[test]
fn report_sorts_names_without_case_and_counts_review_as_scan_does() {
    let tree = "tests/fixtures/list";
    let html = stdout_of(&["report", tree, "--no-caches", "-o", "-"]);
    let (a, j) = (
        html.find("\"name\":\"abbrev\""),
        html.find("\"name\":\"JSONStream\""),
    );
    assert!(
        a.is_some() && j.is_some() && a < j,
        "abbrev before JSONStream"
    );
    let scan = stdout_of(&["scan", tree, "--no-caches"]);
    let flagged = scan
        .split("flagged for review: ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(
        html.contains(&format!(
            "<span class=\"n\">{flagged}</span><span class=\"l\">flagged for review</span>"
        )),
        "report shows the scan's review count {flagged}"
    );
    // The chart's label column fits its longest label (7.5px a character at most).
    let svg = html.split("<svg class=\"chart\"").nth(1).unwrap();
    let first_rect_x: usize = svg
        .split("<rect x=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        first_rect_x >= "MIT OR Apache-2.0".len() * 15 / 2,
        "{first_rect_x}"
    );
}

#[test]
fn the_repository_url_is_real_and_the_same_everywhere() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let repo = cargo["package"]["repository"].as_str().unwrap();
    assert!(repo.starts_with("https://github.com/"), "{repo}");
    let out = ospo()
        .args([
            "check",
            "--from",
            "tests/fixtures/policy/scan.json",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["informationUri"], repo);
}

#[test]
fn the_repository_ships_the_licenses_it_declares() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(
        cargo["package"]["license"].as_str(),
        Some("MIT OR Apache-2.0")
    );
    for (file, id) in [("LICENSE-MIT", "MIT"), ("LICENSE-APACHE", "Apache-2.0")] {
        let rec = detect_one(&root().join(file));
        assert_eq!(expressions(&rec), [id], "{file}");
        assert!(score(&licenses(&rec)[0]) > 0.99, "{file} is the whole text");
    }
}

#[test]
fn release_is_lean_and_profiling_keeps_debug_info() {
    let cargo: toml::Value =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let release = &cargo["profile"]["release"];
    assert_eq!(release["debug"].as_bool(), Some(false));
    assert_eq!(release["strip"].as_str(), Some("debuginfo"));
    let profiling = &cargo["profile"]["profiling"];
    assert_eq!(profiling["inherits"].as_str(), Some("release"));
    assert!(profiling["debug"].as_integer().is_some_and(|d| d > 0));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = [
        "check",
        "--from",
        "tests/fixtures/policy/scan.json",
        "--policy",
        "tests/fixtures/policy/policy.toml",
    ];
    let run = |extra: &[&str], no_color: Option<&str>| {
        let mut cmd = ospo();
        cmd.args(args).args(extra).env("OSPO_TODAY", "2026-12-01");
        match no_color {
            Some(v) => cmd.env("NO_COLOR", v),
            None => cmd.env_remove("NO_COLOR"),
        };
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // A pipe is not a terminal: no colour by default, with or without NO_COLOR.
    assert!(!run(&[], None).contains('\x1b'));
    assert!(!run(&["--color", "auto"], Some("1")).contains('\x1b'));
    assert!(!run(&["--color", "never"], None).contains('\x1b'));
    let always = run(&["--color", "always"], Some("1"));
    assert!(always.contains("\x1b[1;31mfail:\x1b[0m"), "{always}");
    // Colour never reaches a file written with -o.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("out.txt");
    run(&["--color", "always", "-o", f.to_str().unwrap()], None);
    assert!(!std::fs::read_to_string(&f).unwrap().contains('\x1b'));
}
