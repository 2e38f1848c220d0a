//! The license knowledge built into the binary: every rule the matcher knows and what it
//! means.
//!
//! `license-db/store.bin.zst` is built by `cargo run --release --bin build-license-db` from
//! ScanCode's license database (about 2,600 licenses and 36,000 rules: texts, notices,
//! references, tags, false positives; CC-BY-4.0, nexB Inc. and others), the SPDX License
//! List texts of ids ScanCode does not know yet (the `spdx` crate), and ospo's own curated
//! rules (`license-db/rules/`). Every rule is stored as a sequence of token ids with its
//! SPDX expression, kind, relevance, minimum coverage and required phrases; beside them
//! sit the two indexes the matcher needs: a token trie for exact hits of short rules and
//! token postings for choosing candidates of approximate matches (see `detect::matcher`).
//!
//! The store is read once per process (under 100 ms; `prefetch` starts it while the walk
//! begins). A digest of every input is recorded inside it, so a test proves the committed
//! store matches its sources.

pub mod build;
pub mod format;
pub mod scancode;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use format::{check_offsets, Reader};

/// SPDX license list version of the ids the store writes and the texts it holds.
pub const LICENSE_LIST_VERSION: &str = spdx::identifiers::VERSION;

pub const MAGIC: &[u8; 8] = b"OSPOLDB4";
static STORE_BYTES: &[u8] = include_bytes!("../../license-db/store.bin.zst");

/// Rules up to this many tokens are in the exact-match trie; longer ones are found
/// verbatim through [`LicenseDb::long_starts`].
pub const TRIE_MAX_LEN: usize = 80;
/// A word held by this many approximately matchable rules is license vocabulary...
pub const LEGAL_DF: usize = 500;
/// ...unless it is one of the words of any English prose.
const FUNCTION_WORDS: &[&str] = &[
    "the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "been", "being",
    "have", "has", "had", "not", "but", "any", "all", "can", "may", "will", "would", "shall",
    "should", "could", "must", "you", "your", "yours", "our", "ours", "they", "their", "them",
    "its", "his", "her", "she", "him", "who", "whom", "which", "what", "when", "where", "why",
    "how", "such", "other", "these", "those", "than", "then", "there", "here", "into", "onto",
    "upon", "about", "above", "below", "over", "after", "before", "between", "out", "off", "also",
    "each", "both", "more", "most", "some", "only", "same", "very", "just", "one", "two", "three",
    "first", "new", "use", "used", "using", "make", "made", "get", "set", "see", "way", "does",
    "did", "doing", "done", "now", "yes", "none", "own", "per", "via", "etc", "within", "without",
    "while", "whether", "because", "since", "until", "unless", "though", "although", "either",
    "neither", "nor", "else", "ever", "every", "few", "many", "much", "well", "like", "need",
    "needs", "note", "file", "files", "code", "line", "name", "data", "type", "value", "return",
    "true", "false", "null", "string", "number", "default", "function", "class", "public",
    "private", "static", "const", "void", "include", "define", "import", "export", "module",
    "package", "version", "test", "http", "https", "www", "com", "org", "html", "htm", "txt",
];
/// How many leading tokens key a long rule.
pub const START_LEN: usize = 8;

