//! Offline vulnerability audit: a Scan's components against OSV records read from disk.
//!
//! [`Database::load`] reads a folder of OSV JSON records (recursively) or OSV's
//! per-ecosystem `all.zip` archives (read in memory, never extracted), skips withdrawn
//! records, and indexes every affected package once by (ecosystem, normalized name).
//! [`audit`] looks each component up by its purl (else its ecosystem and name), decides
//! "affected" by OSV's range rules in the ecosystem's own version order ([`version`]), and
//! merges records that name each other (GHSA / RUSTSEC / PYSEC / CVE aliases) into one
//! [`Finding`]. Severity comes from CVSS v3 vectors ([`cvss`]) where present, else from the
//! record's own fields. Nothing here touches the network or prints; the policy judges
//! findings in `policy::advisories`, the emitters render them.

pub mod cvss;
pub mod osv;
pub mod version;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::Serialize;

pub use cvss::Severity;

use crate::model::{Component, Diagnostic, Scan};
use version::Key;

/// The ecosystems OSV matching covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    CratesIo,
    Npm,
    PyPI,
    Go,
    Maven,
}

impl Ecosystem {
    /// OSV's name for it.
    pub fn osv_name(self) -> &'static str {
        match self {
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
        }
    }

    /// An OSV `package.ecosystem` ("PyPI", "Maven", "Debian:12" -> not ours).
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        let base = s.split(':').next().unwrap_or(s).trim();
        Some(match base {
            "crates.io" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "PyPI" => Ecosystem::PyPI,
            "Go" => Ecosystem::Go,
            "Maven" => Ecosystem::Maven,
            _ => return None,
        })
    }

    /// A purl type, or our model's `Component.ecosystem` (the same words, plus "go").
    pub fn from_model(s: &str) -> Option<Ecosystem> {
        Some(match s {
            "cargo" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "pypi" => Ecosystem::PyPI,
            "golang" | "go" => Ecosystem::Go,
            "maven" => Ecosystem::Maven,
            _ => return None,
        })
    }

    /// A package name as the ecosystem compares names: PEP 503 for PyPI, case-folded npm
    /// and crates.io names (crates.io also treats `-` and `_` as one), Go module paths and
    /// Maven `group:artifact` as written (both are case-sensitive).
    pub fn normalize_name(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::PyPI => crate::ecosystem::python::normalize_name(name),
            Ecosystem::Npm => name.to_ascii_lowercase(),
            Ecosystem::CratesIo => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Go | Ecosystem::Maven => name.to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The database

/// One rating of an advisory, as its record gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    /// The id of the record that gave it.
    pub source: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    /// CycloneDX's rating method: CVSSv31, CVSSv3, CVSSv4, CVSSv2 or other.
    pub method: &'static str,
}

/// What the audit keeps of a record: no `details` (they can be kilobytes each), boxed
/// strings and slices, so that 200,000 records stay well inside the memory budget.
#[derive(Debug, Clone)]
struct Advisory {
    id: Box<str>,
    aliases: Box<[Box<str>]>,
    summary: Box<str>,
    /// The record had no `summary`: `summary` is the start of its `details`.
    summary_from_details: bool,
    ratings: Box<[StoredRating]>,
    cwes: Box<[u32]>,
    /// URLs of references of type ADVISORY.
    advisories: Box<[Box<str>]>,
    published: Option<Box<str>>,
    modified: Option<Box<str>>,
}

/// A [`Rating`] without its source (always the record's own id).
#[derive(Debug, Clone)]
struct StoredRating {
    severity: Severity,
    score: Option<f32>,
    vector: Option<Box<str>>,
    method: &'static str,
}

impl StoredRating {
    fn rating(&self, source: &str) -> Rating {
        Rating {
            source: source.to_string(),
            severity: self.severity,
            score: self.score,
            vector: self.vector.as_deref().map(str::to_string),
            method: self.method,
        }
    }
}

impl Advisory {
    /// The rating that speaks for the record: the worst scored one, else the worst word.
    fn best_rating(&self) -> Option<&StoredRating> {
        self.ratings
            .iter()
            .max_by(|a, b| (a.severity, a.score.is_some()).cmp(&(b.severity, b.score.is_some())))
    }
}

/// One event of a SEMVER / ECOSYSTEM range: 0 introduced, 1 fixed, 2 last_affected, 3 limit.
#[derive(Debug, Clone)]
struct Ev {
    kind: u8,
    version: Box<str>,
}

/// One affected package of one record.
#[derive(Debug, Clone)]
struct Entry {
    advisory: u32,
    ranges: Box<[Box<[Ev]>]>,
    versions: Box<[Box<str>]>,
}

