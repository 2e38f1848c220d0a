//! CycloneDX 1.6 (default), 1.7 and 1.5, JSON and XML, from the model.
//!
//! One set of serde types of our own: cyclonedx-bom 0.8 writes only up to 1.5 and 1.6 adds
//! what we need most (`acknowledgement` declared / concluded, occurrences with lines). The
//! JSON is these types through serde; the XML walks the same values in the XSD's element
//! order. What 1.5 lacks is left out for 1.5, so both validate against their schemas.
//!
//! 1.7 adds what a reviewer of licenses needs (docs/adr/0020-cyclonedx-1.7.md): the
//! declared and the concluded expression as two entries, each with its `acknowledgement`;
//! the text of every `LicenseRef-` in `expressionDetails`; a top-level `citations` entry per
//! concluded license naming the evidence files and lines it rests on; and the TLP marking
//! `metadata.distributionConstraints.tlp`.
//!
//! Licenses are always one SPDX `expression`: it is valid whatever the schema's license-id
//! enum holds, and it never mixes with license objects. Mapping of the other model fields
//! (the `ospo:*` properties that make our own SBOMs read back losslessly) is in README.md.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use super::{copyrights_by_component, root_name, Stamp};
use crate::model::{Component, Diagnostic, Edge, Scan, Scope, NOASSERTION};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    V1_5,
    V1_6,
    V1_7,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

/// The Traffic Light Protocol marking of a 1.7 document
/// (`metadata.distributionConstraints.tlp`, FIRST TLP 2.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tlp {
    Clear,
    Green,
    Amber,
    AmberAndStrict,
    Red,
}

impl Tlp {
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::Clear => "CLEAR",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::AmberAndStrict => "AMBER_AND_STRICT",
            Tlp::Red => "RED",
        }
    }
}

/// What a document says beyond the scan: who made it, its marking, and the fields a
/// compliance profile adds per component (see [`crate::profile`]).
#[derive(Debug, Default)]
pub struct Options<'a> {
    pub authors: &'a [String],
    pub tlp: Option<Tlp>,
    pub profile: Option<&'a crate::profile::Filled>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom {
    #[serde(rename = "$schema")]
    schema: String,
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Comp>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<Dependency>,
    /// How complete the dependency graph is, where ospo knows (see [`compositions`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    compositions: Vec<Composition>,
    /// Only `ospo audit --format cyclonedx-json` fills it (see [`with_vulnerabilities`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    vulnerabilities: Vec<serde_json::Value>,
    /// 1.7: who asserted which license, on what evidence.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citations: Vec<Citation>,
}

/// A 1.7 citation: the fields (`pointers`, JSON Pointers) that `attributedTo` (ospo, the
/// tool) asserted, and in `note` the evidence files and lines.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Citation {
    pointers: Vec<String>,
    timestamp: String,
    attributed_to: String,
    note: String,
}

/// The document with a `vulnerabilities` section (CycloneDX 1.6 objects, already built by
/// the caller); JSON output only, the XML writer does not carry them.
/// The serial number is derived anew from the SBOM's and the vulnerabilities' content, so
/// the VEX document and the plain SBOM of one scan are two documents, still deterministic.
pub fn with_vulnerabilities(mut bom: Bom, vulnerabilities: Vec<serde_json::Value>) -> Bom {
    let seed = format!(
        "{}\n{}",
        bom.serial_number,
        serde_json::Value::Array(vulnerabilities.clone())
    );
    bom.serial_number = format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes())
    );
    bom.vulnerabilities = vulnerabilities;
    bom
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    timestamp: String,
    /// The profiles' generation context: ospo reads sources and lockfiles, before a build.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lifecycles: Vec<Lifecycle>,
    tools: Tools,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Contact>,
    component: Comp,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<Org>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Org>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distribution_constraints: Option<DistributionConstraints>,
}

#[derive(Debug, Serialize)]
struct Lifecycle {
    phase: &'static str,
}

#[derive(Debug, Serialize)]
struct DistributionConstraints {
    tlp: &'static str,
}

#[derive(Debug, Serialize)]
struct Tools {
    components: Vec<Comp>,
}

#[derive(Debug, Serialize)]
struct Contact {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
}

#[derive(Debug, Serialize)]
struct Org {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    url: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contact: Vec<Contact>,
}

impl Org {
    fn named(name: String) -> Self {
        Org {
            name,
            url: Vec::new(),
            contact: Vec::new(),
        }
    }

