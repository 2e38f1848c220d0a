//! `ospo diff`: what changed between two Scans (two releases, a branch and its base).
//!
//! Components are matched across the two documents by their identity without version (the
//! purl's type/namespace/name, else ecosystem + name), so an upgrade is one change, not a
//! removal and an addition, and two documents of different formats (a saved scan and an
//! SBOM of the same tree) compare equal. Versions are ordered by [`compare_versions`];
//! licenses are compared as normalized expressions by [`canonical_expression`], so
//! `MIT OR Apache-2.0` and `Apache-2.0 OR MIT` are the same license. Policy verdicts
//! and vulnerabilities are inputs computed by the caller; nothing here reads files or prints.
//! The [`Diff`] is also the `ospo diff --format json` output (README.md documents it).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use serde::Serialize;

use crate::model::{Component, Scan};
use crate::policy::{Evaluation, Status};

/// Version of the `diff --format json` schema. Bump on incompatible changes.
pub const DIFF_FORMAT_VERSION: u32 = 1;

/// One known vulnerability of one component: what an audit gives the diff and the metrics.
/// `bom_ref` names the component in the Scan it was found in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VulnInput {
    pub bom_ref: String,
    /// The advisory id (OSV id, CVE, GHSA, RUSTSEC ...).
    pub id: String,
    /// "critical", "high", "medium", "low" or "unknown".
    pub severity: String,
}

/// What the diff knows besides the two Scans.
#[derive(Debug, Clone, Default)]
pub struct DiffInputs<'a> {
    /// Shown as `old.source` / `new.source`: the paths as given.
    pub old_source: String,
    pub new_source: String,
    /// The policy verdicts of each side (the same policy), for new violations.
    pub old_eval: Option<&'a Evaluation>,
    pub new_eval: Option<&'a Evaluation>,
    /// Vulnerabilities of each side; `None` for both when no database was given.
    pub old_vulns: Option<&'a [VulnInput]>,
    pub new_vulns: Option<&'a [VulnInput]>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub source: String,
    pub components: usize,
}

/// A component present on one side only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ComponentEntry {
    /// The identity the two sides are matched by (`pkg:npm/chalk`, or `ecosystem:name`).
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub ecosystem: String,
    pub license: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A component on both sides whose version changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct VersionChange {
    pub id: String,
    pub name: String,
    pub ecosystem: String,
    pub old_version: String,
    pub new_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// A component on both sides whose concluded license changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LicenseChange {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_version: Option<String>,
    pub old_license: String,
    pub new_license: String,
    /// License ids in the new expression that the old one did not name.
    pub added_licenses: Vec<String>,
    /// License ids in the old expression that the new one does not name.
    pub removed_licenses: Vec<String>,
}

/// A component failing the policy on one side whose identity did not fail on the other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Violation {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub license: String,
    /// The rule that decided it (`licenses.deny: strong-copyleft`).
    pub rule: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// An advisory affecting a NEW component that no OLD component of the same identity had.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct NewVulnerability {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub advisory: String,
    pub severity: String,
}

/// One version of one component listed a different number of times on the two sides: an
/// SBOM with one entry per install location (cyclonedx-npm lists `debug@2.6.9` once per
/// `node_modules` folder that holds it) against one with one entry per package. Not an
/// addition or a removal: reported apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InstanceChange {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub old_instances: usize,
    pub new_instances: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiffSummary {
    pub added: usize,
    pub removed: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub license_changes: usize,
    pub new_violations: usize,
    pub resolved_violations: usize,
    /// Absent when no vulnerability data was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_vulnerabilities: Option<usize>,
}

/// The differences between OLD and NEW; every list sorted by `id`, then version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    pub diff_version: u32,
    pub old: Side,
    pub new: Side,
    /// The policy both sides were evaluated against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub summary: DiffSummary,
    pub added: Vec<ComponentEntry>,
    pub removed: Vec<ComponentEntry>,
    pub upgraded: Vec<VersionChange>,
    pub downgraded: Vec<VersionChange>,
    pub license_changes: Vec<LicenseChange>,
    pub new_violations: Vec<Violation>,
    /// Failing in OLD, no longer in NEW: the good news, shown but never a failure.
    pub resolved_violations: Vec<Violation>,
    /// Absent when no vulnerability data was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_vulnerabilities: Option<Vec<NewVulnerability>>,
    /// The same component and version listed a different number of times (omitted when
    /// none): the same purl on both sides is no change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instance_changes: Vec<InstanceChange>,
}

