//! Open loop (shadow replay): the recorded metrics reach the unchanged
//! engine as they are, and what it would have decided is recorded as
//! `replay-open`. Nothing reacts to the decisions.
//!
//! - At every grid point (the trace's own timestamps after gap filling) the
//!   fed apps' metrics are pushed, stamped with that time: the series' own
//!   metric name with its value as recorded, `requests_per_second` and
//!   `requests_per_second_per_instance` from the demand, `cpu_percent`
//!   (the recorded utilisation, or demand ÷ capacity for a rate), and the
//!   series named in `metrics = { … }`. Cycles run at the engine's
//!   evaluation interval through [`run_cycle`], with callbacks that answer
//!   at once.
//! - The capacity the engine is told comes from `capacity_series` when the
//!   app has one (the fleet as recorded, which decisions do not change);
//!   otherwise it is a virtual capacity that starts at the app's initial
//!   instances and takes each executed decision's target at once.
//! - Samples: demand from the trace, supply from that capacity; latency,
//!   drops and breaches are the simulator's queueing model applied to
//!   them (estimates, with no start-up delay). Cost is that of the fewest
//!   workers of the pool's initial (or cheapest on-demand) type that hold
//!   the apps' CPU requests, never fewer than the pool policy's minimum.
//!   The worker pool itself is not scaled.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use async_trait::async_trait;
use lighthouse_engine::driver::{CycleScratch, complete_now, run_cycle};
use lighthouse_engine::{
    CallbackContext, CycleKind, EngineCore, LighthouseCallbacks, LighthouseResult, MetricKey,
    MetricsProvider, MetricsSource, ResourceKey, ResourceMetrics, ScaleAction, ScalingErrorEvent,
    ScalingExecutor, ScalingObserver, ScalingPolicy, SkipReason, Timestamp,
};
use lighthouse_sim::fleet::{app_services, initial_instances};
use lighthouse_sim::record::{
    AppSample, ClusterSample, EventKind, EventRow, FORMAT_VERSION, Recorder, ResourceIdx, RunMeta,
    RunMode, WorkerSample,
};
use lighthouse_sim::run::{app_meta, worker_type_meta};
use lighthouse_sim::scenario::{Scenario, engine_config, expanded_apps};
use lighthouse_sim::service::Service;
use lighthouse_sim::{SimOutcome, SimStats};

use super::error::ReplayError;
use super::file::ReplayScenario;
use super::prepare::{FedApp, Prepared};
use super::spec::{DemandKind, ReplayOptions};

/// What a pushed metric is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Push {
    /// Offered load, requests per second.
    Rps,
    /// Offered load per instance.
    RpsPerInstance,
    /// Utilisation of the capacity, percent.
    Cpu,
    /// The demand series' value as recorded.
    Raw,
    /// A series of `metrics = { … }`, as recorded.
    Extra(usize),
}

/// One fed app (a copy of a spec with `count` > 1 is one of these).
struct OpenApp {
    fed: usize,
    key: ResourceKey,
    pushes: Vec<(MetricKey, Push)>,
    service: Service,
    slo_latency_ms: f64,
    max_drop_rate: f64,
    cpu_cores: f64,
}

/// What the callbacks share with the loop.
struct World {
    recorder: Recorder,
    record_ids: HashMap<String, ResourceIdx>,
    targets: HashMap<String, usize>,
    /// Capacity of each app, instances.
    capacity: Vec<u32>,
    /// Whether it follows the decisions (no capacity series).
    follows: Vec<bool>,
    next_action_id: i64,
    current_action: Option<i64>,
    decisions: u64,
    errors: u64,
}

#[derive(Clone)]
struct Adapters(Arc<Mutex<World>>);

impl Adapters {
    fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().expect("the replay world is never poisoned")
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
    ) -> Option<EventRow> {
        let resource = *self.record_ids.get(&a.resource_id)?;
        Some(EventRow::for_action(
            ctx.timestamp.as_millis(),
            resource,
            kind,
            id,
            a,
            reason,
        ))
    }

    fn event(&mut self, row: Option<EventRow>) {
        if let Some(row) = row {
            self.recorder.event(row);
        }
    }
}

