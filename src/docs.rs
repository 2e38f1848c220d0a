//! What the binary says about itself: shell completions (clap_complete), the man page
//! (clap_mangen) and the JSON Schemas of its JSON outputs (the files under schemas/,
//! built in so `ospo schema NAME` needs no checkout). Generated from the same clap
//! definitions that parse the arguments, so they cannot drift from the real flags.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, SchemaName};

/// `ospo completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ospo", &mut buf);
    crate::emit::write_output(None, &buf)?;
    Ok(0)
}

/// `ospo man`: the man page (section 1, roff) on stdout, every subcommand in it.
pub fn man() -> Result<u8> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    crate::emit::write_output(None, &buf)?;
    Ok(0)
}

/// The JSON Schema (draft 2020-12) of one JSON output, as shipped under schemas/.
pub fn schema_text(name: SchemaName) -> &'static str {
    match name {
        SchemaName::Scan => include_str!("../schemas/scan.schema.json"),
        SchemaName::Check => include_str!("../schemas/check.schema.json"),
        SchemaName::Diff => include_str!("../schemas/diff.schema.json"),
        SchemaName::Metrics => include_str!("../schemas/metrics.schema.json"),
        SchemaName::Audit => include_str!("../schemas/audit.schema.json"),
        SchemaName::List => include_str!("../schemas/list.schema.json"),
    }
}

/// `ospo schema NAME`: the schema on stdout.
pub fn schema(name: SchemaName) -> Result<u8> {
    crate::emit::write_output(None, schema_text(name).as_bytes())?;
    Ok(0)
}
