//! Builds `license-db/store.bin.zst` from ScanCode's license database, the SPDX texts of the
//! `spdx` crate and ospo's curated rules (`license-db/rules/*.RULE`, ScanCode's format with
//! SPDX expressions). Deterministic: the same inputs give the same bytes.
//!
//! What the build decides, once, so the matcher does not have to:
//! - every ScanCode key gets its SPDX id, or `LicenseRef-scancode-<key>` as ScanCode writes
//!   it; an exception without an SPDX id cannot follow WITH, so `X WITH e` becomes `X AND
//!   LicenseRef-scancode-e`; every expression is checked with the spdx crate's parser;
//! - each rule's thresholds (relevance, minimum coverage) from its stored values or, like
//!   ScanCode, from its length; whether it may be matched approximately;
//! - rules that tokenize the same are one rule (the first by name), counted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use super::format::Writer;
use super::scancode::{self, Data};
use super::*;
use crate::detect::tokenize::{self, Piece};

/// Rules shorter than this are never matched approximately (ScanCode's "tiny").
const TINY_RULE: usize = 6;
/// References and tags shorter than this are matched exactly only ("small").
const SMALL_RULE: usize = 15;
const ZSTD_LEVEL: i32 = 19;

/// Parameters that change the store; part of its digest.
const BUILD_PARAMS: &str = "trie<=80 tiny<6 small<15 relevance:scancode-schedule v1";

struct RuleSpec {
    identifier: String,
    expression: String,
    kind: RuleKind,
    flags: u16,
    relevance: Option<u8>,
    min_cov: Option<u8>,
    text: String,
}

/// ospo's curated rules: ScanCode's rule format, with SPDX expressions.
fn curated(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = e?.path();
        if p.extension().and_then(|x| x.to_str()) != Some("RULE") {
            continue;
        }
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let raw = std::fs::read_to_string(&p).with_context(|| format!("reading {name}"))?;
        out.push((name, raw));
    }
    out.sort();
    Ok(out)
}

/// The ScanCode rules `corrections.toml` drops (file name -> why).
fn dropped(db_dir: &Path) -> Result<BTreeMap<String, String>> {
    #[derive(serde::Deserialize)]
    struct Corrections {
        #[serde(default)]
        drop: BTreeMap<String, String>,
    }
    let path = db_dir.join("corrections.toml");
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let raw =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let c: Corrections =
        toml::from_str(&raw).with_context(|| format!("parsing {}", path.display()))?;
    Ok(c.drop)
}

/// SHA-256 over ospo's own inputs: tokenizer version, build parameters, curated rules.
pub fn curated_digest(db_dir: &Path) -> Result<String> {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put(&format!(
        "{:?} tokenizer {} {BUILD_PARAMS} spdx {LICENSE_LIST_VERSION}",
        MAGIC,
        tokenize::TOKENIZER_VERSION
    ));
    for (name, raw) in curated(&db_dir.join("rules"))? {
        put(&name);
        put(&raw);
    }
    for (name, why) in dropped(db_dir)? {
        put(&name);
        put(&why);
    }
    Ok(hex::encode(h.finalize()))
}

/// ScanCode's relevance schedule: short rules are weak evidence.
fn computed_relevance(len: usize) -> u8 {
    if len >= 18 {
        100
    } else {
        ((len * 100 + 9) / 18).min(100) as u8
    }
}

/// ScanCode's default minimum coverage by rule length.
fn computed_min_coverage(len: usize) -> u8 {
    match len {
        0..=2 => 100,
        3..=9 => 80,
        10..=29 => 50,
        _ => 0,
    }
}

/// The SPDX id ScanCode's license `l` stands for.
fn spdx_of(l: &scancode::License) -> String {
    let fallback = || format!("LicenseRef-scancode-{}", l.key);
    match l.spdx_license_key.as_deref().map(str::trim) {
        Some(k) if k.starts_with("LicenseRef-") => k.to_string(),
        Some(k) if !k.is_empty() => {
            if let Some(id) = spdx::license_id(k) {
                crate::expression::current_id(id.name)
            } else if let Some(e) = spdx::exception_id(k) {
                e.name.to_string()
            } else {
                fallback()
            }
        }
        _ => fallback(),
    }
}

