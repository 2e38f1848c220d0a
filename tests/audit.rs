//! `ospo audit` and `ospo check --db` end to end, against the OSV fixtures in
//! tests/fixtures/osv (real published advisories plus per-ecosystem edge cases; SOURCES.md
//! says which is which): golden files for every output format, the findings one by one,
//! exit codes, a zip database, bad input, and the CycloneDX output against the official
//! schema and the CycloneDX project's own validator.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test tests audit::`, then review the diff.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::Value;

const SCAN: &str = "tests/fixtures/osv/scan.json";
const CLEAN: &str = "tests/fixtures/osv/clean.json";
const DB: &str = "tests/fixtures/osv/db";
const POLICY: &str = "tests/fixtures/osv/policy.toml";
const TODAY: &str = "2026-06-01";
const EPOCH: &str = "1700000000";

/// `ospo <args>` as of TODAY: (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    run_in(root(), args)
}

fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = ospo()
        .current_dir(dir)
        .args(args)
        .env("OSPO_TODAY", TODAY)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn audit(format: &str) -> (i32, String, String) {
    run(&[
        "audit", "--from", SCAN, "--db", DB, "--policy", POLICY, "--format", format,
    ])
}

fn golden(name: &str, actual: &str) {
    assert_golden(&format!("audit/{name}"), actual);
}

fn report() -> Value {
    let (code, out, err) = audit("json");
    assert_eq!(code, 1, "stderr: {err}");
    serde_json::from_str(&out).expect("audit --format json is JSON")
}

/// The findings of one component, by primary id.
fn findings_of<'a>(v: &'a Value, bom_ref: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["bom_ref"] == bom_ref)
        .collect()
}

fn one<'a>(v: &'a Value, bom_ref: &str) -> &'a Value {
    let f = findings_of(v, bom_ref);
    assert_eq!(f.len(), 1, "{bom_ref}: one finding, got {f:#?}");
    f[0]
}

