//! End-to-end tests of the RubyGems, Composer, NuGet and Gradle ecosystems on real
//! lockfiles and installed metadata (tests/fixtures/ecosystems/README-lockfiles.md), and of
//! the warning for databases and lockfiles ospo cannot read yet.

use std::fs;

use crate::common::{component_by, components_of, fixture, ospo, run_json, scan_tree};
use serde_json::Value;

fn scan(rel: &str) -> Value {
    scan_tree(&fixture(rel))
}

fn of<'a>(v: &'a Value, eco: &str) -> Vec<&'a Value> {
    components_of(v, eco)
}

fn find<'a>(v: &'a Value, bom_ref: &str) -> &'a Value {
    component_by(v, "bom_ref", bom_ref)
}

fn edge_to(v: &Value, from: &str, to: &str) -> bool {
    v["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["from"] == from && e["to"].as_array().unwrap().iter().any(|t| t == to))
}

#[test]
fn gemfile_lock_and_installed_gemspec() {
    let lock = fs::read_to_string(fixture("ecosystems/ruby/fintoc/Gemfile.lock")).unwrap();
    // Every spec line (4 spaces, `name (version)`) of the GEM and PATH sections.
    let specs = lock
        .lines()
        .filter(|l| l.starts_with("    ") && !l.starts_with("     ") && l.contains(" ("))
        .count();
    let v = scan("ecosystems/ruby/fintoc");
    assert_eq!(of(&v, "gem").len(), specs);
    assert!(edge_to(
        &v,
        "pkg:gem/http@5.3.1",
        "pkg:gem/llhttp-ffi@0.5.1"
    ));
    // A platform gem keeps its platform in the version, as Bundler writes it.
    find(&v, "pkg:gem/ffi@1.17.2-arm64-darwin");

    let v = scan("ecosystems/ruby/installed");
    let rack = find(&v, "pkg:gem/rack@2.2.22");
    assert_eq!(rack["declared"], "MIT");
    assert_eq!(rack["homepage"], "https://github.com/rack/rack");
}

#[test]
fn composer_lock_with_dev_packages_and_edges() {
    let v = scan("ecosystems/composer/coarnotify");
    let lock: Value = serde_json::from_str(
        &fs::read_to_string(fixture("ecosystems/composer/coarnotify/composer.lock")).unwrap(),
    )
    .unwrap();
    let n =
        lock["packages"].as_array().unwrap().len() + lock["packages-dev"].as_array().unwrap().len();
    assert_eq!(of(&v, "composer").len(), n);
    let lexer = find(&v, "pkg:composer/doctrine/lexer@2.1.1");
    assert_eq!(lexer["concluded"], "MIT");
    assert_eq!(lexer["scope"], "required");
    assert!(edge_to(
        &v,
        "pkg:composer/doctrine/lexer@2.1.1",
        "pkg:composer/doctrine/deprecations@1.1.4"
    ));
    assert_eq!(
        find(&v, "pkg:composer/doctrine/instantiator@2.0.0")["scope"],
        "dev"
    );
}

#[test]
fn nuget_packages_lock_with_content_hashes() {
    let v = scan("ecosystems/nuget/pinner");
    assert_eq!(of(&v, "nuget").len(), 5);
    let octokit = find(&v, "pkg:nuget/Octokit@14.0.0");
    assert_eq!(octokit["hashes"][0]["alg"], "SHA-512");
    // base64 of the lockfile's contentHash, as hex.
    assert!(octokit["hashes"][0]["value"]
        .as_str()
        .unwrap()
        .starts_with("8c63ae4c"));
    // No license is stated anywhere offline: a known unknown, not a guess.
    assert_eq!(octokit["concluded"], "NOASSERTION");
}

#[test]
fn gradle_lockfile_modules_and_scopes() {
    let text = fs::read_to_string(fixture("ecosystems/gradle/maybe/gradle.lockfile")).unwrap();
    let modules = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("empty=") && !l.is_empty())
        .count();
    let v = scan("ecosystems/gradle/maybe");
    assert_eq!(of(&v, "maven").len(), modules);
    let jsr = find(&v, "pkg:maven/com.google.code.findbugs/jsr305@3.0.2");
    assert_eq!(jsr["name"], "com.google.code.findbugs:jsr305");
    assert_eq!(jsr["scope"], "required");
    // Only on test classpaths, or only a build tool's (checkstyle): dev.
    assert_eq!(
        find(&v, "pkg:maven/org.mockito/mockito-core@4.11.0")["scope"],
        "dev"
    );
    assert_eq!(
        find(&v, "pkg:maven/com.puppycrawl.tools/checkstyle@10.6.0")["scope"],
        "dev"
    );
}

/// An RPM database is seen and said to be unread, in the scan and on the terminal.
#[test]
fn rpm_database_is_a_warning_not_a_silent_gap() {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir_all(t.path().join("var/lib/rpm")).unwrap();
    fs::write(
        t.path().join("var/lib/rpm/rpmdb.sqlite"),
        b"SQLite format 3\0",
    )
    .unwrap();
    let (v, stderr) = run_json(&[
        "scan",
        t.path().to_str().unwrap(),
        "--format",
        "json",
        "--no-caches",
    ]);
    // Read now (tests/rpm.rs); one that cannot be read still says so, in every output.
    let want = "rpm database (SQLite): not an rpm database: file is not a database; its packages are missing from this inventory";
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"] == "var/lib/rpm/rpmdb.sqlite"
            && d["message"] == want
            && d["severity"] == "warning"));
    let out = ospo()
        .args(["sbom", t.path().to_str().unwrap(), "--no-caches"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(want),
        "{stderr}"
    );
}
