use super::*;

use crate::model::Severity;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    crate::ecosystem::fixture_dir("python", name)
}

fn run_at(root: &Path) -> Found {
    crate::ecosystem::with_context(root, false, discover)
}

fn run(name: &str) -> Found {
    run_at(&fixture(name))
}

fn comp<'a>(f: &'a Found, purl: &str) -> &'a Component {
    f.components
        .iter()
        .find(|c| c.bom_ref == purl)
        .unwrap_or_else(|| {
            panic!(
                "no {purl} in {:#?}",
                f.components.iter().map(|c| &c.bom_ref).collect::<Vec<_>>()
            )
        })
}

fn edges_of(f: &Found, from: &str) -> Vec<String> {
    f.edges
        .iter()
        .find(|e| e.from == from)
        .map(|e| e.to.clone())
        .unwrap_or_default()
}

fn sha256(v: &str) -> Hash {
    Hash {
        alg: "SHA-256".into(),
        value: v.into(),
    }
}

#[test]
fn names_are_pep503_normalized() {
    assert_eq!(normalize_name("Zope.Interface"), "zope-interface");
    assert_eq!(normalize_name("typing__extensions"), "typing-extensions");
    assert_eq!(normalize_name("Demo_UV.App"), "demo-uv-app");
    assert_eq!(
        purl("python_dateutil", Some("2.9.0.post0")).unwrap(),
        "pkg:pypi/python-dateutil@2.9.0.post0"
    );
}

