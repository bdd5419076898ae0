//! One app's service per sample interval: what its ready instances did with
//! the offered load (served, dropped, latency), and how many instances the
//! load needed ("demand in instance units").

use std::sync::Arc;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod lanes;

pub use lanes::{BLOCK, IntervalColumns, IntervalLanes, IntervalRef, LaneState, serve_lanes};

use crate::latency_table::{LatencyTable, Locus};
use crate::queueing::{Backlog, response_percentile_s};

/// ln 20: the 95th percentile of an exponential with rate 1.
const LN_20: f64 = 2.995_732_273_553_991;

/// The largest load each pool size serves within the SLO, computed once per
/// (service rate, percentile, bound) and shared by the apps that have them,
/// so finding an interval's demand is a binary search, not a queueing solve.
#[derive(Debug)]
pub struct DemandCurve {
    mu: f64,
    /// 1/μ, seconds per request.
    service_time_s: f64,
    percentile: f64,
    bound_s: f64,
    /// `max_load[c]`: the highest λ that c instances serve within the SLO.
    max_load: Vec<f64>,
    /// `max_load` between −∞ and +∞ (see [`DemandCurve::window`]).
    padded: Vec<f64>,
    feasible: bool,
}

/// Pools larger than this are never considered (the demand is capped).
pub const MAX_DEMAND_INSTANCES: u32 = 100_000;

impl DemandCurve {
    /// The curve for instances of `mu` requests per second whose
    /// `percentile` response time must stay within `bound_s` seconds,
    /// tabulated for pools of up to `table_c` instances (larger demand is
    /// computed directly).
    pub fn new(mu: f64, percentile: f64, bound_s: f64, table_c: u32) -> Self {
        // With unlimited instances the response is the service time alone.
        let feasible = (-mu * bound_s).exp() < 1.0 - percentile / 100.0;
        let mut curve = DemandCurve {
            mu,
            service_time_s: 1.0 / mu,
            percentile,
            bound_s,
            max_load: vec![0.0],
            padded: Vec::new(),
            feasible,
        };
        if feasible {
            for c in 1..=table_c {
                let max = curve.max_load_for(c);
                curve.max_load.push(max);
            }
        }
        curve.padded = std::iter::once(f64::NEG_INFINITY)
            .chain(curve.max_load.iter().copied())
            .chain(std::iter::once(f64::INFINITY))
            .collect();
        curve
    }

    /// Fewest instances serving `lambda` within the SLO. When the bound is
    /// below the service time itself (no pool can meet it), the demand is
    /// the pool that keeps utilisation below 1: `⌊λ/μ⌋ + 1`.
    #[inline]
    pub fn instances(&self, lambda: f64) -> u32 {
        self.instances_near(lambda, 0)
    }

    /// [`instances`](Self::instances), searching the table from `hint` (the
    /// last answer for the same app; 0 for none): demand moves by a step or
    /// two between samples, so the search usually ends where it starts.
    #[inline]
    pub fn instances_near(&self, lambda: f64, hint: u32) -> u32 {
        if lambda.is_nan() || lambda <= 0.0 {
            return 0;
        }
        if !self.feasible {
            return ((lambda / self.mu).floor() as u32)
                .saturating_add(1)
                .min(MAX_DEMAND_INSTANCES);
        }
        let top = self.max_load.len() - 1;
        if self.max_load[top] >= lambda {
            // c instances serve less than cμ, so without a hint the answer
            // is at least ⌈λ/μ⌉ and usually a step or two above it.
            let mut c = if hint >= 1 {
                (hint as usize).min(top)
            } else {
                ceil_usize(lambda * self.service_time_s).min(top)
            };
            while c > 0 && self.max_load[c - 1] >= lambda {
                c -= 1;
            }
            while self.max_load[c] < lambda {
                c += 1;
            }
            return c as u32;
        }
        crate::queueing::min_instances(
            lambda,
            self.mu,
            self.percentile,
            self.bound_s,
            1.0,
            MAX_DEMAND_INSTANCES,
        )
    }

    /// The table of [`instances_near`](Self::instances_near) with a
    /// sentinel at each end, for code that searches many loads at once:
    /// `window[c + 1]` is the highest load `c` instances serve within the
    /// SLO, `window[0]` is −∞ and the last entry +∞. `None` when the curve
    /// has no table (the bound is impossible).
    pub(crate) fn window(&self) -> Option<&[f64]> {
        self.feasible.then_some(&self.padded[..])
    }

