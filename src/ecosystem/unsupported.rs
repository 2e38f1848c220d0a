//! No silent gaps: manifests and package databases ospo recognises but cannot read yet.
//! Each one seen is a warning naming the file and what is missing, so an inventory that
//! lacks their packages says so in every output (the diagnostics travel with the scan,
//! into the SBOMs' and report's diagnostics) instead of looking complete.

use super::{dir_of, file_name, Context, Found};
use crate::model::Diagnostic;

/// (file name, the directory it must end with or "", what it is).
const KNOWN: &[(&str, &str, &str)] = &[
    // rpm's SQLite database is read (os::rpm); its older formats have no maintained reader.
    (
        "Packages",
        "var/lib/rpm",
        "RPM database (Berkeley DB, before RHEL 9 / Fedora 33): not read; an rpm that reads it \
         can convert it with `rpmdb --rebuilddb --define '_db_backend sqlite'`",
    ),
    (
        "Packages.db",
        "var/lib/rpm",
        "RPM database (NDB, SUSE): not read; an rpm that reads it can convert it with \
         `rpmdb --rebuilddb --define '_db_backend sqlite'`",
    ),
    (
        "Packages.db",
        "usr/lib/sysimage/rpm",
        "RPM database (NDB, SUSE): not read; an rpm that reads it can convert it with \
         `rpmdb --rebuilddb --define '_db_backend sqlite'`",
    ),
    ("pubspec.lock", "", "Dart/Flutter lockfile"),
    ("Package.resolved", "", "Swift Package Manager lockfile"),
    ("Podfile.lock", "", "CocoaPods lockfile"),
    ("mix.lock", "", "Elixir Mix lockfile"),
    ("conan.lock", "", "Conan lockfile"),
    ("cabal.project.freeze", "", "Cabal freeze file"),
    ("stack.yaml.lock", "", "Stack lockfile"),
    ("vcpkg.json", "", "vcpkg manifest"),
];

/// Whether `name` in folder `dir` is a database or lockfile ospo knows it cannot read.
pub fn is_known(name: &str, dir: &str) -> bool {
    what(name, dir).is_some()
}

fn what(name: &str, dir: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(n, d, _)| {
            *n == name && (d.is_empty() || dir == *d || dir.ends_with(&format!("/{d}")))
        })
        .map(|k| k.2)
}

pub const ECOSYSTEM: super::Ecosystem = super::Ecosystem {
    name: "unsupported",
    is_manifest: |name, dir| what(name, dir).is_some(),
    dependency_dirs: &[],
    discover,
};

pub fn discover(ctx: &Context<'_>) -> Found {
    let mut found = Found::default();
    for rel in ctx.manifests {
        if let Some(kind) = what(file_name(rel), dir_of(rel)) {
            found.diagnostics.push(Diagnostic::warning(
                Some(rel.clone()),
                format!(
                    "{kind}: not supported yet; the packages it lists are missing from this inventory"
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn rpm_databases_are_recognised_where_rpm_keeps_them() {
        assert!(super::what("Packages.db", "img/usr/lib/sysimage/rpm").is_some());
        assert!(super::what("Packages", "var/lib/rpm").is_some());
        assert!(super::what("Packages", "debian/dists").is_none());
    }
}
