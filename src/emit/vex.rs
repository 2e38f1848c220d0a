//! VEX out: `ospo audit --format openvex | cyclonedx-vex`. One statement per finding (per
//! component and advisory), its status from what decided the verdict:
//!
//! - suppressed by a `--vex` statement: that statement's status and justification, kept;
//! - accepted by an `[[advisories.ignore]]` that has not expired: `not_affected`, the
//!   reason as the impact statement (and as the justification when it starts with one of
//!   the CISA labels, `vulnerable_code_not_in_execute_path: ...`), the expiry in the notes;
//! - anything else (an expired ignore included): `affected`, the fix as the action.
//!
//! Deterministic: statements sorted by component and id, document ids derived from the
//! content (SHA-256 / UUID v5, never random), the timestamp from SOURCE_DATE_EPOCH.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::Stamp;
use crate::audit::vex::VexStatus;
use crate::policy::advisories::{AdvisoryRule, AdvisoryVerdict};
use crate::policy::Policy;

/// OpenVEX's (and CISA's) `not_affected` justifications.
pub const JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

/// The status a verdict is written with, and why.
struct Said {
    status: VexStatus,
    justification: Option<String>,
    impact: Option<String>,
    action: Option<String>,
    notes: Option<String>,
}

fn label_of(reason: &str) -> Option<&'static str> {
    let head = reason.split([':', ' ']).next()?.trim();
    JUSTIFICATIONS.iter().copied().find(|j| *j == head)
}

fn said(v: &AdvisoryVerdict, policy: &Policy) -> Said {
    let f = &v.finding;
    if let Some(x) = f.vex.as_ref().filter(|x| x.suppressed) {
        return Said {
            status: x.status,
            justification: x.justification.clone(),
            impact: x.impact_statement.clone(),
            action: None,
            notes: Some(format!("from {}", x.source)),
        };
    }
    if matches!(
        v.rule_id,
        AdvisoryRule::AdvisoryIgnored | AdvisoryRule::AdvisoryIgnoreExpiring
    ) {
        let ig = policy
            .advisories
            .ignore
            .iter()
            .find(|i| f.ids.iter().any(|id| id.eq_ignore_ascii_case(&i.id)));
        if let Some(ig) = ig {
            let until = ig
                .expires
                .map(|d| format!("; accepted until {d}"))
                .unwrap_or_default();
            return Said {
                status: VexStatus::NotAffected,
                justification: label_of(&ig.reason).map(str::to_string),
                impact: Some(ig.reason.clone()),
                action: None,
                notes: Some(format!(
                    "[[advisories.ignore]] at {}{until}",
                    policy.at(ig.line)
                )),
            };
        }
    }
    Said {
        status: VexStatus::Affected,
        justification: None,
        impact: None,
        action: Some(
            v.fix
                .clone()
                .or_else(|| f.fix_hint.as_ref().map(|h| h.action.clone()))
                .unwrap_or_else(|| match &f.fixed_in {
                    Some(x) => format!("upgrade {} to {x} or later", f.name),
                    None => format!("no fixed version is known: replace {} or mitigate", f.name),
                }),
        ),
        notes: Some(v.rule.clone()),
    }
}

fn sorted(verdicts: &[AdvisoryVerdict]) -> Vec<&AdvisoryVerdict> {
    let mut v: Vec<&AdvisoryVerdict> = verdicts.iter().collect();
    v.sort_by(|a, b| {
        (a.finding.primary_id(), &a.finding.bom_ref)
            .cmp(&(b.finding.primary_id(), &b.finding.bom_ref))
    });
    v
}

fn product_id(v: &AdvisoryVerdict) -> String {
    v.finding
        .purl
        .clone()
        .unwrap_or_else(|| v.finding.bom_ref.clone())
}

