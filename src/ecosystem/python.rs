//! Python components: project manifests, lockfiles, requirements pins and installed
//! distributions, read as files only (never running python, pip or `setup.py`).
//!
//! Sources, from most to least authoritative for a component's metadata:
//! - installed distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` (and an sdist's
//!   `PKG-INFO`) — the only source that states the license of a dependency;
//! - project manifests: `pyproject.toml` (PEP 621 / PEP 639 `[project]`, `[tool.poetry]`),
//!   `setup.cfg` `[metadata]`, literal keyword strings of `setup.py` — merged per directory
//!   into one project component; those at the scan root are [`Found::roots`];
//! - lockfiles: `poetry.lock`, `uv.lock`, `Pipfile.lock` (versions, hashes, edges, scopes);
//! - `requirements*.txt` pins (`name==1.2.3`, `--hash`, `-r` includes).
//!
//! Every source reports into one accumulator keyed by the purl (`pkg:pypi/<PEP 503
//! name>@<version>`), so a package seen in a lockfile and installed in a virtualenv is one
//! component. Dependencies are recorded by *name* and resolved to concrete components at
//! the end, because a project manifest or `Requires-Dist` names ranges, not versions.
//! Scopes come from where a lockfile says a package belongs (poetry groups, Pipfile
//! `develop`, a `requirements-dev.txt`), else from which dependency list of a project
//! reaches it (`dependencies` → required, `optional-dependencies` → optional,
//! `dependency-groups` → dev), else required.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use once_cell::sync::Lazy;
use regex::Regex;

use super::{dir_of, file_name, read_manifest, Context, Found};
use crate::model::{Component, Diagnostic, Edge, Hash, Scope};

/// Above this a `License:` field is a pasted license text, not a license name.
const MAX_LICENSE_FIELD: usize = 100;

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut acc = Acc::default();
    let mut projects: BTreeMap<String, ProjectInfo> = BTreeMap::new();
    let mut requirements = Vec::new();
    let mut ignored_inside_installed = 0usize;
    for rel in ctx.manifests {
        let name = file_name(rel);
        let dir = dir_of(rel);
        let is_metadata = name == "METADATA" && dir.ends_with(".dist-info");
        let is_pkg_info = name == "PKG-INFO";
        if !is_metadata && !is_pkg_info && inside_installed(dir) {
            // Sources and test data shipped inside an installed package (pandas ships its
            // pyproject.toml, numpy test projects with setup.py): the package's own
            // dist-info already describes it; these would only add phantom projects.
            if is_python_manifest(name) {
                ignored_inside_installed += 1;
            }
            continue;
        }
        match name {
            "METADATA" if is_metadata => installed(ctx, rel, &mut acc),
            "PKG-INFO" if dir.ends_with(".egg-info") || inside_installed(dir) => {
                installed(ctx, rel, &mut acc)
            }
            "PKG-INFO" => {
                // An unpacked sdist: its PKG-INFO describes the project in this directory.
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let meta = parse_metadata(&text);
                    let p = projects.entry(dir.to_string()).or_default();
                    p.pkg_info = Some((rel.clone(), meta));
                }
            }
            "pyproject.toml" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    match text.parse::<toml::Table>() {
                        Ok(t) => {
                            let p = projects.entry(dir.to_string()).or_default();
                            p.pyproject = Some((rel.clone(), t));
                        }
                        Err(e) => acc.warn(rel, format!("invalid TOML: {}", first_line(&e))),
                    }
                }
            }
            "setup.cfg" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let p = projects.entry(dir.to_string()).or_default();
                    p.setup_cfg = Some((rel.clone(), parse_ini(&text)));
                }
            }
            "setup.py" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let p = projects.entry(dir.to_string()).or_default();
                    p.setup_py = Some((rel.clone(), parse_setup_py(&text)));
                }
            }
            "poetry.lock" => poetry_lock(ctx, rel, &mut acc),
            "uv.lock" => uv_lock(ctx, rel, &mut acc),
            "Pipfile.lock" => pipfile_lock(ctx, rel, &mut acc),
            // A Pipfile only states ranges; its lock holds the packages.
            "Pipfile" => {}
            n if n.starts_with("requirements") && n.ends_with(".txt") => {
                requirements.push(rel.clone())
            }
            _ => {}
        }
    }
    for (dir, p) in &projects {
        project(dir, p, &mut acc);
    }
    let mut reqs = Requirements::default();
    for rel in &requirements {
        reqs.apply(ctx, rel, &mut acc);
    }
    if ignored_inside_installed > 0 {
        acc.diags.push(Diagnostic::info(
            None,
            format!(
                "{ignored_inside_installed} python manifest(s) inside installed packages \
                 (site-packages) ignored; their dist-info metadata describes them"
            ),
        ));
    }
    acc.finish()
}

