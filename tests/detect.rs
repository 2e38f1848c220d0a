//! `ospo detect`: one test per known trap of license detection, on real license texts
//! (tests/fixtures/licenses/, origins in SOURCES.md) and real headers (tests/fixtures/snippets/).

use crate::common::*;
use serde_json::Value;

fn lic(name: &str) -> Value {
    detect_one(&fixture(&format!("licenses/{name}")))
}

fn snippet(name: &str) -> Value {
    detect_one(&fixture(&format!("snippets/{name}")))
}

/// The record holds exactly one license: `expr`, of `kind`, at or above the threshold.
fn assert_single(rec: &Value, expr: &str, kind: &str) -> Value {
    let ls = licenses(rec);
    assert_eq!(expressions(rec), vec![expr.to_string()], "{rec:#}");
    let m = ls[0].clone();
    assert_eq!(m["kind"], kind, "{rec:#}");
    assert!(
        score(&m) >= THRESHOLD,
        "score {} below {THRESHOLD}: {rec:#}",
        score(&m)
    );
    m
}

#[test]
fn bsd_2_clause_is_not_bsd_3_clause() {
    let two = lic("bsd-2-clause.LICENSE");
    let m = assert_single(&two, "BSD-2-Clause", "text");
    // The text starts after the copyright line and ends with the disclaimer.
    let (start, end) = lines(&m);
    assert!(start <= 3 && end == 24, "lines {start}-{end}");
    assert_eq!(copyrights(&two), ["Copyright 2019 The Fuchsia Authors."]);

    let three = lic("bsd-3-clause.LICENSE");
    let m = assert_single(&three, "BSD-3-Clause", "text");
    assert_eq!(lines(&m).1, 29);
    assert_eq!(copyrights(&three).len(), 2, "{three:#}");
}

#[test]
fn apache_without_appendix_is_apache_not_pixar() {
    let rec = lic("apache-2.0-no-appendix.LICENSE");
    let m = assert_single(&rec, "Apache-2.0", "text");
    assert_eq!(lines(&m), (1, 176));
    assert!(score(&m) >= 0.95, "{rec:#}");
    assert!(!rec.to_string().contains("Pixar"), "{rec:#}");
}

#[test]
fn apache_with_appendix_is_one_apache_text() {
    // The appendix holds a notice template ("Licensed under the Apache License..."): it is
    // part of the text, not a second license.
    let rec = lic("apache-2.0-with-appendix.LICENSE");
    let m = assert_single(&rec, "Apache-2.0", "text");
    assert_eq!(lines(&m), (1, 201));
}

#[test]
fn gpl_2_0_only_notice() {
    // "version 2 as published by" without "or any later version": -only. The tag says
    // `GPL-2.0`, a deprecated id that means GPL-2.0-only.
    let rec = snippet("gpl-2.0-only-linux.c");
    let ls = licenses(&rec);
    assert!(
        ls.iter().all(|m| m["expression"] == "GPL-2.0-only"),
        "{rec:#}"
    );
    let tag = ls.iter().find(|m| m["kind"] == "tag").expect("tag");
    assert_eq!(lines(tag), (1, 1));
    let notice = ls.iter().find(|m| m["kind"] == "notice").expect("notice");
    let (start, end) = lines(notice);
    assert!(
        start >= 5 && end <= 12 && start <= end,
        "notice lines {start}-{end}"
    );

    let rec = detect_one(&fixture("tree/csrc/driver.h"));
    let m = assert_single(&rec, "GPL-2.0-only", "notice");
    let (start, end) = lines(&m);
    assert!(
        (3..=6).contains(&start) && (5..=11).contains(&end),
        "lines {start}-{end}"
    );
}

#[test]
fn gpl_2_0_or_later_notice() {
    let rec = detect_one(&fixture("tree/csrc/util.c"));
    let m = assert_single(&rec, "GPL-2.0-or-later", "notice");
    let (start, end) = lines(&m);
    assert!(
        (5..=7).contains(&start) && (8..=18).contains(&end),
        "lines {start}-{end}"
    );
    assert_eq!(
        copyrights(&rec),
        ["Copyright (C) 1998-2003 Jane Hacker <jane@example.org>"]
    );
}

#[test]
fn gnu_notices_other_versions() {
    for (name, expr) in [
        ("gpl-3.0-or-later.sh", "GPL-3.0-or-later"),
        ("agpl-3.0-or-later.py", "AGPL-3.0-or-later"),
        ("lgpl-2.1-or-later-libxdiff.h", "LGPL-2.1-or-later"),
    ] {
        let rec = snippet(name);
        assert_single(&rec, expr, "notice");
    }
}

#[test]
fn gpl_how_to_apply_appendix_alone() {
    // The end of the GPL-2.0 text alone: its "How to Apply" appendix holds the standard
    // GPL-2.0-or-later notice, which is what is found (as ScanCode finds it), and its
    // template copyright line (`<year> <name of author>`) is no copyright statement.
    let rec = snippet("gpl-2.0-howto-appendix.txt");
    assert_single(&rec, "GPL-2.0-or-later", "notice");
    assert!(copyrights(&rec).is_empty(), "{rec:#}");
}

#[test]
fn mit_with_a_real_copyright_line() {
    let rec = lic("mit-carl-lerche.LICENSE");
    let m = assert_single(&rec, "MIT", "text");
    // The match is the license text; the copyright statement above it is reported apart.
    assert_eq!(lines(&m), (3, 25));
    assert_eq!(copyrights(&rec), ["Copyright (c) 2018 Carl Lerche"]);

    // No copyright line at all (serde's LICENSE-MIT).
    assert_single(&lic("mit-no-copyright.LICENSE"), "MIT", "text");
}

