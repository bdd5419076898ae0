//! The simulated fleet behind the fleet server: the simulator's
//! [`Fleet`] (placement, start-ups, provisioning, billing), each app's
//! [`LoadProcess`] and [`Service`] (queueing), advanced in the scenario's
//! sample intervals up to a given simulated time. No engine runs here: the
//! fleet changes only when the REST routes ask.

use std::collections::BTreeMap;

use lighthouse_engine::ResourceLayer;
use lighthouse_sim::clock::EventQueue;
use lighthouse_sim::fleet::{Fleet, FleetEvent, WorkerState, app_services};
use lighthouse_sim::load::{LoadProcess, derive_seed};
use lighthouse_sim::scenario::{Scenario, expanded_apps};
use lighthouse_sim::service::{IntervalStats, Service};
use rand::SeedableRng;
use rand::rngs::SmallRng;

/// Most instances one scale call may ask for.
pub const MAX_INSTANCES: u32 = 10_000;

/// The name of the one worker pool (`worker_node:pool`), also the value of
/// each worker's `pool` label.
pub const POOL_NAME: &str = "pool";

/// One app or platform component: its load, its queue and its counters.
pub struct ModelApp {
    /// Its name (copies of a spec have their own).
    pub name: String,
    /// `app_instance` or `platform_component`.
    pub layer: ResourceLayer,
    /// Requests one instance serves per second.
    pub service_rate_rps: f64,
    load: LoadProcess,
    service: Service,
    /// Requests offered so far, simulated.
    pub requests_total: f64,
    /// Requests served so far, simulated.
    pub served_total: f64,
    /// Requests dropped so far, simulated.
    pub dropped_total: f64,
    /// The last finished sample interval.
    pub last: Option<IntervalStats>,
    /// The interval being served.
    current: Option<IntervalStats>,
}

impl ModelApp {
    /// The last finished interval, else the one being served (at the very
    /// start).
    pub fn latest(&self) -> Option<IntervalStats> {
        self.last.or(self.current)
    }
}

/// A scale call received.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleCall {
    /// The app's name.
    pub app: String,
    /// Instances asked for.
    pub instances: u32,
    /// Memory per instance asked for, MB.
    pub memory_mb: u32,
    /// Simulated time, epoch ms.
    pub at_ms: i64,
}

/// Why the fleet refused a change.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FleetChangeError {
    /// No app with that id.
    #[error("no app with id {0}")]
    NoApp(String),
    /// No live VM with that id.
    #[error("no VM with id {0:?}")]
    NoVm(String),
    /// The VM runs critical instances.
    #[error("VM {0:?} runs critical instances and is protected")]
    Protected(String),
    /// Too many instances asked for.
    #[error("instances {0} is more than {MAX_INSTANCES}")]
    TooMany(i64),
    /// A negative instance count.
    #[error("instances {0} is negative")]
    Negative(i64),
}

/// The fleet and its clock.
pub struct FleetModel {
    fleet: Fleet,
    apps: Vec<ModelApp>,
    queue: EventQueue<FleetEvent>,
    rng: SmallRng,
    start_ms: i64,
    dt_ms: i64,
    next_tick_ms: i64,
    now_ms: i64,
    /// Worker index → the name its `create_vm` gave it.
    vm_names: BTreeMap<u32, String>,
    scale_calls: Vec<ScaleCall>,
}

impl FleetModel {
    /// The fleet at the scenario's start: its initial workers, and every
    /// app at its initial instance count, serving.
    pub fn new(s: &Scenario) -> Result<FleetModel, String> {
        let start_ms = chrono::DateTime::parse_from_rfc3339(&s.simulation.start)
            .map_err(|e| format!("simulation.start {:?}: {e}", s.simulation.start))?
            .timestamp_millis();
        let dt_ms = s.simulation.sample_interval.as_millis().max(1);
        let seed = s.simulation.seed;
        let apps = expanded_apps(s);
        let fleet = Fleet::at_start(s, &apps, start_ms)?;
        let services = app_services(s, &apps)?;
        let model_apps = apps
            .iter()
            .zip(services)
            .map(|(a, service)| ModelApp {
                name: a.name.clone(),
                layer: a.layer,
                service_rate_rps: a.spec.service_rate_rps,
                load: LoadProcess::new(
                    &a.spec.load,
                    derive_seed(seed, &format!("load/{}", a.name)),
                ),
                service,
                requests_total: 0.0,
                served_total: 0.0,
                dropped_total: 0.0,
                last: None,
                current: None,
            })
            .collect();
        let mut model = FleetModel {
            fleet,
            apps: model_apps,
            queue: EventQueue::new(start_ms),
            rng: SmallRng::seed_from_u64(derive_seed(seed, "workers")),
            start_ms,
            dt_ms,
            next_tick_ms: start_ms,
            now_ms: start_ms,
            vm_names: BTreeMap::new(),
            scale_calls: Vec::new(),
        };
        model.advance_to(start_ms);
        Ok(model)
    }

    /// The scenario's start, epoch ms.
    pub fn start_ms(&self) -> i64 {
        self.start_ms
    }

    /// The scenario's sample interval, seconds.
    pub fn sample_interval_s(&self) -> f64 {
        self.dt_ms as f64 / 1000.0
    }

    /// The simulated time reached, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The fleet.
    pub fn fleet(&self) -> &Fleet {
        &self.fleet
    }

    /// The apps and platform components, in the fleet's order.
    pub fn apps(&self) -> &[ModelApp] {
        &self.apps
    }

