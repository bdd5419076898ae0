//! [`super::serve_lanes`] in AVX-512 instructions: the eight apps of
//! a block in one vector. The operations are those of [`super::avx2`] (and
//! so of the per-app path), in the same order, so every figure is the same
//! bit for bit; the test of blocks against the per-app path runs both.
//! Comparisons give bit masks, so the steady-state test, the demand's
//! neighbourhood and the step to the next pool need no mask vectors.

use std::arch::x86_64::*;

use super::ServiceModel;
use super::lanes::{BLOCK, IntervalLanes, LaneState};
use crate::latency_table::POINTS;

/// Four consecutive `f64`s at `base + at[k]` for each app k, as four
/// vectors of eight: `[row₀[j], …, row₇[j]]` for j in 0..4 (rows paired
/// in 512-bit registers, then a 4 × 4 transpose in each half).
///
/// # Safety
/// Every `base + at[k] .. base + at[k] + 4` is inside one allocation.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn columns(base: *const f64, at: &[u32; BLOCK]) -> [__m512d; 4] {
    let pair = |k: usize| {
        // SAFETY: the caller's promise, for rows k and k + 4.
        unsafe {
            _mm512_insertf64x4::<1>(
                _mm512_castpd256_pd512(_mm256_loadu_pd(base.add(at[k] as usize))),
                _mm256_loadu_pd(base.add(at[k + 4] as usize)),
            )
        }
    };
    let (r0, r1, r2, r3) = (pair(0), pair(1), pair(2), pair(3));
    // In each 128-bit quarter: (r0[0], r1[0]), (r0[2], r1[2]), …
    let lo01 = _mm512_unpacklo_pd(r0, r1);
    let hi01 = _mm512_unpackhi_pd(r0, r1);
    let lo23 = _mm512_unpacklo_pd(r2, r3);
    let hi23 = _mm512_unpackhi_pd(r2, r3);
    // Elements 0 1 8 9 | 4 5 12 13 of (a, b): the first two columns; 2 3
    // 10 11 | 6 7 14 15: the last two.
    let first = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    let last = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    [
        _mm512_permutex2var_pd(lo01, first, lo23),
        _mm512_permutex2var_pd(hi01, first, hi23),
        _mm512_permutex2var_pd(lo01, last, lo23),
        _mm512_permutex2var_pd(hi01, last, hi23),
    ]
}

/// The eight lanes of a bit-per-lane test of 32-bit integers (a vector of
/// all-ones or all-zeros lanes) as a bit mask.
#[target_feature(enable = "avx512f")]
#[inline]
fn int_mask(v: __m256i) -> __mmask8 {
    _mm256_movemask_ps(_mm256_castsi256_ps(v)) as __mmask8
}