#[test]
fn installed_distributions_in_a_virtualenv() {
    let f = run("venv-project");
    let sp = ".venv/lib/python3.11/site-packages";
    // The project at the root (PEP 621 + PEP 639).
    let root = comp(&f, "pkg:pypi/acme-fetcher@2.1.0");
    assert_eq!(f.roots, vec![root.bom_ref.clone()]);
    assert_eq!(root.name, "Acme.Fetcher");
    assert_eq!(root.declared_raw.as_deref(), Some("Apache-2.0"));
    assert_eq!(root.path.as_deref(), Some(""));
    assert_eq!(root.supplier.as_deref(), Some("Acme Open Source"));
    assert_eq!(
        root.homepage.as_deref(),
        Some("https://acme.example/fetcher")
    );

    // License-Expression (PEP 639) wins; path is the dist-info dir.
    let c = comp(&f, "pkg:pypi/cryptography@50.0.2");
    assert_eq!(
        c.declared_raw.as_deref(),
        Some("Apache-2.0 OR BSD-3-Clause")
    );
    assert_eq!(
        c.path.as_deref(),
        Some(&*format!("{sp}/cryptography-50.0.2.dist-info"))
    );
    assert_eq!(c.ecosystem, "pypi");
    assert_eq!(c.concluded, crate::model::NOASSERTION);
    assert_eq!(c.scope, Some(Scope::Required));

    // Only classifiers: kept as written (the resolver maps them, as a guess).
    let c = comp(&f, "pkg:pypi/itsdangerous@2.2.0");
    assert_eq!(
        c.declared_raw.as_deref(),
        Some("License :: OSI Approved :: BSD License")
    );
    assert_eq!(
        c.scope,
        Some(Scope::Optional),
        "reached through [project.optional-dependencies]"
    );

    // "License: Dual License" names no license: the classifiers say which two.
    let c = comp(&f, "pkg:pypi/python-dateutil@2.9.0.post0");
    assert_eq!(c.name, "python-dateutil");
    assert_eq!(
        c.declared_raw.as_deref(),
        Some(
            "License :: OSI Approved :: BSD License; License :: OSI Approved :: Apache \
             Software License"
        )
    );
    assert_eq!(c.scope, Some(Scope::Dev), "dependency-groups");
    assert_eq!(
        comp(&f, "pkg:pypi/six@1.17.0").scope,
        Some(Scope::Dev),
        "only reached through a dev dependency"
    );

    // License field holding a whole license text: classifiers instead, and said so.
    let c = comp(&f, "pkg:pypi/scipy@1.11.4");
    assert_eq!(
        c.declared_raw.as_deref(),
        Some("License :: OSI Approved :: BSD License")
    );
    assert!(f.diagnostics.iter().any(|d| d.severity == Severity::Info
        && d.path.as_deref() == Some(&*format!("{sp}/scipy-1.11.4.dist-info/METADATA"))
        && d.message.contains("license text")));

    // egg-info PKG-INFO; a short License that names a license is kept as written.
    let c = comp(&f, "pkg:pypi/simplejson@3.19.2");
    assert_eq!(c.declared_raw.as_deref(), Some("MIT License"));
    assert_eq!(
        c.path.as_deref(),
        Some(&*format!("{sp}/simplejson-3.19.2-py3.11.egg-info"))
    );
    assert_eq!(c.supplier.as_deref(), Some("Bob Ippolito"));

    // requests: License field, Requires-Dist resolved to the installed versions; the
    // `socks` extra's PySocks is not installed, so no edge.
    let r = comp(&f, "pkg:pypi/requests@2.34.2");
    assert_eq!(r.declared_raw.as_deref(), Some("Apache-2.0"));
    assert_eq!(r.supplier.as_deref(), Some("Kenneth Reitz"));
    assert_eq!(
        edges_of(&f, &r.bom_ref),
        vec![
            "pkg:pypi/certifi@2026.10.19.post1",
            "pkg:pypi/charset-normalizer@3.5.2",
            "pkg:pypi/idna@3.20",
            "pkg:pypi/urllib3@2.8.0",
        ]
    );
    assert_eq!(
        comp(&f, "pkg:pypi/urllib3@2.8.0").scope,
        Some(Scope::Required)
    );
    let root_edges = edges_of(&f, &root.bom_ref);
    assert_eq!(
        root_edges,
        vec![
            "pkg:pypi/cryptography@50.0.2",
            "pkg:pypi/itsdangerous@2.2.0",
            "pkg:pypi/python-dateutil@2.9.0.post0",
            "pkg:pypi/requests@2.34.2",
        ]
    );
    // pandas/pyproject.toml inside site-packages is not a project.
    assert!(!f.components.iter().any(|c| c.name == "pandas"));
    assert!(
        f.diagnostics
            .iter()
            .all(|d| d.severity != Severity::Warning),
        "{:#?}",
        f.diagnostics
    );
    assert_eq!(f.components.len(), 12);
}

#[test]
fn uv_lock_with_forked_resolution() {
    let f = run("uv");
    let root = "pkg:pypi/demo-uv-app@0.3.0";
    assert_eq!(f.roots, vec![root]);
    let r = comp(&f, root);
    assert_eq!(
        r.name, "Demo_UV.App",
        "the display name from pyproject.toml"
    );
    assert_eq!(r.declared_raw.as_deref(), Some("MIT OR Apache-2.0"));
    assert_eq!(r.homepage.as_deref(), Some("https://example.org/demo-uv"));
    let a = comp(&f, "pkg:pypi/attrs@26.1.0");
    assert_eq!(
        a.hashes,
        vec![sha256(
            "d03ceb89cb322a8fd706d4fb91940737b6642aa36998fe130a9bc96c985eff32"
        )]
    );
    assert_eq!(a.scope, Some(Scope::Required));
    // Two versions of python-dateutil, for different Pythons: both, each with its deps.
    assert_eq!(
        edges_of(&f, "pkg:pypi/python-dateutil@3.0.0"),
        vec!["pkg:pypi/six@1.17.0", "pkg:pypi/tzdata@2026.6"]
    );
    assert_eq!(
        edges_of(&f, "pkg:pypi/python-dateutil@4.0.0"),
        vec!["pkg:pypi/tzdata@2026.6"]
    );
    assert_eq!(
        edges_of(&f, root),
        vec![
            "pkg:pypi/attrs@26.1.0",
            "pkg:pypi/idna@3.20",
            "pkg:pypi/iniconfig@2.3.1",
            "pkg:pypi/python-dateutil@3.0.0",
            "pkg:pypi/python-dateutil@4.0.0",
        ]
    );
    assert_eq!(comp(&f, "pkg:pypi/six@1.17.0").scope, Some(Scope::Required));
    assert_eq!(comp(&f, "pkg:pypi/idna@3.20").scope, Some(Scope::Optional));
    assert_eq!(comp(&f, "pkg:pypi/iniconfig@2.3.1").scope, Some(Scope::Dev));
    assert_eq!(f.components.len(), 8);
    assert!(f.diagnostics.is_empty(), "{:#?}", f.diagnostics);
}

