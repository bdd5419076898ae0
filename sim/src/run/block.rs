//! A block of [`APP_LANES`] apps served and sampled in vector lanes: the
//! common case of a large fleet, where every app of a block runs on one
//! service model in the steady state. The block's figures are the same,
//! bit for bit, as serving and sampling its apps one at a time
//! ([`super::tick::SimApp::serve`], [`super::tick::SimApp::sample`]).

use std::sync::Arc;

use super::tick::SimApp;
use crate::record::{APP_LANES, SampleLanes};
use crate::service::{IntervalColumns, IntervalLanes, LaneState, ServiceModel, serve_lanes};

/// What a block of apps that can be served in vector lanes shares, and
/// their objectives by lane (read whole, so kept apart from the apps).
#[derive(Clone, Debug)]
pub struct LaneBlock {
    model: Arc<ServiceModel>,
    /// Each app's SLO latency bound, milliseconds…
    latency_bound: [f64; APP_LANES],
    /// …and drop-rate bound.
    drop_bound: [f64; APP_LANES],
    /// While the block is served in lanes, its services' state is kept
    /// here (empty queues, and these last demands) rather than written to
    /// the apps at every tick and read back at the next: a block's apps
    /// are then not touched at all by serving it. Given back to the apps
    /// ([`crate::service::Service::settle_steady`]) when the block leaves
    /// the lanes; `None` while the apps hold it. (A last demand only seeds
    /// the next search, and the queues are empty either way, so no figure
    /// depends on the giving back: it keeps the apps' searches short.)
    steady: Option<[u32; APP_LANES]>,
}

impl LaneBlock {
    /// The block of `apps`, when they are a whole block on one service
    /// model that can be served in lanes.
    pub fn of(apps: &[SimApp]) -> Option<LaneBlock> {
        let apps: &[SimApp; APP_LANES] = apps.try_into().ok()?;
        let model = apps[0].service.model();
        let shared =
            model.serves_in_lanes() && apps.iter().all(|a| Arc::ptr_eq(a.service.model(), model));
        shared.then(|| LaneBlock {
            model: model.clone(),
            latency_bound: apps.each_ref().map(|a| a.slo_latency_ms),
            drop_bound: apps.each_ref().map(|a| a.max_drop_rate),
            steady: None,
        })
    }
}

/// Where a block's figures are built: kept from block to block, so that
/// nothing is cleared per block (every lane is written before it is read).
#[derive(Clone, Debug, Default)]
pub struct BlockScratch {
    intervals: IntervalLanes<APP_LANES>,
    /// The block's samples, for the recorder.
    pub samples: SampleLanes,
}

/// Serves a `block` of [`APP_LANES`] apps, all on its model, with the offered
/// loads `lambdas` and the fleet's (ready, starting, target, pending)
/// `counts` ([`serve_lanes`], with the services' state the block keeps
/// while it stays in lanes): their intervals go to `intervals` (from app
/// `first` on), their samples to `scratch.samples`. `false` when some app
/// is not in the steady state or the processor lacks the vector
/// instructions: the apps then hold their services' state again, and the
/// caller serves the block app by app.
#[inline]
pub fn serve_block(
    apps: &mut [SimApp],
    block: &mut LaneBlock,
    lambdas: &[f64],
    counts: &[[u32; 4]],
    dt_s: f64,
    (intervals, first): (&mut IntervalColumns, usize),
    scratch: &mut BlockScratch,
) -> bool {
    let apps: &mut [SimApp; APP_LANES] = apps.try_into().expect("a whole block of apps");
    let lambdas: &[f64; APP_LANES] = lambdas.try_into().expect("a load per app");
    let counts: &[[u32; 4]; APP_LANES] = counts.try_into().expect("counts per app");
    let BlockScratch {
        intervals: x,
        samples: lanes,
    } = scratch;
    let state = match block.steady {
        Some(hints) => LaneState {
            queued: [0.0; APP_LANES],
            hints,
        },
        None => LaneState::of(apps.each_ref().map(|a| &a.service)),
    };
    if !serve_lanes(&block.model, &state, lambdas, counts, dt_s, x) {
        // Served app by app now: the apps take their state back.
        if let Some(hints) = block.steady.take() {
            for (app, &demand) in apps.iter_mut().zip(&hints) {
                app.service.settle_steady(demand);
            }
        }
        return false;
    }
    block.steady = Some(x.demand_instances);
    // Vector lanes convert counts as signed integers: exact below 2³¹,
    // which no fleet reaches (larger counts are sampled app by app).
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && counts.iter().flatten().all(|&c| c < 1 << 31)
    {
        let bounds = (&block.latency_bound, &block.drop_bound);
        // SAFETY: the processor has AVX2, checked just above.
        unsafe { sample_lanes_avx2(x, counts, bounds, lanes) };
        intervals.set_lanes(first, x);
        return true;
    }
    for (l, app) in apps.iter().enumerate() {
        lanes.set(l, &app.sample(&x.get(l), counts[l]));
    }
    intervals.set_lanes(first, x);
    true
}

