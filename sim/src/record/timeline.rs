//! The stored timeline: samples folded into buckets of
//! `timeline_resolution_s`, kept as columns (one `Vec` per column, rows in
//! (bucket, entity declaration order) order). Means are over the samples in
//! the bucket; `dt_s` is the time those samples stand for.

use super::acc::breach::SlaPart;
use super::acc::one_if;
use super::sample::{ClusterSample, LaneSample, WorkerSample};

/// `timeline_apps.parquet` as columns; units as in `docs/run-format.md`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppTimeline {
    /// Bucket start, Unix epoch milliseconds.
    pub t_ms: Vec<i64>,
    /// Time the bucket's samples stand for, seconds.
    pub dt_s: Vec<f64>,
    /// Index into `RunMeta::apps`.
    pub app_idx: Vec<u32>,
    /// Offered load, requests per second (mean).
    pub demand_rps: Vec<f64>,
    /// Ready instances × service rate, requests per second (mean).
    pub supply_rps: Vec<f64>,
    /// Fewest instances meeting the SLO (mean).
    pub demand_instances: Vec<f64>,
    /// Ready instances (mean).
    pub supply_instances: Vec<f64>,
    /// Ready + starting instances (mean).
    pub allocated_instances: Vec<f64>,
    /// Engine target at the bucket's last sample, instances.
    pub target_instances: Vec<f64>,
    /// Unplaced instances (mean).
    pub pending_instances: Vec<f64>,
    /// CPU of ready instances, percent (mean).
    pub cpu_percent: Vec<f64>,
    /// Mean response time, milliseconds (mean over samples).
    pub latency_mean_ms: Vec<f64>,
    /// p95 response time, milliseconds (mean over samples).
    pub latency_p95_ms: Vec<f64>,
    /// p95 response time, milliseconds (max over samples).
    pub latency_p95_max_ms: Vec<f64>,
    /// Requests offered in the bucket.
    pub requests: Vec<f64>,
    /// Requests dropped in the bucket.
    pub dropped: Vec<f64>,
    /// Seconds of the bucket missing any objective.
    pub breach_s: Vec<f64>,
    /// Seconds of the bucket missing the latency objective.
    pub breach_latency_s: Vec<f64>,
    /// Seconds of the bucket missing the drop-rate objective.
    pub breach_drop_s: Vec<f64>,
    /// Requests offered in samples missing any objective.
    pub breach_requests: Vec<f64>,
    /// Requests offered in samples missing the latency objective.
    pub breach_latency_requests: Vec<f64>,
    /// Requests offered in samples missing the drop-rate objective.
    pub breach_drop_requests: Vec<f64>,
}

impl AppTimeline {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }
}

/// `timeline_cluster.parquet` as columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClusterTimeline {
    /// Bucket start, Unix epoch milliseconds.
    pub t_ms: Vec<i64>,
    /// Time the bucket's samples stand for, seconds.
    pub dt_s: Vec<f64>,
    /// Ready workers (mean).
    pub workers: Vec<f64>,
    /// Workers being provisioned (mean).
    pub workers_provisioning: Vec<f64>,
    /// Unplaced instances (mean).
    pub pending_workloads: Vec<f64>,
    /// Requested ÷ allocatable CPU, percent (mean).
    pub cluster_cpu_utilization: Vec<f64>,
    /// Spending rate, money per hour (mean).
    pub cost_rate_per_hour: Vec<f64>,
    /// Spot part of the spending rate, money per hour (mean).
    pub cost_rate_spot_per_hour: Vec<f64>,
    /// Money spent in the bucket.
    pub cost: Vec<f64>,
    /// Part of it on spot workers.
    pub cost_spot: Vec<f64>,
}

/// `timeline_workers.parquet` as columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorkerTimeline {
    /// Bucket start, Unix epoch milliseconds.
    pub t_ms: Vec<i64>,
    /// Time the bucket's samples stand for, seconds.
    pub dt_s: Vec<f64>,
    /// Index into `RunMeta::worker_types`.
    pub type_idx: Vec<u32>,
    /// Billed workers (mean).
    pub count: Vec<f64>,
    /// Money spent in the bucket.
    pub cost: Vec<f64>,
}

