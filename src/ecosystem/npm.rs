//! npm components: package.json projects, npm / yarn / pnpm lockfiles and installed
//! `node_modules`.
//!
//! Nothing is ever run (no npm, node or lifecycle script): every fact comes from files.
//! Sources, in the order they are read, each adding to one component per name+version:
//!
//! 1. `package.json` outside `node_modules`: the project itself (at the scan root, or a
//!    workspace member) → a root component with its declared license and direct deps.
//! 2. Lockfiles next to a project: `package-lock.json` / `npm-shrinkwrap.json`
//!    (lockfileVersion 1, 2, 3), `yarn.lock` (v1 and berry), `pnpm-lock.yaml` (5.x, 6.x,
//!    9.x). They give the full graph, integrity hashes and, for npm and pnpm ≤ 6, scopes.
//! 3. Installed packages: every `package.json` that sits directly in `node_modules/<name>`
//!    or `node_modules/@scope/<name>` (nested, and pnpm's `.pnpm/<id>/node_modules/` store).
//!    They carry the package's own license field and locate the component on disk.
//!
//! Where no source states a scope (yarn, pnpm 9, a bare `node_modules`), it is computed
//! from the graph: reachable from a project's `dependencies` → required, else through an
//! optional edge → optional, else only from `devDependencies` → dev.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

use super::{dir_of, file_name, forge_owner, read_manifest, Context, Found};
use crate::model::{Component, Diagnostic, Edge, Hash, Scope};

const ECOSYSTEM: &str = "npm";

/// Discover npm components under `ctx.root`.
pub fn discover(ctx: &Context<'_>) -> Found {
    let mut acc = Acc::default();
    let mut projects: Vec<&str> = Vec::new();
    let mut locks: Vec<&str> = Vec::new();
    let mut installed: Vec<&str> = Vec::new();
    for rel in ctx.manifests {
        let name = file_name(rel);
        let in_nm = dir_of(rel).split('/').any(|s| s == "node_modules");
        match name {
            "package.json" if in_nm => installed.push(rel),
            "package.json" => projects.push(rel),
            "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml"
                if !in_nm =>
            {
                locks.push(rel)
            }
            _ => {}
        }
    }

    // Projects first: lockfiles and installed trees attach their edges to them.
    for rel in &projects {
        read_project(ctx, rel, &mut acc);
    }
    // A shrinkwrap wins over a package-lock in the same folder (npm ignores the latter).
    let shrinkwrap_dirs: BTreeSet<&str> = locks
        .iter()
        .filter(|l| file_name(l) == "npm-shrinkwrap.json")
        .map(|l| dir_of(l))
        .collect();
    for rel in &locks {
        let dir = dir_of(rel);
        let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
            continue;
        };
        match file_name(rel) {
            "package-lock.json" if shrinkwrap_dirs.contains(dir) => {}
            "package-lock.json" | "npm-shrinkwrap.json" => npm_lock(ctx, rel, &text, &mut acc),
            "yarn.lock" => {
                if is_berry(&text) {
                    berry_lock(ctx, rel, &text, &mut acc)
                } else {
                    yarn_v1_lock(ctx, rel, &text, &mut acc)
                }
            }
            "pnpm-lock.yaml" => pnpm_lock(ctx, rel, &text, &mut acc),
            _ => {}
        }
    }
    installed_tree(ctx, &installed, &mut acc);
    acc.finish()
}

// ---------------------------------------------------------------------------------------
// The accumulator: one component per name+version, edges by index.
// ---------------------------------------------------------------------------------------

/// What a manifest or lockfile says about one package.
#[derive(Default, Clone)]
struct Meta {
    name: String,
    version: Option<String>,
    license: Option<String>,
    hashes: Vec<Hash>,
    path: Option<String>,
    homepage: Option<String>,
    supplier: Option<String>,
    /// Scope as the lockfile states it; None where the format does not say.
    scope: Option<Scope>,
}

/// A declared dependency: name, range, kind.
type Decl = (String, String, Kind);

/// How a project depends on a direct dependency.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Prod,
    Optional,
    Dev,
}

#[derive(Default)]
struct Acc {
    comps: Vec<Component>,
    /// Whether the current `declared_raw` came from the package's own installed manifest,
    /// which beats a lockfile's copy of it.
    license_installed: Vec<bool>,
    /// Scope stated by some lockfile (min over sources); None → computed from the graph.
    stated: Vec<Option<Scope>>,
    index: HashMap<(String, String), usize>,
    /// from → (to → optional edge). Optional only when every source says so.
    edges: BTreeMap<usize, BTreeMap<usize, bool>>,
    roots: BTreeSet<usize>,
    /// Project directory ("" = scan root) → root component.
    root_by_dir: HashMap<String, usize>,
    /// Direct dependencies of the roots, with how they are depended on.
    root_deps: BTreeMap<(usize, usize), Kind>,
    /// Declared direct deps of each root (name → kind), from its package.json.
    root_decl: HashMap<usize, Vec<(String, String, Kind)>>,
    diags: Vec<Diagnostic>,
}

impl Acc {
    /// Add or merge a package; returns its index.
    fn add(&mut self, m: Meta, from_installed: bool) -> usize {
        let key = (m.name.clone(), m.version.clone().unwrap_or_default());
        if let Some(&i) = self.index.get(&key) {
            let c = &mut self.comps[i];
            if m.license.is_some() && (from_installed || c.declared_raw.is_none()) {
                if !self.license_installed[i] || from_installed {
                    c.declared_raw = m.license;
                }
                self.license_installed[i] |= from_installed;
            }
            for h in m.hashes {
                if !c.hashes.iter().any(|x| x.alg == h.alg) {
                    c.hashes.push(h);
                }
            }
            if let Some(p) = m.path {
                let better = match &c.path {
                    None => true,
                    Some(old) => path_rank(&p) < path_rank(old),
                };
                if better {
                    c.path = Some(p);
                }
            }
            if c.homepage.is_none() {
                c.homepage = m.homepage;
            }
            if c.supplier.is_none() {
                c.supplier = m.supplier;
            }
            if let Some(s) = m.scope {
                self.stated[i] = Some(self.stated[i].map_or(s, |o| o.min(s)));
            }
            return i;
        }
        let purl = purl(&m.name, m.version.as_deref());
        let bom_ref = purl
            .clone()
            .unwrap_or_else(|| format!("npm:{}@{}", m.name, key.1));
        let i = self.comps.len();
        self.comps.push(Component {
            bom_ref,
            name: m.name,
            version: m.version,
            purl,
            ecosystem: ECOSYSTEM.into(),
            path: m.path,
            declared_raw: m.license.clone(),
            concluded: "NOASSERTION".into(),
            hashes: m.hashes,
            supplier: m.supplier,
            homepage: m.homepage,
            ..Default::default()
        });
        self.license_installed
            .push(from_installed && m.license.is_some());
        self.stated.push(m.scope);
        self.index.insert(key, i);
        i
    }

