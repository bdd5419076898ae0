//! The metric sample tick: every app's interval is served, recorded, and its
//! metrics reach the engine; the cluster's cost and state are recorded.

use lighthouse_engine::{EngineCore, MetricKey, ResourceKey, Timestamp};
use rand::rngs::SmallRng;
use rand_distr::{Distribution, LogNormal};

use crate::fleet::ClusterState;
use crate::load::{CopyNoise, LoadProcess};
use crate::record::{AppSample, ClusterSample, WorkerSample};
use crate::service::{IntervalRef, IntervalStats, Route, Service};

/// What the engine can be told about an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// `requests_per_second`: offered load.
    Rps,
    /// `requests_per_second_per_instance`: load per ready instance.
    RpsPerInstance,
    /// `cpu_percent`: busy share of ready instances.
    Cpu,
    /// `memory_percent`: 30 % at rest, up to 80 % when busy.
    Memory,
    /// `response_time_ms`: mean latency.
    MeanLatency,
    /// `response_time_p95_ms`.
    P95Latency,
    /// `api_request_queue_length`: requests waiting.
    QueueLength,
    /// `dropped_requests_per_second`.
    Drops,
    /// A scenario-defined business metric.
    Business(usize),
}

/// The metrics the simulator measures for every app, by name.
pub const APP_METRICS: [(&str, Quantity); 8] = [
    ("requests_per_second", Quantity::Rps),
    ("requests_per_second_per_instance", Quantity::RpsPerInstance),
    ("cpu_percent", Quantity::Cpu),
    ("memory_percent", Quantity::Memory),
    ("response_time_ms", Quantity::MeanLatency),
    ("response_time_p95_ms", Quantity::P95Latency),
    ("api_request_queue_length", Quantity::QueueLength),
    ("dropped_requests_per_second", Quantity::Drops),
];

/// Where an app's load comes from.
pub enum AppLoad {
    /// Its own process (boxed: it is large, and the copies' variant, the
    /// common one in large fleets, is visited at every sample).
    Own(Box<LoadProcess>),
    /// A copy of an app spec: the group's shared deterministic mean, with
    /// the copy's own noise.
    Copy {
        /// Index of the shared process.
        group: usize,
        /// The copy's noise.
        noise: CopyNoise,
    },
}

/// The simulator's side of one app: what every sample reads and writes.
/// How the engine and the faults know the app is kept apart
/// ([`AppBinding`]), so that a pass over 10,000 apps moves as few cache
/// lines as it can.
pub struct SimApp {
    /// Offered load.
    pub load: AppLoad,
    /// Queue and demand.
    pub service: Service,
    /// SLO latency bound, milliseconds.
    pub slo_latency_ms: f64,
    /// SLO drop-rate bound.
    pub max_drop_rate: f64,
}

/// How the engine, the faults and the forecasts know an app, read at
/// engine evaluations only.
pub struct AppBinding {
    /// The engine's key of the app.
    pub key: ResourceKey,
    /// Metrics the engine reads, and what they are.
    pub pushes: Vec<(MetricKey, Quantity)>,
    /// Business metrics: (name, events per request × window seconds).
    pub business: Vec<(String, f64)>,
    /// Name (copies of a spec have their own).
    pub name: String,
    /// Name of its spec in the scenario.
    pub spec_name: String,
}

impl SimApp {
    /// The group of shared load of a log-normal copy (`None` for other
    /// apps): its offered load is [`crate::load::log_normal_rate`] of the
    /// group's mean and its noise factor.
    #[inline]
    pub fn log_normal_group(&self) -> Option<usize> {
        match &self.load {
            AppLoad::Copy {
                group,
                noise: CopyNoise::LogNormal { .. },
            } => Some(*group),
            _ => None,
        }
    }

    /// σ of the app's log-normal noise (0 for other apps): the logarithm
    /// of its noise factor is σ × its generator's variate.
    #[inline]
    pub fn sigma(&self) -> f64 {
        match &self.load {
            AppLoad::Own(_) => 0.0,
            AppLoad::Copy { noise, .. } => noise.sigma(),
        }
    }

    /// The load offered over the interval starting at `t_s`, requests per
    /// second, with `factor` its log-normal noise factor (unused by other
    /// apps).
    #[inline]
    pub fn offered(&mut self, t_s: f64, dt_s: f64, shared_means: &[f64], factor: f64) -> f64 {
        match &mut self.load {
            AppLoad::Own(process) => process.rate(t_s, dt_s),
            AppLoad::Copy { group, noise } => noise.apply_drawn(shared_means[*group], dt_s, factor),
        }
    }

