//! NuGet (.NET): `packages.lock.json` (per target framework: each package's resolved
//! version, its SHA-512 content hash, Direct / Transitive / Project, and its dependencies)
//! and `obj/project.assets.json` (the restore result: `libraries` with versions and hashes,
//! `targets` with dependencies). purls `pkg:nuget/<name>@<version>`.
//!
//! Neither states a license: the package's `.nuspec` does. It is read where the package
//! is on disk: in a packages folder of the tree, in either of NuGet's layouts
//! ([`Layout`]), else (with package caches allowed) in the global packages folder,
//! `$NUGET_PACKAGES` or `~/.nuget/packages`, a package cache outside the tree read like
//! the cargo registry's: its `<id>/<version>/<id>.nuspec`, and the top-level license
//! files of that folder as evidence. A nuspec in the tree without a lockfile is a
//! component of its own (a packages.config solution has no lockfile).
//!
//! From the nuspec: `<license type="expression">` is the declared expression;
//! `<license type="file">` names the package's license text, which is its evidence
//! ([`Found::license_files`]); the deprecated `<licenseUrl>` is declared as written, which
//! the resolver reads as a license only where the URL names one
//! ([`expression::from_license_url`]), and otherwise keeps as the unresolved reference it
//! is (one `LicenseRef-` of the URL). `<authors>`
//! is the supplier, `<projectUrl>` (else `<repository url>`) the homepage, and
//! `<developmentDependency>` makes a package dev-only.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{dir_of, file_name, read_manifest, Collector, Context, Found};
use crate::expression;
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Hash, Scope};
use crate::relpath;
use crate::xml;

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "nuget",
    is_manifest: |name, dir| {
        name == "packages.lock.json"
            || (name == "project.assets.json" && file_name(dir) == "obj")
            || layout(name, dir).is_some()
    },
    dependency_dirs: &[],
    discover,
};

/// Where a nuspec sits, in one of NuGet's package folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `packages/<Id>.<Version>/` of a packages.config solution: NuGet 2 left
    /// `<Id>.<Version>.nuspec` (or `<Id>.nuspec`) beside the `.nupkg`, NuGet 3 and later
    /// only the `.nupkg`, which holds the nuspec.
    PackagesConfig,
    /// A `.nupkg` of a packages.config folder: its nuspec is read from inside it.
    Archive,
    /// The global packages layout, `<id>/<version>/<id>.nuspec` (a vendored
    /// `.nuget/packages`).
    Global,
}

/// Which layout the file `name` in `dir` belongs to, if it is a package's nuspec or, in a
/// packages.config folder, its `.nupkg`. The folder names must say so (`packages/` and
/// `<Id>.<Version>`, or `<id>/<version>`): a project's own nuspec beside its csproj
/// (`src/Foo/Foo.nuspec`, for `nuget pack`) describes the project, not a dependency.
pub fn layout(name: &str, dir: &str) -> Option<Layout> {
    let folder = file_name(dir).to_ascii_lowercase();
    let lower = name.to_ascii_lowercase();
    let in_packages = file_name(dir_of(dir)).eq_ignore_ascii_case("packages");
    // `<id>.<version>`: the id, a dot, then the version's first digit.
    let id_dot_version = |id: &str| {
        folder
            .strip_prefix(id)
            .and_then(|v| v.strip_prefix('.'))
            .is_some_and(|v| v.starts_with(|ch: char| ch.is_ascii_digit()))
    };
    if let Some(stem) = lower.strip_suffix(".nupkg") {
        return (in_packages && folder == stem && folder.contains(|ch: char| ch.is_ascii_digit()))
            .then_some(Layout::Archive);
    }
    let stem = lower.strip_suffix(".nuspec").filter(|s| !s.is_empty())?;
    let versioned = folder == stem && folder.contains(|ch: char| ch.is_ascii_digit());
    if in_packages && (versioned || id_dot_version(stem)) {
        Some(Layout::PackagesConfig)
    } else if file_name(dir_of(dir)).eq_ignore_ascii_case(stem)
        && folder.starts_with(|ch: char| ch.is_ascii_digit())
    {
        Some(Layout::Global)
    } else {
        None
    }
}