    fn edge(&mut self, from: usize, to: usize, optional: bool) {
        if from == to {
            return;
        }
        let e = self
            .edges
            .entry(from)
            .or_default()
            .entry(to)
            .or_insert(optional);
        *e &= optional;
    }

    /// An edge from a project to one of its direct deps.
    fn root_edge(&mut self, root: usize, to: usize, kind: Kind) {
        self.edge(root, to, kind == Kind::Optional);
        let k = self.root_deps.entry((root, to)).or_insert(kind);
        *k = stronger(*k, kind);
    }

    /// Root edges for a project's declared deps, resolved by `find(name, range)`.
    fn root_edges_by(
        &mut self,
        root: usize,
        mut find: impl FnMut(&Acc, &str, &str) -> Option<usize>,
    ) {
        let decl = self.root_decl.get(&root).cloned().unwrap_or_default();
        for (name, range, kind) in decl {
            if let Some(to) = find(self, &name, &range) {
                self.root_edge(root, to, kind);
            }
        }
    }

    fn warn(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(Some(rel.to_string()), msg));
    }

    /// The root component for a project directory, creating one from lockfile data when
    /// the directory has no readable package.json.
    fn root_for(&mut self, dir: &str, name: Option<&str>, version: Option<&str>) -> Option<usize> {
        if let Some(&i) = self.root_by_dir.get(dir) {
            return Some(i);
        }
        let name = name?.to_string();
        let i = self.add(
            Meta {
                name,
                version: version.map(str::to_string),
                path: Some(dir.to_string()),
                scope: Some(Scope::Required),
                ..Default::default()
            },
            false,
        );
        self.roots.insert(i);
        self.root_by_dir.insert(dir.to_string(), i);
        Some(i)
    }

    fn finish(mut self) -> Found {
        self.compute_scopes();
        let edges = self
            .edges
            .iter()
            .map(|(from, tos)| Edge {
                from: self.comps[*from].bom_ref.clone(),
                to: tos.keys().map(|t| self.comps[*t].bom_ref.clone()).collect(),
            })
            .collect();
        let roots = self
            .roots
            .iter()
            .map(|i| self.comps[*i].bom_ref.clone())
            .collect();
        Found {
            components: self.comps,
            edges,
            diagnostics: self.diags,
            external_dirs: Vec::new(),
            roots,
        }
    }

    /// Scope for packages no lockfile gave one: the least restrictive way any project
    /// reaches them (required < optional < dev). A stated scope is kept and propagated.
    fn compute_scopes(&mut self) {
        let n = self.comps.len();
        let mut level: Vec<Option<Scope>> = vec![None; n];
        let mut work: Vec<usize> = Vec::new();
        let lower = |level: &mut Vec<Option<Scope>>, i: usize, s: Scope, work: &mut Vec<usize>| {
            if level[i].is_none_or(|o| s < o) {
                level[i] = Some(s);
                work.push(i);
            }
        };
        for (&(_, to), &kind) in &self.root_deps {
            let s = self.stated[to].unwrap_or(match kind {
                Kind::Prod => Scope::Required,
                Kind::Optional => Scope::Optional,
                Kind::Dev => Scope::Dev,
            });
            lower(&mut level, to, s, &mut work);
        }
        while let Some(i) = work.pop() {
            if self.roots.contains(&i) {
                continue;
            }
            let Some(here) = level[i] else { continue };
            if let Some(tos) = self.edges.get(&i) {
                for (&t, &opt) in tos {
                    let via = if opt { here.max(Scope::Optional) } else { here };
                    let s = self.stated[t].unwrap_or(via);
                    lower(&mut level, t, s, &mut work);
                }
            }
        }
        for (i, c) in self.comps.iter_mut().enumerate() {
            c.scope = Some(if self.roots.contains(&i) {
                Scope::Required
            } else {
                self.stated[i].or(level[i]).unwrap_or(Scope::Required)
            });
        }
    }
}

fn stronger(a: Kind, b: Kind) -> Kind {
    let rank = |k: Kind| match k {
        Kind::Prod => 0,
        Kind::Optional => 1,
        Kind::Dev => 2,
    };
    if rank(a) <= rank(b) {
        a
    } else {
        b
    }
}

/// Shallower first, then alphabetical: the copy a reader finds first.
fn path_rank(p: &str) -> (usize, &str) {
    (p.matches('/').count(), p)
}

/// `pkg:npm/%40scope/name@version`, namespace `@scope` as the purl spec says.
fn purl(name: &str, version: Option<&str>) -> Option<String> {
    let (ns, short) = match name.split_once('/') {
        Some((ns, n)) if ns.starts_with('@') => (Some(ns), n),
        _ => (None, name),
    };
    let mut p = packageurl::PackageUrl::new("npm", short).ok()?;
    if let Some(ns) = ns {
        p.with_namespace(ns).ok()?;
    }
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        p.with_version(v).ok()?;
    }
    Some(p.to_string())
}

// ---------------------------------------------------------------------------------------
// package.json
// ---------------------------------------------------------------------------------------

/// Parse a package.json into an object, or say why not.
fn parse_pkg_json(text: &str) -> Result<serde_json::Map<String, Json>, String> {
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(o)) => Ok(o),
        Ok(other) => Err(format!(
            "package.json is not an object but {}; ignored",
            json_kind(&other)
        )),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The license of a package.json: `license` as a string, the legacy `{type}` object, or