#[test]
fn poetry_lock_groups_and_files() {
    let f = run("poetry");
    let root = "pkg:pypi/poetry-demo@1.2.0";
    assert_eq!(f.roots, vec![root]);
    assert_eq!(comp(&f, root).declared_raw.as_deref(), Some("BSD-3-Clause"));
    assert_eq!(comp(&f, root).supplier.as_deref(), Some("Demo Dev"));
    let idna = comp(&f, "pkg:pypi/idna@3.20");
    assert_eq!(idna.scope, Some(Scope::Optional));
    // The sdist's hash, though the wheel is listed first.
    assert_eq!(
        idna.hashes,
        vec![sha256(
            "a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44"
        )]
    );
    let tz = comp(&f, "pkg:pypi/tzdata@2026.6");
    assert_eq!(
        tz.hashes,
        vec![sha256(
            "0a10eec6e13ef16b627fabed9a5f2ba61a62b1c67f327305f4e7e412a70b4aec"
        )]
    );
    assert_eq!(comp(&f, "pkg:pypi/iniconfig@2.3.1").scope, Some(Scope::Dev));
    assert_eq!(
        comp(&f, "pkg:pypi/python-dateutil@4.0.0").scope,
        Some(Scope::Required)
    );
    assert_eq!(
        edges_of(&f, "pkg:pypi/python-dateutil@4.0.0"),
        vec!["pkg:pypi/tzdata@2026.6"]
    );
    assert_eq!(
        edges_of(&f, root),
        vec![
            "pkg:pypi/idna@3.20",
            "pkg:pypi/iniconfig@2.3.1",
            "pkg:pypi/python-dateutil@4.0.0"
        ]
    );
    assert_eq!(f.components.len(), 5);
}

#[test]
fn poetry_lock_legacy_format() {
    let f = run("poetry-legacy");
    assert!(f.roots.is_empty());
    let six = comp(&f, "pkg:pypi/six@1.17.0");
    assert_eq!(six.scope, Some(Scope::Dev), "category = dev");
    assert_eq!(
        six.hashes,
        vec![sha256(
            "ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81"
        )]
    );
    let attrs = comp(&f, "pkg:pypi/attrs@26.1.0");
    assert_eq!(attrs.scope, Some(Scope::Required));
    assert_eq!(
        attrs.hashes,
        vec![sha256(
            "c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309"
        )]
    );
}