/// The OpenVEX 0.2 document.
pub fn openvex(verdicts: &[AdvisoryVerdict], policy: &Policy, stamp: &Stamp) -> Vec<u8> {
    let mut statements: Vec<Value> = Vec::new();
    for v in sorted(verdicts) {
        let f = &v.finding;
        let s = said(v, policy);
        let mut vuln = json!({ "name": f.primary_id() });
        if f.ids.len() > 1 {
            vuln["aliases"] = json!(f.ids[1..]);
        }
        if !f.summary.is_empty() {
            vuln["description"] = json!(f.summary);
        }
        let mut st = json!({
            "vulnerability": vuln,
            "products": [{ "@id": product_id(v) }],
            "status": s.status.name(),
        });
        // OpenVEX allows only its five labels; any other word stays in the impact statement.
        if let Some(j) = s
            .justification
            .as_deref()
            .filter(|j| JUSTIFICATIONS.contains(j))
        {
            st["justification"] = json!(j);
        }
        let mut impact = s.impact.clone();
        if let Some(j) = s
            .justification
            .as_deref()
            .filter(|j| !JUSTIFICATIONS.contains(j))
        {
            impact = Some(match impact {
                Some(i) => format!("{j}: {i}"),
                None => j.to_string(),
            });
        }
        if s.status == VexStatus::NotAffected
            && st.get("justification").is_none()
            && impact.is_none()
        {
            impact = Some("not affected (no reason given)".into());
        }
        if let Some(i) = impact {
            st["impact_statement"] = json!(i);
        }
        if let Some(a) = s.action {
            st["action_statement"] = json!(a);
        }
        if let Some(n) = s.notes {
            st["status_notes"] = json!(n);
        }
        statements.push(st);
    }
    let body = serde_json::to_vec(&statements).expect("JSON values serialize");
    let digest = hex(&Sha256::digest(&body));
    let doc = json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": format!("https://openvex.dev/docs/public/vex-{}", &digest[..32]),
        "author": "ospo",
        "role": "Document Creator",
        "timestamp": stamp.created,
        "version": 1,
        "tooling": format!("ospo {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON values serialize");
    out.push(b'\n');
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// OpenVEX justification -> CycloneDX `analysis.justification`.
fn cdx_justification(j: &str) -> Option<&'static str> {
    Some(match j {
        "component_not_present" | "vulnerable_code_not_present" | "code_not_present" => {
            "code_not_present"
        }
        "vulnerable_code_not_in_execute_path" | "code_not_reachable" => "code_not_reachable",
        "vulnerable_code_cannot_be_controlled_by_adversary" => "requires_environment",
        "inline_mitigations_already_exist" | "protected_by_mitigating_control" => {
            "protected_by_mitigating_control"
        }
        "requires_configuration" => "requires_configuration",
        "requires_dependency" => "requires_dependency",
        "requires_environment" => "requires_environment",
        "protected_by_compiler" => "protected_by_compiler",
        "protected_at_runtime" => "protected_at_runtime",
        "protected_at_perimeter" => "protected_at_perimeter",
        _ => return None,
    })
}

/// A CycloneDX 1.6 VEX document: the affected components (so every `affects.ref`
/// resolves) and one vulnerability per advisory with its analysis per component.
pub fn cyclonedx_vex(verdicts: &[AdvisoryVerdict], policy: &Policy, stamp: &Stamp) -> Vec<u8> {
    let mut vulns: Vec<Value> = Vec::new();
    let mut components: std::collections::BTreeMap<String, Value> = Default::default();
    // One vulnerability entry per (advisory, component): the analysis is per component.
    for v in sorted(verdicts) {
        let f = &v.finding;
        let s = said(v, policy);
        components.entry(f.bom_ref.clone()).or_insert_with(|| {
            let mut c = json!({ "type": "library", "bom-ref": f.bom_ref, "name": f.name, "version": f.version });
            if let Some(p) = &f.purl {
                c["purl"] = json!(p);
            }
            c
        });
        let state = match s.status {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "resolved",
            VexStatus::Affected => "exploitable",
            VexStatus::UnderInvestigation => "in_triage",
        };
        let mut analysis = json!({ "state": state });
        if let Some(j) = s.justification.as_deref().and_then(cdx_justification) {
            analysis["justification"] = json!(j);
        }
        let detail: Vec<String> = [s.impact, s.action, s.notes]
            .into_iter()
            .flatten()
            .collect();
        if !detail.is_empty() {
            analysis["detail"] = json!(detail.join("; "));
        }
        if s.status == VexStatus::Affected {
            analysis["response"] = json!(if f.fixed_in.is_some() {
                vec!["update"]
            } else {
                vec!["workaround_available"]
            });
        }
        let mut x = json!({
            "bom-ref": format!("vex:{}:{}", f.primary_id(), f.bom_ref),
            "id": f.primary_id(),
            "analysis": analysis,
            "affects": [{ "ref": f.bom_ref, "versions": [{ "version": f.version, "status": if s.status == VexStatus::Affected { "affected" } else { "unaffected" } }] }],
        });
        if !f.summary.is_empty() {
            x["description"] = json!(f.summary);
        }
        let refs: Vec<Value> = f
            .ids
            .iter()
            .skip(1)
            .map(|a| json!({ "id": a, "source": super::audit::source_of(a) }))
            .collect();
        if !refs.is_empty() {
            x["references"] = json!(refs);
        }
        x["source"] = super::audit::source_of(f.primary_id());
        vulns.push(x);
    }
    let body = serde_json::to_vec(&vulns).expect("JSON values serialize");
    let serial = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &body);
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{serial}"),
        "version": 1,
        "metadata": {
            "timestamp": stamp.created,
            "tools": { "components": [{ "type": "application", "name": "ospo", "version": env!("CARGO_PKG_VERSION") }] },
        },
        "components": components.into_values().collect::<Vec<_>>(),
        "vulnerabilities": vulns,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON values serialize");
    out.push(b'\n');
    out
}
