//! `ospo diff` output: a terminal listing, the JSON model ([`crate::diff::Diff`]), and
//! Markdown for a pull-request comment (a summary table, then one collapsible section per
//! kind of change). Takes the finished Diff; writes bytes.

use std::fmt::Write;

use anyhow::Result;

use crate::diff::{ComponentEntry, Diff, VersionChange, Violation};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn name_version(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) if !v.is_empty() => format!("{name} {v}"),
        _ => name.to_string(),
    }
}

/// The counts line both the terminal and the Markdown forms end or start with.
pub fn counts_line(d: &Diff) -> String {
    let s = &d.summary;
    let mut parts = vec![
        format!("{} added", s.added),
        format!("{} removed", s.removed),
        format!("{} upgraded", s.upgraded),
        format!("{} downgraded", s.downgraded),
        plural(s.license_changes, "license change", "license changes"),
        plural(s.new_violations, "new violation", "new violations"),
    ];
    if s.resolved_violations > 0 {
        parts.push(plural(
            s.resolved_violations,
            "resolved violation",
            "resolved violations",
        ));
    }
    if let Some(n) = s.new_vulnerabilities {
        parts.push(plural(n, "new vulnerability", "new vulnerabilities"));
    }
    parts.join(", ")
}

/// One section per kind of change that has entries, and a counts line last.
pub fn human(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "ospo diff: {} ({}) -> {} ({})",
        d.old.source,
        plural(d.old.components, "component", "components"),
        d.new.source,
        plural(d.new.components, "component", "components")
    );
    if let Some(p) = &d.policy {
        let _ = writeln!(out, "policy: {p}");
    }
    let entry = |e: &ComponentEntry| {
        let scope = e
            .scope
            .as_deref()
            .map_or(String::new(), |s| format!(" [{s}]"));
        format!(
            "{}  {}{scope}",
            name_version(&e.name, e.version.as_deref()),
            e.license
        )
    };
    let change = |c: &VersionChange| format!("{} {} -> {}", c.name, c.old_version, c.new_version);
    let violation = |v: &Violation| {
        format!(
            "{}: {}; {}",
            name_version(&v.name, v.version.as_deref()),
            v.license,
            v.rule
        )
    };
    let mut section = |title: &str, mark: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{title} ({})", lines.len());
        for l in lines {
            // Names and licenses come from input: a newline in one must not start a line.
            let _ = writeln!(out, "  {mark} {}", crate::text::escape_controls(&l));
        }
    };
    section("Added", "+", d.added.iter().map(entry).collect());
    section("Removed", "-", d.removed.iter().map(entry).collect());
    section("Upgraded", "^", d.upgraded.iter().map(change).collect());
    section("Downgraded", "v", d.downgraded.iter().map(change).collect());
    section(
        "License changes",
        "~",
        d.license_changes
            .iter()
            .map(|l| {
                format!(
                    "{}: {} -> {}",
                    name_version(&l.name, l.new_version.as_deref()),
                    l.old_license,
                    l.new_license
                )
            })
            .collect(),
    );
    section(
        "New violations",
        "!",
        d.new_violations.iter().map(violation).collect(),
    );
    section(
        "Resolved violations",
        "*",
        d.resolved_violations.iter().map(violation).collect(),
    );
    if let Some(vs) = &d.new_vulnerabilities {
        section(
            "New vulnerabilities",
            "!",
            vs.iter()
                .map(|v| {
                    format!(
                        "{}: {} ({})",
                        name_version(&v.name, v.version.as_deref()),
                        v.advisory,
                        v.severity
                    )
                })
                .collect(),
        );
    }
    if d.is_empty() {
        out.push_str("\nNo changes.\n");
    }
    if !d.instance_changes.is_empty() {
        // Not a change of the product: one side lists a package once per place it is
        // installed.
        let _ = writeln!(
            out,
            "\nListed a different number of times ({}; the same package, not a change)",
            d.instance_changes.len()
        );
        for i in &d.instance_changes {
            let _ = writeln!(
                out,
                "  = {}: {} -> {}",
                name_version(&i.name, i.version.as_deref()),
                i.old_instances,
                i.new_instances
            );
        }
    }
    let _ = writeln!(out, "\n{}", counts_line(d));
    out
}

/// The JSON model, pretty-printed, with a final newline.
pub fn json(d: &Diff) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(d)?;
    v.push(b'\n');
    Ok(v)
}

/// Text safe inside a GitHub-flavoured Markdown table cell: the characters that would end
/// the cell, open HTML, or start inline markup are escaped; line breaks become spaces.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '\\' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, title: &str, open: bool, head: &[&str], rows: Vec<Vec<String>>) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details{}><summary>{title} ({})</summary>\n",
        if open { " open" } else { "" },
        rows.len()
    );
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", head.iter().map(|_| "---|").collect::<String>());
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| md_escape(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push_str("\n</details>\n\n");
}

