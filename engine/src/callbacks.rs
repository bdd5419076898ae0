//! The callback traits users implement, as the seed names them: where
//! metrics come from, how actions are executed, and who hears about them.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::core::{RetryPlan, SkipReason};
use crate::error::{LighthouseError, LighthouseResult};
use crate::time::Timestamp;
use crate::types::{ResourceMetrics, ScaleAction};

/// Passed to every callback.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallbackContext {
    /// The engine's time for this call (simulated or wall clock).
    pub timestamp: Timestamp,
    /// The configuration's `global_settings`.
    pub metadata: Arc<BTreeMap<String, String>>,
}

/// Where the engine pulls metrics from, once per cycle per pulled resource.
#[async_trait]
pub trait MetricsProvider: Send + Sync {
    /// The latest metrics of a resource, or `None` when there are none.
    async fn get_metrics(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>>;

    /// A chance to refuse a sample before it is used (the engine also checks
    /// for NaN, infinite and negative values itself).
    async fn validate_metrics(
        &self,
        _metrics: &ResourceMetrics,
        _context: &CallbackContext,
    ) -> LighthouseResult<bool> {
        Ok(true)
    }
}

/// What applies decisions to the platform.
#[async_trait]
pub trait ScalingExecutor: Send + Sync {
    /// Applies an action: bring the resource to `action.target_capacity`.
    /// `Ok(true)` when done, `Ok(false)` when deliberately not done.
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        context: &CallbackContext,
    ) -> LighthouseResult<bool>;

    /// A last check of the platform's own (asked after the engine's checks).
    async fn is_safe_to_scale(
        &self,
        _action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<bool> {
        Ok(true)
    }

    /// The resource's capacity now (instances or workers), `None` if unknown.
    async fn get_current_capacity(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<u32>>;
}

/// A failure observers hear about.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingErrorEvent {
    /// The resource concerned.
    pub resource_id: String,
    /// The action that failed, when the failure was an execution.
    pub action: Option<ScaleAction>,
    /// What went wrong.
    pub error: LighthouseError,
    /// When the action will be tried again, for execution failures.
    pub retry: Option<RetryPlan>,
}

/// Hears every decision, execution, skip and error.
#[async_trait]
pub trait ScalingObserver: Send + Sync {
    /// A decision to act was made (before the executor is asked).
    async fn on_scaling_decision(
        &self,
        _action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        Ok(())
    }

    /// The executor applied (`success`) or declined an action.
    async fn on_scaling_executed(
        &self,
        _action: &ScaleAction,
        _success: bool,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        Ok(())
    }

    /// A wanted action was not executed, and why.
    async fn on_scaling_skipped(
        &self,
        _action: &ScaleAction,
        _reason: &SkipReason,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        Ok(())
    }

    /// Something failed: metrics, capacity, or an execution.
    async fn on_scaling_error(
        &self,
        _event: &ScalingErrorEvent,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        Ok(())
    }
}

/// The callbacks an engine drives.
#[derive(Clone)]
pub struct LighthouseCallbacks {
    /// Where pulled metrics come from.
    pub metrics_provider: Arc<dyn MetricsProvider>,
    /// What executes actions.
    pub scaling_executor: Arc<dyn ScalingExecutor>,
    /// Who hears about them.
    pub observers: Vec<Arc<dyn ScalingObserver>>,
}

impl LighthouseCallbacks {
    /// Callbacks without observers.
    pub fn new(
        metrics_provider: Arc<dyn MetricsProvider>,
        scaling_executor: Arc<dyn ScalingExecutor>,
    ) -> Self {
        LighthouseCallbacks {
            metrics_provider,
            scaling_executor,
            observers: Vec::new(),
        }
    }

    /// Adds an observer.
    pub fn add_observer(mut self, observer: Arc<dyn ScalingObserver>) -> Self {
        self.observers.push(observer);
        self
    }
}