fn boxed(v: Vec<String>) -> Box<[Box<str>]> {
    v.into_iter().map(String::into_boxed_str).collect()
}

/// A range's events in their compact form; an event with no field set is dropped.
fn events(r: osv::Range) -> Box<[Ev]> {
    r.events
        .into_iter()
        .filter_map(|e| {
            let (kind, v) = if let Some(v) = e.introduced {
                (0, v)
            } else if let Some(v) = e.fixed {
                (1, v)
            } else if let Some(v) = e.last_affected {
                (2, v)
            } else {
                (3, e.limit?)
            };
            Some(Ev {
                kind,
                version: v.into_boxed_str(),
            })
        })
        .collect()
}

/// OSV records indexed by (ecosystem, normalized package name).
#[derive(Debug, Default)]
pub struct Database {
    /// The path given to `--db`, for messages and the JSON output.
    pub source: String,
    advisories: Vec<Advisory>,
    index: HashMap<(Ecosystem, String), Vec<Entry>>,
    pub stats: DbStats,
    /// Files that could not be read as OSV records (each skipped).
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DbStats {
    /// Records loaded (withdrawn ones not counted).
    pub records: usize,
    /// Withdrawn records skipped.
    pub withdrawn: usize,
    /// Affected packages in ecosystems the audit does not cover (left out of the index).
    pub other_ecosystems: usize,
}

/// How many archive entries are decompressed before they are parsed (in parallel).
const ZIP_BATCH: usize = 4096;

/// The largest record file (or archive entry, uncompressed) read: real records are a few
/// kilobytes, and a zip bomb must not take the machine's memory.
const MAX_RECORD_BYTES: u64 = 32 << 20;

impl Database {
    /// Read `path`: a folder of OSV JSON files (searched recursively, `.zip` archives in it
    /// included), one OSV `all.zip`, or one JSON record. A missing path, or one holding no
    /// record at all, is an error: an empty database would pass everything.
    pub fn load(path: &Path) -> Result<Database> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).with_context(|| {
            format!(
                "cannot read the OSV database {shown} (--db takes a folder of OSV JSON records or an OSV all.zip)"
            )
        })?;
        let mut files = Vec::new();
        if meta.is_dir() {
            collect_files(path, &mut files)
                .with_context(|| format!("cannot read the OSV database {shown}"))?;
        } else {
            files.push(path.to_path_buf());
        }
        let mut db = Database {
            source: shown.clone(),
            ..Default::default()
        };
        let (zips, jsons): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .partition(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")));
        // Each worker reads, parses and boils a record down to what the audit keeps, so the
        // full records (details, references) never pile up in memory.
        let parsed: Vec<(String, Result<Vec<Compact>, String>)> = jsons
            .par_iter()
            .map(|p| {
                let r = read_limited(p).and_then(|b| parse_compact(&b));
                let name = if r.is_err() {
                    p.display().to_string()
                } else {
                    String::new()
                };
                (name, r)
            })
            .collect();
        db.add_all(parsed);
        for z in &zips {
            db.load_zip(z)?;
        }
        if db.stats.records == 0 && db.stats.withdrawn == 0 {
            bail!(
                "no OSV records in {shown}: --db takes a folder of OSV JSON records (e.g. an unpacked \
                 OSV export) or an OSV all.zip archive (e.g. crates.io/all.zip)"
            );
        }
        db.diagnostics.sort();
        Ok(db)
    }

