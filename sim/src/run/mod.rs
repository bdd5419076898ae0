//! Running a scenario: the event loop that drives the fleet and the engine.
//!
//! - `setup`: building the fleet, engine and recorder from a scenario.
//! - `tick`: the metric sample tick; `block`: a block of apps served in
//!   vector lanes.
//! - `adapters`: the engine's callbacks over the fleet.
//! - `world`: what the callbacks share with the loop. `faults`: injected faults.
//!
//! Each sample tick closes the interval that just ended — its cost is now
//! known and recorded with the cluster's sample, and its app metrics reach
//! the engine, stamped with the tick's time — and starts the next one with
//! the fleet as it is; an app's sample is recorded as its interval starts,
//! since the queueing model gives it then.
//! An engine cycle runs after the tick when one is due; retries due between
//! ticks get an engine wake-up event of their own.

mod adapters;
mod block;
mod faults;
mod setup;
mod tick;
mod world;

use std::sync::{Arc, Mutex};
use std::time::Instant;

use lighthouse_engine::driver::{CycleScratch, complete_now, run_cycle};
use lighthouse_engine::{
    CallbackContext, EngineCore, EngineStatus, LighthouseCallbacks, ResourceKey, Timestamp,
};
use rand::rngs::SmallRng;

pub use adapters::SimAdapters;
pub use setup::{app_meta, worker_type_meta};
pub use tick::{APP_METRICS, Quantity};
pub use world::{Target, World};

use crate::clock::EventQueue;
use crate::fleet::cost::TypeCost;
use crate::fleet::{ClusterState, FleetEvent};
use crate::record::{APP_LANES, EventKind, EventRow, RunMode, RunRecord};
use crate::scenario::{
    Dur, FaultSpec, LoadedScenario, POOL_ID, engine_config, from_document, paths::set_path,
};
use tick::{AppBinding, PendingCluster, SimApp, worker_sample};

/// Overrides of the scenario for one run.
#[derive(Clone, Debug, Default)]
pub struct SimOptions {
    /// Seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Length instead of the scenario's.
    pub duration: Option<Dur>,
    /// Stored timeline resolution instead of the scenario's.
    pub resolution: Option<Dur>,
    /// What the run is recorded as (default: simulation).
    pub mode: Option<RunMode>,
    /// Check the fleet's bookkeeping after every event and stop with
    /// [`SimError::Invariant`] at the first inconsistency (tests; slower).
    pub check_invariants: bool,
    /// Serve every app on its own, never a block of apps in vector lanes
    /// (slower; the same figures bit for bit, which a test checks).
    pub one_by_one: bool,
}

/// What a run cost to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SimStats {
    /// Wall-clock time, seconds.
    pub wall_seconds: f64,
    /// Simulated time, seconds.
    pub simulated_seconds: f64,
    /// Events processed.
    pub events: u64,
    /// Engine cycles run.
    pub cycles: u64,
    /// Resources evaluated, summed over full cycles.
    pub resource_evaluations: u64,
    /// Decisions to act.
    pub decisions: u64,
    /// App samples served a block at a time in vector lanes.
    pub block_samples: u64,
    /// Errors (failed executions, unknown capacity…).
    pub errors: u64,
    /// Workers alive at the end.
    pub final_workers: u32,
    /// Most workers alive at once.
    pub peak_workers: u32,
}

/// A finished run.
pub struct SimOutcome {
    /// Everything recorded.
    pub record: RunRecord,
    /// What it cost to compute.
    pub stats: SimStats,
    /// The engine's status at the end.
    pub status: EngineStatus,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The scenario could not be turned into a fleet and an engine.
    #[error("setting up the simulation: {0}")]
    Setup(String),
    /// The fleet's bookkeeping broke (only with `check_invariants`).
    #[error("fleet invariant broken at {at_ms} ms: {message}")]
    Invariant {
        /// When, epoch ms.
        at_ms: i64,
        /// What.
        message: String,
    },
    /// A configuration change during the run was refused.
    #[error("changes[{index}] at {at}: {message}")]
    Change {
        /// Which change.
        index: usize,
        /// When.
        at: Dur,
        /// Why.
        message: String,
    },
}

