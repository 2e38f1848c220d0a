//! Rules for what text similarity cannot decide: GNU notices (version, -only vs -or-later,
//! read from the words) and sentences that name licenses without their text.

use crate::detect::copyright::strip_comment;
use crate::expression;
use crate::model::{LicenseMatch, MatchKind};
use once_cell::sync::Lazy;
use regex::{Captures, Regex};

// ---------------------------------------------------------------------------------------
// GNU notices
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Tok {
    text: String,
    line: u32,
}

const PARA: &str = "\u{b6}";

static WORD: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"[A-Za-z]+\d*(?:\.\d+)*|\d+(?:\.\d+)*|\S").unwrap());

/// Lower-cased words and punctuation with their line, comment markers removed, a
/// paragraph mark for every blank line: notices wrap anywhere and carry ` * ` or `# `.
fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = strip_comment(raw);
        if line.is_empty() {
            if out.last().is_some_and(|t: &Tok| t.text != PARA) {
                out.push(Tok {
                    text: PARA.into(),
                    line: i as u32 + 1,
                });
            }
            continue;
        }
        for m in WORD.find_iter(line) {
            out.push(Tok {
                text: m.as_str().to_ascii_lowercase(),
                line: i as u32 + 1,
            });
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Family {
    Gpl,
    Lesser,
    Library,
    Affero,
}

/// The GNU license named at `i`, and the index just past its name.
fn anchor(toks: &[Tok], i: usize) -> Option<(Family, usize, Option<String>)> {
    let w = |k: usize| toks.get(k).map(|t| t.text.as_str()).unwrap_or("");
    if w(i) != "gnu" {
        return None;
    }
    let mut j = i + 1;
    let mut family = Family::Gpl;
    match w(j) {
        "lesser" => {
            family = Family::Lesser;
            j += 1;
        }
        "library" => {
            family = Family::Library;
            j += 1;
            // "GNU Library or Lesser General Public License"
            if w(j) == "or" && w(j + 1) == "lesser" {
                family = Family::Lesser;
                j += 2;
            }
        }
        "affero" => {
            family = Family::Affero;
            j += 1;
        }
        _ => {}
    }
    if w(j) == "general" && w(j + 1) == "public" && matches!(w(j + 2), "license" | "licence") {
        return Some((family, j + 3, None));
    }
    if j == i + 1 {
        // "GNU GPL", "GNU LGPLv2.1", "GNU AGPL-3.0"
        let word = w(j);
        for (prefix, fam) in [
            ("lgpl", Family::Lesser),
            ("agpl", Family::Affero),
            ("gpl", Family::Gpl),
        ] {
            if let Some(rest) = word.strip_prefix(prefix) {
                let rest = rest.strip_prefix('v').unwrap_or(rest);
                if rest.is_empty() {
                    return Some((fam, j + 1, None));
                }
                if rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return Some((fam, j + 1, Some(rest.to_string())));
                }
            }
        }
    }
    None
}

fn gnu_id(family: Family, version: Option<&str>, or_later: bool) -> Option<String> {
    let v = version.map(|v| v.trim_end_matches(".0").trim_end_matches('.'));
    let base = match (family, v) {
        (Family::Gpl, None) => "GPL-1.0",
        (Family::Gpl, Some("1")) => "GPL-1.0",
        (Family::Gpl, Some("2")) => "GPL-2.0",
        (Family::Gpl, Some("3")) => "GPL-3.0",
        (Family::Library, None) => "LGPL-2.0",
        (Family::Lesser, None) => "LGPL-2.1",
        (Family::Lesser | Family::Library, Some("2")) => "LGPL-2.0",
        (Family::Lesser | Family::Library, Some("2.1")) => "LGPL-2.1",
        (Family::Lesser | Family::Library, Some("3")) => "LGPL-3.0",
        (Family::Affero, None | Some("3")) => "AGPL-3.0",
        _ => return None,
    };
    // No version stated: the GNU licenses themselves say any version may be chosen.
    let or_later = or_later || version.is_none();
    let id = format!("{base}-{}", if or_later { "or-later" } else { "only" });
    spdx::license_id(&id).map(|_| id)
}