fn is_python_manifest(name: &str) -> bool {
    matches!(
        name,
        "pyproject.toml"
            | "setup.cfg"
            | "setup.py"
            | "poetry.lock"
            | "uv.lock"
            | "Pipfile"
            | "Pipfile.lock"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// Is `dir` inside an installed-packages directory (site-packages of any interpreter or
/// virtualenv, Debian's dist-packages)?
fn inside_installed(dir: &str) -> bool {
    dir.split('/')
        .any(|s| s == "site-packages" || s == "dist-packages")
}

fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------------------
// Names, purls, hashes

/// PEP 503 normalized name: lowercase, every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A plausible distribution name (PEP 508): letters, digits and `-_.`, alphanumeric ends.
fn valid_name(name: &str) -> bool {
    static RE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$").unwrap());
    RE.is_match(name)
}

fn purl(name: &str, version: Option<&str>) -> Option<String> {
    let mut p = packageurl::PackageUrl::new("pypi", normalize_name(name)).ok()?;
    if let Some(v) = version {
        p.with_version(v.to_string()).ok()?;
    }
    Some(p.to_string())
}

/// `sha256:<hex>` (pip, poetry, uv, Pipfile.lock) -> a model hash; None when malformed.
fn parse_hash(s: &str) -> Option<Hash> {
    let (alg, value) = s.trim().split_once([':', '='])?;
    let alg = match alg.to_ascii_lowercase().as_str() {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha1" => "SHA-1",
        "md5" => "MD5",
        _ => return None,
    };
    let value = value.trim().to_ascii_lowercase();
    if value.is_empty() || hex::decode(&value).is_err() {
        return None;
    }
    Some(Hash {
        alg: alg.to_string(),
        value,
    })
}

/// The name at the start of a PEP 508 requirement (`requests[socks]>=2; python_version…`).
fn requirement_name(spec: &str) -> Option<String> {
    static RE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)").unwrap());
    RE.captures(spec).map(|c| c[1].to_string())
}

/// Does a `Requires-Dist` marker only apply with an extra (`extra == "socks"`)?
fn marker_has_extra(spec: &str) -> bool {
    static RE: Lazy<Regex> = Lazy::new(|| Regex::new(r#"\bextra\s*=="#).unwrap());
    spec.split_once(';').is_some_and(|(_, m)| RE.is_match(m))
}

// ---------------------------------------------------------------------------------------
// The accumulator: components merged by purl, dependencies resolved by name at the end

/// How much a source knows about a component's metadata (name spelling, license, ...).
const RANK_REQUIREMENTS: u8 = 0;
const RANK_LOCK: u8 = 1;
const RANK_PROJECT: u8 = 2;
const RANK_INSTALLED: u8 = 3;

struct Entry {
    comp: Component,
    rank: u8,
    /// The scope a lockfile or requirements file states; the strongest one wins.
    stated_scope: Option<Scope>,
    /// Directories of the sources that reported it (lock dir, site-packages dir): a
    /// dependency by name prefers a component from the same place.
    dirs: BTreeSet<String>,
    project: bool,
}

/// A dependency by name, resolved to components in [`Acc::finish`].
struct Dep {
    from: String,
    name: String,
    version: Option<String>,
    /// For a project's direct dependencies: which list it came from. For a package's own
    /// dependencies: Required (always needed) or Optional (only with an extra).
    kind: Scope,
    dir: String,
}

#[derive(Default)]
struct Acc {
    entries: BTreeMap<String, Entry>,
    deps: Vec<Dep>,
    diags: Vec<Diagnostic>,
    roots: BTreeSet<String>,
}

/// What a source knows about one package.
#[derive(Default)]
struct Pkg {
    name: String,
    version: Option<String>,
    path: Option<String>,
    declared_raw: Option<String>,
    hashes: Vec<Hash>,
    supplier: Option<String>,
    homepage: Option<String>,
}

impl Acc {
    fn warn(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(Some(rel.to_string()), msg));
    }
    fn info(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::info(Some(rel.to_string()), msg));
    }

    /// Adds or merges a package; returns its bom-ref (None when the name is unusable).
    fn add(
        &mut self,
        pkg: Pkg,
        rank: u8,
        scope: Option<Scope>,
        dir: &str,
        rel: &str,
    ) -> Option<String> {
        if !valid_name(&pkg.name) {
            self.warn(rel, format!("invalid package name {:?}; skipped", pkg.name));
            return None;
        }
        let version = pkg.version.filter(|v| !v.trim().is_empty());
        let Some(bom_ref) = purl(&pkg.name, version.as_deref()) else {
            self.warn(
                rel,
                format!("cannot make a purl for {:?}; skipped", pkg.name),
            );
            return None;
        };
        let e = self
            .entries
            .entry(bom_ref.clone())
            .or_insert_with(|| Entry {
                comp: Component {
                    bom_ref: bom_ref.clone(),
                    name: pkg.name.clone(),
                    version: version.clone(),
                    purl: Some(bom_ref.clone()),
                    ecosystem: "pypi".into(),
                    concluded: "NOASSERTION".into(),
                    ..Default::default()
                },
                rank,
                stated_scope: None,
                dirs: BTreeSet::new(),
                project: false,
            });
        let c = &mut e.comp;
        // A better-informed source overrides; a lesser one only fills gaps.
        let over = rank > e.rank;
        if over {
            c.name = pkg.name;
            e.rank = rank;
        }
        for (slot, new) in [
            (&mut c.path, pkg.path),
            (&mut c.declared_raw, pkg.declared_raw),
            (&mut c.supplier, pkg.supplier),
            (&mut c.homepage, pkg.homepage),
        ] {
            if new.is_some() && (over || slot.is_none()) {
                *slot = new;
            }
        }
        for h in pkg.hashes {
            if !c.hashes.contains(&h) {
                c.hashes.push(h);
            }
        }
        if let Some(s) = scope {
            e.stated_scope = Some(e.stated_scope.map_or(s, |old| old.min(s)));
        }
        e.dirs.insert(dir.to_string());
        Some(bom_ref)
    }

    fn dep(&mut self, from: &str, name: &str, version: Option<&str>, kind: Scope, dir: &str) {
        self.deps.push(Dep {
            from: from.to_string(),
            name: normalize_name(name),
            version: version.map(str::to_string),
            kind,
            dir: dir.to_string(),
        });
    }

    fn finish(mut self) -> Found {
        // A project whose version only a lockfile or PKG-INFO knows (dynamic version) is
        // reported without one by pyproject.toml: fold it into the versioned copy.
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for (r, e) in &self.entries {
            by_name
                .entry(normalize_name(&e.comp.name))
                .or_default()
                .push(r.clone());
        }
        let mut redirect: HashMap<String, String> = HashMap::new();
        for refs in by_name.values() {
            let versioned: Vec<&String> = refs
                .iter()
                .filter(|r| self.entries[*r].comp.version.is_some())
                .collect();
            for r in refs {
                if self.entries[r].comp.version.is_none() && versioned.len() == 1 {
                    redirect.insert(r.clone(), versioned[0].clone());
                }
            }
        }
        for (from, to) in &redirect {
            let old = self.entries.remove(from).expect("entry");
            let e = self.entries.get_mut(to).expect("entry");
            let c = &mut e.comp;
            if old.rank > e.rank {
                c.name = old.comp.name;
                e.rank = old.rank;
            }
            for (slot, new) in [
                (&mut c.path, old.comp.path),
                (&mut c.declared_raw, old.comp.declared_raw),
                (&mut c.supplier, old.comp.supplier),
                (&mut c.homepage, old.comp.homepage),
            ] {
                if slot.is_none() {
                    *slot = new;
                }
            }
            e.project |= old.project;
            e.dirs.extend(old.dirs);
            if let Some(s) = old.stated_scope {
                e.stated_scope = Some(e.stated_scope.map_or(s, |o| o.min(s)));
            }
        }
        let fix = |r: &String| redirect.get(r).cloned().unwrap_or_else(|| r.clone());
        self.roots = self.roots.iter().map(fix).collect();
        for d in &mut self.deps {
            d.from = fix(&d.from);
        }

        // Resolve dependencies by name.
        let mut index: HashMap<String, Vec<String>> = HashMap::new();
        for (r, e) in &self.entries {
            index
                .entry(normalize_name(&e.comp.name))
                .or_default()
                .push(r.clone());
        }
        // from -> [(to, kind)]
        let mut graph: BTreeMap<String, BTreeMap<String, Scope>> = BTreeMap::new();
        for d in &self.deps {
            let Some(cands) = index.get(&d.name) else {
                continue;
            };
            let exact: Vec<&String> = match &d.version {
                Some(v) => cands
                    .iter()
                    .filter(|r| self.entries[*r].comp.version.as_deref() == Some(v.as_str()))
                    .collect(),
                None => Vec::new(),
            };
            let picked: Vec<&String> = if !exact.is_empty() {
                exact
            } else if cands.len() == 1 {
                cands.iter().collect()
            } else {
                let local: Vec<&String> = cands
                    .iter()
                    .filter(|r| self.entries[*r].dirs.contains(&d.dir))
                    .collect();
                if local.is_empty() {
                    cands.iter().collect()
                } else {
                    local
                }
            };
            for to in picked {
                if *to == d.from {
                    continue;
                }
                let k = graph
                    .entry(d.from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_insert(d.kind);
                *k = (*k).min(d.kind);
            }
        }

        // Scopes reached from the projects: a project's direct dependency takes the kind of
        // its list; a package's always-needed dependencies inherit it.
        let mut reached: HashMap<String, Scope> = HashMap::new();
        for class in [Scope::Required, Scope::Optional, Scope::Dev] {
            let mut queue: VecDeque<String> = VecDeque::new();
            for (r, e) in &self.entries {
                if !e.project {
                    continue;
                }
                for (to, k) in graph.get(r).into_iter().flatten() {
                    if *k == class && !self.entries[to].project && !reached.contains_key(to) {
                        reached.insert(to.clone(), class);
                        queue.push_back(to.clone());
                    }
                }
            }
            while let Some(n) = queue.pop_front() {
                for (to, k) in graph.get(&n).into_iter().flatten() {
                    if *k == Scope::Required
                        && !self.entries[to].project
                        && !reached.contains_key(to)
                    {
                        reached.insert(to.clone(), class);
                        queue.push_back(to.clone());
                    }
                }
            }
        }

        let mut found = Found::default();
        for (r, mut e) in std::mem::take(&mut self.entries) {
            let scope = match (e.stated_scope, reached.get(&r)) {
                (Some(a), Some(b)) => a.min(*b),
                (Some(a), None) => a,
                (None, Some(b)) => *b,
                (None, None) => Scope::Required,
            };
            e.comp.scope = Some(scope);
            found.components.push(e.comp);
        }
        for (from, tos) in graph {
            found.edges.push(Edge {
                from,
                to: tos.into_keys().collect(),
            });
        }
        found.roots = self.roots.into_iter().collect();
        found.diagnostics = self.diags;
        found
    }
}

// ---------------------------------------------------------------------------------------
// Core metadata: METADATA / PKG-INFO (RFC 822 style headers, then the description)

type Fields = Vec<(String, String)>;

fn parse_metadata(text: &str) -> Fields {
    let mut fields: Fields = Vec::new();
    for line in text.lines() {
        // The body (long description) follows the first empty line; a line of only
        // spaces continues a folded value (old setuptools indents the License text so).
        if line.trim_end_matches('\r').is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    fields
}

fn field<'a>(fields: &'a Fields, key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

fn fields_all<'a>(fields: &'a Fields, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The declared license of core metadata, and a note when the `License` field had to be
/// passed over. PEP 639 `License-Expression` first; then a short `License` that names a
/// license; then the trove classifiers (several joined with OR, as PyPI means them).
fn metadata_license(fields: &Fields) -> (Option<String>, Option<String>) {
    if let Some(e) = field(fields, "license-expression") {
        return (Some(e.trim().to_string()), None);
    }
    let mut ids: Vec<String> = Vec::new();
    for c in fields_all(fields, "classifier") {
        if let Some(id) = crate::expression::classifier_to_id(c) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    let classifiers = (!ids.is_empty()).then(|| ids.join(" OR "));
    let license = field(fields, "license").map(str::trim).filter(|l| {
        !l.is_empty() && !l.eq_ignore_ascii_case("UNKNOWN") && !l.eq_ignore_ascii_case("none")
    });
    let Some(license) = license else {
        return (classifiers, None);
    };
    if license.contains('\n') || license.len() > MAX_LICENSE_FIELD {
        let lines = license.lines().count();
        let note = format!(
            "License field holds a license text ({lines} line(s), {} chars), not a license name; \
             {}",
            license.len(),
            if classifiers.is_some() {
                "declared license taken from the classifiers"
            } else {
                "no declared license (the license files are detected instead)"
            }
        );
        return (classifiers, Some(note));
    }
    // A short field that is not a license name ("Dual License") loses to classifiers.
    let recognized = crate::expression::normalize(license)
        .license_refs
        .is_empty();
    match classifiers {
        Some(c) if !recognized => (Some(c), None),
        _ => (Some(license.to_string()), None),
    }
}

/// "Name <mail>, Other <mail2>" / "mail@x" -> "Name, Other".
fn people(s: &str) -> Option<String> {
    let names: Vec<String> = s
        .split(">,")
        .map(|p| {
            let p = p.trim();
            let n = p
                .split('<')
                .next()
                .unwrap_or(p)
                .trim()
                .trim_matches('"')
                .trim();
            if n.is_empty() {
                p.trim_matches(['<', '>', ' ']).to_string()
            } else {
                n.to_string()
            }
        })
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn metadata_supplier(fields: &Fields) -> Option<String> {
    ["author", "author-email", "maintainer", "maintainer-email"]
        .iter()
        .find_map(|k| field(fields, k).and_then(|v| people(v.lines().next().unwrap_or(v))))
}

fn metadata_homepage(fields: &Fields) -> Option<String> {
    if let Some(h) = field(fields, "home-page").filter(|h| !h.eq_ignore_ascii_case("UNKNOWN")) {
        return Some(h.to_string());
    }
    let urls: Vec<(String, String)> = fields_all(fields, "project-url")
        .filter_map(|v| v.split_once(','))
        .map(|(l, u)| {
            let label: String = l.chars().filter(|c| c.is_alphanumeric()).collect();
            (label.to_ascii_lowercase(), u.trim().to_string())
        })
        .collect();
    for want in [
        "homepage",
        "home",
        "source",
        "sourcecode",
        "repository",
        "code",
    ] {
        if let Some((_, u)) = urls.iter().find(|(l, _)| l == want) {
            return Some(u.clone());
        }
    }
    urls.into_iter().next().map(|(_, u)| u)
}

/// One installed distribution (`*.dist-info/METADATA`, `*.egg-info/PKG-INFO`).
fn installed(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let fields = parse_metadata(&text);
    let (Some(name), Some(version)) = (field(&fields, "name"), field(&fields, "version")) else {
        acc.warn(rel, "core metadata without Name or Version; skipped");
        return;
    };
    let dist_dir = dir_of(rel);
    let (declared_raw, note) = metadata_license(&fields);
    if let Some(n) = note {
        acc.info(rel, n);
    }
    let pkg = Pkg {
        name: name.to_string(),
        version: Some(version.to_string()),
        // The dist-info dir is where the license files live (PEP 639 `licenses/`).
        path: Some(dist_dir.to_string()),
        declared_raw,
        hashes: Vec::new(),
        supplier: metadata_supplier(&fields),
        homepage: metadata_homepage(&fields),
    };
    let site = dir_of(dist_dir).to_string();
    let Some(r) = acc.add(pkg, RANK_INSTALLED, None, &site, rel) else {
        return;
    };
    for spec in fields_all(&fields, "requires-dist") {
        let Some(dep) = requirement_name(spec) else {
            acc.warn(rel, format!("unreadable Requires-Dist {spec:?}"));
            continue;
        };
        let kind = if marker_has_extra(spec) {
            Scope::Optional
        } else {
            Scope::Required
        };
        acc.dep(&r, &dep, None, kind, &site);
    }
}

// ---------------------------------------------------------------------------------------
// Project manifests: pyproject.toml, setup.cfg, setup.py (and an sdist's PKG-INFO)

#[derive(Default)]
struct ProjectInfo {
    pyproject: Option<(String, toml::Table)>,
    setup_cfg: Option<(String, Ini)>,
    setup_py: Option<(String, SetupPy)>,
    pkg_info: Option<(String, Fields)>,
}

/// One project component per directory, its fields from the first manifest that has them.
fn project(dir: &str, p: &ProjectInfo, acc: &mut Acc) {
    let mut pkg = Pkg::default();
    let mut deps: Vec<(String, Scope)> = Vec::new();
    let mut rel = String::new();
    let fill = |slot: &mut Option<String>, v: Option<String>| {
        if slot.is_none() {
            *slot = v.filter(|s| !s.trim().is_empty());
        }
    };
    let mut name: Option<String> = None;
    if let Some((r, t)) = &p.pyproject {
        rel = r.clone();
        let (n, warns) = pyproject(t, &mut pkg, &mut deps);
        for w in warns {
            acc.warn(r, w);
        }
        fill(&mut name, n);
    }
    if let Some((r, ini)) = &p.setup_cfg {
        if rel.is_empty() {
            rel = r.clone();
        }
        let m = |k: &str| ini.get("metadata", k);
        fill(&mut name, m("name"));
        // `attr:` / `file:` directives are computed by setuptools; not a literal.
        fill(&mut pkg.version, m("version").filter(|v| !v.contains(':')));
        let lic = m("license_expression")
            .or_else(|| m("license"))
            .filter(|l| !l.contains('\n'));
        let from_classifiers = m("classifiers").and_then(|c| {
            let ids: Vec<String> = c
                .lines()
                .filter_map(crate::expression::classifier_to_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            (!ids.is_empty()).then(|| ids.join(" OR "))
        });
        fill(&mut pkg.declared_raw, lic.or(from_classifiers));
        fill(&mut pkg.supplier, m("author").or_else(|| m("maintainer")));
        fill(&mut pkg.homepage, m("url").or_else(|| m("home_page")));
        for line in ini
            .get("options", "install_requires")
            .unwrap_or_default()
            .lines()
        {
            if let Some(n) = requirement_name(line) {
                deps.push((n, Scope::Required));
            }
        }
        for (_, v) in ini.section("options.extras_require") {
            for line in v.lines() {
                if let Some(n) = requirement_name(line) {
                    deps.push((n, Scope::Optional));
                }
            }
        }
    }
    if let Some((r, s)) = &p.setup_py {
        if rel.is_empty() {
            rel = r.clone();
        }
        fill(&mut name, s.name.clone());
        fill(&mut pkg.version, s.version.clone());
        fill(&mut pkg.declared_raw, s.license.clone());
    }
    if let Some((r, f)) = &p.pkg_info {
        if rel.is_empty() {
            rel = r.clone();
        }
        fill(&mut name, field(f, "name").map(str::to_string));
        fill(&mut pkg.version, field(f, "version").map(str::to_string));
        fill(&mut pkg.declared_raw, metadata_license(f).0);
        fill(&mut pkg.supplier, metadata_supplier(f));
        fill(&mut pkg.homepage, metadata_homepage(f));
    }
    let Some(name) = name else {
        // Tool configuration only ([tool.black] ...), or a setup.py that computes its name.
        if p.setup_py.is_some() || p.setup_cfg.is_some() {
            acc.info(&rel, "no literal project name found; project not reported");
        }
        return;
    };
    pkg.name = name;
    pkg.path = Some(dir.to_string());
    let Some(r) = acc.add(pkg, RANK_PROJECT, None, dir, &rel) else {
        return;
    };
    if let Some(e) = acc.entries.get_mut(&r) {
        e.project = true;
    }
    if dir.is_empty() {
        acc.roots.insert(r.clone());
    }
    for (n, kind) in deps {
        acc.dep(&r, &n, None, kind, dir);
    }
}

fn str_of(v: Option<&toml::Value>) -> Option<String> {
    v.and_then(|v| v.as_str()).map(str::to_string)
}

/// Reads `[project]` and `[tool.poetry]`; returns the name and the warnings.
fn pyproject(
    t: &toml::Table,
    pkg: &mut Pkg,
    deps: &mut Vec<(String, Scope)>,
) -> (Option<String>, Vec<String>) {
    let mut warns = Vec::new();
    let mut name = None;
    let spec_list = |v: Option<&toml::Value>,
                     kind: Scope,
                     deps: &mut Vec<(String, Scope)>,
                     warns: &mut Vec<String>| {
        let Some(v) = v else { return };
        let Some(arr) = v.as_array() else {
            warns.push("dependency list is not an array".to_string());
            return;
        };
        for s in arr {
            // dependency-groups may include other groups: {include-group = "test"}.
            if let Some(s) = s.as_str() {
                match requirement_name(s) {
                    Some(n) => deps.push((n, kind)),
                    None => warns.push(format!("unreadable requirement {s:?}")),
                }
            }
        }
    };
    if let Some(v) = t.get("project") {
        let Some(p) = v.as_table() else {
            warns.push("[project] is not a table".to_string());
            return (None, warns);
        };
        name = str_of(p.get("name"));
        if p.get("name").is_some() && name.is_none() {
            warns.push("project.name is not a string".to_string());
        }
        pkg.version = str_of(p.get("version"));
        pkg.declared_raw = match p.get("license") {
            Some(toml::Value::String(s)) => Some(s.clone()),
            // Legacy PEP 621 table: {text = "..."} names it, {file = "..."} points at the
            // text, which the license-file detection reads.
            Some(toml::Value::Table(l)) => {
                str_of(l.get("text")).filter(|s| !s.contains('\n') && s.len() <= MAX_LICENSE_FIELD)
            }
            Some(_) => {
                warns.push("project.license is neither a string nor a table".to_string());
                None
            }
            None => None,
        };
        pkg.supplier = ["authors", "maintainers"].iter().find_map(|k| {
            p.get(*k)?.as_array()?.iter().find_map(|a| {
                let a = a.as_table()?;
                str_of(a.get("name")).or_else(|| str_of(a.get("email")))
            })
        });
        pkg.homepage = p.get("urls").and_then(|u| u.as_table()).and_then(|u| {
            u.iter()
                .find(|(k, _)| {
                    let k: String = k.chars().filter(|c| c.is_alphanumeric()).collect();
                    k.eq_ignore_ascii_case("homepage")
                })
                .or_else(|| u.iter().next())
                .and_then(|(_, v)| str_of(Some(v)))
        });
        spec_list(p.get("dependencies"), Scope::Required, deps, &mut warns);
        if let Some(opt) = p.get("optional-dependencies").and_then(|o| o.as_table()) {
            for v in opt.values() {
                spec_list(Some(v), Scope::Optional, deps, &mut warns);
            }
        }
    }
    if let Some(groups) = t.get("dependency-groups").and_then(|g| g.as_table()) {
        for v in groups.values() {
            spec_list(Some(v), Scope::Dev, deps, &mut warns);
        }
    }
    let tool = t.get("tool").and_then(|t| t.as_table());
    if let Some(uv) = tool.and_then(|t| t.get("uv")).and_then(|u| u.as_table()) {
        spec_list(uv.get("dev-dependencies"), Scope::Dev, deps, &mut warns);
    }
    if let Some(po) = tool
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.as_table())
    {
        if name.is_none() {
            name = str_of(po.get("name"));
        }
        if pkg.version.is_none() {
            pkg.version = str_of(po.get("version"));
        }
        if pkg.declared_raw.is_none() {
            pkg.declared_raw = str_of(po.get("license"));
        }
        if pkg.supplier.is_none() {
            pkg.supplier = po
                .get("authors")
                .and_then(|a| a.as_array())
                .and_then(|a| a.first())
                .and_then(|a| a.as_str())
                .and_then(people);
        }
        if pkg.homepage.is_none() {
            pkg.homepage = str_of(po.get("homepage")).or_else(|| str_of(po.get("repository")));
        }
        let table_deps = |v: Option<&toml::Value>, kind: Scope, deps: &mut Vec<(String, Scope)>| {
            for (n, spec) in v.and_then(|v| v.as_table()).into_iter().flatten() {
                if n == "python" {
                    continue;
                }
                let optional = spec
                    .as_table()
                    .and_then(|s| s.get("optional"))
                    .and_then(|o| o.as_bool())
                    .unwrap_or(false);
                let k = if optional && kind == Scope::Required {
                    Scope::Optional
                } else {
                    kind
                };
                deps.push((n.clone(), k));
            }
        };
        table_deps(po.get("dependencies"), Scope::Required, deps);
        table_deps(po.get("dev-dependencies"), Scope::Dev, deps);
        for (g, v) in po
            .get("group")
            .and_then(|g| g.as_table())
            .into_iter()
            .flatten()
        {
            let kind = if g == "main" {
                Scope::Required
            } else {
                Scope::Dev
            };
            table_deps(v.get("dependencies"), kind, deps);
        }
    }
    (name, warns)
}

/// A minimal INI reader for setup.cfg: sections, `key = value` / `key: value`, indented
/// continuation lines (multi-line values like classifiers), `#`/`;` comment lines.
#[derive(Default)]
struct Ini {
    sections: BTreeMap<String, Vec<(String, String)>>,
}

impl Ini {
    fn get(&self, section: &str, key: &str) -> Option<String> {
        self.sections
            .get(section)?
            .iter()
            .find(|(k, _)| {
                k.eq_ignore_ascii_case(key) || k.replace('-', "_").eq_ignore_ascii_case(key)
            })
            .map(|(_, v)| v.trim().to_string())
    }
    fn section(&self, section: &str) -> &[(String, String)] {
        self.sections.get(section).map_or(&[], |v| v.as_slice())
    }
}

fn parse_ini(text: &str) -> Ini {
    let mut ini = Ini::default();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = ini.sections.get_mut(&current).and_then(|s| s.last_mut()) {
                v.push('\n');
                v.push_str(trimmed);
            }
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            current = trimmed[1..trimmed.len() - 1].trim().to_string();
            continue;
        }
        let split = trimmed.find(['=', ':']);
        if let Some(i) = split {
            let (k, v) = (trimmed[..i].trim(), trimmed[i + 1..].trim());
            ini.sections
                .entry(current.clone())
                .or_default()
                .push((k.to_string(), v.to_string()));
        }
    }
    ini
}

#[derive(Default)]
struct SetupPy {
    name: Option<String>,
    version: Option<String>,
    license: Option<String>,
}

/// Only literal keyword strings (`name="foo"`) of the `setup(...)` call; anything computed
/// stays unknown because the file is never run.
fn parse_setup_py(text: &str) -> SetupPy {
    static RE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r#"(?m)[(,\s](name|version|license)\s*=\s*(?:"([^"\n\\]*)"|'([^'\n\\]*)')\s*[,)\n]"#,
        )
        .unwrap()
    });
    // Keywords of the setup() call follow it; before it, `name = "x"` is an assignment.
    let start = text.find("setup(").unwrap_or(0);
    let mut out = SetupPy::default();
    for c in RE.captures_iter(&text[start..]) {
        let v = c
            .get(2)
            .or_else(|| c.get(3))
            .map(|m| m.as_str().trim().to_string());
        let slot = match &c[1] {
            "name" => &mut out.name,
            "version" => &mut out.version,
            _ => &mut out.license,
        };
        if slot.is_none() {
            *slot = v.filter(|s| !s.is_empty());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Lockfiles

/// Poetry: the sdist's hash when listed, else the first wheel's.
fn pick_file_hash(files: &[toml::Value]) -> Option<Hash> {
    let entries: Vec<(&str, &str)> = files
        .iter()
        .filter_map(|f| {
            let t = f.as_table()?;
            Some((t.get("file")?.as_str()?, t.get("hash")?.as_str()?))
        })
        .collect();
    entries
        .iter()
        .find(|(f, _)| !f.ends_with(".whl"))
        .or_else(|| entries.first())
        .and_then(|(_, h)| parse_hash(h))
}

fn poetry_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let t: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return acc.warn(rel, format!("invalid TOML: {}", first_line(&e))),
    };
    let dir = dir_of(rel);
    // Lock format 1.x keeps the file hashes in [metadata.files], keyed by package name.
    let meta_files: HashMap<String, Vec<toml::Value>> = t
        .get("metadata")
        .and_then(|m| m.get("files"))
        .and_then(|f| f.as_table())
        .map(|f| {
            f.iter()
                .filter_map(|(k, v)| Some((normalize_name(k), v.as_array()?.clone())))
                .collect()
        })
        .unwrap_or_default();
    let Some(pkgs) = t.get("package").and_then(|p| p.as_array()) else {
        return acc.warn(rel, "no [[package]] array");
    };
    for (i, p) in pkgs.iter().enumerate() {
        let Some(p) = p.as_table() else { continue };
        let (Some(name), Some(version)) = (str_of(p.get("name")), str_of(p.get("version"))) else {
            acc.warn(
                rel,
                format!("package #{} without name or version; skipped", i + 1),
            );
            continue;
        };
        let files = p
            .get("files")
            .and_then(|f| f.as_array())
            .cloned()
            .or_else(|| meta_files.get(&normalize_name(&name)).cloned())
            .unwrap_or_default();
        let optional = p.get("optional").and_then(|o| o.as_bool()).unwrap_or(false);
        // 1.x: category = "main" | "dev"; 2.x: groups = ["main", "dev", ...].
        let main = match (
            p.get("category").and_then(|c| c.as_str()),
            p.get("groups").and_then(|g| g.as_array()),
        ) {
            (Some(c), _) => c != "dev",
            (None, Some(g)) => g.iter().any(|g| g.as_str() == Some("main")),
            (None, None) => true,
        };
        let scope = match (main, optional) {
            (false, _) => Scope::Dev,
            (true, true) => Scope::Optional,
            (true, false) => Scope::Required,
        };
        let pkg = Pkg {
            name: name.clone(),
            version: Some(version),
            hashes: pick_file_hash(&files).into_iter().collect(),
            ..Default::default()
        };
        let Some(r) = acc.add(pkg, RANK_LOCK, Some(scope), dir, rel) else {
            continue;
        };
        for (dep, spec) in p
            .get("dependencies")
            .and_then(|d| d.as_table())
            .into_iter()
            .flatten()
        {
            let optional = spec
                .as_table()
                .and_then(|s| s.get("optional"))
                .and_then(|o| o.as_bool())
                .unwrap_or(false);
            let kind = if optional {
                Scope::Optional
            } else {
                Scope::Required
            };
            acc.dep(&r, dep, None, kind, dir);
        }
    }
}

fn uv_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let t: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => return acc.warn(rel, format!("invalid TOML: {}", first_line(&e))),
    };
    let dir = dir_of(rel);
    let Some(pkgs) = t.get("package").and_then(|p| p.as_array()) else {
        return acc.warn(rel, "no [[package]] array");
    };
    // Extras some dependent switches on (`{ name = "x", extra = ["socks"] }`): those
    // optional dependencies are as needed as the package itself.
    let mut activated: BTreeSet<(String, String)> = BTreeSet::new();
    let dep_lists = |p: &toml::Table| -> Vec<(Scope, Option<String>, toml::Value)> {
        let mut out = Vec::new();
        if let Some(d) = p.get("dependencies") {
            out.push((Scope::Required, None, d.clone()));
        }
        for (key, kind) in [
            ("optional-dependencies", Scope::Optional),
            ("dev-dependencies", Scope::Dev),
        ] {
            for (extra, d) in p.get(key).and_then(|o| o.as_table()).into_iter().flatten() {
                out.push((kind, Some(extra.clone()), d.clone()));
            }
        }
        out
    };
    for p in pkgs.iter().filter_map(|p| p.as_table()) {
        for (_, _, list) in dep_lists(p) {
            for d in list
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d.as_table())
            {
                let Some(n) = str_of(d.get("name")) else {
                    continue;
                };
                for e in d
                    .get("extra")
                    .and_then(|e| e.as_array())
                    .into_iter()
                    .flatten()
                {
                    if let Some(e) = e.as_str() {
                        activated.insert((normalize_name(&n), e.to_string()));
                    }
                }
            }
        }
    }
    for (i, p) in pkgs.iter().enumerate() {
        let Some(p) = p.as_table() else { continue };
        let Some(name) = str_of(p.get("name")) else {
            acc.warn(rel, format!("package #{} without name; skipped", i + 1));
            continue;
        };
        let source = p.get("source").and_then(|s| s.as_table());
        // Workspace members (the project itself) are `virtual` or `editable` sources.
        let member =
            source.is_some_and(|s| s.contains_key("virtual") || s.contains_key("editable"));
        let version = str_of(p.get("version"));
        if version.is_none() && !member {
            acc.warn(rel, format!("package {name:?} without version; skipped"));
            continue;
        }
        let hash = p
            .get("sdist")
            .and_then(|s| s.get("hash"))
            .and_then(|h| h.as_str())
            .or_else(|| p.get("wheels")?.as_array()?.first()?.get("hash")?.as_str())
            .and_then(parse_hash);
        let member_dir = source
            .and_then(|s| s.get("virtual").or_else(|| s.get("editable")))
            .and_then(|v| v.as_str())
            .map(|v| join_rel(dir, v));
        let pkg = Pkg {
            name: name.clone(),
            version,
            hashes: hash.into_iter().collect(),
            path: member_dir.clone(),
            ..Default::default()
        };
        let Some(r) = acc.add(pkg, RANK_LOCK, None, dir, rel) else {
            continue;
        };
        if member {
            if let Some(e) = acc.entries.get_mut(&r) {
                e.project = true;
            }
            if member_dir.as_deref() == Some("") {
                acc.roots.insert(r.clone());
            }
        }
        let norm = normalize_name(&name);
        for (kind, extra, list) in dep_lists(p) {
            let kind = match (&extra, kind) {
                (Some(e), Scope::Optional)
                    if !member && activated.contains(&(norm.clone(), e.clone())) =>
                {
                    Scope::Required
                }
                _ => kind,
            };
            for d in list.as_array().into_iter().flatten() {
                let Some(d) = d.as_table() else { continue };
                let Some(n) = str_of(d.get("name")) else {
                    acc.warn(rel, format!("dependency of {name:?} without name"));
                    continue;
                };
                acc.dep(&r, &n, d.get("version").and_then(|v| v.as_str()), kind, dir);
            }
        }
    }
}

