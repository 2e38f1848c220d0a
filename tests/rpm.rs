//! End-to-end tests of RPM's SQLite database in a root filesystem: a real rpmdb.sqlite made
//! by rpm 4.18 from the specs beside it (tests/fixtures/os/fedora-root/SOURCES.md), a
//! database with broken header blobs, and the formats that are not read.

use std::fs;
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{copy_tree, fixture, ospo, scan_tree, validate_sboms};

/// (name, version-release, epoch, License as the spec wrote it) of every spec.
fn specs() -> Vec<(String, String, Option<String>, String)> {
    let mut out = Vec::new();
    for e in fs::read_dir(fixture("os/fedora-specs")).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        let field = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(|v| v.trim().to_string())
        };
        out.push((
            field("Name").unwrap(),
            format!(
                "{}-{}",
                field("Version").unwrap(),
                field("Release").unwrap()
            ),
            field("Epoch"),
            field("License").unwrap(),
        ));
    }
    out.sort();
    out
}

fn rpms(v: &Value) -> Vec<&Value> {
    v["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ecosystem"] == "rpm")
        .collect()
}

fn sha(p: &Path) -> String {
    hex::encode(Sha256::digest(fs::read(p).unwrap()))
}

#[test]
fn every_installed_package_with_purl_license_files_and_edges() {
    let root = fixture("os/fedora-root");
    let db = root.join("var/lib/rpm/rpmdb.sqlite");
    let before = sha(&db);
    let v = scan_tree(&root);
    assert_eq!(sha(&db), before, "the database is not changed");
    let dir: Vec<String> = fs::read_dir(db.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        dir,
        ["rpmdb.sqlite"],
        "no -wal, -shm or lock file made beside it"
    );

    let mut got: Vec<(String, String)> = rpms(&v)
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["purl"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want = specs();
    assert_eq!(got.len(), want.len());
    for ((name, purl), (wname, vr, epoch, _)) in got.iter().zip(&want) {
        assert_eq!(name, wname);
        assert!(
            purl.starts_with(&format!("pkg:rpm/fedora/{name}@{vr}?arch=")),
            "{purl}"
        );
        assert!(purl.contains("distro=fedora-40"), "{purl}");
        assert!(
            purl.contains(&format!("upstream={name}-{vr}.src.rpm")),
            "{purl}"
        );
        assert_eq!(
            purl.contains("epoch="),
            epoch.is_some(),
            "epoch only where the spec has one: {purl}"
        );
    }
    let by = |n: &str| *rpms(&v).iter().find(|c| c["name"] == n).unwrap();
    // Fedora legacy names read as SPDX, with a note; an SPDX tag as it is.
    assert_eq!(by("hello-ospo")["declared"], "GPL-3.0-or-later");
    assert!(by("hello-ospo")["notes"].to_string().contains("GPLv3+"));
    assert_eq!(by("oldstyle")["declared"], "Apache-2.0");
    assert_eq!(by("oldstyle")["version"], "2:0.9-7");
    let tiny = by("tiny-lib");
    assert_eq!(tiny["declared"], "MIT AND (Apache-2.0 OR BSD-3-Clause)");
    assert_eq!(tiny["supplier"], "Fixture Project");
    // The database's file list gives the package its license file.
    let lic = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "usr/share/licenses/tiny-lib/LICENSE")
        .unwrap();
    assert_eq!(lic["component"], tiny["bom_ref"]);
    // Requires: tiny-lib.
    let edges = v["dependencies"].to_string();
    assert!(
        v["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["from"] == by("hello-ospo")["bom_ref"] && e["to"][0] == tiny["bom_ref"]),
        "{edges}"
    );
}

#[test]
fn rpm_sboms_pass_the_validators() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (format, name) in [
        ("cyclonedx-json", "rpm.cdx.json"),
        ("spdx-json", "rpm.spdx.json"),
    ] {
        let out = ospo()
            .args([
                "sbom",
                "tests/fixtures/os/fedora-root",
                "--no-caches",
                "-q",
                "--format",
                format,
            ])
            .env("SOURCE_DATE_EPOCH", "1733097600")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let p = dir.path().join(name);
        fs::write(&p, out.stdout).unwrap();
        files.push(p);
    }
    validate_sboms(&files);
}

#[test]
fn broken_headers_and_unread_formats_are_said_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    copy_tree(&fixture("os/fedora-root"), root);
    let db = root.join("var/lib/rpm/rpmdb.sqlite");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        // Garbage, a header claiming more entries than it has, an empty blob.
        for blob in [
            vec![0xffu8; 40],
            [0, 0, 0x10, 0, 0, 0, 0, 4].to_vec(),
            Vec::new(),
        ] {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
                .unwrap();
        }
    }
    fs::create_dir_all(root.join("old/var/lib/rpm")).unwrap();
    fs::write(root.join("old/var/lib/rpm/Packages"), b"\0\0\0\0bdb").unwrap();
    fs::create_dir_all(root.join("bad/var/lib/rpm")).unwrap();
    fs::write(
        root.join("bad/var/lib/rpm/rpmdb.sqlite"),
        b"not a database at all",
    )
    .unwrap();
    let v = scan_tree(root);
    assert_eq!(
        rpms(&v).len(),
        specs().len(),
        "the good headers are still read"
    );
    let diags = v["diagnostics"].to_string();
    assert!(diags.contains("3 rpm header(s) unreadable"), "{diags}");
    assert!(
        diags.contains("Berkeley DB") && diags.contains("not read"),
        "{diags}"
    );
    assert!(diags.contains("bad/var/lib/rpm/rpmdb.sqlite"), "{diags}");
}
