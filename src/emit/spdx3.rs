//! SPDX 3.0.1 JSON-LD (Core, Software, SimpleLicensing and ExpandedLicensing profiles)
//! from the model.
//!
//! Built from the SPDX 2.3 document of the same scan (src/emit/spdx.rs), element by
//! element, so the two SPDX versions say the same things and can never drift apart: a
//! package per component (`software_Package`), a `software_File` per file with evidence,
//! one `simplelicensing_LicenseExpression` per distinct expression (with the license list
//! version and, for each `LicenseRef-`, a `customIdToUri` entry pointing at its
//! `expandedlicensing_CustomLicense` that carries the text), and the relationships
//! `hasDeclaredLicense`, `hasConcludedLicense`, `contains`, `dependsOn` (development
//! dependencies as a `LifecycleScopedRelationship` with scope `development`). Creation info
//! names the tool (`createdUsing`) and the authors (`createdBy`); `created` is
//! SOURCE_DATE_EPOCH when set. Every spdxId is the 2.3 document's namespace plus a
//! fragment derived from the content, so the same scan gives the same bytes.
//!
//! An element's known unknowns (what a profile needs and the scan cannot know) go in its
//! `comment`: SPDX 3 has no free-form properties. ADR docs/adr/0021-spdx-3.md.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::Stamp;
use crate::model::{is_unknown_license, Diagnostic, Scan, NOASSERTION};

/// SPDX 3's individual for "no assertion" where an element is expected.
pub const NO_ASSERTION_ELEMENT: &str = "https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement";
use crate::profile::Filled;

/// The JSON-LD context every SPDX 3.0.1 document names (never fetched by ospo).
pub const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// The blank node of the one CreationInfo every element shares.
const CREATION: &str = "_:creationinfo";

/// Fragment of the agent that stands for "no --author given" (createdBy needs one Agent).
pub(crate) const TOOL_AGENT: &str = "Agent-ospo";

