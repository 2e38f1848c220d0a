//! Conclusions a reviewer would sign (issue 12), end to end on trimmed real packages
//! (tests/fixtures/conclusions/README.md names each): wording that names a license without
//! granting it, declared choices kept as choices, one license in two spellings, PEP 639
//! license files and RECORD linking, versionless names, the project not judging itself,
//! and `init` then `check`.

use std::path::Path;

use crate::common::{component_by, copy_tree, fixture, ospo, run_json, scan_tree};
use serde_json::Value;

fn scan(tree: &str) -> Value {
    scan_tree(&fixture(&format!("conclusions/{tree}")))
}

fn component<'a>(v: &'a Value, bom_ref: &str) -> &'a Value {
    component_by(v, "bom_ref", bom_ref)
}

fn texts(c: &Value, key: &str) -> Vec<String> {
    c[key]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn evidence_ids(c: &Value) -> Vec<String> {
    c["evidence"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["expression"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// aws-lc-sys: "Amazon expressly elects to distribute the package under the 3-Clause BSD
/// License and NOT under GNU General Public License Version 2" grants no GPL; openssl's
/// and openssl-sys' README "Contribution" section (Apache-2.0 and MIT) licenses
/// contributions, not the crate.
#[test]
fn negated_and_contribution_wording_is_not_a_grant() {
    let v = scan("cargo");
    let aws = component(&v, "pkg:cargo/aws-lc-sys@0.32.3");
    assert_eq!(aws["concluded"], "ISC AND (Apache-2.0 OR ISC) AND OpenSSL");
    assert!(
        !evidence_ids(aws).iter().any(|e| e.contains("GPL")),
        "{:#}",
        aws["evidence"]
    );
    let notes = texts(aws, "notes");
    assert!(
        notes.iter().any(|n| n.starts_with(
            "not a grant: `GPL-2.0-only` at vendor/aws-lc-sys/LICENSE:21-21 is negated"
        )),
        "{notes:#?}"
    );
    // The BSD section it elects is still there for the reviewer, with its lines.
    assert!(
        texts(aws, "review")
            .iter()
            .any(|r| r.contains("BSD-3-Clause") && r.contains("vendor/aws-lc-sys/LICENSE:19-21")),
        "{:#}",
        aws["review"]
    );

    for (r, license, readme) in [
        (
            "pkg:cargo/openssl@0.10.82",
            "Apache-2.0",
            "vendor/openssl/README.md",
        ),
        (
            "pkg:cargo/openssl-sys@0.9.118",
            "MIT",
            "vendor/openssl-sys/README.md",
        ),
    ] {
        let c = component(&v, r);
        assert_eq!(c["concluded"], license, "{r}");
        assert_eq!(c["detected"], license, "{r}: the README adds nothing");
        assert!(c.get("review").is_none(), "{r}: {:#}", c["review"]);
        let notes = texts(c, "notes");
        assert!(
            notes.contains(&format!(
                "not a grant: `MIT` at {readme}:22-22 is part of the contribution terms at lines 20-22"
            )),
            "{r}: {notes:#?}"
        );
        assert!(
            notes.iter().any(|n| n.starts_with(&format!(
                "not a grant: `Apache-2.0` at {readme}:20-22 is contribution terms"
            ))),
            "{r}: {notes:#?}"
        );
    }
}

/// rc declares `(BSD-2-Clause OR MIT OR Apache-2.0)` and ships LICENSE.BSD with the
/// "views and conclusions" sentence (BSD-2-Clause-Views): still the declared choice, not
/// `(...) AND BSD-2-Clause-Views`. uri-js' LICENSE and argparse's are their declared
/// license in another spelling. abbrev's LICENSE offers its declared ISC or MIT.
#[test]
fn declared_choices_stay_choices_and_two_spellings_are_one_license() {
    let v = scan("npm");
    let rc = component(&v, "pkg:npm/rc@1.2.8");
    assert_eq!(rc["concluded"], "BSD-2-Clause OR MIT OR Apache-2.0");
    assert!(rc.get("review").is_none(), "{:#}", rc["review"]);
    assert!(
        texts(rc, "notes").contains(
            &"`BSD-2-Clause-Views` in node_modules/rc/LICENSE.BSD:4-26 is read as the declared \
              `BSD-2-Clause`: one license in two spellings"
                .to_string()
        ),
        "{:#}",
        rc["notes"]
    );
    // The evidence stays as it was read: three files, three licenses, and the declaration
    // itself (package.json's `license` field, on its line).
    let ev = rc["evidence"].as_array().unwrap();
    let files: Vec<&Value> = ev.iter().filter(|e| e["kind"] != "manifest").collect();
    assert_eq!(files.len(), 3, "{ev:#?}");
    let declared: Vec<&Value> = ev.iter().filter(|e| e["kind"] == "manifest").collect();
    assert_eq!(declared.len(), 1, "{ev:#?}");
    assert_eq!(declared[0]["path"], "node_modules/rc/package.json");
    assert_eq!(
        declared[0]["expression"],
        "BSD-2-Clause OR MIT OR Apache-2.0"
    );

    let uri = component(&v, "pkg:npm/uri-js@4.4.1");
    assert_eq!(uri["concluded"], "BSD-2-Clause");
    assert!(uri.get("review").is_none(), "{:#}", uri["review"]);
    let argparse = component(&v, "pkg:npm/argparse@2.0.1");
    assert_eq!(argparse["concluded"], "Python-2.0");

    // abbrev declares ISC; its LICENSE offers ISC or MIT ("You may use this software under
    // EITHER of the following licenses"): MIT is the other branch, not a term besides.
    let abbrev = component(&v, "pkg:npm/abbrev@4.0.0");
    assert_eq!(abbrev["detected"], "ISC OR MIT");
    assert_eq!(abbrev["concluded"], "ISC");
    assert_eq!(
        texts(abbrev, "review"),
        vec![
            "declared `ISC`; node_modules/abbrev/LICENSE:1-46 also names MIT (a text that \
             offers it as a choice beside the declared license), not added to the \
             conclusion: decide whether it binds"
                .to_string()
        ]
    );
}

/// A wheel's own files are its evidence: arrow's license is in
/// `arrow-1.4.0.dist-info/licenses/LICENSE` (PEP 639), and paramiko's modules with their
/// LGPL headers are paramiko's, not the synthesized project's (RECORD lists them).
#[test]
fn pep639_license_files_and_record_give_files_to_their_dist() {
    let v = scan("pypi");
    let arrow = component(&v, "pkg:pypi/arrow@1.4.0");
    assert_eq!(arrow["detected"], "Apache-2.0");
    let files: Vec<&Value> = arrow["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] != "manifest")
        .collect();
    assert_eq!(
        files[0]["path"],
        "site-packages/arrow-1.4.0.dist-info/licenses/LICENSE"
    );
    let owner = |path: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no file {path}"))["component"]
            .clone()
    };
    assert_eq!(
        owner("site-packages/paramiko/__init__.py"),
        "pkg:pypi/paramiko@5.1.0"
    );
    assert_eq!(
        owner("site-packages/paramiko/compress.py"),
        "pkg:pypi/paramiko@5.1.0"
    );
    assert_eq!(
        owner("site-packages/docutils/__init__.py"),
        "pkg:pypi/docutils@0.23"
    );
    // The project owns nothing the dists installed.
    let project = v["project"].as_str().unwrap();
    assert!(
        !v["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["component"] == project),
        "{:#}",
        v["files"]
    );

    // The report explains arrow from that file, as `notice` prints it.
    let p = fixture("conclusions/pypi");
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    let status = ospo()
        .args(["report", p.to_str().unwrap(), "--no-caches", "-q", "-o"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(status.status.success());
    let text = std::fs::read_to_string(&html).unwrap();
    let arrow_at = text
        .find("pkg:pypi/arrow@1.4.0")
        .expect("arrow in the report");
    assert!(
        text[arrow_at..].contains("license files show `Apache-2.0`."),
        "the report says why arrow is Apache-2.0"
    );
    let o = ospo()
        .args(["notice", p.to_str().unwrap(), "--no-caches"])
        .output()
        .unwrap();
    let notice = String::from_utf8(o.stdout).unwrap();
    assert!(notice.contains("Apache License"), "{notice}");
}

/// text-unidecode declares "Artistic License", which names no version; reading it as
/// Artistic-2.0 was a guess, and its LICENSE.txt (GPL or the Perl Artistic License 1.0)
/// decides.
#[test]
fn a_versionless_declared_name_yields_to_the_files() {
    let v = scan("pypi");
    let c = component(&v, "pkg:pypi/text-unidecode@1.3");
    assert_eq!(c["declared_raw"], "Artistic License");
    assert_eq!(
        c["concluded"],
        "GPL-1.0-or-later OR GPL-2.0-or-later OR Artistic-1.0"
    );
    assert!(
        texts(c, "notes").iter().any(
            |n| n.starts_with("declared `Artistic License` read as `Artistic-2.0` was a guess")
        ),
        "{:#}",
        c["notes"]
    );
}

fn policy_run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .args(args)
        .arg(dir)
        .arg("--no-caches")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A private app without a license field does not fail its own check under
/// `unknown = "deny"`; `check_project = true` judges it.
#[test]
fn the_project_is_not_judged_unless_the_policy_says_so() {
    let t = tempfile::tempdir().unwrap();
    copy_tree(&fixture("conclusions/npm"), t.path());
    let policy = "[licenses]\nallow = [\"permissive\"]\nunknown = \"deny\"\n";
    std::fs::write(t.path().join("policy.toml"), policy).unwrap();
    let (code, out, err) = policy_run(t.path(), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(
            "note: the project itself (`pkg:npm/private-app@1.0.0`, NOASSERTION) is not judged"
        ),
        "{out}"
    );
    assert!(out.contains("check passed: 4 components: 4 pass"), "{out}");

    std::fs::write(
        t.path().join("policy.toml"),
        format!("{policy}check_project = true\n"),
    )
    .unwrap();
    let (code, out, _) = policy_run(t.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("fail: pkg:npm/private-app@1.0.0: NOASSERTION: licenses.unknown = deny"),
        "{out}"
    );
}

/// `init` says what is still to decide and how; `check` right after it passes, with the
/// undecided licenses (paramiko's LGPL, text-unidecode's GPL / Artistic) as warnings.
#[test]
fn init_then_check_passes_with_the_undecided_as_warnings() {
    let t = tempfile::tempdir().unwrap();
    copy_tree(&fixture("conclusions/pypi"), t.path());
    let (code, _, err) = policy_run(t.path(), &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("still to decide (3 warnings of `ospo check` until then):"),
        "{err}"
    );
    assert!(
        err.contains(
            "  pkg:pypi/paramiko@5.1.0: LGPL-2.1-only: licenses.unlisted = warn: LGPL-2.1-only \
             (weak-copyleft) is neither allowed nor denied\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("decide in policy.toml: add a license to `allow`"),
        "{err}"
    );
    let policy = std::fs::read_to_string(t.path().join("policy.toml")).unwrap();
    assert!(policy.contains("unlisted = \"warn\""), "{policy}");

    let (code, out, _) = policy_run(t.path(), &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("warn: pkg:pypi/paramiko@5.1.0: LGPL-2.1-only")),
        "{out}"
    );
    assert!(!out.lines().any(|l| l.starts_with("fail: ")), "{out}");
}

/// libgit2-sys vendors libgit2, whose `package.json` (a clib manifest) and
/// `script/api-docs/package.json` are no npm packages of the product, and libssh2-sys
/// vendors libssh2, whose `.github/workflows/requirements.txt` lists its CI's tools: no
/// component comes from them, every component says where it is, and a note names each
/// manifest left out.
#[test]
fn manifests_inside_vendored_code_make_no_phantom_components() {
    let v = scan("cargo");
    let comps = v["components"].as_array().unwrap();
    let ecosystems: Vec<&str> = comps
        .iter()
        .map(|c| c["ecosystem"].as_str().unwrap())
        .collect();
    assert!(ecosystems.iter().all(|e| *e == "cargo"), "{ecosystems:?}");
    assert_eq!(comps.len(), 6, "the app and its five vendored crates");
    for c in comps {
        assert!(c["path"].is_string(), "{} has no path", c["bom_ref"]);
    }
    let infos: Vec<(String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or_default().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for path in [
        "vendor/libgit2-sys/libgit2/package.json",
        "vendor/libgit2-sys/libgit2/script/api-docs/package.json",
        "vendor/libssh2-sys/libssh2/.github/workflows/requirements.txt",
    ] {
        assert!(
            infos
                .iter()
                .any(|(p, m)| p == path && m.starts_with("not read as a manifest: ")),
            "{path}: {infos:#?}"
        );
    }
}

/// docutils declares only trove classifiers ("Public Domain", "BSD License", "GPL"): the
/// raw words are kept, their mapping (`BSD-3-Clause OR GPL-1.0-or-later`) is said to be a
/// guess, and its COPYING.rst, which places most of it in the public domain, decides; the
/// BSD and GPL exceptions it lists stay review items with their lines.
#[test]
fn classifier_mappings_are_guesses_and_the_files_decide() {
    let v = scan("pypi");
    let c = component(&v, "pkg:pypi/docutils@0.23");
    assert_eq!(
        c["declared_raw"],
        "License :: Public Domain; License :: OSI Approved :: BSD License; \
         License :: OSI Approved :: GNU General Public License (GPL)"
    );
    assert_eq!(c["declared"], "BSD-3-Clause OR GPL-1.0-or-later");
    assert_eq!(c["concluded"], "LicenseRef-scancode-public-domain");
    let notes = texts(c, "notes");
    assert!(
        notes.contains(
            &"declared license: read from trove classifiers as `BSD-3-Clause OR \
              GPL-1.0-or-later`: a guess (a classifier names a license family, not a version)"
                .to_string()
        ),
        "{notes:#?}"
    );
    assert!(
        notes.contains(
            &"declared license: `License :: Public Domain` names no SPDX license".to_string()
        ),
        "{notes:#?}"
    );
    let review = texts(c, "review");
    assert!(
        review
            .iter()
            .any(|r| r.contains("COPYING.rst:81-82") && r.contains("BSD-2-Clause")),
        "{review:#?}"
    );
    // A classifier that agrees with the files stays, still marked as read from them.
    let arrow = component(&v, "pkg:pypi/arrow@1.4.0");
    assert_eq!(arrow["concluded"], "Apache-2.0");
    assert!(texts(arrow, "notes")[0].contains("a guess"));
}

/// cyclonedx-npm lists debug@2.6.9 and ms@2.0.0 once per install location; ospo's scan of
/// the same tree once per package. The same purl on both sides is no change: nothing is
/// "Removed", and the instance counts are reported apart.
#[test]
fn diff_counts_one_package_once_and_reports_instances_apart() {
    let sbom = fixture("conclusions/npm-duplicates/cyclonedx-npm.cdx.json");
    let tree = fixture("conclusions/npm-duplicates/tree");
    let (v, _) = run_json(&[
        "diff",
        sbom.to_str().unwrap(),
        tree.to_str().unwrap(),
        "--format",
        "json",
        "--no-caches",
    ]);
    let s = &v["summary"];
    for k in [
        "added",
        "removed",
        "upgraded",
        "downgraded",
        "license_changes",
    ] {
        assert_eq!(s[k], 0, "{k}: {:#}", v);
    }
    let inst: Vec<(String, String, u64, u64)> = v["instance_changes"]
        .as_array()
        .expect("instance_changes")
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["version"].as_str().unwrap().to_string(),
                i["old_instances"].as_u64().unwrap(),
                i["new_instances"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inst,
        vec![
            ("debug".to_string(), "2.6.9".to_string(), 2, 1),
            ("ms".to_string(), "2.0.0".to_string(), 2, 1),
        ]
    );
}
