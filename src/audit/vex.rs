//! VEX in: OpenVEX 0.2, CycloneDX VEX (a BOM's `vulnerabilities[].analysis`) and CSAF 2.0
//! VEX documents read into one list of [`Statement`]s, then matched against the audit's
//! findings by vulnerability id (any id or alias) and product purl (type, namespace, name;
//! the version exactly, or a `vers:` range where the format has one).
//!
//! A `not_affected` statement with a justification or an impact statement, or a `fixed`
//! one, suppresses the finding: the finding stays in every output, marked with the
//! statement, and the policy passes it with its own rule (never silently dropped). An
//! `affected` / `under_investigation` statement is shown on the finding and changes
//! nothing. A statement whose product or version matches no component is a warning.
//!
//! The documents come from outside: each read is capped ([`MAX_VEX_BYTES`]), serde_json
//! bounds the nesting depth, a document or statement that cannot be read is a warning and
//! the run goes on.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::{version, Ecosystem, Finding};
use crate::model::{Component, Diagnostic};

/// The largest VEX document read (CSAF documents of big vendors run to a few MiB).
pub const MAX_VEX_BYTES: u64 = 64 << 20;
/// At most this many statements are taken from one document.
const MAX_STATEMENTS: usize = 100_000;

/// A VEX status, in OpenVEX's words (CycloneDX and CSAF map onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Fixed,
    Affected,
    UnderInvestigation,
}

impl VexStatus {
    pub fn name(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

/// The versions of a product a statement covers.
#[derive(Debug, Clone, PartialEq)]
pub enum Versions {
    /// No version given: every version.
    Any,
    Exact(String),
    /// A `vers:` range (https://github.com/package-url/purl-spec VERSION-RANGE-SPEC).
    Range(String),
}

/// One product a statement names: a package (purl without version) and its versions.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// The purl as written, for messages.
    pub purl: String,
    pub eco: Ecosystem,
    /// Normalized as the audit compares names.
    pub name: String,
    pub versions: Versions,
}

/// One VEX statement: vulnerability ids, products, status and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The file it came from, as given.
    pub source: String,
    /// "OpenVEX", "CycloneDX" or "CSAF".
    pub format: &'static str,
    pub ids: Vec<String>,
    pub products: Vec<Product>,
    /// Products named by something other than a purl we can match (kept for the warning).
    pub unmatched_names: Vec<String>,
    pub status: VexStatus,
    pub justification: Option<String>,
    pub impact: Option<String>,
}

impl Statement {
    /// Does it suppress a finding it matches? `fixed`, or `not_affected` with a reason.
    pub fn suppresses(&self) -> bool {
        match self.status {
            VexStatus::Fixed => true,
            VexStatus::NotAffected => self.justification.is_some() || self.impact.is_some(),
            _ => false,
        }
    }
}

/// A statement as applied to one finding (what the outputs show).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VexApplied {
    pub status: VexStatus,
    /// The finding is suppressed by it.
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_statement: Option<String>,
    /// "FILE (FORMAT)".
    pub source: String,
}

/// Read VEX documents (each of any of the three formats, told apart by content).
pub fn load(paths: &[std::path::PathBuf], diags: &mut Vec<Diagnostic>) -> Vec<Statement> {
    let mut out = Vec::new();
    for p in paths {
        let shown = p.display().to_string();
        let bytes = match crate::text::read_capped(p, MAX_VEX_BYTES) {
            Ok(b) => b,
            Err(e) => {
                diags.push(Diagnostic::warning(
                    Some(shown),
                    format!("VEX document not read: {e}"),
                ));
                continue;
            }
        };
        match parse(&bytes, &shown) {
            Ok(mut s) => {
                if s.is_empty() {
                    diags.push(Diagnostic::warning(
                        Some(shown),
                        "VEX document has no statements".to_string(),
                    ));
                }
                out.append(&mut s);
            }
            Err(e) => diags.push(Diagnostic::warning(
                Some(shown),
                format!("not a VEX document: {e}"),
            )),
        }
    }
    out
}

/// One document's statements: OpenVEX (`@context` openvex.dev), CSAF (`document.category`),
/// or CycloneDX (`bomFormat`).
pub fn parse(bytes: &[u8], source: &str) -> Result<Vec<Statement>, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let ctx = v.get("@context").and_then(Value::as_str).unwrap_or("");
    let mut out = if ctx.contains("openvex") {
        openvex(&v, source)
    } else if v.pointer("/document/csaf_version").is_some() {
        csaf(&v, source)
    } else if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        cyclonedx(&v, source)
    } else {
        return Err(
            "neither OpenVEX (@context), CSAF (document.csaf_version) nor CycloneDX (bomFormat)"
                .into(),
        );
    };
    out.truncate(MAX_STATEMENTS);
    Ok(out)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A purl as a product: its version (if any) is the one version covered.
