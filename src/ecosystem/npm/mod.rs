//! npm components: package.json projects, npm / yarn / pnpm lockfiles and installed
//! `node_modules`.
//!
//! Nothing is ever run (no npm, node or lifecycle script): every fact comes from files.
//! Sources, in the order they are read, each adding to one component per name+version:
//!
//! 1. `package.json` outside `node_modules`: the project itself (at the scan root, or a
//!    workspace member) → a root component with its declared license and direct deps.
//! 2. Lockfiles next to a project: `package-lock.json` / `npm-shrinkwrap.json`
//!    (lockfileVersion 1, 2, 3), `yarn.lock` (v1 and berry), `pnpm-lock.yaml` (5.x, 6.x,
//!    9.x). They give the full graph, integrity hashes and, for npm and pnpm ≤ 6, scopes.
//! 3. Installed packages: every `package.json` that sits directly in `node_modules/<name>`
//!    or `node_modules/@scope/<name>` (nested, and pnpm's `.pnpm/<id>/node_modules/` store).
//!    They carry the package's own license field and locate the component on disk.
//!
//! Where no source states a scope (yarn, pnpm 9, a bare `node_modules`), it is computed
//! from the graph: reachable from a project's `dependencies` → required, else through an
//! optional edge → optional, else only from `devDependencies` → dev.

//!
//! One file per surface: [`package_json`] (projects), [`package_lock`], [`yarn`], [`pnpm`]
//! (lockfiles), [`node_modules`] (installed packages), all reporting into the one
//! [`accumulator`]; this file holds the order they run in and what they share (hashes,
//! Node's module resolution).

mod accumulator;
mod node_modules;
mod package_json;
mod package_lock;
mod pnpm;
#[cfg(test)]
mod tests;
mod yarn;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

use super::{dir_of, file_name, forge_owner, read_manifest, Context, Found};
use crate::model::{Component, Diagnostic, Ecosystem, Edge, Hash, Scope};
use crate::relpath;
use accumulator::*;
use node_modules::*;
use package_json::*;
use package_lock::*;
use pnpm::*;
use yarn::*;

/// npm (and yarn, pnpm): package.json, their lockfiles, installed `node_modules`.
pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "npm",
    is_manifest: |name, _| {
        matches!(
            name,
            "package.json"
                | "package-lock.json"
                | "npm-shrinkwrap.json"
                | "yarn.lock"
                | "pnpm-lock.yaml"
        )
    },
    dependency_dirs: &["node_modules"],
    discover,
};

/// Discover npm components under `ctx.root`.
pub fn discover(ctx: &Context<'_>) -> Found {
    let mut acc = Acc::default();
    let mut projects: Vec<&str> = Vec::new();
    let mut locks: Vec<&str> = Vec::new();
    let mut installed: Vec<&str> = Vec::new();
    for rel in ctx.manifests {
        let name = file_name(rel);
        let in_nm = dir_of(rel).split('/').any(|s| s == "node_modules");
        match name {
            "package.json" if in_nm => installed.push(rel),
            "package.json" => projects.push(rel),
            "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml"
                if !in_nm =>
            {
                locks.push(rel)
            }
            _ => {}
        }
    }

    // Projects first: lockfiles and installed trees attach their edges to them.
    for rel in &projects {
        read_project(ctx, rel, &mut acc);
    }
    // A shrinkwrap wins over a package-lock in the same folder (npm ignores the latter).
    let shrinkwrap_dirs: BTreeSet<&str> = locks
        .iter()
        .filter(|l| file_name(l) == "npm-shrinkwrap.json")
        .map(|l| dir_of(l))
        .collect();
    for rel in &locks {
        let dir = dir_of(rel);
        let Some(text) = read_manifest(ctx, rel, &mut acc.diags) else {
            continue;
        };
        match file_name(rel) {
            "package-lock.json" if shrinkwrap_dirs.contains(dir) => {}
            "package-lock.json" | "npm-shrinkwrap.json" => npm_lock(ctx, rel, &text, &mut acc),
            "yarn.lock" => {
                if is_berry(&text) {
                    berry_lock(ctx, rel, &text, &mut acc)
                } else {
                    yarn_v1_lock(ctx, rel, &text, &mut acc)
                }
            }
            "pnpm-lock.yaml" => pnpm_lock(ctx, rel, &text, &mut acc),
            _ => {}
        }
    }
    installed_tree(ctx, &installed, &mut acc);
    acc.finish()
}

// ---------------------------------------------------------------------------------------
// Hashes
// ---------------------------------------------------------------------------------------

/// Subresource-integrity strings ("sha512-<base64> sha1-<base64>") → hashes in hex.
fn integrity(s: &str) -> Vec<Hash> {
    let mut out: Vec<Hash> = Vec::new();
    for part in s.split_whitespace() {
        let Some((alg, b64)) = part.split_once('-') else {
            continue;
        };
        let alg = match alg {
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha256" => "SHA-256",
            "sha1" => "SHA-1",
            _ => continue,
        };
        if let Some(bytes) = base64_decode(b64) {
            if !out.iter().any(|h| h.alg == alg) {
                out.push(Hash {
                    alg: alg.into(),
                    value: hex::encode(bytes),
                });
            }
        }
    }
    out
}

/// Standard base64 (with or without padding). No crate for it is in the tree and SRI
/// strings are the only base64 here.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// yarn v1 and old npm record the tarball's SHA-1 as the `#<hex>` fragment of `resolved`.
fn resolved_sha1(resolved: &str) -> Option<Hash> {
    let frag = resolved.rsplit_once('#')?.1;
    (frag.len() == 40 && frag.bytes().all(|b| b.is_ascii_hexdigit())).then(|| Hash {
        alg: "SHA-1".into(),
        value: frag.to_ascii_lowercase(),
    })
}

/// A lock entry's hashes: its `integrity`, and the SHA-1 a `resolved` URL may carry.
fn lock_hashes(o: &serde_json::Map<String, Json>) -> Vec<Hash> {
    let mut hashes = o
        .get("integrity")
        .and_then(Json::as_str)
        .map(integrity)
        .unwrap_or_default();
    push_hash(
        &mut hashes,
        o.get("resolved")
            .and_then(Json::as_str)
            .and_then(resolved_sha1),
    );
    hashes
}

fn push_hash(hashes: &mut Vec<Hash>, h: Option<Hash>) {
    if let Some(h) = h {
        if !hashes.iter().any(|x| x.alg == h.alg) {
            hashes.push(h);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Node's resolution: the nearest node_modules up the path
// ---------------------------------------------------------------------------------------

/// Find `name` from the package at `from` the way require() does: `from/node_modules/name`,
/// then each parent directory's node_modules, up to the root of the key space.
fn node_resolve<T: Copy>(map: &HashMap<String, T>, from: &str, name: &str) -> Option<T> {
    let mut dir = from;
    loop {
        if let Some(t) = map.get(&relpath::child(dir, &format!("node_modules/{name}"))) {
            return Some(*t);
        }
        if dir.is_empty() {
            return None;
        }
        dir = dir_of(dir);
    }
}

/// The package name a `node_modules/...` key ends in (scoped names kept whole).
fn name_from_key(key: &str) -> Option<&str> {
    let i = key.rfind("node_modules/")?;
    let rest = &key[i + "node_modules/".len()..];
    (!rest.is_empty()).then_some(rest)
}

fn yaml_str(v: Option<&Yaml>) -> Option<String> {
    match v? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
