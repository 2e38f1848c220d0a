//! From the file as written ([`cfg`](super::cfg)) to the checked [`Policy`]: every key,
//! id, category, glob, date and expression validated, each mistake a [`PolicyIssue`] with
//! its place and a fix ("did you mean `Apache-2.0`?").

use std::collections::{BTreeSet, HashSet};

use toml::Spanned;

use super::category::{Category, ALL_CATEGORIES};
use super::cfg::*;
use super::date::Date;
use super::diags::{closest, PolicyIssue};
use super::rules::*;
use crate::audit::Severity;

pub(super) struct Checker<'t> {
    pub(super) text: &'t str,
    pub(super) issues: Vec<PolicyIssue>,
    /// Byte offset of the start of every line after the first, so that a position is a
    /// binary search, not a count from the top (which made 200,000 exceptions quadratic).
    line_starts: Vec<usize>,
}

impl<'t> Checker<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Checker {
            text,
            issues: Vec::new(),
            line_starts: memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| i + 1)
                .collect(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = if line == 0 {
            0
        } else {
            self.line_starts[line - 1]
        };
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |l| l.chars().count() + 1);
        (line + 1, col)
    }

    pub(super) fn err(
        &mut self,
        span: std::ops::Range<usize>,
        message: String,
        fix: Option<String>,
    ) {
        let (line, col) = self.position(span.start);
        self.issues.push(PolicyIssue {
            line,
            col,
            message,
            fix,
        });
    }

    pub(super) fn line(&self, span: &std::ops::Range<usize>) -> Option<usize> {
        Some(self.position(span.start).0)
    }

    pub(super) fn build(&mut self, raw: RawPolicy, name: &str) -> Policy {
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
        let mut check_project = false;
        let (rules, dev) = match top {
            None => (base, None),
            Some(mut t) => {
                check_project = t.check_project.take().is_some_and(|b| *b.get_ref());
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
                    if let Some(c) = d.check_project.take() {
                        self.err(
                            c.span(),
                            "`check_project` in [licenses.dev] is not read: the project is \
                             not a dev dependency"
                                .into(),
                            Some("put `check_project = true` in [licenses]".into()),
                        );
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
            check_project,
            rules,
            dev,
            exceptions,
            clarify,
            advisories,
        }
    }

    /// One `[licenses]`-shaped table; keys it leaves out come from `inherit`.
    pub(super) fn rules(&mut self, r: RawRules, inherit: &Rules, table: &'static str) -> Rules {
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

    pub(super) fn list(&mut self, items: &[Spanned<String>], key: &str) -> List {
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
    pub(super) fn entry(&mut self, s: &Spanned<String>, key: &str) -> Option<Entry> {
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
            format!(
                "`{}` in {key} is not an SPDX license id, exception id or category",
                shorten(raw)
            ),
            Some(fix),
        );
        None
    }

    pub(super) fn exception(&mut self, e: RawException) -> ExceptionRule {
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

    pub(super) fn clarify(&mut self, c: RawClarify) -> Clarification {
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

    pub(super) fn pattern(&mut self, s: &Spanned<String>) -> ComponentPattern {
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
    pub(super) fn advisories(&mut self, a: RawAdvisories, line: Option<usize>) -> AdvisoryRules {
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
        if let Some(p) = &a.deny_epss_percentile {
            if !(0.0..=1.0).contains(p.get_ref()) {
                self.err(
                    p.span(),
                    format!(
                        "advisories.deny-epss-percentile = {} is not between 0 and 1",
                        p.get_ref()
                    ),
                    Some("EPSS percentiles are fractions: 0.9 is the 90th percentile".into()),
                );
            }
        }
        if let Some(d) = &a.max_data_age_days {
            if *d.get_ref() < 0 {
                self.err(
                    d.span(),
                    format!("advisories.max-data-age-days = {} is negative", d.get_ref()),
                    Some("write a number of days, e.g. 7".into()),
                );
            }
        }
        let act = |x: &Option<Spanned<Action>>, d: Action| x.as_ref().map_or(d, |u| *u.get_ref());
        AdvisoryRules {
            deny,
            warn,
            unrated: a.unrated.map_or(defaults.unrated, |u| *u.get_ref()),
            ignore,
            line,
            deny_kev: a.deny_kev.is_some_and(|b| *b.get_ref()),
            deny_epss_percentile: a.deny_epss_percentile.map(|p| *p.get_ref()),
            max_data_age_days: a.max_data_age_days.map(|d| *d.get_ref()),
            malicious: act(&a.malicious, defaults.malicious),
            unmaintained: act(&a.unmaintained, defaults.unmaintained),
            unsound: act(&a.unsound, defaults.unsound),
            notice: act(&a.notice, defaults.notice),
            install_scripts: act(&a.install_scripts, defaults.install_scripts),
        }
    }

    pub(super) fn severity(&mut self, s: &Spanned<String>, key: &str) -> Option<Severity> {
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

    pub(super) fn reason(&mut self, s: &Spanned<String>) {
        if s.get_ref().trim().is_empty() {
            self.err(
                s.span(),
                "the reason is empty".into(),
                Some("say why this is acceptable, and who decided".into()),
            );
        }
    }

    pub(super) fn date(&mut self, v: &Spanned<toml::Value>) -> Option<Date> {
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
    // No id is longer than this: a longer entry is not a near miss, and the edit distance
    // to every id would cost its length times theirs.
    if raw.len() > MAX_SUGGESTED {
        return "use an SPDX id (https://spdx.org/licenses/), a `LicenseRef-`, or a category"
            .into();
    }
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

/// Longest entry a "did you mean" is looked for (the longest SPDX id has 40-odd characters).
const MAX_SUGGESTED: usize = 64;

/// What an error quotes of a value from the policy: all of a short one, the start of a long
/// one (an error must not echo a megabyte back).
fn shorten(raw: &str) -> String {
    const SHOWN: usize = 80;
    if raw.len() <= SHOWN {
        return raw.to_string();
    }
    let mut end = SHOWN;
    while !raw.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &raw[..end], raw.len())
}

fn suggest_expression(expr: &str) -> String {
    if expr.len() > 4 * MAX_SUGGESTED {
        return "write an SPDX expression: ids joined by AND / OR, `WITH <exception>`".into();
    }
    let n = crate::expression::normalize(expr);
    if n.expression != expr && !n.expression.contains("LicenseRef-") {
        format!("did you mean `{}`?", n.expression)
    } else {
        "write an SPDX expression: ids joined by AND / OR, `WITH <exception>`".into()
    }
}
