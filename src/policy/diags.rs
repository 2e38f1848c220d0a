//! What can be wrong with a policy file, said so it can be fixed: each [`PolicyIssue`]
//! has its line, column, message and fix, and [`PolicyError`] prints them as
//! `policy.toml:12:5: message` with the fix indented under it. And what a check says about
//! each component: its [`Status`], the [`RuleKind`] that decided it (with the rule's
//! explanation), the evidence, and the whole [`Evaluation`] (`ospo check --format json`).

use std::fmt;

use serde::Serialize;

use super::{advisories, Date};
use crate::model::Scope;

/// Where a finding about the policy is in the file, what is wrong, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub fix: Option<String>,
}

/// Everything wrong with a policy file (at least one issue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub issues: Vec<PolicyIssue>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, is) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if is.line == 0 {
                // Not about a place in the file (it could not be read at all).
                write!(f, "{}: {}", self.path, is.message)?;
            } else {
                write!(f, "{}:{}:{}: {}", self.path, is.line, is.col, is.message)?;
            }
            if let Some(fix) = &is.fix {
                write!(f, "\n  fix: {fix}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// Byte offset -> 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// serde / toml messages made into a message and a fix ("did you mean").
pub(crate) fn explain_toml_error(msg: &str) -> (String, Option<String>) {
    let msg = msg.trim().to_string();
    // "unknown field `alow`, expected one of `allow`, `deny`"
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let fix = match closest(field, options.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("the keys here are: {}", options.join(", ")),
            };
            return (format!("unknown key `{field}`"), Some(fix));
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((v, _)) = rest.split_once('`') {
            let fix = match closest(v, ["allow", "warn", "deny"]) {
                Some(c) => format!("did you mean `{c}`? (one of allow, warn, deny)"),
                None => "use one of allow, warn, deny".to_string(),
            };
            return (format!("`{v}` is not an action"), Some(fix));
        }
    }
    if msg.starts_with("missing field") {
        let fix = if msg.contains("reason") {
            "every [[exception]] and [[clarify]] needs `reason = \"...\"`: why it is acceptable"
        } else {
            "add the missing key"
        };
        return (msg.clone(), Some(fix.to_string()));
    }
    if msg.starts_with("invalid type") {
        let msg = msg
            .replace("expected a sequence", "expected a list, like [\"MIT\"]")
            .replace("expected a map", "expected a table");
        return (
            msg,
            Some("see the commented example policy.toml for each key's type".into()),
        );
    }
    (msg, None)
}

/// The nearest candidate by edit distance, if it is near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(&w, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

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
