//! The values that flow through the engine: metric samples in, scale actions out.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The three layers the engine scales, in the order one evaluation cycle
/// decides them: apps first, so that their new instances show up as pending
/// work before the worker layer is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceLayer {
    /// Instances of a user application: `app_instance:<app>`.
    AppInstance,
    /// Instances of a platform component (API server, scheduler, etcd…):
    /// `platform_component:<name>`. Never scaled below 3 instances.
    PlatformComponent,
    /// A pool of worker nodes: `worker_node:<pool>`.
    WorkerNode,
}

impl ResourceLayer {
    /// All layers, in evaluation order.
    pub const ALL: [ResourceLayer; 3] = [
        ResourceLayer::AppInstance,
        ResourceLayer::PlatformComponent,
        ResourceLayer::WorkerNode,
    ];

    /// The resource id prefix of this layer, without the colon.
    pub const fn prefix(self) -> &'static str {
        match self {
            ResourceLayer::AppInstance => "app_instance",
            ResourceLayer::PlatformComponent => "platform_component",
            ResourceLayer::WorkerNode => "worker_node",
        }
    }

    /// The layer named by a resource id's prefix, e.g. `app_instance:web` →
    /// [`ResourceLayer::AppInstance`]; `None` when the prefix is unknown or the
    /// name after the colon is empty.
    pub fn of_resource_id(resource_id: &str) -> Option<ResourceLayer> {
        let (prefix, rest) = resource_id.split_once(':')?;
        if rest.is_empty() {
            return None;
        }
        ResourceLayer::ALL
            .into_iter()
            .find(|layer| layer.prefix() == prefix)
    }

    /// Index of the layer in [`ResourceLayer::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ResourceLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// Which way a decision moves capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleDirection {
    /// Add capacity.
    Up,
    /// Remove capacity.
    Down,
    /// Keep capacity as it is.
    Maintain,
}

impl ScaleDirection {
    /// Lower-case name: `up`, `down`, `maintain`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ScaleDirection::Up => "up",
            ScaleDirection::Down => "down",
            ScaleDirection::Maintain => "maintain",
        }
    }
}

impl fmt::Display for ScaleDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One observation of a resource's metrics, pushed through the handle or
/// returned by [`crate::MetricsProvider::get_metrics`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceMetrics {
    /// The scaled resource, e.g. `app_instance:web`.
    pub resource_id: String,
    /// The key of its [`crate::ResourceConfig`] in
    /// [`crate::LighthouseConfig::resource_configs`].
    pub resource_type: String,
    /// When the values were measured.
    pub timestamp: Timestamp,
    /// Metric name → value, in the metric's own unit (requests per second,
    /// percent, milliseconds, a count…).
    pub metrics: BTreeMap<String, f64>,
}

/// A scaling decision: what the engine wants the executor to do.
///
/// `target_capacity` is absolute and always set: executors should apply it
/// rather than a relative change, so a retried action cannot scale twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScaleAction {
    /// The scaled resource, e.g. `app_instance:web`.
    pub resource_id: String,
    /// The resource's type (its config key).
    pub resource_type: String,
    /// Up, down or maintain.
    pub direction: ScaleDirection,
    /// Capacity the resource should have after the action (instances or
    /// workers), already clamped to the policy's bounds.
    pub target_capacity: u32,
    /// Capacity when the decision was made.
    pub current_capacity: u32,
    /// `target_capacity / current_capacity`: multiply the current capacity by
    /// it to get the target. Greater than 1 for a scale-up, less than 1 for a
    /// scale-down, in every direction the same meaning. `None` when the
    /// current capacity is 0.
    pub scale_factor: Option<f64>,
    /// Why, in words: the metric, its value and the threshold or target.
    pub reason: String,
    /// Confidence of the rule that fired, 0 to 1.
    pub confidence: f64,
    /// When the decision was made.
    pub timestamp: Timestamp,
    /// The policy that decided.
    pub policy: String,
    /// When the metric first crossed the threshold (or left the target's
    /// tolerance) in this direction; the decision's reaction time is
    /// `timestamp - signal_since`.
    pub signal_since: Option<Timestamp>,
    /// The resource config's `settings`, passed through for the executor
    /// (for example a platform id or memory per instance).
    pub metadata: BTreeMap<String, String>,
}

impl ScaleAction {
    /// The ratio of target to current capacity, as carried in `scale_factor`.
    pub fn ratio(current: u32, target: u32) -> Option<f64> {
        (current > 0).then(|| f64::from(target) / f64::from(current))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_comes_from_the_id_prefix() {
        assert_eq!(
            ResourceLayer::of_resource_id("app_instance:web"),
            Some(ResourceLayer::AppInstance)
        );
        assert_eq!(
            ResourceLayer::of_resource_id("app_instance:web:3"),
            Some(ResourceLayer::AppInstance)
        );
        assert_eq!(
            ResourceLayer::of_resource_id("platform_component:etcd"),
            Some(ResourceLayer::PlatformComponent)
        );
        assert_eq!(
            ResourceLayer::of_resource_id("worker_node:pool-a"),
            Some(ResourceLayer::WorkerNode)
        );
        assert_eq!(ResourceLayer::of_resource_id("vm:web"), None);
        assert_eq!(ResourceLayer::of_resource_id("app_instance:"), None);
        assert_eq!(ResourceLayer::of_resource_id("web"), None);
    }

    #[test]
    fn layers_sort_in_evaluation_order() {
        let mut layers = vec![
            ResourceLayer::WorkerNode,
            ResourceLayer::AppInstance,
            ResourceLayer::PlatformComponent,
        ];
        layers.sort();
        assert_eq!(layers, ResourceLayer::ALL.to_vec());
    }

    #[test]
    fn scale_factor_is_target_over_current_in_both_directions() {
        assert_eq!(ScaleAction::ratio(4, 6), Some(1.5));
        assert_eq!(ScaleAction::ratio(6, 4), Some(4.0 / 6.0));
        assert_eq!(ScaleAction::ratio(0, 3), None);
    }
}
