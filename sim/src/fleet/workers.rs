//! Workers: provisioning, removal with draining, crashes and spot
//! interruptions, idle termination.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, LogNormal};

use super::{Fleet, FleetEvent, FleetWorker, WorkerState};

impl Fleet {
    /// Adds a ready worker at the start of the run.
    pub fn add_initial_worker(&mut self, type_idx: usize, now_ms: i64) -> u32 {
        let w = self.new_worker(type_idx, WorkerState::Ready, now_ms, -1);
        self.start_idle_timer(w, now_ms);
        w
    }

    fn new_worker(
        &mut self,
        type_idx: usize,
        state: WorkerState,
        now_ms: i64,
        action_id: i64,
    ) -> u32 {
        let id = self.workers.len() as u32;
        self.workers.push(FleetWorker {
            type_idx,
            state,
            billed_since_ms: now_ms,
            cpu_used: 0.0,
            mem_used: 0.0,
            hosted: Vec::new(),
            critical: 0,
            epoch: 0,
            idle_epoch: 0,
            action_id,
        });
        self.alive.push(id);
        self.sync_cpu_left(id);
        let price = self.types[type_idx].price_per_hour;
        self.cost.start(now_ms, type_idx, price);
        id
    }

    /// Provisions `n` workers of the type the placement policy chooses;
    /// each is ready after its type's provisioning delay plus `extra_delay_ms`.
    pub fn add_workers(
        &mut self,
        n: u32,
        now_ms: i64,
        action_id: i64,
        extra_delay_ms: i64,
        rng: &mut impl Rng,
    ) {
        let type_idx = self.choose_type();
        if action_id >= 0 && n > 0 {
            self.awaiting_ready.insert(action_id, n);
        }
        for _ in 0..n {
            let delay = self.provisioning_delay_ms(type_idx, rng) + extra_delay_ms;
            let ready_at_ms = now_ms + delay;
            let w = self.new_worker(
                type_idx,
                WorkerState::Provisioning { ready_at_ms },
                now_ms,
                action_id,
            );
            self.outbox.push((
                ready_at_ms,
                FleetEvent::WorkerReady {
                    worker: w,
                    epoch: 0,
                },
            ));
            let rate = self.types[type_idx].interruptions_per_hour;
            if let Some(exp) = (rate > 0.0)
                .then(|| Exp::new(rate / 3_600_000.0).ok())
                .flatten()
            {
                let at = now_ms + exp.sample(rng).round() as i64;
                let event = FleetEvent::WorkerInterrupted {
                    worker: w,
                    epoch: 0,
                };
                self.outbox.push((at, event));
            }
        }
    }

    fn provisioning_delay_ms(&self, type_idx: usize, rng: &mut impl Rng) -> i64 {
        let p = &self.types[type_idx].provisioning;
        let median = p.median.as_millis() as f64;
        let mut delay = match LogNormal::new(median.max(1.0).ln(), p.sigma) {
            Ok(d) if p.sigma > 0.0 => d.sample(rng),
            _ => median,
        };
        if p.tail_probability > 0.0 && rng.random::<f64>() < p.tail_probability {
            delay *= p.tail_factor;
        }
        delay.round().max(0.0) as i64
    }

    /// A provisioning worker is ready: pending instances are placed on it.
    pub fn worker_ready(&mut self, w: u32, epoch: u32, now_ms: i64) {
        let worker = &mut self.workers[w as usize];
        if worker.epoch != epoch || !matches!(worker.state, WorkerState::Provisioning { .. }) {
            return;
        }
        worker.state = WorkerState::Ready;
        let action_id = worker.action_id;
        self.count_ready_units(action_id, 1, now_ms);
        self.place_pending(now_ms);
        if self.workers[w as usize].hosted.is_empty() {
            self.start_idle_timer(w, now_ms);
        }
    }