/// GPL / LGPL / AGPL notices ("... under the terms of the GNU General Public License as
/// published by the Free Software Foundation; either version 2 of the License, or (at your
/// option) any later version."), with version and -only / -or-later decided from the words.
pub fn gnu_notices(text: &str) -> Vec<LicenseMatch> {
    let lower_has = |needle: &str| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    if !lower_has("gnu") {
        return Vec::new();
    }
    // The GPL texts end with a sample notice ("How to Apply These Terms"): it is no grant.
    let text = match text.find("END OF TERMS AND CONDITIONS") {
        Some(p) => &text[..p],
        None => text,
    };
    let toks = tokens(text);
    let mut out: Vec<LicenseMatch> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let Some((family, after, glued_version)) = anchor(&toks, i) else {
            i += 1;
            continue;
        };
        // Sentence start: back to a full stop or paragraph break.
        let mut s = i;
        while s > 0 && i - s < 60 && !matches!(toks[s - 1].text.as_str(), "." | PARA) {
            s -= 1;
        }
        let before: Vec<&str> = toks[s.max(i.saturating_sub(15))..i]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        // Only a grant counts; "a copy of the GNU GPL" and "see the GNU GPL" do not.
        if !before.iter().any(|w| matches!(*w, "under" | "terms")) {
            i = after;
            continue;
        }
        let mut e = after;
        while e < toks.len() && e - after < 60 && !matches!(toks[e].text.as_str(), "." | PARA) {
            e += 1;
        }
        let window: Vec<&str> = toks[after..e].iter().map(|t| t.text.as_str()).collect();
        let mut version = glued_version;
        for (k, w) in window.iter().enumerate() {
            if version.is_some() {
                break;
            }
            let next = window.get(k + 1).copied().unwrap_or("");
            if *w == "version" && next.starts_with(|c: char| c.is_ascii_digit()) {
                version = Some(next.to_string());
            } else if let Some(v) = w
                .strip_prefix('v')
                .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            {
                version = Some(v.to_string());
            } else if k <= 1 && w.starts_with(|c: char| c.is_ascii_digit()) {
                // "GNU GPL 2.0", "GNU GPL-3.0"
                version = Some(w.to_string());
            }
        }
        let or_later = window.iter().enumerate().any(|(k, w)| {
            matches!(*w, "later" | "newer" | "+")
                || (*w == "any" && window.get(k + 1) == Some(&"version"))
        });
        let or_later = or_later && !window.contains(&"only");
        if let Some(id) = gnu_id(family, version.as_deref(), or_later) {
            let start_line = toks[s].line;
            let end_line = toks[e.min(toks.len() - 1)].line.max(toks[after - 1].line);
            let end_line = if e < toks.len() && toks[e].text == PARA {
                toks[e - 1].line
            } else {
                end_line
            };
            out.push(LicenseMatch {
                expression: id,
                kind: MatchKind::Notice,
                score: 1.0,
                start_line,
                end_line,
                rule: Some("gnu-notice".into()),
                matched_text: None,
            });
        }
        i = e.max(after);
    }
    out
}

// ---------------------------------------------------------------------------------------
// License references
// ---------------------------------------------------------------------------------------

static TRIGGER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)\b(?:dual[- ]?licen[sc]ed|licen[sc]ed|released|distributed|available|provided|published|offered|made\s+available|is|(?:be\s+)?used)\s+(?:(?:freely|both|jointly|also|solely)\s+)?under\b",
    )
    .unwrap()
});
static LIST_ITEM: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s*(?:[*+-]|\d+[.)])\s+").unwrap());
static AT_YOUR_OPTION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^\s*(?:at\s+your\s+(?:option|choice)|at\s+the\s+user's\s+option)").unwrap()
});
static SENTENCE_END: Lazy<Regex> = Lazy::new(|| Regex::new(r"[.!?](?:\s|$)").unwrap());
static MD_LINK: Lazy<Regex> = Lazy::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap());
static NOISE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)<[^>]*>|https?://\S+|\b(?:LICEN[SC]E|COPYING)[-_.][A-Za-z0-9._-]+|\bLICEN[SC]E\b(?:\s+file)?[.,]?|`").unwrap()
});
static EMPTY_PARENS: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\((?:\s|\bor\b|\band\b|\bsee\b|[,;:])*\)").unwrap());
static GNU_PROSE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)\bgnu\b|general\s+public\s+licen[sc]e").unwrap());
static HEADING: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^\s{0,3}#{1,6}\s*licen[sc](?:e|es|ing)\s*#*\s*$").unwrap());
static SETEXT_HEADING: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^\s{0,3}licen[sc](?:e|es|ing)\s*$").unwrap());
static SETEXT_RULE: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\s{0,3}(?:=+|-+)\s*$").unwrap());
/// Names of a license family, not of one license: "BSD" is 2-, 3- or 4-clause.
fn ambiguous_name(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    let v = v
        .trim_end_matches(" license")
        .trim_end_matches("-style")
        .trim_end_matches(" style");
    matches!(
        v,
        "bsd" | "bsd-like" | "gpl" | "lgpl" | "gnu" | "cc" | "creative commons"
    )
}

