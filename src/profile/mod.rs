//! SBOM compliance profiles (BSI TR-03183-2 v2.1, CISA 2025 minimum elements, NTIA 2021):
//! one table of rules per profile ([`rules`]) that both the writer (`ospo sbom --profile`,
//! [`fill`]) and the checker (`ospo check --sbom-profile`, [`check`]) use, so the two
//! cannot disagree: the writer fills what it can, states the rest as known unknowns, and
//! its stderr summary is the checker run over the bytes it is about to write.
//!
//! Where each field lives in each format is [`facts`]' job (one function per format that
//! reduces any tool's document to the fields present per component); the mapping follows
//! BSI TR-03183-2 v2.1's own CycloneDX and SPDX 3 tables (docs/sbom-profiles.md).

pub mod facts;
pub mod fill;

use std::collections::BTreeMap;

use serde::Serialize;

pub use facts::{DocFacts, Facts};
pub use fill::{fill, Filled, FilledComponent};

/// A profile a document is checked against or written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Profile {
    #[serde(rename = "bsi-tr-03183-2")]
    Bsi,
    #[serde(rename = "cisa-2025")]
    Cisa2025,
    #[serde(rename = "ntia")]
    Ntia,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Profile::Bsi => "bsi-tr-03183-2",
            Profile::Cisa2025 => "cisa-2025",
            Profile::Ntia => "ntia",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Profile::Bsi => "BSI TR-03183-2 v2.1.0",
            Profile::Cisa2025 => "CISA 2025 Minimum Elements (draft 2025-08-22)",
            Profile::Ntia => "NTIA Minimum Elements (2021)",
        }
    }
}

/// One thing an SBOM or a component of it carries (or does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    // The document.
    Format,
    SbomCreator,
    SbomAuthor,
    Timestamp,
    SbomUri,
    ToolName,
    GenerationContext,
    DependencyCompleteness,
    NoVulnerabilities,
    // Each component.
    Creator,
    Supplier,
    Name,
    Version,
    Filename,
    Dependencies,
    ConcludedLicense,
    DeclaredLicense,
    License,
    Sha512,
    Hash,
    Executable,
    Archive,
    Structured,
    SourceUri,
    DeployableUri,
    Identifier,
}

impl Field {
    /// The name used in properties, comments and reports ("sha512", "filename").
    pub fn id(self) -> &'static str {
        match self {
            Field::Format => "format",
            Field::SbomCreator => "sbom-creator",
            Field::SbomAuthor => "sbom-author",
            Field::Timestamp => "timestamp",
            Field::SbomUri => "sbom-uri",
            Field::ToolName => "tool-name",
            Field::GenerationContext => "generation-context",
            Field::DependencyCompleteness => "dependency-completeness",
            Field::NoVulnerabilities => "no-vulnerabilities",
            Field::Creator => "creator",
            Field::Supplier => "supplier",
            Field::Name => "name",
            Field::Version => "version",
            Field::Filename => "filename",
            Field::Dependencies => "dependencies",
            Field::ConcludedLicense => "concluded-license",
            Field::DeclaredLicense => "declared-license",
            Field::License => "license",
            Field::Sha512 => "sha512",
            Field::Hash => "hash",
            Field::Executable => "executable",
            Field::Archive => "archive",
            Field::Structured => "structured",
            Field::SourceUri => "source-uri",
            Field::DeployableUri => "deployable-uri",
            Field::Identifier => "identifier",
        }
    }

    pub fn from_id(s: &str) -> Option<Field> {
        ALL_FIELDS.iter().copied().find(|f| f.id() == s)
    }

    pub fn is_document(self) -> bool {
        matches!(
            self,
            Field::Format
                | Field::SbomCreator
                | Field::SbomAuthor
                | Field::Timestamp
                | Field::SbomUri
                | Field::ToolName
                | Field::GenerationContext
                | Field::DependencyCompleteness
                | Field::NoVulnerabilities
        )
    }
}

