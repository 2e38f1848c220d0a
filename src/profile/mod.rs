//! SBOM compliance profiles (BSI TR-03183-2 v2.1, CISA 2025 minimum elements, NTIA 2021):
//! one table of rules per profile that both the writer (`ospo sbom --profile`) and the
//! checker (`ospo check --sbom-profile`) use, so the two cannot disagree.

use std::collections::BTreeMap;

use crate::model::Hash;

/// What a profile adds to an SBOM ospo writes: the fields it could fill and, for each it
/// could not, a known unknown with the reason.
#[derive(Debug, Default)]
pub struct Filled {
    /// The SBOM's creator (BSI: with an email or URL), from `--author`.
    pub author: Option<String>,
    /// The supplier of the product, from `--supplier`.
    pub supplier: Option<String>,
    /// How complete the dependency graph is (a CycloneDX composition aggregate).
    pub completeness: &'static str,
    /// Document-level properties (profile name, known unknowns of the document).
    pub document: Vec<(String, String)>,
    /// Per bom-ref.
    pub components: BTreeMap<String, FilledComponent>,
}

/// A profile's fields of one component.
#[derive(Debug, Default)]
pub struct FilledComponent {
    pub properties: Vec<(String, String)>,
    pub hashes: Vec<Hash>,
    /// (CycloneDX external reference type, URL)
    pub references: Vec<(&'static str, String)>,
}
