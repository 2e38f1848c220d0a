//! `ospo audit` output: the human table, the JSON report (documented in README.md) and
//! the CycloneDX 1.6 `vulnerabilities` section (VEX-ready: one vulnerability per advisory,
//! `affects` pointing at the components' bom-refs, ratings, the first fixed version as the
//! recommendation, an ignore's reason as the analysis). Matching and judging happen in
//! `audit` and `policy::advisories`; this only writes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::audit::exploit::DatasetInfo;
use crate::audit::{Audit, DbStats, Finding, Kind, Severity};
use crate::model::Diagnostic;
use crate::policy::advisories::{AdvisoryCounts, AdvisoryRule, AdvisoryVerdict};
use crate::policy::{Date, Status};

/// Version of the `audit --format json` schema. Bump on incompatible changes.
pub const AUDIT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct DatabaseInfo<'a> {
    pub path: &'a str,
    #[serde(flatten)]
    pub stats: &'a DbStats,
}

#[derive(Debug, Default, Serialize)]
pub struct AuditSummary {
    pub components: usize,
    pub audited: usize,
    /// Components with at least one finding.
    pub vulnerable: usize,
    #[serde(flatten)]
    pub verdicts: AdvisoryCounts,
    /// Findings per severity; every severity is present (keys in alphabetical order).
    pub by_severity: BTreeMap<&'static str, usize>,
}

/// What `ospo audit --format json` prints.
#[derive(Debug, Serialize)]
pub struct AuditReport<'a> {
    pub format_version: u32,
    pub database: DatabaseInfo<'a>,
    /// KEV and EPSS datasets read (`--kev`, `--epss`, or the `--db` data folder), each with
    /// its own date.
    #[serde(skip_serializing_if = "<[DatasetInfo]>::is_empty")]
    pub datasets: &'a [DatasetInfo],
    /// The `--vex` documents read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vex: Vec<String>,
    /// The policy the verdicts come from: a file, or "built-in default".
    pub policy: &'a str,
    /// The day ignore expiry was judged on.
    pub date: Date,
    pub summary: AuditSummary,
    pub findings: &'a [AdvisoryVerdict],
    /// Notes about the policy (an ignore that matched nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "<[Diagnostic]>::is_empty")]
    pub diagnostics: &'a [Diagnostic],
}

const SEVERITIES: [Severity; 6] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::None,
    Severity::Unknown,
];

pub fn summary(
    audit: &Audit,
    verdicts: &[AdvisoryVerdict],
    counts: &AdvisoryCounts,
) -> AuditSummary {
    let mut by = BTreeMap::new();
    for s in SEVERITIES {
        by.insert(s.name(), 0);
    }
    for v in verdicts {
        *by.entry(v.finding.severity.name()).or_default() += 1;
    }
    let mut vulnerable: Vec<&str> = verdicts
        .iter()
        .map(|v| v.finding.bom_ref.as_str())
        .collect();
    vulnerable.dedup();
    AuditSummary {
        components: audit.components,
        audited: audit.audited,
        vulnerable: vulnerable.len(),
        verdicts: counts.clone(),
        by_severity: by,
    }
}

pub fn json(report: &AuditReport) -> serde_json::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(report)?;
    v.push(b'\n');
    Ok(v)
}

fn ids_text(f: &Finding) -> String {
    match f.ids.split_first() {
        Some((p, rest)) if !rest.is_empty() => format!("{p} ({})", rest.join(", ")),
        Some((p, _)) => p.clone(),
        None => String::new(),
    }
}