    fn load_zip(&mut self, path: &Path) -> Result<()> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {shown}"))?;
        let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
            .with_context(|| format!("{shown} is not a zip archive"))?;
        let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .with_context(|| format!("{shown}: cannot read entry {i}"))?;
            if entry.is_dir() || !entry.name().to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            let name = format!("{shown}:{}", entry.name());
            let mut bytes = Vec::with_capacity(entry.size().min(1 << 20) as usize);
            (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
                .with_context(|| format!("cannot decompress {name}"))?;
            if bytes.len() as u64 > MAX_RECORD_BYTES {
                self.diagnostics.push(Diagnostic::warning(
                    Some(name),
                    format!(
                        "larger than {} MiB: not an OSV record, skipped",
                        MAX_RECORD_BYTES >> 20
                    ),
                ));
                continue;
            }
            batch.push((name, bytes));
            if batch.len() >= ZIP_BATCH {
                self.add_batch(std::mem::take(&mut batch));
            }
        }
        self.add_batch(batch);
        Ok(())
    }

    fn add_batch(&mut self, batch: Vec<(String, Vec<u8>)>) {
        let parsed = batch
            .into_par_iter()
            .map(|(n, b)| (n, parse_compact(&b)))
            .collect();
        self.add_all(parsed);
    }

    fn add_all(&mut self, parsed: Vec<(String, Result<Vec<Compact>, String>)>) {
        for (name, r) in parsed {
            match r {
                Ok(records) => {
                    for c in records {
                        self.add_compact(c);
                    }
                }
                Err(e) => self.diagnostics.push(Diagnostic::warning(
                    Some(name),
                    format!("not an OSV record, skipped: {e}"),
                )),
            }
        }
    }

    #[cfg(test)]
    fn add(&mut self, rec: osv::Record) {
        self.add_compact(compact(rec));
    }

    fn add_compact(&mut self, c: Compact) {
        match c {
            Compact::Withdrawn => self.stats.withdrawn += 1,
            Compact::Nameless => {}
            Compact::Record {
                advisory,
                entries,
                other_ecosystems,
            } => {
                self.stats.records += 1;
                self.stats.other_ecosystems += other_ecosystems;
                if entries.is_empty() {
                    return;
                }
                let idx = self.advisories.len() as u32;
                for (key, ranges, versions) in entries {
                    self.index.entry(key).or_default().push(Entry {
                        advisory: idx,
                        ranges,
                        versions,
                    });
                }
                self.advisories.push(advisory);
            }
        }
    }

    /// Number of records loaded (withdrawn ones excluded).
    pub fn len(&self) -> usize {
        self.stats.records
    }

    pub fn is_empty(&self) -> bool {
        self.stats.records == 0
    }
}

/// What one record leaves in the database.
enum Compact {
    Withdrawn,
    /// No id: nothing to report it by.
    Nameless,
    Record {
        advisory: Advisory,
        /// (index key, SEMVER / ECOSYSTEM ranges, explicit versions) per affected package.
        #[allow(clippy::type_complexity)]
        entries: Vec<((Ecosystem, String), Box<[Box<[Ev]>]>, Box<[Box<str>]>)>,
        other_ecosystems: usize,
    },
}

fn compact(mut rec: osv::Record) -> Compact {
    if rec
        .withdrawn
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Compact::Withdrawn;
    }
    if rec.id.trim().is_empty() {
        return Compact::Nameless;
    }
    let mut entries = Vec::new();
    let mut other_ecosystems = 0;
    for a in &mut rec.affected {
        let Some(pkg) = &a.package else { continue };
        let Some(eco) = Ecosystem::from_osv(&pkg.ecosystem) else {
            other_ecosystems += 1;
            continue;
        };
        let key = (eco, eco.normalize_name(&pkg.name));
        let ranges = std::mem::take(&mut a.ranges)
            .into_iter()
            .filter(|r| r.kind == "SEMVER" || r.kind == "ECOSYSTEM")
            .map(events)
            .collect();
        entries.push((key, ranges, boxed(std::mem::take(&mut a.versions))));
    }
    Compact::Record {
        advisory: advisory_of(rec),
        entries,
        other_ecosystems,
    }
}

fn parse_compact(bytes: &[u8]) -> Result<Vec<Compact>, String> {
    Ok(parse_records(bytes)?.into_iter().map(compact).collect())
}

