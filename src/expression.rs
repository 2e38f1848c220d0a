//! License expressions as people write them (manifests, tags, classifiers) turned into
//! valid SPDX expressions with current ids, plus notes on every liberty taken.

use once_cell::sync::Lazy;
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::model::{NOASSERTION, NONE};

/// The result of [`normalize`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalized {
    /// Always a valid SPDX expression: `spdx::Expression::parse` (strict) accepts it.
    pub expression: String,
    /// Human-readable notes on what was reinterpreted ("`Apache 2` read as `Apache-2.0`").
    pub fixups: Vec<String>,
    /// `(LicenseRef-id, original text)` for every LicenseRef- made up here.
    pub license_refs: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct AliasFile {
    licenses: BTreeMap<String, String>,
    exceptions: BTreeMap<String, String>,
    deprecated: BTreeMap<String, String>,
    deprecated_exceptions: BTreeMap<String, String>,
    not_spdx: NotSpdx,
}

#[derive(Deserialize)]
struct NotSpdx {
    names: Vec<String>,
}

struct Tables {
    /// folded alias -> id (our table wins over everything else)
    aliases: HashMap<String, String>,
    exception_aliases: HashMap<String, String>,
    /// exact id -> replacement, for deprecated ids
    deprecated: HashMap<String, String>,
    deprecated_exceptions: HashMap<String, String>,
    /// lower-cased id -> id, licenses (deprecated included) and exceptions
    lower_ids: HashMap<String, &'static str>,
    lower_exceptions: HashMap<String, &'static str>,
    /// folded id or full name -> id, only where the fold is unambiguous
    folded_names: HashMap<String, &'static str>,
    folded_exceptions: HashMap<String, &'static str>,
    not_spdx: HashSet<String>,
}

static TABLES: Lazy<Tables> = Lazy::new(|| {
    let file: AliasFile = toml::from_str(include_str!("../license-db/aliases.toml"))
        .expect("license-db/aliases.toml is valid");
    let fold_map = |m: BTreeMap<String, String>| -> HashMap<String, String> {
        m.into_iter().map(|(k, v)| (fold(&k), v)).collect()
    };
    let mut lower_ids = HashMap::new();
    for l in spdx::identifiers::LICENSES {
        lower_ids.insert(l.name.to_ascii_lowercase(), l.name);
    }
    let mut lower_exceptions = HashMap::new();
    for e in spdx::identifiers::EXCEPTIONS {
        lower_exceptions.insert(e.name.to_ascii_lowercase(), e.name);
    }
    Tables {
        aliases: fold_map(file.licenses),
        exception_aliases: fold_map(file.exceptions),
        deprecated: file.deprecated.into_iter().collect(),
        deprecated_exceptions: file.deprecated_exceptions.into_iter().collect(),
        lower_ids,
        lower_exceptions,
        folded_names: unambiguous_folds(
            spdx::identifiers::LICENSES
                .iter()
                .filter(|l| l.name != NOASSERTION)
                .map(|l| {
                    (
                        l.name,
                        l.full_name,
                        l.flags & spdx::flags::IS_DEPRECATED != 0,
                    )
                }),
        ),
        folded_exceptions: unambiguous_folds(
            spdx::identifiers::EXCEPTIONS
                .iter()
                .map(|e| (e.name, e.name, e.flags & spdx::flags::IS_DEPRECATED != 0)),
        ),
        not_spdx: file.not_spdx.names.iter().map(|n| fold(n)).collect(),
    }
});

/// Folded id and full name -> id. A current id beats a deprecated one with the same fold
/// (`GPL-2.0-or-later` over `GPL-2.0+`); two current ids that fold alike drop the key, since
/// guessing between them would be worse than not knowing.
fn unambiguous_folds(
    items: impl Iterator<Item = (&'static str, &'static str, bool)>,
) -> HashMap<String, &'static str> {
    let mut best: HashMap<String, (&'static str, bool)> = HashMap::new();
    let mut ambiguous = HashSet::new();
    for (id, full, deprecated) in items {
        for key in [fold(id), fold(full)] {
            if key.is_empty() {
                continue;
            }
            match best.get(&key) {
                None => {
                    best.insert(key, (id, deprecated));
                }
                Some(&(prev, prev_dep)) if prev != id => {
                    if prev_dep && !deprecated {
                        best.insert(key, (id, deprecated));
                    } else if prev_dep == deprecated {
                        ambiguous.insert(key);
                    }
                }
                _ => {}
            }
        }
    }
    best.into_iter()
        .filter(|(k, _)| !ambiguous.contains(k))
        .map(|(k, (id, _))| (k, id))
        .collect()
}

/// The key names are compared under: case, punctuation and filler words ignored.
fn fold(s: &str) -> String {
    let lower = s.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for w in lower.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '+' || c == '*')) {
        let w = w.trim_matches('.');
        if w.is_empty()
            || matches!(
                w,
                "the" | "license" | "licence" | "licensed" | "licenses" | "version"
            )
            || matches!(w, "ver" | "v")
        {
            continue;
        }
        let mut w = w.to_string();
        // "v2" -> "2", "gplv2" -> "gpl2": people glue the v to the name or the number.
        if let Some(pos) = w.find('v') {
            let (head, tail) = w.split_at(pos);
            let tail = &tail[1..];
            if tail.starts_with(|c: char| c.is_ascii_digit())
                && (head.is_empty()
                    || (head.len() >= 2 && head.chars().all(|c| c.is_ascii_alphabetic())))
            {
                w = format!("{head}{tail}");
            }
        }
        // "2.0" == "2": versions are written both ways for the same license.
        while w.ends_with(".0") && w.len() > 2 && w.as_bytes()[w.len() - 3].is_ascii_digit() {
            w.truncate(w.len() - 2);
        }
        out.push_str(&w);
    }
    out
}

