//! Shadow mode's run directory, in the simulator's format
//! (`docs/run-format.md`), so that `report DIR` works on it.
//!
//! [`ShadowRun`] is a [`ScalingObserver`]: every decision, (would-be)
//! execution, skip and error becomes a row of `events.parquet`, and a
//! configuration change a `config` row. A sampler calls
//! [`ShadowRun::sample`] at a fixed interval with the capacities the engine
//! knows and the latest metrics, which become the timelines: per app or
//! platform component, `supply_instances` is the capacity read from the
//! platform and `target_instances` the capacity the engine wanted (what it
//! would have set); the cluster's `workers` is the worker pools' capacity
//! and its cost rate the engine's spending rate.
//!
//! - [`write`]: writing the directory, file by file atomically.

pub mod write;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use lighthouse_engine::core::ResourceSnapshot;
use lighthouse_engine::{
    CallbackContext, LighthouseConfig, LighthouseResult, ResourceLayer, ResourceMetrics,
    ScaleAction, ScalingErrorEvent, ScalingObserver, SkipReason,
};
use lighthouse_sim::record::{
    AppMeta, AppSample, ClusterSample, EventKind, EventRow, FORMAT_VERSION, RecordError, Recorder,
    ResourceIdx, RunMeta, RunMode, RunRecord, Slo,
};

use crate::config::{ResourceEntry, ShadowSection};

pub use write::{RecordingError, write_run_dir};

/// `run.json` for a shadow run: apps and platform components of
/// `resources` in order, with the bounds of their type's active policy.
pub fn shadow_meta(
    engine: &LighthouseConfig,
    resources: &[ResourceEntry],
    shadow: &ShadowSection,
    start_ms: i64,
    sample_interval_s: f64,
) -> RunMeta {
    let apps = resources
        .iter()
        .filter_map(|r| {
            let l = ResourceLayer::of_resource_id(&r.id)?;
            if l == ResourceLayer::WorkerNode {
                return None;
            }
            let type_name = r.type_name()?;
            let policy = engine.resource_configs.get(&type_name)?.active_policy();
            let name = lighthouse_engine::utils::parse_resource_id(&r.id)?.1;
            Some(AppMeta {
                name: name.to_string(),
                layer: l.into(),
                resource_id: r.id.clone(),
                service_rate_rps: r.service_rate_rps.unwrap_or(shadow.service_rate_rps),
                min_capacity: policy.map_or(1, |p| p.min()),
                max_capacity: policy.map_or(1000, |p| p.max()),
                cpu_cores: 1.0,
                slo: Slo {
                    latency_percentile: shadow.slo_latency_percentile,
                    latency_ms: shadow.slo_latency_ms,
                    max_drop_rate: shadow.slo_max_drop_rate,
                },
            })
        })
        .collect();
    RunMeta {
        format_version: FORMAT_VERSION,
        mode: RunMode::Shadow,
        scenario: shadow.scenario.clone(),
        seed: engine.retry.seed,
        start_ms,
        end_ms: start_ms,
        sample_interval_s,
        evaluation_interval_s: engine.evaluation_interval_seconds as f64,
        timeline_resolution_s: sample_interval_s,
        flap_window_s: 600.0,
        budget_per_hour: engine.safety.budget_limit_per_hour,
        apps,
        worker_types: Vec::new(),
    }
}

struct RunState {
    recorder: Recorder,
    /// The resource `config` rows name: the first worker pool, else the
    /// first resource.
    config_resource: ResourceIdx,
    apps: BTreeMap<String, usize>,
    /// Resource id → action id of its last decision.
    pending: BTreeMap<String, i64>,
    next_action: i64,
    /// Resource id → the capacity the engine last wanted.
    targets: BTreeMap<String, u32>,
    last_sample_ms: Option<i64>,
}

impl RunState {
    fn resource(&mut self, resource_id: &str) -> ResourceIdx {
        let l = ResourceLayer::of_resource_id(resource_id).unwrap_or(ResourceLayer::AppInstance);
        self.recorder.resource(resource_id, l.into())
    }

    fn row(&mut self, t_ms: i64, kind: EventKind, action: &ScaleAction) -> EventRow {
        let mut row = EventRow::new(t_ms, self.resource(&action.resource_id), kind);
        row.direction = action.direction.into();
        row.from_capacity = i64::from(action.current_capacity);
        row.to_capacity = i64::from(action.target_capacity);
        row.signal_since_ms = action.signal_since.map_or(-1, |t| t.as_millis());
        row
    }
}

/// Records a shadow run; see the module documentation.
pub struct ShadowRun {
    state: Mutex<RunState>,
    demand_metric: String,
    latency_metric: String,
}

