//! The data model every stage reads and writes: the Scan and its parts.
//!
//! `ospo scan --format json` prints a [`Scan`]; it is a public format (documented in
//! README.md), so field names here are a contract. Everything is plain data with serde;
//! ordering is made deterministic by [`Scan::normalize`] before anything is emitted.
//!
//! The model is the hub every stage shares, so it depends on nothing else in the crate:
//! plain data, the words SPDX uses for "unknown", and the one way to merge two sightings
//! of a component.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// Version of the `scan --format json` schema. Bump on incompatible changes.
pub const SCAN_FORMAT_VERSION: u32 = 1;

/// SPDX's word for "nothing is known" about a license (or a supplier, a version...): what
/// a component is concluded to when neither a declaration nor a license text says more.
pub const NOASSERTION: &str = "NOASSERTION";

/// SPDX's word for "there is none": a license field that says no license applies.
pub const NONE: &str = "NONE";

/// Whether a license id (or a whole field) is one of SPDX's two words for "no license
/// known" ([`NOASSERTION`], [`NONE`]); the empty string counts too.
pub fn is_unknown_license(id: &str) -> bool {
    let t = id.trim();
    t.is_empty() || t == NOASSERTION || t == NONE
}

/// Largest file whose text a scan records in [`Scan::texts`] (license and NOTICE files
/// are a few KiB; a bigger "license file" is not one a notice would print).
pub const MAX_RECORDED_TEXT: u64 = 1 << 20;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scan {
    pub format_version: u32,
    pub tool: Tool,
    /// The scanned root as given on the command line.
    pub root: String,
    pub summary: Summary,
    /// bom-ref of the scanned project's own component (the root of the dependency graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// Files that carry license or copyright evidence, license files and manifests.
    pub files: Vec<FileRecord>,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub dependencies: Vec<Edge>,
    #[serde(default)]
    pub diagnostics: Vec<Diagnostic>,
    /// The texts emitters print or quote (license files, NOTICE files, `LICENSES/` texts,
    /// license files of packages in a cache outside the tree), recorded once by the scan:
    /// SHA-256 of the file (hex, as in [`FileRecord::sha256`] and [`Evidence::sha256`]) ->
    /// its text as decoded (LF line endings). Emitters read these, never the disk, so a
    /// saved scan gives the same notice anywhere. Absent in scans saved before it existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub texts: BTreeMap<String, String>,
    /// The container image scanned, when the input was one (`ospo sbom IMAGE.tar`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
}

/// A container image read without a daemon: what identifies it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Image {
    /// What the SBOM calls it: the first repository tag, else the file's name.
    pub name: String,
    /// `docker-archive`, `oci-archive` or `oci-dir`.
    pub format: String,
    /// `sha256:...` of the image configuration (the image ID).
    pub config_digest: String,
    /// `sha256:...` of the image manifest, where the archive has one (OCI layouts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_tags: Vec<String>,
    /// Layer digests (of the blobs as stored), lowest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
    /// SPDX license list version the license database was built from.
    pub license_list_version: String,
}

impl Tool {
    /// This build of ospo, with the SPDX license list version of its license database.
    pub fn current(license_list_version: &str) -> Self {
        Tool {
            name: "ospo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            license_list_version: license_list_version.into(),
        }
    }
}

/// Counts over the whole walk, including files that left no record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub files_with_licenses: u64,
    pub files_with_copyrights: u64,
    pub binary_files: u64,
    pub skipped_files: u64,
    /// Wall time of the scan in milliseconds; left out of deterministic outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileClass {
    /// LICENSE*, COPYING*, NOTICE*, UNLICENSE, LICENSES/*, *.LICENSE ...
    License,
    /// A package manifest or lockfile (Cargo.toml, package.json, ...).
    Manifest,
    /// README and similar documentation that may reference a license.
    Readme,
    /// Any other text file (source code, config, docs).
    Text,
    /// Content with NUL bytes or otherwise not text.
    Binary,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FileRecord {
    /// Relative to the scanned root, '/'-separated.
    pub path: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    pub class: Option<FileClass>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseMatch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copyrights: Vec<String>,
    /// License-like text that no known license matched well enough: for human review.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unrecognized: Vec<Unrecognized>,
    /// bom-ref of the component that owns this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchKind {
    /// A full license text.
    Text,
    /// A standard license notice or header ("Licensed under the Apache License...").
    Notice,
    /// An `SPDX-License-Identifier:` tag.
    Tag,
    /// A mention of a license by name ("Licensed under either of Apache-2.0 or MIT").
    Reference,
    /// A license field of a package manifest.
    Manifest,
}

