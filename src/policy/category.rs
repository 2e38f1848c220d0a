//! License categories (permissive, weak-copyleft, ...): the table in
//! `license-db/categories.toml`, built into the binary, and the curated rules that wrote it.
//!
//! The table is data, not code, so a reviewer can read and correct one line; the rules
//! below only generate it (`OSPO_WRITE_CATEGORIES=1 cargo test --lib
//! policy::category::tests::write_categories -- --ignored`), and a test proves the committed
//! table is exactly what they give and names every SPDX license and exception.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

/// What a license asks of those who ship it, coarsely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Notice-only licenses (MIT, BSD, Apache-2.0, ...).
    Permissive,
    /// Copyleft limited to the file or library (LGPL, MPL, EPL, CDDL, ...).
    WeakCopyleft,
    /// Copyleft over the whole derived work (GPL, CC-BY-SA, ...).
    StrongCopyleft,
    /// Copyleft that also reaches users over a network (AGPL, SSPL, OSL, ...).
    NetworkCopyleft,
    /// Dedications to the public domain and their fallbacks (CC0, Unlicense, ...).
    PublicDomain,
    /// Not free / not open source: non-commercial, no-derivatives, source-available.
    Proprietary,
    /// SPDX lists it, but ospo has no curated category for it: review it.
    Unknown,
}

pub const ALL_CATEGORIES: &[Category] = &[
    Category::Permissive,
    Category::WeakCopyleft,
    Category::StrongCopyleft,
    Category::NetworkCopyleft,
    Category::PublicDomain,
    Category::Proprietary,
    Category::Unknown,
];

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Permissive => "permissive",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::PublicDomain => "public-domain",
            Category::Proprietary => "proprietary",
            Category::Unknown => "unknown",
        }
    }

    /// A category as a policy names it; `non-free` is another name for `proprietary`.
    pub fn from_name(s: &str) -> Option<Category> {
        if s == "non-free" {
            return Some(Category::Proprietary);
        }
        ALL_CATEGORIES.iter().copied().find(|c| c.name() == s)
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Deserialize)]
struct Table {
    licenses: HashMap<String, Category>,
    exceptions: HashMap<String, Category>,
}

static TABLE: Lazy<Table> = Lazy::new(|| {
    toml::from_str(include_str!("../../license-db/categories.toml"))
        .expect("license-db/categories.toml is valid (tested)")
});

/// The category of an SPDX license id (deprecated ids included) or exception id.
/// `-or-later` / `-only` forms share their family's category.
///
/// A `LicenseRef-scancode-*` id (a license SPDX does not list, named by ScanCode's license
/// database) takes ScanCode's curated category: "Permissive", "Public Domain", "Copyleft
/// Limited" (weak), "Copyleft" (strong); "Proprietary Free", "Commercial",
/// "Source-available" and "Free Restricted" are all not open source. ScanCode's "CLA",
/// "Patent License" and "Unstated License" say nothing of the kind: no category.
pub fn category_of(id: &str) -> Option<Category> {
    TABLE
        .licenses
        .get(id)
        .or_else(|| TABLE.exceptions.get(id))
        .copied()
        .or_else(|| scancode_category(id))
}

fn scancode_category(id: &str) -> Option<Category> {
    Some(match crate::licensedb::scancode_category(id)? {
        "Permissive" => Category::Permissive,
        "Public Domain" => Category::PublicDomain,
        "Copyleft Limited" => Category::WeakCopyleft,
        "Copyleft" => Category::StrongCopyleft,
        "Proprietary Free" | "Commercial" | "Source-available" | "Free Restricted" => {
            Category::Proprietary
        }
        _ => return None,
    })
}