/// Build the document as a JSON value (serde_json sorts keys: deterministic).
pub fn build(
    scan: &Scan,
    stamp: &Stamp,
    authors: &[String],
    profile: Option<&Filled>,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let (v2, bom_refs) = super::spdx::build_mapped(scan, stamp, authors, diags);
    let v2 = serde_json::to_value(v2).expect("SPDX types serialize");
    let filled = |spdx_id: &str| profile.and_then(|p| p.components.get(bom_refs.get(spdx_id)?));
    let ns = str_of(&v2, "documentNamespace").to_string();
    let id = |frag: &str| format!("{ns}#{frag}");
    let mut g = Graph::default();

    // Agents and tools, from the 2.3 creators ("Tool: x", "Person: n (mail)", ...).
    let mut created_by = Vec::new();
    let mut created_using = Vec::new();
    let creators = v2["creationInfo"]["creators"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in creators.iter().filter_map(Value::as_str) {
        if let Some(t) = c.strip_prefix("Tool:") {
            let tid = id(&format!("Tool-{}", clean(t.trim())));
            g.push(
                json!({"type": "Tool", "spdxId": tid, "name": t.trim(), "creationInfo": CREATION}),
            );
            created_using.push(tid);
        } else {
            created_by.push(g.agent(&id, c));
        }
    }
    if created_by.is_empty() {
        let aid = id(TOOL_AGENT);
        g.push(json!({
            "type": "Agent", "spdxId": aid, "creationInfo": CREATION,
            "name": scan.tool.name,
            "comment": "No --author was given: the document was made by this tool."
        }));
        created_by.push(aid);
    }
    let list_version = semver3(&scan.tool.license_list_version);

    let mut custom: BTreeMap<String, String> = BTreeMap::new();
    for l in v2["hasExtractedLicensingInfos"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let lid = str_of(l, "licenseId");
        let cid = id(lid);
        custom.insert(lid.to_string(), cid.clone());
        g.push(json!({
            "type": "expandedlicensing_CustomLicense", "spdxId": cid, "creationInfo": CREATION,
            "name": str_of(l, "name"),
            "simplelicensing_licenseText": str_of(l, "extractedText"),
        }));
    }

    let mut rels: BTreeMap<(String, &'static str, Option<&'static str>), BTreeSet<String>> =
        BTreeMap::new();
    let mut expr_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut license = |g: &mut Graph, expr: &str| -> String {
        if let Some(i) = expr_ids.get(expr) {
            return i.clone();
        }
        let digest = hex::encode(&Sha256::digest(expr.as_bytes())[..8]);
        let eid = id(&format!("LicenseExpression-{digest}"));
        let mut e = json!({
            "type": "simplelicensing_LicenseExpression", "spdxId": eid, "creationInfo": CREATION,
            "simplelicensing_licenseExpression": expr,
            "simplelicensing_licenseListVersion": list_version,
        });
        let refs: Vec<Value> = expr
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|t| t.starts_with("LicenseRef-"))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|t| {
                custom
                    .get(t)
                    .map(|u| json!({"type": "DictionaryEntry", "key": t, "value": u}))
            })
            .collect();
        if !refs.is_empty() {
            e["simplelicensing_customIdToUri"] = Value::Array(refs);
        }
        g.push(e);
        expr_ids.insert(expr.to_string(), eid.clone());
        eid
    };

    let mut sbom_elements = Vec::new();
    for p in v2["packages"].as_array().into_iter().flatten() {
        let pid = id(str_of(p, "SPDXID"));
        let mut e = Map::new();
        e.insert("type".into(), "software_Package".into());
        e.insert("spdxId".into(), pid.clone().into());
        e.insert("creationInfo".into(), CREATION.into());
        e.insert("name".into(), p["name"].clone());
        if let Some(v) = p["versionInfo"].as_str() {
            e.insert("software_packageVersion".into(), v.into());
        }
        if let Some(purl) = p["externalRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["referenceType"] == "purl")
            .and_then(|r| r["referenceLocator"].as_str())
        {
            e.insert("software_packageUrl".into(), purl.into());
        }
        if let Some(h) = p["homepage"].as_str() {
            e.insert("software_homePage".into(), h.into());
        }
        known(
            &mut e,
            "software_downloadLocation",
            p["downloadLocation"].as_str(),
        );
        known(
            &mut e,
            "software_copyrightText",
            p["copyrightText"].as_str(),
        );
        let supplier = str_of(p, "supplier");
        if supplier != NOASSERTION && !supplier.is_empty() {
            let aid = g.agent(&id, supplier);
            e.insert("suppliedBy".into(), aid.into());
        }
        let hashes = hashes(&p["checksums"]);
        if !hashes.is_empty() {
            e.insert("verifiedUsing".into(), Value::Array(hashes.clone()));
        }
        e.insert(
            "software_primaryPurpose".into(),
            str_of(p, "primaryPackagePurpose")
                .to_ascii_lowercase()
                .into(),
        );
        let mut comment: Vec<String> = p["comment"]
            .as_str()
            .map(str::to_string)
            .into_iter()
            .collect();
        if let Some(f) = filled(str_of(p, "SPDXID")) {
            comment.extend(f.unknown.iter().map(|(field, why)| {
                format!(
                    "{}{}: {why}",
                    crate::profile::facts::UNKNOWN_COMMENT,
                    field.id()
                )
            }));
            if let Some(who) = &f.creator {
                let aid = g.contact_agent(&id, who);
                e.insert("originatedBy".into(), json!([aid]));
            }
            if let Some(purl) = e.get("software_packageUrl").cloned() {
                e.insert(
                    "externalIdentifier".into(),
                    json!([{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": purl}]),
                );
            }
            if let Some((_, src)) = f
                .references
                .iter()
                .find(|(k, _)| *k == "source-distribution")
            {
                e.insert(
                    "externalRef".into(),
                    json!([{"type": "ExternalRef", "externalRefType": "sourceArtifact", "locator": [src]}]),
                );
            }
            if let Some(name) = &f.filename {
                // The deployable file, as BSI's SPDX 3 mapping wants it: a File linked
                // by hasDistributionArtifact, with its hash, purposes and URL.
                let fid = id(&format!("{}-deployable", str_of(p, "SPDXID")));
                let mut file = json!({
                    "type": "software_File", "spdxId": fid, "creationInfo": CREATION,
                    "name": name, "software_primaryPurpose": "archive",
                });
                let mut purposes = Vec::new();
                if f.executable == Some(true) {
                    purposes.push("executable");
                }
                if f.structured == Some(true) {
                    purposes.push("container");
                } else if f.structured == Some(false) {
                    purposes.push("firmware");
                }
                if !purposes.is_empty() {
                    file["software_additionalPurpose"] = json!(purposes);
                }
                let sha512: Vec<Value> = hashes
                    .iter()
                    .filter(|h| h["algorithm"] == "sha512")
                    .cloned()
                    .collect();
                if !sha512.is_empty() {
                    file["verifiedUsing"] = Value::Array(sha512);
                }
                if let Some((_, url)) = f.references.iter().find(|(k, _)| *k == "distribution") {
                    file["externalRef"] = json!([{"type": "ExternalRef", "externalRefType": "binaryArtifact", "locator": [url]}]);
                }
                rels.entry((pid.clone(), "hasDistributionArtifact", None))
                    .or_default()
                    .insert(fid.clone());
                sbom_elements.push(fid);
                g.push(file);
            }
        }
        if !comment.is_empty() {
            e.insert("comment".into(), comment.join("\n").into());
        }
        g.push(Value::Object(e));
        for (field, kind) in [
            ("licenseDeclared", "hasDeclaredLicense"),
            ("licenseConcluded", "hasConcludedLicense"),
        ] {
            let expr = str_of(p, field);
            if !is_unknown_license(expr) {
                let lid = license(&mut g, expr);
                rels.entry((pid.clone(), kind, None))
                    .or_default()
                    .insert(lid);
            }
        }
        sbom_elements.push(pid);
    }
    for f in v2["files"].as_array().into_iter().flatten() {
        let fid = id(str_of(f, "SPDXID"));
        let mut e = Map::new();
        e.insert("type".into(), "software_File".into());
        e.insert("spdxId".into(), fid.clone().into());
        e.insert("creationInfo".into(), CREATION.into());
        let name = str_of(f, "fileName");
        e.insert(
            "name".into(),
            name.strip_prefix("./").unwrap_or(name).into(),
        );
        known(
            &mut e,
            "software_copyrightText",
            f["copyrightText"].as_str(),
        );
        let hashes = hashes(&f["checksums"]);
        if !hashes.is_empty() {
            e.insert("verifiedUsing".into(), Value::Array(hashes));
        }
        g.push(Value::Object(e));
        for l in f["licenseInfoInFiles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !is_unknown_license(l) {
                let lid = license(&mut g, l);
                rels.entry((fid.clone(), "hasDeclaredLicense", None))
                    .or_default()
                    .insert(lid);
            }
        }
        let concluded = str_of(f, "licenseConcluded");
        if !is_unknown_license(concluded) {
            let lid = license(&mut g, concluded);
            rels.entry((fid.clone(), "hasConcludedLicense", None))
                .or_default()
                .insert(lid);
        }
        sbom_elements.push(fid);
    }
    let mut root = Vec::new();
    let mut unknown_deps = Vec::new();
    for r in v2["relationships"].as_array().into_iter().flatten() {
        // "DEPENDS_ON NOASSERTION" (a package whose own dependencies are not all known):
        // SPDX 3's NoAssertionElement, on a relationship of its own that is incomplete.
        if str_of(r, "relatedSpdxElement") == NOASSERTION
            && str_of(r, "relationshipType") == "DEPENDS_ON"
        {
            unknown_deps.push((id(str_of(r, "spdxElementId")), r["comment"].clone()));
            continue;
        }
        let (from, to) = (
            id(str_of(r, "spdxElementId")),
            id(str_of(r, "relatedSpdxElement")),
        );
        let key = match str_of(r, "relationshipType") {
            "DESCRIBES" => {
                root.push(to);
                continue;
            }
            "CONTAINS" => (from, "contains", None),
            "DEPENDS_ON" => (from, "dependsOn", None),
            // "A is a development dependency of B" = B dependsOn A, in development.
            "DEV_DEPENDENCY_OF" => {
                rels.entry((to, "dependsOn", Some("development")))
                    .or_default()
                    .insert(from);
                continue;
            }
            other => {
                diags.push(Diagnostic::warning(
                    None,
                    format!("SPDX 3: relationship {other} left out"),
                ));
                continue;
            }
        };
        rels.entry(key).or_default().insert(to);
    }
    for (n, ((from, kind, scope), to)) in rels.into_iter().enumerate() {
        let mut e = json!({
            "type": if scope.is_some() { "LifecycleScopedRelationship" } else { "Relationship" },
            "spdxId": id(&format!("Relationship-{n}")), "creationInfo": CREATION,
            "from": from, "relationshipType": kind, "to": to.into_iter().collect::<Vec<_>>(),
        });
        if let Some(s) = scope {
            e["scope"] = s.into();
        }
        if let (Some(p), "dependsOn") = (profile, kind) {
            e["completeness"] = p.completeness.into();
        }
        sbom_elements.push(str_of(&e, "spdxId").to_string());
        g.push(e);
    }

    for (n, (from, comment)) in unknown_deps.into_iter().enumerate() {
        let mut e = json!({
            "type": "Relationship",
            "spdxId": id(&format!("Relationship-unknown-{n}")), "creationInfo": CREATION,
            "from": from, "relationshipType": "dependsOn", "to": [NO_ASSERTION_ELEMENT],
            "completeness": "incomplete",
        });
        if comment.is_string() {
            e["comment"] = comment;
        }
        sbom_elements.push(str_of(&e, "spdxId").to_string());
        g.push(e);
    }

    let sbom_id = id("SBOM");
    let mut all: Vec<String> = g.ids();
    all.push(sbom_id.clone());
    all.sort();
    let mut graph = vec![
        json!({
            "type": "CreationInfo", "@id": CREATION, "specVersion": "3.0.1",
            "created": stamp.created, "createdBy": created_by, "createdUsing": created_using,
        }),
        json!({
            "type": "SpdxDocument", "spdxId": id("SPDXRef-DOCUMENT"), "creationInfo": CREATION,
            "name": v2["name"],
            "profileConformance": ["core", "software", "simpleLicensing", "expandedLicensing"],
            "rootElement": [sbom_id],
            "element": all,
        }),
        sbom_node(
            profile,
            json!({
                "type": "software_Sbom", "spdxId": sbom_id, "creationInfo": CREATION,
                // Made from the source tree and its lockfiles, not from a build.
                "software_sbomType": ["source"],
                "rootElement": root,
                "element": sbom_elements,
            }),
        ),
    ];
    graph.extend(g.items);
    json!({ "@context": CONTEXT, "@graph": graph })
}

/// The Sbom element with a profile's document-level known unknowns in its comment.
fn sbom_node(profile: Option<&Filled>, mut sbom: Value) -> Value {
    let lines: Vec<String> = profile
        .into_iter()
        .flat_map(|p| &p.document)
        .filter(|(k, _)| k == crate::profile::facts::UNKNOWN_PROPERTY)
        .map(|(_, v)| format!("{}{v}", crate::profile::facts::UNKNOWN_COMMENT))
        .collect();
    if !lines.is_empty() {
        sbom["comment"] = lines.join("\n").into();
    }
    sbom
}

pub fn to_json(doc: &Value) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(doc).expect("JSON values serialize");
    v.push(b'\n');
    v
}

#[derive(Default)]
struct Graph {
    items: Vec<Value>,
    agents: BTreeMap<String, String>,
}

impl Graph {
    fn push(&mut self, v: Value) {
        self.items.push(v);
    }

    /// The Agent for "Name <email>" or "Name https://url": reachable, as BSI asks.
    fn contact_agent(&mut self, id: &dyn Fn(&str) -> String, who: &str) -> String {
        let key = format!("contact:{who}");
        if let Some(a) = self.agents.get(&key) {
            return a.clone();
        }
        let (name, email) = match (who.find('<'), who.rfind('>')) {
            (Some(a), Some(b)) if a < b => (
                who[..a].trim().to_string(),
                Some(who[a + 1..b].trim().to_string()),
            ),
            _ => (who.trim().to_string(), None),
        };
        let mut words: Vec<&str> = name.split_whitespace().collect();
        let url = words
            .last()
            .filter(|w| super::is_web_url(w))
            .map(|w| w.to_string());
        if url.is_some() {
            words.pop();
        }
        let name = words.join(" ");
        let aid = id(&format!("Organization-{}", clean(&name)));
        let mut ext = Vec::new();
        if let Some(m) = email {
            ext.push(json!({"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": m}));
        }
        if let Some(u) = url {
            ext.push(json!({"type": "ExternalIdentifier", "externalIdentifierType": "urlScheme", "identifier": u}));
        }
        self.push(json!({
            "type": "Organization", "spdxId": aid, "name": name, "creationInfo": CREATION,
            "externalIdentifier": ext,
        }));
        self.agents.insert(key, aid.clone());
        aid
    }

    fn ids(&self) -> Vec<String> {
        self.items
            .iter()
            .map(|v| str_of(v, "spdxId").to_string())
            .collect()
    }

    /// The Agent for a 2.3 creator or supplier string ("Person: Jane (jane@x)",
    /// "Organization: ACME"), made once.
    fn agent(&mut self, id: &dyn Fn(&str) -> String, who: &str) -> String {
        if let Some(a) = self.agents.get(who) {
            return a.clone();
        }
        let (kind, rest) = match who.split_once(':') {
            Some(("Person", r)) => ("Person", r.trim()),
            Some(("Organization", r)) => ("Organization", r.trim()),
            _ => ("Agent", who.trim()),
        };
        let (name, email) = match (rest.rfind('('), rest.ends_with(')')) {
            (Some(i), true) => (rest[..i].trim(), Some(rest[i + 1..rest.len() - 1].trim())),
            _ => (rest, None),
        };
        let aid = id(&format!("{kind}-{}", clean(rest)));
        let mut e = json!({"type": kind, "spdxId": aid, "name": name, "creationInfo": CREATION});
        if let Some(m) = email.filter(|m| !m.is_empty()) {
            e["externalIdentifier"] = json!([{
                "type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": m
            }]);
        }
        self.push(e);
        self.agents.insert(who.to_string(), aid.clone());
        aid
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

/// Set `k` unless the value is SPDX's "unknown" (SPDX 3 says unknown by leaving it out).
fn known(e: &mut Map<String, Value>, k: &str, v: Option<&str>) {
    if let Some(v) = v.filter(|v| !v.is_empty() && *v != NOASSERTION) {
        e.insert(k.into(), v.into());
    }
}

fn hashes(checksums: &Value) -> Vec<Value> {
    checksums
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            json!({
                "type": "Hash",
                "algorithm": str_of(c, "algorithm").to_ascii_lowercase(),
                "hashValue": str_of(c, "checksumValue"),
            })
        })
        .collect()
}

/// An IRI fragment from any text: letters, digits, `.` and `-`.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// "3.29" -> "3.29.0": SPDX 3 wants the license list version as SemVer.
fn semver3(v: &str) -> String {
    let mut parts: Vec<&str> = v.split('.').take(3).collect();
    while parts.len() < 3 {
        parts.push("0");
    }
    parts.join(".")
}
