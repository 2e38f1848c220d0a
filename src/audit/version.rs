//! Version ordering per ecosystem, as OSV ranges need it: each ecosystem's own rules, never
//! a generic "split on dots". semver (pre-releases, build metadata ignored) for crates.io and
//! npm; PEP 440 for PyPI (epochs, pre/post/dev releases, local versions: `pep440_rs`); Go
//! module versions (a `v` prefix, `+incompatible`, pseudo-versions, which are semver
//! pre-releases whose fixed-width timestamp orders them); Maven's ComparableVersion rules.
//!
//! [`parse`] turns a version string into a [`Key`] that orders correctly against keys of the
//! same ecosystem; OSV's `introduced: "0"` is [`Key::Zero`], below everything.

use std::cmp::Ordering;
use std::str::FromStr;

use super::Ecosystem;

/// A parsed version. Keys of one ecosystem compare by that ecosystem's rules.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// OSV's `"0"` in an `introduced` event: before every version.
    Zero,
    Semver(semver::Version),
    Pep440(pep440_rs::Version),
    Maven(MavenVersion),
}

/// Parse `s` as a version of `eco`; `None` when it is not one (the caller says so).
pub fn parse(eco: Ecosystem, s: &str) -> Option<Key> {
    let s = s.trim();
    match eco {
        Ecosystem::CratesIo | Ecosystem::Npm => semver_lenient(s).map(Key::Semver),
        Ecosystem::Go => go(s).map(Key::Semver),
        Ecosystem::PyPI => pep440_rs::Version::from_str(s).ok().map(Key::Pep440),
        Ecosystem::Maven => (!s.is_empty()).then(|| Key::Maven(MavenVersion::parse(s))),
    }
}

/// OSV's `introduced` value: "0" means "from the first version".
pub fn parse_introduced(eco: Ecosystem, s: &str) -> Option<Key> {
    if s.trim() == "0" {
        Some(Key::Zero)
    } else {
        parse(eco, s)
    }
}