/// Markdown for a pull-request comment.
pub fn markdown(d: &Diff) -> String {
    let mut out = String::new();
    let s = &d.summary;
    let _ = writeln!(out, "### ospo diff\n");
    let _ = writeln!(
        out,
        "{} ({}) → {} ({}){}\n",
        md_escape(&d.old.source),
        plural(d.old.components, "component", "components"),
        md_escape(&d.new.source),
        plural(d.new.components, "component", "components"),
        d.policy
            .as_deref()
            .map_or(String::new(), |p| format!(", policy: {}", md_escape(p)))
    );
    if s.new_violations > 0 {
        let _ = writeln!(
            out,
            "**{}.**\n",
            plural(
                s.new_violations,
                "new policy violation",
                "new policy violations"
            )
        );
    }
    if d.is_empty() {
        out.push_str("No changes.\n\n");
    }
    out.push_str("| Change | Count |\n|---|---:|\n");
    let mut rows = vec![
        ("Added", s.added),
        ("Removed", s.removed),
        ("Upgraded", s.upgraded),
        ("Downgraded", s.downgraded),
        ("License changes", s.license_changes),
        ("New policy violations", s.new_violations),
        ("Resolved policy violations", s.resolved_violations),
    ];
    if let Some(n) = s.new_vulnerabilities {
        rows.push(("New vulnerabilities", n));
    }
    for (k, n) in rows {
        let _ = writeln!(out, "| {k} | {n} |");
    }
    out.push('\n');
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let entry_rows = |es: &[ComponentEntry]| {
        es.iter()
            .map(|e| {
                vec![
                    e.name.clone(),
                    opt(&e.version),
                    e.license.clone(),
                    opt(&e.scope),
                ]
            })
            .collect::<Vec<_>>()
    };
    let change_rows = |cs: &[VersionChange]| {
        cs.iter()
            .map(|c| vec![c.name.clone(), c.old_version.clone(), c.new_version.clone()])
            .collect::<Vec<_>>()
    };
    let violation_rows = |vs: &[Violation]| {
        vs.iter()
            .map(|v| {
                vec![
                    v.name.clone(),
                    opt(&v.version),
                    v.license.clone(),
                    v.rule.clone(),
                ]
            })
            .collect::<Vec<_>>()
    };
    table(
        &mut out,
        "New policy violations",
        true,
        &["Component", "Version", "License", "Rule"],
        violation_rows(&d.new_violations),
    );
    if let Some(vs) = &d.new_vulnerabilities {
        table(
            &mut out,
            "New vulnerabilities",
            true,
            &["Component", "Version", "Advisory", "Severity"],
            vs.iter()
                .map(|v| {
                    vec![
                        v.name.clone(),
                        opt(&v.version),
                        v.advisory.clone(),
                        v.severity.clone(),
                    ]
                })
                .collect(),
        );
    }
    table(
        &mut out,
        "License changes",
        true,
        &["Component", "Version", "Old license", "New license"],
        d.license_changes
            .iter()
            .map(|l| {
                vec![
                    l.name.clone(),
                    opt(&l.new_version),
                    l.old_license.clone(),
                    l.new_license.clone(),
                ]
            })
            .collect(),
    );
    let head = ["Component", "Version", "License", "Scope"];
    table(&mut out, "Added", false, &head, entry_rows(&d.added));
    table(&mut out, "Removed", false, &head, entry_rows(&d.removed));
    let vhead = ["Component", "Old version", "New version"];
    table(
        &mut out,
        "Upgraded",
        false,
        &vhead,
        change_rows(&d.upgraded),
    );
    table(
        &mut out,
        "Downgraded",
        false,
        &vhead,
        change_rows(&d.downgraded),
    );
    table(
        &mut out,
        "Resolved policy violations",
        false,
        &["Component", "Version", "License", "Rule"],
        violation_rows(&d.resolved_violations),
    );
    let _ = writeln!(out, "<sub>{}</sub>", md_escape(&counts_line(d)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_breaks_a_table() {
        assert_eq!(md_escape("a|b"), "a\\|b");
        assert_eq!(md_escape("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(md_escape("`rm -rf`"), "\\`rm -rf\\`");
        assert_eq!(md_escape("a\nb"), "a b");
        assert_eq!(md_escape("@scope/name"), "@scope/name");
        assert_eq!(md_escape("[x](javascript:1)"), "\\[x\\](javascript:1)");
    }

    /// The vulnerability sections appear only with vulnerability data, in every form.
    #[test]
    fn vulnerabilities_rendered_when_given() {
        use crate::diff::{diff, DiffInputs, VulnInput};
        use crate::model::{Component, Scan};
        let c = |v: &str| Component {
            bom_ref: format!("pkg:cargo/smallvec@{v}"),
            name: "smallvec".into(),
            version: Some(v.into()),
            purl: Some(format!("pkg:cargo/smallvec@{v}")),
            ecosystem: "cargo".into(),
            concluded: "MIT OR Apache-2.0".into(),
            ..Default::default()
        };
        let old = Scan {
            components: vec![c("1.6.0")],
            ..Default::default()
        };
        let new = Scan {
            components: vec![c("1.6.1")],
            ..Default::default()
        };
        let vulns = [VulnInput {
            bom_ref: "pkg:cargo/smallvec@1.6.1".into(),
            id: "RUSTSEC-2021-0003".into(),
            severity: "critical".into(),
        }];
        let without = diff(&old, &new, &DiffInputs::default());
        assert!(!human(&without).contains("vulnerabilit"));
        assert!(!markdown(&without).contains("vulnerabilit"));
        let with = diff(
            &old,
            &new,
            &DiffInputs {
                old_vulns: Some(&[]),
                new_vulns: Some(&vulns),
                ..Default::default()
            },
        );
        let h = human(&with);
        assert!(
            h.contains("New vulnerabilities (1)\n  ! smallvec 1.6.1: RUSTSEC-2021-0003 (critical)"),
            "{h}"
        );
        assert!(
            h.ends_with("0 new violations, 1 new vulnerability\n"),
            "{h}"
        );
        let md = markdown(&with);
        assert!(md.contains("| New vulnerabilities | 1 |"), "{md}");
        assert!(
            md.contains("| smallvec | 1.6.1 | RUSTSEC-2021-0003 | critical |"),
            "{md}"
        );
        let j: serde_json::Value = serde_json::from_slice(&json(&with).unwrap()).unwrap();
        assert_eq!(j["summary"]["new_vulnerabilities"], 1);
        assert_eq!(j["new_vulnerabilities"][0]["advisory"], "RUSTSEC-2021-0003");
    }
}
