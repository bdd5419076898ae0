//! Tests of sweeps: parameter specs, the cooldown sweep on a noisy
//! scenario, the recommendation, determinism, shards and merge.

mod common;
mod merge;
mod spec;
mod sweep;
