//! Metrics from the OmniCloud REST surface.
//!
//! - `app_instance:<app>`: the app's instances; of the `running` ones,
//!   mean `cpu_usage` → `cpu_percent`, mean `memory_usage` →
//!   `memory_percent` (percent; instances reporting no value are left out
//!   of the mean), and their count → `instances`.
//! - `worker_node:<pool>`: the pool's workers whose status counts as
//!   capacity; reserved ÷ total CPU → `cpu_percent`, reserved ÷ total memory
//!   → `memory_percent` (percent), and their count → `workers`.
//! - `platform_component:<name>`: `Unsupported` (OmniCloud has no API for it).

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::api::{Instance, Worker};
use super::client::OmniCloudClient;
use super::{OmniCloudError, WorkerPoolConfig};
use crate::adapters::resources::{ResourceTypes, resource_name};
use crate::callbacks::{CallbackContext, MetricsProvider};
use crate::error::{LighthouseError, LighthouseResult};
use crate::types::{ResourceLayer, ResourceMetrics};

/// Pulls metrics from the orchestrator. See the module documentation.
#[derive(Clone, Debug)]
pub struct OmniCloudMetricsProvider {
    client: OmniCloudClient,
    types: ResourceTypes,
}

/// What the running instances of an app say.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AppUsage {
    /// Running instances.
    pub running: u32,
    /// Mean CPU of running instances, percent (`None` when none reports it).
    pub cpu_percent: Option<f64>,
    /// Mean memory of running instances, percent.
    pub memory_percent: Option<f64>,
}

/// Counts and averages the running instances.
pub fn app_usage(instances: &[Instance]) -> AppUsage {
    let running: Vec<&Instance> = instances.iter().filter(|i| i.is_running()).collect();
    let mean = |pick: fn(&Instance) -> Option<f64>| {
        let values: Vec<f64> = running
            .iter()
            .filter_map(|i| pick(i))
            .filter(|v| v.is_finite())
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    AppUsage {
        running: running.len() as u32,
        cpu_percent: mean(|i| i.cpu_usage),
        memory_percent: mean(|i| i.memory_usage),
    }
}

/// The workers of pool `pool` whose status counts as capacity.
pub fn pool_members<'a>(
    config: &WorkerPoolConfig,
    pool: &str,
    workers: &'a [Worker],
) -> Vec<&'a Worker> {
    workers
        .iter()
        .filter(|w| config.selects(pool, w) && config.counts(w))
        .collect()
}

fn reserved_percent(
    members: &[&Worker],
    pick: fn(&Worker) -> (Option<f64>, Option<f64>),
) -> Option<f64> {
    let (mut reserved, mut total) = (0.0, 0.0);
    for w in members {
        if let (Some(r), Some(t)) = pick(w) {
            reserved += r;
            total += t;
        }
    }
    (total > 0.0).then(|| 100.0 * reserved / total)
}

impl OmniCloudMetricsProvider {
    /// A provider over `client`; `types` says the type of each resource.
    pub fn new(client: OmniCloudClient, types: ResourceTypes) -> Self {
        OmniCloudMetricsProvider { client, types }
    }

    /// The capacity OmniCloud shows for a resource: running instances of
    /// an app, or counted workers of a pool.
    pub async fn capacity(&self, resource_id: &str) -> LighthouseResult<Option<u32>> {
        let (layer, name) = split(resource_id)?;
        let result = match layer {
            ResourceLayer::AppInstance => self.app(name).await.map(|u| u.running),
            ResourceLayer::WorkerNode => self.pool(name).await.map(|m| m.len() as u32),
            ResourceLayer::PlatformComponent => return Err(unsupported(resource_id)),
        };
        result
            .map(Some)
            .map_err(|e| e.into_capacity_error(resource_id))
    }

    async fn app(&self, name: &str) -> Result<AppUsage, OmniCloudError> {
        let app = self.client.resolve_app(name).await?;
        Ok(app_usage(&self.client.instances(&app).await?))
    }

    async fn pool(&self, name: &str) -> Result<Vec<Worker>, OmniCloudError> {
        let config = self.client.config().pool(name);
        let workers = self.client.workers().await?;
        Ok(pool_members(&config, name, &workers)
            .into_iter()
            .cloned()
            .collect())
    }
}

