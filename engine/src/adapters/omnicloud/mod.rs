//! The OmniCloud adapters: configuration, the REST client, and the
//! metrics provider and executor built on it.
//!
//! - [`api`]: the answers read from the orchestrator and the director.
//! - [`client`]: [`OmniCloudClient`]: listings with paging, scaling,
//!   director actions.
//! - [`metrics`]: [`OmniCloudMetricsProvider`]: usage of running instances
//!   (apps) or reservations of workers (pools).
//! - [`executor`]: [`OmniCloudExecutor`]: absolute app scaling, VM
//!   provisioning and termination.
//!
//! Resource ids map onto OmniCloud as follows: `app_instance:<app>` is the
//! app named `<app>` on platform `platform_id` (its id from
//! `[apps.<app>] app_id`, else looked up by name in the app listing);
//! `worker_node:<pool>` is the set of workers selected by the pool's label
//! (every worker when the pool has no label); `platform_component:<name>` is
//! not scalable through OmniCloud's API (`Unsupported`).

pub mod api;
pub mod client;
pub mod executor;
pub mod metrics;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::http::{HttpError, HttpSettings};
use super::secret::Secret;
use crate::error::LighthouseError;

pub use client::OmniCloudClient;
pub use executor::OmniCloudExecutor;
pub use metrics::OmniCloudMetricsProvider;

/// How to reach OmniCloud and what the resources are there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OmniCloudConfig {
    /// The orchestrator's base URL, e.g. `http://orchestrator:8002`
    /// (routes are under `/api/v1`).
    pub url: String,
    /// Bearer token for the orchestrator (a JWT from `/auth/login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Environment variable holding the token (used when `token` is unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// The platform id apps live on, unless an app names its own.
    #[serde(default, deserialize_with = "opt_id")]
    pub platform_id: Option<String>,
    /// Items asked per page of a listing (both `page` and `per_page` are
    /// always sent: the orchestrator answers 400 without them).
    #[serde(default = "default_per_page")]
    pub per_page: u32,
    /// Memory per instance sent with a scale call when neither the action's
    /// `memory_mb` setting nor the app's entry gives one, MB.
    #[serde(default = "default_memory_mb")]
    pub default_memory_mb: u32,
    /// Timeouts and retries of orchestrator calls.
    #[serde(default)]
    pub http: HttpSettings,
    /// App name (after `app_instance:`) → where it is in OmniCloud.
    #[serde(default)]
    pub apps: BTreeMap<String, AppTarget>,
    /// OmniDirector, needed to scale worker pools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub director: Option<DirectorConfig>,
    /// Pool name (after `worker_node:`) → how to provision and count its
    /// workers; pools not listed use the defaults.
    #[serde(default)]
    pub pools: BTreeMap<String, WorkerPoolConfig>,
}

fn default_per_page() -> u32 {
    100
}

fn default_memory_mb() -> u32 {
    512
}

impl OmniCloudConfig {
    /// A configuration with defaults for everything but the URL.
    pub fn new(url: &str) -> Self {
        OmniCloudConfig {
            url: url.to_string(),
            token: None,
            token_env: None,
            platform_id: None,
            per_page: default_per_page(),
            default_memory_mb: default_memory_mb(),
            http: HttpSettings::default(),
            apps: BTreeMap::new(),
            director: None,
            pools: BTreeMap::new(),
        }
    }

    /// The token: `token`, else the variable `token_env` names.
    pub fn resolve_token(&self) -> Option<Secret> {
        self.token
            .clone()
            .or_else(|| self.token_env.as_deref().and_then(Secret::from_env))
    }

    /// A pool's settings (the defaults for a pool not listed).
    pub fn pool(&self, name: &str) -> WorkerPoolConfig {
        self.pools.get(name).cloned().unwrap_or_default()
    }
}

/// Where an app is in OmniCloud.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppTarget {
    /// The app's id; when absent it is looked up by name.
    #[serde(default, deserialize_with = "opt_id")]
    pub app_id: Option<String>,
    /// Its platform, when not the default one.
    #[serde(default, deserialize_with = "opt_id")]
    pub platform_id: Option<String>,
    /// Memory per instance for scale calls, MB.
    #[serde(default)]
    pub memory_mb: Option<u32>,
}

/// How to reach OmniDirector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectorConfig {
    /// Base URL, e.g. `http://director:8081`.
    pub url: String,
    /// The cloud provider interface (CPI) to use, e.g. `virtualbox`.
    pub provider: String,
    /// `timeout_seconds` sent with each action, seconds.
    #[serde(default = "default_action_timeout")]
    pub action_timeout_seconds: u64,
    /// Names of the VM actions (`create_vm`/`delete_vm`; older CPIs use
    /// `create_worker`/`delete_worker`).
    #[serde(default = "default_create")]
    pub create_action: String,
    /// See `create_action`.
    #[serde(default = "default_delete")]
    pub delete_action: String,
    /// Timeouts and retries of director calls (VM creation is slow).
    #[serde(default = "director_http")]
    pub http: HttpSettings,
}

fn default_action_timeout() -> u64 {
    60
}
fn default_create() -> String {
    "create_vm".to_string()
}
fn default_delete() -> String {
    "delete_vm".to_string()
}
fn director_http() -> HttpSettings {
    HttpSettings {
        timeout_ms: 90_000,
        ..HttpSettings::default()
    }
}

impl DirectorConfig {
    /// A director at `url` driving `provider`, with defaults.
    pub fn new(url: &str, provider: &str) -> Self {
        DirectorConfig {
            url: url.to_string(),
            provider: provider.to_string(),
            action_timeout_seconds: default_action_timeout(),
            create_action: default_create(),
            delete_action: default_delete(),
            http: director_http(),
        }
    }
}

