//! Components: every package in the tree, one module per package ecosystem.
//!
//! Each ecosystem reads its manifests, lockfiles and installed-package metadata (never
//! running a package manager or a build script) and reports [`Component`]s with purls,
//! scopes, hashes and dependency edges. Anything malformed becomes a [`Diagnostic`] and
//! the rest goes on. Licenses are only *declared* here (the manifest's raw string in
//! `declared_raw`); the resolver normalises them and adds the evidence from files.
//!
//! Each ecosystem owns its file names: [`REGISTRY`] lists every ecosystem with the
//! manifests and lockfiles it reads and the folders its package managers install into,
//! and the walk asks it ([`is_manifest`], [`is_dependency_dir`]) instead of keeping a list
//! of its own. Adding an ecosystem is one module and one line here.
//!
//! Every look at the disk goes through `cache::reads` (clippy's `disallowed_methods` is
//! denied here, for this module and every ecosystem's): a warm rescan reuses the last
//! discovery only while everything it read is unchanged, so nothing may be read unnoted.
#![deny(clippy::disallowed_methods)]

pub mod cargo;
pub mod composer;
pub mod go;
pub mod gradle;
pub mod inside;
pub mod maven;
pub mod native;
pub mod npm;
pub mod nuget;
pub mod os;
pub mod python;
pub mod ruby;
pub mod unsupported;
pub mod vendored;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::reads;
use crate::model::{Component, Diagnostic, Edge, LicenseMatch};
pub use crate::relpath::{dir_of, file_name};

/// One package ecosystem: the files it reads, where its packages are installed, and how
/// it turns them into components.
pub struct Ecosystem {
    pub name: &'static str,
    /// Whether a file (its name, and the directory it is in) is one this ecosystem reads.
    pub is_manifest: fn(name: &str, dir: &str) -> bool,
    /// Folders its package managers install dependencies into, beside a manifest.
    pub dependency_dirs: &'static [&'static str],
    pub discover: fn(&Context<'_>) -> Found,
}

/// Every ecosystem, in the order their findings are merged.
pub const REGISTRY: &[Ecosystem] = &[
    cargo::ECOSYSTEM,
    npm::ECOSYSTEM,
    python::ECOSYSTEM,
    go::ECOSYSTEM,
    maven::ECOSYSTEM,
    os::dpkg::ECOSYSTEM,
    os::apk::ECOSYSTEM,
    os::rpm::ECOSYSTEM,
    ruby::ECOSYSTEM,
    composer::ECOSYSTEM,
    nuget::ECOSYSTEM,
    gradle::ECOSYSTEM,
    unsupported::ECOSYSTEM,
];

/// Whether some ecosystem reads the file `name` in the directory `dir` (a manifest or a
/// lockfile, `walk::classify_name` asks).
pub fn is_manifest(name: &str, dir: &str) -> bool {
    REGISTRY.iter().any(|e| (e.is_manifest)(name, dir))
}

/// Whether `name` is a folder some package manager installs dependencies into
/// (`node_modules`, `vendor`, `.venv`, ...).
pub fn is_dependency_dir(name: &str) -> bool {
    REGISTRY.iter().any(|e| e.dependency_dirs.contains(&name))
}

/// What the walk found that ecosystems need.
pub struct Context<'a> {
    /// The scan root on disk (a directory).
    pub root: &'a Path,
    /// Paths (relative to the root, '/'-separated, sorted) of every file the walk saw whose
    /// name is a manifest or lockfile (see `walk::classify_name`), dependency directories
    /// (node_modules, vendor/, site-packages) included even where .gitignore lists them.
    pub manifests: &'a [String],
    /// Paths of every license file (class License) the walk saw, for vendored-code discovery.
    pub license_files: &'a [String],
    /// Read caches outside the tree (the cargo registry's sources, the Go module cache).
    /// Off in tests so results do not depend on the machine.
    pub use_local_caches: bool,
}

