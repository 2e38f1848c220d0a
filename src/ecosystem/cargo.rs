//! Cargo components: the project's own crates (Cargo.toml), every locked crate (Cargo.lock
//! v1–v4), vendored crate sources (`.cargo-checksum.json`) and the local registry cache.
//!
//! Only files are read; cargo and build scripts never run. The lockfile gives the exact
//! graph and checksums; scopes come from the own manifests' dependency kinds carried along
//! the lock's edges (the lock itself does not record kinds). Build-dependencies count as
//! required: what they generate ships in the binary.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use packageurl::PackageUrl;
use toml::{Table, Value};

use super::{dir_of, file_name, read_manifest, Context, Found, MAX_MANIFEST_BYTES};
use crate::model::{Component, Diagnostic, Ecosystem, Edge, Hash, Scope};
use crate::relpath;

/// Cargo: manifests, the lockfile, and vendored crates (`cargo vendor`'s checksums).
pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "cargo",
    is_manifest: |name, _| matches!(name, "Cargo.toml" | "Cargo.lock" | ".cargo-checksum.json"),
    dependency_dirs: &["vendor"],
    discover,
};

/// The two spellings of crates.io in a lockfile's `source` (git index, sparse index).
const CRATES_IO: &[&str] = &[
    "registry+https://github.com/rust-lang/crates.io-index",
    "sparse+https://index.crates.io/",
];

pub fn discover(ctx: &Context<'_>) -> Found {
    let home = if ctx.use_local_caches {
        cargo_home(
            std::env::var_os("CARGO_HOME"),
            std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")),
        )
    } else {
        None
    };
    discover_with(ctx, home.as_deref())
}

/// `$CARGO_HOME`, else `~/.cargo` (what cargo itself uses).
fn cargo_home(cargo_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    cargo_home
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            home.filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cargo"))
        })
}

/// A Cargo.toml of the tree, parsed.
struct Manifest {
    dir: String,
    table: Table,
}

/// What a package's Cargo.toml says, workspace inheritance resolved.
struct PackageInfo {
    name: String,
    version: String,
    license: Option<String>,
    homepage: Option<String>,
    supplier: Option<String>,
    /// (crate name as published, scope) of every declared dependency.
    deps: Vec<(String, Scope)>,
}

struct LockPkg {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    deps: Vec<String>,
}

struct Lock {
    rel: String,
    dir: String,
    pkgs: Vec<LockPkg>,
}

type Key = (String, String);

/// What the manifests and lockfiles of the tree say, parsed.
#[derive(Default)]
struct Parsed {
    /// The project's own manifests (workspace members, path dependencies), by directory.
    own_tomls: BTreeMap<String, Manifest>,
    /// Manifests of crates `cargo vendor` copied.
    vendored_tomls: Vec<Manifest>,
    locks: Vec<Lock>,
}

/// The discovery of one tree, testable with any cargo home: the vendored crate folders,
/// every manifest and lockfile parsed, the project's own packages told from copies of
/// registry crates, then the lockfiles' graph, the roots, the vendored crates and (with
/// a cargo home) the registry's sources of what is not in the tree.
fn discover_with(ctx: &Context<'_>, cargo_home: Option<&Path>) -> Found {
    let mut found = Found::default();
    let diags = &mut found.diagnostics;
    let listed: HashSet<&str> = ctx.manifests.iter().map(String::as_str).collect();
    let mut vendored = vendored_dirs(ctx, &listed);
    let Parsed {
        own_tomls,
        vendored_tomls,
        mut locks,
    } = parse_all(ctx, &listed, &vendored, diags);

    // Lock entries come first: they carry the source, which the purl needs.
    let lock_keys = |sourced: bool| -> HashSet<Key> {
        locks
            .iter()
            .flat_map(|l| &l.pkgs)
            .filter(|p| p.source.is_some() == sourced)
            .map(key_of)
            .collect()
    };
    let (sourced, local) = (lock_keys(true), lock_keys(false));
    let (own, copies) = own_packages(&own_tomls, &sourced, &local, &mut vendored, diags);
    locks.retain(|l| !under_any(&l.dir, &vendored, false));

    let mut comps: BTreeMap<Key, Component> = BTreeMap::new();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for lock in &locks {
        add_lock(lock, &own, &mut comps, &mut graph, diags);
    }
    for (key, (dir, info)) in &own {
        let rel = relpath::child(dir, "Cargo.toml");
        let Some(c) = upsert(&mut comps, &key.0, &key.1, None, &rel, diags) else {
            continue;
        };
        fill(c, info, dir);
        c.scope = Some(Scope::Required);
        found.roots.push(c.bom_ref.clone());
    }
    add_vendored(ctx, &vendored_tomls, &copies, &mut comps, diags);

    if let Some(home) = cargo_home {
        let crates_io: HashSet<Key> = locks
            .iter()
            .flat_map(|l| &l.pkgs)
            .filter(|p| p.source.as_deref().is_some_and(|s| CRATES_IO.contains(&s)))
            .map(key_of)
            .collect();
        let wanted = comps
            .iter_mut()
            .filter(|(k, c)| c.path.is_none() && crates_io.contains(*k));
        registry_cache(home, wanted, &mut found.external_dirs, diags);
    }

    for c in comps.values_mut() {
        // Not reached from any root (no manifest for the lock, or a vendored crate no lock
        // names): nothing says it is only for development, so it counts as shipped.
        c.scope.get_or_insert(Scope::Required);
    }
    found.components = comps.into_values().collect();
    found.edges = graph
        .into_iter()
        .map(|(from, to)| Edge {
            from,
            to: to.into_iter().collect(),
        })
        .collect();
    found.roots.sort();
    found.roots.dedup();
    found
}

/// Crate directories made by `cargo vendor`: a checksum file next to a Cargo.toml. (When
/// one crate's unpacked sources are scanned, that crate is the project, not a copy.)
fn vendored_dirs(ctx: &Context<'_>, listed: &HashSet<&str>) -> BTreeSet<String> {
    let mut vendored: BTreeSet<String> = ctx
        .manifests
        .iter()
        .filter(|m| file_name(m) == ".cargo-checksum.json")
        .map(|m| dir_of(m).to_string())
        .filter(|d| listed.contains(relpath::child(d, "Cargo.toml").as_str()))
        .collect();
    vendored.remove("");
    vendored
}

