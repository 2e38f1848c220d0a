//! NuGet (.NET): `packages.lock.json` (per target framework: each package's resolved
//! version, its SHA-512 content hash, Direct / Transitive / Project, and its dependencies)
//! and `obj/project.assets.json` (the restore result: `libraries` with versions and hashes,
//! `targets` with dependencies). Neither states a license (the `.nuspec` inside the
//! package does). purls `pkg:nuget/<name>@<version>`.

use std::collections::HashMap;

use serde_json::Value;

use super::{file_name, read_manifest, Collector, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem as Eco, Hash, Scope};

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "nuget",
    is_manifest: |name, dir| {
        name == "packages.lock.json" || (name == "project.assets.json" && file_name(dir) == "obj")
    },
    dependency_dirs: &[],
    discover,
};

fn component(name: &str, version: &str, sha512_b64: Option<&str>) -> Option<Component> {
    let mut p = packageurl::PackageUrl::new("nuget", name).ok()?;
    p.with_version(version.to_string()).ok()?;
    let purl = p.to_string();
    use base64::Engine as _;
    let hashes = sha512_b64
        .and_then(|h| base64::engine::general_purpose::STANDARD.decode(h).ok())
        .filter(|b| b.len() == 64)
        .map(|b| Hash {
            alg: "SHA-512".into(),
            value: hex::encode(b),
        })
        .into_iter()
        .collect();
    Some(Component {
        bom_ref: purl.clone(),
        name: name.to_string(),
        version: Some(version.to_string()),
        purl: Some(purl),
        ecosystem: Eco::from_name("nuget"),
        hashes,
        scope: Some(Scope::Required),
        ..Default::default()
    })
}

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut c = Collector::default();
    for rel in ctx.manifests {
        let name = file_name(rel);
        if name != "packages.lock.json" && name != "project.assets.json" {
            continue;
        }
        let Some(text) = read_manifest(ctx, rel, &mut c.found.diagnostics) else {
            continue;
        };
        let v: Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
            Ok(v) => v,
            Err(e) => {
                c.found.diagnostics.push(Diagnostic::warning(
                    Some(rel.clone()),
                    format!("invalid JSON: {e}"),
                ));
                continue;
            }
        };
        if name == "packages.lock.json" {
            lockfile(&v, &mut c);
        } else {
            assets(&v, &mut c);
        }
    }
    c.finish()
}

fn lockfile(v: &Value, c: &mut Collector) {
    // name (lowercase) -> bom-ref, per framework; then the edges.
    for (_, pkgs) in v["dependencies"].as_object().into_iter().flatten() {
        let Some(pkgs) = pkgs.as_object() else {
            continue;
        };
        let mut by_name: HashMap<String, String> = HashMap::new();
        for (name, p) in pkgs {
            if p["type"] == "Project" {
                continue;
            }
            let Some(version) = p["resolved"].as_str() else {
                continue;
            };
            if let Some(comp) = component(name, version, p["contentHash"].as_str()) {
                by_name.insert(name.to_ascii_lowercase(), c.upsert(comp));
            }
        }
        for (name, p) in pkgs {
            let Some(from) = by_name.get(&name.to_ascii_lowercase()) else {
                continue;
            };
            for (dep, _) in p["dependencies"].as_object().into_iter().flatten() {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    c.edges.entry(from.clone()).or_default().push(to.clone());
                }
            }
        }
    }
}

fn assets(v: &Value, c: &mut Collector) {
    let mut by_name: HashMap<String, String> = HashMap::new();
    for (key, lib) in v["libraries"].as_object().into_iter().flatten() {
        if lib["type"] != "package" {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            continue;
        };
        if let Some(comp) = component(name, version, lib["sha512"].as_str()) {
            by_name.insert(name.to_ascii_lowercase(), c.upsert(comp));
        }
    }
    for (_, target) in v["targets"].as_object().into_iter().flatten() {
        for (key, lib) in target.as_object().into_iter().flatten() {
            let name = key.split('/').next().unwrap_or(key).to_ascii_lowercase();
            let Some(from) = by_name.get(&name) else {
                continue;
            };
            for (dep, _) in lib["dependencies"].as_object().into_iter().flatten() {
                if let Some(to) = by_name.get(&dep.to_ascii_lowercase()) {
                    c.edges.entry(from.clone()).or_default().push(to.clone());
                }
            }
        }
    }
}