static SEE_TRAILER: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)\s*[,;(]\s*see\b|\s+-\s+see\b").unwrap());
// `License: MIT`, `**License:** MIT`, and reST/Sphinx field lists `:license: MIT`.
static LICENSE_FIELD: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^(?:[*_]{0,2}|:)licen[sc]e[*_]{0,2}\s*:\s*[*_]{0,2}\s*(.+?)\s*$").unwrap()
});

type Resolver = fn(&Captures) -> Option<String>;

fn version_or(c: &Captures, group: usize, family: &str, default: Option<&str>) -> Option<String> {
    let v = c.get(group).map(|m| m.as_str()).or(default)?;
    let v = if v.contains('.') {
        v.to_string()
    } else {
        format!("{v}.0")
    };
    let id = format!("{family}-{v}");
    spdx::license_id(&id).map(|_| id)
}

/// `CC-BY[-NC][-ND|-SA]-<version>` from either capture form of the Creative Commons rule.
fn creative_commons(c: &regex::Captures<'_>) -> Option<String> {
    let (parts, version) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
        (Some(p), Some(v), _, _) => (p.as_str().to_ascii_lowercase(), v.as_str()),
        (_, _, Some(p), Some(v)) => (p.as_str().to_ascii_lowercase(), v.as_str()),
        _ => return None,
    };
    let has = |w: &[&str]| w.iter().any(|x| parts.contains(x));
    let mut id = String::from("CC-BY");
    if has(&["noncommercial", "non commercial", "non-commercial", "nc"]) {
        id.push_str("-NC");
    }
    if has(&["noderiv", "no deriv", "no-deriv", "nd"]) {
        id.push_str("-ND");
    } else if has(&["sharealike", "share alike", "share-alike", "sa"]) {
        id.push_str("-SA");
    }
    let id = format!("{id}-{version}");
    spdx::license_id(&id).map(|_| id)
}

/// License names as prose writes them, each with how to turn the match into an id.
static NAMES: Lazy<Vec<(Regex, Resolver)>> = Lazy::new(|| {
    let r = |s: &str| Regex::new(s).unwrap();
    vec![
        (
            r(
                r"(?i)\bapache(?:\s+software)?(?:\s+licen[sc]e)?(?:\s*[,(]?\s*(?:version|v\.?)\s*|\s+|-)?(\d(?:\.\d)?)?\)?",
            ),
            |c| version_or(c, 1, "Apache", Some("2.0")),
        ),
        (r(r"(?i)\bmit[- ]0\b|\bmit\s+no\s+attribution\b"), |_| {
            Some("MIT-0".into())
        }),
        (r(r"(?i)\b(?:mit|expat)\b(?:\s+licen[sc]es?)?"), |_| {
            Some("MIT".into())
        }),
        (
            r(r"(?i)\bbsd[\s-]*([234])[\s-]*clause\b|\b([234])[\s-]*clause\s+bsd\b"),
            |c| {
                let n = c.get(1).or(c.get(2))?.as_str();
                Some(format!("BSD-{n}-Clause"))
            },
        ),
        (r(r"(?i)\b(new|revised|modified|simplified)\s+bsd\b"), |c| {
            Some(
                if c[1].eq_ignore_ascii_case("simplified") {
                    "BSD-2-Clause"
                } else {
                    "BSD-3-Clause"
                }
                .into(),
            )
        }),
        (r(r"(?i)\bisc\b(?:\s+licen[sc]e)?"), |_| Some("ISC".into())),
        (r(r"(?i)\bunlicense\b"), |_| Some("Unlicense".into())),
        // Creative Commons by name ("Creative Commons Attribution-ShareAlike 4.0
        // International License") or short form ("CC BY-NC-SA 4.0").
        (
            r(
                r"(?i)\bcreative\s+commons\s+(attribution(?:[\s-]+(?:share[\s-]?alike|no[\s-]?derivatives?|no[\s-]?derivs|non[\s-]?commercial))*)[\s-]+(\d\.\d)|\bcc[\s-]by((?:[\s-](?:nc|nd|sa))*)[\s-]+(\d\.\d)\b",
            ),
            creative_commons,
        ),
        (
            r(r"(?i)\bcc0(?:[\s-]*1\.0)?\b|\bcreative\s+commons\s+zero\b"),
            |_| Some("CC0-1.0".into()),
        ),
        (
            r(
                r"(?i)\bmozilla\s+public\s+licen[sc]e(?:,?\s*(?:version|v\.?)?\s*(\d\.\d))?|\bmpl[\s-]?v?(\d\.\d)\b",
            ),
            |c| {
                if c.get(2).is_some() {
                    version_or(c, 2, "MPL", None)
                } else {
                    version_or(c, 1, "MPL", Some("2.0"))
                }
            },
        ),
        (
            r(r"(?i)\bboost\s+software\s+licen[sc]e(?:,?\s*(?:version\s*)?1\.0)?"),
            |_| Some("BSL-1.0".into()),
        ),
        (r(r"(?i)\bzlib\b(?:\s+licen[sc]e)?"), |_| {
            Some("Zlib".into())
        }),
        (
            r(r"(?i)\beclipse\s+public\s+licen[sc]e,?\s*(?:version|v\.?)?\s*(\d\.\d)"),
            |c| version_or(c, 1, "EPL", None),
        ),
        (
            r(r"\b(?:A|L)?GPL(?:v|-)?\d(?:\.\d)?(?:\+|-or-later|-only|\s+or\s+later)?"),
            |c| expression::normalize_id(&c[0]),
        ),
        // Any SPDX id written exactly; plain words that happen to be ids ("Intel", "Ruby")
        // need a digit, a dash or capitals to count.
        (r(r"\b[A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9+]"), |c| {
            let w = &c[0];
            let id = spdx::license_id(w.trim_end_matches('+'))?;
            let plausible = w.contains(|ch: char| ch.is_ascii_digit() || ch == '-')
                || (w.len() >= 2 && w.chars().all(|ch| ch.is_ascii_uppercase()));
            if !plausible || id.name != w.trim_end_matches('+') {
                return None;
            }
            expression::normalize_id(w)
        }),
    ]
});