/// the legacy `licenses: [{type}]` array (alternatives, joined with " OR ").
fn license_of(
    o: &serde_json::Map<String, Json>,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    fn one(v: &Json) -> Option<String> {
        match v {
            Json::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Json::Object(m) => m
                .get("type")
                .and_then(Json::as_str)
                .map(|s| s.trim().to_string()),
            _ => None,
        }
    }
    fn many(items: &[Json]) -> Option<String> {
        let parts: Vec<String> = items.iter().filter_map(one).collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join(" OR "))
        }
    }
    for key in ["license", "licenses"] {
        let Some(v) = o.get(key) else { continue };
        let got = match v {
            Json::Array(items) => many(items),
            Json::Null => None,
            _ => one(v),
        };
        if got.is_some() {
            return got;
        }
        if !v.is_null() {
            diags.push(Diagnostic::warning(
                Some(rel.to_string()),
                format!("`{key}` is {}, not a license string; ignored", json_kind(v)),
            ));
        }
    }
    None
}

/// `homepage`, else the `repository`, so the resolver can name the repository's owner as
/// supplier.
fn homepage_of(o: &serde_json::Map<String, Json>) -> Option<String> {
    str_field(o, "homepage").or_else(|| repository_url(o))
}

/// `repository` (a URL, `{ "url": ... }`, or the `github:user/repo` / `user/repo`
/// shorthands) as an https URL.
fn repository_url(o: &serde_json::Map<String, Json>) -> Option<String> {
    let repo = match o.get("repository")? {
        Json::String(s) => s.trim().to_string(),
        Json::Object(m) => m.get("url")?.as_str()?.trim().to_string(),
        _ => return None,
    };
    if repo.contains("://") || repo.starts_with("git@") {
        return browsable(&repo);
    }
    let (host, path) = match repo.split_once(':') {
        Some(("github", p)) => ("github.com", p),
        Some(("gitlab", p)) => ("gitlab.com", p),
        Some(("bitbucket", p)) => ("bitbucket.org", p),
        Some(_) => return None,
        None => ("github.com", repo.as_str()),
    };
    (path.split('/').count() == 2).then(|| format!("https://{host}/{path}"))
}

/// A repository URL as a page a browser opens: `git+ssh://git@github.com/a/b.git` ->
/// `https://github.com/a/b` (SPDX and CycloneDX want an http(s) URL for a homepage).
fn browsable(repo: &str) -> Option<String> {
    let rest = repo
        .trim()
        .trim_start_matches("git+")
        .split_once("://")
        .map_or(repo.trim(), |(_, r)| r);
    let rest = rest.trim_start_matches("git@").replacen(':', "/", 1);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let host = rest.split('/').next().unwrap_or("");
    (host.contains('.') && rest.contains('/')).then(|| format!("https://{rest}"))
}

/// `author` as "Name <mail> (url)" or `{name}` → the name.
fn author_of(o: &serde_json::Map<String, Json>) -> Option<String> {
    let s = match o.get("author")? {
        Json::String(s) => s.clone(),
        Json::Object(m) => m.get("name")?.as_str()?.to_string(),
        _ => return None,
    };
    let name = s.split(['<', '(']).next().unwrap_or("").trim();
    let name = if name.is_empty() { s.trim() } else { name };
    Some(name.to_string()).filter(|n| !n.is_empty())
}