fn is_spdx_exception(id: &str) -> bool {
    spdx::license_id(id).is_none() && spdx::exception_id(id).is_some()
}

/// A ScanCode license expression in SPDX terms, or None when it cannot be written validly.
fn convert_expression(sc: &str, spdx_for: &HashMap<&str, String>) -> Option<String> {
    let spaced = sc.replace('(', " ( ").replace(')', " ) ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let op = w.to_ascii_uppercase();
        if matches!(op.as_str(), "AND" | "OR" | "WITH") {
            out.push(op);
            continue;
        }
        if *w == "(" || *w == ")" {
            out.push(w.to_string());
            continue;
        }
        let id = spdx_for.get(w)?.clone();
        let after_with = i > 0 && words[i - 1].eq_ignore_ascii_case("WITH");
        if after_with && !is_spdx_exception(&id) {
            // Only an SPDX exception may follow WITH; the term stays, as an obligation.
            *out.last_mut()? = "AND".into();
            out.push(id);
        } else if !after_with && is_spdx_exception(&id) && words.len() > 1 {
            out.push(format!("LicenseRef-scancode-{w}"));
        } else {
            out.push(id);
        }
    }
    let s = out.join(" ").replace("( ", "(").replace(" )", ")");
    // A lone exception (its text alone) is kept as the id: the matcher joins it to the
    // license it belongs to.
    if is_spdx_exception(&s) || spdx::Expression::parse(&s).is_ok() {
        Some(s)
    } else {
        None
    }
}

