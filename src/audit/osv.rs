//! The OSV record format (https://ossf.github.io/osv-schema/) as serde types: only the fields
//! the audit reads, every one optional or defaulted, unknown fields ignored, so records from
//! any schema version (and any database exporting OSV) load.

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    /// Set when the record was retracted: such records are skipped.
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<Specific>,
}

/// The few keys of `database_specific` / `ecosystem_specific` the audit reads; the rest is
/// skipped without being built (on 200,000 records a generic JSON value costs seconds).
/// Values are kept as JSON so that a database using another type for them still loads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Specific {
    #[serde(default)]
    pub severity: Option<serde_json::Value>,
    #[serde(default)]
    pub cwe_ids: Option<serde_json::Value>,
    /// RustSec's export: "unmaintained", "unsound", "notice" for informational advisories.
    #[serde(default)]
    pub informational: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeverityEntry {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub score: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<Package>,
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    #[serde(default)]
    pub ranges: Vec<Range>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub ecosystem_specific: Option<Specific>,
    #[serde(default)]
    pub database_specific: Option<Specific>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Package {
    #[serde(default)]
    pub ecosystem: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Range {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range; exactly one field is set in a valid record.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub url: String,
}

/// A `severity` word from a record's own fields: GitHub's `database_specific.severity`
/// ("MODERATE"), or the same key under an affected package's `ecosystem_specific` /
/// `database_specific` (some databases put it there).
pub fn severity_word(r: &Record) -> Option<String> {
    let from = |v: &Option<Specific>| {
        v.as_ref()
            .and_then(|v| v.severity.as_ref())
            .and_then(|s| s.as_str())
            .map(str::to_string)
    };
    from(&r.database_specific).or_else(|| {
        r.affected
            .iter()
            .find_map(|a| from(&a.ecosystem_specific).or_else(|| from(&a.database_specific)))
    })
}

/// CWE ids (`CWE-79` -> 79) from GitHub's `database_specific.cwe_ids`.
pub fn cwes(r: &Record) -> Vec<u32> {
    let mut out: Vec<u32> = r
        .database_specific
        .as_ref()
        .and_then(|v| v.cwe_ids.as_ref())
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str())
        .filter_map(|c| c.trim().strip_prefix("CWE-"))
        .filter_map(|n| n.parse().ok())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
