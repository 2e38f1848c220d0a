//! Any tool's SBOM reduced to what a profile asks about: per component, the fields it
//! carries and the known unknowns it states. One reader per format (CycloneDX 1.4-1.7
//! JSON and XML, SPDX 2.3 JSON, SPDX 3.0.1 JSON-LD), each following where BSI
//! TR-03183-2 v2.1 and the SPDX / CycloneDX specifications put the field.
//!
//! Known unknowns are read from the form ospo writes them in: a CycloneDX property
//! `ospo:known-unknown` = "FIELD: reason", or a line "Known unknown: FIELD: reason" in an
//! SPDX comment (other tools have no standard way to say it).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::Field;

/// The CycloneDX property ospo states a known unknown with.
pub const UNKNOWN_PROPERTY: &str = "ospo:known-unknown";
/// The SPDX comment line prefix ospo states a known unknown with.
pub const UNKNOWN_COMMENT: &str = "Known unknown: ";

/// What one component (or the document) carries.
#[derive(Debug, Default, Clone)]
pub struct DocFacts {
    pub name: String,
    pub id: String,
    pub present: BTreeSet<Field>,
    /// Field -> the reason the document gives for not knowing it.
    pub unknown: BTreeMap<Field, String>,
}

impl DocFacts {
    fn set(&mut self, f: Field, yes: bool) {
        if yes {
            self.present.insert(f);
        }
    }

    fn unknowns_from(&mut self, statement: &str) {
        let (f, reason) = statement.split_once(':').unwrap_or((statement, ""));
        if let Some(f) = Field::from_id(f.trim()) {
            self.unknown.insert(f, reason.trim().to_string());
        }
    }
}

/// A document's facts.
#[derive(Debug, Default, Clone)]
pub struct Facts {
    /// "CycloneDX 1.7 JSON", "SPDX 2.3 JSON", "SPDX 3.0.1 JSON-LD".
    pub format: String,
    pub document: DocFacts,
    pub components: Vec<DocFacts>,
}

/// Read the facts of the SBOM at `path` (read capped like every --from input).
pub fn read(path: &Path) -> Result<Facts> {
    let bytes = crate::text::read_capped(path, crate::ingest::MAX_INPUT_BYTES)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let shown = path.display().to_string();
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| anyhow!("{shown}: not UTF-8 text ({e}); save the document as UTF-8"))?;
    from_text(text.trim_start_matches('\u{feff}'), &shown)
}

/// The facts of a document given as text.
pub fn from_text(text: &str, shown: &str) -> Result<Facts> {
    use crate::ingest::{sniff, InputKind};
    let json = |what: &str| -> Result<Value> {
        serde_json::from_str(text).map_err(|e| crate::ingest::json_error(shown, what, e))
    };
    match sniff(text.as_bytes()) {
        Some(InputKind::CycloneDxJson) => Ok(cyclonedx(&json("CycloneDX JSON document")?, "JSON")),
        Some(InputKind::CycloneDxXml) => {
            let v = crate::ingest::cyclonedx::xml_to_json(text, shown)?;
            Ok(cyclonedx(&v, "XML"))
        }
        Some(InputKind::SpdxJson) => Ok(spdx2(&json("SPDX JSON document")?)),
        Some(InputKind::Spdx3Json) => Ok(spdx3(&json("SPDX 3 JSON-LD document")?)),
        Some(InputKind::SpdxTagValue) => bail!(
            "{shown}: SPDX tag-value cannot be checked against a profile; convert it to JSON \
             first (`ospo sbom --from {shown} --format spdx-json` keeps what ospo models)"
        ),
        Some(InputKind::OspoScan) => bail!(
            "{shown}: a saved ospo scan is not an SBOM; check the SBOM made from it \
             (`ospo sbom --from {shown} --profile P`)"
        ),
        None => bail!("{shown}: not a CycloneDX or SPDX document"),
    }
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v[k].as_str().map(str::trim).filter(|x| !x.is_empty())
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v[k].as_array().map_or(&[], |a| a.as_slice())
}

