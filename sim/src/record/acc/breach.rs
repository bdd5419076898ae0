//! Breaches of one objective of one app, and of one app's objectives together.

use crate::record::figures::{BreachStats, SlaStats};

/// Running counts for [`BreachStats`]. Counts of samples are 32-bit (an
/// app would need 136 years of one-second samples to overflow them): the
/// accumulators of every app are visited at every sample, and their size is
/// what a run of 10,000 apps moves through memory.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BreachAcc {
    requests: f64,
    breaches: u32,
    breached_samples: u32,
    run: u32,
    longest_run: u32,
}

impl BreachAcc {
    /// Adds one sample: whether it missed the objective and the requests
    /// offered in it.
    #[inline]
    pub(crate) fn push(&mut self, breached: bool, requests: f64) {
        if breached {
            self.breaches += u32::from(self.run == 0);
            self.run += 1;
            self.breached_samples += 1;
            self.requests += requests;
            self.longest_run = self.longest_run.max(self.run);
        } else {
            self.run = 0;
        }
    }

    /// The statistics, with `dt_s` the weight of a sample and `observed_s`
    /// the app's time with samples (seconds).
    pub(crate) fn stats(&self, dt_s: f64, observed_s: f64) -> BreachStats {
        let breach_s = self.breached_samples as f64 * dt_s;
        BreachStats {
            breaches: u64::from(self.breaches),
            breach_minutes: breach_s / 60.0,
            share_of_time: if observed_s > 0.0 {
                breach_s / observed_s
            } else {
                0.0
            },
            requests_affected: self.requests,
            longest_breach_s: self.longest_run as f64 * dt_s,
        }
    }
}

/// Running counts of one app's objectives.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AppSlaAcc {
    /// Samples seen.
    pub(crate) samples: u64,
    /// Requests offered.
    pub(crate) requests: f64,
    /// Requests dropped.
    pub(crate) dropped: f64,
    any: BreachAcc,
    latency: BreachAcc,
    drop_rate: BreachAcc,
}

impl AppSlaAcc {
    /// Adds one sample.
    #[inline]
    pub(crate) fn push(&mut self, latency: bool, drop_rate: bool, requests: f64, dropped: f64) {
        self.samples += 1;
        self.requests += requests;
        self.dropped += dropped;
        self.any.push(latency || drop_rate, requests);
        self.latency.push(latency, requests);
        self.drop_rate.push(drop_rate, requests);
    }

    /// The statistics, with `dt_s` the weight of a sample.
    pub(crate) fn stats(&self, dt_s: f64) -> SlaStats {
        let observed_s = self.samples as f64 * dt_s;
        SlaStats {
            any: self.any.stats(dt_s, observed_s),
            latency: self.latency.stats(dt_s, observed_s),
            drop_rate: self.drop_rate.stats(dt_s, observed_s),
        }
    }
}

/// Several apps' statistics together: counts, minutes and requests add up,
/// the longest breach is the longest of any, the share is of the summed
/// observed time. `parts` holds (statistics, observed seconds).
pub(crate) fn combine(parts: &[(SlaStats, f64)]) -> SlaStats {
    let observed_s: f64 = parts.iter().map(|p| p.1).sum();
    let one = |pick: fn(&SlaStats) -> &BreachStats| {
        let mut out = BreachStats::default();
        for (stats, _) in parts {
            let b = pick(stats);
            out.breaches += b.breaches;
            out.breach_minutes += b.breach_minutes;
            out.requests_affected += b.requests_affected;
            out.longest_breach_s = out.longest_breach_s.max(b.longest_breach_s);
        }
        out.share_of_time = if observed_s > 0.0 {
            out.breach_minutes * 60.0 / observed_s
        } else {
            0.0
        };
        out
    };
    SlaStats {
        any: one(|s| &s.any),
        latency: one(|s| &s.latency),
        drop_rate: one(|s| &s.drop_rate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(flags: &[bool]) -> BreachStats {
        let mut acc = BreachAcc::default();
        for (i, &b) in flags.iter().enumerate() {
            acc.push(b, 100.0 + i as f64);
        }
        acc.stats(10.0, flags.len() as f64 * 10.0)
    }

    #[test]
    fn no_breach_gives_zeros() {
        assert_eq!(run(&[false, false, false]), BreachStats::default());
        assert_eq!(run(&[]), BreachStats::default());
    }

    #[test]
    fn two_breaches_with_the_longest_measured() {
        // samples 1,2 then 4: two breaches, 3 breached samples of 6.
        let s = run(&[false, true, true, false, true, false]);
        assert_eq!(s.breaches, 2);
        assert_eq!(s.breach_minutes, 0.5);
        assert_eq!(s.share_of_time, 0.5);
        assert_eq!(s.requests_affected, 101.0 + 102.0 + 104.0);
        assert_eq!(s.longest_breach_s, 20.0);
    }

    #[test]
    fn single_breached_sample_is_one_breach() {
        let s = run(&[true]);
        assert_eq!(
            (s.breaches, s.longest_breach_s, s.share_of_time),
            (1, 10.0, 1.0)
        );
    }

    #[test]
    fn objectives_are_counted_apart_and_together() {
        let mut acc = AppSlaAcc::default();
        acc.push(true, false, 10.0, 0.0);
        acc.push(false, true, 20.0, 5.0);
        acc.push(false, false, 30.0, 0.0);
        let s = acc.stats(60.0);
        // Back-to-back latency then drop breach is one "any" breach of 2 min.
        assert_eq!(
            (
                s.any.breaches,
                s.any.breach_minutes,
                s.any.requests_affected
            ),
            (1, 2.0, 30.0)
        );
        assert_eq!((s.latency.breaches, s.latency.requests_affected), (1, 10.0));
        assert_eq!(
            (s.drop_rate.breaches, s.drop_rate.requests_affected),
            (1, 20.0)
        );
        assert_eq!((acc.requests, acc.dropped), (60.0, 5.0));
    }

    #[test]
    fn combining_sums_counts_and_weights_the_share_by_time() {
        let a = SlaStats {
            any: BreachStats {
                breaches: 1,
                breach_minutes: 1.0,
                longest_breach_s: 60.0,
                ..Default::default()
            },
            ..Default::default()
        };
        let b = SlaStats {
            any: BreachStats {
                breaches: 2,
                breach_minutes: 2.0,
                longest_breach_s: 90.0,
                ..Default::default()
            },
            ..Default::default()
        };
        let c = combine(&[(a, 600.0), (b, 1200.0)]);
        assert_eq!(c.any.breaches, 3);
        assert_eq!(c.any.longest_breach_s, 90.0);
        assert_eq!(c.any.share_of_time, 180.0 / 1800.0);
    }
}
