//! The virtual fleet: apps and platform components with their instances,
//! worker nodes of several types, placement by bin-packing, draining, idle
//! termination and per-second billing.
//!
//! Instances of one app are identical, so the fleet counts them per
//! (app, worker) instead of tracking each one. Invariant, for every app:
//! `target == ready + starting + pending` — no instance is lost or counted
//! twice, whatever crashes or drains.
//!
//! - [`cost`]: billing. `apps`: instance counts and start-ups. `workers`:
//!   provisioning, removal, crashes, idle termination. `placement`:
//!   bin-packing, worker type choice, drain plans.

mod apps;
pub mod cost;
mod initial;
mod placement;
mod workers;

use std::collections::BTreeMap;

use lighthouse_engine::ResourceLayer;

use crate::scenario::WorkerTypeSpec;
use cost::CostMeter;
pub use initial::{app_services, initial_instances, policy_of};

/// Something the fleet needs to happen later; the simulator queues it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FleetEvent {
    /// Starting instances of an app may be ready.
    InstancesReady {
        /// The app.
        app: u32,
    },
    /// A worker finishes provisioning.
    WorkerReady {
        /// The worker.
        worker: u32,
        /// Its epoch when scheduled (stale events are ignored).
        epoch: u32,
    },
    /// A spot worker is reclaimed.
    WorkerInterrupted {
        /// The worker.
        worker: u32,
        /// Its epoch when scheduled.
        epoch: u32,
    },
    /// An empty worker may have been idle long enough.
    IdleCheck {
        /// The worker.
        worker: u32,
        /// Its idle epoch when scheduled.
        epoch: u32,
    },
}

/// Instances of one app starting on one worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch {
    /// When they serve, epoch ms.
    pub ready_at_ms: i64,
    /// Where they run.
    pub worker: u32,
    /// How many.
    pub count: u32,
    /// The action that asked for them (-1 for replacements).
    pub action_id: i64,
}

/// An app or platform component in the fleet.
#[derive(Clone, Debug)]
pub struct FleetApp {
    /// Name.
    pub name: String,
    /// `app_instance` or `platform_component`.
    pub layer: ResourceLayer,
    /// CPU per instance, cores.
    pub cpu: f64,
    /// Memory per instance, GB.
    pub mem: f64,
    /// Start-up delay, ms.
    pub startup_ms: i64,
    /// May run on spot workers.
    pub spot_tolerant: bool,
    /// Protects the workers it runs on.
    pub critical: bool,
    /// Instances wanted.
    pub target: u32,
    /// Instances serving.
    pub ready: u32,
    /// Instances placed and starting.
    pub starting: u32,
    /// Instances placed nowhere.
    pub pending: u32,
    /// Starting instances.
    pub batches: Vec<Batch>,
    /// Serving instances per worker.
    pub ready_on: Vec<(u32, u32)>,
}

/// An app's (ready, starting, target, pending) instances, as
/// [`Fleet::counts`] keeps them.
pub fn counts_of(a: &FleetApp) -> [u32; 4] {
    [a.ready, a.starting, a.target, a.pending]
}

impl FleetApp {
    /// Instances in every state.
    pub fn total(&self) -> u32 {
        self.ready + self.starting + self.pending
    }
}

/// Where a worker is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerState {
    /// Being provisioned; billed already.
    Provisioning {
        /// When it will be ready, epoch ms.
        ready_at_ms: i64,
    },
    /// Running instances.
    Ready,
    /// Terminated.
    Gone,
}

/// One worker node. What placement and the cluster figures read for every
/// live worker comes first, in declaration order (`repr(C)`): a search over
/// thousands of workers then reads one cache line of each.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct FleetWorker {
    /// Its state.
    pub state: WorkerState,
    /// Index of its type.
    pub type_idx: usize,
    /// CPU requested by instances on it, cores.
    pub cpu_used: f64,
    /// Memory requested by instances on it, GB.
    pub mem_used: f64,
    /// Instances of critical apps on it.
    pub critical: u32,
    /// Bumped when the worker is terminated, voiding its scheduled events.
    pub epoch: u32,
    /// Bumped each time the worker becomes empty, voiding older idle checks.
    pub idle_epoch: u32,
    /// When billing started, epoch ms.
    pub billed_since_ms: i64,
    /// (app, instances) placed on it, serving or starting.
    pub hosted: Vec<(u32, u32)>,
    /// The action that provisioned it (-1 for initial workers).
    pub action_id: i64,
}

