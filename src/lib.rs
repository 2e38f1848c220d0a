//! ospo: open source license compliance and SBOMs.
//!
//! The pipeline of DESIGN.md, one module per stage, driven by [`pipeline`]:
//! walk → detect → components → resolve → policy → emit.
//! `main.rs` only parses arguments and maps errors to exit codes.

pub mod audit;
pub mod cache;
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
pub mod pipeline;
pub mod policy;
pub mod relpath;
pub mod resolve;
pub mod text;
pub mod walk;
pub mod xml;