/// A ScanCode expression without its unknown keys and the operator that joined each.
fn without_unknown(sc: &str, unknown: &BTreeSet<&str>) -> Option<String> {
    let spaced = sc.replace('(', " ( ").replace(')', " ) ");
    let mut w: Vec<&str> = spaced.split_whitespace().collect();
    let op = |s: &str| matches!(s.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH");
    while let Some(i) = w.iter().position(|k| unknown.contains(k)) {
        if i > 0 && op(w[i - 1]) {
            w.drain(i - 1..=i);
        } else if i + 1 < w.len() && op(w[i + 1]) {
            w.drain(i..=i + 1);
        } else {
            w.remove(i);
        }
    }
    // "( )" left behind, or parentheses around one key.
    let s = w.join(" ").replace("( )", "");
    (!s.trim().is_empty()).then_some(s)
}

fn kind_of(r: &scancode::Rule) -> Option<RuleKind> {
    Some(if r.is_false_positive {
        RuleKind::FalsePositive
    } else if r.is_license_text {
        RuleKind::Text
    } else if r.is_license_notice {
        RuleKind::Notice
    } else if r.is_license_reference {
        RuleKind::Reference
    } else if r.is_license_tag {
        RuleKind::Tag
    } else if r.is_license_intro {
        RuleKind::Intro
    } else if r.is_license_clue {
        RuleKind::Clue
    } else {
        return None;
    })
}

fn rule_flags(r: &scancode::Rule) -> u16 {
    let mut f = 0;
    if r.is_continuous {
        f |= F_CONTINUOUS;
    }
    if r.is_required_phrase {
        f |= F_REQUIRED_PHRASE;
    }
    f
}

/// Tokens and required-phrase spans of a rule text; None for unbalanced markers.
fn rule_tokens(text: &str, dict: &mut BTreeMap<String, u32>) -> Option<(Vec<String>, Vec<u32>)> {
    let mut toks = Vec::new();
    let mut spans = Vec::new();
    let mut open: Option<u32> = None;
    let mut ok = true;
    tokenize::pieces(text, 1, true, |p| match p {
        Piece::Word(w, ..) => {
            *dict.entry(w.to_string()).or_insert(0) += 1;
            toks.push(w.to_string());
        }
        Piece::Open => {
            if open.is_some() {
                ok = false;
            }
            open = Some(toks.len() as u32);
        }
        Piece::Close => match open.take() {
            Some(s) if (s as usize) < toks.len() => {
                spans.push(s);
                spans.push(toks.len() as u32);
            }
            _ => ok = false,
        },
        Piece::Break { .. } => {}
    });
    (ok && open.is_none()).then_some((toks, spans))
}

struct Built {
    spec: RuleSpec,
    tokens: Vec<String>,
    spans: Vec<u32>,
}

/// Build the store bytes from ScanCode's data and `license-db/`.
pub fn build(db_dir: &Path, sc: &Data) -> Result<Vec<u8>> {
    let mut stats: BTreeMap<String, u64> = BTreeMap::new();
    let mut stat = |k: &str, n: u64| *stats.entry(k.to_string()).or_insert(0) += n;

    // --- licenses: ScanCode's SPDX key, or the SPDX id of a text ScanCode does not know
    // by that id yet (the SPDX list moved on), or LicenseRef-scancode-<key>.
    let mut spdx_for: HashMap<&str, String> = sc
        .licenses
        .iter()
        .map(|l| (l.key.as_str(), spdx_of(l)))
        .collect();
    let words_of =
        |text: &str| -> Vec<String> { tokenize::tokens(text).into_iter().map(|t| t.0).collect() };
    let scancode_only: HashMap<Vec<String>, &str> = sc
        .licenses
        .iter()
        .filter(|l| !l.is_deprecated && spdx_for[l.key.as_str()].starts_with("LicenseRef-"))
        .map(|l| (words_of(&l.text), l.key.as_str()))
        .collect();
    let mut spdx_texts: Vec<(&str, &str)> = Vec::new();
    for id in spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
    {
        let (deprecated, text) = match (spdx::license_id(id), spdx::exception_id(id)) {
            (Some(l), _) => (l.is_deprecated(), l.text()),
            (None, Some(e)) => (e.is_deprecated(), e.text()),
            _ => continue,
        };
        if deprecated
            || crate::expression::current_id(id) != id
            || matches!(id, "NOASSERTION" | "NONE")
        {
            continue;
        }
        if spdx_for.values().any(|v| v == id) {
            continue;
        }
        match scancode_only.get(&words_of(text)) {
            Some(key) => {
                stat("ScanCode licenses named by their new SPDX id", 1);
                spdx_for.insert(key, id.to_string());
            }
            None => spdx_texts.push((id, text)),
        }
    }
    let licenses: Vec<LicenseInfo> = sc
        .licenses
        .iter()
        .map(|l| LicenseInfo {
            key: l.key.clone(),
            spdx: spdx_for[l.key.as_str()].clone(),
            name: l
                .name
                .clone()
                .or_else(|| l.short_name.clone())
                .unwrap_or_else(|| l.key.clone()),
            category: l
                .category
                .clone()
                .unwrap_or_else(|| "Unstated License".into()),
            exception: l.is_exception,
            unknown: l.is_unknown,
        })
        .collect();
    let unknown_keys: BTreeSet<&str> = sc
        .licenses
        .iter()
        .filter(|l| l.is_unknown)
        .map(|l| l.key.as_str())
        .collect();

    // --- rules: license texts, ScanCode rules, SPDX texts ScanCode lacks, curated rules
    let mut specs: Vec<RuleSpec> = Vec::new();
    for l in &sc.licenses {
        if l.is_deprecated {
            continue;
        }
        let spdx = spdx_for[l.key.as_str()].clone();
        if l.text.trim().is_empty() {
            stat("licenses without text", 1);
            continue;
        }
        let mut flags = F_LICENSE_TEXT;
        if l.is_unknown {
            flags |= F_UNKNOWN;
        }
        specs.push(RuleSpec {
            identifier: format!("{}.LICENSE", l.key),
            expression: spdx,
            kind: RuleKind::Text,
            flags,
            relevance: Some(100),
            min_cov: l.minimum_coverage,
            text: l.text.clone(),
        });
    }
    let corrections = dropped(db_dir)?;
    for name in corrections.keys() {
        if !sc.rules.iter().any(|r| &r.identifier == name) {
            bail!("corrections.toml drops {name}, which ScanCode's data does not have (remove the entry)");
        }
    }
    for r in &sc.rules {
        if r.is_deprecated {
            stat("rules deprecated (skipped)", 1);
            continue;
        }
        if corrections.contains_key(&r.identifier) {
            stat("rules dropped by corrections.toml", 1);
            continue;
        }
        let Some(kind) = kind_of(r) else {
            stat("rules without a kind (skipped)", 1);
            continue;
        };
        let expression = match (&r.license_expression, kind) {
            (_, RuleKind::FalsePositive) => String::new(),
            (Some(e), _) => match convert_expression(e, &spdx_for) {
                Some(x) => x,
                None => {
                    stat("rules whose expression has no valid SPDX form (skipped)", 1);
                    continue;
                }
            },
            (None, _) => {
                stat("rules without an expression (skipped)", 1);
                continue;
            }
        };
        let mut flags = rule_flags(r);
        let mut expression = expression;
        if let Some(e) = &r.license_expression {
            let keys: Vec<&str> = e
                .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
                .filter(|k| {
                    !k.is_empty()
                        && !matches!(k.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH")
                })
                .collect();
            if keys.iter().all(|k| unknown_keys.contains(k)) {
                flags |= F_UNKNOWN;
            } else if keys.iter().any(|k| unknown_keys.contains(k)) {
                // "gpl-2.0 AND free-unknown": the known license is what the text grants.
                match without_unknown(e, &unknown_keys)
                    .and_then(|e| convert_expression(&e, &spdx_for))
                {
                    Some(x) => {
                        stat(
                            "rules with an unknown part dropped from their expression",
                            1,
                        );
                        expression = x;
                    }
                    None => flags |= F_UNKNOWN,
                }
            }
        }
        specs.push(RuleSpec {
            identifier: r.identifier.clone(),
            expression,
            kind,
            flags,
            relevance: r.relevance,
            min_cov: r.minimum_coverage,
            text: r.text.clone(),
        });
    }
    for (id, text) in spdx_texts {
        stat("SPDX texts ScanCode does not have", 1);
        specs.push(RuleSpec {
            identifier: format!("spdx:{id}"),
            expression: id.to_string(),
            kind: RuleKind::Text,
            flags: F_LICENSE_TEXT,
            relevance: Some(100),
            min_cov: None,
            text: text.to_string(),
        });
    }
    for (name, raw) in curated(&db_dir.join("rules"))? {
        let (yaml, text) = match raw
            .strip_prefix("---\n")
            .and_then(|r| r.split_once("\n---\n"))
        {
            Some(x) => x,
            None => bail!("license-db/rules/{name}: no front matter"),
        };
        let r: scancode::Rule =
            serde_yaml_ng::from_str(yaml).with_context(|| format!("license-db/rules/{name}"))?;
        let kind = kind_of(&r).with_context(|| format!("license-db/rules/{name}: no kind"))?;
        let expression = r.license_expression.clone().unwrap_or_default();
        if kind != RuleKind::FalsePositive
            && spdx::Expression::parse(&expression).is_err()
            && !is_spdx_exception(&expression)
        {
            bail!("license-db/rules/{name}: {expression:?} is not an SPDX expression");
        }
        specs.push(RuleSpec {
            identifier: format!("ospo:{name}"),
            expression,
            kind,
            flags: rule_flags(&r) | F_CURATED,
            relevance: r.relevance,
            min_cov: r.minimum_coverage,
            text: text.to_string(),
        });
    }
    // ospo's rules first, then ScanCode's by name: the first of two identical texts stays.
    specs.sort_by(|a, b| {
        let rank = |s: &RuleSpec| {
            if s.flags & F_CURATED != 0 {
                0
            } else if s.identifier.ends_with(".LICENSE") {
                1
            } else {
                2
            }
        };
        (rank(a), &a.identifier).cmp(&(rank(b), &b.identifier))
    });

    // --- tokens
    let mut dict_counts: BTreeMap<String, u32> = BTreeMap::new();
    let mut built: Vec<Built> = Vec::new();
    let mut seen: HashMap<Vec<String>, (String, String)> = HashMap::new();
    for spec in specs {
        let Some((tokens, spans)) = rule_tokens(&spec.text, &mut dict_counts) else {
            stat("rules with unbalanced {{ }} (skipped)", 1);
            continue;
        };
        if tokens.is_empty() {
            stat("rules without words (skipped)", 1);
            continue;
        }
        if let Some((first, expr)) = seen.get(&tokens) {
            if *expr == spec.expression {
                stat("rules identical to another (merged)", 1);
            } else {
                stat(
                    "rules identical to another with another expression (dropped)",
                    1,
                );
                if std::env::var_os("OSPO_BUILD_VERBOSE").is_some() {
                    eprintln!(
                        "same text: {} ({}) kept over {} ({})",
                        first, expr, spec.identifier, spec.expression
                    );
                }
            }
            continue;
        }
        seen.insert(
            tokens.clone(),
            (spec.identifier.clone(), spec.expression.clone()),
        );
        built.push(Built {
            spec,
            tokens,
            spans,
        });
    }
    drop(seen);
    let words: Vec<String> = dict_counts.into_keys().collect();
    if words.len() >= UNKNOWN_TOKEN as usize {
        bail!(
            "{} distinct words: more than the store's u16 token ids",
            words.len()
        );
    }
    let id_of: HashMap<&str, u16> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i as u16))
        .collect();

    // --- rule tables
    let mut expressions: Vec<String> = Vec::new();
    let mut expr_index: HashMap<String, u32> = HashMap::new();
    let mut w = Writer::default();
    let mut tok_blob = String::new();
    let mut tok_offsets = vec![0u32];
    for t in &words {
        tok_blob.push_str(t);
        tok_offsets.push(tok_blob.len() as u32);
    }
    let n = built.len();
    let mut rule_tok_start = Vec::with_capacity(n + 1);
    let mut rule_tokens: Vec<u16> = Vec::new();
    let mut rule_expr = Vec::with_capacity(n);
    let mut rule_flags_v = Vec::with_capacity(n);
    let mut rule_relevance = Vec::with_capacity(n);
    let mut rule_min_cov = Vec::with_capacity(n);
    let mut rule_req_start = vec![0u32];
    let mut req_spans: Vec<u32> = Vec::new();
    let mut rule_ident_start = vec![0u32];
    let mut ident_blob = String::new();
    rule_tok_start.push(0u32);
    for b in &built {
        let len = b.tokens.len();
        rule_tokens.extend(b.tokens.iter().map(|t| id_of[t.as_str()]));
        rule_tok_start.push(rule_tokens.len() as u32);
        let e = *expr_index
            .entry(b.spec.expression.clone())
            .or_insert_with(|| {
                expressions.push(b.spec.expression.clone());
                (expressions.len() - 1) as u32
            });
        rule_expr.push(e);
        let mut flags = b.spec.flags | b.spec.kind as u16;
        // One required phrase spanning the whole rule: it must be matched as it is.
        if b.spans.len() == 2 && b.spans[0] == 0 && b.spans[1] as usize == len {
            flags |= F_CONTINUOUS;
        }
        let small = len < SMALL_RULE;
        let approx = !(b.spec.kind == RuleKind::FalsePositive
            || flags & (F_CONTINUOUS | F_REQUIRED_PHRASE) != 0
            || len < TINY_RULE
            || (small && matches!(b.spec.kind, RuleKind::Reference | RuleKind::Tag)));
        if approx {
            flags |= F_APPROX;
        }
        rule_flags_v.push(flags);
        let relevance = match b.spec.kind {
            RuleKind::FalsePositive => 100,
            _ if flags & F_REQUIRED_PHRASE != 0 && b.spec.relevance.is_none() => 90,
            _ => b.spec.relevance.unwrap_or_else(|| computed_relevance(len)),
        };
        rule_relevance.push(relevance);
        let bare_url = {
            let t = b.spec.text.trim_start();
            (t.starts_with("http://") || t.starts_with("https://") || t.starts_with("ftp://"))
                && !t.trim_end().contains('\n')
        };
        let min_cov = if bare_url {
            100
        } else {
            b.spec.min_cov.unwrap_or_else(|| computed_min_coverage(len))
        };
        rule_min_cov.push(min_cov);
        req_spans.extend(&b.spans);
        rule_req_start.push(req_spans.len() as u32);
        ident_blob.push_str(&b.spec.identifier);
        rule_ident_start.push(ident_blob.len() as u32);
        stat(&format!("rules: {}", b.spec.kind.name()), 1);
        if approx {
            stat("rules matched approximately", 1);
        }
    }
    stat("rules", n as u64);
    stat("distinct words", words.len() as u64);
    stat("rule tokens", rule_tokens.len() as u64);

    // --- exact-match trie
    let mut nodes: Vec<BTreeMap<u16, u32>> = vec![BTreeMap::new()];
    let mut node_rules: Vec<Vec<u32>> = vec![Vec::new()];
    for (r, b) in built.iter().enumerate() {
        let flags = rule_flags_v[r];
        let always = b.spec.kind == RuleKind::FalsePositive
            || flags & (F_CONTINUOUS | F_REQUIRED_PHRASE) != 0;
        if b.tokens.len() > TRIE_MAX_LEN && !always {
            continue;
        }
        let mut node = 0u32;
        let toks = &rule_tokens[rule_tok_start[r] as usize..rule_tok_start[r + 1] as usize];
        for &t in toks {
            let next = nodes.len() as u32;
            let child = *nodes[node as usize].entry(t).or_insert(next);
            if child == next {
                nodes.push(BTreeMap::new());
                node_rules.push(Vec::new());
            }
            node = child;
        }
        node_rules[node as usize].push(r as u32);
    }
    let mut child_start = vec![0u32];
    let mut child_tok = Vec::new();
    let mut child_node = Vec::new();
    let mut rule_start = vec![0u32];
    let mut trie_rules = Vec::new();
    for (node, kids) in nodes.iter().enumerate() {
        for (&t, &c) in kids {
            child_tok.push(t);
            child_node.push(c);
        }
        child_start.push(child_tok.len() as u32);
        trie_rules.extend(&node_rules[node]);
        rule_start.push(trie_rules.len() as u32);
    }
    stat("trie nodes", nodes.len() as u64);

    // --- postings for approximate candidates
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); words.len()];
    for r in 0..n {
        if rule_flags_v[r] & F_APPROX == 0 {
            continue;
        }
        let mut distinct: Vec<u16> =
            rule_tokens[rule_tok_start[r] as usize..rule_tok_start[r + 1] as usize].to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        for t in distinct {
            postings[t as usize].push(r as u32);
        }
    }
    let mut post_start = vec![0u32];
    let mut post_rules = Vec::new();
    for p in &postings {
        post_rules.extend(p);
        post_start.push(post_rules.len() as u32);
    }

    // --- ScanCode texts of licenses that have no SPDX text
    let mut texts = Writer::default();
    for l in &sc.licenses {
        let id = &spdx_for[l.key.as_str()];
        if !l.is_deprecated && id.starts_with("LicenseRef-scancode-") && !l.text.trim().is_empty() {
            texts.str(id);
            texts.str(&l.text);
        }
    }
    let texts_packed = zstd::encode_all(&texts.bytes[..], ZSTD_LEVEL)?;

    w.str(&tok_blob);
    w.u32s(&tok_offsets);
    w.u32s(&rule_tok_start);
    w.u16s(&rule_tokens);
    w.u32s(&rule_expr);
    w.u16s(&rule_flags_v);
    w.u8s(&rule_relevance);
    w.u8s(&rule_min_cov);
    w.u32s(&rule_req_start);
    w.u32s(&req_spans);
    w.u32s(&rule_ident_start);
    w.str(&ident_blob);
    w.u32s(&child_start);
    w.u16s(&child_tok);
    w.u32s(&child_node);
    w.u32s(&rule_start);
    w.u32s(&trie_rules);
    w.u32s(&post_start);
    w.u32s(&post_rules);
    w.u8s(&texts_packed);

    let meta = Meta {
        provenance: Provenance {
            scancode_source: sc.source.clone(),
            scancode_digest: sc.digest.clone(),
            curated_digest: curated_digest(db_dir)?,
            license_list_version: LICENSE_LIST_VERSION.to_string(),
        },
        licenses,
        expressions,
        stats: stats.into_iter().collect(),
    };
    let packed = zstd::encode_all(&w.bytes[..], ZSTD_LEVEL)?;
    let meta_json = serde_json::to_vec(&meta)?;
    let mut out = Vec::with_capacity(16 + meta_json.len() + packed.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(meta_json.len() as u64).to_le_bytes());
    out.extend_from_slice(&meta_json);
    out.extend_from_slice(&packed);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(key: &str, spdx: Option<&str>, exception: bool) -> scancode::License {
        scancode::License {
            key: key.into(),
            spdx_license_key: spdx.map(String::from),
            is_exception: exception,
            ..Default::default()
        }
    }

    #[test]
    fn expressions_in_spdx_terms() {
        let ls = [
            lic("gpl-2.0-plus", Some("GPL-2.0-or-later"), false),
            lic(
                "classpath-exception-2.0",
                Some("Classpath-exception-2.0"),
                true,
            ),
            lic("acme-exception", None, true),
            lic("mit", Some("MIT"), false),
            lic("foo", Some("LicenseRef-scancode-foo"), false),
        ];
        let m: HashMap<&str, String> = ls.iter().map(|l| (l.key.as_str(), spdx_of(l))).collect();
        let c = |s: &str| convert_expression(s, &m);
        assert_eq!(
            c("gpl-2.0-plus WITH classpath-exception-2.0").as_deref(),
            Some("GPL-2.0-or-later WITH Classpath-exception-2.0")
        );
        assert_eq!(
            c("gpl-2.0-plus WITH acme-exception").as_deref(),
            Some("GPL-2.0-or-later AND LicenseRef-scancode-acme-exception")
        );
        assert_eq!(
            c("(mit OR foo) AND gpl-2.0-plus").as_deref(),
            Some("(MIT OR LicenseRef-scancode-foo) AND GPL-2.0-or-later")
        );
        assert_eq!(
            c("classpath-exception-2.0").as_deref(),
            Some("Classpath-exception-2.0")
        );
        assert_eq!(c("nosuchkey"), None);
    }

    #[test]
    fn unknown_parts_are_dropped() {
        let u: BTreeSet<&str> = ["free-unknown", "unknown-license-reference"].into();
        assert_eq!(
            without_unknown("gpl-2.0 AND free-unknown", &u).as_deref(),
            Some("gpl-2.0")
        );
        assert_eq!(
            without_unknown("(mit OR unknown-license-reference) AND bsd-new", &u).as_deref(),
            Some("( mit ) AND bsd-new")
        );
        assert_eq!(without_unknown("free-unknown", &u), None);
    }

    #[test]
    fn thresholds_follow_the_length() {
        assert_eq!(computed_relevance(1), 6);
        assert_eq!(computed_relevance(18), 100);
        assert_eq!(computed_min_coverage(2), 100);
        assert_eq!(computed_min_coverage(12), 50);
        assert_eq!(computed_min_coverage(300), 0);
    }
}