fn split(resource_id: &str) -> LighthouseResult<(ResourceLayer, &str)> {
    match (
        ResourceLayer::of_resource_id(resource_id),
        resource_name(resource_id),
    ) {
        (Some(layer), Some(name)) => Ok((layer, name)),
        _ => Err(LighthouseError::InvalidResourceId {
            resource_id: resource_id.to_string(),
        }),
    }
}

pub(super) fn unsupported(resource_id: &str) -> LighthouseError {
    LighthouseError::Unsupported {
        resource_id: resource_id.to_string(),
        operation: "reading or scaling platform components through OmniCloud".to_string(),
    }
}

#[async_trait]
impl MetricsProvider for OmniCloudMetricsProvider {
    async fn get_metrics(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        let (layer, name) = split(resource_id)?;
        let mut metrics = BTreeMap::new();
        match layer {
            ResourceLayer::AppInstance => {
                let usage = self
                    .app(name)
                    .await
                    .map_err(|e| e.into_metrics_error(resource_id))?;
                metrics.insert("instances".to_string(), f64::from(usage.running));
                if let Some(cpu) = usage.cpu_percent {
                    metrics.insert("cpu_percent".to_string(), cpu);
                }
                if let Some(memory) = usage.memory_percent {
                    metrics.insert("memory_percent".to_string(), memory);
                }
            }
            ResourceLayer::WorkerNode => {
                let members = self
                    .pool(name)
                    .await
                    .map_err(|e| e.into_metrics_error(resource_id))?;
                let members: Vec<&Worker> = members.iter().collect();
                metrics.insert("workers".to_string(), members.len() as f64);
                if let Some(cpu) = reserved_percent(&members, |w| (w.cpu_reserved, w.cpu_total)) {
                    metrics.insert("cpu_percent".to_string(), cpu);
                }
                if let Some(memory) =
                    reserved_percent(&members, |w| (w.memory_reserved, w.memory_total))
                {
                    metrics.insert("memory_percent".to_string(), memory);
                }
            }
            ResourceLayer::PlatformComponent => return Err(unsupported(resource_id)),
        }
        Ok(Some(ResourceMetrics {
            resource_id: resource_id.to_string(),
            resource_type: self
                .types
                .type_of(resource_id)
                .unwrap_or_else(|| layer.prefix().to_string()),
            timestamp: context.timestamp,
            metrics,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(status: &str, cpu: Option<f64>, memory: Option<f64>) -> Instance {
        Instance {
            id: String::new(),
            status: status.to_string(),
            cpu_usage: cpu,
            memory_usage: memory,
        }
    }

    #[test]
    fn only_running_instances_count_and_average() {
        let usage = app_usage(&[
            instance("running", Some(40.0), Some(10.0)),
            instance("running", Some(80.0), None),
            instance("starting", Some(99.0), Some(99.0)),
            instance("crashed", Some(0.0), Some(0.0)),
        ]);
        assert_eq!(usage.running, 2);
        assert_eq!(usage.cpu_percent, Some(60.0));
        assert_eq!(usage.memory_percent, Some(10.0));
        assert_eq!(app_usage(&[]).cpu_percent, None);
    }

    #[test]
    fn pools_select_by_label_and_status() {
        let worker = |pool: &str, status: &str| Worker {
            status: status.to_string(),
            labels: serde_json::json!({ "pool": pool }),
            cpu_total: Some(4.0),
            cpu_reserved: Some(1.0),
            ..Worker::default()
        };
        let workers = [
            worker("a", "running"),
            worker("a", "terminated"),
            worker("b", "running"),
        ];
        let config = WorkerPoolConfig {
            label: Some("pool".to_string()),
            ..WorkerPoolConfig::default()
        };
        let members = pool_members(&config, "a", &workers);
        assert_eq!(members.len(), 1);
        assert_eq!(
            reserved_percent(&members, |w| (w.cpu_reserved, w.cpu_total)),
            Some(25.0)
        );
        let all = pool_members(&WorkerPoolConfig::default(), "a", &workers);
        assert_eq!(all.len(), 2);
    }
}
