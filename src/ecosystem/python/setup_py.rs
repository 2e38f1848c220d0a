//! `setup.py`: only the literal keyword strings of a `setup(...)` call, never run.

use super::*;

#[derive(Default)]
pub(super) struct SetupPy {
    pub(super) name: Option<String>,
    pub(super) version: Option<String>,
    pub(super) license: Option<String>,
}

/// Only literal keyword strings (`name="foo"`) of the `setup(...)` call; anything computed
/// stays unknown because the file is never run.
pub(super) fn parse_setup_py(text: &str) -> SetupPy {
    static RE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r#"(?m)[(,\s](name|version|license)\s*=\s*(?:"([^"\n\\]*)"|'([^'\n\\]*)')\s*[,)\n]"#,
        )
        .unwrap()
    });
    // Keywords of the setup() call follow it; before it, `name = "x"` is an assignment.
    let start = text.find("setup(").unwrap_or(0);
    let mut out = SetupPy::default();
    for c in RE.captures_iter(&text[start..]) {
        let v = c
            .get(2)
            .or_else(|| c.get(3))
            .map(|m| m.as_str().trim().to_string());
        let slot = match &c[1] {
            "name" => &mut out.name,
            "version" => &mut out.version,
            _ => &mut out.license,
        };
        if slot.is_none() {
            *slot = v.filter(|s| !s.is_empty());
        }
    }
    out
}

/// What the literal keywords of `setup.py` say about the project in this directory.
pub(super) fn setup_py_project(s: &SetupPy, name: &mut Option<String>, pkg: &mut Pkg) {
    fill(name, s.name.clone());
    fill(&mut pkg.version, s.version.clone());
    fill(&mut pkg.declared_raw, s.license.clone());
}
