//! Reading a Scan back in: a saved `ospo scan --format json`, or an SBOM another tool
//! wrote (CycloneDX 1.4-1.6 JSON / XML, SPDX 2.2 / 2.3 JSON / tag-value), so every emitter
//! and `check` can run without re-scanning. What cannot be carried over into the model
//! becomes a Diagnostic on the returned Scan, never a silent loss.

use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::model::Scan;

/// What a file given to `--from` turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    OspoScan,
    CycloneDxJson,
    CycloneDxXml,
    SpdxJson,
    SpdxTagValue,
}

/// Tell the kind of document from its first bytes and keys, not its file name.
pub fn sniff(bytes: &[u8]) -> Option<InputKind> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        if t.contains("\"bomFormat\"") {
            return Some(InputKind::CycloneDxJson);
        }
        if t.contains("\"spdxVersion\"") {
            return Some(InputKind::SpdxJson);
        }
        if t.contains("\"format_version\"") {
            return Some(InputKind::OspoScan);
        }
        return None;
    }
    if t.starts_with('<') && t.contains("cyclonedx.org/schema/bom") {
        return Some(InputKind::CycloneDxXml);
    }
    if t.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with("SPDXVersion:"))
    {
        return Some(InputKind::SpdxTagValue);
    }
    None
}

/// Read `path` into a Scan, whatever ospo can read it as.
pub fn read(path: &Path) -> Result<Scan> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let Some(kind) = sniff(&bytes) else {
        bail!(
            "{}: not a saved `ospo scan --format json`, a CycloneDX (JSON or XML) or an SPDX \
             (JSON or tag-value) document",
            path.display()
        );
    };
    let mut scan = match kind {
        InputKind::OspoScan => serde_json::from_slice::<Scan>(&bytes)
            .with_context(|| format!("{}: not a valid ospo scan", path.display()))?,
        _ => bail!(
            "{}: reading {kind:?} documents is not available yet",
            path.display()
        ),
    };
    scan.normalize();
    Ok(scan)
}
