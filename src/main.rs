//! The `ospo` binary: parse arguments, call the library, map errors to exit codes.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use ospo::cli::{Cli, Command};
use ospo::commands;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
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
        Command::Cache(a) => ospo::cache::command::run(&a),
    };
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
            let _ = writeln!(err, "{}", ospo::text::terminal_text(&msg));
            ExitCode::from(2)
        }
    }
}
