//! `ospo diff` end to end.
//!
//! A release pair is made at test time from the npm fixture tests/fixtures/ecosystems/npm/v3:
//! OLD is a copy of it, NEW a copy with one dependency upgraded, one downgraded, one removed,
//! one GPL-3.0 dependency added and one license changed (see [`release_pair`]). The whole
//! output of each format is compared with tests/golden/diff/*; after an intended change:
//! `UPDATE_GOLDEN=1 cargo test --test tests diff::`, then review the diff. The facts the golden
//! files hold are asserted one by one as well.

use std::path::Path;

use crate::common::*;
use serde_json::{json, Value};

const NPM: &str = "ecosystems/npm/v3";

fn edit_json(path: &Path, f: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// Set `key` of package `name` in package-lock.json and in node_modules/NAME/package.json.
fn set(tree: &Path, name: &str, key: &str, value: &str) {
    edit_json(&tree.join("package-lock.json"), |v| {
        v["packages"][format!("node_modules/{name}")][key] = json!(value);
    });
    let manifest = tree.join("node_modules").join(name).join("package.json");
    if manifest.is_file() {
        edit_json(&manifest, |v| v[key] = json!(value));
    }
}

/// OLD and NEW under a temp dir, as `old/` and `new/`. OLD is the fixture with
/// supports-color under `MIT OR Apache-2.0`; NEW has chalk 4.1.2 -> 5.3.0, is-number
/// 7.0.0 -> 6.0.0, left-pad removed, gpl-thing 1.0.0 (GPL-3.0-only) added, color-name
/// MIT -> ISC, and supports-color under `Apache-2.0 OR MIT` (the same license, reordered).
fn release_pair() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_tree(&fixture(NPM), &old);
    set(&old, "supports-color", "license", "MIT OR Apache-2.0");
    copy_tree(&old, &new);
    set(&new, "supports-color", "license", "Apache-2.0 OR MIT");
    set(&new, "chalk", "version", "5.3.0");
    set(&new, "is-number", "version", "6.0.0");
    set(&new, "color-name", "license", "ISC");
    edit_json(&new.join("package-lock.json"), |v| {
        let p = v["packages"].as_object_mut().unwrap();
        p.remove("node_modules/left-pad");
        let root = p[""]["dependencies"].as_object_mut().unwrap();
        root.remove("left-pad");
        root.insert("gpl-thing".into(), json!("^1.0.0"));
        p.insert(
            "node_modules/gpl-thing".into(),
            json!({"version": "1.0.0", "license": "GPL-3.0-only"}),
        );
    });
    edit_json(&new.join("package.json"), |v| {
        let d = v["dependencies"].as_object_mut().unwrap();
        d.remove("left-pad");
        d.insert("gpl-thing".into(), json!("^1.0.0"));
    });
    std::fs::remove_dir_all(new.join("node_modules/left-pad")).unwrap();
    dir
}

