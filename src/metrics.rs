//! `ospo metrics`: the numbers an OSPO reports about one Scan, named after the CHAOSS
//! metrics where one exists (License Coverage, Licenses Declared), and with `--since` the
//! change in each against an older Scan.
//!
//! Everything is computed from the model and, where given, the policy evaluation and
//! vulnerability data; nothing here reads files or prints. [`Metrics`] is the
//! `ospo metrics --format json` output, a stable format for dashboards (README.md documents
//! every field); [`Metrics::numbers`] names every scalar so `--since` can subtract them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::diff::VulnInput;
use crate::model::Scan;
use crate::policy::{category_of, Category, Evaluation, Status};

/// Version of the `metrics --format json` schema. Bump on incompatible changes.
pub const METRICS_VERSION: u32 = 1;

/// A share: `count` of `total`, and their ratio (rounded to 4 places; `null` when the total
/// is 0 or unknown).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub count: u64,
    /// `null` when the denominator is not known (an SBOM read in lists no walked files).
    pub total: Option<u64>,
    pub ratio: Option<f64>,
}

impl Share {
    fn of(count: u64, total: Option<u64>) -> Share {
        let ratio = total
            .filter(|&t| t > 0)
            .map(|t| round4(count as f64 / t as f64));
        Share {
            count,
            total,
            ratio,
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdCount {
    pub id: String,
    pub category: String,
    pub components: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KnownUnknowns {
    /// `components.len() + unrecognized_files.len()`.
    pub count: u64,
    /// bom-refs of components whose concluded license is NOASSERTION.
    pub components: Vec<String>,
    /// Files with license-like text no known license matched.
    pub unrecognized_files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyleftExposure {
    /// Components that bring copyleft whatever OR branch is taken.
    pub count: u64,
    pub weak_copyleft: Vec<String>,
    pub strong_copyleft: Vec<String>,
    pub network_copyleft: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependencies {
    /// Targets of an edge from the project.
    pub direct: u64,
    /// Reachable from the project, but not directly.
    pub transitive: u64,
    /// Neither the project nor reachable from it (an SBOM without a graph, ...).
    pub unreached: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyMetrics {
    pub policy: String,
    pub components: u64,
    pub pass: u64,
    pub warn: u64,
    pub fail: u64,
    /// Components that do not fail (pass or warn, as `ospo check` counts them) of all.
    pub pass_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vulnerabilities {
    pub total: u64,
    /// Severity name -> count; every name seen, plus critical/high/medium/low always.
    pub by_severity: BTreeMap<String, u64>,
}

/// What `ospo metrics --format json` prints (without `--since`: `since` is absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub metrics_version: u32,
    pub source: String,
    /// Every component, the project's own included.
    pub components: u64,
    /// CHAOSS License Coverage: files with license information of all files walked
    /// (`summary.files_scanned`); `total`/`ratio` null for an SBOM input.
    pub license_coverage: Share,
    /// CHAOSS Licenses Declared: the distinct ids in components' declared licenses.
    pub licenses_declared: Vec<String>,
    /// Components whose concluded license is not NOASSERTION, of all.
    pub concluded: Share,
    pub known_unknowns: KnownUnknowns,
    /// Components per license id in their concluded expression (one component counts for
    /// every id it names), most used first.
    pub licenses: Vec<IdCount>,
    /// Components per category of the ids in their concluded expression (one component
    /// counts once per category it names); every category is listed, 0 where none.
    pub categories: BTreeMap<String, u64>,
    pub copyleft_exposure: CopyleftExposure,
    /// Components per ecosystem.
    pub ecosystems: BTreeMap<String, u64>,
    pub dependencies: Dependencies,
    pub policy: PolicyMetrics,
    /// Absent when no vulnerability data was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vulnerabilities: Option<Vulnerabilities>,
    /// With `--since`: the older side and the change in every number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Since>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Since {
    pub source: String,
    /// Every number of [`Metrics::numbers`] on the older side.
    pub old: BTreeMap<String, Option<f64>>,
    /// NEW minus OLD for every number (null where either side is n/a).
    pub change: BTreeMap<String, Option<f64>>,
    pub licenses_declared_added: Vec<String>,
    pub licenses_declared_removed: Vec<String>,
}

/// License ids (not exceptions, not NOASSERTION / NONE) of an expression.
fn license_ids(expr: &str) -> BTreeSet<String> {
    crate::expression::license_ids(expr)
        .into_iter()
        .filter(|i| !crate::model::is_unknown_license(i) && spdx::exception_id(i).is_none())
        .collect()
}

fn category_name(id: &str) -> &'static str {
    category_of(id).unwrap_or(Category::Unknown).name()
}

/// How much copyleft an expression brings at the least: AND takes the most of its terms,
/// OR the least of its branches (the one a user would choose). 0 none, 1 weak, 2 strong,
/// 3 network.
fn copyleft_level(expr: &str) -> u8 {
    use spdx::expression::{ExprNode, Operator};
    let level = |id: &str| match category_of(id) {
        Some(Category::WeakCopyleft) => 1,
        Some(Category::StrongCopyleft) => 2,
        Some(Category::NetworkCopyleft) => 3,
        _ => 0,
    };
    let Ok(parsed) = spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) else {
        // Not an expression (NOASSERTION, free text): the ids found in it decide.
        return license_ids(expr)
            .iter()
            .map(|i| level(i))
            .max()
            .unwrap_or(0);
    };
    let mut stack: Vec<u8> = Vec::new();
    for node in parsed.iter() {
        match node {
            ExprNode::Req(r) => {
                // The license's own category; an exception (WITH) can only lessen it, and
                // the category table holds what a WITH adds, so take the license alone.
                stack.push(r.req.license.id().map_or(0, |id| level(id.name)));
            }
            ExprNode::Op(op) => {
                let (Some(b), Some(a)) = (stack.pop(), stack.pop()) else {
                    return 0;
                };
                stack.push(match op {
                    Operator::And => a.max(b),
                    Operator::Or => a.min(b),
                });
            }
        }
    }
    stack.pop().unwrap_or(0)
}

/// Compute the metrics of one Scan. `eval` is the policy evaluation of this Scan;
/// `vulns` the vulnerabilities found in it, if a database was given.
pub fn compute(
    scan: &Scan,
    source: &str,
    eval: &Evaluation,
    vulns: Option<&[VulnInput]>,
) -> Metrics {
    let n = scan.components.len() as u64;
    let licenses_declared: Vec<String> = scan
        .components
        .iter()
        .filter_map(|c| c.declared.as_deref())
        .flat_map(license_ids)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (concluded, known_unknowns) = known_unknowns(scan);
    let (licenses, categories, copyleft_exposure) = licenses(scan);
    let mut ecosystems: BTreeMap<String, u64> = BTreeMap::new();
    for c in &scan.components {
        *ecosystems.entry(c.ecosystem.to_string()).or_default() += 1;
    }
    Metrics {
        metrics_version: METRICS_VERSION,
        source: source.to_string(),
        components: n,
        license_coverage: license_coverage(scan),
        licenses_declared,
        concluded,
        known_unknowns,
        licenses,
        categories,
        copyleft_exposure,
        ecosystems,
        dependencies: dependencies(scan),
        policy: policy_metrics(eval),
        vulnerabilities: vulns.map(vulnerabilities),
        since: None,
    }
}

/// Files with license information of all files walked. A manifest's license field
/// declares its package's license, not the file's own (the components count that, in
/// `concluded`), so a manifest counts only for a notice or tag of its own.
fn license_coverage(scan: &Scan) -> Share {
    let walked = scan.summary.files_scanned;
    let with_license = scan
        .files
        .iter()
        .filter(|f| {
            f.licenses
                .iter()
                .any(|m| m.kind != crate::model::MatchKind::Manifest)
        })
        .count() as u64;
    // Records come from the walk, so this cannot exceed it; a hand-edited scan might.
    let with_license = if walked > 0 {
        with_license.min(walked)
    } else {
        with_license
    };
    Share::of(with_license, (walked > 0).then_some(walked))
}

/// The share of components with a concluded license, and what is not known.
fn known_unknowns(scan: &Scan) -> (Share, KnownUnknowns) {
    let n = scan.components.len() as u64;
    let unknown: Vec<String> = scan
        .components
        .iter()
        .filter(|c| {
            c.concluded.trim() == crate::model::NOASSERTION || c.concluded.trim().is_empty()
        })
        .map(|c| c.bom_ref.clone())
        .collect();
    let concluded = Share::of(n - unknown.len() as u64, Some(n));
    let unrecognized_files: Vec<String> = scan
        .files
        .iter()
        .filter(|f| !f.unrecognized.is_empty())
        .map(|f| f.path.clone())
        .collect();
    let known_unknowns = KnownUnknowns {
        count: (unknown.len() + unrecognized_files.len()) as u64,
        components: unknown,
        unrecognized_files,
    };

    (concluded, known_unknowns)
}

/// Components per license id and per category, and the copyleft exposure.
fn licenses(scan: &Scan) -> (Vec<IdCount>, BTreeMap<String, u64>, CopyleftExposure) {
    let mut per_id: BTreeMap<String, u64> = BTreeMap::new();
    let mut categories: BTreeMap<String, u64> = crate::policy::category::ALL_CATEGORIES
        .iter()
        .map(|c| (c.name().to_string(), 0))
        .collect();
    let mut exposure = CopyleftExposure {
        count: 0,
        weak_copyleft: Vec::new(),
        strong_copyleft: Vec::new(),
        network_copyleft: Vec::new(),
    };
    for c in &scan.components {
        let ids = license_ids(&c.concluded);
        let mut cats = BTreeSet::new();
        for id in &ids {
            *per_id.entry(id.clone()).or_default() += 1;
            cats.insert(category_name(id));
        }
        for cat in cats {
            *categories.entry(cat.to_string()).or_default() += 1;
        }
        let list = match copyleft_level(&c.concluded) {
            1 => &mut exposure.weak_copyleft,
            2 => &mut exposure.strong_copyleft,
            3 => &mut exposure.network_copyleft,
            _ => continue,
        };
        list.push(c.bom_ref.clone());
        exposure.count += 1;
    }
    let mut licenses: Vec<IdCount> = per_id
        .into_iter()
        .map(|(id, k)| IdCount {
            category: category_name(&id).to_string(),
            id,
            components: k,
        })
        .collect();
    licenses.sort_by(|a, b| b.components.cmp(&a.components).then(a.id.cmp(&b.id)));

    (licenses, categories, exposure)
}

fn policy_metrics(eval: &Evaluation) -> PolicyMetrics {
    let pass = eval
        .components
        .iter()
        .filter(|v| v.status == Status::Pass)
        .count() as u64;
    let warn = eval
        .components
        .iter()
        .filter(|v| v.status == Status::Warn)
        .count() as u64;
    let fail = eval
        .components
        .iter()
        .filter(|v| v.status == Status::Fail)
        .count() as u64;
    let evaluated = eval.components.len() as u64;
    PolicyMetrics {
        policy: eval.policy.clone(),
        components: evaluated,
        pass,
        warn,
        fail,
        pass_rate: Share::of(pass + warn, Some(evaluated)).ratio,
    }
}

/// Vulnerabilities by severity, one per component and advisory.
fn vulnerabilities(vs: &[VulnInput]) -> Vulnerabilities {
    let mut by_severity: BTreeMap<String, u64> = ["critical", "high", "medium", "low"]
        .iter()
        .map(|s| (s.to_string(), 0))
        .collect();
    // One finding per component and advisory, even if the data repeats it.
    let unique: BTreeSet<(&str, &str, String)> = vs
        .iter()
        .map(|v| {
            (
                v.bom_ref.as_str(),
                v.id.as_str(),
                v.severity.to_ascii_lowercase(),
            )
        })
        .collect();
    for (_, _, s) in &unique {
        *by_severity.entry(s.clone()).or_default() += 1;
    }
    Vulnerabilities {
        total: unique.len() as u64,
        by_severity,
    }
}

/// Direct, transitive and unreached components, from the edges of the graph.
fn dependencies(scan: &Scan) -> Dependencies {
    let edges: HashMap<&str, &Vec<String>> = scan
        .dependencies
        .iter()
        .map(|e| (e.from.as_str(), &e.to))
        .collect();
    let refs: HashSet<&str> = scan.components.iter().map(|c| c.bom_ref.as_str()).collect();
    let project = scan.project.as_deref();
    let direct: HashSet<&str> = project
        .and_then(|p| edges.get(p))
        .map(|to| {
            to.iter()
                .map(String::as_str)
                .filter(|t| Some(*t) != project && refs.contains(t))
                .collect()
        })
        .unwrap_or_default();
    let mut seen: HashSet<&str> = direct.clone();
    let mut todo: Vec<&str> = direct.iter().copied().collect();
    while let Some(x) = todo.pop() {
        for t in edges.get(x).into_iter().flat_map(|v| v.iter()) {
            if Some(t.as_str()) != project && refs.contains(t.as_str()) && seen.insert(t) {
                todo.push(t);
            }
        }
    }
    let in_project = u64::from(project.is_some_and(|p| refs.contains(p)));
    let n = refs.len() as u64;
    Dependencies {
        direct: direct.len() as u64,
        transitive: (seen.len() - direct.len()) as u64,
        unreached: n - in_project - seen.len() as u64,
    }
}

impl Metrics {
    /// Every scalar metric by a stable dotted name (`license_coverage.ratio`,
    /// `licenses.MIT`, `categories.permissive`, `ecosystems.npm`, ...); `None` for n/a.
    pub fn numbers(&self) -> BTreeMap<String, Option<f64>> {
        let mut m: BTreeMap<String, Option<f64>> = BTreeMap::new();
        let mut put = |k: String, v: Option<f64>| {
            m.insert(k, v);
        };
        put("components".into(), Some(self.components as f64));
        for (name, s) in [
            ("license_coverage", &self.license_coverage),
            ("concluded", &self.concluded),
        ] {
            put(format!("{name}.count"), Some(s.count as f64));
            put(format!("{name}.total"), s.total.map(|t| t as f64));
            put(format!("{name}.ratio"), s.ratio);
        }
        put(
            "licenses_declared.count".into(),
            Some(self.licenses_declared.len() as f64),
        );
        put(
            "known_unknowns.count".into(),
            Some(self.known_unknowns.count as f64),
        );
        for l in &self.licenses {
            put(format!("licenses.{}", l.id), Some(l.components as f64));
        }
        for (k, v) in &self.categories {
            put(format!("categories.{k}"), Some(*v as f64));
        }
        let e = &self.copyleft_exposure;
        put("copyleft_exposure.count".into(), Some(e.count as f64));
        put(
            "copyleft_exposure.weak_copyleft".into(),
            Some(e.weak_copyleft.len() as f64),
        );
        put(
            "copyleft_exposure.strong_copyleft".into(),
            Some(e.strong_copyleft.len() as f64),
        );
        put(
            "copyleft_exposure.network_copyleft".into(),
            Some(e.network_copyleft.len() as f64),
        );
        for (k, v) in &self.ecosystems {
            put(format!("ecosystems.{k}"), Some(*v as f64));
        }
        let d = &self.dependencies;
        put("dependencies.direct".into(), Some(d.direct as f64));
        put("dependencies.transitive".into(), Some(d.transitive as f64));
        put("dependencies.unreached".into(), Some(d.unreached as f64));
        let p = &self.policy;
        put("policy.pass".into(), Some(p.pass as f64));
        put("policy.warn".into(), Some(p.warn as f64));
        put("policy.fail".into(), Some(p.fail as f64));
        put("policy.pass_rate".into(), p.pass_rate);
        match &self.vulnerabilities {
            Some(v) => {
                put("vulnerabilities.total".into(), Some(v.total as f64));
                for (k, n) in &v.by_severity {
                    put(format!("vulnerabilities.{k}"), Some(*n as f64));
                }
            }
            None => put("vulnerabilities.total".into(), None),
        }
        m
    }

    /// Attach the change since `old`: every number NEW minus OLD. A license, category or
    /// ecosystem on one side only counts as 0 on the other; n/a on either side gives null.
    pub fn with_since(mut self, old: &Metrics) -> Metrics {
        let (a, b) = (old.numbers(), self.numbers());
        let mut change = BTreeMap::new();
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for k in keys {
            let counted = |side: &BTreeMap<String, Option<f64>>| match side.get(k) {
                Some(v) => *v,
                // A missing list entry is a count of 0; a missing ratio stays unknown.
                None if is_count_family(k) => Some(0.0),
                None => None,
            };
            let d = match (counted(&a), counted(&b)) {
                (Some(x), Some(y)) => Some(round4(y - x)),
                _ => None,
            };
            change.insert(k.clone(), d);
        }
        let (da, db): (BTreeSet<&String>, BTreeSet<&String>) = (
            old.licenses_declared.iter().collect(),
            self.licenses_declared.iter().collect(),
        );
        self.since = Some(Since {
            source: old.source.clone(),
            old: a,
            change,
            licenses_declared_added: db.difference(&da).map(|s| s.to_string()).collect(),
            licenses_declared_removed: da.difference(&db).map(|s| s.to_string()).collect(),
        });
        self
    }
}

fn is_count_family(k: &str) -> bool {
    [
        "licenses.",
        "categories.",
        "ecosystems.",
        "vulnerabilities.",
    ]
    .iter()
    .any(|p| k.starts_with(p))
        && k != "vulnerabilities.total"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Component, Edge, FileRecord, Summary};
    use crate::policy::{evaluate, Date, Policy};

    fn comp(r: &str, eco: &str, concluded: &str, declared: Option<&str>) -> Component {
        Component {
            bom_ref: r.into(),
            name: r.into(),
            ecosystem: eco.into(),
            concluded: concluded.into(),
            declared: declared.map(Into::into),
            ..Default::default()
        }
    }

    fn sample() -> Scan {
        Scan {
            summary: Summary {
                files_scanned: 8,
                ..Default::default()
            },
            project: Some("app".into()),
            files: vec![
                FileRecord {
                    path: "LICENSE".into(),
                    licenses: vec![crate::model::LicenseMatch {
                        expression: "MIT".into(),
                        kind: crate::model::MatchKind::Text,
                        score: 1.0,
                        start_line: 1,
                        end_line: 20,
                        rule: None,
                        matched_text: None,
                    }],
                    ..Default::default()
                },
                FileRecord {
                    path: "odd/LICENSE".into(),
                    unrecognized: vec![crate::model::Unrecognized {
                        start_line: 1,
                        end_line: 3,
                        closest: None,
                        score: 0.3,
                    }],
                    ..Default::default()
                },
            ],
            components: vec![
                comp("app", "cargo", "MIT", Some("MIT")),
                comp(
                    "a",
                    "cargo",
                    "MIT OR GPL-3.0-only",
                    Some("MIT OR GPL-3.0-only"),
                ),
                comp("b", "cargo", "MPL-2.0", Some("MPL-2.0")),
                comp("c", "npm", "NOASSERTION", None),
                comp("d", "npm", "AGPL-3.0-only AND MIT", None),
                comp(
                    "e",
                    "npm",
                    "Apache-2.0 WITH LLVM-exception",
                    Some("Apache-2.0 WITH LLVM-exception"),
                ),
            ],
            dependencies: vec![
                Edge {
                    from: "app".into(),
                    to: vec!["a".into(), "b".into()],
                },
                Edge {
                    from: "b".into(),
                    to: vec!["c".into(), "app".into()],
                },
            ],
            ..Default::default()
        }
    }

    fn metrics(s: &Scan) -> Metrics {
        let ev = evaluate(
            s,
            &Policy::builtin_default(),
            Date::parse("2026-01-01").unwrap(),
        );
        compute(s, "x", &ev, None)
    }

    #[test]
    fn hand_counted() {
        let m = metrics(&sample());
        assert_eq!(m.components, 6);
        assert_eq!(m.license_coverage, Share::of(1, Some(8)));
        assert_eq!(m.license_coverage.ratio, Some(0.125));
        assert_eq!(
            m.licenses_declared,
            vec!["Apache-2.0", "GPL-3.0-only", "MIT", "MPL-2.0"]
        );
        assert_eq!((m.concluded.count, m.concluded.total), (5, Some(6)));
        assert_eq!(m.known_unknowns.count, 2);
        assert_eq!(m.known_unknowns.components, vec!["c"]);
        assert_eq!(m.known_unknowns.unrecognized_files, vec!["odd/LICENSE"]);
        let l: Vec<(&str, u64)> = m
            .licenses
            .iter()
            .map(|l| (l.id.as_str(), l.components))
            .collect();
        assert_eq!(
            l,
            vec![
                ("MIT", 3),
                ("AGPL-3.0-only", 1),
                ("Apache-2.0", 1),
                ("GPL-3.0-only", 1),
                ("MPL-2.0", 1)
            ]
        );
        assert_eq!(m.categories["permissive"], 4);
        assert_eq!(m.categories["strong-copyleft"], 1);
        assert_eq!(m.categories["network-copyleft"], 1);
        assert_eq!(m.categories["weak-copyleft"], 1);
        // `a` can be taken as MIT: no exposure; `d` is AGPL AND MIT: network copyleft.
        assert_eq!(m.copyleft_exposure.count, 2);
        assert_eq!(m.copyleft_exposure.weak_copyleft, vec!["b"]);
        assert!(m.copyleft_exposure.strong_copyleft.is_empty());
        assert_eq!(m.copyleft_exposure.network_copyleft, vec!["d"]);
        assert_eq!(m.ecosystems["cargo"], 3);
        assert_eq!(m.ecosystems["npm"], 3);
        assert_eq!(
            m.dependencies,
            Dependencies {
                direct: 2,
                transitive: 1,
                unreached: 2
            }
        );
        assert!(m.vulnerabilities.is_none());
        assert_eq!(m.numbers()["vulnerabilities.total"], None);
    }

    #[test]
    fn no_files_is_not_applicable() {
        let mut s = sample();
        s.summary.files_scanned = 0;
        let m = metrics(&s);
        assert_eq!(m.license_coverage.total, None);
        assert_eq!(m.license_coverage.ratio, None);
        let empty = metrics(&Scan::default());
        assert_eq!(empty.concluded.ratio, None);
        assert_eq!(empty.policy.pass_rate, None);
    }

    #[test]
    fn since_subtracts() {
        let old = sample();
        let mut new = sample();
        new.components.retain(|c| c.bom_ref != "d");
        new.components
            .push(comp("f", "pypi", "BSD-3-Clause", Some("BSD-3-Clause")));
        let m = metrics(&new).with_since(&metrics(&old));
        let s = m.since.as_ref().unwrap();
        assert_eq!(s.change["components"], Some(0.0));
        assert_eq!(s.change["licenses.AGPL-3.0-only"], Some(-1.0));
        assert_eq!(s.change["licenses.BSD-3-Clause"], Some(1.0));
        assert_eq!(s.change["ecosystems.pypi"], Some(1.0));
        assert_eq!(s.change["copyleft_exposure.network_copyleft"], Some(-1.0));
        assert_eq!(s.licenses_declared_added, vec!["BSD-3-Clause"]);
        assert!(s.licenses_declared_removed.is_empty());
    }

    #[test]
    fn vulnerabilities_by_severity() {
        let s = sample();
        let ev = evaluate(
            &s,
            &Policy::builtin_default(),
            Date::parse("2026-01-01").unwrap(),
        );
        let v = |r: &str, id: &str, sev: &str| VulnInput {
            bom_ref: r.into(),
            id: id.into(),
            severity: sev.into(),
        };
        let vs = [
            v("a", "X-1", "HIGH"),
            v("a", "X-1", "high"),
            v("b", "X-2", "low"),
        ];
        let m = compute(&s, "x", &ev, Some(&vs));
        let vm = m.vulnerabilities.unwrap();
        assert_eq!(vm.total, 2);
        assert_eq!(vm.by_severity["high"], 1);
        assert_eq!(vm.by_severity["low"], 1);
        assert_eq!(vm.by_severity["critical"], 0);
    }
}
