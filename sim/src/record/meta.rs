//! `run.json`: what a run was (scenario, times, apps with SLOs, worker types).

use serde::{Deserialize, Serialize};

/// Version of the run directory format written by this crate; bumped on any
/// incompatible change to `run.json`, the tables or the summary keys.
pub const FORMAT_VERSION: u32 = 1;

/// The layer of the fleet a resource belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// A tenant application's instances.
    AppInstance,
    /// A shared platform component (API server, ingress, …).
    PlatformComponent,
    /// The worker nodes the instances run on.
    WorkerNode,
}

impl Layer {
    /// Every layer, in the order figures list them.
    pub const ALL: [Layer; 3] = [
        Layer::AppInstance,
        Layer::PlatformComponent,
        Layer::WorkerNode,
    ];

    /// The name used in `run.json`, tables and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::AppInstance => "app_instance",
            Layer::PlatformComponent => "platform_component",
            Layer::WorkerNode => "worker_node",
        }
    }

    /// Parses [`Layer::as_str`]'s names.
    pub fn parse(s: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Where a run's numbers came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunMode {
    /// The discrete-event simulator.
    Simulation,
    /// Trace replay with open-loop load.
    ReplayOpen,
    /// Trace replay with closed-loop load.
    ReplayClosed,
    /// The live engine in shadow mode (decides, never acts).
    Shadow,
}

/// An app's service level objective. A sample breaches it when the latency
/// percentile exceeds `latency_ms` or the share of dropped requests exceeds
/// `max_drop_rate`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    /// Which latency percentile the bound applies to, percent (e.g. 95.0).
    pub latency_percentile: f64,
    /// Latency bound, milliseconds.
    pub latency_ms: f64,
    /// Largest acceptable share of dropped requests, 0..1.
    pub max_drop_rate: f64,
}

/// One app or platform component, in declaration order; its position is the
/// `app_idx` every sample and table row refers to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AppMeta {
    /// Unique name, e.g. `web`.
    pub name: String,
    /// `app_instance` or `platform_component`.
    pub layer: Layer,
    /// The engine's resource id, e.g. `app_instance:web`; events refer to it.
    pub resource_id: String,
    /// Requests per second one ready instance serves (μ).
    pub service_rate_rps: f64,
    /// Fewest instances the engine may run.
    pub min_capacity: u32,
    /// Most instances the engine may run; the `R` of the a_U/a_O scores.
    pub max_capacity: u32,
    /// CPU requested by one instance, cores; splits worker cost between apps.
    #[serde(default = "one_core")]
    pub cpu_cores: f64,
    /// The objective the app is held to.
    pub slo: Slo,
}

fn one_core() -> f64 {
    1.0
}

/// A kind of worker node the cluster can run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerTypeMeta {
    /// Unique name, e.g. `m5.large`.
    pub name: String,
    /// `cloud` or `on_prem`.
    pub kind: String,
    /// Cloud provider, e.g. `aws` (empty on premises).
    pub provider: String,
    /// Region or site.
    pub region: String,
    /// Whether the worker is a spot (preemptible) instance.
    pub spot: bool,
    /// Allocatable CPU, cores.
    pub cpu_cores: f64,
    /// Allocatable memory, GB.
    pub memory_gb: f64,
    /// Price, money per hour.
    pub price_per_hour: f64,
}

/// Exactly the content of `run.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// Where the numbers came from.
    pub mode: RunMode,
    /// Scenario name.
    pub scenario: String,
    /// Seed of every random draw.
    pub seed: u64,
    /// Run start, Unix epoch milliseconds.
    pub start_ms: i64,
    /// Run end, Unix epoch milliseconds (set by `Recorder::finish`).
    pub end_ms: i64,
    /// Spacing of metric samples, seconds; every sample stands for this long.
    pub sample_interval_s: f64,
    /// Spacing of engine evaluations, seconds.
    pub evaluation_interval_s: f64,
    /// Length of a stored timeline bucket, seconds (≥ the sample interval).
    pub timeline_resolution_s: f64,
    /// Two opposite scale actions on one resource this close are a flap, seconds.
    pub flap_window_s: f64,
    /// Spending limit, money per hour; `None` when there is none.
    pub budget_per_hour: Option<f64>,
    /// Apps and platform components, in declaration order.
    pub apps: Vec<AppMeta>,
    /// Worker types, in declaration order.
    pub worker_types: Vec<WorkerTypeMeta>,
}

impl RunMeta {
    /// Run length (`end_ms − start_ms`), seconds.
    pub fn duration_s(&self) -> f64 {
        (self.end_ms - self.start_ms) as f64 / 1000.0
    }
}

impl From<lighthouse_engine::ResourceLayer> for Layer {
    fn from(l: lighthouse_engine::ResourceLayer) -> Layer {
        use lighthouse_engine::ResourceLayer as R;
        match l {
            R::AppInstance => Layer::AppInstance,
            R::PlatformComponent => Layer::PlatformComponent,
            R::WorkerNode => Layer::WorkerNode,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_names_round_trip_through_serde_and_parse() {
        for l in Layer::ALL {
            let json = serde_json::to_string(&l).unwrap();
            assert_eq!(json, format!("\"{}\"", l.as_str()));
            assert_eq!(Layer::parse(l.as_str()), Some(l));
        }
        assert_eq!(Layer::parse("node"), None);
        assert_eq!(
            serde_json::to_string(&RunMode::ReplayOpen).unwrap(),
            "\"replay-open\""
        );
    }

    #[test]
    fn cpu_cores_defaults_to_one_when_absent() {
        let json = r#"{"name":"web","layer":"app_instance","resource_id":"app_instance:web",
            "service_rate_rps":100.0,"min_capacity":2,"max_capacity":50,
            "slo":{"latency_percentile":95.0,"latency_ms":250.0,"max_drop_rate":0.01}}"#;
        let app: AppMeta = serde_json::from_str(json).unwrap();
        assert_eq!(app.cpu_cores, 1.0);
        assert_eq!(app.layer, Layer::AppInstance);
    }
}
