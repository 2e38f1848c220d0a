//! Word-bigram profiles and the inverted index over every license text, header and
//! alternate: the fast half of the matcher.
//!
//! askalono's Dice compares String-keyed hash maps against every license in its store,
//! 10–35 ms per text; on a large tree that is most of the scan. Here the same measure
//! (Dice over word bigrams) runs on hashed bigrams through an inverted index, which ranks
//! all ~800 variants in well under a millisecond, and the line window of a license inside
//! a longer text is found exactly by two linear sweeps. askalono's own `match_score` then
//! scores only the final window against the winning text (see `detect::text`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Keys are already hashes: pass them through.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type GramMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

fn token_hash(t: &str) -> u64 {
    // FNV-1a: tokens are short, and the hash only has to spread them.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in t.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn bigram(a: u64, b: u64) -> u64 {
    a.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29) ^ b
}

/// Lines that state a copyright are not part of any license text (askalono drops them
/// too). Only a line that *starts* with the statement counts: a paragraph that mentions
/// "the copyright owner" is license text.
pub fn is_copyright_line(lower: &str) -> bool {
    let t = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©');
    t.starts_with("copyright") || t.starts_with("(c)") || t.starts_with('©')
}

/// Per line, the hashed bigrams whose second word is on that line (the first may be on an
/// earlier line: a license text is one stream of words).
pub fn line_grams(text: &str) -> Vec<Vec<u64>> {
    let mut out = Vec::new();
    let mut prev: Option<u64> = None;
    let mut lower = String::new();
    for line in text.split('\n') {
        lower.clear();
        lower.push_str(line);
        lower.make_ascii_lowercase();
        let mut grams = Vec::new();
        if !is_copyright_line(&lower) {
            for tok in lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|t| !t.is_empty())
            {
                let h = token_hash(&normalize_word(tok));
                if let Some(p) = prev {
                    grams.push(bigram(p, h));
                }
                prev = Some(h);
            }
        }
        out.push(grams);
    }
    out
}

/// Spelling variants that do not change a license's meaning.
fn normalize_word(w: &str) -> std::borrow::Cow<'_, str> {
    match w {
        "licence" => "license".into(),
        "licences" => "licenses".into(),
        "licensor" | "licenser" => "licensor".into(),
        "whilst" => "while".into(),
        _ if !w.is_ascii() => w.to_lowercase().into(),
        _ => w.into(),
    }
}

/// A bag of bigrams: sorted (gram, count) pairs and the total count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub grams: Vec<(u64, u32)>,
    pub total: u32,
}

impl Profile {
    pub fn from_lines(lines: &[Vec<u64>]) -> Self {
        let mut all: Vec<u64> = lines.iter().flatten().copied().collect();
        all.sort_unstable();
        let total = all.len() as u32;
        let mut grams: Vec<(u64, u32)> = Vec::new();
        for g in all {
            match grams.last_mut() {
                Some((last, n)) if *last == g => *n += 1,
                _ => grams.push((g, 1)),
            }
        }
        Profile { grams, total }
    }

    pub fn from_text(text: &str) -> Self {
        Self::from_lines(&line_grams(text))
    }

    pub fn map(&self) -> GramMap<u32> {
        self.grams.iter().copied().collect()
    }

    /// Dice coefficient of two profiles.
    pub fn dice(&self, other: &Profile) -> f32 {
        if self.total == 0 || other.total == 0 {
            return 0.0;
        }
        let (mut i, mut j, mut inter) = (0, 0, 0u64);
        while i < self.grams.len() && j < other.grams.len() {
            let (a, ca) = self.grams[i];
            let (b, cb) = other.grams[j];
            match a.cmp(&b) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    inter += u64::from(ca.min(cb));
                    i += 1;
                    j += 1;
                }
            }
        }
        (2 * inter) as f32 / (self.total + other.total) as f32
    }
}

