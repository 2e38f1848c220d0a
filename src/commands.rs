//! One function per subcommand: turn parsed arguments into a run of the pipeline and
//! its output. Returns the process exit code; errors become exit 2 in `main`.

use std::io::Write;

use anyhow::{bail, Result};

use crate::audit;
use crate::cli::{AuditArgs, AuditFormat};
use crate::cli::{
    CdxVersion, CheckArgs, CheckFormat, Common, DetectArgs, InitArgs, Input, NoticeArgs,
    NoticeFormat, ReportArgs, SbomArgs, SbomFormat, ScanArgs, ScanFormat, TlpLevel,
};
use crate::detect::{self, Cache};
use crate::emit::{self, cyclonedx, notice, report, sarif, spdx, summary, verdicts};
use crate::ingest;
use crate::model::{Diagnostic, FileClass, FileRecord, Scan, Severity};
use crate::pipeline;
use crate::policy::{self, Date, Policy, PolicyError, Status};
use crate::text;
use crate::walk::{self, WalkOptions};

/// Most diagnostics printed on stderr; the rest are counted (all are in the JSON).
const MAX_STDERR_DIAGNOSTICS: usize = 100;

fn walk_options(path: &std::path::Path, c: &Common) -> WalkOptions {
    WalkOptions {
        root: path.to_path_buf(),
        no_ignore: c.no_ignore,
        excludes: c.exclude.clone(),
        follow_links: c.follow,
        threads: c.jobs.unwrap_or(0),
    }
}

/// One line per diagnostic on stderr (info only with -v), nothing with -q.
pub fn print_diagnostics(diags: &[Diagnostic], c: &Common) {
    if c.quiet {
        return;
    }
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| c.verbose || d.severity != Severity::Info)
        .collect();
    let mut err = std::io::stderr().lock();
    let colour = crate::color::enabled(crate::color::Stream::Stderr);
    for d in shown.iter().take(MAX_STDERR_DIAGNOSTICS) {
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let sev = match (colour, d.severity) {
            (true, Severity::Error) => crate::color::paint(sev, crate::color::Style::Red),
            (true, Severity::Warning) => crate::color::paint(sev, crate::color::Style::Yellow),
            _ => sev.to_string(),
        };
        // Paths and messages quote input: shown with their control characters escaped.
        let message = text::escape_controls(&d.message);
        let _ = match &d.path {
            Some(p) => writeln!(err, "ospo: {sev}: {}: {message}", text::escape_controls(p)),
            None => writeln!(err, "ospo: {sev}: {message}"),
        };
    }
    if shown.len() > MAX_STDERR_DIAGNOSTICS {
        let _ = writeln!(
            err,
            "ospo: ... and {} more (all are in --format json)",
            crate::text::plural(
                shown.len() - MAX_STDERR_DIAGNOSTICS,
                "diagnostic",
                "diagnostics"
            )
        );
    }
}

/// A human-readable output as bytes, every control character that came from input (a
/// package name, a file name, an advisory's summary) shown escaped instead of reaching the
/// terminal.
fn terminal(s: String) -> Vec<u8> {
    match text::terminal_text(&s) {
        std::borrow::Cow::Borrowed(_) => s.into_bytes(),
        std::borrow::Cow::Owned(o) => o.into_bytes(),
    }
}

