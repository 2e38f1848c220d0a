//! The license knowledge built into the binary: the matcher stores and how they are made.
//!
//! `license-db/store.bin.zst` holds two askalono-engine stores (the `spdx` crate's
//! `detection` module): a small *common* store (the licenses most files carry, plus every
//! license whose text is close to one of them, so a confident answer from it is the answer
//! the full store would give) and the *full* store (every SPDX license and exception,
//! curated headers and alternates). The common store loads in a few milliseconds; the full
//! one loads lazily, on a background thread started by [`prefetch_full`], and only where the
//! common store is not sure.
//!
//! The file is generated from `license-db/` and the `spdx` crate's texts by
//! `cargo run --release --bin build-license-db`; a digest of every input is stored inside
//! it, so a test can prove the committed store matches its sources.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use spdx::detection::{LicenseEntry, Store, TextData};

/// SPDX license list version of the texts the store was built from.
pub const LICENSE_LIST_VERSION: &str = spdx::identifiers::VERSION;

const MAGIC: &[u8; 8] = b"OSPOLDB2";
static STORE_BYTES: &[u8] = include_bytes!("../license-db/store.bin.zst");

/// Licenses most real files carry; the common store starts from these.
/// GNU ids are listed by their `-only` name: the texts of -only and -or-later are identical.
const COMMON: &[&str] = &[
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "Apache-1.1",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "0BSD",
    "ISC",
    "Zlib",
    "BSL-1.0",
    "Unlicense",
    "CC0-1.0",
    "MPL-2.0",
    "MPL-1.1",
    "LGPL-2.1-only",
    "LGPL-3.0-only",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "AGPL-3.0-only",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "EPL-1.0",
    "EPL-2.0",
    "CDDL-1.0",
    "Python-2.0",
    "PSF-2.0",
    "OFL-1.1",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "BlueOak-1.0.0",
    "X11",
    "WTFPL",
    "Artistic-2.0",
    "PostgreSQL",
    "OpenSSL",
    "bzip2-1.0.6",
    "JSON",
    "Ruby",
    "LLVM-exception",
    "Classpath-exception-2.0",
    "GCC-exception-3.1",
];

/// The first tier: the licenses of most license files. Its answer is taken only when it is
/// near certain (see detect::text), so it needs no confusables.
const TOP: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "Unlicense",
    "MPL-2.0",
    "BSL-1.0",
    "0BSD",
    "MIT-0",
    "CC0-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "LGPL-2.1-only",
    "LGPL-3.0-only",
    "AGPL-3.0-only",
    "LLVM-exception",
];

/// A license whose text scores at least this against a common license joins the common
/// store, so the common store never answers with a neighbour the full store would beat.
const CONFUSABLE_SCORE: f32 = 0.8;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct StoreMeta {
    /// SHA-256 over every input of the build (see [`source_digest`]).
    pub source_digest: String,
    pub license_list_version: String,
    /// Entry name -> ids whose text is identical (GPL-2.0-only -> [GPL-2.0-or-later]).
    pub aliases: Vec<(String, Vec<String>)>,
    pub common: Vec<String>,
    pub full_entries: usize,
}

/// The loaded database.
pub struct LicenseDb {
    pub meta: StoreMeta,
    top: Store,
    common: Store,
    full_bytes: &'static [u8],
    full: OnceLock<Store>,
}

static DB: OnceLock<LicenseDb> = OnceLock::new();

/// The process-wide database, loaded on first use (common store only).
pub fn db() -> &'static LicenseDb {
    DB.get_or_init(|| LicenseDb::from_bytes(STORE_BYTES).expect("the embedded license store is corrupt: rebuild it with `cargo run --release --bin build-license-db`"))
}

/// Start loading the full store on a background thread, so it is ready when needed.
pub fn prefetch_full() {
    std::thread::spawn(|| {
        db().full();
    });
}

impl LicenseDb {
    pub fn from_bytes(bytes: &'static [u8]) -> Result<Self> {
        if bytes.len() < MAGIC.len() + 8 || &bytes[..8] != MAGIC {
            bail!("not an ospo license store (bad magic)");
        }
        let mut pos = 8;
        let meta_len = u32::from_le_bytes(bytes[pos..pos + 4].try_into()?) as usize;
        pos += 4;
        let meta: StoreMeta = serde_json::from_slice(&bytes[pos..pos + meta_len])?;
        pos += meta_len;
        let mut next_store = |what: &str| -> Result<Store> {
            let len = u32::from_le_bytes(bytes[pos..pos + 4].try_into()?) as usize;
            pos += 4;
            let store = Store::from_cache(&bytes[pos..pos + len]).map_err(|e| anyhow::anyhow!("{what} store: {e}"))?;
            pos += len;
            Ok(store)
        };
        let top = next_store("top")?;
        let common = next_store("common")?;
        Ok(LicenseDb { meta, top, common, full_bytes: &bytes[pos..], full: OnceLock::new() })
    }

