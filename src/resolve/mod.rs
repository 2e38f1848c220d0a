//! Stage 4: one SPDX expression per component, from what its manifest declares and what
//! its own files show, each term traced to its evidence: what a reviewer would sign.
//!
//! - declared: the manifest's license string, normalised (lax parse, imprecise names,
//!   deprecated ids; anything else a `LicenseRef-` that keeps the text); PyPI trove
//!   classifiers mapped to ids and said to be a guess;
//! - detected: the licenses in the component's own top-level license files (and its
//!   `LICENSES/` folder, or a wheel's PEP 639 `licenses/`), or in its sources in a local
//!   package cache; wording that names a license without granting it is left out
//!   ([`wording`]), and one license in two spellings counts once ([`equivalent`]);
//! - concluded: the declaration, a choice kept as a choice; a license it does not name is
//!   added as a term of its own only where its full text binds, and is otherwise a review
//!   item with its file and lines; a guessed declaration yields to the files where they
//!   disagree; the detected licenses when nothing is declared; NOASSERTION, listed as a
//!   known unknown, when there is neither. README.md's "rules for concluding" is the
//!   table of these cases.
//!
//! A pure function of the model: the files the walk recorded, what the ecosystems found,
//! and the evidence the pipeline read from package caches. It reads nothing itself.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::ecosystem::{Claim, FileOwner, Found};
use crate::expression;
use crate::licensedb;
use crate::model::{
    Component, Ecosystem, Edge, Evidence, FileClass, FileRecord, LicenseMatch, MatchKind, Scan,
    NOASSERTION,
};
use crate::relpath::{dir_of, file_name};

mod equivalent;
mod wording;

/// Stage 4: merge what the ecosystems found into one component per bom-ref, give the
/// tree a project component (named `project_name` when no manifest at the root names
/// it), assign every file to the component that owns it, gather each component's
/// evidence (its own license files, and `external` evidence from package caches by
/// bom-ref), conclude its license, and keep the edges between known components.
pub fn resolve(
    scan: &mut Scan,
    found: Found,
    external: &HashMap<String, Vec<Evidence>>,
    project_name: &str,
) {
    let Found {
        components,
        edges,
        diagnostics,
        roots,
        file_owners,
        license_files,
        ..
    } = found;
    scan.diagnostics.extend(diagnostics);
    let mut by_ref = merge(components);
    let (project, synthesized) = project_component(&mut by_ref, &roots, project_name);
    let mut edges = edges;
    let has_parts = link_parts(&mut by_ref, &roots, &project, &mut edges);
    assign_files(scan, &by_ref, &project, &file_owners);
    conclude_all(scan, &mut by_ref, external, &license_files);
    // No manifest at the root and no workspace members or vendored folders under it (a
    // container root, an installed site-packages): the tree is the product, so what
    // nothing else depends on is one of its direct parts. Without this the graph would
    // leave them unconnected to what the SBOM describes. (Under a workspace, a component
    // nothing reaches stays unreached: stale vendored code is worth seeing.)
    if synthesized && !has_parts {
        adopt_orphans(&mut by_ref, &project, &mut edges);
    }
    scan.dependencies = known_edges(edges, &by_ref);
    scan.components = by_ref.into_values().collect();
    scan.project = Some(project);
}

/// One component per bom-ref; a second sighting fills what the first lacked.
fn merge(components: Vec<Component>) -> BTreeMap<String, Component> {
    let mut by_ref: BTreeMap<String, Component> = BTreeMap::new();
    for c in components {
        match by_ref.get_mut(&c.bom_ref) {
            None => {
                by_ref.insert(c.bom_ref.clone(), c);
            }
            Some(have) => have.merge(c, false),
        }
    }
    by_ref
}

/// The scanned project: the root manifest's component, or one named after the folder
/// (then `true`: synthesized).
fn project_component(
    by_ref: &mut BTreeMap<String, Component>,
    roots: &[String],
    project_name: &str,
) -> (String, bool) {
    let root_ref = roots
        .iter()
        .find(|r| {
            by_ref
                .get(*r)
                .is_some_and(|c| c.path.as_deref() == Some(""))
        })
        .cloned();
    if let Some(r) = root_ref {
        return (r, false);
    }
    let name = project_name.to_string();
    let purl = packageurl::PackageUrl::new("generic", name.as_str())
        .map(|p| p.to_string())
        .ok();
    let c = Component {
        bom_ref: purl.clone().unwrap_or_else(|| format!("project:{name}")),
        name,
        purl,
        ecosystem: Ecosystem::Generic,
        path: Some(String::new()),
        ..Default::default()
    };
    let r = c.bom_ref.clone();
    by_ref.insert(r.clone(), c);
    (r, true)
}

/// Workspace members and vendored folders are the project's direct parts (an edge from
/// the project to each); the project itself has no scope. Whether there were any.
fn link_parts(
    by_ref: &mut BTreeMap<String, Component>,
    roots: &[String],
    project: &str,
    edges: &mut Vec<Edge>,
) -> bool {
    let other_roots: Vec<String> = roots
        .iter()
        .filter(|r| r.as_str() != project && by_ref.contains_key(*r))
        .cloned()
        .chain(
            by_ref
                .values()
                .filter(|c| c.bom_ref != project && is_vendored(c))
                .map(|c| c.bom_ref.clone()),
        )
        .collect();
    let has_parts = !other_roots.is_empty();
    if has_parts {
        edges.push(Edge {
            from: project.to_string(),
            to: other_roots,
        });
    }
    if let Some(p) = by_ref.get_mut(project) {
        p.scope = None;
    }
    has_parts
}

