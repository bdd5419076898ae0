//! The engine's callback traits over the virtual fleet: the simulator runs
//! the unchanged production engine through these.
//!
//! They answer at once (no real waiting), so a cycle is driven with
//! [`lighthouse_engine::driver::complete_now`].

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lighthouse_engine::{
    CallbackContext, LighthouseError, LighthouseResult, MetricsProvider, ResourceMetrics,
    ScaleAction, ScaleDirection, ScalingErrorEvent, ScalingExecutor, ScalingObserver, SkipReason,
};

use super::world::{Target, World};
use crate::record::{EventKind, EventRow};
use crate::scenario::POOL_ID;

/// The fleet seen by the engine.
#[derive(Clone)]
pub struct SimAdapters(pub Arc<Mutex<World>>);

impl SimAdapters {
    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.0
            .lock()
            .expect("the simulation world is never poisoned")
    }
}

#[async_trait]
impl MetricsProvider for SimAdapters {
    /// The worker pool's cluster metrics, fresh at each pull (after the
    /// cycle's app actions, so new pending instances count).
    async fn get_metrics(
        &self,
        resource_id: &str,
        ctx: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        if resource_id != POOL_ID {
            return Ok(None);
        }
        let w = self.world();
        if w.faults.metric_gap_for(None, ctx.timestamp.as_millis()) {
            return Ok(None);
        }
        let c = w.fleet.cluster();
        let mut metrics = std::collections::BTreeMap::new();
        metrics.insert("cluster_cpu_utilization".to_string(), c.cpu_utilization);
        metrics.insert("pending_workloads".to_string(), f64::from(c.pending));
        metrics.insert("workers".to_string(), f64::from(c.ready + c.provisioning));
        Ok(Some(ResourceMetrics {
            resource_id: POOL_ID.to_string(),
            resource_type: w.pool_type.clone(),
            timestamp: ctx.timestamp,
            metrics,
        }))
    }
}

#[async_trait]
impl ScalingExecutor for SimAdapters {
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        ctx: &CallbackContext,
    ) -> LighthouseResult<bool> {
        let mut w = self.world();
        let now = ctx.timestamp.as_millis();
        let target =
            w.target_of(&action.resource_id)
                .ok_or_else(|| LighthouseError::ResourceNotFound {
                    resource_id: action.resource_id.clone(),
                })?;
        let failure = w.faults.scale_failure(&action.resource_id, now);
        if failure == Some(false) {
            return Err(LighthouseError::Executor {
                resource_id: action.resource_id.clone(),
                message: "injected failure: the platform answered 500".to_string(),
            });
        }
        let action_id = w.current_action.unwrap_or(-1);
        let extra = w.faults.extra_delay_ms(now);
        match target {
            Target::App(i) => {
                w.fleet
                    .set_app_target(i, action.target_capacity, now, action_id, extra)
            }
            Target::Pool => {
                let size = w.fleet.pool_size();
                if action.target_capacity > size {
                    let World {
                        fleet, rng_workers, ..
                    } = &mut *w;
                    fleet.add_workers(
                        action.target_capacity - size,
                        now,
                        action_id,
                        extra,
                        rng_workers,
                    );
                } else {
                    w.fleet.remove_workers(size - action.target_capacity, now);
                }
            }
        }
        if failure == Some(true) {
            // Applied, but the answer never reaches the engine.
            return Err(LighthouseError::Timeout {
                operation: "injected: the scale call's answer was lost".to_string(),
                seconds: 10.0,
            });
        }
        Ok(true)
    }

    async fn get_current_capacity(
        &self,
        resource_id: &str,
        _: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        let w = self.world();
        Ok(match w.target_of(resource_id) {
            Some(Target::App(i)) => Some(w.fleet.apps[i].target),
            Some(Target::Pool) => Some(w.fleet.pool_size()),
            None => None,
        })
    }
}

#[async_trait]
impl ScalingObserver for SimAdapters {
    async fn on_scaling_decision(
        &self,
        a: &ScaleAction,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        let id = w.next_action_id;
        w.next_action_id += 1;
        w.current_action = Some(id);
        w.decisions += 1;
        if let Some(r) = w
            .record_index(&a.resource_id)
            .filter(|_| a.direction == ScaleDirection::Up)
        {
            w.action_resources.insert(id, r);
        }
        let row = w.action_row(
            ctx,
            a,
            EventKind::Decision,
            id,
            Cow::Owned(a.reason.clone()),
        );
        w.recorder.event(row);
        Ok(())
    }

    async fn on_scaling_executed(
        &self,
        a: &ScaleAction,
        success: bool,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        // A lost answer read back later has no decision in this cycle: it
        // is the action that failed.
        let id = w
            .current_action
            .take()
            .or_else(|| w.failed_actions.remove(&a.resource_id))
            .unwrap_or(-1);
        let reason = if success {
            Cow::Borrowed("")
        } else {
            Cow::Borrowed("executor declined")
        };
        let kind = if success {
            EventKind::Executed
        } else {
            EventKind::Skipped
        };
        let row = w.action_row(ctx, a, kind, id, reason);
        w.recorder.event(row);
        Ok(())
    }

    async fn on_scaling_skipped(
        &self,
        a: &ScaleAction,
        reason: &SkipReason,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        let id = w.current_action.take().unwrap_or(-1);
        let row = w.action_row(ctx, a, EventKind::Skipped, id, Cow::Borrowed(reason.kind()));
        w.recorder.event(row);
        Ok(())
    }

    async fn on_scaling_error(
        &self,
        e: &ScalingErrorEvent,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        let id = w.current_action.take().unwrap_or(-1);
        if id >= 0 {
            w.failed_actions.insert(e.resource_id.clone(), id);
        }
        let Some(resource) = w.record_index(&e.resource_id) else {
            return Ok(());
        };
        let mut row = EventRow::new(ctx.timestamp.as_millis(), resource, EventKind::Error);
        row.action_id = id;
        if let Some(a) = &e.action {
            row.direction = a.direction.into();
            row.from_capacity = i64::from(a.current_capacity);
            row.to_capacity = i64::from(a.target_capacity);
        }
        row.reason = Cow::Owned(e.error.to_string());
        w.errors += 1;
        w.recorder.event(row);
        Ok(())
    }
}

impl World {
    fn action_row(
        &self,
        ctx: &CallbackContext,
        a: &ScaleAction,
        kind: EventKind,
        id: i64,
        reason: Cow<'static, str>,
    ) -> EventRow {
        let resource = self
            .record_index(&a.resource_id)
            .unwrap_or(crate::record::ResourceIdx(0));
        EventRow::for_action(ctx.timestamp.as_millis(), resource, kind, id, a, reason)
    }
}