    /// Removes up to `n` workers for a scale-down, and returns how many were
    /// removed. Provisioning workers go first, then empty ones, then the
    /// least loaded; a worker running critical instances, or whose
    /// instances do not fit elsewhere, is never removed. Instances of a
    /// removed worker are moved (drained) before it goes.
    pub fn remove_workers(&mut self, n: u32, now_ms: i64) -> u32 {
        let mut order: Vec<u32> = self.alive.clone();
        order.sort_by(|&a, &b| {
            let key = |w: u32| {
                let worker = &self.workers[w as usize];
                let provisioning = matches!(worker.state, WorkerState::Provisioning { .. });
                (!provisioning, worker.cpu_used, std::cmp::Reverse(w))
            };
            let (ka, kb) = (key(a), key(b));
            ka.0.cmp(&kb.0)
                .then(ka.1.total_cmp(&kb.1))
                .then(ka.2.cmp(&kb.2))
        });
        let mut removed: Vec<u32> = Vec::new();
        for w in order {
            if removed.len() as u32 >= n {
                break;
            }
            let provisioning = matches!(
                self.workers[w as usize].state,
                WorkerState::Provisioning { .. }
            );
            if provisioning || self.can_drain(w, &removed) {
                removed.push(w);
            }
        }
        for &w in &removed {
            self.evict_worker(w);
            let action_id = self.workers[w as usize].action_id;
            if matches!(
                self.workers[w as usize].state,
                WorkerState::Provisioning { .. }
            ) {
                self.forget_ready_units(action_id, 1);
            }
            self.terminate(w, now_ms);
        }
        self.place_pending(now_ms);
        removed.len() as u32
    }

    /// A worker crashes or is reclaimed: its instances go back to pending
    /// and are placed elsewhere where they fit. Returns false for a stale
    /// event (the worker is gone or changed).
    pub fn kill_worker(&mut self, w: u32, epoch: u32, now_ms: i64) -> bool {
        let worker = &self.workers[w as usize];
        if worker.epoch != epoch || !worker.alive() {
            return false;
        }
        if matches!(worker.state, WorkerState::Provisioning { .. }) {
            let action_id = worker.action_id;
            self.forget_ready_units(action_id, 1);
        }
        self.evict_worker(w);
        self.terminate(w, now_ms);
        self.place_pending(now_ms);
        true
    }

    /// The busiest live workers (most CPU requested), for crash faults.
    pub fn busiest_workers(&self, n: u32) -> Vec<u32> {
        let mut order: Vec<u32> = self
            .alive
            .iter()
            .copied()
            .filter(|&w| self.workers[w as usize].state == WorkerState::Ready)
            .collect();
        order.sort_by(|&a, &b| {
            self.workers[b as usize]
                .cpu_used
                .total_cmp(&self.workers[a as usize].cpu_used)
                .then(a.cmp(&b))
        });
        order.truncate(n as usize);
        order
    }

    fn terminate(&mut self, w: u32, now_ms: i64) {
        let worker = &mut self.workers[w as usize];
        worker.state = WorkerState::Gone;
        worker.epoch += 1;
        let (type_idx, since) = (worker.type_idx, worker.billed_since_ms);
        let t = &self.types[type_idx];
        let (price, min_billed) = (t.price_per_hour, t.min_billed.as_millis());
        self.cost.stop(now_ms, type_idx, price, since, min_billed);
        self.alive.retain(|&x| x != w);
    }

    /// Schedules an idle check for an empty ready worker.
    pub(crate) fn start_idle_timer(&mut self, w: u32, now_ms: i64) {
        if self.idle_ms <= 0 {
            return;
        }
        let worker = &mut self.workers[w as usize];
        if worker.state != WorkerState::Ready {
            return;
        }
        worker.idle_epoch += 1;
        let epoch = worker.idle_epoch;
        self.outbox.push((
            now_ms + self.idle_ms,
            FleetEvent::IdleCheck { worker: w, epoch },
        ));
    }

    /// Terminates a worker that stayed empty for the idle time, unless the
    /// pool would drop below its minimum. Returns whether it was terminated.
    pub fn idle_check(&mut self, w: u32, epoch: u32, now_ms: i64) -> bool {
        let worker = &self.workers[w as usize];
        let idle = worker.idle_epoch == epoch
            && worker.state == WorkerState::Ready
            && worker.hosted.is_empty();
        if !idle || self.pool_size() <= self.pool_min {
            return false;
        }
        self.terminate(w, now_ms);
        true
    }
}