#[test]
fn mit_with_a_changed_copyright_line() {
    // The same real text with another holder, more years and an e-mail address: still MIT,
    // with the new statement as its copyright.
    let original = std::fs::read_to_string(fixture("licenses/mit-carl-lerche.LICENSE")).unwrap();
    let changed = original.replacen(
        "Copyright (c) 2018 Carl Lerche",
        "Copyright (c) 2015-2026 The Example Project Developers <dev@example.org>\nCopyright (c) 2014 Someone Else",
        1,
    );
    assert_ne!(original, changed);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("LICENSE");
    std::fs::write(&path, changed).unwrap();
    let rec = detect_one(&path);
    let m = assert_single(&rec, "MIT", "text");
    assert!(score(&m) >= 0.95, "{rec:#}");
    assert_eq!(lines(&m).1, 26, "{rec:#}");
    assert_eq!(
        copyrights(&rec),
        [
            "Copyright (c) 2015-2026 The Example Project Developers <dev@example.org>",
            "Copyright (c) 2014 Someone Else"
        ]
    );
}

#[test]
fn mit_then_apache_in_one_file_gives_both() {
    let rec = lic("mit-then-apache-2.0.LICENSE");
    assert_eq!(expressions(&rec), ["MIT", "Apache-2.0"], "{rec:#}");
    let ls = licenses(&rec);
    for m in &ls {
        assert_eq!(m["kind"], "text");
        assert!(score(m) >= THRESHOLD, "{m}");
    }
    // MIT is lines 1-25, Apache-2.0 lines 26-226 (a few lines of slack at the seam).
    let (ms, me) = lines(&ls[0]);
    let (as_, ae) = lines(&ls[1]);
    assert!(ms <= 3 && (20..=26).contains(&me), "MIT lines {ms}-{me}");
    assert!(
        as_ > me && as_ <= 30 && (220..=226).contains(&ae),
        "Apache lines {as_}-{ae}"
    );
}

#[test]
fn with_exception_tag() {
    let rec = snippet("llvm-exception-tag.rs");
    let tag = licenses(&rec)
        .into_iter()
        .find(|m| m["kind"] == "tag")
        .expect("tag");
    assert_eq!(tag["expression"], "Apache-2.0 WITH LLVM-exception");
    assert_eq!(lines(&tag), (4, 4));
    assert_eq!(score(&tag), 1.0);
    // The prose above the tag must not turn into a second, different license.
    assert!(
        expressions(&rec)
            .iter()
            .all(|e| e.starts_with("Apache-2.0")),
        "{rec:#}"
    );
}

#[test]
fn license_ref_tag_and_file_copyright_text() {
    let rec = detect_one(&fixture("tree/tools/release.py"));
    let m = assert_single(&rec, "MIT OR LicenseRef-Acme-1.0", "tag");
    assert_eq!(lines(&m), (2, 2));
    assert_eq!(copyrights(&rec).len(), 1, "{rec:#}");
    assert!(copyrights(&rec)[0].contains("2024 Acme Corp"), "{rec:#}");
}

#[test]
fn tags_written_in_many_ways() {
    // Deprecated ids become current ones, a DocumentRef/LicenseRef and a lower-case
    // operator are kept as valid SPDX, and a tag in a block comment ends at "*/".
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("a.c", "/* TAG: GPL-2.0+ */\nint x;\n", "GPL-2.0-or-later"),
        (
            "b.rs",
            "// TAG: LicenseRef-Proprietary\nfn f() {}\n",
            "LicenseRef-Proprietary",
        ),
        (
            "c.py",
            "# TAG: (MIT OR Apache-2.0) AND LicenseRef-Foo-Bar.1\n",
            "(MIT OR Apache-2.0) AND LicenseRef-Foo-Bar.1",
        ),
        (
            "d.h",
            "// TAG: GPL-2.0-only WITH Linux-syscall-note\n",
            "GPL-2.0-only WITH Linux-syscall-note",
        ),
    ];
    for (name, content, expr) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, content.replace("TAG", TAG)).unwrap();
        let rec = detect_one(&p);
        let m = assert_single(&rec, expr, "tag");
        assert_eq!(lines(&m), (1, 1), "{name}");
    }
}

#[test]
fn latin1_text_is_identified() {
    let bytes = std::fs::read(fixture("licenses/mit-latin1.LICENSE")).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must stay Latin-1"
    );
    let rec = lic("mit-latin1.LICENSE");
    let m = assert_single(&rec, "MIT", "text");
    assert_eq!(lines(&m), (3, 19));
    // Decoded, not mangled: 0xC9 is "É".
    assert_eq!(
        copyrights(&rec),
        ["Copyright (c) 2020 Élie ROUDNINSKI (marmeladema) <xademax@gmail.com>"]
    );
}

#[test]
fn crlf_and_bom_text_is_identified() {
    let bytes = std::fs::read(fixture("licenses/mit-crlf-bom.LICENSE")).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF") && bytes.windows(2).any(|w| w == b"\r\n"),
        "fixture changed"
    );
    let rec = lic("mit-crlf-bom.LICENSE");
    let m = assert_single(&rec, "MIT", "text");
    assert_eq!(lines(&m), (3, 25));
    assert_eq!(copyrights(&rec), ["Copyright (c) 2018 Carl Lerche"]);

    // A CRLF source file with a BOM before its comment.
    let rec = snippet("gpl-2.0-or-later-crlf-bom.c");
    let m = assert_single(&rec, "GPL-2.0-or-later", "notice");
    assert_eq!(lines(&m).0, 6);
    assert!(!copyrights(&rec)[0].contains('\r'), "{rec:#}");
}

