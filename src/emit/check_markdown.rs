//! `ospo check --format markdown`: the verdicts as GitHub-flavoured Markdown, for a
//! pull-request comment or `$GITHUB_STEP_SUMMARY`: a heading with the verdict, the counts,
//! one table of violations and warnings (with the fix for each), advisories, notes.
//! Everything quoted from input is escaped so it can neither break the table nor inject
//! HTML (the same escaping as `diff --format markdown`).

use std::fmt::Write as _;

use super::diff::md_escape;
use super::verdicts::{component_label, evidence_text, finding_label, severity_text, summary_line};
use crate::policy::{Evaluation, Status};

fn status_cell(s: Status) -> &'static str {
    match s {
        Status::Fail => "❌ fail",
        Status::Warn => "⚠️ warn",
        Status::Pass => "✅ pass",
    }
}

pub fn markdown(ev: &Evaluation, root: &str, builtin: bool) -> String {
    let mut out = String::new();
    let failed = ev.status() == Status::Fail;
    let _ = writeln!(
        out,
        "## ospo check: {}\n",
        if failed { "failed" } else { "passed" }
    );
    let _ = writeln!(out, "{}\n", md_escape(&summary_line(ev, builtin)));
    let listed: Vec<_> = [Status::Fail, Status::Warn]
        .into_iter()
        .flat_map(|s| ev.components.iter().filter(move |v| v.status == s))
        .collect();
    if listed.is_empty() {
        out.push_str("No license violations or warnings.\n");
    } else {
        out.push_str("| Status | Component | License | Rule | Evidence | Fix |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for v in listed {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                status_cell(v.status),
                md_escape(&component_label(v)),
                md_escape(&v.expression),
                md_escape(&v.rule),
                v.evidence
                    .as_ref()
                    .map(|e| md_escape(&evidence_text(root, e)))
                    .unwrap_or_default(),
                v.fix.as_deref().map(md_escape).unwrap_or_default(),
            );
        }
    }
    if let Some(a) = &ev.advisories {
        let shown: Vec<_> = [Status::Fail, Status::Warn]
            .into_iter()
            .flat_map(|s| a.findings.iter().filter(move |f| f.status == s))
            .collect();
        if !shown.is_empty() {
            out.push_str(
                "\n### Advisories\n\n| Status | Component | Advisory | Severity | Summary | Rule | Fix |\n\
                 |---|---|---|---|---|---|---|\n",
            );
            for v in shown {
                let f = &v.finding;
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    status_cell(v.status),
                    md_escape(&finding_label(f)),
                    md_escape(&f.ids.join(" / ")),
                    md_escape(&severity_text(f)),
                    md_escape(&f.summary),
                    md_escape(&v.rule),
                    v.fix.as_deref().map(md_escape).unwrap_or_default(),
                );
            }
        }
    }
    if !ev.notes.is_empty() {
        out.push_str("\n### Notes\n\n");
        for n in &ev.notes {
            let _ = writeln!(out, "- {}", md_escape(n));
        }
    }
    out
}
