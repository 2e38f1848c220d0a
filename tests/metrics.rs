//! `ospo metrics` end to end, on the ecosystem fixtures, with every number checked against
//! a count made by hand from the fixture files (the counts are explained where they are
//! asserted). tests/golden/metrics/* hold whole outputs; after an intended change:
//! `UPDATE_GOLDEN=1 cargo test --test tests metrics::`, then review the diff.

use crate::common::*;
use serde_json::{json, Value};

const V3: &str = "tests/fixtures/ecosystems/npm/v3";
const V1: &str = "tests/fixtures/ecosystems/npm/v1";
const WORKSPACE: &str = "tests/fixtures/ecosystems/cargo/workspace";

fn metrics(args: &[&str]) -> Value {
    let mut all = vec!["metrics", "--format", "json", "--no-caches", "-q"];
    all.extend_from_slice(args);
    run_json(&all).0
}

fn golden(name: &str, actual: &str) {
    assert_golden(&format!("metrics/{name}"), actual);
}

/// npm/v3: 16 files; the only license text in a file is node_modules/ms/license.md. 12
/// components (the app and 11 packages in package-lock.json), all with a license: `MIT`
/// for 11 of them, `WTFPL` for left-pad. The app depends on 6 (@sindresorhus/is, chalk,
/// is-number, left-pad, ms, tiny-invariant); chalk brings ansi-styles and supports-color,
/// those bring color-convert, has-flag, and color-name: 5 transitive.
#[test]
fn npm_v3_hand_counted() {
    let m = metrics(&[V3]);
    assert_eq!(m["metrics_version"], 1);
    assert_eq!(m["source"], V3);
    assert_eq!(m["components"], 12);
    assert_eq!(
        m["license_coverage"],
        json!({"count": 1, "total": 16, "ratio": 0.0625})
    );
    assert_eq!(m["licenses_declared"], json!(["MIT", "WTFPL"]));
    assert_eq!(
        m["concluded"],
        json!({"count": 12, "total": 12, "ratio": 1.0})
    );
    assert_eq!(
        m["known_unknowns"],
        json!({"count": 0, "components": [], "unrecognized_files": []})
    );
    assert_eq!(
        m["licenses"],
        json!([
            {"id": "MIT", "category": "permissive", "components": 11},
            {"id": "WTFPL", "category": "permissive", "components": 1}
        ])
    );
    assert_eq!(
        m["categories"],
        json!({"permissive": 12, "weak-copyleft": 0, "strong-copyleft": 0,
               "network-copyleft": 0, "public-domain": 0, "proprietary": 0, "unknown": 0})
    );
    assert_eq!(m["copyleft_exposure"]["count"], 0);
    assert_eq!(m["ecosystems"], json!({"npm": 12}));
    assert_eq!(
        m["dependencies"],
        json!({"direct": 6, "transitive": 5, "unreached": 0})
    );
    // The project itself is not judged (check_project): 11 verdicts for 12 components.
    assert_eq!(
        m["policy"],
        json!({"policy": "built-in default", "components": 11, "pass": 11, "warn": 0,
               "fail": 0, "pass_rate": 1.0})
    );
    assert!(m.get("vulnerabilities").is_none());
    assert!(m.get("since").is_none());
}

/// npm/v1: package.json and package-lock.json, no license text. 6 components: the app
/// (ISC) and five lock entries without a license (a v1 lockfile has no license field):
/// debug, is-number, left-pad, ms 2.0.0 and ms 2.1.3. The app depends on debug,
/// is-number, left-pad and ms 2.1.3; debug on ms 2.0.0. The built-in policy warns on
/// an unknown license: 1 pass, 5 warn, pass rate 100%.
#[test]
fn npm_v1_known_unknowns() {
    let m = metrics(&[V1]);
    assert_eq!(m["components"], 6);
    assert_eq!(
        m["license_coverage"],
        json!({"count": 0, "total": 2, "ratio": 0.0})
    );
    assert_eq!(
        m["concluded"],
        json!({"count": 1, "total": 6, "ratio": 0.1667})
    );
    assert_eq!(m["known_unknowns"]["count"], 5);
    assert_eq!(
        m["known_unknowns"]["components"],
        json!([
            "pkg:npm/debug@2.6.9",
            "pkg:npm/is-number@7.0.0",
            "pkg:npm/left-pad@1.3.0",
            "pkg:npm/ms@2.0.0",
            "pkg:npm/ms@2.1.3"
        ])
    );
    assert_eq!(m["licenses_declared"], json!(["ISC"]));
    assert_eq!(
        m["dependencies"],
        json!({"direct": 4, "transitive": 1, "unreached": 0})
    );
    // The project (ISC) is not judged: no pass left, the five unknowns warn.
    assert_eq!(m["policy"]["pass"], 0);
    assert_eq!(m["policy"]["warn"], 5);
    assert_eq!(m["policy"]["pass_rate"], 1.0);
}

