//! `ospo check` output for people and CI logs: the human listing (one line per violation
//! or warning, a summary last), JSON (the [`Evaluation`] itself) and GitHub workflow
//! annotations. SARIF is in `sarif.rs`. Evaluation happens in `policy`; this only writes.

use std::fmt::Write as _;

use crate::policy::{ComponentVerdict, Evaluation, EvidenceRef, Status};

/// What a component is called in messages: its purl, else name@version.
pub fn component_label(v: &ComponentVerdict) -> String {
    match (&v.purl, &v.version) {
        (Some(p), _) => p.clone(),
        (None, Some(ver)) => format!("{}@{ver}", v.name),
        (None, None) => v.name.clone(),
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
    match &v.chosen_branch {
        Some(b) if *b != v.expression => format!("{} (chose {b})", v.expression),
        _ => v.expression.clone(),
    }
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
    if let Some(f) = &v.fix {
        let _ = write!(s, " fix: {f}");
    }
    s
}

pub fn summary_line(ev: &Evaluation, builtin: bool) -> String {
    let c = &ev.summary;
    let verdict = if c.fail > 0 { "FAILED" } else { "passed" };
    let policy = if builtin {
        "built-in default policy (no policy.toml found: permissive and public-domain allowed, \
         strong and network copyleft denied, everything else warned; `ospo init` writes a policy.toml)"
            .to_string()
    } else {
        format!("policy {}", ev.policy)
    };
    format!(
        "check {verdict}: {} component{}: {} pass, {} warn, {} fail; {policy}",
        c.components,
        if c.components == 1 { "" } else { "s" },
        c.pass,
        c.warn,
        c.fail
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
    }
    for n in &ev.notes {
        let _ = writeln!(out, "note: {n}");
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
    fn github_escaping() {
        assert_eq!(gh_data("50%\nx"), "50%25%0Ax");
        assert_eq!(gh_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn paths_from_where_check_ran() {
        assert_eq!(user_path(".", "LICENSE"), "LICENSE");
        assert_eq!(user_path("sub/", "LICENSE"), "sub/LICENSE");
        assert_eq!(user_path("/abs", "LICENSE"), "LICENSE");
    }
}
