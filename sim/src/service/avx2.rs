//! [`super::serve_lanes`] in AVX2 instructions, four apps to a
//! vector: the latency table's place, its two rows read with one load per
//! app and transposed, the interval's figures, and the demand found next
//! to the last one. Every operation is the one the per-app path performs
//! (IEEE-exact: products, quotients, square roots, minima), in the same
//! order, so every figure is the same bit for bit; a test holds the two
//! paths to that.

use std::arch::x86_64::*;

use super::ServiceModel;
use super::lanes::{BLOCK, IntervalLanes, LaneState};
use crate::latency_table::POINTS;

/// Four lanes of `f64` from `x[at..at + 4]`.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn load4(x: &[f64; BLOCK], at: usize) -> __m256d {
    // SAFETY: at + 4 ≤ BLOCK, asserted by the callers' loops.
    unsafe { _mm256_loadu_pd(x.as_ptr().add(at)) }
}

#[target_feature(enable = "avx2")]
#[inline]
unsafe fn store4(x: &mut [f64; BLOCK], at: usize, v: __m256d) {
    // SAFETY: at + 4 ≤ BLOCK, asserted by the callers' loops.
    unsafe { _mm256_storeu_pd(x.as_mut_ptr().add(at), v) }
}

/// `x[at..at + 4]` gathered into a register from its elements: the
/// callers write these arrays an element at a time just before, and a
/// vector load of such stores would wait for them to reach the cache.
/// The reads are volatile so that the compiler keeps them apart (it
/// merges plain ones into the very vector load this avoids).
#[target_feature(enable = "avx2")]
#[inline]
fn gather4(x: &[f64; BLOCK], at: usize) -> __m256d {
    // SAFETY: elements of `x`.
    let e = |k: usize| unsafe { std::ptr::read_volatile(&x[at + k]) };
    _mm256_set_pd(e(3), e(2), e(1), e(0))
}

/// Columns of four rows of four: `[r0[k], r1[k], r2[k], r3[k]]` for each k.
#[target_feature(enable = "avx2")]
#[inline]
fn transpose(r: [__m256d; 4]) -> [__m256d; 4] {
    let lo01 = _mm256_unpacklo_pd(r[0], r[1]);
    let hi01 = _mm256_unpackhi_pd(r[0], r[1]);
    let lo23 = _mm256_unpacklo_pd(r[2], r[3]);
    let hi23 = _mm256_unpackhi_pd(r[2], r[3]);
    [
        _mm256_permute2f128_pd::<0x20>(lo01, lo23),
        _mm256_permute2f128_pd::<0x20>(hi01, hi23),
        _mm256_permute2f128_pd::<0x31>(lo01, lo23),
        _mm256_permute2f128_pd::<0x31>(hi01, hi23),
    ]
}

