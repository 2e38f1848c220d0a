//! Python components: project manifests, lockfiles, requirements pins and installed
//! distributions, read as files only (never running python, pip or `setup.py`).
//!
//! Sources, from most to least authoritative for a component's metadata:
//! - installed distributions: `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` (and an sdist's
//!   `PKG-INFO`) — the only source that states the license of a dependency;
//! - project manifests: `pyproject.toml` (PEP 621 / PEP 639 `[project]`, `[tool.poetry]`),
//!   `setup.cfg` `[metadata]`, literal keyword strings of `setup.py` — merged per directory
//!   into one project component; those at the scan root are [`Found::roots`];
//! - lockfiles: `poetry.lock`, `uv.lock`, `Pipfile.lock` (versions, hashes, edges, scopes);
//! - `requirements*.txt` pins (`name==1.2.3`, `--hash`, `-r` includes).
//!
//! Every source reports into one accumulator keyed by the purl (`pkg:pypi/<PEP 503
//! name>@<version>`), so a package seen in a lockfile and installed in a virtualenv is one
//! component. Dependencies are recorded by *name* and resolved to concrete components at
//! the end, because a project manifest or `Requires-Dist` names ranges, not versions.
//! Scopes come from where a lockfile says a package belongs (poetry groups, Pipfile
//! `develop`, a `requirements-dev.txt`), else from which dependency list of a project
//! reaches it (`dependencies` → required, `optional-dependencies` → optional,
//! `dependency-groups` → dev), else required.

//!
//! One file per surface, as the sources above: [`installed`] and [`rfc822_meta`] (core
//! metadata), [`project`] with [`pyproject`], [`setup_cfg`], [`setup_py`], then
//! [`lockfiles`] and [`requirements`], all reporting into the one [`accumulator`]; this
//! file holds the order they run in and the names, purls and hashes they share.

mod accumulator;
mod installed;
mod lockfiles;
mod project;
mod pyproject;
mod requirements;
mod rfc822_meta;
mod setup_cfg;
mod setup_py;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use once_cell::sync::Lazy;
use regex::Regex;

use super::{dir_of, file_name, read_manifest, Claim, Context, FileOwner, Found};
use crate::model::{Component, Diagnostic, Ecosystem, Edge, Hash, Scope};
use crate::relpath;
use accumulator::*;
use installed::*;
use lockfiles::*;
use project::*;
use pyproject::*;
use requirements::*;
use rfc822_meta::*;
use setup_cfg::*;
use setup_py::*;

/// Above this a `License:` field is a pasted license text, not a license name.
const MAX_LICENSE_FIELD: usize = 100;