/// The key of `START_LEN` tokens in [`LicenseDb::long_starts`].
#[inline]
pub fn start_hash(toks: &[u16]) -> u64 {
    toks.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &t| {
        (h ^ u64::from(t)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Bits of [`LicenseDb::long_start_bits`].
const START_BITS: usize = 1 << 20;

/// The bit of a [`start_hash`] in [`LicenseDb::long_start_bits`] (its high bits, mixed).
#[inline]
pub fn start_bit(h: u64) -> usize {
    (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 44) as usize
}

impl LicenseDb {
    /// The long rules whose first [`START_LEN`] tokens hash to `h`, if any.
    #[inline]
    pub fn long_rules_at(&self, h: u64) -> Option<&[u32]> {
        let b = start_bit(h);
        if self.long_start_bits[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        self.long_starts.get(&h).map(|v| &v[..])
    }
}

/// A query token that no rule has.
pub const UNKNOWN_TOKEN: u16 = u16::MAX;

/// What a rule's text is, as ScanCode classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum RuleKind {
    /// A full license text (or most of one).
    Text = 0,
    /// A notice that puts a file under a license ("Licensed under the Apache License...").
    Notice = 1,
    /// A mention of a license by name or URL.
    Reference = 2,
    /// A structured license tag ("License: MIT", `@license MIT`).
    Tag = 3,
    /// Words that announce a license ("is licensed under:") but name none.
    Intro = 4,
    /// A hint that is no license statement by itself.
    Clue = 5,
    /// Text that looks like a license statement and is not.
    FalsePositive = 6,
}

impl RuleKind {
    fn from_bits(b: u16) -> RuleKind {
        match b & KIND_MASK {
            0 => RuleKind::Text,
            1 => RuleKind::Notice,
            2 => RuleKind::Reference,
            3 => RuleKind::Tag,
            4 => RuleKind::Intro,
            5 => RuleKind::Clue,
            _ => RuleKind::FalsePositive,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Text => "text",
            RuleKind::Notice => "notice",
            RuleKind::Reference => "reference",
            RuleKind::Tag => "tag",
            RuleKind::Intro => "intro",
            RuleKind::Clue => "clue",
            RuleKind::FalsePositive => "false positive",
        }
    }
}

pub const KIND_MASK: u16 = 0b111;
/// Must be matched exactly, without gaps.
pub const F_CONTINUOUS: u16 = 1 << 3;
/// The whole rule is a required phrase.
pub const F_REQUIRED_PHRASE: u16 = 1 << 4;
/// The text of a license (a `.LICENSE` file or an SPDX text), not a rule written for it.
pub const F_LICENSE_TEXT: u16 = 1 << 5;
/// May be matched approximately (long enough, not a phrase, not a false positive).
pub const F_APPROX: u16 = 1 << 6;
/// The expression names no known license ("unknown", "see license"): not a license.
pub const F_UNKNOWN: u16 = 1 << 7;
/// One of ospo's curated rules.
pub const F_CURATED: u16 = 1 << 8;

/// A ScanCode license key and what it is in SPDX terms.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LicenseInfo {
    pub key: String,
    /// The SPDX id, or `LicenseRef-scancode-<key>`.
    pub spdx: String,
    pub name: String,
    /// ScanCode's category (Permissive, Copyleft, Copyleft Limited, Proprietary Free, ...).
    pub category: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exception: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

/// Where the store comes from, recorded inside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// The ScanCode wheel (or folder) the rules were read from, and its SHA-256.
    pub scancode_source: String,
    pub scancode_digest: String,
    /// SHA-256 over ospo's own inputs (curated rules, build parameters, tokenizer version).
    pub curated_digest: String,
    pub license_list_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Meta {
    pub provenance: Provenance,
    /// Every ScanCode license (deprecated ones too: old rules and saved scans name them).
    pub licenses: Vec<LicenseInfo>,
    /// The distinct SPDX expressions of the rules; rules point into this list.
    pub expressions: Vec<String>,
    /// Counts made by the build (rules by kind, dropped rules, ...), for the README.
    pub stats: Vec<(String, u64)>,
}

/// Keys are already well spread (FNV of short strings): a cheap multiply-shift hasher.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn write_u8(&mut self, i: u8) {
        // str's Hash writes a 0xff terminator; fold it in cheaply.
        self.0 = self.0.rotate_left(5) ^ u64::from(i);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Word -> token id (see [`LicenseDb::token`]).
struct Dictionary {
    short: HashMap<u128, u16, foldhash::fast::FixedState>,
    long: HashMap<Box<str>, u16, foldhash::fast::FixedState>,
}

impl Dictionary {
    fn with_capacity(n: usize) -> Self {
        let hasher = foldhash::fast::FixedState::default();
        Dictionary {
            short: HashMap::with_capacity_and_hasher(n, hasher),
            long: HashMap::with_hasher(foldhash::fast::FixedState::default()),
        }
    }

    /// A word's bytes, zero-padded: tokens are letters and digits, never NUL, so two
    /// words of different lengths never pack alike.
    fn pack(w: &str) -> Option<u128> {
        let b = w.as_bytes();
        (b.len() <= 16).then(|| {
            let mut k = [0u8; 16];
            k[..b.len()].copy_from_slice(b);
            u128::from_le_bytes(k)
        })
    }

    fn insert(&mut self, w: &str, t: u16) {
        match Self::pack(w) {
            Some(k) => self.short.insert(k, t),
            None => self.long.insert(w.into(), t),
        };
    }

    fn get(&self, w: &str) -> Option<u16> {
        match Self::pack(w) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(w).copied(),
        }
    }
}

/// The loaded store.
pub struct LicenseDb {
    pub meta: Meta,
    /// Word -> token, for every word of every matched region. Words of up to 16 bytes (all
    /// but a few) are keyed by their bytes packed in a `u128`: a boxed key's bytes sit in an
    /// allocation of their own, and fetching them for the comparison was a cache miss per
    /// word that cost more than the rest of tokenizing.
    dictionary: Dictionary,
    token_text: Vec<Box<str>>,
    rule_tok_start: Vec<u32>,
    rule_tokens: Vec<u16>,
    rule_expr: Vec<u32>,
    rule_flags: Vec<u16>,
    rule_relevance: Vec<u8>,
    rule_min_cov: Vec<u8>,
    rule_req_start: Vec<u32>,
    req_spans: Vec<u32>,
    rule_ident_start: Vec<u32>,
    ident_blob: String,
    /// Token trie over the rules matched exactly (CSR: children of node n are
    /// `child_start[n]..child_start[n+1]`, sorted by token).
    pub trie: Trie,
    /// Rules too long for the trie, by the hash of their first [`START_LEN`] tokens: a
    /// verbatim copy of a long text is found without alignment.
    pub long_starts: FastMap<u64, Vec<u32>>,
    /// One bit per [`start_bit`] of the keys of `long_starts`: the probe every query
    /// position makes is a bit test in 128 KiB, and only the rare position whose bit is
    /// set looks in the hash map (3-4% less user CPU on the benchmark tree).
    pub long_start_bits: Vec<u64>,
    /// For each token, the approximately matchable rules that hold it.
    post_start: Vec<u32>,
    post_rules: Vec<u32>,
    /// Inverse document frequency of each token over those rules.
    pub idf: Vec<f32>,
    /// License vocabulary: words that many rules hold ("license", "warranty", "permission",
    /// "distribute"), English function words excepted. How much of a region is such words
    /// tells license prose from code and its comments.
    pub legal: Vec<bool>,
    /// Words that carry one of the pre-filter's keywords ("license", "copyright", "gpl",
    /// "warranty", "spdx", "domain", the "c" of "(c)"): a code region whose known words
    /// hold none was cut around a keyword inside an identifier the store does not know
    /// (`ILicenseValidator`, `getLicenseKind`), and names no license.
    pub keyword: Vec<bool>,
    /// Per approximately matchable rule, its distinct tokens, sorted.
    fwd_start: Vec<u32>,
    fwd_tokens: Vec<u16>,
    /// Per rule, the sum of the idf of its distinct tokens.
    pub rule_weight: Vec<f32>,
    /// zstd frame of the ScanCode texts of licenses without an SPDX text, read on demand.
    texts_packed: Vec<u8>,
    texts: OnceLock<HashMap<String, String>>,
    spdx_index: HashMap<String, usize>,
}

pub struct Trie {
    /// The root's child for each token (u32::MAX: none): the root has a child for most
    /// words, and this is the first step from every query position.
    pub root: Vec<u32>,
    pub child_start: Vec<u32>,
    pub child_tok: Vec<u16>,
    pub child_node: Vec<u32>,
    pub rule_start: Vec<u32>,
    pub rules: Vec<u32>,
}

impl Trie {
    /// The child of `node` along `tok`.
    #[inline]
    pub fn child(&self, node: u32, tok: u16) -> Option<u32> {
        if node == 0 {
            return self
                .root
                .get(tok as usize)
                .copied()
                .filter(|&c| c != u32::MAX);
        }
        let (a, b) = (
            self.child_start[node as usize] as usize,
            self.child_start[node as usize + 1] as usize,
        );
        let kids = &self.child_tok[a..b];
        kids.binary_search(&tok)
            .ok()
            .map(|i| self.child_node[a + i])
    }
    /// Rules whose tokens end at `node`.
    #[inline]
    pub fn rules_at(&self, node: u32) -> &[u32] {
        let (a, b) = (
            self.rule_start[node as usize] as usize,
            self.rule_start[node as usize + 1] as usize,
        );
        &self.rules[a..b]
    }
}

static DB: OnceLock<LicenseDb> = OnceLock::new();

/// The process-wide store, loaded on first use.
pub fn db() -> &'static LicenseDb {
    DB.get_or_init(|| {
        LicenseDb::from_bytes(STORE_BYTES).expect(
            "the embedded license store is corrupt: rebuild it with `cargo run --release --bin build-license-db`",
        )
    })
}

/// SHA-256 of the embedded store's bytes: the identity of the license knowledge, which
/// the result cache keys its outcomes by (computed once, without loading the store).
pub fn store_identity() -> &'static [u8; 32] {
    static ID: OnceLock<[u8; 32]> = OnceLock::new();
    ID.get_or_init(|| {
        use sha2::Digest;
        sha2::Sha256::digest(STORE_BYTES).into()
    })
}

