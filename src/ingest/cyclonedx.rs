//! CycloneDX 1.4-1.7 (JSON and XML) into the model.
//!
//! Both encodings end up in one set of lenient serde types: JSON is read directly, XML is
//! first turned into the JSON shape (attributes and wrapper elements differ, the content
//! does not), so there is a single mapping into the model. Every component entry is read
//! on its own: a malformed one is counted and skipped, not fatal to the document.
//!
//! ospo's own SBOMs carry `ospo:*` properties (ecosystem, path, declared expression and
//! text, review reasons, notes, dev scope) that make the round trip lossless; other tools'
//! documents are read without them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{anyhow, bail, Result};
use once_cell::sync::Lazy;
use regex::Regex;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    and_all, ecosystem_of, fallback_ref, hash_alg, json_error, lenient_string,
    lenient_string_keep_empty, lenient_vec, line_col, read_license, Losses, RefMaker,
};
use crate::model::{
    Component, Ecosystem, Edge, Evidence, Hash, MatchKind, Scan, Scope, Severity, Tool,
    NOASSERTION, SCAN_FORMAT_VERSION,
};

const SUPPORTED: &[&str] = &["1.4", "1.5", "1.6", "1.7"];

/// Nesting deeper than this is not a real SBOM; stop before the stack does.
const MAX_DEPTH: usize = 64;

/// A CycloneDX XML document in the JSON shape (what `ospo check --sbom-profile` reads).
pub(crate) fn xml_to_json(text: &str, shown: &str) -> Result<Value> {
    let root = xml::parse(text).map_err(|(offset, message)| {
        let (line, col) = line_col(text, offset);
        anyhow!("{shown}: line {line}, column {col}: not a valid CycloneDX XML document: {message}")
    })?;
    let mut v = xml::bom_to_json(&root);
    for (k, a) in [("serialNumber", "serialNumber"), ("version", "version")] {
        if let Some(x) = root.attr(a) {
            v[k] = x.into();
        }
    }
    Ok(v)
}

/// Read a CycloneDX JSON document (`shown` names the file in messages).
pub fn read_json(text: &str, shown: &str) -> Result<Scan> {
    let bom: Bom =
        serde_json::from_str(text).map_err(|e| json_error(shown, "CycloneDX JSON document", e))?;
    Ok(map_bom(bom, shown))
}

/// Read a CycloneDX XML document (`shown` names the file in messages).
pub fn read_xml(text: &str, shown: &str) -> Result<Scan> {
    let root = xml::parse(text).map_err(|(offset, msg)| {
        let (line, col) = line_col(text, offset);
        anyhow!("{shown}: line {line}, column {col}: not a valid CycloneDX XML document: {msg}")
    })?;
    if root.name != "bom" {
        bail!(
            "{shown}: not a CycloneDX XML document: the root element is <{}>, not <bom>",
            root.name
        );
    }
    let value = xml::bom_to_json(&root);
    let bom: Bom = serde_json::from_value(value)
        .map_err(|e| anyhow!("{shown}: not a valid CycloneDX XML document: {e}"))?;
    Ok(map_bom(bom, shown))
}

