//! End-to-end tests of container images as input, without a daemon: an OCI layout made by
//! umoci (two layers, the second with whiteouts), the same image as skopeo's `docker save`
//! archive and OCI archive (tests/fixtures/image/SOURCES.md), and hostile archives built
//! here with the `tar` crate.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{fixture, ospo, run_json, validate_sboms};

/// The packages of the image by construction (SOURCES.md): layer 0 installs dash, gzip
/// and zlib1g and an npm package in /opt/app; layer 1 installs libacl1 and removes gzip
/// and /opt/app with whiteouts.
const LAYER0: &[&str] = &["dash", "zlib1g"];
const LAYER1: &[&str] = &["libacl1"];
const GONE: &[&str] = &["gzip", "left-behind"];

fn forms() -> Vec<String> {
    let f = |p: &str| fixture(p).to_str().unwrap().to_string();
    vec![
        f("image/oci"),
        format!("oci-dir:{}", f("image/oci")),
        f("image/oci-archive.tar"),
        f("image/docker-save.tar"),
    ]
}

fn scan(image: &str) -> (Value, String) {
    run_json(&["scan", image, "--format", "json", "--no-caches"])
}

/// The manifest the OCI layout's index.json names, read from the fixture itself.
fn oci_manifest() -> Value {
    let dir = fixture("image/oci");
    let index: Value = serde_json::from_slice(&fs::read(dir.join("index.json")).unwrap()).unwrap();
    let d = index["manifests"][0]["digest"].as_str().unwrap();
    let blob = dir
        .join("blobs/sha256")
        .join(d.strip_prefix("sha256:").unwrap());
    serde_json::from_slice(&fs::read(blob).unwrap()).unwrap()
}

#[test]
fn every_form_gives_the_packages_of_the_top_layer_with_their_layers() {
    let manifest = oci_manifest();
    let config = manifest["config"]["digest"].as_str().unwrap();
    let config_blob =
        fixture("image/oci/blobs/sha256").join(config.strip_prefix("sha256:").unwrap());
    assert_eq!(
        format!(
            "sha256:{}",
            hex::encode(Sha256::digest(fs::read(config_blob).unwrap()))
        ),
        config
    );
    for form in forms() {
        let (v, _) = scan(&form);
        assert_eq!(v["root"], form.as_str(), "the root is the image as given");
        let image = &v["image"];
        assert_eq!(image["config_digest"], config, "{form}");
        let layers: Vec<&str> = image["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(layers.len(), 2, "{form}");
        let mut debs: Vec<(&str, &str)> = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ecosystem"] == "deb")
            .map(|c| (c["name"].as_str().unwrap(), c["layer"].as_str().unwrap()))
            .collect();
        debs.sort();
        let mut want: Vec<(&str, &str)> = LAYER0
            .iter()
            .map(|n| (*n, layers[0]))
            .chain(LAYER1.iter().map(|n| (*n, layers[1])))
            .collect();
        want.sort();
        assert_eq!(debs, want, "{form}");
        let names: Vec<&str> = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        for gone in GONE {
            assert!(!names.contains(gone), "{gone} was whited out: {form}");
        }
        let paths: Vec<&str> = v["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert!(
            paths.contains(&"usr/share/doc/zlib1g/copyright"),
            "{paths:?}"
        );
        assert!(
            !paths
                .iter()
                .any(|p| p.starts_with("opt/") || p.contains("/gzip")),
            "whited-out files are gone: {paths:?}"
        );
        let zlib = v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "zlib1g")
            .unwrap();
        assert_eq!(zlib["concluded"], "Zlib");
    }
    // The docker archive names the image by its tag; the OCI layouts carry the manifest.
    let (docker, _) = scan(&forms()[3]);
    assert_eq!(docker["image"]["name"], "example.org/fixture/app:1.0");
    let (oci, _) = scan(&forms()[0]);
    assert!(oci["image"]["manifest_digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert_eq!(
        oci["image"]["layers"],
        serde_json::json!(manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["digest"].clone())
            .collect::<Vec<_>>())
    );
}