#[test]
fn empty_file_has_no_license() {
    let out = ospo()
        .args([
            "detect",
            "tests/fixtures/licenses/empty.LICENSE",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["path"], "tests/fixtures/licenses/empty.LICENSE");
    assert_eq!(v[0]["size"], 0);
    assert!(licenses(&v[0]).is_empty(), "{v:#}");

    ospo()
        .args(["detect", "tests/fixtures/licenses/empty.LICENSE"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("no license found"));
}

#[test]
fn every_license_fixture() {
    // One walk over the whole fixture directory: each file's licenses, in file order.
    let (v, _) = run_json(&["detect", "tests/fixtures/licenses", "--format", "json"]);
    let expected: &[(&str, &[&str])] = &[
        ("apache-2.0-no-appendix.LICENSE", &["Apache-2.0"]),
        ("apache-2.0-with-appendix.LICENSE", &["Apache-2.0"]),
        ("bsd-2-clause.LICENSE", &["BSD-2-Clause"]),
        ("bsd-3-clause.LICENSE", &["BSD-3-Clause"]),
        ("bsl-1.0.LICENSE", &["BSL-1.0"]),
        // Not CC-BY-ND-4.0, whose rule skips just the NonCommercial clauses this text has.
        ("cc-by-nc-nd-4.0-legalcode.LICENSE", &["CC-BY-NC-ND-4.0"]),
        // Not CC-BY-NC-SA-4.0: the title the CC BY-SA rules require is not there, but the
        // text is all there (and the NonCommercial clauses are not).
        ("cc-by-sa-4.0-untitled.LICENSE", &["CC-BY-SA-4.0"]),
        ("isc.LICENSE", &["ISC"]),
        // The ISC text above a sponsor line is ISC, not the Sudo license (ISC + that line).
        ("isc-sponsor-line.LICENSE", &["ISC"]),
        // Its grant lacks a word ("the above notice"): not pkgconf, whose short rule is
        // nearly all grant, beside ISC's verbatim disclaimer.
        ("isc-notice-without-copyright.LICENSE", &["ISC"]),
        ("mit-carl-lerche.LICENSE", &["MIT"]),
        ("mit-crlf-bom.LICENSE", &["MIT"]),
        ("mit-latin1.LICENSE", &["MIT"]),
        ("mit-no-copyright.LICENSE", &["MIT"]),
        ("mit-then-apache-2.0.LICENSE", &["MIT", "Apache-2.0"]),
        ("mpl-2.0.LICENSE", &["MPL-2.0"]),
        // Not PPL: ScanCode 32.5 files this text as the Peer Production License too
        // (`ppl_1.RULE`, dropped by license-db/corrections.toml).
        ("odc-by-1.0.LICENSE", &["ODC-By-1.0"]),
        ("unicode-3.0.LICENSE", &["Unicode-3.0"]),
        ("unlicense.LICENSE", &["Unlicense"]),
        // Censored ("F***"): no rule holds it verbatim, and a license file is aligned on
        // half the license vocabulary a region of code needs.
        ("wtfpl-censored.LICENSE", &["WTFPL"]),
        ("zlib.LICENSE", &["Zlib"]),
    ];
    let records = v.as_array().unwrap();
    for (name, want) in expected {
        let path = format!("tests/fixtures/licenses/{name}");
        let rec = records
            .iter()
            .find(|r| r["path"] == path.as_str())
            .unwrap_or_else(|| panic!("{path} missing: {v:#}"));
        assert_eq!(&expressions(rec), want, "{path}: {rec:#}");
        for m in licenses(rec) {
            assert_eq!(m["kind"], "text", "{path}");
            // unicode-ident's copy adds a "NOTICE TO USER" paragraph to the standard text:
            // its score says a fifth of the region is not the license.
            let min = if name.starts_with("unicode") {
                0.8
            } else {
                THRESHOLD
            };
            assert!(score(&m) >= min, "{path}: {m}");
        }
    }
    // The LGPL-2.1 text alone does not say -only or -or-later; either id of 2.1 will do.
    let lgpl = records
        .iter()
        .find(|r| r["path"] == "tests/fixtures/licenses/lgpl-2.1.LICENSE")
        .expect("lgpl");
    let e = expressions(lgpl);
    assert!(e.len() == 1 && e[0].starts_with("LGPL-2.1"), "{lgpl:#}");
    // A directory lists only files with license evidence: not the empty one.
    assert!(!records
        .iter()
        .any(|r| r["path"].as_str().unwrap().ends_with("empty.LICENSE")));
}

#[test]
fn several_files_in_one_call_keep_their_order() {
    let (v, _) = run_json(&[
        "detect",
        "tests/fixtures/licenses/zlib.LICENSE",
        "tests/fixtures/licenses/isc.LICENSE",
        "--format",
        "json",
    ]);
    let ps: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        ps,
        [
            "tests/fixtures/licenses/zlib.LICENSE",
            "tests/fixtures/licenses/isc.LICENSE"
        ]
    );
}

#[test]
fn human_format_names_the_license() {
    ospo()
        .args([
            "detect",
            "tests/fixtures/licenses/bsd-3-clause.LICENSE",
            "tests/fixtures/licenses/mit-then-apache-2.0.LICENSE",
        ])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "tests/fixtures/licenses/bsd-3-clause.LICENSE:",
        ))
        .stdout(predicates::str::contains("BSD-3-Clause"))
        .stdout(predicates::str::contains("MIT"))
        .stdout(predicates::str::contains("Apache-2.0"))
        .stdout(predicates::str::contains("lines 4-29"))
        .stdout(predicates::str::contains(
            "Copyright (c) 2016-2024 Isis Agora Lovecruft",
        ));
}

