//! Applies scale actions to OmniCloud.
//!
//! - `app_instance:<app>`: `PUT …/apps/<id>/scale` with the absolute
//!   target and the memory per instance (the action's `memory_mb` setting,
//!   else the app's entry, else the default). Capacity: running instances.
//! - `worker_node:<pool>`: one OmniDirector `create_vm` per worker added,
//!   one `delete_vm` per worker removed, chosen among the pool's workers
//!   that are not labelled critical (least reserved CPU first). Capacity:
//!   the pool's counted workers, plus VMs created (or whose creation answer
//!   was lost) that have not shown up as workers yet, for a grace period,
//!   so a lost answer never provisions twice.
//! - `platform_component:<name>`: `Unsupported`.
//!
//! VM parameters come from the pool's entry, overridden by the action's
//! settings `provider`, `memory_mb`, `cpu_count`, `disk_size_gb`, `os_type`.
//! Settings `app_id` and `platform_id`, when present, must agree with the
//! app the adapter resolved, or nothing is done.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde_json::json;

use super::api::Worker;
use super::client::{AppRef, OmniCloudClient};
use super::metrics::{app_usage, pool_members, unsupported};
use super::{OmniCloudError, WorkerPoolConfig};
use crate::adapters::http::HttpError;
use crate::adapters::resources::resource_name;
use crate::callbacks::{CallbackContext, ScalingExecutor};
use crate::error::{LighthouseError, LighthouseResult};
use crate::time::{Span, Timestamp};
use crate::types::{ResourceLayer, ScaleAction};

/// A VM asked for that has not shown up as a worker yet.
#[derive(Clone, Debug, PartialEq)]
struct Provisioning {
    pool: String,
    name: String,
    vm_id: Option<String>,
    since: Timestamp,
}

/// Executes actions through the orchestrator and the director. See the
/// module documentation.
#[derive(Debug)]
pub struct OmniCloudExecutor {
    client: OmniCloudClient,
    provisioning: Mutex<Vec<Provisioning>>,
}

impl OmniCloudExecutor {
    /// An executor over `client`.
    pub fn new(client: OmniCloudClient) -> Self {
        OmniCloudExecutor {
            client,
            provisioning: Mutex::new(Vec::new()),
        }
    }

    /// The client.
    pub fn client(&self) -> &OmniCloudClient {
        &self.client
    }

    /// VMs of a pool created (or asked for) that have not shown up as
    /// workers yet.
    pub fn provisioning(&self, pool: &str) -> usize {
        self.provisioning
            .lock()
            .map(|p| p.iter().filter(|v| v.pool == pool).count())
            .unwrap_or(0)
    }

    /// Workers of `worker_node:<pool>` labelled critical, for
    /// [`crate::LighthouseHandle::set_protected_workers`].
    pub async fn critical_workers(&self, resource_id: &str) -> LighthouseResult<u32> {
        let pool = pool_name(resource_id)?;
        let config = self.client.config().pool(pool);
        let workers = self
            .client
            .workers()
            .await
            .map_err(|e| e.into_capacity_error(resource_id))?;
        Ok(pool_members(&config, pool, &workers)
            .iter()
            .filter(|w| config.is_critical(w))
            .count() as u32)
    }

    async fn scale_app(&self, name: &str, action: &ScaleAction) -> LighthouseResult<bool> {
        let id = &action.resource_id;
        let app = self
            .client
            .resolve_app(name)
            .await
            .map_err(|e| e.into_executor_error(id))?;
        agree(id, &action.metadata, "app_id", &app.app_id)?;
        agree(id, &action.metadata, "platform_id", &app.platform_id)?;
        let config = self.client.config();
        let memory = match setting(id, &action.metadata, "memory_mb")? {
            Some(mb) => mb,
            None => config
                .apps
                .get(name)
                .and_then(|a| a.memory_mb)
                .unwrap_or(config.default_memory_mb),
        };
        self.client
            .scale_app(&app, action.target_capacity, memory)
            .await
            .map_err(|e| e.into_executor_error(id))?;
        tracing::info!(resource_id = %id, app_id = %app.app_id, target = action.target_capacity, "scaled app");
        Ok(true)
    }