/// Largest nuspec read (inside a `.nupkg` too); real ones are a few KiB.
const MAX_NUSPEC_BYTES: u64 = 4 << 20;
/// Largest `.nupkg` opened to find its nuspec (only its directory and that entry are
/// read).
const MAX_NUPKG_BYTES: u64 = 2 << 30;

const NUSPEC_XML: xml::Limits = xml::Limits {
    max_depth: 32,
    max_elements: 100_000,
    attributes: true,
    entities: xml::Entities::KeepLiteral,
};

fn component(name: &str, version: &str, sha512_b64: Option<&str>) -> Option<Component> {
    let mut p = packageurl::PackageUrl::new("nuget", name).ok()?;
    p.with_version(version.to_string()).ok()?;
    let purl = p.to_string();
    use base64::Engine as _;
    let hashes = sha512_b64
        .and_then(|h| base64::engine::general_purpose::STANDARD.decode(h).ok())
        .filter(|b| b.len() == 64)
        .map(|b| Hash {
            alg: "SHA-512".into(),
            value: hex::encode(b),
        })
        .into_iter()
        .collect();
    Some(Component {
        bom_ref: purl.clone(),
        name: name.to_string(),
        version: Some(version.to_string()),
        purl: Some(purl),
        ecosystem: Eco::from_name("nuget"),
        hashes,
        scope: Some(Scope::Required),
        ..Default::default()
    })
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let home = if ctx.use_local_caches {
        packages_home(
            std::env::var_os("NUGET_PACKAGES"),
            std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")),
        )
    } else {
        None
    };
    discover_with(ctx, home.as_deref())
}

/// `$NUGET_PACKAGES`, else `~/.nuget/packages` (where NuGet itself restores to).
fn packages_home(
    var: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    var.filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            home.filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".nuget").join("packages"))
        })
}

/// The discovery of one tree, testable with any global packages folder: the lockfiles,
/// then the nuspecs of the tree, then those of the packages folder for what the tree
/// does not hold.
fn discover_with(ctx: &Context<'_>, home: Option<&Path>) -> Found {
    let mut c = Collector::default();
    let mut specs: Vec<(&String, Layout)> = Vec::new();
    for rel in ctx.manifests {
        let name = file_name(rel);
        if let Some(l) = layout(name, dir_of(rel)) {
            specs.push((rel, l));
            continue;
        }
        if name != "packages.lock.json" && name != "project.assets.json" {
            continue;
        }
        let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
            continue;
        };
        let v: Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
            Ok(v) => v,
            Err(e) => {
                c.found.diagnostics.push(Diagnostic::warning(
                    Some(rel.clone()),
                    format!("invalid JSON: {e}"),
                ));
                continue;
            }
        };
        if name == "packages.lock.json" {
            lockfile(&v, &mut c);
        } else {
            assets(&v, &mut c);
        }
    }
    let locked: HashMap<Key, String> = c
        .found
        .components
        .iter()
        .filter_map(|comp| {
            Some((
                key(&comp.name, comp.version.as_deref()?),
                comp.bom_ref.clone(),
            ))
        })
        .collect();
    let mut seen = Packages {
        by_key: locked,
        deps: Vec::new(),
    };
    // A folder's nuspec file first: NuGet 2 left one beside the .nupkg, which then need not
    // be opened.
    specs.sort_by_key(|(_, l)| *l == Layout::Archive);
    let mut read: HashSet<&str> = HashSet::new();
    for (rel, l) in specs {
        if !read.insert(dir_of(rel)) {
            continue;
        }
        let text = match l {
            Layout::Archive => from_archive(ctx, rel, &mut c.found.diagnostics),
            _ => read_manifest(ctx, rel, &mut c.found.diagnostics),
        };
        let Some(spec) = text.and_then(|t| parse(&t, rel, &mut c.found.diagnostics)) else {
            continue;
        };
        in_tree(&spec, dir_of(rel), rel, &mut c, &mut seen);
    }
    if let Some(home) = home {
        from_cache(home, &mut c);
    }
    // A package no lockfile lists has only its nuspec's dependencies for edges.
    let ids: HashMap<String, String> = seen
        .by_key
        .iter()
        .map(|((id, _), r)| (id.clone(), r.clone()))
        .collect();
    for (from, deps) in seen.deps {
        for d in deps {
            if let Some(to) = ids.get(&d.to_ascii_lowercase()).filter(|to| **to != from) {
                c.edges.entry(from.clone()).or_default().push(to.clone());
            }
        }
    }
    c.finish()
}