fn str_field(o: &serde_json::Map<String, Json>, k: &str) -> Option<String> {
    o.get(k)
        .and_then(Json::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// (name, range) pairs of one dependency map.
fn dep_map(o: &serde_json::Map<String, Json>, key: &str) -> Vec<(String, String)> {
    match o.get(key) {
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every declared dependency with its kind. A name in several maps takes the strongest
/// (npm lets `dependencies` win over `devDependencies`).
fn declared_deps(o: &serde_json::Map<String, Json>) -> Vec<(String, String, Kind)> {
    let mut out: Vec<(String, String, Kind)> = Vec::new();
    let peer_opt: BTreeSet<String> = match o.get("peerDependenciesMeta") {
        Some(Json::Object(m)) => m
            .iter()
            .filter(|(_, v)| v.get("optional").and_then(Json::as_bool) == Some(true))
            .map(|(k, _)| k.clone())
            .collect(),
        _ => BTreeSet::new(),
    };
    let groups = [
        ("dependencies", Kind::Prod),
        ("optionalDependencies", Kind::Optional),
        ("peerDependencies", Kind::Prod),
        ("devDependencies", Kind::Dev),
    ];
    for (key, kind) in groups {
        for (n, r) in dep_map(o, key) {
            let kind = if key == "peerDependencies" && peer_opt.contains(&n) {
                Kind::Optional
            } else {
                kind
            };
            match out.iter_mut().find(|(x, _, _)| *x == n) {
                Some(e) => e.2 = stronger(e.2, kind),
                None => out.push((n, r, kind)),
            }
        }
    }
    out
}

/// Directory segments that hold test data, not projects.
fn is_test_dir(dir: &str) -> bool {
    dir.split('/').any(|s| {
        matches!(
            s,
            "test" | "tests" | "__tests__" | "fixtures" | "__fixtures__" | "testdata"
        )
    })
}

/// A package.json outside node_modules: the project, or a workspace member.
fn read_project(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    if !dir.is_empty() && is_test_dir(dir) {
        return;
    }
    let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
        return;
    };
    let o = match parse_pkg_json(&text) {
        Ok(o) => o,
        Err(e) => return acc.warn(rel, e),
    };
    let name = match str_field(&o, "name") {
        Some(n) => n,
        // Only the scan root stands for a project without a name (private apps often
        // have none); elsewhere a nameless package.json is build config ({"type": ...}).
        None if dir.is_empty() => ctx
            .root
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "project".into()),
        None => return,
    };
    let license = license_of(&o, rel, &mut acc.diags);
    let i = acc.add(
        Meta {
            name,
            version: str_field(&o, "version"),
            license,
            path: Some(dir.to_string()),
            homepage: homepage_of(&o),
            supplier: author_of(&o).or_else(|| repository_url(&o).and_then(|r| forge_owner(&r))),
            scope: Some(Scope::Required),
            ..Default::default()
        },
        true,
    );
    acc.roots.insert(i);
    acc.root_by_dir.insert(dir.to_string(), i);
    acc.root_decl.insert(i, declared_deps(&o));
}

// ---------------------------------------------------------------------------------------
// Hashes
// ---------------------------------------------------------------------------------------

/// Subresource-integrity strings ("sha512-<base64> sha1-<base64>") → hashes in hex.
fn integrity(s: &str) -> Vec<Hash> {
    let mut out: Vec<Hash> = Vec::new();
    for part in s.split_whitespace() {
        let Some((alg, b64)) = part.split_once('-') else {
            continue;
        };
        let alg = match alg {
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha256" => "SHA-256",
            "sha1" => "SHA-1",
            _ => continue,
        };
        if let Some(bytes) = base64_decode(b64) {
            if !out.iter().any(|h| h.alg == alg) {
                out.push(Hash {
                    alg: alg.into(),
                    value: hex::encode(bytes),
                });
            }
        }
    }
    out
}

/// Standard base64 (with or without padding). No crate for it is in the tree and SRI
/// strings are the only base64 here.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// yarn v1 and old npm record the tarball's SHA-1 as the `#<hex>` fragment of `resolved`.
fn resolved_sha1(resolved: &str) -> Option<Hash> {
    let frag = resolved.rsplit_once('#')?.1;
    (frag.len() == 40 && frag.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Hash {
        alg: "SHA-1".into(),
        value: frag.to_ascii_lowercase(),
    })
}

/// A lock entry's hashes: its `integrity`, and the SHA-1 a `resolved` URL may carry.
fn lock_hashes(o: &serde_json::Map<String, Json>) -> Vec<Hash> {
    let mut hashes = o
        .get("integrity")
        .and_then(Json::as_str)
        .map(integrity)
        .unwrap_or_default();
    push_hash(
        &mut hashes,
        o.get("resolved")
            .and_then(Json::as_str)
            .and_then(resolved_sha1),
    );
    hashes
}

fn push_hash(hashes: &mut Vec<Hash>, h: Option<Hash>) {
    if let Some(h) = h {
        if !hashes.iter().any(|x| x.alg == h.alg) {
            hashes.push(h);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Node's resolution: the nearest node_modules up the path
// ---------------------------------------------------------------------------------------

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

/// Find `name` from the package at `from` the way require() does: `from/node_modules/name`,
/// then each parent directory's node_modules, up to the root of the key space.
fn node_resolve<T: Copy>(map: &HashMap<String, T>, from: &str, name: &str) -> Option<T> {
    let mut dir = from;
    loop {
        if let Some(t) = map.get(&join(dir, &format!("node_modules/{name}"))) {
            return Some(*t);
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir_of(dir);
    }
}

/// The package name a `node_modules/...` key ends in (scoped names kept whole).
fn name_from_key(key: &str) -> Option<&str> {
    let i = key.rfind("node_modules/")?;
    let rest = &key[i + "node_modules/".len()..];
    (!rest.is_empty()).then_some(rest)
}

// ---------------------------------------------------------------------------------------
// package-lock.json / npm-shrinkwrap.json
// ---------------------------------------------------------------------------------------

fn npm_lock(ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    let skip = NotInstalled::new(ctx, dir);
    let doc = match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(o)) => o,
        Ok(v) => {
            return acc.warn(
                rel,
                format!("lockfile is {}, not an object; ignored", json_kind(&v)),
            )
        }
        Err(e) => return acc.warn(rel, format!("invalid JSON: {e}")),
    };
    let version = doc.get("lockfileVersion").and_then(Json::as_u64);
    match version {
        Some(2) | Some(3) if doc.get("packages").is_some_and(Json::is_object) => {
            npm_lock_packages(dir, &doc, &skip, acc)
        }
        Some(1) => npm_lock_v1(dir, &doc, &skip, acc),
        Some(2) | Some(3) => acc.warn(rel, "lockfile has no `packages` map; ignored"),
        None if doc.get("dependencies").is_some() => {
            acc.warn(rel, "lockfile has no lockfileVersion; read as version 1");
            npm_lock_v1(dir, &doc, &skip, acc)
        }
        _ => acc.warn(
            rel,
            format!(
                "unsupported lockfileVersion {}; ignored",
                doc.get("lockfileVersion")
                    .map_or("(none)".into(), |v| v.to_string())
            ),
        ),
    }
}

/// Optional packages for other platforms (esbuild's and sharp's per-OS binaries, fsevents)
/// are in the lockfile but never installed. When the project's node_modules is on disk, an
/// optional entry that is not there is not part of this install and is left out, as
/// `npm ls` does; without node_modules the lockfile is all there is, and it is kept.
struct NotInstalled<'a> {
    manifests: Option<&'a [String]>,
    dir: String,
}

impl<'a> NotInstalled<'a> {
    fn new(ctx: &Context<'a>, dir: &str) -> Self {
        let nm = join(dir, "node_modules/");
        let i = ctx.manifests.partition_point(|m| m.as_str() < nm.as_str());
        let installed = ctx.manifests.get(i).is_some_and(|m| m.starts_with(&nm));
        NotInstalled {
            manifests: installed.then_some(ctx.manifests),
            dir: dir.to_string(),
        }
    }

    /// Whether the lock entry at `key` (optional, so droppable) is missing from disk.
    fn skip(&self, key: &str, scope: Scope) -> bool {
        let Some(m) = self.manifests else {
            return false;
        };
        if scope != Scope::Optional {
            return false;
        }
        let pj = join(&join(&self.dir, key), "package.json");
        m.binary_search(&pj).is_err()
    }
}

fn scope_flags(o: &serde_json::Map<String, Json>) -> Scope {
    let flag = |k: &str| o.get(k).and_then(Json::as_bool) == Some(true);
    if flag("dev") {
        Scope::Dev
    } else if flag("optional") || flag("devOptional") {
        // devOptional: needed by dev deps and by optional deps, never by prod: optional.
        Scope::Optional
    } else {
        Scope::Required
    }
}

/// lockfileVersion 2 and 3: `packages` keyed by install path.
fn npm_lock_packages(
    dir: &str,
    doc: &serde_json::Map<String, Json>,
    skip: &NotInstalled<'_>,
    acc: &mut Acc,
) {
    let Some(Json::Object(pkgs)) = doc.get("packages") else {
        return;
    };
    // Pass 1: a component (or root) per key; links remembered for pass 2.
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for (key, v) in pkgs {
        let Json::Object(o) = v else { continue };
        if o.get("link").and_then(Json::as_bool) == Some(true) {
            if let Some(target) = o.get("resolved").and_then(Json::as_str) {
                links.push((key.clone(), target.to_string()));
            }
            continue;
        }
        let in_nm = key.split('/').any(|s| s == "node_modules");
        if !in_nm {
            // "" is the project, anything else outside node_modules a workspace member.
            let name = str_field(o, "name");
            if let Some(i) = acc.root_for(
                &join(dir, key),
                name.as_deref(),
                o.get("version").and_then(Json::as_str),
            ) {
                at.insert(key.clone(), i);
                acc.root_decl.entry(i).or_insert_with(|| declared_deps(o));
            }
            continue;
        }
        let Some(name) = str_field(o, "name").or_else(|| name_from_key(key).map(str::to_string))
        else {
            continue;
        };
        let hashes = lock_hashes(o);
        let license = match o.get("license") {
            Some(Json::String(s)) => Some(s.clone()),
            _ => None,
        };
        let scope = scope_flags(o);
        if skip.skip(key, scope) {
            continue;
        }
        let i = acc.add(
            Meta {
                name,
                version: str_field(o, "version"),
                license,
                hashes,
                scope: Some(scope),
                ..Default::default()
            },
            false,
        );
        at.insert(key.clone(), i);
    }
    for (key, target) in links {
        if let Some(&i) = at.get(&target) {
            at.insert(key, i);
        } else if let Some(&i) = acc.root_by_dir.get(&join(dir, &target)) {
            at.insert(key, i);
        }
    }
    // Pass 2: edges, each dependency resolved from the depending package's own location.
    for (key, v) in pkgs {
        let Json::Object(o) = v else { continue };
        let Some(&from) = at.get(key) else { continue };
        if o.get("link").and_then(Json::as_bool) == Some(true) {
            continue;
        }
        let is_root = acc.roots.contains(&from);
        for (name, _, kind) in declared_deps(o) {
            if kind == Kind::Dev && !is_root {
                continue;
            }
            let Some(to) = node_resolve(&at, key, &name) else {
                continue;
            };
            if is_root {
                acc.root_edge(from, to, kind);
            } else {
                acc.edge(from, to, kind == Kind::Optional);
            }
        }
    }
}

/// lockfileVersion 1: nested `dependencies`, edges in `requires`.
fn npm_lock_v1(
    dir: &str,
    doc: &serde_json::Map<String, Json>,
    skip: &NotInstalled<'_>,
    acc: &mut Acc,
) {
    // Flatten into install-path keys so edges resolve exactly as in v2/v3.
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut requires: Vec<(String, Vec<String>)> = Vec::new();
    fn walk(
        prefix: &str,
        deps: &serde_json::Map<String, Json>,
        skip: &NotInstalled<'_>,
        acc: &mut Acc,
        at: &mut HashMap<String, usize>,
        requires: &mut Vec<(String, Vec<String>)>,
    ) {
        for (name, v) in deps {
            let Json::Object(o) = v else { continue };
            let key = join(prefix, &format!("node_modules/{name}"));
            let scope = scope_flags(o);
            if skip.skip(&key, scope) {
                continue;
            }
            // Git and tarball deps put their source in `version`: no registry version.
            let version = str_field(o, "version").filter(|v| !v.contains(':'));
            let hashes = lock_hashes(o);
            let i = acc.add(
                Meta {
                    name: name.clone(),
                    version,
                    hashes,
                    scope: Some(scope),
                    ..Default::default()
                },
                false,
            );
            at.insert(key.clone(), i);
            if let Some(Json::Object(r)) = o.get("requires") {
                requires.push((key.clone(), r.keys().cloned().collect()));
            }
            if let Some(Json::Object(nested)) = o.get("dependencies") {
                walk(&key, nested, skip, acc, at, requires);
            }
        }
    }
    if let Some(Json::Object(deps)) = doc.get("dependencies") {
        walk("", deps, skip, acc, &mut at, &mut requires);
    }
    for (key, names) in requires {
        let from = at[&key];
        for n in names {
            if let Some(to) = node_resolve(&at, &key, &n) {
                acc.edge(from, to, false);
            }
        }
    }
    let root = acc.root_for(
        dir,
        str_field(doc, "name").as_deref(),
        doc.get("version").and_then(Json::as_str),
    );
    if let Some(root) = root {
        acc.root_edges_by(root, |_, name, _| node_resolve(&at, "", name));
    }
}

// ---------------------------------------------------------------------------------------
// yarn.lock
// ---------------------------------------------------------------------------------------

fn is_berry(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("__metadata:"))
}

/// The package name of a descriptor "name@range" / "@scope/name@range".
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((&d[..at], &d[at + 1..]))
}

/// One token of a yarn v1 line: a "quoted string" or a bare word; returns it and the rest.
fn yarn_token(s: &str) -> (String, &str) {
    let s = s.trim_start();
    if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => return (out, &body[i + 1..]),
                _ => out.push(c),
            }
        }
        (out, "")
    } else {
        let end = s.find(char::is_whitespace).unwrap_or(s.len());
        (s[..end].to_string(), &s[end..])
    }
}