    /// "ACME <ospo@acme.example>" or "ACME https://acme.example": the name with an email
    /// contact or a URL, what BSI TR-03183-2 asks of a creator.
    fn from_contact(s: &str) -> Self {
        let (name, email) = split_contact(s);
        let mut words: Vec<&str> = name.split_whitespace().collect();
        let url = match words.last() {
            Some(w) if super::is_web_url(w) => {
                let u = w.to_string();
                words.pop();
                vec![u]
            }
            _ => Vec::new(),
        };
        let name = if words.is_empty() {
            name.clone()
        } else {
            words.join(" ")
        };
        Org {
            contact: email
                .map(|e| {
                    vec![Contact {
                        name: name.clone(),
                        email: Some(e),
                    }]
                })
                .unwrap_or_default(),
            name,
            url,
        }
    }
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct Property {
    name: String,
    value: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Comp {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Org>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<HashEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseExpr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExtRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    /// Components carried inside this one (native libraries bundled in a package).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Comp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evidence: Option<Evidence>,
}

#[derive(Debug, Clone, Serialize)]
struct HashEntry {
    alg: &'static str,
    content: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LicenseExpr {
    expression: String,
    /// 1.7: the text of each `LicenseRef-` of the expression.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    expression_details: Vec<ExprDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    acknowledgement: Option<&'static str>,
}

impl LicenseExpr {
    fn plain(expression: String, acknowledgement: Option<&'static str>) -> Self {
        LicenseExpr {
            expression,
            expression_details: Vec::new(),
            acknowledgement,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExprDetail {
    license_identifier: String,
    text: Attachment,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Attachment {
    content_type: &'static str,
    content: String,
}

#[derive(Debug, Serialize)]
struct ExtRef {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
    /// The deployable file's hashes, on its `distribution` reference (where BSI
    /// TR-03183-2 looks for the SHA-512).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<HashEntry>,
}

#[derive(Debug, Default, Serialize)]
struct Evidence {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    occurrences: Vec<Occurrence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseExpr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    copyright: Vec<CopyrightText>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Occurrence {
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_context: Option<String>,
}

#[derive(Debug, Serialize)]
struct CopyrightText {
    text: String,
}

/// How complete a set of components' dependency lists is (BSI TR-03183-2 asks for a
/// completeness statement): from the ecosystems where they know, else from the profile.
#[derive(Debug, Serialize)]
struct Composition {
    aggregate: &'static str,
    dependencies: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    depends_on: Vec<String>,
}

/// Build the document. Problems that do not stop it (an edge to an unknown component)
/// are pushed to `diags`.
pub fn build(
    scan: &Scan,
    spec: SpecVersion,
    stamp: &Stamp,
    authors: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Bom {
    let opts = Options {
        authors,
        ..Default::default()
    };
    build_with(scan, spec, stamp, &opts, diags)
}

/// The bom-ref of the tool entry, which 1.7 citations name as `attributedTo`.
fn tool_ref(scan: &Scan) -> String {
    format!("tool:{}@{}", scan.tool.name, scan.tool.version)
}

/// [`build`] with a TLP marking and a profile's fields.
pub fn build_with(
    scan: &Scan,
    spec: SpecVersion,
    stamp: &Stamp,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Bom {
    let v17 = spec == SpecVersion::V1_7;
    let copyrights = copyrights_by_component(scan);
    let project_ref = scan.project.clone();
    let ref_texts = if v17 {
        super::spdx::license_ref_texts(scan)
    } else {
        BTreeMap::new()
    };
    let filled = |r: &str| opts.profile.and_then(|p| p.components.get(r));

    let mut project: Option<Comp> = None;
    let mut components = Vec::with_capacity(scan.components.len());
    let mut citations = Vec::new();
    for c in &scan.components {
        let mut comp = component(
            c,
            spec,
            copyrights.get(c.bom_ref.as_str()),
            &ref_texts,
            filled(&c.bom_ref),
        );
        let is_project = Some(&c.bom_ref) == project_ref.as_ref();
        if v17 {
            let at = if is_project {
                "/metadata/component".to_string()
            } else {
                format!("/components/{}", components.len())
            };
            citations.extend(cite(c, &comp, &at, &stamp.created, &tool_ref(scan)));
        }
        if is_project {
            comp.kind = "application";
            project = Some(comp);
        } else {
            components.push(comp);
        }
    }
    let mut project = project.unwrap_or_else(|| Comp {
        kind: "application",
        bom_ref: Some(root_ref(scan)),
        name: root_name(scan),
        ..Default::default()
    });
    if let Some(image) = &scan.image {
        as_container(&mut project, image);
    }
    let profile = opts.profile;
    let supplier = match profile.and_then(|p| p.supplier.as_deref()) {
        Some(s) => Some(Org::from_contact(s)),
        None => project
            .supplier
            .as_ref()
            .map(|o| Org::named(o.name.clone())),
    };
    let manufacturer = profile
        .and_then(|p| p.author.as_deref())
        .map(Org::from_contact);

    let known: BTreeSet<&str> = std::iter::once(project.bom_ref.as_deref().unwrap_or(""))
        .chain(components.iter().filter_map(|c| c.bom_ref.as_deref()))
        .collect();
    let dependencies = dependencies(&scan.dependencies, &known, diags);
    let components = nest(scan, components);
    let mut compositions = compositions(scan, project_ref.as_deref().unwrap_or(&root_ref(scan)));
    if let (true, Some(p)) = (compositions.is_empty(), profile) {
        compositions.push(Composition {
            aggregate: p.completeness,
            dependencies: project.bom_ref.iter().cloned().collect(),
        });
    }

    let mut md_props = vec![Property {
        name: "ospo:license-list-version".into(),
        value: scan.tool.license_list_version.clone(),
    }];
    if let Some(p) = profile {
        md_props.extend(p.document.iter().map(|(k, v)| Property {
            name: k.clone(),
            value: v.clone(),
        }));
        md_props.sort();
    }

    Bom {
        schema: format!(
            "http://cyclonedx.org/schema/bom-{}.schema.json",
            spec.as_str()
        ),
        bom_format: "CycloneDX",
        spec_version: spec.as_str(),
        serial_number: format!("urn:uuid:{}", stamp.uuid("cyclonedx", scan)),
        version: 1,
        metadata: Metadata {
            timestamp: stamp.created.clone(),
            lifecycles: match profile {
                Some(_) => vec![Lifecycle { phase: "pre-build" }],
                None => Vec::new(),
            },
            tools: Tools {
                components: vec![Comp {
                    kind: "application",
                    bom_ref: v17.then(|| tool_ref(scan)),
                    name: scan.tool.name.clone(),
                    version: Some(scan.tool.version.clone()),
                    ..Default::default()
                }],
            },
            authors: opts
                .authors
                .iter()
                .map(|a| {
                    let (name, email) = split_contact(a);
                    Contact { name, email }
                })
                .collect(),
            component: project,
            manufacturer,
            supplier,
            properties: md_props,
            distribution_constraints: opts
                .tlp
                .filter(|_| v17)
                .map(|t| DistributionConstraints { tlp: t.as_str() }),
        },
        components,
        dependencies,
        compositions,
        vulnerabilities: Vec::new(),
        citations,
    }
}

/// Whose dependency lists are known complete, known incomplete (a Go module whose go.mod
/// is not in the tree), or not known: said only when an ecosystem knew for some.
fn compositions(scan: &Scan, project: &str) -> Vec<Composition> {
    if scan
        .components
        .iter()
        .all(|c| c.dependencies_complete.is_none())
    {
        return Vec::new();
    }
    let mut groups: [(&'static str, Vec<String>); 3] = [
        ("complete", vec![]),
        ("incomplete", vec![]),
        ("unknown", vec![]),
    ];
    for c in &scan.components {
        let g = match c.dependencies_complete {
            Some(true) => 0,
            Some(false) => 1,
            None => 2,
        };
        let r = if Some(&c.bom_ref) == scan.project.as_ref() {
            project.to_string()
        } else {
            c.bom_ref.clone()
        };
        groups[g].1.push(r);
    }
    groups
        .into_iter()
        .filter(|(_, refs)| !refs.is_empty())
        .map(|(aggregate, mut dependencies)| {
            dependencies.sort();
            Composition {
                aggregate,
                dependencies,
            }
        })
        .collect()
}

/// The scanned project of an image is the image: a `container` component with the
/// configuration digest as its hash (the image ID), an OCI purl by the manifest digest
/// where there is one, and the tags and layers as properties.
fn as_container(project: &mut Comp, image: &crate::model::Image) {
    project.kind = "container";
    let (repo, tag) = split_reference(&image.name);
    project.name = repo.to_string();
    project.version = Some(tag.map_or_else(|| image.config_digest.clone(), str::to_string));
    project
        .properties
        .retain(|p| p.name != "ospo:version" && p.name != "ospo:layer");
    if let Some(hex) = image.config_digest.strip_prefix("sha256:") {
        project.hashes = vec![HashEntry {
            alg: "SHA-256",
            content: hex.to_string(),
        }];
    }
    project.purl = Some(image_purl(image));
    let mut props = vec![
        Property {
            name: "ospo:image:format".into(),
            value: image.format.clone(),
        },
        Property {
            name: "ospo:image:config-digest".into(),
            value: image.config_digest.clone(),
        },
    ];
    if let Some(m) = &image.manifest_digest {
        props.push(Property {
            name: "ospo:image:manifest-digest".into(),
            value: m.clone(),
        });
    }
    for t in &image.repo_tags {
        props.push(Property {
            name: "ospo:image:repo-tag".into(),
            value: t.clone(),
        });
    }
    for (i, l) in image.layers.iter().enumerate() {
        props.push(Property {
            name: "ospo:image:layer".into(),
            value: format!("{i} {l}"),
        });
    }
    for o in [&image.os, &image.architecture].into_iter().flatten() {
        let name = if Some(o) == image.os.as_ref() {
            "ospo:image:os"
        } else {
            "ospo:image:architecture"
        };
        props.push(Property {
            name: name.into(),
            value: o.clone(),
        });
    }
    project.properties.extend(props);
    project.properties.sort();
}

/// The image's purl: `pkg:oci/NAME@DIGEST` (the manifest's digest, else the config's)
/// with `arch`, `repository_url` and `tag` where known.
pub(crate) fn image_purl(image: &crate::model::Image) -> String {
    let (repo, tag) = split_reference(&image.name);
    let digest = image
        .manifest_digest
        .as_deref()
        .unwrap_or(&image.config_digest);
    let last = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    let mut purl = format!("pkg:oci/{}@{}", purl_part(&last), purl_part(digest));
    let mut q = Vec::new();
    if let Some(a) = &image.architecture {
        q.push(format!("arch={}", purl_part(a)));
    }
    if repo.contains('/') {
        q.push(format!("repository_url={}", purl_part(repo)));
    }
    if let Some(t) = tag {
        q.push(format!("tag={}", purl_part(t)));
    }
    if !q.is_empty() {
        purl.push('?');
        purl.push_str(&q.join("&"));
    }
    purl
}

/// `example.org/app:1.0` -> (`example.org/app`, Some(`1.0`)); a port is not a tag.
pub(crate) fn split_reference(r: &str) -> (&str, Option<&str>) {
    let r = r.split('@').next().unwrap_or(r);
    match r.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') && !repo.is_empty() => (repo, Some(tag)),
        _ => (r, None),
    }
}

/// Percent-encoding of a purl name, version or qualifier value.
fn purl_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || b == b'/' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The 1.7 citations of one component's licenses: ospo concluded the `concluded` entry
/// from the evidence listed in the note (file, lines, kind, score); the `declared` entry
/// is what the manifest says.
fn cite(c: &Component, comp: &Comp, at: &str, when: &str, tool: &str) -> Vec<Citation> {
    const MAX_LISTED: usize = 20;
    let mut out = Vec::new();
    for (i, l) in comp.licenses.iter().enumerate() {
        let (evidence, what): (Vec<&crate::model::Evidence>, &str) = match l.acknowledgement {
            Some("concluded") => (c.evidence.iter().collect(), "concluded"),
            Some("declared") => (
                c.evidence
                    .iter()
                    .filter(|e| e.kind == crate::model::MatchKind::Manifest)
                    .collect(),
                "read as declared",
            ),
            _ => continue,
        };
        if evidence.is_empty() {
            continue;
        }
        let mut listed: Vec<String> = evidence
            .iter()
            .take(MAX_LISTED)
            .map(|e| format!("{}: {}", e.path, evidence_context(e)))
            .collect();
        if evidence.len() > MAX_LISTED {
            listed.push(format!("and {} more", evidence.len() - MAX_LISTED));
        }
        out.push(Citation {
            pointers: vec![format!("{at}/licenses/{i}")],
            timestamp: when.to_string(),
            attributed_to: tool.to_string(),
            note: format!("{} {what} from: {}", l.expression, listed.join("; ")),
        });
    }
    out
}

/// Components with a `parent` (a library bundled inside a package) move into their
/// parent's `components`, deepest first so a nested one's own children come along; one
/// whose parent is not listed (or the project) stays at the top.
fn nest(scan: &Scan, components: Vec<Comp>) -> Vec<Comp> {
    let parent_of: HashMap<&str, &str> = scan
        .components
        .iter()
        .filter(|c| Some(&c.bom_ref) != scan.project.as_ref())
        .filter_map(|c| Some((c.bom_ref.as_str(), c.parent.as_deref()?)))
        .collect();
    if parent_of.is_empty() {
        return components;
    }
    let listed: BTreeSet<String> = components
        .iter()
        .filter_map(|c| c.bom_ref.clone())
        .collect();
    // Depth in the parent chain; a chain that loops or leaves the list ends it.
    let depth = |r: &str| {
        let mut d = 0;
        let mut at = r;
        while let Some(p) = parent_of.get(at).filter(|p| listed.contains(**p)) {
            d += 1;
            at = p;
            if d > 16 {
                return 0;
            }
        }
        d
    };
    let mut order: Vec<(usize, String)> = listed
        .iter()
        .map(|r| (depth(r), r.clone()))
        .filter(|(d, _)| *d > 0)
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut by_ref: BTreeMap<String, Comp> = BTreeMap::new();
    let mut top = Vec::new();
    for c in components {
        match &c.bom_ref {
            Some(r) => {
                by_ref.insert(r.clone(), c);
            }
            None => top.push(c),
        }
    }
    for (_, r) in order {
        let parent = parent_of[r.as_str()];
        if let Some(child) = by_ref.remove(&r) {
            if let Some(p) = by_ref.get_mut(parent) {
                p.components.push(child);
                p.components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
            } else {
                by_ref.insert(r, child);
            }
        }
    }
    top.extend(by_ref.into_values());
    top.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    top
}

/// "Jane Doe <jane@example.com>" -> name and email.
fn split_contact(s: &str) -> (String, Option<String>) {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => {
            let name = s[..a].trim();
            let email = s[a + 1..b].trim().to_string();
            let name = if name.is_empty() {
                email.clone()
            } else {
                name.to_string()
            };
            (name, Some(email).filter(|e| !e.is_empty()))
        }
        _ => (s.trim().to_string(), None),
    }
}

fn root_ref(scan: &Scan) -> String {
    format!("project:{}", root_name(scan))
}

fn component(
    c: &Component,
    spec: SpecVersion,
    copyrights: Option<&BTreeSet<&str>>,
    ref_texts: &BTreeMap<String, String>,
    filled: Option<&crate::profile::FilledComponent>,
) -> Comp {
    let v16 = spec != SpecVersion::V1_5;
    let v17 = spec == SpecVersion::V1_7;
    let known = !crate::model::is_unknown_license(&c.concluded);
    let declared_known = c
        .declared
        .as_deref()
        .is_some_and(|d| !crate::model::is_unknown_license(d));
    let entry = |expr: &str, ack: &'static str| LicenseExpr {
        expression: expr.to_string(),
        expression_details: if v17 {
            details(expr, ref_texts)
        } else {
            Vec::new()
        },
        acknowledgement: v16.then_some(ack),
    };
    let licenses = if v17 {
        // 1.7 lets both stand side by side: what the manifest declares, what ospo concluded.
        let mut l = Vec::new();
        if declared_known {
            l.push(entry(c.declared.as_deref().unwrap_or_default(), "declared"));
        }
        if known {
            l.push(entry(&c.concluded, "concluded"));
        }
        l
    } else if known {
        // A profile asks for the concluded (distribution) licence: 1.6 holds one
        // expression, so it is acknowledged as concluded and the declared one kept apart.
        let ack = if c.declared.as_deref() == Some(c.concluded.as_str()) && filled.is_none() {
            "declared"
        } else {
            "concluded"
        };
        vec![entry(&c.concluded, ack)]
    } else {
        Vec::new()
    };

    let mut properties = vec![Property {
        name: "ospo:ecosystem".into(),
        value: c.ecosystem.to_string(),
    }];
    let mut prop = |name: &str, value: &str| {
        properties.push(Property {
            name: name.into(),
            value: value.into(),
        })
    };
    if let Some(p) = &c.path {
        prop("ospo:path", p);
    }
    if let Some(l) = &c.layer {
        prop("ospo:layer", l);
    }
    if let Some(d) = &c.declared {
        // 1.5 has no acknowledgement to say the expression in `licenses` was declared;
        // 1.7 writes it as an entry of its own.
        if !(v17 && declared_known || v16 && known && d == &c.concluded && filled.is_none()) {
            prop("ospo:declared", d);
        }
    }
    if let Some(raw) = &c.declared_raw {
        prop("ospo:declared-raw", raw);
    }
    if !known {
        prop("ospo:concluded", NOASSERTION);
    }
    // NTIA minimum elements CycloneDX has no NOASSERTION for: stated, not left blank.
    if c.supplier.is_none() {
        prop("ospo:supplier", NOASSERTION);
    }
    if c.version.is_none() {
        prop("ospo:version", NOASSERTION);
    }
    if c.scope == Some(Scope::Dev) {
        prop("ospo:scope", "dev");
    }
    for r in &c.review {
        prop("ospo:review", r);
    }
    if !v16 {
        // 1.5 occurrences carry a location only: the rest of the evidence goes here.
        for e in &c.evidence {
            prop(
                "ospo:evidence",
                &format!("{} in {}", evidence_context(e), e.path),
            );
        }
    }
    for n in &c.notes {
        prop("ospo:note", n);
    }
    if let Some(f) = filled {
        for (k, v) in &f.properties {
            prop(k, v);
        }
        if !v17 && declared_known {
            prop(
                crate::profile::facts::UNKNOWN_PROPERTY,
                &format!(
                    "declared-license: CycloneDX {} holds one license expression, the \
                     concluded one; the declared one is in the property ospo:declared \
                     (--spec-version 1.7 carries both)",
                    spec.as_str()
                ),
            );
        }
    }
    properties.sort();

    let mut evidence = Evidence::default();
    if let Some(d) = &c.detected {
        evidence.licenses.push(LicenseExpr::plain(d.clone(), None));
    }
    for e in &c.evidence {
        evidence.occurrences.push(Occurrence {
            location: e.path.clone(),
            line: v16.then_some(e.start_line).filter(|l| *l > 0),
            additional_context: v16.then(|| evidence_context(e)),
        });
    }
    if let Some(cs) = copyrights {
        evidence.copyright = cs
            .iter()
            .map(|t| CopyrightText {
                text: (*t).to_string(),
            })
            .collect();
    }
    let hashes: Vec<HashEntry> = c
        .hashes
        .iter()
        .chain(filled.iter().flat_map(|f| &f.hashes))
        .filter_map(hash_entry)
        .collect();
    let has_evidence = !evidence.occurrences.is_empty()
        || !evidence.licenses.is_empty()
        || !evidence.copyright.is_empty();

    Comp {
        kind: "library",
        bom_ref: Some(c.bom_ref.clone()),
        supplier: match filled.and_then(|f| f.creator.as_deref()) {
            Some(who) => Some(Org::from_contact(who)),
            None => c.supplier.as_ref().map(|s| Org::named(s.clone())),
        },
        name: c.name.clone(),
        version: c.version.clone(),
        scope: c.scope.map(|s| match s {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "excluded",
        }),
        hashes: hashes.clone(),
        licenses,
        purl: c.purl.clone(),
        external_references: c
            .homepage
            .iter()
            .filter(|h| super::is_web_url(h))
            .map(|h| ExtRef {
                kind: "website",
                url: h.clone(),
                hashes: Vec::new(),
            })
            .chain(
                filled
                    .iter()
                    .flat_map(|f| &f.references)
                    .map(|(k, u)| ExtRef {
                        kind: k,
                        url: u.clone(),
                        hashes: if *k == "distribution" {
                            hashes
                                .iter()
                                .filter(|h| h.alg == "SHA-512")
                                .cloned()
                                .collect()
                        } else {
                            Vec::new()
                        },
                    }),
            )
            .collect(),
        properties,
        components: Vec::new(),
        evidence: has_evidence.then_some(evidence),
    }
}

/// A model hash as CycloneDX names its algorithm; None for an algorithm it has no name for.
fn hash_entry(h: &crate::model::Hash) -> Option<HashEntry> {
    let alg = match h.alg.to_ascii_uppercase().replace('_', "-").as_str() {
        "SHA-1" | "SHA1" => "SHA-1",
        "SHA-256" | "SHA256" => "SHA-256",
        "SHA-384" | "SHA384" => "SHA-384",
        "SHA-512" | "SHA512" => "SHA-512",
        "MD5" => "MD5",
        _ => return None,
    };
    Some(HashEntry {
        alg,
        content: h.value.to_ascii_lowercase(),
    })
}

/// The text of every `LicenseRef-` of `expr` that the scan knows (1.7 `expressionDetails`).
fn details(expr: &str, ref_texts: &BTreeMap<String, String>) -> Vec<ExprDetail> {
    let ids: BTreeSet<&str> = expr
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| t.starts_with("LicenseRef-"))
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            ref_texts.get(id).map(|t| ExprDetail {
                license_identifier: id.to_string(),
                text: Attachment {
                    content_type: "text/plain",
                    content: t.clone(),
                },
            })
        })
        .collect()
}

/// `MIT (text, score 0.994, lines 3-25)`: what an occurrence found, read back by --from.
fn evidence_context(e: &crate::model::Evidence) -> String {
    format!(
        "{} ({}, score {}, lines {}-{})",
        e.expression,
        e.kind.name(),
        e.score,
        e.start_line,
        e.end_line
    )
}

/// One entry per known component (CycloneDX asks every component to be listed, leaves
/// with no dependsOn); edges to refs that are not in the document are dropped and said.
fn dependencies(
    edges: &[Edge],
    known: &BTreeSet<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Dependency> {
    let mut graph: BTreeMap<&str, BTreeSet<&str>> =
        known.iter().map(|r| (*r, BTreeSet::new())).collect();
    let mut dangling = 0usize;
    for e in edges {
        if !known.contains(e.from.as_str()) {
            dangling += e.to.len().max(1);
            continue;
        }
        for t in &e.to {
            if known.contains(t.as_str()) {
                graph.entry(e.from.as_str()).or_default().insert(t.as_str());
            } else {
                dangling += 1;
            }
        }
    }
    if dangling > 0 {
        diags.push(Diagnostic::warning(
            None,
            format!(
                "{dangling} dependency edges name components that are not in the SBOM; left out"
            ),
        ));
    }
    graph
        .into_iter()
        .filter(|(r, _)| !r.is_empty())
        .map(|(r, to)| Dependency {
            reference: r.to_string(),
            depends_on: to.into_iter().map(str::to_string).collect(),
        })
        .collect()
}

pub fn to_json(bom: &Bom) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(bom).expect("CycloneDX types serialize");
    v.push(b'\n');
    v
}

/// XML in the XSD's element order.
pub fn to_xml(bom: &Bom) -> Vec<u8> {
    let mut x = Xml::default();
    x.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let ns = format!("http://cyclonedx.org/schema/bom/{}", bom.spec_version);
    x.open(
        "bom",
        &[
            ("xmlns", ns.as_str()),
            ("serialNumber", &bom.serial_number),
            ("version", &bom.version.to_string()),
        ],
    );
    let m = &bom.metadata;
    x.open("metadata", &[]);
    x.leaf("timestamp", &[], &m.timestamp);
    if !m.lifecycles.is_empty() {
        x.open("lifecycles", &[]);
        for l in &m.lifecycles {
            x.open("lifecycle", &[]);
            x.leaf("phase", &[], l.phase);
            x.close("lifecycle");
        }
        x.close("lifecycles");
    }
    x.open("tools", &[]);
    x.open("components", &[]);
    for t in &m.tools.components {
        xml_component(&mut x, t);
    }
    x.close("components");
    x.close("tools");
    if !m.authors.is_empty() {
        x.open("authors", &[]);
        for a in &m.authors {
            x.open("author", &[]);
            x.leaf("name", &[], &a.name);
            if let Some(e) = &a.email {
                x.leaf("email", &[], e);
            }
            x.close("author");
        }
        x.close("authors");
    }
    xml_component(&mut x, &m.component);
    if let Some(o) = &m.manufacturer {
        xml_org(&mut x, "manufacturer", o);
    }
    if let Some(o) = &m.supplier {
        xml_org(&mut x, "supplier", o);
    }
    xml_properties(&mut x, &m.properties);
    if let Some(d) = &m.distribution_constraints {
        x.open("distributionConstraints", &[]);
        x.leaf("tlp", &[], d.tlp);
        x.close("distributionConstraints");
    }
    x.close("metadata");
    if !bom.components.is_empty() {
        x.open("components", &[]);
        for c in &bom.components {
            xml_component(&mut x, c);
        }
        x.close("components");
    }
    if !bom.dependencies.is_empty() {
        x.open("dependencies", &[]);
        for d in &bom.dependencies {
            if d.depends_on.is_empty() {
                x.empty("dependency", &[("ref", &d.reference)]);
            } else {
                x.open("dependency", &[("ref", &d.reference)]);
                for t in &d.depends_on {
                    x.empty("dependency", &[("ref", t)]);
                }
                x.close("dependency");
            }
        }
        x.close("dependencies");
    }
    if !bom.compositions.is_empty() {
        x.open("compositions", &[]);
        for c in &bom.compositions {
            x.open("composition", &[]);
            x.leaf("aggregate", &[], c.aggregate);
            if !c.dependencies.is_empty() {
                x.open("dependencies", &[]);
                for d in &c.dependencies {
                    x.empty("dependency", &[("ref", d)]);
                }
                x.close("dependencies");
            }
            x.close("composition");
        }
        x.close("compositions");
    }
    if !bom.citations.is_empty() {
        x.open("citations", &[]);
        for c in &bom.citations {
            x.open("citation", &[]);
            x.open("pointers", &[]);
            for p in &c.pointers {
                x.leaf("pointer", &[], p);
            }
            x.close("pointers");
            x.leaf("timestamp", &[], &c.timestamp);
            x.leaf("attributedTo", &[], &c.attributed_to);
            x.leaf("note", &[], &c.note);
            x.close("citation");
        }
        x.close("citations");
    }
    x.close("bom");
    x.out.into_bytes()
}

fn xml_component(x: &mut Xml, c: &Comp) {
    let mut attrs: Vec<(&str, &str)> = vec![("type", c.kind)];
    if let Some(r) = &c.bom_ref {
        attrs.push(("bom-ref", r));
    }
    x.open("component", &attrs);
    if let Some(s) = &c.supplier {
        xml_org(x, "supplier", s);
    }
    x.leaf("name", &[], &c.name);
    if let Some(v) = &c.version {
        x.leaf("version", &[], v);
    }
    if let Some(s) = c.scope {
        x.leaf("scope", &[], s);
    }
    if !c.hashes.is_empty() {
        x.open("hashes", &[]);
        for h in &c.hashes {
            x.leaf("hash", &[("alg", h.alg)], &h.content);
        }
        x.close("hashes");
    }
    xml_licenses(x, &c.licenses);
    if let Some(p) = &c.purl {
        x.leaf("purl", &[], p);
    }
    if !c.external_references.is_empty() {
        x.open("externalReferences", &[]);
        for r in &c.external_references {
            x.open("reference", &[("type", r.kind)]);
            x.leaf("url", &[], &r.url);
            if !r.hashes.is_empty() {
                x.open("hashes", &[]);
                for h in &r.hashes {
                    x.leaf("hash", &[("alg", h.alg)], &h.content);
                }
                x.close("hashes");
            }
            x.close("reference");
        }
        x.close("externalReferences");
    }
    xml_properties(x, &c.properties);
    if !c.components.is_empty() {
        x.open("components", &[]);
        for n in &c.components {
            xml_component(x, n);
        }
        x.close("components");
    }
    if let Some(e) = &c.evidence {
        x.open("evidence", &[]);
        if !e.occurrences.is_empty() {
            x.open("occurrences", &[]);
            for o in &e.occurrences {
                x.open("occurrence", &[]);
                x.leaf("location", &[], &o.location);
                if let Some(l) = o.line {
                    x.leaf("line", &[], &l.to_string());
                }
                if let Some(a) = &o.additional_context {
                    x.leaf("additionalContext", &[], a);
                }
                x.close("occurrence");
            }
            x.close("occurrences");
        }
        xml_licenses(x, &e.licenses);
        if !e.copyright.is_empty() {
            x.open("copyright", &[]);
            for t in &e.copyright {
                x.leaf("text", &[], &t.text);
            }
            x.close("copyright");
        }
        x.close("evidence");
    }
    x.close("component");
}

fn xml_licenses(x: &mut Xml, licenses: &[LicenseExpr]) {
    if licenses.is_empty() {
        return;
    }
    x.open("licenses", &[]);
    for l in licenses {
        let ack: Vec<(&str, &str)> = l
            .acknowledgement
            .map(|a| ("acknowledgement", a))
            .into_iter()
            .collect();
        if l.expression_details.is_empty() {
            x.leaf("expression", &ack, &l.expression);
            continue;
        }
        let mut attrs = vec![("expression", l.expression.as_str())];
        attrs.extend(ack);
        x.open("expression-detailed", &attrs);
        for d in &l.expression_details {
            x.open("details", &[("license-identifier", &d.license_identifier)]);
            x.leaf(
                "text",
                &[("content-type", d.text.content_type)],
                &d.text.content,
            );
            x.close("details");
        }
        x.close("expression-detailed");
    }
    x.close("licenses");
}

fn xml_org(x: &mut Xml, tag: &str, o: &Org) {
    x.open(tag, &[]);
    x.leaf("name", &[], &o.name);
    for u in &o.url {
        x.leaf("url", &[], u);
    }
    for c in &o.contact {
        x.open("contact", &[]);
        x.leaf("name", &[], &c.name);
        if let Some(e) = &c.email {
            x.leaf("email", &[], e);
        }
        x.close("contact");
    }
    x.close(tag);
}

fn xml_properties(x: &mut Xml, props: &[Property]) {
    if props.is_empty() {
        return;
    }
    x.open("properties", &[]);
    for p in props {
        x.leaf("property", &[("name", &p.name)], &p.value);
    }
    x.close("properties");
}

/// A small indenting XML writer; text and attribute values are escaped and characters
/// XML 1.0 cannot carry (control characters from scanned files) are dropped.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
    fn start(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v));
        }
    }
    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }
    fn empty(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start(tag, attrs);
        self.out.push_str("/>\n");
    }
    fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(tag, attrs);
        let _ = writeln!(self.out, ">{}</{tag}>", escape(text));
    }
    fn close(&mut self, tag: &str) {
        self.depth -= 1;
        self.indent();
        let _ = writeln!(self.out, "</{tag}>");
    }
}