/// Every component's evidence and conclusion, and a supplier where no manifest names one.
fn conclude_all(
    scan: &Scan,
    by_ref: &mut BTreeMap<String, Component>,
    external: &HashMap<String, Vec<Evidence>>,
    license_files: &[(String, String)],
) {
    let mut files_of: HashMap<&str, Vec<&FileRecord>> = HashMap::new();
    for f in &scan.files {
        if let Some(r) = f.component.as_deref() {
            files_of.entry(r).or_default().push(f);
        }
    }
    let named: HashSet<(&str, &str)> = license_files
        .iter()
        .map(|(p, r)| (p.as_str(), r.as_str()))
        .collect();
    for c in by_ref.values_mut() {
        let (mut evidence, not_grants) = own_license_evidence(
            files_of.get(c.bom_ref.as_str()).map_or(&[][..], |v| &v[..]),
            c,
            |path| named.contains(&(path, c.bom_ref.as_str())),
        );
        c.notes.extend(not_grants);
        if let Some(ev) = external.get(&c.bom_ref) {
            evidence.extend(ev.iter().cloned());
        }
        conclude(c, evidence);
        declaration_evidence(
            c,
            files_of.get(c.bom_ref.as_str()).map_or(&[][..], |v| &v[..]),
        );
        infer_supplier(c);
    }
}

/// The declaration's own evidence, once the license is concluded: the license fields of
/// the component's manifests (file and line), so a reviewer can check what was declared
/// as they check what the license files say. It does not take part in the conclusion:
/// `detected` stays what the files show.
fn declaration_evidence(c: &mut Component, files: &[&FileRecord]) {
    if c.declared.is_none() {
        return;
    }
    for f in files
        .iter()
        .filter(|f| f.class == Some(FileClass::Manifest))
    {
        for m in f.licenses.iter().filter(|m| m.kind == MatchKind::Manifest) {
            let e = evidence_of(&f.path, m);
            if !c.evidence.contains(&e) {
                c.evidence.push(e);
            }
        }
    }
}

/// A supplier for a component whose manifest names none: the owner of its source
/// repository, its npm scope, or its Maven groupId, each said in a note.
fn infer_supplier(c: &mut Component) {
    if c.supplier.is_some() {
        return;
    }
    if let Some(owner) = repository_owner(c) {
        c.notes.push(format!(
            "supplier: {owner}, the owner of its source repository (no author is named)"
        ));
        c.supplier = Some(owner);
    } else if let Some(scope) = npm_scope(c) {
        c.notes.push(format!(
            "supplier: the npm scope {scope} it is published under (no author is named)"
        ));
        c.supplier = Some(format!("npm scope {scope}"));
    } else if let Some(group) = maven_group(c) {
        c.notes.push(format!(
            "supplier: the Maven groupId {group} it is published under (no organization \
             is named)"
        ));
        c.supplier = Some(format!("Maven group {group}"));
    }
}

/// What nothing else depends on becomes a direct part of the (synthesized) project.
fn adopt_orphans(by_ref: &mut BTreeMap<String, Component>, project: &str, edges: &mut Vec<Edge>) {
    let reached: HashSet<&str> = edges
        .iter()
        .flat_map(|e| e.to.iter().map(String::as_str))
        .collect();
    let orphans: Vec<String> = by_ref
        .keys()
        .filter(|r| r.as_str() != project && !reached.contains(r.as_str()))
        .cloned()
        .collect();
    if orphans.is_empty() {
        return;
    }
    if let Some(p) = by_ref.get_mut(project) {
        p.notes.push(format!(
            "no project manifest at the root: what nothing else depends on ({}) is \
             listed among its direct parts",
            orphans.len()
        ));
    }
    edges.push(Edge {
        from: project.to_string(),
        to: orphans,
    });
}

/// Edges between known components only, merged per source.
fn known_edges(edges: Vec<Edge>, by_ref: &BTreeMap<String, Component>) -> Vec<Edge> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in edges {
        if !by_ref.contains_key(&e.from) {
            continue;
        }
        let to = graph.entry(e.from).or_default();
        to.extend(e.to.into_iter().filter(|t| by_ref.contains_key(t)));
    }
    graph
        .into_iter()
        .map(|(from, to)| Edge {
            from,
            to: to.into_iter().collect(),
        })
        .collect()
}

fn is_vendored(c: &Component) -> bool {
    c.ecosystem == Ecosystem::Generic
        && c.purl
            .as_deref()
            .is_some_and(|p| p.contains("vendored_at="))
}