fn read_limited(p: &Path) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(p).map_err(|e| format!("cannot read: {e}"))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_RECORD_BYTES {
        return Err(format!("larger than {} MiB", MAX_RECORD_BYTES >> 20));
    }
    let mut bytes = Vec::with_capacity(len as usize + 1);
    f.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(format!("larger than {} MiB", MAX_RECORD_BYTES >> 20));
    }
    Ok(bytes)
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e.file_type()?;
        if ft.is_dir() {
            collect_files(&p, out)?;
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| x.eq_ignore_ascii_case("json") || x.eq_ignore_ascii_case("zip"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// One record, or an array of records (some exports bundle them).
fn parse_records(bytes: &[u8]) -> Result<Vec<osv::Record>, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let r = if first == Some(&b'[') {
        serde_json::from_slice::<Vec<osv::Record>>(bytes)
    } else {
        serde_json::from_slice::<osv::Record>(bytes).map(|r| vec![r])
    };
    r.map_err(|e| e.to_string())
}

fn advisory_of(rec: osv::Record) -> Advisory {
    let mut ratings = Vec::new();
    let mut entries: Vec<&osv::SeverityEntry> = rec.severity.iter().collect();
    for a in &rec.affected {
        entries.extend(a.severity.iter());
    }
    for s in entries {
        let vector = s.score.trim().to_string();
        let score = match s.kind.as_str() {
            "CVSS_V3" => cvss::v3_base_score(&vector),
            _ => None,
        };
        // A v4 / v2 vector without a score we can compute is still worth naming (the
        // CycloneDX rating carries it); its severity comes from the record's words below.
        let severity = score.map(Severity::from_score);
        if let Some(sev) = severity {
            ratings.push(Rating {
                source: rec.id.clone(),
                severity: sev,
                score,
                vector: Some(vector),
                method: cvss::method(&s.score),
            });
        } else if s.kind.starts_with("CVSS") && !vector.is_empty() {
            ratings.push(Rating {
                source: rec.id.clone(),
                severity: Severity::Unknown,
                score: None,
                vector: Some(vector),
                method: cvss::method(&s.score),
            });
        }
    }
    if let Some(word) = osv::severity_word(&rec).and_then(|w| Severity::from_word(&w)) {
        let scored = ratings.iter().any(|r| r.score.is_some());
        // The record's own word stands in for vectors we could not score.
        for r in ratings.iter_mut().filter(|r| r.score.is_none()) {
            r.severity = word;
        }
        if !scored && ratings.is_empty() {
            ratings.push(Rating {
                source: rec.id.clone(),
                severity: word,
                score: None,
                vector: None,
                method: "other",
            });
        }
    }
    ratings.retain(|r| r.severity != Severity::Unknown);
    let own = rec
        .summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let summary_from_details = own.is_none();
    let summary = own
        .or_else(|| rec.details.as_deref().and_then(first_sentence))
        .unwrap_or_default();
    let mut advisories: Vec<String> = rec
        .references
        .iter()
        .filter(|r| r.kind == "ADVISORY" && !r.url.is_empty())
        .map(|r| r.url.clone())
        .collect();
    advisories.sort();
    advisories.dedup();
    Advisory {
        summary_from_details,
        cwes: osv::cwes(&rec).into_boxed_slice(),
        id: rec.id.trim().into(),
        aliases: rec.aliases.iter().map(|a| a.trim().into()).collect(),
        summary: summary.into_boxed_str(),
        ratings: ratings
            .into_iter()
            .map(|r| StoredRating {
                severity: r.severity,
                score: r.score,
                vector: r.vector.map(String::into_boxed_str),
                method: r.method,
            })
            .collect(),
        advisories: boxed(advisories),
        published: rec.published.map(String::into_boxed_str),
        modified: rec.modified.map(String::into_boxed_str),
    }
}

/// A one-line summary from a record's `details`: its first sentence, at most 120
/// characters (PyPA records have no `summary`, only prose).
fn first_sentence(details: &str) -> Option<String> {
    let line = details.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    let end = line
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .next()
        .unwrap_or(line.len());
    let sentence = &line[..end];
    if sentence.chars().count() <= 120 {
        Some(sentence.to_string())
    } else {
        let mut s: String = sentence.chars().take(119).collect();
        s.push('…');
        Some(s)
    }
}

// ---------------------------------------------------------------------------------------
// Matching

/// One vulnerability of one component: every record that names the same issue, merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub bom_ref: String,
    pub name: String,
    pub version: String,
    /// OSV's ecosystem name ("crates.io", "PyPI", ...).
    pub ecosystem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    /// The primary id first (the ecosystem's own database, then GHSA, then CVE), then every
    /// other id and alias, sorted the same way.
    pub ids: Vec<String>,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_vector: Option<String>,
    pub summary: String,
    /// The first fixed version above the component's version, if any is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_in: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cwes: Vec<u32>,
    /// Every rating of every merged record.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<Rating>,
    /// Advisory URLs the records reference.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

impl Finding {
    pub fn primary_id(&self) -> &str {
        self.ids.first().map_or("", String::as_str)
    }
}

/// The result of [`audit`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Audit {
    /// Components in the scan.
    pub components: usize,
    /// Components looked up: in a covered ecosystem and with a version.
    pub audited: usize,
    /// Sorted by component, then primary id.
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
}

/// (ecosystem, normalized name, version) of a component: from its purl, else its fields.
fn identify(c: &Component) -> Option<(Ecosystem, String, Option<String>)> {
    if let Some(p) = c.purl.as_deref() {
        if let Ok(purl) = packageurl::PackageUrl::from_str(p) {
            if let Some(eco) = Ecosystem::from_model(purl.ty()) {
                let name = match (eco, purl.namespace()) {
                    (Ecosystem::Maven, Some(ns)) => format!("{ns}:{}", purl.name()),
                    (Ecosystem::Npm | Ecosystem::Go, Some(ns)) => format!("{ns}/{}", purl.name()),
                    _ => purl.name().to_string(),
                };
                let version = purl
                    .version()
                    .map(str::to_string)
                    .or_else(|| c.version.clone());
                return Some((eco, eco.normalize_name(&name), version));
            }
        }
    }
    let eco = Ecosystem::from_model(&c.ecosystem)?;
    Some((eco, eco.normalize_name(&c.name), c.version.clone()))
}