/// Load the store on a background thread, so it is ready when the first license is met.
pub fn prefetch() {
    std::thread::spawn(|| {
        db();
    });
}

/// Decompresses one zstd frame: into a buffer of its recorded size at once when the frame
/// says it (the builder's frames do), else by streaming. Growing the buffer by doubling
/// touched several times the memory, and zeroing fresh pages was half the store's load.
fn unpack(frame: &[u8]) -> std::io::Result<Vec<u8>> {
    const MAX: u64 = 1 << 30;
    match zstd::zstd_safe::get_frame_content_size(frame) {
        Ok(Some(n)) if n <= MAX => zstd::bulk::decompress(frame, n as usize),
        _ => zstd::decode_all(frame),
    }
}

impl LicenseDb {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < 16 || &bytes[..8] != MAGIC {
            bail!("not an ospo license store of this version (bad magic)");
        }
        let meta_len = u64::from_le_bytes(bytes[8..16].try_into()?) as usize;
        let meta_end = 16usize
            .checked_add(meta_len)
            .filter(|&e| e <= bytes.len())
            .context("license store is truncated")?;
        let meta: Meta = serde_json::from_slice(&bytes[16..meta_end])?;
        let raw = unpack(&bytes[meta_end..]).context("license store index")?;
        let mut r = Reader::new(&raw);

