//! `policy.toml` as written: the tables and keys deserialized with their spans, so every
//! mistake can point at its line and column. [`Policy::parse`] reads the file and hands it
//! to [`validate`](super::validate), which checks it and builds the [`Policy`] of
//! [`rules`](super::rules); a policy with any error is never used, so nothing is
//! half-checked. The mistakes themselves are [`diags`](super::diags).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::diags::{explain_toml_error, line_col, PolicyError, PolicyIssue};
use super::rules::{Action, Policy};
use super::validate::Checker;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) licenses: Option<RawRules>,
    #[serde(default)]
    pub(super) exception: Vec<RawException>,
    #[serde(default)]
    pub(super) clarify: Vec<RawClarify>,
    // Not Spanned: toml cannot span a table that only `[[advisories.ignore]]` defines.
    pub(super) advisories: Option<RawAdvisories>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdvisories {
    pub(super) deny: Option<Spanned<String>>,
    pub(super) warn: Option<Spanned<String>>,
    pub(super) unrated: Option<Spanned<Action>>,
    /// Fail every finding listed in CISA's KEV catalog (`--kev`).
    #[serde(rename = "deny-kev")]
    pub(super) deny_kev: Option<Spanned<bool>>,
    /// Fail findings at or above this EPSS percentile (`--epss`), 0 to 1.
    #[serde(rename = "deny-epss-percentile")]
    pub(super) deny_epss_percentile: Option<Spanned<f64>>,
    /// A KEV / EPSS dataset older than this many days is a warning.
    #[serde(rename = "max-data-age-days")]
    pub(super) max_data_age_days: Option<Spanned<i64>>,
    /// OSV `MAL-` records (default deny).
    pub(super) malicious: Option<Spanned<Action>>,
    /// RustSec informational advisories (default warn, as cargo-audit reports them).
    pub(super) unmaintained: Option<Spanned<Action>>,
    pub(super) unsound: Option<Spanned<Action>>,
    pub(super) notice: Option<Spanned<Action>>,
    /// npm packages with preinstall / install / postinstall scripts (default warn).
    #[serde(rename = "install-scripts")]
    pub(super) install_scripts: Option<Spanned<Action>>,
    #[serde(default)]
    pub(super) ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIgnore {
    pub(super) id: Spanned<String>,
    pub(super) reason: Spanned<String>,
    pub(super) expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRules {
    pub(super) allow: Option<Vec<Spanned<String>>>,
    pub(super) deny: Option<Vec<Spanned<String>>>,
    pub(super) unknown: Option<Spanned<Action>>,
    pub(super) unlisted: Option<Spanned<Action>>,
    #[serde(default)]
    pub(super) prefer: Vec<Spanned<String>>,
    pub(super) min_confidence: Option<Spanned<f64>>,
    /// Whether the scanned project itself is judged (default false); `[licenses]` only.
    pub(super) check_project: Option<Spanned<bool>>,
    pub(super) dev: Option<Spanned<Box<RawRules>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawException {
    pub(super) component: Spanned<String>,
    pub(super) allow: Vec<Spanned<String>>,
    pub(super) reason: Spanned<String>,
    pub(super) expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClarify {
    pub(super) component: Spanned<String>,
    pub(super) expression: Spanned<String>,
    pub(super) reason: Spanned<String>,
    #[serde(default)]
    pub(super) files: Vec<Spanned<RawFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) path: Spanned<String>,
    pub(super) sha256: Spanned<String>,
}

/// The largest policy file read: a policy of thousands of exceptions is well under it.
pub const MAX_POLICY_BYTES: u64 = 4 << 20;

impl Policy {
    /// Read and check a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let shown = path.display().to_string();
        let fail = |message: String| PolicyError {
            path: shown.clone(),
            issues: vec![PolicyIssue {
                line: 0,
                col: 0,
                message,
                fix: Some("check the --policy path".into()),
            }],
        };
        let bytes = crate::text::read_capped(path, MAX_POLICY_BYTES)
            .map_err(|e| fail(format!("cannot read the policy: {e}")))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| fail(format!("cannot read the policy: not UTF-8 ({e})")))?;
        Policy::parse(&text, &shown)
    }

    /// Check policy text; `name` is the file name used in messages and verdicts.
    pub fn parse(text: &str, name: &str) -> Result<Policy, PolicyError> {
        let mut cx = Checker::new(text);
        let raw: RawPolicy = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
                let (message, fix) = explain_toml_error(e.message());
                return Err(PolicyError {
                    path: name.to_string(),
                    issues: vec![PolicyIssue {
                        line,
                        col,
                        message,
                        fix,
                    }],
                });
            }
        };
        let policy = cx.build(raw, name);
        if cx.issues.is_empty() {
            Ok(policy)
        } else {
            cx.issues.sort_by_key(|i| (i.line, i.col));
            Err(PolicyError {
                path: name.to_string(),
                issues: cx.issues,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::category::Category;
    use crate::policy::date::Date;
    use crate::policy::rules::*;

    fn err(text: &str) -> PolicyError {
        Policy::parse(text, "policy.toml").expect_err("policy should be rejected")
    }

    #[test]
    fn the_example_policy_is_valid() {
        let text = include_str!("../../policy.toml");
        let p = Policy::parse(text, "policy.toml").unwrap_or_else(|e| panic!("{e}"));
        assert!(p.rules.allow.has_id("MPL-2.0"));
        assert!(p.rules.allow.has_category(Category::Permissive));
        assert_eq!(p.rules.prefer, ["MIT", "Apache-2.0"]);
        let dev = p.dev.as_ref().unwrap();
        assert!(dev.allow.has_category(Category::StrongCopyleft));
        assert!(!dev.deny.has_category(Category::StrongCopyleft));
        assert!(dev.deny.has_category(Category::NetworkCopyleft));
        assert_eq!(p.exceptions[0].expires, Date::parse("2027-06-30"));
        assert_eq!(p.clarify[0].files.len(), 1);
        assert!(!p.exceptions.is_empty() && !p.clarify.is_empty());
    }

    #[test]
    fn unknown_key_with_did_you_mean() {
        let e = err("[licenses]\nalow = [\"MIT\"]\n");
        assert_eq!(e.issues.len(), 1);
        let i = &e.issues[0];
        assert_eq!((i.line, i.col), (2, 1), "{e}");
        assert_eq!(i.message, "unknown key `alow`");
        assert_eq!(i.fix.as_deref(), Some("did you mean `allow`?"));
        assert!(e
            .to_string()
            .starts_with("policy.toml:2:1: unknown key `alow`"));
    }

    #[test]
    fn misspelled_id_with_did_you_mean() {
        let e =
            err("[licenses]\nallow = [\"MIT\", \"Apache-2\", \"permisive\", \"BSD-3-clause\"]\n");
        let got: Vec<_> = e
            .issues
            .iter()
            .map(|i| (i.line, i.col, i.fix.clone().unwrap()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, 17, "did you mean `Apache-2.0`?".to_string()),
                (2, 29, "did you mean `permissive`?".to_string()),
                (2, 42, "did you mean `BSD-3-Clause`?".to_string()),
            ],
            "{e}"
        );
    }

    #[test]
    fn deprecated_and_lower_case_ids() {
        let e = err("[licenses]\nallow = [\"GPL-2.0\", \"mit\"]\n");
        let fixes: Vec<_> = e.issues.iter().map(|i| i.fix.clone().unwrap()).collect();
        assert_eq!(
            fixes,
            ["write `GPL-2.0-only`", "did you mean `MIT`?"],
            "{e}"
        );
        assert!(e.issues[0].message.contains("deprecated"), "{e}");
    }

    #[test]
    fn bad_date_and_wrong_type_and_bad_action() {
        let e = err(
            "[[exception]]\ncomponent = \"pkg:npm/x\"\nallow = [\"MIT\"]\nreason = \"r\"\nexpires = \"2027-02-30\"\n",
        );
        assert_eq!((e.issues[0].line, e.issues[0].col), (5, 11), "{e}");
        assert!(e.issues[0].message.contains("not a date"));
        let e = err("[licenses]\nallow = \"MIT\"\n");
        assert_eq!(e.issues[0].line, 2, "{e}");
        assert!(e.issues[0].message.contains("invalid type"), "{e}");
        let e = err("[licenses]\nunknown = \"block\"\n");
        assert_eq!((e.issues[0].line, e.issues[0].col), (2, 11), "{e}");
        assert!(e.to_string().contains("one of allow, warn, deny"), "{e}");
    }

    #[test]
    fn missing_reason_bad_purl_bad_hash_bad_expression() {
        let e = err("[[exception]]\ncomponent = \"pkg:npm/x\"\nallow = [\"MIT\"]\n");
        assert!(
            e.issues[0].message.contains("missing field `reason`"),
            "{e}"
        );
        let e = err(
            "[[clarify]]\ncomponent = \"pkg:cargo\"\nexpression = \"MIT AND Apache2\"\nreason = \"legal\"\nfiles = [{ path = \"LICENSE\", sha256 = \"abc\" }]\n",
        );
        let lines: Vec<_> = e.issues.iter().map(|i| (i.line, i.col)).collect();
        assert_eq!(lines, vec![(2, 13), (3, 23), (5, 39)], "{e}");
        assert!(
            e.to_string().contains("did you mean `MIT AND Apache-2.0`?"),
            "{e}"
        );
    }

    #[test]
    fn allowed_and_denied_is_an_error() {
        let e = err("[licenses]\nallow = [\"MIT\"]\ndeny = [\"MIT\"]\n");
        assert!(
            e.issues[0].message.contains("both allowed and denied"),
            "{e}"
        );
    }

    #[test]
    fn dev_inherits_what_it_leaves_out() {
        let p = Policy::parse(
            "[licenses]\nallow = [\"MIT\"]\nunknown = \"warn\"\n[licenses.dev]\ndeny = [\"network-copyleft\"]\n",
            "p.toml",
        )
        .unwrap();
        let dev = p.dev.unwrap();
        assert!(dev.allow.has_id("MIT"));
        assert!(dev.deny.has_category(Category::NetworkCopyleft));
        assert!(!p.rules.deny.has_category(Category::NetworkCopyleft));
        assert_eq!(dev.unknown, Action::Warn);
        assert_eq!(p.rules.unlisted, Action::Deny);
    }

    #[test]
    fn component_patterns() {
        let p = ComponentPattern::parse("pkg:npm/some-package").unwrap();
        assert!(p.matches(Some("pkg:npm/some-package@1.2.3"), "some-package", None));
        assert!(!p.matches(Some("pkg:cargo/some-package@1.2.3"), "some-package", None));
        let p = ComponentPattern::parse("pkg:cargo/ring@0.17.8").unwrap();
        assert!(p.matches(Some("pkg:cargo/ring@0.17.8"), "ring", None));
        assert!(!p.matches(Some("pkg:cargo/ring@0.16.0"), "ring", None));
        let p = ComponentPattern::parse("pkg:npm/@types/*").unwrap();
        assert!(p.matches(Some("pkg:npm/%40types/node@20.0.0"), "@types/node", None));
        assert!(!p.matches(Some("pkg:npm/node@20.0.0"), "node", None));
        let p = ComponentPattern::parse("lodash*").unwrap();
        assert!(p.matches(Some("pkg:npm/lodash.merge@4.0.0"), "lodash.merge", None));
        assert!(p.matches(None, "lodash", None));
        assert!(ComponentPattern::parse("pkg:npm").is_err());
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
