//! Saturation: a queue of waiting requests carried across sample intervals.
//!
//! Below saturation with nothing queued, a pool is in M/M/c steady state.
//! At or above saturation (or while an old backlog drains) a fluid model
//! takes over: the queue moves at λ − cμ requests per second, clamped to
//! [0, cμ·timeout], because a request further back than that would wait
//! past its timeout and is dropped.

use serde::{Deserialize, Serialize};

use super::mmc::mmc;

/// A backlog smaller than this (requests) counts as empty, so that the
/// rounding left by a drained queue does not keep a pool out of M/M/c.
const EMPTY_REQUESTS: f64 = 1e-9;

/// ln 20: the 95th percentile of an exponential with rate 1.
const LN_20: f64 = 2.995_732_273_553_991;

/// Requests waiting for an instance, carried from one interval to the next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Backlog {
    /// Requests waiting at the end of the last interval (≥ 0).
    pub queued: f64,
}

/// What one interval did to the requests offered to a pool.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct IntervalOutcome {
    /// Requests completed during the interval (a count, not a rate).
    pub served: f64,
    /// Requests dropped during the interval because they would have waited
    /// longer than the timeout (a count).
    pub dropped: f64,
    /// Mean response time (wait + service) of the interval's requests,
    /// seconds; the timeout when there is no capacity at all.
    pub mean_response_s: f64,
    /// 95th percentile of the response time, seconds; the timeout when
    /// there is no capacity at all.
    pub p95_response_s: f64,
    /// Busy share of the instances over the interval (0–1); 0 with none.
    pub utilisation: f64,
}

impl Backlog {
    /// An empty backlog.
    pub fn new() -> Self {
        Backlog { queued: 0.0 }
    }

    /// Advances one interval of `dt_s` seconds with offered load `lambda`
    /// (requests per second), `c` ready instances each serving `mu`
    /// requests per second, and a client timeout of `timeout_s` seconds.
    ///
    /// - Below saturation (λ < cμ) with an empty backlog: M/M/c. Everything
    ///   offered is served; nothing is dropped (abandonment in steady state
    ///   is not modelled). The waiting part of the latency is capped at the
    ///   timeout, since nobody waits longer.
    /// - Otherwise: fluid. A backlog above the cap cμ·timeout (say, after
    ///   instances were lost) is dropped at once; then the backlog moves at
    ///   λ − cμ per second, the excess over the cap is dropped, and a backlog
    ///   drains when capacity exceeds the load. Latency ≈ backlog/(cμ) + 1/μ
    ///   (mean: the time-averaged backlog; p95: the backlog 95% of the way
    ///   into the interval while it grows, 5% while it drains, plus the
    ///   service's own p95, ln 20/μ).
    /// - c == 0 (or μ not positive): nothing is served; the backlog and the
    ///   whole offered load are dropped.
    ///
    /// Conserves requests: λ·dt + queued before = served + dropped + queued
    /// after, up to rounding. Negative or non-finite λ, timeout or backlog
    /// count as 0 (an infinite timeout means no drops while c > 0); dt ≤ 0 (or NaN) changes nothing and reports zeros.
    /// Allocates nothing.
    pub fn step(
        &mut self,
        lambda: f64,
        mu: f64,
        c: u32,
        dt_s: f64,
        timeout_s: f64,
    ) -> IntervalOutcome {
        if !(dt_s > 0.0 && dt_s.is_finite()) {
            return IntervalOutcome::default();
        }
        let lambda = non_negative(lambda);
        // An infinite timeout (clients that never give up) is allowed.
        let timeout = if timeout_s > 0.0 { timeout_s } else { 0.0 };
        let q0 = non_negative(self.queued);
        let mu_ok = mu.is_finite() && mu > 0.0;
        let capacity = if mu_ok { f64::from(c) * mu } else { 0.0 };

        let steady = if q0 <= EMPTY_REQUESTS && lambda < capacity {
            mmc(lambda, mu, c)
        } else {
            None
        };
        if let Some(s) = steady {
            self.queued = 0.0;
            return IntervalOutcome {
                served: lambda * dt_s + q0,
                dropped: 0.0,
                mean_response_s: s.mean_wait_s.min(timeout) + 1.0 / mu,
                p95_response_s: s.p95_response_s.min(timeout + LN_20 / mu),
                utilisation: s.utilisation,
            };
        }
        self.fluid(lambda, mu, capacity, q0, dt_s, timeout)
    }

    /// The fluid branch of [`step`](Self::step); `capacity` = cμ (0 when
    /// the pool cannot serve).
    fn fluid(
        &mut self,
        lambda: f64,
        mu: f64,
        capacity: f64,
        q0: f64,
        dt: f64,
        timeout: f64,
    ) -> IntervalOutcome {
        // 0 × ∞ would be NaN: no capacity means no room, whatever the timeout.
        let cap = if capacity > 0.0 {
            capacity * timeout
        } else {
            0.0
        };
        let stale = (q0 - cap).max(0.0);
        let q = q0 - stale;
        let r = lambda - capacity;
        // (backlog at the end, overflow dropped, time-average backlog,
        // backlog at the interval's 95th-percentile point)
        let (q1, overflow, avg_q, q95) = if r > 0.0 {
            let t_full = (cap - q) / r;
            let q95 = (q + r * 0.95 * dt).min(cap);
            if t_full >= dt {
                (q + r * dt, 0.0, q + 0.5 * r * dt, q95)
            } else {
                let avg = (0.5 * (q + cap) * t_full + cap * (dt - t_full)) / dt;
                (cap, r * (dt - t_full), avg, q95)
            }
        } else if r < 0.0 {
            let t_empty = q / -r;
            let q95 = (q + r * 0.05 * dt).max(0.0);
            if t_empty >= dt {
                (q + r * dt, 0.0, q + 0.5 * r * dt, q95)
            } else {
                (0.0, 0.0, 0.5 * q * t_empty / dt, q95)
            }
        } else {
            (q, 0.0, q, q)
        };
        let q1 = q1.max(0.0);
        let served = (q + lambda * dt - overflow - q1).max(0.0);
        self.queued = q1;
        let (mean_response_s, p95_response_s, utilisation) = if capacity > 0.0 {
            (
                avg_q / capacity + 1.0 / mu,
                q95 / capacity + LN_20 / mu,
                (served / (capacity * dt)).clamp(0.0, 1.0),
            )
        } else {
            (timeout, timeout, 0.0)
        };
        IntervalOutcome {
            served,
            dropped: stale + overflow,
            mean_response_s,
            p95_response_s,
            utilisation,
        }
    }
}

/// `x` when it is a finite non-negative number, else 0.
#[inline]
fn non_negative(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

#[cfg(test)]
#[path = "backlog_tests.rs"]
mod tests;