/// A human listing with its verdict words coloured, when it goes to stdout and colour is
/// on there (`--color`, NO_COLOR, a terminal). Applied after [`terminal`] escaped input.
fn coloured(bytes: Vec<u8>, to_stdout: bool) -> Vec<u8> {
    if !to_stdout || !crate::color::enabled(crate::color::Stream::Stdout) {
        return bytes;
    }
    match String::from_utf8(bytes) {
        Ok(s) => crate::color::verdict_lines(&s).into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

/// The Scan a command works on: read with --from, or a fresh scan with components.
pub fn load_input(i: &Input) -> Result<Scan> {
    match &i.from {
        Some(from) => read_saved(from, &i.common),
        None => fresh_scan(&i.path, &i.common),
    }
}

/// How the common flags scan PATH: walk, progress bar, package caches; with components.
fn scan_options(path: &std::path::Path, c: &Common) -> pipeline::Options {
    let mut opts = pipeline::Options::new(path);
    opts.walk = walk_options(path, c);
    opts.progress = !c.quiet;
    opts.use_local_caches = !c.no_caches;
    opts.image_limits = crate::image::Limits {
        max_bytes: c.max_image_size,
        max_entries: c.max_image_entries,
    };
    opts.cache = cache_options(c);
    opts
}

/// The result cache a run uses: the flags, else the environment (OSPO_NO_CACHE,
/// OSPO_CACHE_DIR, OSPO_CACHE_URL).
fn cache_options(c: &Common) -> crate::cache::Options {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let env_off = env("OSPO_NO_CACHE").is_some_and(|v| v != "0" && v != "false");
    crate::cache::Options {
        enabled: !(c.no_cache || env_off),
        dir: c
            .cache_dir
            .clone()
            .or_else(|| env("OSPO_CACHE_DIR").map(std::path::PathBuf::from)),
        verify: c.verify,
        url: c
            .cache_url
            .clone()
            .or_else(|| env("OSPO_CACHE_URL").and_then(|v| v.into_string().ok())),
        quiet: c.quiet,
        verbose: c.verbose,
    }
}

/// A scan of PATH with components, its diagnostics on stderr, without the wall time (so
/// what is made from it is deterministic).
fn fresh_scan(path: &std::path::Path, c: &Common) -> Result<Scan> {
    let mut scan = pipeline::run(&scan_options(path, c))?;
    scan.summary.elapsed_ms = None;
    print_diagnostics(&scan.diagnostics, c);
    Ok(scan)
}

/// A saved scan or an SBOM read back, what it could not carry over on stderr.
fn read_saved(path: &std::path::Path, c: &Common) -> Result<Scan> {
    let scan = ingest::read(path)?;
    print_diagnostics(&scan.diagnostics, c);
    Ok(scan)
}

pub fn scan(a: &ScanArgs) -> Result<u8> {
    let output = emit::Output::prepare(a.output.as_deref())?;
    let mut opts = scan_options(&a.path, &a.common);
    opts.components = !a.files_only;
    let mut result = pipeline::run(&opts)?;
    print_diagnostics(&result.diagnostics, &a.common);
    let bytes = match a.format {
        ScanFormat::Human => {
            let shown = match (a.common.quiet, a.common.verbose) {
                (true, _) => summary::Shown::None,
                (false, true) => summary::Shown::All,
                (false, false) => summary::Shown::NoNotes,
            };
            terminal(summary::scan_summary_shown(&result, shown))
        }
        ScanFormat::Json => {
            // Wall time differs run to run; the JSON is deterministic without it.
            result.summary.elapsed_ms = None;
            let mut v = serde_json::to_vec_pretty(&result)?;
            v.push(b'\n');
            v
        }
    };
    output.write(&bytes)?;
    // The process ends here: freeing the scan's hundred thousand allocations one by one
    // took 30 ms of a warm rescan; the exit gives the memory back at once.
    std::mem::forget(result);
    Ok(0)
}

pub fn sbom(a: &SbomArgs) -> Result<u8> {
    let cdx = matches!(
        a.format,
        SbomFormat::CyclonedxJson | SbomFormat::CyclonedxXml
    );
    if a.spec_version.is_some() && !cdx {
        eprintln!(
            "ospo: error: --spec-version applies to CycloneDX only; SPDX output is 2.3 \
             (--format spdx-json / spdx-tv) or 3.0.1 (--format spdx3-json) \
             (drop --spec-version, or use --format cyclonedx-json / cyclonedx-xml)"
        );
        return Ok(2);
    }
    let spec = match a.spec_version.unwrap_or(CdxVersion::V1_6) {
        CdxVersion::V1_7 => cyclonedx::SpecVersion::V1_7,
        CdxVersion::V1_6 => cyclonedx::SpecVersion::V1_6,
        CdxVersion::V1_5 => cyclonedx::SpecVersion::V1_5,
    };
    if a.tlp.is_some() && !(cdx && spec == cyclonedx::SpecVersion::V1_7) {
        eprintln!(
            "ospo: error: --tlp needs CycloneDX 1.7 (add --spec-version 1.7): earlier \
             versions and SPDX have no distribution marking"
        );
        return Ok(2);
    }
    let tlp = a.tlp.map(|t| match t {
        TlpLevel::Clear => cyclonedx::Tlp::Clear,
        TlpLevel::Green => cyclonedx::Tlp::Green,
        TlpLevel::Amber => cyclonedx::Tlp::Amber,
        TlpLevel::AmberAndStrict => cyclonedx::Tlp::AmberAndStrict,
        TlpLevel::Red => cyclonedx::Tlp::Red,
    });
    if a.profile.is_some() && matches!(a.format, SbomFormat::SpdxJson | SbomFormat::SpdxTv) {
        eprintln!(
            "ospo: error: --profile needs a format that can carry the profiles' fields: \
             --format cyclonedx-json / cyclonedx-xml (1.6 or 1.7) or spdx3-json; SPDX 2.3 \
             has no place for them (and BSI TR-03183-2 v2.1 does not accept it)"
        );
        return Ok(2);
    }
    if a.supplier.is_some() && a.profile.is_none() {
        eprintln!(
            "ospo: error: --supplier names the product's creator for --profile; add --profile P"
        );
        return Ok(2);
    }
    let profile = a.profile.map(profile_of);
    let stamp = emit::Stamp::from_env()?;
    let output = emit::Output::prepare(a.output.as_deref())?;
    let scan = load_input(&a.input)?;
    let mut diags = Vec::new();
    let mut authors = a.author.clone();
    let filled = profile.map(|p| crate::profile::fill(&scan, p, &authors, a.supplier.as_deref()));
    if authors.is_empty() && a.supplier.is_some() && profile.is_some() {
        // The supplier made this SBOM when no one else is named.
        authors.push(a.supplier.clone().unwrap_or_default());
    }
    let opts = cyclonedx::Options {
        authors: &authors,
        tlp,
        profile: filled.as_ref(),
    };
    let bytes = match a.format {
        SbomFormat::CyclonedxJson => cyclonedx::to_json(&cyclonedx::build_with(
            &scan, spec, &stamp, &opts, &mut diags,
        )),
        SbomFormat::CyclonedxXml => cyclonedx::to_xml(&cyclonedx::build_with(
            &scan, spec, &stamp, &opts, &mut diags,
        )),
        SbomFormat::SpdxJson => spdx::to_json(&spdx::build(&scan, &stamp, &a.author, &mut diags)),
        SbomFormat::SpdxTv => {
            spdx::to_tag_value(&spdx::build(&scan, &stamp, &a.author, &mut diags))
        }
        SbomFormat::Spdx3Json => emit::spdx3::to_json(&emit::spdx3::build(
            &scan,
            &stamp,
            &authors,
            filled.as_ref(),
            &mut diags,
        )),
    };
    print_diagnostics(&diags, &a.input.common);
    if let Some(p) = profile {
        // The summary is the checker's verdict on these very bytes: writer and checker
        // share one table, and this is where that is kept true.
        let text = String::from_utf8_lossy(&bytes);
        let report =
            crate::profile::check(p, &crate::profile::facts::from_text(&text, "the SBOM")?);
        if !a.input.common.quiet {
            eprintln!("{}", emit::profile::summary(&report));
        }
    }
    output.write(&bytes)?;
    Ok(0)
}

fn profile_of(p: crate::cli::ProfileName) -> crate::profile::Profile {
    match p {
        crate::cli::ProfileName::Bsi => crate::profile::Profile::Bsi,
        crate::cli::ProfileName::Cisa2025 => crate::profile::Profile::Cisa2025,
        crate::cli::ProfileName::Ntia => crate::profile::Profile::Ntia,
    }
}

/// `ospo check --sbom-profile P --from SBOM`: the SBOM as written (not as ospo would model
/// it) against the profile's table.
fn check_sbom_profile(a: &CheckArgs, p: crate::cli::ProfileName) -> Result<u8> {
    let output = emit::Output::prepare(a.output.as_deref())?;
    let Some(path) = a.input.from.as_deref() else {
        eprintln!("ospo: error: --sbom-profile checks the SBOM given with --from FILE");
        return Ok(2);
    };
    let facts = crate::profile::facts::read(path)?;
    let report = crate::profile::check(profile_of(p), &facts);
    let shown = path.display().to_string();
    let bytes = match a.format {
        CheckFormat::Human | CheckFormat::Github => terminal(emit::profile::human(&report, &shown)),
        CheckFormat::Json => emit::profile::json(&report)?,
        CheckFormat::Sarif => emit::profile::sarif(&report, &shown)?,
        // A PR comment or job summary: the human report as a preformatted block.
        CheckFormat::Markdown => {
            let text = emit::profile::human(&report, &shown);
            format!(
                "### SBOM profile check\n\n```text\n{}\n```\n",
                text.trim_end().replace("```", "'''")
            )
            .into_bytes()
        }
    };
    output.write(&bytes)?;
    Ok(if report.fails() { 1 } else { 0 })
}

pub fn detect(a: &DetectArgs) -> Result<u8> {
    let cache = Cache::default();
    let mut files: Vec<FileRecord> = Vec::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut failed = false;
    for path in &a.paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    path: Some(path.to_string_lossy().into_owned()),
                    message: format!("cannot read: {e}"),
                });
                failed = true;
                continue;
            }
        };
        if meta.is_dir() {
            let mut opts = pipeline::Options::new(path);
            opts.walk = walk_options(path, &a.common);
            opts.cache = cache_options(&a.common);
            opts.components = false;
            let s = pipeline::run(&opts)?;
            let prefix = path.to_string_lossy().trim_end_matches('/').to_string();
            files.extend(
                s.files
                    .into_iter()
                    .filter(|f| !f.licenses.is_empty() || !f.unrecognized.is_empty())
                    .map(|mut f| {
                        f.path = format!("{prefix}/{}", f.path);
                        f
                    }),
            );
            diags.extend(s.diagnostics);
            continue;
        }
        let shown = path.to_string_lossy().into_owned();
        // Read as far as `scan` would read the same file, and no further (a named file may
        // be a device: `detect /dev/zero` must end).
        let limit = match walk::classify_name(&shown) {
            Some(FileClass::License | FileClass::Readme | FileClass::Manifest) => {
                pipeline::files::LICENSE_READ_LIMIT
            }
            _ => pipeline::files::TEXT_READ_LIMIT,
        };
        let bytes = match read_prefix(path, limit) {
            Ok(b) => b,
            Err(e) => {
                // One unreadable operand is reported; the others are still examined.
                diags.push(Diagnostic {
                    severity: Severity::Error,
                    path: Some(shown),
                    message: format!("cannot read: {e}"),
                });
                failed = true;
                continue;
            }
        };
        if bytes.len() as u64 >= limit {
            diags.push(Diagnostic::info(
                Some(shown.clone()),
                format!("only the first {} were examined", text::human_size(limit)),
            ));
        }
        let Some(decoded) = crate::text::decode(&bytes) else {
            diags.push(Diagnostic::warning(
                Some(shown.clone()),
                "binary file; not examined",
            ));
            files.push(FileRecord {
                path: shown,
                size: meta.len(),
                class: Some(FileClass::Binary),
                ..Default::default()
            });
            continue;
        };
        // A file named on the command line is matched as a whole, unless it is source code,
        // where only its header can hold a notice.
        let class = match walk::classify_name(&shown) {
            Some(c) => Some(c),
            None if looks_like_code(&shown) => None,
            None => Some(FileClass::License),
        };
        let found = detect::detect_file(Some(&shown), class, &decoded.text, &cache, None);
        files.push(FileRecord {
            path: shown,
            size: meta.len(),
            class: Some(class.unwrap_or(FileClass::Text)),
            licenses: found.licenses,
            copyrights: found.copyrights,
            unrecognized: found.unrecognized,
            ..Default::default()
        });
    }
    for f in &mut files {
        f.licenses.sort_by_key(|m| (m.start_line, m.end_line));
    }
    print_diagnostics(&diags, &a.common);
    let bytes = match a.format {
        ScanFormat::Human => terminal(summary::detect_listing(&files)),
        ScanFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&files)?;
            v.push(b'\n');
            v
        }
    };
    emit::write_output(None, &bytes)?;
    Ok(if failed { 2 } else { 0 })
}