/// What one ecosystem reports. (Serializable: a warm rescan reuses the last discovery's,
/// see `cache::discovery`.)
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    /// Components. `bom_ref` is the purl when there is one (unique per name+version);
    /// `path` is the component's root directory relative to the scan root when its files
    /// are in the tree; `declared_raw` is the license string exactly as the manifest wrote it.
    pub components: Vec<Component>,
    pub edges: Vec<Edge>,
    pub diagnostics: Vec<Diagnostic>,
    /// Directories outside the tree that hold a component's files (a crate's sources in the
    /// cargo registry cache): their top-level license files are scanned for evidence.
    pub external_dirs: Vec<(String, PathBuf)>,
    /// bom-refs of the project's own components (the manifests at the scan root, or
    /// workspace members): they become the root component and are never "dependencies".
    pub roots: Vec<String>,
    /// Files a component claims wherever they sit, beside the directory rule (a file
    /// belongs to the component with the deepest root directory above it): an installed
    /// distribution's RECORD, a package database's file lists. How strongly: [`Claim`].
    pub file_owners: Vec<FileOwner>,
    /// License statements an ecosystem read in the structure of a file the walk recorded
    /// (a machine-readable Debian copyright file's `Files:`/`License:` paragraphs):
    /// (path, match), added to that file's record as evidence before resolving.
    pub file_licenses: Vec<(String, LicenseMatch)>,
    /// `(path, bom_ref)`: files a component's manifest names as its license text (a
    /// nuspec's `<license type="file">`), relative to the scan root: their licenses are its
    /// evidence wherever they sit in its folder and whatever their name.
    pub license_files: Vec<(String, String)>,
}

/// A file a component claims, relative to the scan root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileOwner {
    pub path: String,
    pub bom_ref: String,
    pub claim: Claim,
}

/// How a [`FileOwner`] claims its file; the resolver applies both in one place
/// (`resolve::assign_files`). When two claims of one strength name a file, the first
/// (in [`REGISTRY`] order, then as the ecosystem listed them) keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Claim {
    /// The component's own manifest lists the file as installed by it (an installed Python
    /// distribution's RECORD: `arrow/` beside `arrow-1.4.0.dist-info/`; a wheel's bundled
    /// library). It wins over the directory rule, except against a deeper component inside
    /// the distribution's site-packages (a folder vendored in the package), which knows
    /// the file better.
    Listed,
    /// A package database names the file as a package's (dpkg's `info/*.list`, apk's `R:`
    /// lines, rpm's file list). Such a package has no one root directory, and a language
    /// package installed inside it (a dist-info under `dist-packages`) knows its own files
    /// better: it only takes files the directory rule gave to no component or to the
    /// project.
    Database,
}

impl Found {
    /// Claim the file `path` for `bom_ref`.
    pub fn claim(&mut self, path: String, bom_ref: &str, claim: Claim) {
        self.file_owners.push(FileOwner {
            path,
            bom_ref: bom_ref.to_string(),
            claim,
        });
    }

    pub fn extend(&mut self, other: Found) {
        self.components.extend(other.components);
        self.edges.extend(other.edges);
        self.diagnostics.extend(other.diagnostics);
        self.external_dirs.extend(other.external_dirs);
        self.roots.extend(other.roots);
        self.file_owners.extend(other.file_owners);
        self.file_licenses.extend(other.file_licenses);
        self.license_files.extend(other.license_files);
    }
}

/// Builds a [`Found`]: one component per bom-ref, edges merged per source.
#[derive(Default)]
pub struct Collector {
    pub found: Found,
    /// bom_ref -> index in `found.components`.
    pub index: HashMap<String, usize>,
    /// from -> to, merged per source.
    pub edges: BTreeMap<String, Vec<String>>,
}

impl Collector {
    /// Add a component, or merge it into the one with the same bom-ref; returns the bom-ref.
    pub fn upsert(&mut self, c: Component) -> String {
        let key = c.bom_ref.clone();
        match self.index.get(&key) {
            Some(&i) => self.found.components[i].merge(c, false),
            None => {
                self.index.insert(key.clone(), self.found.components.len());
                self.found.components.push(c);
            }
        }
        key
    }

