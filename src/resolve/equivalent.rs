//! One license in two spellings. SPDX gives some texts that differ only in a sentence that
//! adds no obligation, or in the holder's name, ids of their own, and detectors pick
//! whichever is closest: a package that declares `BSD-2-Clause` and ships the text with
//! the FreeBSD "views and conclusions" sentence is not under two licenses. A reviewer
//! counts such a pair once; so does the resolver, and it says so in a note.
//!
//! Kept short and explicit: each family is a license whose variants grant and require
//! the same, so that treating one as the other never hides an obligation.

/// Families of equivalent spellings. The first id of a family is the one written when
/// nothing declared picks another.
const FAMILIES: &[&[&str]] = &[
    // The 2-clause BSD text; `-Views` adds "The views and conclusions ... should not be
    // interpreted as representing official policies", ScanCode's red-hat-bsd-simplified
    // is the same text with a different holder (uri-js' LICENSE reads as either).
    &[
        "BSD-2-Clause",
        "BSD-2-Clause-Views",
        "BSD-2-Clause-FreeBSD",
        "LicenseRef-scancode-red-hat-bsd-simplified",
    ],
    // The PSF license stack of Python 2.0 and 2.0.1 (the same PSF agreement, CNRI and
    // BeOpen texts; argparse's LICENSE), and the PSF agreement alone.
    &["Python-2.0", "Python-2.0.1", "PSF-2.0"],
    // OpenSSL's dual license is the OpenSSL License and the original SSLeay license
    // together: a file that holds them apart reads as its two halves.
    &["OpenSSL", "OpenSSL-standalone", "SSLeay-standalone"],
    // The Artistic License 1.0 as Perl ships it ("under the same terms as Perl itself").
    &["Artistic-1.0-Perl", "Artistic-1.0"],
];

/// The family an id belongs to, as its first id; an id outside every family is its own.
pub fn canonical(id: &str) -> &str {
    for f in FAMILIES {
        if f.contains(&id) {
            return f[0];
        }
    }
    id
}

/// Two ids that are one license: equal, GNU `-only` / `-or-later` of one text (a bare
/// text cannot tell them apart), or one family.
pub fn same_license(a: &str, b: &str) -> bool {
    a == b || crate::licensedb::same_text(a).iter().any(|x| x == b) || canonical(a) == canonical(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_one_license_and_others_are_not() {
        assert!(same_license("BSD-2-Clause", "BSD-2-Clause-Views"));
        assert!(same_license("Python-2.0.1", "Python-2.0"));
        assert!(same_license("GPL-2.0-only", "GPL-2.0-or-later"));
        assert!(!same_license("BSD-2-Clause", "BSD-3-Clause"));
        assert!(!same_license("MIT", "MIT-0"));
        // Every id in a family is a real SPDX id or a ScanCode key.
        for f in FAMILIES {
            for id in *f {
                assert!(
                    spdx::license_id(id).is_some() || id.starts_with("LicenseRef-scancode-"),
                    "{id}"
                );
            }
        }
    }
}