fn product_of_purl(purl: &str, versions: Option<Versions>) -> Option<Product> {
    let p = packageurl::PackageUrl::from_str(purl.trim()).ok()?;
    let eco = Ecosystem::from_model(p.ty())?;
    let name = match (eco, p.namespace()) {
        (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", p.name()),
        (Ecosystem::Npm | Ecosystem::Go, Some(ns)) => format!("{ns}/{}", p.name()),
        _ => p.name().to_string(),
    };
    let versions = versions.unwrap_or_else(|| match p.version() {
        Some(v) if !v.is_empty() => Versions::Exact(v.to_string()),
        _ => Versions::Any,
    });
    Some(Product {
        purl: purl.trim().to_string(),
        eco,
        name: eco.normalize_name(&name),
        versions,
    })
}

use std::str::FromStr as _;

fn push_product(purl: &str, versions: Option<Versions>, s: &mut Statement) {
    match product_of_purl(purl, versions) {
        Some(p) => s.products.push(p),
        None => s.unmatched_names.push(purl.to_string()),
    }
}

fn openvex(v: &Value, source: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    for st in arr(v, "statements") {
        let Some(vuln) = st.get("vulnerability") else {
            continue;
        };
        let mut ids: Vec<String> = text(vuln, "name").into_iter().collect();
        ids.extend(
            arr(vuln, "aliases")
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string),
        );
        let status = match st.get("status").and_then(Value::as_str) {
            Some("not_affected") => VexStatus::NotAffected,
            Some("fixed") => VexStatus::Fixed,
            Some("affected") => VexStatus::Affected,
            Some("under_investigation") => VexStatus::UnderInvestigation,
            _ => continue,
        };
        let mut s = Statement {
            source: source.to_string(),
            format: "OpenVEX",
            ids,
            products: Vec::new(),
            unmatched_names: Vec::new(),
            status,
            justification: text(st, "justification"),
            impact: text(st, "impact_statement").or_else(|| text(st, "action_statement")),
        };
        // The statement is about the product and each of its subcomponents: the scanned
        // components may be either (a vendor's image, or the package inside it).
        for p in arr(st, "products") {
            let mut ids: Vec<String> = Vec::new();
            ids.extend(
                p.pointer("/identifiers/purl")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            );
            ids.extend(text(p, "@id"));
            for sub in arr(p, "subcomponents") {
                ids.extend(
                    sub.pointer("/identifiers/purl")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                );
                ids.extend(text(sub, "@id"));
            }
            for id in ids {
                push_product(&id, None, &mut s);
            }
        }
        out.push(s);
    }
    out
}

fn cyclonedx(v: &Value, source: &str) -> Vec<Statement> {
    // bom-ref -> purl, for `affects[].ref` that point into this BOM.
    let mut refs: HashMap<&str, &str> = HashMap::new();
    let mut stack: Vec<&Value> = Vec::new();
    if let Some(c) = v.pointer("/metadata/component") {
        stack.push(c);
    }
    stack.extend(arr(v, "components"));
    let mut seen = 0usize;
    while let Some(c) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            break;
        }
        if let (Some(r), Some(p)) = (
            c.get("bom-ref").and_then(Value::as_str),
            c.get("purl").and_then(Value::as_str),
        ) {
            refs.insert(r, p);
        }
        stack.extend(arr(c, "components"));
    }
    let mut out = Vec::new();
    for vuln in arr(v, "vulnerabilities") {
        let Some(analysis) = vuln.get("analysis") else {
            continue;
        };
        let status = match analysis.get("state").and_then(Value::as_str) {
            Some("not_affected" | "false_positive") => VexStatus::NotAffected,
            Some("resolved" | "resolved_with_pedigree") => VexStatus::Fixed,
            Some("exploitable") => VexStatus::Affected,
            Some("in_triage") => VexStatus::UnderInvestigation,
            _ => continue,
        };
        let mut ids: Vec<String> = text(vuln, "id").into_iter().collect();
        ids.extend(arr(vuln, "references").iter().filter_map(|r| text(r, "id")));
        let mut s = Statement {
            source: source.to_string(),
            format: "CycloneDX",
            ids,
            products: Vec::new(),
            unmatched_names: Vec::new(),
            status,
            justification: text(analysis, "justification"),
            impact: text(analysis, "detail"),
        };
        for a in arr(vuln, "affects") {
            let Some(r) = a.get("ref").and_then(Value::as_str) else {
                continue;
            };
            // A ref is a bom-ref of this BOM, a purl, or `urn:cdx:...#bom-ref` into another
            // BOM (whose bom-refs, when it is ours, are purls).
            let purl = refs
                .get(r)
                .copied()
                .unwrap_or_else(|| r.rsplit_once('#').map_or(r, |(_, frag)| frag));
            let vs = arr(a, "versions");
            if vs.is_empty() {
                push_product(purl, None, &mut s);
            }
            for ver in vs {
                // Only the versions this statement's state is about.
                if ver.get("status").and_then(Value::as_str) == Some("unaffected")
                    && status == VexStatus::Affected
                {
                    continue;
                }
                let versions = if let Some(x) = text(ver, "version") {
                    Versions::Exact(x)
                } else if let Some(r) = text(ver, "range") {
                    Versions::Range(r)
                } else {
                    continue;
                };
                push_product(purl, Some(versions), &mut s);
            }
        }
        out.push(s);
    }
    out
}

