//! End-to-end tests of OS package databases in a root filesystem: dpkg (`status`,
//! distroless `status.d/`, `info/*.list`, DEP-5 copyright files) and Alpine apk, on real
//! databases and copyright files (tests/fixtures/os/README.md names their sources).

use std::fs;
use std::path::Path;

use crate::common::{component_by, components_of, fixture, ospo, scan_tree};
use serde_json::Value;

fn scan(root: &Path) -> Value {
    scan_tree(root)
}

fn components<'a>(v: &'a Value, ecosystem: &str) -> Vec<&'a Value> {
    components_of(v, ecosystem)
}

fn named<'a>(v: &'a Value, name: &str) -> &'a Value {
    component_by(v, "name", name)
}

/// Installed packages of a status file (what `dpkg-query -W` lists as installed).
fn installed_in(status: &str) -> Vec<String> {
    status
        .split("\n\n")
        .filter(|p| p.contains("Status: install ok installed"))
        .filter_map(|p| {
            p.lines()
                .find_map(|l| l.strip_prefix("Package: "))
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn debian_root_lists_every_installed_package_with_its_copyright_license() {
    let root = fixture("os/debian-root");
    let status = fs::read_to_string(root.join("var/lib/dpkg/status")).unwrap();
    let v = scan(&root);
    let debs = components(&v, "deb");
    let mut names: Vec<&str> = debs.iter().map(|c| c["name"].as_str().unwrap()).collect();
    names.sort();
    let mut want = installed_in(&status);
    want.sort();
    assert_eq!(names, want);

    // purl: vendor and distro from etc/os-release (a symlink into usr/lib), the epoch
    // kept in the version, the source package as `upstream`.
    let zlib = named(&v, "zlib1g");
    assert_eq!(
        zlib["purl"],
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib"
    );
    // A DEP-5 file is a declaration: `License: Zlib` in every Files paragraph.
    assert_eq!(zlib["declared"], "Zlib");
    assert_eq!(zlib["concluded"], "Zlib");
    // DEP-5's own syntax read as SPDX: `BSD-3-clause or GPL-2`, `Zlib`, `Expat`.
    let zstd = named(&v, "libzstd1");
    assert_eq!(
        zstd["declared"],
        "(BSD-3-Clause OR GPL-2.0-only) AND Zlib AND MIT"
    );
    let notes = zstd["notes"].to_string();
    assert!(notes.contains("`Expat` read as `MIT`"), "{notes}");
    // A free-form copyright file (glibc's) is left to detection.
    let libc = named(&v, "libc6");
    assert!(libc.get("declared").is_none(), "{libc:#}");
    assert!(
        libc["concluded"]
            .as_str()
            .unwrap()
            .contains("LGPL-2.1-or-later"),
        "{libc:#}"
    );
    assert_eq!(libc["path"], "usr/share/doc/libc6");

    // Files belong to the package whose info/*.list names them, through the merged-/usr
    // link (`/bin/gzexe` is listed, `usr/bin/gzexe` is on disk).
    let gzip = named(&v, "gzip");
    let gzexe = crate::common::file(&v, "usr/bin/gzexe").expect("gzexe recorded");
    assert_eq!(gzexe["component"], gzip["bom_ref"]);
    // dpkg's own record of a package is that package's, not the project's.
    let list = crate::common::file(&v, "var/lib/dpkg/info/base-files.list");
    if let Some(list) = list {
        assert_eq!(list["component"], named(&v, "base-files")["bom_ref"]);
    }

    // Depends are edges between installed packages.
    let ssl = named(&v, "libssl3");
    let edge = v["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == ssl["bom_ref"])
        .expect("libssl3 has dependencies");
    assert!(
        edge["to"]
            .as_array()
            .unwrap()
            .contains(&libc["bom_ref"].clone()),
        "{edge:#}"
    );
    let diag = v["diagnostics"].to_string();
    assert!(
        diag.contains(
            "13 dpkg package(s) installed (debian-12); 9 with a machine-readable copyright file"
        ),
        "{diag}"
    );
}

/// A `License:` name that is no SPDX license becomes a `LicenseRef-` whose extracted
/// text in the SPDX document is the DEP-5 file's standalone License paragraph (gzip's
/// `FSF-manpages`). Debian's `public-domain` is ScanCode's, the id detection gives a
/// dedication too, so a package's declared and detected licenses meet (dash).
#[test]
fn dep5_standalone_license_paragraph_is_the_extracted_text() {
    let root = fixture("os/debian-root");
    let out = ospo()
        .args([
            "sbom",
            root.to_str().unwrap(),
            "--format",
            "spdx-json",
            "--no-caches",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let manpages = doc["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["licenseId"] == "LicenseRef-FSF-manpages")
        .expect("LicenseRef-FSF-manpages extracted");
    let text = manpages["extractedText"].as_str().unwrap();
    assert!(
        text.starts_with("Permission is granted to make and distribute verbatim copies of"),
        "{text:?}"
    );
    let ids = doc["hasExtractedLicensingInfos"].to_string();
    assert!(!ids.contains("\"LicenseRef-public-domain\""), "{ids}");
    let dash = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "dash")
        .unwrap();
    assert_eq!(
        dash["externalRefs"][0]["referenceLocator"],
        "pkg:deb/debian/dash@0.5.12-2?arch=amd64&distro=debian-12"
    );
    let declared = dash["licenseDeclared"].as_str().unwrap();
    assert!(
        declared.contains("LicenseRef-scancode-public-domain"),
        "{declared}"
    );
}

/// Distroless images have no `status` but one file per package under `status.d/`,
/// without a Status field.
#[test]
fn distroless_status_d() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let src = fixture("os/debian-root");
    let status = fs::read_to_string(src.join("var/lib/dpkg/status")).unwrap();
    fs::create_dir_all(r.join("var/lib/dpkg/status.d")).unwrap();
    for para in status.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let name = para.lines().next().unwrap().trim_start_matches("Package: ");
        let body: String = para
            .lines()
            .filter(|l| !l.starts_with("Status:"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(r.join("var/lib/dpkg/status.d").join(name), body).unwrap();
        fs::write(r.join(format!("var/lib/dpkg/status.d/{name}.md5sums")), "").unwrap();
    }
    fs::create_dir_all(r.join("usr/share/doc/zlib1g")).unwrap();
    fs::copy(
        src.join("usr/share/doc/zlib1g/copyright"),
        r.join("usr/share/doc/zlib1g/copyright"),
    )
    .unwrap();
    let v = scan(r);
    assert_eq!(components(&v, "deb").len(), installed_in(&status).len());
    let zlib = named(&v, "zlib1g");
    assert_eq!(zlib["concluded"], "Zlib");
    // No os-release: Debian's namespace, no distro qualifier, and the SBOM says why.
    assert_eq!(
        zlib["purl"],
        "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib"
    );
    assert!(v["diagnostics"].to_string().contains("no etc/os-release"));
    // A package without its doc folder is said to have none.
    assert!(named(&v, "bash")["notes"]
        .to_string()
        .contains("no usr/share/doc/bash/copyright"));
}

/// Paths a package database names are resolved inside the OS tree, as a chroot would:
/// a copyright file linked to an absolute path names the tree's file of that path, never
/// the scanning machine's.
#[cfg(unix)]
#[test]
fn database_paths_never_leave_the_tree() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("copyright");
    fs::write(
        &secret,
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: MIT\n",
    )
    .unwrap();
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    fs::create_dir_all(r.join("var/lib/dpkg/info")).unwrap();
    fs::write(
        r.join("var/lib/dpkg/status"),
        "Package: evil\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n\n\
         Package: evil2\nStatus: install ok installed\nVersion: 1.0\nArchitecture: all\n",
    )
    .unwrap();
    fs::create_dir_all(r.join("usr/share/doc/evil")).unwrap();
    symlink(&secret, r.join("usr/share/doc/evil/copyright")).unwrap();
    symlink("../../../../../../../..", r.join("usr/share/doc/evil2")).unwrap();
    symlink(outside.path(), r.join("var/lib/dpkg/info/evil.list")).unwrap();
    symlink("/etc/os-release", r.join("etc")).ok();
    let v = scan(r);
    for name in ["evil", "evil2"] {
        let c = named(&v, name);
        assert!(c.get("declared").is_none(), "{c:#}");
        assert_eq!(c["concluded"], "NOASSERTION");
    }
}

#[test]
fn alpine_root_lists_apk_packages() {
    let root = fixture("os/alpine-root");
    let db = fs::read_to_string(root.join("lib/apk/db/installed")).unwrap();
    let v = scan(&root);
    let apks = components(&v, "apk");
    assert_eq!(
        apks.len(),
        db.lines().filter(|l| l.starts_with("P:")).count()
    );
    let tls = named(&v, "libretls");
    assert_eq!(
        tls["purl"],
        "pkg:apk/alpine/libretls@3.3.3-r2?arch=armv7&distro=alpine-3.14.0"
    );
    assert_eq!(tls["concluded"], "ISC AND (BSD-3-Clause OR MIT)");
    // An old space-separated license list: every license in it applies.
    let utils = named(&v, "musl-utils");
    assert_eq!(
        utils["concluded"],
        "MIT AND BSD-3-Clause AND GPL-2.0-or-later"
    );
    assert_eq!(
        utils["purl"],
        "pkg:apk/alpine/musl-utils@1.2.2-r3?arch=armv7&distro=alpine-3.14.0&upstream=musl"
    );
    // `D:so:libcrypto.so.1.1` is an edge to the package that provides it.
    let ssl = named(&v, "libssl1.1");
    let crypto = named(&v, "libcrypto1.1");
    let edge = v["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["from"] == ssl["bom_ref"])
        .unwrap();
    assert!(edge["to"]
        .as_array()
        .unwrap()
        .contains(&crypto["bom_ref"].clone()));
}
