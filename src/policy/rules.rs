//! The checked policy: what `policy.toml` means once [`validate`](super::validate) has
//! accepted it, and the built-in default used when there is none. The matching of
//! components against it is [`eval`](super::eval) and [`advisories`](super::advisories).

use std::collections::HashSet;
use std::fmt;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use super::category::Category;
use super::date::Date;
use crate::audit::Severity;

/// What to do with a license that falls under `unknown` or `unlisted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    Warn,
    Deny,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Deny => "deny",
        }
    }
}

/// One entry of an allow or deny list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entry {
    /// An SPDX license id or a `LicenseRef-`.
    License(String),
    /// An SPDX exception id: allows (or denies) `X WITH <exception>` as far as the exception goes.
    Exception(String),
    /// `<license> WITH <exception>` as one term.
    With(String, String),
    Category(Category),
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::License(s) | Entry::Exception(s) => f.write_str(s),
            Entry::With(l, e) => write!(f, "{l} WITH {e}"),
            Entry::Category(c) => f.write_str(c.name()),
        }
    }
}

/// An allow or deny list, indexed for the evaluator's lookups.
#[derive(Debug, Clone, Default)]
pub struct List {
    pub entries: Vec<(Entry, Option<usize>)>,
    ids: HashSet<String>,
    categories: Vec<Category>,
}

