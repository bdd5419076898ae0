//! e^x for the log-normal noise drawn for every app at every sample: one
//! call per app sample made libm's `exp` (a call through the PLT, an errno
//! wrapper and a CPU-dependent variant) a tenth of a month-long run. This one
//! is inline arithmetic with nothing chosen at run time, so a seed gives the
//! same draws on every machine: range reduction to ln 2 / 64 with a table of
//! 2^(j/32), then a short polynomial.

/// 1.5 × 2⁵²: adding and subtracting it rounds a float to an integer.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
/// Steps per power of two: x is reduced by multiples of ln 2 / 32.
const STEPS: f64 = 32.0;
/// ln 2 in two parts; the high part has 21 trailing zero bits, so n × LN2_HI
/// / 32 is exact for every n used here (|n| < 2¹⁵).
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// The coefficients of r² … r⁶ in the Taylor series of e^r.
const TAYLOR: [f64; 5] = [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0];
/// The bits of 2^(j/32), j = 0..32, each the correctly rounded double.
const TWO_TO_J_32: [u64; 32] = [
    0x3ff0000000000000,
    0x3ff059b0d3158574,
    0x3ff0b5586cf9890f,
    0x3ff11301d0125b51,
    0x3ff172b83c7d517b,
    0x3ff1d4873168b9aa,
    0x3ff2387a6e756238,
    0x3ff29e9df51fdee1,
    0x3ff306fe0a31b715,
    0x3ff371a7373aa9cb,
    0x3ff3dea64c123422,
    0x3ff44e086061892d,
    0x3ff4bfdad5362a27,
    0x3ff5342b569d4f82,
    0x3ff5ab07dd485429,
    0x3ff6247eb03a5585,
    0x3ff6a09e667f3bcd,
    0x3ff71f75e8ec5f74,
    0x3ff7a11473eb0187,
    0x3ff82589994cce13,
    0x3ff8ace5422aa0db,
    0x3ff93737b0cdc5e5,
    0x3ff9c49182a3f090,
    0x3ffa5503b23e255d,
    0x3ffae89f995ad3ad,
    0x3ffb7f76f2fb5e47,
    0x3ffc199bdd85529c,
    0x3ffcb720dcef9069,
    0x3ffd5818dcfba487,
    0x3ffdfc97337b9b5f,
    0x3ffea4afa2a490da,
    0x3fff50765b6e4540,
];

/// e^x, within 2 ulp of the correctly rounded value for |x| ≤ 700; other
/// arguments (and NaN) go to the standard library.
#[inline]
pub fn exp(x: f64) -> f64 {
    if in_range(x) { reduced(x) } else { x.exp() }
}