/// CSAF: product ids mapped to purls through the product tree (branches, full product
/// names, relationships), `product_status` lists as statuses, `flags` labels and `threats`
/// of category impact as the justification.
fn csaf(v: &Value, source: &str) -> Vec<Statement> {
    let mut purls: HashMap<String, (String, Option<Versions>)> = HashMap::new();
    let tree = v.get("product_tree");
    let mut stack: Vec<(&Value, Option<Versions>)> = Vec::new();
    if let Some(t) = tree {
        for b in arr(t, "branches") {
            stack.push((b, None));
        }
        for f in arr(t, "full_product_names") {
            add_csaf_product(f, None, &mut purls);
        }
        for r in arr(t, "relationships") {
            // "X as a component of Y": the relationship's product is X for matching.
            if let (Some(fp), Some(of)) = (
                r.pointer("/full_product_name/product_id")
                    .and_then(Value::as_str),
                r.get("product_reference").and_then(Value::as_str),
            ) {
                if let Some(p) = purls.get(of).cloned() {
                    purls.insert(fp.to_string(), p);
                }
            }
        }
    }
    let mut seen = 0usize;
    while let Some((b, range)) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            break;
        }
        let range = if b.get("category").and_then(Value::as_str) == Some("product_version_range") {
            text(b, "name")
                .filter(|n| n.starts_with("vers:"))
                .map(Versions::Range)
        } else {
            range
        };
        if let Some(p) = b.get("product") {
            add_csaf_product(p, range.clone(), &mut purls);
        }
        for c in arr(b, "branches") {
            stack.push((c, range.clone()));
        }
    }
    let mut out = Vec::new();
    for vuln in arr(v, "vulnerabilities") {
        let mut ids: Vec<String> = text(vuln, "cve").into_iter().collect();
        ids.extend(arr(vuln, "ids").iter().filter_map(|i| text(i, "text")));
        let Some(ps) = vuln.get("product_status") else {
            continue;
        };
        for (key, status) in [
            ("known_not_affected", VexStatus::NotAffected),
            ("fixed", VexStatus::Fixed),
            ("first_fixed", VexStatus::Fixed),
            ("known_affected", VexStatus::Affected),
            ("first_affected", VexStatus::Affected),
            ("last_affected", VexStatus::Affected),
            ("under_investigation", VexStatus::UnderInvestigation),
        ] {
            for pid in arr(ps, key).iter().filter_map(Value::as_str) {
                let names = |list: &str, field: &str| -> Option<String> {
                    arr(vuln, list)
                        .iter()
                        .find(|f| {
                            arr(f, "product_ids")
                                .iter()
                                .any(|x| x.as_str() == Some(pid))
                                && (list != "threats"
                                    || f.get("category").and_then(Value::as_str) == Some("impact"))
                        })
                        .and_then(|f| text(f, field))
                };
                let mut s = Statement {
                    source: source.to_string(),
                    format: "CSAF",
                    ids: ids.clone(),
                    products: Vec::new(),
                    unmatched_names: Vec::new(),
                    status,
                    justification: names("flags", "label"),
                    impact: names("threats", "details")
                        .or_else(|| names("remediations", "details")),
                };
                match purls.get(pid) {
                    Some((purl, range)) => push_product(purl, range.clone(), &mut s),
                    None => s
                        .unmatched_names
                        .push(format!("{pid} (no purl in product_tree)")),
                }
                out.push(s);
            }
        }
    }
    out
}