/// A table (status, component, version, advisory ids, severity, fixed in, summary), worst
/// first, then notes and one summary line.
pub fn human(report: &AuditReport) -> String {
    let mut rows: Vec<[String; 7]> = Vec::new();
    let mut order: Vec<&AdvisoryVerdict> = report.findings.iter().collect();
    order.sort_by(|a, b| fix_first(a, b));
    for v in order {
        let f = &v.finding;
        // Every cell quotes the database or the scan: control characters escaped.
        let one = |s: &str| crate::text::escape_controls(s).into_owned();
        rows.push([
            v.status.name().to_string(),
            one(&f.name),
            one(&f.version),
            one(&ids_text(f)),
            severity_cell(f),
            one(f.fixed_in.as_deref().unwrap_or("-")),
            one(&f.summary),
        ]);
    }
    let mut out = String::new();
    if !rows.is_empty() {
        let head = [
            "STATUS",
            "COMPONENT",
            "VERSION",
            "ADVISORY",
            "SEVERITY",
            "FIXED IN",
            "SUMMARY",
        ];
        let mut width = head.map(|h| h.chars().count());
        for r in &rows {
            for (w, c) in width.iter_mut().zip(r.iter()) {
                *w = (*w).max(c.chars().count()).min(super::MAX_COLUMN);
            }
        }
        let line = |cells: [&str; 7]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i == 6 {
                    s.push_str(c);
                } else {
                    let _ = write!(s, "{c:<w$}  ", w = width[i]);
                }
            }
            s.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(head));
        for r in &rows {
            let cells = [
                r[0].as_str(),
                r[1].as_str(),
                r[2].as_str(),
                r[3].as_str(),
                r[4].as_str(),
                r[5].as_str(),
                r[6].as_str(),
            ];
            let _ = writeln!(out, "{}", line(cells));
        }
        // The reasons the policy gave, for the findings that are not plain passes.
        let mut said = false;
        for v in report.findings.iter().filter(|v| {
            v.status != Status::Pass
                || matches!(
                    v.rule_id,
                    AdvisoryRule::AdvisoryIgnored | AdvisoryRule::AdvisoryVexSuppressed
                )
        }) {
            if !said {
                out.push('\n');
                said = true;
            }
            let mut line = format!(
                "{}: {} {}: {}",
                v.status.name(),
                v.finding.bom_ref,
                v.finding.primary_id(),
                v.rule
            );
            if let Some(fx) = &v.fix {
                let _ = write!(line, " fix: {fx}");
            }
            out.push_str(&crate::text::escape_controls(&line));
            out.push('\n');
        }
        // How to reach the fix, for what is not passed.
        for v in report.findings.iter().filter(|v| v.status != Status::Pass) {
            if let Some(h) = &v.finding.fix_hint {
                let line = format!(
                    "hint: {} {} -> {}: {} ({})",
                    v.finding.bom_ref,
                    v.finding.primary_id(),
                    h.version,
                    h.action,
                    lockfile_words(h.lockfile_only)
                );
                out.push_str(&crate::text::escape_controls(&line));
                out.push('\n');
            }
        }
        out.push('\n');
    }
    for n in &report.notes {
        let _ = writeln!(out, "note: {}", crate::text::escape_controls(n));
    }
    for d in report.datasets {
        let _ = writeln!(out, "{}", crate::text::escape_controls(&dataset_line(d)));
    }
    if report.summary.verdicts.suppressed > 0 {
        let _ = writeln!(
            out,
            "VEX: {} finding{} suppressed by {} (shown above as pass)",
            report.summary.verdicts.suppressed,
            if report.summary.verdicts.suppressed == 1 {
                ""
            } else {
                "s"
            },
            crate::text::escape_controls(&report.vex.join(", "))
        );
    }
    let s = &report.summary;
    let verdict = if s.verdicts.fail > 0 {
        "FAILED"
    } else {
        "passed"
    };
    let db = format!(
        "database {} ({} record{})",
        report.database.path,
        report.database.stats.records,
        if report.database.stats.records == 1 {
            ""
        } else {
            "s"
        }
    );
    if s.verdicts.findings == 0 {
        let _ = writeln!(
            out,
            "audit {verdict}: no known vulnerabilities in {} audited component{} (of {}); {db}; policy {}",
            s.audited,
            if s.audited == 1 { "" } else { "s" },
            s.components,
            report.policy
        );
    } else {
        let sev: Vec<String> = SEVERITIES
            .iter()
            .filter_map(|x| {
                let n = s.by_severity.get(x.name()).copied().unwrap_or(0);
                (n > 0).then(|| format!("{n} {}", x.name()))
            })
            .collect();
        let _ = writeln!(
            out,
            "audit {verdict}: {} finding{} ({}) in {} of {} audited components: {} fail, {} warn, {} pass; {db}; policy {}",
            s.verdicts.findings,
            if s.verdicts.findings == 1 { "" } else { "s" },
            sev.join(", "),
            s.vulnerable,
            s.audited,
            s.verdicts.fail,
            s.verdicts.warn,
            s.verdicts.pass,
            report.policy
        );
    }
    out
}

/// What to fix first: failures, then KEV-listed, then by EPSS percentile, then by
/// severity (worst first), then by component and id.
fn fix_first(a: &AdvisoryVerdict, b: &AdvisoryVerdict) -> std::cmp::Ordering {
    let pct = |v: &AdvisoryVerdict| v.finding.epss.as_ref().map_or(-1.0, |e| e.percentile);
    b.status
        .cmp(&a.status)
        .then_with(|| b.finding.kev.is_some().cmp(&a.finding.kev.is_some()))
        .then_with(|| pct(b).total_cmp(&pct(a)))
        .then_with(|| b.finding.severity.cmp(&a.finding.severity))
        .then_with(|| a.finding.bom_ref.cmp(&b.finding.bom_ref))
        .then_with(|| a.finding.primary_id().cmp(b.finding.primary_id()))
}