    async fn app_capacity(&self, name: &str) -> Result<u32, OmniCloudError> {
        let app: AppRef = self.client.resolve_app(name).await?;
        Ok(app_usage(&self.client.instances(&app).await?).running)
    }

    async fn pool_capacity(&self, pool: &str, now: Timestamp) -> Result<u32, OmniCloudError> {
        let config = self.client.config().pool(pool);
        let workers = self.client.workers().await?;
        let members = pool_members(&config, pool, &workers).len() as u32;
        let grace = Span::from_secs(config.provisioning_grace_seconds);
        let pending = match self.provisioning.lock() {
            Ok(mut list) => {
                list.retain(|p| {
                    let seen = workers.iter().any(|w| registers(w, p));
                    let expired = p.pool == pool && now.since(p.since) > grace;
                    if expired && !seen {
                        tracing::warn!(pool, vm = %p.name, "VM never showed up as a worker; no longer counted");
                    }
                    !seen && !expired
                });
                list.iter().filter(|p| p.pool == pool).count() as u32
            }
            Err(_) => 0,
        };
        Ok(members + pending)
    }

    async fn scale_pool(
        &self,
        pool: &str,
        action: &ScaleAction,
        now: Timestamp,
    ) -> LighthouseResult<bool> {
        let config = self.client.config().pool(pool);
        let (current, target) = (action.current_capacity, action.target_capacity);
        if target > current {
            self.add_workers(pool, &config, action, target - current, now)
                .await
        } else if target < current {
            self.remove_workers(pool, &config, action, current - target)
                .await
        } else {
            Ok(true)
        }
    }

    async fn add_workers(
        &self,
        pool: &str,
        config: &WorkerPoolConfig,
        action: &ScaleAction,
        count: u32,
        now: Timestamp,
    ) -> LighthouseResult<bool> {
        let id = &action.resource_id;
        let meta = &action.metadata;
        let provider = meta.get("provider").cloned().or(config.provider.clone());
        let memory_mb = setting(id, meta, "memory_mb")?.unwrap_or(config.memory_mb);
        let cpu_count = setting(id, meta, "cpu_count")?.unwrap_or(config.cpu_count);
        let disk_size_gb = setting(id, meta, "disk_size_gb")?.unwrap_or(config.disk_size_gb);
        let os_type = meta.get("os_type").unwrap_or(&config.os_type).clone();
        let prefix = config
            .name_prefix
            .clone()
            .unwrap_or_else(|| format!("lighthouse-{pool}"));
        let create = self
            .client
            .config()
            .director
            .as_ref()
            .map_or("create_vm", |d| d.create_action.as_str())
            .to_string();
        for n in 0..count {
            let name = format!("{prefix}-{}-{n}", now.as_millis());
            // Counted before the call, so that a lost answer still counts.
            self.track(Provisioning {
                pool: pool.to_string(),
                name: name.clone(),
                vm_id: None,
                since: now,
            });
            let params = json!({
                "name": name,
                "memory_mb": memory_mb,
                "cpu_count": cpu_count,
                "disk_size_gb": disk_size_gb,
                "os_type": os_type,
            });
            match self
                .client
                .director_action(provider.as_deref(), &create, params)
                .await
            {
                Ok(result) => {
                    let vm_id = result.get("vm_id").map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    self.update(&name, |p| p.vm_id = vm_id.clone());
                    tracing::info!(resource_id = %id, vm = %name, "created VM");
                }
                Err(error) => {
                    if !ambiguous(&error) {
                        self.untrack(&name);
                    }
                    return Err(partial(id, "created", n, count, error));
                }
            }
        }
        Ok(true)
    }