/// A package as NuGet compares them: id without case, version normalized.
type Key = (String, String);

fn key(id: &str, version: &str) -> Key {
    (id.to_ascii_lowercase(), normalize_version(version))
}

/// The components by key, and the dependency ids each nuspec names.
struct Packages {
    by_key: HashMap<Key, String>,
    deps: Vec<(String, Vec<String>)>,
}

/// A version as NuGet normalizes it: `1.0` and `1.0.0.0` are `1.0.0`, leading zeros go,
/// build metadata (`+sha`) is dropped, and case is ignored.
pub fn normalize_version(v: &str) -> String {
    let v = v.trim().split('+').next().unwrap_or("");
    let (num, pre) = v.split_once('-').unwrap_or((v, ""));
    let mut parts: Vec<String> = num
        .split('.')
        .map(|p| {
            p.parse::<u64>()
                .map_or_else(|_| p.to_string(), |n| n.to_string())
        })
        .collect();
    while parts.len() < 3 {
        parts.push("0".into());
    }
    if parts.len() == 4 && parts[3] == "0" {
        parts.pop();
    }
    let mut out = parts.join(".");
    if !pre.is_empty() {
        out.push('-');
        out.push_str(pre);
    }
    out.to_ascii_lowercase()
}

/// What a nuspec says about its package.
#[derive(Debug, Default, PartialEq)]
pub struct Nuspec {
    pub id: String,
    pub version: String,
    pub license: Option<License>,
    /// `<licenseUrl>`: NuGet writes one beside a `<license>` too (`licenses.nuget.org/...`
    /// or `aka.ms/deprecateLicenseUrl`); it counts only without one.
    pub license_url: Option<String>,
    pub authors: Option<String>,
    pub project_url: Option<String>,
    pub repository: Option<String>,
    pub development: bool,
    /// The ids of its dependencies, every target framework's.
    pub dependencies: Vec<String>,
}

#[derive(Debug, PartialEq)]
pub enum License {
    /// `type="expression"`: an SPDX expression.
    Expression(String),
    /// `type="file"`: a path inside the package.
    File(String),
}

