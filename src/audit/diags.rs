//! What an audit reports: one [`Finding`] per vulnerability of a component (every
//! record that names the same issue, merged), and the [`Audit`] of a whole Scan. The
//! policy judges findings (`policy::advisories`), the emitters render them.

use super::*;

/// One vulnerability of one component: every record that names the same issue, merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub bom_ref: String,
    pub name: String,
    pub version: String,
    /// OSV's ecosystem name ("crates.io", "PyPI", ...).
    pub ecosystem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The primary id first (the ecosystem's own database, then GHSA, then CVE), then every
    /// other id and alias, sorted the same way.
    pub ids: Vec<String>,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    pub summary: String,
    /// The first fixed version above the component's version, if any is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<u32>,
    /// Every rating of every merged record.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    /// Advisory URLs the records reference.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

impl Finding {
    pub fn primary_id(&self) -> &str {
        self.ids.first().map_or("", String::as_str)
    }
}

/// The result of [`audit`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Audit {
    /// Components in the scan.
    pub components: usize,
    /// Components looked up: in a covered ecosystem and with a version.
    pub audited: usize,
    /// Sorted by component, then primary id.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
}
