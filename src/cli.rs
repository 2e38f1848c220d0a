//! Command-line definitions (clap). Exit codes: 0 ok, 1 policy violations (check only),
//! 2 usage, input or I/O error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ospo",
    version,
    about = "Open source license compliance and SBOMs: what is in a tree, under what license, is it allowed.",
    long_about = "ospo walks a source tree (a repo, a vendored tree, a container root), identifies every \
license text, notice, SPDX tag and copyright in it, and reports them.\n\n\
Exit codes: 0 ok, 1 policy violations (check only), 2 usage, input or I/O error.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a tree for license and copyright evidence
    ///
    /// Reads every file in parallel (respecting .gitignore unless --no-ignore): full license
    /// texts in license files, notices in source headers, SPDX-License-Identifier tags,
    /// license references in READMEs, copyright statements.
    Scan(ScanArgs),
    /// Identify the license(s) in files
    ///
    /// Each named file is matched as a whole (several licenses per file are found); a
    /// directory is walked like `scan` and every file with license evidence is listed.
    Detect(DetectArgs),
    /// Write an SBOM: CycloneDX 1.6 (or 1.5) JSON / XML, SPDX 2.3 JSON / tag-value
    ///
    /// Scans PATH (or reads a saved scan or another tool's SBOM with --from) and writes one
    /// SBOM: every component with its purl, declared and concluded licenses, the evidence
    /// (file, lines, score), hashes and the dependency graph. Deterministic: set
    /// SOURCE_DATE_EPOCH for a fixed timestamp, serial number and document namespace.
    Sbom(SbomArgs),
    /// Check every component's license against a policy (exit 0 pass, 1 violations)
    ///
    /// Reads policy.toml from --policy, else from the scanned root (with --from: the
    /// current directory), else uses the built-in default (permissive and public-domain
    /// allowed, strong and network copyleft denied, everything else warned) and says so.
    /// Exit codes: 0 every component passes (warnings allowed), 1 any violation, 2 errors
    /// (a policy.toml error is reported with file:line:col and nothing is checked).
    /// Set OSPO_TODAY=YYYY-MM-DD to judge exception expiry as of another day.
    Check(CheckArgs),
    /// Write a starter policy.toml for the scanned tree
    ///
    /// The permissive and public-domain licenses found are allowed; every other license
    /// found is listed in comments with the components that use it. Writes PATH/policy.toml
    /// (with --from: ./policy.toml) and never overwrites one without --force.
    Init(InitArgs),
    /// Write third-party notices: the attribution file a release ships
    ///
    /// Grouped by license: each license text once (a component's own license file where
    /// it says more than the SPDX text, e.g. its own copyright line), then every component
    /// under it with its version and copyright lines; Apache NOTICE files verbatim;
    /// components with an unknown license listed apart. The scanned project itself and
    /// dev-only dependencies are left out.
    Notice(NoticeArgs),
    /// Write an HTML audit report for a legal reviewer
    ///
    /// One self-contained HTML file (no network, works from file://, prints cleanly): a
    /// summary, the license distribution, a sortable, filterable table of components and
    /// each component's evidence. Written to ospo-report.html unless -o says otherwise.
    Report(ReportArgs),
    /// Compare two scans or SBOMs: added, removed, upgraded, downgraded, license changes,
    /// new policy violations
    ///
    /// OLD and NEW are each a saved `ospo scan --format json`, a CycloneDX or SPDX SBOM (the
    /// two may differ in format), or a directory to scan. Components are matched by purl
    /// without version (else ecosystem and name). Both sides are checked against one policy:
    /// --policy, else policy.toml in NEW (a directory) or the current directory, else the
    /// built-in default. Exit codes: 0, or 1 when a --fail-on condition is met; 2 errors.
    Diff(DiffArgs),
    /// The numbers an OSPO reports (CHAOSS License Coverage, Licenses Declared, ...)
    ///
    /// License coverage of files, licenses declared and concluded, known unknowns, licenses
    /// by count and category, copyleft exposure, components per ecosystem, direct and
    /// transitive dependencies, policy pass rate; with --since OLD the change in each.
    Metrics(MetricsArgs),
    /// Audit components for known vulnerabilities in an offline OSV database
    ///
    /// Reads OSV records from --db (a folder of OSV JSON, searched recursively, or OSV's
    /// per-ecosystem all.zip archives; never the network) and reports every component
    /// (crates.io, npm, PyPI, Go, Maven) a record affects, aliases merged into one finding.
    /// The policy's [advisories] table judges findings (without one, every finding fails).
    /// Exit codes: 0 nothing the policy denies, 1 a denied finding, 2 errors (a missing or
    /// empty --db, a policy.toml error).
    Audit(AuditArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// A short summary for a terminal
    Human,
    /// The Scan model (documented in README.md)
    Json,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Worker threads [default: one per core]
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Read files that .gitignore / .ignore would skip
    #[arg(long)]
    pub no_ignore: bool,
    /// Leave out paths matching this gitignore-style glob (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Follow symbolic links (loops are detected and reported)
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Do not read package caches outside the tree (~/.cargo/registry, the Go module
    /// cache, ~/.m2) for dependencies' license files
    #[arg(long)]
    pub no_caches: bool,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
    /// Print informational diagnostics too
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The tree (or file) to scan
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,
    /// Only the per-file evidence: skip finding components and concluding their licenses
    #[arg(long)]
    pub files_only: bool,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Files or directories
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,
    #[command(flatten)]
    pub common: Common,
}

/// Where a command's Scan comes from: a fresh scan of PATH, or a file read with --from.
#[derive(Debug, Args)]
pub struct Input {
    /// The tree to scan
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Read a saved `ospo scan --format json`, or a CycloneDX (1.4-1.6, JSON or XML) or
    /// SPDX (2.2/2.3, JSON or tag-value) SBOM, instead of scanning PATH
    #[arg(long, value_name = "SCAN_OR_SBOM", conflicts_with = "path")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON
    CyclonedxJson,
    /// CycloneDX XML
    CyclonedxXml,
    /// SPDX 2.3 JSON
    SpdxJson,
    /// SPDX 2.3 tag-value
    SpdxTv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CdxVersion {
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.5")]
    V1_5,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// SBOM format
    #[arg(long, value_enum, default_value_t = SbomFormat::CyclonedxJson)]
    pub format: SbomFormat,
    /// CycloneDX specification version (CycloneDX formats only) [default: 1.6]
    #[arg(long, value_enum)]
    pub spec_version: Option<CdxVersion>,
    /// Who made this SBOM (the NTIA "author of SBOM data"), e.g. "ACME OSPO <ospo@acme.example>";
    /// repeatable. The tool is always named as well.
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per violation or warning, a summary last
    Human,
    /// The evaluation: one verdict per component (documented in README.md)
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions workflow annotations
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy file [default: policy.toml at the scanned root, else the built-in default]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Also judge known vulnerabilities from this offline OSV database (see `ospo audit`)
    #[arg(long, value_name = "OSV")]
    pub db: Option<PathBuf>,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// A table of findings, a summary last
    Human,
    /// The audit report (documented in README.md)
    Json,
    /// CycloneDX 1.6 JSON with a `vulnerabilities` section (usable as VEX)
    CyclonedxJson,
    /// OpenVEX 0.2: one statement per finding and per advisory ignore
    Openvex,
    /// A CycloneDX 1.6 VEX document: only `vulnerabilities`, each with its analysis
    CyclonedxVex,
    /// A Markdown table (for pull-request comments)
    Markdown,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The OSV database: a folder of OSV JSON records, or an OSV all.zip; a folder with
    /// `osv/` in it is a data folder: `osv/` is the database and `kev.json`,
    /// `epss.csv[.gz]` beside it are read too (docs/security-data.md)
    #[arg(long, value_name = "OSV", required = true)]
    pub db: PathBuf,
    /// VEX documents (OpenVEX 0.2, CycloneDX VEX, CSAF 2.0 VEX) whose not_affected / fixed
    /// statements suppress findings (shown and counted, never dropped)
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub vex: Vec<PathBuf>,
    /// List what the --vex statements would suppress, then exit 0
    #[arg(long, requires = "vex")]
    pub vex_preview: bool,
    /// CISA's Known Exploited Vulnerabilities catalog (JSON)
    #[arg(long, value_name = "FILE")]
    pub kev: Option<PathBuf>,
    /// FIRST's EPSS scores (CSV, gzipped or not)
    #[arg(long, value_name = "FILE")]
    pub epss: Option<PathBuf>,
    /// The policy whose [advisories] table judges findings [default: policy.toml at the
    /// scanned root, else the built-in default]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
    pub format: AuditFormat,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NoticeFormat {
    /// Plain text (NOTICE / THIRD-PARTY-NOTICES.txt)
    Text,
    /// A self-contained HTML page
    Html,
    /// Markdown (CommonMark)
    Markdown,
}

#[derive(Debug, Args)]
pub struct NoticeArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = NoticeFormat::Text)]
    pub format: NoticeFormat,
    /// Also list dev-only dependencies
    #[arg(long)]
    pub include_dev: bool,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing policy.toml
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The policy whose verdicts the report shows [default: policy.toml at the scanned
    /// root, else the built-in default]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write the report to FILE (`-` for stdout)
    #[arg(short, long, value_name = "FILE", default_value = "ospo-report.html")]
    pub output: PathBuf,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Sections per kind of change and a counts line, for a terminal
    Human,
    /// The diff model (documented in README.md)
    Json,
    /// GitHub-flavoured Markdown for a pull-request comment
    Markdown,
}

/// What makes `ospo diff` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    /// A component fails the policy in NEW that did not fail in OLD
    NewViolations,
    /// A component's concluded license changed
    LicenseChange,
    /// An advisory affects NEW that did not affect OLD (needs vulnerability data)
    NewVulnerabilities,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older side: a saved scan, a CycloneDX or SPDX SBOM, or a directory to scan
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The newer side: a saved scan, a CycloneDX or SPDX SBOM, or a directory to scan
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit 1 when this kind of change is found (repeatable, or a comma list)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    pub fail_on: Vec<FailOn>,
    /// An offline OSV database (folder of OSV JSON or OSV's all.zip archives): report the
    /// vulnerabilities NEW has that OLD had not
    #[arg(long, value_name = "OSV")]
    pub db: Option<PathBuf>,
    /// The policy both sides are checked against [default: policy.toml in NEW (a directory)
    /// or the current directory, else the built-in default]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ScanFormat::Human)]
    pub format: ScanFormat,
    /// Also report the change in every number since OLD (a saved scan, an SBOM, or a
    /// directory to scan)
    #[arg(long, value_name = "OLD")]
    pub since: Option<PathBuf>,
    /// An offline OSV database (folder of OSV JSON or OSV's all.zip archives): count open
    /// vulnerabilities by severity
    #[arg(long, value_name = "OSV")]
    pub db: Option<PathBuf>,
    /// The policy for the pass rate [default: policy.toml at the scanned root, else the
    /// built-in default]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}
