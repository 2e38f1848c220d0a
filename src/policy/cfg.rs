//! `policy.toml` as written: deserialized with spans, validated, and turned into a
//! [`Policy`]. Every mistake (an unknown key, a wrong type, a misspelled license id, a bad
//! date, an invalid expression) becomes a [`PolicyError`] with file:line:col and a fix;
//! a policy with any error is never used, so nothing is half-checked.

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::path::Path;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use super::category::{Category, ALL_CATEGORIES};
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

// ---------------------------------------------------------------------------------------
// The file as written.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    licenses: Option<RawRules>,
    #[serde(default)]
    exception: Vec<RawException>,
    #[serde(default)]
    clarify: Vec<RawClarify>,
    // Not Spanned: toml cannot span a table that only `[[advisories.ignore]]` defines.
    advisories: Option<RawAdvisories>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdvisories {
    deny: Option<Spanned<String>>,
    warn: Option<Spanned<String>>,
    unrated: Option<Spanned<Action>>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    allow: Option<Vec<Spanned<String>>>,
    deny: Option<Vec<Spanned<String>>>,
    unknown: Option<Spanned<Action>>,
    unlisted: Option<Spanned<Action>>,
    #[serde(default)]
    prefer: Vec<Spanned<String>>,
    min_confidence: Option<Spanned<f64>>,
    dev: Option<Spanned<Box<RawRules>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    component: Spanned<String>,
    allow: Vec<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClarify {
    component: Spanned<String>,
    expression: Spanned<String>,
    reason: Spanned<String>,
    #[serde(default)]
    files: Vec<Spanned<RawFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: Spanned<String>,
    sha256: Spanned<String>,
}

// ---------------------------------------------------------------------------------------
// The checked policy.

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
    fn new(entries: Vec<(Entry, Option<usize>)>) -> List {
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
    pub rules: Rules,
    /// `[licenses.dev]` merged over `[licenses]`, when the policy has one.
    pub dev: Option<Rules>,
    pub exceptions: Vec<ExceptionRule>,
    pub clarify: Vec<Clarification>,
    pub advisories: AdvisoryRules,
}

/// Where a finding about the policy is in the file, what is wrong, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyIssue {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub fix: Option<String>,
}

/// Everything wrong with a policy file (at least one issue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub path: String,
    pub issues: Vec<PolicyIssue>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, is) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if is.line == 0 {
                // Not about a place in the file (it could not be read at all).
                write!(f, "{}: {}", self.path, is.message)?;
            } else {
                write!(f, "{}:{}:{}: {}", self.path, is.line, is.col, is.message)?;
            }
            if let Some(fix) = &is.fix {
                write!(f, "\n  fix: {fix}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// The default minimum score for a license found only as text.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.8;

impl Policy {
    /// Read and check a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PolicyError {
            path: shown.clone(),
            issues: vec![PolicyIssue {
                line: 0,
                col: 0,
                message: format!("cannot read the policy: {e}"),
                fix: Some("check the --policy path".into()),
            }],
        })?;
        Policy::parse(&text, &shown)
    }

    /// Check policy text; `name` is the file name used in messages and verdicts.
    pub fn parse(text: &str, name: &str) -> Result<Policy, PolicyError> {
        let mut cx = Checker {
            text,
            issues: Vec::new(),
        };
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

    /// Used when there is no policy.toml: permissive and public-domain licenses allowed,
    /// strong and network copyleft denied, unknown and everything else warned.
    pub fn builtin_default() -> Policy {
        let list = |cats: &[Category]| {
            List::new(cats.iter().map(|c| (Entry::Category(*c), None)).collect())
        };
        Policy {
            source: "built-in default".into(),
            builtin: true,
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

/// Byte offset -> 1-based line and column (in characters).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

/// serde / toml messages made into a message and a fix ("did you mean").
fn explain_toml_error(msg: &str) -> (String, Option<String>) {
    let msg = msg.trim().to_string();
    // "unknown field `alow`, expected one of `allow`, `deny`"
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let fix = match closest(field, options.iter().copied()) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("the keys here are: {}", options.join(", ")),
            };
            return (format!("unknown key `{field}`"), Some(fix));
        }
    }
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        if let Some((v, _)) = rest.split_once('`') {
            let fix = match closest(v, ["allow", "warn", "deny"]) {
                Some(c) => format!("did you mean `{c}`? (one of allow, warn, deny)"),
                None => "use one of allow, warn, deny".to_string(),
            };
            return (format!("`{v}` is not an action"), Some(fix));
        }
    }
    if msg.starts_with("missing field") {
        let fix = if msg.contains("reason") {
            "every [[exception]] and [[clarify]] needs `reason = \"...\"`: why it is acceptable"
        } else {
            "add the missing key"
        };
        return (msg.clone(), Some(fix.to_string()));
    }
    if msg.starts_with("invalid type") {
        let msg = msg
            .replace("expected a sequence", "expected a list, like [\"MIT\"]")
            .replace("expected a map", "expected a table");
        return (
            msg,
            Some("see the commented example policy.toml for each key's type".into()),
        );
    }
    (msg, None)
}

