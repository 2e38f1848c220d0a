//! The report of `ospo check --sbom-profile P`: every missing field per component, as
//! text for a terminal, JSON (the [`Report`] itself) or SARIF 2.1.0 (one result per gap,
//! located at the SBOM file and the component). Also the one-paragraph summary
//! `ospo sbom --profile P` prints on stderr.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde_json::json;

use crate::profile::{rules, Field, Gap, Level, Report};

fn gap_line(g: &Gap) -> String {
    let mark = match (g.fails, g.level) {
        (true, _) => "missing",
        (false, Level::IfExists) => "missing (if it exists)",
        (false, Level::Required) => "stated unknown",
    };
    let mut s = format!("{mark}: {} [{}]", g.title, g.field.id());
    if let Some(u) = &g.unknown {
        let _ = write!(s, " — known unknown: {u}");
    }
    s
}

/// Names and ids from a foreign SBOM meet a terminal: control characters go.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

pub fn human(r: &Report, shown: &str) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{}: {} checked against {}",
        clean(shown),
        r.format,
        r.profile_title
    );
    for g in &r.document {
        let _ = writeln!(o, "  document: {}", clean(&gap_line(g)));
    }
    for c in &r.components {
        let _ = writeln!(o, "  {} ({})", clean(&c.name), clean(&c.id));
        for g in &c.gaps {
            let _ = writeln!(o, "    {}", clean(&gap_line(g)));
        }
    }
    let failing = r
        .components
        .iter()
        .filter(|c| c.gaps.iter().any(|g| g.fails))
        .count();
    let _ = writeln!(
        o,
        "{} of {} components have every required field; {} lack one; document: {} required fields missing; {}",
        r.complete_components,
        r.total_components,
        failing,
        r.document.iter().filter(|g| g.fails).count(),
        if r.fails() { "FAIL" } else { "ok" }
    );
    o
}

pub fn json(r: &Report) -> Result<Vec<u8>> {
    let mut v = serde_json::to_vec_pretty(r)?;
    v.push(b'\n');
    Ok(v)
}

pub fn sarif(r: &Report, shown: &str) -> Result<Vec<u8>> {
    let table = rules(r.profile);
    let rule_ids: Vec<serde_json::Value> = table
        .iter()
        .map(|rule| {
            json!({
                "id": rule.field.id(),
                "name": rule.field.id(),
                "shortDescription": { "text": rule.title },
                "defaultConfiguration": { "level": if rule.level == Level::Required { "error" } else { "warning" } },
            })
        })
        .collect();
    let index: BTreeMap<Field, usize> = table
        .iter()
        .enumerate()
        .map(|(i, rule)| (rule.field, i))
        .collect();
    let uri = shown.replace('\\', "/");
    let result = |g: &Gap, what: &str, logical: Option<(&str, &str)>| {
        let mut res = json!({
            "ruleId": g.field.id(),
            "ruleIndex": index.get(&g.field).copied().unwrap_or(0),
            "level": if g.fails { "error" } else if g.level == Level::IfExists { "warning" } else { "note" },
            "message": { "text": format!("{what}: {}", gap_line(g)) },
            "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri } } }],
        });
        if let Some((name, id)) = logical {
            res["locations"][0]["logicalLocations"] =
                json!([{ "name": name, "fullyQualifiedName": id, "kind": "module" }]);
        }
        res
    };
    let mut results = Vec::new();
    for g in &r.document {
        results.push(result(g, "the SBOM", None));
    }
    for c in &r.components {
        for g in &c.gaps {
            results.push(result(g, &c.name, Some((&c.name, &c.id))));
        }
    }
    let doc = json!({
        "$schema": "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ospo",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ospo/ospo",
                "rules": rule_ids,
            }},
            "properties": { "profile": r.profile.name(), "format": r.format },
            "results": results,
        }],
    });
    let mut v = serde_json::to_vec_pretty(&doc)?;
    v.push(b'\n');
    Ok(v)
}

/// What `ospo sbom --profile` says on stderr: the share of complete components, and per
/// missing field how many lack it and the commonest reason.
pub fn summary(r: &Report) -> String {
    let mut o = format!(
        "ospo: {}: {} of {} components have every required field ({})",
        r.profile.name(),
        r.complete_components,
        r.total_components,
        r.format
    );
    for g in r.document.iter().filter(|g| g.level == Level::Required) {
        let _ = write!(
            o,
            "\nospo:   document {}: {}",
            g.field.id(),
            g.unknown.as_deref().unwrap_or("missing")
        );
    }
    let mut by: BTreeMap<Field, BTreeMap<&str, usize>> = BTreeMap::new();
    for c in &r.components {
        for g in c.gaps.iter().filter(|g| g.level == Level::Required) {
            *by.entry(g.field)
                .or_default()
                .entry(g.unknown.as_deref().unwrap_or("not stated"))
                .or_default() += 1;
        }
    }
    for (f, reasons) in by {
        let n: usize = reasons.values().sum();
        let (top, k) = reasons
            .iter()
            .max_by_key(|(r, k)| (**k, std::cmp::Reverse(**r)))
            .unwrap();
        let _ = write!(
            o,
            "\nospo:   {} unknown for {n}: {top}{}",
            f.id(),
            if reasons.len() > 1 {
                format!(" ({k} of them; {} other reasons)", reasons.len() - 1)
            } else {
                String::new()
            }
        );
    }
    o
}
