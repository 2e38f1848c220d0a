//! SARIF 2.1.0 for `ospo check --format sarif`: one rule per kind of verdict, one result
//! per warning or violation, located on the license file (or manifest) that carries the
//! evidence. Valid against the official schema (tests/schemas/sarif-schema-2.1.0.json).

use serde_json::{json, Value};

use super::verdicts::{advisory_line, component_label, finding_label, user_path};
use crate::policy::advisories::AdvisoryRule;
use crate::policy::{Evaluation, RuleKind, Status};

/// The kinds of verdict that can be a result, in the order of `tool.driver.rules`.
const RULES: &[RuleKind] = &[
    RuleKind::Denied,
    RuleKind::Unlisted,
    RuleKind::Unknown,
    RuleKind::ExceptionExpired,
    RuleKind::ExceptionExpiring,
    RuleKind::ClarificationVoid,
];

/// Percent-encode what a URI reference cannot hold as is (spaces, '%', '#', '?', ...).
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

pub fn sarif(ev: &Evaluation, root: &str, builtin: bool) -> serde_json::Result<Vec<u8>> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|k| {
            json!({
                "id": k.id(),
                "name": k.title(),
                "shortDescription": { "text": k.title() },
                "fullDescription": { "text": k.description() },
                "defaultConfiguration": {
                    "level": if matches!(k, RuleKind::ExceptionExpiring | RuleKind::ClarificationVoid) { "warning" } else { "error" }
                }
            })
        })
        .collect();
    let mut rules = rules;
    let mut results = Vec::new();
    if let Some(adv) = &ev.advisories {
        // Advisory rules follow the license rules, so license-only output is unchanged.
        let base = rules.len();
        for k in AdvisoryRule::ALL {
            rules.push(json!({
                "id": k.id(),
                "name": k.title(),
                "shortDescription": { "text": k.title() },
                "fullDescription": { "text": k.description() },
                "defaultConfiguration": {
                    "level": if matches!(k, AdvisoryRule::AdvisoryWarned | AdvisoryRule::AdvisoryIgnoreExpiring) { "warning" } else { "error" }
                }
            }));
        }
        for v in adv.findings.iter().filter(|v| v.status != Status::Pass) {
            let f = &v.finding;
            let label = finding_label(f);
            let mut result = json!({
                "ruleId": v.rule_id.id(),
                "level": if v.status == Status::Fail { "error" } else { "warning" },
                "message": { "text": advisory_line(v) },
                "partialFingerprints": { "ospoAdvisory/v1": format!("{}|{}", f.bom_ref, f.primary_id()) },
                "locations": [{ "logicalLocations": [{ "name": label, "kind": "module" }] }],
                "properties": {
                    "component": f.bom_ref,
                    "advisory": f.primary_id(),
                    "ids": f.ids,
                    "severity": f.severity.name(),
                    "status": v.status.name(),
                }
            });
            if let Some(i) = AdvisoryRule::ALL.iter().position(|k| *k == v.rule_id) {
                result["ruleIndex"] = json!(base + i);
            }
            if let Some(sc) = f.cvss_score {
                result["properties"]["security-severity"] = json!(format!("{sc:.1}"));
            }
            if let Some(fx) = &f.fixed_in {
                result["properties"]["fixedIn"] = json!(fx);
            }
            results.push(result);
        }
    }
    let mut license_results = Vec::new();
    for v in ev.components.iter().filter(|v| v.status != Status::Pass) {
        let index = RULES.iter().position(|k| *k == v.rule_id);
        let level = if v.status == Status::Fail {
            "error"
        } else {
            "warning"
        };
        let mut text = format!("{}: {}: {}", component_label(v), v.expression, v.rule);
        if let Some(b) = v.chosen_branch.as_ref().filter(|b| **b != v.expression) {
            text.push_str(&format!(" (OR branch {b})"));
        }
        if let Some(f) = &v.fix {
            text.push_str(". Fix: ");
            text.push_str(f);
        }
        let mut result = json!({
            "ruleId": v.rule_id.id(),
            "level": level,
            "message": { "text": text },
            "partialFingerprints": { "ospoComponent/v1": format!("{}|{}", v.bom_ref, v.rule_id.id()) },
            "properties": {
                "component": v.bom_ref,
                "expression": v.expression,
                "status": v.status.name(),
            }
        });
        if let Some(i) = index {
            result["ruleIndex"] = json!(i);
        }
        let location_path = v
            .evidence
            .as_ref()
            .map(|e| (user_path(root, &e.path), e.start_line, e.end_line))
            .or_else(|| (!builtin).then(|| (ev.policy.clone(), None, None)));
        if let Some((path, start, end)) = location_path {
            let mut phys = json!({ "artifactLocation": { "uri": uri(&path) } });
            if let Some(s) = start {
                let mut region = json!({ "startLine": s });
                if let Some(e) = end.filter(|e| *e >= s) {
                    region["endLine"] = json!(e);
                }
                phys["region"] = region;
            }
            result["locations"] = json!([{
                "physicalLocation": phys,
                "logicalLocations": [{ "name": component_label(v), "kind": "module" }]
            }]);
        }
        license_results.push(result);
    }
    license_results.extend(results);
    let results = license_results;
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ospo",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "policy": ev.policy,
                "date": ev.date.to_string(),
                "components": ev.summary.components,
                "pass": ev.summary.pass,
                "warn": ev.summary.warn,
                "fail": ev.summary.fail,
            }
        }]
    });
    let mut doc = doc;
    if let Some(adv) = &ev.advisories {
        doc["runs"][0]["properties"]["advisories"] = json!({
            "database": adv.database,
            "findings": adv.summary.findings,
            "pass": adv.summary.pass,
            "warn": adv.summary.warn,
            "fail": adv.summary.fail,
        });
    }
    let mut out = serde_json::to_vec_pretty(&doc)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn uri_encoding() {
        assert_eq!(super::uri("a b/LICENSE#1"), "a%20b/LICENSE%231");
        assert_eq!(
            super::uri("node_modules/@x/y/LICENSE"),
            "node_modules/@x/y/LICENSE"
        );
    }
}