/// e^(z × s) of every pair of `zs` and `scales` into `out` (all three the
/// same length), the same bits as [`exp`] of each product. A chunk of the
/// fleet's noise goes through here at once (standard normals times each
/// app's σ): the arithmetic has no branch, so the processor's vector units
/// take several values per instruction (AVX-512 or AVX2 where the
/// processor has them, chosen at run time; the operations, and so the
/// bits, are the same either way). The products are formed here, in
/// registers: a loop of its own would store them in narrower pieces than
/// the vector loads that read them back, which wait for such stores.
pub fn exp_of_products_into(zs: &[f64], scales: &[f64], out: &mut [f64]) {
    assert!(
        zs.len() == out.len() && scales.len() == out.len(),
        "one result per argument"
    );
    #[cfg(target_arch = "x86_64")]
    let all_in_range = if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the processor has AVX-512F, checked just above.
        unsafe { reduced_into_avx512(zs, scales, out) }
    } else if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, checked just above.
        unsafe { reduced_into_avx2(zs, scales, out) }
    } else {
        reduced_into(zs, scales, out)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let all_in_range = reduced_into(zs, scales, out);
    if !all_in_range {
        for ((o, &z), &s) in out.iter_mut().zip(zs).zip(scales) {
            let x = z * s;
            if !in_range(x) {
                *o = x.exp();
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn reduced_into_avx2(zs: &[f64], scales: &[f64], out: &mut [f64]) -> bool {
    reduced_into(zs, scales, out)
}

/// [`reduced_into`] eight values at a time in AVX-512 instructions: the
/// same operations in the same order as [`reduced`], so the same bits,
/// with the table of 2^(j/32) held in four registers and read by
/// permutes (the compiler's version gathers from memory, which is slow).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn reduced_into_avx512(zs: &[f64], scales: &[f64], out: &mut [f64]) -> bool {
    use std::arch::x86_64::*;
    let n = out.len();
    assert!(zs.len() >= n && scales.len() >= n);
    let whole = n - n % 8;
    // SAFETY: 32 u64s read as four vectors of eight.
    let table: [__m512d; 4] =
        std::array::from_fn(|q| unsafe { _mm512_loadu_pd(TWO_TO_J_32.as_ptr().add(8 * q).cast()) });
    let c = |v: f64| _mm512_set1_pd(v);
    const C: [f64; 5] = TAYLOR;
    let mut all_in_range = true;
    for k in (0..whole).step_by(8) {
        // SAFETY: k + 8 ≤ n, within every slice (asserted above).
        let (z, scale) = unsafe {
            (
                _mm512_loadu_pd(zs.as_ptr().add(k)),
                _mm512_loadu_pd(scales.as_ptr().add(k)),
            )
        };
        let x = _mm512_mul_pd(z, scale);
        let shifted = _mm512_add_pd(
            _mm512_mul_pd(x, c(STEPS * std::f64::consts::LOG2_E)),
            c(ROUNDER),
        );
        let nf = _mm512_sub_pd(shifted, c(ROUNDER));
        let r = _mm512_sub_pd(
            _mm512_sub_pd(x, _mm512_mul_pd(nf, c(LN2_HI / STEPS))),
            _mm512_mul_pd(nf, c(LN2_LO / STEPS)),
        );
        let n = _mm512_sub_epi64(
            _mm512_castpd_si512(shifted),
            _mm512_set1_epi64(ROUNDER.to_bits() as i64),
        );
        let biased_k = _mm512_srli_epi64::<5>(_mm512_add_epi64(n, _mm512_set1_epi64(1023 << 5)));
        let j = _mm512_and_si512(n, _mm512_set1_epi64(31));
        let r2 = _mm512_mul_pd(r, r);
        let tail = _mm512_add_pd(
            _mm512_add_pd(c(C[0]), _mm512_mul_pd(c(C[1]), r)),
            _mm512_mul_pd(
                r2,
                _mm512_add_pd(
                    _mm512_add_pd(c(C[2]), _mm512_mul_pd(c(C[3]), r)),
                    _mm512_mul_pd(c(C[4]), r2),
                ),
            ),
        );
        let p = _mm512_add_pd(c(1.0), _mm512_add_pd(r, _mm512_mul_pd(r2, tail)));
        let two_k = _mm512_castsi512_pd(_mm512_slli_epi64::<52>(biased_k));
        // 2^(j/32): the low four bits of j pick one of 16 from a pair of
        // registers, the fifth which pair.
        let low = _mm512_permutex2var_pd(table[0], j, table[1]);
        let high = _mm512_permutex2var_pd(table[2], j, table[3]);
        let two_j =
            _mm512_mask_blend_pd(_mm512_test_epi64_mask(j, _mm512_set1_epi64(16)), low, high);
        let e = _mm512_mul_pd(_mm512_mul_pd(two_j, p), two_k);
        // SAFETY: as for the loads.
        unsafe { _mm512_storeu_pd(out.as_mut_ptr().add(k), e) };
        let in_range = _mm512_cmp_pd_mask::<_CMP_LE_OQ>(_mm512_abs_pd(x), c(700.0));
        all_in_range &= in_range == 0xff;
    }
    let tail = reduced_into(&zs[whole..n], &scales[whole..n], &mut out[whole..]);
    all_in_range & tail
}

/// [`reduced`] of every product, out-of-range ones included; whether all
/// were in range (the others are to be replaced).
#[inline(always)]
fn reduced_into(zs: &[f64], scales: &[f64], out: &mut [f64]) -> bool {
    let mut all_in_range = true;
    for ((o, &z), &s) in out.iter_mut().zip(zs).zip(scales) {
        let x = z * s;
        *o = reduced(x);
        all_in_range &= in_range(x);
    }
    all_in_range
}

/// Whether [`reduced`] covers `x`: |x| ≤ 700 (false for NaN).
#[inline(always)]
fn in_range(x: f64) -> bool {
    x.abs() <= 700.0
}

/// e^x for |x| ≤ 700 by range reduction and a polynomial, with no branch;
/// garbage (but no fault) for other arguments.
#[inline(always)]
fn reduced(x: f64) -> f64 {
    // x = (32k + j) ln 2 / 32 + r, 0 ≤ j < 32, |r| ≤ ln 2 / 64.
    let shifted = x * (STEPS * std::f64::consts::LOG2_E) + ROUNDER;
    let nf = shifted - ROUNDER;
    let r = (x - nf * (LN2_HI / STEPS)) - nf * (LN2_LO / STEPS);
    // n sits in the low bits of `shifted` (ROUNDER's last bit is 2⁰): the
    // integer read without a float-to-integer conversion, which vector
    // units lack for 64-bit lanes.
    let n = shifted.to_bits().wrapping_sub(ROUNDER.to_bits());
    // (n >> 5) + 1023 with a logical shift: n + 1023 × 32 is positive here.
    let biased_k = n.wrapping_add(1023 << 5) >> 5;
    let j = (n & 31) as usize;
    // e^r by its Taylor series to r⁶ (remainder below 4e-18 of the value),
    // summed as 1 + (r + r² × tail), small terms first.
    const C: [f64; 5] = TAYLOR;
    let r2 = r * r;
    let tail = (C[0] + C[1] * r) + r2 * ((C[2] + C[3] * r) + C[4] * r2);
    let p = 1.0 + (r + r2 * tail);
    // 2^k, with -1011 ≤ k ≤ 1010 a normal number.
    let two_k = f64::from_bits(biased_k << 52);
    f64::from_bits(TWO_TO_J_32[j]) * p * two_k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn agrees_with_the_standard_library_within_two_ulp() {
        let mut worst = 0;
        for i in -70_000..=70_000 {
            let x = f64::from(i) * 0.01 + 0.003_7;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        // The noise range, finely.
        for i in -100_000..=100_000 {
            let x = f64::from(i) * 1e-5;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn many_at_once_give_the_same_bits_as_one_at_a_time() {
        // Odd lengths leave a tail past the vector loop; out-of-range and
        // NaN arguments sit among ordinary ones.
        let zs: Vec<f64> = (0..103)
            .map(|i| match i {
                7 => f64::NAN,
                19 => 800.0,
                20 => -750.0,
                41 => f64::NEG_INFINITY,
                _ => f64::from(i - 51) * 0.37 + 0.013,
            })
            .collect();
        let scales: Vec<f64> = (0..103).map(|i| [1.0, 0.3, 1.7][i % 3]).collect();
        let mut out = vec![0.0; zs.len()];
        exp_of_products_into(&zs, &scales, &mut out);
        for ((&z, &s), &y) in zs.iter().zip(&scales).zip(&out) {
            assert_eq!(y.to_bits(), exp(z * s).to_bits(), "e^({z} × {s})");
        }
        // The path without vector instructions, whatever this processor has.
        let mut generic = vec![0.0; zs.len()];
        assert!(!reduced_into(&zs, &scales, &mut generic));
        for ((&z, &s), &y) in zs.iter().zip(&scales).zip(&generic) {
            if in_range(z * s) {
                assert_eq!(y.to_bits(), exp(z * s).to_bits(), "e^({z} × {s})");
            }
        }
        let mut all_in_range = vec![0.0; 5];
        exp_of_products_into(&zs[..5], &scales[..5], &mut all_in_range);
        assert_eq!(all_in_range[4], exp(zs[4] * scales[4]));
        // Densely over the noise's range: every entry of the table, both
        // signs, many times.
        let zs: Vec<f64> = (0..20_000)
            .map(|i| f64::from(i - 10_000) * 1.37e-3)
            .collect();
        let scales = vec![1.1; zs.len()];
        let mut out = vec![0.0; zs.len()];
        exp_of_products_into(&zs, &scales, &mut out);
        for ((&z, &s), &y) in zs.iter().zip(&scales).zip(&out) {
            assert_eq!(y.to_bits(), exp(z * s).to_bits(), "e^({z} × {s})");
        }
    }

    #[test]
    fn outside_the_range_it_is_the_standard_library() {
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }
}
