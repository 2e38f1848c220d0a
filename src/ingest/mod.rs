//! Reading a Scan back in: a saved `ospo scan --format json`, or an SBOM another tool
//! wrote (CycloneDX 1.4-1.7 JSON / XML, SPDX 2.2 / 2.3 JSON / tag-value, SPDX 3.0.1 JSON-LD), so every emitter
//! and `check` can run without re-scanning. What cannot be carried over into the model
//! becomes a Diagnostic on the returned Scan, never a silent loss.
//!
//! Each format has its own module that parses the document into serde types of its own and
//! maps them into the model; the pieces every format shares (license normalization,
//! generated bom-refs, the tally of what was lost, error positions) live here.

pub mod cyclonedx;
pub mod spdx;
pub mod spdx3;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::expression;
use crate::model::{Diagnostic, Ecosystem, Scan, Severity, NOASSERTION, NONE};

/// What a file given to `--from` turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    OspoScan,
    CycloneDxJson,
    CycloneDxXml,
    SpdxJson,
    SpdxTagValue,
    /// SPDX 3 JSON-LD (`@context` of spdx.org/rdf/3.x).
    Spdx3Json,
}

/// Tell the kind of document from its first bytes and keys, not its file name.
pub fn sniff(bytes: &[u8]) -> Option<InputKind> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        // The earliest marker wins: a scan may quote an SBOM key somewhere in its findings,
        // but its own `format_version` comes first. Keys may come in any order (trivy sorts
        // them, so `spdxVersion` can sit after megabytes of packages): search it all.
        if spdx3::is_spdx3(t) {
            return Some(InputKind::Spdx3Json);
        }
        let markers: [(&[u8], InputKind); 3] = [
            (b"\"bomFormat\"", InputKind::CycloneDxJson),
            (b"\"spdxVersion\"", InputKind::SpdxJson),
            (b"\"format_version\"", InputKind::OspoScan),
        ];
        return markers
            .iter()
            .filter_map(|(m, k)| memchr::memmem::find(bytes, m).map(|pos| (pos, *k)))
            .min_by_key(|(pos, _)| *pos)
            .map(|(_, k)| k);
    }
    if t.starts_with('<') {
        return t
            .contains("cyclonedx.org/schema/bom")
            .then_some(InputKind::CycloneDxXml);
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

/// The largest document `--from` (and each side of `diff`) reads: SBOMs of container
/// images run to tens of MiB; beyond this a file is refused, not read into memory.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Read `path` into a Scan, whatever ospo can read it as.
pub fn read(path: &Path) -> Result<Scan> {
    let bytes = crate::text::read_capped(path, MAX_INPUT_BYTES)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let Some(kind) = sniff(&bytes) else {
        bail!(
            "{}: not a saved `ospo scan --format json`, a CycloneDX (JSON or XML) or an SPDX \
             (JSON or tag-value) document",
            path.display()
        );
    };
    let shown = path.display().to_string();
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| anyhow!("{shown}: not UTF-8 text ({e}); save the document as UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut scan = match kind {
        InputKind::OspoScan => serde_json::from_str::<Scan>(text)
            .map_err(|e| json_error(&shown, "saved ospo scan", e))?,
        InputKind::CycloneDxJson => cyclonedx::read_json(text, &shown)?,
        InputKind::CycloneDxXml => cyclonedx::read_xml(text, &shown)?,
        InputKind::SpdxJson => spdx::read_json(text, &shown)?,
        InputKind::SpdxTagValue => spdx::read_tag_value(text, &shown)?,
        InputKind::Spdx3Json => spdx3::read_json(text, &shown)?,
    };
    scan.normalize();
    Ok(scan)
}

/// A serde_json error as `FILE: line L, column C: not a valid KIND: reason`.
pub(crate) fn json_error(path: &str, what: &str, e: serde_json::Error) -> anyhow::Error {
    if e.line() > 0 {
        anyhow!(
            "{path}: line {}, column {}: not a valid {what}: {e}",
            e.line(),
            e.column()
        )
    } else {
        anyhow!("{path}: not a valid {what}: {e}")
    }
}

/// 1-based line and column of a byte offset, for parsers that only report offsets.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

/// The tally of what a document holds that the model cannot: one diagnostic per kind of
/// loss, with a count, rather than one line per lost item.
#[derive(Debug, Default)]
pub(crate) struct Losses {
    kinds: BTreeMap<String, (Severity, usize)>,
    /// Whole-document remarks (an unsupported version...), said as they are.
    remarks: Vec<(Severity, String)>,
}

impl Losses {
    /// Count `n` items of a kind that were not carried over (`what` is a plural phrase).
    pub(crate) fn add(&mut self, severity: Severity, what: impl Into<String>, n: usize) {
        if n == 0 {
            return;
        }
        let e = self.kinds.entry(what.into()).or_insert((severity, 0));
        e.0 = e.0.min(severity);
        e.1 += n;
    }

    pub(crate) fn warn(&mut self, what: impl Into<String>, n: usize) {
        self.add(Severity::Warning, what, n);
    }

    pub(crate) fn info(&mut self, what: impl Into<String>, n: usize) {
        self.add(Severity::Info, what, n);
    }

    /// A remark about the whole document, once.
    pub(crate) fn note(&mut self, severity: Severity, message: impl Into<String>) {
        let m = message.into();
        if !self.remarks.iter().any(|(_, r)| r == &m) {
            self.remarks.push((severity, m));
        }
    }

    pub(crate) fn into_diagnostics(self, path: &str) -> Vec<Diagnostic> {
        let remarks = self
            .remarks
            .into_iter()
            .map(|(severity, message)| Diagnostic {
                severity,
                path: Some(path.to_string()),
                message,
            });
        self.kinds
            .into_iter()
            .map(|(what, (severity, n))| Diagnostic {
                severity,
                path: Some(path.to_string()),
                message: format!("not carried over: {n} {what}"),
            })
            .chain(remarks)
            .collect()
    }
}

/// A license string from a document, read as ospo reads manifests.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ReadLicense {
    /// A valid SPDX expression; non-SPDX names are `LicenseRef-`s.
    pub expression: String,
    /// The text as the document wrote it, when normalizing changed it.
    pub raw: Option<String>,
    /// What normalizing reinterpreted, for Component.notes.
    pub notes: Vec<String>,
}

