//! `ospo init`: a starter policy.toml for a scanned tree. The permissive and public-domain
//! licenses found are allowed by id (so a new license in the tree is a decision, not a
//! silent pass); every other license found is listed in comments with its category and the
//! components that use it, so the choice is the user's. Until it is made, those licenses
//! (and a copyleft category the tree uses) are warnings, not failures: `check` right after
//! `init` passes, and `init` says what is left to decide and how.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::category::{category_of, Category};
use super::{ComponentVerdict, Evaluation, Status};
use crate::model::Scan;

/// Components named per license in the comments, at most.
const MAX_NAMED: usize = 5;

/// The starter policy.
pub struct Starter {
    pub text: String,
}

/// What `init` tells the user once the file is written, from the starter's own verdicts on
/// the tree: what is still to decide (each a warning of `check`, so `check` passes) and
/// how to decide it.
pub fn decisions(ev: &Evaluation) -> String {
    let warns: Vec<&ComponentVerdict> = ev
        .components
        .iter()
        .filter(|v| v.status == Status::Warn)
        .collect();
    let fails = ev
        .components
        .iter()
        .filter(|v| v.status == Status::Fail)
        .count();
    let mut s = String::new();
    if warns.is_empty() && fails == 0 {
        s.push_str("`ospo check` passes with no warnings\n");
        return s;
    }
    if fails > 0 {
        // Only an expired or otherwise failing rule the starter cannot soften.
        let _ = writeln!(s, "{fails} component(s) fail even so: run `ospo check`");
    }
    if !warns.is_empty() {
        let _ = writeln!(
            s,
            "still to decide ({} warning{} of `ospo check` until then):",
            warns.len(),
            if warns.len() == 1 { "" } else { "s" }
        );
        for v in warns.iter().take(MAX_NAMED * 4) {
            let label = v.purl.clone().unwrap_or_else(|| v.bom_ref.clone());
            let _ = writeln!(s, "  {}: {}: {}", label, v.expression, v.rule);
        }
        if warns.len() > MAX_NAMED * 4 {
            let _ = writeln!(s, "  ... and {} more", warns.len() - MAX_NAMED * 4);
        }
        s.push_str(
            "decide in policy.toml: add a license to `allow` or `deny`, or an [[exception]] \
             for the components that use it; [[clarify]] a component once its license files \
             are read; then set unlisted = \"deny\" and unknown = \"deny\"\n",
        );
    }
    s
}