fn ids(f: &Value) -> Vec<&str> {
    f["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect()
}

#[test]
fn golden_outputs() {
    for (format, file) in [
        ("human", "audit.human.txt"),
        ("json", "audit.json"),
        ("cyclonedx-json", "audit.cdx.json"),
    ] {
        let (code, out, err) = audit(format);
        assert_eq!(code, 1, "{format}: stderr: {err}");
        golden(file, &out);
    }
}

#[test]
fn same_input_same_bytes() {
    for format in ["human", "json", "cyclonedx-json"] {
        assert_eq!(audit(format).1, audit(format).1, "{format}");
    }
}

#[test]
fn real_advisories_match_and_merge_by_alias() {
    let v = report();
    // RUSTSEC-2023-0071 names GHSA-c38w-74pg-36hr: one finding, RustSec's id first, the worst
    // of the two ratings (RustSec 7.4 high, GitHub 5.9 medium), no fix (none is published).
    let rsa = one(&v, "pkg:cargo/rsa@0.9.6");
    assert_eq!(
        ids(rsa),
        ["RUSTSEC-2023-0071", "GHSA-c38w-74pg-36hr", "CVE-2023-49092"]
    );
    assert_eq!(rsa["severity"], "high");
    assert_eq!(rsa["cvss_score"], 7.4);
    assert_eq!(rsa["ratings"].as_array().unwrap().len(), 2);
    assert!(rsa.get("fixed_in").is_none());
    assert_eq!(rsa["cwes"], serde_json::json!([203, 385]));
    assert_eq!(rsa["status"], "fail");
    // PYSEC-2021-66 and GHSA-g3rq-g295-4j3m share CVE-2020-28493; the policy ignores the CVE.
    let jinja = one(&v, "pkg:pypi/jinja2@2.11.2");
    assert_eq!(
        ids(jinja),
        [
            "PYSEC-2021-66",
            "GHSA-g3rq-g295-4j3m",
            "SNYK-PYTHON-JINJA2-1012994",
            "CVE-2020-28493"
        ]
    );
    assert_eq!(jinja["fixed_in"], "2.11.3");
    assert_eq!(jinja["severity"], "medium");
    assert_eq!(jinja["status"], "pass");
    assert_eq!(jinja["rule_id"], "advisory-ignored");
    // The same issue found through a component without a purl (PEP 503: Jinja2 == jinja2).
    assert_eq!(ids(one(&v, "python:Jinja2@2.10"))[0], "PYSEC-2021-66");
    let minimist = one(&v, "pkg:npm/minimist@1.2.5");
    assert_eq!(ids(minimist), ["GHSA-xvch-5gv4-984h", "CVE-2021-44906"]);
    assert_eq!(
        (
            &minimist["severity"],
            &minimist["cvss_score"],
            &minimist["fixed_in"]
        ),
        (
            &Value::from("critical"),
            &Value::from(9.8),
            &Value::from("1.2.6")
        )
    );
    // Log4Shell: three ranges; 2.14.1 sits in 2.13.0 .. 2.15.0.
    let log4j = one(&v, "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_eq!(log4j["cvss_score"], 10.0);
    assert_eq!(log4j["fixed_in"], "2.15.0");
    assert_eq!(
        log4j["fix"],
        "upgrade org.apache.logging.log4j:log4j-core to 2.15.0 or later"
    );
}

#[test]
fn edge_cases_per_ecosystem() {
    let v = report();
    let hit = |r: &str, id: &str| {
        let f = one(&v, r);
        assert_eq!(ids(f)[0], id, "{r}");
        f
    };
    // semver: a pre-release inside alpha.1 .. 1.0.0; 0.3.10 is above 0.3.5 (not text order).
    assert_eq!(
        hit("pkg:cargo/pre-crate@1.0.0-beta.2", "OSPO-TEST-0001")["fixed_in"],
        "1.0.0"
    );
    assert!(findings_of(&v, "pkg:cargo/zero-crate@0.3.10").is_empty());
    // last_affected is inclusive; a CVSS v4 vector is rated by the record's own word.
    let last = hit("pkg:cargo/last-crate@0.2.7", "OSPO-TEST-0014");
    assert_eq!(last["severity"], "critical");
    assert_eq!(last["ratings"][0]["method"], "CVSSv4");
    // Withdrawn records are never reported.
    assert!(findings_of(&v, "pkg:cargo/serde@1.0.200").is_empty());
    assert_eq!(v["database"]["withdrawn"], 1);
    // PEP 440: post, dev and local versions; PEP 503 names (OSV says Pep_Dev).
    assert_eq!(
        hit("pkg:pypi/pep-post@1.0.post1", "OSPO-TEST-0003")["fixed_in"],
        "1.0.post2"
    );
    hit("pkg:pypi/pep-dev@2.0.dev3", "OSPO-TEST-0004");
    assert_eq!(
        hit("pkg:pypi/pep-local@1.0%2Blocal.7", "OSPO-TEST-0005")["version"],
        "1.0+local.7"
    );
    // Go: a pseudo-version before the fixing one; +incompatible compares as its semver.
    hit(
        "pkg:golang/golang.org/x/crypto@v0.0.0-20210921155107-089bfa567519",
        "OSPO-TEST-0006",
    );
    hit(
        "pkg:golang/github.com/docker/docker@v20.10.7%2Bincompatible",
        "OSPO-TEST-0007",
    );
    assert!(findings_of(
        &v,
        "pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b"
    )
    .is_empty());
    // npm: limit bounds the range; an explicit versions list; a scoped name; no severity.
    hit("pkg:npm/limit-pkg@2.5.0", "OSPO-TEST-0008");
    assert!(findings_of(&v, "pkg:npm/limit-pkg@3.1.0").is_empty());
    hit("pkg:npm/listed-pkg@1.0.3", "OSPO-TEST-0009");
    hit("pkg:npm/%40scope/scoped-pkg@1.0.0", "OSPO-TEST-0011");
    let unrated = hit("pkg:npm/unrated-pkg@0.1.0", "OSPO-TEST-0010");
    assert_eq!(
        (
            &unrated["severity"],
            &unrated["status"],
            &unrated["rule_id"]
        ),
        (
            &Value::from("unknown"),
            &Value::from("warn"),
            &Value::from("advisory-unrated")
        )
    );
    // Maven qualifiers: 1.0-beta2 is inside 1.0-alpha1 .. 1.0-rc1.
    hit(
        "pkg:maven/com.example/qualifiers@1.0-beta2",
        "OSPO-TEST-0013",
    );
    assert_eq!(v["summary"]["findings"], 17);
    assert_eq!(v["summary"]["audited"], 22);
}

#[test]
fn policy_verdicts_and_expiry() {
    let v = report();
    let status = |r: &str| {
        let f = one(&v, r);
        (
            f["status"].as_str().unwrap().to_string(),
            f["rule_id"].as_str().unwrap().to_string(),
        )
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        status("pkg:npm/minimist@1.2.5"),
        s("fail", "advisory-denied")
    );
    assert_eq!(
        status("pkg:npm/%40scope/scoped-pkg@1.0.0"),
        s("pass", "advisory-below-threshold")
    );
    // OSPO-TEST-0013's ignore expires 2026-06-20: 19 days left on 2026-06-01.
    assert_eq!(
        status("pkg:maven/com.example/qualifiers@1.0-beta2"),
        s("warn", "advisory-ignore-expiring")
    );
    assert_eq!(
        status("pkg:cargo/last-crate@0.2.7"),
        s("fail", "advisory-ignore-expired")
    );
    assert_eq!(
        v["notes"],
        serde_json::json!([
            "[[advisories.ignore]] for `GHSA-0000-0000-0000` (tests/fixtures/osv/policy.toml:28) matched no finding"
        ])
    );
}

/// Exit 0 when nothing fails, 1 when a finding does; the summary line of each run is in
/// tests/golden/messages/audit-summaries.txt.
#[test]
fn exit_codes() {
    let mut summaries = String::new();
    let mut summary = |what: &str, out: &str| {
        let last = out.lines().last().unwrap_or("");
        summaries.push_str(&format!("{what}:\n  {last}\n"));
    };
    // Nothing found: 0.
    let (code, out, err) = run(&["audit", "--from", CLEAN, "--db", DB, "--policy", POLICY]);
    assert_eq!(code, 0, "{out}{err}");
    summary("a clean scan", &out);
    // Only findings below the deny threshold (or ignored): 0.
    let dir = tempfile::tempdir().unwrap();
    let lenient = dir.path().join("lenient.toml");
    std::fs::write(&lenient, "[advisories]\ndeny = \"critical\"\nunrated = \"allow\"\n\n[[advisories.ignore]]\nid = \"CVE-2021-44228\"\nreason = \"patched in our fork\"\n\n[[advisories.ignore]]\nid = \"CVE-2021-44906\"\nreason = \"CLI only\"\n").unwrap();
    let (code, out, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--policy",
        lenient.to_str().unwrap(),
    ]);
    // OSPO-TEST-0014 is rated critical and not ignored here.
    assert_eq!(code, 1, "{out}{err}");
    summary("deny critical, one critical finding not ignored", &out);
    std::fs::write(&lenient, "[advisories]\ndeny = \"critical\"\nunrated = \"allow\"\n\n[[advisories.ignore]]\nid = \"CVE-2021-44228\"\nreason = \"patched in our fork\"\n\n[[advisories.ignore]]\nid = \"CVE-2021-44906\"\nreason = \"CLI only\"\n\n[[advisories.ignore]]\nid = \"OSPO-TEST-0014\"\nreason = \"r\"\n").unwrap();
    let (code, out, err) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--policy",
        lenient.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    summary("deny critical, the critical findings ignored", &out);
    // No policy at all (a directory without policy.toml): every finding fails.
    let scan = root().join(SCAN);
    let db = root().join(DB);
    let (code, out, _) = run_in(
        dir.path(),
        &[
            "audit",
            "--from",
            scan.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["policy"], "built-in default");
    assert_eq!(v["summary"]["fail"], 17);
    let (code, _, _) = run_in(
        dir.path(),
        &[
            "audit",
            "--from",
            root().join(CLEAN).to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    let summaries = summaries.replace(&dir.path().display().to_string(), "<dir>");
    assert_golden("messages/audit-summaries.txt", &summaries);
}

/// Bad databases and policies are exit 2 with a message saying what and where; a broken
/// record is skipped with a warning naming the file, and the rest still loads. The
/// messages are in tests/golden/messages/audit-errors.txt.
#[test]
fn bad_input_is_exit_2_with_a_clear_message() {
    let mut t = Transcript::default();
    let empty = tempfile::tempdir().unwrap();
    let empty_db = empty.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join(DB), dir.path());
    std::fs::write(
        dir.path().join("broken.json"),
        "{\"id\": \"X\", \"affected\": 3}",
    )
    .unwrap();
    let broken_db = dir.path().to_str().unwrap();
    let cases: [(&[&str], i32); 5] = [
        (
            &[
                "audit",
                "--from",
                SCAN,
                "--db",
                "tests/fixtures/osv/no-such-db",
            ],
            2,
        ),
        (&["audit", "--from", SCAN, "--db", empty_db], 2),
        (&["audit", "--from", SCAN], 2),
        (
            &[
                "audit",
                "--from",
                SCAN,
                "--db",
                DB,
                "--policy",
                "tests/fixtures/osv/bad-policy.toml",
            ],
            2,
        ),
        (
            &[
                "audit", "--from", SCAN, "--db", broken_db, "--policy", POLICY,
            ],
            1,
        ),
    ];
    for (args, want) in cases {
        let (code, out, err) = run(args);
        assert_eq!(code, want, "ospo {args:?}: {err}");
        if want == 2 {
            assert!(out.is_empty(), "ospo {args:?}: nothing on stdout");
        } else {
            assert!(out.contains("17 findings"), "{out}");
        }
        t.record(args, code, &err);
    }
    t.redact(empty_db, "<empty dir>");
    t.redact(broken_db, "<db with a broken record>");
    t.assert_golden("messages/audit-errors.txt");
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Every record of the fixture database, as (archive entry name, bytes).
fn records() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join(DB), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_zip_database_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    // Like OSV's per-ecosystem all.zip: flat, deflated JSON entries.
    let zip_path = dir.path().join("all.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in records() {
        zip.start_file(name, opts).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    let z = zip_path.to_str().unwrap();
    let (code, out, err) = run(&[
        "audit", "--from", SCAN, "--db", z, "--policy", POLICY, "--format", "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let mut from_zip: Value = serde_json::from_str(&out).unwrap();
    let mut from_dir = report();
    assert_eq!(from_zip["database"]["path"], z);
    from_zip["database"]["path"] = Value::Null;
    from_dir["database"]["path"] = Value::Null;
    assert_eq!(from_zip, from_dir);
    // A folder holding the archive reads it too.
    let (code, out, _) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        dir.path().to_str().unwrap(),
        "--policy",
        POLICY,
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("17 findings"), "{out}");
    // A file that is not an archive is an error, not an empty database.
    let fake = dir.path().join("fake.zip");
    std::fs::write(&fake, "not a zip").unwrap();
    let (code, _, err) = run(&["audit", "--from", SCAN, "--db", fake.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a zip archive"), "{err}");
}

#[test]
fn output_to_a_file_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vex.cdx.json");
    let (code, out, _) = run(&[
        "audit",
        "--from",
        SCAN,
        "--db",
        DB,
        "--policy",
        POLICY,
        "--format",
        "cyclonedx-json",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, audit("cyclonedx-json").1);
}

#[test]
fn cyclonedx_vulnerabilities_point_at_components() {
    let (_, out, _) = audit("cyclonedx-json");
    let bom: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(bom["specVersion"], "1.6");
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .chain(std::iter::once(
            bom["metadata"]["component"]["bom-ref"].as_str().unwrap(),
        ))
        .collect();
    let vulns = bom["vulnerabilities"].as_array().unwrap();
    // Jinja2's issue is found in two components: one vulnerability, two affects.
    assert_eq!(vulns.len(), 16);
    for v in vulns {
        for a in v["affects"].as_array().unwrap() {
            assert!(
                refs.contains(&a["ref"].as_str().unwrap()),
                "{a} names a component"
            );
        }
    }
    let log4j = vulns
        .iter()
        .find(|v| v["id"] == "GHSA-jfh8-c2jp-5v3q")
        .unwrap();
    assert_eq!(log4j["recommendation"], "Upgrade to 2.15.0");
    assert_eq!(log4j["ratings"][0]["score"], 10.0);
    assert_eq!(log4j["ratings"][0]["method"], "CVSSv31");
    assert_eq!(log4j["cwes"], serde_json::json!([20, 400, 502, 917]));
    let jinja = vulns.iter().find(|v| v["id"] == "PYSEC-2021-66").unwrap();
    assert_eq!(jinja["affects"].as_array().unwrap().len(), 2);
    assert!(jinja["analysis"]["detail"]
        .as_str()
        .unwrap()
        .contains("urlize"));
    // The plain SBOM of the same scan is unchanged and is another document.
    let (_, sbom, _) = run(&["sbom", "--from", SCAN, "--format", "cyclonedx-json"]);
    let sbom: Value = serde_json::from_str(&sbom).unwrap();
    assert!(sbom.get("vulnerabilities").is_none());
    assert_ne!(sbom["serialNumber"], bom["serialNumber"]);
    assert_eq!(sbom["components"], bom["components"]);
}

#[test]
fn cyclonedx_output_passes_the_schema_and_the_cyclonedx_validator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.cdx.json");
    std::fs::write(&path, audit("cyclonedx-json").1).unwrap();
    validate_sboms(&[path]);
}

// ---------------------------------------------------------------------------------------
// ospo check --db

fn check(db: Option<&str>, format: &str) -> (i32, String, String) {
    let mut args = vec![
        "check", "--from", SCAN, "--policy", POLICY, "--format", format,
    ];
    if let Some(d) = db {
        args.extend(["--db", d]);
    }
    run(&args)
}

#[test]
fn check_with_db_golden_outputs() {
    for (format, file) in [
        ("human", "check-db.human.txt"),
        ("json", "check-db.json"),
        ("sarif", "check-db.sarif.json"),
        ("github", "check-db.github.txt"),
    ] {
        let (code, out, err) = check(Some(DB), format);
        assert_eq!(code, 1, "{format}: {err}");
        golden(file, &out);
    }
}

#[test]
fn check_db_puts_advisories_into_the_verdict_and_exit_code() {
    // The licenses of the clean scan all pass; its components have no findings: exit 0.
    let run_clean = |db: Option<&str>| {
        let mut args = vec![
            "check", "--from", CLEAN, "--policy", POLICY, "--format", "json",
        ];
        if let Some(d) = db {
            args.extend(["--db", d]);
        }
        run(&args)
    };
    let (code, plain, err) = run_clean(None);
    assert_eq!(code, 0, "{err}");
    let (code, with_db, _) = run_clean(Some(DB));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&with_db).unwrap();
    assert_eq!(v["advisories"]["summary"]["findings"], 0);
    assert!(
        !plain.contains("advisories"),
        "license-only output is unchanged"
    );
    // The full scan: licenses alone pass (warnings only), the advisories fail it.
    let (code, out, _) = check(None, "json");
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = check(Some(DB), "human");
    assert_eq!(code, 1);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("check FAILED:"), "{last}");
    assert!(
        last.contains("advisories (tests/fixtures/osv/db): 17 findings: 4 pass, 2 warn, 11 fail"),
        "{last}"
    );
    assert!(
        out.contains("fail: pkg:npm/minimist@1.2.5: GHSA-xvch-5gv4-984h / CVE-2021-44906: critical 9.8: Prototype Pollution in minimist"),
        "{out}"
    );
    let (code, _, err) = check(Some("tests/fixtures/osv/nope"), "human");
    assert_eq!(code, 2);
    assert!(err.contains("cannot read the OSV database"), "{err}");
}

#[test]
fn check_db_sarif_is_valid_sarif_2_1_0() {
    let text =
        std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap();
    // The same mend as tests/policy.rs: the schema's `run.language` pattern has a stray `]`.
    let stray = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(
        text.contains(stray),
        "the schema file changed: review this mend"
    );
    let text = text.replace(stray, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let (_, out, _) = check(Some(DB), "sarif");
    let sarif: Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    // Every result's ruleIndex points at its rule.
    let run = &sarif["runs"][0];
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][i]["id"], r["ruleId"]);
    }
}
