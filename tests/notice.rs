//! `ospo notice` end to end: on the fixture trees (a scan) and on a hand-made scan read
//! with --from (tests/fixtures/notice/scan.json, whose `texts` hold its license files: no
//! tree of it exists on disk).
//!
//! The text and Markdown forms are compared whole with golden files under tests/golden/.
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test tests notice::`, then review the diff.

use crate::common::*;

const DEMO: &str = "tests/fixtures/notice/scan.json";
const VENV: &str = "tests/fixtures/ecosystems/python/venv-project";

/// `ospo notice <args>`: (stdout, stderr), expecting exit 0.
fn notice(args: &[&str]) -> (String, String) {
    let mut all = vec!["notice"];
    all.extend_from_slice(args);
    let out = ospo().args(&all).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "ospo {all:?}\nstderr: {stderr}");
    (String::from_utf8(out.stdout).expect("UTF-8 notice"), stderr)
}

fn demo(format: &str, extra: &[&str]) -> String {
    let mut args = vec!["--from", DEMO, "--format", format, "-q"];
    args.extend_from_slice(extra);
    notice(&args).0
}

fn venv(format: &str, extra: &[&str]) -> String {
    let mut args = vec![VENV, "--no-caches", "--format", format];
    args.extend_from_slice(extra);
    notice(&args).0
}

/// The text a saved scan recorded for the file at `path`.
fn recorded_text(scan: &str, path: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(scan)).unwrap()).unwrap();
    let sha = file(&v, path).unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    v["texts"][sha].as_str().unwrap().to_string()
}

fn golden(name: &str, actual: &str) {
    assert_golden(name, actual);
}

/// The part of a text notice from the section heading of `id` to the next section.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let rule = "=".repeat(80);
    let start = text
        .find(&format!("{rule}\n{heading}"))
        .unwrap_or_else(|| panic!("no section {heading:?} in:\n{text}"));
    let body_start = start + rule.len() * 2 + heading.len() + 2;
    let end = text[body_start..]
        .find(&format!("\n{rule}\n"))
        .map_or(text.len(), |i| body_start + i);
    &text[start..end]
}

#[test]
fn golden_demo_text_and_markdown() {
    golden("notice-demo.txt", &demo("text", &[]));
    golden("notice-demo.md", &demo("markdown", &[]));
}

#[test]
fn golden_venv_text_and_markdown() {
    golden("notice-venv.txt", &venv("text", &[]));
    golden("notice-venv.md", &venv("markdown", &[]));
}

#[test]
fn grouped_by_license_with_each_text_once() {
    let t = demo("text", &[]);
    // One section per license id, in order; the project itself is not a third party.
    let headings: Vec<&str> = t
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] == "=".repeat(80) && !w[1].is_empty() && !w[1].starts_with('='))
        .map(|w| w[1])
        .collect();
    assert_eq!(
        headings,
        [
            "Apache-2.0: Apache License 2.0",
            "ISC: ISC License",
            "LicenseRef-Gamma-1.0",
            "MIT: MIT License",
            "NOTICE files",
            "Components with an unknown license",
        ]
    );
    assert!(!t.contains("  - notice-demo"), "the project is not listed");
    assert!(t.starts_with("Third-party software notices for notice-demo 1.0.0\n"));
    // beta (MIT OR Apache-2.0) is under both of its licenses.
    assert!(section(&t, "Apache-2.0").contains("  - beta 1.0.0 (licensed MIT OR Apache-2.0)"));
    assert!(section(&t, "MIT").contains("  - beta 1.0.0 (licensed MIT OR Apache-2.0)"));
    // The standard texts once each.
    assert_eq!(t.matches("END OF TERMS AND CONDITIONS").count(), 1);
    assert_eq!(
        t.matches("Copyright (c) <year> <copyright holders>")
            .count(),
        1
    );
    // Same in the venv: requests and cryptography share the Apache-2.0 text (cryptography's
    // copy says https:// where the SPDX text says http://, which is not more).
    let v = venv("text", &[]);
    assert_eq!(v.matches("END OF TERMS AND CONDITIONS").count(), 1);
    let apache = section(&v, "Apache-2.0");
    assert!(apache.contains("Used by (standard SPDX text):\n  - cryptography 50.0.2"));
    assert!(apache.contains("  - requests 2.34.2\n      Copyright 2019 Kenneth Reitz"));
}

#[test]
fn own_license_text_with_its_copyright_replaces_the_standard_text() {
    let t = demo("text", &[]);
    let mit = section(&t, "MIT");
    // alpha's file is the standard text with other line breaks: the standard text is used.
    assert!(
        mit.contains("Used by (standard SPDX text):\n  - alpha 1.0.0\n"),
        "{mit}"
    );
    // beta's file has its own copyright line: that text, from the file, once.
    assert!(
        mit.contains("Used by (from beta/LICENSE):\n  - beta 1.0.0"),
        "{mit}"
    );
    assert_eq!(
        mit.matches("Copyright (c) 2021 The Beta Authors <beta@example.org>\n\nPermission is hereby granted")
            .count(),
        1
    );
    // BSD files with their holders' copyright lines, one text per distinct file.
    let v = venv("text", &[]);
    let bsd = section(&v, "BSD-3-Clause");
    // scipy has no license file: the standard text, once; the others have their own.
    assert!(
        bsd.contains(
            "Used by (standard SPDX text):\n  - scipy 1.11.4\n\nCopyright (c) <year> <owner>."
        ),
        "{bsd}"
    );
    assert_eq!(bsd.matches("<owner>").count(), 1);
    for (path, holder) in [
        (
            "idna-3.20.dist-info/licenses/LICENSE.md",
            "Copyright (c) 2013-2026, Kim Davies and contributors.",
        ),
        (
            "cryptography-50.0.2.dist-info/licenses/LICENSE.BSD",
            "Copyright (c) Individual contributors.",
        ),
    ] {
        assert!(bsd.contains(path), "{path} in {bsd}");
        assert!(
            bsd.contains(&format!("\n{holder}\n")),
            "{holder} as part of the text"
        );
    }
    let tree = notice(&["tests/fixtures/tree", "--no-caches"]).0;
    let bsd = section(&tree, "BSD-3-Clause");
    assert!(bsd.contains("Used by (from vendor/foo/LICENSE):\n  - foo\n"));
    assert!(bsd.contains(
        "\nCopyright (c) 2016-2017 Isis Agora Lovecruft, Henry de Valence. All rights reserved.\n\
         Copyright (c) 2016-2024 Isis Agora Lovecruft. All rights reserved.\n\nRedistribution"
    ));
}

#[test]
fn licenseref_text_comes_from_the_components_file() {
    let t = demo("text", &[]);
    let g = section(&t, "LicenseRef-Gamma-1.0");
    assert!(g.contains("Used by (from gamma/LICENSE):\n  - gamma 1.0.0"));
    assert!(g.contains(
        "Gamma Community License 1.0\n\nCopyright 2023 Gamma Ltd.\n\nYou may use, copy and share"
    ));
}

#[test]
fn apache_notice_files_are_carried_verbatim() {
    let file = recorded_text(DEMO, "zeta/NOTICE");
    let t = demo("text", &[]);
    assert!(
        section(&t, "NOTICE files").contains(&format!("--- zeta 1.0.0 (zeta/NOTICE) ---\n{file}")),
        "{t}"
    );
    let md = demo("markdown", &[]);
    assert!(md.contains(&format!("```text\n{file}```\n")));
    let req = std::fs::read_to_string(fixture(
        "ecosystems/python/venv-project/.venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE",
    ))
    .unwrap();
    let v = venv("text", &[]);
    assert!(section(&v, "NOTICE files").contains(&format!(
        "--- requests 2.34.2 (.venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE) ---\n{req}"
    )));
}

#[test]
fn unknown_licenses_are_listed_apart() {
    let t = demo("text", &[]);
    let u = section(&t, "Components with an unknown license");
    assert!(u.contains("  - delta 1.0.0 (NOASSERTION)\n      Copyright 2020 Delta Person\n"));
    let before = &t[..t.find("Components with an unknown license").unwrap()];
    assert!(
        !before.contains("delta 1.0.0"),
        "delta only in its own section"
    );
    assert!(t.contains("  unknown               1 component\n"));
}

#[test]
fn dev_dependencies_only_with_include_dev() {
    let t = demo("text", &[]);
    assert!(!t.contains("epsilon"));
    assert!(t.contains("Development-only dependencies (1) are not part of the product"));
    let t = demo("text", &["--include-dev"]);
    assert!(section(&t, "MIT").contains("  - epsilon 1.0.0\n"));
    assert!(!t.contains("Development-only"));
    let v = venv("text", &[]);
    assert!(!v.contains("six 1.17.0") && !v.contains("python-dateutil"));
    let v = venv("text", &["--include-dev"]);
    assert!(section(&v, "MIT")
        .contains("  - six 1.17.0\n      Copyright (c) 2010-2024 Benjamin Peterson"));
    assert!(v.contains("  - python-dateutil 2.9.0.post0 (licensed BSD-3-Clause OR Apache-2.0)"));
}

/// A license file whose text the scan does not hold: the standard text, a note in the
/// notice and a warning (tests/golden/messages/notice-missing-text.txt).
#[test]
fn license_file_missing_from_disk_falls_back_and_says_so() {
    let (t, err) = notice(&["--from", DEMO]);
    assert_golden("messages/notice-missing-text.txt", &err);
    assert!(section(&t, "Apache-2.0").contains(
        "      Note: its license file zeta/LICENSE was not available; the standard SPDX text is shown instead"
    ));
}

#[test]
fn hostile_names_stay_text_in_markdown_and_html() {
    let md = demo("markdown", &[]);
    assert!(
        md.contains("- **\\<img src=x onerror=alert(1)\\> 6.6.6**"),
        "{md}"
    );
    assert!(!md.replace("\\<", "").contains("<img"));
    let html = demo("html", &[]);
    assert!(html.contains("<strong>&lt;img src=x onerror=alert(1)&gt; 6.6.6</strong>"));
    assert!(html.contains("&lt;b&gt;No warranty.&lt;/b&gt;"));
    assert!(!html.contains("<img") && !html.contains("<b>"));
    assert!(html.starts_with("<!DOCTYPE html>"));
}

#[test]
fn output_file_and_determinism() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("THIRD-PARTY-NOTICES.txt");
    let o = ospo()
        .args(["notice", "--from", DEMO, "-q", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty(), "nothing on stdout with -o");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), demo("text", &[]));
    assert_eq!(venv("markdown", &[]), venv("markdown", &[]));
}

#[test]
fn bad_input_is_exit_2() {
    let mut t = Transcript::default();
    for args in [
        &["notice", "--from", "tests/fixtures/tree/Cargo.toml"][..],
        &["notice", "--from", DEMO, "--format", "pdf"],
    ] {
        let (code, out, _) = t.stderr_of(args);
        assert_eq!(code, Some(2), "ospo {args:?}");
        assert!(out.is_empty());
    }
    t.assert_golden("messages/notice-errors.txt");
}

/// Emitters work from the model alone: a saved scan read in another directory, after the
/// scanned tree is gone, gives the same notice, report and SPDX document as a fresh run.
#[test]
fn saved_scan_anywhere_equals_a_fresh_run() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &fixture("ecosystems/python/venv-project"),
        &dir.path().join("proj"),
    );
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let run = |cwd: &std::path::Path, args: &[&str]| -> Vec<u8> {
        let out = ospo()
            .current_dir(cwd)
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "ospo {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let outputs: [&[&str]; 4] = [
        &["notice", "--format", "text"],
        &["notice", "--format", "markdown", "--include-dev"],
        &["report", "-o", "-"],
        &["sbom", "--format", "spdx-json"],
    ];
    let fresh: Vec<Vec<u8>> = outputs
        .iter()
        .map(|a| {
            run(
                dir.path(),
                &[a, &["proj", "--no-caches", "-q"][..]].concat(),
            )
        })
        .collect();
    let saved = run(
        dir.path(),
        &["scan", "proj", "--no-caches", "--format", "json"],
    );
    std::fs::write(dir.path().join("scan.json"), saved).unwrap();
    std::fs::remove_dir_all(dir.path().join("proj")).unwrap();
    for (args, fresh) in outputs.iter().zip(&fresh) {
        let from = run(
            &elsewhere,
            &[args, &["--from", "../scan.json", "-q"][..]].concat(),
        );
        assert!(
            &from == fresh,
            "ospo {args:?} --from a saved scan differs from a fresh run"
        );
    }
    assert!(String::from_utf8_lossy(&fresh[0]).contains("Apache License"));
}