    /// The highest λ that `c` instances serve within the SLO, by bisection
    /// on the (monotone) response-time percentile.
    fn max_load_for(&self, c: u32) -> f64 {
        let capacity = f64::from(c) * self.mu;
        let ok = |lambda: f64| {
            response_percentile_s(lambda, self.mu, c, self.percentile)
                .is_some_and(|t| t <= self.bound_s)
        };
        let (mut lo, mut hi) = (0.0, capacity);
        if !ok(capacity * 1e-9) {
            return 0.0;
        }
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if ok(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// ⌈x⌉ for a non-negative x. Not `f64::ceil`: without SSE4.1 in the
/// baseline target it is a library call, and this runs for every app at
/// every tick.
#[inline]
fn ceil_usize(x: f64) -> usize {
    let whole = x as usize;
    whole + usize::from((whole as f64) < x)
}

/// Curves shared between apps with the same service rate and SLO.
#[derive(Debug, Default)]
pub struct DemandCurves {
    curves: Vec<Arc<DemandCurve>>,
    /// Pool sizes each new curve tabulates.
    pub table_c: u32,
}

impl DemandCurves {
    /// Shared curves, each tabulated for pools of up to `table_c` instances.
    pub fn with_table(table_c: u32) -> Self {
        DemandCurves {
            curves: Vec::new(),
            table_c,
        }
    }

    /// The shared curve for these parameters.
    pub fn get(&mut self, mu: f64, percentile: f64, bound_s: f64) -> Arc<DemandCurve> {
        if let Some(c) = self
            .curves
            .iter()
            .find(|c| c.mu == mu && c.percentile == percentile && c.bound_s == bound_s)
        {
            return c.clone();
        }
        let c = Arc::new(DemandCurve::new(
            mu,
            percentile,
            bound_s,
            self.table_c.max(64),
        ));
        self.curves.push(c.clone());
        c
    }
}

/// How an interval is served, from [`Service::route`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Route {
    /// In the steady state, read from the latency table at this place.
    Table(Locus),
    /// In the steady state outside the table: solved directly (`None` from
    /// the solver, at saturation, falls to the backlog model).
    Solve,
    /// Through the backlog model: a queue is left over, or no instance
    /// serves.
    Backlog,
}

/// What one interval gave an app.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IntervalStats {
    /// Requests offered.
    pub offered: f64,
    /// Requests offered per second (`offered` ÷ the interval).
    pub rate_rps: f64,
    /// Requests served.
    pub served: f64,
    /// Requests dropped.
    pub dropped: f64,
    /// Mean response time, milliseconds.
    pub mean_ms: f64,
    /// 95th-percentile response time, milliseconds.
    pub p95_ms: f64,
    /// The SLO's percentile of the response time, milliseconds.
    pub slo_ms: f64,
    /// Busy share of the ready instances, 0–1.
    pub utilisation: f64,
    /// Requests waiting (mean queue length in steady state, or the backlog).
    pub queue_length: f64,
    /// Fewest instances that meet the SLO under this load.
    pub demand_instances: u32,
}

/// What the copies of one app spec share: service constants, the demand
/// curve and the latency table. Kept apart from [`Service`] so that the
/// per-app state a sample touches is small: a month of 1,000 apps visits it
/// 260 million times.
#[derive(Debug)]
pub struct ServiceModel {
    /// Requests per second one instance serves.
    pub mu: f64,
    /// Requests waiting longer are dropped, seconds.
    pub timeout_s: f64,
    /// The SLO's latency percentile, percent.
    pub percentile: f64,
    /// 1/μ, seconds.
    service_time_s: f64,
    /// The longest p95 response a served request can have: the timeout
    /// plus the p95 of one service time, seconds.
    p95_cap_s: f64,
    demand: Arc<DemandCurve>,
    latency: Arc<LatencyTable>,
}

impl ServiceModel {
    /// The model of instances of `mu` requests per second that drop
    /// requests waiting over `timeout_s` seconds, with the SLO's latency
    /// `percentile` (percent), its demand curve and the latency table.
    pub fn new(
        mu: f64,
        timeout_s: f64,
        percentile: f64,
        demand: Arc<DemandCurve>,
        latency: Arc<LatencyTable>,
    ) -> Self {
        ServiceModel {
            mu,
            timeout_s,
            percentile,
            service_time_s: 1.0 / mu,
            p95_cap_s: timeout_s + LN_20 / mu,
            demand,
            latency,
        }
    }

