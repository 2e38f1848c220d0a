//! `ospo check` output for people and CI logs: the human listing (one line per violation
//! or warning, a summary last), JSON (the [`Evaluation`] itself) and GitHub workflow
//! annotations. SARIF is in `sarif.rs`. Evaluation happens in `policy`; this only writes.

use std::fmt::Write as _;

use crate::audit::Finding;
use crate::policy::advisories::AdvisoryVerdict;
use crate::policy::{ComponentVerdict, Evaluation, EvidenceRef, Status};

/// What a component is called in messages: its purl, else name@version.
pub fn component_label(v: &ComponentVerdict) -> String {
    match (&v.purl, &v.version) {
        (Some(p), _) => p.clone(),
        // An empty version is no version: `name`, never `name@`.
        (None, Some(ver)) if !ver.is_empty() => format!("{}@{ver}", v.name),
        (None, _) => v.name.clone(),
    }
}

/// A path from the scan as the user sees it from where `ospo check` ran: evidence paths
/// are relative to the scanned root, so a relative root is put in front.
pub fn user_path(root: &str, path: &str) -> String {
    let root = root.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    if path.is_empty() || path == "." {
        return if root.is_empty() {
            ".".into()
        } else {
            root.to_string()
        };
    }
    if root.is_empty() || root == "." || root.starts_with('/') || path.starts_with('/') {
        path.to_string()
    } else {
        format!("{root}/{path}")
    }
}

pub fn evidence_text(root: &str, e: &EvidenceRef) -> String {
    let p = user_path(root, &e.path);
    match (e.start_line, e.end_line) {
        (Some(s), Some(t)) if t > s => format!("{p}:{s}-{t}"),
        (Some(s), _) => format!("{p}:{s}"),
        _ => p,
    }
}

/// The expression as evaluated, with the OR branch chosen when it is not the whole.
fn expression_text(v: &ComponentVerdict) -> String {
    let e = short_expression(&v.expression);
    match &v.chosen_branch {
        Some(b) if *b != v.expression => format!("{e} (chose {})", short_expression(b)),
        _ => e,
    }
}

/// Longest expression a verdict line shows whole; `--format json` always has it whole.
const MAX_EXPRESSION_SHOWN: usize = 80;

/// An expression as a line shows it: whole up to [`MAX_EXPRESSION_SHOWN`] characters, else
/// cut at a space with how many licenses it names (the rule that decided names the one
/// that matters), so one component with a long expression does not make a 600-character
/// line.
fn short_expression(e: &str) -> String {
    if e.chars().count() <= MAX_EXPRESSION_SHOWN {
        return e.to_string();
    }
    let head: String = e.chars().take(MAX_EXPRESSION_SHOWN - 10).collect();
    let cut = head.rfind(' ').map_or(head.as_str(), |i| &head[..i]);
    let cut = cut
        .trim_end_matches(" AND")
        .trim_end_matches(" OR")
        .trim_end_matches(" WITH");
    format!(
        "{cut} ... ({} licenses)",
        crate::expression::license_ids(e).len()
    )
}

/// One line for a warning or a violation: component, expression, rule, evidence, fix.
pub fn verdict_line(root: &str, v: &ComponentVerdict) -> String {
    let mut s = format!(
        "{}: {}: {}: {}",
        v.status.name(),
        component_label(v),
        expression_text(v),
        v.rule
    );
    for m in v
        .messages
        .iter()
        .filter(|m| m.contains("no longer applies"))
    {
        let _ = write!(s, "; {m}");
    }
    if let Some(e) = &v.evidence {
        let _ = write!(s, " [{}]", evidence_text(root, e));
    }
    // Names and paths come from input: a newline in one must not start a line of ours.
    let mut s = crate::text::escape_controls(&s).into_owned();
    if let Some(f) = &v.fix {
        // On a line of its own: the verdict stays readable, the fix is easy to find.
        let _ = write!(s, "\n  fix: {}", crate::text::escape_controls(f));
    }
    s
}

/// One line for an advisory warning or violation: component, ids, severity, summary,
/// rule, fix.
pub fn advisory_line(v: &AdvisoryVerdict) -> String {
    let f = &v.finding;
    let mut s = format!(
        "{}: {}: {}: {}",
        v.status.name(),
        finding_label(f),
        f.ids.join(" / "),
        severity_text(f)
    );
    if !f.summary.is_empty() {
        let _ = write!(s, ": {}", f.summary);
    }
    let _ = write!(s, ": {}", v.rule);
    if let Some(fix) = &v.fix {
        let _ = write!(s, " fix: {fix}");
    }
    crate::text::escape_controls(&s).into_owned()
}

/// "high 7.4", "medium", "unknown".
pub fn severity_text(f: &Finding) -> String {
    match f.cvss_score {
        Some(sc) => format!("{} {sc:.1}", f.severity.name()),
        None => f.severity.name().to_string(),
    }
}

/// What a finding's component is called: its purl, else name@version.
pub fn finding_label(f: &Finding) -> String {
    match &f.purl {
        Some(p) => p.clone(),
        None if f.version.is_empty() => f.name.clone(),
        None => format!("{}@{}", f.name, f.version),
    }
}

/// "; advisories (osv/): 3 findings: 1 pass, 1 warn, 1 fail", only with --db.
fn advisory_summary(ev: &Evaluation) -> String {
    match &ev.advisories {
        None => String::new(),
        Some(a) => format!(
            "; advisories ({}): {} finding{}: {} pass, {} warn, {} fail",
            a.database,
            a.summary.findings,
            if a.summary.findings == 1 { "" } else { "s" },
            a.summary.pass,
            a.summary.warn,
            a.summary.fail
        ),
    }
}