        let tok_blob = r.string()?;
        let tok_offsets = r.u32s()?;
        let n_tokens = tok_offsets.len().saturating_sub(1);
        check_offsets("tokens", &tok_offsets, n_tokens, tok_blob.len())?;
        if n_tokens >= UNKNOWN_TOKEN as usize {
            bail!("license store has too many tokens");
        }
        let mut token_text = Vec::with_capacity(n_tokens);
        let mut dictionary = Dictionary::with_capacity(n_tokens);
        for (i, w) in tok_offsets.windows(2).enumerate() {
            let t: Box<str> = tok_blob
                .get(w[0] as usize..w[1] as usize)
                .context("license store is corrupt (token)")?
                .into();
            dictionary.insert(&t, i as u16);
            token_text.push(t);
        }

        let rule_tok_start = r.u32s()?;
        let rule_tokens = r.u16s()?;
        let n_rules = rule_tok_start.len().saturating_sub(1);
        check_offsets("rule tokens", &rule_tok_start, n_rules, rule_tokens.len())?;
        let rule_expr = r.u32s()?;
        let rule_flags = r.u16s()?;
        let rule_relevance = r.u8s()?;
        let rule_min_cov = r.u8s()?;
        let rule_req_start = r.u32s()?;
        let req_spans = r.u32s()?;
        let rule_ident_start = r.u32s()?;
        let ident_blob = r.string()?;
        for (name, len) in [
            ("expressions", rule_expr.len()),
            ("flags", rule_flags.len()),
            ("relevance", rule_relevance.len()),
            ("coverage", rule_min_cov.len()),
        ] {
            if len != n_rules {
                bail!("license store is corrupt ({name})");
            }
        }
        check_offsets("phrases", &rule_req_start, n_rules, req_spans.len())?;
        check_offsets("identifiers", &rule_ident_start, n_rules, ident_blob.len())?;
        if rule_expr
            .iter()
            .any(|&e| e as usize >= meta.expressions.len())
            || rule_tokens.iter().any(|&t| t as usize >= n_tokens)
        {
            bail!("license store is corrupt (rule references)");
        }

