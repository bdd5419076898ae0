//! Discrete-event simulator of a three-layer fleet driving the Lighthouse engine.
//!
//! Module map:
//! - [`record`]: what a run records (timeline buckets, event log, streaming
//!   summary accumulators) — the contract with the reports crate.

pub mod record;
