//! The data model every stage reads and writes: the Scan and its parts.
//!
//! `ospo scan --format json` prints a [`Scan`]; it is a public format (documented in
//! README.md), so field names here are a contract. Everything is plain data with serde;
//! ordering is made deterministic by [`Scan::normalize`] before anything is emitted.

use serde::{Deserialize, Serialize};

/// Version of the `scan --format json` schema. Bump on incompatible changes.
pub const SCAN_FORMAT_VERSION: u32 = 1;

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
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    pub name: String,
    pub version: String,
    /// SPDX license list version the license database was built from.
    pub license_list_version: String,
}

impl Tool {
    pub fn current() -> Self {
        Tool {
            name: "ospo".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            license_list_version: crate::licensedb::LICENSE_LIST_VERSION.into(),
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Component {
    pub bom_ref: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub ecosystem: String,
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
    /// SPDX expression or "NOASSERTION".
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
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub expression: String,
    pub kind: MatchKind,
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub score: f32,
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