/// The inverted index: for every bigram, the variants that hold it and how often.
/// Stored in compressed-sparse-row form so it loads as a few flat arrays.
#[derive(Debug, Default)]
pub struct Index {
    pub totals: Vec<u32>,
    /// Bigram -> its row in the postings (built on load: one probe instead of a search).
    rows: GramMap<u32>,
    keys: Vec<u64>,
    offsets: Vec<u32>,
    post_variant: Vec<u32>,
    post_count: Vec<u32>,
}

impl Index {
    pub fn build(profiles: &[Profile]) -> Self {
        let mut triples: Vec<(u64, u32, u32)> = Vec::new();
        for (v, p) in profiles.iter().enumerate() {
            triples.extend(p.grams.iter().map(|&(g, c)| (g, v as u32, c)));
        }
        triples.sort_unstable();
        let mut idx = Index {
            totals: profiles.iter().map(|p| p.total).collect(),
            ..Default::default()
        };
        for (g, v, c) in triples {
            if idx.keys.last() != Some(&g) {
                idx.keys.push(g);
                idx.offsets.push(idx.post_variant.len() as u32);
            }
            idx.post_variant.push(v);
            idx.post_count.push(c);
        }
        idx.offsets.push(idx.post_variant.len() as u32);
        idx.rows = row_map(&idx.keys);
        idx
    }

    /// Dice of `query` against every variant.
    pub fn scores(&self, query: &Profile) -> Vec<f32> {
        self.intersections(query)
            .iter()
            .zip(&self.totals)
            .map(|(&i, &t)| {
                if query.total + t == 0 {
                    0.0
                } else {
                    (2 * i) as f32 / (query.total + t) as f32
                }
            })
            .collect()
    }

    /// For every variant, how many of its bigrams `query` holds (counts capped).
    pub fn intersections(&self, query: &Profile) -> Vec<u32> {
        let mut inter = vec![0u32; self.totals.len()];
        for &(g, cq) in &query.grams {
            if let Some(&k) = self.rows.get(&g) {
                let k = k as usize;
                let (a, b) = (self.offsets[k] as usize, self.offsets[k + 1] as usize);
                for p in a..b {
                    inter[self.post_variant[p] as usize] += cq.min(self.post_count[p]);
                }
            }
        }
        inter
    }

    pub fn to_bytes(&self, out: &mut Vec<u8>) {
        put_u32s(out, &self.totals);
        put_u64s(out, &self.keys);
        put_u32s(out, &self.offsets);
        put_u32s(out, &self.post_variant);
        put_u32s(out, &self.post_count);
    }

    pub fn from_bytes(b: &[u8]) -> Option<(Self, usize)> {
        let mut pos = 0;
        let totals = get_u32s(b, &mut pos)?;
        let keys = get_u64s(b, &mut pos)?;
        let offsets = get_u32s(b, &mut pos)?;
        let post_variant = get_u32s(b, &mut pos)?;
        let post_count = get_u32s(b, &mut pos)?;
        if offsets.len() != keys.len() + 1 || post_variant.len() != post_count.len() {
            return None;
        }
        let rows = row_map(&keys);
        Some((
            Index {
                totals,
                rows,
                keys,
                offsets,
                post_variant,
                post_count,
            },
            pos,
        ))
    }
}

fn row_map(keys: &[u64]) -> GramMap<u32> {
    let mut m = GramMap::with_capacity_and_hasher(keys.len(), Default::default());
    m.extend(keys.iter().enumerate().map(|(i, &k)| (k, i as u32)));
    m
}