#[async_trait]
impl MetricsProvider for Adapters {
    /// Every metric is pushed; nothing is pulled.
    async fn get_metrics(
        &self,
        _resource_id: &str,
        _ctx: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        Ok(None)
    }
}

#[async_trait]
impl ScalingExecutor for Adapters {
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        _ctx: &CallbackContext,
    ) -> LighthouseResult<bool> {
        let mut w = self.world();
        if let Some(&i) = w.targets.get(&action.resource_id)
            && w.follows[i]
        {
            w.capacity[i] = action.target_capacity;
        }
        Ok(true)
    }

    async fn get_current_capacity(
        &self,
        resource_id: &str,
        _ctx: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        let w = self.world();
        Ok(w.targets.get(resource_id).map(|&i| w.capacity[i]))
    }
}

#[async_trait]
impl ScalingObserver for Adapters {
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
        let row = w.action_row(
            ctx,
            a,
            EventKind::Decision,
            id,
            Cow::Owned(a.reason.clone()),
        );
        w.event(row);
        Ok(())
    }

    async fn on_scaling_executed(
        &self,
        a: &ScaleAction,
        success: bool,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        let id = w.current_action.take().unwrap_or(-1);
        let (kind, reason) = if success {
            (EventKind::Executed, Cow::Borrowed(""))
        } else {
            (EventKind::Skipped, Cow::Borrowed("executor declined"))
        };
        let row = w.action_row(ctx, a, kind, id, reason);
        w.event(row);
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
        w.event(row);
        Ok(())
    }

    async fn on_scaling_error(
        &self,
        e: &ScalingErrorEvent,
        ctx: &CallbackContext,
    ) -> LighthouseResult<()> {
        let mut w = self.world();
        let id = w.current_action.take().unwrap_or(-1);
        w.errors += 1;
        let Some(&resource) = w.record_ids.get(&e.resource_id) else {
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
        w.recorder.event(row);
        Ok(())
    }
}

/// The metric names a policy reads (with its composite members').
fn policy_metrics(s: &Scenario, name: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |p: &ScalingPolicy| {
        out.extend(p.thresholds.iter().map(|t| t.metric_name.clone()));
        if let Some(t) = &p.target_tracking {
            out.extend(t.metrics.iter().map(|m| m.metric_name.clone()));
        }
    };
    if let Some(p) = s.policies.get(name) {
        add(p);
        if let Some(c) = &p.composite {
            for m in &c.members {
                if let Some(member) = s.policies.get(&m.policy) {
                    add(member);
                }
            }
        }
    }
    out
}

/// The worker type the virtual cost uses: the pool's initial type, else
/// the cheapest on-demand type per core among the allowed regions.
fn cost_type(s: &Scenario) -> Option<usize> {
    if let Some(name) = &s.workers.initial_type
        && let Some(i) = s.worker_types.iter().position(|t| &t.name == name)
    {
        return Some(i);
    }
    let allowed = |r: &str| {
        s.workers.allowed_regions.is_empty() || s.workers.allowed_regions.iter().any(|a| a == r)
    };
    s.worker_types
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.spot && allowed(&t.region) && t.cpu_cores > 0.0)
        .min_by(|(_, a), (_, b)| {
            (a.price_per_hour / a.cpu_cores).total_cmp(&(b.price_per_hour / b.cpu_cores))
        })
        .map(|(i, _)| i)
        .or((!s.worker_types.is_empty()).then_some(0))
}