/// Every file's component: the one with the deepest root directory above it (the
/// directory rule), unless a component claims the file by name ([`FileOwner`]). A
/// [`Claim::Listed`] file (a wheel's RECORD) goes to its claimant wherever it sits, but
/// stays with a deeper component found inside the claimant's site-packages (a vendored
/// folder in the package), which knows it better. A [`Claim::Database`] file (dpkg's
/// `info/*.list`) goes to its package only where nothing else took it: the directory
/// rule gave it to no component or to the project. Of two claims of one strength on a
/// file, the first keeps it.
fn assign_files(
    scan: &mut Scan,
    by_ref: &BTreeMap<String, Component>,
    project: &str,
    owners: &[FileOwner],
) {
    let mut dirs: HashMap<&str, &str> = HashMap::new();
    for c in by_ref.values() {
        if let Some(p) = &c.path {
            // Two components claiming one directory: keep the first in bom-ref order.
            dirs.entry(p.as_str()).or_insert(c.bom_ref.as_str());
        }
    }
    let mut listed: HashMap<&str, &str> = HashMap::new();
    let mut database: HashMap<&str, &str> = HashMap::new();
    for o in owners.iter().filter(|o| by_ref.contains_key(&o.bom_ref)) {
        let claims = match o.claim {
            Claim::Listed => &mut listed,
            Claim::Database => &mut database,
        };
        claims.entry(o.path.as_str()).or_insert(o.bom_ref.as_str());
    }
    for f in &mut scan.files {
        let mut owner: Option<(&str, &str)> = None;
        let mut dir = dir_of(&f.path);
        loop {
            if let Some(r) = dirs.get(dir) {
                owner = Some((dir, *r));
                break;
            }
            if dir.is_empty() {
                break;
            }
            dir = dir_of(dir);
        }
        if let Some(r) = listed.get(f.path.as_str()) {
            let site = by_ref[*r].path.as_deref().map_or("", dir_of);
            let deeper_inside = owner.is_some_and(|(d, o)| {
                o != *r && d.len() > site.len() && crate::relpath::is_within(d, site)
            });
            if !deeper_inside {
                owner = Some(("", *r));
            }
        }
        if owner.is_none_or(|(_, o)| o == project) {
            if let Some(r) = database.get(f.path.as_str()) {
                owner = Some(("", *r));
            }
        }
        f.component = owner.map(|(_, r)| r.to_string());
    }
}

fn evidence_of(path: &str, m: &LicenseMatch) -> Evidence {
    Evidence {
        expression: m.expression.clone(),
        kind: m.kind,
        path: path.to_string(),
        start_line: m.start_line,
        end_line: m.end_line,
        score: m.score,
        sha256: None,
    }
}

/// The license evidence in a component's own top-level license files (and `LICENSES/`,
/// and any file its manifest names as its license, `named`), and the license references
/// of its top-level README; with a note for each match whose words name a license
/// without granting it (negated, contribution terms), which is left out.
fn own_license_evidence(
    files: &[&FileRecord],
    c: &Component,
    named: impl Fn(&str) -> bool,
) -> (Vec<Evidence>, Vec<String>) {
    let Some(dir) = c.path.as_deref() else {
        return (Vec::new(), Vec::new());
    };
    let licenses_dir = if dir.is_empty() {
        "LICENSES".to_string()
    } else {
        format!("{dir}/LICENSES")
    };
    // An installed distribution keeps its license files in `licenses/` (PEP 639), with
    // the folders they had in the source tree (`licenses/docs/LICENSE.txt`).
    let pep639 = dir
        .ends_with(".dist-info")
        .then(|| format!("{dir}/licenses"));
    let in_pep639 = |d: &str| {
        pep639
            .as_deref()
            .is_some_and(|l| crate::relpath::is_within(d, l))
    };
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for f in files {
        let d = dir_of(&f.path);
        let matches: Vec<&LicenseMatch> = match f.class {
            _ if in_pep639(d) || named(&f.path) => f.licenses.iter().collect(),
            Some(FileClass::License) if d == dir || d == licenses_dir => {
                f.licenses.iter().collect()
            }
            Some(FileClass::Readme) if d == dir => f
                .licenses
                .iter()
                .filter(|m| m.kind == MatchKind::Reference)
                .collect(),
            _ => continue,
        };
        for m in matches {
            match wording::not_a_grant(m, &f.licenses) {
                None => {
                    let mut e = evidence_of(&f.path, m);
                    if let Some(rest) = without_cla(&e.expression) {
                        notes.push(format!(
                            "not a grant: the contributor agreement named with `{rest}` at \
                             {}:{}-{} is not a license",
                            f.path, m.start_line, m.end_line
                        ));
                        e.expression = rest;
                    }
                    out.push(e);
                }
                Some(why) => notes.push(format!(
                    "not a grant: `{}` at {}:{}-{} is {why}",
                    m.expression, f.path, m.start_line, m.end_line
                )),
            }
        }
    }
    (out, notes)
}

/// `MIT` of `LicenseRef-scancode-generic-cla AND MIT` (a notice that names a CLA beside
/// the license); None when the expression names no CLA or is a choice.
fn without_cla(expr: &str) -> Option<String> {
    let all = ids(expr);
    if expr.contains(" OR ") || !all.iter().any(|i| wording::is_cla(i)) {
        return None;
    }
    let rest: Vec<&str> = expr
        .split(" AND ")
        .map(|t| t.trim_matches(['(', ')', ' ']))
        .filter(|t| !wording::is_cla(t))
        .collect();
    (!rest.is_empty()).then(|| rest.join(" AND "))
}

/// Ids of an expression with GNU texts folded: a bare GPL-2.0 text (which cannot tell
/// -only from -or-later) agrees with either.
fn ids(expr: &str) -> BTreeSet<String> {
    expression::license_ids(expr)
}

