//! What an audit reports: one [`Finding`] per vulnerability of a component (every
//! record that names the same issue, merged), and the [`Audit`] of a whole Scan. The
//! policy judges findings (`policy::advisories`), the emitters render them.

pub use super::exploit::{EpssInfo, KevInfo};
pub use super::vex::VexApplied;
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
    /// What the record says about the package: a vulnerability, a malicious package (OSV
    /// `MAL-`), or a RustSec informational advisory.
    pub kind: Kind,
    /// How to get to `fixed_in`, where the ecosystem's rules say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix_hint: Option<FixHint>,
    /// The VEX statement that applies (`--vex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vex: Option<VexApplied>,
    /// Listed in CISA's KEV catalog (`--kev`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kev: Option<KevInfo>,
    /// FIRST EPSS (`--epss`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epss: Option<EpssInfo>,
}

/// What kind of advisory a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Vulnerability,
    /// OSV `MAL-` records (ossf/malicious-packages): the package itself is malware.
    Malicious,
    /// RustSec `informational = "unmaintained"`.
    Unmaintained,
    /// RustSec `informational = "unsound"`.
    Unsound,
    /// RustSec `informational = "notice"` (or another informational word).
    Notice,
    /// An npm package with preinstall / install / postinstall scripts (not an advisory).
    InstallScript,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vulnerability => "vulnerability",
            Kind::Malicious => "malicious",
            Kind::Unmaintained => "unmaintained",
            Kind::Unsound => "unsound",
            Kind::Notice => "notice",
            Kind::InstallScript => "install_script",
        }
    }
}

/// How to reach the smallest fixed version above the installed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixHint {
    /// The smallest fixed version above the installed one.
    pub version: String,
    /// Whether the ecosystem's default requirement for the installed version (Cargo's and
    /// npm's `^`) already admits it: true, an update within the lockfile; false, the
    /// manifest must change; absent, not known (PyPI has no default requirement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile_only: Option<bool>,
    /// What to run or change, in the ecosystem's words.
    pub action: String,
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