#[derive(Default)]
struct YarnEntry {
    specs: Vec<String>,
    fields: HashMap<String, String>,
    deps: Vec<(String, String, bool)>,
}

/// yarn's own v1 format: unindented comma-separated descriptor headers, two-space fields,
/// four-space dependency lines under `dependencies:` / `optionalDependencies:`.
fn parse_yarn_v1(text: &str) -> Result<Vec<YarnEntry>, String> {
    let mut out: Vec<YarnEntry> = Vec::new();
    let mut block: Option<bool> = None; // Some(optional?) inside a deps block
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.trim_start().is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let indent = trimmed.len() - trimmed.trim_start().len();
        let body = trimmed.trim_start();
        if indent == 0 {
            let Some(h) = body.strip_suffix(':') else {
                return Err(format!("line {}: expected an entry header", n + 1));
            };
            let mut specs = Vec::new();
            for part in h.split(',') {
                let (t, _) = yarn_token(part.trim());
                if !t.is_empty() {
                    specs.push(t);
                }
            }
            out.push(YarnEntry {
                specs,
                ..Default::default()
            });
            block = None;
            continue;
        }
        let Some(e) = out.last_mut() else {
            return Err(format!("line {}: field outside an entry", n + 1));
        };
        if indent <= 2 {
            block = None;
            if let Some(k) = body.strip_suffix(':') {
                block = match k {
                    "dependencies" => Some(false),
                    "optionalDependencies" => Some(true),
                    _ => None,
                };
                continue;
            }
            let (k, rest) = yarn_token(body);
            let (v, _) = yarn_token(rest);
            e.fields.insert(k, v);
        } else if let Some(opt) = block {
            let (k, rest) = yarn_token(body);
            let (v, _) = yarn_token(rest);
            e.deps.push((k, v, opt));
        }
    }
    Ok(out)
}