/// Who publishes a component that names no author: the account that owns its source
/// repository on a public forge (`github.com/tokio-rs`), from its homepage / repository
/// URL or, for Go, its module path. The NTIA minimum elements ask for a supplier; this is
/// the one the manifest itself points at.
fn repository_owner(c: &Component) -> Option<String> {
    let from_purl = c
        .purl
        .as_deref()
        .and_then(|p| p.strip_prefix("pkg:golang/"))
        .map(|p| p.replace("%2F", "/"));
    c.homepage
        .iter()
        .cloned()
        .chain(from_purl)
        .find_map(|url| crate::ecosystem::forge_owner(&url))
}

/// `@babel` of `pkg:npm/%40babel/core@7.0.0`: the npm user or organization that owns
/// the scope, and so publishes the package.
fn npm_scope(c: &Component) -> Option<String> {
    let rest = c.purl.as_deref()?.strip_prefix("pkg:npm/")?;
    let (ns, _) = rest.split_once('/')?;
    let ns = ns.replace("%40", "@");
    (ns.starts_with('@') && ns.len() > 1).then_some(ns)
}

/// `org.apache.logging.log4j` of `pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1`:
/// the groupId, which Maven Central only grants to whoever proves they own it.
fn maven_group(c: &Component) -> Option<String> {
    let rest = c.purl.as_deref()?.strip_prefix("pkg:maven/")?;
    let (group, _) = rest.split_once('/')?;
    (!group.is_empty()).then(|| group.to_string())
}

