//! `ospo.toml`: a project's defaults for the command line, so a repository says once how
//! it is scanned (excludes, ignore rules, package caches, threads) and what its CI runs
//! (the policy, `check --fail-on`, each command's output format), and every developer and
//! CI job gets the same result from a bare `ospo check`.
//!
//! Found by [`discover`]: `--config FILE`, else `ospo.toml` in the scanned directory or
//! the nearest parent that has one, the search stopping at the first directory that holds
//! `.git` (the repository root: a config above it belongs to something else) or at the
//! filesystem root. `--no-config` (or OSPO_NO_CONFIG=1) skips it. The command line always
//! wins: a config value only fills what the command line left at its default, and
//! `exclude` lists add up. docs/adr/0031-config-discovery.md argues the choices.
//!
//! A mistake in the file is an error with file:line:col and a fix, exit 2, like policy.toml
//! (the same messages: unknown keys with a did-you-mean, wrong types).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::policy::diags::{closest, explain_toml_error, line_col};
use crate::policy::{PolicyError, PolicyIssue};

/// Largest ospo.toml read (it is a few lines; anything bigger is not ours).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The file name looked for.
pub const FILE_NAME: &str = "ospo.toml";

/// The config as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    /// The policy file for every command that judges components.
    policy: Option<String>,
    scan: Option<RawScan>,
    check: Option<RawCheck>,
    #[serde(default)]
    format: Option<RawFormats>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    #[serde(default)]
    exclude: Vec<String>,
    no_ignore: Option<bool>,
    follow: Option<bool>,
    no_caches: Option<bool>,
    jobs: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    #[serde(default)]
    fail_on: Vec<Spanned<String>>,
}

/// Output format per command, by the names `--format` takes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFormats {
    scan: Option<Spanned<String>>,
    sbom: Option<Spanned<String>>,
    check: Option<Spanned<String>>,
    notice: Option<Spanned<String>>,
    diff: Option<Spanned<String>>,
    metrics: Option<Spanned<String>>,
    audit: Option<Spanned<String>>,
    list: Option<Spanned<String>>,
}

/// A checked config: every value valid, paths resolved against the file's directory.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    pub exclude: Vec<String>,
    pub no_ignore: bool,
    pub follow: bool,
    pub no_caches: bool,
    pub jobs: Option<usize>,
    /// `policy`, relative to the config file's directory.
    pub policy: Option<PathBuf>,
    pub fail_on: Vec<String>,
    /// (command, format) pairs, each format one `--format` of that command accepts.
    pub formats: Vec<(&'static str, String)>,
}

impl Config {
    /// The format configured for `command`, if any.
    pub fn format(&self, command: &str) -> Option<&str> {
        self.formats
            .iter()
            .find(|(c, _)| *c == command)
            .map(|(_, f)| f.as_str())
    }
}

