//! ospo: open source license compliance and SBOMs.
//!
//! The pipeline of DESIGN.md, one module per stage:
//! walk → detect → components → resolve → policy → emit.
//! `main.rs` only parses arguments and maps errors to exit codes.

pub mod audit;
pub mod cli;
pub mod commands;
pub mod detect;
pub mod diff;
pub mod ecosystem;
pub mod emit;
pub mod expression;
pub mod ingest;
pub mod licensedb;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod resolve;
pub mod scan;
pub mod walk;