fn is_gnu_or_later_capable(id: &str) -> bool {
    spdx::license_id(id).is_some_and(|l| l.is_gnu())
}

/// Applies a trailing `+` / "or later": GNU ids take their `-or-later` form, others SPDX `+`.
fn apply_or_later(id: &str) -> String {
    if let Some((lic, exc)) = id.split_once(" WITH ") {
        return format!("{} WITH {exc}", apply_or_later(lic));
    }
    if id.ends_with("-or-later") || id.ends_with('+') || id.starts_with("LicenseRef-") {
        return id.to_string();
    }
    if is_gnu_or_later_capable(id) {
        let base = id.strip_suffix("-only").unwrap_or(id);
        let candidate = format!("{base}-or-later");
        if spdx::license_id(&candidate).is_some() {
            return candidate;
        }
    }
    format!("{id}+")
}

static OR_LATER_SUFFIX: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:\s*\+|[\s,]+(?:or|and)\s+(?:any\s+)?(?:later|newer|greater|above)(?:\s+versions?)?|-or-later)\s*$")
        .unwrap()
});

/// One license name or id -> its current SPDX id, or `None` when we do not know it.
///
/// Accepts ids in any case, deprecated ids, imprecise names ("Apache 2", "GPLv2+",
/// "The MIT License (MIT)") and PyPI trove classifiers. A deprecated id that stands for a
/// license with an exception comes back as `<id> WITH <exception>`, and a non-GNU id with
/// `+` keeps the `+`, so the answer is a valid SPDX expression but not always a bare id.
pub fn normalize_id(name: &str) -> Option<String> {
    let name = clean_name(name);
    if name.is_empty() {
        return None;
    }
    if name.starts_with("License ::") || name.starts_with("license ::") {
        return classifier_to_id(name);
    }
    let t = &*TABLES;
    let key = fold(name);
    if t.not_spdx.contains(&key) || name.starts_with("LicenseRef-") {
        return None;
    }
    if let Some(id) = t.aliases.get(&key) {
        return Some(id.clone());
    }
    if let Some(id) = exact_id(name) {
        return Some(id);
    }
    if let Some(m) = OR_LATER_SUFFIX.find(name) {
        let base = &name[..m.start()];
        if !base.trim().is_empty() {
            // "GPL-2.0-or-later" itself never gets here: exact_id took it above.
            return normalize_id(base).map(|id| apply_or_later(&id));
        }
    }
    if let Some(id) = t.folded_names.get(&key) {
        return Some(current(id));
    }
    // Name with its abbreviation: "Mozilla Public License 2.0 (MPL 2.0)".
    if let Some(open) = name.rfind('(') {
        if name.ends_with(')') && open > 0 {
            let inner = &name[open + 1..name.len() - 1];
            if let Some(id) = normalize_id(inner).or_else(|| normalize_id(&name[..open])) {
                return Some(id);
            }
        }
    }
    imprecise(name)
}

/// Exact, case-insensitive SPDX id (deprecated ones replaced), `+` understood.
fn exact_id(name: &str) -> Option<String> {
    let t = &*TABLES;
    if let Some(id) = t.lower_ids.get(&name.to_ascii_lowercase()) {
        return Some(current(id));
    }
    let base = name.strip_suffix('+')?;
    let id = t.lower_ids.get(&base.to_ascii_lowercase())?;
    Some(apply_or_later(&current(id)))
}

/// The current SPDX id for `id` (deprecated and bogus ids replaced; the id itself when it
/// is current).
pub fn current_id(id: &str) -> String {
    current(id)
}

fn current(id: &str) -> String {
    match TABLES.deprecated.get(id) {
        Some(new) => new.clone(),
        None if id == "Net-SNMP" => "LicenseRef-Net-SNMP".to_string(),
        None => id.to_string(),
    }
}

/// spdx's prefix table, only where its answer agrees with the version the input states
/// and nothing but filler follows the prefix: it maps "Apache License 1.1" to Apache-2.0
/// and "BSD 3-Clause" to BSD-2-Clause otherwise.
fn imprecise(name: &str) -> Option<String> {
    let (lic, len) = spdx::imprecise_license_id(name)?;
    let rest = fold(&name[len..]);
    if !rest.is_empty() && !rest.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // The prefix table's GNU answers are wrong too often ("gnu gpl v2" -> GPL-3.0-only).
    if lic.is_gnu() {
        return None;
    }
    let stated = version_digits(name);
    let id_version = version_digits(lic.name);
    if !stated.is_empty() && stated != id_version {
        return None;
    }
    Some(current(lic.name))
}

/// Digits of the version a name states, trailing zeros dropped: "Apache 2.0" -> "2".
fn version_digits(s: &str) -> String {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.trim_end_matches('0').to_string()
}

fn clean_name(name: &str) -> &str {
    name.trim_start_matches('\u{feff}')
        .trim()
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | '*'))
        .trim_end_matches(['.', ',', ';'])
        .trim()
}

