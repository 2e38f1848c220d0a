//! Lockfiles: `poetry.lock`, `uv.lock`, `Pipfile.lock` (versions, hashes, edges, scopes).

use super::*;

/// Poetry: the sdist's hash when listed, else the first wheel's.
pub(super) fn pick_file_hash(files: &[toml::Value]) -> Option<Hash> {
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

pub(super) fn poetry_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
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

pub(super) fn uv_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
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
            .and_then(|v| relpath::join(dir, v));
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

pub(super) fn pipfile_lock(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
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
            format!(
                "{} without a pinned version (VCS, path or editable) skipped",
                crate::text::plural(skipped, "entry", "entries")
            ),
        );
    }
}