fn yarn_v1_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let entries = match parse_yarn_v1(text) {
        Ok(e) => e,
        Err(e) => return acc.warn(rel, format!("malformed yarn.lock: {e}")),
    };
    let mut by_spec: HashMap<String, usize> = HashMap::new();
    let mut idx: Vec<Option<usize>> = Vec::new();
    for e in &entries {
        let Some(name) = e
            .specs
            .first()
            .and_then(|s| split_descriptor(s))
            .map(|(n, _)| n.to_string())
        else {
            idx.push(None);
            continue;
        };
        let mut hashes = e
            .fields
            .get("integrity")
            .map(|s| integrity(s))
            .unwrap_or_default();
        push_hash(
            &mut hashes,
            e.fields.get("resolved").and_then(|r| resolved_sha1(r)),
        );
        let i = acc.add(
            Meta {
                name,
                version: e.fields.get("version").cloned(),
                hashes,
                ..Default::default()
            },
            false,
        );
        for s in &e.specs {
            by_spec.insert(s.clone(), i);
        }
        idx.push(Some(i));
    }
    for (e, i) in entries.iter().zip(&idx) {
        let Some(from) = *i else { continue };
        for (n, r, opt) in &e.deps {
            if let Some(&to) = by_spec.get(&format!("{n}@{r}")) {
                acc.edge(from, to, *opt);
            }
        }
    }
    link_roots(dir_of(rel), acc, |name, range| {
        by_spec.get(&format!("{name}@{range}")).copied()
    });
}

/// Root edges for every project under a lockfile's directory (the project and its
/// workspaces); a dep that the lockfile does not list may be a sibling workspace.
fn link_roots(dir: &str, acc: &mut Acc, find: impl Fn(&str, &str) -> Option<usize>) {
    let roots: Vec<(String, usize)> = acc
        .root_by_dir
        .iter()
        .filter(|(d, _)| dir.is_empty() || *d == dir || d.starts_with(&format!("{dir}/")))
        .map(|(d, i)| (d.clone(), *i))
        .collect();
    let by_name: HashMap<String, usize> = roots
        .iter()
        .map(|(_, i)| (acc.comps[*i].name.clone(), *i))
        .collect();
    for (_, root) in roots {
        acc.root_edges_by(root, |_, name, range| {
            find(name, range).or_else(|| by_name.get(name).copied())
        });
    }
}

