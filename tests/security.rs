//! `ospo audit` beyond CVEs, end to end: VEX in (the OpenVEX, CycloneDX and CSAF examples of
//! tests/fixtures/vex, each adapted only in what it names), VEX out (against the OpenVEX
//! JSON schema and the CycloneDX validator), KEV and EPSS (tests/fixtures/security/data, a
//! `--db` data folder), malicious packages, RustSec informational advisories, npm install
//! scripts (tests/fixtures/security/tree, scanned fresh) and fix hints.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test tests security::`.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

const SCAN: &str = "tests/fixtures/osv/scan.json";
const DB: &str = "tests/fixtures/osv/db";
const POLICY: &str = "tests/fixtures/osv/policy.toml";
const DATA: &str = "tests/fixtures/security/data";
const TREE: &str = "tests/fixtures/security/tree";
const VEX: [&str; 4] = [
    "tests/fixtures/vex/openvex-spec.json",
    "tests/fixtures/vex/cyclonedx-case1-not-affected.json",
    "tests/fixtures/vex/csaf-uc01-not-affected.json",
    "tests/fixtures/vex/cyclonedx-case4-range.json",
];

fn run(args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .current_dir(root())
        .args(args)
        .env("OSPO_TODAY", "2026-06-01")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn with_vex(format: &str, vex: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "audit", "--from", SCAN, "--db", DB, "--policy", POLICY, "--format", format, "--vex",
    ];
    args.extend(vex);
    run(&args)
}

fn json_of(out: &str) -> Value {
    serde_json::from_str(out).expect("JSON output")
}

fn finding<'a>(v: &'a Value, bom_ref: &str, id: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["bom_ref"] == bom_ref && f["ids"][0] == id)
        .unwrap_or_else(|| panic!("no finding {id} of {bom_ref}"))
}

const MINIMIST: &str = "pkg:npm/minimist@1.2.5";
const LOG4J: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
const RSA: &str = "pkg:cargo/rsa@0.9.6";

#[test]
fn vex_from_each_format_suppresses_and_says_so() {
    let (code, out, err) = with_vex("json", &VEX);
    assert_eq!(code, 1, "the other findings still fail: {err}");
    let v = json_of(&out);
    for (bom_ref, id, format, why) in [
        (
            MINIMIST,
            "GHSA-xvch-5gv4-984h",
            "OpenVEX",
            "component_not_present",
        ),
        (
            LOG4J,
            "GHSA-jfh8-c2jp-5v3q",
            "CycloneDX",
            "code_not_present",
        ),
        (
            RSA,
            "RUSTSEC-2023-0071",
            "CSAF",
            "Class with vulnerable code was removed",
        ),
    ] {
        let f = finding(&v, bom_ref, id);
        assert_eq!(f["status"], "pass", "{f:#}");
        assert_eq!(f["rule_id"], "advisory-vex-suppressed");
        assert_eq!(f["vex"]["suppressed"], true);
        assert!(f["vex"]["source"]
            .as_str()
            .unwrap()
            .ends_with(&format!("({format})")));
        assert!(f["rule"].as_str().unwrap().contains(why), "{}", f["rule"]);
    }
    assert_eq!(v["summary"]["suppressed"], 3);
    assert_eq!(v["vex"].as_array().unwrap().len(), 4);
    // The statements that match nothing are warnings, one each.
    assert!(
        err.contains(
            "statement fixed on CVE-2023-12345 for pkg:apk/wolfi/git@2.39.0-r1?arch=armv7"
        ),
        "{err}"
    );
    assert!(err.contains("its product matches no component"), "{err}");
    assert!(
        err.contains(
            "CVE-2023-49092 for pkg:cargo/rsa@0.9.7: its product's version matches no component"
        ),
        "{err}"
    );
    // Human output: the suppressions are in the table as passes and counted.
    let (_, human, _) = with_vex("human", &VEX);
    assert!(human.contains("VEX: 3 findings suppressed by"), "{human}");
    assert_golden("security/vex-human.txt", &human);
}

#[test]
fn a_vex_range_that_says_affected_is_shown_and_suppresses_nothing() {
    let (code, out, err) = with_vex("json", &[VEX[3]]);
    assert_eq!(code, 1);
    let v = json_of(&out);
    let f = finding(&v, LOG4J, "GHSA-jfh8-c2jp-5v3q");
    // Case 4 says `exploitable` for >=2.9|<=4.1: 2.14.1 is inside.
    assert_eq!(f["vex"]["status"], "affected");
    assert_eq!(f["vex"]["suppressed"], false);
    assert_eq!(f["status"], "fail");
    assert_eq!(v["summary"]["suppressed"], 0);
    assert!(!err.contains("warning"), "the range matched: {err}");
}

