//! Evaluation: one verdict per component from its concluded (or clarified) SPDX expression.
//!
//! The expression is parsed once with `spdx::Expression` and folded into an AND/OR tree:
//! AND takes its worst term, OR its best branch (ties broken by `prefer`, then by the order
//! written), and the verdict names the branch chosen and the rule that decided. A term is a
//! license id, maybe `-or-later` / `+`, maybe `WITH` an exception; see [`Evaluator::term`].

use std::collections::HashMap;

use spdx::expression::{ExprNode, Operator};
use spdx::{LicenseItem, LicenseReq};

use super::category::{category_of, exception_category, Category};
use super::date::Date;
use super::rules::{Action, Clarification, ExceptionRule, List, Policy, Rules};
use super::{ComponentVerdict, Counts, Evaluation, EvidenceRef, RuleKind, Status};
use crate::model::{Component, FileRecord, Scan, Scope};

/// How many days before its `expires` an exception starts to warn.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Where an `expires` date stands as of a day: shared by license `[[exception]]`s and
/// `[[advisories.ignore]]`, so both expire alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No date, or more than [`EXPIRY_WARNING_DAYS`] left.
    Valid,
    /// Within [`EXPIRY_WARNING_DAYS`]: the date and the days left.
    Expiring(Date, i64),
    Expired(Date),
}

pub fn expiry(expires: Option<Date>, today: Date) -> Expiry {
    match expires {
        None => Expiry::Valid,
        Some(exp) => {
            let left = exp.days() - today.days();
            if left < 0 {
                Expiry::Expired(exp)
            } else if left <= EXPIRY_WARNING_DAYS {
                Expiry::Expiring(exp, left)
            } else {
                Expiry::Valid
            }
        }
    }
}

/// Judge every component of `scan` against `policy` as of `today`.
pub fn evaluate(scan: &Scan, policy: &Policy, today: Date) -> Evaluation {
    let files: HashMap<&str, &FileRecord> =
        scan.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut ev = Evaluator {
        policy,
        today,
        files,
        exception_used: vec![false; policy.exceptions.len()],
        clarify_used: vec![false; policy.clarify.len()],
    };
    let mut notes = Vec::new();
    let project = scan.project.as_deref();
    let mut components: Vec<ComponentVerdict> = Vec::new();
    for c in &scan.components {
        let v = ev.component(c);
        if !policy.check_project && project == Some(c.bom_ref.as_str()) {
            // Its own license is the project's decision, not a dependency's: said only
            // where judging it would have changed the outcome.
            if v.status != Status::Pass {
                notes.push(format!(
                    "the project itself (`{}`, {}) is not judged; `check_project = true` in \
                     [licenses] judges it too",
                    c.bom_ref, c.concluded
                ));
            }
            continue;
        }
        components.push(v);
    }
    components.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));
    let mut summary = Counts {
        components: components.len(),
        ..Default::default()
    };
    for c in &components {
        match c.status {
            Status::Pass => summary.pass += 1,
            Status::Warn => summary.warn += 1,
            Status::Fail => summary.fail += 1,
        }
    }
    for (i, e) in policy.exceptions.iter().enumerate() {
        if !ev.exception_used[i] {
            notes.push(format!(
                "[[exception]] for `{}` ({}) matched no component",
                e.component.text,
                policy.at(e.line)
            ));
        }
    }
    for (i, c) in policy.clarify.iter().enumerate() {
        if !ev.clarify_used[i] {
            notes.push(format!(
                "[[clarify]] for `{}` ({}) matched no component",
                c.component.text,
                policy.at(c.line)
            ));
        }
    }
    Evaluation {
        policy: policy.source.clone(),
        date: today,
        summary,
        components,
        notes,
        advisories: None,
    }
}

/// The verdict of a term or a subtree of the expression.
#[derive(Debug, Clone)]
struct Outcome {
    status: Status,
    kind: RuleKind,
    rule: String,
    /// The license (id) the verdict is about: the failing one, or the one chosen.
    license: Option<String>,
    messages: Vec<String>,
    fix: Option<String>,
    /// Allowed by a category: (the rule without its license, the category, where), so an
    /// AND of several licenses allowed by one entry can say so once.
    group: Option<(String, Category, String)>,
}

impl Outcome {
    fn rank(&self) -> (Status, u8) {
        // Among equal statuses, a denial is worse than an unlisted license.
        let k = match self.kind {
            RuleKind::Denied | RuleKind::ExceptionExpired => 2,
            RuleKind::Unlisted | RuleKind::Unknown => 1,
            _ => 0,
        };
        (self.status, k)
    }
}

fn action_status(a: Action) -> Status {
    match a {
        Action::Allow => Status::Pass,
        Action::Warn => Status::Warn,
        Action::Deny => Status::Fail,
    }
}

enum Tree {
    Leaf(usize),
    And(Vec<Tree>),
    Or(Vec<Tree>),
}

struct Evaluator<'a> {
    policy: &'a Policy,
    today: Date,
    files: HashMap<&'a str, &'a FileRecord>,
    exception_used: Vec<bool>,
    clarify_used: Vec<bool>,
}

/// What the component is called in fixes: its purl without version, or its name.
fn pattern_for(c: &Component) -> String {
    match &c.purl {
        Some(p) => {
            let p = p.split(['?', '#']).next().unwrap_or(p);
            match p.rfind('@') {
                Some(i) if p[..i].contains('/') && !p[..i].ends_with('/') => p[..i].to_string(),
                _ => p.to_string(),
            }
        }
        None => c.name.clone(),
    }
}