fn conclude(c: &mut Component, evidence: Vec<Evidence>) {
    // Declared.
    let declared = c.declared_raw.as_deref().map(|raw| match classifiers(raw) {
        Some(list) => from_classifiers(&list),
        None => expression::normalize(raw),
    });
    if let Some(n) = &declared {
        if n.expression != NOASSERTION {
            c.declared = Some(n.expression.clone());
        }
        for f in &n.fixups {
            c.notes.push(format!("declared license: {f}"));
        }
    }

    // Third-party notice files list the licenses of code the package bundles: kept as
    // evidence and named in a note, but they are not the package's own license.
    let bundled: BTreeSet<String> = evidence
        .iter()
        .filter(|e| is_third_party_notice(&e.path))
        .flat_map(|e| ids(&e.expression))
        .collect();
    if !bundled.is_empty() {
        let files: BTreeSet<&str> = evidence
            .iter()
            .filter(|e| is_third_party_notice(&e.path))
            .map(|e| e.path.as_str())
            .collect();
        c.notes.push(format!(
            "bundles third-party code under {} (per {})",
            bundled.into_iter().collect::<Vec<_>>().join(", "),
            files.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }

    // Detected: the distinct licenses of the evidence, joined with AND (separate license
    // texts in one package are each in force unless a declaration says otherwise).
    // A README is weaker evidence than a license file (it mentions the licenses of
    // bundled or related projects too): it counts when the package has no license file,
    // or when it explains the files ("Apache-2.0 OR MIT" over LICENSE-APACHE, LICENSE-MIT).
    let own: Vec<&Evidence> = evidence
        .iter()
        .filter(|e| !is_third_party_notice(&e.path))
        .collect();
    let file_ids: BTreeSet<String> = own
        .iter()
        .filter(|e| !is_readme(&e.path))
        .flat_map(|e| ids(&e.expression))
        .collect();
    let counts = |e: &&&Evidence| {
        !is_readme(&e.path)
            || file_ids.is_empty()
            || (e.expression.contains(" OR ") && ids(&e.expression).is_superset(&file_ids))
    };
    let mut found_ids: BTreeSet<String> = BTreeSet::new();
    let mut exprs: Vec<String> = Vec::new();
    for e in own.iter().filter(counts) {
        if !exprs.contains(&e.expression) {
            exprs.push(e.expression.clone());
        }
        found_ids.extend(ids(&e.expression));
    }
    exprs.sort();
    c.detected = detected_expression(&exprs, &found_ids);
    c.evidence = evidence;

    let declared_ids = c.declared.as_deref().map(ids).unwrap_or_default();
    let declared_only_refs =
        !declared_ids.is_empty() && declared_ids.iter().all(|i| i.starts_with("LicenseRef-"));
    c.concluded = match (c.declared.clone(), c.detected.clone()) {
        (Some(d), Some(t)) if declared_only_refs => {
            c.notes.push(format!(
                "declared `{d}` is not an SPDX expression; concluded from the license files"
            ));
            t
        }
        (Some(d), Some(_)) => against_declared(c, &d, &declared_ids, &found_ids),
        (Some(d), None) => d,
        (None, Some(t)) => t,
        (None, None) => {
            c.review
                .push("no license declared and no license text found: a known unknown".into());
            NOASSERTION.into()
        }
    };
}

/// The conclusion when both a declaration and file evidence exist. Declared choices stay
/// choices. A license the declaration does not name (in any spelling) is added as a term
/// of its own only where it binds: a full license text in one of the component's license
/// files (a README sentence, a notice or a reference names a license without being one;
/// and where the declaration offers a choice, a file named for one branch, LICENSE.BSD or
/// LICENSE-MIT, is that branch's text, not another obligation). What does not bind is a
/// review item with its file and lines, left out of the expression.
fn against_declared(
    c: &mut Component,
    d: &str,
    declared_ids: &BTreeSet<String>,
    found_ids: &BTreeSet<String>,
) -> String {
    for t in found_ids {
        if declared_ids.contains(t) {
            continue;
        }
        if let Some(same) = declared_ids
            .iter()
            .find(|d| equivalent::same_license(d, t) && !licensedb::same_text(d).contains(t))
        {
            c.notes.push(format!(
                "`{t}` in {} is read as the declared `{same}`: one license in two spellings",
                location_list(&c.evidence, t)
            ));
        }
    }
    let extra: Vec<&String> = found_ids
        .iter()
        .filter(|t| !declared_ids.iter().any(|d| equivalent::same_license(d, t)))
        .collect();
    if extra.is_empty() {
        return d.to_string();
    }
    if let Some(guess) = guessed(c) {
        // A name without a version ("Artistic License") was read as one version of the
        // family: where the files say otherwise, they decide.
        if let Some(t) = files_decide(c, found_ids) {
            c.notes.push(format!(
                "declared `{}` read as `{d}` was a guess ({guess}); the license files \
                 show `{t}`: concluded from the files",
                c.declared_raw.as_deref().unwrap_or_default()
            ));
            return t;
        }
    }
    let choice = top_level_or(d);
    let license_files: BTreeSet<&str> = c
        .evidence
        .iter()
        .filter(|e| !is_readme(&e.path) && !is_third_party_notice(&e.path))
        .map(|e| e.path.as_str())
        .collect();
    // A text that offers the declared license as one branch of a choice ("dual-licensed
    // under the ISC and MIT licenses. You may use this software under EITHER", npm's
    // abbrev, declared ISC) grants the other branch as an alternative, not as a term.
    let offers_declared = |e: &Evidence| {
        top_level_or(&e.expression)
            && ids(&e.expression)
                .iter()
                .any(|i| declared_ids.iter().any(|d| equivalent::same_license(d, i)))
    };
    let binds = |t: &str| {
        c.evidence.iter().any(|e| {
            is_full_text(e)
                && ids(&e.expression).contains(t)
                && !is_readme(&e.path)
                && !is_third_party_notice(&e.path)
                && !(choice && license_files.len() > 1 && is_branch_file(&e.path))
                && !offers_declared(e)
        })
    };
    let (binding, open): (Vec<&String>, Vec<&String>) = extra.into_iter().partition(|t| binds(t));
    let mut parts = vec![wrap(d)];
    for t in &binding {
        let texts: Vec<String> = locations(&c.evidence, t)
            .into_iter()
            .filter(|(k, _)| *k == MatchKind::Text)
            .map(|(_, l)| l)
            .collect();
        c.review.push(format!(
            "declared `{d}` but the full {t} text is in {}; concluded with `{t}` as a term \
             of its own",
            texts.join(", ")
        ));
        parts.push(t.to_string());
    }
    for t in &open {
        c.review.push(format!(
            "declared `{d}`; {} also names {t} ({}), not added to the conclusion: decide \
             whether it binds",
            location_list(&c.evidence, t),
            why_not_binding(
                &c.evidence,
                t,
                choice && license_files.len() > 1,
                &offers_declared
            )
        ));
    }
    if binding.is_empty() {
        return d.to_string();
    }
    parts.join(" AND ")
}

/// What the files say when a guessed declaration disagrees with them: the detected
/// expression when one choice in them names every license they show (text-unidecode's
/// "GPL or GPLv2+ ... or Artistic License" over the Artistic text), else the licenses
/// whose full text is there, each the rest a review item. None when no text binds: the
/// guess then stands, reviewed like any declaration.
fn files_decide(c: &mut Component, found_ids: &BTreeSet<String>) -> Option<String> {
    let t = c.detected.clone()?;
    if top_level_or(&t) {
        return Some(t);
    }
    let binding: Vec<&String> = found_ids
        .iter()
        .filter(|id| {
            c.evidence.iter().any(|e| {
                is_full_text(e)
                    && ids(&e.expression).contains(*id)
                    && !is_readme(&e.path)
                    && !is_third_party_notice(&e.path)
            })
        })
        .collect();
    if binding.is_empty() {
        return None;
    }
    for id in found_ids.iter().filter(|i| !binding.contains(i)) {
        c.review.push(format!(
            "{} also names {id} ({}), not added to the conclusion: decide whether it binds",
            location_list(&c.evidence, id),
            why_not_binding(&c.evidence, id, false, &|_| false)
        ));
    }
    let parts: Vec<&str> = binding.iter().map(|s| s.as_str()).collect();
    Some(parts.join(" AND "))
}

/// The `License ::` trove classifiers a declaration was made of (python's metadata
/// reader keeps them as written, `; `-separated), or None for any other declaration.
fn classifiers(raw: &str) -> Option<Vec<&str>> {
    let list: Vec<&str> = raw.split("; ").map(str::trim).collect();
    list.iter()
        .all(|c| c.starts_with("License ::"))
        .then_some(list)
}

/// A declaration from trove classifiers: each mapped to an SPDX id where one fits, the
/// ids joined with OR (PyPI's reading of several), and said to be a guess.
fn from_classifiers(list: &[&str]) -> expression::Normalized {
    let mut ids: Vec<String> = Vec::new();
    let mut unmapped: Vec<&str> = Vec::new();
    for cl in list {
        match expression::classifier_to_id(cl) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => unmapped.push(cl),
        }
    }
    let expr = if ids.is_empty() {
        NOASSERTION.to_string()
    } else {
        ids.join(" OR ")
    };
    let mut fixups = vec![format!(
        "read from trove classifiers as `{expr}`: a guess (a classifier names a license \
         family, not a version)"
    )];
    if !unmapped.is_empty() {
        fixups.push(format!(
            "{} name{} no SPDX license",
            unmapped
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if unmapped.len() == 1 { "s" } else { "" }
        ));
    }
    expression::Normalized {
        expression: expr,
        fixups,
        license_refs: Vec::new(),
    }
}

/// Below this a text match is a likeness, not the license.
const BINDING_SCORE: f32 = 0.9;

/// Fewer lines than this are a sentence ("Test code is dedicated to the Public Domain"),
/// however exactly a short rule matched it.
const MIN_TEXT_LINES: u32 = 3;

/// A license text that can bind: a text match, close, of some length.
fn is_full_text(e: &Evidence) -> bool {
    e.kind == MatchKind::Text
        && e.score >= BINDING_SCORE
        && e.end_line.saturating_sub(e.start_line) + 1 >= MIN_TEXT_LINES
}

/// Why the evidence for `t` does not bind: what kind of evidence it is.
fn why_not_binding(
    evidence: &[Evidence],
    t: &str,
    choice_files: bool,
    offers_declared: &dyn Fn(&Evidence) -> bool,
) -> &'static str {
    let of_t = || evidence.iter().filter(|e| ids(&e.expression).contains(t));
    if of_t().any(is_full_text) {
        if of_t().filter(|e| is_full_text(e)).all(offers_declared) {
            "a text that offers it as a choice beside the declared license"
        } else if choice_files {
            "the text of a file named for one branch of the declared choice"
        } else {
            "a text in a third-party notice or README"
        }
    } else if of_t().any(|e| e.kind == MatchKind::Text && e.score < BINDING_SCORE) {
        "a text that only resembles it"
    } else {
        "a sentence or notice, not the license text"
    }
}

