//! The one integration-test binary: every file of tests/ is a module of it (as ripgrep
//! does), so the crate is linked into one test executable instead of thirteen. Run one
//! area with `cargo test --test tests <module>::` (e.g. `notice::`). Golden files are
//! compared by `common::assert_golden`; `UPDATE_GOLDEN=1 cargo test` rewrites them.

mod anywhere;
mod audit;
mod bad_input;
mod cache;
mod cache_discovery;
mod cache_examples;
mod cache_shared;
mod check_ci;
mod ci_files;
mod common;
mod components;
mod conclusions;
mod config;
mod detect;
mod diff;
mod fuzz;
mod gradle;
mod graphs;
mod hostile;
mod images;
mod ingest;
mod list;
mod lockfiles;
mod metrics;
mod native;
mod notice;
mod nuget;
mod os_packages;
mod policy;
mod readme;
mod report;
mod report_browser;
mod rpm;
mod sbom;
mod scan;
mod schemas;
mod security;
mod self_docs;
mod standards;
mod ux;
