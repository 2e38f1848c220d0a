//! SPDX 3.0.1 JSON-LD (any tool's: ospo's, cdxgen's, Yocto's) into the model.
//!
//! The graph is turned into the SPDX 2.3 document that says the same (packages, files,
//! extracted license texts, DESCRIBES / CONTAINS / DEPENDS_ON / DEV_DEPENDENCY_OF), and
//! that is read by the one SPDX 2 mapping (src/ingest/spdx.rs), so both versions of SPDX
//! map into the model by the same rules. ospo's own 3.0.1 documents are built the other
//! way round from its 2.3 ones (src/emit/spdx3.rs), which makes the round trip lossless.
//! What has no 2.3 counterpart is counted and reported, never dropped silently.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use serde_json::{json, Map, Value};

use super::{json_error, Losses};
use crate::model::{Scan, NOASSERTION};

/// Whether a JSON document is SPDX 3 JSON-LD: an `@context` naming SPDX's 3.x context.
pub fn is_spdx3(text: &str) -> bool {
    let head = &text[..text.len().min(4096)];
    head.contains("\"@context\"") && head.contains("spdx.org/rdf/3.")
}

/// Read an SPDX 3 JSON-LD document (`shown` names the file in messages).
pub fn read_json(text: &str, shown: &str) -> Result<Scan> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| json_error(shown, "SPDX 3 JSON-LD document", e))?;
    let mut losses = Losses::default();
    let v2 = to_v2(&doc, &mut losses);
    let mut scan = super::spdx::read_json(&v2.to_string(), shown)?;
    scan.diagnostics.extend(losses.into_diagnostics(shown));
    Ok(scan)
}

/// The short type name: `software_Package` whether written compact or as a full IRI.
fn type_of(e: &Value) -> String {
    let t = e["type"]
        .as_str()
        .or_else(|| e["@type"].as_str())
        .unwrap_or("");
    match t.strip_prefix("https://spdx.org/rdf/3.0.1/terms/") {
        Some(rest) => match rest.split_once('/') {
            Some(("Core", n)) => n.to_string(),
            Some((profile, n)) => format!("{}_{n}", profile.to_ascii_lowercase()),
            None => rest.to_string(),
        },
        None => t.to_string(),
    }
}

fn id_of(e: &Value) -> Option<&str> {
    e["spdxId"].as_str().or_else(|| e["@id"].as_str())
}

fn s<'a>(e: &'a Value, k: &str) -> Option<&'a str> {
    e[k].as_str().filter(|v| !v.trim().is_empty())
}

/// A value or a list of values, as references (an inline object gives its id).
fn refs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(refs).collect(),
        Value::Object(_) => id_of(v).map(str::to_string).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// SPDX 2 ids from IRIs: the fragment where it already is one (`...#SPDXRef-Package-x`),
/// else a cleaned form of the IRI; unique.
#[derive(Default)]
struct Ids {
    by_iri: HashMap<String, String>,
    used: BTreeSet<String>,
}

impl Ids {
    fn get(&mut self, iri: &str) -> String {
        if let Some(i) = self.by_iri.get(iri) {
            return i.clone();
        }
        let frag = iri.rsplit_once('#').map_or(iri, |(_, f)| f);
        let clean: String = frag
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let base = if clean.starts_with("SPDXRef-") {
            clean
        } else {
            format!("SPDXRef-{clean}")
        };
        let mut id = base.clone();
        let mut n = 1;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used.insert(id.clone());
        self.by_iri.insert(iri.to_string(), id.clone());
        id
    }
}