/// The nuspec in `text` (`rel` names it in diagnostics); None with a warning when it is
/// not one.
pub fn parse(text: &str, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<Nuspec> {
    let warn = |diags: &mut Vec<Diagnostic>, m: String| {
        diags.push(Diagnostic::warning(Some(rel.to_string()), m));
    };
    let root = match xml::parse(text.trim_start_matches('\u{feff}'), &NUSPEC_XML) {
        Ok(r) => r,
        Err(e) => {
            warn(diags, format!("invalid nuspec XML: {e}"));
            return None;
        }
    };
    let Some(meta) = root.child("metadata").filter(|_| root.name == "package") else {
        warn(diags, "not a nuspec (no <package><metadata>)".into());
        return None;
    };
    let (Some(id), Some(version)) = (meta.text_of("id"), meta.text_of("version")) else {
        warn(diags, "nuspec without <id> or <version>; skipped".into());
        return None;
    };
    let license = meta.child("license").and_then(|l| {
        let text = l.text();
        if text.is_empty() {
            return None;
        }
        Some(match l.attr("type") {
            Some("file") => License::File(text),
            _ => License::Expression(text),
        })
    });
    let web =
        |s: Option<String>| s.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut dependencies = Vec::new();
    if let Some(d) = meta.child("dependencies") {
        let direct = d.children("dependency");
        let grouped = d.children("group").flat_map(|g| g.children("dependency"));
        for dep in direct.chain(grouped) {
            if let Some(id) = dep.attr("id") {
                if !dependencies
                    .iter()
                    .any(|x: &String| x.eq_ignore_ascii_case(id))
                {
                    dependencies.push(id.to_string());
                }
            }
        }
    }
    Some(Nuspec {
        id,
        version,
        license,
        license_url: web(meta.text_of("licenseUrl")),
        authors: meta.text_of("authors"),
        project_url: web(meta.text_of("projectUrl")),
        repository: web(meta
            .child("repository")
            .and_then(|r| r.attr("url"))
            .map(str::to_string)),
        development: meta
            .text_of("developmentDependency")
            .is_some_and(|d| d.eq_ignore_ascii_case("true")),
        dependencies,
    })
}

/// What the nuspec says, onto the package's component (filling what the lockfile left
/// unsaid); `at` names the nuspec in notes. The license file it names, if it does (a path
/// in the package's folder, as written).
fn apply(comp: &mut Component, spec: &Nuspec, at: &str) -> Option<String> {
    let mut named_file = None;
    match (&spec.license, &spec.license_url) {
        (Some(License::Expression(e)), _) => {
            if spdx::Expression::parse(e).is_err() {
                comp.notes.push(format!(
                    "{at}: license expression `{e}` is not valid SPDX (NuGet refuses such a package)"
                ));
            }
            comp.declared_raw.get_or_insert_with(|| e.clone());
        }
        (Some(License::File(f)), _) => {
            comp.notes.push(format!(
                "{at}: the license is the text of `{f}` in the package"
            ));
            named_file = Some(f.clone());
        }
        (None, Some(url)) => {
            // The resolver reads it as the license it names, where it names one.
            if expression::from_license_url(url).is_none() {
                comp.notes.push(format!(
                    "{at}: licenseUrl `{url}` does not name a license ospo can read; it is \
                     kept as the declared reference, not guessed"
                ));
            }
            comp.declared_raw.get_or_insert_with(|| url.clone());
        }
        (None, None) => {}
    }
    if comp.supplier.is_none() {
        comp.supplier = spec
            .authors
            .clone()
            .or_else(|| spec.repository.as_deref().and_then(super::forge_owner));
    }
    if comp.homepage.is_none() {
        comp.homepage = spec.project_url.clone().or_else(|| spec.repository.clone());
    }
    if spec.development {
        comp.scope = Some(Scope::Dev);
    }
    named_file
}

/// A nuspec in a packages folder of the tree: onto the component of the lockfile that
/// names the package, or a component of its own. The package's folder is its `path`.
fn in_tree(spec: &Nuspec, dir: &str, rel: &str, c: &mut Collector, seen: &mut Packages) {
    let k = key(&spec.id, &spec.version);
    let r = match seen.by_key.get(&k) {
        Some(r) => r.clone(),
        None => {
            let Some(comp) = component(&spec.id, &spec.version, None) else {
                c.found.diagnostics.push(Diagnostic::warning(
                    Some(rel.to_string()),
                    "cannot make a purl of the nuspec's id and version; skipped",
                ));
                return;
            };
            let r = c.upsert(comp);
            seen.by_key.insert(k, r.clone());
            seen.deps.push((r.clone(), spec.dependencies.clone()));
            r
        }
    };
    let Some(&i) = c.index.get(&r) else {
        return;
    };
    let comp = &mut c.found.components[i];
    if comp.path.is_some() {
        return; // One folder read already (a nuspec beside its .nupkg).
    }
    comp.path = Some(dir.to_string());
    if let Some(f) = apply(comp, spec, rel) {
        match relpath::join(dir, &f).filter(|p| relpath::is_within(p, dir)) {
            Some(p) => c.found.license_files.push((p, r)),
            None => comp.notes.push(format!(
                "{rel}: the license file `{f}` is outside the package; not read"
            )),
        }
    }
}

/// The nuspec inside a `.nupkg` (a zip whose top level holds `<Id>.nuspec`), read from
/// its directory and that one entry, at most [`MAX_NUSPEC_BYTES`] of it; never unpacked.
fn from_archive(ctx: &Context<'_>, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let warn = |diags: &mut Vec<Diagnostic>, m: String| {
        diags.push(Diagnostic::warning(Some(rel.to_string()), m));
        None
    };
    let Some(path) = relpath::under(ctx.root, rel).filter(|p| relpath::stays_inside(ctx.root, p))
    else {
        return warn(
            diags,
            "a symbolic link out of the scan root; not read".into(),
        );
    };
    match crate::cache::reads::metadata(&path) {
        Ok(m) if m.len() > MAX_NUPKG_BYTES => {
            return warn(
                diags,
                format!("{} MiB .nupkg, over the limit; not read", m.len() >> 20),
            );
        }
        Ok(_) => {}
        Err(e) => return warn(diags, format!("cannot read: {e}")),
    }
    let mut file = crate::cache::reads::open(&path).ok()?;
    // The zip reader holds the whole central directory in memory: look at its size first.
    if let Err(e) = directory_fits(&mut file) {
        return warn(diags, format!("not read as a .nupkg: {e}"));
    }
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => return warn(diags, format!("not a readable .nupkg (zip): {e}")),
    };
    let Some(name) = zip
        .file_names()
        .find(|n| !n.contains('/') && n.to_ascii_lowercase().ends_with(".nuspec"))
        .map(str::to_string)
    else {
        return warn(diags, "a .nupkg without a nuspec at its top".into());
    };
    let mut buf = Vec::new();
    let read = zip.by_name(&name).map_err(|e| e.to_string()).and_then(|e| {
        e.take(MAX_NUSPEC_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| e.to_string())
    });
    if let Err(e) = read {
        return warn(diags, format!("cannot read its {name}: {e}"));
    }
    if buf.len() as u64 > MAX_NUSPEC_BYTES {
        return warn(
            diags,
            format!(
                "its {name} is over {} MiB; not read",
                MAX_NUSPEC_BYTES >> 20
            ),
        );
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Largest central directory of a `.nupkg` read (a real one of 20,000 files is ~2 MiB).
const MAX_ZIP_DIRECTORY: u64 = 64 << 20;

/// Whether the zip's central directory, as its end record states it, is small enough to
/// read: a hostile archive could claim gigabytes of entries. ZIP64 (over 65,535 entries or
/// 4 GiB, which no NuGet package is) is refused.
fn directory_fits(file: &mut crate::cache::reads::Opened) -> Result<(), String> {
    use std::io::{Seek, SeekFrom};
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    // The end record is 22 bytes, after a comment of at most 65,535.
    let tail = len.min(22 + 0xffff);
    file.seek(SeekFrom::Start(len - tail))
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    file.take(tail)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    file.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let at = buf
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|&i| i + 22 <= buf.len())
        .ok_or("no zip end record")?;
    let entries = u16::from_le_bytes([buf[at + 10], buf[at + 11]]);
    let size = u32::from_le_bytes([buf[at + 12], buf[at + 13], buf[at + 14], buf[at + 15]]);
    if entries == u16::MAX || size == u32::MAX {
        return Err("a ZIP64 archive".into());
    }
    if u64::from(size) > MAX_ZIP_DIRECTORY {
        return Err(format!("its zip directory is {} MiB", size >> 20));
    }
    Ok(())
}

