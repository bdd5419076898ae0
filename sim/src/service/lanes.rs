//! A block of apps served together: when every app of the block is in the
//! steady state inside the latency table — nearly always, in a large fleet
//! — the interval's figures are computed a field at a time across the
//! block, so that the processor does the apps in vector instructions.
//! Every figure is the same, bit for bit, as [`Service::interval`] gives
//! one app at a time (a test holds the two to that). The intervals are
//! kept by field too ([`IntervalColumns`]), so that a block is stored a
//! field at a time.

use super::{Service, ServiceModel};

/// The intervals of a block of `N` apps, by field (one lane per app): the
/// fields of [`super::IntervalStats`].
#[derive(Clone, Copy, Debug)]
pub struct IntervalLanes<const N: usize> {
    /// Requests offered.
    pub offered: [f64; N],
    /// Requests offered per second.
    pub rate_rps: [f64; N],
    /// Requests served.
    pub served: [f64; N],
    /// Requests dropped.
    pub dropped: [f64; N],
    /// Mean response time, milliseconds.
    pub mean_ms: [f64; N],
    /// 95th-percentile response time, milliseconds.
    pub p95_ms: [f64; N],
    /// The SLO's percentile of the response time, milliseconds.
    pub slo_ms: [f64; N],
    /// Busy share of the ready instances, 0–1.
    pub utilisation: [f64; N],
    /// Requests waiting.
    pub queue_length: [f64; N],
    /// Fewest instances that meet the SLO under this load.
    pub demand_instances: [u32; N],
}

impl<const N: usize> Default for IntervalLanes<N> {
    fn default() -> Self {
        IntervalLanes {
            offered: [0.0; N],
            rate_rps: [0.0; N],
            served: [0.0; N],
            dropped: [0.0; N],
            mean_ms: [0.0; N],
            p95_ms: [0.0; N],
            slo_ms: [0.0; N],
            utilisation: [0.0; N],
            queue_length: [0.0; N],
            demand_instances: [0; N],
        }
    }
}

impl<const N: usize> IntervalLanes<N> {
    /// Lane `l` as one app's stats.
    #[inline(always)]
    pub fn get(&self, l: usize) -> super::IntervalStats {
        super::IntervalStats {
            offered: self.offered[l],
            rate_rps: self.rate_rps[l],
            served: self.served[l],
            dropped: self.dropped[l],
            mean_ms: self.mean_ms[l],
            p95_ms: self.p95_ms[l],
            slo_ms: self.slo_ms[l],
            utilisation: self.utilisation[l],
            queue_length: self.queue_length[l],
            demand_instances: self.demand_instances[l],
        }
    }
}

/// Apps served together by [`serve_lanes`].
pub const BLOCK: usize = 8;

/// What serving a block in lanes reads of its apps' services: each app's
/// queue, and the demand found for it last time (where the next search
/// starts).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LaneState {
    /// Requests waiting, per app.
    pub queued: [f64; BLOCK],
    /// The last interval's demand, instances, per app.
    pub hints: [u32; BLOCK],
}

impl LaneState {
    /// The state of a block's `services`.
    pub fn of(services: [&Service; BLOCK]) -> LaneState {
        LaneState {
            queued: services.map(|s| s.backlog.queued),
            hints: services.map(|s| s.last_demand),
        }
    }
}

/// Serves one interval of `dt_s` seconds to a block of apps on `model`
/// (which [`ServiceModel::serves_in_lanes`]) whose services are in `state`,
/// app `l` offered `lambda[l]` requests per second on `counts[l][0]` ready
/// instances (`counts` are the fleet's rows of (ready, starting, target,
/// pending)), when every one of them has an empty queue and a load inside
/// the latency table: the figures go to `out`, the same bit for bit as
/// [`Service::interval`] gives app by app, and the answer is `true`. The
/// services then stand where `interval` would leave them: empty queues and
/// `out.demand_instances` as their last demands ([`Service::settle_steady`];
/// the caller keeps that state or gives it to them). Otherwise, or where
/// the processor lacks the vector instructions, the answer is `false`
/// (only `out` is written): the block is served one app at a time.
#[inline]
pub fn serve_lanes(
    model: &ServiceModel,
    state: &LaneState,
    lambda: &[f64; BLOCK],
    counts: &[[u32; 4]; BLOCK],
    dt_s: f64,
    out: &mut IntervalLanes<BLOCK>,
) -> bool {
    let kernel = LaneKernel::available().first().copied();
    serve_lanes_with(kernel, model, state, lambda, counts, dt_s, out)
}

/// The vector instructions a block is served with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LaneKernel {
    /// Eight apps to a vector.
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// Four apps to a vector.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl LaneKernel {
    /// The kernels this processor runs, widest first (none: blocks are
    /// served one app at a time).
    #[inline]
    pub(crate) fn available() -> &'static [LaneKernel] {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return &[LaneKernel::Avx512, LaneKernel::Avx2];
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return &[LaneKernel::Avx2];
            }
        }
        &[]
    }
}

