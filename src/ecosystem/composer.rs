//! Composer (PHP): `composer.lock` (`packages`, `packages-dev`: name, version, license
//! list, `require` edges, dist checksum) and the installed `vendor/composer/installed.json`
//! (Composer 1's array or Composer 2's `{"packages": [...]}`, with each package's
//! `install-path`, so its files and license file are its own). purls
//! `pkg:composer/<vendor>/<name>@<version>`.

use std::collections::HashMap;

use serde_json::Value;

use super::{dir_of, file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Hash, Scope};
use crate::relpath;

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "composer",
    is_manifest: |name, dir| {
        name == "composer.lock" || (name == "installed.json" && dir.ends_with("vendor/composer"))
    },
    dependency_dirs: &["vendor"],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        let name = file_name(rel);
        let installed = name == "installed.json" && dir_of(rel).ends_with("vendor/composer");
        if name != "composer.lock" && !installed {
            continue;
        }
        let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
            continue;
        };
        let v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                c.found.diagnostics.push(Diagnostic::warning(
                    Some(rel.clone()),
                    format!("invalid JSON: {e}"),
                ));
                continue;
            }
        };
        let mut lists: Vec<(&Value, Scope)> = Vec::new();
        if installed {
            let dev: Vec<&str> = v["dev-package-names"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let pkgs = if v.is_array() { &v } else { &v["packages"] };
            for p in pkgs.as_array().into_iter().flatten() {
                let dev = p["name"].as_str().is_some_and(|n| dev.contains(&n));
                lists.push((p, if dev { Scope::Dev } else { Scope::Required }));
            }
        } else {
            for (key, scope) in [("packages", Scope::Required), ("packages-dev", Scope::Dev)] {
                for p in v[key].as_array().into_iter().flatten() {
                    lists.push((p, scope));
                }
            }
        }
        let mut refs: Vec<(String, &Value)> = Vec::new();
        let mut by_name: HashMap<String, String> = HashMap::new();
        for (p, scope) in lists {
            let Some(comp) = package(p, scope, installed.then(|| dir_of(rel))) else {
                c.found.diagnostics.push(Diagnostic::warning(
                    Some(rel.clone()),
                    "package without a vendor/name and a version; skipped",
                ));
                continue;
            };
            by_name.insert(comp.name.to_ascii_lowercase(), comp.bom_ref.clone());
            refs.push((c.upsert(comp), p));
        }
        for (from, p) in refs {
            for dep in p["require"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    c.edges.entry(from.clone()).or_default().push(to.clone());
                }
            }
        }
    }
    c.finish()
}

fn package(p: &Value, scope: Scope, composer_dir: Option<&str>) -> Option<Component> {
    let full = p["name"].as_str()?.trim();
    let (vendor, name) = full.split_once('/')?;
    let version = p["version"].as_str()?.trim();
    if vendor.is_empty() || name.is_empty() || version.is_empty() {
        return None;
    }
    let mut purl = packageurl::PackageUrl::new("composer", name).ok()?;
    purl.with_namespace(vendor.to_string()).ok()?;
    purl.with_version(version.to_string()).ok()?;
    let purl = purl.to_string();
    let licenses: Vec<&str> = p["license"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .or_else(|| p["license"].as_str().map(|s| vec![s]))
        .unwrap_or_default();
    // Composer's list means a choice: "[MIT, GPL-2.0]" is "MIT or GPL-2.0".
    let declared_raw = (!licenses.is_empty()).then(|| {
        if licenses.len() == 1 {
            licenses[0].to_string()
        } else {
            licenses
                .iter()
                .map(|l| format!("({l})"))
                .collect::<Vec<_>>()
                .join(" OR ")
        }
    });
    let hashes = p["dist"]["shasum"]
        .as_str()
        .filter(|s| s.len() == 40 && hex::decode(s).is_ok())
        .map(|s| Hash {
            alg: "SHA-1".into(),
            value: s.to_ascii_lowercase(),
        })
        .into_iter()
        .collect();
    // installed.json's install-path is relative to vendor/composer/.
    let path = composer_dir.and_then(|d| {
        p["install-path"]
            .as_str()
            .and_then(|ip| relpath::join(d, ip))
            .or_else(|| Some(relpath::child(dir_of(d), full)))
    });
    Some(Component {
        bom_ref: purl.clone(),
        name: full.to_string(),
        version: Some(version.to_string()),
        purl: Some(purl),
        ecosystem: Eco::from_name("composer"),
        path,
        declared_raw,
        hashes,
        scope: Some(scope),
        homepage: p["homepage"]
            .as_str()
            .filter(|h| h.starts_with("http"))
            .map(str::to_string),
        ..Default::default()
    })
}
