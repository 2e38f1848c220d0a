use super::check::*;
use super::*;

fn db(records: &[serde_json::Value]) -> Database {
    let mut d = Database::default();
    for r in records {
        d.add(serde_json::from_value(r.clone()).unwrap());
    }
    d
}

fn comp(purl: &str) -> Component {
    let p = packageurl::PackageUrl::from_str(purl).unwrap();
    Component {
        bom_ref: purl.to_string(),
        name: p.name().to_string(),
        version: p.version().map(str::to_string),
        purl: Some(purl.to_string()),
        ecosystem: p.ty().into(),
        concluded: crate::model::NOASSERTION.into(),
        ..Default::default()
    }
}

fn run(d: &Database, purls: &[&str]) -> Audit {
    let scan = Scan {
        components: purls.iter().map(|p| comp(p)).collect(),
        ..Default::default()
    };
    audit(&scan, d)
}

fn rec(id: &str, eco: &str, name: &str, events: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "affected": [{"package": {"ecosystem": eco, "name": name},
                      "ranges": [{"type": "ECOSYSTEM", "events": events}]}]
    })
}

fn hit(d: &Database, purl: &str) -> bool {
    !run(d, &[purl]).findings.is_empty()
}

#[test]
fn names_normalize_per_ecosystem() {
    assert_eq!(Ecosystem::PyPI.normalize_name("Jinja2"), "jinja2");
    assert_eq!(
        Ecosystem::PyPI.normalize_name("Zope.Interface__x"),
        "zope-interface-x"
    );
    assert_eq!(
        Ecosystem::CratesIo.normalize_name("Serde_JSON"),
        "serde-json"
    );
    assert_eq!(
        Ecosystem::Go.normalize_name("github.com/Foo/Bar"),
        "github.com/Foo/Bar"
    );
    let c = comp("pkg:npm/%40babel/traverse@7.0.0");
    assert_eq!(identify(&c).unwrap().1, "@babel/traverse");
    let c = comp("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    assert_eq!(
        identify(&c).unwrap().1,
        "org.apache.logging.log4j:log4j-core"
    );
    let c = comp("pkg:golang/golang.org/x/crypto@v0.0.0-20200101000000-aaaaaaaaaaaa");
    assert_eq!(identify(&c).unwrap().1, "golang.org/x/crypto");
}

#[test]
fn last_affected_limit_and_explicit_versions() {
    let d = db(&[
        rec(
            "X-1",
            "crates.io",
            "a",
            serde_json::json!([{"introduced": "0"}, {"last_affected": "0.9.6"}]),
        ),
        rec(
            "X-2",
            "crates.io",
            "b",
            serde_json::json!([{"introduced": "1.0.0"}, {"limit": "1.5.0"}]),
        ),
        serde_json::json!({"id": "X-3", "affected": [{"package": {"ecosystem": "crates.io", "name": "c"}, "versions": ["0.3.1"]}]}),
    ]);
    assert!(hit(&d, "pkg:cargo/a@0.9.6"));
    assert!(!hit(&d, "pkg:cargo/a@0.9.7"));
    assert!(hit(&d, "pkg:cargo/b@1.4.9"));
    assert!(!hit(&d, "pkg:cargo/b@1.5.0"));
    assert!(!hit(&d, "pkg:cargo/b@0.9.0"));
    assert!(hit(&d, "pkg:cargo/c@0.3.1"));
    assert!(!hit(&d, "pkg:cargo/c@0.3.2"));
}