/// `N` apps' open buckets, side by side: sums over each app's samples, one
/// lane per app. Every sum, the counts included, is an `f64` (counts are
/// exact up to 2^53), so that a block of apps' samples is added with a few
/// packed instructions per field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AppBuckets<const N: usize> {
    n: [f64; N],
    demand_rps: [f64; N],
    supply_rps: [f64; N],
    demand_instances: [f64; N],
    supply_instances: [f64; N],
    allocated: [f64; N],
    pending: [f64; N],
    cpu: [f64; N],
    latency_mean: [f64; N],
    latency_p95: [f64; N],
    requests: [f64; N],
    dropped: [f64; N],
    breached: [f64; N],
    latency_breached: [f64; N],
    drop_breached: [f64; N],
    breach_requests: [f64; N],
    latency_requests: [f64; N],
    drop_requests: [f64; N],
    /// Not sums: the last sample's target and the largest p95.
    target: [f64; N],
    latency_p95_max: [f64; N],
}

impl<const N: usize> Default for AppBuckets<N> {
    fn default() -> Self {
        AppBuckets {
            n: [0.0; N],
            demand_rps: [0.0; N],
            supply_rps: [0.0; N],
            demand_instances: [0.0; N],
            supply_instances: [0.0; N],
            allocated: [0.0; N],
            pending: [0.0; N],
            cpu: [0.0; N],
            latency_mean: [0.0; N],
            latency_p95: [0.0; N],
            requests: [0.0; N],
            dropped: [0.0; N],
            breached: [0.0; N],
            latency_breached: [0.0; N],
            drop_breached: [0.0; N],
            breach_requests: [0.0; N],
            latency_requests: [0.0; N],
            drop_requests: [0.0; N],
            target: [0.0; N],
            latency_p95_max: [f64::NEG_INFINITY; N],
        }
    }
}

impl<const N: usize> AppBuckets<N> {
    /// Adds `x` to app `l`'s bucket; `supply_rps` is ready ×
    /// service rate.
    #[inline(always)]
    pub(crate) fn add_lane(&mut self, l: usize, x: &LaneSample, supply_rps: f64) {
        let (latency, drop) = (one_if(x.latency_breached), one_if(x.drop_breached));
        let any = one_if(x.latency_breached | x.drop_breached);
        let (ready, requests) = (x.ready, x.requests);
        // Request counts are finite, so a 0/1 factor selects them.
        self.n[l] += 1.0;
        self.demand_rps[l] += x.demand_rps;
        self.supply_rps[l] += supply_rps;
        self.demand_instances[l] += x.demand_instances;
        self.supply_instances[l] += ready;
        self.allocated[l] += ready + x.starting;
        self.pending[l] += x.pending;
        self.cpu[l] += x.cpu_percent;
        self.latency_mean[l] += x.latency_mean_ms;
        self.latency_p95[l] += x.latency_p95_ms;
        self.requests[l] += requests;
        self.dropped[l] += x.dropped;
        self.breached[l] += any;
        self.latency_breached[l] += latency;
        self.drop_breached[l] += drop;
        self.breach_requests[l] += requests * any;
        self.latency_requests[l] += requests * latency;
        self.drop_requests[l] += requests * drop;
        self.target[l] = x.target;
        self.latency_p95_max[l] = self.latency_p95_max[l].max(x.latency_p95_ms);
    }

    /// App `l`'s samples, requests and breaches in the bucket, for its SLA
    /// totals.
    pub(crate) fn sla_part(&self, l: usize) -> SlaPart {
        SlaPart {
            samples: self.n[l] as u64,
            requests: self.requests[l],
            dropped: self.dropped[l],
            breached: [
                self.breached[l] as u64,
                self.latency_breached[l] as u64,
                self.drop_breached[l] as u64,
            ],
            breach_requests: [
                self.breach_requests[l],
                self.latency_requests[l],
                self.drop_requests[l],
            ],
        }
    }