/// `dir` + a relative path from a lockfile ("." -> dir itself), '/'-separated.
fn join_rel(dir: &str, p: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in p.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn pipfile_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let v: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return acc.warn(rel, format!("invalid JSON: {e}")),
    };
    let dir = dir_of(rel);
    let mut skipped = 0;
    for (section, scope) in [("default", Scope::Required), ("develop", Scope::Dev)] {
        let Some(pkgs) = v.get(section).and_then(|s| s.as_object()) else {
            continue;
        };
        for (name, spec) in pkgs {
            // Only `==x` is a concrete release; git/path/editable entries have no version.
            let Some(version) = spec
                .get("version")
                .and_then(|v| v.as_str())
                .and_then(|v| v.strip_prefix("===").or_else(|| v.strip_prefix("==")))
            else {
                skipped += 1;
                continue;
            };
            let hashes = spec
                .get("hashes")
                .and_then(|h| h.as_array())
                .into_iter()
                .flatten()
                .filter_map(|h| h.as_str().and_then(parse_hash))
                .collect();
            let pkg = Pkg {
                name: name.clone(),
                version: Some(version.trim().to_string()),
                hashes,
                ..Default::default()
            };
            acc.add(pkg, RANK_LOCK, Some(scope), dir, rel);
        }
    }
    if skipped > 0 {
        acc.info(
            rel,
            format!("{skipped} entries without a pinned version (VCS, path or editable) skipped"),
        );
    }
}

