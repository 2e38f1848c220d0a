//! A bounded mutation fuzz of the parsers (issue 19), run in process by every `cargo test`:
//! license expressions, policy files, every lockfile and manifest the ecosystems read (through
//! the real pipeline on a one-file tree), and the SBOM readers (a saved scan, CycloneDX JSON
//! and XML, SPDX JSON and tag-value), each SBOM read then written by every emitter.
//!
//! Inputs are seeds (fixture files under tests/) mutated the way an attacker would: bytes
//! flipped, cut and repeated, and tokens that meet syntax spliced in (brackets, quotes, NUL,
//! escape sequences, `../` and absolute paths, deep nesting). The property is the one the
//! issue asks for: no panic, whatever the input. The run is deterministic and small by
//! default (a few seconds); `OSPO_FUZZ_CASES=N` runs N cases per target, `OSPO_FUZZ_RANDOM=1`
//! draws new cases each run. The figures (cases run, failures) are printed on stderr
//! (`cargo test fuzz:: -- --nocapture`).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::common::root;

/// Spliced into inputs: what meets syntax in one format or another.
const TOKENS: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b"(",
    b")",
    b"\"",
    b"'",
    b"\n",
    b"\r\n",
    b"\0",
    b"\\",
    b",",
    b":",
    b"=",
    b"#",
    b"<",
    b">",
    b"&",
    b"\x1b]0;x\x07",
    b"\x1b[2J",
    b"\xff\xfe",
    b"\xc3\x28",
    "\u{202e}".as_bytes(),
    b"../../../../../../etc/passwd",
    b"/etc/passwd",
    b"-r /etc/passwd\n",
    b"replace x => /\n",
    b" AND ",
    b" OR ",
    b" WITH ",
    b"+",
    b"LicenseRef-",
    b"NOASSERTION",
    b"*",
    b"[[exception]]\ncomponent = \"*\"\n",
    b"<!DOCTYPE a [<!ENTITY e \"x\">]>",
    b"&e;",
    b"\"bomFormat\"",
    b"\"spdxVersion\"",
    b"SPDXVersion: SPDX-2.3\n",
    b"9999999999999999999999",
    b"-1",
    b"1e309",
    b"\\u0000",
    b"~",
    b"^",
    b"@",
    b"%",
    b"..",
    b"//",
];