impl List {
    pub(super) fn new(entries: Vec<(Entry, Option<usize>)>) -> List {
        let mut l = List {
            entries,
            ..Default::default()
        };
        for (e, _) in &l.entries {
            match e {
                Entry::Category(c) => l.categories.push(*c),
                other => {
                    l.ids.insert(other.to_string());
                }
            }
        }
        l
    }
    /// `MIT`, `LicenseRef-x`, `Classpath-exception-2.0` or `GPL-2.0-only WITH Classpath-exception-2.0`.
    pub fn has_id(&self, id: &str) -> bool {
        self.ids.contains(id)
    }
    pub fn has_category(&self, c: Category) -> bool {
        self.categories.contains(&c)
    }
    /// The line of an entry in the policy file, for messages.
    pub fn line_of(&self, text: &str) -> Option<usize> {
        self.entries
            .iter()
            .find(|(e, _)| e.to_string() == text)
            .and_then(|(_, l)| *l)
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One scope's rules: `[licenses]`, or `[licenses.dev]` merged over it.
#[derive(Debug, Clone)]
pub struct Rules {
    /// `licenses` or `licenses.dev`, for messages.
    pub table: &'static str,
    pub allow: List,
    pub deny: List,
    pub unknown: Action,
    pub unlisted: Action,
    /// License ids in the order an OR should pick them.
    pub prefer: Vec<String>,
    /// Licenses found only as text below this score are unknown.
    pub min_confidence: f32,
}

/// A component pattern: `pkg:type/namespace/name@version` (version optional, name and
/// namespace may be globs), or a bare name glob that matches any ecosystem.
#[derive(Debug, Clone)]
pub struct ComponentPattern {
    pub text: String,
    ty: Option<String>,
    namespace: Option<GlobMatcher>,
    name: GlobMatcher,
    version: Option<GlobMatcher>,
}

impl ComponentPattern {
    pub fn parse(text: &str) -> Result<ComponentPattern, String> {
        let glob = |s: &str| -> Result<GlobMatcher, String> {
            Glob::new(s)
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("`{s}` is not a valid glob: {e}"))
        };
        let Some(rest) = text.strip_prefix("pkg:") else {
            if text.is_empty() || text.contains('/') || text.contains('@') {
                return Err(format!(
                    "`{text}` is neither a purl (`pkg:type/name@version`) nor a package name"
                ));
            }
            return Ok(ComponentPattern {
                text: text.to_string(),
                ty: None,
                namespace: None,
                name: glob(text)?,
                version: None,
            });
        };
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        let Some((ty, path)) = rest.split_once('/') else {
            return Err(format!(
                "`{text}` has no name: write `pkg:<type>/<name>`, e.g. `pkg:npm/left-pad`"
            ));
        };
        // The version follows the last '@' after the namespace (npm scopes start with '@').
        let (path, version) = match path.rfind('@') {
            Some(i) if i > 0 && !path[..i].ends_with('/') => (&path[..i], Some(&path[i + 1..])),
            _ => (path, None),
        };
        let (namespace, name) = match path.rsplit_once('/') {
            Some((ns, n)) => (Some(ns), n),
            None => (None, path),
        };
        if ty.is_empty() || name.is_empty() {
            return Err(format!("`{text}` has an empty type or name"));
        }
        let decode = |s: &str| {
            s.replace("%40", "@")
                .replace("%2F", "/")
                .replace("%2f", "/")
        };
        Ok(ComponentPattern {
            text: text.to_string(),
            ty: Some(ty.to_ascii_lowercase()),
            namespace: namespace.map(|n| glob(&decode(n))).transpose()?,
            name: glob(&decode(name))?,
            version: version
                .filter(|v| !v.is_empty())
                .map(|v| glob(&decode(v)))
                .transpose()?,
        })
    }

    /// Does this pattern name the component with this purl (or, without a purl, this name)?
    pub fn matches(&self, purl: Option<&str>, name: &str, version: Option<&str>) -> bool {
        let parsed = purl.and_then(|p| p.parse::<packageurl::PackageUrl>().ok());
        self.matches_parsed(parsed.as_ref(), name, version)
    }

    /// [`Self::matches`] with the purl parsed once by the caller.
    pub fn matches_parsed(
        &self,
        parsed: Option<&packageurl::PackageUrl<'_>>,
        name: &str,
        version: Option<&str>,
    ) -> bool {
        let Some(ty) = &self.ty else {
            let n = parsed.as_ref().map_or(name, |p| p.name());
            return self.name.is_match(n) || self.name.is_match(name);
        };
        let Some(p) = parsed else {
            return false;
        };
        if !p.ty().eq_ignore_ascii_case(ty) || !self.name.is_match(p.name()) {
            return false;
        }
        match (&self.namespace, p.namespace()) {
            (Some(g), Some(ns)) if g.is_match(ns) => {}
            (None, None) => {}
            _ => return false,
        }
        match &self.version {
            None => true,
            Some(g) => p.version().or(version).is_some_and(|v| g.is_match(v)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExceptionRule {
    pub component: ComponentPattern,
    pub allow: List,
    pub reason: String,
    pub expires: Option<Date>,
    pub line: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Clarification {
    pub component: ComponentPattern,
    pub expression: String,
    pub reason: String,
    /// (path, lower-case SHA-256)
    pub files: Vec<(String, String)>,
    pub line: Option<usize>,
}

/// `[advisories]`: how `ospo audit` and `ospo check --db` judge vulnerability findings.
#[derive(Debug, Clone)]
pub struct AdvisoryRules {
    /// Findings at or above this severity fail.
    pub deny: Severity,
    /// Findings at or above this severity (and below `deny`) warn.
    pub warn: Option<Severity>,
    /// What a finding with no rating at all gets.
    pub unrated: Action,
    pub ignore: Vec<AdvisoryIgnore>,
    /// Where `[advisories]` is (None: not written, the defaults apply).
    pub line: Option<usize>,
    /// `deny-kev = true`: a KEV-listed finding fails.
    pub deny_kev: bool,
    /// `deny-epss-percentile = 0.9`: a finding at or above it fails.
    pub deny_epss_percentile: Option<f64>,
    /// `max-data-age-days = N`: an older KEV / EPSS dataset is a warning.
    pub max_data_age_days: Option<i64>,
    pub malicious: Action,
    pub unmaintained: Action,
    pub unsound: Action,
    pub notice: Action,
    pub install_scripts: Action,
}

impl Default for AdvisoryRules {
    /// Without an `[advisories]` table every known vulnerability fails: a policy that says
    /// nothing about vulnerabilities does not get to pass them silently.
    fn default() -> Self {
        AdvisoryRules {
            deny: Severity::None,
            warn: None,
            unrated: Action::Deny,
            ignore: Vec::new(),
            line: None,
            deny_kev: false,
            deny_epss_percentile: None,
            max_data_age_days: None,
            malicious: Action::Deny,
            unmaintained: Action::Warn,
            unsound: Action::Warn,
            notice: Action::Warn,
            install_scripts: Action::Warn,
        }
    }
}

/// `[[advisories.ignore]]`: an advisory accepted, with a reason and maybe an expiry.
#[derive(Debug, Clone)]
pub struct AdvisoryIgnore {
    pub id: String,
    pub reason: String,
    pub expires: Option<Date>,
    pub line: Option<usize>,
}

/// A checked policy, ready for [`super::evaluate`].
#[derive(Debug, Clone)]
pub struct Policy {
    /// The file it came from, as given, or "built-in default".
    pub source: String,
    pub builtin: bool,
    /// Judge the scanned project's own license too (`[licenses] check_project = true`).
    /// Off by default: a policy is about what the project takes in, and a private app
    /// without a license field must not fail its own check (as `notice` leaves it out).
    pub check_project: bool,
    pub rules: Rules,
    /// `[licenses.dev]` merged over `[licenses]`, when the policy has one.
    pub dev: Option<Rules>,
    pub exceptions: Vec<ExceptionRule>,
    pub clarify: Vec<Clarification>,
    pub advisories: AdvisoryRules,
}

/// The default minimum score for a license found only as text.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.8;

impl Policy {
    /// Used when there is no policy.toml: permissive and public-domain licenses allowed,
    /// strong and network copyleft denied, unknown and everything else warned.
    pub fn builtin_default() -> Policy {
        let list = |cats: &[Category]| {
            List::new(cats.iter().map(|c| (Entry::Category(*c), None)).collect())
        };
        Policy {
            source: "built-in default".into(),
            builtin: true,
            check_project: false,
            rules: Rules {
                table: "licenses",
                allow: list(&[Category::Permissive, Category::PublicDomain]),
                deny: list(&[Category::StrongCopyleft, Category::NetworkCopyleft]),
                unknown: Action::Warn,
                unlisted: Action::Warn,
                prefer: Vec::new(),
                min_confidence: DEFAULT_MIN_CONFIDENCE,
            },
            dev: None,
            exceptions: Vec::new(),
            clarify: Vec::new(),
            advisories: AdvisoryRules::default(),
        }
    }

    /// "policy.toml:12", or "built-in default" for the default policy.
    pub fn at(&self, line: Option<usize>) -> String {
        match line {
            Some(l) => format!("{}:{l}", self.source),
            None => self.source.clone(),
        }
    }
}
