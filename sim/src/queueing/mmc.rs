//! Steady-state M/M/c: latency of a pool, and the smallest pool that meets
//! a latency bound.

use super::erlang::ErlangB;
use super::tail::ResponseLaw;

/// Steady-state figures of one M/M/c pool.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueStats {
    /// ρ = λ/(cμ), the busy share of each instance (0–1).
    pub utilisation: f64,
    /// Erlang C: probability that a request waits before service (0–1).
    pub wait_probability: f64,
    /// Mean wait before service, seconds.
    pub mean_wait_s: f64,
    /// Mean response time (wait + service), seconds.
    pub mean_response_s: f64,
    /// 95th percentile of the response time, seconds.
    pub p95_response_s: f64,
}

/// The response-time law for λ requests/s on c instances of μ requests/s,
/// or None when the inputs are invalid or the pool is not stable (ρ ≥ 1).
fn law(lambda: f64, mu: f64, c: u32) -> Option<ResponseLaw> {
    if !(lambda.is_finite() && lambda >= 0.0 && mu.is_finite() && mu > 0.0) || c == 0 {
        return None;
    }
    let a = lambda / mu;
    if a >= f64::from(c) {
        return None;
    }
    let wait_probability = ErlangB::new(a, c).waiting();
    Some(ResponseLaw {
        wait_probability,
        theta: f64::from(c) * mu - lambda,
        mu,
    })
}

/// M/M/c (Erlang C) for offered load `lambda` (requests per second) on `c`
/// instances each serving `mu` requests per second.
///
/// None when c == 0, when ρ = λ/(cμ) ≥ 1 (no steady state), or when λ is
/// negative or μ not positive (or either is not finite). Allocates nothing;
/// O(c) for small loads, O(√(λ/μ) + c − λ/μ) for large ones.
pub fn mmc(lambda: f64, mu: f64, c: u32) -> Option<QueueStats> {
    let law = law(lambda, mu, c)?;
    Some(QueueStats {
        utilisation: lambda / (f64::from(c) * mu),
        wait_probability: law.wait_probability,
        mean_wait_s: law.wait_probability / law.theta,
        mean_response_s: law.mean(),
        p95_response_s: law.percentile(95.0)?,
    })
}

/// Response-time percentile (0–100) of M/M/c FCFS, seconds: the wait plus
/// an exponential service, found by solving P(T > t) = 1 − p/100 with the
/// exact tail.
///
/// `lambda` and `mu` in requests per second. None where [`mmc`] is None, for
/// percentile ≥ 100 (unbounded) or NaN; 0 for percentile ≤ 0.
pub fn response_percentile_s(lambda: f64, mu: f64, c: u32, percentile: f64) -> Option<f64> {
    law(lambda, mu, c)?.percentile(percentile)
}

/// Fewest instances of `mu` requests per second whose response-time
/// `percentile` (0–100) stays within `bound_s` seconds, and whose
/// utilisation ρ = λ/(cμ) is at most `max_utilisation` (and below 1),
/// under `lambda` requests per second.
///
/// 0 when lambda is 0 (or negative, or NaN). Capped at `cap`, which is also
/// the answer when no pool up to `cap` qualifies: for example when the
/// bound is below the service time's own percentile (−ln(1 − p/100)/μ),
/// when percentile ≥ 100, or when μ or `max_utilisation` is not positive.
///
/// Starts from ⌈λ/(μ·min(max_utilisation, 1))⌉ and steps up one instance
/// at a time with the O(1) Erlang B step, checking the tail at the bound
/// (no root finding), so a call costs O(√(λ/μ) + the steps taken).
pub fn min_instances(
    lambda: f64,
    mu: f64,
    percentile: f64,
    bound_s: f64,
    max_utilisation: f64,
    cap: u32,
) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if !(lambda.is_finite() && mu.is_finite() && mu > 0.0 && max_utilisation > 0.0)
        || percentile.is_nan()
    {
        return cap;
    }
    let q = 1.0 - percentile / 100.0;
    if percentile < 100.0 && percentile > 0.0 {
        // With infinitely many instances the wait vanishes and T is the
        // service alone; if even that misses the bound, none will do. The
        // strict test also rules out an asymptote that would walk to `cap`.
        let service_tail = (-mu * bound_s).exp();
        if service_tail.is_nan() || service_tail >= q {
            return cap;
        }
    } else if percentile >= 100.0 {
        return cap;
    }
    let a = lambda / mu;
    let u = max_utilisation.min(1.0);
    let start = (a / u).ceil().max(1.0);
    if start >= f64::from(cap) {
        return cap;
    }
    // `start` < cap ≤ u32::MAX, so the cast is exact.
    let mut c = start as u32;
    let mut erlang = ErlangB::new(a, c);
    loop {
        if meets(&erlang, lambda, mu, q, bound_s, max_utilisation) {
            return c;
        }
        if c >= cap {
            return cap;
        }
        c += 1;
        erlang.step_up();
    }
}

/// Whether the pool in `erlang` (c servers, load a = λ/μ) meets the
/// utilisation cap and P(T > bound) ≤ q.
#[inline]
fn meets(erlang: &ErlangB, lambda: f64, mu: f64, q: f64, bound_s: f64, max_util: f64) -> bool {
    let c = f64::from(erlang.servers());
    let rho = erlang.load() / c;
    // A relative tolerance so that ρ landing on max_utilisation by rounding
    // (λ = 8, μ = 1, c = 10, cap 0.8) still counts as "at most".
    if !(rho < 1.0 && rho <= max_util * (1.0 + 1e-12)) {
        return false;
    }
    if q >= 1.0 {
        return true;
    }
    let law = ResponseLaw {
        wait_probability: erlang.waiting(),
        theta: c * mu - lambda,
        mu,
    };
    law.tail(bound_s) <= q
}

#[cfg(test)]
#[path = "mmc_tests.rs"]
mod tests;
