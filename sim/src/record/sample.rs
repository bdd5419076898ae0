//! What the simulator hands the recorder at every metric sample tick: plain
//! `Copy` numbers, so that recording a sample allocates nothing.

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