/// Where the search for ospo.toml starts: the scanned directory (a file's directory).
pub fn start_dir(path: &Path) -> PathBuf {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

/// The ospo.toml for a run from `start`: in `start` or its nearest parent, not above the
/// first directory holding `.git`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// `explicit` (from --config), else [`find`] from `start`; Ok(None) when there is none.
pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Option<Config>, PolicyError> {
    match explicit {
        Some(p) => load(p).map(Some),
        None => find(start).map(|p| load(&p)).transpose(),
    }
}

/// Read and check one config file.
pub fn load(path: &Path) -> Result<Config, PolicyError> {
    let shown = path.display().to_string();
    let fail = |message: String| PolicyError {
        path: shown.clone(),
        issues: vec![PolicyIssue {
            line: 0,
            col: 0,
            message,
            fix: Some("check the --config path (or remove the file)".into()),
        }],
    };
    let bytes = crate::text::read_capped(path, MAX_CONFIG_BYTES + 1)
        .map_err(|e| fail(format!("cannot read the config: {e}")))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(fail(format!(
            "larger than {}: not a config file",
            crate::text::human_size(MAX_CONFIG_BYTES)
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| fail(format!("cannot read the config: not UTF-8 ({e})")))?;
    let mut c = parse(&text, &shown)?;
    c.path = path.to_path_buf();
    if let Some(p) = &c.policy {
        let base = path.parent().unwrap_or(Path::new("."));
        c.policy = Some(base.join(p));
    }
    Ok(c)
}

/// The formats each command's `--format` takes (kept in step with cli.rs by a test).
pub const FORMATS: [(&str, &[&str]); 8] = [
    ("scan", &["human", "json"]),
    (
        "sbom",
        &[
            "cyclonedx-json",
            "cyclonedx-xml",
            "spdx-json",
            "spdx-tv",
            "cyclonedx",
            "spdx",
        ],
    ),
    ("check", &["human", "json", "sarif", "github", "markdown"]),
    ("notice", &["text", "html", "markdown"]),
    ("diff", &["human", "json", "markdown"]),
    ("metrics", &["human", "json"]),
    ("audit", &["human", "json", "cyclonedx-json", "cyclonedx"]),
    ("list", &["table", "csv", "markdown", "json"]),
];

const FAIL_ON: [&str; 3] = ["warnings", "review", "unknown"];

/// Check config text; `name` is the file name used in messages.
pub fn parse(text: &str, name: &str) -> Result<Config, PolicyError> {
    let err = |issues: Vec<PolicyIssue>| PolicyError {
        path: name.to_string(),
        issues,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        let (message, fix) = explain_toml_error(e.message());
        // toml's messages can span lines ("invalid table header\nexpected `.`, `]`"): one
        // issue is one line of ours.
        let message = message.lines().collect::<Vec<_>>().join(": ");
        err(vec![PolicyIssue {
            line,
            col,
            message,
            fix,
        }])
    })?;
    let mut issues = Vec::new();
    let mut issue = |span: std::ops::Range<usize>, message: String, fix: String| {
        let (line, col) = line_col(text, span.start);
        issues.push(PolicyIssue {
            line,
            col,
            message,
            fix: Some(fix),
        });
    };
    let scan = raw.scan.unwrap_or_default();
    let check = raw.check.unwrap_or_default();
    let mut c = Config {
        exclude: scan.exclude,
        no_ignore: scan.no_ignore.unwrap_or(false),
        follow: scan.follow.unwrap_or(false),
        no_caches: scan.no_caches.unwrap_or(false),
        policy: raw.policy.map(PathBuf::from),
        ..Default::default()
    };
    for g in &c.exclude {
        if let Err(e) = globset::Glob::new(g) {
            // A toml string has no span once deserialized into Vec<String>: point at it.
            let at = text.find(g.as_str()).unwrap_or(0);
            issue(
                at..at,
                format!("`{g}` is not a glob: {e}"),
                "write a gitignore-style pattern, like \"vendor/\" or \"**/testdata/**\"".into(),
            );
        }
    }
    if let Some(j) = scan.jobs {
        match usize::try_from(*j.get_ref()) {
            Ok(n) if n > 0 && n <= 1024 => c.jobs = Some(n),
            _ => issue(
                j.span(),
                format!("jobs = {} is not a number of threads", j.get_ref()),
                "use 1 to 1024 (leave it out for one thread per core)".into(),
            ),
        }
    }
    for f in check.fail_on {
        let v = f.get_ref();
        if FAIL_ON.contains(&v.as_str()) {
            c.fail_on.push(v.clone());
        } else {
            let fix = match closest(v, FAIL_ON) {
                Some(s) => format!("did you mean `{s}`? (one of warnings, review, unknown)"),
                None => "use warnings, review or unknown".into(),
            };
            issue(f.span(), format!("`{v}` is not a --fail-on condition"), fix);
        }
    }
    if let Some(f) = raw.format {
        let given = [
            ("scan", f.scan),
            ("sbom", f.sbom),
            ("check", f.check),
            ("notice", f.notice),
            ("diff", f.diff),
            ("metrics", f.metrics),
            ("audit", f.audit),
            ("list", f.list),
        ];
        for (command, value) in given {
            let Some(v) = value else { continue };
            let allowed = FORMATS.iter().find(|(c, _)| *c == command).unwrap().1;
            if allowed.contains(&v.get_ref().as_str()) {
                c.formats.push((command, v.get_ref().clone()));
            } else {
                let fix = match closest(v.get_ref(), allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? (one of {})", allowed.join(", ")),
                    None => format!("use one of {}", allowed.join(", ")),
                };
                issue(
                    v.span(),
                    format!("`{}` is not a format of `ospo {command}`", v.get_ref()),
                    fix,
                );
            }
        }
    }
    if issues.is_empty() {
        Ok(c)
    } else {
        Err(err(issues))
    }
}

/// Fill what the command line left at its default from `c` (see the module doc).
pub fn apply(cli: &mut crate::cli::Cli, matches: &clap::ArgMatches, c: &Config) {
    use crate::cli::Command as C;
    use clap::parser::ValueSource;
    use clap::ValueEnum;
    let sub = matches.subcommand().map(|(_, m)| m);
    let defaulted = |id: &str| {
        sub.and_then(|m| m.value_source(id))
            .is_none_or(|s| s == ValueSource::DefaultValue)
    };
    let common = |k: &mut crate::cli::Common| {
        let mut ex = c.exclude.clone();
        ex.append(&mut k.exclude);
        k.exclude = ex;
        k.no_ignore |= c.no_ignore;
        k.follow |= c.follow;
        k.no_caches |= c.no_caches;
        if k.jobs.is_none() {
            k.jobs = c.jobs;
        }
    };
    // A format from the config was checked against FORMATS; one clap would refuse is a
    // bug in that table, and then the default stays.
    fn pick<T: ValueEnum>(c: &Config, command: &str, defaulted: bool, slot: &mut T) {
        if let (true, Some(f)) = (defaulted, c.format(command)) {
            if let Ok(v) = T::from_str(f, false) {
                *slot = v;
            }
        }
    }
    let policy = |p: &mut Option<PathBuf>| {
        if p.is_none() {
            p.clone_from(&c.policy);
        }
    };
    match &mut cli.command {
        C::Scan(a) => {
            common(&mut a.common);
            pick(c, "scan", defaulted("format"), &mut a.format);
        }
        C::Sbom(a) => {
            common(&mut a.input.common);
            pick(c, "sbom", defaulted("format"), &mut a.format);
        }
        C::Check(a) => {
            common(&mut a.input.common);
            pick(c, "check", defaulted("format"), &mut a.format);
            policy(&mut a.policy);
            if a.fail_on.is_empty() {
                a.fail_on = c
                    .fail_on
                    .iter()
                    .filter_map(|f| crate::cli::CheckFailOn::from_str(f, false).ok())
                    .collect();
            }
        }
        C::Init(a) => common(&mut a.input.common),
        C::Notice(a) => {
            common(&mut a.input.common);
            pick(c, "notice", defaulted("format"), &mut a.format);
        }
        C::Report(a) => {
            common(&mut a.input.common);
            policy(&mut a.policy);
        }
        C::Diff(a) => {
            common(&mut a.common);
            pick(c, "diff", defaulted("format"), &mut a.format);
            policy(&mut a.policy);
        }
        C::Metrics(a) => {
            common(&mut a.input.common);
            pick(c, "metrics", defaulted("format"), &mut a.format);
            policy(&mut a.policy);
        }
        C::Audit(a) => {
            common(&mut a.input.common);
            pick(c, "audit", defaulted("format"), &mut a.format);
            policy(&mut a.policy);
        }
        C::List(a) => {
            common(&mut a.input.common);
            pick(c, "list", defaulted("format"), &mut a.format);
            policy(&mut a.policy);
        }
        C::Detect(_) | C::Completions(_) | C::Man | C::Schema(_) | C::Cache(_) => {}
    }
}

/// The directory a command's config search starts in: the scanned PATH, NEW for `diff`
/// when it is a directory, else the current directory (`--from`, a saved scan); None for
/// commands that read no tree (completions, man, schema, detect).
pub fn search_start(cli: &crate::cli::Cli) -> Option<PathBuf> {
    use crate::cli::Command as C;
    let input = |i: &crate::cli::Input| match &i.from {
        Some(_) => PathBuf::from("."),
        None => i.path.clone(),
    };
    let p = match &cli.command {
        C::Scan(a) => a.path.clone(),
        C::Sbom(a) => input(&a.input),
        C::Check(a) => input(&a.input),
        C::Init(a) => input(&a.input),
        C::Notice(a) => input(&a.input),
        C::Report(a) => input(&a.input),
        C::Metrics(a) => input(&a.input),
        C::Audit(a) => input(&a.input),
        C::List(a) => input(&a.input),
        C::Diff(a) if a.new.is_dir() => a.new.clone(),
        C::Diff(_) => PathBuf::from("."),
        C::Detect(_) | C::Completions(_) | C::Man | C::Schema(_) | C::Cache(_) => return None,
    };
    Some(start_dir(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_config_reads() {
        let c = parse(
            "policy = \"legal/policy.toml\"\n[scan]\nexclude = [\"vendor/\"]\nno_caches = true\njobs = 2\n\
             [check]\nfail_on = [\"warnings\"]\n\
             [format]\nsbom = \"spdx-json\"\n",
            "ospo.toml",
        )
        .unwrap();
        assert_eq!(c.exclude, ["vendor/"]);
        assert!(c.no_caches && !c.follow);
        assert_eq!(c.jobs, Some(2));
        assert_eq!(c.fail_on, ["warnings"]);
        assert_eq!(c.format("sbom"), Some("spdx-json"));
    }

    #[test]
    fn mistakes_point_at_line_and_column_with_a_fix() {
        let e = parse("[scan]\nexlude = []\n", "ospo.toml").unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("ospo.toml:2:1: unknown key `exlude`"), "{s}");
        assert!(s.contains("did you mean `exclude`?"), "{s}");
        let e = parse("[format]\ncheck = \"sarf\"\n", "ospo.toml").unwrap_err();
        let s = e.to_string();
        assert!(
            s.starts_with("ospo.toml:2:9: `sarf` is not a format"),
            "{s}"
        );
        assert!(s.contains("did you mean `sarif`?"), "{s}");
        let e = parse("[check]\nfail_on = [\"warning\"]\n", "ospo.toml").unwrap_err();
        assert!(e.to_string().contains("did you mean `warnings`?"));
    }
}
