use super::*;

use crate::ecosystem::collect_paths;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    crate::ecosystem::fixture_dir("npm", name)
}

#[test]
fn homepage_falls_back_to_the_repository() {
    let home = |j: &str| {
        let v: Json = serde_json::from_str(j).unwrap();
        homepage_of(v.as_object().unwrap())
    };
    assert_eq!(
        home(r#"{"homepage":"https://babel.dev","repository":"babel/babel"}"#).as_deref(),
        Some("https://babel.dev")
    );
    assert_eq!(
        home(r#"{"repository":{"type":"git","url":"git+https://github.com/chalk/chalk.git"}}"#)
            .as_deref(),
        Some("https://github.com/chalk/chalk")
    );
    assert_eq!(
        home(r#"{"repository":"git+ssh://git@github.com/isaacs/node-lru-cache.git"}"#).as_deref(),
        Some("https://github.com/isaacs/node-lru-cache")
    );
    assert_eq!(
        home(r#"{"repository":"gitlab:group/proj"}"#).as_deref(),
        Some("https://gitlab.com/group/proj")
    );
    assert_eq!(
        home(r#"{"repository":"sindresorhus/ky"}"#).as_deref(),
        Some("https://github.com/sindresorhus/ky")
    );
    assert_eq!(home(r#"{"repository":"gist:11081aaa281"}"#), None);
    // No author: the repository's owner is the supplier, even when the homepage is
    // elsewhere.
    let supplier = |j: &str| {
        let v: Json = serde_json::from_str(j).unwrap();
        let o = v.as_object().unwrap();
        author_of(o).or_else(|| repository_url(o).and_then(|r| forge_owner(&r)))
    };
    assert_eq!(
        supplier(r#"{"homepage":"https://react.dev/","repository":{"type":"git","url":"https://github.com/facebook/react.git"}}"#)
            .as_deref(),
        Some("github.com/facebook")
    );
    assert_eq!(
        supplier(r#"{"author":"Sindre Sorhus <s@x.com>","repository":"sindresorhus/ky"}"#)
            .as_deref(),
        Some("Sindre Sorhus")
    );
}

fn run(root: &Path) -> Found {
    crate::ecosystem::with_context(root, false, discover)
}

fn comp<'a>(f: &'a Found, name: &str, version: &str) -> &'a Component {
    f.components
        .iter()
        .find(|c| c.name == name && c.version.as_deref() == Some(version))
        .unwrap_or_else(|| panic!("no {name}@{version} in {:?}", names(f)))
}

fn names(f: &Found) -> Vec<String> {
    let mut v: Vec<String> = f
        .components
        .iter()
        .map(|c| format!("{}@{}", c.name, c.version.as_deref().unwrap_or("")))
        .collect();
    v.sort();
    v
}

fn deps_of(f: &Found, bom_ref: &str) -> Vec<String> {
    let mut v: Vec<String> = f
        .edges
        .iter()
        .filter(|e| e.from == bom_ref)
        .flat_map(|e| e.to.iter().cloned())
        .collect();
    v.sort();
    v.dedup();
    v
}

const MS_213: &str = "e85973b9b4cb646dc9d9afcd542025784863ceae68c601f268253dc985ef70bb2fa1568726afece715c8ebf5d73fab73ed1f7100eb479d23bfb57b45dd645394";

/// The left-pad .. chalk@4 project: lockfile v3 plus its real node_modules.
#[test]
fn npm_v3_with_node_modules() {
    let f = run(&fixture("v3"));
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(
        names(&f),
        [
            "@sindresorhus/is@4.6.0",
            "ansi-styles@4.3.0",
            "chalk@4.1.2",
            "color-convert@2.0.1",
            "color-name@1.1.4",
            "fixture-app@1.0.0",
            "has-flag@4.0.0",
            "is-number@7.0.0",
            "left-pad@1.3.0",
            "ms@2.1.3",
            "supports-color@7.2.0",
            "tiny-invariant@1.3.3",
        ]
    );
    // Root: the project, with its author as supplier.
    let app = comp(&f, "fixture-app", "1.0.0");
    assert_eq!(f.roots, vec![app.bom_ref.clone()]);
    assert_eq!(app.bom_ref, "pkg:npm/fixture-app@1.0.0");
    assert_eq!(app.path.as_deref(), Some(""));
    assert_eq!(app.supplier.as_deref(), Some("Ada Lovelace"));
    assert_eq!(
        app.homepage.as_deref(),
        Some("https://example.com/fixture-app")
    );
    assert_eq!(app.declared_raw.as_deref(), Some("MIT"));

    // Scoped purl, installed path, license from the installed package.json.
    let is = comp(&f, "@sindresorhus/is", "4.6.0");
    assert_eq!(is.purl.as_deref(), Some("pkg:npm/%40sindresorhus/is@4.6.0"));
    assert_eq!(is.bom_ref, "pkg:npm/%40sindresorhus/is@4.6.0");
    assert_eq!(is.path.as_deref(), Some("node_modules/@sindresorhus/is"));
    assert_eq!(is.declared_raw.as_deref(), Some("MIT"));
    assert_eq!(is.ecosystem, "npm");
    assert_eq!(is.concluded, crate::model::NOASSERTION);

    let ms = comp(&f, "ms", "2.1.3");
    assert_eq!(
        ms.hashes,
        vec![Hash {
            alg: "SHA-512".into(),
            value: MS_213.into()
        }]
    );
    assert_eq!(ms.scope, Some(Scope::Required));
    let lp = comp(&f, "left-pad", "1.3.0");
    assert_eq!(lp.declared_raw.as_deref(), Some("WTFPL"));
    assert_eq!(comp(&f, "tiny-invariant", "1.3.3").scope, Some(Scope::Dev));

    // Edges: chalk → ansi-styles, supports-color; the root → its 6 direct deps.
    let chalk = comp(&f, "chalk", "4.1.2");
    assert_eq!(
        deps_of(&f, &chalk.bom_ref),
        ["pkg:npm/ansi-styles@4.3.0", "pkg:npm/supports-color@7.2.0"]
    );
    assert_eq!(deps_of(&f, &app.bom_ref).len(), 6);
    // Nothing from chalk/test/fixtures nor tiny-invariant/dist/esm.
    assert!(!f.components.iter().any(|c| c.name == "fake"));
}

/// npm 6 style: nested `dependencies`, `requires`, legacy `{type}` license object.
#[test]
fn npm_v1_nested() {
    let f = run(&fixture("v1"));
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(
        names(&f),
        [
            "debug@2.6.9",
            "is-number@7.0.0",
            "left-pad@1.3.0",
            "legacy-app@0.3.0",
            "ms@2.0.0",
            "ms@2.1.3"
        ]
    );
    let app = comp(&f, "legacy-app", "0.3.0");
    assert_eq!(app.declared_raw.as_deref(), Some("ISC"));
    // debug@2 requires ms 2.0.0: the nested copy, not the top-level 2.1.3.
    assert_eq!(deps_of(&f, "pkg:npm/debug@2.6.9"), ["pkg:npm/ms@2.0.0"]);
    assert_eq!(
        deps_of(&f, &app.bom_ref),
        [
            "pkg:npm/debug@2.6.9",
            "pkg:npm/is-number@7.0.0",
            "pkg:npm/left-pad@1.3.0",
            "pkg:npm/ms@2.1.3"
        ]
    );
    assert_eq!(comp(&f, "left-pad", "1.3.0").scope, Some(Scope::Dev));
    assert_eq!(comp(&f, "is-number", "7.0.0").scope, Some(Scope::Optional));
    assert_eq!(comp(&f, "ms", "2.0.0").scope, Some(Scope::Required));
    assert_eq!(
        comp(&f, "ms", "2.0.0").path,
        None,
        "lockfile only: not on disk"
    );
    assert_eq!(comp(&f, "ms", "2.0.0").hashes[0].alg, "SHA-512");
}

/// The same graph (lock-app) written by four other lockfile formats.
fn check_lock_app(f: &Found) {
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(
        names(f),
        [
            "@sindresorhus/is@4.6.0",
            "ansi-styles@4.3.0",
            "chalk@4.1.2",
            "color-convert@2.0.1",
            "color-name@1.1.4",
            "debug@2.6.9",
            "has-flag@4.0.0",
            "is-number@7.0.0",
            "left-pad@1.3.0",
            "lock-app@2.0.0",
            "ms@2.0.0",
            "ms@2.1.3",
            "supports-color@7.2.0",
        ]
    );
    let app = comp(f, "lock-app", "2.0.0");
    assert_eq!(f.roots, vec![app.bom_ref.clone()]);
    assert_eq!(app.declared_raw.as_deref(), Some("Apache-2.0"));
    assert_eq!(
        deps_of(f, &app.bom_ref),
        [
            "pkg:npm/%40sindresorhus/is@4.6.0",
            "pkg:npm/chalk@4.1.2",
            "pkg:npm/debug@2.6.9",
            "pkg:npm/is-number@7.0.0",
            "pkg:npm/left-pad@1.3.0",
            "pkg:npm/ms@2.1.3",
        ]
    );
    assert_eq!(deps_of(f, "pkg:npm/debug@2.6.9"), ["pkg:npm/ms@2.0.0"]);
    assert_eq!(
        deps_of(f, "pkg:npm/supports-color@7.2.0"),
        ["pkg:npm/has-flag@4.0.0"]
    );
    assert_eq!(comp(f, "left-pad", "1.3.0").scope, Some(Scope::Dev));
    assert_eq!(comp(f, "is-number", "7.0.0").scope, Some(Scope::Optional));
    assert_eq!(comp(f, "has-flag", "4.0.0").scope, Some(Scope::Required));
    assert_eq!(comp(f, "ms", "2.0.0").scope, Some(Scope::Required));
}

#[test]
fn yarn_v1() {
    let f = run(&fixture("yarn1"));
    check_lock_app(&f);
    let ms = comp(&f, "ms", "2.1.3");
    // integrity (SHA-512) and the resolved URL's #sha1 fragment.
    assert_eq!(
        ms.hashes,
        vec![
            Hash {
                alg: "SHA-512".into(),
                value: MS_213.into()
            },
            Hash {
                alg: "SHA-1".into(),
                value: "574c8138ce1d2b5861f0b44579dbadd60c6615b2".into()
            },
        ]
    );
}

#[test]
fn yarn_berry() {
    let f = run(&fixture("berry"));
    check_lock_app(&f);
    let ms = comp(&f, "ms", "2.1.3");
    assert_eq!(ms.hashes.len(), 1);
    assert_eq!(ms.hashes[0].alg, "SHA-512");
    assert!(ms.hashes[0].value.starts_with("d924b57e7312"));
}

#[test]
fn pnpm_v6_with_store() {
    let f = run(&fixture("pnpm6"));
    check_lock_app(&f);
    let ms = comp(&f, "ms", "2.1.3");
    assert_eq!(ms.hashes[0].value, MS_213);
    assert_eq!(
        ms.path.as_deref(),
        Some("node_modules/.pnpm/ms@2.1.3/node_modules/ms")
    );
    let is = comp(&f, "@sindresorhus/is", "4.6.0");
    assert_eq!(
        is.path.as_deref(),
        Some("node_modules/.pnpm/@sindresorhus+is@4.6.0/node_modules/@sindresorhus/is")
    );
    assert_eq!(
        comp(&f, "left-pad", "1.3.0").declared_raw.as_deref(),
        Some("WTFPL")
    );
}

#[test]
fn pnpm_v9() {
    let f = run(&fixture("pnpm9"));
    check_lock_app(&f);
    assert_eq!(comp(&f, "color-name", "1.1.4").hashes[0].alg, "SHA-512");
}

/// npm workspaces: `link: true` entries point at the member packages, which are roots.
#[test]
fn npm_workspaces() {
    let f = run(&fixture("workspace"));
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let mut roots = f.roots.clone();
    roots.sort();
    assert_eq!(
        roots,
        [
            "pkg:npm/%40ws/a@0.1.0",
            "pkg:npm/%40ws/b@0.2.0",
            "pkg:npm/ws-root@1.0.0"
        ]
    );
    let b = comp(&f, "@ws/b", "0.2.0");
    assert_eq!(b.path.as_deref(), Some("packages/b"));
    assert_eq!(b.declared_raw.as_deref(), Some("MIT OR Apache-2.0"));
    // b's own ms 2.0.0 (packages/b/node_modules/ms) and the sibling workspace a.
    assert_eq!(
        deps_of(&f, &b.bom_ref),
        ["pkg:npm/%40ws/a@0.1.0", "pkg:npm/ms@2.0.0"]
    );
    assert_eq!(deps_of(&f, "pkg:npm/%40ws/a@0.1.0"), ["pkg:npm/ms@2.1.3"]);
    assert_eq!(comp(&f, "left-pad", "1.3.0").scope, Some(Scope::Dev));
    assert_eq!(comp(&f, "ms", "2.0.0").scope, Some(Scope::Required));
}

#[test]
fn malformed_inputs_are_diagnostics() {
    let f = run(&fixture("malformed"));
    let warned: Vec<&str> = f
        .diagnostics
        .iter()
        .filter_map(|d| d.path.as_deref())
        .collect();
    for p in [
        "package.json",
        "package-lock.json",
        "node_modules/bad-json/package.json",
        "node_modules/arr/package.json",
        "node_modules/numlic/package.json",
        "pnpm/pnpm-lock.yaml",
        "pnpm-old/pnpm-lock.yaml",
        "yarn/yarn.lock",
        "lock/package-lock.json",
    ] {
        assert!(
            warned.contains(&p),
            "no warning for {p}: {:?}",
            f.diagnostics
        );
    }
    // The rest still comes through.
    assert_eq!(
        names(&f),
        ["broken-app@0.0.1", "good@1.0.0", "numlic@1.0.0"]
    );
    assert_eq!(comp(&f, "broken-app", "0.0.1").declared_raw, None);
    assert_eq!(
        comp(&f, "good", "1.0.0").declared_raw.as_deref(),
        Some("ISC")
    );
    assert_eq!(
        deps_of(&f, "pkg:npm/broken-app@0.0.1"),
        ["pkg:npm/good@1.0.0"]
    );
}

#[test]
fn keys_and_paths() {
    assert!(is_install_dir("node_modules/a"));
    assert!(is_install_dir("node_modules/@s/a"));
    assert!(is_install_dir("x/node_modules/a/node_modules/@s/b"));
    assert!(is_install_dir("node_modules/.pnpm/a@1.0.0/node_modules/a"));
    assert!(!is_install_dir("node_modules/a/dist"));
    assert!(!is_install_dir(
        "node_modules/a/test/fixtures/node_modules/b"
    ));
    assert!(!is_install_dir("node_modules/@s"));
    assert!(!is_install_dir("node_modules/.bin"));
    assert!(!is_install_dir("src"));
    assert_eq!(
        pnpm_key("/@s/a/1.2.3_react@18.0.0", 5),
        Some(("@s/a".into(), "1.2.3".into()))
    );
    assert_eq!(pnpm_key("/a/1.2.3", 5), Some(("a".into(), "1.2.3".into())));
    assert_eq!(
        pnpm_key("/@s/a@1.2.3(react@18.0.0)", 6),
        Some(("@s/a".into(), "1.2.3".into()))
    );
    assert_eq!(
        pnpm_key("a@1.2.3(b@2.0.0)", 9),
        Some(("a".into(), "1.2.3".into()))
    );
    assert!(
        matches!(pnpm_ref("sw", "string-width@4.2.3", 9), Some(PnpmRef::Pkg(n, v)) if n == "string-width" && v == "4.2.3")
    );
    assert_eq!(
        purl("@babel/core", Some("7.0.0")).unwrap(),
        "pkg:npm/%40babel/core@7.0.0"
    );
    assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
    assert_eq!(
        integrity("sha1-V0yBOM4dK1hh8LRFedut1gxmFbI=")[0].value,
        "574c8138ce1d2b5861f0b44579dbadd60c6615b2"
    );
}

/// Measure against the benchmark corpus: `cargo test --lib bench_corpus -- --ignored`.
/// Writes name@version lines to $OSPO_NPM_OUT when set.
#[test]
#[ignore]
fn bench_corpus() {
    let root = std::env::var_os("OSPO_NPM_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/corpus/node"));
    let (manifests, licenses) = collect_paths(&root);
    let t = std::time::Instant::now();
    let f = discover(&Context {
        root: &root,
        manifests: &manifests,
        license_files: &licenses,
        use_local_caches: false,
    });
    eprintln!(
        "discover: {:?}, {} manifests, {} components, {} edges, {} diagnostics",
        t.elapsed(),
        manifests.len(),
        f.components.len(),
        f.edges.iter().map(|e| e.to.len()).sum::<usize>(),
        f.diagnostics.len()
    );
    for d in &f.diagnostics {
        eprintln!("  {d:?}");
    }
    if let Ok(out) = std::env::var("OSPO_NPM_OUT") {
        let lines: Vec<String> = f
            .components
            .iter()
            .map(|c| {
                format!(
                    "{}@{}\t{:?}\t{}\t{}",
                    c.name,
                    c.version.as_deref().unwrap_or(""),
                    c.scope,
                    c.path.as_deref().unwrap_or("-"),
                    c.declared_raw.as_deref().unwrap_or("-")
                )
            })
            .collect();
        std::fs::write(out, lines.join("\n")).unwrap();
    }
}