    pub fn finish(mut self) -> Found {
        // The project's own components are nobody's dependency: they have no scope.
        for r in &self.found.roots {
            if let Some(&i) = self.index.get(r) {
                self.found.components[i].scope = None;
            }
        }
        self.found.edges = self
            .edges
            .into_iter()
            .map(|(from, mut to)| {
                to.sort();
                to.dedup();
                Edge { from, to }
            })
            .collect();
        self.found.roots.sort();
        self.found.roots.dedup();
        self.found.external_dirs.sort();
        self.found.external_dirs.dedup();
        self.found
    }
}

/// Run every ecosystem, then look for vendored code none of them claimed.
pub fn discover(ctx: &Context<'_>) -> Found {
    // CI, test and foreign manifests inside vendored code are not the product's.
    let (kept, left_out): (Vec<&String>, Vec<&String>) = ctx
        .manifests
        .iter()
        .partition(|m| inside::not_the_products(m).is_none());
    let kept: Vec<String> = kept.into_iter().cloned().collect();
    let ctx = &Context {
        manifests: &kept,
        ..*ctx
    };
    // Independent of each other: run them side by side, merge in a fixed order.
    let each: Vec<Found> = REGISTRY.par_iter().map(|e| (e.discover)(ctx)).collect();
    let mut found = Found::default();
    for m in &left_out {
        found.diagnostics.push(Diagnostic::info(
            Some(m.to_string()),
            format!(
                "not read as a manifest: {}, not one of the product's dependencies",
                inside::not_the_products(m).unwrap_or_default()
            ),
        ));
    }
    for f in each {
        found.extend(f);
    }
    let native = native::discover(ctx, &mut found);
    found.extend(native);
    found.extend(vendored::discover(ctx, &found));
    found
}

/// Manifest and lockfile reads are bounded: a hostile tree must not exhaust memory.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// Deepest bracket nesting (`[[[...` / `{{{...`) a YAML lockfile may have: real ones have
/// two or three levels; the YAML parser takes quadratic time on deep flow nesting (a
/// 400 KB `pnpm-lock.yaml` of brackets took 92 s), so deeper files are refused first.
pub const MAX_YAML_NESTING: usize = 64;

/// Parse a YAML lockfile, refusing one nested deeper than [`MAX_YAML_NESTING`] before the
/// parser sees it. The error is the diagnostic's message.
pub fn parse_yaml(text: &str) -> Result<serde_yaml_ng::Value, String> {
    let depth = flow_nesting(text);
    if depth > MAX_YAML_NESTING {
        return Err(format!(
            "brackets nested {depth} deep, over the limit of {MAX_YAML_NESTING}; not read"
        ));
    }
    serde_yaml_ng::from_str(text).map_err(|e| format!("invalid YAML: {e}"))
}

/// The deepest `[`/`{` nesting in `text`, outside quoted scalars and comments; one pass.
/// Approximate where YAML is subtle (a bracket inside a plain scalar counts), which only
/// ever over-counts.
fn flow_nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for line in text.lines() {
        let mut quote: Option<u8> = None;
        let mut prev = b' ';
        for &b in line.as_bytes() {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'\'' | b'"') => quote = Some(b),
                (None, b'#') if prev == b' ' || prev == b'\t' => break,
                (None, b'[' | b'{') => {
                    depth += 1;
                    max = max.max(depth);
                }
                (None, b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            prev = b;
        }
    }
    max
}

/// Read a manifest (relative to the root) as text, with a size limit; errors become a
/// diagnostic naming the file.
pub fn read_manifest(ctx: &Context<'_>, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    // A manifest under a folder whose name is not UTF-8 is known by its lossy name only.
    let Some(path) = crate::relpath::under_lossy(ctx.root, rel) else {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            "path leaves the scan root; not read",
        ));
        return None;
    };
    // The walk does not follow links out of the root; neither does an include or a path
    // named inside a manifest (`-r evil.txt` with evil.txt -> /etc/passwd).
    if !crate::relpath::stays_inside(ctx.root, &path) {
        diags.push(Diagnostic::warning(
            Some(rel.to_string()),
            "a symbolic link out of the scan root; not read",
        ));
        return None;
    }
    match reads::metadata(&path) {
        Ok(m) if m.len() > MAX_MANIFEST_BYTES => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!(
                    "manifest is {} MiB, over the {} MiB limit; not read",
                    m.len() >> 20,
                    MAX_MANIFEST_BYTES >> 20
                ),
            ));
            return None;
        }
        Err(e) => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("cannot read: {e}"),
            ));
            return None;
        }
        _ => {}
    }
    match reads::read(&path) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