        let mut trie = Trie {
            root: Vec::new(),
            child_start: r.u32s()?,
            child_tok: r.u16s()?,
            child_node: r.u32s()?,
            rule_start: r.u32s()?,
            rules: r.u32s()?,
        };
        let n_nodes = trie.child_start.len().saturating_sub(1);
        check_offsets("trie", &trie.child_start, n_nodes, trie.child_tok.len())?;
        check_offsets("trie rules", &trie.rule_start, n_nodes, trie.rules.len())?;
        if trie.child_node.len() != trie.child_tok.len()
            || trie.child_node.iter().any(|&n| n as usize >= n_nodes)
            || trie.rules.iter().any(|&x| x as usize >= n_rules)
        {
            bail!("license store is corrupt (trie)");
        }
        if n_nodes > 0 {
            let mut root = vec![u32::MAX; n_tokens];
            let (a, b) = (trie.child_start[0] as usize, trie.child_start[1] as usize);
            for i in a..b {
                if let Some(slot) = root.get_mut(trie.child_tok[i] as usize) {
                    *slot = trie.child_node[i];
                }
            }
            trie.root = root;
        }

        let post_start = r.u32s()?;
        let post_rules = r.u32s()?;
        check_offsets("postings", &post_start, n_tokens, post_rules.len())?;
        if post_rules.iter().any(|&x| x as usize >= n_rules) {
            bail!("license store is corrupt (postings)");
        }
        let texts_packed = r.u8s()?;
        if !r.done() {
            bail!("license store has trailing bytes");
        }
        let n_approx = rule_flags
            .iter()
            .filter(|f| *f & F_APPROX != 0)
            .count()
            .max(1) as f32;
        let idf = post_start
            .windows(2)
            .map(|w| {
                let df = (w[1] - w[0]) as f32;
                if df == 0.0 {
                    0.0
                } else {
                    (n_approx / df).ln().max(0.05)
                }
            })
            .collect::<Vec<f32>>();
        // The forward index (each approximately matchable rule's distinct words, sorted),
        // transposed from the postings, and what each rule's words weigh.
        let mut fwd_start = vec![0u32; n_rules + 1];
        for &r in &post_rules {
            fwd_start[r as usize + 1] += 1;
        }
        for i in 0..n_rules {
            fwd_start[i + 1] += fwd_start[i];
        }
        let mut fill = fwd_start.clone();
        let mut fwd_tokens = vec![0u16; post_rules.len()];
        let mut rule_weight = vec![0f32; n_rules];
        for (t, w) in post_start.windows(2).enumerate() {
            for &r in &post_rules[w[0] as usize..w[1] as usize] {
                fwd_tokens[fill[r as usize] as usize] = t as u16;
                fill[r as usize] += 1;
                rule_weight[r as usize] += idf[t];
            }
        }
        let legal = post_start
            .windows(2)
            .zip(&token_text)
            .map(|(w, t)| {
                (w[1] - w[0]) as usize >= LEGAL_DF
                    && t.len() >= 3
                    && !t.bytes().all(|b| b.is_ascii_digit())
                    && !FUNCTION_WORDS.contains(&&**t)
            })
            .collect();
        let keyword = token_text
            .iter()
            .map(|t| crate::detect::prefilter::token_has_keyword(t))
            .collect();
        let mut long_starts: FastMap<u64, Vec<u32>> = FastMap::default();
        for r in 0..n_rules {
            let toks = &rule_tokens[rule_tok_start[r] as usize..rule_tok_start[r + 1] as usize];
            // False positives and phrases of any length are in the trie already.
            let in_trie = RuleKind::from_bits(rule_flags[r]) == RuleKind::FalsePositive
                || rule_flags[r] & (F_CONTINUOUS | F_REQUIRED_PHRASE) != 0;
            if toks.len() > TRIE_MAX_LEN && !in_trie {
                long_starts
                    .entry(start_hash(&toks[..START_LEN]))
                    .or_default()
                    .push(r as u32);
            }
        }
        let mut long_start_bits = vec![0u64; START_BITS / 64];
        for &h in long_starts.keys() {
            let b = start_bit(h);
            long_start_bits[b / 64] |= 1 << (b % 64);
        }
        let spdx_index = meta
            .licenses
            .iter()
            .enumerate()
            .map(|(i, l)| (l.spdx.clone(), i))
            .collect();
        Ok(LicenseDb {
            meta,
            dictionary,
            token_text,
            rule_tok_start,
            rule_tokens,
            rule_expr,
            rule_flags,
            rule_relevance,
            rule_min_cov,
            rule_req_start,
            req_spans,
            rule_ident_start,
            ident_blob,
            trie,
            long_starts,
            long_start_bits,
            legal,
            keyword,
            post_start,
            post_rules,
            fwd_start,
            fwd_tokens,
            idf,
            rule_weight,
            texts_packed,
            texts: OnceLock::new(),
            spdx_index,
        })
    }

    /// The id of a (lower-cased) word, or [`UNKNOWN_TOKEN`].
    #[inline]
    pub fn token(&self, word: &str) -> u16 {
        self.dictionary.get(word).unwrap_or(UNKNOWN_TOKEN)
    }

    pub fn token_text(&self, t: u16) -> &str {
        self.token_text.get(t as usize).map_or("?", |s| s)
    }

    pub fn tokens_count(&self) -> usize {
        self.token_text.len()
    }

    pub fn rules_count(&self) -> usize {
        self.rule_flags.len()
    }

    #[inline]
    pub fn rule_tokens(&self, r: u32) -> &[u16] {
        let r = r as usize;
        &self.rule_tokens[self.rule_tok_start[r] as usize..self.rule_tok_start[r + 1] as usize]
    }

    #[inline]
    pub fn rule_len(&self, r: u32) -> u32 {
        let r = r as usize;
        self.rule_tok_start[r + 1] - self.rule_tok_start[r]
    }

    /// Which of [`Meta::expressions`] rule `r` means.
    #[inline]
    pub fn rule_expression_index(&self, r: u32) -> u32 {
        self.rule_expr[r as usize]
    }

    pub fn rule_expression(&self, r: u32) -> &str {
        &self.meta.expressions[self.rule_expr[r as usize] as usize]
    }

    #[inline]
    pub fn rule_flags(&self, r: u32) -> u16 {
        self.rule_flags[r as usize]
    }

    #[inline]
    pub fn rule_kind(&self, r: u32) -> RuleKind {
        RuleKind::from_bits(self.rule_flags[r as usize])
    }

    #[inline]
    pub fn rule_relevance(&self, r: u32) -> u8 {
        self.rule_relevance[r as usize]
    }

    #[inline]
    pub fn rule_min_coverage(&self, r: u32) -> u8 {
        self.rule_min_cov[r as usize]
    }

    /// Required phrases of rule `r` as `[start, end)` token ranges.
    pub fn required_phrases(&self, r: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        let r = r as usize;
        let s =
            &self.req_spans[self.rule_req_start[r] as usize..self.rule_req_start[r + 1] as usize];
        s.chunks_exact(2).map(|c| (c[0], c[1]))
    }

    /// The rule's file name in ScanCode's data (`mit_14.RULE`, `mit.LICENSE`), or
    /// `spdx:<id>` / `ospo:<name>` for the SPDX texts and curated rules.
    pub fn rule_identifier(&self, r: u32) -> &str {
        let r = r as usize;
        &self.ident_blob[self.rule_ident_start[r] as usize..self.rule_ident_start[r + 1] as usize]
    }

    /// Approximately matchable rules holding token `t`.
    #[inline]
    pub fn postings(&self, t: u16) -> &[u32] {
        let t = t as usize;
        match (self.post_start.get(t), self.post_start.get(t + 1)) {
            (Some(&a), Some(&b)) => &self.post_rules[a as usize..b as usize],
            _ => &[],
        }
    }

    /// The distinct tokens of an approximately matchable rule, sorted.
    #[inline]
    pub fn rule_vocabulary(&self, r: u32) -> &[u16] {
        let r = r as usize;
        &self.fwd_tokens[self.fwd_start[r] as usize..self.fwd_start[r + 1] as usize]
    }

    /// The ScanCode license behind an SPDX id or `LicenseRef-scancode-` id.
    pub fn license_by_spdx(&self, id: &str) -> Option<&LicenseInfo> {
        self.spdx_index.get(id).map(|&i| &self.meta.licenses[i])
    }

    /// ScanCode's text of a license that has no SPDX text (`LicenseRef-scancode-*`).
    pub fn scancode_text(&self, spdx_id: &str) -> Option<&str> {
        let map = self.texts.get_or_init(|| {
            let Ok(raw) = unpack(&self.texts_packed[..]) else {
                return HashMap::new();
            };
            let mut r = Reader::new(&raw);
            let mut out = HashMap::new();
            while !r.done() {
                let (Ok(id), Ok(text)) = (r.string(), r.string()) else {
                    break;
                };
                out.insert(id, text);
            }
            out
        });
        map.get(spdx_id).map(String::as_str)
    }
}