/// License ids named in `span`, in order of appearance, each once.
fn mentions(span: &str) -> Vec<(usize, usize, String)> {
    let mut found: Vec<(usize, usize, String)> = Vec::new();
    for (re, resolve) in NAMES.iter() {
        for c in re.captures_iter(span) {
            let m = c.get(0).unwrap();
            if found.iter().any(|(s, e, _)| m.start() < *e && *s < m.end()) {
                continue;
            }
            if let Some(id) = resolve(&c) {
                found.push((m.start(), m.end(), id));
            }
        }
    }
    found.sort_by_key(|(s, _, _)| *s);
    let mut seen = std::collections::HashSet::new();
    found.retain(|(_, _, id)| seen.insert(id.clone()));
    found
}

/// The expression a sentence states, from its mentions and the words that join them.
fn sentence_expression(
    cue_text: &str,
    found: &[(usize, usize, String)],
    span: &str,
) -> Option<String> {
    if found.is_empty() {
        return None;
    }
    if found.len() == 1 {
        return Some(found[0].2.clone());
    }
    let between = &span[found[0].1..found[found.len() - 1].0];
    let cue = cue_text.to_ascii_lowercase();
    let between_l = between.to_ascii_lowercase();
    // Whole-word tests; this runs for every sentence that names licenses.
    let has = |s: &str, w: &str| s.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    let dual = cue.contains("dual") && (cue.contains("licensed") || cue.contains("licenced"));
    let op = if dual || has(&cue, "either") || has(&cue, "choice") || has(&cue, "option") {
        "OR"
    } else if has(&cue, "both") && has(&between_l, "and") {
        "AND"
    } else if has(&between_l, "or") {
        "OR"
    } else if has(&between_l, "and") {
        "AND"
    } else {
        // Names listed with no joining word: too unclear to claim anything.
        return None;
    };
    let parts: Vec<String> = found
        .iter()
        .map(|(_, _, id)| {
            if id.contains(' ') {
                format!("({id})")
            } else {
                id.clone()
            }
        })
        .collect();
    Some(parts.join(&format!(" {op} ")))
}

fn accept(expr: &str) -> Option<String> {
    let n = expression::normalize(expr);
    (n.license_refs.is_empty() && n.expression != "NOASSERTION").then_some(n.expression)
}

/// Sentences that name licenses without carrying their text ("Licensed under either of
/// Apache License, Version 2.0 or MIT license at your option."), `## License` headings
/// followed by a bare name, and `License: <id>` lines.
fn may_reference(line: &str) -> bool {
    let b = line.as_bytes();
    ["nder", "NDER", "icen", "ICEN"]
        .iter()
        .any(|n| memchr::memmem::find(b, n.as_bytes()).is_some())
}