/// Whether an id or version can be a folder name of the global packages folder (no
/// separators, no `..`): the only names ever joined onto it.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('.')
        && s.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-+".contains(ch))
}

/// The nuspecs of packages the tree does not hold, from the global packages folder:
/// `<id>/<version>/<id>.nuspec`, all lowercase; its folder's top-level license files
/// become the component's evidence ([`Found::external_dirs`]).
fn from_cache(home: &Path, c: &mut Collector) {
    for i in 0..c.found.components.len() {
        let comp = &c.found.components[i];
        if comp.path.is_some() {
            continue;
        }
        let Some(version) = comp.version.as_deref() else {
            continue;
        };
        let (id, version) = (comp.name.to_ascii_lowercase(), normalize_version(version));
        if !plain_name(&id) || !plain_name(&version) {
            continue;
        }
        let dir = home.join(&id).join(&version);
        let spec_path = dir.join(format!("{id}.nuspec"));
        let shown = spec_path.to_string_lossy().into_owned();
        let Some(text) = read_bounded(&spec_path) else {
            continue;
        };
        let Some(spec) = parse(&text, &shown, &mut c.found.diagnostics) else {
            continue;
        };
        let comp = &mut c.found.components[i];
        if let Some(f) = apply(comp, &spec, &shown) {
            // Only the folder's top-level license files are read outside the tree.
            if f.contains(['/', '\\']) || !crate::walk::is_license_name(&f) {
                comp.notes.push(format!(
                    "the license file `{f}` is not among the top-level license files read \
                     from the package cache"
                ));
            }
        }
        c.found.external_dirs.push((comp.bom_ref.clone(), dir));
    }
}

