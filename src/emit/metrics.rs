//! `ospo metrics` output: a terminal summary, one line per metric (with `--since`, the
//! change after each number), and the JSON model ([`crate::metrics::Metrics`]).

use std::fmt::Write;

use anyhow::Result;

use crate::metrics::{Metrics, Share};

fn pct(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// ` (+2)`, ` (-0.5%)`, or nothing when there is no `--since` or no change.
fn delta(m: &Metrics, key: &str, percent: bool) -> String {
    let Some(s) = &m.since else {
        return String::new();
    };
    match s.change.get(key).copied().flatten() {
        Some(d) if d != 0.0 => {
            if percent {
                format!(" ({:+.1} pts)", d * 100.0)
            } else {
                format!(" ({:+})", d)
            }
        }
        Some(_) => " (=)".to_string(),
        None if s.change.contains_key(key) => " (n/a)".to_string(),
        None => String::new(),
    }
}

/// Whether `--since` found a change in this number (a category at 0 now is still shown
/// when it was not 0 before).
fn changed(m: &Metrics, key: &str) -> bool {
    m.since
        .as_ref()
        .and_then(|s| s.change.get(key).copied().flatten())
        .is_some_and(|d| d != 0.0)
}

fn share(m: &Metrics, name: &str, s: &Share, of: &str) -> String {
    match s.total {
        Some(t) => {
            let changes: Vec<String> = [
                delta(m, &format!("{name}.count"), false),
                delta(m, &format!("{name}.ratio"), true),
            ]
            .iter()
            .map(|d| d.trim_start_matches(" (").trim_end_matches(')').to_string())
            .filter(|d| !d.is_empty())
            .collect();
            let changes = if changes.is_empty() {
                String::new()
            } else {
                format!(" ({})", changes.join(", "))
            };
            format!("{} of {t} {of} ({}){changes}", s.count, pct(s.ratio))
        }
        None => format!(
            "n/a ({} {of} with license information; no file count in the input)",
            s.count
        ),
    }
}

/// A terminal summary: one metric per line, named as in the JSON.
pub fn human(m: &Metrics) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ospo metrics: {}", m.source);
    if let Some(s) = &m.since {
        let _ = writeln!(out, "since: {}", s.source);
    }
    out.push('\n');
    let mut line = |k: &str, v: String| {
        let _ = writeln!(out, "{k:<22} {v}");
    };
    line(
        "Components",
        format!("{}{}", m.components, delta(m, "components", false)),
    );
    line(
        "License Coverage",
        share(m, "license_coverage", &m.license_coverage, "files"),
    );
    line("Licenses Declared", declared_line(m));
    line(
        "Concluded license",
        share(m, "concluded", &m.concluded, "components"),
    );
    let ku = &m.known_unknowns;
    line(
        "Known unknowns",
        format!(
            "{}{} ({} without a license, {} with unrecognized license text)",
            ku.count,
            delta(m, "known_unknowns.count", false),
            crate::text::plural(ku.components.len(), "component", "components"),
            crate::text::plural(ku.unrecognized_files.len(), "file", "files")
        ),
    );
    line("Licenses", licenses_line(m));
    line("License categories", categories_line(m));
    let e = &m.copyleft_exposure;
    line(
        "Copyleft exposure",
        format!(
            "{}{} (weak {}, strong {}, network {})",
            e.count,
            delta(m, "copyleft_exposure.count", false),
            e.weak_copyleft.len(),
            e.strong_copyleft.len(),
            e.network_copyleft.len()
        ),
    );
    let ecos = if m.ecosystems.is_empty() {
        "none".to_string()
    } else {
        m.ecosystems
            .iter()
            .map(|(k, v)| format!("{k} {v}{}", delta(m, &format!("ecosystems.{k}"), false)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    line("Ecosystems", ecos);
    let d = &m.dependencies;
    line(
        "Dependencies",
        format!(
            "{} direct{}, {} transitive{}, {} not reached from the project{}",
            d.direct,
            delta(m, "dependencies.direct", false),
            d.transitive,
            delta(m, "dependencies.transitive", false),
            d.unreached,
            delta(m, "dependencies.unreached", false)
        ),
    );
    let p = &m.policy;
    line(
        "Policy pass rate",
        format!(
            "{}{} ({} pass, {} warn, {} fail; {})",
            pct(p.pass_rate),
            delta(m, "policy.pass_rate", true),
            p.pass,
            p.warn,
            p.fail,
            p.policy
        ),
    );
    let vulns = match &m.vulnerabilities {
        None => "n/a (no vulnerability data)".to_string(),
        Some(v) => format!(
            "{}{} ({})",
            v.total,
            delta(m, "vulnerabilities.total", false),
            v.by_severity
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    line("Open vulnerabilities", vulns);
    out
}

/// How many licenses are declared, which, and which came and went since.
fn declared_line(m: &Metrics) -> String {
    let mut declared = format!(
        "{}{}",
        m.licenses_declared.len(),
        delta(m, "licenses_declared.count", false)
    );
    if !m.licenses_declared.is_empty() {
        let _ = write!(declared, ": {}", m.licenses_declared.join(", "));
    }
    if let Some(s) = &m.since {
        for (sign, l) in [
            ("+", &s.licenses_declared_added),
            ("-", &s.licenses_declared_removed),
        ] {
            if !l.is_empty() {
                let _ = write!(declared, " [{sign}{}]", l.join(&format!(", {sign}")));
            }
        }
    }
    declared
}

/// Components per license, with licenses no component uses any more.
fn licenses_line(m: &Metrics) -> String {
    let mut licenses: Vec<String> = m
        .licenses
        .iter()
        .map(|l| {
            format!(
                "{} {}{}",
                l.id,
                l.components,
                delta(m, &format!("licenses.{}", l.id), false)
            )
        })
        .collect();
    // Licenses no component uses any more, with what they had.
    if let Some(s) = &m.since {
        for (k, _) in s.change.iter().filter(|(_, d)| d.is_some_and(|d| d < 0.0)) {
            if let Some(id) = k.strip_prefix("licenses.") {
                if !m.licenses.iter().any(|l| l.id == id) {
                    licenses.push(format!("{id} 0{}", delta(m, k, false)));
                }
            }
        }
    }
    if licenses.is_empty() {
        "none".to_string()
    } else {
        licenses.join(", ")
    }
}

fn categories_line(m: &Metrics) -> String {
    if m.categories
        .iter()
        .all(|(k, v)| *v == 0 && !changed(m, &format!("categories.{k}")))
    {
        "none".to_string()
    } else {
        m.categories
            .iter()
            .filter(|(k, v)| **v > 0 || changed(m, &format!("categories.{k}")))
            .map(|(k, v)| format!("{k} {v}{}", delta(m, &format!("categories.{k}"), false)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The JSON model, pretty-printed, with a final newline.
pub fn json(m: &Metrics) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(m)?;
    v.push(b'\n');
    Ok(v)
}
