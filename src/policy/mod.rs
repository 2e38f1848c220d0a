//! Policy: is every component's license allowed? `policy.toml` is read by [`cfg`] (with
//! file:line:col errors), the license categories live in [`category`], and [`eval`] turns a
//! Scan and a Policy into one [`ComponentVerdict`] per component. Emitters (human, JSON,
//! SARIF, GitHub annotations) live in `emit/`; nothing here prints.
//!
//! The [`Evaluation`] is also the `ospo check --format json` output (README.md documents it).

pub mod advisories;
pub mod category;
pub mod cfg;
pub mod date;
pub mod eval;
pub mod init;

use serde::Serialize;

pub use category::{category_of, Category};
pub use cfg::{Action, Policy, PolicyError};
pub use date::Date;
pub use eval::evaluate;

use crate::model::Scope;

/// A component's verdict; the order is from best to worst, so `max` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// What kind of rule decided a verdict: the SARIF rule id and the GitHub annotation title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleKind {
    /// An allow list (or an exception / clarification) let it through.
    Allowed,
    /// A deny list names the license or its category.
    Denied,
    /// Neither allowed nor denied: the `unlisted` setting decided.
    Unlisted,
    /// No usable license (NOASSERTION, an unclarified LicenseRef-, low confidence): `unknown`.
    Unknown,
    /// The `[[exception]]` that allowed it has expired.
    ExceptionExpired,
    /// The `[[exception]]` that allows it expires within 30 days.
    ExceptionExpiring,
    /// A `[[clarify]]` no longer applies: a license file it was pinned to changed.
    ClarificationVoid,
}

impl RuleKind {
    pub fn id(self) -> &'static str {
        match self {
            RuleKind::Allowed => "allowed",
            RuleKind::Denied => "denied",
            RuleKind::Unlisted => "unlisted",
            RuleKind::Unknown => "unknown",
            RuleKind::ExceptionExpired => "exception-expired",
            RuleKind::ExceptionExpiring => "exception-expiring",
            RuleKind::ClarificationVoid => "clarification-void",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            RuleKind::Allowed => "license allowed",
            RuleKind::Denied => "license denied",
            RuleKind::Unlisted => "license not in the policy",
            RuleKind::Unknown => "license unknown",
            RuleKind::ExceptionExpired => "policy exception expired",
            RuleKind::ExceptionExpiring => "policy exception expiring",
            RuleKind::ClarificationVoid => "clarification void",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            RuleKind::Allowed => "The component's license is allowed by the policy.",
            RuleKind::Denied => "The component's license, or its category, is denied by the policy.",
            RuleKind::Unlisted => "The component's license is neither allowed nor denied by the policy.",
            RuleKind::Unknown => "The component has no usable license: NOASSERTION, an unclarified LicenseRef-, or low-confidence license text.",
            RuleKind::ExceptionExpired => "A policy [[exception]] that allowed the component's license has expired.",
            RuleKind::ExceptionExpiring => "A policy [[exception]] that allows the component's license expires within 30 days.",
            RuleKind::ClarificationVoid => "A policy [[clarify]] was pinned to license files that changed, so it no longer applies.",
        }
    }
}

/// Where the license of a verdict was found: a license file's lines or the manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EvidenceRef {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
}

/// One component's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentVerdict {
    pub bom_ref: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    pub status: Status,
    /// The expression evaluated (the clarified one where a `[[clarify]]` applies).
    pub expression: String,
    /// For OR: the branch that decided the verdict, as an SPDX expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_branch: Option<String>,
    /// The kind of rule that decided it (the SARIF rule id).
    pub rule_id: RuleKind,
    /// The rule that decided it, as text (`licenses.deny: strong-copyleft`).
    pub rule: String,
    /// Everything worth telling about this component, most important first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// How to make it pass (for warn and fail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub components: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
}

/// The result of [`evaluate`]: what `ospo check --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Which policy was used: a file path, or "built-in default".
    pub policy: String,
    /// The date expiry was judged against (YYYY-MM-DD).
    pub date: Date,
    pub summary: Counts,
    /// Sorted by bom-ref.
    pub components: Vec<ComponentVerdict>,
    /// Things about the policy itself (an exception that matched no component, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Vulnerability verdicts, with `ospo check --db` only (absent otherwise, so the
    /// license-only output is unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisories: Option<advisories::AdvisoryReport>,
}

impl Evaluation {
    /// The worst status over all components and advisory findings (Pass when there are none).
    pub fn status(&self) -> Status {
        self.components
            .iter()
            .map(|c| c.status)
            .chain(self.advisories.iter().map(|a| a.status()))
            .max()
            .unwrap_or(Status::Pass)
    }
}
