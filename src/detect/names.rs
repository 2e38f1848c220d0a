//! The words that name a license, so that a partial match must name the license its rule
//! names.
//!
//! An approximate match may leave out any words of its rule, the license's name among
//! them: "You can redistribute it or modify it under terms of the MIT, Apache License or
//! Zlib license" is most of a GPL-2.0 notice with the MIT, Apache and zlib licenses where
//! "the GNU General Public License version 2" stood, and "distributed under the GNU GPL v2
//! with a Linking Exception" is most of an LGPL notice without its "LESSER". When a rule
//! holds words of its license's name, the query span of a partial match must hold the
//! most specific of them (the one fewest license names share: "lesser" before "gnu") or a
//! word of the license's id ("gpl", "lgpl", "mit"), however it is spelt there. Rules that
//! do not name their license (the MIT, BSD and ISC texts) ask for nothing.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::licensedb::{LicenseDb, LicenseInfo, UNKNOWN_TOKEN};

/// A word shared by more license names than this is not a name ("general" is, "public"
/// and "license" are not).
const MAX_NAMES: u32 = 80;

/// Words of names and ids that name nothing: versions, and the grammar of names.
fn generic(w: &str) -> bool {
    let digits = w.strip_prefix('v').unwrap_or(w);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        || matches!(
            w,
            "license"
                | "licenses"
                | "licensed"
                | "version"
                | "only"
                | "or"
                | "later"
                | "plus"
                | "and"
                | "the"
                | "of"
                | "with"
                | "exception"
                | "licenseref"
                | "scancode"
                | "new"
        )
}

/// One license's naming words (token, how many license names hold it).
struct Naming {
    name: Vec<(u16, u32)>,
    id: Vec<u16>,
}

fn words(text: &str) -> Vec<String> {
    let mut w: Vec<String> = super::tokenize::tokens(text)
        .into_iter()
        .map(|t| t.0)
        .filter(|w| !generic(w))
        .collect();
    w.sort();
    w.dedup();
    w
}

/// A license's name words, and the words of its ScanCode key and SPDX id.
fn name_and_id(l: &LicenseInfo) -> (Vec<String>, Vec<String>) {
    let mut id = words(&l.key.replace('-', " "));
    id.extend(words(&l.spdx.replace(['-', '.'], " ")));
    id.sort();
    id.dedup();
    (words(&l.name), id)
}

/// Per expression index of the store: the naming words of a single license (None for a
/// compound expression or a license without specific words).
fn table(db: &LicenseDb) -> &'static [Option<Naming>] {
    static TABLE: OnceLock<Vec<Option<Naming>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // How many licenses each word names (in the name or the id, once per license).
        let mut df: HashMap<String, u32> = HashMap::new();
        for l in &db.meta.licenses {
            let (name, id) = name_and_id(l);
            let mut seen: Vec<String> = name.into_iter().chain(id).collect();
            seen.sort();
            seen.dedup();
            for w in seen {
                *df.entry(w).or_default() += 1;
            }
        }
        let token = |w: &String| Some(db.token(w)).filter(|&t| t != UNKNOWN_TOKEN);
        let specific = |w: &&String| df[*w] <= MAX_NAMES;
        db.meta
            .expressions
            .iter()
            .map(|e| {
                let (name, id) = name_and_id(db.license_by_spdx(e)?);
                let name: Vec<(u16, u32)> = name
                    .iter()
                    .filter(specific)
                    .filter_map(|w| Some((token(w)?, df[w])))
                    .collect();
                let id = id.iter().filter(specific).filter_map(token).collect();
                (!name.is_empty()).then_some(Naming { name, id })
            })
            .collect()
    })
}

/// Whether the query span of hit `(rule, qstart..=qend)` holds the words that name the
/// rule's license, where the rule itself names it (see the module doc).
pub fn names_its_license(db: &LicenseDb, rule: u32, span: &[u16]) -> bool {
    let Some(Some(naming)) = table(db).get(db.rule_expression_index(rule) as usize) else {
        return true;
    };
    // The most specific naming word the rule holds.
    let rule_toks = db.rule_vocabulary(rule);
    let Some(fewest) = naming
        .name
        .iter()
        .filter(|(t, _)| rule_toks.binary_search(t).is_ok())
        .map(|&(_, df)| df)
        .min()
    else {
        return true;
    };
    span.iter().any(|t| {
        naming.id.contains(t) || naming.name.iter().any(|&(n, df)| n == *t && df == fewest)
    })
}