/// Read and parse every manifest and lockfile that describes this project: not those
/// inside a vendored crate (its tests, examples, its own Cargo.lock describe that crate's
/// development), nor build output copies.
fn parse_all(
    ctx: &Context<'_>,
    listed: &HashSet<&str>,
    vendored: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> Parsed {
    enum One {
        Lock(Lock),
        Toml(Manifest),
    }
    let wanted: Vec<&String> = ctx
        .manifests
        .iter()
        .filter(|rel| {
            let name = file_name(rel);
            let dir = dir_of(rel);
            (name == "Cargo.toml" || name == "Cargo.lock")
                && !in_target_dir(dir, listed)
                && !under_any(dir, vendored, name == "Cargo.toml")
        })
        .collect();
    // A vendored tree has a thousand manifests: read and parse them in parallel (the
    // results keep the input order, so the outcome does not depend on scheduling).
    let parsed: Vec<(Vec<Diagnostic>, Option<One>)> = {
        use rayon::prelude::*;
        wanted
            .par_iter()
            .map(|rel| {
                let mut d = Vec::new();
                let dir = dir_of(rel);
                let p = read_manifest(ctx, rel, &mut d).and_then(|text| {
                    if file_name(rel) == "Cargo.lock" {
                        parse_lock(rel, &text, &mut d).map(|pkgs| {
                            One::Lock(Lock {
                                rel: (*rel).clone(),
                                dir: dir.to_string(),
                                pkgs,
                            })
                        })
                    } else {
                        // A vendored crate's manifest matters only for its [package]
                        // table: parse that section alone (a third of the file), and the
                        // whole file only if the section does not stand on its own.
                        let section = vendored
                            .contains(dir)
                            .then(|| package_section(&text))
                            .flatten();
                        let table = section
                            .and_then(|s| toml::from_str::<Table>(s).ok())
                            .or_else(|| parse_toml(rel, &text, &mut d));
                        table.map(|table| {
                            One::Toml(Manifest {
                                dir: dir.to_string(),
                                table,
                            })
                        })
                    }
                });
                (d, p)
            })
            .collect()
    };
    let mut out = Parsed::default();
    for (d, p) in parsed {
        diags.extend(d);
        match p {
            Some(One::Lock(l)) => out.locks.push(l),
            Some(One::Toml(m)) if vendored.contains(&m.dir) => out.vendored_tomls.push(m),
            Some(One::Toml(m)) => {
                out.own_tomls.insert(m.dir.clone(), m);
            }
            None => {}
        }
    }
    out
}

/// The project's own packages (by name+version, with their directory), and crate copies
/// without a checksum file: a registry crate's exact name+version that no lockfile knows
/// as a local package (its directory joins `vendored`).
#[allow(clippy::type_complexity)]
fn own_packages(
    own_tomls: &BTreeMap<String, Manifest>,
    sourced: &HashSet<Key>,
    local: &HashSet<Key>,
    vendored: &mut BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
) -> (
    BTreeMap<Key, (String, PackageInfo)>,
    Vec<(String, PackageInfo)>,
) {
    let mut own: BTreeMap<Key, (String, PackageInfo)> = BTreeMap::new();
    let mut copies: Vec<(String, PackageInfo)> = Vec::new();
    for m in own_tomls.values() {
        let rel = relpath::child(&m.dir, "Cargo.toml");
        let ws = workspace_of(m, own_tomls);
        let Some(info) = package_info(&rel, &m.table, ws, diags) else {
            continue;
        };
        let key = (info.name.clone(), info.version.clone());
        if !m.dir.is_empty() && sourced.contains(&key) && !local.contains(&key) {
            vendored.insert(m.dir.clone());
            copies.push((m.dir.clone(), info));
        } else {
            own.entry(key).or_insert((m.dir.clone(), info));
        }
    }
    own.retain(|_, (dir, _)| !under_any(dir, vendored, true));
    for (key, (dir, info)) in &own {
        if !info.deps.is_empty() && !local.contains(key) {
            diags.push(Diagnostic::info(
                Some(relpath::child(dir, "Cargo.toml")),
                "this package is in no Cargo.lock: its dependencies are not resolved and not reported",
            ));
        }
    }
    (own, copies)
}

/// Vendored crates (with their `cargo vendor` checksum as the hash) and copies.
fn add_vendored(
    ctx: &Context<'_>,
    vendored_tomls: &[Manifest],
    copies: &[(String, PackageInfo)],
    comps: &mut BTreeMap<Key, Component>,
    diags: &mut Vec<Diagnostic>,
) {
    for m in vendored_tomls {
        let rel = relpath::child(&m.dir, "Cargo.toml");
        // Published manifests are normalised: nothing to inherit from a workspace.
        let Some(info) = package_info(&rel, &m.table, None, diags) else {
            continue;
        };
        let checksum =
            vendored_checksum(ctx, &relpath::child(&m.dir, ".cargo-checksum.json"), diags);
        let Some(c) = upsert(comps, &info.name, &info.version, None, &rel, diags) else {
            continue;
        };
        fill(c, &info, &m.dir);
        if c.hashes.is_empty() {
            c.hashes.extend(checksum.map(|value| Hash {
                alg: "SHA-256".into(),
                value,
            }));
        }
    }
    for (dir, info) in copies {
        let rel = relpath::child(dir, "Cargo.toml");
        if let Some(c) = upsert(comps, &info.name, &info.version, None, &rel, diags) {
            fill(c, info, dir);
        }
    }
}

fn key_of(p: &LockPkg) -> Key {
    (p.name.clone(), p.version.clone())
}

/// Add one lockfile's packages, edges and scopes.
fn add_lock(
    lock: &Lock,
    own: &BTreeMap<Key, (String, PackageInfo)>,
    comps: &mut BTreeMap<Key, Component>,
    graph: &mut BTreeMap<String, BTreeSet<String>>,
    diags: &mut Vec<Diagnostic>,
) {
    let pkgs = &lock.pkgs;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in pkgs.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    // Workspace members: local packages whose manifest is in the tree. Their manifests know
    // which dependencies are dev-only or optional; every other edge of the lock is required
    // (cargo never resolves a dependency's dev-dependencies).
    let members: Vec<usize> = (0..pkgs.len())
        .filter(|&i| pkgs[i].source.is_none() && own.contains_key(&key_of(&pkgs[i])))
        .collect();
    let mut edges: Vec<Vec<(usize, Scope)>> = vec![Vec::new(); pkgs.len()];
    for (i, p) in pkgs.iter().enumerate() {
        let kinds: HashMap<&str, Scope> = match own.get(&key_of(p)).filter(|_| p.source.is_none()) {
            Some((_, info)) => {
                let mut k: HashMap<&str, Scope> = HashMap::new();
                for (name, s) in &info.deps {
                    let e = k.entry(name.as_str()).or_insert(*s);
                    *e = (*e).min(*s);
                }
                k
            }
            None => HashMap::new(),
        };
        for d in &p.deps {
            match resolve_dep(pkgs, &by_name, d) {
                Ok(j) => {
                    let s = kinds
                        .get(pkgs[j].name.as_str())
                        .copied()
                        .unwrap_or(Scope::Required);
                    edges[i].push((j, s));
                }
                Err(why) => diags.push(Diagnostic::warning(
                    Some(lock.rel.clone()),
                    format!(
                        "dependency \"{d}\" of {} {}: {why}; edge dropped",
                        p.name, p.version
                    ),
                )),
            }
        }
    }
    let starts: Vec<usize> = if members.is_empty() {
        (0..pkgs.len())
            .filter(|&i| pkgs[i].source.is_none())
            .collect()
    } else {
        members
    };
    let scopes = scopes(&edges, &starts);

    let mut refs: Vec<Option<String>> = Vec::with_capacity(pkgs.len());
    for (i, p) in pkgs.iter().enumerate() {
        let c = upsert(
            comps,
            &p.name,
            &p.version,
            p.source.as_deref(),
            &lock.rel,
            diags,
        );
        refs.push(c.as_ref().map(|c| c.bom_ref.clone()));
        let Some(c) = c else { continue };
        if let Some(s) = scopes[i] {
            c.scope = Some(c.scope.map_or(s, |have| have.min(s)));
        }
        if let Some(sum) = &p.checksum {
            let h = Hash {
                alg: "SHA-256".into(),
                value: sum.clone(),
            };
            if !c.hashes.contains(&h) {
                c.hashes.push(h);
            }
        }
    }
    for (i, out) in edges.iter().enumerate() {
        let Some(from) = &refs[i] else { continue };
        let to: Vec<&String> = out.iter().filter_map(|(j, _)| refs[*j].as_ref()).collect();
        if !to.is_empty() {
            graph
                .entry(from.clone())
                .or_default()
                .extend(to.into_iter().cloned());
        }
    }
}

/// Strongest scope over every path from a start: a path is as weak as its weakest edge.
fn scopes(edges: &[Vec<(usize, Scope)>], starts: &[usize]) -> Vec<Option<Scope>> {
    let mut out: Vec<Option<Scope>> = vec![None; edges.len()];
    for level in [Scope::Required, Scope::Optional, Scope::Dev] {
        let mut seen = vec![false; edges.len()];
        let mut queue: VecDeque<usize> = starts.iter().copied().collect();
        for &s in starts {
            seen[s] = true;
        }
        while let Some(i) = queue.pop_front() {
            out[i].get_or_insert(level);
            for &(j, s) in &edges[i] {
                if s <= level && !seen[j] {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
    }
    out
}

/// Find a lock dependency entry: "name", "name version" or "name version (source)".
fn resolve_dep(
    pkgs: &[LockPkg],
    by_name: &HashMap<&str, Vec<usize>>,
    dep: &str,
) -> Result<usize, String> {
    let mut parts = dep.splitn(3, ' ');
    let name = parts.next().unwrap_or_default();
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let mut cands: Vec<usize> = by_name
        .get(name)
        .into_iter()
        .flatten()
        .copied()
        .filter(|&i| version.is_none_or(|v| pkgs[i].version == v))
        .collect();
    if cands.len() > 1 {
        if let Some(src) = source {
            cands.retain(|&i| pkgs[i].source.as_deref() == Some(src));
        }
    }
    match cands.as_slice() {
        [i] => Ok(*i),
        [] => Err("no such package in the lockfile".into()),
        _ => Err("ambiguous, several packages in the lockfile match".into()),
    }
}

/// The component for name+version, created on first sight (purl from the source).
fn upsert<'a>(
    comps: &'a mut BTreeMap<Key, Component>,
    name: &str,
    version: &str,
    source: Option<&str>,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a mut Component> {
    let key = (name.to_string(), version.to_string());
    if !comps.contains_key(&key) {
        let purl = match purl(name, version, source) {
            Ok(p) => p,
            Err(e) => {
                diags.push(Diagnostic::warning(
                    Some(rel.to_string()),
                    format!("cannot make a purl for crate {name:?} {version:?}: {e}; skipped"),
                ));
                return None;
            }
        };
        comps.insert(
            key.clone(),
            Component {
                bom_ref: purl.clone(),
                name: name.to_string(),
                version: Some(version.to_string()),
                purl: Some(purl),
                ecosystem: Ecosystem::Cargo,
                ..Default::default()
            },
        );
    }
    comps.get_mut(&key)
}

/// Copy what a manifest says into a component, keeping what is already known (a crate
/// vendored twice keeps its shallower copy).
fn fill(c: &mut Component, info: &PackageInfo, dir: &str) {
    c.merge(
        Component {
            path: Some(dir.to_string()),
            declared_raw: info.license.clone(),
            homepage: info.homepage.clone(),
            supplier: info.supplier.clone(),
            ..Default::default()
        },
        false,
    );
}

/// `pkg:cargo/name@version`, with `vcs_url` for git sources and `repository_url` for
/// registries other than crates.io.
fn purl(name: &str, version: &str, source: Option<&str>) -> Result<String, String> {
    let mut p = PackageUrl::new("cargo", name).map_err(|e| e.to_string())?;
    p.with_version(version).map_err(|e| e.to_string())?;
    match source {
        Some(src) if src.starts_with("git+") => {
            // git+https://host/repo?rev=x#<commit>  ->  git+https://host/repo@<commit>
            let (base, commit) = src
                .split_once('#')
                .map_or((src, None), |(b, c)| (b, Some(c)));
            let base = base.split_once('?').map_or(base, |(b, _)| b);
            let vcs = match commit {
                Some(c) if !c.is_empty() => format!("{base}@{c}"),
                _ => base.to_string(),
            };
            p.add_qualifier("vcs_url", vcs).map_err(|e| e.to_string())?;
        }
        Some(src) if !CRATES_IO.contains(&src) => {
            if let Some((_, url)) = src.split_once('+') {
                p.add_qualifier("repository_url", url.to_string())
                    .map_err(|e| e.to_string())?;
            }
        }
        _ => {}
    }
    Ok(p.to_string())
}

/// The `[package]` (or old `[project]`) table of a manifest as text: from its header to
/// the next table header. None when there is no such header at a line start.
fn package_section(text: &str) -> Option<&str> {
    let mut start = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(s) = start {
            if t.starts_with('[') {
                return Some(&text[s..pos]);
            }
        } else if t.starts_with("[package]") || t.starts_with("[project]") {
            start = Some(pos);
        }
        pos += line.len();
    }
    start.map(|s| &text[s..])
}

fn parse_toml(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Table> {
    match text.parse::<Table>() {
        Ok(t) => Some(t),
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let at = line.map(|l| format!(" at line {l}")).unwrap_or_default();
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("invalid TOML{at}: {}; file skipped", e.message().trim()),
            ));
            None
        }
    }
}

fn warn(diags: &mut Vec<Diagnostic>, rel: &str, msg: String) {
    diags.push(Diagnostic::warning(Some(rel.to_string()), msg));
}

/// The `[workspace]` table a manifest inherits from: its own, the one `package.workspace`
/// points at, or the nearest ancestor's.
fn workspace_of<'a>(m: &'a Manifest, tomls: &'a BTreeMap<String, Manifest>) -> Option<&'a Table> {
    if let Some(ws) = m.table.get("workspace").and_then(Value::as_table) {
        return Some(ws);
    }
    let explicit = m
        .table
        .get("package")
        .and_then(Value::as_table)
        .and_then(|p| p.get("workspace"))
        .and_then(Value::as_str);
    if let Some(p) = explicit {
        return relpath::join(&m.dir, p)
            .and_then(|d| tomls.get(&d))
            .and_then(|w| w.table.get("workspace"))
            .and_then(Value::as_table);
    }
    let mut dir = m.dir.as_str();
    while !dir.is_empty() {
        dir = dir_of(dir);
        if let Some(ws) = tomls
            .get(dir)
            .and_then(|w| w.table.get("workspace"))
            .and_then(Value::as_table)
        {
            return Some(ws);
        }
    }
    None
}

fn package_info(
    rel: &str,
    table: &Table,
    ws: Option<&Table>,
    diags: &mut Vec<Diagnostic>,
) -> Option<PackageInfo> {
    // `[project]` is what the first cargo releases called `[package]`.
    let pkg = match table.get("package").or_else(|| table.get("project")) {
        None => return None, // a virtual workspace manifest
        Some(Value::Table(t)) => t,
        Some(v) => {
            warn(
                diags,
                rel,
                format!(
                    "[package] is a {}, expected a table; manifest skipped",
                    v.type_str()
                ),
            );
            return None;
        }
    };
    let ws_pkg = ws.and_then(|w| w.get("package")).and_then(Value::as_table);
    let Some(name) = str_field(rel, pkg, "name", ws_pkg, diags).filter(|n| !n.is_empty()) else {
        warn(
            diags,
            rel,
            "package.name is missing or not a string; manifest skipped".into(),
        );
        return None;
    };
    // Cargo defaults an omitted version to 0.0.0, and so does its lockfile.
    let version = str_field(rel, pkg, "version", ws_pkg, diags).unwrap_or_else(|| "0.0.0".into());
    let license = str_field(rel, pkg, "license", ws_pkg, diags);
    let homepage = str_field(rel, pkg, "homepage", ws_pkg, diags)
        .or_else(|| str_field(rel, pkg, "repository", ws_pkg, diags));
    let supplier = match inherited(rel, pkg, "authors", ws_pkg, diags) {
        None => None,
        Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_string),
        Some(v) => {
            warn(
                diags,
                rel,
                format!(
                    "package.authors is a {}, expected an array of strings",
                    v.type_str()
                ),
            );
            None
        }
    };
    let ws_deps = ws
        .and_then(|w| w.get("dependencies"))
        .and_then(Value::as_table);
    let mut deps = Vec::new();
    dep_sections(rel, "", table, ws_deps, &mut deps, diags);
    match table.get("target") {
        None => {}
        Some(Value::Table(targets)) => {
            for (cfg, t) in targets {
                match t {
                    Value::Table(t) => {
                        dep_sections(rel, &format!("target.{cfg}."), t, ws_deps, &mut deps, diags)
                    }
                    v => warn(
                        diags,
                        rel,
                        format!("[target.{cfg}] is a {}, expected a table", v.type_str()),
                    ),
                }
            }
        }
        Some(v) => warn(
            diags,
            rel,
            format!("[target] is a {}, expected a table", v.type_str()),
        ),
    }
    Some(PackageInfo {
        name,
        version,
        license,
        homepage,
        supplier,
        deps,
    })
}

