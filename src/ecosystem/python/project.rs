//! A project directory: its pyproject.toml, setup.cfg, setup.py and an sdist's PKG-INFO,
//! merged into one project component with its dependency lists.

use super::*;

#[derive(Default)]
pub(super) struct ProjectInfo {
    pub(super) pyproject: Option<(String, toml::Table)>,
    pub(super) setup_cfg: Option<(String, Ini)>,
    pub(super) setup_py: Option<(String, SetupPy)>,
    pub(super) pkg_info: Option<(String, Fields)>,
}

/// One project component per directory, its fields from the first manifest that has them.
pub(super) fn project(dir: &str, p: &ProjectInfo, acc: &mut Acc) {
    let mut pkg = Pkg::default();
    let mut deps: Vec<(String, Scope)> = Vec::new();
    let mut rel = String::new();
    let mut name: Option<String> = None;
    if let Some((r, t)) = &p.pyproject {
        rel = r.clone();
        let (n, warns) = pyproject(t, &mut pkg, &mut deps);
        for w in warns {
            acc.warn(r, w);
        }
        fill(&mut name, n);
    }
    if let Some((r, ini)) = &p.setup_cfg {
        if rel.is_empty() {
            rel = r.clone();
        }
        setup_cfg_project(ini, &mut name, &mut pkg, &mut deps);
    }
    if let Some((r, s)) = &p.setup_py {
        if rel.is_empty() {
            rel = r.clone();
        }
        setup_py_project(s, &mut name, &mut pkg);
    }
    if let Some((r, f)) = &p.pkg_info {
        if rel.is_empty() {
            rel = r.clone();
        }
        sdist_project(f, &mut name, &mut pkg);
    }
    let Some(name) = name else {
        // Tool configuration only ([tool.black] ...), or a setup.py that computes its name.
        if p.setup_py.is_some() || p.setup_cfg.is_some() {
            acc.info(&rel, "no literal project name found; project not reported");
        }
        return;
    };
    pkg.name = name;
    pkg.path = Some(dir.to_string());
    let Some(r) = acc.add(pkg, RANK_PROJECT, None, dir, &rel) else {
        return;
    };
    if let Some(e) = acc.entries.get_mut(&r) {
        e.project = true;
    }
    if dir.is_empty() {
        acc.roots.insert(r.clone());
    }
    for (n, kind) in deps {
        acc.dep(&r, &n, None, kind, dir);
    }
}

/// Fill an empty field with a non-blank value: the first manifest that says it wins.
pub(super) fn fill(slot: &mut Option<String>, v: Option<String>) {
    if slot.is_none() {
        *slot = v.filter(|s| !s.trim().is_empty());
    }
}

pub(super) fn str_of(v: Option<&toml::Value>) -> Option<String> {
    v.and_then(|v| v.as_str()).map(str::to_string)
}
