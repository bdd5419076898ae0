//! e^x for the log-normal noise drawn for every app at every sample: one
//! call per app sample made libm's `exp` (a call through the PLT, an errno
//! wrapper and a CPU-dependent variant) a tenth of a month-long run. This one
//! is inline arithmetic with nothing chosen at run time, so a seed gives the
//! same draws on every machine.

/// 1.5 × 2⁵²: adding and subtracting it rounds a float to an integer.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
/// ln 2 in two parts; the high part has trailing zero bits, so k × LN2_HI
/// is exact for the exponents used here.
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// e^x, within 2 ulp of the correctly rounded value for |x| ≤ 700; other
/// arguments (and NaN) go to the standard library.
#[inline]
pub fn exp(x: f64) -> f64 {
    if x.is_nan() || x.abs() > 700.0 {
        return x.exp();
    }
    // x = k ln 2 + r, |r| ≤ ln 2 / 2.
    let k = (x * std::f64::consts::LOG2_E + ROUNDER) - ROUNDER;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // e^r by its Taylor series to r¹² (remainder below 2e-16 of the
    // value), grouped in Estrin's form for a short dependency chain.
    const C: [f64; 13] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    // Summed as 1 + (r + r² × tail), the small terms first, so that their
    // rounding errors shrink before they reach the result.
    let s0 = (C[2] + C[3] * r) + (C[4] + C[5] * r) * r2;
    let s1 = (C[6] + C[7] * r) + (C[8] + C[9] * r) * r2;
    let s2 = (C[10] + C[11] * r) + C[12] * r2;
    let tail = (s0 + s1 * r4) + s2 * r8;
    let p = C[0] + (r + r2 * tail);
    // 2^k, with -1010 ≤ k ≤ 1010 a normal number.
    let two_k = f64::from_bits(((k as i64 + 1023) as u64) << 52);
    p * two_k
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
    fn outside_the_range_it_is_the_standard_library() {
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
    }
}