/// A PyPI trove classifier (`License :: OSI Approved :: MIT License`) -> SPDX id.
pub fn classifier_to_id(classifier: &str) -> Option<String> {
    let last = classifier.rsplit("::").next()?.trim();
    let first = classifier.split("::").next()?.trim();
    if !first.eq_ignore_ascii_case("License") || last.eq_ignore_ascii_case("OSI Approved") {
        return None;
    }
    if last.eq_ignore_ascii_case("License") {
        return None;
    }
    normalize_id(last)
}

fn exception_id(name: &str) -> Option<String> {
    let t = &*TABLES;
    let name = clean_name(name);
    let pick = |id: &str| -> String {
        t.deprecated_exceptions
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    if let Some(id) = t.lower_exceptions.get(&name.to_ascii_lowercase()) {
        return Some(pick(id));
    }
    let key = fold(name);
    if let Some(id) = t.exception_aliases.get(&key) {
        return Some(id.clone());
    }
    t.folded_exceptions.get(&key).map(|id| pick(id))
}

static REF_TERM: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^(?:DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+$").unwrap()
});
static ADDITION_REF: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^(?:DocumentRef-[A-Za-z0-9.\-]+:)?AdditionRef-[A-Za-z0-9.\-]+$").unwrap()
});

/// `LicenseRef-` + the original with every character SPDX does not allow turned into `-`.
pub fn license_ref_for(original: &str) -> String {
    let mut s = String::new();
    for c in original.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(|c| c == '-' || c == '.');
    format!("LicenseRef-{}", if s.is_empty() { "unknown" } else { s })
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    And(String),
    Or(String),
    With(String),
    Term(String),
}

