//! SPDX 2.2 / 2.3 (JSON and tag-value) into the model.
//!
//! Both encodings are read into one set of lenient serde types (JSON directly, tag-value
//! by a small line parser), then mapped once: one component per package, files with their
//! licenses and checksums (and the package that contains them), the dependency graph from
//! the dependency relationships. Each package, file and relationship is read on its own,
//! so one malformed entry is counted, not fatal.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{anyhow, Result};
use serde::Deserialize;
use serde_json::Value;

use super::{
    and_all, ecosystem_of, fallback_ref, hash_alg, json_error, lenient_string, lenient_vec,
    read_license, Losses, RefMaker,
};
use crate::model::{
    Component, Edge, FileRecord, Hash, LicenseMatch, MatchKind, Scan, Scope, Severity, Tool,
    NOASSERTION, NONE, SCAN_FORMAT_VERSION,
};

const SUPPORTED: &[&str] = &["SPDX-2.2", "SPDX-2.3"];

/// Read an SPDX JSON document (`shown` names the file in messages).
pub fn read_json(text: &str, shown: &str) -> Result<Scan> {
    let raw: RawDoc =
        serde_json::from_str(text).map_err(|e| json_error(shown, "SPDX JSON document", e))?;
    let mut losses = Losses::default();
    let mut doc = Doc {
        version: raw.spdx_version,
        id: raw.spdxid,
        name: raw.name,
        describes: raw.document_describes,
        snippets: raw.snippets.len(),
        annotations: raw.annotations.len(),
        extracted: raw.has_extracted_licensing_infos.len(),
        extracted_texts: raw
            .has_extracted_licensing_infos
            .iter()
            .filter_map(|e| {
                let id = e.get("licenseId")?.as_str()?.trim();
                let text = e.get("extractedText")?.as_str()?;
                Some((id.to_string(), text.to_string()))
            })
            .collect(),
        external_documents: raw.external_document_refs.len(),
        ..Default::default()
    };
    doc.packages = entries(raw.packages, "packages", &mut losses);
    doc.files = entries::<File>(raw.files, "files", &mut losses)
        .into_iter()
        .map(|f| (f, None))
        .collect();
    doc.relationships = entries(raw.relationships, "relationships", &mut losses);
    Ok(map_doc(doc, shown, losses))
}

/// Read an SPDX tag-value document (`shown` names the file in messages).
pub fn read_tag_value(text: &str, shown: &str) -> Result<Scan> {
    let doc = tag_value::parse(text).map_err(|(line, msg)| {
        anyhow!("{shown}: line {line}: not a valid SPDX tag-value document: {msg}")
    })?;
    Ok(map_doc(doc, shown, Losses::default()))
}

