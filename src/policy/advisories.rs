//! Advisory verdicts: each audit [`Finding`] judged by the policy's `[advisories]` table.
//! Deny at or above a severity, warn at or above another, `unrated` for findings with no
//! rating; `[[advisories.ignore]]` by any of the finding's ids, with expiry judged exactly as
//! license `[[exception]]`s are (expired: fail, expiring within 30 days: warn).
//!
//! The verdicts are what `ospo audit` prints and what `ospo check --db` adds to its
//! [`Evaluation`](super::Evaluation) as [`AdvisoryReport`].

use serde::Serialize;

use super::date::Date;
use super::eval::{expiry, Expiry};
use super::rules::{Action, AdvisoryIgnore, Policy};
use super::Status;
use crate::audit::{Finding, Kind, Severity};

/// What decided an advisory verdict: the SARIF rule id and the annotation title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisoryRule {
    /// At or above `advisories.deny`.
    AdvisoryDenied,
    /// At or above `advisories.warn`.
    AdvisoryWarned,
    /// Below both thresholds.
    AdvisoryBelowThreshold,
    /// No rating: `advisories.unrated` decided.
    AdvisoryUnrated,
    /// An `[[advisories.ignore]]` accepts it.
    AdvisoryIgnored,
    /// The `[[advisories.ignore]]` that accepted it has expired.
    AdvisoryIgnoreExpired,
    /// The `[[advisories.ignore]]` that accepts it expires within 30 days.
    AdvisoryIgnoreExpiring,
    /// A VEX statement (not_affected with a justification, or fixed) suppresses it.
    AdvisoryVexSuppressed,
    /// An OSV `MAL-` record: the package is malicious; `advisories.malicious` decided.
    AdvisoryMalicious,
    /// A RustSec informational advisory (unmaintained, unsound, notice).
    AdvisoryInformational,
    /// Listed in CISA's KEV catalog and `advisories.deny-kev = true`.
    AdvisoryKev,
    /// At or above `advisories.deny-epss-percentile`.
    AdvisoryEpss,
    /// An npm package with install scripts; `advisories.install-scripts` decided.
    AdvisoryInstallScript,
}