/// Python: project manifests, lockfiles, requirements pins, installed distributions.
pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "pypi",
    is_manifest: |name, dir| {
        is_python_manifest(name)
            || name == "PKG-INFO"
            || (name == "METADATA" && dir.ends_with(".dist-info"))
    },
    dependency_dirs: &[".venv", "venv", "site-packages"],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut acc = Acc::default();
    let mut projects: BTreeMap<String, ProjectInfo> = BTreeMap::new();
    let mut requirements = Vec::new();
    let mut ignored_inside_installed = 0usize;
    for rel in ctx.manifests {
        let name = file_name(rel);
        let dir = dir_of(rel);
        let is_metadata = name == "METADATA" && dir.ends_with(".dist-info");
        let is_pkg_info = name == "PKG-INFO";
        if !is_metadata && !is_pkg_info && inside_installed(dir) {
            // Sources and test data shipped inside an installed package (pandas ships its
            // pyproject.toml, numpy test projects with setup.py): the package's own
            // dist-info already describes it; these would only add phantom projects.
            if is_python_manifest(name) {
                ignored_inside_installed += 1;
            }
            continue;
        }
        match name {
            "METADATA" if is_metadata => installed(ctx, rel, &mut acc),
            "PKG-INFO" if dir.ends_with(".egg-info") || inside_installed(dir) => {
                installed(ctx, rel, &mut acc)
            }
            "PKG-INFO" => {
                // An unpacked sdist: its PKG-INFO describes the project in this directory.
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let meta = parse_metadata(&text);
                    let p = projects.entry(dir.to_string()).or_default();
                    p.pkg_info = Some((rel.clone(), meta));
                }
            }
            "pyproject.toml" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    match text.parse::<toml::Table>() {
                        Ok(t) => {
                            let p = projects.entry(dir.to_string()).or_default();
                            p.pyproject = Some((rel.clone(), t));
                        }
                        Err(e) => acc.warn(rel, format!("invalid TOML: {}", first_line(&e))),
                    }
                }
            }
            "setup.cfg" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let p = projects.entry(dir.to_string()).or_default();
                    p.setup_cfg = Some((rel.clone(), parse_ini(&text)));
                }
            }
            "setup.py" => {
                if let Some(text) = read_manifest(ctx, rel, &mut acc.diags) {
                    let p = projects.entry(dir.to_string()).or_default();
                    p.setup_py = Some((rel.clone(), parse_setup_py(&text)));
                }
            }
            "poetry.lock" => poetry_lock(ctx, rel, &mut acc),
            "uv.lock" => uv_lock(ctx, rel, &mut acc),
            "Pipfile.lock" => pipfile_lock(ctx, rel, &mut acc),
            // A Pipfile only states ranges; its lock holds the packages.
            "Pipfile" => {}
            n if n.starts_with("requirements") && n.ends_with(".txt") => {
                requirements.push(rel.clone())
            }
            _ => {}
        }
    }
    for (dir, p) in &projects {
        project(dir, p, &mut acc);
    }
    let mut reqs = Requirements::default();
    for rel in &requirements {
        reqs.apply(ctx, rel, &mut acc);
    }
    if ignored_inside_installed > 0 {
        acc.diags.push(Diagnostic::info(
            None,
            format!(
                "{ignored_inside_installed} python manifest(s) inside installed packages \
                 (site-packages) ignored; their dist-info metadata describes them"
            ),
        ));
    }
    acc.finish()
}

fn is_python_manifest(name: &str) -> bool {
    matches!(
        name,
        "pyproject.toml"
            | "setup.cfg"
            | "setup.py"
            | "poetry.lock"
            | "uv.lock"
            | "Pipfile"
            | "Pipfile.lock"
    ) || (name.starts_with("requirements") && name.ends_with(".txt"))
}

/// Is `dir` inside an installed-packages directory (site-packages of any interpreter or
/// virtualenv, Debian's dist-packages)?
fn inside_installed(dir: &str) -> bool {
    dir.split('/')
        .any(|s| s == "site-packages" || s == "dist-packages")
}

fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------------------
// Names, purls, hashes

/// PEP 503 normalized name: lowercase, every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// A plausible distribution name (PEP 508): letters, digits and `-_.`, alphanumeric ends.
fn valid_name(name: &str) -> bool {
    static RE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$").unwrap());
    RE.is_match(name)
}

fn purl(name: &str, version: Option<&str>) -> Option<String> {
    let mut p = packageurl::PackageUrl::new("pypi", normalize_name(name)).ok()?;
    if let Some(v) = version {
        p.with_version(v.to_string()).ok()?;
    }
    Some(p.to_string())
}

/// `sha256:<hex>` (pip, poetry, uv, Pipfile.lock) -> a model hash; None when malformed.
fn parse_hash(s: &str) -> Option<Hash> {
    let (alg, value) = s.trim().split_once([':', '='])?;
    let alg = match alg.to_ascii_lowercase().as_str() {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha1" => "SHA-1",
        "md5" => "MD5",
        _ => return None,
    };
    let value = value.trim().to_ascii_lowercase();
    if value.is_empty() || hex::decode(&value).is_err() {
        return None;
    }
    Some(Hash {
        alg: alg.to_string(),
        value,
    })
}

/// The name at the start of a PEP 508 requirement (`requests[socks]>=2; python_version…`).
fn requirement_name(spec: &str) -> Option<String> {
    static RE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)").unwrap());
    RE.captures(spec).map(|c| c[1].to_string())
}

/// Does a `Requires-Dist` marker only apply with an extra (`extra == "socks"`)?
fn marker_has_extra(spec: &str) -> bool {
    static RE: Lazy<Regex> = Lazy::new(|| Regex::new(r#"\bextra\s*=="#).unwrap());
    spec.split_once(';').is_some_and(|(_, m)| RE.is_match(m))
}