pub fn starter(scan: &Scan) -> Starter {
    // license id -> components using it
    let mut by_license: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    let mut exceptions: BTreeSet<String> = BTreeSet::new();
    for c in &scan.components {
        // The project's own license is not judged by default (`check_project`).
        if scan.project.as_deref() == Some(c.bom_ref.as_str()) {
            continue;
        }
        let label = c.purl.clone().unwrap_or_else(|| match &c.version {
            Some(v) => format!("{}@{v}", c.name),
            None => c.name.clone(),
        });
        match spdx::Expression::parse(c.concluded.trim()) {
            Ok(e) => {
                for r in e.requirements() {
                    let id = match &r.req.license {
                        // SPDX lists NOASSERTION and NONE as ids; they say no license is known.
                        spdx::LicenseItem::Spdx { id, .. }
                            if crate::model::is_unknown_license(id.name) =>
                        {
                            unknown.insert(format!("{label} ({})", id.name));
                            continue;
                        }
                        spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
                        spdx::LicenseItem::Other(_) => {
                            unknown.insert(format!("{label} ({})", r.req.license));
                            continue;
                        }
                    };
                    by_license.entry(id).or_default().insert(label.clone());
                    if let Some(a) = &r.req.addition {
                        exceptions.insert(a.to_string());
                    }
                }
            }
            Err(_) => {
                unknown.insert(format!("{label} ({})", c.concluded.trim()));
            }
        }
    }
    let (allowed, others): (Vec<_>, Vec<_>) = by_license.iter().partition(|(id, _)| {
        matches!(
            category_of(id),
            Some(Category::Permissive | Category::PublicDomain)
        )
    });

    let mut s = String::new();
    let _ = writeln!(
        s,
        "# policy.toml for `ospo check`, written by `ospo init` from a scan of {} ({}).",
        comment(&scan.root),
        crate::text::plural(scan.components.len(), "component", "components")
    );
    s.push_str(
        "# Every key is explained in the example policy.toml of ospo and in its README.\n\
         # Exit codes of `ospo check`: 0 pass (warnings allowed), 1 violations, 2 errors.\n\n\
         [licenses]\n\
         # The permissive and public-domain licenses found in this tree, by id, so a license\n\
         # new to the tree is a decision. Categories work too: \"permissive\", \"weak-copyleft\", ...\n",
    );
    if allowed.is_empty() && exceptions.is_empty() {
        s.push_str("allow = []\n");
    } else {
        s.push_str("allow = [\n");
        for (id, comps) in &allowed {
            let _ = writeln!(
                s,
                "    \"{id}\", # {} component{}",
                comps.len(),
                if comps.len() == 1 { "" } else { "s" }
            );
        }
        for e in &exceptions {
            let _ = writeln!(s, "    \"{e}\", # license exception found with WITH");
        }
        s.push_str("]\n");
    }
    // A copyleft category the tree already uses is left undecided (its licenses warn):
    // denying it at once would fail the first `check` on a choice nobody has made.
    let used = |cat: Category| others.iter().any(|(id, _)| category_of(id) == Some(cat));
    let (used_deny, deny): (Vec<Category>, Vec<Category>) =
        [Category::StrongCopyleft, Category::NetworkCopyleft]
            .into_iter()
            .partition(|c| used(*c));
    s.push_str("# Strong and network copyleft are denied unless an [[exception]] allows them.\n");
    for c in &used_deny {
        let _ = writeln!(
            s,
            "# Not yet \"{c}\": this tree uses it (below); add it once those components are decided."
        );
    }
    let deny_list: Vec<String> = deny.iter().map(|c| format!("\"{c}\"")).collect();
    let _ = writeln!(s, "deny = [{}]", deny_list.join(", "));
    s.push_str(
        "# NOASSERTION, an unclarified LicenseRef-, license text matched with low confidence:\n\
         unknown = \"warn\"\n",
    );
    if others.is_empty() {
        s.push_str("# Licenses neither allowed nor denied above:\nunlisted = \"deny\"\n");
    } else {
        s.push_str(
            "# Licenses neither allowed nor denied above: warned until the ones below are\n\
             # decided, then set this to \"deny\" so a license new to the tree is a decision.\n\
             unlisted = \"warn\"\n",
        );
    }
    if !others.is_empty() {
        s.push_str(
            "\n# Other licenses found, left for you to decide: add them to `allow`, or write an\n\
             # [[exception]] for the components that may use them:\n",
        );
        for (id, comps) in &others {
            let cat = category_of(id).map_or("no category".to_string(), |c| c.to_string());
            let _ = writeln!(s, "#   {id} ({cat}): {}", named(comps));
        }
    }
    if !unknown.is_empty() {
        s.push_str(
            "\n# Components without a known SPDX license; [[clarify]] them once someone has read\n\
             # their license files:\n",
        );
        let v: Vec<String> = unknown.iter().cloned().collect();
        for u in v.iter().take(MAX_NAMED * 4) {
            let _ = writeln!(s, "#   {}", comment(u));
        }
        if v.len() > MAX_NAMED * 4 {
            let _ = writeln!(s, "#   ... and {} more", v.len() - MAX_NAMED * 4);
        }
    }
    s.push_str(
        "\n# [[exception]]\n\
         # component = \"pkg:npm/some-package\"      # or with @version, or a name glob\n\
         # allow = [\"AGPL-3.0-only\"]\n\
         # reason = \"internal tool, never distributed\"\n\
         # expires = \"2027-06-30\"\n\
         \n\
         # [[clarify]]\n\
         # component = \"pkg:cargo/ring@0.17.8\"\n\
         # expression = \"MIT AND ISC AND OpenSSL\"\n\
         # reason = \"license text read by legal on 2026-11-02\"\n\
         # files = [{ path = \"LICENSE\", sha256 = \"<sha256 of the file, from ospo scan --format json>\" }]\n",
    );
    Starter { text: s }
}

fn named(comps: &BTreeSet<String>) -> String {
    let mut v: Vec<&str> = comps.iter().map(String::as_str).take(MAX_NAMED).collect();
    let more = comps.len().saturating_sub(MAX_NAMED);
    let mut out = comment(&v.join(", ")).into_owned();
    if more > 0 {
        let _ = write!(out, " and {more} more");
    }
    v.clear();
    out
}

/// Text from the scan (a component name, a path, a license as written) inside a TOML
/// comment: a newline in it would end the comment and make the rest live policy (a name
/// could write `[[exception]] component = "*"`), so every control character is escaped.
fn comment(s: &str) -> std::borrow::Cow<'_, str> {
    crate::text::escape_controls(s)
}