/// The severity, with the kind when it is not a vulnerability and KEV / EPSS when known.
fn severity_cell(f: &Finding) -> String {
    let mut s = match f.kind {
        Kind::Vulnerability => super::verdicts::severity_text(f),
        k => k.name().to_string(),
    };
    if let Some(k) = &f.kev {
        s.push_str(if k.ransomware {
            " KEV(ransomware)"
        } else {
            " KEV"
        });
    }
    if let Some(e) = &f.epss {
        let _ = write!(s, " EPSS {} (percentile {})", e.score, e.percentile);
    }
    if let Some(v) = &f.vex {
        let _ = write!(s, " VEX {}", v.status.name());
    }
    s
}

fn lockfile_words(l: Option<bool>) -> &'static str {
    match l {
        Some(true) => "an update within the lockfile",
        Some(false) => "the manifest must change",
        None => "whether the manifest must change is not known",
    }
}

fn dataset_line(d: &DatasetInfo) -> String {
    format!(
        "dataset {}: {} CVEs{}{}{}",
        d.path,
        d.entries,
        d.date
            .as_deref()
            .map(|x| format!(", dated {x}"))
            .unwrap_or_else(|| ", no date".into()),
        d.version
            .as_deref()
            .map(|x| format!(", version {x}"))
            .unwrap_or_default(),
        if d.skipped > 0 {
            format!(", {} unreadable rows skipped", d.skipped)
        } else {
            String::new()
        }
    )
}

/// `--vex-preview`: what the statements suppress, one line each, then a count.
pub fn vex_preview(verdicts: &[AdvisoryVerdict], statements: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for v in verdicts
        .iter()
        .filter(|v| v.rule_id == AdvisoryRule::AdvisoryVexSuppressed)
    {
        n += 1;
        let line = format!(
            "suppress {} {}: {}",
            v.finding.bom_ref,
            v.finding.primary_id(),
            v.rule
        );
        out.push_str(&crate::text::escape_controls(&line));
        out.push('\n');
    }
    for v in verdicts
        .iter()
        .filter(|v| v.finding.vex.as_ref().is_some_and(|x| !x.suppressed))
    {
        let x = v.finding.vex.as_ref().expect("filtered");
        let line = format!(
            "keep {} {}: VEX {} in {} does not suppress",
            v.finding.bom_ref,
            v.finding.primary_id(),
            x.status.name(),
            x.source
        );
        out.push_str(&crate::text::escape_controls(&line));
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "VEX preview: {statements} statement{} would suppress {n} of {} finding{}",
        if statements == 1 { "" } else { "s" },
        verdicts.len(),
        if verdicts.len() == 1 { "" } else { "s" }
    );
    out
}

/// A Markdown cell: control characters escaped, `|` and backticks and angle brackets made
/// inert, so a package name cannot break the table or inject HTML.
fn md(s: &str) -> String {
    let s = crate::text::escape_controls(s);
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => o.push_str("\\|"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '\\' => {
                o.push('\\');
                o.push(c);
            }
            _ => o.push(c),
        }
    }
    o
}

/// `--format markdown`: a table in fix-first order, then the hints, datasets and summary.
pub fn markdown(report: &AuditReport) -> String {
    let mut out = String::from("## ospo audit\n\n");
    let mut order: Vec<&AdvisoryVerdict> = report.findings.iter().collect();
    order.sort_by(|a, b| fix_first(a, b));
    if !order.is_empty() {
        out.push_str("| Status | Component | Version | Advisory | Severity | Fixed in | Fix |\n|---|---|---|---|---|---|---|\n");
        for v in &order {
            let f = &v.finding;
            let fix = match (&f.fix_hint, v.status) {
                (Some(h), s) if s != Status::Pass => {
                    format!("{} ({})", h.action, lockfile_words(h.lockfile_only))
                }
                _ => v.rule.clone(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                v.status.name(),
                md(&f.name),
                md(&f.version),
                md(&ids_text(f)),
                md(&severity_cell(f)),
                md(f.fixed_in.as_deref().unwrap_or("-")),
                md(&fix)
            );
        }
        out.push('\n');
    }
    for d in report.datasets {
        let _ = writeln!(out, "- {}", md(&dataset_line(d)));
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "- {} finding{} in {} of {} audited components: {} fail, {} warn, {} pass ({} suppressed by VEX); policy {}",
        s.verdicts.findings,
        if s.verdicts.findings == 1 { "" } else { "s" },
        s.vulnerable,
        s.audited,
        s.verdicts.fail,
        s.verdicts.warn,
        s.verdicts.pass,
        s.verdicts.suppressed,
        md(report.policy)
    );
    out
}

/// Where an id comes from, for CycloneDX `source` / `references`.
pub(crate) fn source_of(id: &str) -> Value {
    let (name, url) = if id.starts_with("GHSA-") {
        ("GitHub", format!("https://github.com/advisories/{id}"))
    } else if id.starts_with("CVE-") {
        ("NVD", format!("https://nvd.nist.gov/vuln/detail/{id}"))
    } else if id.starts_with("RUSTSEC-") {
        (
            "RustSec",
            format!("https://rustsec.org/advisories/{id}.html"),
        )
    } else {
        ("OSV", format!("https://osv.dev/vulnerability/{id}"))
    };
    json!({ "name": name, "url": url })
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Unknown => "unknown",
        other => other.name(),
    }
}