/// yarn berry: YAML, descriptors "name@npm:^1.0.0", `resolution: "name@npm:1.2.3"`.
fn berry_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    let doc: Yaml = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        Err(e) => return acc.warn(rel, format!("invalid YAML: {e}")),
    };
    let Some(map) = doc.as_mapping() else {
        return acc.warn(rel, "yarn.lock is not a mapping; ignored");
    };
    let mut by_desc: HashMap<String, usize> = HashMap::new();
    let mut entries: Vec<(usize, &Yaml)> = Vec::new();
    for (k, v) in map {
        let Some(keys) = k.as_str() else { continue };
        if keys == "__metadata" {
            continue;
        }
        let Some(resolution) = v.get("resolution").and_then(Yaml::as_str) else {
            continue;
        };
        let Some((name, reference)) = split_descriptor(resolution) else {
            continue;
        };
        let i = if let Some(ws) = reference.strip_prefix("workspace:") {
            // A workspace is a project, not a dependency: point at its root component.
            let ws_dir = if ws == "." {
                dir.to_string()
            } else {
                join(dir, ws)
            };
            let version = v
                .get("version")
                .and_then(Yaml::as_str)
                .filter(|v| !v.contains("use.local"));
            match acc.root_for(&ws_dir, Some(name), version) {
                Some(i) => i,
                None => continue,
            }
        } else {
            let mut hashes = Vec::new();
            if let Some(c) = v.get("checksum").and_then(Yaml::as_str) {
                // "10c0/<hex>" (cacheKey/ prefix since lockfile v8) or bare hex: yarn's own
                // SHA-512 of its cache archive. Anything else is not a hash we can name.
                let hexpart = c.rsplit('/').next().unwrap_or("");
                if hexpart.len() == 128 && hexpart.bytes().all(|b| b.is_ascii_hexdigit()) {
                    hashes.push(Hash {
                        alg: "SHA-512".into(),
                        value: hexpart.to_ascii_lowercase(),
                    });
                }
            }
            acc.add(
                Meta {
                    name: name.to_string(),
                    version: yaml_str(v.get("version")),
                    hashes,
                    ..Default::default()
                },
                false,
            )
        };
        for d in keys.split(',') {
            by_desc.insert(d.trim().trim_matches('"').to_string(), i);
        }
        entries.push((i, v));
    }
    let find = |by_desc: &HashMap<String, usize>, n: &str, r: &str| {
        by_desc
            .get(&format!("{n}@{r}"))
            .or_else(|| by_desc.get(&format!("{n}@npm:{r}")))
            .copied()
    };
    for (from, v) in entries {
        let optional: BTreeSet<&str> = v
            .get("dependenciesMeta")
            .and_then(Yaml::as_mapping)
            .map(|m| {
                m.iter()
                    .filter(|(_, x)| x.get("optional").and_then(Yaml::as_bool) == Some(true))
                    .filter_map(|(k, _)| k.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let is_root = acc.roots.contains(&from);
        for group in ["dependencies", "optionalDependencies"] {
            let Some(m) = v.get(group).and_then(Yaml::as_mapping) else {
                continue;
            };
            for (n, r) in m {
                let (Some(n), Some(r)) = (n.as_str(), yaml_str(Some(r))) else {
                    continue;
                };
                let Some(to) = find(&by_desc, n, &r) else {
                    continue;
                };
                let opt = group == "optionalDependencies" || optional.contains(n);
                if is_root {
                    // Kinds come from the project's package.json (dev is not in the lock).
                    let kind = acc
                        .root_decl
                        .get(&from)
                        .and_then(|d| d.iter().find(|(x, _, _)| x == n).map(|(_, _, k)| *k))
                        .unwrap_or(if opt { Kind::Optional } else { Kind::Prod });
                    acc.root_edge(from, to, kind);
                } else {
                    acc.edge(from, to, opt);
                }
            }
        }
    }
}

fn yaml_str(v: Option<&Yaml>) -> Option<String> {
    match v? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// pnpm-lock.yaml
// ---------------------------------------------------------------------------------------

/// "/name/1.2.3_peer@1" (5.x), "/@s/name@1.2.3(peer@1)" (6.x), "name@1.2.3(peer@1)" (9.x)
/// → (name, version) without the peer suffix.
fn pnpm_key(key: &str, major: u32) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split('(').next().unwrap_or(k);
    if major == 5 {
        // The '@' form never appears in 5.x keys; '/' separates name and version.
        let segs: Vec<&str> = k.split('/').collect();
        let (name, version) = match segs.as_slice() {
            [s, n, v] if s.starts_with('@') => (format!("{s}/{n}"), *v),
            [n, v] => (n.to_string(), *v),
            _ => return None,
        };
        let version = version.split('_').next().unwrap_or(version);
        return Some((name, version.to_string()));
    }
    let (n, v) = split_descriptor(k)?;
    Some((n.to_string(), v.to_string()))
}

/// A dependency reference inside pnpm-lock: a version (maybe with a peer suffix), or an
/// alias "/other/1.0.0" / "other@1.0.0", or "link:../dir".
enum PnpmRef {
    Pkg(String, String),
    Link(String),
}

fn pnpm_ref(name: &str, r: &str, major: u32) -> Option<PnpmRef> {
    if let Some(l) = r.strip_prefix("link:") {
        return Some(PnpmRef::Link(l.to_string()));
    }
    if r.starts_with('/') {
        return pnpm_key(r, major).map(|(n, v)| PnpmRef::Pkg(n, v));
    }
    let plain = r.split('(').next().unwrap_or(r);
    let plain = if major == 5 {
        plain.split('_').next().unwrap_or(plain)
    } else {
        plain
    };
    if let Some((n, v)) = split_descriptor(plain) {
        return Some(PnpmRef::Pkg(n.to_string(), v.to_string()));
    }
    Some(PnpmRef::Pkg(name.to_string(), plain.to_string()))
}

fn pnpm_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    let doc: Yaml = match serde_yaml_ng::from_str(text) {
        Ok(d) => d,
        Err(e) => return acc.warn(rel, format!("invalid YAML: {e}")),
    };
    let ver = yaml_str(doc.get("lockfileVersion")).unwrap_or_default();
    let major: u32 = ver
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if !matches!(major, 5 | 6 | 9) {
        return acc.warn(
            rel,
            format!("unsupported pnpm lockfileVersion {ver:?}; ignored"),
        );
    }
    let mut by_nv: HashMap<(String, String), usize> = HashMap::new();
    let empty = serde_yaml_ng::Mapping::new();
    let packages = doc
        .get("packages")
        .and_then(Yaml::as_mapping)
        .unwrap_or(&empty);
    for (k, v) in packages {
        let Some(key) = k.as_str() else { continue };
        let Some((kn, kv)) = pnpm_key(key, major) else {
            continue;
        };
        // Tarball and git packages name themselves; registry ones only in the key.
        let name = yaml_str(v.get("name")).unwrap_or(kn);
        let version = yaml_str(v.get("version")).unwrap_or(kv.clone());
        let hashes = v
            .get("resolution")
            .and_then(|r| r.get("integrity"))
            .and_then(Yaml::as_str)
            .map(integrity)
            .unwrap_or_default();
        let flag = |f: &str| v.get(f).and_then(Yaml::as_bool);
        // 5.x/6.x: dev: true → dev only, false → prod only, absent → both; 9.x says nothing.
        let scope = if major >= 9 {
            None
        } else if flag("dev") == Some(true) {
            Some(Scope::Dev)
        } else if flag("optional") == Some(true) {
            Some(Scope::Optional)
        } else {
            Some(Scope::Required)
        };
        let i = acc.add(
            Meta {
                name: name.clone(),
                version: Some(version.clone()),
                hashes,
                scope,
                ..Default::default()
            },
            false,
        );
        by_nv.insert((name.clone(), version), i);
        // References use the key's form, which differs from `version` for tarballs.
        by_nv.insert((name, kv), i);
    }
    // Edges: 9.x keeps them in `snapshots`, earlier versions in `packages`.
    let graph = if major >= 9 {
        doc.get("snapshots")
            .and_then(Yaml::as_mapping)
            .unwrap_or(&empty)
    } else {
        packages
    };
    for (k, v) in graph {
        let Some((kn, kv)) = k.as_str().and_then(|k| pnpm_key(k, major)) else {
            continue;
        };
        let Some(&from) = by_nv.get(&(kn, kv)) else {
            continue;
        };
        for group in ["dependencies", "optionalDependencies"] {
            let Some(m) = v.get(group).and_then(Yaml::as_mapping) else {
                continue;
            };
            for (n, r) in m {
                let (Some(n), Some(r)) = (n.as_str(), yaml_str(Some(r))) else {
                    continue;
                };
                if let Some(PnpmRef::Pkg(dn, dv)) = pnpm_ref(n, &r, major) {
                    if let Some(&to) = by_nv.get(&(dn, dv)) {
                        acc.edge(from, to, group == "optionalDependencies");
                    }
                }
            }
        }
    }
    // Importers: the projects. Without workspaces, 5.x/6.x put the one importer's deps
    // at the top level.
    let mut importers: Vec<(String, &Yaml)> = Vec::new();
    if let Some(m) = doc.get("importers").and_then(Yaml::as_mapping) {
        for (k, v) in m {
            if let Some(k) = k.as_str() {
                importers.push((k.to_string(), v));
            }
        }
    } else {
        importers.push((".".into(), &doc));
    }
    for (path, imp) in importers {
        let pdir = if path == "." {
            dir.to_string()
        } else {
            join(dir, &path)
        };
        let Some(root) = acc.root_by_dir.get(&pdir).copied() else {
            continue;
        };
        for (group, kind) in [
            ("dependencies", Kind::Prod),
            ("optionalDependencies", Kind::Optional),
            ("devDependencies", Kind::Dev),
        ] {
            let Some(m) = imp.get(group).and_then(Yaml::as_mapping) else {
                continue;
            };
            for (n, spec) in m {
                let Some(n) = n.as_str() else { continue };
                // 6.x/9.x: {specifier, version}; 5.x: the version string itself.
                let r = yaml_str(spec.get("version")).or_else(|| yaml_str(Some(spec)));
                let Some(r) = r else { continue };
                let to = match pnpm_ref(n, &r, major) {
                    Some(PnpmRef::Pkg(dn, dv)) => by_nv.get(&(dn, dv)).copied(),
                    Some(PnpmRef::Link(l)) => {
                        acc.root_by_dir.get(&normalize(&join(&pdir, &l))).copied()
                    }
                    None => None,
                };
                if let Some(to) = to {
                    acc.root_edge(root, to, kind);
                }
            }
        }
    }
}

/// Resolve "." and ".." in a relative '/'-path.
fn normalize(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            _ => out.push(s),
        }
    }
    out.join("/")
}

