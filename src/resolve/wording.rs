//! Words that name a license without granting it: a negated choice ("Amazon expressly
//! elects to distribute the package under the 3-Clause BSD License and NOT under GNU
//! General Public License Version 2") and contribution boilerplate ("any contribution
//! intentionally submitted for inclusion in the work by you ... shall be dual licensed
//! under ..."), which says how contributions are licensed, not how the package is.
//!
//! The detector reports such sentences as references like any other (it is right that
//! they name the license); deciding that they do not grant it is the resolver's job, so
//! it is done here on the sentence the detector matched.

use once_cell::sync::Lazy;
use regex::Regex;

use crate::model::{LicenseMatch, MatchKind};

/// A negation of the license that follows it.
static NEGATION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)\b(?:and|but|or)\s+not\s+(?:under|the|licensed|distributed|released|covered)\b|\bnot\s+(?:be\s+)?(?:licensed|distributed|released|available|covered)\s+under\b|\brather\s+than\b|\binstead\s+of\b",
    )
    .expect("valid regex")
});

/// Contribution terms: how contributions are licensed (Rust's boilerplate, a CLA).
static CONTRIBUTION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)\bcontributions?\b[^.]{0,160}\b(?:submitted|shall\s+be|will\s+be|are)\b|\bsubmitted\s+for\s+inclusion\b|\bcontributor\s+license\s+agreement\b|\bby\s+contributing\b",
    )
    .expect("valid regex")
});

/// Why a match in one file is not a grant of its license, or None when it may be one.
/// `same_file` is every match of that file: a license named in the same lines as a
/// contribution clause belongs to that clause (the clause's sentence is often cut into
/// two matches, "as defined in the Apache-2.0 license, shall be dual licensed under ...
/// Apache License," and "Version 2.0 and the MIT license without any additional terms").
pub fn not_a_grant(m: &LicenseMatch, same_file: &[LicenseMatch]) -> Option<String> {
    if !matches!(m.kind, MatchKind::Reference | MatchKind::Notice) {
        // Full texts and SPDX tags are grants by construction.
        return None;
    }
    if crate::expression::license_ids(&m.expression)
        .iter()
        .all(|id| is_cla(id))
    {
        return Some("a contributor license agreement, not a license".into());
    }
    let text = m.matched_text.as_deref()?;
    if contribution(text) {
        return Some(format!("contribution terms (\"{}\")", excerpt(text)));
    }
    if let Some(c) = same_file.iter().find(|o| {
        !std::ptr::eq(*o, m)
            && matches!(o.kind, MatchKind::Reference | MatchKind::Notice)
            && o.start_line <= m.end_line
            && m.start_line <= o.end_line
            && o.matched_text.as_deref().is_some_and(contribution)
    }) {
        return Some(format!(
            "part of the contribution terms at lines {}-{}",
            c.start_line, c.end_line
        ));
    }
    if negated(text, &m.expression) {
        return Some(format!("negated (\"{}\")", excerpt(text)));
    }
    None
}

/// `LicenseRef-scancode-generic-cla` and kin: ScanCode's keys for contributor agreements.
pub fn is_cla(id: &str) -> bool {
    let l = id.to_ascii_lowercase();
    l.starts_with("licenseref-") && l.ends_with("-cla")
}

fn contribution(text: &str) -> bool {
    CONTRIBUTION.is_match(text)
}

/// A negation with a name of the license after it: in "BSD License and NOT under GNU
/// General Public License Version 2" the GPL is negated and the BSD License is not.
fn negated(text: &str, expression: &str) -> bool {
    let Some(neg) = NEGATION.find(text) else {
        return false;
    };
    let after = text[neg.end()..].to_ascii_lowercase();
    crate::expression::license_ids(expression)
        .iter()
        .all(|id| name_words(id).iter().any(|w| contains_word(&after, w)))
}