/// semver, with build metadata dropped (it has no precedence), a `v` / `=` prefix allowed
/// and a short `1.2` / `1` padded, as npm and Cargo accept them in the wild.
fn semver_lenient(s: &str) -> Option<semver::Version> {
    let s = s.trim_start_matches(['v', '=']);
    let mut v = match semver::Version::parse(s) {
        Ok(v) => v,
        Err(_) => {
            let (core, rest) = match s.find(['-', '+']) {
                Some(i) => s.split_at(i),
                None => (s, ""),
            };
            let parts: Vec<&str> = core.split('.').collect();
            if parts.is_empty()
                || parts.len() > 3
                || parts
                    .iter()
                    .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            let mut padded = parts.join(".");
            for _ in parts.len()..3 {
                padded.push_str(".0");
            }
            semver::Version::parse(&format!("{padded}{rest}")).ok()?
        }
    };
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

/// A Go module version: `v1.2.3`, `v2.0.0+incompatible` (ordered as v2.0.0), or a
/// pseudo-version `v0.0.0-20210101000000-abcdef123456` / `v1.2.4-0.20210101000000-abc`,
/// which semver already orders right: a pre-release of the next version, and within one
/// base by the 14-digit timestamp (fixed width, so text order is time order).
fn go(s: &str) -> Option<semver::Version> {
    let s = s.strip_suffix("+incompatible").unwrap_or(s);
    let s = s.strip_prefix('v').unwrap_or(s);
    let mut v = semver::Version::parse(s).ok()?;
    v.build = semver::BuildMetadata::EMPTY;
    Some(v)
}

// ---------------------------------------------------------------------------------------
// Maven

/// A Maven version compared by ComparableVersion's rules: items split on `.`, `-` and
/// digit/letter changes; `-` opens a sub-list; trailing "null" items (0, "", ga, final,
/// release) dropped; qualifiers ordered alpha < beta < milestone < rc (= cr) < snapshot <
/// "" (release) < sp < anything else (by text); a number beats any qualifier.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    /// Digits without leading zeros ("" is 0), compared as a number of any size.
    Int(String),
    /// A qualifier, already mapped to its comparable form.
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: &[&str] = &["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        // Unknown qualifiers sort after every known one, among themselves by text.
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(comparable_qualifier(s))
}

fn int_item(s: &str) -> Item {
    Item::Int(s.trim_start_matches('0').to_string())
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(d) => d.is_empty(),
            Item::Str(q) => *q == comparable_qualifier(""),
            Item::List(l) => l.is_empty(),
        }
    }

    /// Compare with `other`, where `None` is a missing item (the shorter version's end).
    fn cmp_to(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(a), None) => {
                if a.is_empty() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Str(a), None) => a.cmp(&comparable_qualifier("")),
            (Item::List(l), None) => match l.first() {
                None => Ordering::Equal,
                Some(f) => f.cmp_to(None),
            },
            (Item::Int(a), Some(Item::Int(b))) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => a.cmp(b),
            (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let ord = match (a.get(i), b.get(i)) {
            (Some(x), y) => x.cmp_to(y),
            (None, Some(y)) => y.cmp_to(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// Drop trailing null items, looking past sub-lists (ComparableVersion's `normalize`).
fn normalize(list: &mut Vec<Item>) {
    for item in list.iter_mut() {
        if let Item::List(l) = item {
            normalize(l);
        }
    }
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl MavenVersion {
    pub fn parse(version: &str) -> MavenVersion {
        let v = version.to_ascii_lowercase();
        // Build the nested lists as a path of open lists; the last is where items go.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let chars: Vec<char> = v.chars().collect();
        let mut start = 0;
        let mut is_digit = false;
        let push = |stack: &mut Vec<Vec<Item>>, it: Item| stack.last_mut().expect("root").push(it);
        let item = |digit: bool, s: &str, followed: bool| {
            if digit {
                int_item(s)
            } else {
                string_item(s, followed)
            }
        };
        for i in 0..chars.len() {
            let c = chars[i];
            let piece: String = chars[start..i].iter().collect();
            if c == '.' || c == '-' {
                if i == start {
                    push(&mut stack, Item::Int(String::new()));
                } else {
                    push(&mut stack, item(is_digit, &piece, false));
                }
                start = i + 1;
                if c == '-' {
                    stack.push(Vec::new());
                }
                is_digit = false;
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // "alpha1": a qualifier followed by a number opens a sub-list.
                    push(&mut stack, string_item(&piece, true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push(&mut stack, int_item(&piece));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if chars.len() > start {
            let piece: String = chars[start..].iter().collect();
            push(&mut stack, item(is_digit, &piece, false));
        }
        while stack.len() > 1 {
            let l = stack.pop().expect("len > 1");
            push(&mut stack, Item::List(l));
        }
        let mut items = stack.pop().expect("root");
        normalize(&mut items);
        MavenVersion { items }
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordered(eco: Ecosystem, versions: &[&str]) {
        for w in versions.windows(2) {
            let a = parse(eco, w[0]).unwrap_or_else(|| panic!("{} parses", w[0]));
            let b = parse(eco, w[1]).unwrap_or_else(|| panic!("{} parses", w[1]));
            assert!(a < b, "{eco:?}: {} < {}", w[0], w[1]);
        }
    }

    fn same(eco: Ecosystem, a: &str, b: &str) {
        assert_eq!(parse(eco, a), parse(eco, b), "{eco:?}: {a} == {b}");
    }

    #[test]
    fn semver_prereleases_and_zero_major() {
        ordered(
            Ecosystem::CratesIo,
            &[
                "0.0.1",
                "0.1.0-alpha.1",
                "0.1.0-alpha.2",
                "0.1.0-beta",
                "0.1.0",
                "0.9.6",
                "0.9.10",
                "1.0.0-rc.1",
                "1.0.0",
            ],
        );
        same(Ecosystem::Npm, "1.2.3+build.5", "1.2.3");
        same(Ecosystem::Npm, "v1.2", "1.2.0");
        assert!(parse(Ecosystem::Npm, "latest").is_none());
        assert!(Key::Zero < parse(Ecosystem::CratesIo, "0.0.0-0").unwrap());
    }

    #[test]
    fn pep440_epochs_pre_post_dev_local() {
        ordered(
            Ecosystem::PyPI,
            &[
                "1.0.dev0",
                "1.0a1",
                "1.0b2",
                "1.0rc1",
                "1.0",
                "1.0+local.1",
                "1.0.post1.dev1",
                "1.0.post1",
                "1.1",
                "1!0.1",
            ],
        );
        same(Ecosystem::PyPI, "2.0", "2.0.0");
        same(Ecosystem::PyPI, "1.0-RC1", "1.0rc1");
    }

    #[test]
    fn go_pseudo_versions_and_incompatible() {
        ordered(
            Ecosystem::Go,
            &[
                "v0.0.0-20200101000000-aaaaaaaaaaaa",
                "v0.0.0-20211202192323-5770296d904e",
                "v0.1.0",
                "v1.2.3",
                "v1.2.4-0.20210101000000-abcdef123456",
                "v1.2.4-0.20220101000000-000000000000",
                "v1.2.4",
                "v2.0.0+incompatible",
                "v2.1.0",
            ],
        );
        same(Ecosystem::Go, "v2.0.0+incompatible", "2.0.0");
    }

    #[test]
    fn maven_qualifiers_and_padding() {
        ordered(
            Ecosystem::Maven,
            &[
                "1.0-alpha1",
                "1.0-alpha2",
                "1.0-beta1",
                "1.0-milestone1",
                "1.0-rc1",
                "1.0-SNAPSHOT",
                "1.0",
                "1.0-sp1",
                "1.0-whatever",
                "1.0.1",
                "1.1",
                "2.0-beta9",
                "2.0",
                "2.3.1",
                "2.12.2",
                "2.14.1",
                "2.15.0",
            ],
        );
        same(Ecosystem::Maven, "1.0", "1.0.0");
        same(Ecosystem::Maven, "1", "1-ga");
        same(Ecosystem::Maven, "1.0-final", "1.0");
        same(Ecosystem::Maven, "1.0-cr1", "1.0-rc1");
        same(Ecosystem::Maven, "1.0a1", "1.0-alpha-1");
    }
}
