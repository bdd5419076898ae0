//! The scenario file's schema: what a user writes in `scenarios/*.toml`.

use std::collections::BTreeMap;

use lighthouse_engine::{LighthouseConfig, ResourceLayer, ScalingPolicy};
use serde::{Deserialize, Serialize};

use super::duration::Dur;
use crate::load::LoadSpec;

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, seed, length and recording settings.
    pub simulation: SimulationSpec,
    /// Engine settings (evaluation interval, safety, retry, metrics); its
    /// resource configs are generated from `policies`, `apps`, `platform`
    /// and `workers`.
    #[serde(default)]
    pub engine: LighthouseConfig,
    /// Scaling policies by name; apps, platform components and the worker
    /// pool refer to them.
    pub policies: BTreeMap<String, ScalingPolicy>,
    /// User applications.
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    /// Platform components (API server, scheduler, etcd, monitoring).
    #[serde(default)]
    pub platform: Vec<AppSpec>,
    /// The worker pool.
    pub workers: WorkerPoolSpec,
    /// Kinds of worker the pool can run.
    pub worker_types: Vec<WorkerTypeSpec>,
    /// Injected faults.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Maintenance windows.
    #[serde(default)]
    pub maintenance: Vec<MaintenanceSpec>,
    /// Configuration changes during the run (what-if: "switch the policy at day 3").
    #[serde(default)]
    pub changes: Vec<ChangeSpec>,
    /// Forecasts published as custom metrics (predictive scaling).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forecasts: Vec<crate::forecast::ForecastSpec>,
}

/// Run-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSpec {
    /// Shown in reports.
    pub name: String,
    /// Simulated time to run.
    pub duration: Dur,
    /// Simulated start, RFC 3339 (default 2024-01-01T00:00:00Z, a Monday).
    #[serde(default = "default_start")]
    pub start: String,
    /// Seed of every random draw.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Spacing of metric samples (default 10 s).
    #[serde(default = "default_sample")]
    pub sample_interval: Dur,
    /// Length of a stored timeline bucket (default: the sample interval).
    #[serde(default)]
    pub resolution: Option<Dur>,
    /// Opposite actions closer than this are a flap (default 10 min).
    #[serde(default = "default_flap")]
    pub flap_window: Dur,
}

fn default_start() -> String {
    "2024-01-01T00:00:00Z".to_string()
}
fn default_seed() -> u64 {
    1
}
fn default_sample() -> Dur {
    Dur::secs(10)
}
fn default_flap() -> Dur {
    Dur::secs(600)
}

/// A service level objective.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Latency percentile held to the bound, percent (default 95).
    #[serde(default = "default_percentile")]
    pub latency_percentile: f64,
    /// Latency bound, milliseconds (default 250).
    #[serde(default = "default_latency")]
    pub latency_ms: f64,
    /// Largest share of dropped requests (default 0.01).
    #[serde(default = "default_drop")]
    pub max_drop_rate: f64,
}

fn default_percentile() -> f64 {
    95.0
}
fn default_latency() -> f64 {
    250.0
}
fn default_drop() -> f64 {
    0.01
}

impl Default for SloSpec {
    fn default() -> Self {
        SloSpec {
            latency_percentile: default_percentile(),
            latency_ms: default_latency(),
            max_drop_rate: default_drop(),
        }
    }
}

/// A custom business metric derived from the app's load, such as
/// `orders_per_minute = requests per second × 0.02 × 60`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessMetricSpec {
    /// Metric name the engine sees.
    pub name: String,
    /// Events per request (e.g. a conversion rate).
    pub per_request: f64,
    /// Counting window (default 60 s: a per-minute figure).
    #[serde(default = "default_window")]
    pub window: Dur,
}

fn default_window() -> Dur {
    Dur::secs(60)
}

/// An application or platform component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Unique name; with `count` > 1, copies are named `<name>-0001`…
    pub name: String,
    /// How many identical copies (default 1), for large fleets.
    #[serde(default = "one")]
    pub count: u32,
    /// Name of its policy in `[policies]`.
    pub policy: String,
    /// Requests per second one instance serves (μ).
    pub service_rate_rps: f64,
    /// CPU one instance requests, cores (default 0.5).
    #[serde(default = "half")]
    pub cpu_cores: f64,
    /// Memory one instance requests, GB (default 1).
    #[serde(default = "one_f")]
    pub memory_gb: f64,
    /// Time from placement to serving (default 30 s).
    #[serde(default = "default_startup")]
    pub startup: Dur,
    /// Instances at the start (default: the policy's minimum).
    #[serde(default)]
    pub initial_instances: Option<u32>,
    /// May run on spot workers.
    #[serde(default)]
    pub spot_tolerant: bool,
    /// Its workers are never terminated (default: true for platform
    /// components, false for apps).
    #[serde(default)]
    pub critical: Option<bool>,
    /// Its objective.
    #[serde(default)]
    pub slo: SloSpec,
    /// Requests waiting longer are dropped (default 10 s).
    #[serde(default = "default_timeout")]
    pub timeout: Dur,
    /// Offered load.
    pub load: LoadSpec,
    /// Custom business metrics.
    #[serde(default)]
    pub business_metrics: Vec<BusinessMetricSpec>,
}

fn one() -> u32 {
    1
}
fn half() -> f64 {
    0.5
}
fn one_f() -> f64 {
    1.0
}
fn default_startup() -> Dur {
    Dur::secs(30)
}
fn default_timeout() -> Dur {
    Dur::secs(10)
}