pub fn find_references(text: &str) -> Vec<LicenseMatch> {
    let raw_lines: Vec<&str> = text.lines().collect();
    let lines: Vec<&str> = raw_lines.iter().map(|l| strip_comment(l)).collect();
    let mut out: Vec<LicenseMatch> = Vec::new();
    let push = |out: &mut Vec<LicenseMatch>,
                expr: String,
                start: usize,
                end: usize,
                rule: &str,
                matched: String| {
        if out.iter().any(|m| {
            m.expression == expr && m.start_line <= end as u32 + 1 && (start as u32) < m.end_line
        }) {
            return;
        }
        out.push(LicenseMatch {
            expression: expr,
            kind: MatchKind::Reference,
            score: 1.0,
            start_line: start as u32 + 1,
            end_line: end as u32 + 1,
            rule: Some(rule.into()),
            matched_text: Some(matched),
        });
    };

    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        // Every rule below needs "under" or "licen(se)" on the line: a cheap test first,
        // since this runs over whole READMEs and license files.
        if !may_reference(line) {
            i += 1;
            continue;
        }
        if let Some(t) = TRIGGER.find(line) {
            let (span_text, end) = sentence_from(&lines, &raw_lines, i, t.start());
            let cleaned = clean_span(&span_text);
            if !GNU_PROSE.is_match(&cleaned) {
                let trigger_len = t.end() - t.start();
                let after_trigger = cleaned.get(trigger_len.min(cleaned.len())..).unwrap_or("");
                let found = mentions(after_trigger);
                let cue_end = found.first().map_or(after_trigger.len(), |f| f.0);
                let cue = format!(
                    "{} {} {}",
                    &cleaned[..trigger_len.min(cleaned.len())],
                    &after_trigger[..cue_end],
                    tail_after(&found, after_trigger)
                );
                if let Some(expr) =
                    sentence_expression(&cue, &found, after_trigger).and_then(|e| accept(&e))
                {
                    push(
                        &mut out,
                        expr,
                        i,
                        end,
                        "license-reference",
                        span_text.trim().to_string(),
                    );
                }
            }
            i = end.max(i) + 1;
            continue;
        }
        let raw = raw_lines[i];
        let is_heading = HEADING.is_match(raw)
            || (SETEXT_HEADING.is_match(raw)
                && raw_lines
                    .get(i + 1)
                    .is_some_and(|n| SETEXT_RULE.is_match(n)));
        if is_heading {
            let mut j = i + 1;
            while j < raw_lines.len()
                && (raw_lines[j].trim().is_empty() || SETEXT_RULE.is_match(raw_lines[j]))
            {
                j += 1;
            }
            if let Some(next) = raw_lines.get(j) {
                if !TRIGGER.is_match(next) {
                    let bare = LIST_ITEM.replace(next, "");
                    let bare = bare
                        .trim()
                        .trim_matches(|c| matches!(c, '*' | '_' | '`' | '.'))
                        .replace('`', "");
                    if !bare.is_empty() && bare.len() <= 80 && bare.split_whitespace().count() <= 8
                    {
                        if let Some(expr) = accept(&bare) {
                            push(
                                &mut out,
                                expr,
                                i,
                                j,
                                "license-heading",
                                next.trim().to_string(),
                            );
                        }
                    }
                }
            }
            i += 1;
            continue;
        }
        if let Some(c) = LICENSE_FIELD.captures(line) {
            // "BSD, see LICENSE for details.": the name, without the pointer to the file.
            let value = SEE_TRAILER.splitn(&c[1], 2).next().unwrap_or("").trim();
            let value = value
                .trim_matches(|ch| matches!(ch, '*' | '_' | '`' | '.' | '"' | '\''))
                .replace('`', "");
            if !value.is_empty() && value.len() <= 80 && value.split_whitespace().count() <= 8 {
                if let Some(expr) = accept(&value).filter(|_| !ambiguous_name(&value)) {
                    push(&mut out, expr, i, i, "license-field", line.to_string());
                }
            }
        }
        i += 1;
    }
    license_urls(&lines, &mut out);
    out
}

/// `https://opensource.org/licenses/BSD-3-Clause`, `https://spdx.org/licenses/MIT.html`:
/// a license URL names the exact license where the words may not ("the BSD License: <url>").
static LICENSE_URL: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)\b(?:opensource\.org/licenses?|spdx\.org/licenses)/([A-Za-z0-9][A-Za-z0-9.+-]*?)(?:\.html?|\.php)?(?:[/\s>)\]'\x22,;]|$)").unwrap()
});

fn license_urls(lines: &[&str], out: &mut Vec<LicenseMatch>) {
    for (i, line) in lines.iter().enumerate() {
        if memchr::memmem::find(line.as_bytes(), b"org/licen").is_none() {
            continue;
        }
        let Some(c) = LICENSE_URL.captures(line) else {
            continue;
        };
        // Only as a statement about licensing, on this line or the one before it.
        let context =
            format!("{} {}", if i > 0 { lines[i - 1] } else { "" }, line).to_ascii_lowercase();
        if !context.contains("licen") {
            continue;
        }
        let Some(id) = crate::expression::normalize_id(&c[1]) else {
            continue;
        };
        if id.contains("LicenseRef-")
            || out
                .iter()
                .any(|m| m.start_line <= i as u32 + 1 && (i as u32) < m.end_line)
        {
            continue;
        }
        out.push(LicenseMatch {
            expression: id,
            kind: MatchKind::Reference,
            score: 1.0,
            start_line: i as u32 + 1,
            end_line: i as u32 + 1,
            rule: Some("license-url".into()),
            matched_text: Some(line.trim().to_string()),
        });
    }
}

