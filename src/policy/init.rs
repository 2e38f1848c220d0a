//! `ospo init`: a starter policy.toml for a scanned tree. The permissive and public-domain
//! licenses found are allowed by id (so a new license in the tree is a decision, not a
//! silent pass); every other license found is listed in comments with its category and the
//! components that use it, so the choice is the user's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::category::{category_of, Category};
use crate::model::Scan;

/// Components named per license in the comments, at most.
const MAX_NAMED: usize = 5;

pub fn starter(scan: &Scan) -> String {
    // license id -> components using it
    let mut by_license: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    let mut exceptions: BTreeSet<String> = BTreeSet::new();
    for c in &scan.components {
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
        "# policy.toml for `ospo check`, written by `ospo init` from a scan of {} ({} components).",
        comment(&scan.root),
        scan.components.len()
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
    s.push_str(
        "# Strong and network copyleft are denied unless an [[exception]] allows them.\n\
         deny = [\"strong-copyleft\", \"network-copyleft\"]\n\
         # NOASSERTION, an unclarified LicenseRef-, license text matched with low confidence:\n\
         unknown = \"warn\"\n\
         # Licenses neither allowed nor denied above:\n\
         unlisted = \"deny\"\n",
    );
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
    s
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