impl ShadowRun {
    /// A run described by `meta`; `extra` are further resources (worker
    /// pools) that events may name.
    pub fn new(
        meta: RunMeta,
        extra: &[String],
        shadow: &ShadowSection,
    ) -> Result<Self, RecordError> {
        let apps = meta
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.resource_id.clone(), i))
            .collect();
        let mut state = RunState {
            recorder: Recorder::new(meta)?,
            config_resource: ResourceIdx(0),
            apps,
            pending: BTreeMap::new(),
            next_action: 0,
            targets: BTreeMap::new(),
            last_sample_ms: None,
        };
        for id in extra {
            state.resource(id);
        }
        state.config_resource = match extra.first() {
            Some(pool) => state.resource(pool),
            None if !state.apps.is_empty() => ResourceIdx(0),
            None => state.resource("worker_node:cluster"),
        };
        Ok(ShadowRun {
            state: Mutex::new(state),
            demand_metric: shadow.demand_metric.clone(),
            latency_metric: shadow.latency_metric.clone(),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut RunState) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    /// Records a configuration change at `t_ms` (Unix epoch milliseconds).
    pub fn config_changed(&self, t_ms: i64, version: u64, origin: &str) {
        self.with(|s| {
            let mut row = EventRow::new(t_ms, s.config_resource, EventKind::Config);
            row.reason = Cow::Owned(format!("version {version}: {origin}"));
            s.recorder.event(row);
        });
    }

    /// Takes one timeline sample at `t_ms` (Unix epoch milliseconds), each
    /// standing for the sample interval. The time is moved back onto the
    /// run's grid of sample intervals, and a sample in a slot already
    /// sampled is ignored, so that each stored timeline row is exactly one
    /// sample (the reports' stream check compares the two).
    pub fn sample(
        &self,
        t_ms: i64,
        resources: &[ResourceSnapshot],
        latest: &BTreeMap<String, ResourceMetrics>,
        spend_per_hour: f64,
    ) {
        let demand_metric = self.demand_metric.as_str();
        let latency_metric = self.latency_metric.as_str();
        self.with(|s| {
            let meta = s.recorder.meta();
            let dt_ms = ((meta.sample_interval_s * 1000.0).round() as i64).max(1);
            let t_ms = meta.start_ms + (t_ms - meta.start_ms).div_euclid(dt_ms) * dt_ms;
            if s.last_sample_ms.is_some_and(|last| t_ms <= last) {
                return;
            }
            s.last_sample_ms = Some(t_ms);
            let dt = s.recorder.meta().sample_interval_s;
            let mut workers = 0u32;
            for r in resources {
                let Some(capacity) = r.capacity else { continue };
                if ResourceLayer::of_resource_id(&r.resource_id) == Some(ResourceLayer::WorkerNode)
                {
                    workers += capacity;
                    continue;
                }
                let Some(&app) = s.apps.get(&r.resource_id) else {
                    continue;
                };
                let meta = &s.recorder.meta().apps[app];
                let metrics = latest.get(&r.resource_id).map(|m| &m.metrics);
                let value = |name: &str| {
                    metrics
                        .and_then(|m| m.get(name))
                        .copied()
                        .filter(|v| v.is_finite())
                };
                let demand = value(demand_metric).unwrap_or(0.0).max(0.0);
                let latency = value(latency_metric).unwrap_or(0.0);
                let sample = AppSample {
                    demand_rps: demand,
                    demand_instances: demand / meta.service_rate_rps,
                    ready: capacity,
                    starting: 0,
                    target: s.targets.get(&r.resource_id).copied().unwrap_or(capacity),
                    pending: 0,
                    cpu_percent: value("cpu_percent").unwrap_or(0.0),
                    latency_mean_ms: latency,
                    latency_p95_ms: latency,
                    requests: demand * dt,
                    dropped: 0.0,
                    latency_breached: latency > meta.slo.latency_ms,
                    drop_breached: false,
                };
                s.recorder.app_sample(t_ms, app, &sample);
            }
            let cluster = ClusterSample {
                workers,
                cost_rate_per_hour: spend_per_hour,
                cost: spend_per_hour * dt / 3600.0,
                ..ClusterSample::default()
            };
            s.recorder.cluster_sample(t_ms, &cluster);
        });
    }

    /// Everything recorded so far, as a finished run ending at `end_ms`
    /// (recording continues).
    pub fn record(&self, end_ms: i64) -> Option<RunRecord> {
        self.with(|s| s.recorder.clone().finish(end_ms))
    }
}

#[async_trait]
impl ScalingObserver for ShadowRun {
    async fn on_scaling_decision(
        &self,
        action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.with(|s| {
            let id = s.next_action;
            s.next_action += 1;
            s.pending.insert(action.resource_id.clone(), id);
            s.targets
                .insert(action.resource_id.clone(), action.target_capacity);
            let mut row = s.row(action.timestamp.as_millis(), EventKind::Decision, action);
            row.action_id = id;
            row.reason = Cow::Owned(action.reason.clone());
            s.recorder.event(row);
        });
        Ok(())
    }

    async fn on_scaling_executed(
        &self,
        action: &ScaleAction,
        success: bool,
        context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.with(|s| {
            let kind = if success {
                EventKind::Executed
            } else {
                EventKind::Skipped
            };
            let mut row = s.row(context.timestamp.as_millis(), kind, action);
            row.action_id = s.pending.remove(&action.resource_id).unwrap_or(-1);
            if !success {
                row.reason = Cow::Borrowed("executor_declined");
            }
            s.targets
                .insert(action.resource_id.clone(), action.target_capacity);
            s.recorder.event(row);
        });
        Ok(())
    }

    async fn on_scaling_skipped(
        &self,
        action: &ScaleAction,
        reason: &SkipReason,
        context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.with(|s| {
            let mut row = s.row(context.timestamp.as_millis(), EventKind::Skipped, action);
            row.reason = Cow::Owned(format!("{}: {reason}", reason.kind()));
            s.recorder.event(row);
        });
        Ok(())
    }

    async fn on_scaling_error(
        &self,
        event: &ScalingErrorEvent,
        context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.with(|s| {
            let t = context.timestamp.as_millis();
            let mut row = match &event.action {
                Some(action) => s.row(t, EventKind::Error, action),
                None => EventRow::new(t, s.resource(&event.resource_id), EventKind::Error),
            };
            if event.action.is_some() {
                row.action_id = s.pending.remove(&event.resource_id).unwrap_or(-1);
            }
            row.reason = Cow::Owned(event.error.to_string());
            s.recorder.event(row);
        });
        Ok(())
    }
}