const ALL_FIELDS: &[Field] = &[
    Field::Format,
    Field::SbomCreator,
    Field::SbomAuthor,
    Field::Timestamp,
    Field::SbomUri,
    Field::ToolName,
    Field::GenerationContext,
    Field::DependencyCompleteness,
    Field::NoVulnerabilities,
    Field::Creator,
    Field::Supplier,
    Field::Name,
    Field::Version,
    Field::Filename,
    Field::Dependencies,
    Field::ConcludedLicense,
    Field::DeclaredLicense,
    Field::License,
    Field::Sha512,
    Field::Hash,
    Field::Executable,
    Field::Archive,
    Field::Structured,
    Field::SourceUri,
    Field::DeployableUri,
    Field::Identifier,
];

/// How strongly a profile asks for a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// SHALL: missing is a failure (exit 1).
    Required,
    /// SHALL where it exists (BSI's "additional data fields"): a checker cannot know
    /// whether it exists, so missing is a warning.
    IfExists,
}

/// One row of a profile's table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub field: Field,
    pub level: Level,
    /// What the profile calls it.
    pub title: &'static str,
    /// Whether a stated known unknown satisfies it (NTIA and CISA ask unknowns to be
    /// stated; BSI asks for the data).
    pub unknown_ok: bool,
}

const fn r(field: Field, level: Level, title: &'static str, unknown_ok: bool) -> Rule {
    Rule {
        field,
        level,
        title,
        unknown_ok,
    }
}

use Level::{IfExists, Required};

/// BSI TR-03183-2 v2.1.0, sections 5.2 (required) and 5.3 (additional, where they exist).
const BSI: &[Rule] = &[
    r(
        Field::Format,
        Required,
        "format: CycloneDX >= 1.6 or SPDX >= 3.0.1",
        false,
    ),
    r(
        Field::SbomCreator,
        Required,
        "creator of the SBOM (email or URL)",
        false,
    ),
    r(Field::Timestamp, Required, "timestamp", false),
    r(Field::SbomUri, Required, "SBOM-URI", false),
    r(
        Field::NoVulnerabilities,
        Required,
        "no vulnerability data in the SBOM",
        false,
    ),
    r(
        Field::DependencyCompleteness,
        Required,
        "completeness of the dependencies",
        false,
    ),
    r(
        Field::Creator,
        Required,
        "component creator (email or URL)",
        false,
    ),
    r(Field::Name, Required, "component name", false),
    r(Field::Version, Required, "component version", false),
    r(
        Field::Filename,
        Required,
        "filename of the component",
        false,
    ),
    r(
        Field::Dependencies,
        Required,
        "dependencies on other components",
        false,
    ),
    r(
        Field::ConcludedLicense,
        Required,
        "distribution licence (concluded)",
        false,
    ),
    r(
        Field::Sha512,
        Required,
        "SHA-512 of the deployable component",
        false,
    ),
    r(Field::Executable, Required, "executable property", false),
    r(Field::Archive, Required, "archive property", false),
    r(Field::Structured, Required, "structured property", false),
    r(Field::SourceUri, IfExists, "source code URI", false),
    r(
        Field::DeployableUri,
        IfExists,
        "URI of the deployable form",
        false,
    ),
    r(
        Field::Identifier,
        IfExists,
        "other unique identifiers (purl, CPE, SWID)",
        false,
    ),
    r(
        Field::DeclaredLicense,
        IfExists,
        "original licence (declared)",
        false,
    ),
];

/// CISA 2025 Minimum Elements (draft of 2025-08-22): known unknowns must be stated.
const CISA: &[Rule] = &[
    r(Field::SbomAuthor, Required, "SBOM author", false),
    r(Field::Timestamp, Required, "timestamp", false),
    r(Field::ToolName, Required, "tool name", false),
    r(
        Field::GenerationContext,
        Required,
        "generation context",
        false,
    ),
    r(Field::Supplier, Required, "software producer", true),
    r(Field::Name, Required, "component name", false),
    r(Field::Version, Required, "component version", true),
    r(
        Field::Identifier,
        Required,
        "software identifiers (purl, CPE, OmniBOR, SWHID)",
        true,
    ),
    r(Field::Hash, Required, "component hash", true),
    r(Field::License, Required, "license", true),
    r(
        Field::Dependencies,
        Required,
        "dependency relationship",
        false,
    ),
];