fn sbom(image: &str, format: &str) -> Vec<u8> {
    let out = ospo()
        .args(["sbom", image, "--no-caches", "-q", "--format", format])
        .env("SOURCE_DATE_EPOCH", "1733097600")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn image_sboms_are_valid_and_name_the_container_and_layers() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let docker = forms()[3].clone();
    // Every format of the docker archive; the OCI layout's in the default one.
    for (form, format, name) in [
        (&docker, "cyclonedx-json", "docker.cdx.json"),
        (&docker, "cyclonedx-xml", "docker.cdx.xml"),
        (&docker, "spdx-json", "docker.spdx.json"),
        (&docker, "spdx-tv", "docker.spdx"),
        (&forms()[0], "cyclonedx-json", "oci.cdx.json"),
    ] {
        let p = dir.path().join(name);
        fs::write(&p, sbom(form, format)).unwrap();
        files.push(p);
    }
    let cdx: Value = serde_json::from_slice(&fs::read(&files[0]).unwrap()).unwrap();
    let image = &cdx["metadata"]["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "example.org/fixture/app");
    assert_eq!(image["version"], "1.0");
    let config = oci_manifest()["config"]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        format!("sha256:{}", image["hashes"][0]["content"].as_str().unwrap()),
        config
    );
    assert!(image["purl"]
        .as_str()
        .unwrap()
        .starts_with("pkg:oci/app@sha256%3A"));
    let layer_of = |name: &str| -> String {
        let c = cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "ospo:layer")
            .map(|p| p["value"].as_str().unwrap().to_string())
            .unwrap()
    };
    let scanned = scan(&docker).0;
    assert_eq!(layer_of("libacl1"), scanned["image"]["layers"][1]);
    assert_eq!(layer_of("dash"), scanned["image"]["layers"][0]);
    let spdx: Value = serde_json::from_slice(&fs::read(&files[2]).unwrap()).unwrap();
    let container = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["primaryPackagePurpose"] == "CONTAINER")
        .expect("a CONTAINER package");
    assert_eq!(
        container["checksums"][0]["checksumValue"],
        image["hashes"][0]["content"]
    );
    // Same image, same epoch: the same bytes.
    assert_eq!(
        sbom(&docker, "cyclonedx-json"),
        fs::read(&files[0]).unwrap()
    );
    validate_sboms(&files);
}

#[test]
fn check_notice_and_report_read_images_too() {
    let image = forms()[2].clone();
    let out = ospo()
        .args(["notice", &image, "--no-caches", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("zlib1g") && !text.contains("left-behind"),
        "{text}"
    );
    let out = ospo()
        .args(["check", &image, "--no-caches", "-q", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.to_string().contains("libacl1"), "{v}");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("r.html");
    let out = ospo()
        .args(["report", &image, "--no-caches", "-q", "-o"])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(fs::read_to_string(&html).unwrap().contains("libacl1"));
}

/// A `docker save` archive with the given layers, each a list of (path, kind, data, link).
type Entry<'a> = (&'a str, tar::EntryType, &'a [u8], Option<&'a str>);

fn layer_tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, kind, data, link) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        // Raw names: `set_path` refuses what a hostile tool writes.
        h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        if let Some(l) = link {
            h.set_link_name(l).unwrap();
        }
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    b.into_inner().unwrap()
}

fn docker_archive(at: &Path, layers: &[Vec<u8>]) {
    let mut b = tar::Builder::new(fs::File::create(at).unwrap());
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_path(name).unwrap();
        h.set_cksum();
        b.append(&h, data).unwrap();
    };
    let config = br#"{"os":"linux","architecture":"amd64","rootfs":{"type":"layers"}}"#;
    add("config.json", config);
    let names: Vec<String> = (0..layers.len())
        .map(|i| format!("l{i}/layer.tar"))
        .collect();
    for (n, l) in names.iter().zip(layers) {
        add(n, l);
    }
    let manifest =
        serde_json::json!([{"Config": "config.json", "RepoTags": ["hostile:1"], "Layers": names}]);
    add("manifest.json", manifest.to_string().as_bytes());
    b.into_inner().unwrap();
}