#[test]
fn vex_preview_lists_the_suppressions_and_exits_0() {
    let (code, out, _) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--policy",
        POLICY,
        "--vex-preview",
        "--vex",
        VEX[0],
        VEX[1],
        VEX[2],
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("suppress ")).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(out.contains("suppress pkg:npm/minimist@1.2.5 GHSA-xvch-5gv4-984h: VEX not_affected"));
    assert!(out.contains("would suppress 3 of 17 findings"), "{out}");
}

#[test]
fn bad_vex_input_is_a_warning_and_a_missing_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.json");
    std::fs::write(
        &junk,
        "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": [{\"status\": 7}]",
    )
    .unwrap();
    let (code, out, err) = with_vex("json", &[junk.to_str().unwrap()]);
    assert_eq!(code, 1, "the run goes on: {err}");
    assert!(err.contains("not a VEX document: not JSON"), "{err}");
    assert_eq!(json_of(&out)["summary"]["suppressed"], 0);
    // not_affected without a justification or an impact statement: shown, not a suppression.
    let bare = dir.path().join("bare.json");
    std::fs::write(
        &bare,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": "2023-01-08T18:02:03Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2021-44906"}, "products": [{"@id": "pkg:npm/minimist@1.2.5"}], "status": "not_affected"}]}"#,
    )
    .unwrap();
    let (_, out, err) = with_vex("json", &[bare.to_str().unwrap()]);
    let v = json_of(&out);
    let f = finding(&v, MINIMIST, "GHSA-xvch-5gv4-984h");
    assert_eq!(
        (f["vex"]["suppressed"].as_bool(), f["status"].as_str()),
        (Some(false), Some("fail"))
    );
    assert!(
        err.contains("not_affected without a justification or impact statement"),
        "{err}"
    );
    let (code, _, err) = with_vex("json", &["tests/fixtures/vex/nope.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--vex tests/fixtures/vex/nope.json: no such file"),
        "{err}"
    );
}

fn openvex_validator() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(root().join("tests/schemas/openvex-0.2.0.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the OpenVEX schema compiles")
}

#[test]
fn openvex_output_is_valid_deterministic_and_keeps_ignores() {
    let (code, out, err) = with_vex("openvex", &VEX);
    assert_eq!(code, 1, "{err}");
    let doc = json_of(&out);
    let errors: Vec<String> = openvex_validator()
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "OpenVEX schema errors:\n{}",
        errors.join("\n")
    );
    // Same input, same bytes; the id comes from the content, the time from the epoch.
    assert_eq!(with_vex("openvex", &VEX).1, out);
    assert_eq!(doc["timestamp"], "2023-11-14T22:13:20Z");
    let (_, other, _) = with_vex("openvex", &[VEX[0]]);
    assert_ne!(json_of(&other)["@id"], doc["@id"]);
    let st = |product: &str, id: &str| -> Value {
        doc["statements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["products"][0]["@id"] == product && s["vulnerability"]["name"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no statement {id} {product}"))
    };
    // A VEX suppression is written back with its justification.
    let m = st(MINIMIST, "GHSA-xvch-5gv4-984h");
    assert_eq!(m["status"], "not_affected");
    assert_eq!(m["justification"], "component_not_present");
    // A policy ignore: the reason as the impact statement, the expiry kept.
    let j = st("pkg:pypi/jinja2@2.11.2", "PYSEC-2021-66");
    assert_eq!(j["status"], "not_affected");
    assert_eq!(
        j["impact_statement"],
        "we never call urlize on user input (reviewed by the OSPO)"
    );
    assert!(
        j["status_notes"]
            .as_str()
            .unwrap()
            .contains("accepted until 2027-01-01"),
        "{j}"
    );
    // An expired ignore no longer holds: affected, with what to do.
    let e = st("pkg:cargo/last-crate@0.2.7", "OSPO-TEST-0014");
    assert_eq!(e["status"], "affected");
    assert!(
        e["action_statement"].as_str().unwrap().contains("renew it"),
        "{e}"
    );
}

#[test]
fn cyclonedx_vex_output_passes_the_cyclonedx_validator() {
    let (_, out, _) = with_vex("cyclonedx-vex", &VEX);
    let doc = json_of(&out);
    assert_eq!(with_vex("cyclonedx-vex", &VEX).1, out, "deterministic");
    let v = doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert_eq!(v["analysis"]["state"], "not_affected");
    assert_eq!(v["analysis"]["justification"], "code_not_present");
    // Every affects.ref resolves to a component of the document.
    let refs: Vec<&Value> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["bom-ref"])
        .collect();
    for v in doc["vulnerabilities"].as_array().unwrap() {
        assert!(refs.contains(&&v["affects"][0]["ref"]), "{v}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.vex.cdx.json");
    std::fs::write(&path, out).unwrap();
    validate_vex(&path);
}