    /// Whether apps on this model can be served a block at a time
    /// ([`serve_lanes`]): an SLO at the 95th percentile (read with
    /// the latency), instances that serve, and a demand curve with a table
    /// (a bound the instances can meet).
    pub fn serves_in_lanes(&self) -> bool {
        self.percentile == 95.0 && self.mu > 0.0 && self.demand.window().is_some()
    }

    /// The mean and 95th-percentile response times, seconds, of an
    /// interval in the steady state whose mean wait and p95 response are
    /// `mean_wait_s` and `p95_response_s`: nobody waits past the timeout.
    #[inline(always)]
    fn steady_response(&self, mean_wait_s: f64, p95_response_s: f64) -> (f64, f64) {
        (
            mean_wait_s.min(self.timeout_s) + self.service_time_s,
            p95_response_s.min(self.p95_cap_s),
        )
    }

    /// Requests waiting in the steady state, by Little's law: λ × the mean
    /// wait (`mean_response_s` less the service time).
    #[inline(always)]
    fn steady_queue(&self, lambda: f64, mean_response_s: f64) -> f64 {
        lambda * (mean_response_s - self.service_time_s).max(0.0)
    }
}

/// An app's service: its queue between intervals, on a shared model.
#[derive(Clone, Debug)]
pub struct Service {
    model: Arc<ServiceModel>,
    backlog: Backlog,
    /// 1/(cμ) for `capacity_c` instances, seconds per request: the pool
    /// size changes far less often than the load.
    inv_capacity: f64,
    /// The pool size `inv_capacity` was computed for.
    capacity_c: u32,
    /// The last interval's demand, where the next search starts (0: none).
    last_demand: u32,
}

impl Service {
    /// A service with an empty queue and a model of its own.
    pub fn new(model: ServiceModel) -> Self {
        Service::shared(Arc::new(model))
    }

    /// A service with an empty queue on a model shared with other apps.
    pub fn shared(model: Arc<ServiceModel>) -> Self {
        Service {
            model,
            backlog: Backlog::new(),
            inv_capacity: 0.0,
            capacity_c: 0,
            last_demand: 0,
        }
    }

    /// Where a block served in vector lanes leaves the service: an empty
    /// queue, and `demand` instances found for the last interval (the
    /// lanes' results, kept by the simulator while the block stays in
    /// lanes and given back here when it leaves them).
    pub fn settle_steady(&mut self, demand: u32) {
        self.backlog.queued = 0.0;
        self.last_demand = demand;
    }

    /// The model the service runs on.
    pub fn model(&self) -> &Arc<ServiceModel> {
        &self.model
    }

    /// 1/(cμ), seconds per request, recomputed only when c changes.
    #[inline]
    fn inv_capacity(&mut self, c: u32) -> f64 {
        if c != self.capacity_c {
            self.capacity_c = c;
            self.inv_capacity = 1.0 / (f64::from(c) * self.model.mu);
        }
        self.inv_capacity
    }

    /// Runs one interval of `dt_s` seconds with `lambda` offered and `c`
    /// ready instances.
    #[inline]
    pub fn interval(&mut self, lambda: f64, c: u32, dt_s: f64) -> IntervalStats {
        let route = self.route(lambda, c, dt_s);
        self.interval_at(lambda, c, dt_s, route)
    }

    /// The first step of [`interval`](Self::interval): how the interval is
    /// served (with its place in the latency table when it is read from
    /// there). Pass the answer to [`interval_at`](Self::interval_at) with
    /// the same arguments.
    #[inline]
    pub fn route(&mut self, lambda: f64, c: u32, dt_s: f64) -> Route {
        // The same caps as `Backlog::step`.
        if !(self.backlog.queued <= 1e-9 && dt_s > 0.0 && c > 0 && self.model.mu > 0.0) {
            return Route::Backlog;
        }
        let inv_capacity = self.inv_capacity(c);
        match self
            .model
            .latency
            .locate(lambda.max(0.0), self.model.mu, c, inv_capacity)
        {
            Some(locus) => Route::Table(locus),
            None => Route::Solve,
        }
    }