fn add_csaf_product(
    p: &Value,
    range: Option<Versions>,
    purls: &mut HashMap<String, (String, Option<Versions>)>,
) {
    let (Some(id), Some(purl)) = (
        p.get("product_id").and_then(Value::as_str),
        p.pointer("/product_identification_helper/purl")
            .and_then(Value::as_str),
    ) else {
        return;
    };
    purls.insert(id.to_string(), (purl.to_string(), range));
}

/// Is `raw` (of ecosystem `eco`) inside the `vers:` range? `vers:<type>/<c>|<c>...` with
/// constraints `=`, `!=`, `<`, `<=`, `>`, `>=` (no operator: `=`), `*` for all; versions
/// compared in the component's own ecosystem order (so `vers:generic` works too).
pub fn in_range(eco: Ecosystem, raw: &str, range: &str) -> Option<bool> {
    let body = range
        .trim()
        .strip_prefix("vers:")?
        .split_once('/')?
        .1
        .trim();
    if body == "*" {
        return Some(true);
    }
    let v = version::parse(eco, raw)?;
    let mut cons: Vec<(&str, version::Key)> = Vec::new();
    for c in body
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .take(1000)
    {
        let (op, ver) = ["!=", "<=", ">=", "<", ">", "="]
            .iter()
            .find_map(|op| c.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", c));
        let k = version::parse(eco, ver.trim())?;
        if op == "!=" && k == v {
            return Some(false);
        }
        if op == "=" && k == v {
            return Some(true);
        }
        if op != "!=" && op != "=" {
            cons.push((op, k));
        }
    }
    cons.sort_by(|a, b| a.1.cmp(&b.1));
    // Pair each lower bound with the upper bound after it; a lone upper bound first and a
    // lone lower bound last are open intervals.
    let lower_ok = |op: &str, k: &version::Key| if op == ">" { v > *k } else { v >= *k };
    let upper_ok = |op: &str, k: &version::Key| if op == "<" { v < *k } else { v <= *k };
    let mut i = 0;
    while i < cons.len() {
        let (op, k) = (&cons[i].0, &cons[i].1);
        if op.starts_with('<') {
            if i == 0 && upper_ok(op, k) {
                return Some(true);
            }
            i += 1;
            continue;
        }
        match cons.get(i + 1) {
            Some((op2, k2)) if op2.starts_with('<') => {
                if lower_ok(op, k) && upper_ok(op2, k2) {
                    return Some(true);
                }
                i += 2;
            }
            _ => {
                if lower_ok(op, k) && i + 1 == cons.len() {
                    return Some(true);
                }
                i += 1;
            }
        }
    }
    Some(false)
}

/// A component as VEX products are compared with it: (ecosystem, normalized name, version).
type Ident = (Ecosystem, String, String);

/// Does `p` name the component `c` (name, then version)? None: not this package at all.
fn product_matches(p: &Product, c: &Ident) -> Option<bool> {
    let (eco, name, raw) = c;
    if *eco != p.eco || *name != p.name {
        return None;
    }
    Some(match &p.versions {
        Versions::Any => true,
        Versions::Exact(x) => {
            x == raw
                || matches!((version::parse(*eco, x), version::parse(*eco, raw)), (Some(a), Some(b)) if a == b)
        }
        Versions::Range(r) => in_range(*eco, raw, r).unwrap_or(false),
    })
}

/// Apply `statements` to `findings` (each finding takes the first matching statement,
/// suppressing ones first); warnings for statements that match no component.
pub fn apply(
    statements: &[Statement],
    components: &[Component],
    findings: &mut [Finding],
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    // Each component identified once (a purl parse), statements indexed by id: a 10,000
    // component audit with thousands of statements stays linear.
    let idents: HashMap<&str, Ident> = components
        .iter()
        .filter_map(|c| {
            let (e, n, v) = super::check::identify(c)?;
            Some((c.bom_ref.as_str(), (e, n, v.unwrap_or_default())))
        })
        .collect();
    let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, s) in statements.iter().enumerate() {
        for id in &s.ids {
            by_id.entry(id.to_ascii_uppercase()).or_default().push(i);
        }
    }
    let mut used = vec![false; statements.len()];
    for f in findings.iter_mut() {
        let Some(c) = idents.get(f.bom_ref.as_str()) else {
            continue;
        };
        let mut candidates: Vec<usize> = f
            .ids
            .iter()
            .filter_map(|id| by_id.get(&id.to_ascii_uppercase()))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<usize> = None;
        for i in candidates {
            let s = &statements[i];
            if !s
                .products
                .iter()
                .any(|p| product_matches(p, c) == Some(true))
            {
                continue;
            }
            used[i] = true;
            let better = match best {
                None => true,
                Some(b) => s.suppresses() && !statements[b].suppresses(),
            };
            if better {
                best = Some(i);
            }
        }
        if let Some(i) = best {
            let s = &statements[i];
            f.vex = Some(VexApplied {
                status: s.status,
                suppressed: s.suppresses(),
                justification: s.justification.clone(),
                impact_statement: s.impact.clone(),
                source: format!("{} ({})", s.source, s.format),
            });
        }
    }
    let names_known: std::collections::HashSet<(Ecosystem, &str)> =
        idents.values().map(|(e, n, _)| (*e, n.as_str())).collect();
    for (i, s) in statements.iter().enumerate() {
        let id = s.ids.first().cloned().unwrap_or_default();
        if s.status == VexStatus::NotAffected && s.justification.is_none() && s.impact.is_none() {
            diags.push(Diagnostic::warning(
                Some(s.source.clone()),
                format!("{} statement on {id} is not_affected without a justification or impact statement: it suppresses nothing", s.format),
            ));
        }
        if used[i] {
            continue;
        }
        let names: Vec<&str> = s
            .products
            .iter()
            .map(|p| p.purl.as_str())
            .chain(s.unmatched_names.iter().map(String::as_str))
            .collect();
        let name_hit = s
            .products
            .iter()
            .any(|p| names_known.contains(&(p.eco, p.name.as_str())));
        let why = if name_hit {
            let vuln_known = findings.iter().any(|f| {
                s.ids
                    .iter()
                    .any(|id| f.ids.iter().any(|x| x.eq_ignore_ascii_case(id)))
            });
            if vuln_known {
                "its product's version matches no component"
            } else {
                "no finding of the component has this vulnerability"
            }
        } else {
            "its product matches no component"
        };
        diags.push(Diagnostic::warning(
            Some(s.source.clone()),
            format!(
                "{} statement {} on {id} for {}: {why}; nothing suppressed",
                s.format,
                s.status.name(),
                names.join(", ")
            ),
        ));
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vers_ranges() {
        let e = Ecosystem::Maven;
        assert_eq!(
            in_range(e, "2.14.1", "vers:generic/>=2.9|<=4.1"),
            Some(true)
        );
        assert_eq!(in_range(e, "2.6", "vers:generic/>=2.9|<=4.1"), Some(false));
        assert_eq!(in_range(e, "4.2", "vers:generic/>=2.9|<=4.1"), Some(false));
        let n = Ecosystem::Npm;
        assert_eq!(in_range(n, "1.2.5", "vers:npm/<1.2.6"), Some(true));
        assert_eq!(in_range(n, "1.2.6", "vers:npm/<1.2.6"), Some(false));
        assert_eq!(
            in_range(n, "3.0.0", "vers:npm/>=1.0.0|<2.0.0|>=3.0.0"),
            Some(true)
        );
        assert_eq!(
            in_range(n, "2.5.0", "vers:npm/>=1.0.0|<2.0.0|>=3.0.0"),
            Some(false)
        );
        assert_eq!(in_range(n, "1.0.0", "vers:npm/1.0.0|2.0.0"), Some(true));
        assert_eq!(in_range(n, "1.0.0", "vers:npm/*"), Some(true));
        assert_eq!(in_range(n, "1.0.0", "not a range"), None);
    }

    #[test]
    fn hostile_documents_are_errors_not_panics() {
        for doc in [
            &b"[]"[..],
            b"{}",
            b"{\"@context\":\"https://openvex.dev/ns/v0.2.0\",\"statements\":7}",
            b"{\"bomFormat\":\"CycloneDX\",\"vulnerabilities\":[{\"analysis\":1}]}",
            b"{\"document\":{\"csaf_version\":\"2.0\"},\"vulnerabilities\":[{\"product_status\":{\"fixed\":[1]}}]}",
        ] {
            let _ = parse(doc, "x");
        }
        let deep = "[".repeat(100_000);
        assert!(parse(deep.as_bytes(), "x").is_err());
    }
}
