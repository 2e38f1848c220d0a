//! Throwaway crate: exists only so `cargo vendor` has a dependency graph to vendor.
