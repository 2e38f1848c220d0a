//! ospo: open source license compliance and SBOMs.
//!
//! The pipeline of DESIGN.md, one module per stage, driven by [`pipeline`]:
//! walk → detect → components → resolve → policy → emit.
//! `main.rs` only parses arguments and maps errors to exit codes.

pub mod audit;
pub mod cache;
pub mod cli;
pub mod color;
pub mod commands;
pub mod config;
pub mod detect;
pub mod diff;
pub mod docs;
pub mod ecosystem;
pub mod emit;
pub mod expression;
pub mod gate;
pub mod image;
pub mod ingest;
pub mod licensedb;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod profile;
pub mod relpath;
pub mod resolve;
pub mod rtf;
pub mod text;
pub mod walk;
pub mod xml;