/// Runs the open-loop replay.
pub(crate) fn run(
    sc: &ReplayScenario,
    prep: &Prepared,
    options: &ReplayOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<(SimOutcome, Vec<String>), ReplayError> {
    let wall = Instant::now();
    let loaded = sc.scenario(&prep.fed(), prep.duration_ms)?;
    let s = &loaded.scenario;
    let mut notes = Vec::new();
    let config = engine_config(s);
    let seed = options.seed.unwrap_or(s.simulation.seed);
    let step = prep.step_ms;
    let dt_s = step as f64 / 1000.0;
    let start = prep.start_ms;
    let end = start + prep.points as i64 * step;

    let expanded: Vec<_> = expanded_apps(s)
        .into_iter()
        .filter_map(|a| {
            let fed = prep.apps.iter().position(|f| f.source.app == a.spec.name)?;
            Some((a, fed))
        })
        .collect();
    let unfed: Vec<String> = s
        .apps
        .iter()
        .chain(&s.platform)
        .map(|a| a.name.clone())
        .filter(|n| !prep.apps.iter().any(|f| &f.source.app == n))
        .collect();
    if !unfed.is_empty() {
        notes.push(format!(
            "open loop replays only the apps the trace feeds; left out: {}",
            unfed.join(", ")
        ));
    }
    let policy = |name: &str| {
        s.policies
            .get(name)
            .expect("validated scenarios define their policies")
    };

    let resolution = options
        .resolution
        .or(s.simulation.resolution)
        .map_or(dt_s, |d| d.as_secs_f64())
        .max(dt_s);
    let meta = RunMeta {
        format_version: FORMAT_VERSION,
        mode: RunMode::ReplayOpen,
        scenario: s.simulation.name.clone(),
        seed,
        start_ms: start,
        end_ms: end,
        sample_interval_s: dt_s,
        evaluation_interval_s: config.evaluation_interval_seconds as f64,
        timeline_resolution_s: resolution,
        flap_window_s: s.simulation.flap_window.as_secs_f64(),
        budget_per_hour: config.safety.budget_limit_per_hour,
        apps: expanded
            .iter()
            .map(|(a, _)| app_meta(a, policy(&a.spec.policy)))
            .collect(),
        worker_types: s.worker_types.iter().map(worker_type_meta).collect(),
    };
    let recorder = Recorder::new(meta)?;
    let mut core = EngineCore::new(config, Timestamp(start))
        .map_err(|e| ReplayError::Engine(e.to_string()))?;

    let services = app_services(s, expanded.iter().map(|(a, _)| a)).map_err(ReplayError::Engine)?;
    let mut apps = Vec::with_capacity(expanded.len());
    let mut record_ids = HashMap::new();
    let mut targets = HashMap::new();
    let mut capacity = Vec::with_capacity(expanded.len());
    let mut follows = Vec::with_capacity(expanded.len());
    for ((i, (a, fed_idx)), service) in expanded.iter().enumerate().zip(services) {
        let fed: &FedApp = &prep.apps[*fed_idx];
        let id = a.resource_id();
        let key = core
            .register_resource(&id, &a.spec.policy, MetricsSource::Push)
            .map_err(|e| ReplayError::Engine(e.to_string()))?;
        let initial = initial_instances(a, policy(&a.spec.policy));
        let cap = match &fed.capacity {
            Some(c) => c[0].round().max(0.0) as u32,
            None => initial,
        };
        core.observe_capacity(key, cap, Timestamp(start));
        capacity.push(cap);
        follows.push(fed.capacity.is_none());
        record_ids.insert(id.clone(), ResourceIdx(i as u32));
        targets.insert(id, i);

        // What the engine is told.
        let reads = policy_metrics(s, &a.spec.policy);
        let mut pushes: Vec<(MetricKey, Push)> = Vec::new();
        let mut add = |name: &str, what: Push| {
            if let Some(k) = core.metric_key(name) {
                pushes.retain(|(m, _)| *m != k);
                pushes.push((k, what));
            }
        };
        add("requests_per_second", Push::Rps);
        add("requests_per_second_per_instance", Push::RpsPerInstance);
        add("cpu_percent", Push::Cpu);
        add(&fed.metric, Push::Raw);
        for (j, (name, _)) in fed.extra.iter().enumerate() {
            add(name, Push::Extra(j));
        }
        let given: BTreeSet<String> = pushes
            .iter()
            .map(|(k, _)| core.metric_name(*k).to_string())
            .collect();
        let missing: Vec<&String> = reads.iter().filter(|m| !given.contains(*m)).collect();
        if given.intersection(&reads).next().is_none() {
            return Err(sc.invalid(
                &format!("replay.apps[{fed_idx}]"),
                &fed.series,
                format!(
                    "app {}'s policy {} reads {}, none of which the trace gives in open loop: it derives requests_per_second, requests_per_second_per_instance and cpu_percent, pushes {} as it is, and pushes the series named in metrics = {{ … }}",
                    a.spec.name,
                    a.spec.policy,
                    reads.iter().cloned().collect::<Vec<_>>().join(", "),
                    fed.metric
                ),
            ));
        }
        if !missing.is_empty() && a.copy == 0 {
            notes.push(format!(
                "app {}: the trace gives no {} (its policy reads them); map series with metrics = {{ … }}",
                a.spec.name,
                missing.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        let slo = a.spec.slo;
        apps.push(OpenApp {
            fed: *fed_idx,
            key,
            pushes,
            service,
            slo_latency_ms: slo.latency_ms,
            max_drop_rate: slo.max_drop_rate,
            cpu_cores: a.spec.cpu_cores,
        });
    }

    let world = Arc::new(Mutex::new(World {
        recorder,
        record_ids,
        targets,
        capacity,
        follows,
        next_action_id: 0,
        current_action: None,
        decisions: 0,
        errors: 0,
    }));
    let adapters = Adapters(world.clone());
    let callbacks =
        LighthouseCallbacks::new(Arc::new(adapters.clone()), Arc::new(adapters.clone()))
            .add_observer(Arc::new(adapters));
    let mut scratch = CycleScratch::default();
    let mut stats = SimStats::default();
    let mut cycle = |core: &mut EngineCore, t: i64, stats: &mut SimStats| {
        let ctx = CallbackContext {
            timestamp: Timestamp(t),
            metadata: Default::default(),
        };
        let report = complete_now(run_cycle(core, &callbacks, &ctx, &mut scratch));
        if let Some(kind) = report.kind {
            stats.cycles += 1;
            if kind == CycleKind::Full {
                stats.resource_evaluations += core.resources().len() as u64;
            }
        }
    };
    // Cycles due before `until` (retries, and evaluations between points).
    let catch_up = |core: &mut EngineCore,
                    until: i64,
                    stats: &mut SimStats,
                    cycle: &mut dyn FnMut(&mut EngineCore, i64, &mut SimStats)| {
        loop {
            let due = core.next_wakeup().as_millis();
            if due >= until {
                break;
            }
            cycle(core, due, stats);
            if core.next_wakeup().as_millis() <= due {
                break;
            }
        }
    };

    let cost_type = cost_type(s);
    let pool_min = policy(&s.workers.policy).min();
    let report_every = (prep.points / 100).max(1);
    for k in 0..prep.points {
        let t = start + k as i64 * step;
        catch_up(&mut core, t, &mut stats, &mut cycle);
        let at = Timestamp(t);
        // The capacity known now, and the metrics recorded now.
        let caps: Vec<u32> = {
            let mut w = world.lock().expect("the replay world is never poisoned");
            for (i, app) in apps.iter().enumerate() {
                if let Some(c) = &prep.apps[app.fed].capacity {
                    w.capacity[i] = c[k].round().max(0.0) as u32;
                }
            }
            w.capacity.clone()
        };
        let (_, rate) = virtual_pool(s, cost_type, pool_min, &apps, &caps);
        core.observe_spend_rate(rate, at);
        for (app, &cap) in apps.iter().zip(&caps) {
            core.observe_capacity(app.key, cap, at);
            let fed = &prep.apps[app.fed];
            let lambda = fed.demand_rps(k, Some(f64::from(cap))).unwrap_or(0.0);
            for &(metric, what) in &app.pushes {
                let value = match what {
                    Push::Rps => lambda,
                    Push::RpsPerInstance => lambda / f64::from(cap.max(1)),
                    Push::Cpu => match fed.kind {
                        DemandKind::Utilization => fed.raw[k],
                        DemandKind::Rate => {
                            let supply = f64::from(cap) * fed.spec.service_rate_rps;
                            if supply > 0.0 {
                                (100.0 * lambda / supply).min(100.0)
                            } else {
                                100.0
                            }
                        }
                    },
                    Push::Raw => fed.raw[k],
                    Push::Extra(j) => fed.extra[j].1[k],
                };
                // Trace values are finite and non-negative.
                let _ = core.observe_sample(app.key, metric, value, at);
            }
        }
        if core.next_wakeup().as_millis() <= t {
            cycle(&mut core, t, &mut stats);
        }
        // Record the interval [t, t + step) with the capacity after the cycle.
        let mut w = world.lock().expect("the replay world is never poisoned");
        let caps = w.capacity.clone();
        let samples = apps.iter_mut().zip(&caps).map(|(app, &cap)| {
            let fed = &prep.apps[app.fed];
            let lambda = fed
                .demand_rps(k, Some(f64::from(cap)))
                .unwrap_or(0.0)
                .max(0.0);
            let st = app.service.interval(lambda, cap, dt_s);
            let drop_rate = if st.offered > 0.0 {
                st.dropped / st.offered
            } else {
                0.0
            };
            AppSample {
                demand_rps: st.offered / dt_s,
                demand_instances: f64::from(st.demand_instances),
                ready: cap,
                starting: 0,
                target: cap,
                pending: 0,
                cpu_percent: 100.0 * st.utilisation,
                latency_mean_ms: st.mean_ms,
                latency_p95_ms: st.p95_ms,
                requests: st.offered,
                dropped: st.dropped,
                latency_breached: st.offered > 0.0 && st.slo_ms > app.slo_latency_ms,
                drop_breached: drop_rate > app.max_drop_rate,
            }
        });
        w.recorder.app_samples(t, 0, samples);
        let (workers, rate) = virtual_pool(s, cost_type, pool_min, &apps, &caps);
        if let Some(ti) = cost_type {
            let ty = &s.worker_types[ti];
            let requested: f64 = apps
                .iter()
                .zip(&caps)
                .map(|(a, &c)| f64::from(c) * a.cpu_cores)
                .sum();
            let allocatable = f64::from(workers) * ty.cpu_cores;
            let cost = rate * dt_s / 3600.0;
            let spot = if ty.spot { (rate, cost) } else { (0.0, 0.0) };
            w.recorder.cluster_sample(
                t,
                &ClusterSample {
                    workers,
                    workers_provisioning: 0,
                    pending_workloads: 0,
                    cpu_utilization_percent: if allocatable > 0.0 {
                        100.0 * requested / allocatable
                    } else {
                        0.0
                    },
                    cost_rate_per_hour: rate,
                    cost_rate_spot_per_hour: spot.0,
                    cost,
                    cost_spot: spot.1,
                },
            );
            for j in 0..s.worker_types.len() {
                let (count, c) = if j == ti { (workers, cost) } else { (0, 0.0) };
                w.recorder
                    .worker_sample(t, j, &WorkerSample { count, cost: c });
            }
        }
        stats.peak_workers = stats.peak_workers.max(workers);
        stats.final_workers = workers;
        drop(w);
        if k % report_every == 0 {
            progress(k as f64 / prep.points as f64);
        }
    }
    catch_up(&mut core, end, &mut stats, &mut cycle);
    progress(1.0);
    let status = core.status();
    drop(callbacks);
    let world = Arc::try_unwrap(world)
        .ok()
        .expect("the callbacks are dropped")
        .into_inner()
        .expect("the replay world is never poisoned");
    stats.wall_seconds = wall.elapsed().as_secs_f64();
    stats.simulated_seconds = (end - start) as f64 / 1000.0;
    stats.events = prep.points as u64;
    stats.decisions = world.decisions;
    stats.errors = world.errors;
    Ok((
        SimOutcome {
            record: world.recorder.finish(end),
            stats,
            status,
        },
        notes,
    ))
}

/// The virtual pool for these capacities: (workers, cost rate per hour).
fn virtual_pool(
    s: &Scenario,
    cost_type: Option<usize>,
    pool_min: u32,
    apps: &[OpenApp],
    caps: &[u32],
) -> (u32, f64) {
    let Some(ti) = cost_type else {
        return (0, 0.0);
    };
    let ty = &s.worker_types[ti];
    let requested: f64 = apps
        .iter()
        .zip(caps)
        .map(|(a, &c)| f64::from(c) * a.cpu_cores)
        .sum();
    let needed = if ty.cpu_cores > 0.0 {
        (requested / ty.cpu_cores - 1e-9).ceil().max(0.0) as u32
    } else {
        0
    };
    let workers = needed.max(pool_min);
    (workers, f64::from(workers) * ty.price_per_hour)
}