/// See [`super::serve_lanes`]. `window` is the model's demand
/// window ([`super::DemandCurve::window`]).
#[target_feature(enable = "avx2")]
pub(super) unsafe fn serve_block(
    model: &ServiceModel,
    window: &[f64],
    state: &LaneState,
    lambda: &[f64; BLOCK],
    counts: &[[u32; 4]; BLOCK],
    dt_s: f64,
    out: &mut IntervalLanes<BLOCK>,
) -> bool {
    let (table, max_c) = model.latency.flat();
    // Built in registers (see `gather4`).
    let queued = |at: usize| {
        // SAFETY: elements of `state.queued` (see `gather4`).
        let q = |k: usize| unsafe { std::ptr::read_volatile(&state.queued[at + k]) };
        _mm256_set_pd(q(3), q(2), q(1), q(0))
    };
    let zero = _mm256_setzero_pd();
    let one = _mm256_set1_pd(1.0);
    let mu = _mm256_set1_pd(model.mu);
    // Where each app falls in the table: the row it starts at, the
    // interpolation weight, 1/((1 − ρ)μ) and ρ.
    let mut rows = [0u32; BLOCK];
    let (mut weight, mut per_slack, mut rho) = ([0.0; BLOCK], [0.0; BLOCK], [0.0; BLOCK]);
    let mut found = 0;
    for at in [0, 4] {
        let (lambda, queued) = (gather4(lambda, at), queued(at));
        let count = |k: usize| counts[at + k][0] as i32;
        let c = _mm_set_epi32(count(3), count(2), count(1), count(0));
        let load = _mm256_max_pd(lambda, zero);
        let inv_capacity = _mm256_div_pd(one, _mm256_mul_pd(_mm256_cvtepi32_pd(c), mu));
        let r = _mm256_mul_pd(load, inv_capacity);
        let slack = _mm256_sub_pd(one, r);
        let points = _mm256_set1_pd(POINTS as f64);
        let f = _mm256_mul_pd(_mm256_sub_pd(one, _mm256_sqrt_pd(slack)), points);
        let i = _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(f, zero), points));
        // Counts as signed: a count of 2³¹ or more is negative, not found.
        let pool_in_table = _mm_andnot_si128(
            _mm_cmpgt_epi32(c, _mm_set1_epi32(max_c as i32)),
            _mm_cmpgt_epi32(c, _mm_setzero_si128()),
        );
        let point_in_table = _mm_cmplt_epi32(i, _mm_set1_epi32(POINTS as i32 - 1));
        let steady = _mm256_and_pd(
            _mm256_and_pd(
                _mm256_cmp_pd::<_CMP_GE_OQ>(r, zero),
                _mm256_cmp_pd::<_CMP_LT_OQ>(r, one),
            ),
            _mm256_cmp_pd::<_CMP_LE_OQ>(queued, zero),
        );
        let ints = _mm_and_si128(pool_in_table, point_in_table);
        found |=
            ((_mm256_movemask_pd(steady) & _mm_movemask_ps(_mm_castsi128_ps(ints))) as u32) << at;
        let row = _mm_add_epi32(
            _mm_mullo_epi32(
                _mm_sub_epi32(c, _mm_set1_epi32(1)),
                _mm_set1_epi32(POINTS as i32 + 1),
            ),
            i,
        );
        // SAFETY: four of the eight rows.
        unsafe { _mm_storeu_si128(rows.as_mut_ptr().add(at).cast(), row) };
        unsafe {
            store4(&mut weight, at, _mm256_sub_pd(f, _mm256_cvtepi32_pd(i)));
            store4(
                &mut per_slack,
                at,
                _mm256_div_pd(one, _mm256_mul_pd(slack, mu)),
            );
            store4(&mut rho, at, r);
        }
    }
    if found != (1 << BLOCK) - 1 || dt_s.is_nan() || dt_s <= 0.0 {
        return false;
    }
    let timeout = _mm256_set1_pd(model.timeout_s);
    let service_time = _mm256_set1_pd(model.service_time_s);
    let p95_cap = _mm256_set1_pd(model.p95_cap_s);
    let dt = _mm256_set1_pd(dt_s);
    let thousand = _mm256_set1_pd(1e3);
    for at in [0, 4] {
        // Each app's two table points, (mean wait, p95) at its row and the
        // next: four values in a row. Every row is inside the table, since
        // every pool size and point is (`found`).
        let [a_wait, a_p95, b_wait, b_p95] = transpose(std::array::from_fn(|k| {
            let start = 2 * rows[at + k] as usize;
            debug_assert!(start + 4 <= table.len());
            // SAFETY: the row and the next are in the table (`found`).
            unsafe { _mm256_loadu_pd(table.as_ptr().add(start)) }
        }));
        let (w, per_slack) = unsafe { (load4(&weight, at), load4(&per_slack, at)) };
        let lerp = |x, y| _mm256_add_pd(x, _mm256_mul_pd(_mm256_sub_pd(y, x), w));
        let mean_wait = _mm256_mul_pd(lerp(a_wait, b_wait), per_slack);
        let p95 = _mm256_mul_pd(lerp(a_p95, b_p95), per_slack);
        let mean_response = _mm256_add_pd(_mm256_min_pd(mean_wait, timeout), service_time);
        let p95_response = _mm256_min_pd(p95, p95_cap);
        let (lambda, queued) = (gather4(lambda, at), queued(at));
        let load = _mm256_max_pd(lambda, zero);
        let waiting = _mm256_max_pd(_mm256_sub_pd(mean_response, service_time), zero);
        let p95_ms = _mm256_mul_pd(p95_response, thousand);
        unsafe {
            store4(&mut out.offered, at, _mm256_mul_pd(lambda, dt));
            store4(&mut out.rate_rps, at, lambda);
            let served = _mm256_add_pd(_mm256_mul_pd(load, dt), _mm256_max_pd(queued, zero));
            store4(&mut out.served, at, served);
            store4(&mut out.dropped, at, zero);
            store4(&mut out.mean_ms, at, _mm256_mul_pd(mean_response, thousand));
            store4(&mut out.p95_ms, at, p95_ms);
            store4(&mut out.slo_ms, at, p95_ms);
            store4(&mut out.utilisation, at, load4(&rho, at));
            store4(&mut out.queue_length, at, _mm256_mul_pd(lambda, waiting));
        }
    }
    demand(model, window, state, lambda, &mut out.demand_instances);
    true
}

