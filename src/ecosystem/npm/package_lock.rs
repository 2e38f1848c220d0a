//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.

use super::*;

pub(super) fn npm_lock(ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
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
pub(super) struct NotInstalled<'a> {
    pub(super) manifests: Option<&'a [String]>,
    pub(super) dir: String,
}

impl<'a> NotInstalled<'a> {
    pub(super) fn new(ctx: &Context<'a>, dir: &str) -> Self {
        let nm = relpath::child(dir, "node_modules/");
        let i = ctx.manifests.partition_point(|m| m.as_str() < nm.as_str());
        let installed = ctx.manifests.get(i).is_some_and(|m| m.starts_with(&nm));
        NotInstalled {
            manifests: installed.then_some(ctx.manifests),
            dir: dir.to_string(),
        }
    }

    /// Whether the lock entry at `key` (optional, so droppable) is missing from disk.
    pub(super) fn skip(&self, key: &str, scope: Scope) -> bool {
        let Some(m) = self.manifests else {
            return false;
        };
        if scope != Scope::Optional {
            return false;
        }
        let pj = relpath::child(&relpath::child(&self.dir, key), "package.json");
        m.binary_search(&pj).is_err()
    }
}

pub(super) fn scope_flags(o: &serde_json::Map<String, Json>) -> Scope {
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
pub(super) fn npm_lock_packages(
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
            let Some(root_dir) = relpath::join(dir, key) else {
                continue;
            };
            if let Some(i) = acc.root_for(
                &root_dir,
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
        } else if let Some(&i) = relpath::join(dir, &target).and_then(|t| acc.root_by_dir.get(&t)) {
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
pub(super) fn npm_lock_v1(
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
            let key = relpath::child(prefix, &format!("node_modules/{name}"));
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
