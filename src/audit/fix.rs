//! Fix hints: for a finding's smallest fixed version above the installed one, whether the
//! ecosystem's default requirement would already admit it (an update within the lockfile)
//! or the manifest must change, and what to run.
//!
//! The scan model records what is installed, not the manifest's requirement, so the hint
//! reasons from each ecosystem's default: `cargo add` and `npm install` write a caret
//! requirement (`^1.2.3`: same left-most non-zero component), Go's minimal version
//! selection takes any higher version of the same major (a new major is a new module path),
//! PyPI has no default (pip freezes exact pins): "not known" there, and we say so rather
//! than guess.

use super::version;
use super::{Ecosystem, FixHint};

/// Caret compatibility of two semver-like versions: the left-most non-zero of
/// major.minor.patch must be equal (Cargo and npm agree on this).
fn caret_compatible(from: &str, to: &str) -> Option<bool> {
    let nums = |s: &str| -> Option<[u64; 3]> {
        let core = s.trim().trim_start_matches(['v', '=']);
        let core = core.split(['-', '+']).next()?;
        let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
        Some([
            it.next()??,
            it.next().flatten().unwrap_or(0),
            it.next().flatten().unwrap_or(0),
        ])
    };
    let (a, b) = (nums(from)?, nums(to)?);
    Some(if a[0] != 0 {
        a[0] == b[0]
    } else if a[1] != 0 {
        b[0] == 0 && a[1] == b[1]
    } else {
        b[0] == 0 && b[1] == 0 && a[2] == b[2]
    })
}

fn go_major(v: &str) -> Option<u64> {
    v.trim().strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// The hint for upgrading `name` from `installed` to `fixed` in `eco`.
pub fn hint(eco: Ecosystem, name: &str, installed: &str, fixed: &str) -> FixHint {
    // OSV writes Go versions without the `v` that go.mod and `go get` use.
    let go_fixed;
    let fixed = if eco == Ecosystem::Go && !fixed.starts_with('v') {
        go_fixed = format!("v{fixed}");
        go_fixed.as_str()
    } else {
        fixed
    };
    // The version orders must agree that it is an upgrade; otherwise say nothing certain.
    let upgrade = matches!(
        (version::parse(eco, installed), version::parse(eco, fixed)),
        (Some(a), Some(b)) if b > a
    );
    let (lockfile_only, action) = match eco {
        Ecosystem::CratesIo => match caret_compatible(installed, fixed).filter(|_| upgrade) {
            Some(true) => (
                Some(true),
                format!("cargo update -p {name}@{installed} --precise {fixed} (Cargo.lock only, if Cargo.toml keeps the default ^ requirement)"),
            ),
            Some(false) => (
                Some(false),
                format!("raise the requirement in Cargo.toml to \"{fixed}\" (a semver-incompatible release), then cargo update -p {name}"),
            ),
            None => (None, format!("upgrade {name} to {fixed} in Cargo.toml / Cargo.lock")),
        },
        Ecosystem::Npm => match caret_compatible(installed, fixed).filter(|_| upgrade) {
            Some(true) => (
                Some(true),
                format!("npm update {name} (package-lock.json only, if package.json keeps the default ^ range; a transitive dependency may need an `overrides` entry)"),
            ),
            Some(false) => (
                Some(false),
                format!("change the range in package.json to ^{fixed} (a semver-major release), then npm install"),
            ),
            None => (None, format!("upgrade {name} to {fixed}")),
        },
        Ecosystem::Go => match (go_major(installed), go_major(fixed)) {
            (Some(a), Some(b)) if a == b || (a <= 1 && b <= 1) => (
                Some(false),
                format!("go get {name}@{fixed} (go.mod's require line changes; go mod tidy)"),
            ),
            (Some(_), Some(b)) => (
                Some(false),
                format!("{fixed} is a new major version: the module path becomes {name}/v{b} in go.mod and the imports"),
            ),
            _ => (None, format!("go get {name}@{fixed}")),
        },
        Ecosystem::PyPI => (
            None,
            format!("require {name}>={fixed} in the requirements (or the lockfile) and reinstall"),
        ),
        Ecosystem::Maven => (
            Some(false),
            format!("set {name} to {fixed} in the pom (or dependencyManagement for a transitive one)"),
        ),
    };
    FixHint {
        version: fixed.to_string(),
        lockfile_only,
        action,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_rules() {
        assert_eq!(caret_compatible("1.2.5", "1.2.6"), Some(true));
        assert_eq!(caret_compatible("1.2.5", "2.0.0"), Some(false));
        assert_eq!(caret_compatible("0.9.6", "0.9.7"), Some(true));
        assert_eq!(caret_compatible("0.9.6", "0.10.0"), Some(false));
        assert_eq!(caret_compatible("0.0.3", "0.0.4"), Some(false));
        let h = hint(Ecosystem::Npm, "minimist", "1.2.5", "1.2.6");
        assert_eq!(h.lockfile_only, Some(true));
        let h = hint(Ecosystem::CratesIo, "rsa", "0.9.6", "0.10.0");
        assert_eq!(h.lockfile_only, Some(false));
        let h = hint(Ecosystem::Go, "github.com/x/y", "v1.2.0", "v2.0.1");
        assert!(h.action.contains("github.com/x/y/v2"), "{}", h.action);
        assert_eq!(
            hint(Ecosystem::PyPI, "jinja2", "2.11.2", "2.11.3").lockfile_only,
            None
        );
    }
}