/// Ids that share the text of `name` (itself included), sorted: a GNU license text is the
/// same for its -only and -or-later forms, which only a notice can tell apart.
pub fn same_text(name: &str) -> Vec<String> {
    const GNU: &[&str] = &[
        "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-1.0",
        "AGPL-3.0", "GFDL-1.1", "GFDL-1.2", "GFDL-1.3",
    ];
    let base = name
        .strip_suffix("-only")
        .or_else(|| name.strip_suffix("-or-later"));
    match base {
        Some(b) if GNU.contains(&b) => {
            let mut v = vec![format!("{b}-only"), format!("{b}-or-later")];
            v.sort();
            v
        }
        _ => vec![name.to_string()],
    }
}

/// The full text of a license or exception: the SPDX text from the spdx crate, or for a
/// `LicenseRef-scancode-` id ScanCode's text.
pub fn license_text(id: &str) -> Option<&'static str> {
    if let Some(l) = spdx::license_id(id) {
        return Some(l.text());
    }
    if let Some(e) = spdx::exception_id(id) {
        return Some(e.text());
    }
    if id.starts_with("LicenseRef-scancode-") {
        return db().scancode_text(id);
    }
    None
}

/// The category ScanCode gives a `LicenseRef-scancode-` id (for the policy's categories).
pub fn scancode_category(id: &str) -> Option<&'static str> {
    if !id.starts_with("LicenseRef-scancode-") {
        return None;
    }
    db().license_by_spdx(id).map(|l| l.category.as_str())
}