    /// Appends app `l`'s bucket as a row, if it has samples (the caller
    /// empties the block's buckets once every app's row is out).
    pub(crate) fn append_row(
        &mut self,
        l: usize,
        out: &mut AppTimeline,
        t_ms: i64,
        app_idx: u32,
        dt_s: f64,
    ) {
        if self.n[l] == 0.0 {
            return;
        }
        let n = self.n[l];
        out.t_ms.push(t_ms);
        out.dt_s.push(n * dt_s);
        out.app_idx.push(app_idx);
        out.demand_rps.push(self.demand_rps[l] / n);
        out.supply_rps.push(self.supply_rps[l] / n);
        out.demand_instances.push(self.demand_instances[l] / n);
        out.supply_instances.push(self.supply_instances[l] / n);
        out.allocated_instances.push(self.allocated[l] / n);
        out.target_instances.push(self.target[l]);
        out.pending_instances.push(self.pending[l] / n);
        out.cpu_percent.push(self.cpu[l] / n);
        out.latency_mean_ms.push(self.latency_mean[l] / n);
        out.latency_p95_ms.push(self.latency_p95[l] / n);
        out.latency_p95_max_ms.push(self.latency_p95_max[l]);
        out.requests.push(self.requests[l]);
        out.dropped.push(self.dropped[l]);
        out.breach_s.push(self.breached[l] * dt_s);
        out.breach_latency_s.push(self.latency_breached[l] * dt_s);
        out.breach_drop_s.push(self.drop_breached[l] * dt_s);
        out.breach_requests.push(self.breach_requests[l]);
        out.breach_latency_requests.push(self.latency_requests[l]);
        out.breach_drop_requests.push(self.drop_requests[l]);
    }
}

/// The cluster's open bucket.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ClusterBucket {
    n: u32,
    sum: [f64; 8],
}

impl ClusterBucket {
    /// Adds a sample.
    #[inline]
    pub(crate) fn add(&mut self, s: &ClusterSample) {
        let v = [
            s.workers as f64,
            s.workers_provisioning as f64,
            s.pending_workloads as f64,
            s.cpu_utilization_percent,
            s.cost_rate_per_hour,
            s.cost_rate_spot_per_hour,
            s.cost,
            s.cost_spot,
        ];
        self.n += 1;
        for (acc, x) in self.sum.iter_mut().zip(v) {
            *acc += x;
        }
    }

    /// Appends the bucket as a row (if it has samples) and empties it.
    pub(crate) fn flush(&mut self, out: &mut ClusterTimeline, t_ms: i64, dt_s: f64) {
        if self.n == 0 {
            return;
        }
        let n = self.n as f64;
        let s = self.sum;
        out.t_ms.push(t_ms);
        out.dt_s.push(n * dt_s);
        out.workers.push(s[0] / n);
        out.workers_provisioning.push(s[1] / n);
        out.pending_workloads.push(s[2] / n);
        out.cluster_cpu_utilization.push(s[3] / n);
        out.cost_rate_per_hour.push(s[4] / n);
        out.cost_rate_spot_per_hour.push(s[5] / n);
        out.cost.push(s[6]);
        out.cost_spot.push(s[7]);
        *self = ClusterBucket::default();
    }
}

/// One worker type's open bucket.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WorkerBucket {
    n: u32,
    count: f64,
    cost: f64,
}

impl WorkerBucket {
    /// Adds a sample.
    #[inline]
    pub(crate) fn add(&mut self, s: &WorkerSample) {
        self.n += 1;
        self.count += s.count as f64;
        self.cost += s.cost;
    }

    /// Appends the bucket as a row (if it has samples) and empties it.
    pub(crate) fn flush(&mut self, out: &mut WorkerTimeline, t_ms: i64, type_idx: u32, dt_s: f64) {
        if self.n == 0 {
            return;
        }
        out.t_ms.push(t_ms);
        out.dt_s.push(self.n as f64 * dt_s);
        out.type_idx.push(type_idx);
        out.count.push(self.count / self.n as f64);
        out.cost.push(self.cost);
        *self = WorkerBucket::default();
    }
}