fn lex(raw: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let flush = |words: &mut Vec<&str>, toks: &mut Vec<Tok>| {
        if !words.is_empty() {
            toks.push(Tok::Term(words.join(" ")));
            words.clear();
        }
    };
    let mut rest = raw;
    while !rest.is_empty() {
        let c = rest.chars().next().unwrap();
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '(' || c == ')' {
            // Parentheses inside a name ("The MIT License (MIT)") stay with the name:
            // only treat them as grouping when they sit at operator boundaries.
            flush(&mut words, &mut toks);
            toks.push(if c == '(' { Tok::Open } else { Tok::Close });
            rest = &rest[1..];
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .unwrap_or(rest.len());
        let word = &rest[..end];
        rest = &rest[end..];
        match word.to_ascii_uppercase().as_str() {
            "AND" | "&" | "&&" => {
                flush(&mut words, &mut toks);
                toks.push(Tok::And(word.to_string()));
            }
            "OR" | "|" | "||" => {
                flush(&mut words, &mut toks);
                toks.push(Tok::Or(word.to_string()));
            }
            "WITH" => {
                flush(&mut words, &mut toks);
                toks.push(Tok::With(word.to_string()));
            }
            _ => words.push(word),
        }
    }
    flush(&mut words, &mut toks);
    toks
}

struct Builder {
    out: String,
    fixups: Vec<String>,
    refs: Vec<(String, String)>,
}

impl Builder {
    fn note(&mut self, s: String) {
        if !self.fixups.contains(&s) {
            self.fixups.push(s);
        }
    }

    fn make_ref(&mut self, original: &str) -> String {
        let r = license_ref_for(original);
        if !self.refs.iter().any(|(id, _)| id == &r) {
            self.refs.push((r.clone(), original.trim().to_string()));
        }
        self.note(format!(
            "`{}` is not a known SPDX license: kept as `{r}`",
            original.trim()
        ));
        r
    }

    /// A license term (not an exception): one id, or `a OR b` when only `/` joins names.
    fn license_term(&mut self, term: &str) -> String {
        if REF_TERM.is_match(term) {
            return term.to_string();
        }
        if let Some(id) = normalize_id(term) {
            if id != term {
                self.note(format!("`{term}` read as `{id}`"));
            }
            if id.starts_with("LicenseRef-") {
                let original = term.to_string();
                if !self.refs.iter().any(|(r, _)| r == &id) {
                    self.refs.push((id.clone(), original));
                }
            }
            return id;
        }
        if term.contains('/') {
            let parts: Vec<&str> = term
                .split('/')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() > 1 {
                self.note("`/` read as OR".to_string());
                let ids: Vec<String> = parts.iter().map(|p| self.license_term(p)).collect();
                return format!("({})", ids.join(" OR "));
            }
        }
        self.make_ref(term)
    }
}

/// Normalizes a license expression or name as found in a manifest or tag. Never fails:
/// what cannot be understood becomes a `LicenseRef-` that keeps the original text.
pub fn normalize(raw: &str) -> Normalized {
    let raw_trimmed = clean_name(raw);
    let mut b = Builder {
        out: String::new(),
        fixups: Vec::new(),
        refs: Vec::new(),
    };
    if raw_trimmed.is_empty() {
        return Normalized {
            expression: NOASSERTION.into(),
            ..Default::default()
        };
    }
    if raw_trimmed.eq_ignore_ascii_case(NOASSERTION) || raw_trimmed.eq_ignore_ascii_case(NONE) {
        if raw_trimmed != NOASSERTION {
            b.note(format!("`{raw_trimmed}` read as NOASSERTION"));
        }
        return Normalized {
            expression: NOASSERTION.into(),
            fixups: b.fixups,
            ..Default::default()
        };
    }
    // A license URL (a pom's `<url>`, a nuspec's `<licenseUrl>`): the license it names,
    // where it names one; else one LicenseRef that keeps the URL, not a `/`-split of it.
    if (raw_trimmed.starts_with("https://") || raw_trimmed.starts_with("http://"))
        && !raw_trimmed.contains(char::is_whitespace)
    {
        let expression = match from_license_url(raw_trimmed) {
            Some(e) => {
                b.note(format!("`{raw_trimmed}` read as `{e}`"));
                e
            }
            None => b.make_ref(raw_trimmed),
        };
        return Normalized {
            expression,
            fixups: b.fixups,
            license_refs: b.refs,
        };
    }
    // npm's way to point at a license file: no SPDX claim can be made from the string.
    // (`get`: byte 14 may fall inside a character; found by the fuzz harness.)
    if raw_trimmed.len() > 14
        && raw_trimmed
            .get(..14)
            .is_some_and(|p| p.eq_ignore_ascii_case("SEE LICENSE IN"))
    {
        let r = b.make_ref(raw_trimmed);
        return Normalized {
            expression: r,
            fixups: b.fixups,
            license_refs: b.refs,
        };
    }
    // A whole-string name first: names contain spaces, commas and parentheses.
    if !has_operator_word(raw_trimmed) {
        if let Some(id) = normalize_id(raw_trimmed) {
            let expr = b.license_term(raw_trimmed);
            debug_assert_eq!(expr, id);
            if spdx::Expression::parse(&expr).is_ok() {
                return Normalized {
                    expression: expr,
                    fixups: b.fixups,
                    license_refs: b.refs,
                };
            }
        }
    }
    let toks = lex(&merge_or_later(raw_trimmed));
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => b.out.push('('),
            Tok::Close => b.out.push(')'),
            Tok::And(w) | Tok::Or(w) | Tok::With(w) => {
                let (op, canonical) = match &toks[i] {
                    Tok::And(_) => ("AND", "AND"),
                    Tok::Or(_) => ("OR", "OR"),
                    _ => ("WITH", "WITH"),
                };
                if w != canonical {
                    b.note(format!("`{w}` read as {op}"));
                }
                b.out.push_str(&format!(" {op} "));
            }
            Tok::Term(term) => {
                let after_with = i > 0 && matches!(toks[i - 1], Tok::With(_));
                if after_with {
                    if ADDITION_REF.is_match(term) {
                        b.out.push_str(term);
                    } else if let Some(exc) = exception_id(term) {
                        if &exc != term {
                            b.note(format!("`{term}` read as `{exc}`"));
                        }
                        b.out.push_str(&exc);
                    } else {
                        // SPDX 2.3 has no unknown exceptions: fold the whole `X WITH y` into
                        // one LicenseRef so it still parses and keeps the original words.
                        let lhs_start = b.out.rfind(" WITH ").unwrap_or(0);
                        let lhs_start = b.out[..lhs_start]
                            .rfind([' ', '('])
                            .map(|p| p + 1)
                            .unwrap_or(0);
                        b.out.truncate(lhs_start);
                        let original = format!("{} WITH {term}", term_before_with(&toks, i));
                        let r = b.make_ref(&original);
                        b.out.push_str(&r);
                    }
                } else {
                    let id = b.license_term(term);
                    // A deprecated id that carries an exception must not swallow a neighbour.
                    if id.contains(" WITH ") && id.contains(" OR ") {
                        b.out.push_str(&format!("({id})"));
                    } else {
                        b.out.push_str(&id);
                    }
                }
            }
        }
        i += 1;
    }
    let expr = tidy(&b.out);
    if spdx::Expression::parse(&expr).is_ok() {
        return Normalized {
            expression: expr,
            fixups: b.fixups,
            license_refs: b.refs,
        };
    }
    // A parenthesis left open or closed too often ("(GPL-2.0-only OR MIT", a typo seen in
    // real SPDX tags) hides nothing where one operator joins every term: the expression
    // with its parentheses balanced. With both AND and OR, where the missing one goes
    // changes the licensing: the whole text is kept for a reviewer.
    let one_operator = !(expr.contains(" AND ") && expr.contains(" OR "));
    if let Some(balanced) = balance_parentheses(&expr).filter(|_| one_operator) {
        let balanced = tidy(&balanced);
        if spdx::Expression::parse(&balanced).is_ok() {
            b.note("unbalanced parentheses balanced".to_string());
            return Normalized {
                expression: balanced,
                fixups: b.fixups,
                license_refs: b.refs,
            };
        }
    }
    // Unbalanced parentheses, dangling operators, two exceptions...: keep the whole thing.
    let mut b = Builder {
        out: String::new(),
        fixups: Vec::new(),
        refs: Vec::new(),
    };
    let r = b.make_ref(raw_trimmed);
    Normalized {
        expression: r,
        fixups: b.fixups,
        license_refs: b.refs,
    }
}

/// `expr` with each `)` that closes nothing dropped and each `(` left open closed at the
/// end; None when its parentheses balance already.
fn balance_parentheses(expr: &str) -> Option<String> {
    let mut out = String::with_capacity(expr.len() + 2);
    let (mut depth, mut changed) = (0usize, false);
    for c in expr.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                changed = true;
                continue;
            }
            ')' => depth -= 1,
            _ => {}
        }
        out.push(c);
    }
    if depth > 0 {
        changed = true;
        out.extend(std::iter::repeat_n(')', depth));
    }
    changed.then_some(out)
}

fn term_before_with(toks: &[Tok], i: usize) -> String {
    match i.checked_sub(2).map(|j| &toks[j]) {
        Some(Tok::Term(t)) => t.clone(),
        _ => String::new(),
    }
}

fn has_operator_word(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .any(|w| {
            matches!(
                w.to_ascii_uppercase().as_str(),
                "AND" | "OR" | "WITH" | "&&" | "||"
            )
        })
}