#[test]
fn requirements_pins_hashes_and_includes() {
    let f = run("requirements");
    let attrs = comp(&f, "pkg:pypi/attrs@26.1.0");
    assert_eq!(
        attrs.hashes,
        vec![
            sha256("c647aa4a12dfbad9333ca4e71fe62ddc36f4e63b2d260a37a8b83d2f043ac309"),
            sha256("d03ceb89cb322a8fd706d4fb91940737b6642aa36998fe130a9bc96c985eff32"),
        ]
    );
    assert_eq!(
        attrs.scope,
        Some(Scope::Required),
        "also included by requirements-dev.txt"
    );
    let r = comp(&f, "pkg:pypi/requests@2.34.2");
    assert!(r.hashes.is_empty());
    assert_eq!(
        comp(&f, "pkg:pypi/zope-interface@7.2").name,
        "Zope.Interface"
    );
    // Through `-r requirements/base.txt` (not itself a manifest), relative to the file.
    assert_eq!(comp(&f, "pkg:pypi/six@1.17.0").hashes.len(), 1);
    assert_eq!(
        comp(&f, "pkg:pypi/typing-extensions@4.16.0").scope,
        Some(Scope::Required)
    );
    assert_eq!(comp(&f, "pkg:pypi/pytest@9.2.0").scope, Some(Scope::Dev));
    assert_eq!(comp(&f, "pkg:pypi/iniconfig@2.3.1").scope, Some(Scope::Dev));
    assert_eq!(
        f.components.len(),
        7,
        "{:#?}",
        f.components.iter().map(|c| &c.bom_ref).collect::<Vec<_>>()
    );
    let diag = |path: &str, sev: Severity, text: &str| {
        f.diagnostics.iter().any(|d| {
            d.path.as_deref() == Some(path) && d.severity == sev && d.message.contains(text)
        })
    };
    assert!(diag(
        "requirements.txt",
        Severity::Info,
        "1 requirement(s) without an exact"
    ));
    assert!(diag(
        "requirements.txt",
        Severity::Info,
        "3 editable, URL or path"
    ));
    assert!(
        diag(
            "requirements-dev.txt",
            Severity::Info,
            "1 requirement(s) without"
        ),
        "numpy==2.*"
    );
    assert!(diag(
        "requirements-dev.txt",
        Severity::Warning,
        "not a requirement"
    ));
    // Each file's diagnostics once, however often it is included.
    assert_eq!(
        f.diagnostics
            .iter()
            .filter(|d| d.path.as_deref() == Some("requirements.txt"))
            .count(),
        2
    );
}

#[test]
fn pipfile_lock() {
    let f = run("pipfile");
    let idna = comp(&f, "pkg:pypi/idna@3.20");
    assert_eq!(idna.scope, Some(Scope::Required));
    assert_eq!(idna.hashes.len(), 2);
    assert_eq!(comp(&f, "pkg:pypi/iniconfig@2.3.1").scope, Some(Scope::Dev));
    assert_eq!(f.components.len(), 2);
    assert!(f
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Info
            && d.message.contains("1 entry without a pinned version")));
}

#[test]
fn setup_cfg_and_literal_setup_py() {
    let f = run("setuptools-legacy");
    // setup.cfg's `version = attr:` is computed; setup.py's literal fills it in.
    let w = comp(&f, "pkg:pypi/legacy-widget@0.9.1");
    assert_eq!(w.name, "legacy_widget");
    assert_eq!(w.declared_raw.as_deref(), Some("BSD 3-Clause License"));
    assert_eq!(w.path.as_deref(), Some("sub"));
    assert_eq!(w.supplier.as_deref(), Some("Widget Makers"));
    // At the root, with a computed version: no version, still the root.
    let t = comp(&f, "pkg:pypi/top-level-tool");
    assert_eq!(t.version, None);
    assert_eq!(t.declared_raw.as_deref(), Some("MIT"));
    assert_eq!(f.roots, vec![t.bom_ref.clone()]);
    assert!(!f.components.iter().any(|c| c.name == "not-this-one"));
    assert_eq!(f.components.len(), 2);
}

#[test]
fn setup_py_regex_reads_only_literals() {
    let s = parse_setup_py(
        "setup(\n    name = \"a\",\n    version=get_version(),\n    license='Apache 2.0')\n",
    );
    assert_eq!(s.name.as_deref(), Some("a"));
    assert_eq!(s.version, None);
    assert_eq!(s.license.as_deref(), Some("Apache 2.0"));
}

