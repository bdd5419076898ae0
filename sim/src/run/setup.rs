//! Building a simulation from a scenario: the fleet at the start, the engine
//! with its resources registered, the recorder with the run's metadata.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lighthouse_engine::driver::CycleScratch;
use lighthouse_engine::{
    EngineCore, LighthouseCallbacks, MetricsSource, ResourceLayer, ScalingPolicy, Timestamp,
};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use super::adapters::SimAdapters;
use super::block::LaneBlock;
use super::faults::Faults;
use super::tick::{AppBinding, AppLoad, Quantity, SimApp};
use super::world::{Target, World};
use super::{NOT_A_LOG_NORMAL_COPY, SimError, SimEvent, SimOptions, Simulation};
use crate::clock::EventQueue;
use crate::fleet::{Fleet, app_services};
use crate::load::lanes::NormalLanes;
use crate::load::{CopyNoise, LoadProcess, derive_seed, split_noise};
use crate::record::{
    APP_LANES, AppMeta, FORMAT_VERSION, Layer, Recorder, RunMeta, RunMode, Slo, WorkerTypeMeta,
};
use crate::scenario::{
    ExpandedApp, FaultSpec, LoadedScenario, POOL_ID, WorkerTypeSpec, engine_config, expanded_apps,
};
use crate::service::IntervalColumns;

/// The recorder's description of app `a`, scaled by policy `p`.
pub fn app_meta(a: &ExpandedApp, p: &ScalingPolicy) -> AppMeta {
    AppMeta {
        name: a.name.clone(),
        layer: a.layer.into(),
        resource_id: a.resource_id(),
        service_rate_rps: a.spec.service_rate_rps,
        min_capacity: p.min(),
        max_capacity: p.max(),
        cpu_cores: a.spec.cpu_cores,
        slo: Slo {
            latency_percentile: a.spec.slo.latency_percentile,
            latency_ms: a.spec.slo.latency_ms,
            max_drop_rate: a.spec.slo.max_drop_rate,
        },
    }
}

/// The recorder's description of worker type `t`.
pub fn worker_type_meta(t: &WorkerTypeSpec) -> WorkerTypeMeta {
    WorkerTypeMeta {
        name: t.name.clone(),
        kind: t.kind.as_str().to_string(),
        provider: t.provider.clone(),
        region: t.region.clone(),
        spot: t.spot,
        cpu_cores: t.cpu_cores,
        memory_gb: t.memory_gb,
        price_per_hour: t.price_per_hour,
    }
}

