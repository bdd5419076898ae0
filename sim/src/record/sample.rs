//! What the simulator hands the recorder at every metric sample tick: plain
//! `Copy` numbers, so that recording a sample allocates nothing.

use super::recorder::APP_LANES;

/// One app or platform component at one sample tick. The sample stands for
/// the interval `[t, t + sample_interval)`; counts are for that interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AppSample {
    /// Offered load, requests per second.
    pub demand_rps: f64,
    /// Fewest instances that would meet the SLO under the offered load
    /// ("demand in instance units"), instances.
    pub demand_instances: f64,
    /// Ready (serving) instances.
    pub ready: u32,
    /// Instances started but not yet serving.
    pub starting: u32,
    /// The engine's current target capacity, instances.
    pub target: u32,
    /// Instances not placed on any worker.
    pub pending: u32,
    /// Mean CPU of ready instances, percent.
    pub cpu_percent: f64,
    /// Mean response time, milliseconds.
    pub latency_mean_ms: f64,
    /// 95th-percentile response time, milliseconds.
    pub latency_p95_ms: f64,
    /// Requests offered in the interval.
    pub requests: f64,
    /// Requests dropped (timeout or no capacity) in the interval.
    pub dropped: f64,
    /// Whether the latency objective was missed in the interval.
    pub latency_breached: bool,
    /// Whether the drop-rate objective was missed in the interval.
    pub drop_breached: bool,
}

impl AppSample {
    /// Whether any objective was missed in the interval.
    pub fn breached(&self) -> bool {
        self.latency_breached || self.drop_breached
    }
}

/// The cluster at one sample tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClusterSample {
    /// Ready workers.
    pub workers: u32,
    /// Workers being provisioned.
    pub workers_provisioning: u32,
    /// Instances not placed on any worker.
    pub pending_workloads: u32,
    /// Requested CPU ÷ allocatable CPU of ready workers, percent.
    pub cpu_utilization_percent: f64,
    /// Spending rate, money per hour.
    pub cost_rate_per_hour: f64,
    /// Part of the spending rate on spot workers, money per hour.
    pub cost_rate_spot_per_hour: f64,
    /// Money spent in the interval.
    pub cost: f64,
    /// Part of it spent on spot workers.
    pub cost_spot: f64,
}

/// One worker type at one sample tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WorkerSample {
    /// Billed workers of this type (ready + provisioning).
    pub count: u32,
    /// Money spent on this type in the interval.
    pub cost: f64,
}

/// A block of consecutive apps' samples at one tick, by field (one lane
/// per app), as the recorder adds them: a block in a few packed
/// instructions per field. Counts are `f64` (exact for any count of
/// instances).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SampleLanes {
    pub(crate) demand_rps: [f64; APP_LANES],
    pub(crate) demand_instances: [f64; APP_LANES],
    pub(crate) ready: [f64; APP_LANES],
    pub(crate) starting: [f64; APP_LANES],
    pub(crate) target: [f64; APP_LANES],
    pub(crate) pending: [f64; APP_LANES],
    pub(crate) cpu_percent: [f64; APP_LANES],
    pub(crate) latency_mean_ms: [f64; APP_LANES],
    pub(crate) latency_p95_ms: [f64; APP_LANES],
    pub(crate) requests: [f64; APP_LANES],
    pub(crate) dropped: [f64; APP_LANES],
    /// Objectives missed, 1 or 0 (bytes rather than `bool`s, so that a
    /// block's flags can be written with one store and read back whole).
    pub(crate) latency_breached: [u8; APP_LANES],
    pub(crate) drop_breached: [u8; APP_LANES],
}

impl SampleLanes {
    /// Puts `s` in lane `l`.
    #[inline(always)]
    pub(crate) fn set(&mut self, l: usize, s: &AppSample) {
        let v = LaneSample::from(s);
        self.demand_rps[l] = v.demand_rps;
        self.demand_instances[l] = v.demand_instances;
        self.ready[l] = v.ready;
        self.starting[l] = v.starting;
        self.target[l] = v.target;
        self.pending[l] = v.pending;
        self.cpu_percent[l] = v.cpu_percent;
        self.latency_mean_ms[l] = v.latency_mean_ms;
        self.latency_p95_ms[l] = v.latency_p95_ms;
        self.requests[l] = v.requests;
        self.dropped[l] = v.dropped;
        self.latency_breached[l] = u8::from(v.latency_breached);
        self.drop_breached[l] = u8::from(v.drop_breached);
    }

    /// Lane `l`'s sample.
    #[inline(always)]
    pub(crate) fn get(&self, l: usize) -> LaneSample {
        LaneSample {
            demand_rps: self.demand_rps[l],
            demand_instances: self.demand_instances[l],
            ready: self.ready[l],
            starting: self.starting[l],
            target: self.target[l],
            pending: self.pending[l],
            cpu_percent: self.cpu_percent[l],
            latency_mean_ms: self.latency_mean_ms[l],
            latency_p95_ms: self.latency_p95_ms[l],
            requests: self.requests[l],
            dropped: self.dropped[l],
            latency_breached: self.latency_breached[l] != 0,
            drop_breached: self.drop_breached[l] != 0,
        }
    }
}

/// One app's sample as the recorder adds it to its lane: counts as `f64`.
/// Made from an [`AppSample`] (one app) or read from a block's
/// `SampleLanes`, so that both paths add it with the same arithmetic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaneSample {
    pub(crate) demand_rps: f64,
    pub(crate) demand_instances: f64,
    pub(crate) ready: f64,
    pub(crate) starting: f64,
    pub(crate) target: f64,
    pub(crate) pending: f64,
    pub(crate) cpu_percent: f64,
    pub(crate) latency_mean_ms: f64,
    pub(crate) latency_p95_ms: f64,
    pub(crate) requests: f64,
    pub(crate) dropped: f64,
    pub(crate) latency_breached: bool,
    pub(crate) drop_breached: bool,
}

impl From<&AppSample> for LaneSample {
    #[inline(always)]
    fn from(s: &AppSample) -> LaneSample {
        LaneSample {
            demand_rps: s.demand_rps,
            demand_instances: s.demand_instances,
            ready: f64::from(s.ready),
            starting: f64::from(s.starting),
            target: f64::from(s.target),
            pending: f64::from(s.pending),
            cpu_percent: s.cpu_percent,
            latency_mean_ms: s.latency_mean_ms,
            latency_p95_ms: s.latency_p95_ms,
            requests: s.requests,
            dropped: s.dropped,
            latency_breached: s.latency_breached,
            drop_breached: s.drop_breached,
        }
    }
}
