//! Errors the engine and its callbacks report.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;

/// Why a metric value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricRejection {
    /// Not a number.
    NotANumber,
    /// Infinite.
    Infinite,
    /// Negative, for a metric not declared in `metrics.signed_metrics`.
    Negative,
}

impl fmt::Display for MetricRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricRejection::NotANumber => "not a number",
            MetricRejection::Infinite => "infinite",
            MetricRejection::Negative => "negative, and the metric is not declared signed",
        })
    }
}

/// One refused metric value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RejectedMetric {
    /// The metric.
    pub metric: String,
    /// The value as received.
    pub value: f64,
    /// Why it was refused.
    pub reason: MetricRejection,
}

/// Everything that can go wrong in the engine or its callbacks.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LighthouseError {
    /// A configuration was refused.
    #[error(transparent)]
    InvalidConfig(#[from] ConfigError),
    /// Some metric values of a sample were refused (the others were kept).
    #[error("{resource_id}: refused metric values: {}", describe(rejected))]
    InvalidMetrics {
        /// The resource.
        resource_id: String,
        /// The refused values.
        rejected: Vec<RejectedMetric>,
    },
    /// A resource id without a known layer prefix.
    #[error(
        "{resource_id:?} is not a resource id: expected app_instance:<name>, platform_component:<name> or worker_node:<name>"
    )]
    InvalidResourceId {
        /// The id.
        resource_id: String,
    },
    /// A resource type that has no config.
    #[error("{resource_id}: resource type {resource_type:?} has no entry in resource_configs")]
    UnknownResourceType {
        /// The resource.
        resource_id: String,
        /// The type.
        resource_type: String,
    },
    /// A resource's layer differs from its type's layer.
    #[error("{resource_id}: resource type {resource_type:?} is for the {expected} layer")]
    LayerMismatch {
        /// The resource.
        resource_id: String,
        /// The type.
        resource_type: String,
        /// The type's layer.
        expected: crate::types::ResourceLayer,
    },
    /// The engine does not track this resource.
    #[error("{resource_id}: not tracked by the engine")]
    ResourceNotFound {
        /// The resource.
        resource_id: String,
    },
    /// The metrics provider failed.
    #[error("{resource_id}: metrics provider: {message}")]
    MetricsProvider {
        /// The resource.
        resource_id: String,
        /// What went wrong.
        message: String,
    },
    /// The executor failed.
    #[error("{resource_id}: executor: {message}")]
    Executor {
        /// The resource.
        resource_id: String,
        /// What went wrong.
        message: String,
    },
    /// The capacity of a resource could not be read.
    #[error("{resource_id}: current capacity unknown: {message}")]
    CapacityUnknown {
        /// The resource.
        resource_id: String,
        /// What went wrong.
        message: String,
    },
    /// The platform has no way to do this.
    #[error("{resource_id}: {operation} is not supported by this platform")]
    Unsupported {
        /// The resource.
        resource_id: String,
        /// What was asked.
        operation: String,
    },
    /// A call took too long.
    #[error("{operation} timed out after {seconds} s")]
    Timeout {
        /// What was called.
        operation: String,
        /// The limit, seconds.
        seconds: f64,
    },
    /// The engine loop has stopped.
    #[error("the engine has stopped")]
    EngineStopped,
}

fn describe(rejected: &[RejectedMetric]) -> String {
    rejected
        .iter()
        .map(|r| format!("{} = {} ({})", r.metric, r.value, r.reason))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Result of engine and callback operations.
pub type LighthouseResult<T> = Result<T, LighthouseError>;
