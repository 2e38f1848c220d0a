//! End-to-end tests of native code bundled inside packages: C libraries carried as source
//! by `-sys` crates (real headers and license files, tests/fixtures/ecosystems/native/
//! SOURCES.md) and by npm packages built by node-gyp (tests/fixtures/ecosystems/node-gyp/
//! SOURCES.md), and shared libraries bundled in a wheel's `.libs` folder.

use std::fs;

use serde_json::Value;

use crate::common::{fixture, ospo, scan_tree, validate_sboms};

const TREE: &str = "tests/fixtures/ecosystems/native";

/// `#define NAME value` in a fixture header, read here independently of ospo.
fn define(rel: &str, name: &str) -> String {
    let text = fs::read_to_string(fixture("ecosystems/native").join(rel)).unwrap();
    text.lines()
        .find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some("#define") && w.next() == Some(name))
                .then(|| w.next().unwrap().trim_matches('"').to_string())
        })
        .unwrap()
}

fn by_name<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

#[test]
fn bundled_libraries_are_components_under_their_package() {
    let v = scan_tree(&fixture("ecosystems/native"));
    let zstd_h = "vendor/zstd-sys/zstd/lib/zstd.h";
    let want = [
        (
            "zstd",
            format!(
                "{}.{}.{}",
                define(zstd_h, "ZSTD_VERSION_MAJOR"),
                define(zstd_h, "ZSTD_VERSION_MINOR"),
                define(zstd_h, "ZSTD_VERSION_RELEASE")
            ),
            "zstd-sys",
        ),
        (
            "libgit2",
            define(
                "vendor/libgit2-sys/libgit2/include/git2/version.h",
                "LIBGIT2_VERSION",
            ),
            "libgit2-sys",
        ),
        (
            "sqlite",
            define("vendor/libsqlite3-sys/sqlite3/sqlite3.h", "SQLITE_VERSION"),
            "libsqlite3-sys",
        ),
        (
            "pcre2",
            format!(
                "{}.{}",
                define(
                    "vendor/libgit2-sys/libgit2/deps/pcre2/pcre2.h",
                    "PCRE2_MAJOR"
                ),
                define(
                    "vendor/libgit2-sys/libgit2/deps/pcre2/pcre2.h",
                    "PCRE2_MINOR"
                )
            ),
            "libgit2",
        ),
    ];
    for (name, version, parent) in &want {
        let c = by_name(&v, name);
        assert_eq!(c["version"], version.as_str(), "{name}");
        assert_eq!(
            c["parent"],
            by_name(&v, parent)["bom_ref"],
            "{name} is inside {parent}"
        );
        let deps = v["dependencies"].as_array().unwrap();
        assert!(
            deps.iter()
                .any(|e| e["from"] == c["parent"]
                    && e["to"].as_array().unwrap().contains(&c["bom_ref"])),
            "{parent} links {name}"
        );
    }
    assert!(by_name(&v, "zstd")["purl"]
        .as_str()
        .unwrap()
        .starts_with("pkg:github/facebook/zstd@"));
    assert!(by_name(&v, "sqlite")["purl"]
        .as_str()
        .unwrap()
        .starts_with("pkg:generic/sqlite@"));
    // Licenses from the library's own files, not its crate's manifest.
    assert_eq!(by_name(&v, "zstd")["concluded"], "BSD-3-Clause");
    assert_eq!(by_name(&v, "llhttp")["concluded"], "MIT");
    let zstd_license = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "vendor/zstd-sys/zstd/LICENSE")
        .unwrap();
    assert_eq!(zstd_license["component"], by_name(&v, "zstd")["bom_ref"]);

    // A wheel's bundled shared libraries: name and version from the file name.
    let numpy = by_name(&v, "numpy");
    for f in fs::read_dir(fixture(
        "ecosystems/native/venv/lib/python3.11/site-packages/numpy.libs",
    ))
    .unwrap()
    {
        let file = f.unwrap().file_name().into_string().unwrap();
        let name = file.split('-').next().unwrap();
        let c = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| {
                c["purl"]
                    .as_str()
                    .unwrap()
                    .contains(&file.replace('+', "%2B"))
            })
            .unwrap_or_else(|| panic!("{file} listed"));
        assert!(c["name"].as_str().unwrap().starts_with(name), "{file}: {c}");
        assert_eq!(c["parent"], numpy["bom_ref"]);
        assert!(file.contains(c["version"].as_str().unwrap()), "{file}");
    }
}

fn sbom(format: &str) -> Vec<u8> {
    let out = ospo()
        .args(["sbom", TREE, "--no-caches", "-q", "--format", format])
        .env("SOURCE_DATE_EPOCH", "1733097600")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    out.stdout
}

