//! Emitters: each takes the finished model and writes bytes; none re-scans, and none
//! opens a file the model names: the texts they print or quote are the ones the scan
//! recorded ([`Scan::texts_by_path`](crate::model::Scan::texts_by_path)).

pub mod audit;
pub mod check_markdown;
pub mod cyclonedx;
pub mod diff;
pub mod list;
pub mod metrics;
pub mod notice;
mod output;
pub mod profile;
pub mod report;
pub mod sarif;
pub mod spdx;
pub mod spdx3;
pub mod summary;
pub mod verdicts;
pub mod vex;

use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};

pub use output::{write_output, Output};

/// The widest a padded column of a human-readable table gets: a name or id from input can
/// be any length (and a width over 65,535 is a panic in `format!`); a longer cell overflows
/// its column instead of widening all of them.
pub(crate) const MAX_COLUMN: usize = 100;

/// An http(s) URL with a host and no spaces: what SPDX `homepage` and a CycloneDX
/// website reference accept. Anything else a manifest calls its homepage is left out.
pub(crate) fn is_web_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !s.chars().any(char::is_whitespace)
    })
}

/// When a document was made and how it is told apart from others: the creation time
/// (SOURCE_DATE_EPOCH when set, so rebuilds are byte-identical) and a UUID derived from
/// that time and the document's content (unique per content, yet deterministic).
#[derive(Debug, Clone)]
pub struct Stamp {
    /// RFC 3339, UTC, whole seconds: "2026-12-01T13:00:00Z".
    pub created: String,
}

impl Stamp {
    /// SOURCE_DATE_EPOCH if set, else the current time.
    pub fn from_env() -> Result<Self> {
        match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => {
                let secs: i64 = v.trim().parse().map_err(|_| {
                    anyhow::anyhow!(
                        "SOURCE_DATE_EPOCH={v:?} is not a number of seconds since 1970-01-01 \
                         (try SOURCE_DATE_EPOCH=$(git log -1 --format=%ct))"
                    )
                })?;
                Self::at(secs)
            }
            _ => {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                Self::at(now)
            }
        }
    }

    pub fn at(epoch_secs: i64) -> Result<Self> {
        let t = time::OffsetDateTime::from_unix_timestamp(epoch_secs)
            .map_err(|e| anyhow::anyhow!("SOURCE_DATE_EPOCH={epoch_secs} is out of range: {e}"))?;
        // RFC 3339 (and so CycloneDX and SPDX) has four-digit years, 0001 to 9999.
        if !(1..=9999).contains(&t.year()) {
            anyhow::bail!(
                "SOURCE_DATE_EPOCH={epoch_secs} is out of range: year {} is not between \
                 0001 and 9999",
                t.year()
            );
        }
        let created = t.format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))?;
        Ok(Stamp { created })
    }

    /// A UUID for a document of this kind made now from this Scan.
    pub fn uuid(&self, kind: &str, scan: &crate::model::Scan) -> uuid::Uuid {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Not the root's path: the same components under the same name are the same
        // document, whether scanned here or read back from an SBOM (--from).
        for part in [kind, &self.created, scan.project.as_deref().unwrap_or("")] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for c in &scan.components {
            for part in [&c.bom_ref, &c.concluded] {
                h.update(part.as_bytes());
                h.update([0]);
            }
        }
        for e in scan.dependencies.iter().filter(|e| !e.to.is_empty()) {
            h.update(e.from.as_bytes());
            for t in &e.to {
                h.update(t.as_bytes());
            }
            h.update([1]);
        }
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, &h.finalize())
    }
}

/// The name the scanned tree goes by when no project manifest names it: its folder.
pub(crate) fn root_name(scan: &crate::model::Scan) -> String {
    let trimmed = scan.root.trim_end_matches(['/', '\\']);
    let base = std::path::Path::new(trimmed)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if base.is_empty() || base == "." {
        std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "project".into())
    } else {
        base
    }
}

/// Copyright lines of every component's own files, deduplicated, in order.
pub(crate) fn copyrights_by_component(scan: &crate::model::Scan) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in scan.components.iter().filter(|c| !c.copyrights.is_empty()) {
        out.entry(c.bom_ref.as_str())
            .or_default()
            .extend(c.copyrights.iter().map(String::as_str));
    }
    for f in &scan.files {
        if let Some(c) = &f.component {
            if !f.copyrights.is_empty() {
                out.entry(c.as_str())
                    .or_default()
                    .extend(f.copyrights.iter().map(String::as_str));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_only() {
        assert!(is_web_url("https://github.com/a/b"));
        assert!(is_web_url("http://example.com"));
        assert!(!is_web_url("git+https://github.com/a/b.git"));
        assert!(!is_web_url("github.com/a/b"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https://exa mple.com"));
    }

    #[test]
    fn stamp_from_epoch() {
        assert_eq!(Stamp::at(0).unwrap().created, "1970-01-01T00:00:00Z");
        assert_eq!(
            Stamp::at(1_700_000_000).unwrap().created,
            "2023-11-14T22:13:20Z"
        );
        assert!(
            Stamp::at(-62_135_596_801).is_err(),
            "the last second of year 0"
        );
        assert_eq!(
            Stamp::at(-62_135_596_800).unwrap().created,
            "0001-01-01T00:00:00Z"
        );
    }
}