/// Words by which a text names the license `id`: the head of the id (`GPL` of
/// `GPL-2.0-only`, `Apache`, `MIT`) and, for the GNU family, `GNU`.
fn name_words(id: &str) -> Vec<String> {
    let id = id.strip_prefix("LicenseRef-scancode-").unwrap_or(id);
    let head = id
        .split(['-', '.'])
        .next()
        .unwrap_or(id)
        .to_ascii_lowercase();
    let mut words = vec![head.clone()];
    if matches!(head.as_str(), "gpl" | "lgpl" | "agpl" | "gfdl") {
        words.push("gnu".into());
    }
    words
}

fn contains_word(hay: &str, word: &str) -> bool {
    hay.match_indices(word).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The sentence as a reviewer reads it in a note: one line, at most 120 characters.
fn excerpt(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() <= 120 {
        one
    } else {
        let cut: String = one.chars().take(117).collect();
        format!("{cut}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(expr: &str, kind: MatchKind, lines: (u32, u32), text: &str) -> LicenseMatch {
        LicenseMatch {
            expression: expr.into(),
            kind,
            score: 1.0,
            start_line: lines.0,
            end_line: lines.1,
            rule: None,
            matched_text: Some(text.into()),
        }
    }

    #[test]
    fn negated_license_is_not_a_grant_but_the_elected_one_is() {
        // aws-lc-sys 0.32.3 LICENSE, lines 191-193, as the detector cut them.
        let bsd = m(
            "BSD-3-Clause",
            MatchKind::Notice,
            (191, 193),
            "The code in third_party/jitterentropy is distributed under the 3-Clause BSD \
             License. Amazon expressly elects to distribute the package under the 3-Clause",
        );
        let gpl = m(
            "GPL-2.0-only",
            MatchKind::Reference,
            (193, 193),
            "BSD License and NOT under GNU General Public License Version 2:",
        );
        let all = [bsd.clone(), gpl.clone()];
        assert_eq!(not_a_grant(&bsd, &all), None);
        assert!(not_a_grant(&gpl, &all).unwrap().starts_with("negated"));
        // The license before the negation is the one granted.
        let mit = m(
            "MIT",
            MatchKind::Reference,
            (1, 1),
            "licensed under the MIT license and not under the GPL",
        );
        assert_eq!(not_a_grant(&mit, std::slice::from_ref(&mit)), None);
    }

    #[test]
    fn contribution_clause_and_its_second_half_are_not_grants() {
        // openssl 0.10 README.md lines 20-22, as the detector cut them.
        let apache = m(
            "Apache-2.0",
            MatchKind::Reference,
            (20, 22),
            "submitted for inclusion in the work by you, as defined in the Apache-2.0 \
             license, shall be dual licensed under the terms of both the Apache License,",
        );
        let mit = m(
            "MIT",
            MatchKind::Reference,
            (22, 22),
            "Version 2.0 and the MIT license without any additional terms or conditions.",
        );
        let all = [apache.clone(), mit.clone()];
        assert!(not_a_grant(&apache, &all)
            .unwrap()
            .starts_with("contribution"));
        assert!(not_a_grant(&mit, &all).unwrap().contains("lines 20-22"));
        // The license section above it is a grant.
        let grant = m(
            "Apache-2.0 OR MIT",
            MatchKind::Reference,
            (5, 9),
            "Licensed under either of Apache License, Version 2.0 or MIT license at your option.",
        );
        assert_eq!(not_a_grant(&grant, &all), None);
    }

    #[test]
    fn texts_are_always_grants_and_clas_never() {
        let mut text = m("Apache-2.0", MatchKind::Text, (1, 201), "");
        text.matched_text = None;
        assert_eq!(not_a_grant(&text, &[]), None);
        let cla = m(
            "LicenseRef-scancode-generic-cla",
            MatchKind::Notice,
            (1, 7),
            "x",
        );
        assert!(not_a_grant(&cla, &[]).is_some());
    }
}
