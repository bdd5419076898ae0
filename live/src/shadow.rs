//! Shadow mode's executor: it reads the real capacity but never acts.
//! `execute_scale_action` records the action and answers `Ok(true)`
//! without calling the real executor; `is_safe_to_scale` answers `true`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lighthouse_engine::{CallbackContext, LighthouseResult, ScaleAction, ScalingExecutor};

/// How many recorded actions are kept in memory.
pub const SHADOW_KEEP: usize = 1000;

/// Wraps the real executor; see the module documentation.
pub struct ShadowExecutor {
    inner: Arc<dyn ScalingExecutor>,
    recorded: Mutex<(u64, VecDeque<ScaleAction>)>,
}

impl ShadowExecutor {
    /// A shadow of `inner` (which is only asked for capacities).
    pub fn new(inner: Arc<dyn ScalingExecutor>) -> Self {
        ShadowExecutor {
            inner,
            recorded: Mutex::new((0, VecDeque::new())),
        }
    }

    /// Actions that would have been executed since start.
    pub fn count(&self) -> u64 {
        self.recorded.lock().map_or(0, |r| r.0)
    }

    /// The most recent of them (at most [`SHADOW_KEEP`]), oldest first.
    pub fn recorded(&self) -> Vec<ScaleAction> {
        self.recorded
            .lock()
            .map(|r| r.1.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[async_trait]
impl ScalingExecutor for ShadowExecutor {
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<bool> {
        if let Ok(mut r) = self.recorded.lock() {
            r.0 += 1;
            r.1.push_back(action.clone());
            while r.1.len() > SHADOW_KEEP {
                r.1.pop_front();
            }
        }
        tracing::info!(
            resource_id = %action.resource_id,
            direction = %action.direction,
            from = action.current_capacity,
            to = action.target_capacity,
            "shadow: would scale"
        );
        Ok(true)
    }

    async fn is_safe_to_scale(
        &self,
        _action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<bool> {
        Ok(true)
    }

    async fn get_current_capacity(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        self.inner.get_current_capacity(resource_id, context).await
    }
}
