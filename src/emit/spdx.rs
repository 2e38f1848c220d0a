//! SPDX 2.3 JSON and tag-value from the model.
//!
//! One document type, serialized by serde for JSON and walked by hand for tag-value (in
//! the order the SPDX tools write it: unpackaged files, then each package followed by the
//! files it contains, extracted licenses, relationships). A package per component, a file
//! entry per file with license or copyright evidence, DESCRIBES / CONTAINS / DEPENDS_ON,
//! and `hasExtractedLicensingInfos` for every `LicenseRef-` with the text it came from.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use serde::Serialize;
use sha1::{Digest, Sha1};

use super::{copyrights_by_component, root_name, Stamp};
use crate::model::{Component, Diagnostic, FileRecord, Scan, Scope};

use crate::model::NOASSERTION;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Document {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: String,
    document_namespace: String,
    creation_info: CreationInfo,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    packages: Vec<Package>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<File>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relationships: Vec<Relationship>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo {
    created: String,
    creators: Vec<String>,
    license_list_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<String>,
    supplier: String,
    download_location: String,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_verification_code: Option<VerificationCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checksums: Vec<Checksum>,
    #[serde(skip_serializing_if = "Option::is_none")]
    homepage: Option<String>,
    license_concluded: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    license_info_from_files: Vec<String>,
    license_declared: String,
    copyright_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VerificationCode {
    package_verification_code_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Checksum {
    algorithm: &'static str,
    checksum_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct File {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    file_name: String,
    checksums: Vec<Checksum>,
    license_concluded: String,
    license_info_in_files: Vec<String>,
    copyright_text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
    /// Why, where the relationship alone would mislead (a graph known incomplete).
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

/// SPDXRef- ids: the bom-ref or path with every character SPDX does not allow replaced,
/// made unique in a deterministic order.
#[derive(Default)]
struct Ids {
    used: BTreeSet<String>,
}

impl Ids {
    fn make(&mut self, prefix: &str, key: &str) -> String {
        let clean: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let base = format!("SPDXRef-{prefix}-{}", clean.trim_matches('-'));
        let mut id = base.clone();
        let mut n = 2;
        while !self.used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}

/// Build the document; what cannot be carried (a file without a SHA-1) goes to `diags`.
/// Files first (packages carry their verification code and license info), then the
/// packages, the relationships, and the extracted texts of every `LicenseRef-`.
pub fn build(
    scan: &Scan,
    stamp: &Stamp,
    authors: &[String],
    diags: &mut Vec<Diagnostic>,
) -> Document {
    build_mapped(scan, stamp, authors, diags).0
}

/// [`build`], with each package's SPDXID mapped to the bom-ref of its component (what the
/// SPDX 3 writer needs to attach a profile's fields).
pub(crate) fn build_mapped(
    scan: &Scan,
    stamp: &Stamp,
    authors: &[String],
    diags: &mut Vec<Diagnostic>,
) -> (Document, HashMap<String, String>) {
    let mut ids = Ids::default();
    let copyrights = copyrights_by_component(scan);
    let mut refs = LicenseRefs::default();

    let name = scan
        .project
        .as_ref()
        .and_then(|p| scan.components.iter().find(|c| &c.bom_ref == p))
        .map(|c| match &c.version {
            Some(v) => format!("{}-{v}", c.name),
            None => c.name.clone(),
        })
        .unwrap_or_else(|| root_name(scan));
    let uuid = stamp.uuid("spdx", scan);

    let (files, file_owner) = files(scan, &mut ids, &mut refs, diags);
    let mut packages = Vec::with_capacity(scan.components.len() + 1);
    let mut pkg_id: HashMap<&str, String> = HashMap::new();
    for c in &scan.components {
        let id = ids.make("Package", &c.bom_ref);
        pkg_id.insert(c.bom_ref.as_str(), id);
    }
    let project_id = match scan.project.as_deref().and_then(|p| pkg_id.get(p)) {
        Some(id) => id.clone(),
        None => {
            // No project component (a files-only scan, or an SBOM without one): describe
            // the scanned root itself, so the document still DESCRIBES a package.
            let root = root_package(scan, &mut ids);
            let id = root.spdx_id.clone();
            packages.push(root);
            id
        }
    };
    let mut files_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, owner) in file_owner.iter().enumerate() {
        if let Some(o) = owner.filter(|o| pkg_id.contains_key(o)) {
            files_of.entry(o).or_default().push(i);
        }
    }
    for c in &scan.components {
        let own_files = files_of.get(c.bom_ref.as_str()).map_or(&[][..], |v| &v[..]);
        packages.push(package(
            c,
            &pkg_id[c.bom_ref.as_str()],
            own_files,
            &files,
            copyrights.get(c.bom_ref.as_str()),
            Some(&c.bom_ref) == scan.project.as_ref(),
            &mut refs,
        ));
    }
    if let Some(image) = &scan.image {
        if let Some(p) = packages.iter_mut().find(|p| p.spdx_id == project_id) {
            as_container(p, image);
        }
    }
    let relationships = relationships(scan, &project_id, &pkg_id, &files_of, &files, diags);

    let mut creators = vec![format!("Tool: {}-{}", scan.tool.name, scan.tool.version)];
    creators.extend(authors.iter().map(|a| creator(a)));

    let by_id = pkg_id
        .iter()
        .map(|(r, i)| (i.clone(), r.to_string()))
        .collect();
    let doc = Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        document_namespace: format!(
            "https://spdx.org/spdxdocs/{}-{uuid}",
            name.chars()
                .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                })
                .collect::<String>()
        ),
        name,
        creation_info: CreationInfo {
            created: stamp.created.clone(),
            creators,
            license_list_version: major_minor(&scan.tool.license_list_version),
            comment: None,
        },
        packages,
        files,
        has_extracted_licensing_infos: refs.into_infos(|id| reuse_text(scan, id)),
        relationships,
    };
    (doc, by_id)
}

/// One file entry per file with license or copyright evidence (SPDX requires a SHA-1:
/// files without one are left out, and counted), with the package that owns each.
fn files<'a>(
    scan: &'a Scan,
    ids: &mut Ids,
    refs: &mut LicenseRefs,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<File>, Vec<Option<&'a str>>) {
    let mut files = Vec::new();
    let mut file_owner: Vec<Option<&str>> = Vec::new();
    let mut missing_sha1 = 0usize;
    for f in scan.files.iter().filter(|f| has_evidence(f)) {
        let Some(sha1) = &f.sha1 else {
            missing_sha1 += 1;
            continue;
        };
        let mut checksums = vec![Checksum {
            algorithm: "SHA1",
            checksum_value: sha1.clone(),
        }];
        if let Some(s) = &f.sha256 {
            checksums.push(Checksum {
                algorithm: "SHA256",
                checksum_value: s.clone(),
            });
        }
        let mut infos: BTreeSet<String> = BTreeSet::new();
        for m in &f.licenses {
            for term in terms(&m.expression) {
                refs.note(&term, m.matched_text.as_deref(), &f.path);
                infos.insert(term);
            }
        }
        files.push(File {
            spdx_id: ids.make("File", &f.path),
            file_name: format!("./{}", f.path),
            checksums,
            license_concluded: NOASSERTION.into(),
            license_info_in_files: if infos.is_empty() {
                vec![NOASSERTION.into()]
            } else {
                infos.into_iter().collect()
            },
            copyright_text: copyright_text(f.copyrights.iter().map(String::as_str)),
        });
        file_owner.push(f.component.as_deref());
    }
    if missing_sha1 > 0 {
        diags.push(Diagnostic::warning(
            None,
            format!(
                "{} with license evidence {} no SHA-1 (SPDX requires one); \
                 left out of the file list",
                crate::text::plural(missing_sha1, "file", "files"),
                if missing_sha1 == 1 { "has" } else { "have" }
            ),
        ));
    }
    (files, file_owner)
}

/// The package that stands for the scanned tree when no component is the project.
fn root_package(scan: &Scan, ids: &mut Ids) -> Package {
    Package {
        spdx_id: ids.make("Package", &format!("root-{}", root_name(scan))),
        name: root_name(scan),
        version_info: None,
        supplier: NOASSERTION.into(),
        download_location: NOASSERTION.into(),
        files_analyzed: false,
        package_verification_code: None,
        checksums: Vec::new(),
        homepage: None,
        license_concluded: NOASSERTION.into(),
        license_info_from_files: Vec::new(),
        license_declared: NOASSERTION.into(),
        copyright_text: NOASSERTION.into(),
        comment: Some("the scanned tree; no project manifest was found".into()),
        external_refs: Vec::new(),
        primary_package_purpose: "SOURCE",
    }
}

/// DESCRIBES the project, CONTAINS each package's files, DEPENDS_ON (DEV_DEPENDENCY_OF
/// for dev dependencies) along the graph; edges to components not in the document are
/// left out and counted.
fn relationships(
    scan: &Scan,
    project_id: &str,
    pkg_id: &HashMap<&str, String>,
    files_of: &BTreeMap<&str, Vec<usize>>,
    files: &[File],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Relationship> {
    let mut relationships = vec![Relationship {
        spdx_element_id: "SPDXRef-DOCUMENT".into(),
        relationship_type: "DESCRIBES",
        related_spdx_element: project_id.to_string(),
        comment: None,
    }];
    for (owner, idx) in files_of {
        for &i in idx {
            relationships.push(Relationship {
                spdx_element_id: pkg_id[owner].clone(),
                relationship_type: "CONTAINS",
                related_spdx_element: files[i].spdx_id.clone(),
                comment: None,
            });
        }
    }
    // A library bundled inside a package (C sources in a -sys crate): the package
    // CONTAINS it.
    for c in &scan.components {
        if let (Some(parent), Some(child)) = (
            c.parent.as_deref().and_then(|p| pkg_id.get(p)),
            pkg_id.get(c.bom_ref.as_str()),
        ) {
            relationships.push(Relationship {
                spdx_element_id: parent.clone(),
                relationship_type: "CONTAINS",
                related_spdx_element: child.clone(),
                comment: None,
            });
        }
    }
    // A package whose own dependencies are not all known says so, instead of its
    // DEPENDS_ON relationships looking like the whole list.
    for c in &scan.components {
        if c.dependencies_complete != Some(false) {
            continue;
        }
        if let Some(id) = pkg_id.get(c.bom_ref.as_str()) {
            relationships.push(Relationship {
                spdx_element_id: id.clone(),
                relationship_type: "DEPENDS_ON",
                related_spdx_element: NOASSERTION.into(),
                comment: Some(
                    "incomplete dependency graph: this package's own dependency list is not in \
                     the scanned tree (its manifest, e.g. a Go module's go.mod or a Maven POM, \
                     was not found), so dependencies may be missing"
                        .into(),
                ),
            });
        }
    }
    let dev: BTreeSet<&str> = scan
        .components
        .iter()
        .filter(|c| c.scope == Some(Scope::Dev))
        .map(|c| c.bom_ref.as_str())
        .collect();
    let mut dangling = 0usize;
    for e in &scan.dependencies {
        let Some(from) = pkg_id.get(e.from.as_str()) else {
            dangling += e.to.len().max(1);
            continue;
        };
        for t in &e.to {
            let Some(to) = pkg_id.get(t.as_str()) else {
                dangling += 1;
                continue;
            };
            relationships.push(if dev.contains(t.as_str()) {
                // "A is a development dependency of B": the reverse direction.
                Relationship {
                    spdx_element_id: to.clone(),
                    relationship_type: "DEV_DEPENDENCY_OF",
                    related_spdx_element: from.clone(),
                    comment: None,
                }
            } else {
                Relationship {
                    spdx_element_id: from.clone(),
                    relationship_type: "DEPENDS_ON",
                    related_spdx_element: to.clone(),
                    comment: None,
                }
            });
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
    relationships[1..].sort();
    relationships.dedup();
    relationships
}

/// "Jane Doe <jane@example.com>" -> "Person: Jane Doe (jane@example.com)"; a name that
/// already says "Organization:" or "Person:" is kept.
fn creator(a: &str) -> String {
    let a = a.trim();
    if a.starts_with("Organization:") || a.starts_with("Person:") || a.starts_with("Tool:") {
        return a.to_string();
    }
    match (a.find('<'), a.rfind('>')) {
        (Some(i), Some(j)) if i < j => match a[i + 1..j].trim() {
            "" => format!("Person: {}", a[..i].trim()),
            mail => format!("Person: {} ({mail})", a[..i].trim()),
        },
        _ => format!("Organization: {a}"),
    }
}

/// The license list version as SPDX wants it: "3.29".
fn major_minor(v: &str) -> String {
    v.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn has_evidence(f: &FileRecord) -> bool {
    !f.licenses.is_empty() || !f.copyrights.is_empty()
}

/// The license terms of an expression, each a simple license (with its exception), as
/// licenseInfoInFiles / licenseInfoFromFiles want them.
fn terms(expr: &str) -> Vec<String> {
    match spdx::Expression::parse_mode(expr, spdx::ParseMode::LAX) {
        Ok(e) => e.requirements().map(|r| r.req.to_string()).collect(),
        Err(_) => expr
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "WITH" | "and" | "or"))
            .map(str::to_string)
            .collect(),
    }
}

fn copyright_text<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let set: BTreeSet<&str> = lines.collect();
    if set.is_empty() {
        NOASSERTION.into()
    } else {
        set.into_iter().collect::<Vec<_>>().join("\n")
    }
}

fn package(
    c: &Component,
    id: &str,
    own_files: &[usize],
    files: &[File],
    copyrights: Option<&BTreeSet<&str>>,
    is_project: bool,
    refs: &mut LicenseRefs,
) -> Package {
    let declared = c.declared.clone().unwrap_or_else(|| NOASSERTION.into());
    let concluded = if c.concluded.is_empty() {
        NOASSERTION.into()
    } else {
        c.concluded.clone()
    };
    for expr in [&declared, &concluded] {
        for t in terms(expr) {
            refs.note(
                &t,
                c.declared_raw.as_deref(),
                c.path.as_deref().unwrap_or(""),
            );
        }
    }
    if let Some(d) = &c.detected {
        for t in terms(d) {
            refs.note(&t, None, c.path.as_deref().unwrap_or(""));
        }
    }

    let verification = (!own_files.is_empty()).then(|| {
        let mut sums: Vec<&str> = own_files
            .iter()
            .map(|&i| files[i].checksums[0].checksum_value.as_str())
            .collect();
        sums.sort_unstable();
        let mut h = Sha1::new();
        for s in sums {
            h.update(s.to_ascii_lowercase().as_bytes());
        }
        VerificationCode {
            package_verification_code_value: hex::encode(h.finalize()),
        }
    });
    let from_files: BTreeSet<String> = own_files
        .iter()
        .flat_map(|&i| files[i].license_info_in_files.iter().cloned())
        .filter(|l| l != NOASSERTION)
        .collect();

    let mut comment = Vec::new();
    if concluded == NOASSERTION {
        comment.push("License unknown: no declaration and no license evidence found.".into());
    }
    if c.version.is_none() {
        comment.push("Version unknown: no manifest or lockfile states one.".into());
    }
    comment.extend(c.review.iter().map(|r| format!("Review: {r}")));
    comment.extend(c.notes.iter().cloned());
    if let Some(l) = &c.layer {
        comment.push(format!("Layer: {l}"));
    }

    Package {
        spdx_id: id.to_string(),
        name: c.name.clone(),
        version_info: c.version.clone(),
        supplier: c
            .supplier
            .as_deref()
            .map_or_else(|| NOASSERTION.into(), |s| creator(&one_line(s))),
        download_location: NOASSERTION.into(),
        files_analyzed: verification.is_some(),
        license_info_from_files: if verification.is_some() {
            from_files.into_iter().collect()
        } else {
            Vec::new()
        },
        package_verification_code: verification,
        checksums: c
            .hashes
            .iter()
            .filter_map(|h| {
                let alg = match h.alg.to_ascii_uppercase().replace('-', "").as_str() {
                    "SHA1" => "SHA1",
                    "SHA256" => "SHA256",
                    "SHA384" => "SHA384",
                    "SHA512" => "SHA512",
                    "MD5" => "MD5",
                    _ => return None,
                };
                Some(Checksum {
                    algorithm: alg,
                    checksum_value: h.value.to_ascii_lowercase(),
                })
            })
            .collect(),
        homepage: c.homepage.clone().filter(|h| super::is_web_url(h)),
        license_concluded: concluded,
        license_declared: declared,
        copyright_text: copyright_text(copyrights.into_iter().flatten().copied()),
        comment: (!comment.is_empty()).then(|| comment.join("\n")),
        external_refs: c
            .purl
            .iter()
            .map(|p| ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: p.clone(),
            })
            .collect(),
        primary_package_purpose: if is_project { "APPLICATION" } else { "LIBRARY" },
    }
}

/// The scanned project of an image is the image: a CONTAINER package with the
/// configuration digest as its checksum, the OCI purl, and tags and layers in its comment.
fn as_container(p: &mut Package, image: &crate::model::Image) {
    let (repo, tag) = super::cyclonedx::split_reference(&image.name);
    p.primary_package_purpose = "CONTAINER";
    p.name = repo.to_string();
    p.version_info = Some(tag.map_or_else(|| image.config_digest.clone(), str::to_string));
    if let Some(hex) = image.config_digest.strip_prefix("sha256:") {
        p.checksums = vec![Checksum {
            algorithm: "SHA256",
            checksum_value: hex.to_string(),
        }];
    }
    p.external_refs = vec![ExternalRef {
        reference_category: "PACKAGE-MANAGER",
        reference_type: "purl",
        reference_locator: super::cyclonedx::image_purl(image),
    }];
    let mut lines = vec![format!(
        "Container image ({}), config {}",
        image.format, image.config_digest
    )];
    if let Some(m) = &image.manifest_digest {
        lines.push(format!("Manifest: {m}"));
    }
    for t in &image.repo_tags {
        lines.push(format!("Tag: {t}"));
    }
    for (i, l) in image.layers.iter().enumerate() {
        lines.push(format!("Layer {i}: {l}"));
    }
    let rest = p
        .comment
        .take()
        .map(|c| {
            c.lines()
                .filter(|l| !l.starts_with("Layer: ") && !l.starts_with("Version unknown"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|c| !c.is_empty());
    lines.extend(rest);
    p.comment = Some(lines.join("\n"));
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every LicenseRef- seen, with the text it came from (a manifest's license string, the
/// matched text of a file) or, failing that, where it was seen.
#[derive(Default)]
struct LicenseRefs {
    seen: BTreeMap<String, (Option<String>, BTreeSet<String>)>,
}

impl LicenseRefs {
    fn note(&mut self, term: &str, text: Option<&str>, at: &str) {
        let id = term.split(" WITH ").next().unwrap_or(term).trim();
        if !id.starts_with("LicenseRef-") {
            return;
        }
        let e = self.seen.entry(id.to_string()).or_default();
        if e.0.is_none() {
            e.0 = text.map(str::to_string).filter(|t| !t.trim().is_empty());
        }
        if !at.is_empty() {
            e.1.insert(at.to_string());
        }
    }

    /// `full_text` finds a license's own text (REUSE's LICENSES/<id>.txt), preferred to
    /// the line that named it.
    fn into_infos(self, full_text: impl Fn(&str) -> Option<String>) -> Vec<ExtractedLicense> {
        self.seen
            .into_iter()
            .map(|(id, (text, places))| {
                let name = id.trim_start_matches("LicenseRef-").replace('-', " ");
                let extracted_text = full_text(&id).or(text).unwrap_or_else(|| {
                    let places: Vec<String> = places.into_iter().take(5).collect();
                    format!(
                        "The license text was not captured; this license was referenced in: {}",
                        if places.is_empty() {
                            "the scanned tree".to_string()
                        } else {
                            places.join(", ")
                        }
                    )
                });
                ExtractedLicense {
                    license_id: id,
                    extracted_text,
                    name,
                }
            })
            .collect()
    }
}

/// Every `LicenseRef-` of the scan with its text, as SPDX's `hasExtractedLicensingInfos`
/// carries it: what CycloneDX 1.7's `expressionDetails` and SPDX 3's `CustomLicense` carry
/// too, so the three formats agree on each text.
pub(crate) fn license_ref_texts(scan: &Scan) -> BTreeMap<String, String> {
    let mut diags = Vec::new();
    let stamp = Stamp::at(0).expect("epoch 0 is in range");
    build(scan, &stamp, &[], &mut diags)
        .has_extracted_licensing_infos
        .into_iter()
        .map(|l| (l.license_id, l.extracted_text))
        .collect()
}

/// The text of `LicenseRef-x` from the tree's `LICENSES/LicenseRef-x.txt` (the REUSE
/// layout), as the scan recorded it.
fn reuse_text(scan: &Scan, id: &str) -> Option<String> {
    let f = scan.files.iter().find(|f| {
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        (dir == "LICENSES" || dir.ends_with("/LICENSES"))
            && name.rsplit_once('.').map_or(name, |(stem, _)| stem) == id
    })?;
    let text = scan.texts.get(f.sha256.as_deref()?)?;
    Some(text.trim_end().to_string()).filter(|t| !t.is_empty())
}

pub fn to_json(doc: &Document) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(doc).expect("SPDX types serialize");
    v.push(b'\n');
    v
}

/// Tag-value, laid out the way the SPDX tools write it.
pub fn to_tag_value(doc: &Document) -> Vec<u8> {
    let mut o = String::new();
    let _ = writeln!(o, "## Document Information");
    tv(&mut o, "SPDXVersion", doc.spdx_version);
    tv(&mut o, "DataLicense", doc.data_license);
    tv(&mut o, "SPDXID", doc.spdx_id);
    tv(&mut o, "DocumentName", &doc.name);
    tv(&mut o, "DocumentNamespace", &doc.document_namespace);
    o.push('\n');
    let _ = writeln!(o, "## Creation Information");
    tv(
        &mut o,
        "LicenseListVersion",
        &doc.creation_info.license_list_version,
    );
    for c in &doc.creation_info.creators {
        tv(&mut o, "Creator", c);
    }
    tv(&mut o, "Created", &doc.creation_info.created);
    o.push('\n');

    // Files that follow a package belong to it; the CONTAINS relationship is implied.
    let mut contained: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut packaged: BTreeSet<&str> = BTreeSet::new();
    for r in &doc.relationships {
        if r.relationship_type == "CONTAINS"
            && r.related_spdx_element.starts_with("SPDXRef-File-")
            && packaged.insert(r.related_spdx_element.as_str())
        {
            contained
                .entry(r.spdx_element_id.as_str())
                .or_default()
                .push(r.related_spdx_element.as_str());
        }
    }
    let file_by_id: HashMap<&str, &File> =
        doc.files.iter().map(|f| (f.spdx_id.as_str(), f)).collect();
    let unpackaged: Vec<&File> = doc
        .files
        .iter()
        .filter(|f| !packaged.contains(f.spdx_id.as_str()))
        .collect();
    if !unpackaged.is_empty() {
        let _ = writeln!(o, "## Unpackaged Files");
        for f in unpackaged {
            tv_file(&mut o, f);
        }
    }
    for p in &doc.packages {
        tv_package(&mut o, p);
        for id in contained.get(p.spdx_id.as_str()).into_iter().flatten() {
            tv_file(&mut o, file_by_id[id]);
        }
    }
    if !doc.has_extracted_licensing_infos.is_empty() {
        let _ = writeln!(o, "## License Information");
        for l in &doc.has_extracted_licensing_infos {
            tv(&mut o, "LicenseID", &l.license_id);
            tv(&mut o, "ExtractedText", &l.extracted_text);
            tv(&mut o, "LicenseName", &l.name);
            o.push('\n');
        }
    }
    let _ = writeln!(o, "## Relationships");
    for r in &doc.relationships {
        let implied =
            r.relationship_type == "CONTAINS" && packaged.contains(r.related_spdx_element.as_str());
        if !implied {
            let _ = writeln!(
                o,
                "Relationship: {} {} {}",
                r.spdx_element_id, r.relationship_type, r.related_spdx_element
            );
            if let Some(c) = &r.comment {
                let _ = writeln!(o, "RelationshipComment: <text>{c}</text>");
            }
        }
    }
    o.into_bytes()
}

fn tv_package(o: &mut String, p: &Package) {
    let _ = writeln!(o, "## Package: {}", one_line(&p.name));
    tv(o, "PackageName", &p.name);
    tv(o, "SPDXID", &p.spdx_id);
    if let Some(v) = &p.version_info {
        tv(o, "PackageVersion", v);
    }
    tv(o, "PackageSupplier", &p.supplier);
    tv(o, "PackageDownloadLocation", &p.download_location);
    tv(
        o,
        "FilesAnalyzed",
        if p.files_analyzed { "true" } else { "false" },
    );
    if let Some(v) = &p.package_verification_code {
        tv(
            o,
            "PackageVerificationCode",
            &v.package_verification_code_value,
        );
    }
    for c in &p.checksums {
        tv(
            o,
            "PackageChecksum",
            &format!("{}: {}", c.algorithm, c.checksum_value),
        );
    }
    if let Some(h) = &p.homepage {
        tv(o, "PackageHomePage", h);
    }
    tv(o, "PackageLicenseConcluded", &p.license_concluded);
    for l in &p.license_info_from_files {
        tv(o, "PackageLicenseInfoFromFiles", l);
    }
    tv(o, "PackageLicenseDeclared", &p.license_declared);
    tv(o, "PackageCopyrightText", &p.copyright_text);
    if let Some(c) = &p.comment {
        tv(o, "PackageComment", c);
    }
    for r in &p.external_refs {
        tv(
            o,
            "ExternalRef",
            &format!(
                "{} {} {}",
                r.reference_category, r.reference_type, r.reference_locator
            ),
        );
    }
    tv(o, "PrimaryPackagePurpose", p.primary_package_purpose);
    o.push('\n');
}

fn tv_file(o: &mut String, f: &File) {
    tv(o, "FileName", &f.file_name);
    tv(o, "SPDXID", &f.spdx_id);
    for c in &f.checksums {
        tv(
            o,
            "FileChecksum",
            &format!("{}: {}", c.algorithm, c.checksum_value),
        );
    }
    tv(o, "LicenseConcluded", &f.license_concluded);
    for l in &f.license_info_in_files {
        tv(o, "LicenseInfoInFile", l);
    }
    tv(o, "FileCopyrightText", &f.copyright_text);
    o.push('\n');
}

/// `Tag: value`; multi-line values and free text go in <text>...</text>.
fn tv(o: &mut String, tag: &str, value: &str) {
    let free_text = matches!(
        tag,
        "PackageCopyrightText" | "FileCopyrightText" | "PackageComment" | "ExtractedText"
    );
    if value.contains('\n') || (free_text && value != NOASSERTION) {
        // "</text>" cannot appear inside a text block; nothing else needs escaping.
        let _ = writeln!(
            o,
            "{tag}: <text>{}</text>",
            value.replace("</text>", "< /text>")
        );
    } else {
        let _ = writeln!(o, "{tag}: {value}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edge, LicenseMatch, MatchKind};

    fn scan() -> Scan {
        Scan {
            root: "demo".into(),
            project: Some("pkg:npm/app@1.0.0".into()),
            tool: crate::model::Tool::current(crate::licensedb::LICENSE_LIST_VERSION),
            files: vec![
                FileRecord {
                    path: "LICENSE".into(),
                    sha1: Some("a".repeat(40)),
                    sha256: Some("b".repeat(64)),
                    licenses: vec![LicenseMatch {
                        expression: "MIT".into(),
                        kind: MatchKind::Text,
                        score: 1.0,
                        start_line: 1,
                        end_line: 21,
                        rule: None,
                        matched_text: None,
                    }],
                    copyrights: vec!["Copyright (c) 2024 Ada".into()],
                    component: Some("pkg:npm/app@1.0.0".into()),
                    ..Default::default()
                },
                FileRecord {
                    path: "node_modules/odd/LICENSE".into(),
                    sha1: Some("c".repeat(40)),
                    licenses: vec![LicenseMatch {
                        expression: "GPL-2.0-only WITH Classpath-exception-2.0".into(),
                        kind: MatchKind::Notice,
                        score: 1.0,
                        start_line: 1,
                        end_line: 3,
                        rule: None,
                        matched_text: None,
                    }],
                    component: Some("pkg:npm/odd@2.0.0".into()),
                    ..Default::default()
                },
            ],
            components: vec![
                Component {
                    bom_ref: "pkg:npm/app@1.0.0".into(),
                    name: "app".into(),
                    version: Some("1.0.0".into()),
                    purl: Some("pkg:npm/app@1.0.0".into()),
                    ecosystem: "npm".into(),
                    declared: Some("MIT".into()),
                    concluded: "MIT".into(),
                    supplier: Some("Ada Lovelace".into()),
                    ..Default::default()
                },
                Component {
                    bom_ref: "pkg:npm/odd@2.0.0".into(),
                    name: "odd".into(),
                    version: Some("2.0.0".into()),
                    purl: Some("pkg:npm/odd@2.0.0".into()),
                    ecosystem: "npm".into(),
                    declared_raw: Some("Odd Public License, see LICENSE".into()),
                    declared: Some("LicenseRef-Odd-Public-License".into()),
                    concluded: "LicenseRef-Odd-Public-License".into(),
                    scope: Some(Scope::Dev),
                    ..Default::default()
                },
            ],
            dependencies: vec![Edge {
                from: "pkg:npm/app@1.0.0".into(),
                to: vec!["pkg:npm/odd@2.0.0".into()],
            }],
            ..Default::default()
        }
    }

    fn doc() -> Document {
        build(
            &scan(),
            &Stamp::at(1_700_000_000).unwrap(),
            &[],
            &mut Vec::new(),
        )
    }

    #[test]
    fn packages_files_and_relationships() {
        let v: serde_json::Value = serde_json::from_slice(&to_json(&doc())).unwrap();
        assert_eq!(v["creationInfo"]["created"], "2023-11-14T22:13:20Z");
        assert_eq!(
            v["creationInfo"]["creators"][0],
            format!("Tool: ospo-{}", env!("CARGO_PKG_VERSION"))
        );
        let app = &v["packages"][0];
        assert_eq!(app["SPDXID"], "SPDXRef-Package-pkg-npm-app-1.0.0");
        assert_eq!(app["supplier"], "Organization: Ada Lovelace");
        assert_eq!(app["filesAnalyzed"], true);
        assert_eq!(app["copyrightText"], "Copyright (c) 2024 Ada");
        assert_eq!(
            app["externalRefs"][0]["referenceLocator"],
            "pkg:npm/app@1.0.0"
        );
        // Verification code: SHA-1 over the sorted SHA-1s of the package's files.
        let expect = hex::encode(Sha1::digest("a".repeat(40).as_bytes()));
        assert_eq!(
            app["packageVerificationCode"]["packageVerificationCodeValue"],
            expect
        );
        let odd_file = &v["files"][1];
        assert_eq!(
            odd_file["licenseInfoInFiles"],
            serde_json::json!(["GPL-2.0-only WITH Classpath-exception-2.0"])
        );
        let rels: Vec<String> = v["relationships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r["spdxElementId"].as_str().unwrap(),
                    r["relationshipType"].as_str().unwrap(),
                    r["relatedSpdxElement"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            rels[0],
            "SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-pkg-npm-app-1.0.0"
        );
        assert!(rels.contains(
            &"SPDXRef-Package-pkg-npm-odd-2.0.0 DEV_DEPENDENCY_OF SPDXRef-Package-pkg-npm-app-1.0.0"
                .to_string()
        ));
        assert!(rels.contains(
            &"SPDXRef-Package-pkg-npm-app-1.0.0 CONTAINS SPDXRef-File-LICENSE".to_string()
        ));
    }

    #[test]
    fn license_refs_carry_their_original_text() {
        let d = doc();
        assert_eq!(d.has_extracted_licensing_infos.len(), 1);
        let l = &d.has_extracted_licensing_infos[0];
        assert_eq!(l.license_id, "LicenseRef-Odd-Public-License");
        assert_eq!(l.extracted_text, "Odd Public License, see LICENSE");
    }

    #[test]
    fn tag_value_files_follow_their_package() {
        let tv = String::from_utf8(to_tag_value(&doc())).unwrap();
        let pkg = tv.find("PackageName: odd").unwrap();
        let file = tv.find("FileName: ./node_modules/odd/LICENSE").unwrap();
        assert!(file > pkg);
        assert!(
            !tv.contains(" CONTAINS "),
            "CONTAINS is implied by the layout"
        );
        assert!(tv.contains("PackageCopyrightText: <text>Copyright (c) 2024 Ada</text>"));
        assert!(tv.contains("ExtractedText: <text>Odd Public License, see LICENSE</text>"));
        assert!(tv.contains(
            "Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-pkg-npm-app-1.0.0"
        ));
    }

    #[test]
    fn ids_are_unique_and_clean() {
        let mut ids = Ids::default();
        assert_eq!(ids.make("File", "a b/c.rs"), "SPDXRef-File-a-b-c.rs");
        assert_eq!(ids.make("File", "a_b/c.rs"), "SPDXRef-File-a-b-c.rs-2");
    }
}