impl Simulation {
    /// A simulation of a validated scenario, ready to run.
    pub fn new(loaded: &LoadedScenario, options: &SimOptions) -> Result<Simulation, SimError> {
        let s = &loaded.scenario;
        let seed = options.seed.unwrap_or(s.simulation.seed);
        let start_ms = chrono::DateTime::parse_from_rfc3339(&s.simulation.start)
            .map_err(|e| SimError::Setup(format!("simulation.start: {e}")))?
            .timestamp_millis();
        let dt_ms = s.simulation.sample_interval.as_millis();
        let duration_ms = options
            .duration
            .unwrap_or(s.simulation.duration)
            .as_millis();
        // The run covers whole sample intervals.
        let intervals = ((duration_ms + dt_ms - 1) / dt_ms).max(1);
        let end_ms = start_ms + intervals * dt_ms;
        let resolution = options
            .resolution
            .or(s.simulation.resolution)
            .unwrap_or(s.simulation.sample_interval);

        let config = engine_config(s);
        let apps = expanded_apps(s);
        let policy = |name: &str| {
            s.policies
                .get(name)
                .expect("validated scenarios define their policies")
        };

        // Recorder metadata.
        let meta = RunMeta {
            format_version: FORMAT_VERSION,
            mode: options.mode.unwrap_or(RunMode::Simulation),
            scenario: s.simulation.name.clone(),
            seed,
            start_ms,
            end_ms,
            sample_interval_s: dt_ms as f64 / 1000.0,
            evaluation_interval_s: config.evaluation_interval_seconds as f64,
            timeline_resolution_s: resolution.as_secs_f64().max(dt_ms as f64 / 1000.0),
            flap_window_s: s.simulation.flap_window.as_secs_f64(),
            budget_per_hour: config.safety.budget_limit_per_hour,
            apps: apps
                .iter()
                .map(|a| app_meta(a, policy(&a.spec.policy)))
                .collect(),
            worker_types: s.worker_types.iter().map(worker_type_meta).collect(),
        };
        let mut recorder = Recorder::new(meta).map_err(|e| SimError::Setup(e.to_string()))?;
        let pool_record = recorder.resource(POOL_ID, Layer::WorkerNode);

        // The fleet.
        let fleet = Fleet::at_start(s, &apps, start_ms).map_err(SimError::Setup)?;

        // The engine.
        let mut core = EngineCore::new(config, Timestamp(start_ms))
            .map_err(|e| SimError::Setup(e.to_string()))?;
        let mut targets = HashMap::new();
        let mut record_ids = HashMap::new();
        let services = app_services(s, &apps).map_err(SimError::Setup)?;
        let mut sim_apps = Vec::with_capacity(apps.len());
        let mut bindings = Vec::with_capacity(apps.len());
        let mut shared = SharedLoads::default();
        let mut generators = NormalLanes::default();
        for ((i, a), service) in apps.iter().enumerate().zip(services) {
            let id = a.resource_id();
            let key = core
                .register_resource(&id, &a.spec.policy, MetricsSource::Push)
                .map_err(|e| SimError::Setup(e.to_string()))?;
            core.observe_capacity(key, fleet.apps[i].target, Timestamp(start_ms));
            targets.insert(id.clone(), Target::App(i));
            record_ids.insert(id.clone(), recorder.app_resource(i));
            let slo = a.spec.slo;
            // The app's own randomness; a log-normal copy's generator is
            // kept with the others, drawn a chunk at a time.
            let own_seed = derive_seed(seed, &format!("load/{}", a.name));
            generators.push(own_seed);
            sim_apps.push(SimApp {
                load: app_load(a, seed, own_seed, &mut shared),
                service,
                slo_latency_ms: slo.latency_ms,
                max_drop_rate: slo.max_drop_rate,
            });
            bindings.push(AppBinding {
                key,
                pushes: Vec::new(),
                business: a
                    .spec
                    .business_metrics
                    .iter()
                    .map(|m| (m.name.clone(), m.per_request * m.window.as_secs_f64()))
                    .collect(),
                name: a.name.clone(),
                spec_name: a.spec.name.clone(),
            });
        }
        let pool_key = core
            .register_resource(POOL_ID, &s.workers.policy, MetricsSource::Pull)
            .map_err(|e| SimError::Setup(e.to_string()))?;
        core.observe_capacity(pool_key, fleet.pool_size(), Timestamp(start_ms));
        targets.insert(POOL_ID.to_string(), Target::Pool);
        record_ids.insert(POOL_ID.to_string(), pool_record);
        for binding in &mut bindings {
            binding.bind_metrics(&core);
        }

        let world = World {
            fleet,
            recorder,
            faults: Faults::new(
                s,
                start_ms,
                end_ms,
                SmallRng::seed_from_u64(derive_seed(seed, "faults")),
            ),
            rng_workers: SmallRng::seed_from_u64(derive_seed(seed, "workers")),
            targets,
            record_ids,
            pool_type: s.workers.policy.clone(),
            next_action_id: 0,
            current_action: None,
            failed_actions: HashMap::new(),
            action_resources: HashMap::new(),
            decisions: 0,
            errors: 0,
        };
        let world = Arc::new(Mutex::new(world));
        let adapters = SimAdapters(world.clone());
        let callbacks =
            LighthouseCallbacks::new(Arc::new(adapters.clone()), Arc::new(adapters.clone()))
                .add_observer(Arc::new(adapters.clone()));

        let mut queue = EventQueue::new(start_ms);
        queue.schedule(start_ms, SimEvent::Sample);
        for (i, f) in s.faults.iter().enumerate() {
            match f {
                FaultSpec::WorkerCrash { at, .. } => {
                    queue.schedule(start_ms + at.as_millis(), SimEvent::Crash { fault: i })
                }
                FaultSpec::ScaleFailures { from, to, .. }
                | FaultSpec::SlowScaling { from, to, .. }
                | FaultSpec::MetricGap { from, to, .. } => {
                    queue.schedule(
                        start_ms + from.as_millis(),
                        SimEvent::FaultMark {
                            fault: i,
                            start: true,
                        },
                    );
                    queue.schedule(
                        start_ms + to.as_millis(),
                        SimEvent::FaultMark {
                            fault: i,
                            start: false,
                        },
                    );
                }
                FaultSpec::MetricNoise { .. } => {}
            }
        }
        for (i, m) in s.maintenance.iter().enumerate() {
            queue.schedule(
                start_ms + m.start.as_millis(),
                SimEvent::Maintenance {
                    window: i,
                    start: true,
                },
            );
            queue.schedule(
                start_ms + m.end.as_millis(),
                SimEvent::Maintenance {
                    window: i,
                    start: false,
                },
            );
        }
        for (i, c) in s.changes.iter().enumerate() {
            queue.schedule(start_ms + c.at.as_millis(), SimEvent::Change { change: i });
        }

        Ok(Simulation {
            world,
            callbacks,
            core,
            sigmas: sim_apps.iter().map(SimApp::sigma).collect(),
            log_normal_groups: sim_apps
                .iter()
                .map(|a| {
                    a.log_normal_group()
                        .and_then(|g| u32::try_from(g).ok())
                        .filter(|&g| g != NOT_A_LOG_NORMAL_COPY)
                        .unwrap_or(NOT_A_LOG_NORMAL_COPY)
                })
                .collect(),
            lane_blocks: sim_apps
                .chunks(APP_LANES)
                .map(|apps| LaneBlock::of(apps).filter(|_| !options.one_by_one))
                .collect(),
            block_scratch: Default::default(),
            worker_figures: None,
            intervals: IntervalColumns::new(sim_apps.len()),
            served_ready: vec![0; sim_apps.len()],
            serving: false,
            apps: sim_apps,
            bindings,
            queue,
            scratch: CycleScratch::default(),
            pool_key,
            start_ms,
            end_ms,
            dt_ms,
            scenario: loaded.clone(),
            document: loaded.document.clone(),
            noise_rng: SmallRng::seed_from_u64(derive_seed(seed, "noise")),
            wake_scheduled: None,
            stats: Default::default(),
            type_costs: Vec::new(),
            pending_cluster: None,
            check_invariants: options.check_invariants,
            forecasts: crate::forecast::runtime::build(s, &apps, start_ms),
            shared_means: vec![0.0; shared.processes.len()],
            draws: vec![0.0; super::CHUNK],
            generators,
            factors: vec![0.0; super::CHUNK],
            lambdas: Vec::new(),
            routes: Vec::new(),
            shared_loads: shared.processes,
        })
    }
}

