//! Machine-readable Debian copyright files (DEP-5, copyright-format 1.0): the licenses a
//! package's `usr/share/doc/<pkg>/copyright` declares.
//!
//! A `Files:` paragraph's `License:` first line is a license expression in Debian's
//! syntax (short names such as `GPL-2+`, `Expat`, `BSD-3-clause`, joined by `or` / `and`,
//! with `with X exception`); its continuation lines, or a standalone `License:` paragraph
//! of the same name, hold the text. Every `Files:` paragraph is in force for some of the
//! package's files, so the package declares all of them, joined with AND. Names that are
//! not SPDX licenses become `LicenseRef-` ids whose text is the paragraph's own (the
//! SPDX writer's extracted text). A free-form copyright file is left to detection.

use std::collections::{BTreeMap, BTreeSet};

use super::Paragraph;
use crate::expression;
use crate::model::{LicenseMatch, MatchKind};

/// What a DEP-5 file declares.
#[derive(Debug, Default, PartialEq)]
pub struct Declared {
    /// The package's license: every `Files:` paragraph's, joined with AND, in SPDX terms.
    pub expression: Option<String>,
    /// One match per `Files:` paragraph (its lines) and per standalone `License:`
    /// paragraph naming a `LicenseRef-` (its text as `matched_text`).
    pub matches: Vec<LicenseMatch>,
    /// How Debian names were read (`GPL-2+` -> `GPL-2.0-or-later`), for the notes.
    pub readings: BTreeSet<String>,
}

/// Whether a copyright file is machine-readable: its first field is `Format:` naming
/// the copyright-format specification.
pub fn is_dep5(text: &str) -> bool {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or("");
    let Some((k, v)) = first.split_once(':') else {
        return false;
    };
    k.trim().eq_ignore_ascii_case("Format")
        && (v.contains("copyright-format") || v.contains("dep5") || v.contains("DEP-5"))
}

