//! End-to-end tests of stages 3 and 4: components found in a tree, their licenses
//! concluded, dependency directories read despite .gitignore, malformed manifests.

use std::fs;
use std::path::Path;

use crate::common::{component_by, ospo, run_json};
use serde_json::Value;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn scan(root: &Path, extra: &[&str]) -> (Value, String) {
    let mut args = vec![
        "scan",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--no-caches",
    ];
    args.extend_from_slice(extra);
    run_json(&args)
}

fn component<'a>(v: &'a Value, bom_ref: &str) -> &'a Value {
    component_by(v, "bom_ref", bom_ref)
}

const MIT: &str = "MIT License\n\nCopyright (c) 2018 Example\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n";

/// node_modules ships with the product: it is read even though .gitignore lists it,
/// while the ignore rules keep applying to the project's own files.
#[test]
fn git_ignored_node_modules_is_still_read() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    write(r, ".gitignore", "node_modules/\nbuild/\n");
    write(
        r,
        "package.json",
        r#"{"name":"app","version":"1.0.0","license":"MIT","dependencies":{"left-pad":"^1.3.0"}}"#,
    );
    write(r, "LICENSE", MIT);
    write(
        r,
        "node_modules/left-pad/package.json",
        r#"{"name":"left-pad","version":"1.3.0","license":"WTFPL"}"#,
    );
    write(r, "node_modules/left-pad/LICENSE", MIT);
    write(r, "build/LICENSE", MIT);
    let (v, _) = scan(r, &[]);
    let dep = component(&v, "pkg:npm/left-pad@1.3.0");
    assert_eq!(dep["path"], "node_modules/left-pad");
    assert_eq!(dep["declared"], "WTFPL");
    // The package's LICENSE says MIT, its manifest WTFPL: both kept, flagged for review.
    assert_eq!(dep["concluded"], "WTFPL AND MIT");
    assert!(
        dep["review"][0]
            .as_str()
            .unwrap()
            .contains("node_modules/left-pad/LICENSE"),
        "{dep:#}"
    );
    let app = component(&v, "pkg:npm/app@1.0.0");
    assert_eq!(v["project"], "pkg:npm/app@1.0.0");
    assert_eq!(app["concluded"], "MIT");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"node_modules/left-pad/LICENSE"),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.starts_with("build/")),
        "ignored own files stay out: {paths:?}"
    );
    let deps = v["dependencies"].as_array().unwrap();
    assert!(
        deps.iter()
            .any(|e| e["from"] == "pkg:npm/app@1.0.0" && e["to"][0] == "pkg:npm/left-pad@1.3.0"),
        "{deps:?}"
    );
    // --exclude still wins over that.
    let (v, _) = scan(r, &["--exclude", "node_modules/**"]);
    assert!(!v["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"].as_str().unwrap().starts_with("node_modules/")));
}

/// Every kind of broken manifest is a diagnostic naming the file; the scan goes on.
#[test]
fn malformed_manifests_are_diagnostics_and_the_scan_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    write(r, "LICENSE", MIT);
    write(r, "Cargo.toml", "[package\nname = \"broken\"\n");
    write(r, "web/package.json", "[1, 2, 3]");
    write(r, "web2/package.json", "{ \"name\": \"x\", ");
    write(r, "pn/package.json", r#"{"name":"pn","version":"1.0.0"}"#);
    write(
        r,
        "pn/pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages: [unclosed\n",
    );
    write(
        r,
        "java/pom.xml",
        "<project><groupId>g</groupId><artifactId>a</artifactId>",
    );
    write(r, "py/pyproject.toml", "[project\nname = 1\n");
    write(r, "go/go.mod", "module\nrequire (\n");
    let (v, stderr) = scan(r, &[]);
    let diags = v["diagnostics"].as_array().unwrap();
    for file in [
        "Cargo.toml",
        "web/package.json",
        "web2/package.json",
        "pn/pnpm-lock.yaml",
        "java/pom.xml",
        "py/pyproject.toml",
        "go/go.mod",
    ] {
        assert!(
            diags.iter().any(|d| d["path"] == file),
            "no diagnostic for {file}: {diags:#?}"
        );
        assert!(
            stderr.contains(file),
            "stderr does not name {file}: {stderr}"
        );
    }
    // The rest of the tree was still scanned and resolved.
    let lic = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "LICENSE")
        .unwrap();
    assert_eq!(lic["licenses"][0]["expression"], "MIT");
    assert!(component(&v, "pkg:npm/pn@1.0.0")["bom_ref"].is_string());
}