/// The first `limit` bytes of a file (all of it when shorter).
fn read_prefix(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(limit)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

fn looks_like_code(path: &str) -> bool {
    const CODE: &[&str] = &[
        "rs", "c", "h", "cc", "cpp", "hpp", "js", "mjs", "cjs", "ts", "tsx", "jsx", "py", "go",
        "java", "kt", "cs", "rb", "php", "swift", "scala", "sh", "pl", "lua", "m", "el", "hs",
        "ml", "ex", "erl", "dart", "css", "scss",
    ];
    path.rsplit_once('.')
        .is_some_and(|(_, e)| CODE.contains(&e.to_ascii_lowercase().as_str()))
}

/// `ospo notice`: the Scan (fresh or --from), then [`notice::build`] and one renderer.
/// Problems met while reading license files (not on disk for an SBOM) go to stderr.
pub fn notice(a: &NoticeArgs) -> Result<u8> {
    let output = emit::Output::prepare(a.output.as_deref())?;
    let scan = load_input(&a.input)?;
    let n = notice::build(
        &scan,
        &notice::NoticeOptions {
            include_dev: a.include_dev,
        },
    );
    print_diagnostics(&n.diagnostics, &a.input.common);
    let text = match a.format {
        NoticeFormat::Text => text::terminal_text(&notice::render_text(&n)).into_owned(),
        NoticeFormat::Markdown => text::terminal_text(&notice::render_markdown(&n)).into_owned(),
        NoticeFormat::Html => notice::render_html(&n),
    };
    output.write(text.as_bytes())?;
    Ok(0)
}

/// `ospo report`: the Scan (fresh or --from) as one HTML file. No policy is evaluated
/// here yet, so the report says so; `-o -` writes to stdout.
fn category_name(id: &str) -> Option<&'static str> {
    policy::category_of(id).map(|c| c.name())
}

