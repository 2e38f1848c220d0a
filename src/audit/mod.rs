//! Offline vulnerability audit: a Scan's components against OSV records read from disk.
//!
//! [`Database::load`] reads a folder of OSV JSON records (recursively) or OSV's
//! per-ecosystem `all.zip` archives (read in memory, never extracted), skips withdrawn
//! records, and indexes every affected package once by (ecosystem, normalized name).
//! [`audit`] looks each component up by its purl (else its ecosystem and name), decides
//! "affected" by OSV's range rules in the ecosystem's own version order ([`version`]), and
//! merges records that name each other (GHSA / RUSTSEC / PYSEC / CVE aliases) into one
//! [`Finding`]. Severity comes from CVSS v3 vectors ([`cvss`]) where present, else from the
//! record's own fields. Nothing here touches the network or prints; the policy judges
//! findings in `policy::advisories`, the emitters render them.

//!
//! Shaped like cargo-deny's advisories check: [`db`] (the database), [`check`] (the
//! matching), [`diags`] (what is reported); the `[advisories]` table of `policy.toml` is
//! read with the rest of the policy (`policy::cfg`) and judges the findings
//! (`policy::advisories`).

mod check;
pub mod cvss;
pub mod db;
pub mod diags;
pub mod exploit;
pub mod fix;
pub mod layout;
pub mod osv;
pub mod scripts;
#[cfg(test)]
mod tests;
pub mod version;
pub mod vex;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::Serialize;

pub use check::audit;
pub use cvss::Severity;
use db::*;
pub use db::{Database, DbStats, Rating};
pub use diags::{Audit, Finding, FixHint, Kind};

use crate::model::{Component, Diagnostic, Scan};
use version::Key;

/// The ecosystems OSV matching covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    Maven,
}

impl Ecosystem {
    /// OSV's name for it.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
        }
    }

    /// An OSV `package.ecosystem` ("PyPI", "Maven", "Debian:12" -> not ours).
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        let base = s.split(':').next().unwrap_or(s).trim();
        Some(match base {
            "crates.io" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPI,
            "Go" => Ecosystem::Go,
            "Maven" => Ecosystem::Maven,
            _ => return None,
        })
    }

    /// A purl type, or our model's `Component.ecosystem` (the same words, plus "go").
    pub fn from_model(s: &str) -> Option<Ecosystem> {
        Some(match s {
            "cargo" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPI,
            "golang" | "go" => Ecosystem::Go,
            "maven" => Ecosystem::Maven,
            _ => return None,
        })
    }

    /// A package name as the ecosystem compares names: PEP 503 for PyPI, case-folded npm
    /// and crates.io names (crates.io also treats `-` and `_` as one), Go module paths and
    /// Maven `group:artifact` as written (both are case-sensitive).
    pub fn normalize_name(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::PyPI => crate::ecosystem::python::normalize_name(name),
            Ecosystem::Npm => name.to_ascii_lowercase(),
            Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Go | Ecosystem::Maven => name.to_string(),
        }
    }
}