pub fn summary_line(ev: &Evaluation, builtin: bool) -> String {
    let c = &ev.summary;
    let adv_fail = ev.advisories.as_ref().is_some_and(|a| a.summary.fail > 0);
    let verdict = if c.fail > 0 || adv_fail {
        "FAILED"
    } else {
        "passed"
    };
    let policy = if builtin {
        "built-in default policy (no policy.toml found: permissive and public-domain allowed, \
         strong and network copyleft denied, everything else warned; `ospo init` writes a policy.toml)"
            .to_string()
    } else {
        format!("policy {}", ev.policy)
    };
    format!(
        "check {verdict}: {} component{}: {} pass, {} warn, {} fail{}; {policy}",
        c.components,
        if c.components == 1 { "" } else { "s" },
        c.pass,
        c.warn,
        c.fail,
        advisory_summary(ev)
    )
}

/// Violations first, then warnings (each sorted by component), notes, the summary.
pub fn human(ev: &Evaluation, root: &str, builtin: bool) -> String {
    let mut out = String::new();
    for status in [Status::Fail, Status::Warn] {
        for v in ev.components.iter().filter(|v| v.status == status) {
            out.push_str(&verdict_line(root, v));
            out.push('\n');
        }
        for v in ev.advisories.iter().flat_map(|a| &a.findings) {
            if v.status == status {
                out.push_str(&advisory_line(v));
                out.push('\n');
            }
        }
    }
    for n in &ev.notes {
        let _ = writeln!(out, "note: {}", crate::text::escape_controls(n));
    }
    out.push_str(&summary_line(ev, builtin));
    out.push('\n');
    out
}

pub fn json(ev: &Evaluation) -> serde_json::Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(ev)?;
    v.push(b'\n');
    Ok(v)
}

/// GitHub workflow commands (`::error file=...,line=...::message`), one per warning or
/// violation, then the summary as a notice.
pub fn github(ev: &Evaluation, root: &str, builtin: bool) -> String {
    let mut out = String::new();
    for status in [Status::Fail, Status::Warn] {
        for v in ev.components.iter().filter(|v| v.status == status) {
            let cmd = if status == Status::Fail {
                "error"
            } else {
                "warning"
            };
            let mut props = Vec::new();
            if let Some(e) = &v.evidence {
                props.push(format!("file={}", gh_property(&user_path(root, &e.path))));
                if let Some(l) = e.start_line {
                    props.push(format!("line={l}"));
                }
                if let Some(l) = e.end_line {
                    props.push(format!("endLine={l}"));
                }
            }
            props.push(format!(
                "title={}",
                gh_property(&format!("ospo: {}", v.rule_id.title()))
            ));
            let mut msg = format!("{}: {}: {}", component_label(v), expression_text(v), v.rule);
            if let Some(f) = &v.fix {
                msg.push_str("\nfix: ");
                msg.push_str(f);
            }
            let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), gh_data(&msg));
        }
        for v in ev.advisories.iter().flat_map(|a| &a.findings) {
            if v.status != status {
                continue;
            }
            let cmd = if status == Status::Fail {
                "error"
            } else {
                "warning"
            };
            let mut msg = advisory_line(v);
            if let Some(f) = &v.fix {
                // The fix goes on its own line, as for license verdicts.
                if let Some(cut) = msg.rfind(" fix: ") {
                    msg.truncate(cut);
                }
                msg.push_str("\nfix: ");
                msg.push_str(f);
            }
            let _ = writeln!(
                out,
                "::{cmd} title={}::{}",
                gh_property(&format!("ospo: {}", v.rule_id.title())),
                gh_data(&msg)
            );
        }
    }
    for n in &ev.notes {
        let _ = writeln!(out, "::notice title=ospo check::{}", gh_data(n));
    }
    let _ = writeln!(
        out,
        "::notice title=ospo check::{}",
        gh_data(&summary_line(ev, builtin))
    );
    out
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_expressions_are_shortened_with_their_license_count() {
        assert_eq!(short_expression("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
        let long = "(ISC AND (Apache-2.0 OR ISC) AND OpenSSL) AND BSD-3-Clause AND GPL-2.0-only \
                    AND LicenseRef-scancode-public-domain AND MIT AND OpenSSL-standalone";
        let s = short_expression(long);
        assert!(s.len() <= MAX_EXPRESSION_SHOWN + 20, "{s}");
        assert!(s.ends_with(" ... (8 licenses)"), "{s}");
        assert!(long.starts_with(s.split(" ...").next().unwrap()));
    }

    #[test]
    fn github_escaping() {
        assert_eq!(gh_data("50%\nx"), "50%25%0Ax");
        assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn an_empty_version_is_left_out_of_a_label() {
        let mut v = ComponentVerdict {
            bom_ref: "x".into(),
            name: "vendored".into(),
            version: Some(String::new()),
            purl: None,
            scope: None,
            status: Status::Warn,
            expression: "MIT".into(),
            chosen_branch: None,
            rule_id: crate::policy::RuleKind::Unlisted,
            rule: "r".into(),
            messages: vec![],
            fix: None,
            evidence: None,
        };
        assert_eq!(component_label(&v), "vendored");
        v.version = Some("1.0".into());
        assert_eq!(component_label(&v), "vendored@1.0");
    }

    #[test]
    fn paths_from_where_check_ran() {
        assert_eq!(user_path(".", "LICENSE"), "LICENSE");
        assert_eq!(user_path("sub/", "LICENSE"), "sub/LICENSE");
        assert_eq!(user_path("/abs", "LICENSE"), "LICENSE");
    }
}
