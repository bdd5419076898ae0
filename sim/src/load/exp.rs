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

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn reduced_into_avx512(zs: &[f64], scales: &[f64], out: &mut [f64]) -> bool {
    reduced_into(zs, scales, out)
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
    const C: [f64; 5] = [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0];
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
    }

    #[test]
    fn outside_the_range_it_is_the_standard_library() {
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }
}