    pub fn top(&self) -> &Store {
        &self.top
    }

    pub fn common(&self) -> &Store {
        &self.common
    }

    pub fn full(&self) -> &Store {
        self.full.get_or_init(|| {
            Store::from_cache(self.full_bytes).expect("the embedded full license store is corrupt")
        })
    }

    /// Ids that share the text of `name` (including `name` itself), sorted.
    pub fn same_text(&self, name: &str) -> Vec<String> {
        let mut v = vec![name.to_string()];
        if let Some((_, a)) = self.meta.aliases.iter().find(|(n, _)| n == name) {
            v.extend(a.iter().cloned());
        }
        v.sort();
        v
    }
}

/// Everything the store is built from, in a fixed order.
struct Sources {
    /// (id, text) for every non-deprecated license and exception.
    texts: Vec<(String, String)>,
    /// (id, file name, text)
    headers: Vec<(String, String, String)>,
    alternates: Vec<(String, String, String)>,
}

fn read_variants(dir: &Path) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("txt") {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        // `<ID>.txt` or `<ID>--<slug>.txt`
        let stem = file.trim_end_matches(".txt");
        let id = stem.split("--").next().unwrap_or(stem).to_string();
        let text = std::fs::read_to_string(&path)?;
        out.push((id, file, text));
    }
    out.sort();
    Ok(out)
}

fn sources(db_dir: &Path) -> Result<Sources> {
    let mut texts = Vec::new();
    for (name, id) in spdx::identifiers::LICENSES.iter().map(|l| (l.name, spdx::license_id(l.name))) {
        let Some(id) = id else { continue };
        if id.is_deprecated() {
            continue;
        }
        texts.push((name.to_string(), id.text().to_string()));
    }
    for e in spdx::identifiers::EXCEPTIONS {
        let Some(id) = spdx::exception_id(e.name) else { continue };
        if id.is_deprecated() {
            continue;
        }
        texts.push((e.name.to_string(), id.text().to_string()));
    }
    texts.sort();
    Ok(Sources {
        texts,
        headers: read_variants(&db_dir.join("headers"))?,
        alternates: read_variants(&db_dir.join("alternates"))?,
    })
}

/// SHA-256 over everything the store is built from: the license list version, every text,
/// header and alternate, the common list and the build parameters.
pub fn source_digest(db_dir: &Path) -> Result<String> {
    Ok(digest_of(&sources(db_dir)?))
}

fn digest_of(src: &Sources) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(LICENSE_LIST_VERSION);
    put(&format!("{TOP:?}{COMMON:?}{CONFUSABLE_SCORE}"));
    for (id, text) in &src.texts {
        put(id);
        put(text);
    }
    for (id, file, text) in src.headers.iter().chain(&src.alternates) {
        put(id);
        put(file);
        put(text);
    }
    hex::encode(h.finalize())
}