    async fn remove_workers(
        &self,
        pool: &str,
        config: &WorkerPoolConfig,
        action: &ScaleAction,
        count: u32,
    ) -> LighthouseResult<bool> {
        let id = &action.resource_id;
        let workers = self
            .client
            .workers()
            .await
            .map_err(|e| e.into_executor_error(id))?;
        let mut removable: Vec<&Worker> = pool_members(config, pool, &workers)
            .into_iter()
            .filter(|w| !config.is_critical(w))
            .collect();
        if removable.is_empty() {
            tracing::warn!(resource_id = %id, "no worker may be removed: all are critical or none is listed");
            return Ok(false);
        }
        // Least reserved first; then the most recent name.
        removable.sort_by(|a, b| {
            let key = |w: &Worker| {
                (
                    w.cpu_reserved.unwrap_or(0.0),
                    w.memory_reserved.unwrap_or(0.0),
                )
            };
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| b.name.cmp(&a.name))
        });
        let delete = self
            .client
            .config()
            .director
            .as_ref()
            .map_or("delete_vm", |d| d.delete_action.as_str())
            .to_string();
        let provider = action
            .metadata
            .get("provider")
            .cloned()
            .or(config.provider.clone());
        let chosen = removable.len().min(count as usize);
        for (n, worker) in removable.iter().take(chosen).enumerate() {
            let params = json!({ "vm_id": worker.vm_id() });
            if let Err(error) = self
                .client
                .director_action(provider.as_deref(), &delete, params)
                .await
            {
                return Err(partial(id, "deleted", n as u32, count, error));
            }
            tracing::info!(resource_id = %id, worker = %worker.name, "deleted VM");
        }
        if chosen < count as usize {
            return Err(LighthouseError::Executor {
                resource_id: id.clone(),
                message: format!(
                    "deleted {chosen} of {count} workers: the others run critical platform workloads"
                ),
            });
        }
        Ok(true)
    }

    fn track(&self, p: Provisioning) {
        if let Ok(mut list) = self.provisioning.lock() {
            list.push(p);
        }
    }

    fn untrack(&self, name: &str) {
        if let Ok(mut list) = self.provisioning.lock() {
            list.retain(|p| p.name != name);
        }
    }

    fn update(&self, name: &str, f: impl Fn(&mut Provisioning)) {
        if let Ok(mut list) = self.provisioning.lock() {
            list.iter_mut().filter(|p| p.name == name).for_each(f);
        }
    }
}

/// Whether a listed worker is the VM asked for.
fn registers(worker: &Worker, p: &Provisioning) -> bool {
    worker.name == p.name
        || p.vm_id
            .as_deref()
            .is_some_and(|id| worker.provider_id == id || worker.id == id)
}

/// Whether a failed call may still have taken effect (its answer was lost).
fn ambiguous(error: &OmniCloudError) -> bool {
    matches!(
        error,
        OmniCloudError::Http(HttpError::Timeout { .. } | HttpError::Transport { .. })
    )
}

/// The error of a loop that did `done` of `count` steps; a timeout on the
/// first step stays a `Timeout`.
fn partial(
    resource_id: &str,
    verb: &str,
    done: u32,
    count: u32,
    error: OmniCloudError,
) -> LighthouseError {
    if done == 0 {
        return error.into_executor_error(resource_id);
    }
    LighthouseError::Executor {
        resource_id: resource_id.to_string(),
        message: format!("{verb} {done} of {count} VMs, then: {error}"),
    }
}

fn pool_name(resource_id: &str) -> LighthouseResult<&str> {
    match (
        ResourceLayer::of_resource_id(resource_id),
        resource_name(resource_id),
    ) {
        (Some(ResourceLayer::WorkerNode), Some(name)) => Ok(name),
        _ => Err(LighthouseError::InvalidResourceId {
            resource_id: resource_id.to_string(),
        }),
    }
}