#[test]
fn binary_file_is_reported_not_matched() {
    let out = ospo()
        .args([
            "detect",
            "tests/fixtures/tree/assets/pixel.png",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["class"], "binary");
    assert!(licenses(&v[0]).is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pixel.png") && stderr.contains("binary"),
        "stderr: {stderr}"
    );
}

#[test]
fn detect_output_is_deterministic() {
    let args = [
        "detect",
        "tests/fixtures/licenses",
        "tests/fixtures/snippets",
        "--format",
        "json",
    ];
    let a = ospo().args(args).output().unwrap();
    let b = ospo().args(args).output().unwrap();
    assert_eq!(a.status.code(), Some(0));
    assert!(a.stdout == b.stdout, "two runs of `ospo detect` differ");
}

/// SPDX's LGPL-3.0 text carries the whole GPL-3.0 after it; real projects ship the LGPL
/// part alone, which must still be LGPL-3.0 (an alternate in license-db/), and the
/// LGPL's own sentences about "version 3 of the GNU General Public License" are not a
/// separate GPL notice.
#[test]
fn lgpl_3_0_as_shipped_is_lgpl_not_gpl() {
    let rec = lic("lgpl-3.0-without-gpl.LICENSE");
    let m = assert_single(&rec, "LGPL-3.0-only", "text");
    assert_eq!(lines(&m), (1, 165));
    assert!(score(&m) >= 0.95, "{rec:#}");
}

/// Real license files that are not license texts: a bare SPDX expression, a sentence
/// naming a Creative Commons license, the short CC0 dedication.
#[test]
fn short_license_files_seen_in_the_wild() {
    // ScanCode's rule for a bare expression in a license file calls it a tag.
    let rec = lic("expression-only.LICENSE");
    assert_single(&rec, "MIT OR Apache-2.0", "tag");
    // "is licensed under a Creative Commons ... License" (a notice) and the URL three lines
    // on (a reference) are one piece of evidence.
    let rec = lic("cc-by-sa-4.0-reference.LICENSE");
    let m = assert_single(&rec, "CC-BY-SA-4.0", "notice");
    assert_eq!(lines(&m), (3, 7));
    let rec = lic("cc0-dedication.LICENSE");
    let m = assert_single(&rec, "CC0-1.0", "notice");
    assert!(score(&m) >= 0.9, "{rec:#}");
}

/// The license fields of real manifests that describe their own package, each on its
/// line (fixtures from tests/fixtures/ecosystems/, origins in their SOURCES.md files).
#[test]
fn manifest_license_fields_are_findings_on_their_lines() {
    let site = "ecosystems/python/venv-project/.venv/lib/python3.11/site-packages";
    let cases: [(String, &[(&str, u64)]); 6] = [
        (
            "ecosystems/nuget/global/.nuget/packages/newtonsoft.json/13.0.1/newtonsoft.json.nuspec"
                .into(),
            &[("MIT", 9)],
        ),
        (
            format!("{site}/cryptography-50.0.2.dist-info/METADATA"),
            &[("Apache-2.0 OR BSD-3-Clause", 35)],
        ),
        // `License: MIT License` and two classifiers; the AFL one as ScanCode reads it.
        (
            format!("{site}/simplejson-3.19.2-py3.11.egg-info/PKG-INFO"),
            &[("MIT", 8), ("MIT", 10), ("AFL-3.0", 11)],
        ),
        (
            "ecosystems/python/setuptools-legacy/setup.py".into(),
            &[("MIT", 4)],
        ),
        (
            "ecosystems/python/poetry/pyproject.toml".into(),
            &[("BSD-3-Clause", 6)],
        ),
        ("ecosystems/npm/v3/package.json".into(), &[("MIT", 4)]),
    ];
    for (path, want) in cases {
        let rec = detect_one(&fixture(&path));
        let got: Vec<(String, u64)> = licenses(&rec)
            .iter()
            .map(|m| {
                assert_eq!(m["kind"], "manifest", "{path}: {rec:#}");
                (m["expression"].as_str().unwrap().to_string(), lines(m).0)
            })
            .collect();
        let want: Vec<(String, u64)> = want.iter().map(|(e, l)| (e.to_string(), *l)).collect();
        assert_eq!(got, want, "{path}");
    }
    // A lockfile names other packages' licenses: no finding of its own.
    let lock = detect_one(&fixture("ecosystems/npm/v3/package-lock.json"));
    assert!(licenses(&lock).is_empty(), "{lock:#}");
}

/// A scan records the manifest's finding on the manifest's file, and reads a free-text
/// value with the matcher: pom.xml's "Apache License, Version 2.0" is Apache-2.0.
#[test]
fn scan_reads_free_text_license_fields_with_the_matcher() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pom.xml"),
        "<!--\n  Licensed under the Apache License, Version 2.0 (the \"License\");\n  you may not use this file except in compliance with the License.\n-->\n<project>\n  <groupId>g</groupId>\n  <artifactId>a</artifactId>\n  <version>1</version>\n  <licenses>\n    <license>\n      <name>The Apache Software License, Version 2.0</name>\n      <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>\n    </license>\n  </licenses>\n</project>\n",
    )
    .unwrap();
    let scan = scan_tree(dir.path());
    let pom = file(&scan, "pom.xml").expect("pom.xml recorded");
    // The header comment is matched as in any source file, and the `<license>` element
    // (its `<name>` and its `<url>`) is one finding of kind manifest, not a reference too.
    let found: Vec<(String, String, u64)> = licenses(pom)
        .iter()
        .map(|m| {
            (
                m["expression"].as_str().unwrap().to_string(),
                m["kind"].as_str().unwrap().to_string(),
                lines(m).0,
            )
        })
        .collect();
    let want = [("Apache-2.0", "notice", 2), ("Apache-2.0", "manifest", 11)]
        .map(|(e, k, l)| (e.to_string(), k.to_string(), l));
    assert_eq!(found, want, "{pom:#}");
}

