//! Stage 3b: license evidence of components whose files are outside the tree, in a
//! package cache (a crate's sources in the cargo registry, a Go module in the module
//! cache), which an ecosystem named in [`Found::external_dirs`](crate::ecosystem::Found).
//!
//! Only the license files at the top of each folder are read (bounded like the walk's),
//! detected like the walk's license files, and their texts recorded for the emitters.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::files::LICENSE_READ_LIMIT;
use crate::detect::{self, Cache};
use crate::model::{Evidence, FileClass, MAX_RECORDED_TEXT};

/// What the package caches showed.
#[derive(Debug, Default)]
pub struct External {
    /// bom-ref -> evidence from its folder's license files (absolute paths).
    pub evidence: HashMap<String, Vec<Evidence>>,
    /// SHA-256 -> text of those files, for [`Scan::texts`](crate::model::Scan::texts).
    pub texts: BTreeMap<String, String>,
}

/// Read and detect the top-level license files of each (bom-ref, folder).
pub fn licenses(dirs: &[(String, PathBuf)]) -> External {
    let cache = Cache::default();
    let mut out = External::default();
    for (bom_ref, dir) in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        names.sort();
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !path.is_file() || !crate::walk::is_license_name(&name) {
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.len() > LICENSE_READ_LIMIT {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Some(text) = crate::text::decode(&bytes) else {
                continue;
            };
            // A bug in the detector must cost one file, not the scan.
            let Ok(found) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                detect::detect(Some(FileClass::License), &text.text, &cache, None)
            })) else {
                continue;
            };
            let sha256 = (bytes.len() as u64 <= MAX_RECORDED_TEXT).then(|| {
                let h = hex::encode(Sha256::digest(&bytes));
                out.texts.insert(h.clone(), text.text.clone().into_owned());
                h
            });
            let shown = path.to_string_lossy().into_owned();
            out.evidence
                .entry(bom_ref.clone())
                .or_default()
                .extend(found.licenses.iter().map(|m| Evidence {
                    expression: m.expression.clone(),
                    kind: m.kind,
                    path: shown.clone(),
                    start_line: m.start_line,
                    end_line: m.end_line,
                    score: m.score,
                    sha256: sha256.clone(),
                }));
        }
    }
    out
}