pub fn report(a: &ReportArgs) -> Result<u8> {
    let to_stdout = a.output.as_os_str() == "-";
    let output = emit::Output::prepare(Some(&a.output))?;
    let policy = match find_policy(a.policy.as_deref(), &a.input) {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    let today = today()?;
    let scan = load_input(&a.input)?;
    let ev = policy::evaluate(&scan, &policy, today);
    let verdicts: Vec<report::ReportVerdict> = ev
        .components
        .iter()
        .map(|v| report::ReportVerdict {
            bom_ref: v.bom_ref.clone(),
            status: v.status.name().to_string(),
            rule: v.rule.clone(),
            message: v
                .messages
                .iter()
                .chain(v.fix.iter())
                .cloned()
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let name = if policy.builtin {
        "built-in default (no policy.toml found)".to_string()
    } else {
        ev.policy.clone()
    };
    let html = report::render(
        &scan,
        Some(report::PolicyVerdicts {
            name: &name,
            verdicts: &verdicts,
        }),
        Some(category_name),
    );
    output.write(html.as_bytes())?;
    if !to_stdout && !a.input.common.quiet {
        eprintln!(
            "ospo: wrote {} ({})",
            a.output.display(),
            text::plural(scan.components.len(), "component", "components")
        );
    }
    Ok(0)
}

/// The policy `check` uses: --policy, else policy.toml at the scanned root (with --from:
/// in the current directory), else the built-in default. An error in the file is final:
/// nothing is checked against half a policy.
fn find_policy(
    policy: Option<&std::path::Path>,
    input: &Input,
) -> std::result::Result<Policy, PolicyError> {
    if let Some(p) = policy {
        return Policy::load(p);
    }
    let dir = match &input.from {
        Some(_) => std::path::PathBuf::from("."),
        None if input.path.is_dir() => input.path.clone(),
        None => input
            .path
            .parent()
            .map_or_else(|| ".".into(), std::path::Path::to_path_buf),
    };
    let candidate = if dir.as_os_str() == "." {
        std::path::PathBuf::from("policy.toml")
    } else {
        dir.join("policy.toml")
    };
    if candidate.is_file() {
        Policy::load(&candidate)
    } else {
        Ok(Policy::builtin_default())
    }
}

/// Print a policy.toml (or ospo.toml) error, one "ospo: error:" per issue with each fix
/// indented under it; the exit code.
pub fn policy_error(e: &PolicyError) -> u8 {
    for line in e.to_string().lines() {
        let line = text::escape_controls(line);
        if line.starts_with(' ') {
            eprintln!("{line}");
        } else {
            eprintln!("ospo: error: {line}");
        }
    }
    2
}

/// The day exception expiry is judged on: OSPO_TODAY=YYYY-MM-DD (for tests and for
/// asking "what fails next month?"), else today (UTC).
fn today() -> Result<Date> {
    match std::env::var("OSPO_TODAY") {
        Ok(s) if !s.trim().is_empty() => Date::parse(s.trim())
            .ok_or_else(|| anyhow::anyhow!("OSPO_TODAY={s} is not a date: write YYYY-MM-DD")),
        _ => Ok(Date::today()),
    }
}

pub fn check(a: &CheckArgs) -> Result<u8> {
    if let Some(p) = a.sbom_profile {
        if a.policy.is_some() || a.db.is_some() {
            eprintln!(
                "ospo: error: --sbom-profile checks an SBOM's fields, not the license policy: \
                 drop --policy / --db (run a second `ospo check` for those)"
            );
            return Ok(2);
        }
        return check_sbom_profile(a, p);
    }
    let output = emit::Output::prepare(a.output.as_deref())?;
    let today = today()?;
    let policy = match find_policy(a.policy.as_deref(), &a.input) {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    // A bad --db stops before the (slow) scan.
    let db = match &a.db {
        Some(p) => Some(load_db(p, &a.input.common)?),
        None => None,
    };
    let scan = load_input(&a.input)?;
    let mut ev = policy::evaluate(&scan, &policy, today);
    if let Some(db) = &db {
        let found = audit::audit(&scan, db);
        print_diagnostics(&found.diagnostics, &a.input.common);
        let (findings, summary, notes) = policy::advisories::judge(&found.findings, &policy, today);
        ev.notes.extend(notes);
        ev.advisories = Some(policy::advisories::AdvisoryReport {
            database: db.source.clone(),
            records: db.len(),
            summary,
            findings,
        });
    }
    if policy.builtin && !a.input.common.quiet && a.format != CheckFormat::Human {
        eprintln!("ospo: no policy.toml found: using the built-in default policy");
    }
    let root = scan.root.as_str();
    let bytes = match a.format {
        CheckFormat::Human => coloured(
            terminal(verdicts::human(&ev, root, policy.builtin)),
            a.output.is_none(),
        ),
        CheckFormat::Json => verdicts::json(&ev)?,
        CheckFormat::Sarif => sarif::sarif(&ev, root, policy.builtin)?,
        CheckFormat::Github => terminal(verdicts::github(&ev, root, policy.builtin)),
        CheckFormat::Markdown => {
            terminal(emit::check_markdown::markdown(&ev, root, policy.builtin))
        }
    };
    output.write(&bytes)?;
    if ev.status() == Status::Fail {
        return Ok(1);
    }
    // The output says "passed"; the exit code must not contradict it silently.
    let gate = crate::gate::reasons(&ev, &scan, &a.fail_on);
    if !a.input.common.quiet {
        for r in &gate {
            eprintln!("ospo: exit 1: {r}");
        }
    }
    Ok(u8::from(!gate.is_empty()))
}

pub fn init(a: &InitArgs) -> Result<u8> {
    let target = match &a.input.from {
        Some(_) => std::path::PathBuf::from("policy.toml"),
        None if a.input.path.is_dir() => a.input.path.join("policy.toml"),
        None => bail!(
            "{} is not a directory: `ospo init` writes PATH/policy.toml",
            a.input.path.display()
        ),
    };
    if target.exists() && !a.force {
        bail!(
            "{} exists; `ospo init --force` replaces it",
            target.display()
        );
    }
    let output = emit::Output::prepare(Some(&target))?;
    let scan = load_input(&a.input)?;
    let starter = policy::init::starter(&scan);
    // What we write must be a policy we can read: a bug here must not hand users a broken file.
    // And only the policy we meant: no exception or clarification, whatever the names in
    // the scan (they are written in comments only).
    let written = match Policy::parse(&starter.text, &target.display().to_string()) {
        Err(e) => bail!("internal error: the starter policy does not load: {e}"),
        Ok(p) if !p.exceptions.is_empty() || !p.clarify.is_empty() => {
            bail!("internal error: the starter policy has live exceptions; not written")
        }
        Ok(p) => p,
    };
    output.write(starter.text.as_bytes())?;
    if !a.input.common.quiet {
        let ev = policy::evaluate(&scan, &written, today()?);
        eprint!(
            "ospo: wrote {}\n{}",
            target.display(),
            policy::init::decisions(&ev)
        );
    }
    Ok(0)
}

/// One side of `diff` (or `metrics --since`): a directory is scanned like PATH, anything
/// else is read like --from.
fn load_side(path: &std::path::Path, c: &Common) -> Result<Scan> {
    if path.is_dir() {
        return fresh_scan(path, c);
    }
    if !path.exists() {
        bail!(
            "{}: no such file or directory (give a saved scan, an SBOM or a directory)",
            path.display()
        );
    }
    read_saved(path, c)
}

/// `ospo diff OLD NEW`: both sides loaded, checked against one policy, compared by
/// [`crate::diff::diff`]; with --db, each side's vulnerabilities too (`--fail-on
/// new-vulnerabilities` needs it).
pub fn diff(a: &crate::cli::DiffArgs) -> Result<u8> {
    use crate::cli::{DiffFormat, FailOn};
    if a.fail_on.contains(&FailOn::NewVulnerabilities) && a.db.is_none() {
        eprintln!(
            "ospo: error: --fail-on new-vulnerabilities needs vulnerability data: add \
             --db OSV (a folder of OSV records or OSV's all.zip archives)"
        );
        return Ok(2);
    }
    // A bad --db stops before the (slow) scans.
    let db = match &a.db {
        Some(p) => Some(load_db(p, &a.common)?),
        None => None,
    };
    let output = emit::Output::prepare(a.output.as_deref())?;
    let today = today()?;
    let policy = match &a.policy {
        Some(p) => Policy::load(p),
        None => {
            let in_new = a.new.join("policy.toml");
            if a.new.is_dir() && in_new.is_file() {
                Policy::load(&in_new)
            } else if std::path::Path::new("policy.toml").is_file() {
                Policy::load(std::path::Path::new("policy.toml"))
            } else {
                Ok(Policy::builtin_default())
            }
        }
    };
    let policy = match policy {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    let old = load_side(&a.old, &a.common)?;
    let new = load_side(&a.new, &a.common)?;
    let (old_ev, new_ev) = (
        policy::evaluate(&old, &policy, today),
        policy::evaluate(&new, &policy, today),
    );
    let (old_vulns, new_vulns) = match &db {
        Some(db) => (
            Some(vuln_inputs(&old, db, &a.common)),
            Some(vuln_inputs(&new, db, &a.common)),
        ),
        None => (None, None),
    };
    let d = crate::diff::diff(
        &old,
        &new,
        &crate::diff::DiffInputs {
            old_source: a.old.display().to_string(),
            new_source: a.new.display().to_string(),
            old_eval: Some(&old_ev),
            new_eval: Some(&new_ev),
            old_vulns: old_vulns.as_deref(),
            new_vulns: new_vulns.as_deref(),
        },
    );
    let bytes = match a.format {
        DiffFormat::Human => terminal(emit::diff::human(&d)),
        DiffFormat::Json => emit::diff::json(&d)?,
        DiffFormat::Markdown => terminal(emit::diff::markdown(&d)),
    };
    output.write(&bytes)?;
    let triggered = a.fail_on.iter().any(|f| match f {
        FailOn::NewViolations => !d.new_violations.is_empty(),
        FailOn::LicenseChange => !d.license_changes.is_empty(),
        FailOn::NewVulnerabilities => d
            .new_vulnerabilities
            .as_ref()
            .is_some_and(|v| !v.is_empty()),
    });
    Ok(u8::from(triggered))
}

/// `ospo metrics`: the Scan (fresh or --from), its policy verdicts, [`crate::metrics::compute`];
/// with --since the same for OLD (one policy for both) and the change.
pub fn metrics(a: &crate::cli::MetricsArgs) -> Result<u8> {
    let output = emit::Output::prepare(a.output.as_deref())?;
    let today = today()?;
    let policy = match find_policy(a.policy.as_deref(), &a.input) {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    let scan = load_input(&a.input)?;
    let source = a
        .input
        .from
        .as_deref()
        .unwrap_or(&a.input.path)
        .display()
        .to_string();
    // Where `--db` is wired in, this Scan's audit findings go here.
    let db = match &a.db {
        Some(p) => Some(load_db(p, &a.input.common)?),
        None => None,
    };
    let vulns = db
        .as_ref()
        .map(|db| vuln_inputs(&scan, db, &a.input.common));
    let ev = policy::evaluate(&scan, &policy, today);
    let mut m = crate::metrics::compute(&scan, &source, &ev, vulns.as_deref());
    if let Some(since) = &a.since {
        let old = load_side(since, &a.input.common)?;
        let old_ev = policy::evaluate(&old, &policy, today);
        let old_vulns = db.as_ref().map(|db| vuln_inputs(&old, db, &a.input.common));
        let om = crate::metrics::compute(
            &old,
            &since.display().to_string(),
            &old_ev,
            old_vulns.as_deref(),
        );
        m = m.with_since(&om);
    }
    let bytes = match a.format {
        ScanFormat::Human => terminal(emit::metrics::human(&m)),
        ScanFormat::Json => emit::metrics::json(&m)?,
    };
    output.write(&bytes)?;
    Ok(0)
}

/// A Scan's vulnerabilities in the database, as `diff` and `metrics` take them: one per
/// finding (aliases merged), by its primary id.
fn vuln_inputs(scan: &Scan, db: &audit::Database, common: &Common) -> Vec<crate::diff::VulnInput> {
    let found = audit::audit(scan, db);
    print_diagnostics(&found.diagnostics, common);
    found
        .findings
        .iter()
        .map(|f| crate::diff::VulnInput {
            bom_ref: f.bom_ref.clone(),
            id: f.ids.first().cloned().unwrap_or_default(),
            severity: f.severity.name().to_string(),
        })
        .collect()
}

/// Load an OSV database, its unreadable records reported on stderr.
fn load_db(path: &std::path::Path, common: &Common) -> Result<audit::Database> {
    let db = audit::Database::load(path)?;
    print_diagnostics(&db.diagnostics, common);
    Ok(db)
}

/// `ospo audit`: the Scan (fresh or --from) against an OSV database, with VEX statements,
/// KEV and EPSS data where given; the policy's `[advisories]` judges the findings. Exit 1
/// when any finding fails (never with `--vex-preview`).
pub fn audit(a: &AuditArgs) -> Result<u8> {
    let output = emit::Output::prepare(a.output.as_deref())?;
    let today = today()?;
    let policy = match find_policy(a.policy.as_deref(), &a.input) {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    let stamp = match a.format {
        AuditFormat::CyclonedxJson | AuditFormat::Openvex | AuditFormat::CyclonedxVex => {
            Some(emit::Stamp::from_env()?)
        }
        _ => None,
    };
    let data = audit::layout::DataDir::resolve(&a.db, a.kev.as_deref(), a.epss.as_deref());
    for v in &a.vex {
        if !v.is_file() {
            anyhow::bail!("--vex {}: no such file", v.display());
        }
    }
    // Every dataset is read before the (slow) scan, so a broken one fails at once.
    let kev = match &data.kev {
        Some(p) => audit::exploit::Kev::load(p)?,
        None => Default::default(),
    };
    let epss = match &data.epss {
        Some(p) => audit::exploit::Epss::load(p)?,
        None => Default::default(),
    };
    let mut diags = Vec::new();
    let statements = audit::vex::load(&a.vex, &mut diags);
    let db = load_db(&data.osv, &a.input.common)?;
    let scan = load_input(&a.input)?;
    let mut found = audit::audit(&scan, &db);
    found.findings.extend(audit::scripts::findings(&scan));
    audit::exploit::annotate(&mut found.findings, &kev, &epss);
    diags.extend(audit::vex::apply(
        &statements,
        &scan.components,
        &mut found.findings,
    ));
    let datasets: Vec<audit::exploit::DatasetInfo> = [kev.info.clone(), epss.info.clone()]
        .into_iter()
        .flatten()
        .collect();
    diags.extend(audit::layout::staleness(
        &datasets,
        policy.advisories.max_data_age_days,
        today,
    ));
    found.diagnostics.extend(diags);
    found.diagnostics.sort();
    found.diagnostics.dedup();
    print_diagnostics(&found.diagnostics, &a.input.common);
    let (verdicts, counts, notes) = policy::advisories::judge(&found.findings, &policy, today);
    if a.vex_preview {
        output.write(&terminal(emit::audit::vex_preview(
            &verdicts,
            statements.len(),
        )))?;
        return Ok(0);
    }
    let bytes = match (a.format, stamp) {
        (AuditFormat::CyclonedxJson, Some(stamp)) => {
            let mut diags = Vec::new();
            let bom =
                cyclonedx::build(&scan, cyclonedx::SpecVersion::V1_6, &stamp, &[], &mut diags);
            print_diagnostics(&diags, &a.input.common);
            let bom = cyclonedx::with_vulnerabilities(
                bom,
                emit::audit::cyclonedx_vulnerabilities(&verdicts),
            );
            cyclonedx::to_json(&bom)
        }
        (AuditFormat::Openvex, Some(stamp)) => emit::vex::openvex(&verdicts, &policy, &stamp),
        (AuditFormat::CyclonedxVex, Some(stamp)) => {
            emit::vex::cyclonedx_vex(&verdicts, &policy, &stamp)
        }
        (format, _) => {
            let policy_name = if policy.builtin {
                "built-in default".to_string()
            } else {
                policy.source.clone()
            };
            let report = emit::audit::AuditReport {
                format_version: emit::audit::AUDIT_FORMAT_VERSION,
                database: emit::audit::DatabaseInfo {
                    path: &db.source,
                    stats: &db.stats,
                },
                datasets: &datasets,
                vex: a.vex.iter().map(|p| p.display().to_string()).collect(),
                policy: &policy_name,
                date: today,
                summary: emit::audit::summary(&found, &verdicts, &counts),
                findings: &verdicts,
                notes,
                diagnostics: &found.diagnostics,
            };
            match format {
                AuditFormat::Json => emit::audit::json(&report)?,
                AuditFormat::Markdown => emit::audit::markdown(&report).into_bytes(),
                _ => coloured(terminal(emit::audit::human(&report)), a.output.is_none()),
            }
        }
    };
    output.write(&bytes)?;
    Ok(if counts.fail > 0 { 1 } else { 0 })
}

/// `ospo list`: the Scan (fresh or --from) as one row per component; the policy's verdict
/// per row when a policy is found where `check` looks (none with the built-in default,
/// so the column never shows a policy nobody wrote).
pub fn list(a: &crate::cli::ListArgs) -> Result<u8> {
    use crate::cli::ListFormat;
    use crate::emit::list;
    let output = emit::Output::prepare(a.output.as_deref())?;
    let policy = match find_policy(a.policy.as_deref(), &a.input) {
        Ok(p) => p,
        Err(e) => return Ok(policy_error(&e)),
    };
    let today = today()?;
    let scan = load_input(&a.input)?;
    let ev = (!policy.builtin).then(|| policy::evaluate(&scan, &policy, today));
    let rows = list::rows(&scan, ev.as_ref());
    let name = ev.as_ref().map(|e| e.policy.as_str());
    let bytes = match a.format {
        ListFormat::Table => terminal(list::table(&rows, name)),
        ListFormat::Csv => terminal(list::csv(&rows, name.is_some())),
        ListFormat::Markdown => terminal(list::markdown(&rows, name)),
        ListFormat::Json => list::json(&rows, name)?,
    };
    output.write(&bytes)?;
    Ok(0)
}