/// NTIA Minimum Elements (2021).
const NTIA: &[Rule] = &[
    r(Field::SbomAuthor, Required, "author of SBOM data", false),
    r(Field::Timestamp, Required, "timestamp", false),
    r(Field::Supplier, Required, "supplier name", true),
    r(Field::Name, Required, "component name", false),
    r(Field::Version, Required, "version of the component", true),
    r(
        Field::Identifier,
        Required,
        "other unique identifiers",
        true,
    ),
    r(
        Field::Dependencies,
        Required,
        "dependency relationship",
        false,
    ),
];

/// The table of a profile.
pub fn rules(p: Profile) -> &'static [Rule] {
    match p {
        Profile::Bsi => BSI,
        Profile::Cisa2025 => CISA,
        Profile::Ntia => NTIA,
    }
}

/// One field a document or a component lacks.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Gap {
    pub field: Field,
    pub title: &'static str,
    pub level: Level,
    /// The reason the document gives for not knowing it (a known unknown), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    /// Whether this gap fails the check (a required field, not satisfied by a stated
    /// unknown the profile accepts).
    pub fails: bool,
}

/// The gaps of one component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentGaps {
    pub name: String,
    pub id: String,
    pub gaps: Vec<Gap>,
}

/// A document checked against a profile.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub profile: Profile,
    pub profile_title: &'static str,
    pub format: String,
    pub document: Vec<Gap>,
    pub components: Vec<ComponentGaps>,
    /// Components with every required field present.
    pub complete_components: usize,
    pub total_components: usize,
}

impl Report {
    pub fn fails(&self) -> bool {
        self.document.iter().any(|g| g.fails)
            || self
                .components
                .iter()
                .any(|c| c.gaps.iter().any(|g| g.fails))
    }

    /// How many components lack each field, in table order.
    pub fn tally(&self) -> BTreeMap<Field, usize> {
        let mut t = BTreeMap::new();
        for c in &self.components {
            for g in &c.gaps {
                *t.entry(g.field).or_default() += 1;
            }
        }
        t
    }
}

fn gap(rule: &Rule, unknown: Option<&String>) -> Gap {
    let accepted = unknown.is_some() && rule.unknown_ok;
    Gap {
        field: rule.field,
        title: rule.title,
        level: rule.level,
        unknown: unknown.cloned(),
        fails: rule.level == Level::Required && !accepted,
    }
}

/// Check the facts of a document against a profile: every missing field, per component.
pub fn check(p: Profile, facts: &Facts) -> Report {
    let table = rules(p);
    let mut document = Vec::new();
    for rule in table.iter().filter(|r| r.field.is_document()) {
        if !facts.document.present.contains(&rule.field) {
            document.push(gap(rule, facts.document.unknown.get(&rule.field)));
        }
    }
    let mut components = Vec::new();
    let mut complete = 0;
    for c in &facts.components {
        let gaps: Vec<Gap> = table
            .iter()
            .filter(|r| !r.field.is_document() && !c.present.contains(&r.field))
            .map(|r| gap(r, c.unknown.get(&r.field)))
            .collect();
        if !gaps.iter().any(|g| g.level == Level::Required) {
            complete += 1;
        }
        if !gaps.is_empty() {
            components.push(ComponentGaps {
                name: c.name.clone(),
                id: c.id.clone(),
                gaps,
            });
        }
    }
    Report {
        profile: p,
        profile_title: p.title(),
        format: facts.format.clone(),
        document,
        components,
        complete_components: complete,
        total_components: facts.components.len(),
    }
}
