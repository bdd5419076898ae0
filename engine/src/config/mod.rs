//! Configuration: what users write (TOML, YAML or JSON), how it is validated,
//! and the history of accepted versions.
//!
//! - [`policy`]: scaling policies and their rules.
//! - [`validate`]: checks run before a configuration takes effect.
//! - [`load`]: reading files, with errors that give the line.
//! - [`builder`]: the [`LighthouseConfigBuilder`].
//! - [`history`]: accepted versions and rollback.

pub mod builder;
pub mod history;
pub mod load;
pub mod policy;
pub mod validate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;
use crate::types::ResourceLayer;

pub use builder::LighthouseConfigBuilder;
pub use history::{ConfigHistory, ConfigVersion};
pub use load::{ConfigFormat, ConfigLoadError, load_config_file, parse_config};
pub use policy::*;
pub use validate::{ConfigError, ConfigIssue};

/// Policies for one type of resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceConfig {
    /// The type's name; the same as its key in
    /// [`LighthouseConfig::resource_configs`] (filled in from the key when empty).
    #[serde(default)]
    pub resource_type: String,
    /// The layer resources of this type belong to. May be omitted when the
    /// type is named after a layer (`app_instance`, `worker_node`,
    /// `platform_component`). Cooldown bounds and the high-availability
    /// floor depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<ResourceLayer>,
    /// The type's policies.
    pub policies: Vec<ScalingPolicy>,
    /// The policy in force; required when there are several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_policy: Option<String>,
    /// Engine-level cost of one unit (instance or worker) in currency per
    /// hour, used by the budget check on scale-ups (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_per_hour: Option<f64>,
    /// Free-form parameters for the executor (a platform id, memory per
    /// instance…), passed along in every [`crate::ScaleAction::metadata`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, String>,
}

impl ResourceConfig {
    /// A config with one policy, which is also its default.
    pub fn new(resource_type: &str, layer: ResourceLayer, policy: ScalingPolicy) -> Self {
        ResourceConfig {
            resource_type: resource_type.to_string(),
            layer: Some(layer),
            default_policy: Some(policy.name.clone()),
            policies: vec![policy],
            unit_cost_per_hour: None,
            settings: BTreeMap::new(),
        }
    }

    /// The layer, explicit or named by the type.
    pub fn effective_layer(&self) -> Option<ResourceLayer> {
        self.layer.or_else(|| {
            ResourceLayer::ALL
                .into_iter()
                .find(|layer| layer.prefix() == self.resource_type)
        })
    }

    /// The policy in force: the default one, or the only one.
    pub fn active_policy(&self) -> Option<&ScalingPolicy> {
        match &self.default_policy {
            Some(name) => self.policies.iter().find(|p| &p.name == name),
            None if self.policies.len() == 1 => self.policies.first(),
            None => None,
        }
    }
}

/// A period when nothing may be executed.
///
/// Either absolute (`start` and `end`) or recurring (`weekly`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceWindow {
    /// Shown as the skip reason's detail.
    #[serde(default)]
    pub name: String,
    /// Absolute start, Unix epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// Absolute end (exclusive), Unix epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    /// A recurring window instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly: Option<WeeklyWindow>,
    /// Layers it applies to; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<ResourceLayer>,
}

/// Safety limits checked inside the engine before anything is executed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyConfig {
    /// Periods when nothing is executed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance_windows: Vec<MaintenanceWindow>,
    /// Highest allowed spending rate, currency per hour: a scale-up whose
    /// added cost would take the rate past it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_limit_per_hour: Option<f64>,
    /// Fewest instances of any platform component (at least 3, the
    /// high-availability floor).
    #[serde(default = "default_platform_min")]
    pub platform_min_instances: u32,
}

fn default_platform_min() -> u32 {
    3
}

impl Default for SafetyConfig {
    fn default() -> Self {
        SafetyConfig {
            maintenance_windows: Vec::new(),
            budget_limit_per_hour: None,
            platform_min_instances: default_platform_min(),
        }
    }
}

/// Exponential back-off after a failed execution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Delay after the first failure, seconds.
    #[serde(default = "default_retry_base")]
    pub base_delay_seconds: f64,
    /// Longest delay, seconds.
    #[serde(default = "default_retry_max")]
    pub max_delay_seconds: f64,
    /// Growth of the delay per further failure.
    #[serde(default = "default_retry_multiplier")]
    pub multiplier: f64,
    /// Random spread of each delay, as a fraction of it (0 to 1).
    #[serde(default = "default_retry_jitter")]
    pub jitter: f64,
    /// Seed of the jitter generator, so retries are reproducible.
    #[serde(default)]
    pub seed: u64,
}

fn default_retry_base() -> f64 {
    5.0
}
fn default_retry_max() -> f64 {
    300.0
}
fn default_retry_multiplier() -> f64 {
    2.0
}
fn default_retry_jitter() -> f64 {
    0.2
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            base_delay_seconds: default_retry_base(),
            max_delay_seconds: default_retry_max(),
            multiplier: default_retry_multiplier(),
            jitter: default_retry_jitter(),
            seed: 0,
        }
    }
}

/// How metric samples are checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// A sample older than this many seconds is stale and triggers nothing.
    #[serde(default = "default_max_age")]
    pub max_age_seconds: u64,
    /// Metrics that may be negative; every other metric refuses negative values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signed_metrics: Vec<String>,
}

fn default_max_age() -> u64 {
    120
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            max_age_seconds: default_max_age(),
            signed_metrics: Vec::new(),
        }
    }
}

/// The whole engine configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LighthouseConfig {
    /// Seconds between evaluation cycles (default 30).
    #[serde(default = "default_interval")]
    pub evaluation_interval_seconds: u64,
    /// Resource type → its policies.
    #[serde(default)]
    pub resource_configs: BTreeMap<String, ResourceConfig>,
    /// Free-form parameters passed to every callback in
    /// [`crate::CallbackContext::metadata`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub global_settings: BTreeMap<String, String>,
    /// Whether the runtime logs decisions through `tracing` (default true).
    #[serde(default = "default_true")]
    pub enable_logging: bool,
    /// Safety limits.
    #[serde(default)]
    pub safety: SafetyConfig,
    /// Back-off after failed executions.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Sample checks.
    #[serde(default)]
    pub metrics: MetricsConfig,
}

fn default_interval() -> u64 {
    30
}

fn default_true() -> bool {
    true
}

impl Default for LighthouseConfig {
    fn default() -> Self {
        LighthouseConfig {
            evaluation_interval_seconds: default_interval(),
            resource_configs: BTreeMap::new(),
            global_settings: BTreeMap::new(),
            enable_logging: true,
            safety: SafetyConfig::default(),
            retry: RetryConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

impl LighthouseConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> LighthouseConfigBuilder {
        LighthouseConfigBuilder::default()
    }
}
