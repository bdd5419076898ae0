//! Breaches of one objective of one app, and of one app's objectives together.

use crate::record::figures::{BreachStats, SlaStats};

/// Runs of breached samples of one objective, for `N` apps side by side:
/// the part of [`BreachStats`] that must be followed sample by sample.
/// Counts are 32-bit (an app would need 136 years of one-second samples to
/// overflow them): every app's runs are visited at every sample, and their
/// size is what a run of 10,000 apps moves through memory.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BreachRuns<const N: usize> {
    breaches: [u32; N],
    run: [u32; N],
    longest_run: [u32; N],
}

impl<const N: usize> Default for BreachRuns<N> {
    fn default() -> Self {
        BreachRuns {
            breaches: [0; N],
            run: [0; N],
            longest_run: [0; N],
        }
    }
}

impl<const N: usize> BreachRuns<N> {
    /// Adds one sample of app `l`: whether it missed the objective. No
    /// branch: a block of apps is the same packed instructions.
    #[inline(always)]
    pub(crate) fn push_lane(&mut self, l: usize, breached: bool) {
        let hit = u32::from(breached);
        self.breaches[l] += hit & u32::from(self.run[l] == 0);
        // One longer when breached, else back to 0.
        self.run[l] = (self.run[l] + 1) * hit;
        self.longest_run[l] = self.longest_run[l].max(self.run[l]);
    }
}

/// Breached samples of one objective and the requests offered in them: the
/// part of [`BreachStats`] that adds up, added a timeline bucket at a time
/// (the bucket sums the same figures anyway).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BreachTotals {
    breached_samples: u64,
    requests: f64,
}

/// The statistics, with `dt_s` the weight of a sample and `observed_s` the
/// app's time with samples (seconds).
fn breach_stats<const N: usize>(
    runs: &BreachRuns<N>,
    lane: usize,
    totals: &BreachTotals,
    dt_s: f64,
    observed_s: f64,
) -> BreachStats {
    let breach_s = totals.breached_samples as f64 * dt_s;
    BreachStats {
        breaches: u64::from(runs.breaches[lane]),
        breach_minutes: breach_s / 60.0,
        share_of_time: if observed_s > 0.0 {
            breach_s / observed_s
        } else {
            0.0
        },
        requests_affected: totals.requests,
        longest_breach_s: f64::from(runs.longest_run[lane]) * dt_s,
    }
}

/// Runs of `N` apps' objectives (any, latency, drop rate), sample by
/// sample.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AppSlaRuns<const N: usize> {
    any: BreachRuns<N>,
    latency: BreachRuns<N>,
    drop_rate: BreachRuns<N>,
}

impl<const N: usize> AppSlaRuns<N> {
    /// Adds one sample's breach flags of app `l`.
    #[inline(always)]
    pub(crate) fn push_lane(&mut self, l: usize, latency: bool, drop_rate: bool) {
        self.any.push_lane(l, latency | drop_rate);
        self.latency.push_lane(l, latency);
        self.drop_rate.push_lane(l, drop_rate);
    }
}

/// A stretch of one app's samples, summed (a timeline bucket).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SlaPart {
    /// Samples.
    pub(crate) samples: u64,
    /// Requests offered.
    pub(crate) requests: f64,
    /// Requests dropped.
    pub(crate) dropped: f64,
    /// Breached samples: any objective, latency, drop rate.
    pub(crate) breached: [u64; 3],
    /// Requests offered in them, in the same order.
    pub(crate) breach_requests: [f64; 3],
}

/// Totals of one app's objectives, added a stretch at a time.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AppSlaTotals {
    /// Samples seen.
    pub(crate) samples: u64,
    /// Requests offered.
    pub(crate) requests: f64,
    /// Requests dropped.
    pub(crate) dropped: f64,
    objectives: [BreachTotals; 3],
}

impl AppSlaTotals {
    /// Adds a stretch of samples.
    pub(crate) fn add(&mut self, part: &SlaPart) {
        self.samples += part.samples;
        self.requests += part.requests;
        self.dropped += part.dropped;
        for (t, (&n, &r)) in self
            .objectives
            .iter_mut()
            .zip(part.breached.iter().zip(&part.breach_requests))
        {
            t.breached_samples += n;
            t.requests += r;
        }
    }

    /// The statistics of the app whose runs are lane `lane` of `runs`, with
    /// `dt_s` the weight of a sample.
    pub(crate) fn stats<const N: usize>(
        &self,
        runs: &AppSlaRuns<N>,
        lane: usize,
        dt_s: f64,
    ) -> SlaStats {
        let observed_s = self.samples as f64 * dt_s;
        let [any, latency, drop_rate] = &self.objectives;
        SlaStats {
            any: breach_stats(&runs.any, lane, any, dt_s, observed_s),
            latency: breach_stats(&runs.latency, lane, latency, dt_s, observed_s),
            drop_rate: breach_stats(&runs.drop_rate, lane, drop_rate, dt_s, observed_s),
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

    /// One app's statistics from samples of (latency breached, drop rate
    /// breached, requests, dropped), each added as a stretch of its own.
    fn app(samples: &[(bool, bool, f64, f64)], dt_s: f64) -> (SlaStats, AppSlaTotals) {
        let (mut runs, mut totals) = (AppSlaRuns::<1>::default(), AppSlaTotals::default());
        for &(latency, drop_rate, requests, dropped) in samples {
            runs.push_lane(0, latency, drop_rate);
            let n = |b: bool| u64::from(b);
            let r = |b: bool| if b { requests } else { 0.0 };
            let any = latency || drop_rate;
            totals.add(&SlaPart {
                samples: 1,
                requests,
                dropped,
                breached: [n(any), n(latency), n(drop_rate)],
                breach_requests: [r(any), r(latency), r(drop_rate)],
            });
        }
        (totals.stats(&runs, 0, dt_s), totals)
    }

    fn run(flags: &[bool]) -> BreachStats {
        let samples: Vec<_> = flags
            .iter()
            .enumerate()
            .map(|(i, &b)| (b, false, 100.0 + i as f64, 0.0))
            .collect();
        app(&samples, 10.0).0.latency
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
        let (s, totals) = app(
            &[
                (true, false, 10.0, 0.0),
                (false, true, 20.0, 5.0),
                (false, false, 30.0, 0.0),
            ],
            60.0,
        );
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
        assert_eq!((totals.requests, totals.dropped), (60.0, 5.0));
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
