//! Money: totals, spot part, per worker type, per layer and per app.

use crate::record::figures::{AppCost, BudgetFigures, CostFigures, LayerCost, WorkerTypeCost};
use crate::record::meta::{Layer, RunMeta};
use crate::record::sample::ClusterSample;

#[derive(Clone, Copy, Debug, Default)]
struct WorkerTypeAcc {
    cost: f64,
    count_sum: f64,
    samples: u64,
}

/// Running cost sums. Cost is split between apps once per tick, when the
/// cluster's cost and every app's CPU request of that tick are known.
#[derive(Clone, Debug)]
pub(crate) struct CostAcc {
    total: f64,
    spot: f64,
    peak_rate: f64,
    over_budget_samples: u64,
    idle: f64,
    worker_types: Vec<WorkerTypeAcc>,
    apps: Vec<f64>,
    /// CPU requested by each app in the open tick, cores.
    tick_request: Vec<f64>,
    tick_cluster: Option<ClusterSample>,
    tick_has_apps: bool,
    /// The open tick's requests summed as they come, while they come in
    /// app order (`next_app` on): the same additions, in the same order,
    /// as summing `tick_request` at the close (the apps not yet heard of
    /// add zeros), without a chain of a thousand dependent additions there.
    tick_sum: f64,
    next_app: usize,
    in_order: bool,
}

impl CostAcc {
    pub(crate) fn new(apps: usize, worker_types: usize) -> CostAcc {
        CostAcc {
            total: 0.0,
            spot: 0.0,
            peak_rate: 0.0,
            over_budget_samples: 0,
            idle: 0.0,
            worker_types: vec![WorkerTypeAcc::default(); worker_types],
            apps: vec![0.0; apps],
            tick_request: vec![0.0; apps],
            tick_cluster: None,
            tick_has_apps: false,
            tick_sum: 0.0,
            next_app: 0,
            in_order: true,
        }
    }

    /// Adds one cluster sample; `budget_per_hour` flags over-budget time.
    #[inline]
    pub(crate) fn cluster(&mut self, s: &ClusterSample, budget_per_hour: Option<f64>) {
        self.total += s.cost;
        self.spot += s.cost_spot;
        self.peak_rate = self.peak_rate.max(s.cost_rate_per_hour);
        if let Some(b) = budget_per_hour {
            self.over_budget_samples += (s.cost_rate_per_hour > b) as u64;
        }
        self.tick_cluster = Some(*s);
    }

    /// Adds one worker-type sample.
    #[inline]
    pub(crate) fn worker(&mut self, type_idx: usize, count: u32, cost: f64) {
        let w = &mut self.worker_types[type_idx];
        w.cost += cost;
        w.count_sum += count as f64;
        w.samples += 1;
    }

    /// Notes an app's CPU request (cores) in the open tick.
    #[inline]
    pub(crate) fn app_request(&mut self, app: usize, cores: f64) {
        self.app_requests(app, &[cores]);
    }

    /// Notes the CPU requests (cores) of the apps from `first` on in the
    /// open tick.
    #[inline]
    pub(crate) fn app_requests(&mut self, first: usize, cores: &[f64]) {
        self.tick_request[first..first + cores.len()].copy_from_slice(cores);
        self.tick_has_apps = true;
        if self.in_order && first >= self.next_app {
            for &c in cores {
                self.tick_sum += c;
            }
            self.next_app = first + cores.len();
        } else {
            self.in_order = false;
        }
    }

    /// Closes the tick: the cluster's cost × CPU utilisation goes to the
    /// apps by CPU request share; the rest (or all of it when no app
    /// requested CPU) is idle capacity.
    pub(crate) fn close_tick(&mut self) {
        let ordered_sum = std::mem::replace(&mut self.tick_sum, 0.0);
        let in_order = std::mem::replace(&mut self.in_order, true);
        self.next_app = 0;
        let Some(c) = self.tick_cluster.take() else {
            if self.tick_has_apps {
                self.tick_request.iter_mut().for_each(|r| *r = 0.0);
                self.tick_has_apps = false;
            }
            return;
        };
        let requested: f64 = match (self.tick_has_apps, in_order) {
            (false, _) => 0.0,
            (true, true) => ordered_sum,
            (true, false) => self.tick_request.iter().sum(),
        };
        if requested > 0.0 {
            let used = (c.cpu_utilization_percent / 100.0).clamp(0.0, 1.0);
            let per_core = c.cost * used / requested;
            for (cost, req) in self.apps.iter_mut().zip(self.tick_request.iter_mut()) {
                *cost += per_core * *req;
                *req = 0.0;
            }
            self.idle += c.cost * (1.0 - used);
        } else {
            self.idle += c.cost;
        }
        self.tick_has_apps = false;
    }

