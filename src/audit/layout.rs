//! The `--db DIR` data folder: OSV archives or records under `DIR/osv/`, and beside them
//! the KEV catalog and the EPSS scores, picked up by their usual names unless `--kev` /
//! `--epss` name other files (docs/security-data.md). A `--db` without `osv/` in it is an
//! OSV database as before. Also the staleness rule: a dataset older than
//! `[advisories] max-data-age-days` is a warning.

use std::path::{Path, PathBuf};

use super::exploit::DatasetInfo;
use crate::model::Diagnostic;
use crate::policy::Date;

/// Names the KEV catalog goes by: ours, and CISA's download name.
const KEV_NAMES: [&str; 2] = ["kev.json", "known_exploited_vulnerabilities.json"];
/// Names the EPSS scores go by: ours, and FIRST's download names.
const EPSS_NAMES: [&str; 4] = [
    "epss.csv.gz",
    "epss.csv",
    "epss_scores-current.csv.gz",
    "epss_scores-current.csv",
];

/// Where each dataset of one audit run is.
#[derive(Debug, Clone, PartialEq)]
pub struct DataDir {
    pub osv: PathBuf,
    pub kev: Option<PathBuf>,
    pub epss: Option<PathBuf>,
}

impl DataDir {
    pub fn resolve(db: &Path, kev: Option<&Path>, epss: Option<&Path>) -> DataDir {
        let osv = db.join("osv");
        let layout = db.is_dir() && osv.is_dir();
        let find = |names: &[&str]| -> Option<PathBuf> {
            if !layout {
                return None;
            }
            names.iter().map(|n| db.join(n)).find(|p| p.is_file())
        };
        DataDir {
            kev: kev.map(Path::to_path_buf).or_else(|| find(&KEV_NAMES)),
            epss: epss.map(Path::to_path_buf).or_else(|| find(&EPSS_NAMES)),
            osv: if layout { osv } else { db.to_path_buf() },
        }
    }
}

/// A warning for each dataset older than `max_days` (or without a date, when a limit is set).
pub fn staleness(datasets: &[DatasetInfo], max_days: Option<i64>, today: Date) -> Vec<Diagnostic> {
    let Some(max) = max_days else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in datasets {
        match d.day() {
            Some(day) => {
                let age = today.days() - day.days();
                if age > max {
                    out.push(Diagnostic::warning(
                        Some(d.path.clone()),
                        format!(
                            "dataset of {day} is {age} days old (advisories.max-data-age-days = {max}): download a current one (docs/security-data.md)"
                        ),
                    ));
                }
            }
            None => out.push(Diagnostic::warning(
                Some(d.path.clone()),
                format!("dataset has no date, so its age is unknown (advisories.max-data-age-days = {max})"),
            )),
        }
    }
    out
}