fn read_bounded(path: &Path) -> Option<String> {
    let m = crate::cache::reads::metadata(path).ok()?;
    if !m.is_file() || m.len() > MAX_NUSPEC_BYTES {
        return None;
    }
    crate::cache::reads::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn lockfile(v: &Value, c: &mut Collector) {
    // name (lowercase) -> bom-ref, per framework; then the edges.
    for (_, pkgs) in v["dependencies"].as_object().into_iter().flatten() {
        let Some(pkgs) = pkgs.as_object() else {
            continue;
        };
        let mut by_name: HashMap<String, String> = HashMap::new();
        for (name, p) in pkgs {
            if p["type"] == "Project" {
                continue;
            }
            let Some(version) = p["resolved"].as_str() else {
                continue;
            };
            if let Some(comp) = component(name, version, p["contentHash"].as_str()) {
                by_name.insert(name.to_ascii_lowercase(), c.upsert(comp));
            }
        }
        for (name, p) in pkgs {
            let Some(from) = by_name.get(&name.to_ascii_lowercase()) else {
                continue;
            };
            for (dep, _) in p["dependencies"].as_object().into_iter().flatten() {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    c.edges.entry(from.clone()).or_default().push(to.clone());
                }
            }
        }
    }
}

fn assets(v: &Value, c: &mut Collector) {
    let mut by_name: HashMap<String, String> = HashMap::new();
    for (key, lib) in v["libraries"].as_object().into_iter().flatten() {
        if lib["type"] != "package" {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            continue;
        };
        if let Some(comp) = component(name, version, lib["sha512"].as_str()) {
            by_name.insert(name.to_ascii_lowercase(), c.upsert(comp));
        }
    }
    for (_, target) in v["targets"].as_object().into_iter().flatten() {
        for (key, lib) in target.as_object().into_iter().flatten() {
            let name = key.split('/').next().unwrap_or(key).to_ascii_lowercase();
            let Some(from) = by_name.get(&name) else {
                continue;
            };
            for (dep, _) in lib["dependencies"].as_object().into_iter().flatten() {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    c.edges.entry(from.clone()).or_default().push(to.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_folder_layouts() {
        let l = |rel: &str| layout(file_name(rel), dir_of(rel));
        assert_eq!(
            l("packages/Dapper.1.13/Dapper.1.13.nuspec"),
            Some(Layout::PackagesConfig)
        );
        assert_eq!(
            l("packages/Dapper.1.13/Dapper.nuspec"),
            Some(Layout::PackagesConfig)
        );
        assert_eq!(
            l("packages/Sigil.4.7.0/Sigil.4.7.0.nupkg"),
            Some(Layout::Archive)
        );
        assert_eq!(
            l(".nuget/packages/newtonsoft.json/13.0.1/newtonsoft.json.nuspec"),
            Some(Layout::Global)
        );
        // A project's own nuspec (for `nuget pack`) and a stray .nupkg are not packages
        // of a packages folder.
        assert_eq!(l("src/MyLib/MyLib.nuspec"), None);
        assert_eq!(l("src/MyLib.1.0/MyLib.1.0.nuspec"), None);
        assert_eq!(l("packages/MyLib/MyLib.nuspec"), None);
        assert_eq!(l("dist/MyLib.1.0/MyLib.1.0.nupkg"), None);
        assert_eq!(
            l(".nuget/packages/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg"),
            None
        );
    }

    #[test]
    fn versions_normalize_as_nuget_compares_them() {
        assert_eq!(normalize_version("1.13"), "1.13.0");
        assert_eq!(normalize_version("1.0.0.0"), "1.0.0");
        assert_eq!(normalize_version("3.0.8.55"), "3.0.8.55");
        assert_eq!(normalize_version("01.02.03"), "1.2.3");
        assert_eq!(normalize_version("1.0.0-Beta.1+sha.5"), "1.0.0-beta.1");
        assert_eq!(
            key("Newtonsoft.Json", "13.0.1"),
            key("newtonsoft.json", "13.0.1.0")
        );
    }

    #[test]
    fn nuspec_fields() {
        let mut d = Vec::new();
        let text = r#"<?xml version="1.0"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>A</id><version>1.0</version><authors>Ann</authors>
    <license type="expression">MIT OR Apache-2.0</license>
    <licenseUrl>https://licenses.nuget.org/MIT%20OR%20Apache-2.0</licenseUrl>
    <repository type="git" url="https://github.com/ann/a" />
    <developmentDependency>true</developmentDependency>
    <dependencies><group targetFramework="net8.0"><dependency id="B" version="1.0" /></group>
      <group targetFramework="net6.0"><dependency id="b" version="2.0" /></group></dependencies>
  </metadata>
</package>"#;
        let n = parse(text, "a.nuspec", &mut d).unwrap();
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            n.license,
            Some(License::Expression("MIT OR Apache-2.0".into()))
        );
        assert_eq!(n.dependencies, ["B"]);
        let mut comp = component(&n.id, &n.version, None).unwrap();
        assert_eq!(apply(&mut comp, &n, "a.nuspec"), None);
        assert_eq!(comp.declared_raw.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(comp.supplier.as_deref(), Some("Ann"));
        assert_eq!(comp.homepage.as_deref(), Some("https://github.com/ann/a"));
        assert_eq!(comp.scope, Some(Scope::Dev));

        // A licenseUrl alone is declared as written (the resolver maps what names a
        // license); one that names none is said to be kept, never guessed.
        let url = |u: &str| {
            let n = Nuspec {
                id: "x".into(),
                version: "1".into(),
                license_url: Some(u.into()),
                ..Default::default()
            };
            let mut comp = component("x", "1", None).unwrap();
            apply(&mut comp, &n, "x.nuspec");
            (comp.declared_raw.unwrap(), comp.notes.join(" "))
        };
        let (raw, note) = url("http://www.apache.org/licenses/LICENSE-2.0");
        assert_eq!(raw, "http://www.apache.org/licenses/LICENSE-2.0");
        assert!(note.is_empty(), "{note}");
        let (raw, note) = url("http://jquery.org/license");
        assert_eq!(raw, "http://jquery.org/license");
        assert!(note.contains("not guessed"), "{note}");

        // Hostile input: an entity bomb is not expanded, a deep document is refused.
        let bomb = "<!DOCTYPE p [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\
                    <package><metadata><id>&b;</id><version>1</version></metadata></package>";
        assert_eq!(parse(bomb, "b.nuspec", &mut d).unwrap().id, "&b;");
        let deep = format!("<package>{}", "<x>".repeat(100));
        assert!(parse(&deep, "d.nuspec", &mut d).is_none());
        assert!(parse("<package/>", "e.nuspec", &mut d).is_none());
        assert_eq!(d.len(), 2, "{d:?}");
    }

    #[test]
    fn global_packages_folder_outside_the_tree() {
        let home = tempfile::tempdir().unwrap();
        let pkg = home.path().join("newtonsoft.json/13.0.1");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("newtonsoft.json.nuspec"),
            "<package><metadata><id>Newtonsoft.Json</id><version>13.0.1</version>\
             <license type=\"expression\">MIT</license></metadata></package>",
        )
        .unwrap();
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(
            tree.path().join("packages.lock.json"),
            r#"{"version": 1, "dependencies": {"net8.0": {
                "Newtonsoft.Json": {"type": "Direct", "resolved": "13.0.1"},
                "../../etc": {"type": "Direct", "resolved": "1.0.0"}}}}"#,
        )
        .unwrap();
        let f = crate::ecosystem::with_context(tree.path(), true, |ctx| {
            discover_with(ctx, Some(home.path()))
        });
        let nj = f
            .components
            .iter()
            .find(|c| c.name == "Newtonsoft.Json")
            .unwrap();
        assert_eq!(nj.declared_raw.as_deref(), Some("MIT"));
        // Only the cache's own folder of the package; a name that is a path is never joined.
        assert_eq!(f.external_dirs, [(nj.bom_ref.clone(), pkg)]);
        let f = crate::ecosystem::with_context(tree.path(), false, |ctx| discover_with(ctx, None));
        assert!(f.external_dirs.is_empty());
    }

    #[test]
    fn packages_home_prefers_the_variable() {
        assert_eq!(
            packages_home(Some("/p".into()), Some("/h".into())),
            Some(PathBuf::from("/p"))
        );
        assert_eq!(
            packages_home(None, Some("/h".into())),
            Some(PathBuf::from("/h/.nuget/packages"))
        );
        assert_eq!(packages_home(Some("".into()), None), None);
    }
}
