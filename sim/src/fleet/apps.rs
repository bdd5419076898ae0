//! App instances: scaling to a target, start-ups, pending placement.

use super::{Batch, Fleet, FleetEvent};

impl Fleet {
    /// Brings an app to `target` instances. New ones are placed where they
    /// fit (and start after the start-up delay plus `extra_delay_ms`) or
    /// stay pending; removals take pending instances first, then starting
    /// ones (newest first), then serving ones.
    pub fn set_app_target(
        &mut self,
        app: usize,
        target: u32,
        now_ms: i64,
        action_id: i64,
        extra_delay_ms: i64,
    ) {
        let total = self.apps[app].total();
        if target > total {
            let add = target - total;
            self.apps[app].target += add;
            self.apps[app].pending += add;
            self.pending_apps.note(app);
            if action_id >= 0 {
                self.awaiting_ready.insert(action_id, add);
            }
            self.place_app(app, now_ms, action_id, extra_delay_ms);
        } else if target < total {
            self.remove_instances(app, total - target, now_ms);
            self.apps[app].target = target;
        }
        self.sync_counts(app);
    }

    /// Places as many pending instances of `app` as fit.
    fn place_app(&mut self, app: usize, now_ms: i64, action_id: i64, extra_delay_ms: i64) {
        let ready_at = now_ms + self.apps[app].startup_ms + extra_delay_ms;
        let mut placed_any = false;
        while self.apps[app].pending > 0 {
            let Some(w) = self.best_fit(app, &[]) else {
                break;
            };
            // The best fit stays the best fit for the next instance while
            // it has room: its CPU left only shrinks, the others' stays.
            // Filling it first places the same instances on the same
            // workers with one search per worker instead of per instance.
            let mut count = 0;
            while self.apps[app].pending > 0 && (count == 0 || self.fits(w, app)) {
                self.host(w, app, 1);
                let a = &mut self.apps[app];
                a.pending -= 1;
                a.starting += 1;
                count += 1;
            }
            let a = &mut self.apps[app];
            match a
                .batches
                .iter_mut()
                .find(|b| b.worker == w && b.ready_at_ms == ready_at && b.action_id == action_id)
            {
                Some(b) => b.count += count,
                None => a.batches.push(Batch {
                    ready_at_ms: ready_at,
                    worker: w,
                    count,
                    action_id,
                }),
            }
            placed_any = true;
        }
        if placed_any {
            self.outbox
                .push((ready_at, FleetEvent::InstancesReady { app: app as u32 }));
        }
        self.sync_counts(app);
    }

    /// Places pending instances of every app, in app order (after a worker
    /// became ready or room was freed).
    pub fn place_pending(&mut self, now_ms: i64) {
        for app in self.pending_apps.take_sorted() {
            let app = app as usize;
            if self.apps[app].pending > 0 {
                self.place_app(app, now_ms, -1, 0);
            }
            if self.apps[app].pending > 0 {
                self.pending_apps.note(app);
            }
        }
    }

    fn remove_instances(&mut self, app: usize, mut n: u32, now_ms: i64) {
        let from_pending = n.min(self.apps[app].pending);
        self.apps[app].pending -= from_pending;
        n -= from_pending;
        // Starting instances, newest first.
        while n > 0 {
            let Some(i) = (0..self.apps[app].batches.len())
                .max_by_key(|&i| (self.apps[app].batches[i].ready_at_ms, i))
            else {
                break;
            };
            let b = self.apps[app].batches[i];
            let take = n.min(b.count);
            self.apps[app].batches[i].count -= take;
            self.apps[app].starting -= take;
            if self.apps[app].batches[i].count == 0 {
                self.apps[app].batches.remove(i);
            }
            self.forget_ready_units(b.action_id, take);
            self.unhost(b.worker, app, take, now_ms);
            n -= take;
        }
        // Serving instances, from the worker with the most of them.
        while n > 0 {
            let Some(i) = (0..self.apps[app].ready_on.len())
                .max_by_key(|&i| (self.apps[app].ready_on[i].1, std::cmp::Reverse(i)))
            else {
                break;
            };
            let (w, count) = self.apps[app].ready_on[i];
            let take = n.min(count);
            self.apps[app].ready_on[i].1 -= take;
            if self.apps[app].ready_on[i].1 == 0 {
                self.apps[app].ready_on.remove(i);
            }
            self.apps[app].ready -= take;
            self.unhost(w, app, take, now_ms);
            n -= take;
        }
    }

    /// Starting instances whose time has come start serving. Returns
    /// nothing; completed actions go to `became_ready`.
    pub fn instances_ready(&mut self, app: usize, now_ms: i64) {
        let mut i = 0;
        while i < self.apps[app].batches.len() {
            let b = self.apps[app].batches[i];
            if b.ready_at_ms > now_ms {
                i += 1;
                continue;
            }
            self.apps[app].batches.remove(i);
            let a = &mut self.apps[app];
            a.starting -= b.count;
            a.ready += b.count;
            match a.ready_on.iter_mut().find(|(w, _)| *w == b.worker) {
                Some(entry) => entry.1 += b.count,
                None => a.ready_on.push((b.worker, b.count)),
            }
            self.count_ready_units(b.action_id, b.count, now_ms);
        }
        self.sync_counts(app);
    }

    /// `n` units of an action are serving; the action is complete when none are left.
    pub(crate) fn count_ready_units(&mut self, action_id: i64, n: u32, now_ms: i64) {
        if let Some(left) = self.awaiting_ready.get_mut(&action_id) {
            *left = left.saturating_sub(n);
            if *left == 0 {
                self.awaiting_ready.remove(&action_id);
                self.became_ready.push((action_id, now_ms));
            }
        }
    }

    /// `n` units of an action will never serve (removed before ready).
    pub(crate) fn forget_ready_units(&mut self, action_id: i64, n: u32) {
        if let Some(left) = self.awaiting_ready.get_mut(&action_id) {
            *left = left.saturating_sub(n);
            if *left == 0 {
                self.awaiting_ready.remove(&action_id);
            }
        }
    }

    /// Instances on worker `w` lose their place (crash, interruption,
    /// drain): serving and starting ones become pending, and are placed
    /// again where they fit (`excluded` workers are avoided).
    pub(crate) fn evict_worker(&mut self, w: u32) {
        let hosted = std::mem::take(&mut self.workers[w as usize].hosted);
        {
            let worker = &mut self.workers[w as usize];
            worker.cpu_used = 0.0;
            worker.mem_used = 0.0;
            worker.critical = 0;
        }
        self.sync_cpu_left(w);
        for (app, _) in hosted {
            let app = app as usize;
            let mut moved = 0;
            if let Some(i) = self.apps[app].ready_on.iter().position(|(x, _)| *x == w) {
                let (_, n) = self.apps[app].ready_on.remove(i);
                self.apps[app].ready -= n;
                moved += n;
            }
            let mut i = 0;
            while i < self.apps[app].batches.len() {
                if self.apps[app].batches[i].worker == w {
                    let b = self.apps[app].batches.remove(i);
                    self.apps[app].starting -= b.count;
                    self.forget_ready_units(b.action_id, b.count);
                    moved += b.count;
                } else {
                    i += 1;
                }
            }
            self.apps[app].pending += moved;
            if moved > 0 {
                self.pending_apps.note(app);
            }
            self.sync_counts(app);
        }
    }
}