/// How a worker pool's VMs are made, and which workers belong to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerPoolConfig {
    /// CPI for this pool, instead of the director's.
    pub provider: Option<String>,
    /// Memory of a new VM, MB.
    pub memory_mb: u32,
    /// CPUs of a new VM.
    pub cpu_count: u32,
    /// Disk of a new VM, GB.
    pub disk_size_gb: u32,
    /// Operating system of a new VM.
    pub os_type: String,
    /// New VMs are named `<prefix>-<time ms>-<n>` (default `lighthouse-<pool>`).
    pub name_prefix: Option<String>,
    /// Label key whose value must equal the pool name for a worker to
    /// belong to the pool; `None`: every worker belongs to it.
    pub label: Option<String>,
    /// Worker statuses that count as capacity (case-insensitive).
    pub capacity_statuses: Vec<String>,
    /// Label marking workers that run critical platform workloads; they
    /// are never terminated.
    pub critical_label: String,
    /// A VM created (or whose creation answer was lost) counts as capacity
    /// for this long until it shows up as a worker, seconds; so a lost
    /// answer is never provisioned twice.
    pub provisioning_grace_seconds: u64,
}

impl Default for WorkerPoolConfig {
    fn default() -> Self {
        WorkerPoolConfig {
            provider: None,
            memory_mb: 4096,
            cpu_count: 2,
            disk_size_gb: 40,
            os_type: "ubuntu".to_string(),
            name_prefix: None,
            label: None,
            capacity_statuses: [
                "running",
                "ready",
                "active",
                "online",
                "starting",
                "provisioning",
            ]
            .map(String::from)
            .to_vec(),
            critical_label: "critical".to_string(),
            provisioning_grace_seconds: 600,
        }
    }
}

impl WorkerPoolConfig {
    /// Whether `worker` belongs to pool `pool`.
    pub fn selects(&self, pool: &str, worker: &api::Worker) -> bool {
        match &self.label {
            Some(key) => worker.label(key).as_deref() == Some(pool),
            None => true,
        }
    }

    /// Whether `worker`'s status counts as capacity.
    pub fn counts(&self, worker: &api::Worker) -> bool {
        self.capacity_statuses
            .iter()
            .any(|s| s.eq_ignore_ascii_case(&worker.status))
    }

    /// Whether `worker` runs critical platform workloads.
    pub fn is_critical(&self, worker: &api::Worker) -> bool {
        worker.has_flag(&self.critical_label)
    }
}

/// Why an OmniCloud call failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OmniCloudError {
    /// The HTTP call failed.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// OmniDirector answered `success: false`.
    #[error("OmniDirector {action} failed: {message}")]
    Refused {
        /// The action.
        action: String,
        /// The director's `error`.
        message: String,
    },
    /// The configuration does not say how to reach the resource.
    #[error("{0}")]
    NotConfigured(String),
}

impl OmniCloudError {
    fn into_lighthouse(
        self,
        resource_id: &str,
        http: fn(HttpError, &str) -> LighthouseError,
        wrap: fn(String, String) -> LighthouseError,
    ) -> LighthouseError {
        match self {
            OmniCloudError::Http(e) => http(e, resource_id),
            other => wrap(resource_id.to_string(), other.to_string()),
        }
    }

    /// As an executor's error.
    pub fn into_executor_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(
            resource_id,
            |e, id| e.into_executor_error(id),
            |resource_id, message| LighthouseError::Executor {
                resource_id,
                message,
            },
        )
    }

    /// As a capacity reading's error.
    pub fn into_capacity_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(
            resource_id,
            |e, id| e.into_capacity_error(id),
            |resource_id, message| LighthouseError::CapacityUnknown {
                resource_id,
                message,
            },
        )
    }

    /// As a metrics provider's error.
    pub fn into_metrics_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(
            resource_id,
            |e, id| e.into_metrics_error(id),
            |resource_id, message| LighthouseError::MetricsProvider {
                resource_id,
                message,
            },
        )
    }
}

/// Ids may be written as numbers or strings.
fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Text(String),
        Number(i64),
    }
    Ok(Option::<Id>::deserialize(d)?.map(|id| match id {
        Id::Text(s) => s,
        Id::Number(n) => n.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_reads_from_toml_with_numeric_ids() {
        let config: OmniCloudConfig = toml::from_str(
            r#"
            url = "http://o:8002"
            platform_id = 1
            [apps.web]
            app_id = 42
            memory_mb = 1024
            [director]
            url = "http://d:8081"
            provider = "virtualbox"
            [pools.general]
            label = "pool"
            cpu_count = 8
            "#,
        )
        .unwrap();
        assert_eq!(config.platform_id.as_deref(), Some("1"));
        assert_eq!(config.apps["web"].app_id.as_deref(), Some("42"));
        assert_eq!(config.per_page, 100);
        assert_eq!(config.pool("general").cpu_count, 8);
        assert_eq!(config.pool("general").memory_mb, 4096);
        assert_eq!(config.pool("other"), WorkerPoolConfig::default());
        assert_eq!(config.director.unwrap().create_action, "create_vm");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let e = toml::from_str::<OmniCloudConfig>("url = \"http://o\"\nplatfrom_id = 1\n");
        assert!(e.unwrap_err().to_string().contains("platfrom_id"));
    }

    #[test]
    fn token_never_shows_in_debug() {
        let mut config = OmniCloudConfig::new("http://o");
        config.token = Some(Secret::new("s3cret"));
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