impl Diff {
    /// True when nothing at all changed between the two sides.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.upgraded.is_empty()
            && self.downgraded.is_empty()
            && self.license_changes.is_empty()
            && self.new_violations.is_empty()
            && self.resolved_violations.is_empty()
            && self
                .new_vulnerabilities
                .as_ref()
                .is_none_or(|v| v.is_empty())
    }
}

/// The identity a component is matched by across documents: its purl without version,
/// qualifiers and subpath (`pkg:npm/%40scope/name` and `pkg:npm/@scope/name` are the same),
/// else `ecosystem:name`. Lower-cased where the ecosystem's names are case-insensitive.
pub fn identity(c: &Component) -> String {
    if let Some(purl) = c
        .purl
        .as_deref()
        .and_then(|p| packageurl::PackageUrl::from_str(p).ok())
    {
        let ty = purl.ty().to_ascii_lowercase();
        let fold = |s: &str| {
            // npm and PyPI names are case-insensitive; PyPI also treats -, _ and . alike.
            match ty.as_str() {
                "pypi" => crate::ecosystem::python::normalize_name(s),
                "npm" | "cargo" | "golang" | "github" => s.to_ascii_lowercase(),
                _ => s.to_string(),
            }
        };
        return match purl.namespace() {
            Some(ns) if !ns.is_empty() => format!("pkg:{ty}/{}/{}", fold(ns), fold(purl.name())),
            _ => format!("pkg:{ty}/{}", fold(purl.name())),
        };
    }
    format!("{}:{}", c.ecosystem.as_str().to_ascii_lowercase(), c.name)
}