// ---------------------------------------------------------------------------------------
// requirements*.txt

#[derive(Clone)]
struct Pin {
    name: String,
    version: String,
    hashes: Vec<Hash>,
}

#[derive(Default)]
struct ReqFile {
    pins: Vec<Pin>,
    includes: Vec<String>,
}

#[derive(Default)]
struct Requirements {
    /// Each file parsed once (and its diagnostics given once), however often included.
    parsed: HashMap<String, Option<ReqFile>>,
}

/// `requirements-dev.txt`, `requirements/test.txt`, `dev-requirements.txt`: not shipped.
fn requirements_scope(rel: &str) -> Scope {
    static RE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?i)(^|[^a-z])(dev|develop|test|tests|testing|lint|docs?|ci)([^a-z]|$)")
            .unwrap()
    });
    if RE.is_match(file_name(rel)) {
        Scope::Dev
    } else {
        Scope::Required
    }
}

impl Requirements {
    fn apply(&mut self, ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
        let scope = requirements_scope(rel);
        let mut seen = BTreeSet::new();
        let mut stack = vec![rel.to_string()];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            if !self.parsed.contains_key(&f) {
                let parsed = parse_requirements(ctx, &f, acc);
                self.parsed.insert(f.clone(), parsed);
            }
            let Some(rf) = self.parsed.get(&f).and_then(|p| p.as_ref()) else {
                continue;
            };
            for p in &rf.pins {
                let pkg = Pkg {
                    name: p.name.clone(),
                    version: Some(p.version.clone()),
                    hashes: p.hashes.clone(),
                    ..Default::default()
                };
                acc.add(pkg, RANK_REQUIREMENTS, Some(scope), dir_of(&f), &f);
            }
            stack.extend(rf.includes.iter().rev().cloned());
        }
    }
}