/// Whether a `LicenseRef-scancode-*` id is one of ScanCode's exceptions (a permission
/// added to a license, like `musl-exception`), which SPDX does not list.
pub fn is_scancode_exception(id: &str) -> bool {
    id.starts_with("LicenseRef-scancode-") && db().license_by_spdx(id).is_some_and(|l| l.exception)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bitset before the long-rule probe stays sparse (a full one would only add a
    /// test to every probe), and every long rule's start gets past it.
    #[test]
    fn long_rule_starts_are_filtered_by_a_sparse_bitset() {
        let db = db();
        let set: u32 = db.long_start_bits.iter().map(|w| w.count_ones()).sum();
        let share = f64::from(set) / START_BITS as f64;
        assert!(share < 0.02, "{:.2}% of the bits set", share * 100.0);
        for (&h, rules) in &db.long_starts {
            assert_eq!(db.long_rules_at(h), Some(&rules[..]));
        }
    }

    #[test]
    fn store_loads_and_is_consistent() {
        let db = db();
        assert!(db.rules_count() > 30_000, "{}", db.rules_count());
        assert!(db.tokens_count() > 20_000);
        assert!(db.meta.licenses.len() > 2_000);
        // Every expression a rule writes is valid SPDX (ids current, LicenseRef- allowed),
        // but for a lone exception, which the matcher joins to its license. False positives
        // have none.
        for e in db.meta.expressions.iter().filter(|e| !e.is_empty()) {
            let lone_exception = spdx::exception_id(e).is_some();
            assert!(
                lone_exception || spdx::Expression::parse(e).is_ok(),
                "rule expression {e:?} is not valid SPDX"
            );
            for id in crate::expression::license_ids(e) {
                assert_eq!(
                    crate::expression::current_id(&id),
                    id,
                    "{e}: {id} is not current"
                );
            }
        }
        let mit = db.license_by_spdx("MIT").unwrap();
        assert_eq!(mit.key, "mit");
    }

    /// The committed store was built from today's tokenizer, build parameters and curated
    /// rules: change one of them without `build-license-db` and this fails.
    #[test]
    fn committed_store_matches_its_curated_inputs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("license-db");
        assert_eq!(
            db().meta.provenance.curated_digest,
            build::curated_digest(&dir).unwrap(),
            "license-db/store.bin.zst is stale: run `cargo run --release --bin build-license-db`"
        );
    }

    #[test]
    fn gnu_twins_share_one_text() {
        assert_eq!(
            same_text("GPL-2.0-only"),
            ["GPL-2.0-only", "GPL-2.0-or-later"]
        );
        assert_eq!(same_text("MIT"), ["MIT"]);
    }

    #[test]
    fn scancode_texts_for_license_refs() {
        let id = &db()
            .meta
            .licenses
            .iter()
            .find(|l| l.spdx.starts_with("LicenseRef-scancode-") && !l.unknown)
            .unwrap()
            .spdx;
        assert!(license_text(id).is_some_and(|t| t.len() > 20), "{id}");
    }
}