/// One record's verdict for one version: affected, and the first fixed version above it.
struct Hit {
    advisory: u32,
    fixed: Option<(Key, String)>,
}

/// Does `entry` affect version `v` (written `raw`)? OSV's evaluation: in each SEMVER /
/// ECOSYSTEM range, events sorted by version, `introduced` opens, `fixed` closes (at it),
/// `last_affected` closes (after it); `limit` bounds the range from above; the explicit
/// `versions` list adds exact versions.
fn check(
    eco: Ecosystem,
    v: &Key,
    raw: &str,
    entry: &Entry,
    bad: &mut BTreeSet<String>,
) -> Option<Option<(Key, String)>> {
    let mut affected = entry
        .versions
        .iter()
        .any(|x| &**x == raw || version::parse(eco, x).is_some_and(|k| k == *v));
    let mut fixed: Option<(Key, String)> = None;
    for range in entry.ranges.iter() {
        let mut events: Vec<(Key, u8, &str)> = Vec::new();
        let mut limits: Vec<Key> = Vec::new();
        for e in range.iter() {
            let s: &str = &e.version;
            if e.kind == 3 && s.trim() == "*" {
                continue;
            }
            let k = if e.kind == 0 {
                version::parse_introduced(eco, s)
            } else {
                version::parse(eco, s)
            };
            match k {
                Some(k) if e.kind == 3 => limits.push(k),
                Some(k) => events.push((k, e.kind, s)),
                None => {
                    bad.insert(s.to_string());
                }
            }
        }
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut inside = false;
        for (k, kind, _) in &events {
            match kind {
                0 if v >= k => inside = true,
                1 if v >= k => inside = false,
                2 if v > k => inside = false,
                _ => {}
            }
        }
        if !limits.is_empty() && !limits.iter().any(|l| v < l) {
            inside = false;
        }
        if inside {
            affected = true;
            if let Some((k, _, s)) = events.iter().find(|(k, kind, _)| *kind == 1 && k > v) {
                if fixed.as_ref().is_none_or(|(f, _)| k < f) {
                    fixed = Some((k.clone(), s.to_string()));
                }
            }
        }
    }
    affected.then_some(fixed)
}

/// How an id ranks as the name of a finding: the ecosystem's own database first.
fn id_rank(eco: Ecosystem, id: &str) -> u8 {
    let native = match eco {
        Ecosystem::CratesIo => "RUSTSEC-",
        Ecosystem::PyPI => "PYSEC-",
        Ecosystem::Go => "GO-",
        Ecosystem::Npm | Ecosystem::Maven => "GHSA-",
    };
    if id.starts_with(native) {
        0
    } else if id.starts_with("GHSA-") {
        1
    } else if id.starts_with("CVE-") {
        3
    } else {
        2
    }
}