/// A GNU notice's own version words decide its version only where they name the license's
/// version: a SUSE spec file (`snippets/btrace.spec`, ScanCode's
/// `lic1/gpl-2.0_30.txt`) says `License: GPL` beside `Version: 1.0` of the package, and a
/// notice followed by a release line ("Version 1.0 released 2004") names none.
#[test]
fn a_package_version_is_not_a_gnu_license_version() {
    let spec = snippet("btrace.spec");
    assert_eq!(expressions(&spec), ["GPL-1.0-or-later"], "{spec:#}");
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("release.c");
    std::fs::write(
        &c,
        "/*\n * This program is free software; you can redistribute it and/or modify it\n * under the terms of the GNU General Public License as published by the\n * Free Software Foundation.\n *\n * Version 1.0 released 2004.\n */\n",
    )
    .unwrap();
    let rec = detect_one(&c);
    assert_eq!(expressions(&rec), ["GPL-1.0-or-later"], "{rec:#}");
}

/// A rule that must be matched as written is not matched across a markup line break, as
/// ScanCode has it: a credits page (`snippets/idna-convert-credits.html`, lines 187-215 of
/// ScanCode's `lic3/multiple_and_training_bsd.html`) quotes idna_convert's header, whose
/// `// {{{ license<br /><br />/* vim: set ...` is a fold marker above a Vim modeline, not
/// `License: Vim`. Inline markup and a single `<br>` still join a tag's words.
#[test]
fn a_tag_is_not_matched_across_a_markup_break() {
    let page = snippet("idna-convert-credits.html");
    assert_eq!(expressions(&page), ["LGPL-2.1-or-later"], "{page:#}");
    let dir = tempfile::tempdir().unwrap();
    for (row, want) in [
        ("<tr><td>License</td><td>MIT</td></tr>", "MIT"),
        ("<tr><td>Licence:</td> <td><em>Vim</em></td></tr>", "Vim"),
        // One `<br>` ends a line, as a newline does; it is no paragraph break.
        ("<p>License:<br>\nMIT</p>", "MIT"),
    ] {
        let page = dir.path().join("about.html");
        std::fs::write(&page, format!("<table>\n{row}\n</table>\n")).unwrap();
        let rec = detect_one(&page);
        assert_eq!(expressions(&rec), [want], "{row}: {rec:#}");
    }
}

/// A list of license spellings is no licensing: spdx-correct's test table
/// (`snippets/spdx-correct-test.js`, from ScanCode's `external/license_tools`) maps some
/// 200 ways of writing a license to a few dozen ids, fewer than a third of them distinct
/// but far more than five: ScanCode's rule drops such a run, and so do we.
#[test]
fn a_table_of_license_spellings_is_no_license() {
    let rec = snippet("spdx-correct-test.js");
    assert!(licenses(&rec).is_empty(), "{rec:#}");
}

/// zune-core 0.5.3's header (`snippets/zune-core-result.rs`, `src/result.rs` of the crate,
/// MIT OR Apache-2.0 OR Zlib): "free software; You can redistribute it or modify it under
/// terms of the MIT, Apache License or Zlib license" is most of a GPL-2.0 notice's words,
/// with other licenses where the GPL's name stands. A partial match must name its license;
/// the header itself is a choice of the three (a curated rule: ScanCode's data lacks it,
/// and only the Apache-2.0 and Zlib references in it were found).
#[test]
fn a_gpl_notice_naming_other_licenses_is_not_gpl() {
    let rec = snippet("zune-core-result.rs");
    assert_eq!(expressions(&rec), ["MIT OR Apache-2.0 OR Zlib"], "{rec:#}");
}

/// libgit2's header (`snippets/libgit2-graph.c`, the first lines of `src/libgit2/graph.c`
/// as vendored by libgit2-sys 0.18.8): "distributed under the GNU GPL v2 with a Linking
/// Exception" is two thirds of an LGPL notice without its "LESSER", and most of an
/// unversioned "Licensed under the GNU GPL" notice around the versioned "GNU GPL v2".
#[test]
fn libgit2_header_is_gpl_2_0_not_lgpl() {
    let rec = snippet("libgit2-graph.c");
    assert_eq!(expressions(&rec), ["GPL-2.0-only"], "{rec:#}");
}

/// SGI's Free Software License B 1.1 notice with every line behind a `_C_` marker
/// (`snippets/sgi-freeb-1.1-marked.gl`, FOSSology atarashi's test file `SGI-B-1.1.gl` as
/// ScanCode 32.5 keeps it in `tests/licensedcode/data/datadriven/external/atarashi/`): the
/// markers and the long description of the Original Code below made the stretch too
/// sparse in license words as a whole, so only the FreeB URL (a reference to the later
/// SGI-B-2.0) was found. A dense stretch within it is now aligned.
#[test]
fn a_notice_behind_line_markers_is_found() {
    let rec = snippet("sgi-freeb-1.1-marked.gl");
    assert_eq!(expressions(&rec), ["SGI-B-1.1"], "{rec:#}");
}

/// The `license` line of a crate's original manifest (`snippets/memchr-Cargo.toml.orig`
/// and `snippets/encoding_rs-Cargo.toml.orig`: `Cargo.toml.orig` of memchr 2.8.3 and
/// encoding_rs 0.8.44 as `cargo vendor` ships them, read as text): a compound SPDX
/// expression is the finding as written. The rules knew "Unlicense" and the first license
/// of "(Apache-2.0 OR MIT) AND BSD-3-Clause" only, losing the MIT choice and the BSD term.
#[test]
fn a_license_line_with_a_compound_expression_is_that_expression() {
    let rec = snippet("memchr-Cargo.toml.orig");
    assert_eq!(expressions(&rec), ["Unlicense OR MIT"], "{rec:#}");
    let rec = snippet("encoding_rs-Cargo.toml.orig");
    assert_eq!(
        expressions(&rec),
        ["(Apache-2.0 OR MIT) AND BSD-3-Clause"],
        "{rec:#}"
    );
    assert_eq!(licenses(&rec)[0]["kind"], "tag", "{rec:#}");
}

