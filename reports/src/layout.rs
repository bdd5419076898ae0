//! The run directory's file names and table schemas (`docs/run-format.md`),
//! shared by the writer and the loader so that they cannot drift apart.

use polars::prelude::DataType;

/// `run.json`.
pub const RUN_JSON: &str = "run.json";
/// One row per (bucket, app).
pub const TIMELINE_APPS: &str = "timeline_apps.parquet";
/// One row per bucket.
pub const TIMELINE_CLUSTER: &str = "timeline_cluster.parquet";
/// One row per (bucket, worker type).
pub const TIMELINE_WORKERS: &str = "timeline_workers.parquet";
/// One row per event.
pub const EVENTS: &str = "events.parquet";
/// Figures accumulated by the recorder.
pub const STREAM_SUMMARY: &str = "stream_summary.json";
/// The report's figures.
pub const SUMMARY_JSON: &str = "summary.json";

/// A column's storage type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// 64-bit signed integer.
    I64,
    /// 32-bit unsigned integer.
    U32,
    /// 64-bit float.
    F64,
    /// UTF-8 string.
    Str,
    /// Boolean.
    Bool,
}

impl ColType {
    /// The polars type.
    pub fn dtype(self) -> DataType {
        match self {
            ColType::I64 => DataType::Int64,
            ColType::U32 => DataType::UInt32,
            ColType::F64 => DataType::Float64,
            ColType::Str => DataType::String,
            ColType::Bool => DataType::Boolean,
        }
    }

    /// The name the format documentation uses.
    pub fn name(self) -> &'static str {
        match self {
            ColType::I64 => "i64",
            ColType::U32 => "u32",
            ColType::F64 => "f64",
            ColType::Str => "str",
            ColType::Bool => "bool",
        }
    }
}

use ColType::*;

/// `timeline_apps.parquet`, in file order.
pub const APP_COLUMNS: &[(&str, ColType)] = &[
    ("t_ms", I64),
    ("dt_s", F64),
    ("app", Str),
    ("app_idx", U32),
    ("layer", Str),
    ("demand_rps", F64),
    ("supply_rps", F64),
    ("demand_instances", F64),
    ("supply_instances", F64),
    ("allocated_instances", F64),
    ("target_instances", F64),
    ("pending_instances", F64),
    ("cpu_percent", F64),
    ("latency_mean_ms", F64),
    ("latency_p95_ms", F64),
    ("latency_p95_max_ms", F64),
    ("requests", F64),
    ("dropped", F64),
    ("breach_s", F64),
    ("breach_latency_s", F64),
    ("breach_drop_s", F64),
    ("breach_requests", F64),
    ("breach_latency_requests", F64),
    ("breach_drop_requests", F64),
];

/// `timeline_cluster.parquet`, in file order.
pub const CLUSTER_COLUMNS: &[(&str, ColType)] = &[
    ("t_ms", I64),
    ("dt_s", F64),
    ("workers", F64),
    ("workers_provisioning", F64),
    ("pending_workloads", F64),
    ("cluster_cpu_utilization", F64),
    ("cost_rate_per_hour", F64),
    ("cost_rate_spot_per_hour", F64),
    ("cost", F64),
    ("cost_spot", F64),
];

/// `timeline_workers.parquet`, in file order.
pub const WORKER_COLUMNS: &[(&str, ColType)] = &[
    ("t_ms", I64),
    ("dt_s", F64),
    ("worker_type", Str),
    ("type_idx", U32),
    ("spot", Bool),
    ("count", F64),
    ("cost", F64),
];

/// `events.parquet`, in file order.
pub const EVENT_COLUMNS: &[(&str, ColType)] = &[
    ("t_ms", I64),
    ("action_id", I64),
    ("resource_id", Str),
    ("layer", Str),
    ("kind", Str),
    ("direction", Str),
    ("from_capacity", I64),
    ("to_capacity", I64),
    ("signal_since_ms", I64),
    ("reason", Str),
];