static OR_LATER_WORDS: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)[\s,]+(?:or|and)\s+(?:any\s+)?(?:later|newer|greater)(?:\s+versions?)?\b")
        .unwrap()
});

/// "GPLv2 or later" must not be lexed as `GPLv2 OR later`.
fn merge_or_later(s: &str) -> String {
    OR_LATER_WORDS.replace_all(s, "+").into_owned()
}

/// One license id in parentheses of its own: `(MIT)`.
static LONE_TERM: Lazy<Regex> = Lazy::new(|| Regex::new(r"\(([A-Za-z0-9.+:-]+)\)").unwrap());

fn tidy(s: &str) -> String {
    let s = s.replace("( ", "(").replace(" )", ")");
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // "GPL-2.0-only OR (MIT)": parentheses around one id group nothing.
    let s = match s.contains('(') {
        true => LONE_TERM.replace_all(&s, "$1").into_owned(),
        false => s,
    };
    // "(MIT OR Apache-2.0)" from "MIT/Apache-2.0": the outer group says nothing.
    if s.starts_with('(') && s.ends_with(')') {
        let mut depth = 0i32;
        let closes_at_end = s.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == s.len() - 1
        });
        if closes_at_end {
            return s[1..s.len() - 1].to_string();
        }
    }
    s
}

/// The SPDX expression a license URL stands for, where the URL names one license and
/// nothing else: NuGet's `https://licenses.nuget.org/<expression>`, the pages of one id at
/// spdx.org, opensource.org (also OSI's old page names, `mit-license.php`) and
/// choosealicense.com, and `apache.org/licenses/LICENSE-2.0`. None for any other page (a
/// project's own LICENSE file, a vendor's EULA, a page that names a license family such
/// as `bsd-license.php`, a GNU license without -only or -or-later): what it says is not
/// known offline, and it is not guessed.
pub fn from_license_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let path = path.trim_end_matches('/');
    let page = |prefix: &str| -> Option<String> {
        let p = path.get(..prefix.len())?;
        p.eq_ignore_ascii_case(prefix)
            .then(|| path[prefix.len()..].to_string())
    };
    let stem = |p: String| -> String {
        let lower = p.to_ascii_lowercase();
        for ext in [".php", ".html", ".htm", ".json", ".txt"] {
            if lower.ends_with(ext) {
                return p[..p.len() - ext.len()].to_string();
            }
        }
        p
    };
    let one_id = |name: &str| -> Option<String> {
        let id = exact_id(name)?;
        // A GNU id without -only / -or-later (GPL-2.0) leaves the choice unsaid.
        let gnu_unsaid = is_gnu_or_later_capable(&id)
            && !name.to_ascii_lowercase().ends_with("-only")
            && !name.to_ascii_lowercase().ends_with("-or-later")
            && !name.ends_with('+');
        (!gnu_unsaid && !id.contains(' ')).then_some(id)
    };
    match host {
        "licenses.nuget.org" => {
            let expr = percent_decoded(path)?;
            spdx::Expression::parse(&expr).ok().map(|_| expr)
        }
        "spdx.org" => one_id(&stem(page("licenses/")?)),
        "choosealicense.com" => one_id(&page("licenses/")?),
        "opensource.org" => {
            let name = stem(page("licenses/")?);
            // OSI's page names from before it used SPDX ids; only those naming one license.
            const OSI_PAGES: &[(&str, &str)] = &[
                ("mit-license", "MIT"),
                ("apache2.0", "Apache-2.0"),
                ("apache-2.0", "Apache-2.0"),
                ("bsd-3-clause", "BSD-3-Clause"),
                ("bsd-2-clause", "BSD-2-Clause"),
                ("ms-pl", "MS-PL"),
                ("ms-rl", "MS-RL"),
                ("mozilla1.1", "MPL-1.1"),
                ("isc-license", "ISC"),
                ("zlib-license", "Zlib"),
            ];
            OSI_PAGES
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                .map(|(_, id)| id.to_string())
                .or_else(|| one_id(&name))
        }
        "apache.org" => match stem(page("licenses/")?).to_ascii_uppercase().as_str() {
            "LICENSE-2.0" => Some("Apache-2.0".into()),
            "LICENSE-1.1" => Some("Apache-1.1".into()),
            _ => None,
        },
        _ => None,
    }
}