impl FleetWorker {
    /// Whether it is billed (provisioning or ready).
    pub fn alive(&self) -> bool {
        self.state != WorkerState::Gone
    }
}

/// Cluster-wide figures at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClusterState {
    /// Ready workers.
    pub ready: u32,
    /// Workers being provisioned.
    pub provisioning: u32,
    /// Unplaced instances.
    pub pending: u32,
    /// Requested ÷ allocatable CPU of ready workers, percent.
    pub cpu_utilization: f64,
    /// Workers running critical instances.
    pub protected: u32,
}

/// The fleet.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// Apps then platform components.
    pub apps: Vec<FleetApp>,
    /// Each app's (ready, starting, target, pending) instances, kept beside
    /// the apps (synced by every change of a count, checked by
    /// [`Fleet::check_invariants`]) so that a sample pass over 10,000 apps
    /// reads 16 bytes of each, not a whole app.
    pub counts: Vec<[u32; 4]>,
    /// Every worker ever created (ids are indices; gone ones stay).
    pub workers: Vec<FleetWorker>,
    /// Worker types.
    pub types: Vec<WorkerTypeSpec>,
    /// Types new workers may use (allowed regions).
    pub allowed: Vec<bool>,
    /// Live workers (provisioning or ready), in creation order.
    pub alive: Vec<u32>,
    /// CPU left on each worker (cores − requested), by worker id, kept
    /// beside the workers so that a best-fit search over thousands of them
    /// reads 8 bytes of each, not a whole worker.
    pub cpu_left: Vec<f64>,
    /// Billing.
    pub cost: CostMeter,
    /// Idle time before an empty worker is terminated, ms (0: never).
    pub idle_ms: i64,
    /// The pool never shrinks below this by idle termination.
    pub pool_min: u32,
    /// Events to schedule.
    pub outbox: Vec<(i64, FleetEvent)>,
    /// Actions whose new capacity is not yet serving: id → units left.
    pub awaiting_ready: BTreeMap<i64, u32>,
    /// Actions whose new capacity became ready, with when (drained by the simulator).
    pub became_ready: Vec<(i64, i64)>,
    /// Apps that may have pending instances: every app whose pending count
    /// grew since it was last found with none. A newly ready worker places
    /// the pending instances of these apps only, instead of visiting all of
    /// them.
    pub pending_apps: PendingApps,
}

/// A set of app indices, each listed at most once (see
/// [`Fleet::pending_apps`]).
#[derive(Clone, Debug, Default)]
pub struct PendingApps {
    listed: Vec<bool>,
    apps: Vec<u32>,
}

impl PendingApps {
    /// Lists `app` if it is not listed yet.
    pub fn note(&mut self, app: usize) {
        if app >= self.listed.len() {
            self.listed.resize(app + 1, false);
        }
        if !self.listed[app] {
            self.listed[app] = true;
            self.apps.push(app as u32);
        }
    }

    /// Whether `app` is listed.
    pub fn contains(&self, app: usize) -> bool {
        self.listed.get(app).copied().unwrap_or(false)
    }

    /// Takes the listed apps out, in ascending order.
    fn take_sorted(&mut self) -> Vec<u32> {
        let mut apps = std::mem::take(&mut self.apps);
        apps.sort_unstable();
        for &a in &apps {
            self.listed[a as usize] = false;
        }
        apps
    }
}

impl Fleet {
    /// Billed workers: provisioning and ready.
    pub fn pool_size(&self) -> u32 {
        self.alive.len() as u32
    }

    /// Worker `w`'s CPU left (cores − requested), from the worker itself.
    fn worker_cpu_left(&self, w: u32) -> f64 {
        let worker = &self.workers[w as usize];
        self.types[worker.type_idx].cpu_cores - worker.cpu_used
    }