/// Order two versions of one package. Where both parse as semver (a leading `v` allowed,
/// as Go writes them) semver decides, pre-releases and Go pseudo-versions included.
/// Otherwise both are split into runs of digits and of letters and compared run by run:
/// numbers as numbers, words alphabetically, a number after a word (`1.0.1` > `1.0a`);
/// where one version is a prefix of the other, a further number makes it later (`1.0.1` >
/// `1.0`) and a further word earlier (`1.0rc1` < `1.0`), except post-release words
/// (`post`, `sp`, `patch`, `pl`, `r`, `rev`), which make it later. Separators (`.`, `-`,
/// `_`, `+`) only split runs. Equal when every run is equal (`1.0` == `1.0.0` is not:
/// the trailing `.0` is a further number, so `1.0.0` > `1.0`).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let sv = |s: &str| semver::Version::parse(s.strip_prefix('v').unwrap_or(s)).ok();
    if let (Some(x), Some(y)) = (sv(a), sv(b)) {
        return x.cmp(&y);
    }
    let (ta, tb) = (tokens(a), tokens(b));
    for (x, y) in ta.iter().zip(&tb) {
        let o = match (x, y) {
            (Tok::Num(x), Tok::Num(y)) => cmp_digits(x, y),
            (Tok::Word(x), Tok::Word(y)) => x.cmp(y),
            (Tok::Num(_), Tok::Word(_)) => Ordering::Greater,
            (Tok::Word(_), Tok::Num(_)) => Ordering::Less,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let tail = |rest: &[Tok]| match rest.first() {
        None => Ordering::Equal,
        Some(Tok::Num(_)) => Ordering::Greater,
        Some(Tok::Word(w)) if is_post_release(w) => Ordering::Greater,
        Some(Tok::Word(_)) => Ordering::Less,
    };
    match ta.len().cmp(&tb.len()) {
        Ordering::Equal => Ordering::Equal,
        Ordering::Greater => tail(&ta[tb.len()..]),
        Ordering::Less => tail(&tb[ta.len()..]).reverse(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Tok {
    Num(String),
    Word(String),
}

fn tokens(v: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut digits = false;
    let flush = |cur: &mut String, digits: bool, out: &mut Vec<Tok>| {
        if !cur.is_empty() {
            let s = std::mem::take(cur);
            out.push(if digits { Tok::Num(s) } else { Tok::Word(s) });
        }
    };
    for ch in v.chars() {
        if ch.is_ascii_digit() {
            if !digits {
                flush(&mut cur, digits, &mut out);
            }
            digits = true;
            cur.push(ch);
        } else if ch.is_alphanumeric() {
            if digits {
                flush(&mut cur, digits, &mut out);
            }
            digits = false;
            cur.extend(ch.to_lowercase());
        } else {
            flush(&mut cur, digits, &mut out);
        }
    }
    flush(&mut cur, digits, &mut out);
    out
}

/// Numbers of any length, compared without overflow: strip leading zeros, then by length.
fn cmp_digits(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn is_post_release(w: &str) -> bool {
    matches!(w, "post" | "sp" | "patch" | "pl" | "r" | "rev")
}

/// An SPDX expression in a canonical form: ids as the spdx crate reads them (lax, so
/// `mit` and `Apache-2.0+` read too), each AND / OR flattened and its terms sorted and
/// deduplicated. Two expressions name the same licenses the same way iff their canonical
/// forms are equal. What does not parse is kept as written, trimmed.
pub fn canonical_expression(expr: &str) -> String {
    use spdx::expression::{ExprNode, Operator};
    let expr = expr.trim();
    let Ok(parsed) = spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) else {
        return expr.to_string();
    };
    enum T {
        Leaf(String),
        Op(Operator, Vec<T>),
    }
    fn render(t: &T, top: bool) -> String {
        match t {
            T::Leaf(s) => s.clone(),
            T::Op(op, kids) => {
                let mut parts: Vec<String> = kids.iter().map(|k| render(k, false)).collect();
                parts.sort();
                parts.dedup();
                if parts.len() == 1 {
                    return parts.pop().unwrap_or_default();
                }
                let sep = match op {
                    Operator::And => " AND ",
                    Operator::Or => " OR ",
                };
                let s = parts.join(sep);
                if top {
                    s
                } else {
                    format!("({s})")
                }
            }
        }
    }
    let mut stack: Vec<T> = Vec::new();
    for node in parsed.iter() {
        match node {
            ExprNode::Req(r) => stack.push(T::Leaf(r.req.to_string())),
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    return expr.to_string();
                };
                let mut kids = Vec::new();
                for t in [a, b] {
                    match t {
                        T::Op(o, k) if o == *op => kids.extend(k),
                        t => kids.push(t),
                    }
                }
                stack.push(T::Op(*op, kids));
            }
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(t), true) => render(&t, true),
        _ => expr.to_string(),
    }
}

/// License and exception ids of an expression, for saying what a license change added
/// and removed. NOASSERTION / NONE name no license.
fn ids(expr: &str) -> BTreeSet<String> {
    crate::expression::license_ids(expr)
        .into_iter()
        .filter(|i| !crate::model::is_unknown_license(i))
        .collect()
}

fn entry(c: &Component, id: &str) -> ComponentEntry {
    ComponentEntry {
        id: id.to_string(),
        name: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.clone(),
        ecosystem: c.ecosystem.to_string(),
        license: c.concluded.clone(),
        scope: c.scope.map(|s| {
            match s {
                crate::model::Scope::Required => "required",
                crate::model::Scope::Optional => "optional",
                crate::model::Scope::Dev => "dev",
            }
            .to_string()
        }),
    }
}

/// Components by identity; within one identity sorted by version, then bom-ref, one per
/// version (the first by bom-ref), with how many entries the document has of it.
type ByIdentity<'a> = BTreeMap<String, Vec<(&'a Component, usize)>>;

fn by_identity(scan: &Scan) -> ByIdentity<'_> {
    let mut m: BTreeMap<String, Vec<&Component>> = BTreeMap::new();
    for c in &scan.components {
        m.entry(identity(c)).or_default().push(c);
    }
    let v = |c: &Component| c.version.clone().unwrap_or_default();
    m.into_iter()
        .map(|(id, mut cs)| {
            cs.sort_by(|a, b| {
                compare_versions(&v(a), &v(b)).then_with(|| a.bom_ref.cmp(&b.bom_ref))
            });
            let mut one: Vec<(&Component, usize)> = Vec::new();
            for c in cs {
                match one.last_mut() {
                    Some((k, n)) if v(k) == v(c) => *n += 1,
                    _ => one.push((c, 1)),
                }
            }
            (id, one)
        })
        .collect()
}

