//! The kept component discovery, end to end: a warm rescan of an unchanged tree takes the
//! last discovery from the local cache, and any change to what discovery read (a manifest
//! edited, added or removed, a folder it probed for, a package cache outside the tree)
//! gives exactly the cold scan's result.

use std::path::Path;
use std::time::Duration;

use crate::common::ospo;

const CARGO_TOML: &str = r#"[package]
name = "app"
version = "0.1.0"
license = "MIT"

[dependencies]
foo = "1.0"
"#;

const CARGO_LOCK: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["foo"]

[[package]]
name = "foo"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// A small tree with manifests of three ecosystems and an installed gem's specification
/// (whose component has a folder only if `gems/rake-13.0` exists: a probe, not a file).
fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    write(r, "Cargo.toml", CARGO_TOML);
    write(r, "Cargo.lock", CARGO_LOCK);
    write(r, "src/main.rs", "fn main() {}\n");
    write(
        r,
        "package.json",
        r#"{"name": "web", "version": "1.0.0", "license": "ISC", "dependencies": {"left-pad": "1.3.0"}}"#,
    );
    write(
        r,
        "node_modules/left-pad/package.json",
        r#"{"name": "left-pad", "version": "1.3.0", "license": "WTFPL"}"#,
    );
    write(
        r,
        "ruby/3.2.0/specifications/rake-13.0.gemspec",
        "Gem::Specification.new do |s|\n  s.name = \"rake\"\n  s.version = \"13.0\"\n  s.licenses = [\"MIT\"]\nend\n",
    );
    write(r, "LICENSE", "MIT License\n\nCopyright (c) 2024 Someone\n");
    t
}

/// Files this new are racy (see tests/cache.rs): a discovery that read them is not kept.
fn age() {
    std::thread::sleep(Duration::from_millis(2100));
}

/// `ospo scan ROOT --format json -v` with `extra` flags and environment: (stdout, stderr).
fn scan(root: &Path, extra: &[&str], env: &[(&str, &Path)]) -> (Vec<u8>, String) {
    let mut cmd = ospo();
    cmd.env_remove("OSPO_NO_CACHE")
        .env_remove("OSPO_CACHE_URL")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["scan", "--format", "json", "-v"])
        .arg(root)
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    (out.stdout, stderr)
}

/// What the cache did with discovery, from the `-v` note.
fn discovery(stderr: &str) -> &str {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ospo: note: cache: component discovery "))
        .unwrap_or_else(|| panic!("no discovery note in: {stderr}"));
    if line.starts_with("from the local cache") {
        "reused"
    } else if line.starts_with("run and stored") {
        "stored"
    } else if line.starts_with("run, not stored") {
        "not stored"
    } else {
        panic!("unknown note: {line}")
    }
}