/// Test support: manifest and license-file paths under `root` (every file, ignore rules
/// off), as the pipeline hands them to [`discover`].
#[cfg(test)]
pub(crate) fn collect_paths(root: &Path) -> (Vec<String>, Vec<String>) {
    use crate::model::FileClass;
    use std::sync::{Arc, Mutex};
    type Paths = (Vec<String>, Vec<String>);
    let found: Arc<Mutex<Paths>> = Arc::default();
    let mut opts = crate::walk::WalkOptions::new(root);
    opts.no_ignore = true;
    let _ = crate::walk::walk(&opts, || {
        let sink = found.clone();
        Box::new(move |e: crate::walk::Entry<'_>| {
            if let crate::walk::Entry::File { rel, .. } = e {
                match crate::walk::classify_name(&rel) {
                    Some(FileClass::Manifest) => sink.lock().unwrap().0.push(rel),
                    Some(FileClass::License) => sink.lock().unwrap().1.push(rel),
                    _ => {}
                }
            }
        })
    });
    let (mut m, mut l) = std::mem::take(&mut *found.lock().unwrap());
    m.sort();
    l.sort();
    (m, l)
}

/// The account that owns a repository on a public forge, as a supplier name:
/// `https://github.com/tokio-rs/axum` -> `github.com/tokio-rs`; also `git+ssh://git@...`,
/// `git@host:owner/repo` and GitHub Pages hosts (`rust-lang.github.io/futures-rs`).
pub fn forge_owner(url: &str) -> Option<String> {
    const FORGES: &[&str] = &[
        "github.com",
        "gitlab.com",
        "codeberg.org",
        "bitbucket.org",
        "git.sr.ht",
    ];
    let rest = url
        .trim()
        .trim_start_matches("git+")
        .split_once("://")
        .map_or(url.trim(), |(_, r)| r)
        .trim_start_matches("git@")
        .trim_start_matches("www.")
        .replacen(':', "/", 1);
    let mut parts = rest.split('/');
    let mut host = parts.next().unwrap_or("").to_ascii_lowercase();
    let mut owner = parts
        .next()
        .unwrap_or("")
        .trim_start_matches('~')
        .to_string();
    if let Some(pages_owner) = host.strip_suffix(".github.io") {
        owner = pages_owner.to_string();
        host = "github.com".into();
    }
    (FORGES.contains(&host.as_str())
        && !owner.is_empty()
        && owner
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)))
    .then(|| format!("{host}/{owner}"))
}

/// Test support: the fixture folder of an ecosystem's tests.
#[cfg(test)]
pub(crate) fn fixture_dir(ecosystem: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ecosystems")
        .join(ecosystem)
        .join(name)
}

/// Test support: run `f` on the [`Context`] of a folder, as a scan would build it.
#[cfg(test)]
pub(crate) fn with_context<R>(
    root: &Path,
    use_local_caches: bool,
    f: impl FnOnce(&Context<'_>) -> R,
) -> R {
    let (manifests, license_files) = collect_paths(root);
    f(&Context {
        root,
        manifests: &manifests,
        license_files: &license_files,
        use_local_caches,
    })
}

#[cfg(test)]
mod yaml_tests {
    use super::*;

    #[test]
    fn yaml_nesting_is_bounded_before_parsing() {
        assert_eq!(flow_nesting("a: [b, {c: [d]}]\n# [[[[\nx: '[[['\n"), 3);
        let deep = format!("x: {}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(parse_yaml(&deep).unwrap_err().contains("nested 1000 deep"));
        assert!(parse_yaml("a: [1, 2]").is_ok());
    }
}
