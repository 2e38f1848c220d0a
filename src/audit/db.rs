//! The offline OSV database (cargo-deny's `advisories/helpers/db.rs`): a folder of OSV
//! JSON records or OSV's per-ecosystem `all.zip` archives, read with a size limit per
//! record, withdrawn records skipped, every affected package indexed once by (ecosystem,
//! normalized name).

use super::*;

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
pub(super) struct Advisory {
    pub(super) id: Box<str>,
    pub(super) aliases: Box<[Box<str>]>,
    pub(super) summary: Box<str>,
    /// The record had no `summary`: `summary` is the start of its `details`.
    pub(super) summary_from_details: bool,
    pub(super) ratings: Box<[StoredRating]>,
    pub(super) cwes: Box<[u32]>,
    /// URLs of references of type ADVISORY.
    pub(super) advisories: Box<[Box<str>]>,
    pub(super) published: Option<Box<str>>,
    pub(super) modified: Option<Box<str>>,
    pub(super) kind: Kind,
}

/// A [`Rating`] without its source (always the record's own id).
#[derive(Debug, Clone)]
pub(super) struct StoredRating {
    pub(super) severity: Severity,
    pub(super) score: Option<f32>,
    pub(super) vector: Option<Box<str>>,
    pub(super) method: &'static str,
}

impl StoredRating {
    pub(super) fn rating(&self, source: &str) -> Rating {
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
    pub(super) fn best_rating(&self) -> Option<&StoredRating> {
        self.ratings
            .iter()
            .max_by(|a, b| (a.severity, a.score.is_some()).cmp(&(b.severity, b.score.is_some())))
    }
}

/// One event of a SEMVER / ECOSYSTEM range: 0 introduced, 1 fixed, 2 last_affected, 3 limit.
#[derive(Debug, Clone)]
pub(super) struct Ev {
    pub(super) kind: u8,
    pub(super) version: Box<str>,
}

/// One affected package of one record.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) advisory: u32,
    pub(super) ranges: Box<[Box<[Ev]>]>,
    pub(super) versions: Box<[Box<str>]>,
}

pub(super) fn boxed(v: Vec<String>) -> Box<[Box<str>]> {
    v.into_iter().map(String::into_boxed_str).collect()
}

/// A range's events in their compact form; an event with no field set is dropped.
pub(super) fn events(r: osv::Range) -> Box<[Ev]> {
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
    pub(super) advisories: Vec<Advisory>,
    pub(super) index: HashMap<(Ecosystem, String), Vec<Entry>>,
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
pub(super) const ZIP_BATCH: usize = 4096;

/// The largest record file (or archive entry, uncompressed) read: real records are a few
/// kilobytes, and a zip bomb must not take the machine's memory.
pub(super) const MAX_RECORD_BYTES: u64 = 32 << 20;

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
            // Say why, when something was there but skipped (a record over the size cap):
            // these diagnostics would otherwise never be printed.
            db.diagnostics.sort();
            if let Some(first) = db.diagnostics.first() {
                bail!(
                    "no OSV records in {shown}: {} file{} skipped, the first {}: {}",
                    db.diagnostics.len(),
                    if db.diagnostics.len() == 1 { "" } else { "s" },
                    first.path.as_deref().unwrap_or(&shown),
                    first.message
                );
            }
            bail!(
                "no OSV records in {shown}: --db takes a folder of OSV JSON records (e.g. an unpacked \
                 OSV export) or an OSV all.zip archive (e.g. crates.io/all.zip)"
            );
        }
        db.diagnostics.sort();
        Ok(db)
    }

    pub(super) fn load_zip(&mut self, path: &Path) -> Result<()> {
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

    pub(super) fn add_batch(&mut self, batch: Vec<(String, Vec<u8>)>) {
        let parsed = batch
            .into_par_iter()
            .map(|(n, b)| (n, parse_compact(&b)))
            .collect();
        self.add_all(parsed);
    }

    pub(super) fn add_all(&mut self, parsed: Vec<(String, Result<Vec<Compact>, String>)>) {
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
    pub(super) fn add(&mut self, rec: osv::Record) {
        self.add_compact(compact(rec));
    }

    pub(super) fn add_compact(&mut self, c: Compact) {
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
pub(super) enum Compact {
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

pub(super) fn compact(mut rec: osv::Record) -> Compact {
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

pub(super) fn parse_compact(bytes: &[u8]) -> Result<Vec<Compact>, String> {
    Ok(parse_records(bytes)?.into_iter().map(compact).collect())
}

pub(super) fn read_limited(p: &Path) -> Result<Vec<u8>, String> {
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

pub(super) fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
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
pub(super) fn parse_records(bytes: &[u8]) -> Result<Vec<osv::Record>, String> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    let r = if first == Some(&b'[') {
        serde_json::from_slice::<Vec<osv::Record>>(bytes)
    } else {
        serde_json::from_slice::<osv::Record>(bytes).map(|r| vec![r])
    };
    r.map_err(|e| e.to_string())
}

pub(super) fn advisory_of(rec: osv::Record) -> Advisory {
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
        kind: kind_of(&rec),
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

/// Malicious (an OSV `MAL-` id, or a `MAL-` alias: GHSA republishes some), RustSec
/// informational (`database_specific.informational`, on the record or an affected package),
/// else a vulnerability.
pub(super) fn kind_of(rec: &osv::Record) -> Kind {
    let mal = |s: &str| s.trim().to_ascii_uppercase().starts_with("MAL-");
    if mal(&rec.id) || rec.aliases.iter().any(|a| mal(a)) {
        return Kind::Malicious;
    }
    let word = std::iter::once(rec.database_specific.as_ref())
        .chain(rec.affected.iter().map(|a| a.database_specific.as_ref()))
        .flatten()
        .find_map(|d| {
            d.informational
                .as_ref()?
                .as_str()
                .map(str::to_ascii_lowercase)
        });
    match word.as_deref().map(str::trim) {
        None | Some("") => Kind::Vulnerability,
        Some("unmaintained") => Kind::Unmaintained,
        Some("unsound") => Kind::Unsound,
        Some(_) => Kind::Notice,
    }
}

/// A one-line summary from a record's `details`: its first sentence, at most 120
/// characters (PyPA records have no `summary`, only prose).
pub(super) fn first_sentence(details: &str) -> Option<String> {
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