/// The licenses of a DEP-5 file (its text already split into paragraphs).
pub fn declared(paras: &[Paragraph]) -> Declared {
    let mut out = Declared::default();
    // Standalone License paragraphs: name -> (text, lines).
    let mut texts: BTreeMap<String, (String, u32, u32)> = BTreeMap::new();
    for p in paras.iter().skip(1) {
        if p.get("Files").is_some() {
            continue;
        }
        if let Some(lic) = p.get("License") {
            let (name, text) = lic.split_once('\n').unwrap_or((lic, ""));
            texts.insert(
                ref_key(name.trim()),
                (text.trim().to_string(), p.start_line, p.end_line),
            );
        }
    }
    let mut terms: Vec<String> = Vec::new();
    let mut refs: BTreeMap<String, (Option<String>, u32, u32)> = BTreeMap::new();
    for (i, p) in paras.iter().enumerate() {
        // The header may carry a License for the whole package; Files paragraphs do.
        let Some(lic) = p.get("License") else {
            continue;
        };
        if i > 0 && p.get("Files").is_none() {
            continue;
        }
        let (first, own_text) = lic.split_once('\n').unwrap_or((lic, ""));
        let Some(expr) = to_spdx(first, &mut out.readings) else {
            continue;
        };
        for id in expression::license_ids(&expr) {
            if id.starts_with("LicenseRef-") {
                let key = ref_key(&id);
                let text = (!own_text.trim().is_empty()).then(|| own_text.trim().to_string());
                let e = refs
                    .entry(id.clone())
                    .or_insert((None, p.start_line, p.end_line));
                if e.0.is_none() {
                    if let Some(t) = text.or_else(|| texts.get(&key).map(|t| t.0.clone())) {
                        e.0 = Some(t);
                        if let Some(&(_, s, end)) = texts.get(&key) {
                            if own_text.trim().is_empty() {
                                (e.1, e.2) = (s, end);
                            }
                        }
                    }
                }
            }
        }
        out.matches.push(LicenseMatch {
            expression: expr.clone(),
            kind: MatchKind::Manifest,
            score: 1.0,
            start_line: p.start_line,
            end_line: p.end_line,
            rule: Some("DEP-5 Files paragraph".into()),
            matched_text: None,
        });
        if !terms.contains(&expr) {
            terms.push(expr);
        }
    }
    for (id, (text, s, e)) in refs {
        if let Some(t) = text {
            out.matches.push(LicenseMatch {
                expression: id,
                kind: MatchKind::Manifest,
                score: 1.0,
                start_line: s,
                end_line: e,
                rule: Some("DEP-5 License paragraph".into()),
                matched_text: Some(t),
            });
        }
    }
    out.expression = match terms.len() {
        0 => None,
        1 => terms.pop(),
        _ => Some(
            terms
                .iter()
                .map(|t| {
                    if t.contains(" OR ") || t.contains(" AND ") {
                        format!("({t})")
                    } else {
                        t.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    };
    out
}

/// A license name that is no SPDX license, as a `LicenseRef-` (idstring characters only).
fn ref_id(name: &str) -> String {
    expression::license_ref_for(name)
}

/// The key a standalone License paragraph and a `LicenseRef-` share: the id the name
/// becomes, in one case ("Old Style" and `LicenseRef-Old-Style` meet), Debian's short
/// names read first.
fn ref_key(id_or_name: &str) -> String {
    let id = if id_or_name.starts_with("LicenseRef-") {
        id_or_name.to_string()
    } else {
        debian_short_name(id_or_name).map_or_else(|| ref_id(id_or_name), str::to_string)
    };
    id.to_ascii_lowercase()
}

/// Debian's short names (copyright-format 1.0, "License specification") that differ
/// from SPDX ids, `+` handled by the caller.
fn debian_short_name(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "expat" => "MIT",
        "gpl-1" => "GPL-1.0-only",
        "gpl-2" => "GPL-2.0-only",
        "gpl-3" => "GPL-3.0-only",
        "lgpl-2" => "LGPL-2.0-only",
        "lgpl-2.1" => "LGPL-2.1-only",
        "lgpl-3" => "LGPL-3.0-only",
        "agpl-3" => "AGPL-3.0-only",
        "gfdl-1.1" => "GFDL-1.1-only",
        "gfdl-1.2" => "GFDL-1.2-only",
        "gfdl-1.3" => "GFDL-1.3-only",
        "gfdl-niv-1.3" | "gfdl-1.3-no-invariant" | "gfdl-1.3-no-invariants" => {
            "GFDL-1.3-no-invariants-only"
        }
        "gfdl-niv-1.3+" | "gfdl-1.3+-no-invariant" | "gfdl-1.3+-no-invariants" => {
            "GFDL-1.3-no-invariants-or-later"
        }
        "gfdl-niv-1.2" => "GFDL-1.2-no-invariants-only",
        "gfdl-niv-1.2+" => "GFDL-1.2-no-invariants-or-later",
        "apache-2" => "Apache-2.0",
        "gpl-1+" => "GPL-1.0-or-later",
        "gpl-2+" => "GPL-2.0-or-later",
        "gpl-3+" => "GPL-3.0-or-later",
        "lgpl-2+" => "LGPL-2.0-or-later",
        "lgpl-2.1+" => "LGPL-2.1-or-later",
        "lgpl-3+" => "LGPL-3.0-or-later",
        "agpl-3+" => "AGPL-3.0-or-later",
        "gfdl-1.2+" => "GFDL-1.2-or-later",
        "gfdl-1.3+" => "GFDL-1.3-or-later",
        "bsd-2-clause" => "BSD-2-Clause",
        "bsd-3-clause" => "BSD-3-Clause",
        "bsd-4-clause" => "BSD-4-Clause",
        "apache-2.0" => "Apache-2.0",
        // Debian's Artistic is Perl's: base-files' own copyright says the text in
        // /usr/share/common-licenses "is the one coming from Perl and its SPDX name is
        // Artistic License 1.0 (Perl)", and it is that text.
        "artistic" | "artistic-1" => "Artistic-1.0-Perl",
        "artistic-1.0" => "Artistic-1.0",
        "artistic-2.0" => "Artistic-2.0",
        "zlib" => "Zlib",
        "isc" => "ISC",
        "mpl-1.1" => "MPL-1.1",
        "mpl-2.0" => "MPL-2.0",
        "cc0-1.0" | "cc0" => "CC0-1.0",
        "python-2.0" => "Python-2.0",
        "zpl-2.1" => "ZPL-2.1",
        "w3c" => "W3C",
        "x11" => "X11",
        // The name detection gives a dedication too (ScanCode's `public-domain`), so that
        // the declared and the detected license are one id, not two for the same thing.
        "public-domain" | "public domain" | "pd" => "LicenseRef-scancode-public-domain",
        _ => return None,
    })
}

/// Debian exception names (`with OpenSSL exception`) with an SPDX id; `license` is the
/// SPDX id it is attached to (Autoconf's exception has one version per GPL version).
fn debian_exception(name: &str, license: &str) -> Option<&'static str> {
    Some(match name.to_ascii_lowercase().as_str() {
        "autoconf" if license.starts_with("GPL-3") => "Autoconf-exception-3.0",
        "autoconf" | "autoconf-2.0" => "Autoconf-exception-2.0",
        "linux-syscall-note" => "Linux-syscall-note",
        "texinfo" => "Texinfo-exception",
        "autoconf-3.0" => "Autoconf-exception-3.0",
        "bison" | "bison-2.2" => "Bison-exception-2.2",
        "classpath" => "Classpath-exception-2.0",
        "gcc-runtime" | "gcc-exception-3.1" => "GCC-exception-3.1",
        "libtool" => "Libtool-exception",
        "font" => "Font-exception-2.0",
        "openssl" => "openvpn-openssl-exception",
        _ => return None,
    })
}

/// One Debian license name in SPDX terms: the short-name table, then the general
/// normaliser, else a `LicenseRef-` of the name.
fn name_to_spdx(name: &str, readings: &mut BTreeSet<String>) -> String {
    let id = debian_short_name(name)
        .map(str::to_string)
        .or_else(|| expression::normalize_id(name))
        .unwrap_or_else(|| ref_id(name));
    if id != name {
        readings.insert(format!("`{name}` read as `{id}`"));
    }
    id
}

/// A DEP-5 license expression (`GPL-2+ or Artistic, and BSD-3-clause`; `GPL-3+ with
/// Bison exception`) as an SPDX expression. DEP-5 gives `and` precedence over `or`, and a
/// comma closes what comes before it (`A or B, and C` is `(A OR B) AND C`).
pub fn to_spdx(expr: &str, readings: &mut BTreeSet<String>) -> Option<String> {
    let expr = expr.trim();
    if expr.is_empty() || expr.len() > 1000 {
        return None;
    }
    let groups: Vec<String> = expr
        .split(',')
        .filter_map(|g| {
            let g = g.trim();
            // The comma's own operator opens the next group: ", and C".
            let (op, g) = if let Some(r) = strip_word(g, "and") {
                (" AND ", r)
            } else if let Some(r) = strip_word(g, "or") {
                (" OR ", r)
            } else {
                ("", g)
            };
            let ors: Vec<String> = split_word(g, "or")
                .into_iter()
                .map(|alt| {
                    let ands: Vec<String> = split_word(alt, "and")
                        .into_iter()
                        .map(|t| term(t, readings))
                        .filter(|t| !t.is_empty())
                        .collect();
                    if ands.len() > 1 {
                        format!("({})", ands.join(" AND "))
                    } else {
                        ands.join("")
                    }
                })
                .filter(|t| !t.is_empty())
                .collect();
            let body = match ors.len() {
                0 => return None,
                1 => ors[0].clone(),
                _ => format!("({})", ors.join(" OR ")),
            };
            Some(format!("{op}{body}"))
        })
        .collect();
    let mut out = String::new();
    for g in groups {
        if out.is_empty() {
            out = g
                .trim_start_matches(" AND ")
                .trim_start_matches(" OR ")
                .into();
        } else if g.starts_with(' ') {
            out = format!("{}{g}", group(&out));
        } else {
            // A comma with no operator after it is a list: every part applies.
            out = format!("{} AND {g}", group(&out));
        }
    }
    let cleaned = strip_outer(&out);
    (!cleaned.is_empty()).then_some(cleaned)
}

/// One license of an expression, `with X exception` included.
fn term(t: &str, readings: &mut BTreeSet<String>) -> String {
    let t = t.trim();
    if t.is_empty() {
        return String::new();
    }
    let lower = t.to_ascii_lowercase();
    if let Some(i) = lower.find(" with ") {
        let lic = name_to_spdx(t[..i].trim(), readings);
        let exc = t[i + 6..].trim();
        let exc = exc
            .strip_suffix(" exception")
            .or_else(|| exc.strip_suffix(" Exception"))
            .unwrap_or(exc)
            .trim();
        return match debian_exception(exc, &lic) {
            Some(e) if !lic.starts_with("LicenseRef-") => format!("{lic} WITH {e}"),
            // SPDX has no id for it: the exception is a license text of its own.
            _ => ref_id(t),
        };
    }
    name_to_spdx(t, readings)
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let rest = s.get(..word.len())?;
    (rest.eq_ignore_ascii_case(word) && s[word.len()..].starts_with(' '))
        .then(|| s[word.len()..].trim())
}

/// Split on a whole-word operator (` or `, any case).
fn split_word<'a>(s: &'a str, word: &str) -> Vec<&'a str> {
    let lower = s.to_ascii_lowercase();
    let pat = format!(" {word} ");
    let mut out = Vec::new();
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = lower[from..].find(&pat) {
        let at = from + i;
        out.push(&s[last..at]);
        last = at + pat.len();
        from = last;
    }
    out.push(&s[last..]);
    out
}

