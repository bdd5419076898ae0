//! What-if policy tuning: parameter sweeps over a scenario (or a trace
//! replay), the Pareto front over cost, SLA breach minutes and flaps, the
//! recommended configuration under constraints, and sharded sweeps with
//! `merge`.
//!
//! Module map:
//! - [`spec`]: parameter specs (`PATH=VALUES`: lists, ranges, log ranges).
//! - [`plan`]: the run plan (grid or random), run seeds, shards.
//! - [`target`]: the scenario swept, setting values by path, one run.
//! - [`sweep`]: [`sweep()`], the runs on a rayon pool.
//! - [`columns`], [`table`]: the results table and its CSV/Parquet files.
//! - [`select`]: Pareto front, constraints, the recommended run.
//! - [`plot`]: the Pareto plot; [`output`]: every file of a sweep.
//! - [`merge`]: [`merge()`], shards into one table.
//! - [`progress`]: the progress bar; [`error`]: [`TuneError`].
//!
//! ```no_run
//! use lighthouse_tune::{SweepOptions, Target, sweep};
//!
//! let target = Target::load("scenarios/flash-crowd.toml".as_ref(), None)?;
//! let options = SweepOptions {
//!     params: vec!["policies.news.thresholds[0].cooldown_seconds=30,120,300".into()],
//!     out: "sweeps/flash-crowd".into(),
//!     ..SweepOptions::default()
//! };
//! let outcome = sweep(target, &options)?;
//! println!("{} runs", outcome.table.rows());
//! # Ok::<(), lighthouse_tune::TuneError>(())
//! ```

pub mod columns;
pub mod error;
pub mod merge;
pub mod output;
pub mod plan;
pub mod plot;
pub mod progress;
pub mod select;
pub mod spec;
pub mod sweep;
pub mod table;
pub mod target;

pub use error::TuneError;
pub use merge::{MergeOutcome, merge};
pub use plan::{Sampling, Shard};
pub use select::{Constraints, Objective};
pub use spec::{ParamError, ParamSpec};
pub use sweep::{SweepOptions, SweepOutcome, SweepPlan, sweep};
pub use target::Target;
