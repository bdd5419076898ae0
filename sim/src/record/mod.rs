//! Run recording: the contract between the simulator (or replay, or live
//! shadow mode) and the reports crate. No polars here: the recorder is on
//! the simulator's hot path and must stay cheap.
//!
//! Module map:
//! - [`meta`]: the content of `run.json` ([`RunMeta`], apps with SLOs, worker types, [`Layer`]).
//! - [`sample`]: the per-tick `Copy` inputs ([`AppSample`], [`ClusterSample`], [`WorkerSample`]).
//! - [`event`]: event rows ([`EventRow`]) with interned resources ([`ResourceIdx`]).
//! - [`recorder`]: the [`Recorder`] that folds samples into the timeline and accumulators.
//! - [`timeline`]: the stored timeline, as columns ([`AppTimeline`], …).
//! - [`figures`]: the figures' shapes, shared with the reports crate ([`Figures`]).
//! - [`run`]: what a finished recording hands over ([`RunRecord`], [`StreamSummary`]).
//! - [`error`]: why a recorder cannot be set up ([`RecordError`]).
//! - `acc`: the streaming accumulators (private).
//!
//! ```
//! use lighthouse_sim::record::*;
//! # let meta = RunMeta { format_version: FORMAT_VERSION, mode: RunMode::Simulation,
//! #   scenario: "doc".into(), seed: 1, start_ms: 0, end_ms: 0, sample_interval_s: 10.0,
//! #   evaluation_interval_s: 30.0, timeline_resolution_s: 60.0, flap_window_s: 600.0,
//! #   budget_per_hour: None, worker_types: vec![],
//! #   apps: vec![AppMeta { name: "web".into(), layer: Layer::AppInstance,
//! #     resource_id: "app_instance:web".into(), service_rate_rps: 100.0, min_capacity: 1,
//! #     max_capacity: 10, cpu_cores: 1.0,
//! #     slo: Slo { latency_percentile: 95.0, latency_ms: 250.0, max_drop_rate: 0.01 } }] };
//! let mut rec = Recorder::new(meta).unwrap();
//! for tick in 0..12 {
//!     let s = AppSample { demand_rps: 150.0, demand_instances: 2.0, ready: 2, ..AppSample::default() };
//!     rec.app_sample(tick * 10_000, 0, &s);
//! }
//! let run = rec.finish(120_000);
//! assert_eq!(run.apps.len(), 2); // two one-minute buckets
//! assert_eq!(run.stream.app_samples, 12);
//! ```

mod acc;
pub mod error;
pub mod event;
pub mod figures;
pub mod meta;
pub mod recorder;
pub mod run;
pub mod sample;
pub mod timeline;

#[cfg(test)]
mod recorder_tests;
#[cfg(test)]
pub(crate) mod test_support;

pub use error::RecordError;
pub use event::{Direction, EventKind, EventRow, ResourceIdx, ResourceInfo};
pub use figures::*;
pub use meta::{AppMeta, FORMAT_VERSION, Layer, RunMeta, RunMode, Slo, WorkerTypeMeta};
pub use recorder::{APP_LANES, Recorder};
pub use run::{RunRecord, StreamSummary};
pub(crate) use sample::SampleLanes;
pub use sample::{AppSample, ClusterSample, WorkerSample};
pub use timeline::{AppTimeline, ClusterTimeline, WorkerTimeline};