/// A GFDL notice for "Version 1.1 or any later version" with invariant sections
/// (`snippets/gfdl-1.1-or-later-invariants.txt`, google/licenseclassifier's test file
/// `GFDL-1.1.t2` as ScanCode 32.5 keeps it in `tests/licensedcode/data/datadriven/external/glc/`):
/// GFDL-1.1-or-later is also how a GFDL named without a version is written, and the
/// notice, which names its version, was dropped as the echo of the version-less sentences
/// after it (which ScanCode files under GFDL 1.3).
#[test]
fn a_gfdl_notice_that_names_its_version_is_kept() {
    let rec = snippet("gfdl-1.1-or-later-invariants.txt");
    let exprs = expressions(&rec);
    assert_eq!(
        exprs.first().map(String::as_str),
        Some("GFDL-1.1-or-later"),
        "{rec:#}"
    );
    assert_eq!(lines(&licenses(&rec)[0]), (2, 4), "{rec:#}");
}

/// "Public domain" standing as a label on its line is a dedication; inside a sentence it
/// is a mention. `snippets/lzma-dec-public-domain.c` is the head of the LZMA SDK's
/// LzmaDec.c (public domain), `snippets/sparse-format-public-domain-mention.h` the head of
/// Android's libsparse/sparse_format.h (BSD-3-Clause), both as ScanCode 32.5 keeps them in
/// `tests/licensedcode/data/datadriven/external/fossology-tests/`. ScanCode's rule for the
/// bare words is a clue, which alone is no license. A label inside a false positive is
/// silenced with it: `snippets/ph-commons-elicense.java` is ph-commons' ELicense.java
/// (Apache-2.0), an enum of licenses whose last entry stands under "// Public domain",
/// as ScanCode 32.5 keeps it in its rule `false-positive_685.RULE`.
#[test]
fn public_domain_as_a_label_is_a_dedication_and_in_a_sentence_a_mention() {
    let rec = snippet("lzma-dec-public-domain.c");
    assert_eq!(
        expressions(&rec),
        vec!["LicenseRef-scancode-public-domain".to_string()],
        "{rec:#}"
    );
    assert_eq!(lines(&licenses(&rec)[0]), (1, 1), "{rec:#}");
    let rec = snippet("sparse-format-public-domain-mention.h");
    assert_eq!(
        expressions(&rec),
        vec!["BSD-3-Clause".to_string()],
        "{rec:#}"
    );
    let rec = snippet("ph-commons-elicense.java");
    assert!(licenses(&rec).is_empty(), "{rec:#}");
}

/// A warranty disclaimer on its own words beside an SPDX tag is evidence of its own (as
/// ScanCode reports it); one that speaks of "the License" below a reference to that
/// license is part of the license's header. `snippets/mit-tag-beside-own-disclaimer.c` is
/// a VMware header from ScanCode 32.5's `datadriven/external/spdx/misc.c`,
/// `snippets/cpl-1.0-header-disclaimer.cs` the head of JRuby's Serializer.cs (CPL-1.0) as
/// ScanCode keeps it in `datadriven/external/fossology-tests/CPL/`.
#[test]
fn a_disclaimer_beside_a_tag_is_its_own_and_beside_its_license_header_part_of_it() {
    let rec = snippet("mit-tag-beside-own-disclaimer.c");
    assert_eq!(
        expressions(&rec),
        vec![
            "MIT".to_string(),
            "LicenseRef-scancode-warranty-disclaimer".to_string()
        ],
        "{rec:#}"
    );
    let rec = snippet("cpl-1.0-header-disclaimer.cs");
    assert_eq!(expressions(&rec), vec!["CPL-1.0".to_string()], "{rec:#}");
}

/// A license database as code names hundreds of licenses and licenses nothing:
/// `snippets/packaging-spdx-list.py` is `packaging/licenses/_spdx.py` of the PyPI package
/// packaging 26.3 (Apache-2.0 OR BSD-2-Clause; the SPDX license list as a Python dict).
/// The entries no rule knows break the list into short runs, and 16 licenses were found
/// between them.
#[test]
fn a_license_list_as_code_is_no_licensing() {
    let rec = snippet("packaging-spdx-list.py");
    assert!(licenses(&rec).is_empty(), "{rec:#}");
}