fn private_tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn leftovers(tmp: &Path) -> Vec<PathBuf> {
    fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect()
}

#[test]
fn hostile_layers_are_skipped_with_a_warning_and_nothing_leaves_the_root() {
    use tar::EntryType as T;
    let work = tempfile::tempdir().unwrap();
    let tmp = private_tmp();
    let archive = work.path().join("hostile.tar");
    let l0 = layer_tar(&[
        ("../../escaped", T::Regular, b"x", None),
        ("/abs-file", T::Regular, b"x", None),
        ("etc", T::Symlink, b"", Some("/etc")),
        ("etc/passwd", T::Regular, b"root::0:0::/:/bin/sh\n", None),
        ("shadow", T::Link, b"", Some("/etc/shadow")),
        ("dev/sda", T::Block, b"", None),
        (
            "var/lib/dpkg/status",
            T::Regular,
            b"Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n",
            None,
        ),
    ]);
    docker_archive(&archive, &[l0]);
    let out = ospo()
        .args([
            "scan",
            archive.to_str().unwrap(),
            "--format",
            "json",
            "--no-caches",
        ])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for said in [
        "absolute path",
        "`..`",
        "inside a symbolic link",
        "hard link",
        "device",
    ] {
        assert!(err.contains(said), "`{said}` in {err}");
    }
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["components"].to_string().contains("pkg:deb/"),
        "the rest is read"
    );
    assert!(!work.path().join("escaped").exists() && !Path::new("/abs-file").exists());
    assert!(leftovers(tmp.path()).is_empty(), "the temp dir is removed");
}

#[test]
fn caps_tampering_and_bad_sizes_refuse_the_image_with_exit_2() {
    let tmp = private_tmp();
    let image = forms()[3].clone();
    let out = ospo()
        .args(["sbom", &image, "--max-image-size", "1K"])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expands to more than") && err.contains("--max-image-size"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert!(leftovers(tmp.path()).is_empty(), "removed on error too");

    let out = ospo()
        .args(["sbom", &image, "--max-image-size", "12Q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    // A layer blob changed by one byte no longer matches the manifest's digest.
    let copy = tempfile::tempdir().unwrap();
    crate::common::copy_tree(&fixture("image/oci"), copy.path());
    let layer = oci_manifest()["layers"][1]["digest"].as_str().unwrap()[7..].to_string();
    let blob = copy.path().join("blobs/sha256").join(layer);
    let mut bytes = fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&blob, bytes).unwrap();
    let out = ospo()
        .args(["sbom", copy.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match its digest"));

    let out = ospo()
        .args(["sbom", "oci-dir:/nonexistent-ospo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_an_image_scan_leaves_no_temp_dir() {
    use std::time::{Duration, Instant};
    let work = tempfile::tempdir().unwrap();
    let tmp = private_tmp();
    // Enough files that the scan is still running when the signal comes.
    let bodies: Vec<(String, Vec<u8>)> = (0..4000)
        .map(|i| {
            (
                format!("src/f{i}.c"),
                format!(
                    "/* Copyright {i} Example\n * Licensed under the MIT License. */\nint f{i};\n"
                )
                .into_bytes(),
            )
        })
        .collect();
    let entries: Vec<Entry<'_>> = bodies
        .iter()
        .map(|(p, b)| (p.as_str(), tar::EntryType::Regular, b.as_slice(), None))
        .collect();
    let archive = work.path().join("big.tar");
    docker_archive(&archive, &[layer_tar(&entries)]);
    let bin = assert_cmd::cargo::cargo_bin("ospo");
    let mut child = std::process::Command::new(bin)
        .args(["scan", archive.to_str().unwrap(), "-q", "-j", "1"])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while leftovers(tmp.path()).is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert!(
        !leftovers(tmp.path()).iter().any(|p| p.exists()),
        "{:?}",
        leftovers(tmp.path())
    );
    use std::os::unix::process::ExitStatusExt;
    assert!(
        status.code() == Some(130) || status.code() == Some(0),
        "stopped by the signal (130), or had already finished: {status:?} {:?}",
        status.signal()
    );
}
