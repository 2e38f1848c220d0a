//! The `ospo` binary: parse arguments, call the library, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use ospo::cli::{Cli, Command};
use ospo::commands;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m).map(|c| (c, m)));
    let (mut cli, matches) = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ospo::color::init(cli.color);
    // ospo.toml: found from the scanned directory (or named by --config); a mistake in it
    // is reported like a policy.toml mistake, and nothing runs.
    let no_config = cli.no_config
        || std::env::var_os("OSPO_NO_CONFIG").is_some_and(|v| !v.is_empty() && v != "0");
    if !no_config {
        if let Some(start) = ospo::config::search_start(&cli) {
            match ospo::config::discover(cli.config.as_deref(), &start) {
                Ok(Some(c)) => ospo::config::apply(&mut cli, &matches, &c),
                Ok(None) => {}
                Err(e) => return ExitCode::from(ospo::commands::policy_error(&e)),
            }
        }
    }
    let result = match cli.command {
        Command::Scan(a) => commands::scan(&a),
        Command::Detect(a) => commands::detect(&a),
        Command::Sbom(a) => commands::sbom(&a),
        Command::Check(a) => commands::check(&a),
        Command::Init(a) => commands::init(&a),
        Command::Notice(a) => commands::notice(&a),
        Command::Report(a) => commands::report(&a),
        Command::Diff(a) => commands::diff(&a),
        Command::Metrics(a) => commands::metrics(&a),
        Command::Audit(a) => commands::audit(&a),
        Command::List(a) => commands::list(&a),
        Command::Completions(a) => ospo::docs::completions(a.shell),
        Command::Man => ospo::docs::man(),
        Command::Schema(a) => ospo::docs::schema(a.name),
        Command::Cache(a) => ospo::cache::command::run(&a),
    };
    // The local cache's writes, put on their own threads while the command went on.
    ospo::cache::finish();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // A closed stdout (`ospo scan | head`) ends quietly.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::from(0);
            }
            // Errors quote input (a path, a key, a line): its control characters escaped.
            let mut msg = format!("ospo: error: {e}");
            for cause in e.chain().skip(1) {
                msg.push_str(&format!(": {cause}"));
            }
            let mut err = std::io::stderr().lock();
            let msg = ospo::text::terminal_text(&msg);
            let msg = if ospo::color::enabled(ospo::color::Stream::Stderr) {
                ospo::color::verdict_lines(&msg).into()
            } else {
                msg
            };
            let _ = writeln!(err, "{msg}");
            ExitCode::from(2)
        }
    }
}
