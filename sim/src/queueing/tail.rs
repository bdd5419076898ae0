//! The exact response-time distribution of M/M/c FCFS and its percentiles.
//!
//! The response time is T = W + S: the wait W is 0 with probability 1 − C
//! and otherwise exponential with rate θ = cμ − λ; the service S is
//! exponential with rate μ. So P(T > t) = (1 − C)·e^{−μt} + C·P(E_θ + E_μ > t),
//! the second term a hypoexponential tail.

/// Most iterations of the percentile solver (each halves the bracket at
/// worst; 200 is far more than f64 resolution needs).
const MAX_ITER: u32 = 200;

/// The response-time law of one M/M/c pool: everything the tail needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ResponseLaw {
    /// Erlang C, probability of waiting (0–1).
    pub wait_probability: f64,
    /// Rate of the conditional wait, θ = cμ − λ, per second (> 0).
    pub theta: f64,
    /// Service rate per instance, per second (> 0).
    pub mu: f64,
}

/// (1 − e^{−δt})/δ for δ ≥ 0, without cancellation as δ → 0 (limit t).
#[inline]
fn one_minus_exp_over(delta: f64, t: f64) -> f64 {
    let x = delta * t;
    if x < 1e-12 { t } else { -(-x).exp_m1() / delta }
}

/// P(E_r1 + E_r2 > t), the sum of two independent exponentials (rates per
/// second), written around the smaller rate so it neither cancels when the
/// rates meet nor overflows when they are far apart.
#[inline]
pub(crate) fn hypoexp_tail(r1: f64, r2: f64, t: f64) -> f64 {
    let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
    (-lo * t).exp() * (1.0 + lo * one_minus_exp_over(hi - lo, t))
}

/// Density of E_r1 + E_r2 at t, per second.
#[inline]
fn hypoexp_density(r1: f64, r2: f64, t: f64) -> f64 {
    let (lo, hi) = if r1 <= r2 { (r1, r2) } else { (r2, r1) };
    lo * hi * (-lo * t).exp() * one_minus_exp_over(hi - lo, t)
}

impl ResponseLaw {
    /// P(T > t), t in seconds.
    #[inline]
    pub fn tail(&self, t: f64) -> f64 {
        let c = self.wait_probability;
        (1.0 - c) * (-self.mu * t).exp() + c * hypoexp_tail(self.theta, self.mu, t)
    }

    /// Density of T at t, per second.
    #[inline]
    fn density(&self, t: f64) -> f64 {
        let c = self.wait_probability;
        (1.0 - c) * self.mu * (-self.mu * t).exp() + c * hypoexp_density(self.theta, self.mu, t)
    }

    /// Mean response time E[T] = C/θ + 1/μ, seconds.
    pub fn mean(&self) -> f64 {
        self.wait_probability / self.theta + 1.0 / self.mu
    }

    /// The `percentile` (0–100) of T in seconds: 0 at or below 0, None at
    /// or above 100 (unbounded) or when not a number.
    ///
    /// Safeguarded Newton on P(T > t) = 1 − p/100: the tail is decreasing,
    /// so a bracket is kept and a Newton step that leaves it is replaced by
    /// bisection.
    pub fn percentile(&self, percentile: f64) -> Option<f64> {
        if percentile.is_nan() || percentile >= 100.0 {
            return None;
        }
        if percentile <= 0.0 {
            return Some(0.0);
        }
        let q = 1.0 - percentile / 100.0;
        let slowest = self.theta.min(self.mu);
        let mut lo = 0.0;
        let mut hi = 1.0 / slowest;
        while self.tail(hi) > q {
            lo = hi;
            hi *= 2.0;
            if !hi.is_finite() {
                return None;
            }
        }
        // From the left: past its inflection the tail is convex, so Newton
        // steps from below the root stay below it and converge without
        // overshooting.
        let mut t = if lo > 0.0 { lo } else { 0.5 * hi };
        for _ in 0..MAX_ITER {
            let f = self.tail(t) - q;
            if f == 0.0 {
                break;
            }
            if f > 0.0 {
                lo = t;
            } else {
                hi = t;
            }
            let d = self.density(t);
            let newton = t + f / d;
            // A step this small is rounding noise: Newton has converged
            // (quadratically, so the error is far smaller still).
            if d > 0.0 && (newton - t).abs() <= 1e-12 * t {
                t = newton;
                break;
            }
            t = if d > 0.0 && newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            if hi - lo <= 1e-13 * hi {
                break;
            }
        }
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypoexp_tail_equal_rates_limit() {
        // Erlang-2: (1 + rt)e^{−rt}.
        let (r, t) = (2.0f64, 0.7f64);
        let want = (1.0 + r * t) * (-r * t).exp();
        assert!((hypoexp_tail(r, r, t) - want).abs() < 1e-14);
        assert!((hypoexp_tail(r, r * (1.0 + 1e-12), t) - want).abs() < 1e-11);
    }

    #[test]
    fn hypoexp_tail_distinct_rates() {
        let (a, b, t) = (1.0f64, 3.0f64, 0.9f64);
        let want = (b * (-a * t).exp() - a * (-b * t).exp()) / (b - a);
        assert!((hypoexp_tail(a, b, t) - want).abs() < 1e-14);
        assert!((hypoexp_tail(b, a, t) - want).abs() < 1e-14);
        // Far-apart rates: no overflow.
        let v = hypoexp_tail(1e-3, 1e6, 1e4);
        assert!(v.is_finite() && v > 0.0);
    }

    #[test]
    fn density_is_the_tails_derivative() {
        let law = ResponseLaw {
            wait_probability: 0.3,
            theta: 0.8,
            mu: 1.5,
        };
        for &t in &[0.01, 0.5, 2.0, 7.0] {
            let h = 1e-6;
            let numeric = (law.tail(t - h) - law.tail(t + h)) / (2.0 * h);
            assert!((law.density(t) - numeric).abs() < 1e-7, "t={t}");
        }
    }

    #[test]
    fn percentile_inverts_the_tail() {
        let law = ResponseLaw {
            wait_probability: 0.6,
            theta: 0.25,
            mu: 2.0,
        };
        for &p in &[1.0, 50.0, 90.0, 95.0, 99.0, 99.99] {
            let t = law.percentile(p).unwrap();
            assert!((law.tail(t) - (1.0 - p / 100.0)).abs() < 1e-12, "p={p}");
        }
        assert_eq!(law.percentile(0.0), Some(0.0));
        assert_eq!(law.percentile(100.0), None);
        assert_eq!(law.percentile(f64::NAN), None);
    }
}