/// Pair the versions of one identity on the two sides: equal versions with each other
/// first, then what is left in version order (the lowest old with the lowest new, ...);
/// the rest are added or removed. One version on each side is the common case: a plain
/// upgrade or downgrade.
fn pair<'a>(
    old: &[&'a Component],
    new: &[&'a Component],
) -> (
    Vec<(&'a Component, &'a Component)>,
    Vec<&'a Component>,
    Vec<&'a Component>,
) {
    let v = |c: &Component| c.version.clone().unwrap_or_default();
    let mut pairs = Vec::new();
    let mut new_left: Vec<&Component> = new.to_vec();
    let mut old_left: Vec<&Component> = Vec::new();
    for o in old {
        match new_left
            .iter()
            .position(|n| compare_versions(&v(o), &v(n)) == Ordering::Equal)
        {
            Some(i) => pairs.push((*o, new_left.remove(i))),
            None => old_left.push(o),
        }
    }
    let k = old_left.len().min(new_left.len());
    for i in 0..k {
        pairs.push((old_left[i], new_left[i]));
    }
    (pairs, old_left[k..].to_vec(), new_left[k..].to_vec())
}

/// Failing components of an evaluation, by identity of the component in `scan`.
fn failing<'a>(
    scan: &Scan,
    ev: &'a Evaluation,
) -> BTreeMap<String, Vec<&'a crate::policy::ComponentVerdict>> {
    let ids: BTreeMap<&str, String> = scan
        .components
        .iter()
        .map(|c| (c.bom_ref.as_str(), identity(c)))
        .collect();
    let mut m: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for v in ev.components.iter().filter(|v| v.status == Status::Fail) {
        let id = ids
            .get(v.bom_ref.as_str())
            .cloned()
            .unwrap_or_else(|| v.bom_ref.clone());
        m.entry(id).or_default().push(v);
    }
    m
}

fn violations(
    this: &BTreeMap<String, Vec<&crate::policy::ComponentVerdict>>,
    other: &BTreeMap<String, Vec<&crate::policy::ComponentVerdict>>,
) -> Vec<Violation> {
    let mut out: Vec<Violation> = this
        .iter()
        .filter(|(id, _)| !other.contains_key(*id))
        .flat_map(|(id, vs)| {
            vs.iter().map(move |v| Violation {
                id: id.clone(),
                name: v.name.clone(),
                version: v.version.clone(),
                license: v.expression.clone(),
                rule: v.rule.clone(),
                message: v.messages.first().cloned().unwrap_or_default(),
            })
        })
        .collect();
    out.sort();
    out
}

