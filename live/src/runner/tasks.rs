//! The background tasks of live mode: saving state, sampling and writing
//! the shadow run, keeping the count of protected workers current.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lighthouse_engine::adapters::OmniCloudExecutor;
use lighthouse_engine::{LighthouseHandle, ResourceLayer};
use tokio::sync::{Notify, watch};
use tokio::time::MissedTickBehavior;

use crate::api::Clock;
use crate::providers::LatestMetrics;
use crate::recording::{ShadowRun, write_run_dir};
use crate::state_store::StateStore;

/// Waits until `stop` turns true (or its sender is gone).
pub async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

fn ticker(period: Duration) -> tokio::time::Interval {
    let mut t = tokio::time::interval(period.max(Duration::from_millis(1)));
    t.set_missed_tick_behavior(MissedTickBehavior::Delay);
    t
}

/// Saves the engine's state when told to (`changed`) and every `period`.
pub async fn save_state(
    handle: LighthouseHandle,
    store: Arc<StateStore>,
    changed: Arc<Notify>,
    period: Duration,
    stop: watch::Receiver<bool>,
) {
    let mut tick = ticker(period);
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = changed.notified() => {}
            _ = tick.tick() => {}
        }
        let Ok(state) = handle.export_state().await else {
            return;
        };
        let store = store.clone();
        match tokio::task::spawn_blocking(move || store.save(&state)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "saving the engine state failed"),
            Err(e) => tracing::error!(error = %e, "saving the engine state panicked"),
        }
    }
}

/// Takes a shadow timeline sample every `period`.
pub async fn sample_shadow(
    handle: LighthouseHandle,
    run: Arc<ShadowRun>,
    latest: LatestMetrics,
    clock: Clock,
    period: Duration,
    stop: watch::Receiver<bool>,
) {
    let mut tick = ticker(period);
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tick.tick() => {}
        }
        let (Ok(snapshot), Ok(status)) = (handle.snapshot().await, handle.get_status().await)
        else {
            return;
        };
        run.sample(
            clock().as_millis(),
            &snapshot,
            &latest.snapshot(),
            status.spend_per_hour,
        );
    }
}

/// Writes the shadow run directory every `period`.
pub async fn flush_shadow(
    run: Arc<ShadowRun>,
    dir: PathBuf,
    clock: Clock,
    period: Duration,
    stop: watch::Receiver<bool>,
) {
    let mut tick = ticker(period);
    tick.tick().await;
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tick.tick() => {}
        }
        let Some(record) = run.record(clock().as_millis()) else {
            continue;
        };
        let dir = dir.clone();
        match tokio::task::spawn_blocking(move || write_run_dir(&dir, &record)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "writing the shadow run failed"),
            Err(e) => tracing::error!(error = %e, "writing the shadow run panicked"),
        }
    }
}

/// Tells the engine, every `period`, how many workers of each pool run
/// critical platform workloads (so a scale-down never goes below them).
pub async fn sync_protected_workers(
    handle: LighthouseHandle,
    executor: Arc<OmniCloudExecutor>,
    pools: Vec<String>,
    period: Duration,
    stop: watch::Receiver<bool>,
) {
    let pools: Vec<String> = pools
        .into_iter()
        .filter(|id| ResourceLayer::of_resource_id(id) == Some(ResourceLayer::WorkerNode))
        .collect();
    if pools.is_empty() {
        return;
    }
    let mut tick = ticker(period);
    let stop = stopped(stop);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => return,
            _ = tick.tick() => {}
        }
        for pool in &pools {
            match executor.critical_workers(pool).await {
                Ok(count) => {
                    if handle.set_protected_workers(pool, count).await.is_err() {
                        return;
                    }
                }
                Err(e) => tracing::warn!(pool, error = %e, "cannot count critical workers"),
            }
        }
    }
}
