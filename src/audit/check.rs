//! The matching: each component looked up by its purl (else its ecosystem and name),
//! "affected" decided by OSV's range rules in the ecosystem's own version order, records
//! that name each other merged into one finding.

use super::*;

/// (ecosystem, normalized name, version) of a component: from its purl, else its fields.
pub(super) fn identify(c: &Component) -> Option<(Ecosystem, String, Option<String>)> {
    if let Some(p) = c.purl.as_deref() {
        if let Ok(purl) = packageurl::PackageUrl::from_str(p) {
            if let Some(eco) = Ecosystem::from_model(purl.ty()) {
                let name = match (eco, purl.namespace()) {
                    (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", purl.name()),
                    (Ecosystem::Npm | Ecosystem::Go, Some(ns)) => format!("{ns}/{}", purl.name()),
                    _ => purl.name().to_string(),
                };
                let version = purl
                    .version()
                    .map(str::to_string)
                    .or_else(|| c.version.clone());
                return Some((eco, eco.normalize_name(&name), version));
            }
        }
    }
    let eco = Ecosystem::from_model(c.ecosystem.as_str())?;
    Some((eco, eco.normalize_name(&c.name), c.version.clone()))
}

/// One record's verdict for one version: affected, and the first fixed version above it.
pub(super) struct Hit {
    pub(super) advisory: u32,
    pub(super) fixed: Option<(Key, String)>,
}

/// Does `entry` affect version `v` (written `raw`)? OSV's evaluation: in each SEMVER /
/// ECOSYSTEM range, events sorted by version, `introduced` opens, `fixed` closes (at it),
/// `last_affected` closes (after it); `limit` bounds the range from above; the explicit
/// `versions` list adds exact versions.
pub(super) fn check(
    eco: Ecosystem,
    v: &Key,
    raw: &str,
    entry: &Entry,
    bad: &mut BTreeSet<String>,
) -> Option<Option<(Key, String)>> {
    let mut affected = entry
        .versions
        .iter()
        .any(|x| &**x == raw || version::parse(eco, x).is_some_and(|k| k == *v));
    let mut fixed: Option<(Key, String)> = None;
    for range in entry.ranges.iter() {
        let mut events: Vec<(Key, u8, &str)> = Vec::new();
        let mut limits: Vec<Key> = Vec::new();
        for e in range.iter() {
            let s: &str = &e.version;
            if e.kind == 3 && s.trim() == "*" {
                continue;
            }
            let k = if e.kind == 0 {
                version::parse_introduced(eco, s)
            } else {
                version::parse(eco, s)
            };
            match k {
                Some(k) if e.kind == 3 => limits.push(k),
                Some(k) => events.push((k, e.kind, s)),
                None => {
                    bad.insert(s.to_string());
                }
            }
        }
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut inside = false;
        for (k, kind, _) in &events {
            match kind {
                0 if v >= k => inside = true,
                1 if v >= k => inside = false,
                2 if v > k => inside = false,
                _ => {}
            }
        }
        if !limits.is_empty() && !limits.iter().any(|l| v < l) {
            inside = false;
        }
        if inside {
            affected = true;
            if let Some((k, _, s)) = events.iter().find(|(k, kind, _)| *kind == 1 && k > v) {
                if fixed.as_ref().is_none_or(|(f, _)| k < f) {
                    fixed = Some((k.clone(), s.to_string()));
                }
            }
        }
    }
    affected.then_some(fixed)
}

/// How an id ranks as the name of a finding: the ecosystem's own database first.
pub(super) fn id_rank(eco: Ecosystem, id: &str) -> u8 {
    let native = match eco {
        Ecosystem::CratesIo => "RUSTSEC-",
        Ecosystem::PyPI => "PYSEC-",
        Ecosystem::Go => "GO-",
        Ecosystem::Npm | Ecosystem::Maven => "GHSA-",
    };
    if id.starts_with(native) {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        3
    } else {
        2
    }
}

/// Audit every component of `scan` against `db`.
pub fn audit(scan: &Scan, db: &Database) -> Audit {
    let mut out = Audit {
        components: scan.components.len(),
        ..Default::default()
    };
    let mut no_version: BTreeMap<&'static str, usize> = BTreeMap::new();
    for c in &scan.components {
        let Some((eco, name, ver)) = identify(c) else {
            continue;
        };
        let Some(raw) = ver.filter(|v| !v.trim().is_empty()) else {
            *no_version.entry(eco.osv_name()).or_default() += 1;
            continue;
        };
        out.audited += 1;
        let Some(entries) = db.index.get(&(eco, name)) else {
            continue;
        };
        let Some(v) = version::parse(eco, &raw) else {
            // Unreadable as a version of its ecosystem: only an exact `versions` entry can
            // still say it is affected.
            let exact: Vec<Hit> = entries
                .iter()
                .filter(|e| e.versions.iter().any(|x| **x == *raw))
                .map(|e| e.advisory)
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .map(|advisory| Hit {
                    advisory,
                    fixed: None,
                })
                .collect();
            out.diagnostics.push(Diagnostic::warning(
                Some(c.bom_ref.clone()),
                format!(
                    "version `{raw}` is not a {} version: only exact `versions` lists were checked",
                    eco.osv_name()
                ),
            ));
            out.findings.extend(findings_for(c, eco, &raw, db, exact));
            continue;
        };
        let mut hits: Vec<Hit> = Vec::new();
        for e in entries {
            let mut bad = BTreeSet::new();
            if let Some(fixed) = check(eco, &v, &raw, e, &mut bad) {
                match hits.iter_mut().find(|h| h.advisory == e.advisory) {
                    Some(h) => {
                        if let Some(f) = fixed {
                            if h.fixed.as_ref().is_none_or(|(k, _)| f.0 < *k) {
                                h.fixed = Some(f);
                            }
                        }
                    }
                    None => hits.push(Hit {
                        advisory: e.advisory,
                        fixed,
                    }),
                }
            }
            for b in bad {
                out.diagnostics.push(Diagnostic::info(
                    Some(db.advisories[e.advisory as usize].id.to_string()),
                    format!(
                        "`{b}` is not a {} version; that range event is ignored",
                        eco.osv_name()
                    ),
                ));
            }
        }
        out.findings.extend(findings_for(c, eco, &raw, db, hits));
    }
    for (eco, n) in no_version {
        out.diagnostics.push(Diagnostic::info(
            None,
            format!("{n} {eco} component(s) have no version and were not audited"),
        ));
    }
    out.findings
        .sort_by(|a, b| (&a.bom_ref, a.primary_id()).cmp(&(&b.bom_ref, b.primary_id())));
    out.diagnostics.sort();
    out.diagnostics.dedup();
    out
}

/// Merge the records hitting one component into findings: records that share an id or an
/// alias are one issue.
pub(super) fn findings_for(
    c: &Component,
    eco: Ecosystem,
    raw: &str,
    db: &Database,
    hits: Vec<Hit>,
) -> Vec<Finding> {
    // Union-find over the hits, joined when their id sets meet.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        let a = &db.advisories[h.advisory as usize];
        for id in std::iter::once(&a.id).chain(a.aliases.iter()) {
            match owner.get(&**id) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri] = rj;
                }
                None => {
                    owner.insert(&**id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..hits.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups
        .into_values()
        .map(|members| {
            let advs: Vec<&Advisory> = members
                .iter()
                .map(|&i| &db.advisories[hits[i].advisory as usize])
                .collect();
            let primary = advs
                .iter()
                .min_by(|a, b| (id_rank(eco, &a.id), &a.id).cmp(&(id_rank(eco, &b.id), &b.id)))
                .expect("a group has a member");
            let mut others: Vec<String> = advs
                .iter()
                .flat_map(|a| std::iter::once(&a.id).chain(a.aliases.iter()))
                .filter(|id| **id != primary.id && !id.is_empty())
                .map(|id| id.to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            others.sort_by(|a, b| (id_rank(eco, a), a).cmp(&(id_rank(eco, b), b)));
            let mut ids = vec![primary.id.to_string()];
            ids.extend(others);
            let mut ratings: Vec<Rating> = advs
                .iter()
                .flat_map(|a| a.ratings.iter().map(|r| r.rating(&a.id)))
                .collect();
            ratings.sort_by(|a, b| a.source.cmp(&b.source).then(a.method.cmp(b.method)));
            // The worst rating of any record; ties go to the first id, for determinism.
            let best = advs
                .iter()
                .filter_map(|a| a.best_rating().map(|r| (r, &a.id)))
                .max_by(|(a, ai), (b, bi)| {
                    (a.severity, a.score.is_some(), std::cmp::Reverse(*ai)).cmp(&(
                        b.severity,
                        b.score.is_some(),
                        std::cmp::Reverse(*bi),
                    ))
                })
                .map(|(r, _)| r);
            let fixed_in = members
                .iter()
                .filter_map(|&i| hits[i].fixed.as_ref())
                .min_by(|a, b| a.0.cmp(&b.0))
                .map(|(_, s)| s.clone());
            let fix_hint = fixed_in
                .as_deref()
                .map(|f| super::fix::hint(eco, &c.name, raw, f));
            // A record's own summary beats one cut from another record's details.
            let summary = std::iter::once(*primary)
                .chain(advs.iter().copied())
                .filter(|a| !a.summary.is_empty())
                .min_by_key(|a| a.summary_from_details)
                .map_or(String::new(), |a| a.summary.to_string());
            let mut cwes: Vec<u32> = advs.iter().flat_map(|a| a.cwes.iter().copied()).collect();
            cwes.sort_unstable();
            cwes.dedup();
            let mut advisories: Vec<String> = advs
                .iter()
                .flat_map(|a| a.advisories.iter().map(|u| u.to_string()))
                .collect();
            advisories.sort();
            advisories.dedup();
            Finding {
                bom_ref: c.bom_ref.clone(),
                name: c.name.clone(),
                version: raw.to_string(),
                ecosystem: eco.osv_name().to_string(),
                purl: c.purl.clone(),
                ids,
                severity: best.map_or(Severity::Unknown, |r| r.severity),
                cvss_score: best.and_then(|r| r.score),
                cvss_vector: best.and_then(|r| r.vector.as_deref().map(str::to_string)),
                summary,
                fixed_in,
                cwes,
                ratings,
                advisories,
                published: primary.published.as_deref().map(str::to_string),
                modified: primary.modified.as_deref().map(str::to_string),
                // The worst kind of any merged record: a MAL- alias makes the finding malicious.
                kind: advs
                    .iter()
                    .map(|a| a.kind)
                    .min_by_key(|k| match k {
                        Kind::Malicious => 0,
                        Kind::Vulnerability => 1,
                        Kind::Unsound => 2,
                        Kind::Unmaintained => 3,
                        Kind::Notice => 4,
                        Kind::InstallScript => 5,
                    })
                    .unwrap_or_default(),
                fix_hint,
                vex: None,
                kev: None,
                epss: None,
            }
        })
        .collect()
}