/// Compare OLD with NEW.
pub fn diff(old: &Scan, new: &Scan, inputs: &DiffInputs) -> Diff {
    let (o, n) = (by_identity(old), by_identity(new));
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut upgraded = Vec::new();
    let mut downgraded = Vec::new();
    let mut license_changes = Vec::new();
    let mut instance_changes = Vec::new();
    let keys: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    for key in keys {
        let empty = Vec::new();
        let (ovc, nvc) = (o.get(key).unwrap_or(&empty), n.get(key).unwrap_or(&empty));
        let (ov, nv): (Vec<&Component>, Vec<&Component>) = (
            ovc.iter().map(|(c, _)| *c).collect(),
            nvc.iter().map(|(c, _)| *c).collect(),
        );
        for (oc, on) in ovc {
            if let Some((_, nn)) = nvc.iter().find(|(nc, _)| nc.version == oc.version) {
                if on != nn {
                    instance_changes.push(InstanceChange {
                        id: key.clone(),
                        name: oc.name.clone(),
                        version: oc.version.clone(),
                        old_instances: *on,
                        new_instances: *nn,
                    });
                }
            }
        }
        let (pairs, gone, came) = pair(&ov, &nv);
        removed.extend(gone.iter().map(|c| entry(c, key)));
        added.extend(came.iter().map(|c| entry(c, key)));
        for (a, b) in pairs {
            let (va, vb) = (
                a.version.clone().unwrap_or_default(),
                b.version.clone().unwrap_or_default(),
            );
            let change = VersionChange {
                id: key.clone(),
                name: b.name.clone(),
                ecosystem: b.ecosystem.to_string(),
                old_version: va.clone(),
                new_version: vb.clone(),
                purl: b.purl.clone(),
            };
            match compare_versions(&va, &vb) {
                Ordering::Less => upgraded.push(change),
                Ordering::Greater => downgraded.push(change),
                Ordering::Equal => {}
            }
            if canonical_expression(&a.concluded) != canonical_expression(&b.concluded) {
                let (ia, ib) = (ids(&a.concluded), ids(&b.concluded));
                license_changes.push(LicenseChange {
                    id: key.clone(),
                    name: b.name.clone(),
                    old_version: a.version.clone(),
                    new_version: b.version.clone(),
                    old_license: a.concluded.clone(),
                    new_license: b.concluded.clone(),
                    added_licenses: ib.difference(&ia).cloned().collect(),
                    removed_licenses: ia.difference(&ib).cloned().collect(),
                });
            }
        }
    }
    let (new_violations, resolved_violations) = match (inputs.old_eval, inputs.new_eval) {
        (Some(oe), Some(ne)) => {
            let (fo, fnew) = (failing(old, oe), failing(new, ne));
            (violations(&fnew, &fo), violations(&fo, &fnew))
        }
        _ => (Vec::new(), Vec::new()),
    };
    let new_vulnerabilities = inputs
        .new_vulns
        .map(|nv| new_vulns(old, new, inputs.old_vulns.unwrap_or(&[]), nv));
    added.sort();
    removed.sort();
    upgraded.sort();
    downgraded.sort();
    license_changes.sort();
    instance_changes.sort();
    let summary = DiffSummary {
        added: added.len(),
        removed: removed.len(),
        upgraded: upgraded.len(),
        downgraded: downgraded.len(),
        license_changes: license_changes.len(),
        new_violations: new_violations.len(),
        resolved_violations: resolved_violations.len(),
        new_vulnerabilities: new_vulnerabilities.as_ref().map(Vec::len),
    };
    Diff {
        diff_version: DIFF_FORMAT_VERSION,
        old: Side {
            source: inputs.old_source.clone(),
            components: old.components.len(),
        },
        new: Side {
            source: inputs.new_source.clone(),
            components: new.components.len(),
        },
        policy: inputs.new_eval.map(|e| e.policy.clone()),
        summary,
        added,
        removed,
        upgraded,
        downgraded,
        license_changes,
        new_violations,
        resolved_violations,
        new_vulnerabilities,
        instance_changes,
    }
}