/// Apps per chunk of a sample tick: their state fits the first-level
/// caches. A multiple of the recorder's block ([`APP_LANES`]), so that
/// every chunk is recorded in whole blocks.
const CHUNK: usize = 32;

/// In [`Simulation::log_normal_groups`]: an app whose offered load is its
/// own ([`tick::SimApp::offered`]).
const NOT_A_LOG_NORMAL_COPY: u32 = u32::MAX;
const _: () = assert!(CHUNK.is_multiple_of(APP_LANES));
const _: () = assert!(APP_LANES == crate::service::BLOCK);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SimEvent {
    Sample,
    EngineWake,
    Fleet(FleetEvent),
    Crash { fault: usize },
    FaultMark { fault: usize, start: bool },
    Maintenance { window: usize, start: bool },
    Change { change: usize },
}

/// A simulation, built by [`Simulation::new`] and consumed by [`Simulation::run`].
pub struct Simulation {
    world: Arc<Mutex<World>>,
    callbacks: LighthouseCallbacks,
    core: EngineCore,
    /// Every app's per-sample state, and how the engine knows it (same
    /// order).
    apps: Vec<SimApp>,
    bindings: Vec<AppBinding>,
    queue: EventQueue<SimEvent>,
    scratch: CycleScratch,
    pool_key: ResourceKey,
    start_ms: i64,
    end_ms: i64,
    dt_ms: i64,
    scenario: LoadedScenario,
    document: toml::Table,
    noise_rng: SmallRng,
    wake_scheduled: Option<i64>,
    stats: SimStats,
    type_costs: Vec<TypeCost>,
    pending_cluster: Option<PendingCluster>,
    /// The workers' part of the cluster's figures (pending instances
    /// aside), kept from tick to tick while no event or engine cycle has
    /// changed the fleet: summing them reads every live worker.
    worker_figures: Option<ClusterState>,
    check_invariants: bool,
    /// Deterministic load shared by copies of one app spec.
    shared_loads: Vec<crate::load::LoadProcess>,
    /// Their means for the interval being served.
    shared_means: Vec<f64>,
    /// Each app's noise for the interval being served: σ × its variate,
    /// the logarithm of its noise factor (scratch, `CHUNK` long).
    draws: Vec<f64>,
    /// Every app's generator of standard normal variates, and the σ of its
    /// log-normal noise (0 for apps without).
    generators: crate::load::lanes::NormalLanes,
    sigmas: Vec<f64>,
    /// The noise factors, e^ of each draw (scratch, `CHUNK` long).
    factors: Vec<f64>,
    /// Each app's group of shared load where it is a log-normal copy,
    /// [`NOT_A_LOG_NORMAL_COPY`] otherwise: kept apart from the apps so
    /// that the copies' offered loads are formed without reading them.
    log_normal_groups: Vec<u32>,
    /// Each app's offered load, requests per second (scratch, one chunk).
    lambdas: Vec<f64>,
    /// How each app of a block is served (scratch).
    routes: Vec<crate::service::Route>,
    /// Block `b` (apps `APP_LANES × b ..`), where its apps can be served
    /// in vector lanes.
    lane_blocks: Vec<Option<block::LaneBlock>>,
    /// A block's samples by field, for the recorder (scratch).
    block_scratch: block::BlockScratch,
    /// The interval each app is serving (when `serving`)…
    intervals: crate::service::IntervalColumns,
    /// …and the app's ready instances when it started.
    served_ready: Vec<u32>,
    /// Whether the apps are serving an interval (none before the first
    /// tick).
    serving: bool,
    /// Forecasts published as custom metrics (predictive scaling).
    forecasts: crate::forecast::Forecasters,
}