    /// Records worker `w`'s CPU left after its requests changed.
    pub(crate) fn sync_cpu_left(&mut self, w: u32) {
        let left = self.worker_cpu_left(w);
        let w = w as usize;
        if self.cpu_left.len() <= w {
            self.cpu_left.resize(w + 1, 0.0);
        }
        self.cpu_left[w] = left;
    }

    /// Cluster figures now.
    pub fn cluster(&self) -> ClusterState {
        // From the dense count rows, which every sample tick reads anyway,
        // rather than from the apps (a cache line each).
        self.cluster_with_pending(self.counts.iter().map(|c| c[3]).sum())
    }

    /// Cluster figures now, given the instances placed nowhere (a caller
    /// that has just visited every app has that sum already; reading it
    /// again from 10,000 apps costs as much as the workers' figures).
    pub fn cluster_with_pending(&self, pending: u32) -> ClusterState {
        let mut s = ClusterState::default();
        let (mut used, mut total) = (0.0, 0.0);
        for &w in &self.alive {
            let worker = &self.workers[w as usize];
            match worker.state {
                WorkerState::Ready => {
                    s.ready += 1;
                    used += worker.cpu_used;
                    total += self.types[worker.type_idx].cpu_cores;
                }
                WorkerState::Provisioning { .. } => s.provisioning += 1,
                WorkerState::Gone => {}
            }
            if worker.critical > 0 {
                s.protected += 1;
            }
        }
        s.pending = pending;
        s.cpu_utilization = if total > 0.0 {
            100.0 * used / total
        } else {
            0.0
        };
        s
    }

    /// Copies app `app`'s instance counts to [`Fleet::counts`].
    pub(crate) fn sync_counts(&mut self, app: usize) {
        self.counts[app] = counts_of(&self.apps[app]);
    }

    /// Checks the fleet's bookkeeping; returns the first inconsistency.
    /// Used by tests and property tests.
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(a) =
            (0..self.apps.len()).find(|&a| self.counts.get(a) != Some(&counts_of(&self.apps[a])))
        {
            return Err(format!(
                "app {a}: counts {:?} are recorded as {:?}",
                counts_of(&self.apps[a]),
                self.counts.get(a)
            ));
        }
        for &w in &self.alive {
            let left = self.worker_cpu_left(w);
            if self.cpu_left.get(w as usize) != Some(&left) {
                return Err(format!(
                    "worker {w}: CPU left {left} is recorded as {:?}",
                    self.cpu_left.get(w as usize)
                ));
            }
        }
        if let Some(a) = (0..self.apps.len())
            .find(|&a| self.apps[a].pending > 0 && !self.pending_apps.contains(a))
        {
            return Err(format!("app {a} has pending instances but is not listed"));
        }
        let mut hosted = vec![0u32; self.apps.len()];
        for (w, worker) in self.workers.iter().enumerate() {
            if !worker.alive() && !worker.hosted.is_empty() {
                return Err(format!("gone worker {w} still hosts {:?}", worker.hosted));
            }
            let (mut cpu, mut critical) = (0.0, 0);
            for &(a, n) in &worker.hosted {
                hosted[a as usize] += n;
                cpu += f64::from(n) * self.apps[a as usize].cpu;
                if self.apps[a as usize].critical {
                    critical += n;
                }
            }
            if (cpu - worker.cpu_used).abs() > 1e-6 || critical != worker.critical {
                return Err(format!(
                    "worker {w}: cpu {cpu} vs {}, critical {critical} vs {}",
                    worker.cpu_used, worker.critical
                ));
            }
            if worker.cpu_used > self.types[worker.type_idx].cpu_cores + 1e-6 {
                return Err(format!("worker {w} is over-committed"));
            }
        }
        for (i, app) in self.apps.iter().enumerate() {
            if app.target != app.total() {
                return Err(format!(
                    "{}: target {} but {} ready + {} starting + {} pending",
                    app.name, app.target, app.ready, app.starting, app.pending
                ));
            }
            let starting: u32 = app.batches.iter().map(|b| b.count).sum();
            let ready: u32 = app.ready_on.iter().map(|r| r.1).sum();
            if starting != app.starting || ready != app.ready || hosted[i] != ready + starting {
                return Err(format!("{}: placement counts disagree", app.name));
            }
        }
        Ok(())
    }
}