/// See [`super::serve_lanes`]. `window` is the model's demand
/// window ([`super::DemandCurve::window`]).
#[target_feature(enable = "avx512f")]
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
    // Built in a register from the elements, read one at a time (see
    // `avx2::gather4`: the loads were stored one at a time just before).
    // SAFETY: elements of `lambda`.
    let x = |k: usize| unsafe { std::ptr::read_volatile(&lambda[k]) };
    let lambda = _mm512_set_pd(x(7), x(6), x(5), x(4), x(3), x(2), x(1), x(0));
    // SAFETY: elements of `state.queued` (see `lambda`).
    let q = |k: usize| unsafe { std::ptr::read_volatile(&state.queued[k]) };
    let queued = _mm512_set_pd(q(7), q(6), q(5), q(4), q(3), q(2), q(1), q(0));
    let zero = _mm512_setzero_pd();
    let one = _mm512_set1_pd(1.0);
    let mu = _mm512_set1_pd(model.mu);
    let points = _mm512_set1_pd(POINTS as f64);
    // Where each app falls in the table: the row it starts at, the
    // interpolation weight, 1/((1 − ρ)μ) and ρ.
    // The ready counts, the first of each app's row (read as vectors:
    // the rows are the fleet's, not written a moment before).
    // SAFETY: two 64-byte loads of the 32 counts.
    let c = unsafe {
        let rows = counts.as_ptr().cast::<__m512i>();
        let firsts = _mm512_set_epi32(0, 0, 0, 0, 0, 0, 0, 0, 28, 24, 20, 16, 12, 8, 4, 0);
        let both = _mm512_permutex2var_epi32(
            _mm512_loadu_si512(rows),
            firsts,
            _mm512_loadu_si512(rows.add(1)),
        );
        _mm512_castsi512_si256(both)
    };
    let load = _mm512_max_pd(lambda, zero);
    let inv_capacity = _mm512_div_pd(one, _mm512_mul_pd(_mm512_cvtepi32_pd(c), mu));
    let rho = _mm512_mul_pd(load, inv_capacity);
    let slack = _mm512_sub_pd(one, rho);
    let f = _mm512_mul_pd(_mm512_sub_pd(one, _mm512_sqrt_pd(slack)), points);
    let i = _mm512_cvttpd_epi32(_mm512_min_pd(_mm512_max_pd(f, zero), points));
    // Counts as signed: a count of 2³¹ or more is negative, not found.
    let pool_in_table = _mm256_andnot_si256(
        _mm256_cmpgt_epi32(c, _mm256_set1_epi32(max_c as i32)),
        _mm256_cmpgt_epi32(c, _mm256_setzero_si256()),
    );
    let point_in_table = _mm256_cmpgt_epi32(_mm256_set1_epi32(POINTS as i32 - 1), i);
    let steady = _mm512_cmp_pd_mask::<_CMP_GE_OQ>(rho, zero)
        & _mm512_cmp_pd_mask::<_CMP_LT_OQ>(rho, one)
        & _mm512_cmp_pd_mask::<_CMP_LE_OQ>(queued, zero);
    let found = steady & int_mask(_mm256_and_si256(pool_in_table, point_in_table));
    if found != 0xff || dt_s.is_nan() || dt_s <= 0.0 {
        return false;
    }
    let row = _mm256_add_epi32(
        _mm256_mullo_epi32(
            _mm256_sub_epi32(c, _mm256_set1_epi32(1)),
            _mm256_set1_epi32(POINTS as i32 + 1),
        ),
        i,
    );
    // Each app's two table points, (mean wait, p95) at its row and the
    // next: four values in a row, from 2 × row.
    let mut starts = [0u32; BLOCK];
    // SAFETY: a 32-byte store into eight u32.
    unsafe { _mm256_storeu_si256(starts.as_mut_ptr().cast(), _mm256_add_epi32(row, row)) };
    debug_assert!(starts.iter().all(|&s| s as usize + 4 <= table.len()));
    // SAFETY: every row and the next are in the table (`found`).
    let [a_wait, a_p95, b_wait, b_p95] = unsafe { columns(table.as_ptr(), &starts) };
    let weight = _mm512_sub_pd(f, _mm512_cvtepi32_pd(i));
    let per_slack = _mm512_div_pd(one, _mm512_mul_pd(slack, mu));
    let lerp = |x, y| _mm512_add_pd(x, _mm512_mul_pd(_mm512_sub_pd(y, x), weight));
    let mean_wait = _mm512_mul_pd(lerp(a_wait, b_wait), per_slack);
    let p95 = _mm512_mul_pd(lerp(a_p95, b_p95), per_slack);
    let service_time = _mm512_set1_pd(model.service_time_s);
    let mean_response = _mm512_add_pd(
        _mm512_min_pd(mean_wait, _mm512_set1_pd(model.timeout_s)),
        service_time,
    );
    let p95_response = _mm512_min_pd(p95, _mm512_set1_pd(model.p95_cap_s));
    let waiting = _mm512_max_pd(_mm512_sub_pd(mean_response, service_time), zero);
    let thousand = _mm512_set1_pd(1e3);
    let p95_ms = _mm512_mul_pd(p95_response, thousand);
    let dt = _mm512_set1_pd(dt_s);
    let store = |x: &mut [f64; BLOCK], v| {
        // SAFETY: eight f64 stored as one vector.
        unsafe { _mm512_storeu_pd(x.as_mut_ptr(), v) }
    };
    store(&mut out.offered, _mm512_mul_pd(lambda, dt));
    store(&mut out.rate_rps, lambda);
    let served = _mm512_add_pd(_mm512_mul_pd(load, dt), _mm512_max_pd(queued, zero));
    store(&mut out.served, served);
    store(&mut out.dropped, zero);
    store(&mut out.mean_ms, _mm512_mul_pd(mean_response, thousand));
    store(&mut out.p95_ms, p95_ms);
    store(&mut out.slo_ms, p95_ms);
    store(&mut out.utilisation, rho);
    store(&mut out.queue_length, _mm512_mul_pd(lambda, waiting));
    // SAFETY: as for this function.
    unsafe { demand(model, window, state, lambda, &mut out.demand_instances) };
    true
}