/// The CycloneDX schema and cyclonedx-python-lib's validator of tests/validate_sbom.py, but
/// not its NTIA minimum elements: a VEX document is not an SBOM (no dependency graph).
fn validate_vex(path: &Path) {
    let Some(python) = validators() else { return };
    let code = "import sys, json, pathlib; sys.path.insert(0, sys.argv[1]); import validate_sbom as v; \
                p = pathlib.Path(sys.argv[2]); errs = v.cdx_json_schema(json.loads(p.read_text())) + v.cdx_reference(p, False); \
                print('\\n'.join(errs) or 'ok'); sys.exit(1 if errs else 0)";
    let out = std::process::Command::new(python)
        .args(["-c", code])
        .arg(root().join("tests"))
        .arg(path)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.trim() == "ok",
        "CycloneDX VEX validation failed:\n{report}"
    );
}

fn policy_file(dir: &Path, text: &str) -> String {
    let p = dir.join("policy.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn kev_and_epss_from_the_data_folder_rank_and_deny() {
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(
        dir.path(),
        "[advisories]\ndeny = \"critical\"\nwarn = \"low\"\n",
    );
    let (code, out, err) = run(&[
        "audit", "--from", SCAN, "--db", DATA, "--policy", &p, "--format", "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v = json_of(&out);
    let f = finding(&v, LOG4J, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(f["kev"]["cve"], "CVE-2021-44228");
    assert_eq!(f["kev"]["date_added"], "2021-12-10");
    assert_eq!(f["kev"]["ransomware"], true);
    assert_eq!(f["epss"]["score"], 0.94358);
    assert_eq!(f["epss"]["percentile"], 0.9996);
    assert!(finding(&v, MINIMIST, "GHSA-xvch-5gv4-984h")
        .get("kev")
        .is_none());
    let dates: Vec<(&str, &str)> = v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["date"].as_str().unwrap()))
        .collect();
    assert_eq!(
        dates,
        vec![
            ("tests/fixtures/security/data/kev.json", "2026-03-27"),
            ("tests/fixtures/security/data/epss.csv.gz", "2026-03-28")
        ]
    );
    // KEV first in the human table, though minimist is as critical; each dataset's date printed.
    let (_, human, _) = run(&["audit", "--from", SCAN, "--db", DATA, "--policy", &p]);
    let rows: Vec<&str> = human.lines().skip(1).take(2).collect();
    assert!(
        rows[0].contains("log4j-core") && rows[0].contains("KEV(ransomware) EPSS 0.94358"),
        "{human}"
    );
    assert!(
        human.contains("dataset tests/fixtures/security/data/kev.json: 1 CVEs, dated 2026-03-27"),
        "{human}"
    );

    // deny-kev fails a finding the severities alone would only warn on.
    let p = policy_file(dir.path(), "[advisories]\ndeny = \"critical\"\nwarn = \"low\"\ndeny-kev = true\nmax-data-age-days = 30\n");
    let (_, out, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        "tests/fixtures/osv/db",
        "--kev",
        "tests/fixtures/security/data/kev.json",
        "--policy",
        &p,
        "--format",
        "json",
    ]);
    let v = json_of(&out);
    let f = finding(&v, LOG4J, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(f["rule_id"], "advisory-kev", "{f:#}");
    assert!(
        err.contains(
            "kev.json: dataset of 2026-03-27 is 66 days old (advisories.max-data-age-days = 30)"
        ),
        "{err}"
    );
    // deny-epss-percentile, with the EPSS file given uncompressed.
    let csv = dir.path().join("epss.csv");
    std::fs::write(&csv, "#model_version:v2025.03.14,score_date:2026-03-28T12:55:00Z\ncve,epss,percentile\nCVE-2021-44228,0.94358,0.99960\n").unwrap();
    let p = policy_file(
        dir.path(),
        "[advisories]\ndeny = \"critical\"\nwarn = \"low\"\ndeny-epss-percentile = 0.999\n",
    );
    let (_, out, _) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--epss",
        csv.to_str().unwrap(),
        "--policy",
        &p,
        "--format",
        "json",
    ]);
    let v = json_of(&out);
    assert_eq!(
        finding(&v, LOG4J, "GHSA-jfh8-c2jp-5v3q")["rule_id"],
        "advisory-epss"
    );
    assert_eq!(
        finding(&v, MINIMIST, "GHSA-xvch-5gv4-984h")["rule_id"],
        "advisory-denied"
    );
}