impl AdvisoryRule {
    pub const ALL: &'static [AdvisoryRule] = &[
        AdvisoryRule::AdvisoryDenied,
        AdvisoryRule::AdvisoryWarned,
        AdvisoryRule::AdvisoryUnrated,
        AdvisoryRule::AdvisoryIgnoreExpired,
        AdvisoryRule::AdvisoryIgnoreExpiring,
        AdvisoryRule::AdvisoryMalicious,
        AdvisoryRule::AdvisoryInformational,
        AdvisoryRule::AdvisoryKev,
        AdvisoryRule::AdvisoryEpss,
        AdvisoryRule::AdvisoryInstallScript,
    ];

    pub fn id(self) -> &'static str {
        match self {
            AdvisoryRule::AdvisoryDenied => "advisory-denied",
            AdvisoryRule::AdvisoryWarned => "advisory-warned",
            AdvisoryRule::AdvisoryBelowThreshold => "advisory-below-threshold",
            AdvisoryRule::AdvisoryUnrated => "advisory-unrated",
            AdvisoryRule::AdvisoryIgnored => "advisory-ignored",
            AdvisoryRule::AdvisoryIgnoreExpired => "advisory-ignore-expired",
            AdvisoryRule::AdvisoryIgnoreExpiring => "advisory-ignore-expiring",
            AdvisoryRule::AdvisoryVexSuppressed => "advisory-vex-suppressed",
            AdvisoryRule::AdvisoryMalicious => "advisory-malicious",
            AdvisoryRule::AdvisoryInformational => "advisory-informational",
            AdvisoryRule::AdvisoryKev => "advisory-kev",
            AdvisoryRule::AdvisoryEpss => "advisory-epss",
            AdvisoryRule::AdvisoryInstallScript => "advisory-install-script",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            AdvisoryRule::AdvisoryDenied => "vulnerability denied",
            AdvisoryRule::AdvisoryWarned => "vulnerability warned",
            AdvisoryRule::AdvisoryBelowThreshold => "vulnerability below the policy's thresholds",
            AdvisoryRule::AdvisoryUnrated => "vulnerability without a severity",
            AdvisoryRule::AdvisoryIgnored => "vulnerability ignored",
            AdvisoryRule::AdvisoryIgnoreExpired => "advisory ignore expired",
            AdvisoryRule::AdvisoryIgnoreExpiring => "advisory ignore expiring",
            AdvisoryRule::AdvisoryVexSuppressed => "vulnerability suppressed by VEX",
            AdvisoryRule::AdvisoryMalicious => "malicious package",
            AdvisoryRule::AdvisoryInformational => "informational advisory",
            AdvisoryRule::AdvisoryKev => "known exploited vulnerability",
            AdvisoryRule::AdvisoryEpss => "vulnerability likely to be exploited (EPSS)",
            AdvisoryRule::AdvisoryInstallScript => "package with install scripts",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            AdvisoryRule::AdvisoryDenied => "A component is affected by a known vulnerability at or above the policy's [advisories] deny severity.",
            AdvisoryRule::AdvisoryWarned => "A component is affected by a known vulnerability at or above the policy's [advisories] warn severity.",
            AdvisoryRule::AdvisoryBelowThreshold => "A component is affected by a known vulnerability below the policy's thresholds.",
            AdvisoryRule::AdvisoryUnrated => "A component is affected by a known vulnerability that has no severity rating; [advisories] unrated decides.",
            AdvisoryRule::AdvisoryIgnored => "An [[advisories.ignore]] entry accepts this vulnerability.",
            AdvisoryRule::AdvisoryIgnoreExpired => "An [[advisories.ignore]] entry that accepted this vulnerability has expired.",
            AdvisoryRule::AdvisoryIgnoreExpiring => "An [[advisories.ignore]] entry that accepts this vulnerability expires within 30 days.",
            AdvisoryRule::AdvisoryVexSuppressed => "A VEX statement (not_affected with a justification, or fixed) covers this component and vulnerability.",
            AdvisoryRule::AdvisoryMalicious => "An OSV MAL- record says this package is malicious; [advisories] malicious decides.",
            AdvisoryRule::AdvisoryInformational => "A RustSec informational advisory (unmaintained, unsound, notice); [advisories] unmaintained / unsound / notice decide.",
            AdvisoryRule::AdvisoryKev => "The vulnerability is in CISA's Known Exploited Vulnerabilities catalog and [advisories] deny-kev = true.",
            AdvisoryRule::AdvisoryEpss => "The vulnerability's EPSS percentile is at or above [advisories] deny-epss-percentile.",
            AdvisoryRule::AdvisoryInstallScript => "An npm package runs preinstall / install / postinstall scripts; [advisories] install-scripts decides.",
        }
    }
}

/// One finding and the policy's verdict on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryVerdict {
    #[serde(flatten)]
    pub finding: Finding,
    pub status: Status,
    pub rule_id: AdvisoryRule,
    /// The rule that decided it, as text (`advisories.deny = high (policy.toml:3)`).
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AdvisoryCounts {
    pub findings: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    /// Findings a VEX statement suppresses (counted in `pass` too).
    pub suppressed: usize,
}

/// The advisory part of `ospo check --db`: present only when a database was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryReport {
    /// The `--db` path as given.
    pub database: String,
    pub records: usize,
    pub summary: AdvisoryCounts,
    pub findings: Vec<AdvisoryVerdict>,
}

impl AdvisoryReport {
    pub fn status(&self) -> Status {
        self.findings
            .iter()
            .map(|f| f.status)
            .max()
            .unwrap_or(Status::Pass)
    }
}