fn tail_after(found: &[(usize, usize, String)], span: &str) -> String {
    found
        .last()
        .map_or(String::new(), |f| span[f.1..].to_string())
}

/// The sentence that starts at `lines[start][col..]`: up to a full stop, across wrapped
/// lines and through a markdown list that follows "either of", "at your option" included.
fn sentence_from(lines: &[&str], raw: &[&str], start: usize, col: usize) -> (String, usize) {
    let mut text = lines[start][col..].to_string();
    let mut end = start;
    let mut j = start;
    while j - start < 14 {
        if let Some(m) = SENTENCE_END.find(&text) {
            // A list introduced by "either of" ends at its "at your option".
            let tail = &text[m.end()..];
            if !tail.is_empty() || !ends_list_sentence(lines, raw, j) {
                text.truncate(m.start() + 1);
                return (text, end);
            }
        }
        j += 1;
        if j >= lines.len() {
            break;
        }
        if lines[j].is_empty() {
            // Blank lines end the sentence unless a list or "at your option" continues it.
            let mut k = j;
            while k < lines.len() && lines[k].is_empty() {
                k += 1;
            }
            if k < lines.len()
                && k - j <= 1
                && (LIST_ITEM.is_match(raw[k]) || AT_YOUR_OPTION.is_match(lines[k]))
            {
                j = k;
            } else {
                break;
            }
        }
        text.push(' ');
        text.push_str(lines[j]);
        end = j;
    }
    (text, end)
}

/// A list item line ending in "." that is followed by more items or "at your option".
fn ends_list_sentence(lines: &[&str], raw: &[&str], j: usize) -> bool {
    if !LIST_ITEM.is_match(raw[j]) && !raw[j].trim_end().ends_with(':') {
        return false;
    }
    let mut k = j + 1;
    while k < lines.len() && lines[k].is_empty() {
        k += 1;
    }
    k < lines.len() && (LIST_ITEM.is_match(raw[k]) || AT_YOUR_OPTION.is_match(lines[k]))
}

