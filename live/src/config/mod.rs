//! `live.toml`: what live mode runs (the engine configuration, the
//! resources, the adapters, the management API, state and shadow
//! recording), loaded with errors that name the field and its line.
//!
//! - [`load`]: reading and parsing, paths made relative to the file.
//! - [`validate`]: the checks, each naming a field path such as
//!   `resources[2].type` or `omnicloud.director`.

pub mod load;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use lighthouse_engine::adapters::{OmniCloudConfig, PrometheusConfig};
use lighthouse_engine::{LighthouseConfig, MetricsSource, ResourceLayer};
use serde::{Deserialize, Serialize};

pub use load::{LiveConfigError, load_live_config, parse_live_config};

/// The whole live configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveConfig {
    /// The engine configuration file (TOML, YAML or JSON), relative to
    /// this file's directory; or give it inline as `[engine]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_config: Option<PathBuf>,
    /// The engine configuration, inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<LighthouseConfig>,
    /// The resources the engine tracks from the start.
    #[serde(default)]
    pub resources: Vec<ResourceEntry>,
    /// Where pulled metrics come from.
    #[serde(default)]
    pub metrics: MetricsSection,
    /// The Prometheus HTTP API, when metrics come from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prometheus: Option<PrometheusConfig>,
    /// The OmniCloud orchestrator (and director): capacity and actions.
    pub omnicloud: OmniCloudConfig,
    /// The management API.
    #[serde(default)]
    pub api: ApiSection,
    /// Where the engine's state is kept across restarts.
    #[serde(default)]
    pub state: StateSection,
    /// What shadow mode records.
    #[serde(default)]
    pub shadow: ShadowSection,
}

impl LiveConfig {
    /// The engine configuration, once loaded (inline, or read from
    /// `engine_config` by [`load_live_config`]).
    pub fn engine_config(&self) -> Option<&LighthouseConfig> {
        self.engine.as_ref()
    }
}

/// One tracked resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceEntry {
    /// The resource id, e.g. `app_instance:web` or `worker_node:general`.
    pub id: String,
    /// Its type (a key of the engine's `resource_configs`); default the
    /// layer's name (`app_instance`, `worker_node`, `platform_component`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// `pull` (the engine asks the metrics provider every cycle, the
    /// default) or `push` (metrics come through `POST /metrics`).
    #[serde(default = "pull")]
    pub source: MetricsSource,
    /// Requests per second one instance serves, for shadow timelines
    /// (default `shadow.service_rate_rps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_rate_rps: Option<f64>,
}

fn pull() -> MetricsSource {
    MetricsSource::Pull
}

impl ResourceEntry {
    /// The type, explicit or the layer's name.
    pub fn type_name(&self) -> Option<String> {
        self.resource_type
            .clone()
            .or_else(|| ResourceLayer::of_resource_id(&self.id).map(|l| l.prefix().to_string()))
    }
}

/// A source of pulled metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// PromQL through the Prometheus HTTP API.
    #[default]
    Prometheus,
    /// Instance and worker usage from the OmniCloud REST API.
    Omnicloud,
    /// Nothing is pulled (metrics are pushed).
    None,
}

/// Where pulled metrics come from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSection {
    /// The provider for every resource type not listed in `by_type`.
    #[serde(default)]
    pub provider: ProviderKind,
    /// Resource type → its provider.
    #[serde(default)]
    pub by_type: BTreeMap<String, ProviderKind>,
}

impl MetricsSection {
    /// The provider of a resource type.
    pub fn provider_for(&self, resource_type: &str) -> ProviderKind {
        self.by_type
            .get(resource_type)
            .copied()
            .unwrap_or(self.provider)
    }
}

/// Who may reach `GET /metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScrapeAuth {
    /// Anyone who can reach the port (Prometheus scrapes usually send no
    /// token; keep the API on a private address).
    #[default]
    None,
    /// A bearer token with the viewer role (Prometheus's `authorization`).
    Viewer,
}

/// The management API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApiSection {
    /// Address to listen on, e.g. `127.0.0.1:8088` (port 0: any free port).
    pub listen: String,
    /// Token file: lines `token role name`, or TOML `[[tokens]]` when it
    /// ends in `.toml`; relative to this file's directory.
    pub tokens_file: Option<PathBuf>,
    /// Environment variable holding more tokens, in the line format
    /// (lines or `;`-separated).
    pub tokens_env: Option<String>,
    /// Who may scrape `GET /metrics`.
    pub scrape_auth: ScrapeAuth,
    /// Largest request body, bytes (larger: 413).
    pub max_body_bytes: usize,
    /// The audit log (JSON lines), relative to this file's directory.
    pub audit_log: PathBuf,
    /// A file to write the bound address into (`127.0.0.1:41234`) once the
    /// API listens, for scripts that start it on port 0; relative to this
    /// file's directory.
    pub address_file: Option<PathBuf>,
}

impl Default for ApiSection {
    fn default() -> Self {
        ApiSection {
            listen: "127.0.0.1:8088".to_string(),
            tokens_file: None,
            tokens_env: Some("LIGHTHOUSE_API_TOKENS".to_string()),
            scrape_auth: ScrapeAuth::None,
            max_body_bytes: 1 << 20,
            audit_log: PathBuf::from("audit.jsonl"),
            address_file: None,
        }
    }
}

/// Where the engine's state is kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StateSection {
    /// The state file (JSON), relative to this file's directory.
    pub path: PathBuf,
    /// Longest time between two saves, seconds (it is also saved after
    /// every change).
    pub save_interval_seconds: u64,
}

impl Default for StateSection {
    fn default() -> Self {
        StateSection {
            path: PathBuf::from("lighthouse-state.json"),
            save_interval_seconds: 60,
        }
    }
}

/// What shadow mode records in its run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ShadowSection {
    /// The run directory (default `shadow-<start ms>` beside this file).
    pub run_dir: Option<PathBuf>,
    /// Scenario name in `run.json`.
    pub scenario: String,
    /// Time between two timeline samples, seconds (default the
    /// evaluation interval).
    pub sample_interval_seconds: Option<f64>,
    /// Time between two writes of the run directory, seconds (it is also
    /// written at shutdown).
    pub flush_interval_seconds: u64,
    /// Requests per second one instance serves, for resources that do not
    /// say.
    pub service_rate_rps: f64,
    /// The metric holding an app's offered load, requests per second.
    pub demand_metric: String,
    /// The metric holding an app's latency percentile, milliseconds.
    pub latency_metric: String,
    /// The latency objective, milliseconds.
    pub slo_latency_ms: f64,
    /// Which percentile `latency_metric` is, percent.
    pub slo_latency_percentile: f64,
    /// The drop-rate objective, 0 to 1.
    pub slo_max_drop_rate: f64,
}

impl Default for ShadowSection {
    fn default() -> Self {
        ShadowSection {
            run_dir: None,
            scenario: "live-shadow".to_string(),
            sample_interval_seconds: None,
            flush_interval_seconds: 300,
            service_rate_rps: 100.0,
            demand_metric: "requests_per_second".to_string(),
            latency_metric: "latency_p95_ms".to_string(),
            slo_latency_ms: 250.0,
            slo_latency_percentile: 95.0,
            slo_max_drop_rate: 0.01,
        }
    }
}