// ---------------------------------------------------------------------------------------
// Installed packages
// ---------------------------------------------------------------------------------------

/// Whether a directory is a package install location: after the first `node_modules`,
/// only `node_modules/<name>`, `node_modules/@scope/<name>` and pnpm's
/// `node_modules/.pnpm/<id>` steps, ending on a name. A package.json in a package's own
/// subfolders (dist/, test/fixtures/...) is not a package.
fn is_install_dir(dir: &str) -> bool {
    let segs: Vec<&str> = dir.split('/').collect();
    let Some(first) = segs.iter().position(|s| *s == "node_modules") else {
        return false;
    };
    let mut i = first;
    let mut ends_on_name = false;
    while i < segs.len() {
        if segs[i] != "node_modules" {
            return false;
        }
        i += 1;
        match segs.get(i) {
            Some(&".pnpm") => {
                // `.pnpm/<id>/node_modules/...`; the id itself is not a package.
                if segs.get(i + 1).is_none() {
                    return false;
                }
                i += 2;
                ends_on_name = false;
                continue;
            }
            Some(s) if s.starts_with('@') => {
                if segs
                    .get(i + 1)
                    .is_none_or(|n| n.is_empty() || n.starts_with('.'))
                {
                    return false;
                }
                i += 2;
            }
            Some(s) if !s.is_empty() && !s.starts_with('.') => i += 1,
            _ => return false,
        }
        ends_on_name = true;
    }
    ends_on_name
}

fn installed_tree(ctx: &Context<'_>, paths: &[&str], acc: &mut Acc) {
    let mut at: HashMap<String, usize> = HashMap::new();
    let mut by_name: HashMap<String, BTreeSet<usize>> = HashMap::new();
    let mut deps: Vec<(String, usize, Vec<Decl>)> = Vec::new();
    for rel in paths {
        let dir = dir_of(rel);
        if !is_install_dir(dir) {
            continue;
        }
        let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
            continue;
        };
        let o = match parse_pkg_json(&text) {
            Ok(o) => o,
            Err(e) => {
                acc.warn(rel, e);
                continue;
            }
        };
        let (Some(name), Some(version)) = (str_field(&o, "name"), str_field(&o, "version")) else {
            continue;
        };
        let license = license_of(&o, rel, &mut acc.diags);
        let i = acc.add(
            Meta {
                name: name.clone(),
                version: Some(version),
                license,
                path: Some(dir.to_string()),
                homepage: homepage_of(&o),
                supplier: author_of(&o)
                    .or_else(|| repository_url(&o).and_then(|r| forge_owner(&r))),
                ..Default::default()
            },
            true,
        );
        at.insert(dir.to_string(), i);
        // The directory name is what require() finds; for an alias it differs from `name`.
        if let Some(dn) = name_from_key(dir) {
            by_name.entry(dn.to_string()).or_default().insert(i);
        }
        let d: Vec<_> = declared_deps(&o)
            .into_iter()
            .filter(|(_, _, k)| *k != Kind::Dev)
            .collect();
        deps.push((dir.to_string(), i, d));
    }
    // pnpm's store links siblings by symlink, which the walk does not follow: there a name
    // installed in exactly one version is that version.
    let unique = |name: &str| match by_name.get(name) {
        Some(s) if s.len() == 1 => s.iter().next().copied(),
        _ => None,
    };
    for (dir, from, d) in deps {
        for (name, _, kind) in d {
            if let Some(to) = node_resolve(&at, &dir, &name).or_else(|| unique(&name)) {
                acc.edge(from, to, kind == Kind::Optional);
            }
        }
    }
    if at.is_empty() {
        return;
    }
    // Only projects with their own node_modules: another project's install says nothing.
    let installed_in: BTreeSet<&str> = at
        .keys()
        .filter_map(|d| d.split("node_modules/").next())
        .map(|p| p.trim_end_matches('/'))
        .collect();
    let roots: Vec<(String, usize)> = acc
        .root_by_dir
        .iter()
        .filter(|(d, _)| installed_in.contains(d.as_str()))
        .map(|(d, i)| (d.clone(), *i))
        .collect();
    for (dir, root) in roots {
        acc.root_edges_by(root, |_, name, _| {
            node_resolve(&at, &dir, name).or_else(|| unique(name))
        });
    }
}

#[cfg(test)]
mod tests {
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
            home(r#"{"repository":"git+ssh://git@github.com/isaacs/node-lru-cache.git"}"#)
                .as_deref(),
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
        assert_eq!(is.concluded, "NOASSERTION");

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
}