impl Simulation {
    /// Runs to the end; `progress` hears the share of simulated time done
    /// (0 to 1) about a hundred times.
    pub fn run(mut self, progress: &mut dyn FnMut(f64)) -> Result<SimOutcome, SimError> {
        let wall = Instant::now();
        let span = (self.end_ms - self.start_ms).max(1) as f64;
        let step = ((self.end_ms - self.start_ms) / 100).max(1);
        let mut next_report = self.start_ms + step;
        while let Some((t, event)) = self.queue.step() {
            if t > self.end_ms || (t == self.end_ms && event != SimEvent::Sample) {
                continue;
            }
            self.stats.events += 1;
            self.handle(t, event)?;
            if self.check_invariants {
                let w = self.lock();
                w.fleet
                    .check_invariants()
                    .map_err(|message| SimError::Invariant { at_ms: t, message })?;
            }
            if t >= next_report {
                progress((t - self.start_ms) as f64 / span);
                next_report = t + step;
            }
        }
        progress(1.0);
        let Simulation {
            world,
            callbacks,
            core,
            mut stats,
            end_ms,
            ..
        } = self;
        // The callbacks hold the other references to the world.
        drop(callbacks);
        let world = Arc::try_unwrap(world)
            .ok()
            .expect("the engine's callbacks are dropped with the simulation")
            .into_inner()
            .expect("the simulation world is never poisoned");
        stats.wall_seconds = wall.elapsed().as_secs_f64();
        stats.simulated_seconds = span / 1000.0;
        stats.decisions = world.decisions;
        stats.errors = world.errors;
        stats.final_workers = world.fleet.pool_size();
        Ok(SimOutcome {
            record: world.recorder.finish(end_ms),
            stats,
            status: core.status(),
        })
    }

    fn handle(&mut self, t: i64, event: SimEvent) -> Result<(), SimError> {
        if !matches!(event, SimEvent::Sample) {
            self.worker_figures = None;
        }
        match event {
            SimEvent::Sample => {
                self.sample_tick(t);
                if t < self.end_ms {
                    self.queue.schedule(t + self.dt_ms, SimEvent::Sample);
                    self.maybe_cycle(t);
                }
            }
            SimEvent::EngineWake => {
                self.wake_scheduled = None;
                self.maybe_cycle(t);
            }
            SimEvent::Fleet(e) => {
                let mut w = self.lock();
                match e {
                    FleetEvent::InstancesReady { app } => w.fleet.instances_ready(app as usize, t),
                    FleetEvent::WorkerReady { worker, epoch } => {
                        w.fleet.worker_ready(worker, epoch, t)
                    }
                    FleetEvent::WorkerInterrupted { worker, epoch } => {
                        if w.fleet.kill_worker(worker, epoch, t) {
                            fault_row(&mut w, t, "spot_interruption");
                        }
                    }
                    FleetEvent::IdleCheck { worker, epoch } => {
                        w.fleet.idle_check(worker, epoch, t);
                    }
                }
            }
            SimEvent::Crash { fault } => {
                let count = match self.scenario.scenario.faults[fault] {
                    FaultSpec::WorkerCrash { count, .. } => count,
                    _ => 0,
                };
                let mut w = self.lock();
                for worker in w.fleet.busiest_workers(count) {
                    let epoch = w.fleet.workers[worker as usize].epoch;
                    if w.fleet.kill_worker(worker, epoch, t) {
                        fault_row(&mut w, t, "worker_crash");
                    }
                }
            }
            SimEvent::FaultMark { fault, start } => {
                let kind = match &self.scenario.scenario.faults[fault] {
                    FaultSpec::ScaleFailures { .. } => "scale_failures",
                    FaultSpec::SlowScaling { .. } => "slow_scaling",
                    FaultSpec::MetricGap { .. } => "metric_gap",
                    _ => "fault",
                };
                let mut w = self.lock();
                fault_row(&mut w, t, if start { kind } else { "fault window ends" });
            }
            SimEvent::Maintenance { window, start } => {
                let m = self.scenario.scenario.maintenance[window].clone();
                if start {
                    self.core.begin_maintenance(&m.name, &m.layers);
                } else {
                    self.core.end_maintenance(&m.name);
                }
                let mut w = self.lock();
                let what = if start {
                    "maintenance starts"
                } else {
                    "maintenance ends"
                };
                config_row(&mut w, t, format!("{what}: {}", m.name));
            }
            SimEvent::Change { change } => self.apply_change(change, t)?,
        }
        self.flush_fleet();
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.world
            .lock()
            .expect("the simulation world is never poisoned")
    }