    /// The second step of [`interval`](Self::interval), with the `route`
    /// that [`route`](Self::route) gave for the same arguments.
    #[inline]
    pub fn interval_at(&mut self, lambda: f64, c: u32, dt_s: f64, route: Route) -> IntervalStats {
        let was_queued = self.backlog.queued;
        let mu = self.model.mu;
        let steady = match route {
            Route::Table(locus) => Some(self.model.latency.read(&locus)),
            Route::Solve => LatencyTable::solve(lambda.max(0.0), mu, c),
            Route::Backlog => None,
        };
        let m = &*self.model;
        let out = match steady {
            Some(s) => {
                self.backlog.queued = 0.0;
                let (mean_response_s, p95_response_s) =
                    m.steady_response(s.mean_wait_s, s.p95_response_s);
                crate::queueing::IntervalOutcome {
                    served: lambda.max(0.0) * dt_s + was_queued.max(0.0),
                    dropped: 0.0,
                    mean_response_s,
                    p95_response_s,
                    utilisation: s.utilisation,
                }
            }
            None => self.backlog.step(lambda, mu, c, dt_s, m.timeout_s),
        };
        let steady = was_queued <= 0.0 && self.backlog.queued <= 0.0 && out.dropped == 0.0;
        let slo_ms = if m.percentile == 95.0 || !steady {
            out.p95_response_s * 1e3
        } else {
            response_percentile_s(lambda, mu, c, m.percentile).map_or(out.p95_response_s, |t| t)
                * 1e3
        };
        let queue_length = if steady {
            m.steady_queue(lambda, out.mean_response_s)
        } else {
            0.5 * (was_queued + self.backlog.queued)
        };
        let demand_instances = m.demand.instances_near(lambda, self.last_demand);
        self.last_demand = demand_instances;
        IntervalStats {
            offered: lambda * dt_s,
            rate_rps: lambda,
            served: out.served,
            dropped: out.dropped,
            mean_ms: out.mean_response_s * 1e3,
            p95_ms: out.p95_response_s * 1e3,
            slo_ms,
            utilisation: out.utilisation,
            queue_length,
            demand_instances,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::min_instances;

    #[test]
    fn the_demand_curve_agrees_with_a_direct_search() {
        let curve = DemandCurve::new(10.0, 95.0, 0.5, 50);
        for lambda in [0.5, 5.0, 9.9, 10.0, 37.0, 100.0, 555.0, 2000.0] {
            let direct = min_instances(lambda, 10.0, 95.0, 0.5, 1.0, 10_000);
            let fast = curve.instances(lambda);
            assert!(
                fast.abs_diff(direct) <= 1,
                "λ = {lambda}: {fast} vs {direct}"
            );
        }
        assert_eq!(curve.instances(0.0), 0);
    }

    #[test]
    fn a_search_from_any_hint_finds_the_same_demand() {
        let curve = DemandCurve::new(10.0, 95.0, 0.5, 200);
        for lambda in [0.5, 5.0, 9.9, 37.0, 100.0, 555.0, 1999.0, 5000.0] {
            let direct = curve.instances(lambda);
            for hint in [0, 1, 7, 60, 199, 5000] {
                assert_eq!(
                    curve.instances_near(lambda, hint),
                    direct,
                    "λ {lambda} from {hint}"
                );
            }
        }
    }

    #[test]
    fn an_impossible_bound_falls_back_to_keeping_up_with_the_load() {
        // p95 of one exponential service of 1 s is 3 s: 100 ms is impossible.
        let curve = DemandCurve::new(1.0, 95.0, 0.1, 50);
        assert_eq!(curve.instances(4.5), 5);
    }

    #[test]
    fn an_interval_reports_latency_drops_and_demand() {
        let curves = &mut DemandCurves::default();
        let mut s = Service::new(ServiceModel::new(
            100.0,
            10.0,
            95.0,
            curves.get(100.0, 95.0, 0.25),
            Arc::new(LatencyTable::new(8)),
        ));
        let calm = s.interval(150.0, 4, 10.0);
        assert_eq!((calm.offered, calm.dropped), (1500.0, 0.0));
        assert!(
            calm.p95_ms < 250.0 && calm.demand_instances == 2,
            "{calm:?}"
        );
        let overload = s.interval(1000.0, 4, 10.0);
        assert!(
            overload.queue_length > 0.0 && overload.p95_ms > 250.0,
            "{overload:?}"
        );
        let none = s.interval(100.0, 0, 10.0);
        assert!(none.dropped >= 1000.0);
    }
}