/// One edit of a seed.
#[derive(Debug, Clone)]
enum Edit {
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, prop::sample::Index),
    Delete(prop::sample::Index, u8),
    Repeat(prop::sample::Index, u8, u8),
    Truncate(prop::sample::Index),
    Nest(prop::sample::Index, u16),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<prop::sample::Index>(), any::<u8>(), any::<u8>())
            .prop_map(|(i, len, times)| Edit::Repeat(i, len, times)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
        (any::<prop::sample::Index>(), 1u16..2000).prop_map(|(i, d)| Edit::Nest(i, d)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for e in edits {
        let at = |i: &prop::sample::Index, b: &Vec<u8>| i.index(b.len() + 1);
        match e {
            Edit::Flip(i, v) if !b.is_empty() => {
                let p = i.index(b.len());
                b[p] = *v;
            }
            Edit::Flip(..) => {}
            Edit::Insert(i, t) => {
                let p = at(i, &b);
                let tok = TOKENS[t.index(TOKENS.len())];
                b.splice(p..p, tok.iter().copied());
            }
            Edit::Delete(i, n) => {
                let p = at(i, &b);
                let end = (p + *n as usize).min(b.len());
                b.drain(p..end);
            }
            Edit::Repeat(i, len, times) => {
                let p = at(i, &b);
                let end = (p + *len as usize % 64 + 1).min(b.len());
                let chunk = b[p..end].to_vec();
                for _ in 0..*times % 32 {
                    b.splice(end..end, chunk.iter().copied());
                }
            }
            Edit::Truncate(i) => {
                let p = at(i, &b);
                b.truncate(p);
            }
            Edit::Nest(i, d) => {
                let p = at(i, &b);
                let (open, close) = if d % 2 == 0 {
                    (b'[', b']')
                } else {
                    (b'{', b'}')
                };
                let nest: Vec<u8> = std::iter::repeat_n(open, *d as usize)
                    .chain(std::iter::repeat_n(close, *d as usize))
                    .collect();
                b.splice(p..p, nest);
            }
        }
    }
    b
}

fn cases(default: u32) -> u32 {
    std::env::var("OSPO_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    };
    if std::env::var_os("OSPO_FUZZ_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    }
}

fn read_seeds(paths: &[&str]) -> Vec<(String, Vec<u8>)> {
    paths
        .iter()
        .map(|p| {
            let bytes = std::fs::read(root().join(p)).unwrap_or_else(|e| panic!("seed {p}: {e}"));
            (p.to_string(), bytes)
        })
        .collect()
}

/// Run `check` on mutations of `seeds` for `n` cases; print the figures; fail on a panic.
fn fuzz(target: &str, seeds: &[(String, Vec<u8>)], n: u32, check: impl Fn(usize, &[u8])) {
    let mut r = runner(n);
    let executed = std::cell::Cell::new(0u64);
    let strategy = (0..seeds.len(), prop::collection::vec(edit(), 0..8));
    let result = r.run(&strategy, |(which, edits)| {
        executed.set(executed.get() + 1);
        let input = apply(&seeds[which].1, &edits);
        check(which, &input);
        Ok(())
    });
    eprintln!(
        "fuzz {target}: {} executions ({n} cases and shrinking) over {} seeds: {}",
        executed.get(),
        seeds.len(),
        if result.is_ok() {
            "0 failures"
        } else {
            "FAILED"
        }
    );
    if let Err(e) = result {
        panic!("fuzz {target}: {e}");
    }
}

#[test]
fn expressions() {
    let seeds: Vec<(String, Vec<u8>)> = [
        "MIT OR Apache-2.0",
        "(MIT AND BSD-3-Clause) OR GPL-2.0-or-later WITH Classpath-exception-2.0",
        "Apache 2, MIT/X11 and BSD",
        "GPL-2.0+ AND LicenseRef-foo OR DocumentRef-x:LicenseRef-y",
        "((((MIT))))",
    ]
    .iter()
    .map(|s| (s.to_string(), s.as_bytes().to_vec()))
    .collect();
    fuzz("expression", &seeds, cases(2000), |_, input| {
        let text = String::from_utf8_lossy(input);
        let n = ospo::expression::normalize(&text);
        let _ = ospo::expression::license_ids(&n.expression);
        let _ = ospo::expression::normalize_id(&text);
    });
}

#[test]
fn policies() {
    let seeds = read_seeds(&[
        "policy.toml",
        "tests/fixtures/osv/policy.toml",
        "tests/fixtures/osv/bad-policy.toml",
    ]);
    fuzz("policy", &seeds, cases(600), |_, input| {
        let text = String::from_utf8_lossy(input);
        let _ = ospo::policy::Policy::parse(&text, "fuzz.toml");
    });
}

/// Each lockfile or manifest under the name its ecosystem looks for.
const LOCKFILES: &[(&str, &str)] = &[
    (
        "Cargo.lock",
        "tests/fixtures/ecosystems/cargo/v1/Cargo.lock",
    ),
    (
        "Cargo.lock",
        "tests/fixtures/ecosystems/cargo/malformed/futurelock/Cargo.lock",
    ),
    (
        "package-lock.json",
        "tests/fixtures/ecosystems/npm/v1/package-lock.json",
    ),
    (
        "package-lock.json",
        "tests/fixtures/ecosystems/npm/v3/package-lock.json",
    ),
    (
        "pnpm-lock.yaml",
        "tests/fixtures/ecosystems/npm/pnpm6/pnpm-lock.yaml",
    ),
    (
        "pnpm-lock.yaml",
        "tests/fixtures/ecosystems/npm/pnpm9/pnpm-lock.yaml",
    ),
    ("yarn.lock", "tests/fixtures/ecosystems/npm/yarn1/yarn.lock"),
    ("yarn.lock", "tests/fixtures/ecosystems/npm/berry/yarn.lock"),
    ("go.mod", "tests/fixtures/ecosystems/go/project/go.mod"),
    (
        "poetry.lock",
        "tests/fixtures/ecosystems/python/poetry/poetry.lock",
    ),
    (
        "requirements.txt",
        "tests/fixtures/ecosystems/python/requirements/requirements.txt",
    ),
    (
        "pom.xml",
        "tests/fixtures/ecosystems/maven/multi/core/pom.xml",
    ),
    ("pom.xml", "tests/fixtures/ecosystems/maven/xxe/pom.xml"),
    (
        "gradle/libs.versions.toml",
        "tests/fixtures/ecosystems/gradle/nowinandroid/gradle/libs.versions.toml",
    ),
    (
        "packages/Dapper.1.13/Dapper.1.13.nuspec",
        "tests/fixtures/ecosystems/nuget/packages-config/packages/Dapper.1.13/Dapper.1.13.nuspec",
    ),
    (
        "packages/Sigil.4.7.0/Sigil.4.7.0.nupkg",
        "tests/fixtures/ecosystems/nuget/packages-config/packages/Sigil.4.7.0/Sigil.4.7.0.nupkg",
    ),
];

#[test]
fn lockfiles() {
    let seeds = read_seeds(&LOCKFILES.iter().map(|(_, p)| *p).collect::<Vec<_>>());
    let tree = tempfile::tempdir().unwrap();
    fuzz("lockfile", &seeds, cases(150), |which, input| {
        let dir = tree.path();
        // One tree per case: the file under its own name (in the folders its ecosystem
        // looks in), beside the manifest it pairs with.
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let _ = std::fs::remove_file(e.path());
            let _ = std::fs::remove_dir_all(e.path());
        }
        let name = LOCKFILES[which].0;
        let at = dir.join(name);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, input).unwrap();
        match name {
            "Cargo.lock" => std::fs::write(
                dir.join("Cargo.toml"),
                "[package]\nname = \"f\"\nversion = \"0.1.0\"\n",
            )
            .unwrap(),
            "package-lock.json" | "pnpm-lock.yaml" | "yarn.lock" => std::fs::write(
                dir.join("package.json"),
                r#"{"name":"f","version":"1.0.0"}"#,
            )
            .unwrap(),
            _ => {}
        }
        let mut opts = ospo::pipeline::Options::new(dir);
        opts.use_local_caches = false;
        opts.walk.threads = 1;
        let _ = ospo::pipeline::run(&opts);
    });
}

#[test]
fn sbom_readers_and_emitters() {
    let seeds = read_seeds(&[
        "tests/fixtures/hostile/names.cdx.json",
        "tests/fixtures/hostile/outside.scan.json",
        "tests/fixtures/sbom/cyclonedx/valid-evidence-1.6.json",
        "tests/fixtures/sbom/cyclonedx/valid-dependency-1.5.xml",
        "tests/fixtures/sbom/cyclonedx/valid-license-expression-1.6.xml",
        "tests/golden/tree.spdx.json",
        "tests/golden/tree.spdx",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    fuzz("sbom", &seeds, cases(250), |_, input| {
        std::fs::write(&path, input).unwrap();
        if let Ok(scan) = ospo::ingest::read(Path::new(&path)) {
            emit_all(&scan);
        }
    });
}

/// Every emitter on a Scan read from hostile input: none may panic.
fn emit_all(scan: &ospo::model::Scan) {
    use ospo::emit::{cyclonedx, notice, report, spdx, summary};
    let stamp = ospo::emit::Stamp::at(0).unwrap();
    let mut diags = Vec::new();
    let bom = cyclonedx::build(scan, cyclonedx::SpecVersion::V1_6, &stamp, &[], &mut diags);
    let _ = cyclonedx::to_json(&bom);
    let _ = cyclonedx::to_xml(&bom);
    let doc = spdx::build(scan, &stamp, &[], &mut diags);
    let _ = spdx::to_json(&doc);
    let _ = spdx::to_tag_value(&doc);
    let n = notice::build(scan, &notice::NoticeOptions { include_dev: true });
    let _ = notice::render_text(&n);
    let _ = notice::render_markdown(&n);
    let _ = notice::render_html(&n);
    let _ = report::render(scan, None, None);
    let _ = summary::scan_summary(scan);
    let policy = ospo::policy::Policy::builtin_default();
    let ev = ospo::policy::evaluate(
        scan,
        &policy,
        ospo::policy::Date::parse("2026-01-01").unwrap(),
    );
    let _ = ospo::emit::verdicts::human(&ev, &scan.root, true);
}