/// Where exact hits leave several holes in a long file of many licenses, each hole is
/// aligned with the licenses its own words propose, judged by the words around it. Real
/// files (unchanged):
/// - `snippets/numpy-2.4.6-LICENSE.txt`, `numpy-2.4.6.dist-info/licenses/LICENSE.txt` of
///   the PyPI wheel: NumPy's own BSD-3-Clause text above the licenses of what the wheel
///   bundles. Proposed from the whole file, the text's candidates went to the bundled
///   GPL and LGPL texts, and NumPy's license was "unrecognized license text, lines 1-43";
///   judged against the whole file, a BSD-3-Clause rule with X11's words (found further
///   down) outranked BSD-3-Clause.
/// - `snippets/debian-avahi-copyright`, Debian 12's `/usr/share/doc/avahi-daemon/copyright`
///   (avahi 0.8-10+deb12u1): Porchdog's BSD-2-Clause-Views text came out as BSD-2-Clause.
#[test]
fn each_hole_in_a_file_of_many_licenses_finds_its_own_license() {
    let at = |rec: &Value, expr: &str, start: u64, end: u64| {
        licenses(rec).iter().any(|m| {
            m["expression"] == expr
                && m["kind"] == "text"
                && lines(m).0 <= start
                && lines(m).1 >= end
        })
    };

    let numpy = snippet("numpy-2.4.6-LICENSE.txt");
    assert!(at(&numpy, "BSD-3-Clause", 4, 30), "{numpy:#}");
    // One hole beside a whole text exact hits explain: NumPy's BSD-3-Clause text above
    // Julia's MIT text (`snippets/numpy-random-distributions-LICENSE.md`, the wheel's
    // `numpy/random/src/distributions/LICENSE.md`), whose words together chose a rule
    // with both licenses' words, and the BSD text was unrecognized.
    let dist = snippet("numpy-random-distributions-LICENSE.md");
    assert!(at(&dist, "BSD-3-Clause", 6, 32), "{dist:#}");
    assert!(at(&dist, "MIT", 44, 61), "{dist:#}");
    assert!(
        !expressions(&numpy).iter().any(|e| e.contains("bsd-x11")),
        "{numpy:#}"
    );
    // A hole's license whose first rules came within 80% gets its next rules: the
    // BSD-3-Clause text of libical's LICENSE with "Neither name of The Museum of Hiram"
    // (`snippets/libical-license-bsd-variant.txt`, ScanCode's data-driven test
    // `lic2/bsd-new_and_bsd-simplified_and_lgpl_and_lgpl-2.0-plus_and_other.txt`) was
    // BSD-Source-Code, a license without the binary clause the text has.
    let libical = snippet("libical-license-bsd-variant.txt");
    assert!(at(&libical, "BSD-3-Clause", 250, 279), "{libical:#}");
    assert!(
        !expressions(&libical)
            .iter()
            .any(|e| e.contains("BSD-Source-Code")),
        "{libical:#}"
    );
    let avahi = snippet("debian-avahi-copyright");
    assert!(at(&avahi, "BSD-2-Clause-Views", 60, 82), "{avahi:#}");
    assert!(at(&avahi, "BSD-3-Clause", 88, 109), "{avahi:#}");
    // The notices around them stay what they were.
    assert!(
        expressions(&avahi).contains(&"GPL-2.0-only".to_string()),
        "{avahi:#}"
    );
}

/// A disclaimer that is a paragraph of its own, beside a license text it is not part of,
/// is evidence of its own: `snippets/debian-git-copyright` is Debian 12's
/// `/usr/share/doc/git/copyright` (git 2.39.5), where mingw-runtime's "placed in the Public
/// Domain ... distributed in the hope that it will be useful but WITHOUT ANY WARRANTY"
/// (lines 389-395) follows the Eclipse Distribution License's BSD-3-Clause text. It was
/// absorbed into that text, and the lines were reported as unrecognized.
/// `snippets/apache-2.0-header-odd-url.txt` (ScanCode's data-driven test
/// `external/glc/Apache-2.0-Header.t15`, from Google's licenseclassifier: an Apache header
/// with an odd URL) keeps its disclaimer, which speaks of "the License", part of the
/// Apache notice above it.
#[test]
fn a_disclaimer_of_its_own_beside_a_license_text_is_reported() {
    let git = snippet("debian-git-copyright");
    let pd = licenses(&git)
        .into_iter()
        .find(|m| m["expression"] == "LicenseRef-scancode-public-domain-disclaimer")
        .unwrap_or_else(|| panic!("{git:#}"));
    assert_eq!(lines(&pd), (389, 395));
    assert!(
        licenses(&git)
            .iter()
            .any(|m| m["expression"] == "BSD-3-Clause" && m["start_line"] == 356),
        "{git:#}"
    );
    assert!(
        !git["unrecognized"]
            .as_array()
            .is_some_and(|u| u.iter().any(|r| r["start_line"] == 388)),
        "{git:#}"
    );
    let apache = snippet("apache-2.0-header-odd-url.txt");
    assert_eq!(
        expressions(&apache),
        vec!["Apache-2.0".to_string()],
        "{apache:#}"
    );
}

/// A notice whose best rules each break a condition by a word (here the FSF's address as
/// "51 Franklin St", where the rules' required phrase says "Street") gets the next rules of
/// its license aligned too: `snippets/debian-java-common-copyright` is Debian 12's
/// `/usr/share/doc/java-common/copyright` (java-common 0.74). Only the notice's first
/// sentence was found, and its warranty and address paragraphs were unrecognized.
#[test]
fn a_near_miss_gets_the_next_rules_of_its_license() {
    let rec = snippet("debian-java-common-copyright");
    let m = assert_single(&rec, "GPL-2.0-or-later", "notice");
    assert_eq!(lines(&m), (16, 32));
    assert!(
        rec["unrecognized"].as_array().is_none_or(|u| u.is_empty()),
        "{rec:#}"
    );
}

/// Holes far down a long file propose too: `snippets/debian-chromium-copyright` is Debian
/// 12's `/usr/share/doc/chromium/copyright` (chromium 156.0.8078.129), 3,391 lines of
/// licenses. Beyond the first 16 holes its MPL-2.0 text (lines 2864-3234) was never aligned
/// whole, and its pieces said AGPL-3.0-only (the text's list of Secondary Licenses),
/// MPL-2.0-no-copyleft-exception (Exhibit B) and a proprietary license.
#[test]
fn a_license_text_deep_in_a_long_file_is_found_whole() {
    let rec = snippet("debian-chromium-copyright");
    let ls = licenses(&rec);
    let mpl = ls
        .iter()
        .find(|m| m["expression"] == "MPL-2.0" && m["kind"] == "text")
        .unwrap_or_else(|| panic!("{rec:#}"));
    assert_eq!(lines(mpl), (2864, 3234));
    for wrong in ["AGPL-3.0-only", "MPL-2.0-no-copyleft-exception"] {
        assert!(
            !expressions(&rec).iter().any(|e| e.contains(wrong)),
            "{wrong}: {rec:#}"
        );
    }
}