/// A package field, following `field.workspace = true` to `[workspace.package]`.
fn inherited<'a>(
    rel: &str,
    pkg: &'a Table,
    key: &str,
    ws_pkg: Option<&'a Table>,
    diags: &mut Vec<Diagnostic>,
) -> Option<&'a Value> {
    let v = pkg.get(key)?;
    if let Value::Table(t) = v {
        if t.get("workspace").and_then(Value::as_bool) == Some(true) {
            let got = ws_pkg.and_then(|w| w.get(key));
            if got.is_none() {
                warn(diags, rel, format!("package.{key} is inherited, but no workspace root with [workspace.package] {key} was found"));
            }
            return got;
        }
    }
    Some(v)
}

fn str_field(
    rel: &str,
    pkg: &Table,
    key: &str,
    ws_pkg: Option<&Table>,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match inherited(rel, pkg, key, ws_pkg, diags)? {
        Value::String(s) => Some(s.clone()),
        v => {
            warn(
                diags,
                rel,
                format!("package.{key} is a {}, expected a string", v.type_str()),
            );
            None
        }
    }
}

fn dep_sections(
    rel: &str,
    prefix: &str,
    table: &Table,
    ws_deps: Option<&Table>,
    out: &mut Vec<(String, Scope)>,
    diags: &mut Vec<Diagnostic>,
) {
    // The underscore spellings are older cargo's and still accepted.
    const SECTIONS: &[(&str, Scope)] = &[
        ("dependencies", Scope::Required),
        ("build-dependencies", Scope::Required),
        ("build_dependencies", Scope::Required),
        ("dev-dependencies", Scope::Dev),
        ("dev_dependencies", Scope::Dev),
    ];
    for (section, base) in SECTIONS {
        let Some(v) = table.get(*section) else {
            continue;
        };
        let Some(deps) = v.as_table() else {
            warn(
                diags,
                rel,
                format!(
                    "[{prefix}{section}] is a {}, expected a table",
                    v.type_str()
                ),
            );
            continue;
        };
        for (key, spec) in deps {
            let (package, optional) = match spec {
                Value::String(_) => (key.clone(), false),
                Value::Table(s) => {
                    let optional = s.get("optional").and_then(Value::as_bool).unwrap_or(false);
                    let mut package = s.get("package").and_then(Value::as_str);
                    if package.is_none()
                        && s.get("workspace").and_then(Value::as_bool) == Some(true)
                    {
                        package = ws_deps
                            .and_then(|w| w.get(key))
                            .and_then(Value::as_table)
                            .and_then(|w| w.get("package"))
                            .and_then(Value::as_str);
                    }
                    (package.unwrap_or(key).to_string(), optional)
                }
                v => {
                    warn(
                        diags,
                        rel,
                        format!(
                            "[{prefix}{section}] {key} is a {}, expected a version or a table",
                            v.type_str()
                        ),
                    );
                    continue;
                }
            };
            let scope = if *base == Scope::Dev {
                Scope::Dev
            } else if optional {
                Scope::Optional
            } else {
                Scope::Required
            };
            out.push((package, scope));
        }
    }
}

