//! Install scripts as findings: an installed npm package that declares `preinstall`,
//! `install` or `postinstall` runs code on `npm install` (npm/rfcs#868 makes them opt-in).
//! The npm ecosystem records the hooks on the component; here each such component becomes
//! one finding of kind `install_script`, judged by `[advisories] install-scripts`.

use super::{Finding, Kind, Severity};
use crate::model::Scan;

/// The id of an install-script finding (one per component).
pub const ID: &str = "OSPO-INSTALL-SCRIPT";

/// One finding per component with install hooks, sorted as the audit's findings are.
pub fn findings(scan: &Scan) -> Vec<Finding> {
    let mut out: Vec<Finding> = scan
        .components
        .iter()
        .filter(|c| !c.install_scripts.is_empty())
        .map(|c| Finding {
            bom_ref: c.bom_ref.clone(),
            name: c.name.clone(),
            version: c.version.clone().unwrap_or_default(),
            ecosystem: "npm".to_string(),
            purl: c.purl.clone(),
            ids: vec![ID.to_string()],
            severity: Severity::Unknown,
            cvss_score: None,
            cvss_vector: None,
            summary: format!("runs install scripts: {}", c.install_scripts.join("; ")),
            fixed_in: None,
            cwes: Vec::new(),
            ratings: Vec::new(),
            advisories: Vec::new(),
            published: None,
            modified: None,
            kind: Kind::InstallScript,
            fix_hint: None,
            vex: None,
            kev: None,
            epss: None,
        })
        .collect();
    out.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    out
}