/// Audit every component of `scan` against `db`.
pub fn audit(scan: &Scan, db: &Database) -> Audit {
    let mut out = Audit {
        components: scan.components.len(),
        ..Default::default()
    };
    let mut no_version: BTreeMap<&'static str, usize> = BTreeMap::new();
    for c in &scan.components {
        let Some((eco, name, ver)) = identify(c) else {
            continue;
        };
        let Some(raw) = ver.filter(|v| !v.trim().is_empty()) else {
            *no_version.entry(eco.osv_name()).or_default() += 1;
            continue;
        };
        out.audited += 1;
        let Some(entries) = db.index.get(&(eco, name)) else {
            continue;
        };
        let Some(v) = version::parse(eco, &raw) else {
            // Unreadable as a version of its ecosystem: only an exact `versions` entry can
            // still say it is affected.
            let exact: Vec<Hit> = entries
                .iter()
                .filter(|e| e.versions.iter().any(|x| **x == *raw))
                .map(|e| e.advisory)
                .collect::<BTreeSet<u32>>()
                .into_iter()
                .map(|advisory| Hit {
                    advisory,
                    fixed: None,
                })
                .collect();
            out.diagnostics.push(Diagnostic::warning(
                Some(c.bom_ref.clone()),
                format!(
                    "version `{raw}` is not a {} version: only exact `versions` lists were checked",
                    eco.osv_name()
                ),
            ));
            out.findings.extend(findings_for(c, eco, &raw, db, exact));
            continue;
        };
        let mut hits: Vec<Hit> = Vec::new();
        for e in entries {
            let mut bad = BTreeSet::new();
            if let Some(fixed) = check(eco, &v, &raw, e, &mut bad) {
                match hits.iter_mut().find(|h| h.advisory == e.advisory) {
                    Some(h) => {
                        if let Some(f) = fixed {
                            if h.fixed.as_ref().is_none_or(|(k, _)| f.0 < *k) {
                                h.fixed = Some(f);
                            }
                        }
                    }
                    None => hits.push(Hit {
                        advisory: e.advisory,
                        fixed,
                    }),
                }
            }
            for b in bad {
                out.diagnostics.push(Diagnostic::info(
                    Some(db.advisories[e.advisory as usize].id.to_string()),
                    format!(
                        "`{b}` is not a {} version; that range event is ignored",
                        eco.osv_name()
                    ),
                ));
            }
        }
        out.findings.extend(findings_for(c, eco, &raw, db, hits));
    }
    for (eco, n) in no_version {
        out.diagnostics.push(Diagnostic::info(
            None,
            format!("{n} {eco} component(s) have no version and were not audited"),
        ));
    }
    out.findings
        .sort_by(|a, b| (&a.bom_ref, a.primary_id()).cmp(&(&b.bom_ref, b.primary_id())));
    out.diagnostics.sort();
    out.diagnostics.dedup();
    out
}

