//! What `ospo sbom --profile P` adds to the document: for each rule of the profile's table
//! ([`super::rules`]) and each component, the value where the scan knows it or can derive
//! it by a registry's fixed convention, else a known unknown with the reason.
//!
//! Nothing is invented. The SHA-512 is the one a lockfile records (npm's `integrity`); a
//! deployable file's name and URL are derived only where the registry fixes them
//! (crates.io `NAME-VERSION.crate`, the npm registry's `NAME-VERSION.tgz`) and the purl
//! names no other repository; the executable / archive / structured properties follow
//! from that file's format (a .crate or .tgz is a gzip'd tar: an archive, structured, not
//! executable). Source code in the scanned tree has no deployable file: its SHA-512,
//! filename and properties are unknown to a source scan, and say so.

use std::collections::BTreeMap;

use super::{rules, Field, Profile};
use crate::model::{is_unknown_license, Component, Ecosystem, Hash, Scan};

/// What a profile adds to an SBOM ospo writes: the fields it could fill and, for each it
/// could not, a known unknown with the reason.
#[derive(Debug, Default)]
pub struct Filled {
    pub profile: Option<Profile>,
    /// The SBOM's creator (BSI: with an email or URL), from `--author`.
    pub author: Option<String>,
    /// The supplier of the product, from `--supplier`.
    pub supplier: Option<String>,
    /// How complete the dependency graph is (a CycloneDX composition aggregate).
    pub completeness: &'static str,
    /// Document-level properties (the profile, known unknowns of the document).
    pub document: Vec<(String, String)>,
    /// Per bom-ref.
    pub components: BTreeMap<String, FilledComponent>,
}