/// The category of an exception id alone (what WITH adds).
pub fn exception_category(id: &str) -> Option<Category> {
    TABLE.exceptions.get(id).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Licenses whose category the SPDX flags alone would get wrong, or that need a word.
    /// Matched on the id before the version ("GPL" for GPL-2.0-only), then on the whole id.
    const FAMILY: &[(&str, Category)] = &[
        // Network: the license reaches users who only interact with the software remotely.
        ("AGPL", Category::NetworkCopyleft),
        ("SSPL", Category::NetworkCopyleft),
        ("OSL", Category::NetworkCopyleft),
        ("RPL", Category::NetworkCopyleft),
        ("EUPL", Category::StrongCopyleft),
        // Strong: the whole derived work.
        ("GPL", Category::StrongCopyleft),
        ("GFDL", Category::StrongCopyleft),
        ("ODbL", Category::StrongCopyleft),
        ("Sleepycat", Category::StrongCopyleft),
        ("QPL", Category::StrongCopyleft),
        ("CECILL", Category::StrongCopyleft),
        ("Parity", Category::StrongCopyleft),
        ("eCos", Category::StrongCopyleft),
        ("copyleft", Category::StrongCopyleft),
        ("BSD-Protection", Category::StrongCopyleft),
        ("TOSL", Category::StrongCopyleft),
        ("APL", Category::WeakCopyleft),
        ("CAL", Category::NetworkCopyleft),
        ("LPPL", Category::Permissive),
        // Weak: file- or library-level copyleft.
        ("LGPL", Category::WeakCopyleft),
        ("LGPLLR", Category::WeakCopyleft),
        ("MPL", Category::WeakCopyleft),
        ("EPL", Category::WeakCopyleft),
        ("CPL", Category::WeakCopyleft),
        ("IPL", Category::WeakCopyleft),
        ("CDDL", Category::WeakCopyleft),
        ("CPAL", Category::WeakCopyleft),
        ("APSL", Category::WeakCopyleft),
        ("NPL", Category::WeakCopyleft),
        ("SPL", Category::WeakCopyleft),
        ("ErlPL", Category::WeakCopyleft),
        ("Ms-RL", Category::WeakCopyleft),
        ("MS-RL", Category::WeakCopyleft),
        ("OFL", Category::WeakCopyleft),
        ("Ruby", Category::WeakCopyleft),
        ("Artistic", Category::WeakCopyleft),
        ("CECILL-C", Category::WeakCopyleft),
        ("CECILL-B", Category::Permissive),
        ("Motosoto", Category::WeakCopyleft),
        ("NPOSL", Category::NetworkCopyleft),
        ("SISSL", Category::WeakCopyleft),
        ("SimPL", Category::StrongCopyleft),
        ("OGL-UK", Category::Permissive),
        ("LiLiQ-R", Category::WeakCopyleft),
        ("LiLiQ-Rplus", Category::StrongCopyleft),
        ("LiLiQ-P", Category::Permissive),
        ("MulanPSL", Category::Permissive),
        ("Nokia", Category::WeakCopyleft),
        ("RPSL", Category::WeakCopyleft),
        ("Watcom", Category::WeakCopyleft),
        ("YPL", Category::Permissive),
        ("Zimbra", Category::Permissive),
        ("gSOAP", Category::WeakCopyleft),
        ("GL2PS", Category::Permissive),
        ("OLDAP", Category::Permissive),
        ("AFL", Category::Permissive),
        ("Apache", Category::Permissive),
        ("BSD", Category::Permissive),
        ("MIT", Category::Permissive),
        ("X11", Category::Permissive),
        ("HPND", Category::Permissive),
        ("ISC", Category::Permissive),
        ("Zlib", Category::Permissive),
        ("zlib", Category::Permissive),
        ("BSL", Category::Permissive),
        ("Python", Category::Permissive),
        ("PSF", Category::Permissive),
        ("CNRI", Category::Permissive),
        ("PHP", Category::Permissive),
        ("Unicode", Category::Permissive),
        ("W3C", Category::Permissive),
        ("OpenSSL", Category::Permissive),
        ("SSLeay", Category::Permissive),
        ("curl", Category::Permissive),
        ("NCSA", Category::Permissive),
        ("PostgreSQL", Category::Permissive),
        ("UPL", Category::Permissive),
        ("Unlicense", Category::PublicDomain),
        ("CC0", Category::PublicDomain),
        ("PDDL", Category::PublicDomain),
        ("CC-PDDC", Category::PublicDomain),
        ("CC-PDM", Category::PublicDomain),
        ("blessing", Category::PublicDomain),
        ("0BSD", Category::Permissive),
        ("WTFPL", Category::Permissive),
        ("BlueOak", Category::Permissive),
        ("JSON", Category::Proprietary),
        ("BUSL", Category::Proprietary),
        ("Elastic", Category::Proprietary),
        ("Commons-Clause", Category::Proprietary),
        ("PolyForm", Category::Proprietary),
        ("Prosperity", Category::Proprietary),
        ("Hippocratic", Category::Proprietary),
        ("NCGL", Category::Proprietary),
        ("NLOD", Category::Permissive),
        ("OGL", Category::Permissive),
        ("OGC", Category::Permissive),
        ("CDLA-Permissive", Category::Permissive),
        ("CDLA-Sharing", Category::WeakCopyleft),
        ("CERN-OHL-P", Category::Permissive),
        ("CERN-OHL-W", Category::WeakCopyleft),
        ("CERN-OHL-S", Category::StrongCopyleft),
        ("CERN-OHL", Category::WeakCopyleft),
        ("TAPR-OHL", Category::WeakCopyleft),
    ];

    /// The long tail of the SPDX list (mostly licenses added from Fedora's review) that
    /// neither the families above nor the flags decide. Notice-style licenses (MIT/BSD/HPND
    /// look-alikes, font and documentation notices) are permissive; the rest are named.
    const TAIL: &[(&str, Category)] = &[
        ("ADSL", Category::Proprietary),
        ("Aladdin", Category::Proprietary),
        ("C-UDA-1.0", Category::Proprietary),
        ("CPOL-1.02", Category::Proprietary),
        ("FSL-1.1-ALv2", Category::Proprietary),
        ("IEC-Code-Components-EULA", Category::Proprietary),
        ("Informatica", Category::Proprietary),
        ("MS-LPL", Category::Proprietary),
        ("PPL", Category::Proprietary),
        ("SCEA", Category::Proprietary),
        ("SGI-B-1.0", Category::Proprietary),
        ("SGI-B-1.1", Category::Proprietary),
        ("SUL-1.0", Category::Proprietary),
        ("UnRAR", Category::Proprietary),
        ("Glide", Category::Proprietary),
        ("D-FSL-1.0", Category::StrongCopyleft),
        ("ESA-PL-strong-copyleft-2.4", Category::StrongCopyleft),
        ("LAL-1.2", Category::StrongCopyleft),
        ("LAL-1.3", Category::StrongCopyleft),
        ("SMAIL-GPL", Category::StrongCopyleft),
        ("TGPPL-1.0", Category::StrongCopyleft),
        ("ESA-PL-weak-copyleft-2.4", Category::WeakCopyleft),
        ("Arphic-1999", Category::WeakCopyleft),
        ("BitTorrent-1.0", Category::WeakCopyleft),
        ("CDL-1.0", Category::WeakCopyleft),
        ("FreeImage", Category::WeakCopyleft),
        ("Interbase-1.0", Category::WeakCopyleft),
        ("MMPL-1.0.1", Category::WeakCopyleft),
        ("OCCT-PL", Category::WeakCopyleft),
        ("OPL-1.0", Category::WeakCopyleft),
        ("OPUBL-1.0", Category::WeakCopyleft),
        ("RHeCos-1.1", Category::WeakCopyleft),
        ("SMPPL", Category::WeakCopyleft),
        ("SNIA", Category::WeakCopyleft),
        ("SugarCRM-1.1.3", Category::WeakCopyleft),
        ("TPL-1.0", Category::WeakCopyleft),
        ("Ubuntu-font-1.0", Category::WeakCopyleft),
        ("Linux-man-pages-copyleft", Category::WeakCopyleft),
        ("Linux-man-pages-copyleft-2-para", Category::WeakCopyleft),
        ("Linux-man-pages-copyleft-var", Category::WeakCopyleft),
        ("DL-DE-ZERO-2.0", Category::PublicDomain),
        ("O-UDA-1.0", Category::Permissive),
        // Not a license: SPDX's "nothing is known" is listed as an id.
        (crate::model::NOASSERTION, Category::Unknown),
    ];
    /// Tail ids left `unknown` on purpose: terms too unusual to file under one category.
    const TAIL_UNSURE: &[&str] = &[
        "Community-Spec-1.0",
        "FDK-AAC",
        "FDK-MPEG-H",
        "Game-Programming-Gems",
        "Advanced-Cryptics-Dictionary",
        "any-OSI",
        "any-OSI-perl-modules",
        "CAPEC-tou",
        "cve-tou",
        "LOOP",
        "ThirdEye",
        "TrustedQSL",
        "VOSTROM",
        "Zed",
        "Cornell-Lossless-JPEG",
        "NCL",
        "OpenMDW-1.0",
        "wwl",
    ];

    /// The curated category of one license: family table, then Creative Commons and
    /// public-domain wording, then the SPDX flags as hints.
    fn curate_license(id: &str, full_name: &str, l: spdx::LicenseId) -> Category {
        if let Some((_, c)) = TAIL.iter().find(|(t, _)| *t == id) {
            return *c;
        }
        if TAIL_UNSURE.contains(&id) {
            return Category::Unknown;
        }
        let segments: Vec<&str> = id.split('-').collect();
        // Creative Commons: the clauses in the id decide (NC / ND are not free).
        if id.starts_with("CC-") && !id.starts_with("CC-PD") {
            if segments.contains(&"NC") || segments.contains(&"ND") {
                return Category::Proprietary;
            }
            if segments.contains(&"SA") {
                return Category::StrongCopyleft;
            }
            return Category::Permissive;
        }
        let mut best: Option<(usize, Category)> = None;
        for (fam, cat) in FAMILY {
            let hit = id == *fam
                || id.starts_with(&format!("{fam}-"))
                || (id.starts_with(fam)
                    && id[fam.len()..]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit()));
            // The longest family wins: CECILL-C over CECILL, LGPL over GPL.
            if hit && best.is_none_or(|(n, _)| fam.len() > n) {
                best = Some((fam.len(), *cat));
            }
        }
        if let Some((_, cat)) = best {
            return cat;
        }
        let lower = full_name.to_ascii_lowercase();
        if lower.contains("public domain") || segments.contains(&"PD") {
            return Category::PublicDomain;
        }
        if lower.contains("non-commercial")
            || lower.contains("noncommercial")
            || lower.contains("non commercial")
        {
            return Category::Proprietary;
        }
        if l.is_copyleft() {
            return Category::WeakCopyleft;
        }
        if l.is_osi_approved() || l.is_fsf_free_libre() {
            return Category::Permissive;
        }
        // What is left is notice-style: keep this, use that, don't sue us.
        Category::Permissive
    }

    /// Exceptions: most grant more (linking, runtime library use), which makes the license
    /// at most weak copyleft; the category here is what the exception itself is, for
    /// `allow = ["weak-copyleft"]`-style rules on exceptions.
    fn curate_exception(id: &str) -> Category {
        const STRONGER: &[&str] = &["Autoconf-exception-generic-3.0"];
        if STRONGER.contains(&id) {
            return Category::Permissive;
        }
        Category::Permissive
    }

    fn render() -> String {
        let mut out = String::from(
            "# license-db/categories.toml: every SPDX license and exception id -> category.\n\
             # Generated from the curated rules in src/policy/category.rs; do not edit by hand:\n\
             #   OSPO_WRITE_CATEGORIES=1 cargo test --lib policy::category::tests::write_categories -- --ignored\n\
             # Categories: permissive, weak-copyleft, strong-copyleft, network-copyleft,\n\
             # public-domain, proprietary (non-free), unknown (SPDX lists it; no curated category).\n",
        );
        out.push_str(&format!(
            "# SPDX License List {}\n\n[licenses]\n",
            spdx::identifiers::VERSION
        ));
        let mut lic: Vec<(&str, Category)> = spdx::identifiers::LICENSES
            .iter()
            .map(|l| {
                let id = spdx::license_id(l.name).expect("listed id");
                (l.name, curate_license(l.name, l.full_name, id))
            })
            .collect();
        lic.sort();
        for (id, c) in lic {
            out.push_str(&format!("{} = \"{}\"\n", quote_key(id), c));
        }
        out.push_str("\n[exceptions]\n");
        let mut exc: Vec<(&str, Category)> = spdx::identifiers::EXCEPTIONS
            .iter()
            .map(|e| (e.name, curate_exception(e.name)))
            .collect();
        exc.sort();
        for (id, c) in exc {
            out.push_str(&format!("{} = \"{}\"\n", quote_key(id), c));
        }
        out
    }

    fn quote_key(k: &str) -> String {
        if k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            k.to_string()
        } else {
            format!("\"{k}\"")
        }
    }

    #[test]
    #[ignore = "writes license-db/categories.toml"]
    fn write_categories() {
        if std::env::var_os("OSPO_WRITE_CATEGORIES").is_none() {
            return;
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/license-db/categories.toml");
        std::fs::write(path, render()).unwrap();
    }

    #[test]
    fn committed_table_is_what_the_rules_give() {
        assert_eq!(
            include_str!("../../license-db/categories.toml"),
            render(),
            "license-db/categories.toml is stale: regenerate it (see its header)"
        );
    }

    #[test]
    fn every_spdx_id_has_a_valid_category() {
        for l in spdx::identifiers::LICENSES {
            let c = category_of(l.name).unwrap_or_else(|| panic!("{} has no category", l.name));
            assert!(ALL_CATEGORIES.contains(&c));
        }
        for e in spdx::identifiers::EXCEPTIONS {
            assert!(
                exception_category(e.name).is_some(),
                "{} has no category",
                e.name
            );
        }
        // Every category name in the file is one the policy accepts.
        let raw: toml::Table =
            toml::from_str(include_str!("../../license-db/categories.toml")).unwrap();
        for section in ["licenses", "exceptions"] {
            for (id, v) in raw[section].as_table().unwrap() {
                let name = v.as_str().unwrap();
                assert!(Category::from_name(name).is_some(), "{id} = {name}");
            }
        }
    }

    #[test]
    fn curated_families() {
        let cases = [
            ("MIT", Category::Permissive),
            ("Apache-2.0", Category::Permissive),
            ("BSD-3-Clause", Category::Permissive),
            ("GPL-2.0-only", Category::StrongCopyleft),
            ("GPL-3.0-or-later", Category::StrongCopyleft),
            ("LGPL-2.1-or-later", Category::WeakCopyleft),
            ("AGPL-3.0-only", Category::NetworkCopyleft),
            ("SSPL-1.0", Category::NetworkCopyleft),
            ("OSL-3.0", Category::NetworkCopyleft),
            ("MPL-2.0", Category::WeakCopyleft),
            ("EPL-2.0", Category::WeakCopyleft),
            ("CDDL-1.0", Category::WeakCopyleft),
            ("EUPL-1.2", Category::StrongCopyleft),
            ("CC0-1.0", Category::PublicDomain),
            ("Unlicense", Category::PublicDomain),
            ("CC-BY-4.0", Category::Permissive),
            ("CC-BY-SA-4.0", Category::StrongCopyleft),
            ("CC-BY-NC-4.0", Category::Proprietary),
            ("CC-BY-ND-4.0", Category::Proprietary),
            ("BUSL-1.1", Category::Proprietary),
            ("NCSA", Category::Permissive),
            ("CECILL-C", Category::WeakCopyleft),
            ("CECILL-2.1", Category::StrongCopyleft),
            ("Zlib", Category::Permissive),
            ("ISC", Category::Permissive),
        ];
        for (id, want) in cases {
            assert_eq!(category_of(id), Some(want), "{id}");
        }
        assert_eq!(
            exception_category("Classpath-exception-2.0"),
            Some(Category::Permissive)
        );
    }
}