/// `path:start-end` of every piece of evidence that names `t`, with its kind, in order,
/// once each.
fn locations(evidence: &[Evidence], t: &str) -> Vec<(MatchKind, String)> {
    let mut out: Vec<(MatchKind, String)> = Vec::new();
    for e in evidence.iter().filter(|e| ids(&e.expression).contains(t)) {
        let l = format!("{}:{}-{}", e.path, e.start_line, e.end_line);
        if !out.iter().any(|(_, x)| *x == l) {
            out.push((e.kind, l));
        }
    }
    out
}

fn location_list(evidence: &[Evidence], t: &str) -> String {
    let l: Vec<String> = locations(evidence, t).into_iter().map(|(_, l)| l).collect();
    l.join(", ")
}

/// The reading of a declaration that picked a version the words do not name
/// ("`Artistic License` read as `Artistic-2.0`"), if it was one.
fn guessed(c: &Component) -> Option<String> {
    let raw = c.declared_raw.as_deref()?;
    if classifiers(raw).is_some() {
        return Some("trove classifiers name license families, not versions".into());
    }
    let n = expression::normalize(raw);
    n.fixups.into_iter().find(|f| {
        let Some((said, read)) = f
            .strip_prefix('`')
            .and_then(|f| f.split_once("` read as `"))
        else {
            return false;
        };
        !said.chars().any(|ch| ch.is_ascii_digit()) && read.chars().any(|ch| ch.is_ascii_digit())
    })
}

/// Whether the expression is a choice at its top level (`A OR B`, not `A AND (B OR C)`).
fn top_level_or(expr: &str) -> bool {
    let mut depth = 0i32;
    let b = expr.as_bytes();
    for (i, ch) in b.iter().enumerate() {
        match ch {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && b[i..].starts_with(b" OR ") => return true,
            _ => {}
        }
    }
    false
}

/// A license file named for one license of several (`LICENSE.BSD`, `LICENSE-MIT`,
/// `COPYING.LGPL`), not the plain `LICENSE`, `LICENSE.txt`, `COPYING.md`, nor a file of
/// another name (`COPYRIGHT`, `NOTICE`).
fn is_branch_file(path: &str) -> bool {
    let name = file_name(path).to_ascii_uppercase();
    let (stem, ext) = match name.split_once(['.', '-', '_']) {
        Some((s, e)) => (s, e),
        None => (name.as_str(), ""),
    };
    let license_stem = matches!(stem, "LICENSE" | "LICENCE" | "COPYING");
    let plain_ext = matches!(ext, "" | "TXT" | "MD" | "RST" | "MARKDOWN");
    license_stem && !plain_ext
}

fn is_readme(path: &str) -> bool {
    file_name(path).to_ascii_uppercase().starts_with("README")
}

/// NOTICE files, THIRD-PARTY-NOTICES, ThirdPartyNotices.txt, LICENSE-THIRD-PARTY, CREDITS.
fn is_third_party_notice(path: &str) -> bool {
    let name = file_name(path)
        .to_ascii_uppercase()
        .replace(['-', '_', ' '], "");
    name.starts_with("NOTICE")
        || name.contains("THIRDPARTY")
        || name.contains("3RDPARTY")
        || name.starts_with("CREDITS")
}

