//! `setup.cfg`: a minimal INI reader, and what its `[metadata]` and `[options]` say.

use super::*;

/// A minimal INI reader for setup.cfg: sections, `key = value` / `key: value`, indented
/// continuation lines (multi-line values like classifiers), `#`/`;` comment lines.
#[derive(Default)]
pub(super) struct Ini {
    pub(super) sections: BTreeMap<String, Vec<(String, String)>>,
}

impl Ini {
    pub(super) fn get(&self, section: &str, key: &str) -> Option<String> {
        self.sections
            .get(section)?
            .iter()
            .find(|(k, _)| {
                k.eq_ignore_ascii_case(key) || k.replace('-', "_").eq_ignore_ascii_case(key)
            })
            .map(|(_, v)| v.trim().to_string())
    }
    pub(super) fn section(&self, section: &str) -> &[(String, String)] {
        self.sections.get(section).map_or(&[], |v| v.as_slice())
    }
}

pub(super) fn parse_ini(text: &str) -> Ini {
    let mut ini = Ini::default();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = ini.sections.get_mut(&current).and_then(|s| s.last_mut()) {
                v.push('\n');
                v.push_str(trimmed);
            }
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            current = trimmed[1..trimmed.len() - 1].trim().to_string();
            continue;
        }
        let split = trimmed.find(['=', ':']);
        if let Some(i) = split {
            let (k, v) = (trimmed[..i].trim(), trimmed[i + 1..].trim());
            ini.sections
                .entry(current.clone())
                .or_default()
                .push((k.to_string(), v.to_string()));
        }
    }
    ini
}

/// What `[metadata]` and `[options]` say about the project in this directory.
pub(super) fn setup_cfg_project(
    ini: &Ini,
    name: &mut Option<String>,
    pkg: &mut Pkg,
    deps: &mut Vec<(String, Scope)>,
) {
    let m = |k: &str| ini.get("metadata", k);
    fill(name, m("name"));
    // `attr:` / `file:` directives are computed by setuptools; not a literal.
    fill(&mut pkg.version, m("version").filter(|v| !v.contains(':')));
    let lic = m("license_expression")
        .or_else(|| m("license"))
        .filter(|l| !l.contains('\n'));
    let from_classifiers = m("classifiers").and_then(|c| {
        let ids: Vec<String> = c
            .lines()
            .filter_map(crate::expression::classifier_to_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        (!ids.is_empty()).then(|| ids.join(" OR "))
    });
    fill(&mut pkg.declared_raw, lic.or(from_classifiers));
    fill(&mut pkg.supplier, m("author").or_else(|| m("maintainer")));
    fill(&mut pkg.homepage, m("url").or_else(|| m("home_page")));
    for line in ini
        .get("options", "install_requires")
        .unwrap_or_default()
        .lines()
    {
        if let Some(n) = requirement_name(line) {
            deps.push((n, Scope::Required));
        }
    }
    for (_, v) in ini.section("options.extras_require") {
        for line in v.lines() {
            if let Some(n) = requirement_name(line) {
                deps.push((n, Scope::Optional));
            }
        }
    }
}