#[test]
fn several_ranges_and_the_first_fix_above() {
    let d = db(&[serde_json::json!({
        "id": "GHSA-jfh8-c2jp-5v3q",
        "affected": [
            {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.13.0"}, {"fixed": "2.15.0"}]}]},
            {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.1"}]}]},
            {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.4"}, {"fixed": "2.12.2"}]}]}
        ]
    })]);
    let a = run(
        &d,
        &["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
    );
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].fixed_in.as_deref(), Some("2.15.0"));
    let a = run(
        &d,
        &["pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9"],
    );
    assert_eq!(a.findings[0].fixed_in.as_deref(), Some("2.3.1"));
    assert!(!hit(
        &d,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2"
    ));
    assert!(!hit(
        &d,
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"
    ));
}

#[test]
fn aliases_merge_into_one_finding() {
    let mut a = rec(
        "GHSA-aaaa-bbbb-cccc",
        "PyPI",
        "Foo",
        serde_json::json!([{"introduced": "0"}, {"fixed": "2.0"}]),
    );
    a["aliases"] = serde_json::json!(["CVE-2020-0001"]);
    let mut b = rec(
        "PYSEC-2020-1",
        "PyPI",
        "foo",
        serde_json::json!([{"introduced": "0"}, {"fixed": "1.5"}]),
    );
    b["aliases"] = serde_json::json!(["CVE-2020-0001"]);
    let c = rec(
        "PYSEC-2020-2",
        "PyPI",
        "foo",
        serde_json::json!([{"introduced": "0"}]),
    );
    let d = db(&[a, b, c]);
    let out = run(&d, &["pkg:pypi/foo@1.0"]);
    assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
    assert_eq!(
        out.findings[0].ids,
        vec!["PYSEC-2020-1", "GHSA-aaaa-bbbb-cccc", "CVE-2020-0001"]
    );
    assert_eq!(out.findings[0].fixed_in.as_deref(), Some("1.5"));
    assert_eq!(out.findings[1].ids, vec!["PYSEC-2020-2"]);
    assert_eq!(out.findings[1].fixed_in, None);
}

#[test]
fn an_unreadable_version_matches_exact_versions_only() {
    let mut r = rec(
        "GHSA-x",
        "npm",
        "odd",
        serde_json::json!([{"introduced": "0"}]),
    );
    r["affected"][0]["versions"] = serde_json::json!(["nightly-7"]);
    let d = db(&[r]);
    let a = run(&d, &["pkg:npm/odd@nightly-7", "pkg:npm/odd@nightly-8"]);
    assert_eq!(a.findings.len(), 1);
    assert_eq!(a.findings[0].version, "nightly-7");
    assert_eq!(a.diagnostics.len(), 2, "{:?}", a.diagnostics);
    assert!(a.diagnostics[0].message.contains("is not a npm version"));
}

#[test]
fn withdrawn_records_are_skipped() {
    let mut r = rec(
        "GHSA-wwww-wwww-wwww",
        "npm",
        "x",
        serde_json::json!([{"introduced": "0"}]),
    );
    r["withdrawn"] = serde_json::json!("2024-01-01T00:00:00Z");
    let d = db(&[r]);
    assert_eq!(d.stats.withdrawn, 1);
    assert!(!hit(&d, "pkg:npm/x@1.0.0"));
}

#[test]
fn severity_from_vectors_else_words() {
    let mut a = rec(
        "GHSA-1",
        "npm",
        "x",
        serde_json::json!([{"introduced": "0"}]),
    );
    a["severity"] = serde_json::json!([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]);
    a["database_specific"] = serde_json::json!({"severity": "LOW"});
    let mut b = rec(
        "GHSA-2",
        "npm",
        "y",
        serde_json::json!([{"introduced": "0"}]),
    );
    b["severity"] = serde_json::json!([{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]);
    b["database_specific"] = serde_json::json!({"severity": "MODERATE"});
    let c = rec(
        "GHSA-3",
        "npm",
        "z",
        serde_json::json!([{"introduced": "0"}]),
    );
    let d = db(&[a, b, c]);
    let out = run(
        &d,
        &["pkg:npm/x@1.0.0", "pkg:npm/y@1.0.0", "pkg:npm/z@1.0.0"],
    );
    let sev: Vec<(Severity, Option<f32>)> = out
        .findings
        .iter()
        .map(|f| (f.severity, f.cvss_score))
        .collect();
    assert_eq!(
        sev,
        vec![
            (Severity::Critical, Some(9.8)),
            (Severity::Medium, None),
            (Severity::Unknown, None)
        ]
    );
    assert_eq!(out.findings[1].ratings[0].method, "CVSSv4");
}