/// One expression for the evidence: a single expression as it is; several joined with AND,
/// but an expression (a reference or tag like `Apache-2.0 OR MIT`) that names every license
/// the texts show stands for all of them.
fn detected_expression(exprs: &[String], all_ids: &BTreeSet<String>) -> Option<String> {
    // Compared as licenses, not spellings: BSD-2-Clause and BSD-2-Clause-Views are one.
    let canon = |set: &BTreeSet<String>| -> BTreeSet<String> {
        set.iter()
            .map(|i| equivalent::canonical(i).to_string())
            .collect()
    };
    match exprs.len() {
        0 => None,
        1 => Some(exprs[0].clone()),
        _ => {
            let all = canon(all_ids);
            if let Some(cover) = exprs
                .iter()
                .find(|e| e.contains(" OR ") && canon(&ids(e)) == all)
            {
                return Some(cover.clone());
            }
            // Single ids that a compound part (or an earlier spelling) already names add
            // nothing.
            let mut named: BTreeSet<String> = exprs
                .iter()
                .filter(|e| e.contains(' '))
                .flat_map(|e| canon(&ids(e)))
                .collect();
            let mut parts: Vec<String> = Vec::new();
            for e in exprs {
                let w = wrap(e);
                if parts.contains(&w) {
                    continue;
                }
                if !e.contains(' ') && !named.insert(equivalent::canonical(e).to_string()) {
                    continue;
                }
                parts.push(w);
            }
            Some(parts.join(" AND "))
        }
    }
}