/// Judge `findings` (already sorted) as of `today`. Returns the verdicts and notes about
/// the policy (an ignore that matched no finding).
pub fn judge(
    findings: &[Finding],
    policy: &Policy,
    today: Date,
) -> (Vec<AdvisoryVerdict>, AdvisoryCounts, Vec<String>) {
    let rules = &policy.advisories;
    let mut used = vec![false; rules.ignore.len()];
    let mut out = Vec::with_capacity(findings.len());
    let mut counts = AdvisoryCounts {
        findings: findings.len(),
        ..Default::default()
    };
    let table = match rules.line {
        Some(_) => policy.at(rules.line),
        None if policy.builtin => "built-in default: every known vulnerability fails".to_string(),
        None => format!(
            "{} has no [advisories]: every known vulnerability fails",
            policy.source
        ),
    };
    for f in findings {
        let ignore = rules
            .ignore
            .iter()
            .enumerate()
            .find(|(_, i)| f.ids.iter().any(|id| id.eq_ignore_ascii_case(&i.id)));
        let v = match (&f.vex, ignore) {
            (Some(x), _) if x.suppressed => {
                counts.suppressed += 1;
                AdvisoryVerdict {
                    finding: f.clone(),
                    status: Status::Pass,
                    rule_id: AdvisoryRule::AdvisoryVexSuppressed,
                    rule: vex_text(x),
                    fix: None,
                }
            }
            (_, Some((n, ig))) => {
                used[n] = true;
                ignored(f, ig, policy, today)
            }
            _ => rated(f, &table, policy),
        };
        match v.status {
            Status::Pass => counts.pass += 1,
            Status::Warn => counts.warn += 1,
            Status::Fail => counts.fail += 1,
        }
        out.push(v);
    }
    let notes = rules
        .ignore
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(i, _)| {
            format!(
                "[[advisories.ignore]] for `{}` ({}) matched no finding",
                i.id,
                policy.at(i.line)
            )
        })
        .collect();
    (out, counts, notes)
}

/// The way out of a finding: the upgrade, or (no fix known) replacing the component.
fn remedy(f: &Finding) -> String {
    match &f.fixed_in {
        Some(v) => format!("upgrade {} to {v} or later", f.name),
        None => format!("replace {} (no fixed version is known)", f.name),
    }
}

fn upgrade_fix(f: &Finding) -> String {
    match &f.fixed_in {
        Some(_) => remedy(f),
        None => format!(
            "no fixed version is known: replace {} or, if the risk is accepted, add an \
             [[advisories.ignore]] for {} with the reason",
            f.name,
            f.primary_id()
        ),
    }
}