#[test]
fn broken_datasets_and_policy_keys_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("kev.json");
    std::fs::write(&bad, "<html>not found</html>").unwrap();
    let (code, _, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--kev",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a CISA KEV catalog"), "{err}");
    let (code, _, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--epss",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a FIRST EPSS CSV"), "{err}");
    let gz = dir.path().join("epss.csv.gz");
    std::fs::write(&gz, [0x1f, 0x8b, 8, 0, 1, 2, 3]).unwrap();
    let (code, _, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--epss",
        gz.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    let p = policy_file(dir.path(), "[advisories]\ndeny-epss-percentile = 90\n");
    let (code, _, err) = run(&["audit", "--from", SCAN, "--db", DB, "--policy", &p]);
    assert_eq!(code, 2);
    assert!(
        err.contains("deny-epss-percentile = 90 is not between 0 and 1"),
        "{err}"
    );
}

#[test]
fn malicious_informational_and_install_scripts_from_a_fresh_scan() {
    let (code, out, err) = run(&["audit", TREE, "--db", DATA, "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v = json_of(&out);
    let by_id = |id: &str| -> &Value {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["ids"][0] == id)
            .unwrap_or_else(|| panic!("{id}: {v:#}"))
    };
    let mal = by_id("MAL-2025-46969");
    assert_eq!(
        (mal["kind"].as_str(), mal["status"].as_str()),
        (Some("malicious"), Some("fail"))
    );
    assert!(mal["fix"].as_str().unwrap().starts_with("remove chalk"));
    for (id, kind) in [
        ("RUSTSEC-2024-0375", "unmaintained"),
        ("RUSTSEC-2021-0145", "unsound"),
    ] {
        let f = by_id(id);
        assert_eq!(f["kind"], kind);
        assert_eq!(f["status"], "warn", "reported as cargo-audit's warnings");
        assert_eq!(f["rule_id"], "advisory-informational");
    }
    let s = by_id("OSPO-INSTALL-SCRIPT");
    assert_eq!(s["bom_ref"], "pkg:npm/esbuild@0.25.0");
    assert_eq!(
        s["summary"],
        "runs install scripts: postinstall: node install.js"
    );
    assert_eq!(s["status"], "warn");
    // Fix hint: minimist 1.2.5 -> 1.2.6 is within the default ^ range.
    let m = by_id("GHSA-xvch-5gv4-984h");
    assert_eq!(m["fix_hint"]["version"], "1.2.6");
    assert_eq!(m["fix_hint"]["lockfile_only"], true);
    // Each a policy key.
    let dir = tempfile::tempdir().unwrap();
    let p = policy_file(dir.path(), "[advisories]\ndeny = \"critical\"\nwarn = \"high\"\nmalicious = \"warn\"\nunmaintained = \"allow\"\nunsound = \"deny\"\ninstall-scripts = \"deny\"\n");
    let (_, out, _) = run(&[
        "audit", TREE, "--db", DATA, "--policy", &p, "--format", "json",
    ]);
    let v = json_of(&out);
    let status = |id: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["ids"][0] == id)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status("MAL-2025-46969"), "warn");
    assert_eq!(status("RUSTSEC-2024-0375"), "pass");
    assert_eq!(status("RUSTSEC-2021-0145"), "fail");
    assert_eq!(status("OSPO-INSTALL-SCRIPT"), "fail");
    // The scan records the hook on the component, for --from runs too.
    let (scan, _) = run_json(&["scan", TREE, "--format", "json"]);
    let esbuild = component_by(&scan, "name", "esbuild");
    assert_eq!(
        esbuild["install_scripts"][0],
        "postinstall: node install.js"
    );
}

#[test]
fn markdown_shows_fix_hints_and_escapes_names() {
    let (_, md, _) = run(&[
        "audit", "--from", SCAN, "--db", DATA, "--policy", POLICY, "--format", "markdown",
    ]);
    assert!(md.starts_with("## ospo audit\n"));
    assert!(md.contains("npm update minimist"), "{md}");
    assert!(md.contains("(an update within the lockfile)"), "{md}");
    assert!(md.contains("the manifest must change"), "{md}");
    assert_golden("security/audit.md", &md);
    // A hostile name cannot break the table, start HTML or move the cursor.
    let mut scan: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(SCAN)).unwrap()).unwrap();
    for c in scan["components"].as_array_mut().unwrap() {
        if c["name"] == "minimist" {
            c["name"] = Value::from("mini|mist<img src=x>\u{1b}[31m");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.json");
    std::fs::write(&path, scan.to_string()).unwrap();
    let (_, md, _) = run(&[
        "audit",
        "--from",
        path.to_str().unwrap(),
        "--db",
        DATA,
        "--policy",
        POLICY,
        "--format",
        "markdown",
    ]);
    assert!(
        md.contains("| mini\\|mist&lt;img src=x&gt;\\\\u{1b}\\[31m |"),
        "{md}"
    );
}