fn to_v2(doc: &Value, losses: &mut Losses) -> Value {
    let empty = Vec::new();
    let graph = doc["@graph"].as_array().unwrap_or(&empty);
    if doc["@graph"].is_null() {
        losses.warn(
            "a document without @graph (a single element is read as the graph)",
            1,
        );
    }
    let single = [doc.clone()];
    let graph: &[Value] = if graph.is_empty() && doc["@graph"].is_null() {
        &single
    } else {
        graph
    };
    let by_id: HashMap<&str, &Value> = graph.iter().filter_map(|e| Some((id_of(e)?, e))).collect();
    let mut ids = Ids::default();

    // Agents -> 2.3 creator / supplier strings.
    let agent = |r: &str| -> Option<String> {
        let a = by_id.get(r)?;
        let name = s(a, "name")?;
        let email = a["externalIdentifier"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| s(x, "externalIdentifierType") == Some("email"))
            .and_then(|x| s(x, "identifier"));
        Some(match (type_of(a).as_str(), email) {
            ("Person", Some(m)) => format!("Person: {name} ({m})"),
            ("Person", None) => format!("Person: {name}"),
            (_, Some(m)) => format!("Organization: {name} ({m})"),
            _ => format!("Organization: {name}"),
        })
    };

    // Creation info: the document's, inline or a blank node.
    let creation = graph
        .iter()
        .find(|e| type_of(e) == "CreationInfo")
        .cloned()
        .unwrap_or(Value::Null);
    let mut creators = Vec::new();
    for t in refs(&creation["createdUsing"]) {
        if let Some(name) = by_id.get(t.as_str()).and_then(|e| s(e, "name")) {
            creators.push(format!("Tool: {name}"));
        }
    }
    for a in refs(&creation["createdBy"]) {
        if a.ends_with(&format!("#{}", crate::emit::spdx3::TOOL_AGENT)) {
            continue; // ospo's stand-in when no author was given
        }
        creators.extend(agent(&a));
    }

    // License expressions and custom licenses.
    let mut expr_of: HashMap<&str, String> = HashMap::new();
    let mut custom_ids: HashMap<String, String> = HashMap::new();
    let mut list_version = None;
    for e in graph {
        if type_of(e) == "simplelicensing_LicenseExpression" {
            if let (Some(i), Some(x)) = (id_of(e), s(e, "simplelicensing_licenseExpression")) {
                expr_of.insert(i, x.to_string());
            }
            list_version = list_version.or(s(e, "simplelicensing_licenseListVersion"));
            for d in e["simplelicensing_customIdToUri"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let (Some(k), Some(v)) = (s(d, "key"), s(d, "value")) {
                    custom_ids.insert(v.to_string(), k.to_string());
                }
            }
        }
    }
    let mut extracted = Vec::new();
    for e in graph.iter().filter(|e| {
        let t = type_of(e);
        t == "expandedlicensing_CustomLicense" || t == "simplelicensing_SimpleLicensingText"
    }) {
        let Some(i) = id_of(e) else { continue };
        let lid = custom_ids.get(i).cloned().unwrap_or_else(|| {
            let frag = i.rsplit_once('#').map_or(i, |(_, f)| f);
            if frag.starts_with("LicenseRef-") {
                frag.to_string()
            } else {
                format!("LicenseRef-{frag}")
            }
        });
        expr_of.insert(i, lid.clone());
        extracted.push(json!({
            "licenseId": lid,
            "name": s(e, "name").unwrap_or(&lid),
            "extractedText": s(e, "simplelicensing_licenseText").unwrap_or(NOASSERTION),
        }));
    }
    // A listed license named by IRI (https://spdx.org/licenses/MIT) is its id.
    let license = |r: &str| -> Option<String> {
        expr_of.get(r).cloned().or_else(|| {
            r.strip_prefix("https://spdx.org/licenses/")
                .map(str::to_string)
        })
    };

    // Relationships, by kind.
    let mut declared: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut concluded: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut relationships = Vec::new();
    let mut contained: BTreeSet<String> = BTreeSet::new();
    let mut other: BTreeMap<String, usize> = BTreeMap::new();
    let mut distribution: BTreeSet<String> = BTreeSet::new();
    for r in graph
        .iter()
        .filter(|e| type_of(e).ends_with("Relationship"))
    {
        let Some(from) = s(r, "from") else { continue };
        let to = refs(&r["to"]);
        let kind = s(r, "relationshipType").unwrap_or("");
        let kind = kind.rsplit('/').next().unwrap_or(kind);
        match kind {
            "hasDeclaredLicense" => declared
                .entry(from.to_string())
                .or_default()
                .extend(to.iter().filter_map(|t| license(t))),
            "hasConcludedLicense" => concluded
                .entry(from.to_string())
                .or_default()
                .extend(to.iter().filter_map(|t| license(t))),
            "dependsOn" if to.len() == 1 && to[0].ends_with("/Core/NoAssertionElement") => {
                let mut rel = json!({"spdxElementId": ids.get(from), "relationshipType": "DEPENDS_ON", "relatedSpdxElement": NOASSERTION});
                if let Some(c) = s(r, "comment") {
                    rel["comment"] = c.into();
                }
                relationships.push(rel);
            }
            "contains" | "dependsOn" => {
                let dev = s(r, "scope").is_some_and(|sc| sc.ends_with("development"));
                for t in &to {
                    let (a, b) = (ids.get(from), ids.get(t));
                    if kind == "contains" {
                        contained.insert(from.to_string());
                        relationships.push(json!({"spdxElementId": a, "relationshipType": "CONTAINS", "relatedSpdxElement": b}));
                    } else if dev {
                        relationships.push(json!({"spdxElementId": b, "relationshipType": "DEV_DEPENDENCY_OF", "relatedSpdxElement": a}));
                    } else {
                        relationships.push(json!({"spdxElementId": a, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": b}));
                    }
                }
            }
            "hasDistributionArtifact" => {
                // The deployable file of a package (BSI's filename and SHA-512), not a
                // file of the scanned tree.
                distribution.extend(to.iter().cloned());
                *other.entry(kind.to_string()).or_default() += to.len();
            }
            k => *other.entry(k.to_string()).or_default() += to.len().max(1),
        }
    }
    for (k, n) in other {
        losses.info(format!("`{k}` relationships (SPDX 3)"), n);
    }
    let joined = |m: &BTreeMap<String, Vec<String>>, id: &str| -> String {
        match m.get(id).map(|v| v.as_slice()).unwrap_or_default() {
            [] => NOASSERTION.to_string(),
            [one] => one.clone(),
            many => many
                .iter()
                .map(|x| {
                    if x.contains(' ') {
                        format!("({x})")
                    } else {
                        x.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        }
    };
    let checksums = |e: &Value| -> Vec<Value> {
        e["verifiedUsing"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|h| type_of(h) == "Hash")
            .filter_map(|h| {
                let alg = s(h, "algorithm")?;
                let alg = alg.rsplit('/').next().unwrap_or(alg).to_ascii_uppercase();
                Some(json!({"algorithm": alg, "checksumValue": s(h, "hashValue")?}))
            })
            .collect()
    };

    let mut packages = Vec::new();
    let mut files = Vec::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let mut doc_name = None;
    let mut roots = Vec::new();
    for e in graph {
        let t = type_of(e);
        let Some(iri) = id_of(e) else { continue };
        match t.as_str() {
            "software_Package" => {
                let mut p = Map::new();
                p.insert("SPDXID".into(), ids.get(iri).into());
                p.insert("name".into(), s(e, "name").unwrap_or("").into());
                if let Some(v) = s(e, "software_packageVersion") {
                    p.insert("versionInfo".into(), v.into());
                }
                let supplier = s(e, "suppliedBy").and_then(agent);
                p.insert(
                    "supplier".into(),
                    supplier.unwrap_or_else(|| NOASSERTION.into()).into(),
                );
                p.insert(
                    "downloadLocation".into(),
                    s(e, "software_downloadLocation")
                        .unwrap_or(NOASSERTION)
                        .into(),
                );
                p.insert("filesAnalyzed".into(), contained.contains(iri).into());
                p.insert("checksums".into(), checksums(e).into());
                if let Some(h) = s(e, "software_homePage") {
                    p.insert("homepage".into(), h.into());
                }
                p.insert("licenseConcluded".into(), joined(&concluded, iri).into());
                p.insert("licenseDeclared".into(), joined(&declared, iri).into());
                p.insert(
                    "copyrightText".into(),
                    s(e, "software_copyrightText").unwrap_or(NOASSERTION).into(),
                );
                if let Some(c) = s(e, "comment") {
                    p.insert("comment".into(), c.into());
                }
                let purl = s(e, "software_packageUrl").or_else(|| {
                    e["externalIdentifier"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|x| s(x, "externalIdentifierType") == Some("packageUrl"))
                        .and_then(|x| s(x, "identifier"))
                });
                if let Some(purl) = purl {
                    p.insert("externalRefs".into(), json!([{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}]));
                }
                if let Some(pp) = s(e, "software_primaryPurpose") {
                    let pp = pp.rsplit('/').next().unwrap_or(pp);
                    p.insert(
                        "primaryPackagePurpose".into(),
                        pp.to_ascii_uppercase().into(),
                    );
                }
                packages.push(Value::Object(p));
            }
            "software_File" if distribution.contains(iri) => {}
            "software_File" => {
                let name = s(e, "name").unwrap_or("");
                let infos = declared.get(iri).cloned().unwrap_or_default();
                files.push(json!({
                    "SPDXID": ids.get(iri),
                    "fileName": if name.starts_with("./") || name.starts_with('/') { name.to_string() } else { format!("./{name}") },
                    "checksums": checksums(e),
                    "licenseConcluded": joined(&concluded, iri),
                    "licenseInfoInFiles": if infos.is_empty() { vec![NOASSERTION.to_string()] } else { infos },
                    "copyrightText": s(e, "software_copyrightText").unwrap_or(NOASSERTION),
                }));
            }
            "SpdxDocument" => doc_name = s(e, "name").map(str::to_string),
            "software_Sbom" => roots.extend(refs(&e["rootElement"])),
            "Tool"
            | "Person"
            | "Organization"
            | "Agent"
            | "SoftwareAgent"
            | "CreationInfo"
            | "simplelicensing_LicenseExpression"
            | "expandedlicensing_CustomLicense"
            | "simplelicensing_SimpleLicensingText" => {}
            t if t.ends_with("Relationship") => {}
            t => *unknown.entry(t.to_string()).or_default() += 1,
        }
    }
    for (t, n) in unknown {
        losses.warn(format!("`{t}` elements (SPDX 3; not modelled)"), n);
    }
    if roots.is_empty() {
        // No Sbom: the document's root elements are what it describes.
        for e in graph.iter().filter(|e| type_of(e) == "SpdxDocument") {
            roots.extend(refs(&e["rootElement"]));
        }
    }
    for r in roots {
        if by_id
            .get(r.as_str())
            .is_some_and(|e| type_of(e) == "software_Package")
        {
            relationships.insert(0, json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": ids.get(&r)}));
        }
    }
    json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": doc_name.unwrap_or_default(),
        "creationInfo": {
            "created": s(&creation, "created").unwrap_or(""),
            "creators": creators,
            "licenseListVersion": list_version.unwrap_or(""),
        },
        "packages": packages,
        "files": files,
        "hasExtractedLicensingInfos": extracted,
        "relationships": relationships,
    })
}