/// How a VEX suppression reads: `VEX not_affected (component_not_present: ...) in FILE (FORMAT)`.
pub fn vex_text(x: &crate::audit::vex::VexApplied) -> String {
    let why: Vec<&str> = [x.justification.as_deref(), x.impact_statement.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if why.is_empty() {
        format!("VEX {} in {}", x.status.name(), x.source)
    } else {
        format!(
            "VEX {} ({}) in {}",
            x.status.name(),
            why.join(": "),
            x.source
        )
    }
}

fn action_status(a: Action) -> Status {
    match a {
        Action::Allow => Status::Pass,
        Action::Warn => Status::Warn,
        Action::Deny => Status::Fail,
    }
}

fn rated(f: &Finding, table: &str, policy: &Policy) -> AdvisoryVerdict {
    let rules = &policy.advisories;
    let kind_action = match f.kind {
        Kind::Vulnerability => None,
        Kind::Malicious => Some((
            "malicious",
            rules.malicious,
            AdvisoryRule::AdvisoryMalicious,
        )),
        Kind::Unmaintained => Some((
            "unmaintained",
            rules.unmaintained,
            AdvisoryRule::AdvisoryInformational,
        )),
        Kind::Unsound => Some((
            "unsound",
            rules.unsound,
            AdvisoryRule::AdvisoryInformational,
        )),
        Kind::Notice => Some(("notice", rules.notice, AdvisoryRule::AdvisoryInformational)),
        Kind::InstallScript => Some((
            "install-scripts",
            rules.install_scripts,
            AdvisoryRule::AdvisoryInstallScript,
        )),
    };
    let epss_hit = match (rules.deny_epss_percentile, &f.epss) {
        (Some(t), Some(e)) if e.percentile >= t => Some((t, e)),
        _ => None,
    };
    let (status, rule_id, rule) = if let Some((key, action, rule_id)) = kind_action {
        (
            action_status(action),
            rule_id,
            format!(
                "{}; advisories.{key} = {} ({table})",
                f.kind.name(),
                action.name()
            ),
        )
    } else if let (true, Some(k)) = (rules.deny_kev, &f.kev) {
        (
            Status::Fail,
            AdvisoryRule::AdvisoryKev,
            format!(
                "{} is in CISA KEV (added {}{}); advisories.deny-kev = true ({table})",
                k.cve,
                k.date_added,
                if k.ransomware {
                    ", known ransomware use"
                } else {
                    ""
                }
            ),
        )
    } else if let Some((t, e)) = epss_hit {
        (
            Status::Fail,
            AdvisoryRule::AdvisoryEpss,
            format!(
                "EPSS percentile {:.3} of {} >= advisories.deny-epss-percentile = {t} ({table})",
                e.percentile, e.cve
            ),
        )
    } else if f.severity == Severity::Unknown {
        let status = match rules.unrated {
            Action::Allow => Status::Pass,
            Action::Warn => Status::Warn,
            Action::Deny => Status::Fail,
        };
        (
            status,
            AdvisoryRule::AdvisoryUnrated,
            format!(
                "no severity rating; advisories.unrated = {} ({table})",
                rules.unrated.name()
            ),
        )
    } else if f.severity >= rules.deny {
        (
            Status::Fail,
            AdvisoryRule::AdvisoryDenied,
            format!(
                "{} >= advisories.deny = {} ({table})",
                f.severity.name(),
                rules.deny.name()
            ),
        )
    } else if let Some(w) = rules.warn.filter(|w| f.severity >= *w) {
        (
            Status::Warn,
            AdvisoryRule::AdvisoryWarned,
            format!(
                "{} >= advisories.warn = {} ({table})",
                f.severity.name(),
                w.name()
            ),
        )
    } else {
        (
            Status::Pass,
            AdvisoryRule::AdvisoryBelowThreshold,
            format!(
                "{} is below the policy's thresholds ({table})",
                f.severity.name()
            ),
        )
    };
    let fix = (status != Status::Pass).then(|| match f.kind {
        Kind::Malicious => format!(
            "remove {}: the package is malicious (and check the machines that installed it)",
            f.name
        ),
        Kind::InstallScript => format!(
            "review what {}'s install scripts run, or install with --ignore-scripts",
            f.name
        ),
        Kind::Unmaintained if f.fixed_in.is_none() => {
            format!("replace {} with a maintained alternative", f.name)
        }
        _ => upgrade_fix(f),
    });
    AdvisoryVerdict {
        finding: f.clone(),
        status,
        rule_id,
        rule,
        fix,
    }
}

fn ignored(f: &Finding, ig: &AdvisoryIgnore, policy: &Policy, today: Date) -> AdvisoryVerdict {
    let at = policy.at(ig.line);
    let (status, rule_id, rule, fix) = match expiry(ig.expires, today) {
        Expiry::Expired(exp) => (
            Status::Fail,
            AdvisoryRule::AdvisoryIgnoreExpired,
            format!(
                "[[advisories.ignore]] for `{}` ({at}) expired on {exp}",
                ig.id
            ),
            Some(format!(
                "review the ignore at {at}: renew it with a later `expires`, or {}",
                remedy(f)
            )),
        ),
        Expiry::Expiring(exp, left) => (
            Status::Warn,
            AdvisoryRule::AdvisoryIgnoreExpiring,
            format!(
                "[[advisories.ignore]] for `{}` ({at}) expires on {exp}, in {left} day{}",
                ig.id,
                if left == 1 { "" } else { "s" }
            ),
            Some(format!(
                "review the ignore at {at} before {exp}: renew it, or {}",
                remedy(f)
            )),
        ),
        Expiry::Valid => (
            Status::Pass,
            AdvisoryRule::AdvisoryIgnored,
            format!(
                "[[advisories.ignore]] for `{}` ({at}): {}",
                ig.id, ig.reason
            ),
            None,
        ),
    };
    AdvisoryVerdict {
        finding: f.clone(),
        status,
        rule_id,
        rule,
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, alias: &str, sev: Severity) -> Finding {
        Finding {
            bom_ref: "pkg:cargo/rsa@0.9.6".into(),
            name: "rsa".into(),
            version: "0.9.6".into(),
            ecosystem: "crates.io".into(),
            purl: None,
            ids: vec![id.into(), alias.into()],
            severity: sev,
            cvss_score: None,
            cvss_vector: None,
            summary: "s".into(),
            fixed_in: Some("0.10.0".into()),
            cwes: vec![],
            ratings: vec![],
            advisories: vec![],
            published: None,
            modified: None,
            kind: Default::default(),
            fix_hint: None,
            vex: None,
            kev: None,
            epss: None,
        }
    }

    fn policy(text: &str) -> Policy {
        Policy::parse(text, "policy.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn today() -> Date {
        Date::parse("2026-06-01").unwrap()
    }

    fn statuses(p: &Policy, fs: &[Finding]) -> Vec<(Status, AdvisoryRule)> {
        judge(fs, p, today())
            .0
            .iter()
            .map(|v| (v.status, v.rule_id))
            .collect()
    }

    #[test]
    fn thresholds() {
        let p = policy("[advisories]\ndeny = \"high\"\nwarn = \"medium\"\nunrated = \"warn\"\n");
        let fs = [
            finding("A", "CVE-1", Severity::Critical),
            finding("B", "CVE-2", Severity::High),
            finding("C", "CVE-3", Severity::Medium),
            finding("D", "CVE-4", Severity::Low),
            finding("E", "CVE-5", Severity::Unknown),
        ];
        assert_eq!(
            statuses(&p, &fs),
            vec![
                (Status::Fail, AdvisoryRule::AdvisoryDenied),
                (Status::Fail, AdvisoryRule::AdvisoryDenied),
                (Status::Warn, AdvisoryRule::AdvisoryWarned),
                (Status::Pass, AdvisoryRule::AdvisoryBelowThreshold),
                (Status::Warn, AdvisoryRule::AdvisoryUnrated),
            ]
        );
    }

    #[test]
    fn no_advisories_table_denies_everything() {
        for p in [
            policy("[licenses]\nallow = [\"MIT\"]\n"),
            Policy::builtin_default(),
        ] {
            assert_eq!(
                statuses(
                    &p,
                    &[
                        finding("A", "B", Severity::Low),
                        finding("C", "D", Severity::Unknown)
                    ]
                ),
                vec![
                    (Status::Fail, AdvisoryRule::AdvisoryDenied),
                    (Status::Fail, AdvisoryRule::AdvisoryUnrated)
                ]
            );
        }
    }

    #[test]
    fn ignores_by_any_id_with_expiry() {
        let p = policy(
            "[advisories]\ndeny = \"low\"\n\n[[advisories.ignore]]\nid = \"cve-1\"\nreason = \"not reachable\"\n\n\
             [[advisories.ignore]]\nid = \"B\"\nreason = \"r\"\nexpires = \"2026-06-10\"\n\n\
             [[advisories.ignore]]\nid = \"C\"\nreason = \"r\"\nexpires = 2026-05-31\n\n\
             [[advisories.ignore]]\nid = \"Z\"\nreason = \"r\"\n",
        );
        let fs = [
            finding("A", "CVE-1", Severity::Critical),
            finding("B", "CVE-2", Severity::High),
            finding("C", "CVE-3", Severity::High),
        ];
        let (v, counts, notes) = judge(&fs, &p, today());
        let got: Vec<_> = v.iter().map(|v| (v.status, v.rule_id)).collect();
        assert_eq!(
            got,
            vec![
                (Status::Pass, AdvisoryRule::AdvisoryIgnored),
                (Status::Warn, AdvisoryRule::AdvisoryIgnoreExpiring),
                (Status::Fail, AdvisoryRule::AdvisoryIgnoreExpired),
            ]
        );
        assert!(v[1].rule.contains("in 9 days"), "{}", v[1].rule);
        assert_eq!((counts.pass, counts.warn, counts.fail), (1, 1, 1));
        assert_eq!(
            notes,
            vec!["[[advisories.ignore]] for `Z` (policy.toml:19) matched no finding"]
        );
    }

    #[test]
    fn advisories_table_errors_have_positions() {
        let e = Policy::parse(
            "[advisories]\ndeny = \"hihg\"\n\n[[advisories.ignore]]\nid = \"X\"\nreason = \"\"\nexpires = \"soon\"\n",
            "p.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("p.toml:2:8: `hihg` in advisories.deny is not a severity"),
            "{e}"
        );
        assert!(e.contains("did you mean `high`?"), "{e}");
        assert!(e.contains("p.toml:6:10: the reason is empty"), "{e}");
        assert!(e.contains("p.toml:7:11: `soon` is not a date"), "{e}");
        let e = Policy::parse(
            "[advisories]\ndeny = \"medium\"\nwarn = \"high\"\n",
            "p.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("p.toml:3:8:"), "{e}");
        let e = Policy::parse("[advisories]\ndenny = \"high\"\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml:2:1:"), "{e}");
        let e = Policy::parse("[[advisories.ignore]]\nid = \"X\"\n", "p.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("reason"), "{e}");
    }
}