impl<'a> Evaluator<'a> {
    fn component(&mut self, c: &Component) -> ComponentVerdict {
        let policy = self.policy;
        let rules = match (c.scope, &policy.dev) {
            (Some(Scope::Dev), Some(dev)) => dev,
            _ => &policy.rules,
        };
        let purl = c
            .purl
            .as_deref()
            .and_then(|p| p.parse::<packageurl::PackageUrl>().ok());
        let exceptions: Vec<(usize, &ExceptionRule)> = policy
            .exceptions
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.component
                    .matches_parsed(purl.as_ref(), &c.name, c.version.as_deref())
            })
            .collect();
        for (i, _) in &exceptions {
            self.exception_used[*i] = true;
        }
        let mut messages = Vec::new();
        let mut expression = c.concluded.trim().to_string();
        let mut clarified = false;
        let mut void_fix = None;
        if let Some((i, cl)) = policy.clarify.iter().enumerate().find(|(_, cl)| {
            cl.component
                .matches_parsed(purl.as_ref(), &c.name, c.version.as_deref())
        }) {
            self.clarify_used[i] = true;
            match self.clarification_holds(c, cl) {
                Ok(()) => {
                    messages.push(format!(
                        "license clarified as `{}` by {}: {}",
                        cl.expression,
                        policy.at(cl.line),
                        cl.reason
                    ));
                    expression = cl.expression.clone();
                    clarified = true;
                }
                Err(why) => {
                    messages.push(format!(
                        "the [[clarify]] at {} no longer applies: {why}",
                        policy.at(cl.line)
                    ));
                    void_fix = Some(format!(
                        "read the changed license file(s) again and update the sha256 (and the expression) of the [[clarify]] at {}",
                        policy.at(cl.line)
                    ));
                }
            }
        }

        let (mut out, chosen) = self.judge(c, rules, &exceptions, &expression, clarified);
        if let Some(fix) = void_fix {
            if out.status == Status::Pass {
                out.status = Status::Warn;
                out.kind = RuleKind::ClarificationVoid;
                out.rule = format!("[[clarify]] at {} void", policy.at(None));
            }
            if out.status != Status::Pass {
                out.fix = Some(match out.fix {
                    Some(f) if out.kind != RuleKind::ClarificationVoid => format!("{fix}; or {f}"),
                    _ => fix,
                });
            }
        }
        messages.extend(out.messages);
        let fix = if out.status == Status::Pass {
            None
        } else {
            out.fix
        };
        ComponentVerdict {
            bom_ref: c.bom_ref.clone(),
            name: c.name.clone(),
            version: c.version.clone(),
            purl: c.purl.clone(),
            scope: c.scope,
            status: out.status,
            expression,
            chosen_branch: chosen,
            rule_id: out.kind,
            rule: out.rule,
            messages,
            fix,
            evidence: evidence_for(c, out.license.as_deref()),
        }
    }

    /// Is every file a clarification was pinned to still the same?
    fn clarification_holds(&self, c: &Component, cl: &Clarification) -> Result<(), String> {
        for (path, sha) in &cl.files {
            let joined = c
                .path
                .as_deref()
                .filter(|p| !p.is_empty() && *p != ".")
                .map(|p| format!("{}/{path}", p.trim_end_matches('/')));
            let rec = joined
                .as_deref()
                .and_then(|j| self.files.get(j))
                .or_else(|| self.files.get(path.as_str()));
            match rec.and_then(|r| r.sha256.as_deref().map(|h| (r, h))) {
                Some((_, h)) if h.eq_ignore_ascii_case(sha) => {}
                Some((r, h)) => {
                    return Err(format!(
                        "{} changed (sha256 {h}, the clarification was pinned to {sha})",
                        r.path
                    ))
                }
                None => {
                    return Err(format!(
                        "{} is not in the scan, so its sha256 cannot be checked",
                        joined.as_deref().unwrap_or(path)
                    ))
                }
            }
        }
        Ok(())
    }

    /// The verdict of an expression and, for OR, the branch chosen.
    fn judge(
        &self,
        c: &Component,
        rules: &Rules,
        exceptions: &[(usize, &ExceptionRule)],
        expression: &str,
        clarified: bool,
    ) -> (Outcome, Option<String>) {
        let target = pattern_for(c);
        if crate::model::is_unknown_license(expression) {
            let why = if expression == crate::model::NONE {
                "the component states it has no license (NONE)".to_string()
            } else {
                "no license was found (NOASSERTION)".to_string()
            };
            return (self.unknown(rules, exceptions, &target, why), None);
        }
        if !clarified && c.declared.is_none() && !c.evidence.is_empty() {
            let best = c.evidence.iter().map(|e| e.score).fold(0.0_f32, f32::max);
            if best < rules.min_confidence {
                let why = format!(
                    "`{expression}` was found only as text that matched with confidence {best:.2} (below min_confidence {})",
                    rules.min_confidence
                );
                return (self.unknown(rules, exceptions, &target, why), None);
            }
        }
        let parsed = match spdx::Expression::parse(expression) {
            Ok(e) => e,
            Err(e) => {
                let why = format!(
                    "`{expression}` is not a valid SPDX expression ({})",
                    e.reason
                );
                return (self.unknown(rules, exceptions, &target, why), None);
            }
        };
        let reqs: Vec<&LicenseReq> = parsed.requirements().map(|r| &r.req).collect();
        // Postfix nodes -> tree; runs of the same operator become one n-ary node.
        let mut stack: Vec<Tree> = Vec::new();
        let mut leaf = 0;
        for node in parsed.iter() {
            match node {
                ExprNode::Req(_) => {
                    stack.push(Tree::Leaf(leaf));
                    leaf += 1;
                }
                ExprNode::Op(op) => {
                    let b = stack.pop().expect("valid postfix");
                    let a = stack.pop().expect("valid postfix");
                    let mut kids = Vec::new();
                    for t in [a, b] {
                        match (op, t) {
                            (Operator::And, Tree::And(k)) | (Operator::Or, Tree::Or(k)) => {
                                kids.extend(k)
                            }
                            (_, t) => kids.push(t),
                        }
                    }
                    stack.push(match op {
                        Operator::And => Tree::And(kids),
                        Operator::Or => Tree::Or(kids),
                    });
                }
            }
        }
        let tree = stack.pop().expect("non-empty expression");
        let leaves: Vec<Outcome> = reqs
            .iter()
            .map(|r| self.term(r, rules, exceptions, &target))
            .collect();
        let (out, taken) = self.fold(&tree, &reqs, &leaves, rules, false);
        // The chosen branch is worth naming only where there was a choice.
        let has_or = parsed
            .iter()
            .any(|n| matches!(n, ExprNode::Op(Operator::Or)));
        (out, has_or.then_some(taken))
    }

    /// The outcome of a subtree, and the expression it was taken as: every OR replaced by
    /// its chosen branch.
    fn fold(
        &self,
        t: &Tree,
        reqs: &[&LicenseReq],
        leaves: &[Outcome],
        rules: &Rules,
        nested: bool,
    ) -> (Outcome, String) {
        match t {
            Tree::Leaf(i) => (leaves[*i].clone(), reqs[*i].to_string()),
            Tree::And(kids) => {
                let (outs, texts): (Vec<Outcome>, Vec<String>) = kids
                    .iter()
                    .map(|k| self.fold(k, reqs, leaves, rules, true))
                    .unzip();
                let worst = outs.iter().map(Outcome::rank).max().expect("AND has terms");
                let mut out = outs
                    .iter()
                    .find(|o| o.rank() == worst)
                    .expect("the worst is one of them")
                    .clone();
                let mut messages = Vec::new();
                for o in &outs {
                    for m in &o.messages {
                        if !messages.contains(m) {
                            messages.push(m.clone());
                        }
                    }
                }
                if out.status == Status::Pass {
                    out.rule = and_rule(&outs);
                }
                out.messages = messages;
                let text = texts.join(" AND ");
                (out, if nested { format!("({text})") } else { text })
            }
            Tree::Or(kids) => {
                let (outs, texts): (Vec<Outcome>, Vec<String>) = kids
                    .iter()
                    .map(|k| self.fold(k, reqs, leaves, rules, nested))
                    .unzip();
                let best = (0..kids.len())
                    .min_by_key(|&i| (outs[i].rank(), prefer_rank(&kids[i], reqs, rules), i))
                    .expect("OR has branches");
                let mut out = outs[best].clone();
                if out.status == Status::Fail {
                    // No branch passes: say why each failed.
                    out.rule = outs
                        .iter()
                        .enumerate()
                        .map(|(i, o)| format!("{}: {}", render(&kids[i], reqs, false), o.rule))
                        .collect::<Vec<_>>()
                        .join("; ");
                    out.rule = format!("no OR branch passes ({})", out.rule);
                } else {
                    out.messages.insert(
                        0,
                        format!(
                            "OR: chose `{}` of `{}`",
                            render(&kids[best], reqs, false),
                            render(t, reqs, false)
                        ),
                    );
                }
                (out, texts[best].clone())
            }
        }
    }

    /// One term: `ID`, `ID+` / `ID-or-later`, `LicenseRef-x`, each maybe `WITH exception`.
    ///
    /// `-or-later` and `+` mean what the license texts say: the licensee may take that
    /// version or any later one, so the term passes when any of those versions passes (the
    /// term as written first, then ascending versions). A deny of the term's exact id is
    /// final: only an [[exception]] can then allow it.
    fn term(
        &self,
        req: &LicenseReq,
        rules: &Rules,
        exceptions: &[(usize, &ExceptionRule)],
        target: &str,
    ) -> Outcome {
        let written = req.license.to_string();
        let term_text = req.to_string();
        let addition = req.addition.as_ref().map(|a| a.to_string());
        let table = rules.table;

        // `X WITH Y` listed as one entry decides the term outright.
        if addition.is_some() {
            if rules.deny.has_id(&term_text) {
                return self.denied(rules, &term_text, &term_text, None, target, "");
            }
            if rules.allow.has_id(&term_text) {
                return self.allowed(rules, &term_text, &term_text, None, Vec::new());
            }
        }

        // NOASSERTION / NONE parse as ids, but inside an expression they still say
        // "not known".
        if let LicenseItem::Spdx { id, .. } = &req.license {
            if crate::model::is_unknown_license(id.name) {
                return self.unknown(
                    rules,
                    exceptions,
                    target,
                    format!(
                        "`{}` in the expression: part of the license is not known",
                        id.name
                    ),
                );
            }
        }
        let candidates: Vec<String> = match &req.license {
            LicenseItem::Other(_) => vec![written.clone()],
            LicenseItem::Spdx { id, or_later } => {
                if rules.deny.has_id(id.name) {
                    vec![id.name.to_string()]
                } else {
                    or_later_versions(id.name, *or_later)
                }
            }
        };
        let is_ref = matches!(req.license, LicenseItem::Other(_));

        // 1. the policy's own lists.
        let mut license_out: Option<Outcome> = None;
        for cand in &candidates {
            if let Some(out) = self.list_allows(rules, cand, &written) {
                license_out = Some(out);
                break;
            }
        }
        // 2. a component [[exception]].
        if license_out.is_none() {
            'outer: for cand in &candidates {
                for (_, e) in exceptions {
                    if list_allows(&e.allow, cand) {
                        license_out = Some(self.excepted(e, cand, &written));
                        break 'outer;
                    }
                }
            }
        }
        let mut out = match license_out {
            Some(o) => o,
            None if is_ref => {
                // A LicenseRef- of ScanCode's database has its category; a denied category
                // denies it like any SPDX license of that category.
                let cat = category_of(&written);
                if rules.deny.has_id(&written) {
                    self.denied(rules, &written, &written, None, target, "")
                } else if let Some(c) = cat.filter(|c| rules.deny.has_category(*c)) {
                    self.denied(rules, &written, &written, Some(c), target, "")
                } else if cat.is_some() {
                    // Known, in a category the policy neither allows nor denies.
                    self.refused(rules, &candidates, &written, target)
                } else {
                    self.unknown(
                        rules,
                        &[],
                        target,
                        format!(
                            "`{written}` is not an SPDX license and no [[clarify]] says what it is"
                        ),
                    )
                }
            }
            None => self.refused(rules, &candidates, &written, target),
        };

        // 3. WITH: the exception must be allowed too.
        if let (Some(exc), true) = (&addition, out.status != Status::Fail) {
            let cat = exception_category(exc);
            let exc_out = if rules.deny.has_id(exc) {
                Some(self.denied(rules, exc, &term_text, None, target, " (the exception)"))
            } else if rules.allow.has_id(exc) || cat.is_some_and(|c| rules.allow.has_category(c)) {
                None
            } else if let Some((_, e)) = exceptions.iter().find(|(_, e)| list_allows(&e.allow, exc))
            {
                let o = self.excepted(e, exc, &term_text);
                (o.status != Status::Pass).then_some(o)
            } else {
                let st = action_status(rules.unlisted);
                (st != Status::Pass).then(|| Outcome {
                    group: None,
                    status: st,
                    kind: RuleKind::Unlisted,
                    rule: format!(
                        "{table}.unlisted = {}: the exception `{exc}` is neither allowed nor denied",
                        rules.unlisted.name()
                    ),
                    license: Some(exc.clone()),
                    messages: Vec::new(),
                    fix: Some(format!(
                        "add `{exc}` (or `{term_text}`) to {table}.allow, or an [[exception]] for `{target}` that allows it"
                    )),
                })
            };
            if let Some(e) = exc_out {
                if e.rank() >= out.rank() {
                    let mut e = e;
                    e.messages.splice(0..0, out.messages.drain(..));
                    out = e;
                } else {
                    out.messages.push(e.rule);
                }
            } else {
                out.rule = format!("{}; exception `{exc}` allowed", out.rule);
            }
        }
        out
    }

    /// The allow list (by id, then category) lets `cand` through, unless a deny is more
    /// specific: an id beats a category, and a deny of the same kind beats an allow.
    fn list_allows(&self, rules: &Rules, cand: &str, written: &str) -> Option<Outcome> {
        if rules.deny.has_id(cand) {
            return None;
        }
        if rules.allow.has_id(cand) {
            return Some(self.allowed(rules, cand, written, None, Vec::new()));
        }
        let cat = category_of(cand)?;
        if rules.deny.has_category(cat) || !rules.allow.has_category(cat) {
            return None;
        }
        Some(self.allowed(rules, cand, written, Some(cat), Vec::new()))
    }

    fn allowed(
        &self,
        rules: &Rules,
        cand: &str,
        written: &str,
        cat: Option<Category>,
        mut messages: Vec<String>,
    ) -> Outcome {
        let entry = cat.map_or(cand.to_string(), |c| c.name().to_string());
        let at = self.policy.at(rules.allow.line_of(&entry));
        let rule = match cat {
            Some(c) => format!("{}.allow: {c} ({cand} is {c}; {at})", rules.table),
            None => format!("{}.allow: {cand} ({at})", rules.table),
        };
        if cand != written {
            messages.push(format!(
                "`{written}` taken as `{cand}`, which the license permits"
            ));
        }
        Outcome {
            group: cat.map(|c| (format!("{}.allow: {c}", rules.table), c, at)),
            status: Status::Pass,
            kind: RuleKind::Allowed,
            rule,
            license: Some(cand.to_string()),
            messages,
            fix: None,
        }
    }

    fn denied(
        &self,
        rules: &Rules,
        id: &str,
        written: &str,
        cat: Option<Category>,
        target: &str,
        what: &str,
    ) -> Outcome {
        let entry = cat.map_or(id.to_string(), |c| c.name().to_string());
        let at = self.policy.at(rules.deny.line_of(&entry));
        let rule = match cat {
            Some(c) => format!("{}.deny: {c} ({id} is {c}; {at})", rules.table),
            None => format!("{}.deny: {id}{what} ({at})", rules.table),
        };
        Outcome {
            group: None,
            status: Status::Fail,
            kind: RuleKind::Denied,
            rule,
            license: Some(id.to_string()),
            messages: Vec::new(),
            fix: Some(format!(
                "if `{written}` is acceptable here, add an [[exception]] for `{target}` with allow = [\"{id}\"] and a reason; if the license was misread, [[clarify]] it; or replace the component"
            )),
        }
    }

    /// No list allows any candidate: a deny, or the `unlisted` action.
    fn refused(
        &self,
        rules: &Rules,
        candidates: &[String],
        written: &str,
        target: &str,
    ) -> Outcome {
        let first = &candidates[0];
        if rules.deny.has_id(first) {
            return self.denied(rules, first, written, None, target, "");
        }
        let unlisted = candidates.iter().find(|c| {
            !rules.deny.has_id(c) && !category_of(c).is_some_and(|cat| rules.deny.has_category(cat))
        });
        match unlisted {
            Some(cand) => {
                let st = action_status(rules.unlisted);
                let cat = category_of(cand).map_or("no category".to_string(), |c| c.to_string());
                Outcome {
                    group: None,
                    status: st,
                    kind: if st == Status::Pass { RuleKind::Allowed } else { RuleKind::Unlisted },
                    rule: format!(
                        "{}.unlisted = {}: {cand} ({cat}) is neither allowed nor denied",
                        rules.table,
                        rules.unlisted.name()
                    ),
                    license: Some(cand.clone()),
                    messages: Vec::new(),
                    fix: Some(format!(
                        "add `{cand}` or `{cat}` to {}.allow (or .deny), or add an [[exception]] for `{target}`",
                        rules.table
                    )),
                }
            }
            // Every candidate is denied, the first by its category.
            None => self.denied(rules, first, written, category_of(first), target, ""),
        }
    }

    /// An [[exception]] allows `cand`: pass, or warn / fail by its expiry date.
    fn excepted(&self, e: &ExceptionRule, cand: &str, written: &str) -> Outcome {
        let at = self.policy.at(e.line);
        let mut out = Outcome {
            group: None,
            status: Status::Pass,
            kind: RuleKind::Allowed,
            rule: format!(
                "[[exception]] for `{}` ({at}): {}",
                e.component.text, e.reason
            ),
            license: Some(cand.to_string()),
            messages: Vec::new(),
            fix: None,
        };
        if cand != written {
            out.messages.push(format!(
                "`{written}` taken as `{cand}`, which the license permits"
            ));
        }
        match expiry(e.expires, self.today) {
            Expiry::Expired(exp) => {
                out.status = Status::Fail;
                out.kind = RuleKind::ExceptionExpired;
                out.rule = format!(
                    "[[exception]] for `{}` ({at}) expired on {exp}",
                    e.component.text
                );
                out.fix = Some(format!(
                    "review the exception at {at}: renew it with a later `expires`, or replace the component"
                ));
            }
            Expiry::Expiring(exp, left) => {
                out.status = Status::Warn;
                out.kind = RuleKind::ExceptionExpiring;
                out.rule = format!(
                    "[[exception]] for `{}` ({at}) expires on {exp}, in {left} day{}",
                    e.component.text,
                    if left == 1 { "" } else { "s" }
                );
                out.fix = Some(format!(
                    "review the exception at {at} before {exp}: renew it or replace the component"
                ));
            }
            Expiry::Valid => {}
        }
        out
    }

    /// No usable license: the `unknown` action, unless an [[exception]] allows `unknown`.
    fn unknown(
        &self,
        rules: &Rules,
        exceptions: &[(usize, &ExceptionRule)],
        target: &str,
        why: String,
    ) -> Outcome {
        if let Some((_, e)) = exceptions
            .iter()
            .find(|(_, e)| e.allow.has_category(Category::Unknown))
        {
            let mut o = self.excepted(e, "unknown", "unknown");
            o.messages.push(why);
            return o;
        }
        let st = action_status(rules.unknown);
        Outcome {
            group: None,
            status: st,
            kind: if st == Status::Pass { RuleKind::Allowed } else { RuleKind::Unknown },
            rule: format!("{}.unknown = {}: {why}", rules.table, rules.unknown.name()),
            license: None,
            messages: Vec::new(),
            fix: Some(format!(
                "[[clarify]] `{target}` with the license its files grant (expression and reason), or add an [[exception]] for it with allow = [\"unknown\"]"
            )),
        }
    }
}