    /// The figures; `dt_s` is the weight of a sample.
    pub(crate) fn figures(&self, meta: &RunMeta, dt_s: f64) -> CostFigures {
        let hours = meta.duration_s() / 3600.0;
        let mut by_layer = LayerCost {
            worker_idle: self.idle,
            ..LayerCost::default()
        };
        let by_app = meta
            .apps
            .iter()
            .zip(&self.apps)
            .map(|(app, &cost)| {
                match app.layer {
                    Layer::PlatformComponent => by_layer.platform_component += cost,
                    _ => by_layer.app_instance += cost,
                }
                AppCost {
                    app: app.name.clone(),
                    layer: app.layer,
                    cost,
                }
            })
            .collect();
        let by_worker_type = meta
            .worker_types
            .iter()
            .zip(&self.worker_types)
            .map(|(wt, acc)| WorkerTypeCost {
                worker_type: wt.name.clone(),
                spot: wt.spot,
                cost: acc.cost,
                mean_count: if acc.samples > 0 {
                    acc.count_sum / acc.samples as f64
                } else {
                    0.0
                },
            })
            .collect();
        let budget = meta.budget_per_hour.map(|per_hour| {
            let total = per_hour * hours;
            BudgetFigures {
                per_hour,
                total,
                headroom: total - self.total,
                used_share: if total > 0.0 { self.total / total } else { 0.0 },
                over_budget_minutes: self.over_budget_samples as f64 * dt_s / 60.0,
            }
        });
        CostFigures {
            total: self.total,
            spot: self.spot,
            on_demand: self.total - self.spot,
            mean_rate_per_hour: if hours > 0.0 { self.total / hours } else { 0.0 },
            peak_rate_per_hour: self.peak_rate,
            by_layer,
            by_worker_type,
            by_app,
            budget,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::test_support::meta_two_apps;

    fn cluster(cost: f64, util: f64, rate: f64) -> ClusterSample {
        ClusterSample {
            cost,
            cost_spot: cost / 4.0,
            cpu_utilization_percent: util,
            cost_rate_per_hour: rate,
            ..Default::default()
        }
    }

    #[test]
    fn requests_noted_in_any_order_are_summed_in_app_order() {
        // A sum of these depends on the order of its additions.
        let cores = [1e16, 1.0, 1.0, 0.5, 3.0, 0.0, 7.0];
        let split = |note: &dyn Fn(&mut CostAcc)| {
            let mut acc = CostAcc::new(cores.len(), 1);
            note(&mut acc);
            acc.cluster(&cluster(10.0, 80.0, 1.0), None);
            acc.close_tick();
            acc.apps.iter().map(|c| c.to_bits()).collect::<Vec<_>>()
        };
        let in_runs = split(&|acc| {
            acc.app_requests(0, &cores[..2]);
            acc.app_requests(3, &cores[3..]);
        });
        let with_the_gap_filled = split(&|acc| {
            acc.app_requests(0, &cores[..2]);
            acc.app_requests(3, &cores[3..]);
            acc.app_request(2, 0.0);
        });
        let backwards = split(&|acc| {
            for (app, &c) in cores.iter().enumerate().rev() {
                acc.app_request(app, c);
            }
        });
        // 80 % of 10 split by share of the requests summed in app order.
        let expected = |requests: &[f64]| -> Vec<u64> {
            let sum: f64 = requests.iter().sum();
            let per_core = 10.0 * 0.8 / sum;
            requests
                .iter()
                .map(|&c| (0.0 + per_core * c).to_bits())
                .collect()
        };
        let mut without_app_2 = cores;
        without_app_2[2] = 0.0;
        assert_eq!(in_runs, expected(&without_app_2));
        assert_eq!(with_the_gap_filled, expected(&without_app_2));
        assert_eq!(backwards, expected(&cores));
    }

    #[test]
    fn cost_is_split_by_cpu_request_with_the_rest_idle() {
        let meta = meta_two_apps(); // web: app_instance, api: platform_component; 1 hour
        let mut acc = CostAcc::new(2, 1);
        // Tick 1: 80 % of 10 money requested, web 3 cores, api 1 core.
        acc.app_request(0, 3.0);
        acc.app_request(1, 1.0);
        acc.cluster(&cluster(10.0, 80.0, 3600.0), Some(2000.0));
        acc.close_tick();
        // Tick 2: no app requested anything: all idle.
        acc.cluster(&cluster(2.0, 0.0, 720.0), Some(2000.0));
        acc.close_tick();
        let f = acc.figures(&meta, 10.0);
        assert_eq!(f.total, 12.0);
        assert_eq!(f.spot, 3.0);
        assert_eq!(f.on_demand, 9.0);
        assert_eq!(f.by_app[0].cost, 6.0);
        assert_eq!(f.by_app[1].cost, 2.0);
        assert!((f.by_layer.worker_idle - 4.0).abs() < 1e-12);
        assert_eq!(f.by_layer.platform_component, 2.0);
        assert_eq!(f.peak_rate_per_hour, 3600.0);
        let b = f.budget.unwrap();
        assert_eq!(b.total, 2000.0);
        assert_eq!(b.headroom, 1988.0);
        // One 10 s sample above the budget rate.
        assert_eq!(b.over_budget_minutes, 10.0 / 60.0);
    }

    #[test]
    fn worker_types_average_their_count() {
        let meta = meta_two_apps();
        let mut acc = CostAcc::new(2, 1);
        acc.worker(0, 2, 1.0);
        acc.worker(0, 4, 1.5);
        let f = acc.figures(&meta, 10.0);
        assert_eq!(f.by_worker_type[0].mean_count, 3.0);
        assert_eq!(f.by_worker_type[0].cost, 2.5);
    }

    #[test]
    fn no_samples_cost_nothing() {
        let meta = meta_two_apps();
        let f = CostAcc::new(2, 1).figures(&meta, 10.0);
        assert_eq!(
            (f.total, f.by_layer.worker_idle, f.by_app[0].cost),
            (0.0, 0.0, 0.0)
        );
        assert_eq!(f.budget.unwrap().over_budget_minutes, 0.0);
    }
}