#[test]
fn malformed_inputs_warn_and_go_on() {
    let f = run("malformed");
    let warned = |file: &str| {
        f.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Warning && d.path.as_deref() == Some(file))
    };
    for file in [
        "pyproject.toml",
        "uv.lock",
        "broken.dist-info/METADATA",
        "Pipfile.lock",
        "poetry.lock",
        "requirements.txt",
    ] {
        assert!(warned(file), "no warning for {file}: {:#?}", f.diagnostics);
    }
    // What was readable is still reported.
    comp(&f, "pkg:pypi/ok-pkg@1.0");
    comp(&f, "pkg:pypi/x@1");
    comp(&f, "pkg:pypi/good@1.0");
    assert!(comp(&f, "pkg:pypi/good@1.0").hashes.is_empty());
    assert_eq!(f.components.len(), 3);
}

#[test]
fn metadata_license_choice() {
    let m = |s: &str| metadata_license(&parse_metadata(s)).0;
    assert_eq!(
        m("Name: a\nLicense-Expression: MIT\nLicense: BSD\n").as_deref(),
        Some("MIT")
    );
    assert_eq!(m("Name: a\nLicense: UNKNOWN\n").as_deref(), None);
    assert_eq!(
        m("Name: a\nClassifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License\n").as_deref(),
        Some("License :: OSI Approved :: MIT License; License :: OSI Approved :: Apache Software License")
    );
    let long = format!("Name: a\nLicense: {}\n", "x".repeat(150));
    let (d, note) = metadata_license(&parse_metadata(&long));
    assert_eq!(d, None);
    assert!(note.unwrap().contains("no declared license"));
}

/// Measures discovery on the benchmark's real `pip install --target` tree and compares
/// with `pip list` (run by hand: needs bench/setup.sh and pip).
/// cargo test --lib ecosystem::python::tests::bench_corpus -- --ignored --nocapture
#[test]
#[ignore]
fn bench_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/corpus/python");
    let t = std::time::Instant::now();
    let f = run_at(&root);
    eprintln!(
        "discover: {} components, {} edges, {} diagnostics in {:?}",
        f.components.len(),
        f.edges.len(),
        f.diagnostics.len(),
        t.elapsed()
    );
    let ours: BTreeSet<(String, String)> = f
        .components
        .iter()
        .map(|c| {
            (
                normalize_name(&c.name),
                c.version.clone().unwrap_or_default(),
            )
        })
        .collect();
    let out = std::process::Command::new("pip")
        .args(["list", "--path"])
        .arg(root.join("site-packages"))
        .args(["--format", "json"])
        .output()
        .expect("pip");
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("pip json");
    let pip: BTreeSet<(String, String)> = list
        .iter()
        .map(|p| {
            (
                normalize_name(p["name"].as_str().unwrap()),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let both = ours.intersection(&pip).count();
    eprintln!(
        "pip list: {}; ours: {}; both: {both}",
        pip.len(),
        ours.len()
    );
    eprintln!(
        "recall {:.1}%, precision {:.1}%",
        100.0 * both as f64 / pip.len() as f64,
        100.0 * both as f64 / ours.len() as f64
    );
    for x in pip.difference(&ours) {
        eprintln!("  only pip:  {x:?}");
    }
    for x in ours.difference(&pip) {
        let c = f
            .components
            .iter()
            .find(|c| normalize_name(&c.name) == x.0)
            .unwrap();
        eprintln!("  only ours: {x:?} at {:?}", c.path);
    }
    for c in &f.components {
        eprintln!("  {:<45} {:?}", c.bom_ref, c.declared_raw);
    }
    let no_license: Vec<&str> = f
        .components
        .iter()
        .filter(|c| c.declared_raw.is_none())
        .map(|c| c.name.as_str())
        .collect();
    eprintln!("without declared license: {no_license:?}");
    for d in &f.diagnostics {
        eprintln!("  {d:?}");
    }
}
