//! The accumulator every npm source reports into: one component per name+version, edges
//! by index, the project roots and their declared dependencies; scopes computed from the
//! graph where no source states them.

use super::*;

/// What a manifest or lockfile says about one package.
#[derive(Default, Clone)]
pub(super) struct Meta {
    pub(super) name: String,
    pub(super) version: Option<String>,
    pub(super) license: Option<String>,
    pub(super) hashes: Vec<Hash>,
    pub(super) path: Option<String>,
    pub(super) homepage: Option<String>,
    pub(super) supplier: Option<String>,
    /// Scope as the lockfile states it; None where the format does not say.
    pub(super) scope: Option<Scope>,
}

/// A declared dependency: name, range, kind.
pub(super) type Decl = (String, String, Kind);

/// How a project depends on a direct dependency.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Prod,
    Optional,
    Dev,
}

#[derive(Default)]
pub(super) struct Acc {
    pub(super) comps: Vec<Component>,
    /// Whether the current `declared_raw` came from the package's own installed manifest,
    /// which beats a lockfile's copy of it.
    pub(super) license_installed: Vec<bool>,
    /// Scope stated by some lockfile (min over sources); None → computed from the graph.
    pub(super) stated: Vec<Option<Scope>>,
    pub(super) index: HashMap<(String, String), usize>,
    /// from → (to → optional edge). Optional only when every source says so.
    pub(super) edges: BTreeMap<usize, BTreeMap<usize, bool>>,
    pub(super) roots: BTreeSet<usize>,
    /// Project directory ("" = scan root) → root component.
    pub(super) root_by_dir: HashMap<String, usize>,
    /// Direct dependencies of the roots, with how they are depended on.
    pub(super) root_deps: BTreeMap<(usize, usize), Kind>,
    /// Declared direct deps of each root (name → kind), from its package.json.
    pub(super) root_decl: HashMap<usize, Vec<(String, String, Kind)>>,
    pub(super) diags: Vec<Diagnostic>,
}

impl Acc {
    /// Add or merge a package; returns its index. The package's own installed manifest
    /// knows it better than a lockfile's copy of its license.
    pub(super) fn add(&mut self, m: Meta, from_installed: bool) -> usize {
        let key = (m.name.clone(), m.version.clone().unwrap_or_default());
        let has_license = m.license.is_some();
        let purl = purl(&m.name, m.version.as_deref());
        let sighting = Component {
            bom_ref: purl
                .clone()
                .unwrap_or_else(|| format!("npm:{}@{}", m.name, key.1)),
            name: m.name,
            version: m.version,
            purl,
            ecosystem: Ecosystem::Npm,
            path: m.path,
            declared_raw: m.license,
            hashes: m.hashes,
            supplier: m.supplier,
            homepage: m.homepage,
            ..Default::default()
        };
        if let Some(&i) = self.index.get(&key) {
            let better = from_installed && !self.license_installed[i];
            self.comps[i].merge(sighting, better);
            self.license_installed[i] |= from_installed && has_license;
            if let Some(s) = m.scope {
                self.stated[i] = Some(self.stated[i].map_or(s, |o| o.min(s)));
            }
            return i;
        }
        let i = self.comps.len();
        self.comps.push(sighting);
        self.license_installed.push(from_installed && has_license);
        self.stated.push(m.scope);
        self.index.insert(key, i);
        i
    }

    pub(super) fn edge(&mut self, from: usize, to: usize, optional: bool) {
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
    pub(super) fn root_edge(&mut self, root: usize, to: usize, kind: Kind) {
        self.edge(root, to, kind == Kind::Optional);
        let k = self.root_deps.entry((root, to)).or_insert(kind);
        *k = stronger(*k, kind);
    }

    /// Root edges for a project's declared deps, resolved by `find(name, range)`.
    pub(super) fn root_edges_by(
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

    pub(super) fn warn(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(Some(rel.to_string()), msg));
    }

    /// The root component for a project directory, creating one from lockfile data when
    /// the directory has no readable package.json.
    pub(super) fn root_for(
        &mut self,
        dir: &str,
        name: Option<&str>,
        version: Option<&str>,
    ) -> Option<usize> {
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

    pub(super) fn finish(mut self) -> Found {
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
            ..Found::default()
        }
    }

    /// Scope for packages no lockfile gave one: the least restrictive way any project
    /// reaches them (required < optional < dev). A stated scope is kept and propagated.
    pub(super) fn compute_scopes(&mut self) {
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

pub(super) fn stronger(a: Kind, b: Kind) -> Kind {
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

/// `pkg:npm/%40scope/name@version`, namespace `@scope` as the purl spec says.
pub(super) fn purl(name: &str, version: Option<&str>) -> Option<String> {
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