/// `ospo diff <args>` run in `dir` (so the built-in default policy applies and the paths
/// shown are the relative ones given): (exit code, stdout, stderr).
fn diff_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .current_dir(dir)
        .arg("diff")
        .args(args)
        .args(["--no-caches", "-q"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn diff_json(dir: &Path, old: &str, new: &str) -> Value {
    let (code, out, err) = diff_in(dir, &[old, new, "--format", "json"]);
    assert_eq!(code, 0, "diff {old} {new}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn golden(name: &str, actual: &str) {
    assert_golden(&format!("diff/{name}"), actual);
}

fn names(v: &Value, section: &str) -> Vec<String> {
    v[section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section} in {v:#}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn release_pair_facts() {
    let dir = release_pair();
    let v = diff_json(dir.path(), "old", "new");
    assert_eq!(v["diff_version"], 1);
    assert_eq!(v["old"], json!({"source": "old", "components": 12}));
    assert_eq!(v["new"], json!({"source": "new", "components": 12}));
    assert_eq!(v["policy"], "built-in default");
    assert_eq!(names(&v, "added"), vec!["gpl-thing"]);
    assert_eq!(v["added"][0]["license"], "GPL-3.0-only");
    assert_eq!(v["added"][0]["id"], "pkg:npm/gpl-thing");
    assert_eq!(names(&v, "removed"), vec!["left-pad"]);
    assert_eq!(names(&v, "upgraded"), vec!["chalk"]);
    assert_eq!(v["upgraded"][0]["old_version"], "4.1.2");
    assert_eq!(v["upgraded"][0]["new_version"], "5.3.0");
    assert_eq!(names(&v, "downgraded"), vec!["is-number"]);
    assert_eq!(v["downgraded"][0]["new_version"], "6.0.0");
    // color-name changed license; supports-color only reordered its OR: not a change.
    assert_eq!(names(&v, "license_changes"), vec!["color-name"]);
    let lc = &v["license_changes"][0];
    assert_eq!(
        (&lc["old_license"], &lc["new_license"]),
        (&json!("MIT"), &json!("ISC"))
    );
    assert_eq!(lc["added_licenses"], json!(["ISC"]));
    assert_eq!(lc["removed_licenses"], json!(["MIT"]));
    assert_eq!(names(&v, "new_violations"), vec!["gpl-thing"]);
    assert!(v["new_violations"][0]["rule"]
        .as_str()
        .unwrap()
        .starts_with("licenses.deny: strong-copyleft"));
    assert_eq!(v["resolved_violations"], json!([]));
    // Without a vulnerability database there is no vulnerability section at all.
    assert!(v.get("new_vulnerabilities").is_none());
    assert!(v["summary"].get("new_vulnerabilities").is_none());
    assert_eq!(
        v["summary"],
        json!({"added": 1, "removed": 1, "upgraded": 1, "downgraded": 1,
               "license_changes": 1, "new_violations": 1, "resolved_violations": 0})
    );

    // The other way round: every change turns around, the violation is resolved.
    let r = diff_json(dir.path(), "new", "old");
    assert_eq!(names(&r, "added"), vec!["left-pad"]);
    assert_eq!(names(&r, "removed"), vec!["gpl-thing"]);
    assert_eq!(names(&r, "upgraded"), vec!["is-number"]);
    assert_eq!(names(&r, "downgraded"), vec!["chalk"]);
    assert_eq!(names(&r, "license_changes"), vec!["color-name"]);
    assert_eq!(r["new_violations"], json!([]));
    assert_eq!(names(&r, "resolved_violations"), vec!["gpl-thing"]);
}

#[test]
fn golden_json_markdown_human() {
    let dir = release_pair();
    for (format, file) in [
        ("json", "release.json"),
        ("markdown", "release.md"),
        ("human", "release.txt"),
    ] {
        let (code, out, err) = diff_in(dir.path(), &["old", "new", "--format", format]);
        assert_eq!(code, 0, "{format}: {err}");
        golden(file, &out);
        // Deterministic: a second run gives the same bytes.
        assert_eq!(
            diff_in(dir.path(), &["old", "new", "--format", format]).1,
            out
        );
    }
}

#[test]
fn markdown_shape() {
    let dir = release_pair();
    let (_, md, _) = diff_in(dir.path(), &["old", "new", "--format", "markdown"]);
    assert!(
        md.contains("| Change | Count |\n|---|---:|\n| Added | 1 |"),
        "{md}"
    );
    assert!(md.contains("**1 new policy violation.**"), "{md}");
    assert!(md.contains("<details open><summary>New policy violations (1)</summary>"));
    assert!(md.contains("| gpl-thing | 1.0.0 | GPL-3.0-only | licenses.deny: strong-copyleft (GPL-3.0-only is strong-copyleft; built-in default) |"));
    assert!(md.contains("<details><summary>Upgraded (1)</summary>"));
    assert!(md.contains("| chalk | 4.1.2 | 5.3.0 |"));
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count()
    );
}

#[test]
fn human_sections() {
    let dir = release_pair();
    let (_, out, _) = diff_in(dir.path(), &["old", "new"]);
    for needle in [
        "Added (1)\n  + gpl-thing 1.0.0  GPL-3.0-only [required]",
        "Removed (1)\n  - left-pad 1.3.0  WTFPL [required]",
        "Upgraded (1)\n  ^ chalk 4.1.2 -> 5.3.0",
        "Downgraded (1)\n  v is-number 7.0.0 -> 6.0.0",
        "License changes (1)\n  ~ color-name 1.1.4: MIT -> ISC",
        "New violations (1)\n  ! gpl-thing 1.0.0: GPL-3.0-only; licenses.deny: strong-copyleft",
        "1 added, 1 removed, 1 upgraded, 1 downgraded, 1 license change, 1 new violation\n",
    ] {
        assert!(out.contains(needle), "{needle:?} not in:\n{out}");
    }
}

/// Every --fail-on, on a pair that triggers it and one that does not.
#[test]
fn fail_on_exit_codes() {
    let dir = release_pair();
    let d = dir.path();
    let code = |args: &[&str]| diff_in(d, args).0;
    assert_eq!(code(&["old", "new"]), 0, "no --fail-on: always 0");
    assert_eq!(code(&["old", "new", "--fail-on", "new-violations"]), 1);
    assert_eq!(code(&["old", "new", "--fail-on", "license-change"]), 1);
    assert_eq!(
        code(&["old", "new", "--fail-on", "new-violations,license-change"]),
        1
    );
    // NEW -> OLD resolves the violation but still changes color-name's license.
    assert_eq!(code(&["new", "old", "--fail-on", "new-violations"]), 0);
    assert_eq!(code(&["new", "old", "--fail-on", "license-change"]), 1);
    assert_eq!(
        code(&[
            "new",
            "old",
            "--fail-on",
            "new-violations",
            "--fail-on",
            "license-change"
        ]),
        1
    );
    // Nothing changed: nothing fails.
    assert_eq!(
        code(&["old", "old", "--fail-on", "new-violations,license-change"]),
        0
    );
    // A policy that allows GPL-3.0-only: no new violation.
    std::fs::write(
        d.join("lenient.toml"),
        "[licenses]\nallow = [\"permissive\", \"GPL-3.0-only\"]\n",
    )
    .unwrap();
    let (c, out, err) = diff_in(
        d,
        &[
            "old",
            "new",
            "--policy",
            "lenient.toml",
            "--fail-on",
            "new-violations",
            "--format",
            "json",
        ],
    );
    assert_eq!(c, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["new_violations"], json!([]));
    assert_eq!(v["policy"], "lenient.toml");
    // policy.toml in NEW (a directory) is the policy when --policy is not given.
    std::fs::copy(d.join("lenient.toml"), d.join("new/policy.toml")).unwrap();
    let (c, out, _) = diff_in(
        d,
        &[
            "old",
            "new",
            "--fail-on",
            "new-violations",
            "--format",
            "json",
        ],
    );
    assert_eq!(c, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policy"], "new/policy.toml");
    std::fs::remove_file(d.join("new/policy.toml")).unwrap();
    // new-vulnerabilities needs a database (--db): without one, a usage error.
    let (c, out, err) = diff_in(d, &["old", "new", "--fail-on", "new-vulnerabilities"]);
    assert_eq!(c, 2);
    assert!(out.is_empty());
    assert!(err.contains("--db"), "{err}");
}

/// Errors are exit 2 with nothing on stdout; their messages are in
/// tests/golden/messages/diff-errors.txt.
#[test]
fn errors_exit_2() {
    let dir = release_pair();
    let d = dir.path();
    std::fs::write(d.join("junk.json"), "{\"hello\": 1}").unwrap();
    std::fs::write(d.join("bad.toml"), "[licenses]\nallow = [\"MTI\"]\n").unwrap();
    let mut t = Transcript::default();
    for args in [
        &["old", "missing.json"][..],
        &["junk.json", "new"],
        &["old", "new", "--fail-on", "everything"],
        &["old", "new", "--fail-on", "new-vulnerabilities"],
        &["old", "new", "--policy", "bad.toml"],
        &["old"],
    ] {
        let (c, out, err) = diff_in(d, args);
        assert_eq!(c, 2, "ospo diff {args:?}");
        assert!(out.is_empty(), "ospo diff {args:?}: nothing on stdout");
        t.record(&[&["diff"], args].concat(), c, &err);
    }
    t.assert_golden("messages/diff-errors.txt");
}

/// A saved scan and the SBOMs `ospo sbom` writes of the same tree are the same components:
/// the diff between any two is empty, for every format and several ecosystems.
#[test]
fn cross_format_no_changes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for tree in [
        NPM,
        "ecosystems/cargo/workspace",
        "ecosystems/python/uv",
        "ecosystems/go/project",
        "ecosystems/maven/multi",
    ] {
        let t = fixture(tree);
        let t = t.to_str().unwrap();
        let scan = d.join("scan.json");
        ospo()
            .args(["scan", t, "--no-caches", "-q", "--format", "json", "-o"])
            .arg(&scan)
            .assert()
            .success();
        for (format, file) in [
            ("cyclonedx-json", "bom.cdx.json"),
            ("cyclonedx-xml", "bom.cdx.xml"),
            ("spdx-json", "bom.spdx.json"),
            ("spdx-tv", "bom.spdx"),
        ] {
            ospo()
                .args(["sbom", t, "--no-caches", "-q", "--format", format, "-o"])
                .arg(d.join(file))
                .assert()
                .success();
            for (a, b) in [("scan.json", file), (file, "scan.json")] {
                let v = diff_json(d, a, b);
                let s = &v["summary"];
                assert!(
                    s.as_object().unwrap().values().all(|n| n == 0),
                    "{tree}: {a} vs {b} should show no change:\n{v:#}"
                );
                assert!(v["old"]["components"].as_u64().unwrap() > 1, "{tree}");
                assert_eq!(v["old"]["components"], v["new"]["components"]);
            }
            // And the directory itself against its SBOM.
            let (c, out, err) =
                diff_in(d, &[t, file, "--fail-on", "new-violations,license-change"]);
            assert_eq!(c, 0, "{tree} dir vs {format}: {err}\n{out}");
            assert!(out.contains("No changes."), "{out}");
        }
    }
}

/// OLD as an SBOM, NEW as a directory: the same changes as directory against directory.
#[test]
fn cross_format_release() {
    let dir = release_pair();
    let d = dir.path();
    ospo()
        .current_dir(d)
        .args([
            "sbom",
            "old",
            "--no-caches",
            "-q",
            "--format",
            "spdx-json",
            "-o",
            "old.spdx.json",
        ])
        .assert()
        .success();
    let mut a = diff_json(d, "old", "new");
    let mut b = diff_json(d, "old.spdx.json", "new");
    a["old"]["source"] = json!("");
    b["old"]["source"] = json!("");
    // SPDX has no dependency scope: a component removed since the SBOM has none.
    for v in [&mut a, &mut b] {
        for e in v["removed"].as_array_mut().unwrap() {
            e.as_object_mut().unwrap().remove("scope");
        }
    }
    assert_eq!(a, b);
}

/// Names that would break a Markdown table or inject HTML are escaped.
#[test]
fn markdown_escapes_hostile_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bom = |components: Value| {
        json!({
            "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": components
        })
    };
    let evil = "evil|<img src=x onerror=alert(1)>`rm`";
    std::fs::write(
        d.join("old.json"),
        serde_json::to_vec(&bom(json!([]))).unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("new.json"),
        serde_json::to_vec(&bom(json!([{
            "type": "library", "name": evil, "version": "1.0|2",
            "licenses": [{"expression": "MIT"}]
        }])))
        .unwrap(),
    )
    .unwrap();
    let (c, md, err) = diff_in(d, &["old.json", "new.json", "--format", "markdown"]);
    assert_eq!(c, 0, "{err}");
    assert!(!md.contains("<img"), "{md}");
    assert!(
        md.contains("| evil\\|&lt;img src=x onerror=alert(1)&gt;\\`rm\\` | 1.0\\|2 | MIT |"),
        "{md}"
    );
    // Every table row still has its four cells.
    let row = md.lines().find(|l| l.starts_with("| evil")).unwrap();
    assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
}

/// Copy fixture `tree` to `old/` and `new/` under a temp dir, and apply `edits` (file,
/// from, to) as plain text replacements to `new/`.
fn edited_pair(tree: &str, edits: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_tree(&fixture(tree), &old);
    copy_tree(&fixture(tree), &new);
    for (file, from, to) in edits {
        let p = new.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
    dir
}

fn versions(v: &Value, section: &str) -> Vec<(String, String, String)> {
    v[section]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["old_version"].as_str().unwrap().to_string(),
                c["new_version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

/// PyPI versions are not semver: the segment compare orders them (a string compare would
/// get every one of these backwards but the post-release).
#[test]
fn python_versions_in_order() {
    let dir = edited_pair(
        "ecosystems/python/uv",
        &[
            ("uv.lock", "version = \"2026.6\"", "version = \"2026.10\""),
            ("uv.lock", "version = \"3.20\"", "version = \"3.9\""),
            (
                "uv.lock",
                "version = \"1.17.0\"",
                "version = \"1.17.0.post1\"",
            ),
        ],
    );
    let v = diff_json(dir.path(), "old", "new");
    assert_eq!(
        versions(&v, "upgraded"),
        vec![
            t("six", "1.17.0", "1.17.0.post1"),
            t("tzdata", "2026.6", "2026.10")
        ]
    );
    assert_eq!(versions(&v, "downgraded"), vec![t("idna", "3.20", "3.9")]);
    assert_eq!(v["summary"]["added"], 0);
    assert_eq!(v["summary"]["removed"], 0);
}

/// Go module versions: semver with a `v`, pseudo-versions ordered by their timestamp,
/// `+incompatible` kept.
#[test]
fn go_versions_in_order() {
    let dir = edited_pair(
        "ecosystems/go/project",
        &[
            ("go.mod", "cobra v1.8.0", "cobra v1.10.0"),
            (
                "go.mod",
                "v0.0.0-20231110203233-9a3e6036ecaa",
                "v0.0.0-20240105000000-0123456789ab",
            ),
            ("go.mod", "v24.0.7+incompatible", "v23.0.1+incompatible"),
        ],
    );
    let v = diff_json(dir.path(), "old", "new");
    assert_eq!(
        versions(&v, "upgraded"),
        vec![
            t("github.com/spf13/cobra", "v1.8.0", "v1.10.0"),
            t(
                "golang.org/x/exp",
                "v0.0.0-20231110203233-9a3e6036ecaa",
                "v0.0.0-20240105000000-0123456789ab"
            ),
        ]
    );
    assert_eq!(
        versions(&v, "downgraded"),
        vec![t(
            "github.com/docker/docker",
            "v24.0.7+incompatible",
            "v23.0.1+incompatible"
        )]
    );
}

/// With --db, NEW's vulnerabilities that OLD did not have are listed, and
/// `--fail-on new-vulnerabilities` fails on them; the other way round nothing is new.
#[test]
fn new_vulnerabilities_from_an_osv_database() {
    let run = |old: &str, new: &str| {
        let out = ospo()
            .args([
                "diff",
                old,
                new,
                "--db",
                "tests/fixtures/osv/db",
                "--format",
                "json",
                "--fail-on",
                "new-vulnerabilities",
                "-q",
            ])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (out.status.code(), v)
    };
    let (code, v) = run(
        "tests/fixtures/osv/clean.json",
        "tests/fixtures/osv/scan.json",
    );
    assert_eq!(code, Some(1));
    let vulns = v["new_vulnerabilities"].as_array().unwrap();
    assert_eq!(v["summary"]["new_vulnerabilities"], vulns.len());
    let rsa = vulns
        .iter()
        .find(|x| x["name"] == "rsa")
        .expect("rsa 0.9.6 is affected by RUSTSEC-2023-0071");
    assert_eq!(rsa["advisory"], "RUSTSEC-2023-0071");
    assert_eq!(rsa["severity"], "high");
    assert!(vulns
        .iter()
        .any(|x| x["name"] == "minimist" && x["severity"] == "critical"));
    // serde 1.0.200 is in both and unaffected; nothing new going the other way.
    assert!(!vulns.iter().any(|x| x["name"] == "serde"));
    let (code, v) = run(
        "tests/fixtures/osv/scan.json",
        "tests/fixtures/osv/clean.json",
    );
    assert_eq!(code, Some(0));
    assert_eq!(v["summary"]["new_vulnerabilities"], 0);
}