// ---------------------------------------------------------------------------------------
// The document, as far as ospo reads it. Every field optional; unknown fields ignored.

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Bom {
    #[serde(deserialize_with = "lenient_string")]
    spec_version: Option<String>,
    metadata: Option<Metadata>,
    #[serde(deserialize_with = "lenient_vec")]
    components: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    dependencies: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    services: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    vulnerabilities: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    compositions: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    annotations: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    formulation: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    properties: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    external_references: Vec<Value>,
    declarations: Option<Value>,
    definitions: Option<Value>,
    signature: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Metadata {
    component: Option<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    licenses: Vec<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct CdxComponent {
    #[serde(rename = "bom-ref", deserialize_with = "lenient_string")]
    bom_ref: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    group: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    version: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    scope: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    purl: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    copyright: Option<String>,
    supplier: Option<Entity>,
    #[serde(deserialize_with = "lenient_vec")]
    hashes: Vec<CdxHash>,
    #[serde(deserialize_with = "lenient_vec")]
    licenses: Vec<LicenseChoice>,
    #[serde(deserialize_with = "lenient_vec")]
    external_references: Vec<ExternalReference>,
    #[serde(deserialize_with = "lenient_vec")]
    properties: Vec<Property>,
    #[serde(deserialize_with = "lenient_vec")]
    components: Vec<Value>,
    evidence: Option<CdxEvidence>,
}

/// Component keys the mapping reads; any other key present is a kind of loss.
const READ_KEYS: &[&str] = &[
    "bom-ref",
    "type",
    "group",
    "name",
    "version",
    "scope",
    "purl",
    "copyright",
    "supplier",
    "hashes",
    "licenses",
    "externalReferences",
    "properties",
    "components",
    "evidence",
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Entity {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CdxHash {
    #[serde(deserialize_with = "lenient_string")]
    alg: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    content: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LicenseChoice {
    license: Option<CdxLicense>,
    #[serde(deserialize_with = "lenient_string")]
    expression: Option<String>,
    /// 1.7: texts of the expression's LicenseRef- ids.
    #[serde(rename = "expressionDetails", deserialize_with = "lenient_vec")]
    expression_details: Vec<Value>,
    #[serde(deserialize_with = "lenient_string")]
    acknowledgement: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CdxLicense {
    #[serde(deserialize_with = "lenient_string")]
    id: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    text: Option<Value>,
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    acknowledgement: Option<String>,
    licensing: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExternalReference {
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    kind: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Property {
    #[serde(deserialize_with = "lenient_string")]
    name: Option<String>,
    /// An empty value is a value (ospo writes `ospo:path` = "" for the scanned root).
    #[serde(deserialize_with = "lenient_string_keep_empty")]
    value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CdxEvidence {
    #[serde(deserialize_with = "lenient_vec")]
    licenses: Vec<LicenseChoice>,
    #[serde(deserialize_with = "lenient_vec")]
    copyright: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    occurrences: Vec<Occurrence>,
    identity: Option<Value>,
    callstack: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Occurrence {
    #[serde(deserialize_with = "lenient_string")]
    location: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    line: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    additional_context: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref", deserialize_with = "lenient_string")]
    reference: Option<String>,
    #[serde(deserialize_with = "lenient_vec")]
    depends_on: Vec<Value>,
    #[serde(deserialize_with = "lenient_vec")]
    provides: Vec<Value>,
}

// ---------------------------------------------------------------------------------------
// Mapping into the model.

/// One component as found, with the document's bom-ref of the component it is nested in.
struct Found {
    raw: Value,
    parent: Option<usize>,
    is_project: bool,
}

/// The components as the model holds them, and how to find them from the document.
#[derive(Default)]
struct Mapped {
    components: Vec<Component>,
    /// Document bom-ref -> the model's (first definition wins).
    by_doc_ref: HashMap<String, String>,
    /// For each flattened entry, the model bom-ref it became (None: not read).
    index_ref: Vec<Option<String>>,
    project: Option<String>,
    /// (parent, child) indexes of nested components.
    nested: Vec<(usize, usize)>,
}

/// The whole document into the model, in phases: the version, the components (flattened,
/// then mapped), the graph, then what the model has no place for.
fn map_bom(bom: Bom, shown: &str) -> Scan {
    let mut losses = Losses::default();
    check_version(bom.spec_version.as_deref(), &mut losses);
    // Flatten: the project first, then every component, nested ones after their parent.
    let mut found: Vec<Found> = Vec::new();
    let metadata = bom.metadata.unwrap_or_default();
    losses.info(
        "licenses of the SBOM document itself (metadata.licenses)",
        metadata.licenses.len(),
    );
    if let Some(p) = metadata.component {
        flatten(p, None, true, 0, &mut found, &mut losses);
    }
    for c in bom.components {
        flatten(c, None, false, 0, &mut found, &mut losses);
    }
    let mapped = map_components(&found, &mut losses);
    let dependencies = graph(bom.dependencies, &mapped, &mut losses);

    losses.warn("services", bom.services.len());
    losses.warn("vulnerabilities", bom.vulnerabilities.len());
    // ospo's own compositions say whose dependency lists are complete: read back.
    let mut mapped = mapped;
    let mut unread = 0usize;
    for comp in &bom.compositions {
        // Only what ospo writes (an aggregate over dependency lists) is carried; one about
        // assemblies or vulnerabilities is not, whole.
        let other = ["assemblies", "vulnerabilities"].iter().any(|k| {
            comp.get(*k)
                .is_some_and(|v| v.as_array().is_none_or(|a| !a.is_empty()))
        });
        if other {
            unread += 1;
            continue;
        }
        let complete = match comp.get("aggregate").and_then(Value::as_str) {
            Some("complete") => Some(true),
            Some("incomplete") => Some(false),
            Some("unknown") => None,
            _ => {
                unread += 1;
                continue;
            }
        };
        let refs: BTreeSet<&str> = comp
            .get("dependencies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for c in &mut mapped.components {
            if refs.contains(c.bom_ref.as_str()) {
                c.dependencies_complete = complete;
            }
        }
    }
    losses.info("compositions", unread);
    losses.info("annotations", bom.annotations.len());
    losses.info("formulation entries", bom.formulation.len());
    losses.info("document properties", bom.properties.len());
    losses.info(
        "document external references",
        bom.external_references.len(),
    );
    losses.info("declarations", usize::from(bom.declarations.is_some()));
    losses.info("definitions", usize::from(bom.definitions.is_some()));
    losses.info("signatures", usize::from(bom.signature.is_some()));

    Scan {
        format_version: SCAN_FORMAT_VERSION,
        tool: Tool::current(crate::licensedb::LICENSE_LIST_VERSION),
        root: shown.to_string(),
        summary: Default::default(),
        project: mapped.project,
        files: Vec::new(),
        components: mapped.components,
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
            format!(
                "CycloneDX {v} is not a supported version (1.4 to 1.7): read as far as it goes, \
                 check the result"
            ),
        ),
        None => losses.note(
            Severity::Warning,
            "the document names no specVersion: read as CycloneDX 1.6",
        ),
    }
}

/// Every flattened entry that reads as a component with a name, under a unique bom-ref.
fn map_components(found: &[Found], losses: &mut Losses) -> Mapped {
    let mut refs = RefMaker::default();
    let mut m = Mapped::default();
    let mut field_losses: BTreeMap<String, usize> = BTreeMap::new();
    for (i, f) in found.iter().enumerate() {
        let cdx: CdxComponent = match serde_json::from_value(f.raw.clone()) {
            Ok(c) => c,
            Err(e) => {
                losses.warn(format!("components that could not be read ({e})"), 1);
                m.index_ref.push(None);
                continue;
            }
        };
        let Some(name) = cdx.name.clone() else {
            losses.warn("components without a name (malformed)", 1);
            m.index_ref.push(None);
            continue;
        };
        // Some tools list the project again among the components: one component.
        if let (Some(doc_ref), Some(p)) = (&cdx.bom_ref, &m.project) {
            if !f.is_project && m.by_doc_ref.get(doc_ref) == Some(p) {
                m.index_ref.push(Some(p.clone()));
                continue;
            }
        }
        if let Value::Object(o) = &f.raw {
            for k in o.keys().filter(|k| !READ_KEYS.contains(&k.as_str())) {
                *field_losses.entry(k.clone()).or_default() += 1;
            }
        }
        let preferred = cdx
            .bom_ref
            .clone()
            .unwrap_or_else(|| fallback_ref(cdx.purl.as_deref(), &name, cdx.version.as_deref()));
        if cdx.bom_ref.is_some() && refs.is_used(&preferred) {
            losses.warn(
                "components whose bom-ref repeats another's (malformed; renamed)",
                1,
            );
        }
        let bom_ref = refs.unique(&preferred);
        if let Some(doc_ref) = &cdx.bom_ref {
            m.by_doc_ref
                .entry(doc_ref.clone())
                .or_insert_with(|| bom_ref.clone());
        }
        if f.is_project {
            m.project = Some(bom_ref.clone());
        }
        if let Some(parent) = f.parent {
            m.nested.push((parent, i));
        }
        m.components
            .push(map_component(cdx, name, bom_ref.clone(), losses));
        m.index_ref.push(Some(bom_ref));
    }
    if !field_losses.is_empty() {
        let n: usize = field_losses.values().sum();
        let list: Vec<String> = field_losses
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        losses.info(format!("component fields: {}", list.join(", ")), n);
    }
    m
}

/// The graph: `dependencies`, plus nested components as parts of their parent.
fn graph(dependencies: Vec<Value>, m: &Mapped, losses: &mut Losses) -> Vec<Edge> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for d in dependencies {
        let dep: Dependency = match serde_json::from_value(d) {
            Ok(d) => d,
            Err(e) => {
                losses.warn(
                    format!("dependency entries that could not be read ({e})"),
                    1,
                );
                continue;
            }
        };
        let Some(from) = dep.reference.as_ref().and_then(|r| m.by_doc_ref.get(r)) else {
            losses.warn(
                "dependency entries whose ref names no component (services or missing components)",
                1,
            );
            continue;
        };
        let targets = graph.entry(from.clone()).or_default();
        for to in &dep.depends_on {
            let to = match to {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("ref").and_then(Value::as_str).map(str::to_string),
                _ => None,
            };
            match to.as_ref().and_then(|t| m.by_doc_ref.get(t)) {
                Some(t) => {
                    targets.insert(t.clone());
                }
                None => losses.warn(
                    "dependency edges to refs that name no component (services or missing components)",
                    1,
                ),
            }
        }
        losses.info("`provides` relations (CycloneDX 1.6)", dep.provides.len());
    }
    for &(parent, child) in &m.nested {
        if let (Some(Some(p)), Some(Some(c))) = (m.index_ref.get(parent), m.index_ref.get(child)) {
            if p != c {
                graph.entry(p.clone()).or_default().insert(c.clone());
            }
        }
    }
    graph
        .into_iter()
        .map(|(from, to)| Edge {
            from,
            to: to.into_iter().collect(),
        })
        .collect()
}

fn flatten(
    raw: Value,
    parent: Option<usize>,
    is_project: bool,
    depth: usize,
    out: &mut Vec<Found>,
    losses: &mut Losses,
) {
    if depth > MAX_DEPTH {
        losses.warn("components nested too deeply to read", 1);
        return;
    }
    let children = match &raw {
        Value::Object(m) => match m.get("components") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let me = out.len();
    out.push(Found {
        raw,
        parent,
        is_project,
    });
    for c in children {
        flatten(c, Some(me), false, depth + 1, out, losses);
    }
}

static OSPO_CONTEXT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"^(?P<expr>.+) \((?P<kind>text|notice|tag|reference|manifest), score (?P<score>[0-9.]+), lines (?P<a>\d+)-(?P<b>\d+)\)$",
    )
    .unwrap()
});

/// ospo's own properties (`ospo:*`, by name, in order): they decide how the rest of a
/// component is read.
type Props = BTreeMap<String, Vec<String>>;

/// One CycloneDX component into the model, in phases: ospo's properties, licenses,
/// evidence, hashes, homepage, scope, name.
fn map_component(c: CdxComponent, name: String, bom_ref: String, losses: &mut Losses) -> Component {
    let props = ospo_properties(&c, losses);
    let prop = |k: &str| props.get(k).and_then(|v| v.first()).cloned();
    let mut lic = licenses(&c, &props, losses);
    let (detected, evidence, copyrights) = evidence(&c, &props, losses);
    let hashes = hashes(&c, losses);
    let homepage = homepage(&c, losses);
    let scope = scope(&c, &props, losses);
    let full_name = match c.group.as_deref().map(str::trim) {
        Some(g) if !g.is_empty() => {
            let maven = c
                .purl
                .as_deref()
                .is_some_and(|p| p.starts_with("pkg:maven/"));
            format!("{g}{}{name}", if maven { ":" } else { "/" })
        }
        _ => name,
    };
    lic.notes
        .extend(props.get("ospo:note").cloned().unwrap_or_default());
    Component {
        bom_ref,
        name: full_name,
        version: c.version,
        ecosystem: prop("ospo:ecosystem")
            .map(Ecosystem::from)
            .unwrap_or_else(|| ecosystem_of(c.purl.as_deref())),
        purl: c.purl,
        path: prop("ospo:path"),
        declared_raw: lic.declared_raw,
        declared: lic.declared,
        detected,
        concluded: lic.concluded,
        evidence,
        hashes,
        scope,
        supplier: c.supplier.and_then(|s| s.name),
        homepage,
        review: props.get("ospo:review").cloned().unwrap_or_default(),
        notes: lic.notes,
        install_scripts: Vec::new(),
        copyrights,
        layer: prop("ospo:layer"),
        parent: None,
        dependencies_complete: None,
    }
}

fn ospo_properties(c: &CdxComponent, losses: &mut Losses) -> Props {
    let mut props = Props::new();
    let mut other_props = 0;
    for p in &c.properties {
        match (p.name.as_deref(), &p.value) {
            (Some(n), Some(v)) if n.starts_with("ospo:") => {
                props.entry(n.to_string()).or_default().push(v.clone());
            }
            _ => other_props += 1,
        }
    }
    losses.info("component properties not ospo's own", other_props);
    props
}

/// A component's licenses as the model holds them.
struct Licenses {
    declared: Option<String>,
    declared_raw: Option<String>,
    concluded: String,
    notes: Vec<String>,
}

fn licenses(c: &CdxComponent, props: &Props, losses: &mut Losses) -> Licenses {
    let prop = |k: &str| props.get(k).and_then(|v| v.first()).cloned();
    let native = !props.is_empty();
    let ospo_declared = prop("ospo:declared");

    // Licenses: `acknowledgement` tells declared from concluded (1.6); without it a
    // license is what the document declares, unless ospo said the declared one apart.
    let mut declared_terms = Vec::new();
    let mut concluded_terms = Vec::new();
    let mut raws = Vec::new();
    let mut notes = Vec::new();
    let mut reread = false;
    for l in &c.licenses {
        losses.info(
            "LicenseRef texts in expressionDetails (CycloneDX 1.7; the ids are kept)",
            l.expression_details.len(),
        );
        let (raw, ack) = match (&l.expression, &l.license) {
            (Some(e), _) => (e.clone(), l.acknowledgement.clone()),
            (None, Some(lic)) => {
                losses.warn(
                    "license texts (the license is kept by id or name)",
                    usize::from(lic.text.is_some()),
                );
                losses.info("license URLs", usize::from(lic.url.is_some()));
                losses.info(
                    "licensing details (licensor, purchase order...)",
                    usize::from(lic.licensing.is_some()),
                );
                match lic.id.as_ref().or(lic.name.as_ref()) {
                    Some(r) => (r.clone(), lic.acknowledgement.clone()),
                    None => {
                        losses.warn("licenses with neither id nor name (malformed)", 1);
                        continue;
                    }
                }
            }
            (None, None) => {
                losses.warn(
                    "license entries with neither license nor expression (malformed)",
                    1,
                );
                continue;
            }
        };
        let Some(read) = read_license(&raw) else {
            continue;
        };
        let concluded = match ack.as_deref() {
            Some("concluded") => true,
            Some(_) => false,
            // ospo's own 1.5 documents (no acknowledgement) write the concluded license
            // and name a declared one apart, in `ospo:declared`.
            None => ospo_declared.is_some() || native,
        };
        if concluded {
            concluded_terms.push(read.expression);
        } else {
            raws.push(raw.trim().to_string());
            if read.raw.is_some() && !native {
                reread = true;
                notes.extend(read.notes);
            }
            declared_terms.push(read.expression);
        }
    }
    let declared = match &ospo_declared {
        Some(d) => read_license(d).map(|r| r.expression),
        None => and_all(&declared_terms),
    };
    let declared_raw = match prop("ospo:declared-raw") {
        Some(r) => Some(r),
        // Another tool's license text that needed reading: keep it as written.
        None if reread => Some(raws.join(" AND ")),
        None => None,
    };
    let concluded = if prop("ospo:concluded").as_deref() == Some(NOASSERTION) {
        NOASSERTION.to_string()
    } else {
        and_all(&concluded_terms)
            .or_else(|| declared.clone())
            .unwrap_or_else(|| NOASSERTION.to_string())
    };
    Licenses {
        declared,
        declared_raw,
        concluded,
        notes,
    }
}

/// Detected licenses, ospo's occurrences (expression, kind, score, lines) and copyright
/// lines: (detected, evidence, copyrights).
fn evidence(
    c: &CdxComponent,
    props: &Props,
    losses: &mut Losses,
) -> (Option<String>, Vec<Evidence>, Vec<String>) {
    let mut detected = None;
    let mut evidence = Vec::new();
    let mut copyrights: Vec<String> = c
        .copyright
        .iter()
        .flat_map(|t| t.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(ev) = &c.evidence {
        let terms: Vec<String> = ev
            .licenses
            .iter()
            .filter_map(|l| {
                l.expression.clone().or_else(|| {
                    l.license
                        .as_ref()
                        .and_then(|x| x.id.clone().or(x.name.clone()))
                })
            })
            .filter_map(|r| read_license(&r))
            .map(|r| r.expression)
            .collect();
        detected = and_all(&terms);
        let from_props: Vec<Evidence> = props
            .get("ospo:evidence")
            .into_iter()
            .flatten()
            .filter_map(|v| parse_evidence_property(v))
            .collect();
        let described = !from_props.is_empty();
        evidence.extend(from_props);
        for o in ev.occurrences.iter().filter(|_| !described) {
            match parse_occurrence(o) {
                Some(e) => evidence.push(e),
                None => losses.info(
                    "evidence occurrences without ospo's license context (location only)",
                    1,
                ),
            }
        }
        for t in &ev.copyright {
            match t.get("text").and_then(Value::as_str).map(str::trim) {
                Some(t) if !t.is_empty() => copyrights.push(t.to_string()),
                _ => losses.info("copyright evidence without text", 1),
            }
        }
        losses.info("identity evidence", usize::from(ev.identity.is_some()));
        losses.info("call stack evidence", usize::from(ev.callstack.is_some()));
    }
    copyrights.sort();
    copyrights.dedup();
    (detected, evidence, copyrights)
}

fn hashes(c: &CdxComponent, losses: &mut Losses) -> Vec<Hash> {
    let mut hashes = Vec::new();
    for h in &c.hashes {
        match (&h.alg, &h.content) {
            (Some(a), Some(v)) => hashes.push(Hash {
                alg: hash_alg(a),
                value: v.trim().to_string(),
            }),
            _ => losses.warn("hashes without alg or content (malformed)", 1),
        }
    }
    hashes
}

fn homepage(c: &CdxComponent, losses: &mut Losses) -> Option<String> {
    let mut homepage = None;
    for r in &c.external_references {
        if homepage.is_none() && r.kind.as_deref() == Some("website") && r.url.is_some() {
            homepage = r.url.clone();
        } else {
            losses.info("external references other than the first website", 1);
        }
    }
    homepage
}

fn scope(c: &CdxComponent, props: &Props, losses: &mut Losses) -> Option<Scope> {
    if props
        .get("ospo:scope")
        .and_then(|v| v.first())
        .map(String::as_str)
        == Some("dev")
    {
        Some(Scope::Dev)
    } else {
        match c.scope.as_deref() {
            Some("required") => Some(Scope::Required),
            Some("optional") => Some(Scope::Optional),
            // Not part of what ships: the model's nearest kind is a dev dependency.
            Some("excluded") => Some(Scope::Dev),
            Some(_) => {
                losses.warn("component scopes other than required/optional/excluded", 1);
                None
            }
            None => None,
        }
    }
}

/// ospo writes `<expression> (<kind>, score 0.97, lines 3-17)` as the additional context
/// of each occurrence; other tools' occurrences only say where the component was seen.
fn parse_occurrence(o: &Occurrence) -> Option<Evidence> {
    let path = o.location.clone()?;
    let line = o.line.as_deref().and_then(|l| l.parse().ok());
    parse_context(o.additional_context.as_deref()?, path, line)
}

/// CycloneDX 1.5 occurrences have no context: ospo writes each one as an `ospo:evidence`
/// property, `<context> in <path>`.
fn parse_evidence_property(v: &str) -> Option<Evidence> {
    let (context, path) = v.split_once(") in ")?;
    parse_context(&format!("{context})"), path.to_string(), None)
}

fn parse_context(context: &str, path: String, line: Option<u32>) -> Option<Evidence> {
    let caps = OSPO_CONTEXT.captures(context.trim())?;
    let kind = MatchKind::from_name(&caps["kind"])?;
    let start: u32 = caps["a"].parse().ok()?;
    Some(Evidence {
        expression: caps["expr"].to_string(),
        kind,
        path,
        start_line: line.unwrap_or(start),
        end_line: caps["b"].parse().ok()?,
        score: caps["score"].parse().ok()?,
        sha256: None,
    })
}

// ---------------------------------------------------------------------------------------
// XML: an element tree, then the JSON shape of the same content.

mod xml {
    use super::*;
    pub(super) use crate::xml::Node;

    /// An SBOM may be large (millions of elements) but not deep; an undeclared entity
    /// means the document is not one ospo reads.
    const BOM_XML: crate::xml::Limits = crate::xml::Limits {
        max_depth: 4 * MAX_DEPTH,
        max_elements: 2_000_000,
        attributes: true,
        entities: crate::xml::Entities::Refuse,
    };

    /// The element tree, or (byte offset, message).
    pub(super) fn parse(text: &str) -> Result<Node, (usize, String)> {
        crate::xml::parse(text, &BOM_XML).map_err(|e| (e.offset, e.message))
    }

    /// `http://cyclonedx.org/schema/bom/1.6` -> `1.6`.
    fn spec_version(root: &Node) -> Option<String> {
        root.attrs.iter().find_map(|(k, v)| {
            (k == "xmlns" || k.starts_with("xmlns:"))
                .then(|| v.strip_prefix("http://cyclonedx.org/schema/bom/"))
                .flatten()
                .map(str::to_string)
        })
    }

    pub(super) fn bom_to_json(root: &Node) -> Value {
        let mut m = Map::new();
        m.insert("bomFormat".into(), "CycloneDX".into());
        if let Some(v) = spec_version(root) {
            m.insert("specVersion".into(), v.into());
        }
        for c in &root.children {
            let v = match c.name.as_str() {
                "metadata" => metadata(c),
                "components" => list(c, "component", component),
                "dependencies" => list(c, "dependency", dependency),
                "properties" => list(c, "property", property),
                "compositions" => list(c, "composition", composition),
                "services" | "vulnerabilities" | "annotations" | "formulation"
                | "externalReferences" => Value::Array(c.children.iter().map(generic).collect()),
                _ => generic(c),
            };
            m.insert(c.name.clone(), v);
        }
        Value::Object(m)
    }

    fn list(n: &Node, child: &str, f: fn(&Node) -> Value) -> Value {
        Value::Array(
            n.children
                .iter()
                .filter(|c| c.name == child)
                .map(f)
                .collect(),
        )
    }

    fn metadata(n: &Node) -> Value {
        let mut m = Map::new();
        for c in &n.children {
            let v = match c.name.as_str() {
                "component" => component(c),
                "licenses" => licenses(c),
                _ => generic(c),
            };
            m.insert(c.name.clone(), v);
        }
        Value::Object(m)
    }

    /// `<composition><aggregate>…</aggregate><dependencies><dependency ref="…"/>…`: the
    /// JSON shape (`aggregate`, `dependencies` as refs).
    fn composition(n: &Node) -> Value {
        let mut m = Map::new();
        if let Some(a) = n.child("aggregate") {
            m.insert("aggregate".into(), a.text().trim().into());
        }
        let refs: Vec<Value> = n
            .child("dependencies")
            .into_iter()
            .flat_map(|d| d.children("dependency"))
            .filter_map(|d| d.attr("ref").map(|r| Value::from(r.to_string())))
            .collect();
        m.insert("dependencies".into(), Value::Array(refs));
        // What ospo does not carry, kept so that it is counted as not carried.
        for k in ["assemblies", "vulnerabilities"] {
            if let Some(n) = n.child(k) {
                m.insert(
                    k.into(),
                    Value::Array(n.children.iter().map(generic).collect()),
                );
            }
        }
        Value::Object(m)
    }

    fn attrs_into(n: &Node, m: &mut Map<String, Value>) {
        for (k, v) in &n.attrs {
            if k != "xmlns" && !k.starts_with("xmlns:") && !k.starts_with("xsi:") {
                m.insert(k.clone(), v.clone().into());
            }
        }
    }

    fn component(n: &Node) -> Value {
        let mut m = Map::new();
        attrs_into(n, &mut m);
        for c in &n.children {
            let v = match c.name.as_str() {
                "hashes" => Value::Array(
                    c.children
                        .iter()
                        .map(|h| serde_json::json!({ "alg": h.attr("alg"), "content": h.text() }))
                        .collect(),
                ),
                "licenses" => licenses(c),
                "externalReferences" => Value::Array(
                    c.children
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "type": r.attr("type"),
                                "url": r.child("url").map(Node::text),
                            })
                        })
                        .collect(),
                ),
                "properties" => list(c, "property", property),
                "components" => list(c, "component", component),
                "evidence" => evidence(c),
                "supplier" => generic(c),
                _ => generic(c),
            };
            m.insert(c.name.clone(), v);
        }
        Value::Object(m)
    }

    fn licenses(n: &Node) -> Value {
        Value::Array(
            n.children
                .iter()
                .filter_map(|c| match c.name.as_str() {
                    "expression" => Some(serde_json::json!({
                        "expression": c.text(),
                        "acknowledgement": c.attr("acknowledgement"),
                    })),
                    // 1.7: the expression is an attribute, its details are children.
                    "expression-detailed" => Some(serde_json::json!({
                        "expression": c.attr("expression"),
                        "acknowledgement": c.attr("acknowledgement"),
                        "expressionDetails": c.children.iter()
                            .filter(|d| d.name == "details")
                            .map(|d| serde_json::json!({
                                "licenseIdentifier": d.attr("license-identifier"),
                                "text": d.child("text").map(Node::text),
                            }))
                            .collect::<Vec<_>>(),
                    })),
                    "license" => {
                        let mut l = Map::new();
                        attrs_into(c, &mut l);
                        for f in &c.children {
                            l.insert(f.name.clone(), generic(f));
                        }
                        Some(serde_json::json!({ "license": Value::Object(l) }))
                    }
                    _ => None,
                })
                .collect(),
        )
    }

    fn evidence(n: &Node) -> Value {
        let mut m = Map::new();
        for c in &n.children {
            let v = match c.name.as_str() {
                "licenses" => licenses(c),
                "copyright" => Value::Array(
                    c.children
                        .iter()
                        .map(|t| serde_json::json!({ "text": t.text() }))
                        .collect(),
                ),
                "occurrences" => Value::Array(c.children.iter().map(generic).collect()),
                _ => generic(c),
            };
            m.insert(c.name.clone(), v);
        }
        Value::Object(m)
    }

    fn dependency(n: &Node) -> Value {
        let on: Vec<Value> = n
            .children
            .iter()
            .filter(|c| c.name == "dependency")
            .filter_map(|c| c.attr("ref"))
            .map(|r| Value::String(r.to_string()))
            .collect();
        let provides: Vec<Value> = n
            .children
            .iter()
            .filter(|c| c.name == "provides")
            .filter_map(|c| c.attr("ref"))
            .map(|r| Value::String(r.to_string()))
            .collect();
        serde_json::json!({ "ref": n.attr("ref"), "dependsOn": on, "provides": provides })
    }

    fn property(n: &Node) -> Value {
        serde_json::json!({ "name": n.attr("name"), "value": n.text() })
    }

    /// Any other element: text when it is only text; else an object of its attributes and
    /// children (a repeated child becomes a list), its text as `content`.
    fn generic(n: &Node) -> Value {
        if n.children.is_empty() && n.attrs.is_empty() {
            return Value::String(n.text());
        }
        let mut m = Map::new();
        attrs_into(n, &mut m);
        for c in &n.children {
            let v = generic(c);
            match m.get_mut(&c.name) {
                Some(Value::Array(a))
                    if n.children.iter().filter(|x| x.name == c.name).count() > 1 =>
                {
                    a.push(v)
                }
                Some(_) => {}
                None => {
                    if n.children.iter().filter(|x| x.name == c.name).count() > 1 {
                        m.insert(c.name.clone(), Value::Array(vec![v]));
                    } else {
                        m.insert(c.name.clone(), v);
                    }
                }
            }
        }
        let t = n.text();
        if !t.is_empty() {
            m.insert("content".into(), t.into());
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(doc: &str) -> Scan {
        read_json(doc, "t.json").unwrap()
    }

    #[test]
    fn ospo_properties_round_trip_the_model() {
        let s = json(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":
            {"type":"application","bom-ref":"pkg:cargo/app@1.0.0","name":"app","version":"1.0.0",
             "purl":"pkg:cargo/app@1.0.0","licenses":[{"expression":"MIT","acknowledgement":"declared"}],
             "properties":[{"name":"ospo:ecosystem","value":"cargo"},{"name":"ospo:path","value":"."}]}},
            "components":[{"type":"library","bom-ref":"pkg:npm/x@2.0.0","name":"x","version":"2.0.0",
             "purl":"pkg:npm/x@2.0.0","scope":"excluded",
             "licenses":[{"expression":"MIT AND Apache-2.0","acknowledgement":"concluded"}],
             "evidence":{"licenses":[{"expression":"Apache-2.0"}],"occurrences":[
               {"location":"node_modules/x/LICENSE","line":3,"additionalContext":"Apache-2.0 (text, score 0.97, lines 3-17)"}]},
             "hashes":[{"alg":"SHA-512","content":"abcd"}],"supplier":{"name":"X Inc"},
             "externalReferences":[{"type":"website","url":"https://x.example"}],
             "properties":[{"name":"ospo:declared","value":"MIT"},{"name":"ospo:declared-raw","value":"MIT license"},
               {"name":"ospo:ecosystem","value":"npm"},{"name":"ospo:note","value":"n1"},
               {"name":"ospo:review","value":"r1"},{"name":"ospo:review","value":"r2"},
               {"name":"ospo:scope","value":"dev"}]},
             {"type":"library","bom-ref":"vendored:third_party/z","name":"z",
              "properties":[{"name":"ospo:concluded","value":"NOASSERTION"},{"name":"ospo:ecosystem","value":"generic"},
                {"name":"ospo:path","value":"third_party/z"}]}],
            "dependencies":[{"ref":"pkg:cargo/app@1.0.0","dependsOn":["pkg:npm/x@2.0.0","vendored:third_party/z"]},
              {"ref":"pkg:npm/x@2.0.0","dependsOn":[]}]}"#,
        );
        assert!(s.diagnostics.is_empty(), "{:?}", s.diagnostics);
        assert_eq!(s.project.as_deref(), Some("pkg:cargo/app@1.0.0"));
        assert_eq!(s.components.len(), 3);
        let app = &s.components[0];
        assert_eq!(
            (
                app.declared.as_deref(),
                app.concluded.as_str(),
                app.path.as_deref()
            ),
            (Some("MIT"), "MIT", Some("."))
        );
        let x = &s.components[1];
        assert_eq!(x.declared.as_deref(), Some("MIT"));
        assert_eq!(x.declared_raw.as_deref(), Some("MIT license"));
        assert_eq!(x.concluded, "MIT AND Apache-2.0");
        assert_eq!(x.detected.as_deref(), Some("Apache-2.0"));
        assert_eq!(x.scope, Some(Scope::Dev));
        assert_eq!(x.review, vec!["r1", "r2"]);
        assert_eq!(x.notes, vec!["n1"]);
        assert_eq!(x.supplier.as_deref(), Some("X Inc"));
        assert_eq!(x.homepage.as_deref(), Some("https://x.example"));
        assert_eq!(x.hashes[0].alg, "SHA-512");
        assert_eq!(
            x.evidence,
            vec![Evidence {
                expression: "Apache-2.0".into(),
                kind: MatchKind::Text,
                path: "node_modules/x/LICENSE".into(),
                start_line: 3,
                end_line: 17,
                score: 0.97,
                sha256: None,
            }]
        );
        let z = &s.components[2];
        assert_eq!(
            (z.concluded.as_str(), z.declared.as_deref()),
            ("NOASSERTION", None)
        );
        assert_eq!(z.ecosystem, "generic");
        assert_eq!(s.dependencies.len(), 2);
        assert_eq!(
            s.dependencies[0].to,
            vec!["pkg:npm/x@2.0.0", "vendored:third_party/z"]
        );
        assert!(s.dependencies[1].to.is_empty());
    }

    #[test]
    fn foreign_documents_get_refs_names_and_diagnostics() {
        let s = json(
            r#"{"bomFormat":"CycloneDX","specVersion":"1.3","components":[
              {"type":"library","group":"org.example","name":"a","version":"1","purl":"pkg:maven/org.example/a@1",
               "licenses":[{"license":{"name":"Apache License 2.0","text":{"content":"..."}}}],
               "description":"d","components":[{"type":"library","name":"inner","version":"2"}]},
              {"type":"library","name":"b"},{"type":"library","name":"b"},{"type":"library","version":"1"},
              7],
              "vulnerabilities":[{},{}],"services":[{"name":"s"}]}"#,
        );
        let refs: Vec<&str> = s.components.iter().map(|c| c.bom_ref.as_str()).collect();
        assert_eq!(refs, ["pkg:maven/org.example/a@1", "inner@2", "b", "b#2"]);
        let a = &s.components[0];
        assert_eq!(a.name, "org.example:a");
        assert_eq!(a.ecosystem, "maven");
        assert_eq!(a.declared.as_deref(), Some("Apache-2.0"));
        assert_eq!(a.declared_raw.as_deref(), Some("Apache License 2.0"));
        assert_eq!(a.concluded, "Apache-2.0");
        assert!(!a.notes.is_empty());
        assert_eq!(s.components[2].ecosystem, "unknown");
        // The nested component is part of its parent.
        assert_eq!(s.dependencies[0].from, "pkg:maven/org.example/a@1");
        assert_eq!(s.dependencies[0].to, vec!["inner@2"]);
        let msgs: Vec<&str> = s.diagnostics.iter().map(|d| d.message.as_str()).collect();
        let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
        assert!(has("2 vulnerabilities"), "{msgs:?}");
        assert!(has("1 services"), "{msgs:?}");
        assert!(has("1 license texts"), "{msgs:?}");
        assert!(has("CycloneDX 1.3 is not a supported version"), "{msgs:?}");
        assert!(has("components without a name"), "{msgs:?}");
        assert!(has("components that could not be read"), "{msgs:?}");
        assert!(has("description (1)"), "{msgs:?}");
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let e = read_json(
            "{\n \"bomFormat\": \"CycloneDX\",\n \"components\": [ }",
            "bad.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("bad.json: line 3, column"), "{e}");
        let e = read_json(
            "{\"bomFormat\":\"CycloneDX\",\"components\":{}}",
            "bad.json",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("bad.json") && e.contains("components") || e.contains("sequence"),
            "{e}"
        );
    }

    #[test]
    fn xml_reads_like_json() {
        let s = read_xml(
            r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata><component type="application" bom-ref="app"><name>app</name></component></metadata>
  <components>
    <component type="library" bom-ref="pkg:npm/%40s/x@1.0.0">
      <group>@s</group><name>x</name><version>1.0.0</version><scope>optional</scope>
      <hashes><hash alg="SHA-256">00ff</hash></hashes>
      <licenses><expression acknowledgement="concluded">MIT OR Apache-2.0</expression></licenses>
      <purl>pkg:npm/%40s/x@1.0.0</purl>
      <properties><property name="ospo:declared">MIT</property></properties>
      <evidence><copyright><text>Copyright A &amp; B</text></copyright>
        <occurrences><occurrence><location>x/LICENSE</location><line>1</line>
          <additionalContext>MIT (text, score 1, lines 1-21)</additionalContext></occurrence></occurrences>
      </evidence>
    </component>
  </components>
  <dependencies><dependency ref="app"><dependency ref="pkg:npm/%40s/x@1.0.0"/></dependency></dependencies>
</bom>"#,
            "t.xml",
        )
        .unwrap();
        assert_eq!(s.project.as_deref(), Some("app"));
        let x = &s.components[1];
        assert_eq!(x.name, "@s/x");
        assert_eq!(x.scope, Some(Scope::Optional));
        assert_eq!(x.declared.as_deref(), Some("MIT"));
        assert_eq!(x.concluded, "MIT OR Apache-2.0");
        assert_eq!(x.hashes[0].value, "00ff");
        assert_eq!(
            (
                x.evidence[0].path.as_str(),
                x.evidence[0].start_line,
                x.evidence[0].end_line
            ),
            ("x/LICENSE", 1, 21)
        );
        assert_eq!(x.evidence[0].score, 1.0);
        assert_eq!(s.dependencies[0].to, vec!["pkg:npm/%40s/x@1.0.0"]);
        // Copyright evidence stays on the component.
        assert_eq!(x.copyrights, vec!["Copyright A & B"]);
    }

    #[test]
    fn malformed_xml_names_line_and_column() {
        let e = read_xml(
            "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n</bom>",
            "bad.xml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("bad.xml: line 3, column"), "{e}");
        let e = read_xml("<foo/>", "f.xml").unwrap_err().to_string();
        assert!(e.contains("not <bom>"), "{e}");
    }
}