/// [`serve_lanes`] with `kernel`, one of [`LaneKernel::available`]
/// (`None`: declined).
#[inline]
pub(crate) fn serve_lanes_with(
    kernel: Option<LaneKernel>,
    model: &ServiceModel,
    state: &LaneState,
    lambda: &[f64; BLOCK],
    counts: &[[u32; 4]; BLOCK],
    dt_s: f64,
    out: &mut IntervalLanes<BLOCK>,
) -> bool {
    let Some(window) = model.demand.window() else {
        return false;
    };
    debug_assert!(kernel.is_none_or(|k| LaneKernel::available().contains(&k)));
    match kernel {
        // SAFETY: the processor has AVX-512F (`LaneKernel::available`).
        #[cfg(target_arch = "x86_64")]
        Some(LaneKernel::Avx512) => unsafe {
            super::avx512::serve_block(model, window, state, lambda, counts, dt_s, out)
        },
        // SAFETY: the processor has AVX2 (`LaneKernel::available`).
        #[cfg(target_arch = "x86_64")]
        Some(LaneKernel::Avx2) => unsafe {
            super::avx2::serve_block(model, window, state, lambda, counts, dt_s, out)
        },
        None => false,
    }
}

/// One app's interval in [`IntervalColumns`].
#[derive(Clone, Copy, Debug)]
pub struct IntervalRef<'a> {
    columns: &'a IntervalColumns,
    app: usize,
}

impl IntervalRef<'_> {
    /// Requests offered per second.
    pub fn rate_rps(&self) -> f64 {
        self.columns.rate_rps[self.app]
    }
    /// Requests dropped.
    pub fn dropped(&self) -> f64 {
        self.columns.dropped[self.app]
    }
    /// Mean response time, milliseconds.
    pub fn mean_ms(&self) -> f64 {
        self.columns.mean_ms[self.app]
    }
    /// 95th-percentile response time, milliseconds.
    pub fn p95_ms(&self) -> f64 {
        self.columns.p95_ms[self.app]
    }
    /// Busy share of the ready instances, 0–1.
    pub fn utilisation(&self) -> f64 {
        self.columns.utilisation[self.app]
    }
    /// Requests waiting.
    pub fn queue_length(&self) -> f64 {
        self.columns.queue_length[self.app]
    }
}

/// The intervals of a whole fleet, by field (one entry per app): where
/// the simulator keeps what each app is serving, so that a block's lanes
/// are stored with packed instructions. Only the figures read after the
/// interval starts are kept (the metrics pushed to the engine and the
/// forecasts); the recorder takes the rest as the interval starts.
#[derive(Clone, Debug, Default)]
pub struct IntervalColumns {
    rate_rps: Vec<f64>,
    dropped: Vec<f64>,
    mean_ms: Vec<f64>,
    p95_ms: Vec<f64>,
    utilisation: Vec<f64>,
    queue_length: Vec<f64>,
}

impl IntervalColumns {
    /// Empty intervals for `apps` apps.
    pub fn new(apps: usize) -> Self {
        IntervalColumns {
            rate_rps: vec![0.0; apps],
            dropped: vec![0.0; apps],
            mean_ms: vec![0.0; apps],
            p95_ms: vec![0.0; apps],
            utilisation: vec![0.0; apps],
            queue_length: vec![0.0; apps],
        }
    }

    /// App `i`'s interval, each figure read when asked for (a pushed
    /// metric needs one or two of them).
    #[inline]
    pub fn at(&self, i: usize) -> IntervalRef<'_> {
        IntervalRef {
            columns: self,
            app: i,
        }
    }

    /// Sets app `i`'s interval.
    #[inline]
    pub fn set(&mut self, i: usize, s: &super::IntervalStats) {
        self.rate_rps[i] = s.rate_rps;
        self.dropped[i] = s.dropped;
        self.mean_ms[i] = s.mean_ms;
        self.p95_ms[i] = s.p95_ms;
        self.utilisation[i] = s.utilisation;
        self.queue_length[i] = s.queue_length;
    }

    /// Sets the intervals of apps `first..first + N` from a block's lanes.
    #[inline(always)]
    pub fn set_lanes<const N: usize>(&mut self, first: usize, x: &IntervalLanes<N>) {
        let at = first..first + N;
        self.rate_rps[at.clone()].copy_from_slice(&x.rate_rps);
        self.dropped[at.clone()].copy_from_slice(&x.dropped);
        self.mean_ms[at.clone()].copy_from_slice(&x.mean_ms);
        self.p95_ms[at.clone()].copy_from_slice(&x.p95_ms);
        self.utilisation[at.clone()].copy_from_slice(&x.utilisation);
        self.queue_length[at].copy_from_slice(&x.queue_length);
    }
}

#[cfg(test)]
#[path = "lanes_tests.rs"]
mod tests;