/// The samples of a block's intervals `x`, served with the fleet's
/// `counts`, by the apps' (latency, drop-rate) objectives `bounds`, four
/// apps at a time: the counts transposed from the apps' rows, and the same
/// comparisons and products as [`SimApp::sample`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sample_lanes_avx2(
    x: &IntervalLanes<APP_LANES>,
    counts: &[[u32; 4]; APP_LANES],
    (latency_bound, drop_bound): (&[f64; APP_LANES], &[f64; APP_LANES]),
    lanes: &mut SampleLanes,
) {
    use std::arch::x86_64::*;
    let hundred = _mm256_set1_pd(100.0);
    let zero = _mm256_setzero_pd();
    // Which apps missed each objective, a bit per app.
    let (mut slow_apps, mut dropping_apps) = (0, 0);
    for at in [0, 4] {
        // SAFETY: every access is four lanes from `at` ∈ {0, 4} of arrays
        // of eight (or four rows of four counts from row `at`).
        unsafe {
            let load = |v: &[f64; APP_LANES]| _mm256_loadu_pd(v.as_ptr().add(at));
            let store = |v: &mut [f64; APP_LANES], y| _mm256_storeu_pd(v.as_mut_ptr().add(at), y);
            store(&mut lanes.demand_rps, load(&x.rate_rps));
            // Demand is at most `MAX_DEMAND_INSTANCES`, far below 2³¹.
            let demand = _mm_loadu_si128(x.demand_instances.as_ptr().add(at).cast());
            store(&mut lanes.demand_instances, _mm256_cvtepi32_pd(demand));
            let rows: [__m128i; 4] =
                std::array::from_fn(|k| _mm_loadu_si128(counts[at + k].as_ptr().cast()));
            let lo01 = _mm_unpacklo_epi32(rows[0], rows[1]);
            let hi01 = _mm_unpackhi_epi32(rows[0], rows[1]);
            let lo23 = _mm_unpacklo_epi32(rows[2], rows[3]);
            let hi23 = _mm_unpackhi_epi32(rows[2], rows[3]);
            let columns = [
                _mm_unpacklo_epi64(lo01, lo23),
                _mm_unpackhi_epi64(lo01, lo23),
                _mm_unpacklo_epi64(hi01, hi23),
                _mm_unpackhi_epi64(hi01, hi23),
            ];
            store(&mut lanes.ready, _mm256_cvtepi32_pd(columns[0]));
            store(&mut lanes.starting, _mm256_cvtepi32_pd(columns[1]));
            store(&mut lanes.target, _mm256_cvtepi32_pd(columns[2]));
            store(&mut lanes.pending, _mm256_cvtepi32_pd(columns[3]));
            store(
                &mut lanes.cpu_percent,
                _mm256_mul_pd(hundred, load(&x.utilisation)),
            );
            store(&mut lanes.latency_mean_ms, load(&x.mean_ms));
            store(&mut lanes.latency_p95_ms, load(&x.p95_ms));
            let (offered, dropped) = (load(&x.offered), load(&x.dropped));
            store(&mut lanes.requests, offered);
            store(&mut lanes.dropped, dropped);
            let any = _mm256_cmp_pd::<_CMP_GT_OQ>(offered, zero);
            let slow = _mm256_cmp_pd::<_CMP_GT_OQ>(load(&x.slo_ms), load(latency_bound));
            let dropping =
                _mm256_cmp_pd::<_CMP_GT_OQ>(dropped, _mm256_mul_pd(load(drop_bound), offered));
            slow_apps |= _mm256_movemask_pd(_mm256_and_pd(any, slow)) << at;
            dropping_apps |= _mm256_movemask_pd(_mm256_and_pd(any, dropping)) << at;
        }
    }
    // One store each: the recorder reads the flags back four at a time,
    // which a store per flag would stall.
    lanes.latency_breached = flag_bytes(slow_apps);
    lanes.drop_breached = flag_bytes(dropping_apps);
}

/// The bits of `mask` (bit `l` for app `l`) as bytes of 1 or 0, built in
/// a register: four bits at a time from a table.
#[inline(always)]
fn flag_bytes(mask: i32) -> [u8; APP_LANES] {
    const NIBBLES: [u32; 16] = {
        let mut table = [0; 16];
        let mut n = 0;
        while n < 16 {
            let mut k = 0;
            while k < 4 {
                table[n] |= ((n as u32 >> k) & 1) << (8 * k);
                k += 1;
            }
            n += 1;
        }
        table
    };
    let low = u64::from(NIBBLES[(mask & 0xf) as usize]);
    let high = u64::from(NIBBLES[((mask >> 4) & 0xf) as usize]);
    (low | high << 32).to_le_bytes()
}