fn escape(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r')
                || ('\u{20}'..='\u{D7FF}').contains(&c)
                || ('\u{E000}'..='\u{FFFD}').contains(&c)
                || c >= '\u{10000}'
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence as Ev, Hash, MatchKind};

    fn scan() -> Scan {
        let mut s = Scan {
            root: "demo".into(),
            project: Some("pkg:cargo/app@1.0.0".into()),
            tool: crate::model::Tool::current(crate::licensedb::LICENSE_LIST_VERSION),
            ..Default::default()
        };
        s.components = vec![
            Component {
                bom_ref: "pkg:cargo/app@1.0.0".into(),
                name: "app".into(),
                version: Some("1.0.0".into()),
                purl: Some("pkg:cargo/app@1.0.0".into()),
                ecosystem: "cargo".into(),
                declared: Some("MIT".into()),
                concluded: "MIT".into(),
                ..Default::default()
            },
            Component {
                bom_ref: "pkg:cargo/dep@0.2.0".into(),
                name: "dep".into(),
                version: Some("0.2.0".into()),
                purl: Some("pkg:cargo/dep@0.2.0".into()),
                ecosystem: "cargo".into(),
                declared: Some("MIT".into()),
                detected: Some("Apache-2.0".into()),
                concluded: "MIT AND Apache-2.0".into(),
                evidence: vec![Ev {
                    expression: "Apache-2.0".into(),
                    kind: MatchKind::Text,
                    path: "vendor/dep/LICENSE".into(),
                    start_line: 1,
                    end_line: 176,
                    score: 0.99,
                    sha256: None,
                }],
                hashes: vec![Hash {
                    alg: "SHA-256".into(),
                    value: "AB".repeat(32),
                }],
                scope: Some(Scope::Dev),
                ..Default::default()
            },
            Component {
                bom_ref: "vendored:x".into(),
                name: "x <&>".into(),
                ecosystem: "generic".into(),
                concluded: NOASSERTION.into(),
                ..Default::default()
            },
        ];
        s.dependencies = vec![Edge {
            from: "pkg:cargo/app@1.0.0".into(),
            to: vec!["pkg:cargo/dep@0.2.0".into(), "pkg:cargo/gone@1.0.0".into()],
        }];
        s
    }

    fn json(spec: SpecVersion) -> (serde_json::Value, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let bom = build(&scan(), spec, &Stamp::at(0).unwrap(), &[], &mut d);
        (serde_json::from_slice(&to_json(&bom)).unwrap(), d)
    }

    #[test]
    fn licenses_acknowledge_declared_and_concluded() {
        let (v, _) = json(SpecVersion::V1_6);
        let project = &v["metadata"]["component"];
        assert_eq!(project["type"], "application");
        assert_eq!(project["licenses"][0]["expression"], "MIT");
        assert_eq!(project["licenses"][0]["acknowledgement"], "declared");
        let dep = &v["components"][0];
        assert_eq!(dep["licenses"][0]["expression"], "MIT AND Apache-2.0");
        assert_eq!(dep["licenses"][0]["acknowledgement"], "concluded");
        assert_eq!(dep["evidence"]["licenses"][0]["expression"], "Apache-2.0");
        assert_eq!(
            dep["evidence"]["occurrences"][0]["location"],
            "vendor/dep/LICENSE"
        );
        assert_eq!(dep["evidence"]["occurrences"][0]["line"], 1);
        assert_eq!(dep["scope"], "excluded");
        assert_eq!(dep["hashes"][0]["content"], "ab".repeat(32));
        let props: Vec<(String, String)> = dep["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().into(),
                    p["value"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert!(props.contains(&("ospo:declared".into(), "MIT".into())));
        assert!(props.contains(&("ospo:scope".into(), "dev".into())));
    }

    #[test]
    fn unknown_license_is_stated_not_invented() {
        let (v, _) = json(SpecVersion::V1_6);
        let x = &v["components"][1];
        assert!(x.get("licenses").is_none());
        assert!(x["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "ospo:concluded" && p["value"] == "NOASSERTION"));
        // So are a missing supplier and version (NTIA minimum elements).
        for name in ["ospo:supplier", "ospo:version"] {
            assert!(x["properties"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == name && p["value"] == "NOASSERTION"));
        }
        let dep = &v["components"][0];
        assert!(!dep["properties"].to_string().contains("ospo:version"));
    }

    #[test]
    fn spec_1_5_leaves_out_what_it_lacks() {
        let (v, _) = json(SpecVersion::V1_5);
        assert_eq!(v["specVersion"], "1.5");
        let dep = &v["components"][0];
        assert!(dep["licenses"][0].get("acknowledgement").is_none());
        assert!(dep["evidence"]["occurrences"][0].get("line").is_none());
    }

    #[test]
    fn dangling_edges_are_dropped_and_said() {
        let (v, d) = json(SpecVersion::V1_6);
        let deps = v["dependencies"].as_array().unwrap();
        assert_eq!(deps.len(), 3, "every component has an entry");
        let app = deps
            .iter()
            .find(|d| d["ref"] == "pkg:cargo/app@1.0.0")
            .unwrap();
        assert_eq!(app["dependsOn"], serde_json::json!(["pkg:cargo/dep@0.2.0"]));
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("1 dependency edges"));
    }

    #[test]
    fn xml_escapes_and_drops_control_characters() {
        assert_eq!(escape("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
        let mut d = Vec::new();
        let bom = build(
            &scan(),
            SpecVersion::V1_6,
            &Stamp::at(0).unwrap(),
            &["OSPO <ospo@example.com>".to_string()],
            &mut d,
        );
        let xml = String::from_utf8(to_xml(&bom)).unwrap();
        assert!(xml.contains("<name>x &lt;&amp;&gt;</name>"));
        assert!(xml
            .contains("<expression acknowledgement=\"concluded\">MIT AND Apache-2.0</expression>"));
        assert!(xml.contains("<email>ospo@example.com</email>"));
        assert!(xml.contains("xmlns=\"http://cyclonedx.org/schema/bom/1.6\""));
    }
}