/// Build the store file from `license-db/` and the spdx crate's texts.
pub fn build(db_dir: &Path) -> Result<Vec<u8>> {
    use rayon::prelude::*;
    let src = sources(db_dir)?;
    let digest = digest_of(&src);

    let analyzed: Vec<(String, TextData)> = src
        .texts
        .par_iter()
        .map(|(id, text)| (id.clone(), TextData::new(text).without_text()))
        .collect();

    // Identical texts (GPL -only / -or-later, ...) become one entry with aliases. The entry
    // is named after the first id in sorted order that is not an -or-later variant.
    // The GNU -or-later texts differ from their -only twins in whitespace only (a quirk of
    // the spdx crate's tables), so those pairs are merged by score, not by identity.
    // Texts that normalise to nothing (one-line licenses that mention "copyright", which
    // the preprocessing drops) cannot be matched by Dice and are left out.
    let mut groups: Vec<(String, TextData, Vec<String>)> = Vec::new();
    let mut order: Vec<usize> = (0..analyzed.len()).collect();
    order.sort_by_key(|&i| (analyzed[i].0.ends_with("-or-later"), analyzed[i].0.clone()));
    for i in order {
        let (id, td) = &analyzed[i];
        if td.match_score(td) == 0.0 {
            continue;
        }
        let twin = id.strip_suffix("-or-later").map(|base| format!("{base}-only"));
        if let Some(g) = groups.iter_mut().find(|g| {
            g.1.ngram_matches(td) || (twin.as_deref() == Some(g.0.as_str()) && g.1.match_score(td) >= 0.95)
        }) {
            g.2.push(id.clone());
        } else {
            groups.push((id.clone(), td.clone(), Vec::new()));
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));

    let variant = |text: &str| TextData::new(text).without_text();
    let mut entries: Vec<(String, LicenseEntry)> = groups
        .iter()
        .map(|(name, td, aliases)| {
            let mut e = LicenseEntry::new(td.clone());
            e.aliases = aliases.clone();
            (name.clone(), e)
        })
        .collect();
    let find = |entries: &mut Vec<(String, LicenseEntry)>, id: &str| -> Result<usize> {
        entries
            .iter()
            .position(|(n, e)| n == id || e.aliases.iter().any(|a| a == id))
            .with_context(|| format!("license-db variant for unknown id {id}"))
    };
    for (id, _, text) in &src.headers {
        let i = find(&mut entries, id)?;
        entries[i].1.headers.push(variant(text));
    }
    for (id, _, text) in &src.alternates {
        let i = find(&mut entries, id)?;
        entries[i].1.alternates.push(variant(text));
    }

    // The common store: the COMMON ids plus every entry that a common text scores close to.
    let common_idx: Vec<usize> =
        COMMON.iter().map(|id| find(&mut entries, id)).collect::<Result<_>>()?;
    let mut in_common = vec![false; entries.len()];
    for &i in &common_idx {
        in_common[i] = true;
    }
    let confusable: Vec<bool> = entries
        .par_iter()
        .map(|(_, e)| {
            common_idx.iter().any(|&c| {
                let o = &entries[c].1.original;
                o.match_score(&e.original) >= CONFUSABLE_SCORE
                    || entries[c].1.alternates.iter().any(|a| a.match_score(&e.original) >= CONFUSABLE_SCORE)
            })
        })
        .collect();
    for (i, c) in confusable.into_iter().enumerate() {
        in_common[i] |= c;
    }

    let clone_entry = |e: &LicenseEntry| LicenseEntry {
        original: e.original.clone(),
        aliases: e.aliases.clone(),
        headers: e.headers.clone(),
        alternates: e.alternates.clone(),
    };
    let top_idx: Vec<usize> = TOP.iter().map(|id| find(&mut entries, id)).collect::<Result<_>>()?;
    let mut top = Store::new();
    for &i in &top_idx {
        top.insert_entry(entries[i].0.clone(), clone_entry(&entries[i].1));
    }
    let mut common = Store::new();
    let mut full = Store::new();
    let mut common_names = Vec::new();
    for (i, (name, e)) in entries.iter().enumerate() {
        if in_common[i] {
            common.insert_entry(name.clone(), clone_entry(e));
            common_names.push(name.clone());
        }
        full.insert_entry(name.clone(), clone_entry(e));
    }

    let meta = StoreMeta {
        source_digest: digest,
        license_list_version: LICENSE_LIST_VERSION.to_string(),
        aliases: entries
            .iter()
            .filter(|(_, e)| !e.aliases.is_empty())
            .map(|(n, e)| (n.clone(), e.aliases.clone()))
            .collect(),
        common: common_names,
        full_entries: entries.len(),
    };

    let mut top_bytes = Vec::new();
    top.to_cache(&mut top_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut common_bytes = Vec::new();
    common.to_cache(&mut common_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut full_bytes = Vec::new();
    full.to_cache(&mut full_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
    let meta_json = serde_json::to_vec(&meta)?;

    let mut out = Vec::with_capacity(common_bytes.len() + full_bytes.len() + meta_json.len() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(meta_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta_json);
    out.extend_from_slice(&(top_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&top_bytes);
    out.extend_from_slice(&(common_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(&common_bytes);
    out.extend_from_slice(&full_bytes);
    Ok(out)
}

/// The license text of an SPDX id, from the spdx crate.
pub fn license_text(id: &str) -> Option<&'static str> {
    if let Some(l) = spdx::license_id(id) {
        return Some(l.text());
    }
    spdx::exception_id(id).map(|e| e.text())
}