    /// Scale calls received so far.
    pub fn scale_calls(&self) -> &[ScaleCall] {
        &self.scale_calls
    }

    /// The name a worker is listed under.
    pub fn worker_name(&self, w: u32) -> String {
        self.vm_names
            .get(&w)
            .cloned()
            .unwrap_or_else(|| format!("worker-{w}"))
    }

    /// The VM id of a worker (`delete_vm` takes it).
    pub fn vm_id(w: u32) -> String {
        format!("vm-{w}")
    }

    /// Runs the fleet up to simulated time `t_ms` (epoch ms): start-ups and
    /// provisioning that finish, and one served interval per sample tick.
    /// Earlier times are ignored.
    pub fn advance_to(&mut self, t_ms: i64) {
        while self.next_tick_ms <= t_ms {
            let tick = self.next_tick_ms;
            self.run_events(tick);
            self.tick(tick);
            self.next_tick_ms += self.dt_ms;
        }
        self.run_events(t_ms);
        self.now_ms = self.now_ms.max(t_ms);
    }

    fn flush_outbox(&mut self) {
        for (at, e) in self.fleet.outbox.drain(..).collect::<Vec<_>>() {
            self.queue.schedule(at, e);
        }
        self.fleet.became_ready.clear();
    }

    fn run_events(&mut self, until_ms: i64) {
        self.flush_outbox();
        while let Some((t, e)) = self.queue.step_until(until_ms) {
            match e {
                FleetEvent::InstancesReady { app } => self.fleet.instances_ready(app as usize, t),
                FleetEvent::WorkerReady { worker, epoch } => {
                    self.fleet.worker_ready(worker, epoch, t)
                }
                FleetEvent::WorkerInterrupted { worker, epoch } => {
                    self.fleet.kill_worker(worker, epoch, t);
                }
                FleetEvent::IdleCheck { worker, epoch } => {
                    self.fleet.idle_check(worker, epoch, t);
                }
            }
            self.flush_outbox();
        }
    }

    /// Closes the interval that ends at `t` and starts the next one with
    /// the fleet as it is.
    fn tick(&mut self, t: i64) {
        let dt_s = self.dt_ms as f64 / 1000.0;
        let t_s = (t - self.start_ms) as f64 / 1000.0;
        for (i, app) in self.apps.iter_mut().enumerate() {
            if let Some(done) = app.current.take() {
                app.requests_total += done.offered;
                app.served_total += done.served;
                app.dropped_total += done.dropped;
                app.last = Some(done);
            }
            let lambda = app.load.rate(t_s, dt_s);
            let ready = self.fleet.apps[i].ready;
            app.current = Some(app.service.interval(lambda, ready, dt_s));
        }
    }

    /// The index of the app (not platform component) with OmniCloud id
    /// `id` (its position among apps, from 1).
    pub fn app_index(&self, id: &str) -> Option<usize> {
        let n: usize = id.trim().parse().ok()?;
        self.listed_apps().nth(n.checked_sub(1)?)
    }

    /// Indices of the apps the orchestrator lists (platform components
    /// have no API), in order; an app's id is its position from 1.
    pub fn listed_apps(&self) -> impl Iterator<Item = usize> + '_ {
        self.apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.layer == ResourceLayer::AppInstance)
            .map(|(i, _)| i)
    }

    /// Sets app `id`'s instance count (absolute), now.
    pub fn scale_app(
        &mut self,
        id: &str,
        instances: i64,
        memory_mb: u32,
    ) -> Result<(), FleetChangeError> {
        let app = self
            .app_index(id)
            .ok_or_else(|| FleetChangeError::NoApp(id.to_string()))?;
        if instances < 0 {
            return Err(FleetChangeError::Negative(instances));
        }
        if instances > i64::from(MAX_INSTANCES) {
            return Err(FleetChangeError::TooMany(instances));
        }
        let now = self.now_ms;
        self.fleet.set_app_target(app, instances as u32, now, -1, 0);
        self.flush_outbox();
        self.scale_calls.push(ScaleCall {
            app: self.apps[app].name.clone(),
            instances: instances as u32,
            memory_mb,
            at_ms: now,
        });
        Ok(())
    }

    /// Provisions one worker named `name`; returns its VM id. It is ready
    /// after its type's provisioning delay.
    pub fn create_vm(&mut self, name: &str) -> String {
        let w = self.fleet.workers.len() as u32;
        let now = self.now_ms;
        self.fleet.add_workers(1, now, -1, 0, &mut self.rng);
        self.flush_outbox();
        if !name.is_empty() {
            self.vm_names.insert(w, name.to_string());
        }
        Self::vm_id(w)
    }

    /// Terminates the worker with VM id `vm_id`; its instances move to
    /// other workers where they fit, else wait as pending.
    pub fn delete_vm(&mut self, vm_id: &str) -> Result<(), FleetChangeError> {
        let w = vm_id
            .strip_prefix("vm-")
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&w| {
                self.fleet
                    .workers
                    .get(w as usize)
                    .is_some_and(|worker| worker.state != WorkerState::Gone)
            })
            .ok_or_else(|| FleetChangeError::NoVm(vm_id.to_string()))?;
        let worker = &self.fleet.workers[w as usize];
        if worker.critical > 0 {
            return Err(FleetChangeError::Protected(vm_id.to_string()));
        }
        let (epoch, now) = (worker.epoch, self.now_ms);
        self.fleet.kill_worker(w, epoch, now);
        self.flush_outbox();
        Ok(())
    }
}