fn parse_lock(rel: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Option<Vec<LockPkg>> {
    let table = parse_toml(rel, text, diags)?;
    // v1 and v2 have no `version`; v1 keeps checksums in [metadata].
    match table.get("version") {
        None | Some(Value::Integer(1..=4)) => {}
        Some(v) => warn(
            diags,
            rel,
            format!("unknown Cargo.lock version {v} (known: 1 to 4); read as version 4, results may be incomplete"),
        ),
    }
    let mut meta: HashMap<&str, &str> = HashMap::new();
    if let Some(m) = table.get("metadata").and_then(Value::as_table) {
        for (k, v) in m {
            if let (Some(rest), Some(sum)) = (k.strip_prefix("checksum "), v.as_str()) {
                meta.insert(rest, sum);
            }
        }
    }
    let mut entries: Vec<(String, &Table)> = Vec::new();
    // Lockfiles from before 2017 put the root package in [root].
    if let Some(root) = table.get("root") {
        match root.as_table() {
            Some(t) => entries.push(("[root]".into(), t)),
            None => warn(
                diags,
                rel,
                format!("[root] is a {}, expected a table", root.type_str()),
            ),
        }
    }
    match table.get("package") {
        None => {}
        Some(Value::Array(a)) => {
            for (i, e) in a.iter().enumerate() {
                match e.as_table() {
                    Some(t) => entries.push((format!("[[package]] #{}", i + 1), t)),
                    None => warn(
                        diags,
                        rel,
                        format!(
                            "[[package]] #{} is a {}, expected a table",
                            i + 1,
                            e.type_str()
                        ),
                    ),
                }
            }
        }
        Some(v) => warn(
            diags,
            rel,
            format!(
                "`package` is a {}, expected an array of [[package]] tables",
                v.type_str()
            ),
        ),
    }
    let mut pkgs = Vec::with_capacity(entries.len());
    for (what, t) in entries {
        let get = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(name), Some(version)) = (get("name"), get("version")) else {
            warn(
                diags,
                rel,
                format!("{what} has no string name and version; entry skipped"),
            );
            continue;
        };
        let source = get("source");
        let id = match &source {
            Some(s) => format!("{name} {version} ({s})"),
            None => format!("{name} {version}"),
        };
        let checksum = get("checksum").or_else(|| meta.get(id.as_str()).map(|s| s.to_string()));
        // Old cargo wrote "<none>" for crates without a checksum (git, path).
        let checksum = match checksum {
            Some(c) if c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(c.to_ascii_lowercase())
            }
            Some(c) if c == "<none>" || c.is_empty() => None,
            Some(c) => {
                warn(
                    diags,
                    rel,
                    format!("{what} ({name} {version}): checksum {c:?} is not a SHA-256; ignored"),
                );
                None
            }
            None => None,
        };
        let mut deps = Vec::new();
        match t.get("dependencies") {
            None => {}
            Some(Value::Array(a)) => {
                for d in a {
                    match d.as_str() {
                        Some(s) => deps.push(s.to_string()),
                        None => warn(
                            diags,
                            rel,
                            format!("{what} ({name} {version}): a dependency is a {}, expected a string", d.type_str()),
                        ),
                    }
                }
            }
            Some(v) => warn(
                diags,
                rel,
                format!(
                    "{what} ({name} {version}): dependencies is a {}, expected an array",
                    v.type_str()
                ),
            ),
        }
        pkgs.push(LockPkg {
            name,
            version,
            source,
            checksum,
            deps,
        });
    }
    Some(pkgs)
}