/// Why every term of an AND passed: each rule once, licenses allowed by the same
/// category entry named together ("licenses.allow: permissive (MIT, ISC are permissive; ...)").
fn and_rule(outs: &[Outcome]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut done = vec![false; outs.len()];
    for i in 0..outs.len() {
        if done[i] {
            continue;
        }
        let Some(g) = &outs[i].group else {
            if !parts.contains(&outs[i].rule) {
                parts.push(outs[i].rule.clone());
            }
            continue;
        };
        let mut ids: Vec<&str> = Vec::new();
        for (j, o) in outs.iter().enumerate().skip(i) {
            if o.group.as_ref() == Some(g) {
                done[j] = true;
                if let Some(l) = o.license.as_deref().filter(|l| !ids.contains(l)) {
                    ids.push(l);
                }
            }
        }
        let (head, cat, at) = g;
        let verb = if ids.len() == 1 { "is" } else { "are" };
        parts.push(format!("{head} ({} {verb} {cat}; {at})", ids.join(", ")));
    }
    parts.join("; ")
}

fn list_allows(list: &List, id: &str) -> bool {
    list.has_id(id) || category_of(id).is_some_and(|c| list.has_category(c))
}

/// Position of a branch's best license in `prefer` (unlisted ones last).
fn prefer_rank(t: &Tree, reqs: &[&LicenseReq], rules: &Rules) -> usize {
    match t {
        Tree::Leaf(i) => {
            let name = reqs[*i].license.to_string();
            rules
                .prefer
                .iter()
                .position(|p| *p == name)
                .unwrap_or(usize::MAX)
        }
        Tree::And(k) | Tree::Or(k) => k
            .iter()
            .map(|k| prefer_rank(k, reqs, rules))
            .min()
            .unwrap_or(usize::MAX),
    }
}