/// A whole-number setting, `None` when absent.
fn setting(
    resource_id: &str,
    metadata: &BTreeMap<String, String>,
    key: &str,
) -> LighthouseResult<Option<u32>> {
    metadata
        .get(key)
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| LighthouseError::Executor {
                    resource_id: resource_id.to_string(),
                    message: format!("setting {key} = {v:?} is not a positive whole number"),
                })
        })
        .transpose()
}

/// A setting that, when present, must equal what the adapter resolved.
fn agree(
    resource_id: &str,
    metadata: &BTreeMap<String, String>,
    key: &str,
    resolved: &str,
) -> LighthouseResult<()> {
    match metadata.get(key) {
        Some(v) if v.trim() != resolved => Err(LighthouseError::Executor {
            resource_id: resource_id.to_string(),
            message: format!(
                "setting {key} = {v:?} disagrees with the adapter's {resolved:?}; nothing done"
            ),
        }),
        _ => Ok(()),
    }
}

#[async_trait]
impl ScalingExecutor for OmniCloudExecutor {
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        context: &CallbackContext,
    ) -> LighthouseResult<bool> {
        let id = action.resource_id.as_str();
        let name = resource_name(id).ok_or_else(|| LighthouseError::InvalidResourceId {
            resource_id: id.to_string(),
        })?;
        match ResourceLayer::of_resource_id(id) {
            Some(ResourceLayer::AppInstance) => self.scale_app(name, action).await,
            Some(ResourceLayer::WorkerNode) => {
                self.scale_pool(name, action, context.timestamp).await
            }
            Some(ResourceLayer::PlatformComponent) => Err(unsupported(id)),
            None => Err(LighthouseError::InvalidResourceId {
                resource_id: id.to_string(),
            }),
        }
    }

    async fn get_current_capacity(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        let name =
            resource_name(resource_id).ok_or_else(|| LighthouseError::InvalidResourceId {
                resource_id: resource_id.to_string(),
            })?;
        let result = match ResourceLayer::of_resource_id(resource_id) {
            Some(ResourceLayer::AppInstance) => self.app_capacity(name).await,
            Some(ResourceLayer::WorkerNode) => self.pool_capacity(name, context.timestamp).await,
            _ => return Err(unsupported(resource_id)),
        };
        result
            .map(Some)
            .map_err(|e| e.into_capacity_error(resource_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_must_be_positive_whole_numbers() {
        let meta: BTreeMap<String, String> = [
            ("memory_mb".to_string(), "1024".to_string()),
            ("cpu_count".to_string(), "two".to_string()),
            ("app_id".to_string(), "7".to_string()),
        ]
        .into();
        assert_eq!(setting("r", &meta, "memory_mb").unwrap(), Some(1024));
        assert_eq!(setting("r", &meta, "disk_size_gb").unwrap(), None);
        let e = setting("r", &meta, "cpu_count").unwrap_err();
        assert!(e.to_string().contains("cpu_count"), "{e}");
        assert!(agree("r", &meta, "app_id", "7").is_ok());
        assert!(agree("r", &meta, "app_id", "8").is_err());
        assert!(agree("r", &meta, "platform_id", "1").is_ok());
    }

    #[test]
    fn only_lost_answers_are_ambiguous() {
        let timeout = OmniCloudError::Http(HttpError::Timeout {
            method: "POST".into(),
            url: "u".into(),
            seconds: 1.0,
        });
        let refused = OmniCloudError::Refused {
            action: "create_vm".into(),
            message: "quota".into(),
        };
        assert!(ambiguous(&timeout));
        assert!(!ambiguous(&refused));
        let e = partial("worker_node:a", "created", 1, 3, refused);
        assert!(e.to_string().contains("created 1 of 3"), "{e}");
        assert!(matches!(
            partial("worker_node:a", "created", 0, 3, timeout),
            LighthouseError::Timeout { .. }
        ));
    }
}
