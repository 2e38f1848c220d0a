//! End-to-end tests of NuGet licenses from `.nuspec` files: a packages.config solution's
//! `packages/` folder (nuspecs beside and inside real `.nupkg` files), a vendored global
//! packages folder with a lockfile, the global packages folder outside the tree as a
//! package cache, and hostile package folders (tests/fixtures/ecosystems/nuget/SOURCES.md).

use std::fs;
use std::io::Read;

use serde_json::Value;

use crate::common::{assert_golden, component_by, fixture, ospo, scan_tree};

const PACKAGES: &str = "ecosystems/nuget/packages-config";

/// The nuspec inside a fixture `.nupkg`, read here with the zip crate, independently of
/// ospo.
fn nuspec_in(nupkg: &str) -> String {
    let f = fs::File::open(fixture(PACKAGES).join(nupkg)).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    let name = z
        .file_names()
        .find(|n| n.ends_with(".nuspec"))
        .unwrap()
        .to_string();
    let mut s = String::new();
    z.by_name(&name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The text of `<tag>` in a nuspec.
fn tag(nuspec: &str, tag: &str) -> String {
    let start = nuspec.find(&format!("<{tag}")).unwrap();
    let open_end = start + nuspec[start..].find('>').unwrap() + 1;
    let close = open_end + nuspec[open_end..].find(&format!("</{tag}>")).unwrap();
    nuspec[open_end..close].to_string()
}

fn notes(c: &Value) -> String {
    c["notes"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|x| x.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[test]
fn packages_config_nuspecs_declare_licenses_and_name_license_files() {
    let v = scan_tree(&fixture(PACKAGES));
    let find = |r: &str| component_by(&v, "bom_ref", r);

    // licenseUrl of a well-known license page: that license, said in a note.
    for (r, nupkg, want) in [
        (
            "pkg:nuget/Sigil@4.7.0",
            "packages/Sigil.4.7.0/Sigil.4.7.0.nupkg",
            "MS-PL",
        ),
        (
            "pkg:nuget/StackExchange.Exceptional@1.0.130",
            "packages/StackExchange.Exceptional.1.0.130/StackExchange.Exceptional.1.0.130.nupkg",
            "MIT",
        ),
    ] {
        let url = tag(&nuspec_in(nupkg), "licenseUrl");
        let c = find(r);
        assert_eq!(c["declared"], want, "{url}");
        assert_eq!(c["concluded"], want);
        assert!(
            notes(c).contains(&format!("`{url}` read as `{want}`")),
            "{c:#}"
        );
        assert_eq!(c["path"], nupkg.rsplit_once('/').unwrap().0);
    }
    // NuGet 2's nuspec beside the package: the same.
    let dapper = find("pkg:nuget/Dapper@1.13");
    assert_eq!(dapper["declared"], "Apache-2.0");
    assert_eq!(dapper["supplier"], "Sam Saffron, Marc Gravell");
    assert_eq!(
        dapper["homepage"],
        "http://code.google.com/p/dapper-dot-net/"
    );

    // A licenseUrl that is a project's own file: the declared reference as it is, whole.
    let jil = find("pkg:nuget/Jil@2.15.0");
    let url = tag(
        &nuspec_in("packages/Jil.2.15.0/Jil.2.15.0.nupkg"),
        "licenseUrl",
    );
    assert_eq!(
        jil["declared"],
        "LicenseRef-https-github.com-kevin-montrose-Jil-blob-master-LICENSE"
    );
    assert_eq!(jil["declared_raw"], url.as_str());
    assert!(notes(jil).contains("not guessed"), "{jil:#}");

    // `<license type="file">`: that file is the evidence, whatever its name.
    let bootstrap = find("pkg:nuget/bootstrap@5.1.2");
    assert!(bootstrap.get("declared").is_none());
    assert_eq!(bootstrap["concluded"], "MIT");
    assert_eq!(
        bootstrap["evidence"][0]["path"],
        "packages/bootstrap.5.1.2/LICENSE.txt"
    );
    let mvc = find("pkg:nuget/Microsoft.AspNet.Mvc@5.2.9");
    let named = tag(
        &nuspec_in("packages/Microsoft.AspNet.Mvc.5.2.9/Microsoft.AspNet.Mvc.5.2.9.nupkg"),
        "license",
    );
    assert_eq!(named, "NET_Library_EULA_ENU.txt");
    assert_eq!(
        mvc["evidence"][0]["path"],
        format!("packages/Microsoft.AspNet.Mvc.5.2.9/{named}")
    );
    assert!(mvc["concluded"]
        .as_str()
        .unwrap()
        .starts_with("LicenseRef-scancode-ms-net-library"));
    // Its `https://aka.ms/deprecateLicenseUrl` beside the <license> is not a license.
    assert!(!mvc.to_string().contains("LicenseRef-https-aka.ms"));
    // The supplier is the nuspec's authors.
    assert_eq!(mvc["supplier"], "Microsoft");

    // Edges from the nuspecs' dependency groups, to the packages that are there.
    let deps = v["dependencies"].as_array().unwrap();
    assert!(deps.iter().any(|e| e["from"] == "pkg:nuget/Jil@2.15.0"
        && e["to"]
            .as_array()
            .unwrap()
            .contains(&"pkg:nuget/Sigil@4.7.0".into())));
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] != "warning"));

    let out = ospo()
        .args([
            "list",
            fixture(PACKAGES).to_str().unwrap(),
            "--no-caches",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_golden(
        "inventory/nuget-packages-config.csv",
        &String::from_utf8(out.stdout).unwrap(),
    );
}

#[test]
fn global_packages_folder_in_the_tree_and_as_a_package_cache() {
    // Vendored in the tree: the lockfile's component gets the nuspec and its folder.
    let v = scan_tree(&fixture("ecosystems/nuget/global"));
    let nuget: Vec<&Value> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ecosystem"] == "nuget")
        .collect();
    assert_eq!(nuget.len(), 1, "one component, not one per source");
    let nj = nuget[0];
    assert_eq!(nj["bom_ref"], "pkg:nuget/Newtonsoft.Json@13.0.1");
    assert_eq!(
        nj["hashes"][0]["alg"], "SHA-512",
        "the lockfile's hash kept"
    );
    assert_eq!(nj["declared"], "MIT");
    assert_eq!(nj["supplier"], "James Newton-King");
    assert_eq!(nj["homepage"], "https://www.newtonsoft.com/json");
    assert_eq!(nj["path"], ".nuget/packages/newtonsoft.json/13.0.1");
    assert_eq!(
        nj["evidence"][0]["path"],
        ".nuget/packages/newtonsoft.json/13.0.1/LICENSE.md"
    );

    // Outside the tree, `NUGET_PACKAGES` is a package cache, read like the cargo
    // registry's: the nuspec and the folder's license files, by absolute path.
    let t = tempfile::tempdir().unwrap();
    fs::copy(
        fixture("ecosystems/nuget/global/packages.lock.json"),
        t.path().join("packages.lock.json"),
    )
    .unwrap();
    let cache = fixture("ecosystems/nuget/global/.nuget/packages");
    let run = |extra: &[&str]| -> Value {
        let mut args = vec!["scan", t.path().to_str().unwrap(), "--format", "json"];
        args.extend_from_slice(extra);
        let out = ospo()
            .args(&args)
            .env("HOME", t.path())
            .env("NUGET_PACKAGES", &cache)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = run(&[]);
    let nj = component_by(&v, "bom_ref", "pkg:nuget/Newtonsoft.Json@13.0.1");
    assert_eq!(nj["declared"], "MIT");
    assert_eq!(nj["concluded"], "MIT");
    assert!(nj.get("path").is_none(), "its files are not in the tree");
    assert_eq!(
        nj["evidence"][0]["path"],
        cache
            .join("newtonsoft.json/13.0.1/LICENSE.md")
            .to_str()
            .unwrap()
    );
    // With caches off, nothing outside the tree is read: a known unknown again.
    let v = run(&["--no-caches"]);
    let nj = component_by(&v, "bom_ref", "pkg:nuget/Newtonsoft.Json@13.0.1");
    assert_eq!(nj["concluded"], "NOASSERTION");
}

#[test]
fn hostile_package_folders_are_warnings_and_nothing_leaves_the_tree() {
    let t = tempfile::tempdir().unwrap();
    let pkg = |name: &str| {
        let d = t.path().join("packages").join(name);
        fs::create_dir_all(&d).unwrap();
        d
    };
    // Not a zip; a zip without a nuspec; a nuspec that names a license file out of the
    // package and declares an entity bomb.
    fs::write(
        pkg("Junk.1.0.0").join("Junk.1.0.0.nupkg"),
        b"PK\x03\x04junk\0",
    )
    .unwrap();
    // An end record that claims a 2 GiB directory: refused before the zip reader sees it.
    let mut huge = b"PK\x05\x06\0\0\0\0\x01\0\x01\0".to_vec();
    huge.extend(0x7fff_ffffu32.to_le_bytes());
    huge.extend([0, 0, 0, 0, 0, 0]);
    fs::write(pkg("Huge.1.0.0").join("Huge.1.0.0.nupkg"), huge).unwrap();
    {
        let f = fs::File::create(pkg("Empty.1.0.0").join("Empty.1.0.0.nupkg")).unwrap();
        let mut z = zip::ZipWriter::new(f);
        z.start_file("lib/x.dll", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut z, b"MZ").unwrap();
        z.finish().unwrap();
    }
    fs::write(
        pkg("Evil.1.0.0").join("Evil.1.0.0.nuspec"),
        "<!DOCTYPE package [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>\
         <package><metadata><id>Evil</id><version>1.0.0</version><authors>&b;</authors>\
         <license type=\"file\">../../../../etc/passwd</license></metadata></package>",
    )
    .unwrap();
    let v = scan_tree(t.path());
    let warnings: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "warning")
        .map(|d| format!("{}: {}", d["path"], d["message"]))
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Junk.1.0.0.nupkg") && w.contains("no zip end record")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Empty.1.0.0.nupkg") && w.contains("without a nuspec")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("Huge.1.0.0.nupkg") && w.contains("zip directory is 2047 MiB")),
        "{warnings:?}"
    );
    let evil = component_by(&v, "bom_ref", "pkg:nuget/Evil@1.0.0");
    assert_eq!(evil["supplier"], "&b;", "the entity is never expanded");
    assert!(
        notes(evil).contains("outside the package; not read"),
        "{evil:#}"
    );
    assert!(evil.get("evidence").is_none());
}