/// A bare license name right above a license text of its family is that text's title:
/// `snippets/npm-install-checks-LICENSE` is npm-install-checks 8.0.0's LICENSE as npm
/// 11.19.1 bundles it ("The BSD License" above the two-clause text). ScanCode's rule for
/// "the BSD license" names BSD-3-Clause, which this file does not grant.
#[test]
fn a_license_name_above_its_text_is_its_title() {
    let rec = snippet("npm-install-checks-LICENSE");
    let m = assert_single(&rec, "BSD-2-Clause", "text");
    assert_eq!(lines(&m), (6, 27));
}

/// A license name in code is no license statement when the code only handles the word:
/// a default for a missing field (`manifest.license || 'Proprietary'` in npm 11.19.1's
/// `lib/commands/view.js`; `package.license || getConfig('license') || 'ISC'` in
/// init-package-json 8.2.5's `lib/default-input.js`, as npm bundles it), a command-line
/// option (`npm ls -gpld`, lines 100-130 of npm's `docs/content/using-npm/config.md`:
/// ScanCode's rule for the rare "GPLd"), a constant (`'LICENSE_FREE'` in Pygments
/// 2.21.0's `lexers/_mql_builtins.py`, whose header's ":license: BSD" stays) or a glob
/// (`"lgpl[.-]*"` and `"CC-BY-*"` in ignore 0.4.35's `src/default_types.rs`).
#[test]
fn a_license_name_handled_by_code_is_no_license() {
    for name in [
        "npm-11.19.1-view.js",
        "init-package-json-default-input.js",
        "npm-11.19.1-config-lines-100-130.md",
    ] {
        let rec = snippet(name);
        assert!(licenses(&rec).is_empty(), "{name}: {rec:#}");
    }
    let mql = snippet("pygments-mql-builtins.py");
    assert_eq!(lines(&assert_single(&mql, "BSD-3-Clause", "tag")), (8, 8));
    let types = expressions(&snippet("ignore-0.4.35-default_types.rs"));
    for glob in ["LGPL-2.0-or-later", "AGPL-3.0-or-later", "CC-BY-4.0"] {
        assert!(!types.iter().any(|e| e == glob), "{types:?}");
    }
}

/// A BSD-3-Clause text whose first two clauses match a BSD-2-Clause rule exactly, among
/// other licenses' texts: `snippets/httplib2-LICENSE` is httplib2's LICENSE (MIT, Apache-2.0
/// and SocksiPy's BSD text, with its "SUCH DAMANGE"), as Google Cloud SDK 528.0.0 ships it
/// in `platform/bq/third_party/httplib2/`. It was BSD-2-Clause plus "unrecognized license
/// text" for the third clause and the disclaimer.
#[test]
fn a_text_whose_first_clauses_match_a_shorter_license_is_found_whole() {
    let rec = snippet("httplib2-LICENSE");
    let bsd: Vec<Value> = licenses(&rec)
        .into_iter()
        .filter(|m| m["expression"].as_str().unwrap().starts_with("BSD"))
        .filter(|m| m["kind"] == "text")
        .collect();
    assert_eq!(bsd.len(), 1, "{rec:#}");
    assert_eq!(bsd[0]["expression"], "BSD-3-Clause");
    assert_eq!(lines(&bsd[0]), (53, 72));
    assert!(
        rec["unrecognized"].as_array().is_none_or(|u| u.is_empty()),
        "{rec:#}"
    );
}

/// A text deep in a long file of many texts of the same license is aligned where it
/// stands: `snippets/kpt-LICENSES-lines-7959-8901.txt` is lines 7959-8901 of
/// `platform/kpt_licenses/LICENSES.txt` in Google Cloud SDK 528.0.0 (the licenses of kpt's
/// vendored Go modules, one after another), ending with evanphx/json-patch's BSD-3-Clause
/// text. Aligned over the whole file, the rules' seeds and occurrences went to the
/// BSD-3-Clause texts above it, and it was "unrecognized license text".
#[test]
fn a_text_among_many_of_its_license_is_aligned_where_it_stands() {
    let rec = snippet("kpt-LICENSES-lines-7959-8901.txt");
    let last = licenses(&rec).pop().unwrap();
    assert_eq!(last["expression"], "BSD-3-Clause", "{rec:#}");
    assert_eq!(lines(&last), (912, 933));
    assert!(
        rec["unrecognized"].as_array().is_none_or(|u| u.is_empty()),
        "{rec:#}"
    );
}

/// A BSD-3-Clause text whose best rules fall just short gets the license's plainer rules:
/// `snippets/debian-libbsd0-copyright` (Debian 12's libbsd0 0.11.7-2) has John Birrell's
/// text, which came out BSD-2-Clause for its first clauses and BSD-4-Clause-UC (55% of a
/// notice) for the rest; `snippets/debian-bash-copyright` (bash 5.2.15-2+b8) has a BSD
/// text whose advertising clause reads "3. <removed>", which was BSD-Source-Code.
#[test]
fn a_bsd_text_near_its_rules_is_read_whole() {
    let libbsd = snippet("debian-libbsd0-copyright");
    let m = licenses(&libbsd)
        .into_iter()
        .find(|m| m["start_line"] == 156)
        .unwrap_or_else(|| panic!("{libbsd:#}"));
    assert_eq!(m["expression"], "BSD-3-Clause");
    assert_eq!(lines(&m), (156, 179));
    assert!(
        !licenses(&libbsd).iter().any(|m| m["start_line"]
            .as_u64()
            .is_some_and(|l| (157..=179).contains(&l))),
        "{libbsd:#}"
    );
    let bash = snippet("debian-bash-copyright");
    let ids = expressions(&bash);
    assert!(ids.contains(&"BSD-3-Clause".to_string()), "{ids:?}");
    assert!(!ids.contains(&"BSD-Source-Code".to_string()), "{ids:?}");
}