/// Normalize one license string; None for empty, NOASSERTION and NONE (nothing known).
pub(crate) fn read_license(raw: &str) -> Option<ReadLicense> {
    let t = raw.trim();
    if t.is_empty() || t.eq_ignore_ascii_case(NOASSERTION) || t.eq_ignore_ascii_case(NONE) {
        return None;
    }
    let n = expression::normalize(t);
    if n.expression == NOASSERTION {
        return None;
    }
    // Only a real reinterpretation keeps the raw text, not dropped outer parentheses.
    let reread = !n.fixups.is_empty() || !n.license_refs.is_empty();
    Some(ReadLicense {
        raw: reread.then(|| t.to_string()),
        expression: n.expression,
        notes: n.fixups,
    })
}

/// Several expressions that all apply, as one: `a AND (b OR c)`, duplicates dropped.
pub(crate) fn and_all(exprs: &[String]) -> Option<String> {
    let mut distinct: Vec<&String> = Vec::new();
    for e in exprs {
        if !distinct.contains(&e) {
            distinct.push(e);
        }
    }
    match distinct.len() {
        0 => None,
        1 => Some(distinct[0].clone()),
        _ => Some(
            distinct
                .iter()
                .map(|e| {
                    if e.contains(" OR ") || e.contains(" AND ") {
                        format!("({e})")
                    } else {
                        e.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// The package ecosystem a purl names (its type), or unknown.
pub(crate) fn ecosystem_of(purl: Option<&str>) -> Ecosystem {
    purl.and_then(|p| p.parse::<packageurl::PackageUrl>().ok())
        .map(|p| Ecosystem::from_name(p.ty()))
        .unwrap_or(Ecosystem::Unknown)
}

/// Hands out bom-refs, unique within one document, in document order (so the same document
/// gets the same refs every time).
#[derive(Debug, Default)]
pub(crate) struct RefMaker {
    used: HashSet<String>,
}

impl RefMaker {
    /// `preferred` if still free, else `preferred#2`, `#3`...
    pub(crate) fn unique(&mut self, preferred: &str) -> String {
        let mut r = preferred.to_string();
        let mut n = 1;
        while self.used.contains(&r) {
            n += 1;
            r = format!("{preferred}#{n}");
        }
        self.used.insert(r.clone());
        r
    }

    pub(crate) fn is_used(&self, r: &str) -> bool {
        self.used.contains(r)
    }
}

/// The bom-ref a document that names none gets: the purl, else `name@version`.
pub(crate) fn fallback_ref(purl: Option<&str>, name: &str, version: Option<&str>) -> String {
    match (purl, version) {
        (Some(p), _) if !p.trim().is_empty() => p.trim().to_string(),
        (_, Some(v)) if !v.is_empty() => format!("{name}@{v}"),
        _ => name.to_string(),
    }
}

/// The model's name for a hash algorithm written as `SHA256`, `sha-256` or `SHA-256`.
pub(crate) fn hash_alg(alg: &str) -> String {
    let up = alg.trim().to_ascii_uppercase();
    match up.as_str() {
        "SHA1" | "SHA-1" => "SHA-1".into(),
        "SHA224" | "SHA-224" => "SHA-224".into(),
        "SHA256" | "SHA-256" => "SHA-256".into(),
        "SHA384" | "SHA-384" => "SHA-384".into(),
        "SHA512" | "SHA-512" => "SHA-512".into(),
        _ => up,
    }
}

// Lenient serde helpers shared by the readers: other tools' documents leave lists out, write
// null, or write numbers and booleans where the spec says string.

/// A list that may be absent or null.
pub(super) fn lenient_vec<'de, D, T>(d: D) -> std::result::Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// A string some tools write as a number or boolean; an empty string counts as absent.
pub(super) fn lenient_string<'de, D>(d: D) -> std::result::Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(lenient_string_keep_empty(d)?.filter(|s| !s.trim().is_empty()))
}

/// As [`lenient_string`], but an empty string is a value (ospo writes `ospo:path` = ""
/// for the scanned root).
pub(super) fn lenient_string_keep_empty<'de, D>(
    d: D,
) -> std::result::Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::Deserialize;
    use serde_json::Value;
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_kinds_apart() {
        assert_eq!(
            sniff(b"{\"bomFormat\":\"CycloneDX\"}"),
            Some(InputKind::CycloneDxJson)
        );
        assert_eq!(
            sniff(b"\xef\xbb\xbf {\"spdxVersion\":\"SPDX-2.3\"}"),
            Some(InputKind::SpdxJson)
        );
        // A scan whose findings quote an SBOM key is still a scan.
        assert_eq!(
            sniff(b"{\"format_version\":1,\"files\":[{\"x\":\"\\\"bomFormat\\\"\"}]}"),
            Some(InputKind::OspoScan)
        );
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>"),
            Some(InputKind::CycloneDxXml)
        );
        assert_eq!(
            sniff(b"## comment\n\nSPDXVersion: SPDX-2.3\n"),
            Some(InputKind::SpdxTagValue)
        );
        assert_eq!(sniff(b"<html></html>"), None);
        assert_eq!(sniff(b"{\"name\":1}"), None);
        assert_eq!(sniff(b"hello"), None);
    }

    #[test]
    fn licenses_are_normalized_and_joined() {
        assert_eq!(read_license("NOASSERTION"), None);
        assert_eq!(read_license(" NONE "), None);
        let l = read_license("Apache 2.0").unwrap();
        assert_eq!(l.expression, "Apache-2.0");
        assert_eq!(l.raw.as_deref(), Some("Apache 2.0"));
        assert!(!l.notes.is_empty());
        let l = read_license("MIT").unwrap();
        assert_eq!((l.expression.as_str(), l.raw), ("MIT", None));
        let l = read_license("Some random license").unwrap();
        assert!(l.expression.starts_with("LicenseRef-"), "{l:?}");
        assert_eq!(l.raw.as_deref(), Some("Some random license"));

        assert_eq!(and_all(&[]), None);
        assert_eq!(and_all(&["MIT".into()]).as_deref(), Some("MIT"));
        assert_eq!(
            and_all(&["MIT OR Apache-2.0".into()]).as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            and_all(&["MIT".into(), "Apache-2.0 OR Zlib".into(), "MIT".into()]).as_deref(),
            Some("MIT AND (Apache-2.0 OR Zlib)")
        );
    }

    #[test]
    fn refs_are_unique_and_stable() {
        let mut m = RefMaker::default();
        assert_eq!(m.unique("a"), "a");
        assert_eq!(m.unique("a"), "a#2");
        assert_eq!(m.unique("a"), "a#3");
        assert!(m.is_used("a#2"));
        assert_eq!(
            fallback_ref(Some("pkg:npm/x@1"), "x", Some("1")),
            "pkg:npm/x@1"
        );
        assert_eq!(fallback_ref(None, "x", Some("1")), "x@1");
        assert_eq!(fallback_ref(None, "x", None), "x");
    }

    #[test]
    fn small_helpers() {
        assert_eq!(ecosystem_of(Some("pkg:cargo/serde@1.0.0")), "cargo");
        assert_eq!(ecosystem_of(Some("not a purl")), "unknown");
        assert_eq!(ecosystem_of(None), "unknown");
        assert_eq!(hash_alg("SHA256"), "SHA-256");
        assert_eq!(hash_alg("sha-1"), "SHA-1");
        assert_eq!(hash_alg("MD5"), "MD5");
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
        let mut l = Losses::default();
        l.info("services", 2);
        l.warn("services", 1);
        l.info("nothing", 0);
        let d = l.into_diagnostics("x.json");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, Severity::Warning);
        assert_eq!(d[0].message, "not carried over: 3 services");
    }
}