/// Each app's demand, found next to its last one where it moved by at
/// most one instance (the search of [`super::DemandCurve::instances_near`]
/// from that hint ends there) and searched for otherwise.
#[target_feature(enable = "avx2")]
#[inline]
fn demand(
    model: &ServiceModel,
    window: &[f64],
    state: &LaneState,
    lambda: &[f64; BLOCK],
    out: &mut [u32; BLOCK],
) {
    // The largest pool in the table, and the most it serves.
    let top = _mm_set1_epi32((window.len() - 3) as i32);
    let most = _mm256_set1_pd(window[window.len() - 2]);
    // SAFETY: elements of `state.hints` (see `lambda`).
    let hint = |l: usize| unsafe { std::ptr::read_volatile(&state.hints[l]) };
    let one = _mm256_set1_pd(1.0);
    let mut found = [_mm_setzero_si128(); 2];
    // A bit per app whose demand was found next to its hint (kept in a
    // register: two stores read back as one would stall).
    let mut settled = 0;
    for (half, at) in [0, 4].into_iter().enumerate() {
        let x = gather4(lambda, at);
        // Built in a register (see `gather4`).
        let h = _mm_set_epi32(
            hint(at + 3) as i32,
            hint(at + 2) as i32,
            hint(at + 1) as i32,
            hint(at) as i32,
        );
        // A hint is usable where it is a pool of the table (as signed
        // integers: a hint of 2³¹ or more is negative, unusable).
        let usable = _mm_andnot_si128(
            _mm_cmpgt_epi32(h, top),
            _mm_cmpgt_epi32(h, _mm_setzero_si128()),
        );
        let h = _mm_blendv_epi8(_mm_set1_epi32(1), h, usable);
        let mut starts = [0u32; 4];
        // SAFETY: a 16-byte store into four u32.
        unsafe { _mm_storeu_si128(starts.as_mut_ptr().cast(), h) };
        // Around each hint h: the loads pools h − 2 … h + 1 serve, four
        // values in a row of the window (the sentinels stand in at the
        // ends; an unusable hint reads pool 1's).
        let [below2, below, at_hint, above] = transpose(std::array::from_fn(|k| {
            let h = starts[k] as usize;
            debug_assert!((1..=window.len() - 3).contains(&h));
            // SAFETY: 1 ≤ h ≤ top, so the window has h − 1 … h + 2.
            unsafe { _mm256_loadu_pd(window.as_ptr().add(h - 1)) }
        }));
        let lt = |a, b| _mm256_cmp_pd::<_CMP_LT_OQ>(a, b);
        let le = |a, b| _mm256_cmp_pd::<_CMP_LE_OQ>(a, b);
        let above_below = lt(below, x);
        let stays = _mm256_and_pd(above_below, le(x, at_hint));
        let down = _mm256_and_pd(lt(below2, x), le(x, below));
        let up = _mm256_and_pd(_mm256_and_pd(above_below, lt(at_hint, x)), le(x, above));
        let searchable = _mm256_and_pd(
            _mm256_and_pd(
                _mm256_cmp_pd::<_CMP_GT_OQ>(x, _mm256_setzero_pd()),
                le(x, most),
            ),
            _mm256_castsi256_pd(_mm256_cvtepi32_epi64(usable)),
        );
        let settled_lanes = _mm256_and_pd(searchable, _mm256_or_pd(stays, _mm256_or_pd(down, up)));
        // h + 1 where it moved up, h − 1 where down (exact in f64).
        let step = _mm256_sub_pd(_mm256_and_pd(up, one), _mm256_and_pd(down, one));
        found[half] = _mm256_cvttpd_epi32(_mm256_add_pd(_mm256_cvtepi32_pd(h), step));
        settled |= _mm256_movemask_pd(settled_lanes) << at;
    }
    // One store of the eight answers, read back whole.
    // SAFETY: a 32-byte store into eight u32.
    unsafe {
        _mm256_storeu_si256(
            out.as_mut_ptr().cast(),
            _mm256_set_m128i(found[1], found[0]),
        )
    };
    if settled != (1 << BLOCK) - 1 {
        for l in (0..BLOCK).filter(|&l| settled & (1 << l) == 0) {
            out[l] = model.demand.instances_near(lambda[l], hint(l));
        }
    }
}