#[test]
fn a_changed_added_or_removed_manifest_or_a_probed_folder_is_a_fresh_discovery() {
    let t = tree();
    let root = t.path();
    let cache = tempfile::tempdir().unwrap();
    let flags = ["--no-caches", "--cache-dir", cache.path().to_str().unwrap()];
    let cold = || scan(root, &["--no-caches", "--no-cache"], &[]).0;
    // Each step: the warm scan is the cold scan of the tree as it is now.
    let step = |what: &str, expect: &[&str]| {
        let expected = cold();
        let (warm, err) = scan(root, &flags, &[]);
        assert_eq!(
            String::from_utf8_lossy(&warm),
            String::from_utf8_lossy(&expected),
            "{what}: warm differs from cold\n{err}"
        );
        assert!(expect.contains(&discovery(&err)), "{what}: {err}");
        expected
    };
    // Right after a change, the files changed are racy and the new discovery is not kept;
    // a slow machine may have let them age already.
    const RECENT: &[&str] = &["not stored", "stored"];

    age();
    let first = step("first scan", &["stored"]);
    assert!(String::from_utf8_lossy(&first).contains("pkg:npm/left-pad@1.3.0"));
    step("unchanged", &["reused"]);
    step("unchanged, again", &["reused"]);

    // A manifest edited: run again (not kept while the edit is recent), then kept.
    write(
        root,
        "Cargo.toml",
        &CARGO_TOML.replace("\"MIT\"", "\"Apache-2.0\""),
    );
    let edited = step("Cargo.toml edited", RECENT);
    assert_ne!(edited, first);
    age();
    step("after the edit, aged", &["stored", "reused"]);
    step("after the edit, unchanged", &["reused"]);

    // A manifest added, then one removed.
    write(
        root,
        "node_modules/is-odd/package.json",
        r#"{"name": "is-odd", "version": "3.0.1", "license": "MIT"}"#,
    );
    let added = step("package.json added", RECENT);
    assert!(String::from_utf8_lossy(&added).contains("pkg:npm/is-odd@3.0.1"));
    age();
    step("after the add, aged", &["stored", "reused"]);
    std::fs::remove_file(root.join("node_modules/left-pad/package.json")).unwrap();
    let removed = step("package.json removed", &["stored"]);
    assert!(!String::from_utf8_lossy(&removed).contains("pkg:npm/left-pad@1.3.0"));
    step("after the removal", &["reused"]);

    // A folder discovery only probes for (no file in it, so the walk sees nothing new):
    // the gem's component gets its folder.
    let before = cold();
    std::fs::create_dir_all(root.join("ruby/3.2.0/gems/rake-13.0")).unwrap();
    let probed = step("gem folder created", &["stored"]);
    assert_ne!(probed, before, "the probe changes the result");
    step("after the probe", &["reused"]);
    std::fs::remove_dir(root.join("ruby/3.2.0/gems/rake-13.0")).unwrap();
    assert_eq!(step("gem folder removed", &["stored"]), before);

    // --verify trusts no stat: discovery runs again.
    let (_, err) = scan(root, &[&flags[..], &["--verify"]].concat(), &[]);
    assert_eq!(discovery(&err), "stored", "{err}");
}

#[test]
fn a_package_cache_outside_the_tree_and_its_location_are_part_of_the_discovery() {
    let t = tree();
    let root = t.path();
    let home = tempfile::tempdir().unwrap();
    let other_home = tempfile::tempdir().unwrap();
    let crate_dir = "registry/src/index.crates.io-1949cf8c6b5b557f/foo-1.0.0";
    let foo = |license: &str| {
        format!("[package]\nname = \"foo\"\nversion = \"1.0.0\"\nlicense = \"{license}\"\n")
    };
    write(
        home.path(),
        &format!("{crate_dir}/Cargo.toml"),
        &foo("BSL-1.0"),
    );
    write(
        other_home.path(),
        &format!("{crate_dir}/Cargo.toml"),
        &foo("Zlib"),
    );
    age();
    let cache = tempfile::tempdir().unwrap();
    let flags = ["--cache-dir", cache.path().to_str().unwrap()];
    let run = |cargo_home: &Path, expect: &[&str]| {
        let env = [("CARGO_HOME", cargo_home)];
        let (expected, _) = scan(root, &["--no-cache"], &env);
        let (warm, err) = scan(root, &flags, &env);
        assert_eq!(
            String::from_utf8_lossy(&warm),
            String::from_utf8_lossy(&expected),
            "warm differs from cold\n{err}"
        );
        assert!(expect.contains(&discovery(&err)), "{err}");
        String::from_utf8_lossy(&warm).into_owned()
    };
    let bsl = run(home.path(), &["stored"]);
    assert!(bsl.contains("\"declared\": \"BSL-1.0\""), "{bsl}");
    run(home.path(), &["reused"]);
    // The crate's manifest in the package cache edited.
    write(
        home.path(),
        &format!("{crate_dir}/Cargo.toml"),
        &foo("BSD-3-Clause"),
    );
    let bsd = run(home.path(), &["not stored", "stored"]);
    assert!(bsd.contains("\"declared\": \"BSD-3-Clause\""), "{bsd}");
    // Another CARGO_HOME: another context.
    let zlib = run(other_home.path(), &["stored"]);
    assert!(zlib.contains("\"declared\": \"Zlib\""), "{zlib}");
}