/// Advisories on NEW components that no OLD component of the same identity had.
fn new_vulns(old: &Scan, new: &Scan, ov: &[VulnInput], nv: &[VulnInput]) -> Vec<NewVulnerability> {
    let id_of = |s: &Scan| -> BTreeMap<String, (String, Option<String>, String)> {
        s.components
            .iter()
            .map(|c| {
                (
                    c.bom_ref.clone(),
                    (identity(c), c.version.clone(), c.name.clone()),
                )
            })
            .collect()
    };
    let (oi, ni) = (id_of(old), id_of(new));
    let before: BTreeSet<(String, &str)> = ov
        .iter()
        .map(|v| {
            let id = oi
                .get(&v.bom_ref)
                .map_or_else(|| v.bom_ref.clone(), |x| x.0.clone());
            (id, v.id.as_str())
        })
        .collect();
    let mut out: Vec<NewVulnerability> = nv
        .iter()
        .filter_map(|v| {
            let (id, version, name) = ni
                .get(&v.bom_ref)
                .cloned()
                .unwrap_or_else(|| (v.bom_ref.clone(), None, v.bom_ref.clone()));
            (!before.contains(&(id.clone(), v.id.as_str()))).then(|| NewVulnerability {
                id,
                name,
                version,
                advisory: v.id.clone(),
                severity: v.severity.clone(),
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(purl: &str, version: &str, license: &str) -> Component {
        Component {
            bom_ref: format!("{purl}@{version}"),
            name: purl.rsplit('/').next().unwrap().to_string(),
            version: Some(version.to_string()),
            purl: Some(format!("{purl}@{version}")),
            ecosystem: "npm".into(),
            concluded: license.into(),
            ..Default::default()
        }
    }

    fn scan(cs: Vec<Component>) -> Scan {
        Scan {
            components: cs,
            ..Default::default()
        }
    }

    #[test]
    fn versions_semver_and_segments() {
        use Ordering::*;
        let cases = [
            ("1.2.3", "1.2.10", Less),
            ("1.0.0-alpha", "1.0.0", Less),
            ("1.0.0-alpha.2", "1.0.0-alpha.10", Less),
            ("0.9.5", "0.10.0", Less),
            ("v1.2.3", "1.2.3", Equal),
            // Go pseudo-versions are semver pre-releases of the next patch.
            (
                "v0.0.0-20190101000000-abcdef123456",
                "v0.0.0-20200101000000-abcdef123456",
                Less,
            ),
            ("v1.2.4-0.20190101000000-abcdef123456", "v1.2.3", Greater),
            // Not semver: the segment compare.
            ("3.20", "3.3", Greater),
            ("2026.6", "2025.12", Greater),
            ("1.0rc1", "1.0", Less),
            ("1.0.post1", "1.0", Greater),
            ("1.0", "1.0.1", Less),
            ("1.0a1", "1.0b1", Less),
            ("1.0-SNAPSHOT", "1.0", Less),
            ("1.0", "1.0", Equal),
            ("2.0.0.Final", "2.0.0.Final", Equal),
            ("99999999999999999999999", "100000000000000000000000", Less),
            ("007", "7", Equal),
            ("", "1", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_versions(a, b), want, "{a} vs {b}");
            assert_eq!(compare_versions(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn canonical_expressions() {
        let same = [
            ("MIT OR Apache-2.0", "Apache-2.0 OR MIT"),
            (
                "(MIT OR Apache-2.0) AND Unicode-3.0",
                "Unicode-3.0 AND (Apache-2.0 OR MIT)",
            ),
            ("MIT OR (Apache-2.0 OR Zlib)", "Zlib OR MIT OR Apache-2.0"),
            ("MIT", " MIT "),
            ("MIT AND MIT", "MIT"),
        ];
        for (a, b) in same {
            assert_eq!(
                canonical_expression(a),
                canonical_expression(b),
                "{a} vs {b}"
            );
        }
        let different = [
            ("MIT OR Apache-2.0", "MIT AND Apache-2.0"),
            ("MIT", "Apache-2.0"),
            ("GPL-2.0-only", "GPL-2.0-or-later"),
            ("Apache-2.0", "Apache-2.0 WITH LLVM-exception"),
            (
                "(MIT OR Apache-2.0) AND Zlib",
                "MIT OR (Apache-2.0 AND Zlib)",
            ),
            ("NOASSERTION", "MIT"),
        ];
        for (a, b) in different {
            assert_ne!(
                canonical_expression(a),
                canonical_expression(b),
                "{a} vs {b}"
            );
        }
        assert_eq!(
            canonical_expression("not an expression ("),
            "not an expression ("
        );
    }

    #[test]
    fn identities() {
        let mut a = c("pkg:npm/%40Scope/Name", "1.0.0", "MIT");
        assert_eq!(identity(&a), "pkg:npm/@scope/name");
        a.purl = Some("pkg:pypi/Python_Dateutil@2.0?x=y".into());
        assert_eq!(identity(&a), "pkg:pypi/python-dateutil");
        // PEP 503: a run of separators is one `-`.
        a.purl = Some("pkg:pypi/zope._interface@5".into());
        assert_eq!(identity(&a), "pkg:pypi/zope-interface");
        a.purl = Some("pkg:maven/org.Apache/Commons@1".into());
        assert_eq!(identity(&a), "pkg:maven/org.Apache/Commons");
        a.purl = None;
        a.ecosystem = "Vendored".into();
        a.name = "zlib".into();
        assert_eq!(identity(&a), "vendored:zlib");
    }

    #[test]
    fn added_removed_upgraded_downgraded_license() {
        let old = scan(vec![
            c("pkg:npm/a", "1.0.0", "MIT"),
            c("pkg:npm/b", "2.0.0", "MIT OR Apache-2.0"),
            c("pkg:npm/c", "3.0.0", "MIT"),
            c("pkg:npm/gone", "1.0.0", "MIT"),
            c("pkg:npm/lic", "1.0.0", "MIT"),
        ]);
        let new = scan(vec![
            c("pkg:npm/a", "1.1.0", "MIT"),
            c("pkg:npm/b", "2.0.0", "Apache-2.0 OR MIT"),
            c("pkg:npm/c", "2.9.0", "MIT"),
            c("pkg:npm/fresh", "0.1.0", "ISC"),
            c("pkg:npm/lic", "1.0.0", "GPL-3.0-only"),
        ]);
        let d = diff(&old, &new, &DiffInputs::default());
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].id, "pkg:npm/fresh");
        assert_eq!(d.removed[0].id, "pkg:npm/gone");
        assert_eq!(d.upgraded.len(), 1);
        assert_eq!(
            (
                d.upgraded[0].old_version.as_str(),
                d.upgraded[0].new_version.as_str()
            ),
            ("1.0.0", "1.1.0")
        );
        assert_eq!(d.downgraded[0].id, "pkg:npm/c");
        assert_eq!(d.license_changes.len(), 1, "{:?}", d.license_changes);
        let l = &d.license_changes[0];
        assert_eq!(l.id, "pkg:npm/lic");
        assert_eq!(l.added_licenses, vec!["GPL-3.0-only"]);
        assert_eq!(l.removed_licenses, vec!["MIT"]);
        assert!(d.new_vulnerabilities.is_none());
        assert!(diff(&old, &old, &DiffInputs::default()).is_empty());
    }

    #[test]
    fn several_versions_of_one_package() {
        // ms 2.0.0 and 2.1.3 side by side; 2.1.3 is bumped, 2.0.0 stays, a 3.0.0 appears.
        let old = scan(vec![
            c("pkg:npm/ms", "2.0.0", "MIT"),
            c("pkg:npm/ms", "2.1.3", "MIT"),
        ]);
        let new = scan(vec![
            c("pkg:npm/ms", "2.0.0", "MIT"),
            c("pkg:npm/ms", "2.1.4", "MIT"),
            c("pkg:npm/ms", "3.0.0", "MIT"),
        ]);
        let d = diff(&old, &new, &DiffInputs::default());
        assert_eq!(d.upgraded.len(), 1);
        assert_eq!(d.upgraded[0].new_version, "2.1.4");
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].version.as_deref(), Some("3.0.0"));
        assert!(d.removed.is_empty() && d.downgraded.is_empty());
    }

    #[test]
    fn new_vulnerabilities_by_identity_and_advisory() {
        let old = scan(vec![c("pkg:npm/a", "1.0.0", "MIT")]);
        let new = scan(vec![
            c("pkg:npm/a", "1.1.0", "MIT"),
            c("pkg:npm/b", "1.0.0", "MIT"),
        ]);
        let v = |r: &str, id: &str| VulnInput {
            bom_ref: r.into(),
            id: id.into(),
            severity: "high".into(),
        };
        let ov = [v("pkg:npm/a@1.0.0", "GHSA-1")];
        let nv = [
            v("pkg:npm/a@1.1.0", "GHSA-1"),
            v("pkg:npm/a@1.1.0", "GHSA-2"),
            v("pkg:npm/b@1.0.0", "GHSA-1"),
        ];
        let d = diff(
            &old,
            &new,
            &DiffInputs {
                old_vulns: Some(&ov),
                new_vulns: Some(&nv),
                ..Default::default()
            },
        );
        let got: Vec<(&str, &str)> = d
            .new_vulnerabilities
            .as_ref()
            .unwrap()
            .iter()
            .map(|v| (v.id.as_str(), v.advisory.as_str()))
            .collect();
        assert_eq!(got, vec![("pkg:npm/a", "GHSA-2"), ("pkg:npm/b", "GHSA-1")]);
        assert_eq!(d.summary.new_vulnerabilities, Some(2));
    }
}