fn put_u32s(out: &mut Vec<u8>, v: &[u32]) {
    out.extend_from_slice(&(v.len() as u64).to_le_bytes());
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn put_u64s(out: &mut Vec<u8>, v: &[u64]) {
    out.extend_from_slice(&(v.len() as u64).to_le_bytes());
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn get_len(b: &[u8], pos: &mut usize, width: usize) -> Option<usize> {
    let n = u64::from_le_bytes(b.get(*pos..*pos + 8)?.try_into().ok()?) as usize;
    *pos += 8;
    (b.len() >= *pos + n.checked_mul(width)?).then_some(n)
}

fn get_u32s(b: &[u8], pos: &mut usize) -> Option<Vec<u32>> {
    let n = get_len(b, pos, 4)?;
    let v = b[*pos..*pos + 4 * n]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    *pos += 4 * n;
    Some(v)
}

fn get_u64s(b: &[u8], pos: &mut usize) -> Option<Vec<u64>> {
    let n = get_len(b, pos, 8)?;
    let v = b[*pos..*pos + 8 * n]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    *pos += 8 * n;
    Some(v)
}

/// The line window `[a, b)` inside `[start, end)` whose Dice against `target` is highest,
/// by coordinate ascent: sweep the end with the start fixed, then the start with the end
/// fixed, then the end once more. Each sweep is exact along its axis (the score of every
/// end is computed incrementally), so there is no plateau to get lost on, as a ternary
/// search does after blank lines. Ties keep the smaller window.
pub fn best_window(
    lines: &[Vec<u64>],
    start: usize,
    end: usize,
    target: &GramMap<u32>,
    target_total: u32,
) -> (usize, usize, f32) {
    let (mut a, mut b) = (start, end);
    let mut best = 0.0;
    for round in 0..3 {
        if round % 2 == 0 {
            let (nb, s) = sweep(lines, a, end, target, target_total, false);
            b = nb;
            best = s;
        } else {
            let (na, s) = sweep(lines, start, b, target, target_total, true);
            a = na;
            best = s;
        }
    }
    (a, b, best)
}

/// Fixed one side, the best position of the other. `backward`: the end `to` is fixed and
/// the start moves down from it; otherwise the start `from` is fixed and the end moves up.
fn sweep(
    lines: &[Vec<u64>],
    from: usize,
    to: usize,
    target: &GramMap<u32>,
    total: u32,
    backward: bool,
) -> (usize, f32) {
    let mut counts: GramMap<u32> = GramMap::default();
    let (mut inter, mut size) = (0u64, 0u64);
    let mut best = (if backward { to } else { from }, 0.0f32);
    let mut add = |line: &Vec<u64>, inter: &mut u64, size: &mut u64| {
        for g in line {
            *size += 1;
            if let Some(&cap) = target.get(g) {
                let c = counts.entry(*g).or_insert(0);
                *c += 1;
                if *c <= cap {
                    *inter += 1;
                }
            }
        }
    };
    let dice = |inter: u64, size: u64| (2 * inter) as f32 / (size + u64::from(total)).max(1) as f32;
    if backward {
        for (i, line) in lines[from..to].iter().enumerate().rev() {
            add(line, &mut inter, &mut size);
            let s = dice(inter, size);
            if s > best.1 {
                best = (from + i, s);
            }
        }
    } else {
        for (i, line) in lines[from..to].iter().enumerate() {
            add(line, &mut inter, &mut size);
            let s = dice(inter, size);
            if s > best.1 {
                best = (from + i + 1, s);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_ignores_case_punctuation_and_copyright() {
        let a =
            Profile::from_text("Copyright 2020 A\nPermission is hereby granted, free of charge.");
        let b =
            Profile::from_text("copyright (c) 1999 B\npermission IS hereby granted free of charge");
        assert_eq!(a.dice(&b), 1.0);
    }

    #[test]
    fn window_finds_the_embedded_text() {
        let license = "the quick brown fox jumps over the lazy dog and runs away into the woods";
        let text = format!("fn main() {{}}\nlet x = 1;\n\n{license}\n\nmore code here\nand here");
        let lines = line_grams(&text);
        let target = Profile::from_text(license);
        let (a, b, s) = best_window(&lines, 0, lines.len(), &target.map(), target.total);
        // The first bigram of the license line pairs with the previous line's last word,
        // so the window is exactly the license line.
        assert_eq!((a, b), (3, 4), "score {s}");
        assert!(s > 0.9);
    }
}