/// cargo/workspace: the workspace root (a generic component) has the members demo-app
/// and demo-util as direct dependencies; what they pull from Cargo.lock is transitive
/// (itoa, quote, ryu, version_check, cfg-if, proc-macro2, unicode-ident: 7); the vendored
/// fnv is in no graph: unreached. Four license files carry license text: cfg-if's and
/// fnv's LICENSE-MIT and LICENSE-APACHE, of 13 files walked.
#[test]
fn cargo_workspace_graph_and_coverage() {
    let m = metrics(&[WORKSPACE]);
    assert_eq!(m["components"], 11);
    assert_eq!(
        m["dependencies"],
        json!({"direct": 2, "transitive": 7, "unreached": 1})
    );
    assert_eq!(
        m["license_coverage"],
        json!({"count": 4, "total": 13, "ratio": 0.3077})
    );
    assert_eq!(m["ecosystems"], json!({"cargo": 10, "generic": 1}));
    // cfg-if, demo-app and fnv are `MIT OR Apache-2.0` in some order: each id 3 times.
    assert_eq!(
        m["licenses"],
        json!([
            {"id": "Apache-2.0", "category": "permissive", "components": 3},
            {"id": "MIT", "category": "permissive", "components": 3}
        ])
    );
}

/// An SBOM carries no count of walked files: License Coverage is n/a (null); every other
/// number is the one the scan of the same tree gives.
#[test]
fn sbom_input_coverage_is_not_applicable() {
    let dir = tempfile::tempdir().unwrap();
    let bom = dir.path().join("bom.cdx.json");
    ospo()
        .args(["sbom", V3, "--no-caches", "-q", "-o"])
        .arg(&bom)
        .assert()
        .success();
    let mut from = metrics(&["--from", bom.to_str().unwrap()]);
    assert_eq!(
        from["license_coverage"],
        json!({"count": 0, "total": null, "ratio": null})
    );
    let mut scan = metrics(&[V3]);
    // With --from the policy is looked up in the current directory (the crate root has
    // one); the verdicts must agree all the same.
    for m in [&mut from, &mut scan] {
        m["policy"].as_object_mut().unwrap().remove("policy");
    }
    for key in [
        "components",
        "licenses_declared",
        "concluded",
        "known_unknowns",
        "licenses",
        "categories",
        "copyleft_exposure",
        "ecosystems",
        "dependencies",
        "policy",
    ] {
        assert_eq!(from[key], scan[key], "{key}");
    }
    let out = ospo()
        .args(["metrics", "-q", "--from", bom.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("License Coverage       n/a"),
        "human form says n/a:\n{text}"
    );
}

/// A tree with copyleft: a copy of npm/v3 where left-pad is GPL-3.0-only, is-number
/// `MPL-2.0 OR MIT` (MIT can be chosen: no exposure) and ms `AGPL-3.0-only AND MIT`.
#[test]
fn copyleft_exposure_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("app");
    copy_tree(&fixture("ecosystems/npm/v3"), &t);
    let lock = t.join("package-lock.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&lock).unwrap()).unwrap();
    for (name, license) in [
        ("left-pad", "GPL-3.0-only"),
        ("is-number", "MPL-2.0 OR MIT"),
        ("ms", "AGPL-3.0-only AND MIT"),
    ] {
        v["packages"][format!("node_modules/{name}")]["license"] = json!(license);
        let manifest = t.join("node_modules").join(name).join("package.json");
        let mut p: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
        p["license"] = json!(license);
        std::fs::write(&manifest, serde_json::to_vec(&p).unwrap()).unwrap();
    }
    std::fs::write(&lock, serde_json::to_vec(&v).unwrap()).unwrap();
    // ms keeps its MIT license.md, so its concluded expression stays AGPL-3.0-only AND MIT.
    let m = metrics(&[t.to_str().unwrap()]);
    let e = &m["copyleft_exposure"];
    assert_eq!(e["count"], 2, "{e:#}");
    assert_eq!(e["weak_copyleft"], json!([]));
    assert_eq!(e["strong_copyleft"], json!(["pkg:npm/left-pad@1.3.0"]));
    assert_eq!(e["network_copyleft"], json!(["pkg:npm/ms@2.1.3"]));
    assert_eq!(m["categories"]["weak-copyleft"], 1);
    assert_eq!(m["categories"]["strong-copyleft"], 1);
    assert_eq!(m["categories"]["network-copyleft"], 1);
    // Built-in policy: GPL and AGPL fail; `MPL-2.0 OR MIT` passes by MIT. 9 of the 11
    // dependencies (the project itself is not judged).
    assert_eq!(m["policy"]["fail"], 2);
    assert_eq!(m["policy"]["pass_rate"], 0.8182);
    // A policy of our own: MIT alone allowed, everything else denied.
    let policy = dir.path().join("strict.toml");
    std::fs::write(
        &policy,
        "[licenses]\nallow = [\"MIT\"]\ndeny = [\"WTFPL\", \"GPL-3.0-only\", \"AGPL-3.0-only\"]\n",
    )
    .unwrap();
    let m = metrics(&[t.to_str().unwrap(), "--policy", policy.to_str().unwrap()]);
    assert_eq!(m["policy"]["fail"], 2, "{:#}", m["policy"]);
    assert_eq!(m["policy"]["policy"], policy.to_str().unwrap());
}

/// v3 since v1: the change in each number is NEW minus OLD, counted from the two tests
/// above; a license only one side has counts as 0 on the other.
#[test]
fn since_gives_the_change() {
    let m = metrics(&[V3, "--since", V1]);
    let s = &m["since"];
    assert_eq!(s["source"], V1);
    let c = &s["change"];
    assert_eq!(c["components"], 6.0);
    assert_eq!(c["license_coverage.count"], 1.0);
    assert_eq!(c["license_coverage.total"], 14.0);
    assert_eq!(c["license_coverage.ratio"], 0.0625);
    assert_eq!(c["concluded.count"], 11.0);
    assert_eq!(c["concluded.ratio"], 0.8333);
    assert_eq!(c["known_unknowns.count"], -5.0);
    assert_eq!(c["licenses.MIT"], 11.0);
    assert_eq!(c["licenses.ISC"], -1.0);
    assert_eq!(c["licenses.WTFPL"], 1.0);
    assert_eq!(c["dependencies.direct"], 2.0);
    assert_eq!(c["dependencies.transitive"], 4.0);
    assert_eq!(c["policy.warn"], -5.0);
    assert_eq!(c["policy.pass_rate"], 0.0);
    // No vulnerability data on either side: n/a, not 0.
    assert_eq!(c["vulnerabilities.total"], Value::Null);
    assert_eq!(s["old"]["components"], 6.0);
    assert_eq!(s["licenses_declared_added"], json!(["MIT", "WTFPL"]));
    assert_eq!(s["licenses_declared_removed"], json!(["ISC"]));
    // The same tree since itself: every change 0 (or null where n/a).
    let same = metrics(&[V3, "--since", V3]);
    for (k, d) in same["since"]["change"].as_object().unwrap() {
        assert!(d == 0.0 || d.is_null(), "{k}: {d}");
    }
}

#[test]
fn golden_json_and_human() {
    for (format, file) in [("json", "v3-since-v1.json"), ("human", "v3-since-v1.txt")] {
        let out = ospo()
            .args([
                "metrics",
                V3,
                "--since",
                V1,
                "--no-caches",
                "-q",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8(out.stdout).unwrap();
        golden(file, &text);
    }
}

#[test]
fn errors_exit_2() {
    let out = ospo()
        .args(["metrics", V3, "-q", "--since", "no/such/scan.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no/such/scan.json"), "{err}");
    let out = ospo()
        .args(["metrics", V3, "--from", "x.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "PATH and --from conflict");
}

/// With --db, open vulnerabilities by severity (aliases merged: one per finding).
#[test]
fn open_vulnerabilities_by_severity_from_an_osv_database() {
    let out = ospo()
        .args([
            "metrics",
            "--from",
            "tests/fixtures/osv/scan.json",
            "--db",
            "tests/fixtures/osv/db",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by = &v["vulnerabilities"]["by_severity"];
    let sum: u64 = by
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(v["vulnerabilities"]["total"].as_u64(), Some(sum));
    // Log4Shell and minimist are critical in the fixture records.
    assert!(by["critical"].as_u64().unwrap() >= 2, "{by}");
    // Without --db the section is left out, not zero.
    let out = ospo()
        .args([
            "metrics",
            "--from",
            "tests/fixtures/osv/scan.json",
            "--format",
            "json",
            "-q",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.get("vulnerabilities").is_none());
}
