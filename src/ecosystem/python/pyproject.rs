//! `pyproject.toml`: PEP 621 / PEP 639 `[project]` and `[tool.poetry]`.

use super::*;

/// Reads `[project]` and `[tool.poetry]`; returns the name and the warnings.
pub(super) fn pyproject(
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