/// A subtree as an SPDX expression.
fn render(t: &Tree, reqs: &[&LicenseReq], nested: bool) -> String {
    match t {
        Tree::Leaf(i) => reqs[*i].to_string(),
        Tree::And(k) => {
            let s = k
                .iter()
                .map(|k| render(k, reqs, true))
                .collect::<Vec<_>>()
                .join(" AND ");
            if nested {
                format!("({s})")
            } else {
                s
            }
        }
        Tree::Or(k) => {
            let s = k
                .iter()
                .map(|k| render(k, reqs, true))
                .collect::<Vec<_>>()
                .join(" OR ");
            if nested {
                format!("({s})")
            } else {
                s
            }
        }
    }
}

/// The ids a term may be taken as: itself, then, for `-or-later` / `+`, every later
/// version of the same license in the SPDX list (GNU ones in their `-only` and
/// `-or-later` forms), ascending.
pub fn or_later_versions(id: &str, plus: bool) -> Vec<String> {
    let mut out = vec![id.to_string()];
    let gnu = id.ends_with("-or-later");
    if !gnu && !plus {
        return out;
    }
    let base = id.strip_suffix("-or-later").unwrap_or(id);
    let Some((prefix, version, suffix)) = split_version(base) else {
        return out;
    };
    let mut later: Vec<(Vec<u32>, u8, &'static str)> = Vec::new();
    for l in spdx::identifiers::LICENSES {
        let lid = spdx::license_id(l.name).expect("listed");
        if lid.is_deprecated() {
            continue;
        }
        let (stem, order) = if gnu {
            match (
                l.name.strip_suffix("-only"),
                l.name.strip_suffix("-or-later"),
            ) {
                (Some(s), _) => (s, 0),
                (_, Some(s)) => (s, 1),
                _ => continue,
            }
        } else {
            (l.name, 0)
        };
        let Some((p, v, s)) = split_version(stem) else {
            continue;
        };
        if p == prefix && s == suffix && v >= version && l.name != id {
            later.push((v, order, l.name));
        }
    }
    later.sort();
    out.extend(later.into_iter().map(|(_, _, n)| n.to_string()));
    out
}

/// `GPL-2.0` -> ("GPL-", [2, 0], ""); `CC-BY-SA-3.0-DE` -> ("CC-BY-SA-", [3, 0], "-DE").
fn split_version(id: &str) -> Option<(&str, Vec<u32>, &str)> {
    let mut start = 0;
    for seg in id.split('-') {
        let is_version = !seg.is_empty()
            && seg.chars().all(|c| c == '.' || c.is_ascii_digit())
            && seg.chars().next().is_some_and(|c| c.is_ascii_digit());
        if is_version && start > 0 {
            let v = seg.split('.').map(|p| p.parse().unwrap_or(0)).collect();
            return Some((&id[..start], v, &id[start + seg.len()..]));
        }
        start += seg.len() + 1;
    }
    None
}

/// The evidence that best explains a verdict about `license`: a record that mentions it,
/// else the first evidence, else the component's own directory.
fn evidence_for(c: &Component, license: Option<&str>) -> Option<EvidenceRef> {
    let pick = license
        .and_then(|l| c.evidence.iter().find(|e| e.expression.contains(l)))
        .or_else(|| c.evidence.first());
    match pick {
        Some(e) => Some(EvidenceRef {
            path: e.path.clone(),
            start_line: (e.start_line > 0).then_some(e.start_line),
            end_line: (e.end_line > 0).then_some(e.end_line),
        }),
        None => c.path.as_ref().map(|p| EvidenceRef {
            path: p.clone(),
            start_line: None,
            end_line: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, MatchKind};

    fn policy(text: &str) -> Policy {
        Policy::parse(text, "policy.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn comp(purl: &str, concluded: &str) -> Component {
        let name = purl.rsplit('/').next().unwrap().split('@').next().unwrap();
        Component {
            bom_ref: purl.to_string(),
            name: name.to_string(),
            purl: Some(purl.to_string()),
            ecosystem: "npm".into(),
            declared: Some(concluded.to_string()),
            concluded: concluded.to_string(),
            path: Some(format!("node_modules/{name}")),
            evidence: vec![Evidence {
                expression: concluded.to_string(),
                kind: MatchKind::Text,
                path: format!("node_modules/{name}/LICENSE"),
                start_line: 1,
                end_line: 20,
                score: 1.0,
                sha256: None,
            }],
            ..Default::default()
        }
    }

    fn today() -> Date {
        Date::parse("2026-12-01").unwrap()
    }

    fn judge_with(p: &Policy, c: Component, files: Vec<FileRecord>) -> ComponentVerdict {
        let scan = Scan {
            components: vec![c],
            files,
            ..Default::default()
        };
        evaluate(&scan, p, today()).components.remove(0)
    }

    fn judge(p: &str, concluded: &str) -> ComponentVerdict {
        judge_with(&policy(p), comp("pkg:npm/x@1.0.0", concluded), Vec::new())
    }

    const BASIC: &str = r#"
[licenses]
allow = ["permissive"]
deny = ["strong-copyleft", "network-copyleft"]
unknown = "deny"
unlisted = "warn"
"#;

    /// Licenses SPDX does not list, named by ScanCode's database, are judged by ScanCode's
    /// category: not every one of them is an unknown.
    #[test]
    fn scancode_license_refs_are_judged_by_their_category() {
        // ScanCode: "Permissive".
        let v = judge(BASIC, "LicenseRef-scancode-bsd-new-derivative");
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        // ScanCode: "Copyleft" (strong), denied by category.
        let v = judge(BASIC, "LicenseRef-scancode-ac3filter");
        assert_eq!(v.status, Status::Fail, "{v:#?}");
        assert_eq!(v.rule_id, RuleKind::Denied);
        // ScanCode: "Commercial": not open source, neither allowed nor denied here.
        let v = judge(BASIC, "LicenseRef-scancode-adobe-eula");
        assert_eq!(v.status, Status::Warn, "{v:#?}");
        // No category in ScanCode's data, or not ScanCode's at all: an unknown.
        let v = judge(BASIC, "LicenseRef-custom");
        assert_eq!(v.status, Status::Fail, "{v:#?}");
        assert!(v.rule.contains("not an SPDX license"), "{}", v.rule);
    }

    #[test]
    fn or_with_one_denied_branch_passes_and_names_the_branch() {
        let v = judge(BASIC, "GPL-3.0-only OR MIT");
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert_eq!(v.chosen_branch.as_deref(), Some("MIT"));
        assert!(v.rule.contains("licenses.allow: permissive"), "{}", v.rule);
        assert!(v.fix.is_none());
    }

    #[test]
    fn or_where_every_branch_is_denied_fails_with_each_reason() {
        let v = judge(BASIC, "GPL-3.0-only OR AGPL-3.0-only");
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.rule_id, RuleKind::Denied);
        assert!(v.rule.starts_with("no OR branch passes"), "{}", v.rule);
        assert!(
            v.rule.contains("AGPL-3.0-only is network-copyleft"),
            "{}",
            v.rule
        );
    }

    #[test]
    fn prefer_orders_the_choice_between_passing_branches() {
        let v = judge(BASIC, "MIT OR Apache-2.0");
        assert_eq!(
            v.chosen_branch.as_deref(),
            Some("MIT"),
            "written order first"
        );
        let p = format!("{BASIC}prefer = [\"Apache-2.0\"]\n");
        let v = judge(&p, "MIT OR Apache-2.0");
        assert_eq!(v.chosen_branch.as_deref(), Some("Apache-2.0"));
        // A passing branch still beats a preferred one that fails.
        let p = format!("{BASIC}prefer = [\"GPL-3.0-only\"]\n");
        let v = judge(&p, "MIT OR GPL-3.0-only");
        assert_eq!(v.chosen_branch.as_deref(), Some("MIT"));
    }

    #[test]
    fn or_inside_and_names_the_whole_choice() {
        let v = judge(BASIC, "(GPL-3.0-only OR MIT) AND Unicode-3.0");
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert_eq!(v.chosen_branch.as_deref(), Some("MIT AND Unicode-3.0"));
        assert_eq!(
            judge(BASIC, "MIT AND ISC").chosen_branch,
            None,
            "no OR, no choice"
        );
        let v = judge(BASIC, "Zlib OR (MIT AND Apache-2.0)");
        assert_eq!(v.chosen_branch.as_deref(), Some("Zlib"));
    }

    #[test]
    fn and_with_one_denied_term_fails_naming_it() {
        let v = judge(BASIC, "MIT AND GPL-2.0-only");
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.rule.contains("GPL-2.0-only is strong-copyleft"),
            "{}",
            v.rule
        );
        assert!(v
            .fix
            .as_deref()
            .unwrap()
            .contains("[[exception]] for `pkg:npm/x`"));
        let v = judge(BASIC, "MIT AND ISC");
        assert_eq!(v.status, Status::Pass);
        assert_eq!(
            v.rule,
            "licenses.allow: permissive (MIT, ISC are permissive; policy.toml:3)"
        );
    }

    #[test]
    fn with_needs_the_exception_allowed_too() {
        let ids = "[licenses]\nallow = [\"Apache-2.0\"]\nunlisted = \"deny\"\n";
        let v = judge(ids, "Apache-2.0 WITH LLVM-exception");
        assert_eq!(v.status, Status::Fail, "{v:#?}");
        assert_eq!(v.rule_id, RuleKind::Unlisted);
        assert!(v.rule.contains("exception `LLVM-exception`"), "{}", v.rule);
        let v = judge(
            "[licenses]\nallow = [\"Apache-2.0\", \"LLVM-exception\"]\nunlisted = \"deny\"\n",
            "Apache-2.0 WITH LLVM-exception",
        );
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        // GPL is denied; the exception alone does not make it pass ...
        let p = "[licenses]\nallow = [\"permissive\", \"Classpath-exception-2.0\"]\ndeny = [\"strong-copyleft\"]\n";
        assert_eq!(
            judge(p, "GPL-2.0-only WITH Classpath-exception-2.0").status,
            Status::Fail
        );
        // ... but the combination can be allowed as one term.
        let p = "[licenses]\nallow = [\"permissive\", \"GPL-2.0-only WITH Classpath-exception-2.0\"]\ndeny = [\"strong-copyleft\"]\n";
        let v = judge(p, "GPL-2.0-only WITH Classpath-exception-2.0");
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        // A denied exception fails the term.
        let p = "[licenses]\nallow = [\"permissive\"]\ndeny = [\"LLVM-exception\"]\n";
        assert_eq!(
            judge(p, "Apache-2.0 WITH LLVM-exception").status,
            Status::Fail
        );
    }

    #[test]
    fn or_later_means_this_version_or_any_later() {
        let p = "[licenses]\nallow = [\"GPL-3.0-only\"]\nunlisted = \"deny\"\n";
        let v = judge(p, "GPL-2.0-or-later");
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert!(
            v.messages
                .iter()
                .any(|m| m.contains("taken as `GPL-3.0-only`")),
            "{v:#?}"
        );
        assert_eq!(judge(p, "GPL-2.0-only").status, Status::Fail);
        // `+` on a non-GNU id is the same idea.
        let p = "[licenses]\nallow = [\"CC-BY-SA-4.0\"]\nunlisted = \"deny\"\n";
        assert_eq!(judge(p, "CC-BY-SA-3.0+").status, Status::Pass);
        assert_eq!(judge(p, "CC-BY-SA-3.0").status, Status::Fail);
        // A deny of the exact id written is final.
        let p = "[licenses]\nallow = [\"strong-copyleft\"]\ndeny = [\"GPL-2.0-or-later\"]\n";
        assert_eq!(judge(p, "GPL-2.0-or-later").status, Status::Fail);
        assert_eq!(
            or_later_versions("LGPL-2.1-or-later", false),
            [
                "LGPL-2.1-or-later",
                "LGPL-2.1-only",
                "LGPL-3.0-only",
                "LGPL-3.0-or-later"
            ]
        );
        assert_eq!(
            or_later_versions("Apache-1.1", true),
            ["Apache-1.1", "Apache-2.0"]
        );
    }

    #[test]
    fn license_refs_and_noassertion_are_unknown() {
        let v = judge(BASIC, "LicenseRef-custom");
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Fail, RuleKind::Unknown),
            "{v:#?}"
        );
        assert!(v.fix.as_deref().unwrap().contains("[[clarify]]"));
        let p = "[licenses]\nallow = [\"LicenseRef-custom\"]\n";
        assert_eq!(judge(p, "LicenseRef-custom").status, Status::Pass);
        let v = judge(BASIC, "NOASSERTION");
        assert_eq!((v.status, v.rule_id), (Status::Fail, RuleKind::Unknown));
        let v = judge("[licenses]\nunknown = \"warn\"\n", "NOASSERTION");
        assert_eq!(v.status, Status::Warn);
        let v = judge(BASIC, "MIT AND NOASSERTION");
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Fail, RuleKind::Unknown),
            "{v:#?}"
        );
    }

    #[test]
    fn low_confidence_text_is_unknown() {
        let mut c = comp("pkg:npm/x@1.0.0", "MIT");
        c.declared = None;
        c.evidence[0].score = 0.6;
        let v = judge_with(&policy(BASIC), c.clone(), Vec::new());
        assert_eq!(v.rule_id, RuleKind::Unknown, "{v:#?}");
        assert!(v.rule.contains("confidence 0.60"));
        c.evidence[0].score = 0.95;
        assert_eq!(
            judge_with(&policy(BASIC), c, Vec::new()).status,
            Status::Pass
        );
    }

    #[test]
    fn id_beats_category_and_unlisted_applies() {
        let p =
            "[licenses]\nallow = [\"permissive\", \"LGPL-2.1-only\"]\ndeny = [\"weak-copyleft\"]\n";
        assert_eq!(judge(p, "LGPL-2.1-only").status, Status::Pass);
        assert_eq!(judge(p, "LGPL-3.0-only").status, Status::Fail);
        let v = judge(BASIC, "MPL-2.0");
        assert_eq!((v.status, v.rule_id), (Status::Warn, RuleKind::Unlisted));
        assert!(v
            .rule
            .contains("MPL-2.0 (weak-copyleft) is neither allowed nor denied"));
    }

    fn exception_policy(expires: &str) -> Policy {
        policy(&format!(
            "{BASIC}\n[[exception]]\ncomponent = \"pkg:npm/x\"\nallow = [\"AGPL-3.0-only\"]\nreason = \"internal tool\"\nexpires = \"{expires}\"\n"
        ))
    }

    #[test]
    fn exceptions_by_expiry() {
        let c = || comp("pkg:npm/x@1.0.0", "AGPL-3.0-only");
        let v = judge_with(&exception_policy("2027-06-30"), c(), Vec::new());
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert!(
            v.rule
                .contains("[[exception]] for `pkg:npm/x` (policy.toml:9): internal tool"),
            "{}",
            v.rule
        );
        let v = judge_with(&exception_policy("2026-11-30"), c(), Vec::new());
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Fail, RuleKind::ExceptionExpired)
        );
        assert!(v.rule.contains("expired on 2026-11-30"));
        let v = judge_with(&exception_policy("2026-12-31"), c(), Vec::new());
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Warn, RuleKind::ExceptionExpiring)
        );
        assert!(v.rule.contains("in 30 days"), "{}", v.rule);
        // Another component, or another version pattern, is not covered.
        let v = judge_with(
            &exception_policy("2027-06-30"),
            comp("pkg:npm/y@1.0.0", "AGPL-3.0-only"),
            Vec::new(),
        );
        assert_eq!(v.status, Status::Fail);
    }

    #[test]
    fn an_exception_can_allow_an_unknown_license() {
        let p = policy(&format!(
            "{BASIC}\n[[exception]]\ncomponent = \"pkg:npm/x@1.*\"\nallow = [\"unknown\"]\nreason = \"vendor confirmed by mail\"\n"
        ));
        let v = judge_with(&p, comp("pkg:npm/x@1.0.0", "NOASSERTION"), Vec::new());
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert!(v.rule.contains("vendor confirmed by mail"));
        let v = judge_with(&p, comp("pkg:npm/x@2.0.0", "NOASSERTION"), Vec::new());
        assert_eq!(
            v.status,
            Status::Fail,
            "the version glob does not match 2.0.0"
        );
    }

    #[test]
    fn exception_that_matches_nothing_is_noted() {
        let scan = Scan {
            components: vec![comp("pkg:npm/y@1.0.0", "MIT")],
            ..Default::default()
        };
        let ev = evaluate(&scan, &exception_policy("2027-06-30"), today());
        assert_eq!(ev.notes.len(), 1, "{:?}", ev.notes);
        assert!(ev.notes[0].contains("matched no component"));
    }

    const HASH: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn clarify_policy() -> Policy {
        policy(&format!(
            "{BASIC}\n[[clarify]]\ncomponent = \"pkg:npm/x@1.0.0\"\nexpression = \"MIT AND ISC\"\nreason = \"read by legal\"\nfiles = [{{ path = \"LICENSE\", sha256 = \"{HASH}\" }}]\n"
        ))
    }

    fn license_file(sha: &str) -> FileRecord {
        FileRecord {
            path: "node_modules/x/LICENSE".into(),
            sha256: Some(sha.into()),
            ..Default::default()
        }
    }

    #[test]
    fn clarify_pins_the_license_until_the_file_changes() {
        let c = || comp("pkg:npm/x@1.0.0", "NOASSERTION");
        let v = judge_with(&clarify_policy(), c(), vec![license_file(HASH)]);
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert_eq!(v.expression, "MIT AND ISC");
        assert!(v.messages[0].contains("clarified as `MIT AND ISC` by policy.toml:9"));
        let changed = HASH.replace('1', "2");
        let v = judge_with(&clarify_policy(), c(), vec![license_file(&changed)]);
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Fail, RuleKind::Unknown),
            "{v:#?}"
        );
        assert_eq!(v.expression, "NOASSERTION");
        assert!(v.messages[0].contains("no longer applies: node_modules/x/LICENSE changed"));
        assert!(v.fix.as_deref().unwrap().contains("update the sha256"));
        // A void clarification over a license that passes anyway still warns.
        let v = judge_with(
            &clarify_policy(),
            comp("pkg:npm/x@1.0.0", "MIT"),
            vec![license_file(&changed)],
        );
        assert_eq!(
            (v.status, v.rule_id),
            (Status::Warn, RuleKind::ClarificationVoid)
        );
    }

    #[test]
    fn dev_scope_uses_its_own_rules() {
        let p = policy(&format!(
            "{BASIC}\n[licenses.dev]\nallow = [\"permissive\", \"strong-copyleft\"]\n"
        ));
        let mut c = comp("pkg:npm/x@1.0.0", "GPL-3.0-only");
        assert_eq!(judge_with(&p, c.clone(), Vec::new()).status, Status::Fail);
        c.scope = Some(Scope::Dev);
        let v = judge_with(&p, c, Vec::new());
        assert_eq!(v.status, Status::Pass, "{v:#?}");
        assert!(v.rule.starts_with("licenses.dev.allow"), "{}", v.rule);
    }

    #[test]
    fn builtin_default() {
        let p = Policy::builtin_default();
        let j = |e: &str| judge_with(&p, comp("pkg:npm/x@1.0.0", e), Vec::new()).status;
        assert_eq!(j("MIT"), Status::Pass);
        assert_eq!(j("CC0-1.0"), Status::Pass);
        assert_eq!(j("GPL-3.0-only"), Status::Fail);
        assert_eq!(j("AGPL-3.0-only"), Status::Fail);
        assert_eq!(j("MPL-2.0"), Status::Warn);
        assert_eq!(j("NOASSERTION"), Status::Warn);
        assert_eq!(j("Apache-2.0 WITH LLVM-exception"), Status::Pass);
    }

    #[test]
    fn evidence_points_at_the_file_of_the_failing_license() {
        let mut c = comp("pkg:npm/x@1.0.0", "MIT AND GPL-3.0-only");
        c.evidence.push(Evidence {
            expression: "GPL-3.0-only".into(),
            kind: MatchKind::Text,
            path: "node_modules/x/COPYING".into(),
            start_line: 1,
            end_line: 674,
            score: 1.0,
            sha256: None,
        });
        c.evidence[0].expression = "MIT".into();
        let v = judge_with(&policy(BASIC), c, Vec::new());
        let e = v.evidence.unwrap();
        assert_eq!(
            (e.path.as_str(), e.start_line, e.end_line),
            ("node_modules/x/COPYING", Some(1), Some(674))
        );
    }
}