/// An expression as one operand: in parentheses when it has operators.
fn group(s: &str) -> String {
    let s = strip_outer(s);
    if s.contains(' ') {
        format!("({s})")
    } else {
        s
    }
}

/// `(A OR B)` -> `A OR B` when the parentheses enclose the whole expression.
fn strip_outer(s: &str) -> String {
    let s = s.trim();
    if s.starts_with('(') && s.ends_with(')') {
        let mut depth = 0;
        for (i, c) in s.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 && i != s.len() - 1 {
                        return s.to_string();
                    }
                }
                _ => {}
            }
        }
        return s[1..s.len() - 1].to_string();
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spdx(e: &str) -> String {
        to_spdx(e, &mut BTreeSet::new()).unwrap()
    }

    #[test]
    fn debian_expressions_read_as_spdx() {
        assert_eq!(spdx("GPL-2+"), "GPL-2.0-or-later");
        assert_eq!(spdx("Expat"), "MIT");
        assert_eq!(
            spdx("GPL-2+ or Artistic"),
            "GPL-2.0-or-later OR Artistic-1.0-Perl"
        );
        assert_eq!(
            spdx("GPL-2+ or Artistic, and BSD-3-clause"),
            "(GPL-2.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause"
        );
        assert_eq!(
            spdx("LGPL-2.1+ and GPL-2+ or MIT"),
            "(LGPL-2.1-or-later AND GPL-2.0-or-later) OR MIT"
        );
        assert_eq!(
            spdx("GPL-3+ with Bison exception"),
            "GPL-3.0-or-later WITH Bison-exception-2.2"
        );
        assert_eq!(spdx("public-domain"), "LicenseRef-scancode-public-domain");
        assert_eq!(spdx("PD"), "LicenseRef-scancode-public-domain");
        assert_eq!(spdx("public-domain-md5"), "LicenseRef-public-domain-md5");
        assert_eq!(spdx("MIT, BSD-3-clause"), "MIT AND BSD-3-Clause");
        assert_eq!(
            spdx("GPL-2 with odd exception"),
            "LicenseRef-GPL-2-with-odd-exception"
        );
    }

    #[test]
    fn files_paragraphs_declare_and_standalone_texts_are_kept() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    \nFiles: *\nCopyright: 1 A\nLicense: GPL-2+\n\
                    \nFiles: lib/*\nCopyright: 2 B\nLicense: public-domain\n\
                    \nLicense: public-domain\n The author placed it in the public domain.\n";
        assert!(is_dep5(text));
        let d = declared(&super::super::paragraphs(text));
        assert_eq!(
            d.expression.as_deref(),
            Some("GPL-2.0-or-later AND LicenseRef-scancode-public-domain")
        );
        let pd = d.matches.iter().find(|m| m.matched_text.is_some()).unwrap();
        assert_eq!(pd.expression, "LicenseRef-scancode-public-domain");
        assert_eq!(
            pd.matched_text.as_deref(),
            Some("The author placed it in the public domain.")
        );
        assert_eq!((pd.start_line, pd.end_line), (11, 12));
    }

    /// A name with a space or another character SPDX ids lack still finds its standalone
    /// paragraph: both become the same `LicenseRef-`.
    #[test]
    fn a_name_with_spaces_finds_its_standalone_text() {
        let text = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
                    \nFiles: *\nCopyright: 1 A\nLicense: Old Style\n\
                    \nLicense: Old Style\n No rights are reserved.\n";
        let d = declared(&super::super::paragraphs(text));
        let pd = d.matches.iter().find(|m| m.matched_text.is_some()).unwrap();
        assert_eq!(pd.expression, "LicenseRef-Old-Style");
        assert_eq!(pd.matched_text.as_deref(), Some("No rights are reserved."));
    }
}