    /// Serves the interval starting now with `lambda` requests per second
    /// offered on `ready` instances. `route` is what [`Service::route`]
    /// gave for `lambda`, `ready` and `dt_s` (found for many apps before
    /// any is served, so that the processor overlaps their square roots).
    #[inline]
    pub fn serve(&mut self, lambda: f64, dt_s: f64, ready: u32, route: Route) -> IntervalStats {
        self.service.interval_at(lambda, ready, dt_s, route)
    }

    /// The recorder's sample of an interval `stats` of the app's, served
    /// with the fleet's (ready, starting, target, pending) `counts`.
    #[inline]
    pub fn sample(&self, stats: &IntervalStats, counts: [u32; 4]) -> AppSample {
        let [ready, starting, target, pending] = counts;
        AppSample {
            demand_rps: stats.rate_rps,
            demand_instances: f64::from(stats.demand_instances),
            ready,
            starting,
            target,
            pending,
            cpu_percent: 100.0 * stats.utilisation,
            latency_mean_ms: stats.mean_ms,
            latency_p95_ms: stats.p95_ms,
            requests: stats.offered,
            dropped: stats.dropped,
            latency_breached: latency_breached(stats.offered, stats.slo_ms, self.slo_latency_ms),
            drop_breached: drop_breached(stats.offered, stats.dropped, self.max_drop_rate),
        }
    }
}

/// Whether an interval with `offered` requests missed a latency objective
/// of `bound_ms` with `slo_ms` at the objective's percentile.
#[inline(always)]
fn latency_breached(offered: f64, slo_ms: f64, bound_ms: f64) -> bool {
    (offered > 0.0) & (slo_ms > bound_ms)
}

/// Whether an interval's drop rate (dropped ÷ offered) passed
/// `max_drop_rate`, without the division.
#[inline(always)]
fn drop_breached(offered: f64, dropped: f64, max_drop_rate: f64) -> bool {
    (offered > 0.0) & (dropped > max_drop_rate * offered)
}

impl AppBinding {
    /// The value of a quantity over a finished interval (no noise).
    pub fn value(&self, q: Quantity, stats: IntervalRef, ready: u32, dt_s: f64) -> f64 {
        match q {
            Quantity::Rps => stats.rate_rps(),
            Quantity::RpsPerInstance => stats.rate_rps() / f64::from(ready.max(1)),
            Quantity::Cpu => 100.0 * stats.utilisation(),
            Quantity::Memory => 30.0 + 50.0 * stats.utilisation(),
            Quantity::MeanLatency => stats.mean_ms(),
            Quantity::P95Latency => stats.p95_ms(),
            Quantity::QueueLength => stats.queue_length(),
            Quantity::Drops => stats.dropped() / dt_s,
            Quantity::Business(i) => stats.rate_rps() * self.business[i].1,
        }
    }

    /// Tells the engine about a finished interval, measured at `at`; with
    /// `noise` (a spread and a generator) each value is multiplied by
    /// log-normal noise.
    #[inline]
    pub fn push(
        &self,
        core: &mut EngineCore,
        stats: IntervalRef,
        ready: u32,
        dt_s: f64,
        at: Timestamp,
        mut noise: Option<(f64, &mut SmallRng)>,
    ) {
        for &(metric, q) in &self.pushes {
            let value = self.value(q, stats, ready, dt_s);
            let value = match &mut noise {
                Some((sigma, rng)) => {
                    value * LogNormal::new(0.0, *sigma).map_or(1.0, |d| d.sample(*rng))
                }
                None => value,
            };
            // Values come from the model and are finite and non-negative.
            let _ = core.observe_sample(self.key, metric, value, at);
        }
    }
}

/// The cluster's state at the start of an interval, kept until its cost is
/// known at the end.
#[derive(Clone, Copy, Debug)]
pub struct PendingCluster {
    /// Interval start, epoch ms.
    pub t_ms: i64,
    /// The cluster then.
    pub state: ClusterState,
    /// Spending rate then: (total, spot), money per hour.
    pub rate: (f64, f64),
}

impl PendingCluster {
    /// The recorder's cluster sample, once the interval's cost is known.
    pub fn sample(&self, cost: f64, cost_spot: f64) -> ClusterSample {
        ClusterSample {
            workers: self.state.ready,
            workers_provisioning: self.state.provisioning,
            pending_workloads: self.state.pending,
            cpu_utilization_percent: self.state.cpu_utilization,
            cost_rate_per_hour: self.rate.0,
            cost_rate_spot_per_hour: self.rate.1,
            cost,
            cost_spot,
        }
    }
}

/// A worker type's sample.
pub fn worker_sample(count: u32, cost: f64) -> WorkerSample {
    WorkerSample { count, cost }
}
