//! Discrete-event simulator of a three-layer fleet driving the unchanged
//! Lighthouse engine, many simulated days per wall-clock second.
//!
//! Module map:
//! - [`scenario`]: scenario files (TOML), validation with lines, the engine
//!   configuration they imply, changes by path.
//! - [`clock`]: the next-event queue ordered by (time, sequence).
//! - [`load`]: load generators composable by sum and product.
//! - [`queueing`]: M/M/c (Erlang C) latency and the saturation backlog.
//! - [`service`]: one app's interval: served, dropped, latency, demand.
//! - [`latency_table`]: tabulated M/M/c figures for the hot path.
//! - [`fleet`]: apps, instances, worker types, placement, draining, billing.
//! - [`forecast`]: predictive scaling — forecasts published as custom metrics.
//! - [`run`]: the simulation loop and the engine's callbacks over the fleet.
//! - [`record`]: what a run records — the contract with the reports crate.

pub mod benchmark;
pub mod clock;
pub mod fleet;
pub mod forecast;
pub mod latency_table;
pub mod load;
pub mod queueing;
pub mod record;
pub mod run;
pub mod scenario;
pub mod service;

pub use run::{SimError, SimOptions, SimOutcome, SimStats, Simulation};
pub use scenario::{LoadedScenario, ScenarioError, load_scenario, parse_scenario};