#[test]
fn cyclonedx_nests_them_and_spdx_says_contains() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (format, name) in [
        ("cyclonedx-json", "n.cdx.json"),
        ("cyclonedx-xml", "n.cdx.xml"),
        ("spdx-json", "n.spdx.json"),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, sbom(format)).unwrap();
        files.push(p);
    }
    let cdx: Value = serde_json::from_slice(&fs::read(&files[0]).unwrap()).unwrap();
    let top = cdx["components"].as_array().unwrap();
    let git2sys = top.iter().find(|c| c["name"] == "libgit2-sys").unwrap();
    let libgit2 = git2sys["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "libgit2")
        .expect("libgit2 nested in libgit2-sys");
    let inner: Vec<&str> = libgit2["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(inner, ["llhttp", "pcre2"], "its deps/ nested in it");
    assert!(!top
        .iter()
        .any(|c| c["name"] == "pcre2" || c["name"] == "zstd"));
    let spdx: Value = serde_json::from_slice(&fs::read(&files[2]).unwrap()).unwrap();
    let id = |name: &str| {
        spdx["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["SPDXID"]
            .clone()
    };
    assert!(spdx["relationships"].as_array().unwrap().iter().any(|r| {
        r["spdxElementId"] == id("zstd-sys")
            && r["relationshipType"] == "CONTAINS"
            && r["relatedSpdxElement"] == id("zstd")
    }));
    validate_sboms(&files);
}

/// npm packages built by node-gyp (real package files, trimmed:
/// tests/fixtures/ecosystems/node-gyp/SOURCES.md): what their `deps/` bundle.
#[test]
fn node_gyp_packages_bundle_their_deps_and_archives_are_only_named() {
    let gyp = "tests/fixtures/ecosystems/node-gyp";
    let v = scan_tree(&fixture("ecosystems/node-gyp"));
    let m = "node_modules";
    let sqlite_h = format!("{m}/better-sqlite3/deps/sqlite3/sqlite3.h");
    let text = fs::read_to_string(crate::common::root().join(gyp).join(&sqlite_h)).unwrap();
    let sqlite_version = text
        .lines()
        .find_map(|l| l.strip_prefix("#define SQLITE_VERSION "))
        .unwrap()
        .trim()
        .trim_matches('"')
        .to_string();
    for (name, version, parent, path) in [
        (
            "sqlite",
            Some(sqlite_version.as_str()),
            "better-sqlite3",
            "better-sqlite3/deps/sqlite3",
        ),
        (
            "leveldb",
            Some("1.20"),
            "leveldown",
            "leveldown/deps/leveldb/leveldb-1.20",
        ),
        (
            "snappy",
            Some("1.1.7"),
            "leveldown",
            "leveldown/deps/snappy/snappy",
        ),
    ] {
        let c = by_name(&v, name);
        assert_eq!(c["version"].as_str(), version, "{name}");
        assert_eq!(c["parent"], by_name(&v, parent)["bom_ref"], "{name}");
        assert_eq!(c["path"], format!("{m}/{path}"), "{name}");
    }
    // Licenses from the library's own folder, not its npm package's.
    assert_eq!(by_name(&v, "leveldb")["concluded"], "BSD-3-Clause");
    assert_eq!(by_name(&v, "leveldown")["concluded"], "MIT");
    // leveldown's own port of leveldb and better-sqlite3's patches are not libraries.
    let names: Vec<&str> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| ["port-libuv", "patches", "linux"].contains(n)),
        "{names:?}"
    );
    // node-sqlite3 carries SQLite as an archive: named in a note, never unpacked.
    let sqlite3 = by_name(&v, "sqlite3");
    assert!(sqlite3["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .contains(&format!("{m}/sqlite3/deps/sqlite-autoconf-3520000.tar.gz"))));
    assert!(!v.to_string().contains("sqlite-autoconf-3520000/"));

    // CycloneDX nests them under their package.
    let out = ospo()
        .args(["sbom", gyp, "--no-caches", "-q"])
        .env("SOURCE_DATE_EPOCH", "1733097600")
        .output()
        .unwrap();
    let cdx: Value = serde_json::from_slice(&out.stdout).unwrap();
    let leveldown = cdx["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "leveldown")
        .unwrap();
    let mut inner: Vec<&str> = leveldown["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    inner.sort();
    assert_eq!(inner, ["leveldb", "snappy"]);

    let out = ospo()
        .args(["list", gyp, "--no-caches", "--format", "csv"])
        .output()
        .unwrap();
    crate::common::assert_golden(
        "inventory/node-gyp.csv",
        &String::from_utf8(out.stdout).unwrap(),
    );
}