fn clean_span(s: &str) -> String {
    let s = MD_LINK.replace_all(s, "$1");
    let s = NOISE.replace_all(&s, " ");
    let s = EMPTY_PARENS.replace_all(&s, " ");
    let s = EMPTY_PARENS.replace_all(&s, " ");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/snippets/", $name))
        };
    }

    #[test]
    fn fixtures_gnu() {
        assert_eq!(
            gnu(fixture!("lgpl-2.1-or-later-libxdiff.h")),
            vec![("LGPL-2.1-or-later".to_string(), 5, 8)]
        );
        assert_eq!(
            gnu(fixture!("gpl-2.0-only-linux.c")),
            vec![("GPL-2.0-only".to_string(), 5, 7)]
        );
        assert_eq!(
            gnu(fixture!("gpl-2.0-or-later-crlf-bom.c")),
            vec![("GPL-2.0-or-later".to_string(), 6, 9)]
        );
        assert_eq!(
            gnu(fixture!("agpl-3.0-or-later.py")),
            vec![("AGPL-3.0-or-later".to_string(), 4, 7)]
        );
        assert_eq!(
            gnu(fixture!("gpl-3.0-or-later.sh")),
            vec![("GPL-3.0-or-later".to_string(), 5, 8)]
        );
        assert!(gnu(fixture!("gpl-2.0-howto-appendix.txt")).is_empty());
        assert!(gnu(fixture!("libgit2-COPYING-head.txt")).is_empty());
        assert!(gnu(fixture!("rust-dual-readme.md")).is_empty());
    }

    #[test]
    fn fixtures_references() {
        assert_eq!(
            refs(fixture!("dual-unlicense-mit-COPYING")),
            vec!["Unlicense OR MIT"]
        );
        assert_eq!(
            refs(fixture!("rust-dual-readme.md")),
            vec!["Apache-2.0 OR MIT"]
        );
        assert_eq!(
            refs(fixture!("rust-apache-mit-header.rs")),
            vec!["Apache-2.0 OR MIT"]
        );
        assert!(refs(fixture!("mit-license-template.txt")).is_empty());
        assert!(refs(fixture!("lgpl-2.1-or-later-libxdiff.h")).is_empty());
        assert!(refs(fixture!("libgit2-COPYING-head.txt")).is_empty());
        assert!(refs(fixture!("llvm-exception-tag.rs")).is_empty());
    }

    fn gnu(text: &str) -> Vec<(String, u32, u32)> {
        gnu_notices(text)
            .into_iter()
            .map(|m| (m.expression, m.start_line, m.end_line))
            .collect()
    }

    fn refs(text: &str) -> Vec<String> {
        find_references(text)
            .into_iter()
            .map(|m| m.expression)
            .collect()
    }

    const GPL2_LATER_C: &str = "/*\n * foo.c - does foo\n *\n * Copyright (C) 2004 Jane Hacker\n *\n * This program is free software; you can redistribute it and/or modify\n * it under the terms of the GNU General Public License as published by\n * the Free Software Foundation; either version 2 of the License, or\n * (at your option) any later version.\n *\n * This program is distributed in the hope that it will be useful,\n * but WITHOUT ANY WARRANTY; without even the implied warranty of\n * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n * GNU General Public License for more details.\n *\n * You should have received a copy of the GNU General Public License\n * along with this program; if not, write to the Free Software\n * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA  02110-1301  USA\n */\n";

    #[test]
    fn gpl2_or_later_with_range() {
        assert_eq!(
            gnu(GPL2_LATER_C),
            vec![("GPL-2.0-or-later".to_string(), 6, 9)]
        );
    }

    #[test]
    fn gpl2_only_linux_style() {
        let t = "/*\n * This program is free software; you can redistribute it and/or modify\n * it under the terms of the GNU General Public License version 2 as\n * published by the Free Software Foundation.\n */";
        assert_eq!(gnu(t), vec![("GPL-2.0-only".to_string(), 2, 4)]);
        let t = "# Licensed under the GNU General Public License, version 2 only.";
        assert_eq!(gnu(t)[0].0, "GPL-2.0-only");
    }

    #[test]
    fn lgpl_agpl_and_unversioned() {
        let t = "# This library is free software; you can redistribute it and/or\n# modify it under the terms of the GNU Lesser General Public\n# License as published by the Free Software Foundation; either\n# version 2.1 of the License, or (at your option) any later version.\n";
        assert_eq!(gnu(t)[0].0, "LGPL-2.1-or-later");
        let t = "// under the terms of the GNU Library General Public License as published by\n// the Free Software Foundation; either version 2 of the License, or (at\n// your option) any later version.";
        assert_eq!(gnu(t)[0].0, "LGPL-2.0-or-later");
        let t = "// it under the terms of the GNU Affero General Public License as published\n// by the Free Software Foundation, either version 3 of the License, or\n// (at your option) any later version.";
        assert_eq!(gnu(t)[0].0, "AGPL-3.0-or-later");
        let t = "-- it under the terms of the GNU Affero General Public License as published by the Free Software Foundation, version 3.";
        assert_eq!(gnu(t)[0].0, "AGPL-3.0-only");
        let t = "This program is released under the terms of the GNU General Public License.";
        assert_eq!(gnu(t)[0].0, "GPL-1.0-or-later");
        let t = "# it under the terms of the GNU General Public License as published by\n# the Free Software Foundation, either version 3 of the License, or\n# (at your option) any later version.";
        assert_eq!(gnu(t)[0].0, "GPL-3.0-or-later");
        assert_eq!(
            gnu("Licensed under the GNU GPLv3+.")[0].0,
            "GPL-3.0-or-later"
        );
    }

    #[test]
    fn gnu_mentions_that_grant_nothing() {
        assert!(
            gnu("You should have received a copy of the GNU General Public License").is_empty()
        );
        assert!(gnu("See the GNU General Public License for more details.").is_empty());
        assert!(gnu("GNU make is a build tool.").is_empty());
    }

    #[test]
    fn crlf_and_bom() {
        let t = format!("\u{feff}{}", GPL2_LATER_C.replace('\n', "\r\n"));
        assert_eq!(gnu(&t), vec![("GPL-2.0-or-later".to_string(), 6, 9)]);
    }

    #[test]
    fn rust_dual_license_readme() {
        let t = "## License\n\nLicensed under either of\n\n * Apache License, Version 2.0, ([LICENSE-APACHE](LICENSE-APACHE) or http://www.apache.org/licenses/LICENSE-2.0)\n * MIT license ([LICENSE-MIT](LICENSE-MIT) or http://opensource.org/licenses/MIT)\n\nat your option.\n\n### Contribution\n\nUnless you explicitly state otherwise, any contribution intentionally submitted\nfor inclusion in the work by you, as defined in the Apache-2.0 license, shall be\ndual licensed as above, without any additional terms or conditions.\n";
        let m = find_references(t);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].expression, "Apache-2.0 OR MIT");
        assert_eq!((m[0].start_line, m[0].end_line), (3, 8));
    }

    #[test]
    fn one_line_references() {
        assert_eq!(refs("Licensed under either of Apache License, Version 2.0 (LICENSE-APACHE) or MIT license (LICENSE-MIT) at your option."), vec!["Apache-2.0 OR MIT"]);
        assert_eq!(
            refs("This project is dual-licensed under the Unlicense and MIT licenses."),
            vec!["Unlicense OR MIT"]
        );
        assert_eq!(
            refs("This project is licensed under the MIT license."),
            vec!["MIT"]
        );
        assert_eq!(
            refs("It is released under the Apache 2.0 license."),
            vec!["Apache-2.0"]
        );
        assert_eq!(
            refs("Licensed under the Apache License, Version 2.0 <LICENSE-APACHE or\nhttp://www.apache.org/licenses/LICENSE-2.0> or the MIT license\n<LICENSE-MIT or http://opensource.org/licenses/MIT>, at your option. This file may not be\ncopied, modified, or distributed except according to those terms."),
            vec!["Apache-2.0 OR MIT"]
        );
        assert_eq!(
            refs("This crate is distributed under the terms of both the MIT license and the Apache License (Version 2.0)."),
            vec!["MIT AND Apache-2.0"]
        );
        assert_eq!(
            refs("Licensed under `MIT` OR `Apache-2.0`."),
            vec!["MIT OR Apache-2.0"]
        );
        assert_eq!(
            refs("Available under the BSD 3-Clause license."),
            vec!["BSD-3-Clause"]
        );
        assert_eq!(
            refs("This library is licensed under the MIT-0 license."),
            vec!["MIT-0"]
        );
    }

    #[test]
    fn headings_and_fields() {
        assert_eq!(refs("# foo\n\n## License\n\nMIT\n"), vec!["MIT"]);
        assert_eq!(
            refs("## License\n\n`MIT` OR `Apache-2.0`\n"),
            vec!["MIT OR Apache-2.0"]
        );
        assert_eq!(refs("License\n=======\n\nApache 2.0\n"), vec!["Apache-2.0"]);
        assert_eq!(
            refs("## License\n\nSee [LICENSE](LICENSE).\n"),
            Vec::<String>::new()
        );
        assert_eq!(refs("# License: MIT\n"), vec!["MIT"]);
        assert_eq!(refs("**License:** Apache-2.0\n"), vec!["Apache-2.0"]);
        assert_eq!(
            refs("License: see the LICENSE file\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn conservative() {
        // Full MIT text: no trigger phrase names a license.
        let mit = "Permission is hereby granted, free of charge, to any person obtaining a copy\nof this software ... THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND";
        assert!(refs(mit).is_empty());
        assert!(refs("This is available under a custom license.").is_empty());
        assert!(refs("The data is licensed under terms you agreed to.").is_empty());
        // GNU prose is gnu_notices' job.
        assert!(refs("Licensed under the GNU General Public License v3.0 or later.").is_empty());
        assert!(refs("Licensed under the MIT license and Apache license in some cases where it is unclear which applies to what and why").len() <= 1);
    }

    #[test]
    fn creative_commons_names() {
        let found = find_references(
            "Graphosaurus is licensed under a\nCreative Commons Attribution-ShareAlike 4.0 International License.",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].expression, "CC-BY-SA-4.0");
        let found = find_references("The documentation is released under CC BY-NC-ND 4.0.");
        assert_eq!(found[0].expression, "CC-BY-NC-ND-4.0");
        let found = find_references("Icons are licensed under Creative Commons Attribution 3.0.");
        assert_eq!(found[0].expression, "CC-BY-3.0");
    }

    #[test]
    fn rest_license_fields() {
        let found = find_references(
            "    :copyright: Copyright 2010 Foo.\n    :license: MIT, see LICENSE for details.\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].expression, "MIT");
        assert_eq!(found[0].start_line, 2);
        // "BSD" alone does not say which BSD: not claimed.
        assert!(
            find_references("    :license: BSD, see LICENSE for details.\n")
                .iter()
                .all(|m| !m.expression.starts_with("BSD"))
        );
    }

    #[test]
    fn license_urls_name_the_license() {
        let text = "# This module is part of python-sqlparse and is released under\n# the BSD License: https://opensource.org/licenses/BSD-3-Clause\n";
        let found = find_references(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].expression.as_str(), found[0].start_line),
            ("BSD-3-Clause", 2)
        );
        let found = find_references("License: see https://spdx.org/licenses/MIT.html\n");
        assert_eq!(found[0].expression, "MIT");
        // A URL in prose that is not about licensing is not a claim.
        assert!(
            find_references("Read https://opensource.org/licenses/ for background.\n").is_empty()
        );
    }
}