/// A profile's fields of one component.
#[derive(Debug, Default, Clone)]
pub struct FilledComponent {
    /// CycloneDX properties (`bsi:component:*`, `ospo:known-unknown`).
    pub properties: Vec<(String, String)>,
    /// Extra hashes of the deployable file.
    pub hashes: Vec<Hash>,
    /// (CycloneDX external reference type, URL)
    pub references: Vec<(&'static str, String)>,
    /// The creator, with an email or URL ("ACME <psirt@acme.example>").
    pub creator: Option<String>,
    /// The deployable file, when its name is known.
    pub filename: Option<String>,
    pub executable: Option<bool>,
    pub archive: Option<bool>,
    pub structured: Option<bool>,
    /// Field -> reason it is not known.
    pub unknown: BTreeMap<Field, String>,
}

/// Whether a contact string names an email (`<a@b>`) or a web URL.
fn reachable(s: &str) -> bool {
    let email = s
        .find('<')
        .zip(s.rfind('>'))
        .is_some_and(|(a, b)| s[a + 1..b].contains('@'));
    email || s.split_whitespace().any(crate::emit::is_web_url)
}

/// The deployable file a registry fixes by convention, with its download URL.
fn deployable(c: &Component) -> Option<(String, String)> {
    let purl = c.purl.as_deref()?;
    if purl.contains("repository_url=") {
        return None; // another registry: its file names and URLs are its own
    }
    let version = c.version.as_deref()?;
    match c.ecosystem {
        Ecosystem::Cargo => Some((
            format!("{}-{version}.crate", c.name),
            format!(
                "https://crates.io/api/v1/crates/{}/{version}/download",
                c.name
            ),
        )),
        Ecosystem::Npm => {
            let base = c.name.rsplit('/').next().unwrap_or(&c.name);
            Some((
                format!("{base}-{version}.tgz"),
                format!(
                    "https://registry.npmjs.org/{}/-/{base}-{version}.tgz",
                    c.name
                ),
            ))
        }
        _ => None,
    }
}

/// Why a component's deployable file is not known.
fn no_file_reason(c: &Component, is_project: bool) -> String {
    if is_project {
        "the product itself is scanned as source; its deployable (built) file is not known to a source scan".into()
    } else if c.path.is_some()
        && c.purl
            .as_deref()
            .is_none_or(|p| p.starts_with("pkg:generic"))
    {
        format!(
            "source code in the scanned tree ({}); it has no deployable file of its own",
            c.path.as_deref().unwrap_or("")
        )
    } else {
        format!(
            "the {} lockfile or manifest does not name the deployable file, and the registry's file name is not fixed by convention",
            c.ecosystem
        )
    }
}

/// Fill a scan's fields for profile `p`.
pub fn fill(scan: &Scan, p: Profile, authors: &[String], supplier: Option<&str>) -> Filled {
    let table = rules(p);
    let wants = |f: Field| table.iter().any(|r| r.field == f);
    let author = authors.iter().find(|a| reachable(a)).cloned();
    let mut out = Filled {
        profile: Some(p),
        author: author.clone(),
        supplier: supplier.map(str::to_string),
        completeness: "incomplete",
        ..Default::default()
    };
    out.document.push(("ospo:profile".into(), p.name().into()));
    if wants(Field::SbomCreator) && author.is_none() {
        out.document.push((
            super::facts::UNKNOWN_PROPERTY.into(),
            "sbom-creator: no --author with an email or URL was given".into(),
        ));
    }
    // The graph is what the manifests and lockfiles list; what a build adds (vendored
    // native libraries, toolchains) is beyond it, so it is never claimed complete.
    for c in &scan.components {
        let is_project = scan.project.as_deref() == Some(c.bom_ref.as_str());
        let mut f = FilledComponent::default();
        let mut unknown = |field: Field, why: String| {
            if wants(field) {
                f.unknown.insert(field, why);
            }
        };
        // Creator: the product's from --supplier; a dependency's from its manifest.
        let creator = if is_project {
            supplier.map(str::to_string)
        } else {
            None
        }
        .or_else(|| c.supplier.clone())
        .filter(|s| reachable(s));
        match (&creator, &c.supplier) {
            (Some(_), _) => {}
            (None, Some(s)) => unknown(
                Field::Creator,
                format!(
                    "the manifest names the creator ({}) without an email or URL",
                    s.trim()
                ),
            ),
            (None, None) if is_project => unknown(
                Field::Creator,
                "no --supplier with an email or URL was given, and the manifest names no author"
                    .into(),
            ),
            (None, None) => unknown(
                Field::Creator,
                "the manifest names no author or supplier".into(),
            ),
        }
        if c.supplier.is_none() && !(is_project && supplier.is_some()) {
            unknown(
                Field::Supplier,
                "the manifest names no author or supplier".into(),
            );
        }
        f.creator = creator;
        if c.version.is_none() {
            unknown(
                Field::Version,
                "no manifest or lockfile states a version".into(),
            );
        }
        if c.purl.is_none() {
            unknown(
                Field::Identifier,
                "no package manager names it: no purl".into(),
            );
        }
        if is_unknown_license(&c.concluded) {
            unknown(
                Field::ConcludedLicense,
                "no license declaration and no license text found".into(),
            );
            unknown(
                Field::License,
                "no license declaration and no license text found".into(),
            );
        }
        if c.declared.as_deref().is_none_or(is_unknown_license) {
            unknown(
                Field::DeclaredLicense,
                "the manifest declares no license".into(),
            );
        }
        if c.hashes.is_empty() {
            unknown(Field::Hash, "the lockfile records no hash for it".into());
        }
        match deployable(c).filter(|_| !is_project) {
            Some((file, url)) => {
                f.filename = Some(file.clone());
                f.properties.push(("bsi:component:filename".into(), file));
                // A gzip'd tar of the package's files: listable, not run.
                f.executable = Some(false);
                f.archive = Some(true);
                f.structured = Some(true);
                f.references.push(("distribution", url.clone()));
                if c.ecosystem == Ecosystem::Cargo {
                    // A .crate is the crate's source.
                    f.references.push(("source-distribution", url));
                } else {
                    unknown(
                        Field::SourceUri,
                        "the lockfile names no source repository".into(),
                    );
                }
            }
            None => {
                let why = no_file_reason(c, is_project);
                for field in [
                    Field::Filename,
                    Field::Executable,
                    Field::Archive,
                    Field::Structured,
                ] {
                    unknown(field, why.clone());
                }
                unknown(Field::DeployableUri, why.clone());
                unknown(
                    Field::SourceUri,
                    "no source code URI is recorded for it".into(),
                );
            }
        }
        if let Some(e) = f.executable {
            f.properties.push((
                "bsi:component:executable".into(),
                if e { "executable" } else { "non-executable" }.into(),
            ));
        }
        if let Some(a) = f.archive {
            f.properties.push((
                "bsi:component:archive".into(),
                if a { "archive" } else { "no archive" }.into(),
            ));
        }
        if let Some(s) = f.structured {
            f.properties.push((
                "bsi:component:structured".into(),
                if s { "structured" } else { "unstructured" }.into(),
            ));
        }
        let has_sha512 = c
            .hashes
            .iter()
            .any(|h| h.alg.eq_ignore_ascii_case("SHA-512") || h.alg.eq_ignore_ascii_case("SHA512"));
        if !has_sha512 {
            let why = match c.ecosystem {
                _ if is_project || f.filename.is_none() => no_file_reason(c, is_project),
                Ecosystem::Cargo => "Cargo.lock records only the SHA-256 of the .crate".into(),
                _ => format!(
                    "the {} lockfile records no SHA-512 of the package file",
                    c.ecosystem
                ),
            };
            unknown(Field::Sha512, why);
        }
        for (field, why) in &f.unknown {
            f.properties.push((
                super::facts::UNKNOWN_PROPERTY.into(),
                format!("{}: {why}", field.id()),
            ));
        }
        out.components.insert(c.bom_ref.clone(), f);
    }
    out
}