/// Merge the records hitting one component into findings: records that share an id or an
/// alias are one issue.
fn findings_for(
    c: &Component,
    eco: Ecosystem,
    raw: &str,
    db: &Database,
    hits: Vec<Hit>,
) -> Vec<Finding> {
    // Union-find over the hits, joined when their id sets meet.
    let mut parent: Vec<usize> = (0..hits.len()).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, h) in hits.iter().enumerate() {
        let a = &db.advisories[h.advisory as usize];
        for id in std::iter::once(&a.id).chain(a.aliases.iter()) {
            match owner.get(&**id) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    parent[ri] = rj;
                }
                None => {
                    owner.insert(&**id, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..hits.len() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups
        .into_values()
        .map(|members| {
            let advs: Vec<&Advisory> = members
                .iter()
                .map(|&i| &db.advisories[hits[i].advisory as usize])
                .collect();
            let primary = advs
                .iter()
                .min_by(|a, b| (id_rank(eco, &a.id), &a.id).cmp(&(id_rank(eco, &b.id), &b.id)))
                .expect("a group has a member");
            let mut others: Vec<String> = advs
                .iter()
                .flat_map(|a| std::iter::once(&a.id).chain(a.aliases.iter()))
                .filter(|id| **id != primary.id && !id.is_empty())
                .map(|id| id.to_string())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            others.sort_by(|a, b| (id_rank(eco, a), a).cmp(&(id_rank(eco, b), b)));
            let mut ids = vec![primary.id.to_string()];
            ids.extend(others);
            let mut ratings: Vec<Rating> = advs
                .iter()
                .flat_map(|a| a.ratings.iter().map(|r| r.rating(&a.id)))
                .collect();
            ratings.sort_by(|a, b| a.source.cmp(&b.source).then(a.method.cmp(b.method)));
            // The worst rating of any record; ties go to the first id, for determinism.
            let best = advs
                .iter()
                .filter_map(|a| a.best_rating().map(|r| (r, &a.id)))
                .max_by(|(a, ai), (b, bi)| {
                    (a.severity, a.score.is_some(), std::cmp::Reverse(*ai)).cmp(&(
                        b.severity,
                        b.score.is_some(),
                        std::cmp::Reverse(*bi),
                    ))
                })
                .map(|(r, _)| r);
            let fixed_in = members
                .iter()
                .filter_map(|&i| hits[i].fixed.as_ref())
                .min_by(|a, b| a.0.cmp(&b.0))
                .map(|(_, s)| s.clone());
            // A record's own summary beats one cut from another record's details.
            let summary = std::iter::once(*primary)
                .chain(advs.iter().copied())
                .filter(|a| !a.summary.is_empty())
                .min_by_key(|a| a.summary_from_details)
                .map_or(String::new(), |a| a.summary.to_string());
            let mut cwes: Vec<u32> = advs.iter().flat_map(|a| a.cwes.iter().copied()).collect();
            cwes.sort_unstable();
            cwes.dedup();
            let mut advisories: Vec<String> = advs
                .iter()
                .flat_map(|a| a.advisories.iter().map(|u| u.to_string()))
                .collect();
            advisories.sort();
            advisories.dedup();
            Finding {
                bom_ref: c.bom_ref.clone(),
                name: c.name.clone(),
                version: raw.to_string(),
                ecosystem: eco.osv_name().to_string(),
                purl: c.purl.clone(),
                ids,
                severity: best.map_or(Severity::Unknown, |r| r.severity),
                cvss_score: best.and_then(|r| r.score),
                cvss_vector: best.and_then(|r| r.vector.as_deref().map(str::to_string)),
                summary,
                fixed_in,
                cwes,
                ratings,
                advisories,
                published: primary.published.as_deref().map(str::to_string),
                modified: primary.modified.as_deref().map(str::to_string),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(records: &[serde_json::Value]) -> Database {
        let mut d = Database::default();
        for r in records {
            d.add(serde_json::from_value(r.clone()).unwrap());
        }
        d
    }

    fn comp(purl: &str) -> Component {
        let p = packageurl::PackageUrl::from_str(purl).unwrap();
        Component {
            bom_ref: purl.to_string(),
            name: p.name().to_string(),
            version: p.version().map(str::to_string),
            purl: Some(purl.to_string()),
            ecosystem: p.ty().to_string(),
            concluded: "NOASSERTION".into(),
            ..Default::default()
        }
    }

    fn run(d: &Database, purls: &[&str]) -> Audit {
        let scan = Scan {
            components: purls.iter().map(|p| comp(p)).collect(),
            ..Default::default()
        };
        audit(&scan, d)
    }

    fn rec(id: &str, eco: &str, name: &str, events: serde_json::Value) -> serde_json::Value {
        serde_json::json!({
            "id": id,
            "affected": [{"package": {"ecosystem": eco, "name": name},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}]
        })
    }

    fn hit(d: &Database, purl: &str) -> bool {
        !run(d, &[purl]).findings.is_empty()
    }

    #[test]
    fn names_normalize_per_ecosystem() {
        assert_eq!(Ecosystem::PyPI.normalize_name("Jinja2"), "jinja2");
        assert_eq!(
            Ecosystem::PyPI.normalize_name("Zope.Interface__x"),
            "zope-interface-x"
        );
        assert_eq!(
            Ecosystem::CratesIo.normalize_name("Serde_JSON"),
            "serde-json"
        );
        assert_eq!(
            Ecosystem::Go.normalize_name("github.com/Foo/Bar"),
            "github.com/Foo/Bar"
        );
        let c = comp("pkg:npm/%40babel/traverse@7.0.0");
        assert_eq!(identify(&c).unwrap().1, "@babel/traverse");
        let c = comp("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        assert_eq!(
            identify(&c).unwrap().1,
            "org.apache.logging.log4j:log4j-core"
        );
        let c = comp("pkg:golang/golang.org/x/crypto@v0.0.0-20200101000000-aaaaaaaaaaaa");
        assert_eq!(identify(&c).unwrap().1, "golang.org/x/crypto");
    }

    #[test]
    fn last_affected_limit_and_explicit_versions() {
        let d = db(&[
            rec(
                "X-1",
                "crates.io",
                "a",
                serde_json::json!([{"introduced": "0"}, {"last_affected": "0.9.6"}]),
            ),
            rec(
                "X-2",
                "crates.io",
                "b",
                serde_json::json!([{"introduced": "1.0.0"}, {"limit": "1.5.0"}]),
            ),
            serde_json::json!({"id": "X-3", "affected": [{"package": {"ecosystem": "crates.io", "name": "c"}, "versions": ["0.3.1"]}]}),
        ]);
        assert!(hit(&d, "pkg:cargo/a@0.9.6"));
        assert!(!hit(&d, "pkg:cargo/a@0.9.7"));
        assert!(hit(&d, "pkg:cargo/b@1.4.9"));
        assert!(!hit(&d, "pkg:cargo/b@1.5.0"));
        assert!(!hit(&d, "pkg:cargo/b@0.9.0"));
        assert!(hit(&d, "pkg:cargo/c@0.3.1"));
        assert!(!hit(&d, "pkg:cargo/c@0.3.2"));
    }

    #[test]
    fn several_ranges_and_the_first_fix_above() {
        let d = db(&[serde_json::json!({
            "id": "GHSA-jfh8-c2jp-5v3q",
            "affected": [
                {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.13.0"}, {"fixed": "2.15.0"}]}]},
                {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.1"}]}]},
                {"package": {"ecosystem": "Maven", "name": "org.apache.logging.log4j:log4j-core"},
                 "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.4"}, {"fixed": "2.12.2"}]}]}
            ]
        })]);
        let a = run(
            &d,
            &["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
        );
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.findings[0].fixed_in.as_deref(), Some("2.15.0"));
        let a = run(
            &d,
            &["pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9"],
        );
        assert_eq!(a.findings[0].fixed_in.as_deref(), Some("2.3.1"));
        assert!(!hit(
            &d,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2"
        ));
        assert!(!hit(
            &d,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0"
        ));
    }

    #[test]
    fn aliases_merge_into_one_finding() {
        let mut a = rec(
            "GHSA-aaaa-bbbb-cccc",
            "PyPI",
            "Foo",
            serde_json::json!([{"introduced": "0"}, {"fixed": "2.0"}]),
        );
        a["aliases"] = serde_json::json!(["CVE-2020-0001"]);
        let mut b = rec(
            "PYSEC-2020-1",
            "PyPI",
            "foo",
            serde_json::json!([{"introduced": "0"}, {"fixed": "1.5"}]),
        );
        b["aliases"] = serde_json::json!(["CVE-2020-0001"]);
        let c = rec(
            "PYSEC-2020-2",
            "PyPI",
            "foo",
            serde_json::json!([{"introduced": "0"}]),
        );
        let d = db(&[a, b, c]);
        let out = run(&d, &["pkg:pypi/foo@1.0"]);
        assert_eq!(out.findings.len(), 2, "{:#?}", out.findings);
        assert_eq!(
            out.findings[0].ids,
            vec!["PYSEC-2020-1", "GHSA-aaaa-bbbb-cccc", "CVE-2020-0001"]
        );
        assert_eq!(out.findings[0].fixed_in.as_deref(), Some("1.5"));
        assert_eq!(out.findings[1].ids, vec!["PYSEC-2020-2"]);
        assert_eq!(out.findings[1].fixed_in, None);
    }

    #[test]
    fn an_unreadable_version_matches_exact_versions_only() {
        let mut r = rec(
            "GHSA-x",
            "npm",
            "odd",
            serde_json::json!([{"introduced": "0"}]),
        );
        r["affected"][0]["versions"] = serde_json::json!(["nightly-7"]);
        let d = db(&[r]);
        let a = run(&d, &["pkg:npm/odd@nightly-7", "pkg:npm/odd@nightly-8"]);
        assert_eq!(a.findings.len(), 1);
        assert_eq!(a.findings[0].version, "nightly-7");
        assert_eq!(a.diagnostics.len(), 2, "{:?}", a.diagnostics);
        assert!(a.diagnostics[0].message.contains("is not a npm version"));
    }

    #[test]
    fn withdrawn_records_are_skipped() {
        let mut r = rec(
            "GHSA-wwww-wwww-wwww",
            "npm",
            "x",
            serde_json::json!([{"introduced": "0"}]),
        );
        r["withdrawn"] = serde_json::json!("2024-01-01T00:00:00Z");
        let d = db(&[r]);
        assert_eq!(d.stats.withdrawn, 1);
        assert!(!hit(&d, "pkg:npm/x@1.0.0"));
    }

    #[test]
    fn severity_from_vectors_else_words() {
        let mut a = rec(
            "GHSA-1",
            "npm",
            "x",
            serde_json::json!([{"introduced": "0"}]),
        );
        a["severity"] = serde_json::json!([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]);
        a["database_specific"] = serde_json::json!({"severity": "LOW"});
        let mut b = rec(
            "GHSA-2",
            "npm",
            "y",
            serde_json::json!([{"introduced": "0"}]),
        );
        b["severity"] = serde_json::json!([{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]);
        b["database_specific"] = serde_json::json!({"severity": "MODERATE"});
        let c = rec(
            "GHSA-3",
            "npm",
            "z",
            serde_json::json!([{"introduced": "0"}]),
        );
        let d = db(&[a, b, c]);
        let out = run(
            &d,
            &["pkg:npm/x@1.0.0", "pkg:npm/y@1.0.0", "pkg:npm/z@1.0.0"],
        );
        let sev: Vec<(Severity, Option<f32>)> = out
            .findings
            .iter()
            .map(|f| (f.severity, f.cvss_score))
            .collect();
        assert_eq!(
            sev,
            vec![
                (Severity::Critical, Some(9.8)),
                (Severity::Medium, None),
                (Severity::Unknown, None)
            ]
        );
        assert_eq!(out.findings[1].ratings[0].method, "CVSSv4");
    }
}
