//! Discrete-event simulator of a three-layer fleet driving the Lighthouse engine.
//!
//! Module map:
//! - [`load`]: load generators (constant, diurnal, ramp, step, flash crowd,
//!   noise, bursty on/off) composable by sum and product.
//! - [`queueing`]: M/M/c (Erlang C) latency and the saturation backlog model.
//! - [`record`]: what a run records (timeline buckets, event log, streaming
//!   summary accumulators) — the contract with the reports crate.

pub mod load;
pub mod queueing;
pub mod record;
