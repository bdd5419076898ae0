//! Bin-packing instances onto workers, and choosing the type of new workers.

use super::{Fleet, WorkerState};

impl Fleet {
    /// Whether one more instance of `app` fits on worker `w` now.
    pub(crate) fn fits(&self, w: u32, app: usize) -> bool {
        let worker = &self.workers[w as usize];
        let a = &self.apps[app];
        let t = &self.types[worker.type_idx];
        worker.state == WorkerState::Ready
            && (!t.spot || a.spot_tolerant)
            && worker.cpu_used + a.cpu <= t.cpu_cores + 1e-9
            && worker.mem_used + a.mem <= t.memory_gb + 1e-9
    }

    /// Best fit: the ready worker with the least CPU left after placing one
    /// instance of `app`, skipping `excluded`; ties go to the older worker.
    pub(crate) fn best_fit(&self, app: usize, excluded: &[u32]) -> Option<u32> {
        let cpu = self.apps[app].cpu;
        let mut best: Option<(f64, u32)> = None;
        for &w in &self.alive {
            // From the compact CPU-left table: a worker that cannot beat
            // the best so far, or is short of CPU by far more than `fits`
            // tolerates, is passed over without reading it.
            let left = self.cpu_left[w as usize] - cpu;
            if left < -1e-6 || best.is_some_and(|(l, _)| left >= l - 1e-12) {
                continue;
            }
            if excluded.contains(&w) || !self.fits(w, app) {
                continue;
            }
            best = Some((left, w));
        }
        best.map(|(_, w)| w)
    }

    /// Records `n` instances of `app` on worker `w`.
    pub(crate) fn host(&mut self, w: u32, app: usize, n: u32) {
        let (cpu, mem, critical) = {
            let a = &self.apps[app];
            (a.cpu, a.mem, a.critical)
        };
        let worker = &mut self.workers[w as usize];
        worker.cpu_used += cpu * f64::from(n);
        worker.mem_used += mem * f64::from(n);
        if critical {
            worker.critical += n;
        }
        match worker.hosted.iter_mut().find(|(a, _)| *a == app as u32) {
            Some(entry) => entry.1 += n,
            None => worker.hosted.push((app as u32, n)),
        }
        self.sync_cpu_left(w);
    }

    /// Removes `n` instances of `app` from worker `w`; an emptied worker
    /// starts its idle timer.
    pub(crate) fn unhost(&mut self, w: u32, app: usize, n: u32, now_ms: i64) {
        let (cpu, mem, critical) = {
            let a = &self.apps[app];
            (a.cpu, a.mem, a.critical)
        };
        let worker = &mut self.workers[w as usize];
        worker.cpu_used = (worker.cpu_used - cpu * f64::from(n)).max(0.0);
        worker.mem_used = (worker.mem_used - mem * f64::from(n)).max(0.0);
        if critical {
            worker.critical -= n;
        }
        if let Some(i) = worker.hosted.iter().position(|(a, _)| *a == app as u32) {
            worker.hosted[i].1 -= n;
            if worker.hosted[i].1 == 0 {
                worker.hosted.remove(i);
            }
        }
        if worker.hosted.is_empty() {
            worker.cpu_used = 0.0;
            worker.mem_used = 0.0;
            self.start_idle_timer(w, now_ms);
        }
        self.sync_cpu_left(w);
    }

    /// The type of the next worker: the cheapest allowed type that fits the
    /// largest pending instance, on spot only when every pending instance
    /// tolerates interruptions; with nothing pending, the cheapest
    /// on-demand type per core.
    pub fn choose_type(&self) -> usize {
        let pending: Vec<usize> = (0..self.apps.len())
            .filter(|&a| self.apps[a].pending > 0)
            .collect();
        let spot_ok = !pending.is_empty() && pending.iter().all(|&a| self.apps[a].spot_tolerant);
        let need_cpu = pending
            .iter()
            .map(|&a| self.apps[a].cpu)
            .fold(0.0, f64::max);
        let need_mem = pending
            .iter()
            .map(|&a| self.apps[a].mem)
            .fold(0.0, f64::max);
        let candidates = (0..self.types.len()).filter(|&t| {
            let ty = &self.types[t];
            self.allowed[t]
                && (!ty.spot || spot_ok)
                && ty.cpu_cores >= need_cpu
                && ty.memory_gb >= need_mem
        });
        let pick = if pending.is_empty() {
            candidates.min_by(|&a, &b| {
                let per_core = |t: usize| self.types[t].price_per_hour / self.types[t].cpu_cores;
                per_core(a).total_cmp(&per_core(b)).then(a.cmp(&b))
            })
        } else {
            candidates.min_by(|&a, &b| {
                self.types[a]
                    .price_per_hour
                    .total_cmp(&self.types[b].price_per_hour)
                    .then(a.cmp(&b))
            })
        };
        pick.or_else(|| (0..self.types.len()).find(|&t| self.allowed[t] && !self.types[t].spot))
            .or_else(|| (0..self.types.len()).find(|&t| self.allowed[t]))
            .unwrap_or(0)
    }

    /// Whether every instance on worker `w` fits on the other ready workers
    /// (not in `excluded`), without moving anything.
    pub(crate) fn can_drain(&self, w: u32, excluded: &[u32]) -> bool {
        let worker = &self.workers[w as usize];
        if worker.critical > 0 {
            return false;
        }
        // Room left on each candidate, consumed as the plan goes.
        let mut room: Vec<(u32, f64, f64, bool)> = self
            .alive
            .iter()
            .filter(|&&o| {
                o != w
                    && !excluded.contains(&o)
                    && self.workers[o as usize].state == WorkerState::Ready
            })
            .map(|&o| {
                let ow = &self.workers[o as usize];
                let t = &self.types[ow.type_idx];
                (
                    o,
                    t.cpu_cores - ow.cpu_used,
                    t.memory_gb - ow.mem_used,
                    t.spot,
                )
            })
            .collect();
        for &(app, n) in &worker.hosted {
            let a = &self.apps[app as usize];
            for _ in 0..n {
                let slot = room
                    .iter_mut()
                    .filter(|r| {
                        r.1 + 1e-9 >= a.cpu && r.2 + 1e-9 >= a.mem && (!r.3 || a.spot_tolerant)
                    })
                    .min_by(|x, y| (x.1 - a.cpu).total_cmp(&(y.1 - a.cpu)));
                match slot {
                    Some(r) => {
                        r.1 -= a.cpu;
                        r.2 -= a.mem;
                    }
                    None => return false,
                }
            }
        }
        true
    }
}