/// The worker pool the engine scales as `worker_node:pool`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerPoolSpec {
    /// Name of its policy in `[policies]`.
    pub policy: String,
    /// Workers at the start (default 3).
    #[serde(default = "three")]
    pub initial: u32,
    /// Type of the initial workers (default: the cheapest on-demand type).
    #[serde(default)]
    pub initial_type: Option<String>,
    /// An empty worker is terminated after this long (default 10 min; 0
    /// turns it off); never below the pool policy's minimum.
    #[serde(default = "default_idle")]
    pub idle_termination: Dur,
    /// Regions new workers may go to (default: all).
    #[serde(default)]
    pub allowed_regions: Vec<String>,
    /// The engine's estimate of one more worker's cost, money per hour, for
    /// the budget check (default: the highest price of an allowed type, so
    /// the check never underestimates).
    #[serde(default)]
    pub unit_cost_per_hour: Option<f64>,
}

fn three() -> u32 {
    3
}
fn default_idle() -> Dur {
    Dur::secs(600)
}

/// What a worker type is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerKind {
    /// A cloud instance.
    Cloud,
    /// A virtual machine on premises.
    Vm,
    /// A bare-metal server.
    BareMetal,
}

impl WorkerKind {
    /// `cloud`, `vm` or `bare_metal`.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerKind::Cloud => "cloud",
            WorkerKind::Vm => "vm",
            WorkerKind::BareMetal => "bare_metal",
        }
    }
}

/// How long provisioning takes: log-normal around a median, with an
/// optional long tail.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelaySpec {
    /// Median delay.
    pub median: Dur,
    /// Log-normal spread (default 0.3).
    #[serde(default = "default_sigma")]
    pub sigma: f64,
    /// Share of slow provisions (default 0).
    #[serde(default)]
    pub tail_probability: f64,
    /// How much slower they are (default 5).
    #[serde(default = "default_tail")]
    pub tail_factor: f64,
}

fn default_sigma() -> f64 {
    0.3
}
fn default_tail() -> f64 {
    5.0
}

/// A kind of worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerTypeSpec {
    /// Unique name, e.g. `m5.large` or `m5.large-spot`.
    pub name: String,
    /// Cloud instance, VM or bare metal.
    pub kind: WorkerKind,
    /// Provider, e.g. `aws`.
    #[serde(default)]
    pub provider: String,
    /// Region or site.
    #[serde(default)]
    pub region: String,
    /// Allocatable CPU, cores.
    pub cpu_cores: f64,
    /// Allocatable memory, GB.
    pub memory_gb: f64,
    /// Price, money per hour (billed per second).
    pub price_per_hour: f64,
    /// Spot (preemptible): cheaper, may be interrupted, runs only
    /// interruption-tolerant instances.
    #[serde(default)]
    pub spot: bool,
    /// Provisioning delay.
    pub provisioning: DelaySpec,
    /// Spot interruptions per worker-hour (default 0).
    #[serde(default)]
    pub interruptions_per_hour: f64,
    /// Shortest billed life (default 0).
    #[serde(default)]
    pub min_billed: Dur,
}

/// An injected fault.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// Workers crash at a moment; their instances go back to pending.
    WorkerCrash {
        /// When, from the start.
        at: Dur,
        /// How many workers (the busiest first).
        #[serde(default = "one")]
        count: u32,
    },
    /// Scaling calls fail with a probability in a window.
    ScaleFailures {
        /// Window start.
        from: Dur,
        /// Window end.
        to: Dur,
        /// Chance a call fails, 0–1.
        probability: f64,
        /// Resource ids affected (default: all).
        #[serde(default)]
        resources: Vec<String>,
        /// The call takes effect but its answer is lost (the engine sees an error).
        #[serde(default)]
        lost_answer: bool,
    },
    /// Start-ups and provisioning take longer in a window.
    SlowScaling {
        /// Window start.
        from: Dur,
        /// Window end.
        to: Dur,
        /// Added delay.
        extra_delay: Dur,
    },
    /// No metric samples reach the engine in a window.
    MetricGap {
        /// Window start.
        from: Dur,
        /// Window end.
        to: Dur,
        /// Apps affected (default: all, and the cluster).
        #[serde(default)]
        apps: Vec<String>,
    },
    /// Multiplicative log-normal noise on the metrics the engine sees.
    MetricNoise {
        /// Spread of the noise.
        sigma: f64,
        /// Window start (default: the start).
        #[serde(default)]
        from: Dur,
        /// Window end (default: the end).
        #[serde(default)]
        to: Option<Dur>,
    },
}

/// A maintenance window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceSpec {
    /// Name shown in skip reasons.
    pub name: String,
    /// Start, from the start of the run.
    pub start: Dur,
    /// End, from the start of the run.
    pub end: Dur,
    /// Layers it stops (default: all).
    #[serde(default)]
    pub layers: Vec<ResourceLayer>,
}

/// A change of configuration during the run: values set by path in this
/// scenario, for example `"policies.web.thresholds[0].scale_up_threshold" = 70`.
/// Only `policies.*` and `engine.*` may change during a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSpec {
    /// When, from the start.
    pub at: Dur,
    /// Path → new value.
    pub set: BTreeMap<String, toml::Value>,
}