fn parse_requirements(ctx: &Context<'_>, rel: &str, acc: &mut Acc) -> Option<ReqFile> {
    static PIN: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$")
            .unwrap()
    });
    static COMMENT: Lazy<Regex> = Lazy::new(|| Regex::new(r"(^|\s)#.*$").unwrap());
    let text = read_manifest(ctx, rel, &mut acc.diags)?;
    let dir = dir_of(rel);
    let mut out = ReqFile::default();
    let (mut unpinned, mut skipped) = (0usize, 0usize);
    // Backslash-newline continues a line (hash lists are written that way).
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for (i, raw) in joined.lines().enumerate() {
        let line = COMMENT.replace(raw, "");
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("");
        if first.starts_with('-') {
            let (opt, inline) = match first.split_once('=') {
                Some((o, v)) => (o, Some(v.to_string())),
                None => (first, None),
            };
            let arg = inline.or_else(|| words.next().map(str::to_string));
            match opt {
                "-r" | "--requirement" => match arg {
                    Some(a) => out.includes.push(join_rel(dir, &a)),
                    None => acc.warn(rel, format!("line {}: -r without a file", i + 1)),
                },
                "-e" | "--editable" => skipped += 1,
                // Index options, constraints files and global flags name no package.
                _ => {}
            }
            continue;
        }
        let (spec, opts) = match line.find(" --") {
            Some(k) => (&line[..k], &line[k..]),
            None => (line, ""),
        };
        let spec = spec.split(';').next().unwrap_or("").trim();
        if spec.contains("://")
            || spec.contains(" @ ")
            || spec.starts_with('.')
            || spec.starts_with('/')
        {
            skipped += 1;
            continue;
        }
        let Some(c) = PIN.captures(spec) else {
            acc.warn(
                rel,
                format!("line {}: unreadable requirement {:?}", i + 1, spec),
            );
            continue;
        };
        let name = c[1].to_string();
        let pinned = c[2]
            .split(',')
            .map(str::trim)
            .find_map(|s| s.strip_prefix("===").or_else(|| s.strip_prefix("==")))
            .map(str::trim)
            .filter(|v| !v.is_empty() && !v.contains('*'));
        let rest_ok = c[2].trim().is_empty()
            || c[2]
                .trim_start()
                .starts_with(['=', '<', '>', '!', '~', '(']);
        if !rest_ok {
            acc.warn(
                rel,
                format!("line {}: unreadable requirement {:?}", i + 1, spec),
            );
            continue;
        }
        let Some(version) = pinned else {
            unpinned += 1;
            continue;
        };
        let mut hashes = Vec::new();
        for o in opts.split_whitespace() {
            if let Some(h) = o
                .strip_prefix("--hash=")
                .or_else(|| o.strip_prefix("--hash:"))
            {
                match parse_hash(h) {
                    Some(h) if !hashes.contains(&h) => hashes.push(h),
                    Some(_) => {}
                    None => acc.warn(rel, format!("line {}: unreadable hash {h:?}", i + 1)),
                }
            }
        }
        out.pins.push(Pin {
            name,
            version: version.to_string(),
            hashes,
        });
    }
    if unpinned > 0 {
        acc.info(rel, format!("{unpinned} requirement(s) without an exact `==` pin are not concrete packages; skipped"));
    }
    if skipped > 0 {
        acc.info(
            rel,
            format!("{skipped} editable, URL or path requirement(s) skipped"),
        );
    }
    Some(out)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(c.concluded, "NOASSERTION");
        assert_eq!(c.scope, Some(Scope::Required));

        // Only classifiers.
        let c = comp(&f, "pkg:pypi/itsdangerous@2.2.0");
        assert_eq!(c.declared_raw.as_deref(), Some("BSD-3-Clause"));
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
            Some("BSD-3-Clause OR Apache-2.0")
        );
        assert_eq!(c.scope, Some(Scope::Dev), "dependency-groups");
        assert_eq!(
            comp(&f, "pkg:pypi/six@1.17.0").scope,
            Some(Scope::Dev),
            "only reached through a dev dependency"
        );

        // License field holding a whole license text: classifiers instead, and said so.
        let c = comp(&f, "pkg:pypi/scipy@1.11.4");
        assert_eq!(c.declared_raw.as_deref(), Some("BSD-3-Clause"));
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
            .any(|d| d.severity == Severity::Info && d.message.contains("1 entries")));
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
            Some("MIT OR Apache-2.0")
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
}