/// Deterministic load processes shared by copies, by spec.
#[derive(Default)]
struct SharedLoads {
    processes: Vec<LoadProcess>,
    /// (layer, spec index) → process index.
    by_spec: Vec<((ResourceLayer, usize), usize)>,
}

/// An app's load: copies of a spec (`count` > 1) whose load is a
/// deterministic shape with outer noise share the shape. `own_seed` seeds
/// what is the app's alone.
fn app_load(a: &ExpandedApp, seed: u64, own_seed: u64, shared: &mut SharedLoads) -> AppLoad {
    let Some((core, kind)) = split_noise(&a.spec.load).filter(|_| a.spec.count > 1) else {
        return AppLoad::Own(Box::new(LoadProcess::new(&a.spec.load, own_seed)));
    };
    let key = (a.layer, a.spec_index);
    let group = match shared.by_spec.iter().find(|(k, _)| *k == key) {
        Some(&(_, g)) => g,
        None => {
            let seed = derive_seed(seed, &format!("shared/{}", a.spec.name));
            shared.processes.push(LoadProcess::new(core, seed));
            shared.by_spec.push((key, shared.processes.len() - 1));
            shared.processes.len() - 1
        }
    };
    AppLoad::Copy {
        group,
        noise: CopyNoise::new(kind, own_seed),
    }
}

impl AppBinding {
    /// Binds the metrics the app's policies read to what the simulator
    /// computes (again after a configuration change, which may read new
    /// metrics). Metrics only other apps read are not pushed: the engine
    /// would drop them.
    pub(super) fn bind_metrics(&mut self, core: &EngineCore) {
        self.pushes.clear();
        let key = self.key;
        let read = |name: &str| core.metric_key(name).filter(|&k| core.reads_metric(key, k));
        for (name, q) in super::tick::APP_METRICS {
            if let Some(k) = read(name) {
                self.pushes.push((k, q));
            }
        }
        for (i, (name, _)) in self.business.iter().enumerate() {
            if let Some(k) = read(name) {
                self.pushes.push((k, Quantity::Business(i)));
            }
        }
    }
}
