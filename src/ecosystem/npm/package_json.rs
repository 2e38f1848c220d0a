//! `package.json`: a project's own manifest (outside `node_modules`) and the fields every
//! package.json shares (license, homepage, author, dependency lists).

use super::*;

/// Parse a package.json into an object, or say why not.
pub(super) fn parse_pkg_json(text: &str) -> Result<serde_json::Map<String, Json>, String> {
    match serde_json::from_str::<Json>(text) {
        Ok(Json::Object(o)) => Ok(o),
        Ok(other) => Err(format!(
            "package.json is not an object but {}; ignored",
            json_kind(&other)
        )),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

pub(super) fn json_kind(v: &Json) -> &'static str {
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
pub(super) fn license_of(
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
pub(super) fn homepage_of(o: &serde_json::Map<String, Json>) -> Option<String> {
    str_field(o, "homepage").or_else(|| repository_url(o))
}

/// `repository` (a URL, `{ "url": ... }`, or the `github:user/repo` / `user/repo`
/// shorthands) as an https URL.
pub(super) fn repository_url(o: &serde_json::Map<String, Json>) -> Option<String> {
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
pub(super) fn browsable(repo: &str) -> Option<String> {
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
pub(super) fn author_of(o: &serde_json::Map<String, Json>) -> Option<String> {
    let s = match o.get("author")? {
        Json::String(s) => s.clone(),
        Json::Object(m) => m.get("name")?.as_str()?.to_string(),
        _ => return None,
    };
    let name = s.split(['<', '(']).next().unwrap_or("").trim();
    let name = if name.is_empty() { s.trim() } else { name };
    Some(name.to_string()).filter(|n| !n.is_empty())
}

pub(super) fn str_field(o: &serde_json::Map<String, Json>, k: &str) -> Option<String> {
    o.get(k)
        .and_then(Json::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// (name, range) pairs of one dependency map.
pub(super) fn dep_map(o: &serde_json::Map<String, Json>, key: &str) -> Vec<(String, String)> {
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
pub(super) fn declared_deps(o: &serde_json::Map<String, Json>) -> Vec<(String, String, Kind)> {
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
pub(super) fn is_test_dir(dir: &str) -> bool {
    dir.split('/').any(|s| {
        matches!(
            s,
            "test" | "tests" | "__tests__" | "fixtures" | "__fixtures__" | "testdata"
        )
    })
}

/// A package.json outside node_modules: the project, or a workspace member.
pub(super) fn read_project(ctx: &Context<'_>, rel: &str, acc: &mut Acc) {
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
        None if dir.is_empty() => crate::cache::reads::canonicalize(ctx.root)
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