impl MatchKind {
    /// The name the JSON model uses ("text", "notice", ...).
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Text => "text",
            MatchKind::Notice => "notice",
            MatchKind::Tag => "tag",
            MatchKind::Reference => "reference",
            MatchKind::Manifest => "manifest",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [
            MatchKind::Text,
            MatchKind::Notice,
            MatchKind::Tag,
            MatchKind::Reference,
            MatchKind::Manifest,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LicenseMatch {
    /// An SPDX license expression (ids are current, never deprecated).
    pub expression: String,
    pub kind: MatchKind,
    /// 0.0..=1.0; 1.0 for exact tags and rule matches.
    pub score: f32,
    /// 1-based, inclusive.
    pub start_line: u32,
    pub end_line: u32,
    /// What decided it: the store entry ("Apache-2.0 (alternate)"), the rule name, or "tag".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Unrecognized {
    pub start_line: u32,
    pub end_line: u32,
    /// The closest known license and its score, for the reviewer.
    pub closest: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Required,
    Optional,
    Dev,
}

/// The package ecosystem a component comes from, written in the JSON as the purl type
/// ("cargo", "npm", "pypi", "golang", "maven", "generic"); a document read with `--from`
/// may name any other purl type, or none ("unknown").
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Ecosystem {
    Cargo,
    Npm,
    Pypi,
    Golang,
    Maven,
    /// Code without a package manager: vendored folders, the scanned tree itself.
    #[default]
    Generic,
    /// A document read with `--from` did not say.
    Unknown,
    /// Any other purl type, as written.
    Other(String),
}

impl Ecosystem {
    pub fn as_str(&self) -> &str {
        match self {
            Ecosystem::Cargo => "cargo",
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Golang => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Generic => "generic",
            Ecosystem::Unknown => "unknown",
            Ecosystem::Other(s) => s,
        }
    }

    pub fn from_name(s: &str) -> Self {
        match s {
            "cargo" => Ecosystem::Cargo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::Pypi,
            "golang" => Ecosystem::Golang,
            "maven" => Ecosystem::Maven,
            "generic" => Ecosystem::Generic,
            "unknown" => Ecosystem::Unknown,
            other => Ecosystem::Other(other.to_string()),
        }
    }
}

impl From<String> for Ecosystem {
    fn from(s: String) -> Self {
        Ecosystem::from_name(&s)
    }
}

impl From<&str> for Ecosystem {
    fn from(s: &str) -> Self {
        Ecosystem::from_name(s)
    }
}

impl From<Ecosystem> for String {
    fn from(e: Ecosystem) -> Self {
        e.as_str().to_string()
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Ecosystem {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Component {
    pub bom_ref: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub ecosystem: Ecosystem,
    /// Root directory of the component on disk, relative to the scan root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The license string exactly as the manifest wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_raw: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    /// SPDX expression or [`NOASSERTION`] (the default, until the resolver concludes).
    pub concluded: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    pub scope: Option<Scope>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// Copyright statements known for the component as a whole, from an SBOM read with
    /// --from (a scan keeps them on the component's files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copyrights: Vec<String>,
    /// Reasons a human should look at this component (declared vs detected disagree, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub review: Vec<String>,
    /// How the resolver read the declaration ("`Apache 2` read as `Apache-2.0`").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// In an image: the digest of the layer that last wrote the component's package
    /// database entry or manifest (see [`Image::layers`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// bom-ref of the package whose files carry this one (a C library bundled as source
    /// in a `-sys` crate, a shared library in a wheel): it is nested under that package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Whether this component's own dependencies are all known (true: every edge from it is
    /// in the graph; false: some may be missing, e.g. a Go module whose go.mod is not in
    /// the tree); None: not said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies_complete: Option<bool>,
    /// Install-time hooks the installed package declares, as `hook: command` (npm's
    /// `preinstall` / `install` / `postinstall`): code that runs on `npm install`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub install_scripts: Vec<String>,
}

impl Default for Component {
    fn default() -> Self {
        Component {
            bom_ref: String::new(),
            name: String::new(),
            version: None,
            purl: None,
            ecosystem: Ecosystem::default(),
            path: None,
            declared_raw: None,
            declared: None,
            detected: None,
            concluded: NOASSERTION.to_string(),
            evidence: Vec::new(),
            hashes: Vec::new(),
            scope: None,
            supplier: None,
            homepage: None,
            copyrights: Vec::new(),
            review: Vec::new(),
            notes: Vec::new(),
            layer: None,
            parent: None,
            dependencies_complete: None,
            install_scripts: Vec::new(),
        }
    }
}

impl Component {
    /// Merge `other`, a second sighting of the same component (the same bom-ref), into
    /// this one; the one rule every ecosystem and the resolver use:
    /// - what the component says about itself (name spelling, version, purl, declared
    ///   license, supplier, homepage): taken from `other` where `other_knows_better` (its
    ///   own installed metadata over a lockfile's copy) and `other` says it, else only
    ///   filled where this sighting says nothing;
    /// - where it is on disk: the shallower copy (`node_modules/a` over
    ///   `node_modules/b/node_modules/a`), then the first in name order;
    /// - scope: the strongest (required over optional over dev);
    /// - hashes: the union.
    pub fn merge(&mut self, other: Component, other_knows_better: bool) {
        fn take<T>(have: &mut Option<T>, new: Option<T>, better: bool) {
            if new.is_some() && (better || have.is_none()) {
                *have = new;
            }
        }
        if other_knows_better && !other.name.is_empty() {
            self.name = other.name;
        }
        take(&mut self.version, other.version, other_knows_better);
        take(&mut self.purl, other.purl, other_knows_better);
        take(
            &mut self.declared_raw,
            other.declared_raw,
            other_knows_better,
        );
        take(&mut self.supplier, other.supplier, other_knows_better);
        take(&mut self.homepage, other.homepage, other_knows_better);
        take(&mut self.layer, other.layer, other_knows_better);
        take(&mut self.parent, other.parent, other_knows_better);
        self.dependencies_complete = match (self.dependencies_complete, other.dependencies_complete)
        {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        };
        match (&self.path, other.path) {
            (Some(a), Some(b)) if path_rank(&b) < path_rank(a) => self.path = Some(b),
            (None, b) => self.path = b,
            _ => {}
        }
        self.scope = match (self.scope, other.scope) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for h in other.hashes {
            if !self.hashes.contains(&h) {
                self.hashes.push(h);
            }
        }
        for s in other.install_scripts {
            if !self.install_scripts.contains(&s) {
                self.install_scripts.push(s);
            }
        }
    }
}

/// Shallower first, then alphabetical: the copy of a package a reader finds first.
fn path_rank(p: &str) -> (usize, &str) {
    (p.matches('/').count(), p)
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub expression: String,
    pub kind: MatchKind,
    /// Relative to the scan root, or absolute for a file in a package cache outside it.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub score: f32,
    /// SHA-256 of a file outside the tree (which has no [`FileRecord`]): the key of its
    /// text in [`Scan::texts`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hash {
    /// "SHA-256", "SHA-512", "SHA-1"
    pub alg: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(path: Option<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            path,
            message: message.into(),
        }
    }
    pub fn info(path: Option<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Info,
            path,
            message: message.into(),
        }
    }
}

impl Scan {
    /// The recorded text of each file that has one, by the path a [`FileRecord`] or an
    /// [`Evidence`] names it with: what emitters quote, print and excerpt.
    pub fn texts_by_path(&self) -> HashMap<&str, &str> {
        let mut out: HashMap<&str, &str> = HashMap::new();
        let text = |sha: Option<&String>| sha.and_then(|h| self.texts.get(h)).map(String::as_str);
        for f in &self.files {
            if let Some(t) = text(f.sha256.as_ref()) {
                out.insert(f.path.as_str(), t);
            }
        }
        for e in self.components.iter().flat_map(|c| &c.evidence) {
            if let Some(t) = text(e.sha256.as_ref()) {
                out.entry(e.path.as_str()).or_insert(t);
            }
        }
        out
    }

    /// Sort everything into a deterministic order, so the same tree gives the same bytes.
    pub fn normalize(&mut self) {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        for f in &mut self.files {
            f.licenses.sort_by(|a, b| {
                (a.start_line, a.end_line, &a.expression, a.kind).cmp(&(
                    b.start_line,
                    b.end_line,
                    &b.expression,
                    b.kind,
                ))
            });
        }
        self.components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
        for c in &mut self.components {
            c.evidence.sort_by(|a, b| {
                (&a.path, a.start_line, a.end_line, &a.expression, a.kind).cmp(&(
                    &b.path,
                    b.start_line,
                    b.end_line,
                    &b.expression,
                    b.kind,
                ))
            });
        }
        self.dependencies.sort_by(|a, b| a.from.cmp(&b.from));
        for e in &mut self.dependencies {
            e.to.sort();
            e.to.dedup();
        }
        self.diagnostics.sort();
        self.diagnostics.dedup();
    }
}
