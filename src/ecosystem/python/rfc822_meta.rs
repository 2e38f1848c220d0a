//! Core metadata (`METADATA`, `PKG-INFO`): RFC 822 style headers, then the description;
//! the license (PEP 639 `License-Expression`, `License`, classifiers), people, URLs.

use super::*;

pub(super) type Fields = Vec<(String, String)>;

pub(super) fn parse_metadata(text: &str) -> Fields {
    let mut fields: Fields = Vec::new();
    for line in text.lines() {
        // The body (long description) follows the first empty line; a line of only
        // spaces continues a folded value (old setuptools indents the License text so).
        if line.trim_end_matches('\r').is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    fields
}

pub(super) fn field<'a>(fields: &'a Fields, key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

pub(super) fn fields_all<'a>(
    fields: &'a Fields,
    key: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The declared license of core metadata, and a note when the `License` field had to be
/// passed over. PEP 639 `License-Expression` first; then a short `License` that names a
/// license; then the trove classifiers (several joined with OR, as PyPI means them).
pub(super) fn metadata_license(fields: &Fields) -> (Option<String>, Option<String>) {
    if let Some(e) = field(fields, "license-expression") {
        return (Some(e.trim().to_string()), None);
    }
    // The classifiers are kept as written (`; `-separated): mapping them to SPDX ids is a
    // guess the resolver makes, and says so.
    let mut license_classifiers: Vec<&str> = Vec::new();
    for c in fields_all(fields, "classifier") {
        let c = c.trim();
        let license = crate::expression::classifier_to_id(c).is_some()
            || (c.starts_with("License ::") && c != "License :: OSI Approved");
        if license && !license_classifiers.contains(&c) {
            license_classifiers.push(c);
        }
    }
    let classifiers = license_classifiers
        .iter()
        .any(|c| crate::expression::classifier_to_id(c).is_some())
        .then(|| license_classifiers.join("; "));
    let license = field(fields, "license").map(str::trim).filter(|l| {
        !l.is_empty() && !l.eq_ignore_ascii_case("UNKNOWN") && !l.eq_ignore_ascii_case("none")
    });
    let Some(license) = license else {
        return (classifiers, None);
    };
    if license.contains('\n') || license.len() > MAX_LICENSE_FIELD {
        let lines = license.lines().count();
        let note = format!(
            "License field holds a license text ({lines} line(s), {} chars), not a license name; \
             {}",
            license.len(),
            if classifiers.is_some() {
                "declared license taken from the classifiers"
            } else {
                "no declared license (the license files are detected instead)"
            }
        );
        return (classifiers, Some(note));
    }
    // A short field that is not a license name ("Dual License") loses to classifiers.
    let recognized = crate::expression::normalize(license)
        .license_refs
        .is_empty();
    match classifiers {
        Some(c) if !recognized => (Some(c), None),
        _ => (Some(license.to_string()), None),
    }
}

/// "Name <mail>, Other <mail2>" / "mail@x" -> "Name, Other".
pub(super) fn people(s: &str) -> Option<String> {
    let names: Vec<String> = s
        .split(">,")
        .map(|p| {
            let p = p.trim();
            let n = p
                .split('<')
                .next()
                .unwrap_or(p)
                .trim()
                .trim_matches('"')
                .trim();
            if n.is_empty() {
                p.trim_matches(['<', '>', ' ']).to_string()
            } else {
                n.to_string()
            }
        })
        .filter(|n| !n.is_empty())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

pub(super) fn metadata_supplier(fields: &Fields) -> Option<String> {
    ["author", "author-email", "maintainer", "maintainer-email"]
        .iter()
        .find_map(|k| field(fields, k).and_then(|v| people(v.lines().next().unwrap_or(v))))
}

pub(super) fn metadata_homepage(fields: &Fields) -> Option<String> {
    if let Some(h) = field(fields, "home-page").filter(|h| !h.eq_ignore_ascii_case("UNKNOWN")) {
        return Some(h.to_string());
    }
    let urls: Vec<(String, String)> = fields_all(fields, "project-url")
        .filter_map(|v| v.split_once(','))
        .map(|(l, u)| {
            let label: String = l.chars().filter(|c| c.is_alphanumeric()).collect();
            (label.to_ascii_lowercase(), u.trim().to_string())
        })
        .collect();
    for want in [
        "homepage",
        "home",
        "source",
        "sourcecode",
        "repository",
        "code",
    ] {
        if let Some((_, u)) = urls.iter().find(|(l, _)| l == want) {
            return Some(u.clone());
        }
    }
    urls.into_iter().next().map(|(_, u)| u)
}

/// What an unpacked sdist's `PKG-INFO` says about the project in its directory.
pub(super) fn sdist_project(f: &Fields, name: &mut Option<String>, pkg: &mut Pkg) {
    fill(name, field(f, "name").map(str::to_string));
    fill(&mut pkg.version, field(f, "version").map(str::to_string));
    fill(&mut pkg.declared_raw, metadata_license(f).0);
    fill(&mut pkg.supplier, metadata_supplier(f));
    fill(&mut pkg.homepage, metadata_homepage(f));
}