/// The CycloneDX 1.6 `vulnerabilities`: one per advisory (its primary id), affecting every
/// component it was found in, sorted by id.
pub fn cyclonedx_vulnerabilities(verdicts: &[AdvisoryVerdict]) -> Vec<Value> {
    let mut by_id: BTreeMap<&str, Vec<&AdvisoryVerdict>> = BTreeMap::new();
    for v in verdicts {
        by_id.entry(v.finding.primary_id()).or_default().push(v);
    }
    by_id
        .into_iter()
        .map(|(id, vs)| {
            let f = &vs[0].finding;
            let mut ratings: Vec<Value> = f
                .ratings
                .iter()
                .map(|r| {
                    let mut o = json!({
                        "source": source_of(&r.source),
                        "severity": severity_word(r.severity),
                        "method": r.method,
                    });
                    if let Some(sc) = r.score {
                        o["score"] = json!(sc);
                    }
                    if let Some(vec) = &r.vector {
                        o["vector"] = json!(vec);
                    }
                    o
                })
                .collect();
            if ratings.is_empty() {
                ratings.push(json!({ "severity": "unknown", "method": "other" }));
            }
            let mut v = json!({
                "bom-ref": format!("vulnerability:{id}"),
                "id": id,
                "source": source_of(id),
                "ratings": ratings,
                "description": f.summary,
            });
            let refs: Vec<Value> = f
                .ids
                .iter()
                .skip(1)
                .map(|a| json!({ "id": a, "source": source_of(a) }))
                .collect();
            if !refs.is_empty() {
                v["references"] = json!(refs);
            }
            if !f.cwes.is_empty() {
                v["cwes"] = json!(f.cwes);
            }
            // The fix for every affected version: the lowest first fixed version over them.
            let mut fixed: Vec<&str> = vs.iter().filter_map(|v| v.finding.fixed_in.as_deref()).collect();
            fixed.sort_unstable();
            fixed.dedup();
            if fixed.len() == 1 {
                v["recommendation"] = json!(format!("Upgrade to {}", fixed[0]));
            } else if !fixed.is_empty() {
                v["recommendation"] = json!(format!("Upgrade to a fixed version: {}", fixed.join(", ")));
            }
            if !f.advisories.is_empty() {
                v["advisories"] = json!(f.advisories.iter().map(|u| json!({ "url": u })).collect::<Vec<_>>());
            }
            if let Some(p) = &f.published {
                v["published"] = json!(p);
            }
            if let Some(m) = &f.modified {
                v["updated"] = json!(m);
            }
            let mut affects: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for x in &vs {
                affects
                    .entry(x.finding.bom_ref.as_str())
                    .or_default()
                    .push(x.finding.version.as_str());
            }
            v["affects"] = json!(affects
                .into_iter()
                .map(|(r, vers)| json!({
                    "ref": r,
                    "versions": vers.into_iter().map(|x| json!({ "version": x, "status": "affected" })).collect::<Vec<_>>()
                }))
                .collect::<Vec<_>>());
            // An accepted risk is recorded as the analysis, for VEX consumers.
            let ignored: Vec<&&AdvisoryVerdict> = vs
                .iter()
                .filter(|x| matches!(x.rule_id, AdvisoryRule::AdvisoryIgnored | AdvisoryRule::AdvisoryIgnoreExpiring))
                .collect();
            if let Some(x) = ignored.first() {
                v["analysis"] = json!({ "detail": x.rule });
            }
            v
        })
        .collect()
}