/// The nearest candidate by edit distance, if it is near enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(&w, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let limit = (word.chars().count() / 3).max(2);
    best.filter(|(d, _)| *d <= limit).map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

struct Checker<'t> {
    text: &'t str,
    issues: Vec<PolicyIssue>,
}

impl Checker<'_> {
    fn err(&mut self, span: std::ops::Range<usize>, message: String, fix: Option<String>) {
        let (line, col) = line_col(self.text, span.start);
        self.issues.push(PolicyIssue {
            line,
            col,
            message,
            fix,
        });
    }

    fn line(&self, span: &std::ops::Range<usize>) -> Option<usize> {
        Some(line_col(self.text, span.start).0)
    }

    fn build(&mut self, raw: RawPolicy, name: &str) -> Policy {
        let top = raw.licenses;
        let base = Rules {
            table: "licenses",
            allow: List::default(),
            deny: List::default(),
            unknown: Action::Deny,
            unlisted: Action::Deny,
            prefer: Vec::new(),
            min_confidence: DEFAULT_MIN_CONFIDENCE,
        };
        let (rules, dev) = match top {
            None => (base, None),
            Some(mut t) => {
                let dev_raw = t.dev.take();
                let rules = self.rules(t, &base, "licenses");
                let dev = dev_raw.map(|d| {
                    let span = d.span();
                    let mut d = *d.into_inner();
                    if d.dev.is_some() {
                        self.err(
                            span,
                            "`[licenses.dev.dev]` is not a table ospo reads".into(),
                            Some("put dev-only rules in [licenses.dev]".into()),
                        );
                        d.dev = None;
                    }
                    self.rules(d, &rules, "licenses.dev")
                });
                (rules, dev)
            }
        };
        let exceptions = raw
            .exception
            .into_iter()
            .map(|e| self.exception(e))
            .collect();
        let clarify = raw.clarify.into_iter().map(|c| self.clarify(c)).collect();
        let advisories = match raw.advisories {
            None => AdvisoryRules::default(),
            Some(a) => {
                let line = self
                    .text
                    .lines()
                    .position(|l| {
                        l.trim_start().starts_with("[advisories")
                            || l.trim_start().starts_with("[[advisories")
                    })
                    .map(|i| i + 1);
                self.advisories(a, line)
            }
        };
        Policy {
            source: name.to_string(),
            builtin: false,
            rules,
            dev,
            exceptions,
            clarify,
            advisories,
        }
    }

    /// One `[licenses]`-shaped table; keys it leaves out come from `inherit`.
    fn rules(&mut self, r: RawRules, inherit: &Rules, table: &'static str) -> Rules {
        // A list left out inherits; a list written, even `[]`, replaces.
        let allow = match &r.allow {
            None => inherit.allow.clone(),
            Some(l) => self.list(l, &format!("{table}.allow")),
        };
        let deny = match &r.deny {
            // What the scope allows itself is no longer denied by the inherited list.
            None => List::new(
                inherit
                    .deny
                    .entries
                    .iter()
                    .filter(|(e, _)| !allow.entries.iter().any(|(a, _)| a == e))
                    .cloned()
                    .collect(),
            ),
            Some(l) => self.list(l, &format!("{table}.deny")),
        };
        // Saying both "allow X" and "deny X" is a contradiction, not a precedence question.
        for (e, _) in &allow.entries {
            if deny.entries.iter().any(|(d, _)| d == e) {
                if let Some(s) = r
                    .allow
                    .iter()
                    .flatten()
                    .find(|s| s.get_ref() == &e.to_string())
                {
                    self.err(
                        s.span(),
                        format!("`{e}` is both allowed and denied in [{table}]"),
                        Some(format!("remove `{e}` from one of the two lists")),
                    );
                }
            }
        }
        let mut prefer = Vec::new();
        for p in &r.prefer {
            match self.entry(p, &format!("{table}.prefer")) {
                Some(Entry::License(id)) => prefer.push(id),
                Some(_) => self.err(
                    p.span(),
                    format!("`{}` in {table}.prefer is not a license id", p.get_ref()),
                    Some("prefer lists SPDX license ids, most preferred first".into()),
                ),
                None => {}
            }
        }
        if prefer.is_empty() {
            prefer = inherit.prefer.clone();
        }
        let min_confidence = match r.min_confidence {
            None => inherit.min_confidence,
            Some(s) => {
                let v = *s.get_ref();
                if !(0.0..=1.0).contains(&v) {
                    self.err(
                        s.span(),
                        format!("min_confidence = {v} is not between 0 and 1"),
                        Some(format!("the default is {DEFAULT_MIN_CONFIDENCE}")),
                    );
                }
                v as f32
            }
        };
        Rules {
            table,
            allow,
            deny,
            unknown: r.unknown.map_or(inherit.unknown, |a| *a.get_ref()),
            unlisted: r.unlisted.map_or(inherit.unlisted, |a| *a.get_ref()),
            prefer,
            min_confidence,
        }
    }

    fn list(&mut self, items: &[Spanned<String>], key: &str) -> List {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for s in items {
            if let Some(e) = self.entry(s, key) {
                if seen.insert(e.clone()) {
                    out.push((e, self.line(&s.span())));
                }
            }
        }
        List::new(out)
    }

    /// One list entry: a category, an SPDX license or exception id, `X WITH Y`, or a
    /// `LicenseRef-`. A near miss gets a "did you mean".
    fn entry(&mut self, s: &Spanned<String>, key: &str) -> Option<Entry> {
        let raw = s.get_ref().trim();
        if let Some(c) = Category::from_name(raw) {
            return Some(Entry::Category(c));
        }
        if let Some((l, e)) = raw.split_once(" WITH ") {
            let (l, e) = (l.trim(), e.trim());
            if spdx::license_id(l).is_some() && spdx::exception_id(e).is_some() {
                return Some(Entry::With(l.to_string(), e.to_string()));
            }
        }
        if raw.starts_with("LicenseRef-") && raw.len() > "LicenseRef-".len() {
            return Some(Entry::License(raw.to_string()));
        }
        if let Some(id) = spdx::license_id(raw) {
            if id.is_deprecated() {
                let fix = crate::expression::normalize_id(raw)
                    .map(|n| format!("write `{n}`"))
                    .unwrap_or_else(|| "use the current SPDX id".into());
                self.err(
                    s.span(),
                    format!("`{raw}` in {key} is a deprecated SPDX id"),
                    Some(fix),
                );
                return None;
            }
            return Some(Entry::License(id.name.to_string()));
        }
        if let Some(e) = spdx::exception_id(raw) {
            return Some(Entry::Exception(e.name.to_string()));
        }
        let fix = suggest(raw);
        self.err(
            s.span(),
            format!("`{raw}` in {key} is not an SPDX license id, exception id or category"),
            Some(fix),
        );
        None
    }

    fn exception(&mut self, e: RawException) -> ExceptionRule {
        let component = self.pattern(&e.component);
        if e.allow.is_empty() {
            self.err(
                e.component.span(),
                "this [[exception]] allows nothing".into(),
                Some(
                    "add `allow = [\"<license id>\"]`: the licenses this component may use".into(),
                ),
            );
        }
        let allow = self.list(&e.allow, "exception.allow");
        self.reason(&e.reason);
        let expires = e.expires.as_ref().and_then(|x| self.date(x));
        ExceptionRule {
            component,
            allow,
            reason: e.reason.get_ref().trim().to_string(),
            expires,
            line: self.line(&e.component.span()),
        }
    }

    fn clarify(&mut self, c: RawClarify) -> Clarification {
        let component = self.pattern(&c.component);
        let expr = c.expression.get_ref().trim().to_string();
        if let Err(e) = spdx::Expression::parse(&expr) {
            // Point at the offending part of the expression inside the quoted string.
            let start = c.expression.span().start + 1 + e.span.start;
            self.err(
                start..start,
                format!("`{expr}` is not a valid SPDX expression: {}", e.reason),
                Some(suggest_expression(&expr)),
            );
        }
        self.reason(&c.reason);
        let mut files = Vec::new();
        for f in &c.files {
            let f = f.get_ref();
            let h = f.sha256.get_ref().trim().to_ascii_lowercase();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                self.err(
                    f.sha256.span(),
                    format!("`{}` is not a SHA-256 (64 hex digits)", f.sha256.get_ref()),
                    Some(format!(
                        "use the `sha256` of `{}` from `ospo scan --format json`, or `sha256sum`",
                        f.path.get_ref()
                    )),
                );
            }
            files.push((f.path.get_ref().trim_start_matches("./").to_string(), h));
        }
        Clarification {
            component,
            expression: expr,
            reason: c.reason.get_ref().trim().to_string(),
            files,
            line: self.line(&c.component.span()),
        }
    }

    fn pattern(&mut self, s: &Spanned<String>) -> ComponentPattern {
        match ComponentPattern::parse(s.get_ref().trim()) {
            Ok(p) => p,
            Err(msg) => {
                self.err(
                    s.span(),
                    msg,
                    Some("write a purl like `pkg:npm/left-pad`, `pkg:cargo/ring@0.17.8` or `pkg:npm/@types/*`".into()),
                );
                ComponentPattern::parse("-").expect("a plain name parses")
            }
        }
    }

    /// `[advisories]`: severities by name, ignores with a reason, each id once.
    fn advisories(&mut self, a: RawAdvisories, line: Option<usize>) -> AdvisoryRules {
        let defaults = AdvisoryRules::default();
        let deny = a
            .deny
            .as_ref()
            .and_then(|s| self.severity(s, "advisories.deny"))
            .unwrap_or(defaults.deny);
        let warn = a
            .warn
            .as_ref()
            .and_then(|s| self.severity(s, "advisories.warn"));
        if let (Some(w), Some(ws)) = (warn, &a.warn) {
            if w > deny {
                self.err(
                    ws.span(),
                    format!(
                        "advisories.warn = \"{}\" is above advisories.deny = \"{}\"",
                        w.name(),
                        deny.name()
                    ),
                    Some("warn names a lower severity than deny (e.g. deny = \"high\", warn = \"medium\")".into()),
                );
            }
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut ignore = Vec::new();
        for i in a.ignore {
            let id = i.id.get_ref().trim().to_string();
            if id.is_empty() || id.contains(char::is_whitespace) {
                self.err(
                    i.id.span(),
                    format!("`{}` is not an advisory id", i.id.get_ref()),
                    Some("write one id, e.g. id = \"RUSTSEC-2023-0071\", \"GHSA-c38w-74pg-36hr\" or \"CVE-2023-49092\"".into()),
                );
            } else if !seen.insert(id.to_ascii_uppercase()) {
                self.err(
                    i.id.span(),
                    format!("`{id}` is ignored twice in [[advisories.ignore]]"),
                    Some("keep one entry per advisory id".into()),
                );
            }
            self.reason(&i.reason);
            let expires = i.expires.as_ref().and_then(|x| self.date(x));
            ignore.push(AdvisoryIgnore {
                id,
                reason: i.reason.get_ref().trim().to_string(),
                expires,
                line: self.line(&i.id.span()),
            });
        }
        AdvisoryRules {
            deny,
            warn,
            unrated: a.unrated.map_or(defaults.unrated, |u| *u.get_ref()),
            ignore,
            line,
        }
    }

    fn severity(&mut self, s: &Spanned<String>, key: &str) -> Option<Severity> {
        let raw = s.get_ref().trim();
        match Severity::from_word(raw) {
            Some(v) => Some(v),
            None => {
                let words = ["none", "low", "medium", "high", "critical"];
                let fix = match closest(&raw.to_ascii_lowercase(), words) {
                    Some(c) => {
                        format!("did you mean `{c}`? (one of none, low, medium, high, critical)")
                    }
                    None => "one of none, low, medium, high, critical".into(),
                };
                self.err(
                    s.span(),
                    format!("`{raw}` in {key} is not a severity"),
                    Some(fix),
                );
                None
            }
        }
    }

    fn reason(&mut self, s: &Spanned<String>) {
        if s.get_ref().trim().is_empty() {
            self.err(
                s.span(),
                "the reason is empty".into(),
                Some("say why this is acceptable, and who decided".into()),
            );
        }
    }

    fn date(&mut self, v: &Spanned<toml::Value>) -> Option<Date> {
        let parsed = match v.get_ref() {
            toml::Value::String(s) => Date::parse(s.trim()),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d
                .date
                .and_then(|d| Date::parse(&format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))),
            _ => None,
        };
        if parsed.is_none() {
            let shown = match v.get_ref() {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            self.err(
                v.span(),
                format!("`{shown}` is not a date"),
                Some("write the date as \"YYYY-MM-DD\", e.g. expires = \"2027-06-30\"".into()),
            );
        }
        parsed
    }
}

/// "did you mean" for a list entry: the resolver's reading of sloppy names ("Apache 2",
/// "mit"), then the nearest id or category by edit distance.
fn suggest(raw: &str) -> String {
    if let Some(n) = crate::expression::normalize_id(raw) {
        if n != raw && spdx::license_id(&n).is_some() {
            return format!("did you mean `{n}`?");
        }
    }
    let ids = spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
        .chain(ALL_CATEGORIES.iter().map(|c| c.name()));
    match closest(raw, ids) {
        Some(c) => format!("did you mean `{c}`?"),
        None => "use an SPDX id (https://spdx.org/licenses/), a `LicenseRef-`, or a category: \
                 permissive, weak-copyleft, strong-copyleft, network-copyleft, public-domain, \
                 proprietary, unknown"
            .into(),
    }
}

fn suggest_expression(expr: &str) -> String {
    let n = crate::expression::normalize(expr);
    if n.expression != expr && !n.expression.contains("LicenseRef-") {
        format!("did you mean `{}`?", n.expression)
    } else {
        "write an SPDX expression: ids joined by AND / OR, `WITH <exception>`".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