fn wrap(e: &str) -> String {
    if e.contains(" OR ") || e.contains(" AND ") {
        format!("({e})")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplier_from_the_repository_owner() {
        let c = |homepage: Option<&str>, purl: Option<&str>| Component {
            homepage: homepage.map(str::to_string),
            purl: purl.map(str::to_string),
            ..Default::default()
        };
        let owner = |h, p| repository_owner(&c(h, p));
        assert_eq!(
            owner(Some("https://github.com/tokio-rs/axum"), None).as_deref(),
            Some("github.com/tokio-rs")
        );
        assert_eq!(
            owner(Some("git+ssh://git@gitlab.com/group/x.git"), None).as_deref(),
            Some("gitlab.com/group")
        );
        assert_eq!(
            owner(Some("git@github.com:rust-cli/anstyle.git"), None).as_deref(),
            Some("github.com/rust-cli")
        );
        assert_eq!(
            owner(
                None,
                Some("pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible")
            )
            .as_deref(),
            Some("github.com/docker")
        );
        assert_eq!(
            owner(Some("https://rust-lang.github.io/futures-rs"), None).as_deref(),
            Some("github.com/rust-lang")
        );
        assert_eq!(owner(Some("https://docs.rs/serde"), None), None);
        assert_eq!(
            npm_scope(&c(None, Some("pkg:npm/%40babel/core@7.24.0"))).as_deref(),
            Some("@babel")
        );
        assert_eq!(npm_scope(&c(None, Some("pkg:npm/chalk@4.1.2"))), None);
        assert_eq!(
            maven_group(&c(
                None,
                Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1")
            ))
            .as_deref(),
            Some("org.apache.logging.log4j")
        );
        assert_eq!(owner(Some("https://github.com/"), None), None);
    }

    fn ev(expr: &str, kind: MatchKind, path: &str) -> Evidence {
        Evidence {
            expression: expr.into(),
            kind,
            path: path.into(),
            start_line: 1,
            end_line: 20,
            score: 1.0,
            sha256: None,
        }
    }

    fn comp(declared: Option<&str>) -> Component {
        Component {
            bom_ref: "pkg:cargo/x@1.0.0".into(),
            declared_raw: declared.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn agreeing_declaration_is_concluded() {
        let mut c = comp(Some("MIT/Apache-2.0"));
        conclude(
            &mut c,
            vec![
                ev("MIT", MatchKind::Text, "LICENSE-MIT"),
                ev("Apache-2.0", MatchKind::Text, "LICENSE-APACHE"),
            ],
        );
        assert_eq!(c.declared.as_deref(), Some("MIT OR Apache-2.0"));
        assert_eq!(c.detected.as_deref(), Some("Apache-2.0 AND MIT"));
        assert_eq!(c.concluded, "MIT OR Apache-2.0");
        assert!(c.review.is_empty());
        assert!(!c.notes.is_empty(), "the `/` fix-up is recorded");
    }

    #[test]
    fn disagreement_adds_the_missing_license_and_flags_review() {
        let mut c = comp(Some("MIT"));
        conclude(
            &mut c,
            vec![
                ev("MIT", MatchKind::Text, "LICENSE"),
                ev("GPL-3.0-only", MatchKind::Text, "COPYING"),
            ],
        );
        assert_eq!(c.concluded, "MIT AND GPL-3.0-only");
        assert_eq!(c.review.len(), 1);
        assert!(c.review[0].contains("COPYING"), "{:?}", c.review);
    }

    #[test]
    fn gnu_text_agrees_with_either_or_later_or_only() {
        let mut c = comp(Some("GPL-2.0-or-later"));
        conclude(&mut c, vec![ev("GPL-2.0-only", MatchKind::Text, "COPYING")]);
        assert_eq!(c.concluded, "GPL-2.0-or-later");
        assert!(c.review.is_empty());
    }

    #[test]
    fn nothing_known_is_noassertion_and_a_known_unknown() {
        let mut c = comp(None);
        conclude(&mut c, vec![]);
        assert_eq!(c.concluded, NOASSERTION);
        assert!(c.review[0].contains("known unknown"));
    }

    #[test]
    fn detected_only_and_dual_reference() {
        let mut c = comp(None);
        conclude(
            &mut c,
            vec![
                ev("MIT", MatchKind::Text, "LICENSE-MIT"),
                ev("Apache-2.0", MatchKind::Text, "LICENSE-APACHE"),
                ev("Apache-2.0 OR MIT", MatchKind::Reference, "README.md"),
            ],
        );
        assert_eq!(c.concluded, "Apache-2.0 OR MIT");
    }

    #[test]
    fn unparseable_declaration_yields_to_the_files() {
        let mut c = comp(Some("SEE LICENSE IN LICENSE.txt"));
        conclude(&mut c, vec![ev("ISC", MatchKind::Text, "LICENSE.txt")]);
        assert!(c.declared.as_deref().unwrap().starts_with("LicenseRef-"));
        assert_eq!(c.concluded, "ISC");
    }

    #[test]
    fn third_party_notices_do_not_change_the_conclusion() {
        let mut c = comp(Some("Apache-2.0"));
        conclude(
            &mut c,
            vec![
                ev("Apache-2.0", MatchKind::Text, "LICENSE.txt"),
                ev("MIT", MatchKind::Text, "ThirdPartyNoticeText.txt"),
            ],
        );
        assert_eq!(c.concluded, "Apache-2.0");
        assert!(c.review.is_empty());
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains("bundles third-party code under MIT")),
            "{:?}",
            c.notes
        );
        assert_eq!(c.evidence.len(), 2, "the notice stays as evidence");
    }

    #[test]
    fn readme_mentions_do_not_outweigh_license_files() {
        let mut c = comp(Some("BSD-3-Clause"));
        conclude(
            &mut c,
            vec![
                ev("BSD-3-Clause", MatchKind::Text, "LICENSE"),
                ev("GPL-2.0-only", MatchKind::Reference, "Readme.md"),
            ],
        );
        assert_eq!(c.concluded, "BSD-3-Clause");
        assert!(c.review.is_empty(), "{:?}", c.review);
        // Without any license file, the README is the evidence.
        let mut c = comp(None);
        conclude(&mut c, vec![ev("MIT", MatchKind::Reference, "README.md")]);
        assert_eq!(c.concluded, "MIT");
    }

    #[test]
    fn a_choice_keeps_its_branches_and_a_branch_file_is_not_another_obligation() {
        // Declared as a choice, with a file named for one branch holding a text the
        // declaration does not name: a review item, not `(...) AND BSD-3-Clause`.
        let mut c = comp(Some("BSD-2-Clause OR MIT"));
        conclude(
            &mut c,
            vec![
                ev("BSD-3-Clause", MatchKind::Text, "LICENSE.BSD"),
                ev("MIT", MatchKind::Text, "LICENSE.MIT"),
            ],
        );
        assert_eq!(c.concluded, "BSD-2-Clause OR MIT");
        assert_eq!(c.review.len(), 1, "{:?}", c.review);
        assert!(
            c.review[0].contains("LICENSE.BSD:1-20 also names BSD-3-Clause"),
            "{:?}",
            c.review
        );
        // The same text in the plain LICENSE binds: its own term, with file and lines.
        let mut c = comp(Some("BSD-2-Clause OR MIT"));
        conclude(
            &mut c,
            vec![
                ev("MIT", MatchKind::Text, "LICENSE.MIT"),
                ev("BSD-3-Clause", MatchKind::Text, "LICENSE"),
            ],
        );
        assert_eq!(c.concluded, "(BSD-2-Clause OR MIT) AND BSD-3-Clause");
        assert!(c.review[0].contains("the full BSD-3-Clause text is in LICENSE:1-20"));
    }

    #[test]
    fn a_sentence_or_a_likeness_does_not_bind() {
        let mut c = comp(Some("MIT"));
        let mut weak = ev("BSD-3-Clause-Open-MPI", MatchKind::Text, "LICENSE");
        weak.score = 0.78;
        conclude(
            &mut c,
            vec![
                ev("MIT", MatchKind::Text, "LICENSE"),
                ev("GPL-2.0-only", MatchKind::Reference, "LICENSE"),
                weak,
            ],
        );
        assert_eq!(c.concluded, "MIT");
        assert_eq!(c.review.len(), 2, "{:?}", c.review);
        assert!(c
            .review
            .iter()
            .any(|r| r.contains("a text that only resembles it")));
        assert!(c.review.iter().any(|r| r.contains("a sentence or notice")));
    }

    #[test]
    fn equivalent_spellings_are_detected_once() {
        let mut c = comp(None);
        conclude(
            &mut c,
            vec![
                ev("BSD-2-Clause", MatchKind::Text, "LICENSE"),
                ev("BSD-2-Clause-Views", MatchKind::Text, "COPYING"),
            ],
        );
        assert_eq!(c.concluded, "BSD-2-Clause");
    }

    #[test]
    fn a_cla_beside_a_license_is_dropped_from_the_expression() {
        assert_eq!(
            without_cla("LicenseRef-scancode-generic-cla AND MIT").as_deref(),
            Some("MIT")
        );
        assert_eq!(without_cla("MIT"), None);
        assert_eq!(
            without_cla("MIT OR LicenseRef-scancode-generic-cla"),
            None,
            "a choice is left to the wording rules"
        );
    }
}
