//! `pnpm-lock.yaml`: lockfile versions 5.x, 6.x and 9.x.

use super::*;

/// "/name/1.2.3_peer@1" (5.x), "/@s/name@1.2.3(peer@1)" (6.x), "name@1.2.3(peer@1)" (9.x)
/// → (name, version) without the peer suffix.
pub(super) fn pnpm_key(key: &str, major: u32) -> Option<(String, String)> {
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
pub(super) enum PnpmRef {
    Pkg(String, String),
    Link(String),
}

pub(super) fn pnpm_ref(name: &str, r: &str, major: u32) -> Option<PnpmRef> {
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

pub(super) fn pnpm_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    let doc: Yaml = match crate::ecosystem::parse_yaml(text) {
        Ok(d) => d,
        Err(e) => return acc.warn(rel, e),
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
        let Some(pdir) = relpath::join(dir, &path) else {
            continue;
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
                        relpath::join(&pdir, &l).and_then(|t| acc.root_by_dir.get(&t).copied())
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