/// The `.crate` checksum `cargo vendor` recorded (null for git sources).
fn vendored_checksum(ctx: &Context<'_>, rel: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let text = read_manifest(ctx, rel, diags)?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v
            .get("package")
            .and_then(serde_json::Value::as_str)
            .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_ascii_lowercase),
        Err(e) => {
            warn(diags, rel, format!("invalid JSON: {e}"));
            None
        }
    }
}

/// Crates.io packages whose sources cargo already unpacked in `$CARGO_HOME/registry/src`:
/// their manifest's license, and their directory for license-file evidence.
fn registry_cache<'a>(
    home: &Path,
    wanted: impl Iterator<Item = (&'a Key, &'a mut Component)>,
    external: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) {
    let src = home.join("registry").join("src");
    let Ok(rd) = crate::cache::reads::read_dir(&src) else {
        return;
    };
    let mut indexes: Vec<PathBuf> = rd
        .into_iter()
        .map(|e| e.path)
        .filter(|p| crate::cache::reads::is_dir(p))
        .collect();
    // crates.io's own index directories first, then any other.
    indexes.sort_by_key(|p| {
        let n = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (
            !(n.starts_with("index.crates.io-") || n.starts_with("github.com-")),
            n,
        )
    });
    for ((name, version), c) in wanted {
        let Some(dir) = indexes
            .iter()
            .map(|i| i.join(format!("{name}-{version}")))
            .find(|d| crate::cache::reads::is_dir(d))
        else {
            continue;
        };
        let manifest = dir.join("Cargo.toml");
        let shown = manifest.to_string_lossy().into_owned();
        if let Some(text) = read_bounded(&manifest) {
            if let Some(t) = parse_toml(&shown, &text, diags) {
                if let Some(info) = package_info(&shown, &t, None, diags) {
                    if c.declared_raw.is_none() {
                        c.declared_raw = info.license;
                    }
                    if c.homepage.is_none() {
                        c.homepage = info.homepage;
                    }
                    if c.supplier.is_none() {
                        c.supplier = info.supplier;
                    }
                }
            }
        }
        external.push((c.bom_ref.clone(), dir));
    }
}