    /// Moves what the fleet scheduled into the queue, and records capacity
    /// that became ready.
    fn flush_fleet(&mut self) {
        let mut w = self
            .world
            .lock()
            .expect("the simulation world is never poisoned");
        for (at, e) in w.fleet.outbox.drain(..).collect::<Vec<_>>() {
            self.queue.schedule(at, SimEvent::Fleet(e));
        }
        let ready: Vec<(i64, i64)> = w.fleet.became_ready.drain(..).collect();
        for (action_id, at) in ready {
            if let Some(row) = ready_row(&mut w, action_id, at) {
                w.recorder.event(row);
            }
        }
        let alive = w.fleet.pool_size();
        self.stats.peak_workers = self.stats.peak_workers.max(alive);
    }

    /// Closes the interval that ended at `t` and starts the next one.
    ///
    /// An app's sample is known when its interval opens (the cost, known at
    /// the close, is the cluster's), so it is recorded then, straight from
    /// the queueing model. The closed interval's stats stay with the app
    /// for the engine and the forecasts. Apps are visited in chunks small
    /// enough to stay in cache, with short loops inside a chunk: each app's
    /// random draw and queueing lookup are chains of slow operations, and
    /// short loop bodies let the processor run several apps' chains at once.
    fn sample_tick(&mut self, t: i64) {
        let dt_s = self.dt_ms as f64 / 1000.0;
        let mut guard = self
            .world
            .lock()
            .expect("the simulation world is never poisoned");
        let w = &mut *guard;
        let closing = self.pending_cluster.take();
        let opening = t < self.end_ms;
        if let Some(pc) = &closing {
            w.fleet.cost.close_interval(t, &mut self.type_costs);
            let (mut cost, mut spot) = (0.0, 0.0);
            for (k, tc) in self.type_costs.iter().enumerate() {
                cost += tc.cost;
                if w.fleet.types[k].spot {
                    spot += tc.cost;
                }
            }
            // Before the opening interval's app samples: the recorder
            // closes a tick when samples of the next one arrive.
            w.recorder.cluster_sample(pc.t_ms, &pc.sample(cost, spot));
            for (k, tc) in self.type_costs.iter().enumerate() {
                w.recorder
                    .worker_sample(pc.t_ms, k, &worker_sample(tc.count, tc.cost));
            }
        }
        let noise = w.faults.noise_sigma(t);
        let gaps = w.faults.has_gaps();
        // Only the latest sample counts at an evaluation, so samples
        // reach the engine at the ticks an evaluation follows.
        let evaluating = closing.is_some() && self.core.next_evaluation().as_millis() <= t;
        let forecasting = closing.is_some() && !self.forecasts.is_empty();
        let t_s = (t - self.start_ms) as f64 / 1000.0;
        if opening {
            for (mean, process) in self.shared_means.iter_mut().zip(&mut self.shared_loads) {
                *mean = process.rate(t_s, dt_s);
            }
        }
        let at = Timestamp(t);
        // Instances placed nowhere, summed on the way for the cluster.
        let mut pending = 0;
        for first in (0..self.apps.len()).step_by(CHUNK) {
            let chunk = first..(first + CHUNK).min(self.apps.len());
            if (evaluating || forecasting) && self.serving {
                for i in chunk.clone() {
                    let binding = &self.bindings[i];
                    let (stats, ready) = (self.intervals.at(i), self.served_ready[i]);
                    if forecasting {
                        let value = |q| binding.value(q, stats, ready, dt_s);
                        self.forecasts.observe(i, t, value, &mut w.recorder);
                    }
                    if !evaluating {
                        continue;
                    }
                    self.core
                        .observe_capacity(binding.key, w.fleet.counts[i][2], at);
                    if gaps
                        && w.faults
                            .metric_gap_for(Some((&binding.name, &binding.spec_name)), t)
                    {
                        continue;
                    }
                    let noise = (noise > 0.0).then_some((noise, &mut self.noise_rng));
                    binding.push(&mut self.core, stats, ready, dt_s, at, noise);
                    if forecasting {
                        self.forecasts
                            .publish(i, &mut self.core, binding.key, ready, at);
                    }
                }
            }
            if opening {
                // The next interval, with the fleet as it is now.
                let apps = &mut self.apps[chunk.clone()];
                let means = &self.shared_means;
                // Every app's variate (used by the log-normal copies), then
                // their noise factors e^(σz).
                let draws = &mut self.draws[..apps.len()];
                self.generators.draw(chunk.clone(), draws);
                let factors = &mut self.factors[..apps.len()];
                let sigmas = &self.sigmas[chunk.clone()];
                crate::load::exp::exp_of_products_into(draws, sigmas, factors);
                self.lambdas.clear();
                let groups = &self.log_normal_groups[chunk.clone()];
                self.lambdas
                    .extend(apps.iter_mut().zip(&*factors).zip(groups).map(
                        |((app, &f), &group)| {
                            if group == NOT_A_LOG_NORMAL_COPY {
                                app.offered(t_s, dt_s, means, f)
                            } else {
                                crate::load::log_normal_rate(means[group as usize], f)
                            }
                        },
                    ));
                // (ready, starting, target, pending) of each app.
                let counts = &w.fleet.counts[chunk.clone()];
                for (ready, c) in self.served_ready[chunk.clone()].iter_mut().zip(counts) {
                    *ready = c[0];
                }
                pending += counts.iter().map(|c| c[3]).sum::<u32>();
                // Block by block: in vector lanes where every app of the
                // block is steady, app by app otherwise.
                for at in (0..apps.len()).step_by(APP_LANES) {
                    let block = at..(at + APP_LANES).min(apps.len());
                    let lane_block = self.lane_blocks.get_mut((first + at) / APP_LANES);
                    if let (APP_LANES, Some(Some(lane_block))) = (block.len(), lane_block) {
                        let served = block::serve_block(
                            &mut apps[block.clone()],
                            lane_block,
                            &self.lambdas[block.clone()],
                            &counts[block.clone()],
                            dt_s,
                            (&mut self.intervals, first + at),
                            &mut self.block_scratch,
                        );
                        if served {
                            w.recorder
                                .app_block(t, first + at, &self.block_scratch.samples);
                            self.stats.block_samples += APP_LANES as u64;
                            continue;
                        }
                    }
                    let apps = &mut apps[block.clone()];
                    let (counts, lambdas) = (&counts[block.clone()], &self.lambdas[block.clone()]);
                    self.routes.clear();
                    self.routes.extend(
                        apps.iter_mut()
                            .zip(counts)
                            .zip(lambdas)
                            .map(|((app, c), &lambda)| app.service.route(lambda, c[0], dt_s)),
                    );
                    let inputs = counts.iter().zip(lambdas).zip(&self.routes);
                    let intervals = &mut self.intervals;
                    let samples = apps.iter_mut().zip(inputs).enumerate().map(
                        |(k, (app, ((&counts, &lambda), &route)))| {
                            let stats = app.serve(lambda, dt_s, counts[0], route);
                            intervals.set(first + at + k, &stats);
                            app.sample(&stats, counts)
                        },
                    );
                    w.recorder.app_samples(t, first + at, samples);
                }
            }
        }
        if evaluating {
            self.core
                .observe_capacity(self.pool_key, w.fleet.pool_size(), at);
        }
        if !opening {
            return;
        }
        self.serving = true;
        // The workers' figures change only with an event or an engine
        // cycle, which drop them; a tick between reads them again.
        let workers = match self.worker_figures {
            Some(kept) => {
                debug_assert_eq!(kept, w.fleet.cluster_with_pending(0), "kept at {t} ms");
                kept
            }
            None => *self.worker_figures.insert(w.fleet.cluster_with_pending(0)),
        };
        let cluster = ClusterState { pending, ..workers };
        let rate = w.fleet.cost.rate_per_hour();
        self.core.observe_spend_rate(rate.0, Timestamp(t));
        self.core
            .set_protected_workers(self.pool_key, cluster.protected);
        self.pending_cluster = Some(PendingCluster {
            t_ms: t,
            state: cluster,
            rate,
        });
    }

