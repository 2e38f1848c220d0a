//! Command-line definitions (clap). Exit codes: 0 ok; 1 a policy violation (`check`, also
//! warnings / review / unknown with `check --fail-on`), a denied advisory (`audit`), a
//! `diff --fail-on` condition met; 2 usage, input, configuration or I/O error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ospo",
    version,
    about = "Open source license compliance and SBOMs: what is in a tree, under what license, is it allowed.",
    long_about = "ospo walks a source tree (a repo, a vendored tree, a container root), identifies every \
license text, notice, SPDX tag and copyright in it, and reports them.\n\n\
Exit codes:\n  \
0  ok\n  \
1  `check`: a policy violation (with --fail-on also a warning, a component to review or an \
unknown license); `audit`: a finding the policy denies; `diff --fail-on`: the condition was met\n  \
2  usage, input, configuration or I/O error (nothing else is written)\n\n\
Colour: --color auto (the default: on a terminal, unless NO_COLOR is set), always or never.",
    propagate_version = true
)]
pub struct Cli {
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Read defaults from this ospo.toml [default: ospo.toml in the scanned directory or
    /// its nearest parent, not above the repository root (.git)]
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no ospo.toml (also OSPO_NO_CONFIG=1)
    #[arg(long, global = true)]
    pub no_config: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (https://no-color.org)
    Auto,
    Always,
    Never,
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
    /// Exit codes: 0 every component passes (warnings allowed), 1 any violation (or, with
    /// --fail-on, any warning / component to review / unknown license), 2 errors (a
    /// policy.toml error is reported with file:line:col and nothing is checked).
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
    /// One row per component: name, version, ecosystem, license, policy verdict, review
    ///
    /// The concluded license of every component, the declared one where it differs, the
    /// policy verdict when a policy is found (--policy, else policy.toml where `check` looks),
    /// and whether a human should review it; sorted by name, case-insensitively. As an
    /// aligned table, CSV (for a spreadsheet), Markdown (for a wiki or a PR) or JSON.
    List(ListArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell) on stdout
    ///
    /// e.g. `ospo completions bash > ~/.local/share/bash-completion/completions/ospo`,
    /// `ospo completions zsh > ~/.zfunc/_ospo`, `ospo completions fish >
    /// ~/.config/fish/completions/ospo.fish`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout: `ospo man > ospo.1; man ./ospo.1`
    Man,
    /// Print the JSON Schema of a JSON output: scan, check, diff, metrics, audit, list
    ///
    /// The same schemas are in the repository under schemas/; every JSON output the tests
    /// make is validated against them.
    Schema(SchemaArgs),
    /// Show, prune or clear the local result cache
    ///
    /// The cache keeps, per scanned root, each file's stat and what examining it found, so
    /// a rescan reads only what changed (see docs/cache.md). Roots not scanned for 30 days
    /// are dropped by every scan; `prune` does it now (and with --days, sooner).
    Cache(CacheArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaName {
    /// `ospo scan --format json` (and `--from` input)
    Scan,
    /// `ospo check --format json`
    Check,
    /// `ospo diff --format json`
    Diff,
    /// `ospo metrics --format json`
    Metrics,
    /// `ospo audit --format json`
    Audit,
    /// `ospo list --format json`
    List,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which output
    #[arg(value_enum)]
    pub name: SchemaName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns for a terminal, a count line last
    Table,
    /// RFC 4180 CSV with a header row
    Csv,
    /// A GitHub-flavoured Markdown table
    Markdown,
    /// The rows as JSON (schema: `ospo schema list`)
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// The policy for the verdict column [default: policy.toml at the scanned root; without
    /// one, no verdict column]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Write to FILE instead of stdout (written whole or not at all)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub input: Input,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheAction {
    /// Roots, files and bytes on disk
    Stats,
    /// Drop roots not scanned for --days days, then compact the file
    Prune,
    /// Remove the cache
    Clear,
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[arg(value_enum)]
    pub action: CacheAction,
    /// The cache's directory [env: OSPO_CACHE_DIR; default: $XDG_CACHE_HOME/ospo or
    /// ~/.cache/ospo]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// prune: drop roots not scanned for this many days
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub days: u32,
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
    /// Do not read or write the result cache [env: OSPO_NO_CACHE=1]
    #[arg(long)]
    pub no_cache: bool,
    /// The result cache's directory [env: OSPO_CACHE_DIR; default: $XDG_CACHE_HOME/ospo
    /// or ~/.cache/ospo]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Re-hash files the cache would trust by their size, times and inode
    #[arg(long)]
    pub verify: bool,
    /// Share results through PostgreSQL: postgres://user@host:port/db [env: OSPO_CACHE_URL]
    #[arg(long, value_name = "URL")]
    pub cache_url: Option<String>,
    /// Print nothing on stderr but errors
    #[arg(short, long)]
    pub quiet: bool,
    /// Print informational diagnostics too
    #[arg(short, long)]
    pub verbose: bool,
    /// A container image given as input may expand to at most this many bytes
    /// (suffixes K, M, G, T: powers of 1024)
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = parse_size)]
    pub max_image_size: u64,
    /// A container image given as input may hold at most this many entries
    #[arg(long, value_name = "N", default_value_t = 2_000_000)]
    pub max_image_entries: u64,
}

/// `4G`, `512M`, `1048576`: a size in bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("`{s}`: the suffix must be K, M, G or T")),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}`: not a size (a number, with K, M, G or T)"))?;
    n.checked_shl(shift)
        .filter(|v| v >> shift == n)
        .ok_or_else(|| format!("`{s}`: too large"))
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
    /// Read a saved `ospo scan --format json`, or a CycloneDX (1.4-1.7, JSON or XML) or
    /// SPDX (2.2/2.3 JSON or tag-value, 3.0.1 JSON-LD) SBOM, instead of scanning PATH
    #[arg(long, value_name = "SCAN_OR_SBOM", conflicts_with = "path")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX JSON (also: cyclonedx)
    #[value(alias = "cyclonedx")]
    CyclonedxJson,
    /// CycloneDX XML
    CyclonedxXml,
    /// SPDX 2.3 JSON (also: spdx)
    #[value(alias = "spdx")]
    SpdxJson,
    /// SPDX 2.3 tag-value
    SpdxTv,
    /// SPDX 3.0.1 JSON-LD (Core, Software, SimpleLicensing, ExpandedLicensing)
    Spdx3Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlpLevel {
    #[value(name = "CLEAR")]
    Clear,
    #[value(name = "GREEN")]
    Green,
    #[value(name = "AMBER")]
    Amber,
    #[value(name = "AMBER_AND_STRICT")]
    AmberAndStrict,
    #[value(name = "RED")]
    Red,
}

/// An SBOM compliance profile (docs/sbom-profiles.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProfileName {
    /// BSI TR-03183-2 v2.1 (Germany; the EU CRA's de-facto profile)
    #[value(name = "bsi-tr-03183-2")]
    Bsi,
    /// CISA 2025 minimum elements
    #[value(name = "cisa-2025")]
    Cisa2025,
    /// NTIA 2021 minimum elements
    #[value(name = "ntia")]
    Ntia,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CdxVersion {
    #[value(name = "1.6")]
    V1_6,
    #[value(name = "1.7")]
    V1_7,
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
    /// With --profile: the supplier of the product, e.g. "ACME GmbH https://acme.example"
    /// or "ACME GmbH <psirt@acme.example>" (what the profiles name as its creator)
    #[arg(long, value_name = "NAME")]
    pub supplier: Option<String>,
    /// Traffic Light Protocol marking of the document (CycloneDX 1.7 only)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub tlp: Option<TlpLevel>,
    /// Fill every field this compliance profile requires, and state each one that cannot
    /// be filled as a known unknown with the reason
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: Option<ProfileName>,
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
    /// GitHub-flavoured Markdown, for a pull-request comment or $GITHUB_STEP_SUMMARY
    Markdown,
}

/// What else makes `ospo check` exit 1 (a violation always does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFailOn {
    /// Any warning: a license the policy warns about, an exception expiring, an advisory warned
    Warnings,
    /// Any judged component flagged for review (declared and detected disagree, ...)
    Review,
    /// Any judged component whose license is unknown, even where the policy allows unknown
    Unknown,
}

impl CheckFailOn {
    pub fn name(self) -> &'static str {
        match self {
            CheckFailOn::Warnings => "warnings",
            CheckFailOn::Review => "review",
            CheckFailOn::Unknown => "unknown",
        }
    }
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
    /// Also exit 1 on warnings, components to review, or unknown licenses (repeatable, or a
    /// comma list); a violation always exits 1
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    pub fail_on: Vec<CheckFailOn>,
    /// Instead of the license policy, check the SBOM given with --from (any tool's
    /// CycloneDX 1.4-1.7 or SPDX 2.3 / 3.0.1) against this compliance profile: every
    /// missing field per component; exit 1 if a required one is missing
    #[arg(long, value_enum, value_name = "PROFILE", requires = "from")]
    pub sbom_profile: Option<ProfileName>,
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
    /// CycloneDX 1.6 JSON with a `vulnerabilities` section (usable as VEX; also: cyclonedx)
    #[value(alias = "cyclonedx")]
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
