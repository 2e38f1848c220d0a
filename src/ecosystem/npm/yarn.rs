//! `yarn.lock`: yarn 1 (its own line format) and berry (YAML).

use super::*;

pub(super) fn is_berry(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("__metadata:"))
}

/// The package name of a descriptor "name@range" / "@scope/name@range".
pub(super) fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((&d[..at], &d[at + 1..]))
}

/// One token of a yarn v1 line: a "quoted string" or a bare word; returns it and the rest.
pub(super) fn yarn_token(s: &str) -> (String, &str) {
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
pub(super) struct YarnEntry {
    pub(super) specs: Vec<String>,
    pub(super) fields: HashMap<String, String>,
    pub(super) deps: Vec<(String, String, bool)>,
}

/// yarn's own v1 format: unindented comma-separated descriptor headers, two-space fields,
/// four-space dependency lines under `dependencies:` / `optionalDependencies:`.
pub(super) fn parse_yarn_v1(text: &str) -> Result<Vec<YarnEntry>, String> {
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

pub(super) fn yarn_v1_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
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
pub(super) fn link_roots(dir: &str, acc: &mut Acc, find: impl Fn(&str, &str) -> Option<usize>) {
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
pub(super) fn berry_lock(_ctx: &Context<'_>, rel: &str, text: &str, acc: &mut Acc) {
    let dir = dir_of(rel);
    let doc: Yaml = match crate::ecosystem::parse_yaml(text) {
        Ok(d) => d,
        Err(e) => return acc.warn(rel, e),
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
            let Some(ws_dir) = relpath::join(dir, ws) else {
                continue;
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
