//! The store's self-consistency: the text of every rule, matched alone as a license file,
//! must give the rule's own expression. A rule that does not find itself is either
//! shadowed by another rule or broken by the conversion of ScanCode's data; both are bugs
//! worth seeing. `build-license-db --self-check` runs it on every rule, `cargo test` on a
//! sample.

use rayon::prelude::*;

use super::{detect, Cache};
use crate::licensedb::{db, RuleKind, F_UNKNOWN};
use crate::model::FileClass;

/// The outcome over the rules checked.
pub struct SelfCheck {
    pub checked: usize,
    pub found: usize,
    /// (rule, its expression, what was found instead), in rule order.
    pub misses: Vec<(String, String, String)>,
}

/// Checks every `step`-th rule. Rules that name no license, false-positive rules, intros,
/// clues and phrases of under four words are left out: they are not meant to be found
/// alone. A lone exception counts when it is reported for review (as "unrecognized", the
/// exception its closest match): an exception is not a license.
pub fn self_check(step: usize) -> SelfCheck {
    let db = db();
    let cache = Cache::default();
    let results: Vec<(u32, bool, String)> = (0..db.rules_count() as u32)
        .into_par_iter()
        .filter(|r| *r as usize % step.max(1) == 0)
        .filter(|&r| {
            db.rule_flags(r) & F_UNKNOWN == 0
                && !matches!(
                    db.rule_kind(r),
                    RuleKind::FalsePositive | RuleKind::Intro | RuleKind::Clue
                )
                && db.rule_tokens(r).len() >= 4
        })
        .map(|r| {
            let words: Vec<&str> = db
                .rule_tokens(r)
                .iter()
                .map(|&t| db.token_text(t))
                .collect();
            let found = detect(Some(FileClass::License), &words.join(" "), &cache, None);
            let got: Vec<&str> = found
                .licenses
                .iter()
                .map(|m| m.expression.as_str())
                .chain(
                    found
                        .unrecognized
                        .iter()
                        .filter_map(|u| u.closest.as_deref()),
                )
                .collect();
            (r, got.contains(&db.rule_expression(r)), got.join(", "))
        })
        .collect();
    SelfCheck {
        checked: results.len(),
        found: results.iter().filter(|c| c.1).count(),
        misses: results
            .into_iter()
            .filter(|c| !c.1)
            .map(|(r, _, got)| {
                (
                    db.rule_identifier(r).to_string(),
                    db.rule_expression(r).to_string(),
                    got,
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    /// Every 25th rule of the committed store (about 1,200) finds itself: 99.9% of all
    /// rules do (`build-license-db --self-check`); the sample allows for a few misses.
    #[test]
    fn rules_find_themselves() {
        let c = super::self_check(25);
        assert!(c.checked > 1000, "{} rules checked", c.checked);
        let share = c.found as f64 / c.checked as f64;
        assert!(
            share >= 0.99,
            "{:.2}% found: {:#?}",
            share * 100.0,
            c.misses
        );
    }
}