/// A list as JSON writes it (`"authors": [...]`) or as the XML reads back
/// (`"authors": {"author": {...} or [...]}`).
fn list<'a>(v: &'a Value, k: &str, inner: &str) -> Vec<&'a Value> {
    match &v[k] {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => match o.get(inner) {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(x @ Value::Object(_)) => vec![x],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

fn known(v: Option<&str>) -> bool {
    v.is_some_and(|x| !crate::model::is_unknown_license(x))
}

/// An email address or a web URL: what BSI asks a creator to be reachable by.
fn is_contact(s: &str) -> bool {
    let s = s.trim();
    (s.contains('@') && !s.contains(char::is_whitespace)) || crate::emit::is_web_url(s)
}

fn version_at_least(v: &str, major: u32, minor: u32) -> bool {
    let mut it = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

// ---------------------------------------------------------------- CycloneDX

/// An organizational entity reachable by email or URL.
fn cdx_reachable(e: &Value) -> bool {
    arr(e, "url")
        .iter()
        .filter_map(Value::as_str)
        .any(is_contact)
        || s(e, "url").is_some_and(is_contact)
        || arr(e, "contact")
            .iter()
            .any(|c| s(c, "email").is_some_and(is_contact))
        || s(&e["contact"], "email").is_some_and(is_contact)
        || s(e, "email").is_some_and(is_contact)
}

fn cdx_named(e: &Value) -> bool {
    s(e, "name").is_some_and(|n| n != crate::model::NOASSERTION)
}

fn cyclonedx(doc: &Value, encoding: &str) -> Facts {
    let version = s(doc, "specVersion").unwrap_or("?").to_string();
    let md = &doc["metadata"];
    let mut d = DocFacts {
        name: "document".into(),
        ..Default::default()
    };
    d.set(Field::Format, version_at_least(&version, 1, 6));
    if !version_at_least(&version, 1, 6) {
        d.unknown.insert(
            Field::Format,
            format!("CycloneDX {version} is older than 1.6"),
        );
    }
    let authors = list(md, "authors", "author");
    let manufacturer = &md["manufacturer"];
    d.set(
        Field::SbomCreator,
        cdx_reachable(manufacturer) || authors.iter().any(|a| cdx_reachable(a)),
    );
    let tools = &md["tools"];
    let tool_named = list(tools, "components", "component")
        .into_iter()
        .any(cdx_named)
        || list(tools, "services", "service")
            .into_iter()
            .any(cdx_named)
        || tools.as_array().is_some_and(|t| t.iter().any(cdx_named))
        || list(md, "tools", "tool").into_iter().any(cdx_named)
        || tools["component"].is_object();
    d.set(
        Field::SbomAuthor,
        authors.iter().any(|a| cdx_named(a)) || cdx_named(manufacturer) || tool_named,
    );
    d.set(Field::Timestamp, s(md, "timestamp").is_some());
    d.set(Field::SbomUri, s(doc, "serialNumber").is_some());
    d.set(Field::ToolName, tool_named);
    d.set(
        Field::GenerationContext,
        !arr(md, "lifecycles").is_empty() || md["lifecycles"].is_object(),
    );
    let compositions = arr(doc, "compositions");
    d.set(
        Field::DependencyCompleteness,
        compositions.iter().any(|c| s(c, "aggregate").is_some())
            || doc["compositions"]["composition"].is_object(),
    );
    d.set(
        Field::NoVulnerabilities,
        arr(doc, "vulnerabilities").is_empty() && !doc["vulnerabilities"].is_object(),
    );
    for p in cdx_props(md) {
        if p.0 == UNKNOWN_PROPERTY {
            d.unknowns_from(&p.1);
        }
    }

    let in_graph: BTreeSet<&str> = arr(doc, "dependencies")
        .iter()
        .flat_map(|e| {
            std::iter::once(s(e, "ref")).chain(arr(e, "dependsOn").iter().map(Value::as_str))
        })
        .flatten()
        .collect();
    let mut comps = Vec::new();
    let mut stack: Vec<&Value> = Vec::new();
    if md["component"].is_object() {
        stack.push(&md["component"]);
    }
    stack.extend(arr(doc, "components").iter().rev());
    let mut seen = 0usize;
    while let Some(c) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            break;
        }
        // Nested components are components too (and count as dependencies of their parent).
        let nested = arr(c, "components");
        stack.extend(nested.iter().rev());
        comps.push(cdx_component(c, &in_graph, !nested.is_empty()));
    }
    Facts {
        format: format!("CycloneDX {version} {encoding}"),
        document: d,
        components: comps,
    }
}

fn cdx_props(c: &Value) -> Vec<(String, String)> {
    let list = match &c["properties"] {
        Value::Array(a) => a.clone(),
        Value::Object(o) => match o.get("property") {
            Some(Value::Array(a)) => a.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        },
        _ => Vec::new(),
    };
    list.iter()
        .filter_map(|p| {
            Some((
                s(p, "name")?.to_string(),
                s(p, "value").or(s(p, "content")).unwrap_or("").to_string(),
            ))
        })
        .collect()
}

fn cdx_component(c: &Value, in_graph: &BTreeSet<&str>, has_children: bool) -> DocFacts {
    let name = s(c, "name").unwrap_or("").to_string();
    let mut f = DocFacts {
        id: s(c, "bom-ref").unwrap_or(&name).to_string(),
        name: match s(c, "group") {
            Some(g) => format!("{g}/{name}"),
            None => name.clone(),
        },
        ..Default::default()
    };
    f.set(Field::Name, !name.is_empty());
    f.set(Field::Version, s(c, "version").is_some());
    let reachable = cdx_reachable(&c["manufacturer"])
        || cdx_reachable(&c["supplier"])
        || list(c, "authors", "author").into_iter().any(cdx_reachable);
    f.set(Field::Creator, reachable);
    f.set(
        Field::Supplier,
        cdx_named(&c["supplier"]) || cdx_named(&c["manufacturer"]),
    );
    f.set(
        Field::Dependencies,
        has_children || s(c, "bom-ref").is_some_and(|r| in_graph.contains(r)),
    );
    let licenses = match &c["licenses"] {
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    let ack = |l: &Value| -> Option<String> {
        s(l, "acknowledgement")
            .or(s(&l["license"], "acknowledgement"))
            .map(str::to_string)
    };
    f.set(Field::License, !licenses.is_empty());
    f.set(
        Field::ConcludedLicense,
        licenses
            .iter()
            .any(|l| ack(l).as_deref() == Some("concluded")),
    );
    f.set(
        Field::DeclaredLicense,
        licenses
            .iter()
            .any(|l| ack(l).as_deref() == Some("declared")),
    );
    let refs = arr(c, "externalReferences");
    let hashes: Vec<&Value> = arr(c, "hashes")
        .iter()
        .chain(refs.iter().flat_map(|r| arr(r, "hashes")))
        .collect();
    let alg = |h: &Value| {
        s(h, "alg")
            .unwrap_or("")
            .to_ascii_uppercase()
            .replace('_', "-")
    };
    f.set(
        Field::Hash,
        hashes.iter().any(|h| s(h, "content").is_some()),
    );
    f.set(
        Field::Sha512,
        hashes
            .iter()
            .any(|h| alg(h) == "SHA-512" && s(h, "content").is_some()),
    );
    let ref_of = |kinds: &[&str]| {
        refs.iter()
            .any(|r| s(r, "type").is_some_and(|t| kinds.contains(&t)) && s(r, "url").is_some())
    };
    f.set(Field::SourceUri, ref_of(&["source-distribution", "vcs"]));
    f.set(
        Field::DeployableUri,
        ref_of(&["distribution", "distribution-intake"]),
    );
    f.set(
        Field::Identifier,
        s(c, "purl").is_some() || s(c, "cpe").is_some() || c["swid"].is_object(),
    );
    for (k, v) in cdx_props(c) {
        match k.as_str() {
            "bsi:component:filename" => f.set(Field::Filename, !v.is_empty()),
            "bsi:component:executable" => f.set(
                Field::Executable,
                v == "executable" || v == "non-executable",
            ),
            "bsi:component:archive" => f.set(Field::Archive, v == "archive" || v == "no archive"),
            "bsi:component:structured" => {
                f.set(Field::Structured, v == "structured" || v == "unstructured")
            }
            UNKNOWN_PROPERTY => f.unknowns_from(&v),
            _ => {}
        }
    }
    f
}

// ---------------------------------------------------------------- SPDX 2.3

fn spdx2_reachable(who: &str) -> bool {
    // "Person: Jane (jane@example.com)", "Organization: ACME (https://acme.example)"
    who.rsplit_once('(')
        .is_some_and(|(_, rest)| is_contact(rest.trim_end_matches(')')))
}

fn spdx2(doc: &Value) -> Facts {
    let version = s(doc, "spdxVersion").unwrap_or("SPDX-?").to_string();
    let ci = &doc["creationInfo"];
    let creators: Vec<&str> = arr(ci, "creators")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut d = DocFacts {
        name: "document".into(),
        ..Default::default()
    };
    d.unknown.insert(
        Field::Format,
        format!("{version}: BSI TR-03183-2 v2.1 accepts SPDX 3.0.1 or later only"),
    );
    d.set(
        Field::SbomCreator,
        creators
            .iter()
            .any(|c| !c.starts_with("Tool:") && spdx2_reachable(c)),
    );
    d.set(Field::SbomAuthor, !creators.is_empty());
    d.set(Field::Timestamp, s(ci, "created").is_some());
    d.set(Field::SbomUri, s(doc, "documentNamespace").is_some());
    d.set(
        Field::ToolName,
        creators.iter().any(|c| c.starts_with("Tool:")),
    );
    d.set(Field::NoVulnerabilities, true);
    if let Some(c) = s(ci, "comment") {
        comment_unknowns(&mut d, c);
    }
    let mut related: BTreeSet<&str> = BTreeSet::new();
    for r in arr(doc, "relationships") {
        if s(r, "relationshipType") == Some("DESCRIBES") {
            continue;
        }
        related.extend(s(r, "spdxElementId"));
        related.extend(s(r, "relatedSpdxElement"));
    }
    let components = arr(doc, "packages")
        .iter()
        .map(|p| {
            let id = s(p, "SPDXID").unwrap_or("").to_string();
            let mut f = DocFacts {
                name: s(p, "name").unwrap_or("").to_string(),
                id: id.clone(),
                ..Default::default()
            };
            f.set(Field::Name, s(p, "name").is_some());
            f.set(Field::Version, s(p, "versionInfo").is_some());
            let supplier = s(p, "supplier").filter(|x| *x != crate::model::NOASSERTION);
            let originator = s(p, "originator").filter(|x| *x != crate::model::NOASSERTION);
            f.set(Field::Supplier, supplier.is_some() || originator.is_some());
            f.set(
                Field::Creator,
                supplier.into_iter().chain(originator).any(spdx2_reachable),
            );
            f.set(Field::Filename, s(p, "packageFileName").is_some());
            f.set(Field::Dependencies, related.contains(id.as_str()));
            let concluded = known(s(p, "licenseConcluded"));
            let declared = known(s(p, "licenseDeclared"));
            f.set(Field::ConcludedLicense, concluded);
            f.set(Field::DeclaredLicense, declared);
            f.set(Field::License, concluded || declared);
            let sums = arr(p, "checksums");
            f.set(Field::Hash, !sums.is_empty());
            f.set(
                Field::Sha512,
                sums.iter().any(|c| s(c, "algorithm") == Some("SHA512")),
            );
            f.set(
                Field::Archive,
                s(p, "primaryPackagePurpose") == Some("ARCHIVE"),
            );
            f.set(Field::DeployableUri, known(s(p, "downloadLocation")));
            f.set(
                Field::Identifier,
                arr(p, "externalRefs").iter().any(|r| {
                    matches!(
                        s(r, "referenceType"),
                        Some("purl" | "cpe22Type" | "cpe23Type" | "swid")
                    )
                }),
            );
            if let Some(c) = s(p, "comment") {
                comment_unknowns(&mut f, c);
            }
            f
        })
        .collect();
    Facts {
        format: format!("{} JSON", version.replace('-', " ")),
        document: d,
        components,
    }
}

fn comment_unknowns(f: &mut DocFacts, comment: &str) {
    for line in comment.lines() {
        if let Some(rest) = line.trim().strip_prefix(UNKNOWN_COMMENT) {
            f.unknowns_from(rest);
        }
    }
}

// ---------------------------------------------------------------- SPDX 3

/// (relationship type, target, completeness)
type Rel = (String, String, Option<String>);

fn spdx3(doc: &Value) -> Facts {
    let graph = arr(doc, "@graph");
    let t = |e: &Value| -> String {
        let t = s(e, "type").or(s(e, "@type")).unwrap_or("");
        t.rsplit('/').next().unwrap_or(t).to_string()
    };
    let by_id: HashMap<&str, &Value> = graph
        .iter()
        .filter_map(|e| Some((s(e, "spdxId").or(s(e, "@id"))?, e)))
        .collect();
    let refs = |v: &Value| -> Vec<String> {
        match v {
            Value::String(x) => vec![x.clone()],
            Value::Array(a) => a
                .iter()
                .filter_map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .or_else(|| s(x, "spdxId").map(str::to_string))
                })
                .collect(),
            Value::Object(_) => s(v, "spdxId").map(str::to_string).into_iter().collect(),
            _ => Vec::new(),
        }
    };
    let reachable = |r: &str| -> bool {
        by_id.get(r).is_some_and(|a| {
            matches!(t(a).as_str(), "Person" | "Organization")
                && arr(a, "externalIdentifier").iter().any(|x| {
                    let kind = s(x, "externalIdentifierType").unwrap_or("");
                    let kind = kind.rsplit('/').next().unwrap_or(kind);
                    matches!(kind, "email" | "urlScheme" | "other")
                        && s(x, "identifier").is_some_and(is_contact)
                })
        })
    };
    let ci = graph
        .iter()
        .find(|e| t(e) == "CreationInfo")
        .cloned()
        .unwrap_or(Value::Null);
    let spec = s(&ci, "specVersion").unwrap_or("3.?").to_string();
    let mut d = DocFacts {
        name: "document".into(),
        ..Default::default()
    };
    d.set(
        Field::Format,
        version_at_least(&spec, 3, 0) && spec != "3.0.0" && spec != "3.0",
    );
    if !d.present.contains(&Field::Format) {
        d.unknown.insert(
            Field::Format,
            format!("SPDX {spec}: BSI TR-03183-2 v2.1 asks for 3.0.1 or later"),
        );
    }
    let created_by = refs(&ci["createdBy"]);
    d.set(Field::SbomCreator, created_by.iter().any(|r| reachable(r)));
    d.set(Field::SbomAuthor, !created_by.is_empty());
    d.set(Field::Timestamp, s(&ci, "created").is_some());
    d.set(Field::ToolName, !refs(&ci["createdUsing"]).is_empty());
    let sboms: Vec<&Value> = graph.iter().filter(|e| t(e) == "software_Sbom").collect();
    d.set(
        Field::SbomUri,
        sboms.iter().any(|e| s(e, "spdxId").is_some()),
    );
    d.set(
        Field::GenerationContext,
        sboms
            .iter()
            .any(|e| !arr(e, "software_sbomType").is_empty()),
    );
    d.set(
        Field::NoVulnerabilities,
        !graph.iter().any(|e| t(e).starts_with("security_")),
    );
    if let Some(c) = sboms.first().and_then(|e| s(e, "comment")) {
        comment_unknowns(&mut d, c);
    }

    let mut rel: HashMap<&str, Vec<Rel>> = HashMap::new();
    let mut related: BTreeSet<String> = BTreeSet::new();
    let mut completeness = false;
    for r in graph.iter().filter(|e| t(e).ends_with("Relationship")) {
        let Some(from) = s(r, "from") else { continue };
        let kind = s(r, "relationshipType").unwrap_or("");
        let kind = kind.rsplit('/').next().unwrap_or(kind).to_string();
        let to = refs(&r["to"]);
        if kind == "dependsOn" || kind == "contains" {
            related.insert(from.to_string());
            related.extend(to.iter().cloned());
            completeness |= s(r, "completeness").is_some();
        }
        for x in to {
            rel.entry(from).or_default().push((
                kind.clone(),
                x,
                s(r, "completeness").map(str::to_string),
            ));
        }
    }
    d.set(Field::DependencyCompleteness, completeness);
    let components = graph
        .iter()
        .filter(|e| t(e) == "software_Package")
        .map(|p| {
            let id = s(p, "spdxId").unwrap_or("").to_string();
            let mut f = DocFacts {
                name: s(p, "name").unwrap_or("").to_string(),
                id: id.clone(),
                ..Default::default()
            };
            let mine = rel.get(id.as_str()).map_or(&[][..], |v| v.as_slice());
            let to = |kind: &'static str| {
                mine.iter()
                    .filter(move |(k, _, _)| k == kind)
                    .map(|(_, x, _)| x.as_str())
            };
            let artifacts: Vec<&Value> = to("hasDistributionArtifact")
                .filter_map(|x| by_id.get(x).copied())
                .collect();
            f.set(Field::Name, s(p, "name").is_some());
            f.set(Field::Version, s(p, "software_packageVersion").is_some());
            f.set(
                Field::Supplier,
                s(p, "suppliedBy").is_some() || !refs(&p["originatedBy"]).is_empty(),
            );
            f.set(
                Field::Creator,
                refs(&p["originatedBy"]).iter().any(|r| reachable(r)),
            );
            f.set(
                Field::Filename,
                artifacts.iter().any(|a| s(a, "name").is_some()),
            );
            f.set(Field::Dependencies, related.contains(&id));
            // BSI: the target is a license expression (a listed license's IRI outside
            // the document counts as one); a bare license text is not.
            let is_expr = |x: &str| {
                by_id
                    .get(x)
                    .map_or(x.starts_with("https://spdx.org/licenses/"), |e| {
                        t(e) == "simplelicensing_LicenseExpression"
                    })
            };
            let concluded = to("hasConcludedLicense").any(is_expr);
            let declared = to("hasDeclaredLicense").any(is_expr);
            f.set(Field::ConcludedLicense, concluded);
            f.set(Field::DeclaredLicense, declared);
            f.set(Field::License, concluded || declared);
            let hashes: Vec<&Value> = arr(p, "verifiedUsing")
                .iter()
                .chain(artifacts.iter().flat_map(|a| arr(a, "verifiedUsing")))
                .collect();
            f.set(
                Field::Hash,
                hashes.iter().any(|h| s(h, "hashValue").is_some()),
            );
            f.set(
                Field::Sha512,
                hashes.iter().any(|h| {
                    s(h, "algorithm").is_some_and(|a| a.ends_with("sha512"))
                        && s(h, "hashValue").is_some()
                }),
            );
            let purposes: Vec<String> = artifacts
                .iter()
                .flat_map(|a| {
                    arr(a, "software_additionalPurpose")
                        .iter()
                        .chain(std::iter::once(&a["software_primaryPurpose"]))
                })
                .filter_map(Value::as_str)
                .map(|x| x.rsplit('/').next().unwrap_or(x).to_string())
                .collect();
            // BSI's SPDX 3 mapping: executable and archive are stated by presence (absent =
            // not), so a distribution artifact states them; structured needs container or
            // firmware.
            f.set(Field::Executable, !artifacts.is_empty());
            f.set(Field::Archive, !artifacts.is_empty());
            f.set(
                Field::Structured,
                purposes.iter().any(|x| x == "container" || x == "firmware"),
            );
            let ext_ref = |e: &Value, kinds: &[&str]| {
                arr(e, "externalRef").iter().any(|r| {
                    let k = s(r, "externalRefType").unwrap_or("");
                    kinds.contains(&k.rsplit('/').next().unwrap_or(k))
                })
            };
            f.set(
                Field::SourceUri,
                ext_ref(p, &["sourceArtifact", "vcs"]) || to("generates").next().is_some(),
            );
            f.set(
                Field::DeployableUri,
                artifacts.iter().any(|a| ext_ref(a, &["binaryArtifact"]))
                    || known(s(p, "software_downloadLocation")),
            );
            f.set(
                Field::Identifier,
                s(p, "software_packageUrl").is_some()
                    || arr(p, "externalIdentifier").iter().any(|x| {
                        let k = s(x, "externalIdentifierType").unwrap_or("");
                        matches!(
                            k.rsplit('/').next().unwrap_or(k),
                            "packageUrl" | "cpe22" | "cpe23" | "swid"
                        )
                    }),
            );
            if let Some(c) = s(p, "comment") {
                comment_unknowns(&mut f, c);
            }
            f
        })
        .collect();
    Facts {
        format: format!("SPDX {spec} JSON-LD"),
        document: d,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_contacts() {
        assert!(version_at_least("1.6", 1, 6));
        assert!(version_at_least("1.7", 1, 6));
        assert!(!version_at_least("1.5", 1, 6));
        assert!(is_contact("psirt@acme.example"));
        assert!(is_contact("https://acme.example"));
        assert!(!is_contact("ACME GmbH"));
        assert!(spdx2_reachable("Organization: ACME (psirt@acme.example)"));
        assert!(!spdx2_reachable("Organization: ACME"));
    }

    #[test]
    fn known_unknowns_are_read_per_field() {
        let doc = serde_json::json!({
            "bomFormat": "CycloneDX", "specVersion": "1.7",
            "components": [{"name": "a", "bom-ref": "a", "properties": [
                {"name": UNKNOWN_PROPERTY, "value": "sha512: Cargo.lock records only SHA-256"},
                {"name": UNKNOWN_PROPERTY, "value": "no-such-field: ignored"},
                {"name": "bsi:component:archive", "value": "maybe"}
            ]}]
        });
        let f = cyclonedx(&doc, "JSON");
        let c = &f.components[0];
        assert_eq!(
            c.unknown.get(&Field::Sha512).unwrap(),
            "Cargo.lock records only SHA-256"
        );
        assert_eq!(c.unknown.len(), 1);
        // A value BSI does not define does not state the property.
        assert!(!c.present.contains(&Field::Archive));
        assert!(!f.document.present.contains(&Field::Timestamp));
    }
}