    /// Runs an engine cycle if one is due at `t`, then plans the next wake-up.
    fn maybe_cycle(&mut self, t: i64) {
        if self.core.next_wakeup().as_millis() <= t {
            let context = CallbackContext {
                timestamp: Timestamp(t),
                metadata: Default::default(),
            };
            let report = complete_now(run_cycle(
                &mut self.core,
                &self.callbacks,
                &context,
                &mut self.scratch,
            ));
            if report.kind.is_some() {
                // Its actions may have moved instances or workers.
                self.worker_figures = None;
                self.stats.cycles += 1;
                if report.kind == Some(lighthouse_engine::CycleKind::Full) {
                    self.stats.resource_evaluations += self.core.resources().len() as u64;
                }
            }
            self.flush_fleet();
        }
        let next = self.core.next_wakeup().as_millis();
        let on_grid = (next - self.start_ms) % self.dt_ms == 0;
        if next > t && next < self.end_ms && !on_grid && self.wake_scheduled != Some(next) {
            self.queue.schedule(next, SimEvent::EngineWake);
            self.wake_scheduled = Some(next);
        }
    }

    fn apply_change(&mut self, index: usize, t: i64) -> Result<(), SimError> {
        let change = self.scenario.scenario.changes[index].clone();
        let err = |message: String| SimError::Change {
            index,
            at: change.at,
            message,
        };
        for (path, value) in &change.set {
            set_path(&mut self.document, path, value.clone()).map_err(err)?;
        }
        let next = from_document(self.document.clone(), &self.scenario.source)
            .map_err(|e| err(e.to_string()))?;
        let version = self
            .core
            .update_config(engine_config(&next.scenario), Timestamp(t))
            .map_err(|e| err(e.to_string()))?;
        for binding in &mut self.bindings {
            binding.bind_metrics(&self.core);
        }
        let pool_min = next
            .scenario
            .policies
            .get(&next.scenario.workers.policy)
            .map_or(1, |p| p.min());
        let mut w = self.lock();
        w.fleet.pool_min = pool_min;
        let paths: Vec<&str> = change.set.keys().map(String::as_str).collect();
        config_row(
            &mut w,
            t,
            format!("config version {version}: {}", paths.join(", ")),
        );
        drop(w);
        self.scenario.scenario = next.scenario;
        Ok(())
    }
}

fn fault_row(w: &mut World, t: i64, kind: &'static str) {
    if let Some(resource) = w.record_index(POOL_ID) {
        let mut row = EventRow::new(t, resource, EventKind::Fault);
        row.reason = std::borrow::Cow::Borrowed(kind);
        w.recorder.event(row);
    }
}

fn config_row(w: &mut World, t: i64, reason: String) {
    if let Some(resource) = w.record_index(POOL_ID) {
        let mut row = EventRow::new(t, resource, EventKind::Config);
        row.reason = std::borrow::Cow::Owned(reason);
        w.recorder.event(row);
    }
}

/// The `ready` row of an action, on the resource its decision named.
fn ready_row(w: &mut World, action_id: i64, at: i64) -> Option<EventRow> {
    let resource = w.action_resources.remove(&action_id)?;
    let mut row = EventRow::new(at, resource, EventKind::Ready);
    row.action_id = action_id;
    Some(row)
}