/// `%XX` escapes of a URL path decoded (`MIT%20OR%20Apache-2.0`); None when they do not
/// make UTF-8.
fn percent_decoded(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Every license and exception id in an expression, `LicenseRef-`s kept; a trailing `+`
/// is an operator, not part of the id.
pub fn license_ids(expr: &str) -> BTreeSet<String> {
    expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .filter(|w| !matches!(w.to_ascii_uppercase().as_str(), "AND" | "OR" | "WITH"))
        .map(|w| w.trim_end_matches('+').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    /// SPDX tags with a parenthesis too few or too many (ScanCode's test file
    /// `external/spdx/missing_leading_trailing_paren.txt` has these three lines): the
    /// expression meant, not one LicenseRef of the whole line.
    #[test]
    fn unbalanced_parentheses_are_balanced() {
        let n = |e: &str| super::normalize(e);
        assert_eq!(n("(GPL-2.0-ONLY OR MIT").expression, "GPL-2.0-only OR MIT");
        assert_eq!(n("GPL-2.0-ONLY OR MIT)").expression, "GPL-2.0-only OR MIT");
        assert_eq!(
            n("(GPL-2.0-ONLY OR (MIT)").expression,
            "GPL-2.0-only OR MIT"
        );
        // With both operators, where the missing one goes decides the licensing.
        assert!(n("(MIT OR Apache-2.0) AND (BSD-3-Clause")
            .expression
            .starts_with("LicenseRef-"));
        let fixed = n("(MIT OR Apache-2.0");
        assert!(fixed.license_refs.is_empty(), "{:?}", fixed.license_refs);
        assert!(
            fixed.fixups.iter().any(|f| f.contains("parentheses")),
            "{:?}",
            fixed.fixups
        );
        // Balanced but broken still keeps the words.
        assert!(n("MIT OR (").expression.starts_with("LicenseRef-"));
    }

    #[test]
    fn license_urls_that_name_one_license() {
        let url = |u: &str| super::from_license_url(u);
        // As the nuspecs of real packages write them (tests/fixtures/ecosystems/nuget).
        assert_eq!(
            url("https://licenses.nuget.org/MIT").as_deref(),
            Some("MIT")
        );
        assert_eq!(
            url("https://licenses.nuget.org/MIT%20OR%20Apache-2.0").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert_eq!(
            url("http://www.apache.org/licenses/LICENSE-2.0").as_deref(),
            Some("Apache-2.0")
        );
        assert_eq!(
            url("https://www.apache.org/licenses/LICENSE-2.0.html").as_deref(),
            Some("Apache-2.0")
        );
        assert_eq!(
            url("http://opensource.org/licenses/MS-PL").as_deref(),
            Some("MS-PL")
        );
        assert_eq!(
            url("https://opensource.org/licenses/MIT").as_deref(),
            Some("MIT")
        );
        assert_eq!(
            url("http://www.opensource.org/licenses/mit-license.php").as_deref(),
            Some("MIT")
        );
        assert_eq!(
            url("https://spdx.org/licenses/BSD-3-Clause.html").as_deref(),
            Some("BSD-3-Clause")
        );
        assert_eq!(
            url("https://choosealicense.com/licenses/mit/").as_deref(),
            Some("MIT")
        );
        // Pages that do not name one license, and GNU pages that leave -only/-or-later
        // unsaid, are not read as a license.
        for u in [
            "http://jquery.org/license",
            "https://github.com/kevin-montrose/Jil/blob/master/LICENSE",
            "http://www.microsoft.com/web/webpi/eula/net_library_eula_ENU.htm",
            "http://www.opensource.org/licenses/bsd-license.php",
            "https://opensource.org/licenses/GPL-2.0",
            "https://www.gnu.org/licenses/gpl-3.0.html",
            "https://licenses.nuget.org/not%20an%20expression",
            "https://aka.ms/deprecateLicenseUrl",
            "ftp://opensource.org/licenses/MIT",
        ] {
            assert_eq!(url(u), None, "{u}");
        }
        assert_eq!(
            url("https://opensource.org/licenses/GPL-2.0-only").as_deref(),
            Some("GPL-2.0-only")
        );
        // As a declaration: the license it names, else one LicenseRef keeping the URL.
        let n = normalize("http://www.apache.org/licenses/LICENSE-2.0");
        assert_eq!(n.expression, "Apache-2.0");
        assert_eq!(
            n.fixups,
            ["`http://www.apache.org/licenses/LICENSE-2.0` read as `Apache-2.0`"]
        );
        let n = normalize("https://github.com/kevin-montrose/Jil/blob/master/LICENSE");
        assert_eq!(
            n.expression,
            "LicenseRef-https-github.com-kevin-montrose-Jil-blob-master-LICENSE"
        );
        assert_eq!(
            n.license_refs[0].1,
            "https://github.com/kevin-montrose/Jil/blob/master/LICENSE"
        );
    }

    #[test]
    fn a_multibyte_character_at_byte_14_is_no_panic() {
        // Found by tests/fuzz.rs: `raw[..14]` cut a character in two.
        let n = normalize("GPL-2.0+ AND \u{fffd}icenseRef-f");
        assert!(!n.expression.is_empty());
    }

    use super::*;

    fn n(s: &str) -> String {
        let r = normalize(s);
        assert!(
            spdx::Expression::parse(&r.expression).is_ok(),
            "{s:?} -> {:?} does not parse strictly",
            r.expression
        );
        r.expression
    }

    #[test]
    fn plain_expressions() {
        assert_eq!(n("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(n("MIT/Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(
            n("(MIT OR Apache-2.0) AND Unicode-3.0"),
            "(MIT OR Apache-2.0) AND Unicode-3.0"
        );
        assert_eq!(
            n("Apache-2.0 WITH LLVM-exception"),
            "Apache-2.0 WITH LLVM-exception"
        );
        assert_eq!(
            n("Apache-2.0 with llvm-exception"),
            "Apache-2.0 WITH LLVM-exception"
        );
        assert_eq!(n("MIT OR Apache-2.0 OR Zlib"), "MIT OR Apache-2.0 OR Zlib");
        assert_eq!(n("LicenseRef-Foo OR MIT"), "LicenseRef-Foo OR MIT");
        assert_eq!(
            n("DocumentRef-x:LicenseRef-y"),
            "DocumentRef-x:LicenseRef-y"
        );
        assert!(normalize("LicenseRef-Foo").license_refs.is_empty());
    }

    #[test]
    fn case_and_operators() {
        assert_eq!(n("mit"), "MIT");
        assert_eq!(n("apache-2.0"), "Apache-2.0");
        assert_eq!(n("gpl-3.0-or-later"), "GPL-3.0-or-later");
        assert_eq!(
            n("mit and (apache-2.0 or bsd-3-clause)"),
            "MIT AND (Apache-2.0 OR BSD-3-Clause)"
        );
        let r = normalize("mit and apache-2.0");
        assert!(
            r.fixups.iter().any(|f| f.contains("`and` read as AND")),
            "{:?}",
            r.fixups
        );
    }

    #[test]
    fn deprecated_ids() {
        assert_eq!(n("GPL-2.0"), "GPL-2.0-only");
        assert_eq!(n("GPL-2.0+"), "GPL-2.0-or-later");
        assert_eq!(n("LGPL-2.1+"), "LGPL-2.1-or-later");
        assert_eq!(n("GPL-3.0+ OR MIT"), "GPL-3.0-or-later OR MIT");
        assert_eq!(
            n("GPL-2.0-with-classpath-exception"),
            "GPL-2.0-only WITH Classpath-exception-2.0"
        );
        assert_eq!(
            n("wxWindows"),
            "LGPL-2.0-or-later WITH WxWindows-exception-3.1"
        );
        assert_eq!(n("StandardML-NJ"), "SMLNJ");
        assert_eq!(n("eCos-2.0"), "GPL-2.0-or-later WITH eCos-exception-2.0");
        assert_eq!(n("AGPL-3.0"), "AGPL-3.0-only");
        assert_eq!(
            n("GPL-2.0 WITH Classpath-exception-2.0"),
            "GPL-2.0-only WITH Classpath-exception-2.0"
        );
        assert_eq!(
            n("MIT OR GPL-2.0-with-classpath-exception"),
            "MIT OR GPL-2.0-only WITH Classpath-exception-2.0"
        );
    }

    #[test]
    fn every_deprecated_id_has_a_current_replacement() {
        for l in spdx::identifiers::LICENSES {
            if l.flags & spdx::flags::IS_DEPRECATED == 0 {
                continue;
            }
            let got = normalize(l.name).expression;
            if l.name == "Net-SNMP" {
                assert_eq!(got, "LicenseRef-Net-SNMP");
                continue;
            }
            assert!(
                TABLES.deprecated.contains_key(l.name),
                "{} missing in [deprecated]",
                l.name
            );
            let e = spdx::Expression::parse(&got).unwrap_or_else(|_| panic!("{} -> {got}", l.name));
            for r in e.requirements() {
                if let spdx::LicenseItem::Spdx { id, .. } = &r.req.license {
                    assert!(!id.is_deprecated(), "{} -> {got}", l.name);
                }
            }
        }
        for e in spdx::identifiers::EXCEPTIONS {
            if e.flags & spdx::flags::IS_DEPRECATED != 0 {
                let got = n(&format!("LGPL-2.1-only WITH {}", e.name));
                assert!(!got.contains(e.name), "{got}");
            }
        }
    }

    #[test]
    fn alias_table_values_are_current_ids() {
        let file: AliasFile = toml::from_str(include_str!("../license-db/aliases.toml")).unwrap();
        for (k, v) in file.licenses.iter().chain(&file.deprecated) {
            let e = spdx::Expression::parse(v).unwrap_or_else(|_| panic!("{k} = {v}"));
            for r in e.requirements() {
                if let spdx::LicenseItem::Spdx { id, .. } = &r.req.license {
                    assert!(!id.is_deprecated(), "{k} = {v}");
                }
            }
        }
        for v in file
            .exceptions
            .values()
            .chain(file.deprecated_exceptions.values())
        {
            assert!(spdx::exception_id(v).is_some(), "{v}");
        }
    }

    #[test]
    fn imprecise_names() {
        let cases = [
            ("Apache 2", "Apache-2.0"),
            ("Apache 2.0", "Apache-2.0"),
            ("Apache License 2.0", "Apache-2.0"),
            ("Apache License, Version 2.0", "Apache-2.0"),
            ("Apache Software License", "Apache-2.0"),
            ("ASL 2.0", "Apache-2.0"),
            ("apache2", "Apache-2.0"),
            ("BSD", "BSD-3-Clause"),
            ("BSD License", "BSD-3-Clause"),
            ("BSD 3-Clause", "BSD-3-Clause"),
            ("BSD-3", "BSD-3-Clause"),
            ("3-Clause BSD License", "BSD-3-Clause"),
            ("new BSD", "BSD-3-Clause"),
            ("Simplified BSD", "BSD-2-Clause"),
            ("BSD 2-Clause", "BSD-2-Clause"),
            ("GPLv2", "GPL-2.0-only"),
            ("GPLv2+", "GPL-2.0-or-later"),
            ("GPL v3", "GPL-3.0-only"),
            ("GNU GPL v2", "GPL-2.0-only"),
            ("GNU GPL v3", "GPL-3.0-only"),
            ("GPLv3 or later", "GPL-3.0-or-later"),
            ("LGPLv3", "LGPL-3.0-only"),
            ("LGPLv2.1+", "LGPL-2.1-or-later"),
            ("MPL 2.0", "MPL-2.0"),
            ("Mozilla Public License 2.0", "MPL-2.0"),
            ("MIT License", "MIT"),
            ("The MIT License (MIT)", "MIT"),
            ("MIT/X11", "MIT"),
            ("X11", "X11"),
            ("ISC License", "ISC"),
            ("Expat", "MIT"),
            ("Python Software Foundation License", "PSF-2.0"),
            ("PSF", "PSF-2.0"),
            ("Unlicense", "Unlicense"),
            ("The Unlicense", "Unlicense"),
            ("CC0", "CC0-1.0"),
            ("zlib/libpng", "Zlib"),
            ("Boost", "BSL-1.0"),
            ("BSL-1.0", "BSL-1.0"),
            ("EPL 2.0", "EPL-2.0"),
            ("Eclipse Public License 2.0", "EPL-2.0"),
            ("CDDL", "CDDL-1.0"),
            ("AGPLv3", "AGPL-3.0-only"),
            ("Apache-2.0+", "Apache-2.0+"),
        ];
        for (input, want) in cases {
            assert_eq!(n(input), want, "input {input:?}");
        }
    }

    #[test]
    fn spdx_prefix_traps() {
        assert_eq!(n("Apache License 1.1"), "Apache-1.1");
        assert_eq!(n("BSD 3-Clause"), "BSD-3-Clause");
        assert_eq!(n("MIT-0"), "MIT-0");
        assert_eq!(n("mpl1.1"), "MPL-1.1");
        assert_eq!(n("gnu gpl v2"), "GPL-2.0-only");
        assert_eq!(
            normalize_id("Apache License 1.1").as_deref(),
            Some("Apache-1.1")
        );
        assert_eq!(normalize_id("MIT-0").as_deref(), Some("MIT-0"));
    }

    #[test]
    fn not_licenses_become_license_refs() {
        let r = normalize("SEE LICENSE IN LICENSE.txt");
        assert_eq!(r.expression, "LicenseRef-SEE-LICENSE-IN-LICENSE.txt");
        assert_eq!(
            r.license_refs,
            vec![(r.expression.clone(), "SEE LICENSE IN LICENSE.txt".into())]
        );
        assert_eq!(n("UNLICENSED"), "LicenseRef-UNLICENSED");
        assert_eq!(n("Proprietary"), "LicenseRef-Proprietary");
        assert_eq!(n("Commercial"), "LicenseRef-Commercial");
        assert_eq!(n("Public Domain"), "LicenseRef-Public-Domain");
        assert_eq!(n("Foo Corp EULA v3"), "LicenseRef-Foo-Corp-EULA-v3");
        assert_eq!(n("MIT OR Foo"), "MIT OR LicenseRef-Foo");
        assert!(normalize_id("UNLICENSED").is_none());
        assert!(normalize_id("unlicensed").is_none());
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(n(""), "NOASSERTION");
        assert_eq!(n("   "), "NOASSERTION");
        assert_eq!(n("NOASSERTION"), "NOASSERTION");
        assert!(n("MIT OR OR (").starts_with("LicenseRef-"));
        // A parenthesis too few where one operator joins all: balanced; with both
        // operators, where it goes decides the licensing, so the words are kept.
        assert_eq!(n("MIT AND (Apache-2.0"), "MIT AND Apache-2.0");
        assert!(n("MIT AND Apache-2.0) OR BSD-3-Clause").starts_with("LicenseRef-"));
        assert!(n("MIT WITH Foo-exception").starts_with("LicenseRef-"));
        assert_eq!(n("\u{feff}MIT"), "MIT");
    }

    #[test]
    fn classifiers() {
        let c = |s| classifier_to_id(s);
        assert_eq!(
            c("License :: OSI Approved :: MIT License").as_deref(),
            Some("MIT")
        );
        assert_eq!(
            c("License :: OSI Approved :: Apache Software License").as_deref(),
            Some("Apache-2.0")
        );
        assert_eq!(
            c("License :: OSI Approved :: BSD License").as_deref(),
            Some("BSD-3-Clause")
        );
        assert_eq!(
            c("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)")
                .as_deref(),
            Some("GPL-2.0-or-later")
        );
        assert_eq!(
            c("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)")
                .as_deref(),
            Some("LGPL-3.0-only")
        );
        assert_eq!(
            c("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)").as_deref(),
            Some("MPL-2.0")
        );
        assert_eq!(
            c("License :: OSI Approved :: ISC License (ISCL)").as_deref(),
            Some("ISC")
        );
        assert_eq!(
            c("License :: OSI Approved :: Python Software Foundation License").as_deref(),
            Some("PSF-2.0")
        );
        assert_eq!(
            c("License :: OSI Approved :: MIT No Attribution License (MIT-0)").as_deref(),
            Some("MIT-0")
        );
        assert_eq!(
            c("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication").as_deref(),
            Some("CC0-1.0")
        );
        assert_eq!(c("License :: OSI Approved"), None);
        assert_eq!(c("License :: Other/Proprietary License"), None);
        assert_eq!(c("License :: Public Domain"), None);
        assert_eq!(n("License :: OSI Approved :: MIT License"), "MIT");
    }

    #[test]
    fn ids_of_an_expression() {
        let ids =
            license_ids("(MIT OR Apache-2.0 WITH LLVM-exception) AND LicenseRef-x AND GPL-2.0+");
        let want: BTreeSet<String> = [
            "MIT",
            "Apache-2.0",
            "LLVM-exception",
            "LicenseRef-x",
            "GPL-2.0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn fixup_notes() {
        let r = normalize("Apache 2");
        assert_eq!(
            r.fixups,
            vec!["`Apache 2` read as `Apache-2.0`".to_string()]
        );
        let r = normalize("MIT/Apache-2.0");
        assert!(r.fixups.contains(&"`/` read as OR".to_string()));
        assert!(normalize("MIT").fixups.is_empty());
    }
}