/// `ospo scan` of this repository lists its own dependencies from Cargo.lock, with
/// licenses read from the local cargo registry cache where the sources are unpacked.
#[test]
fn this_repository_lists_its_dependencies_with_licenses() {
    let out = ospo()
        .args([
            "scan",
            ".",
            "--format",
            "json",
            "--exclude",
            "bench/**",
            "--exclude",
            "tests/**",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["project"],
        format!("pkg:cargo/ospo@{}", env!("CARGO_PKG_VERSION"))
    );
    let lock = fs::read_to_string(crate::common::root().join("Cargo.lock")).unwrap();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"serde_json\"\n"))
        .and_then(|p| p.lines().find(|l| l.starts_with("version = ")))
        .map(|l| {
            l.trim_start_matches("version = ")
                .trim_matches('"')
                .to_string()
        })
        .unwrap();
    let c = component(&v, &format!("pkg:cargo/serde_json@{version}"));
    assert_eq!(c["declared"], "MIT OR Apache-2.0");
    assert_eq!(c["concluded"], "MIT OR Apache-2.0");
    assert_eq!(c["scope"], "required");
    assert_eq!(c["hashes"][0]["alg"], "SHA-256");
    // Evidence from the unpacked sources, when this machine has them (cargo test built
    // them, so CI does; an offline vendored build might not).
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let unpacked = home
        .map(|h| h.join("registry/src"))
        .and_then(|src| fs::read_dir(src).ok())
        .map(|dirs| {
            dirs.flatten()
                .any(|d| d.path().join(format!("serde_json-{version}")).is_dir())
        })
        .unwrap_or(false);
    if unpacked {
        let ev = c["evidence"].as_array().unwrap();
        assert!(ev.iter().any(|e| e["expression"] == "MIT"), "{c:#}");
        assert!(ev.iter().any(|e| e["expression"] == "Apache-2.0"), "{c:#}");
    } else {
        eprintln!("note: serde_json-{version} is not unpacked in the cargo registry here; evidence not checked");
    }
}

/// An installed site-packages with no project manifest above it: the tree itself is the
/// project, and what nothing else depends on is its direct part, so every component is
/// connected to what an SBOM describes (alpha requires beta: beta stays transitive).
#[test]
fn a_tree_without_a_manifest_connects_its_installed_packages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site-packages/alpha-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: alpha\nVersion: 1.0\nLicense: MIT\nRequires-Dist: beta\n",
    );
    write(
        root,
        "site-packages/beta-2.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: beta\nVersion: 2.0\nLicense: BSD-3-Clause\n",
    );
    let (v, _) = scan(root, &[]);
    let project = v["project"].as_str().unwrap();
    assert!(project.starts_with("pkg:generic/"), "{project}");
    let to = |from: &str| -> Vec<String> {
        v["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["from"] == from)
            .flat_map(|e| e["to"].as_array().unwrap().iter())
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(to(project), ["pkg:pypi/alpha@1.0"]);
    assert_eq!(to("pkg:pypi/alpha@1.0"), ["pkg:pypi/beta@2.0"]);
    let notes = component(&v, project)["notes"].to_string();
    assert!(notes.contains("no project manifest at the root"), "{notes}");
}
