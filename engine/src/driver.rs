//! One evaluation cycle over the callbacks: the code both the live runtime
//! and the simulator run, so that a simulation exercises the production path.
//!
//! For each layer, in order (apps, platform components, workers): pull the
//! metrics of pulled resources, evaluate, ask the executor for the current
//! capacity of resources that want to act, decide, check the executor's own
//! safety, execute, and record the outcome. One resource's error never stops
//! the cycle for the others.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::callbacks::{CallbackContext, LighthouseCallbacks, ScalingErrorEvent};
use crate::core::{
    CycleKind, Decision, EngineCore, Outcome, Proposal, SafetyReason, Skip, SkipReason,
};
use crate::error::LighthouseError;
use crate::types::{ResourceLayer, ScaleAction};

/// Reusable buffers, so a cycle allocates nothing per resource once warm.
#[derive(Debug, Default)]
pub struct CycleScratch {
    proposals: Vec<Proposal>,
    skips: Vec<Skip>,
    pulled: Vec<crate::core::ResourceKey>,
}

/// Counts of what one cycle did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Which cycle ran, if one was due.
    pub kind: Option<CycleKind>,
    /// Decisions to act.
    pub decisions: u32,
    /// Actions the executor applied.
    pub executed: u32,
    /// Wanted actions not executed.
    pub skipped: u32,
    /// Failures (metrics, capacity, execution).
    pub errors: u32,
}

/// Runs the cycle due at `context.timestamp`, if any.
pub async fn run_cycle(
    core: &mut EngineCore,
    callbacks: &LighthouseCallbacks,
    context: &CallbackContext,
    scratch: &mut CycleScratch,
) -> CycleReport {
    let now = context.timestamp;
    let mut report = CycleReport {
        kind: core.begin_cycle(now),
        ..CycleReport::default()
    };
    let Some(kind) = report.kind else {
        return report;
    };
    for layer in ResourceLayer::ALL {
        if kind == CycleKind::Full {
            pull_layer(core, callbacks, context, layer, scratch, &mut report).await;
        }
        scratch.proposals.clear();
        scratch.skips.clear();
        core.evaluate_layer(layer, now, &mut scratch.proposals, &mut scratch.skips);
        for skip in &scratch.skips {
            let action = core.skip_action(skip, now);
            report.skipped += 1;
            notify_skipped(callbacks, &action, &skip.reason, context).await;
        }
        for proposal in &scratch.proposals {
            act(core, callbacks, context, proposal, &mut report).await;
        }
    }
    report
}

async fn pull_layer(
    core: &mut EngineCore,
    callbacks: &LighthouseCallbacks,
    context: &CallbackContext,
    layer: ResourceLayer,
    scratch: &mut CycleScratch,
    report: &mut CycleReport,
) {
    scratch.pulled.clear();
    scratch.pulled.extend(core.pulled_resources(layer));
    for &key in &scratch.pulled {
        let id = core.resource_id(key).to_string();
        let result = callbacks.metrics_provider.get_metrics(&id, context).await;
        let error = match result {
            Ok(None) => continue,
            Ok(Some(metrics)) => {
                match callbacks
                    .metrics_provider
                    .validate_metrics(&metrics, context)
                    .await
                {
                    Ok(true) => core.observe_metrics(&metrics).err(),
                    Ok(false) => Some(LighthouseError::MetricsProvider {
                        resource_id: id.clone(),
                        message: "sample refused by validate_metrics".to_string(),
                    }),
                    Err(e) => Some(e),
                }
            }
            Err(e) => Some(e),
        };
        if let Some(error) = error {
            report.errors += 1;
            notify_error(callbacks, context, id, None, error, None).await;
        }
    }
}

async fn act(
    core: &mut EngineCore,
    callbacks: &LighthouseCallbacks,
    context: &CallbackContext,
    proposal: &Proposal,
    report: &mut CycleReport,
) {
    let now = context.timestamp;
    let id = core.resource_id(proposal.key).to_string();
    let capacity = match callbacks
        .scaling_executor
        .get_current_capacity(&id, context)
        .await
    {
        Ok(c) => c,
        Err(error) => {
            report.errors += 1;
            let error = LighthouseError::CapacityUnknown {
                resource_id: id.clone(),
                message: error.to_string(),
            };
            notify_error(callbacks, context, id, None, error, None).await;
            return;
        }
    };
    let pending = match core.decide(proposal, capacity, now) {
        Decision::Nothing => return,
        Decision::AlreadyApplied(action) => {
            report.executed += 1;
            for observer in &callbacks.observers {
                let _ = observer.on_scaling_executed(&action, true, context).await;
            }
            return;
        }
        Decision::Skip(action, reason) => {
            report.skipped += 1;
            notify_skipped(callbacks, &action, &reason, context).await;
            return;
        }
        Decision::Act(pending) => pending,
    };
    report.decisions += 1;
    for observer in &callbacks.observers {
        let _ = observer.on_scaling_decision(&pending.action, context).await;
    }
    match callbacks
        .scaling_executor
        .is_safe_to_scale(&pending.action, context)
        .await
    {
        Ok(true) => {}
        Ok(false) | Err(_) => {
            core.record_outcome(&pending, Outcome::Refused, now);
            report.skipped += 1;
            let reason = SkipReason::Safety(SafetyReason::ExecutorRefused);
            notify_skipped(callbacks, &pending.action, &reason, context).await;
            return;
        }
    }
    match callbacks
        .scaling_executor
        .execute_scale_action(&pending.action, context)
        .await
    {
        Ok(success) => {
            let outcome = if success {
                Outcome::Executed
            } else {
                Outcome::Declined
            };
            core.record_outcome(&pending, outcome, now);
            report.executed += u32::from(success);
            for observer in &callbacks.observers {
                let _ = observer
                    .on_scaling_executed(&pending.action, success, context)
                    .await;
            }
        }
        Err(error) => {
            let retry = core.record_outcome(&pending, Outcome::Failed, now);
            report.errors += 1;
            notify_error(callbacks, context, id, Some(pending.action), error, retry).await;
        }
    }
}

async fn notify_skipped(
    callbacks: &LighthouseCallbacks,
    action: &ScaleAction,
    reason: &SkipReason,
    context: &CallbackContext,
) {
    for observer in &callbacks.observers {
        let _ = observer.on_scaling_skipped(action, reason, context).await;
    }
}

async fn notify_error(
    callbacks: &LighthouseCallbacks,
    context: &CallbackContext,
    resource_id: String,
    action: Option<ScaleAction>,
    error: LighthouseError,
    retry: Option<crate::core::RetryPlan>,
) {
    if callbacks.observers.is_empty() {
        return;
    }
    let event = ScalingErrorEvent {
        resource_id,
        action,
        error,
        retry,
    };
    for observer in &callbacks.observers {
        let _ = observer.on_scaling_error(&event, context).await;
    }
}

/// Runs a future that must complete without waiting, such as a cycle over
/// simulated callbacks that answer at once. This is how a simulator drives
/// the very same async cycle under its own clock, without a runtime.
///
/// # Panics
/// If the future is not ready on its first poll: a callback that really
/// waits needs a runtime.
pub fn complete_now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => {
            panic!("complete_now: a callback waited; simulated callbacks must answer at once")
        }
    }
}
