//! What a finished recording hands over: the run's metadata, timeline,
//! events and stream summary.

use serde::{Deserialize, Serialize};

use super::event::{EventRow, ResourceInfo};
use super::figures::Figures;
use super::meta::RunMeta;
use super::timeline::{AppTimeline, ClusterTimeline, WorkerTimeline};

/// `stream_summary.json`: the figures accumulated at full sample resolution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamSummary {
    /// Format version of the writer (`meta::FORMAT_VERSION`).
    pub format_version: u32,
    /// Weight of every sample, seconds.
    pub sample_interval_s: f64,
    /// App samples recorded.
    pub app_samples: u64,
    /// Cluster samples recorded.
    pub cluster_samples: u64,
    /// Events recorded.
    pub events: u64,
    /// The figures.
    pub figures: Figures,
}

/// Everything a run recorded; `reports::write_run` stores it as a run
/// directory.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    /// `run.json`.
    pub meta: RunMeta,
    /// Every resource events refer to, indexed by `ResourceIdx`.
    pub resources: Vec<ResourceInfo>,
    /// `timeline_apps.parquet`.
    pub apps: AppTimeline,
    /// `timeline_cluster.parquet`.
    pub cluster: ClusterTimeline,
    /// `timeline_workers.parquet`.
    pub workers: WorkerTimeline,
    /// `events.parquet`, sorted by time (stable, so ties keep recording order).
    pub events: Vec<EventRow>,
    /// `stream_summary.json`.
    pub stream: StreamSummary,
}