/// Each app's demand, found next to its last one where it moved by at
/// most one instance (the search of [`super::DemandCurve::instances_near`]
/// from that hint ends there) and searched for otherwise. `x` holds the
/// offered loads.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn demand(
    model: &ServiceModel,
    window: &[f64],
    state: &LaneState,
    x: __m512d,
    out: &mut [u32; BLOCK],
) {
    // The largest pool in the table, and the most it serves.
    let top = _mm256_set1_epi32((window.len() - 3) as i32);
    let most = _mm512_set1_pd(window[window.len() - 2]);
    // SAFETY: elements of `state.hints` (see `lambda`).
    let hint = |l: usize| unsafe { std::ptr::read_volatile(&state.hints[l]) };
    let h = _mm256_set_epi32(
        hint(7) as i32,
        hint(6) as i32,
        hint(5) as i32,
        hint(4) as i32,
        hint(3) as i32,
        hint(2) as i32,
        hint(1) as i32,
        hint(0) as i32,
    );
    // A hint is usable where it is a pool of the table (as signed
    // integers: a hint of 2³¹ or more is negative, unusable).
    let usable = _mm256_andnot_si256(
        _mm256_cmpgt_epi32(h, top),
        _mm256_cmpgt_epi32(h, _mm256_setzero_si256()),
    );
    let h = _mm256_blendv_epi8(_mm256_set1_epi32(1), h, usable);
    // Around each hint h: the loads pools h − 2 … h + 1 serve, four values
    // in a row of the window from h − 1 (the sentinels stand in at the
    // ends; an unusable hint reads pool 1's).
    let mut starts = [0u32; BLOCK];
    // SAFETY: a 32-byte store into eight u32.
    unsafe {
        _mm256_storeu_si256(
            starts.as_mut_ptr().cast(),
            _mm256_sub_epi32(h, _mm256_set1_epi32(1)),
        )
    };
    debug_assert!(starts.iter().all(|&s| s as usize + 4 <= window.len()));
    // SAFETY: 1 ≤ h ≤ top, so the window has h − 1 … h + 2.
    let [below2, below, at_hint, above] = unsafe { columns(window.as_ptr(), &starts) };
    let lt = |a, b| _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b);
    let le = |a, b| _mm512_cmp_pd_mask::<_CMP_LE_OQ>(a, b);
    let above_below = lt(below, x);
    let stays = above_below & le(x, at_hint);
    let down = lt(below2, x) & le(x, below);
    let up = above_below & lt(at_hint, x) & le(x, above);
    let searchable =
        _mm512_cmp_pd_mask::<_CMP_GT_OQ>(x, _mm512_setzero_pd()) & le(x, most) & int_mask(usable);
    let settled = searchable & (stays | down | up);
    // h + 1 where it moved up, h − 1 where down (exact in f64).
    let one = _mm512_set1_pd(1.0);
    let step = _mm512_sub_pd(_mm512_maskz_mov_pd(up, one), _mm512_maskz_mov_pd(down, one));
    let found = _mm512_cvttpd_epi32(_mm512_add_pd(_mm512_cvtepi32_pd(h), step));
    // SAFETY: a 32-byte store into eight u32.
    unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), found) };
    if settled != 0xff {
        let mut lambda = [0.0; BLOCK];
        // SAFETY: eight f64 stored as one vector.
        unsafe { _mm512_storeu_pd(lambda.as_mut_ptr(), x) };
        for l in (0..BLOCK).filter(|&l| settled & (1 << l) == 0) {
            out[l] = model.demand.instances_near(lambda[l], hint(l));
        }
    }
}