/// Each entry on its own: a malformed one is counted, the rest still read.
fn entries<T: for<'de> Deserialize<'de>>(
    raw: Vec<Value>,
    what: &str,
    losses: &mut Losses,
) -> Vec<T> {
    raw.into_iter()
        .filter_map(|v| match serde_json::from_value(v) {
            Ok(t) => Some(t),
            Err(e) => {
                losses.warn(format!("{what} that could not be read ({e})"), 1);
                None
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The document, as far as ospo reads it. Every field optional; unknown fields counted.

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct RawDoc {
    #[serde(deserialize_with = "lenient_string")]
    spdx_version: Option<String>,
    #[serde(rename = "SPDXID", deserialize_with = "lenient_string")]
    spdxid: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    document_describes: Vec<String>,
    #[serde(deserialize_with = "lenient_vec")]
    packages: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    files: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    snippets: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    relationships: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    annotations: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    has_extracted_licensing_infos: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    external_document_refs: Vec<Value>,
}

/// Both encodings, read.
#[derive(Debug, Default)]
struct Doc {
    version: Option<String>,
    id: Option<String>,
    name: Option<String>,
    describes: Vec<String>,
    packages: Vec<Package>,
    /// Each file with the package it follows in a tag-value document.
    files: Vec<(File, Option<String>)>,
    relationships: Vec<Relationship>,
    snippets: usize,
    annotations: usize,
    extracted: usize,
    /// LicenseRef- id -> its extracted text (hasExtractedLicensingInfos).
    extracted_texts: BTreeMap<String, String>,
    external_documents: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID", deserialize_with = "lenient_string")]
    spdxid: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    version_info: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    supplier: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    download_location: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    homepage: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    license_declared: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    license_concluded: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    license_info_from_files: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    copyright_text: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    checksums: Vec<Checksum>,
    #[serde(deserialize_with = "lenient_vec")]
    external_refs: Vec<ExternalRef>,
    #[serde(deserialize_with = "lenient_vec")]
    has_files: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    comment: Option<String>,
    /// Everything else the package says, by field name.
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

/// Fields that say nothing the model lacks: derived from the files, or bookkeeping.
const DERIVED: &[&str] = &["filesAnalyzed", "packageVerificationCode", "FilesAnalyzed"];

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct File {
    #[serde(rename = "SPDXID", deserialize_with = "lenient_string")]
    spdxid: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    file_name: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    checksums: Vec<Checksum>,
    #[serde(deserialize_with = "lenient_string")]
    license_concluded: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    license_info_in_files: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    copyright_text: Option<String>,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Checksum {
    #[serde(deserialize_with = "lenient_string")]
    algorithm: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    checksum_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ExternalRef {
    #[serde(deserialize_with = "lenient_string")]
    reference_category: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    reference_type: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    reference_locator: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Relationship {
    #[serde(deserialize_with = "lenient_string")]
    spdx_element_id: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    relationship_type: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    related_spdx_element: Option<String>,
}

/// "Organization: X" -> "X"; "Person: Jane (jane@x.org)" -> "Jane <jane@x.org>", the
/// way manifests write a person.
fn supplier_name(s: &str) -> String {
    if let Some(p) = s.strip_prefix("Person:") {
        let p = p.trim();
        if let Some((name, rest)) = p.rsplit_once(" (") {
            if let Some(mail) = rest.strip_suffix(')').filter(|m| m.contains('@')) {
                return format!("{} <{mail}>", name.trim());
            }
        }
        return p.to_string();
    }
    ["Organization:", "Tool:"]
        .iter()
        .find_map(|pre| s.strip_prefix(pre))
        .unwrap_or(s)
        .trim()
        .to_string()
}

// ---------------------------------------------------------------------------------------
// Mapping into the model.

/// NOASSERTION and NONE say nothing is known: absent.
fn known(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.eq_ignore_ascii_case(NOASSERTION) && !s.eq_ignore_ascii_case(NONE))
        .map(str::to_string)
}

/// How a relationship type bears on the dependency graph.
enum Rel {
    /// element -> related
    Forward,
    /// related -> element, and the element's scope, if the type says one
    Reverse(Option<Scope>),
}

fn relation(kind: &str) -> Option<Rel> {
    Some(match kind {
        "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" | "HAS_PREREQUISITE" => {
            Rel::Forward
        }
        "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" | "BUILD_DEPENDENCY_OF" => {
            Rel::Reverse(Some(Scope::Dev))
        }
        "OPTIONAL_DEPENDENCY_OF" => Rel::Reverse(Some(Scope::Optional)),
        "DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "PREREQUISITE_FOR" => Rel::Reverse(None),
        _ => return None,
    })
}

/// The document's packages as components, in document order, with what the later phases
/// need to find them again.
#[derive(Default)]
struct Packages {
    components: Vec<Component>,
    /// SPDXID -> index in `components`.
    by_id: HashMap<String, usize>,
    /// (component, its package's copyrightText), placed once the files are known.
    copyrights: Vec<(usize, String)>,
    /// (component, SPDXID of a file its package lists in hasFiles).
    has_files: Vec<(usize, String)>,
}

/// What the relationships say: the dependency graph, the described packages, scopes
/// implied by reverse relationships (DEV_DEPENDENCY_OF ...), and which package owns
/// which file (by the file's index in the document).
#[derive(Default)]
struct Relations {
    graph: BTreeMap<usize, BTreeSet<usize>>,
    described: Vec<usize>,
    scopes: HashMap<usize, Scope>,
    file_owner: HashMap<usize, usize>,
    /// Packages that `DEPENDS_ON NOASSERTION`: their dependency list is incomplete.
    incomplete: Vec<usize>,
}

/// The whole document into the model, in phases: its packages, its relationships, the
/// project it describes, its files, then what could not be carried over.
fn map_doc(doc: Doc, shown: &str, mut losses: Losses) -> Scan {
    check_version(doc.version.as_deref(), &mut losses);
    let doc_id = doc.id.clone().unwrap_or_else(|| "SPDXRef-DOCUMENT".into());
    // Unread fields, by "package x" / "file x", reported as one tally at the end.
    let mut field_losses: BTreeMap<String, usize> = BTreeMap::new();
    let Doc {
        name: doc_name,
        describes,
        packages,
        files: doc_files,
        relationships,
        extracted_texts,
        snippets,
        annotations,
        extracted,
        external_documents,
        ..
    } = doc;
    let Packages {
        mut components,
        by_id,
        copyrights,
        has_files,
    } = map_packages(packages, &extracted_texts, &mut losses, &mut field_losses);
    let file_ids: HashMap<String, usize> = doc_files
        .iter()
        .enumerate()
        .filter_map(|(i, (f, _))| f.spdxid.clone().map(|id| (id, i)))
        .rev()
        .collect();
    let rel = map_relationships(
        &relationships,
        &describes,
        &doc_id,
        &by_id,
        &file_ids,
        has_files,
        &mut losses,
    );
    let project = pick_project(rel.described, &components, &mut losses);
    for (i, s) in rel.scopes {
        if Some(i) != project {
            components[i].scope = Some(s);
        }
    }
    for i in rel.incomplete {
        components[i].dependencies_complete = Some(false);
    }
    let files = map_files(
        doc_files,
        &rel.file_owner,
        &by_id,
        &components,
        &extracted_texts,
        &mut losses,
        &mut field_losses,
    );
    attach_package_copyrights(&mut components, copyrights, &files);
    if !field_losses.is_empty() {
        let n = field_losses.values().sum();
        let list: Vec<String> = field_losses
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        losses.info(format!("fields: {}", list.join(", ")), n);
    }
    losses.warn("snippets", snippets);
    losses.info("annotations", annotations);
    losses.info(
        "extracted license texts (hasExtractedLicensingInfos; their LicenseRef- ids are kept)",
        extracted,
    );
    losses.info("external document references", external_documents);

    let dependencies = rel
        .graph
        .into_iter()
        .map(|(from, to)| Edge {
            from: components[from].bom_ref.clone(),
            to: to
                .into_iter()
                .map(|t| components[t].bom_ref.clone())
                .collect(),
        })
        .collect();
    Scan {
        format_version: SCAN_FORMAT_VERSION,
        tool: Tool::current(crate::licensedb::LICENSE_LIST_VERSION),
        root: doc_name.unwrap_or_else(|| shown.to_string()),
        summary: Default::default(),
        project: project.map(|p| components[p].bom_ref.clone()),
        files,
        components,
        dependencies,
        diagnostics: losses.into_diagnostics(shown),
        texts: Default::default(),
        image: None,
    }
}

fn check_version(version: Option<&str>, losses: &mut Losses) {
    match version {
        Some(v) if SUPPORTED.contains(&v) => {}
        Some(v) => losses.note(
            Severity::Warning,
            format!("{v} is not a supported version (SPDX-2.2, SPDX-2.3): read as far as it goes, check the result"),
        ),
        None => losses.note(Severity::Warning, "the document names no spdxVersion: read as SPDX-2.3"),
    }
}

/// Phase 1: every package with a name becomes a component.
fn map_packages(
    packages: Vec<Package>,
    extracted_texts: &BTreeMap<String, String>,
    losses: &mut Losses,
    field_losses: &mut BTreeMap<String, usize>,
) -> Packages {
    let mut refs = RefMaker::default();
    let mut out = Packages::default();
    for p in packages {
        let Some(name) = p.name.clone() else {
            losses.warn("packages without a name (malformed)", 1);
            continue;
        };
        for k in p.other.keys().filter(|k| !DERIVED.contains(&k.as_str())) {
            *field_losses.entry(format!("package {k}")).or_default() += 1;
        }
        let idx = out.components.len();
        if let Some(id) = &p.spdxid {
            out.by_id.entry(id.clone()).or_insert(idx);
        }
        if let Some(c) = known(&p.copyright_text) {
            out.copyrights.push((idx, c));
        }
        out.has_files
            .extend(p.has_files.iter().map(|f| (idx, f.clone())));
        let c = package_component(p, name, &mut refs, extracted_texts, losses);
        out.components.push(c);
    }
    out
}

/// One package as a component: purl, version, licenses (declared, concluded, from its
/// files), hashes, and the review reasons and notes an ospo-written comment carries.
fn package_component(
    p: Package,
    name: String,
    refs: &mut RefMaker,
    extracted_texts: &BTreeMap<String, String>,
    losses: &mut Losses,
) -> Component {
    let purls: Vec<String> = p
        .external_refs
        .iter()
        .filter(|r| {
            r.reference_type.as_deref() == Some("purl")
                && matches!(
                    r.reference_category.as_deref(),
                    Some("PACKAGE-MANAGER" | "PACKAGE_MANAGER")
                )
        })
        .filter_map(|r| r.reference_locator.clone())
        .collect();
    losses.info(
        "external references other than a package-manager purl",
        p.external_refs.len() - purls.len().min(1),
    );
    let purl = purls.first().cloned();
    let version = known(&p.version_info);
    let bom_ref = refs.unique(&fallback_ref(purl.as_deref(), &name, version.as_deref()));
    let declared_read = known(&p.license_declared).and_then(|l| read_license(&l));
    let concluded_read = known(&p.license_concluded).and_then(|l| read_license(&l));
    let mut notes = Vec::new();
    let mut declared_raw = None;
    if let Some(d) = &declared_read {
        if d.raw.is_some() {
            notes.extend(d.notes.clone());
            declared_raw = d.raw.clone();
        }
    }
    let declared = declared_read.map(|d| d.expression);
    // An ospo-written LicenseRef- keeps the manifest's own words as its extracted text.
    if declared_raw.is_none() {
        declared_raw = declared
            .iter()
            .flat_map(|d| crate::expression::license_ids(d))
            .find_map(|id| extracted_texts.get(&id).cloned());
    }
    let mut review = Vec::new();
    read_comment(p.comment.as_deref(), &mut review, &mut notes);
    let concluded = match concluded_read {
        Some(c) => c.expression,
        None => declared.clone().unwrap_or_else(|| NOASSERTION.into()),
    };
    let from_files: Vec<String> = p
        .license_info_from_files
        .iter()
        .filter_map(|l| read_license(l))
        .map(|r| r.expression)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut hashes = Vec::new();
    for c in &p.checksums {
        match (&c.algorithm, &c.checksum_value) {
            (Some(a), Some(v)) => hashes.push(Hash {
                alg: hash_alg(a),
                value: v.trim().to_string(),
            }),
            _ => losses.warn("checksums without algorithm or value (malformed)", 1),
        }
    }
    if known(&p.download_location).is_some() {
        losses.info("package download locations", 1);
    }
    Component {
        bom_ref,
        name,
        version,
        ecosystem: ecosystem_of(purl.as_deref()),
        purl,
        path: None,
        declared_raw,
        declared,
        detected: and_all(&from_files),
        concluded,
        evidence: Vec::new(),
        hashes,
        scope: None,
        supplier: known(&p.supplier).map(|s| supplier_name(&s)),
        homepage: known(&p.homepage),
        review,
        notes,
        install_scripts: Vec::new(),
        copyrights: Vec::new(),
        layer: None,
        parent: None,
        dependencies_complete: None,
    }
}

/// ospo writes review reasons as "Review: ..." lines and resolver notes as the other
/// lines of the package comment, after the two lines it states unknowns with.
fn read_comment(comment: Option<&str>, review: &mut Vec<String>, notes: &mut Vec<String>) {
    for line in comment.into_iter().flat_map(str::lines).map(str::trim) {
        if line.is_empty()
            || line.starts_with("License unknown: ")
            || line.starts_with("Version unknown: ")
        {
            continue;
        }
        match line.strip_prefix("Review: ") {
            Some(r) => review.push(r.to_string()),
            None => notes.push(line.to_string()),
        }
    }
}

/// Phase 2: the relationships: the graph, which package contains which file, what the
/// document describes; every kind of relationship the model has no place for is tallied.
fn map_relationships(
    relationships: &[Relationship],
    describes: &[String],
    doc_id: &str,
    by_id: &HashMap<String, usize>,
    file_ids: &HashMap<String, usize>,
    has_files: Vec<(usize, String)>,
    losses: &mut Losses,
) -> Relations {
    let mut rel = Relations {
        described: describes
            .iter()
            .filter_map(|d| by_id.get(d).copied())
            .collect(),
        ..Default::default()
    };
    for (pkg, fid) in has_files {
        if let Some(&fi) = file_ids.get(&fid) {
            rel.file_owner.entry(fi).or_insert(pkg);
        }
    }
    let mut lost_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut external = 0usize;
    for r in relationships {
        let (Some(a), Some(kind), Some(b)) = (
            r.spdx_element_id.as_deref(),
            r.relationship_type.as_deref(),
            r.related_spdx_element.as_deref(),
        ) else {
            losses.warn("relationships missing an element or a type (malformed)", 1);
            continue;
        };
        let kind = kind.trim().to_ascii_uppercase();
        if b == NOASSERTION && kind == "DEPENDS_ON" {
            // ospo's way (and SPDX's) to say a package's dependencies are not all known.
            if let Some(&x) = by_id.get(a) {
                rel.incomplete.push(x);
            }
            continue;
        }
        if b == NONE || b == NOASSERTION {
            // "depends on nothing" / "unknown": a statement, nothing to carry.
            if relation(&kind).is_none() && kind != "DESCRIBES" {
                *lost_types.entry(kind).or_default() += 1;
            }
            continue;
        }
        if a.starts_with("DocumentRef-") || b.starts_with("DocumentRef-") {
            external += 1;
            continue;
        }
        match kind.as_str() {
            "DESCRIBES" if a == doc_id => {
                // A described file or the document itself says nothing about the project.
                if let Some(&p) = by_id.get(b) {
                    rel.described.push(p);
                }
                continue;
            }
            "DESCRIBED_BY" if b == doc_id => {
                if let Some(&p) = by_id.get(a) {
                    rel.described.push(p);
                }
                continue;
            }
            _ => {}
        }
        let (pa, pb) = (by_id.get(a).copied(), by_id.get(b).copied());
        match (relation(&kind), pa, pb) {
            (Some(Rel::Forward), Some(x), Some(y)) => {
                rel.graph.entry(x).or_default().insert(y);
            }
            (Some(Rel::Reverse(scope)), Some(x), Some(y)) => {
                rel.graph.entry(y).or_default().insert(x);
                if let Some(s) = scope {
                    rel.scopes.entry(x).or_insert(s);
                }
            }
            (Some(_), Some(x), _) if kind == "CONTAINS" && file_ids.contains_key(b) => {
                rel.file_owner.insert(file_ids[b], x);
            }
            (Some(_), _, Some(y)) if kind == "CONTAINED_BY" && file_ids.contains_key(a) => {
                rel.file_owner.insert(file_ids[a], y);
            }
            _ => {
                *lost_types.entry(kind).or_default() += 1;
            }
        }
    }
    if !lost_types.is_empty() {
        let n = lost_types.values().sum();
        let list: Vec<String> = lost_types
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        losses.warn(
            format!(
                "relationships that are not package dependencies or file containment: {}",
                list.join(", ")
            ),
            n,
        );
    }
    losses.info(
        "relationships to elements of other SPDX documents",
        external,
    );
    rel
}

/// Phase 3: the project is the first package the document describes.
fn pick_project(
    mut described: Vec<usize>,
    components: &[Component],
    losses: &mut Losses,
) -> Option<usize> {
    let mut seen = BTreeSet::new();
    described.retain(|p| seen.insert(*p));
    if described.len() > 1 {
        losses.note(
            Severity::Info,
            format!(
                "the document describes {} packages: the first, {}, is read as the project",
                described.len(),
                components[described[0]].bom_ref
            ),
        );
    }
    described.first().copied()
}

/// Phase 4: every file with a name becomes a file record, owned by the package that
/// contains it (or, in tag-value, the package it follows).
fn map_files(
    doc_files: Vec<(File, Option<String>)>,
    file_owner: &HashMap<usize, usize>,
    by_id: &HashMap<String, usize>,
    components: &[Component],
    extracted_texts: &BTreeMap<String, String>,
    losses: &mut Losses,
    field_losses: &mut BTreeMap<String, usize>,
) -> Vec<FileRecord> {
    let mut files = Vec::new();
    let mut file_concluded_lost = 0;
    for (i, (f, follows)) in doc_files.into_iter().enumerate() {
        let Some(name) = f.file_name.clone() else {
            losses.warn("files without a fileName (malformed)", 1);
            continue;
        };
        for k in f.other.keys() {
            *field_losses.entry(format!("file {k}")).or_default() += 1;
        }
        let owner = file_owner
            .get(&i)
            .copied()
            .or_else(|| follows.as_ref().and_then(|id| by_id.get(id).copied()));
        let licenses: Vec<LicenseMatch> = f
            .license_info_in_files
            .iter()
            .filter_map(|l| read_license(l))
            .map(|r| r.expression)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|expression| LicenseMatch {
                // SPDX says a license was found in the file, not how or where.
                kind: MatchKind::Reference,
                score: 1.0,
                start_line: 0,
                end_line: 0,
                rule: Some("SPDX licenseInfoInFiles".into()),
                matched_text: extracted_texts.get(&expression).cloned(),
                expression,
            })
            .collect();
        if let Some(c) = known(&f.license_concluded).and_then(|l| read_license(&l)) {
            let found: BTreeSet<String> = licenses
                .iter()
                .flat_map(|m| crate::expression::license_ids(&m.expression))
                .collect();
            if !crate::expression::license_ids(&c.expression).is_subset(&found) {
                file_concluded_lost += 1;
            }
        }
        let mut sha1 = None;
        let mut sha256 = None;
        for c in &f.checksums {
            match (
                c.algorithm.as_deref().map(hash_alg).as_deref(),
                &c.checksum_value,
            ) {
                (Some("SHA-1"), Some(v)) => sha1 = Some(v.trim().to_lowercase()),
                (Some("SHA-256"), Some(v)) => sha256 = Some(v.trim().to_lowercase()),
                _ => losses.info("file checksums other than SHA-1 and SHA-256", 1),
            }
        }
        files.push(FileRecord {
            path: name.trim_start_matches("./").to_string(),
            size: 0,
            sha1,
            sha256,
            class: None,
            licenses,
            copyrights: known(&f.copyright_text)
                .map(|c| {
                    c.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            unrecognized: Vec::new(),
            component: owner.map(|o| components[o].bom_ref.clone()),
        });
    }
    losses.warn(
        "file concluded licenses that name licenses not found in the file",
        file_concluded_lost,
    );
    files
}

/// Phase 5: a package's copyright lines that none of its files carry stay on the
/// component.
fn attach_package_copyrights(
    components: &mut [Component],
    copyrights: Vec<(usize, String)>,
    files: &[FileRecord],
) {
    for (idx, text) in copyrights {
        let owned: BTreeSet<&str> = files
            .iter()
            .filter(|f| f.component.as_deref() == Some(components[idx].bom_ref.as_str()))
            .flat_map(|f| f.copyrights.iter().map(String::as_str))
            .collect();
        let mut own: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !owned.contains(l))
            .map(str::to_string)
            .collect();
        own.sort();
        own.dedup();
        components[idx].copyrights = own;
    }
}

// ---------------------------------------------------------------------------------------
// Tag-value: `Tag: value` lines, `<text>...</text>` values over several lines, `##` and
// `#` comments; files belong to the package they follow.

mod tag_value {
    use super::*;

    enum Cur {
        Doc,
        Package,
        File,
        /// An extracted license: its id, for the ExtractedText that follows.
        Extracted(String),
        /// A snippet, an annotation: read as a whole elsewhere.
        Skip,
    }

    /// The document, or (1-based line, message).
    pub(super) fn parse(text: &str) -> Result<Doc, (usize, String)> {
        let mut doc = Doc::default();
        let mut cur = Cur::Doc;
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            let line_no = i + 1;
            let line = lines[i].trim_end_matches('\r');
            i += 1;
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let Some((tag, rest)) = t.split_once(':') else {
                return Err((
                    line_no,
                    format!("expected `Tag: value`, found `{}`", clip(t)),
                ));
            };
            let tag = tag.trim();
            let mut value = rest.trim().to_string();
            if let Some(after) = value.strip_prefix("<text>") {
                if let Some(end) = after.find("</text>") {
                    value = after[..end].to_string();
                } else {
                    let mut acc = after.to_string();
                    loop {
                        let Some(next) = lines.get(i) else {
                            return Err((
                                line_no,
                                format!("the <text> value of {tag} is never closed by </text>"),
                            ));
                        };
                        i += 1;
                        acc.push('\n');
                        match next.find("</text>") {
                            Some(end) => {
                                acc.push_str(&next[..end]);
                                break;
                            }
                            None => acc.push_str(next.trim_end_matches('\r')),
                        }
                    }
                    value = acc;
                }
            }
            let v = Some(value.clone()).filter(|s| !s.trim().is_empty());
            match tag {
                "SPDXVersion" => doc.version = v,
                "DocumentName" => doc.name = v,
                "PackageName" => {
                    doc.packages.push(Package {
                        name: v,
                        ..Default::default()
                    });
                    cur = Cur::Package;
                }
                "FileName" => {
                    let follows = doc.packages.last().and_then(|p| p.spdxid.clone());
                    doc.files.push((
                        File {
                            file_name: v,
                            ..Default::default()
                        },
                        follows,
                    ));
                    cur = Cur::File;
                }
                "SnippetSPDXID" => {
                    doc.snippets += 1;
                    cur = Cur::Skip;
                }
                "LicenseID" => {
                    doc.extracted += 1;
                    cur = Cur::Extracted(value.trim().to_string());
                }
                "Annotator" => {
                    doc.annotations += 1;
                    cur = Cur::Skip;
                }
                "ExternalDocumentRef" => doc.external_documents += 1,
                "Relationship" => {
                    let parts: Vec<&str> = value.split_whitespace().collect();
                    if parts.len() != 3 {
                        return Err((
                            line_no,
                            format!(
                                "a relationship is `ELEMENT TYPE ELEMENT`, found `{}`",
                                clip(&value)
                            ),
                        ));
                    }
                    doc.relationships.push(Relationship {
                        spdx_element_id: Some(parts[0].into()),
                        relationship_type: Some(parts[1].into()),
                        related_spdx_element: Some(parts[2].into()),
                    });
                }
                "RelationshipComment" => {}
                _ => match &cur {
                    Cur::Doc => {
                        if tag == "SPDXID" {
                            doc.id = v;
                        }
                    }
                    Cur::Package => package_tag(doc.packages.last_mut().unwrap(), tag, v),
                    Cur::File => file_tag(&mut doc.files.last_mut().unwrap().0, tag, v),
                    Cur::Extracted(id) => {
                        if tag == "ExtractedText" {
                            doc.extracted_texts.insert(id.clone(), value.clone());
                        }
                    }
                    Cur::Skip => {}
                },
            }
        }
        Ok(doc)
    }

    fn clip(s: &str) -> String {
        s.chars().take(60).collect()
    }

    fn package_tag(p: &mut Package, tag: &str, v: Option<String>) {
        match tag {
            "SPDXID" => p.spdxid = v,
            "PackageVersion" => p.version_info = v,
            "PackageSupplier" => p.supplier = v,
            "PackageDownloadLocation" => p.download_location = v,
            "PackageHomePage" => p.homepage = v,
            "PackageLicenseDeclared" => p.license_declared = v,
            "PackageLicenseConcluded" => p.license_concluded = v,
            "PackageLicenseInfoFromFiles" => p.license_info_from_files.extend(v),
            "PackageCopyrightText" => p.copyright_text = v,
            "PackageComment" => p.comment = v,
            "PackageChecksum" => p.checksums.extend(v.as_deref().and_then(checksum)),
            "ExternalRef" => {
                let parts: Vec<&str> = v.as_deref().unwrap_or("").split_whitespace().collect();
                p.external_refs.push(ExternalRef {
                    reference_category: parts.first().map(|s| s.to_string()),
                    reference_type: parts.get(1).map(|s| s.to_string()),
                    reference_locator: parts.get(2).map(|s| s.to_string()),
                });
            }
            "ExternalRefComment" => {}
            _ => {
                p.other.insert(tag.to_string(), Value::Null);
            }
        }
    }

    fn file_tag(f: &mut File, tag: &str, v: Option<String>) {
        match tag {
            "SPDXID" => f.spdxid = v,
            "FileChecksum" => f.checksums.extend(v.as_deref().and_then(checksum)),
            "LicenseConcluded" => f.license_concluded = v,
            "LicenseInfoInFile" => f.license_info_in_files.extend(v),
            "FileCopyrightText" => f.copyright_text = v,
            _ => {
                f.other.insert(tag.to_string(), Value::Null);
            }
        }
    }

    /// `SHA1: abc...`
    fn checksum(v: &str) -> Option<Checksum> {
        let (alg, value) = v.split_once(':')?;
        Some(Checksum {
            algorithm: Some(alg.trim().to_string()),
            checksum_value: Some(value.trim().to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TV: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
## Relationships
Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app

PackageName: app
SPDXID: SPDXRef-app
PackageVersion: 1.0
PackageSupplier: Organization: Acme
PackageLicenseDeclared: Apache 2
PackageLicenseConcluded: NOASSERTION
PackageCopyrightText: <text>Copyright Acme
Copyright B</text>
ExternalRef: PACKAGE-MANAGER purl pkg:cargo/app@1.0
PackageComment: <text>one
two</text>

FileName: ./src/main.rs
SPDXID: SPDXRef-f1
FileChecksum: SHA1: AB12
LicenseInfoInFile: MIT
FileCopyrightText: Copyright Acme

PackageName: dep
SPDXID: SPDXRef-dep
PackageVersion: 2.0
PackageLicenseDeclared: MIT
PackageLicenseConcluded: MIT
Relationship: SPDXRef-app DEPENDS_ON SPDXRef-dep
Relationship: SPDXRef-tool DEV_DEPENDENCY_OF SPDXRef-app
Relationship: SPDXRef-dep GENERATED_FROM SPDXRef-app
Relationship: SPDXRef-dep DEPENDS_ON NONE

PackageName: tool
SPDXID: SPDXRef-tool
PackageVersion: 3
SnippetSPDXID: SPDXRef-s
SnippetFromFileSPDXID: SPDXRef-f1
";

    #[test]
    fn tag_value_packages_files_and_graph() {
        let s = read_tag_value(TV, "t.spdx").unwrap();
        assert_eq!(s.root, "demo");
        assert_eq!(s.project.as_deref(), Some("pkg:cargo/app@1.0"));
        let refs: Vec<&str> = s.components.iter().map(|c| c.bom_ref.as_str()).collect();
        assert_eq!(refs, ["pkg:cargo/app@1.0", "dep@2.0", "tool@3"]);
        let app = &s.components[0];
        assert_eq!(app.declared.as_deref(), Some("Apache-2.0"));
        assert_eq!(app.declared_raw.as_deref(), Some("Apache 2"));
        assert_eq!(app.concluded, "Apache-2.0");
        assert_eq!(app.supplier.as_deref(), Some("Acme"));
        // The copyright line no file carries stays on the package; the comment's lines
        // are notes.
        assert_eq!(app.copyrights, vec!["Copyright B"]);
        assert_eq!(app.notes, ["`Apache 2` read as `Apache-2.0`", "one", "two"]);
        assert_eq!(app.ecosystem, "cargo");
        assert_eq!(s.components[2].scope, Some(Scope::Dev));
        assert_eq!(s.components[1].ecosystem, "unknown");
        assert_eq!(s.files.len(), 1);
        let f = &s.files[0];
        assert_eq!(f.path, "src/main.rs");
        assert_eq!(f.sha1.as_deref(), Some("ab12"));
        assert_eq!(f.licenses[0].expression, "MIT");
        assert_eq!(f.copyrights, vec!["Copyright Acme"]);
        assert_eq!(f.component.as_deref(), Some("pkg:cargo/app@1.0"));
        assert_eq!(s.dependencies.len(), 1);
        assert_eq!(s.dependencies[0].to, vec!["dep@2.0", "tool@3"]);
        let msgs: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
        for needle in ["1 snippets", "GENERATED_FROM (1)"] {
            assert!(
                msgs.iter().any(|m| m.contains(needle)),
                "{needle}: {msgs:?}"
            );
        }
    }

    #[test]
    fn tag_value_errors_name_the_line() {
        let e = read_tag_value(
            "SPDXVersion: SPDX-2.3\nPackageName: x\nthis is not a tag\n",
            "b.spdx",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("b.spdx: line 3:"), "{e}");
        let e = read_tag_value(
            "SPDXVersion: SPDX-2.3\nPackageComment: <text>open\nnever closed\n",
            "b.spdx",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("b.spdx: line 2:") && e.contains("</text>"),
            "{e}"
        );
    }

    #[test]
    fn json_entries_are_read_one_by_one() {
        let s = read_json(
            r#"{"spdxVersion":"SPDX-2.1","SPDXID":"SPDXRef-DOCUMENT","name":"n",
              "documentDescribes":["SPDXRef-a"],
              "packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1",
                 "licenseDeclared":"MIT","licenseConcluded":"MIT OR Apache-2.0",
                 "licenseInfoFromFiles":["MIT","Apache-2.0","NOASSERTION"],
                 "checksums":[{"algorithm":"SHA256","checksumValue":"ff"}],
                 "externalRefs":[{"referenceCategory":"PACKAGE_MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/a@1"}],
                 "hasFiles":["SPDXRef-f"]},
                {"SPDXID":"SPDXRef-b","name":"b","checksums":"not a list"}],
              "files":[{"SPDXID":"SPDXRef-f","fileName":"./a/LICENSE","licenseInfoInFiles":["MIT"],
                 "checksums":[{"algorithm":"SHA1","checksumValue":"aa"},{"algorithm":"SHA256","checksumValue":"bb"}]}],
              "relationships":[{"spdxElementId":"SPDXRef-a","relationshipType":"DEPENDS_ON","relatedSpdxElement":"DocumentRef-x:SPDXRef-y"}]}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(s.components.len(), 1);
        let a = &s.components[0];
        assert_eq!(a.bom_ref, "pkg:pypi/a@1");
        assert_eq!(a.concluded, "MIT OR Apache-2.0");
        assert_eq!(a.detected.as_deref(), Some("Apache-2.0 AND MIT"));
        assert_eq!(a.hashes[0].alg, "SHA-256");
        assert_eq!(s.files[0].component.as_deref(), Some("pkg:pypi/a@1"));
        assert_eq!(
            (s.files[0].sha1.as_deref(), s.files[0].sha256.as_deref()),
            (Some("aa"), Some("bb"))
        );
        let msgs: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("SPDX-2.1 is not a supported version")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("packages that could not be read")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("other SPDX documents")),
            "{msgs:?}"
        );
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let e = read_json(
            "{\"spdxVersion\": \"SPDX-2.3\",\n\"packages\": [,]}",
            "p.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("p.json: line 2, column"), "{e}");
    }
}
