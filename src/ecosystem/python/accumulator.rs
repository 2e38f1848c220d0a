//! The accumulator every Python source reports into: components merged by purl (a
//! better-informed source overrides, a lesser one fills gaps), dependencies recorded by
//! name and resolved to components at the end, scopes from lockfiles or project lists.

use super::*;

/// How much a source knows about a component's metadata (name spelling, license, ...).
pub(super) const RANK_REQUIREMENTS: u8 = 0;
pub(super) const RANK_LOCK: u8 = 1;
pub(super) const RANK_PROJECT: u8 = 2;
pub(super) const RANK_INSTALLED: u8 = 3;

pub(super) struct Entry {
    pub(super) comp: Component,
    pub(super) rank: u8,
    /// The scope a lockfile or requirements file states; the strongest one wins.
    pub(super) stated_scope: Option<Scope>,
    /// Directories of the sources that reported it (lock dir, site-packages dir): a
    /// dependency by name prefers a component from the same place.
    pub(super) dirs: BTreeSet<String>,
    pub(super) project: bool,
    /// The manifests, lockfiles or metadata files that named it.
    pub(super) found_in: BTreeSet<String>,
}

/// A dependency by name, resolved to components in [`Acc::finish`].
pub(super) struct Dep {
    pub(super) from: String,
    pub(super) name: String,
    pub(super) version: Option<String>,
    /// For a project's direct dependencies: which list it came from. For a package's own
    /// dependencies: Required (always needed) or Optional (only with an extra).
    pub(super) kind: Scope,
    pub(super) dir: String,
}

#[derive(Default)]
pub(super) struct Acc {
    pub(super) entries: BTreeMap<String, Entry>,
    pub(super) deps: Vec<Dep>,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) roots: BTreeSet<String>,
    /// Files an installed distribution's RECORD lists, claimed by it.
    pub(super) owned_files: Vec<FileOwner>,
}

/// What a source knows about one package.
#[derive(Default)]
pub(super) struct Pkg {
    pub(super) name: String,
    pub(super) version: Option<String>,
    pub(super) path: Option<String>,
    pub(super) declared_raw: Option<String>,
    pub(super) hashes: Vec<Hash>,
    pub(super) supplier: Option<String>,
    pub(super) homepage: Option<String>,
}

impl Acc {
    pub(super) fn warn(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(Some(rel.to_string()), msg));
    }
    pub(super) fn info(&mut self, rel: &str, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::info(Some(rel.to_string()), msg));
    }

    /// Adds or merges a package; returns its bom-ref (None when the name is unusable).
    pub(super) fn add(
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
        let sighting = Component {
            bom_ref: bom_ref.clone(),
            name: pkg.name,
            version,
            purl: Some(bom_ref.clone()),
            ecosystem: Ecosystem::Pypi,
            path: pkg.path,
            declared_raw: pkg.declared_raw,
            supplier: pkg.supplier,
            homepage: pkg.homepage,
            hashes: pkg.hashes,
            ..Default::default()
        };
        // A better-informed source overrides; a lesser one only fills gaps.
        let e = match self.entries.entry(bom_ref.clone()) {
            std::collections::btree_map::Entry::Vacant(v) => v.insert(Entry {
                comp: sighting,
                rank,
                stated_scope: None,
                dirs: BTreeSet::new(),
                project: false,
                found_in: BTreeSet::new(),
            }),
            std::collections::btree_map::Entry::Occupied(o) => {
                let e = o.into_mut();
                let over = rank > e.rank;
                e.comp.merge(sighting, over);
                if over {
                    e.rank = rank;
                }
                e
            }
        };
        if let Some(s) = scope {
            e.stated_scope = Some(e.stated_scope.map_or(s, |old| old.min(s)));
        }
        e.dirs.insert(dir.to_string());
        e.found_in.insert(rel.to_string());
        Some(bom_ref)
    }

    pub(super) fn dep(
        &mut self,
        from: &str,
        name: &str,
        version: Option<&str>,
        kind: Scope,
        dir: &str,
    ) {
        self.deps.push(Dep {
            from: from.to_string(),
            name: normalize_name(name),
            version: version.map(str::to_string),
            kind,
            dir: dir.to_string(),
        });
    }

    /// Everything the sources reported, as one Found: unversioned copies of a project
    /// folded into the versioned one, dependencies resolved by name, scopes computed.
    pub(super) fn finish(mut self) -> Found {
        self.fold_unversioned();
        let graph = self.resolve_dependencies();
        let reached = self.reach(&graph);
        let mut found = Found::default();
        for (r, mut e) in std::mem::take(&mut self.entries) {
            let scope = match (e.stated_scope, reached.get(&r)) {
                (Some(a), Some(b)) => a.min(*b),
                (Some(a), None) => a,
                (None, Some(b)) => *b,
                (None, None) => Scope::Required,
            };
            e.comp.scope = Some(scope);
            if e.comp.path.is_none() && !e.found_in.is_empty() {
                // Not installed in the tree: where it was found is what it has.
                e.comp
                    .notes
                    .push(format!("found in {}", listed(&e.found_in)));
            }
            found.components.push(e.comp);
        }
        for (from, tos) in graph {
            found.edges.push(Edge {
                from,
                to: tos.into_keys().collect(),
            });
        }
        found.roots = self.roots.into_iter().collect();
        found.file_owners = self.owned_files;
        found.diagnostics = self.diags;
        found
    }

    /// A project whose version only a lockfile or PKG-INFO knows (dynamic version) is
    /// reported without one by pyproject.toml: fold it into the versioned copy.
    fn fold_unversioned(&mut self) {
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
            let mut old = self.entries.remove(from).expect("entry");
            let e = self.entries.get_mut(to).expect("entry");
            // The versioned copy keeps its own purl.
            old.comp.purl = None;
            let better = old.rank > e.rank;
            e.comp.merge(old.comp, better);
            if better {
                e.rank = old.rank;
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
    }

    /// Each dependency by name to the components it means: the exact version when one is
    /// pinned, the only candidate, or those reported from the same place. from -> (to ->
    /// the strongest kind of edge).
    fn resolve_dependencies(&self) -> BTreeMap<String, BTreeMap<String, Scope>> {
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

        graph
    }

    /// Scopes reached from the projects: a project's direct dependency takes the kind of
    /// its list; a package's always-needed dependencies inherit it.
    fn reach(&self, graph: &BTreeMap<String, BTreeMap<String, Scope>>) -> HashMap<String, Scope> {
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

        reached
    }
}

/// `a, b, c and 2 more`: the files that named a component, the first few.
fn listed(files: &BTreeSet<String>) -> String {
    const SHOWN: usize = 3;
    let v: Vec<&str> = files.iter().map(String::as_str).take(SHOWN).collect();
    let more = files.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{} and {more} more", v.join(", "))
    } else {
        v.join(", ")
    }
}