fn read_bounded(path: &Path) -> Option<String> {
    let m = crate::cache::reads::metadata(path).ok()?;
    if m.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    crate::cache::reads::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Is `dir` inside one of `dirs` (strictly inside when `strict`)?
fn under_any(dir: &str, dirs: &BTreeSet<String>, strict: bool) -> bool {
    if !strict && dirs.contains(dir) {
        return true;
    }
    let mut d = dir;
    while !d.is_empty() {
        d = dir_of(d);
        if dirs.contains(d) {
            return true;
        }
    }
    false
}

/// Inside a cargo `target/` directory (one that sits next to a Cargo.toml)?
fn in_target_dir(dir: &str, listed: &HashSet<&str>) -> bool {
    let mut d = dir;
    while !d.is_empty() {
        if file_name(d) == "target"
            && listed.contains(relpath::child(dir_of(d), "Cargo.toml").as_str())
        {
            return true;
        }
        d = dir_of(d);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        crate::ecosystem::fixture_dir("cargo", name)
    }

    fn run(root: &Path, home: Option<&Path>) -> Found {
        crate::ecosystem::with_context(root, home.is_some(), |ctx| discover_with(ctx, home))
    }

    fn comp<'a>(f: &'a Found, name: &str, version: &str) -> &'a Component {
        f.components
            .iter()
            .find(|c| c.name == name && c.version.as_deref() == Some(version))
            .unwrap_or_else(|| panic!("no component {name} {version}"))
    }

    fn deps_of<'a>(f: &'a Found, from: &str) -> Vec<&'a str> {
        f.edges
            .iter()
            .filter(|e| e.from == from)
            .flat_map(|e| e.to.iter().map(String::as_str))
            .collect()
    }

    const CRATES_IO_GIT: &str = "registry+https://github.com/rust-lang/crates.io-index";

    #[test]
    fn workspace_v4_lock_members_scopes_and_vendored_crates() {
        let f = run(&fixture("workspace"), None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let names: BTreeSet<(String, String)> = f
            .components
            .iter()
            .map(|c| (c.name.clone(), c.version.clone().unwrap()))
            .collect();
        let want: BTreeSet<(String, String)> = [
            ("cfg-if", "1.0.5"),
            ("demo-app", "0.3.1"),
            ("demo-util", "0.2.0"),
            ("fnv", "1.0.7"),
            ("itoa", "1.0.19"),
            ("proc-macro2", "1.0.107"),
            ("quote", "1.0.47"),
            ("ryu", "1.0.23"),
            ("unicode-ident", "1.0.27"),
            ("version_check", "0.9.5"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        // cfg-if's own (v1) Cargo.lock inside vendor/ names rustc-std-workspace-core: ignored.
        assert_eq!(names, want);
        assert_eq!(
            f.roots,
            vec!["pkg:cargo/demo-app@0.3.1", "pkg:cargo/demo-util@0.2.0"]
        );

        // Workspace inheritance: version, license, repository -> homepage, first author.
        let app = comp(&f, "demo-app", "0.3.1");
        assert_eq!(app.bom_ref, "pkg:cargo/demo-app@0.3.1");
        assert_eq!(app.purl.as_deref(), Some("pkg:cargo/demo-app@0.3.1"));
        assert_eq!(app.ecosystem, "cargo");
        assert_eq!(app.concluded, crate::model::NOASSERTION);
        assert_eq!(app.path.as_deref(), Some("crates/app"));
        assert_eq!(app.declared_raw.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(
            app.homepage.as_deref(),
            Some("https://example.invalid/demo")
        );
        assert_eq!(
            app.supplier.as_deref(),
            Some("Demo Maintainers <demo@example.invalid>")
        );
        assert!(app.hashes.is_empty());
        // license-file only: nothing declared.
        let util = comp(&f, "demo-util", "0.2.0");
        assert_eq!(util.declared_raw, None);
        assert_eq!(
            util.homepage.as_deref(),
            Some("https://demo.example.invalid/util")
        );
        assert_eq!(util.path.as_deref(), Some("crates/util"));

        let scope = |n: &str, v: &str| comp(&f, n, v).scope;
        assert_eq!(scope("demo-app", "0.3.1"), Some(Scope::Required));
        assert_eq!(scope("demo-util", "0.2.0"), Some(Scope::Required));
        assert_eq!(scope("cfg-if", "1.0.5"), Some(Scope::Required)); // util's normal dep
        assert_eq!(scope("itoa", "1.0.19"), Some(Scope::Required)); // app normal, util dev
        assert_eq!(scope("version_check", "0.9.5"), Some(Scope::Required)); // build-dependency
        assert_eq!(scope("ryu", "1.0.23"), Some(Scope::Optional));
        assert_eq!(scope("quote", "1.0.47"), Some(Scope::Dev));
        assert_eq!(scope("proc-macro2", "1.0.107"), Some(Scope::Dev));
        assert_eq!(scope("unicode-ident", "1.0.27"), Some(Scope::Dev)); // dev -> proc-macro2 -> it
        assert_eq!(scope("fnv", "1.0.7"), Some(Scope::Required)); // vendored, in no lock

        let itoa = comp(&f, "itoa", "1.0.19");
        assert_eq!(
            itoa.hashes,
            vec![Hash {
                alg: "SHA-256".into(),
                value: "3bd1574e617a9a6c1f8f8181bd7e841e1f20e4277607ef28945765188d6284d4".into()
            }]
        );
        assert_eq!(itoa.path, None);

        // Vendored in the tree: path, license from its Cargo.toml, one hash (lock = checksum file).
        let cfg = comp(&f, "cfg-if", "1.0.5");
        assert_eq!(cfg.path.as_deref(), Some("vendor/cfg-if-1.0.5"));
        assert_eq!(cfg.declared_raw.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(cfg.hashes.len(), 1);
        assert_eq!(
            cfg.hashes[0].value,
            "4e7648175b45a9a48536d676f68d918270699102aa8dab5496df06904c914600"
        );
        // Vendored without a version in its directory name and without a lock entry.
        let fnv = comp(&f, "fnv", "1.0.7");
        assert_eq!(fnv.path.as_deref(), Some("vendor/fnv"));
        assert_eq!(fnv.declared_raw.as_deref(), Some("Apache-2.0 / MIT"));
        assert_eq!(
            fnv.hashes[0].value,
            "3f9eec918d3f24069decb9af1554cad7c880e2da24a9afd88aca000531ab82c1"
        );

        let mut app_deps = deps_of(&f, "pkg:cargo/demo-app@0.3.1");
        app_deps.sort();
        assert_eq!(
            app_deps,
            vec![
                "pkg:cargo/demo-util@0.2.0",
                "pkg:cargo/itoa@1.0.19",
                "pkg:cargo/quote@1.0.47",
                "pkg:cargo/ryu@1.0.23",
                "pkg:cargo/version_check@0.9.5",
            ]
        );
        assert_eq!(
            deps_of(&f, "pkg:cargo/proc-macro2@1.0.107"),
            vec!["pkg:cargo/unicode-ident@1.0.27"]
        );
        assert!(f.external_dirs.is_empty());
    }

    #[test]
    fn v1_lock_metadata_checksums_git_and_renames() {
        let f = run(&fixture("v1"), None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.components.len(), 7);
        assert_eq!(
            f.roots,
            vec!["pkg:cargo/legacy-core@0.1.0", "pkg:cargo/legacy-tool@0.1.0"]
        );
        let tool = comp(&f, "legacy-tool", "0.1.0");
        assert_eq!(tool.path.as_deref(), Some(""));
        assert_eq!(tool.declared_raw.as_deref(), Some("Apache-2.0"));
        assert_eq!(
            tool.supplier.as_deref(),
            Some("Jane Doe <jane@example.invalid>")
        );
        assert_eq!(
            comp(&f, "legacy-core", "0.1.0").path.as_deref(),
            Some("core")
        );

        let b1 = comp(&f, "bitflags", "1.3.2");
        assert_eq!(
            b1.hashes[0].value,
            "bef38d45163c2f1dde094a7dfd33ccf595c92905c8f8f4fdc18d06fb1037718a"
        );
        let b2 = comp(&f, "bitflags", "2.13.2");
        assert_eq!(
            b2.hashes[0].value,
            "3ded4057c258ba199e2d26386d3af3780957ecaee6c4ef4041c6b4b8b97c0b06"
        );
        // Renamed dependency (flags2 = { package = "bitflags" }) is still required.
        assert_eq!(b2.scope, Some(Scope::Required));
        // A target-specific dev-dependency.
        assert_eq!(comp(&f, "log", "0.4.35").scope, Some(Scope::Dev));
        assert_eq!(comp(&f, "libc", "0.2.191").scope, Some(Scope::Required));

        let git = comp(&f, "semver-parser", "0.7.0");
        let parsed: PackageUrl = git.purl.as_deref().unwrap().parse().unwrap();
        assert_eq!(
            parsed.qualifiers().get("vcs_url").map(|v| v.as_ref()),
            Some("git+https://github.com/steveklabnik/semver-parser@7a9a4e8b5f2b3c1d0e9f8a7b6c5d4e3f2a1b0c9d")
        );
        assert_eq!(parsed.version(), Some("0.7.0"));
        assert!(git.hashes.is_empty());
        assert_eq!(git.scope, Some(Scope::Required));

        let mut deps = deps_of(&f, "pkg:cargo/legacy-tool@0.1.0");
        deps.sort();
        assert_eq!(deps.len(), 5);
        assert_eq!(deps[0], "pkg:cargo/bitflags@1.3.2");
        assert_eq!(
            deps_of(&f, "pkg:cargo/legacy-core@0.1.0"),
            vec!["pkg:cargo/bitflags@2.13.2"]
        );
    }

    #[test]
    fn malformed_manifests_give_diagnostics_not_panics() {
        let f = run(&fixture("malformed"), None);
        let msgs: Vec<String> = f
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.path.as_deref().unwrap_or("-"), d.message))
            .collect();
        let has =
            |path: &str, text: &str| msgs.iter().any(|m| m.starts_with(path) && m.contains(text));
        assert!(
            has("badtoml/Cargo.toml", "invalid TOML at line 3"),
            "{msgs:#?}"
        );
        assert!(
            has("badlock/Cargo.toml", "package.name is a integer"),
            "{msgs:#?}"
        );
        assert!(
            has("badlock/Cargo.toml", "package.name is missing"),
            "{msgs:#?}"
        );
        assert!(
            has(
                "badlock/Cargo.lock",
                "expected an array of [[package]] tables"
            ),
            "{msgs:#?}"
        );
        assert!(
            has("futurelock/Cargo.lock", "unknown Cargo.lock version 99"),
            "{msgs:#?}"
        );
        assert!(
            has("futurelock/Cargo.lock", "a dependency is a integer"),
            "{msgs:#?}"
        );
        assert!(
            has(
                "futurelock/Cargo.lock",
                "\"missing-crate\" of ok-crate 1.2.3: no such package"
            ),
            "{msgs:#?}"
        );
        assert!(
            has(
                "futurelock/Cargo.lock",
                "[[package]] #2 has no string name and version"
            ),
            "{msgs:#?}"
        );
        assert!(
            has(
                "futurelock/Cargo.lock",
                "[[package]] #3 has no string name and version"
            ),
            "{msgs:#?}"
        );
        assert!(f
            .diagnostics
            .iter()
            .all(|d| d.severity == crate::model::Severity::Warning));
        // What was readable is still reported.
        assert_eq!(f.components.len(), 1);
        let ok = comp(&f, "ok-crate", "1.2.3");
        assert_eq!(ok.scope, Some(Scope::Required));
        assert_eq!(ok.hashes.len(), 1);
        assert!(f.roots.is_empty());
    }

    #[test]
    fn oversized_lockfile_is_skipped_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let f = std::fs::File::create(dir.path().join("Cargo.lock")).unwrap();
        f.set_len(MAX_MANIFEST_BYTES + 1).unwrap(); // sparse: no real disk use
        let found = run(dir.path(), None);
        assert!(found.components.is_empty());
        assert_eq!(found.diagnostics.len(), 1);
        assert!(
            found.diagnostics[0].message.contains("over the"),
            "{:?}",
            found.diagnostics
        );
    }

    #[test]
    fn old_root_section_and_alternative_registry() {
        let dir = tempfile::tempdir().unwrap();
        let lock = format!(
            "[root]\nname = \"old\"\nversion = \"0.1.0\"\ndependencies = [\"a 1.0.0 ({CRATES_IO_GIT})\", \"b 2.0.0 (registry+https://my.example/index)\"]\n\n\
             [[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO_GIT}\"\n\n\
             [[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"registry+https://my.example/index\"\n\n\
             [metadata]\n\"checksum a 1.0.0 ({CRATES_IO_GIT})\" = \"<none>\"\n"
        );
        std::fs::write(dir.path().join("Cargo.lock"), lock).unwrap();
        let f = run(dir.path(), None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(
            comp(&f, "b", "2.0.0").bom_ref,
            "pkg:cargo/b@2.0.0?repository_url=https:%2F%2Fmy.example%2Findex"
        );
        assert!(comp(&f, "a", "1.0.0").hashes.is_empty());
        assert_eq!(deps_of(&f, "pkg:cargo/old@0.1.0").len(), 2);
        // No manifest in the tree: a local package of the lock is not a root.
        assert!(f.roots.is_empty());
    }

    #[test]
    fn registry_cache_gives_license_and_external_dir() {
        let home = tempfile::tempdir().unwrap();
        let src = home.path().join("registry/src/index.x/foo-1.0.0");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("Cargo.toml"),
            "[package]\nname = \"foo\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n",
        )
        .unwrap();
        std::fs::write(src.join("LICENSE"), "MIT License\n").unwrap();
        let tree = tempfile::tempdir().unwrap();
        std::fs::write(
            tree.path().join("Cargo.toml"),
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nfoo = \"1\"\nbar = \"1\"\n",
        )
        .unwrap();
        std::fs::write(
            tree.path().join("Cargo.lock"),
            format!(
                "version = 4\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"bar\", \"foo\"]\n\n\
                 [[package]]\nname = \"bar\"\nversion = \"1.0.0\"\nsource = \"{CRATES_IO_GIT}\"\n\n\
                 [[package]]\nname = \"foo\"\nversion = \"1.0.0\"\nsource = \"sparse+https://index.crates.io/\"\n"
            ),
        )
        .unwrap();
        let f = run(tree.path(), Some(home.path()));
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(
            f.external_dirs,
            vec![("pkg:cargo/foo@1.0.0".to_string(), src)]
        );
        assert_eq!(
            comp(&f, "foo", "1.0.0").declared_raw.as_deref(),
            Some("MIT")
        );
        assert_eq!(comp(&f, "bar", "1.0.0").declared_raw, None);
        // And with local caches off, nothing outside the tree is read.
        assert!(run(tree.path(), None).external_dirs.is_empty());
    }

    #[test]
    fn cargo_home_prefers_the_variable() {
        assert_eq!(
            cargo_home(Some("/ch".into()), Some("/h".into())),
            Some(PathBuf::from("/ch"))
        );
        assert_eq!(
            cargo_home(None, Some("/h".into())),
            Some(PathBuf::from("/h/.cargo"))
        );
        assert_eq!(cargo_home(Some("".into()), None), None);
    }

    #[test]
    fn dependency_entry_forms() {
        let p = |n: &str, v: &str, s: Option<&str>| LockPkg {
            name: n.into(),
            version: v.into(),
            source: s.map(String::from),
            checksum: None,
            deps: vec![],
        };
        let pkgs = vec![
            p("x", "1.0.0", Some("git+https://a#1")),
            p("x", "1.0.0", Some(CRATES_IO_GIT)),
            p("x", "2.0.0", None),
        ];
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        by_name.insert("x", vec![0, 1, 2]);
        assert_eq!(resolve_dep(&pkgs, &by_name, "x 2.0.0"), Ok(2));
        assert_eq!(
            resolve_dep(&pkgs, &by_name, &format!("x 1.0.0 ({CRATES_IO_GIT})")),
            Ok(1)
        );
        assert!(resolve_dep(&pkgs, &by_name, "x").is_err());
        assert!(resolve_dep(&pkgs, &by_name, "y").is_err());
    }

    #[test]
    fn a_crate_scanned_alone_is_the_project() {
        // The vendored cfg-if copy, scanned as the root: its own (real, v1) Cargo.lock counts.
        let f = run(&fixture("workspace/vendor/cfg-if-1.0.5"), None);
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        assert_eq!(f.roots, vec!["pkg:cargo/cfg-if@1.0.5"]);
        assert_eq!(comp(&f, "cfg-if", "1.0.5").path.as_deref(), Some(""));
        let core = comp(&f, "rustc-std-workspace-core", "1.0.1");
        assert_eq!(
            core.hashes[0].value,
            "aa9c45b374136f52f2d6311062c7146bff20fec063c3f5d46a410bd937746955"
        );
        // An optional dependency of cfg-if (behind its rustc-dep-of-std feature).
        assert_eq!(core.scope, Some(Scope::Optional));
    }

    #[test]
    fn paths_inside_target_and_nested_crates_are_skipped() {
        let listed: HashSet<&str> = ["Cargo.toml", "target/package/x-1.0.0/Cargo.toml"]
            .into_iter()
            .collect();
        assert!(in_target_dir("target/package/x-1.0.0", &listed));
        assert!(!in_target_dir("src/target", &listed));
        let dirs: BTreeSet<String> = ["vendor/a".to_string()].into_iter().collect();
        assert!(under_any("vendor/a/tests/x", &dirs, true));
        assert!(!under_any("vendor/a", &dirs, true));
        assert!(under_any("vendor/a", &dirs, false));
    }

    #[test]
    fn package_section_alone() {
        let text = "# generated\n[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n[dependencies.b]\nversion = \"2\"\n";
        assert_eq!(
            package_section(text),
            Some("[package]\nname = \"a\"\nversion = \"1.0.0\"\n\n")
        );
        assert_eq!(package_section("[lib]\n"), None);
    }
}
