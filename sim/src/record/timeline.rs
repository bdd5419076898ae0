//! The stored timeline: samples folded into buckets of
//! `timeline_resolution_s`, kept as columns (one `Vec` per column, rows in
//! (bucket, entity declaration order) order). Means are over the samples in
//! the bucket; `dt_s` is the time those samples stand for.

use super::acc::breach::SlaPart;
use super::acc::one_if;
use super::sample::{AppSample, ClusterSample, WorkerSample};

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

/// One app's open bucket: sums over its samples. Every sum, the counts
/// included, is an `f64` (counts are exact up to 2^53) and the fields sit
/// side by side, so that a sample is added with packed adds.
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct AppBucket {
    n: f64,
    demand_rps: f64,
    supply_rps: f64,
    demand_instances: f64,
    supply_instances: f64,
    allocated: f64,
    pending: f64,
    cpu: f64,
    latency_mean: f64,
    latency_p95: f64,
    requests: f64,
    dropped: f64,
    breached: f64,
    latency_breached: f64,
    drop_breached: f64,
    breach_requests: f64,
    latency_requests: f64,
    drop_requests: f64,
    /// Not sums: the last sample's target and the largest p95.
    target: f64,
    latency_p95_max: f64,
}

impl Default for AppBucket {
    fn default() -> AppBucket {
        AppBucket {
            n: 0.0,
            demand_rps: 0.0,
            supply_rps: 0.0,
            demand_instances: 0.0,
            supply_instances: 0.0,
            allocated: 0.0,
            pending: 0.0,
            cpu: 0.0,
            latency_mean: 0.0,
            latency_p95: 0.0,
            requests: 0.0,
            dropped: 0.0,
            breached: 0.0,
            latency_breached: 0.0,
            drop_breached: 0.0,
            breach_requests: 0.0,
            latency_requests: 0.0,
            drop_requests: 0.0,
            target: 0.0,
            latency_p95_max: f64::NEG_INFINITY,
        }
    }
}

impl AppBucket {
    /// Adds a sample; `supply_rps` is ready × service rate.
    #[inline]
    pub(crate) fn add(&mut self, s: &AppSample, supply_rps: f64) {
        let (latency, drop) = (one_if(s.latency_breached), one_if(s.drop_breached));
        let any = one_if(s.breached());
        let ready = f64::from(s.ready);
        // Request counts are finite, so a 0/1 factor selects them.
        self.n += 1.0;
        self.demand_rps += s.demand_rps;
        self.supply_rps += supply_rps;
        self.demand_instances += s.demand_instances;
        self.supply_instances += ready;
        self.allocated += ready + f64::from(s.starting);
        self.pending += f64::from(s.pending);
        self.cpu += s.cpu_percent;
        self.latency_mean += s.latency_mean_ms;
        self.latency_p95 += s.latency_p95_ms;
        self.requests += s.requests;
        self.dropped += s.dropped;
        self.breached += any;
        self.latency_breached += latency;
        self.drop_breached += drop;
        self.breach_requests += s.requests * any;
        self.latency_requests += s.requests * latency;
        self.drop_requests += s.requests * drop;
        self.target = f64::from(s.target);
        self.latency_p95_max = self.latency_p95_max.max(s.latency_p95_ms);
    }

    /// The bucket's samples, requests and breaches, for the app's SLA
    /// totals.
    pub(crate) fn sla_part(&self) -> SlaPart {
        SlaPart {
            samples: self.n as u64,
            requests: self.requests,
            dropped: self.dropped,
            breached: [
                self.breached as u64,
                self.latency_breached as u64,
                self.drop_breached as u64,
            ],
            breach_requests: [
                self.breach_requests,
                self.latency_requests,
                self.drop_requests,
            ],
        }
    }

    /// Appends the bucket as a row (if it has samples) and empties it.
    pub(crate) fn flush(&mut self, out: &mut AppTimeline, t_ms: i64, app_idx: u32, dt_s: f64) {
        if self.n == 0.0 {
            return;
        }
        let n = self.n;
        out.t_ms.push(t_ms);
        out.dt_s.push(n * dt_s);
        out.app_idx.push(app_idx);
        out.demand_rps.push(self.demand_rps / n);
        out.supply_rps.push(self.supply_rps / n);
        out.demand_instances.push(self.demand_instances / n);
        out.supply_instances.push(self.supply_instances / n);
        out.allocated_instances.push(self.allocated / n);
        out.target_instances.push(self.target);
        out.pending_instances.push(self.pending / n);
        out.cpu_percent.push(self.cpu / n);
        out.latency_mean_ms.push(self.latency_mean / n);
        out.latency_p95_ms.push(self.latency_p95 / n);
        out.latency_p95_max_ms.push(self.latency_p95_max);
        out.requests.push(self.requests);
        out.dropped.push(self.dropped);
        out.breach_s.push(self.breached * dt_s);
        out.breach_latency_s.push(self.latency_breached * dt_s);
        out.breach_drop_s.push(self.drop_breached * dt_s);
        out.breach_requests.push(self.breach_requests);
        out.breach_latency_requests.push(self.latency_requests);
        out.breach_drop_requests.push(self.drop_requests);
        *self = AppBucket::default();
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
