//! The bursty on/off source: a two-state Markov-modulated rate whose phase
//! is simulated switch by switch as time advances.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1};

/// Beyond this many mean cycles (low + high) between two calls, the phase
/// is redrawn from the stationary share instead of simulated: the chain has
/// long forgotten its state (correlation below e⁻¹⁰⁰), and a month-long gap
/// with one-second sojourns would otherwise cost millions of draws.
const FORGET_CYCLES: f64 = 50.0;
/// An interval longer than this many mean cycles reports the long-run mean
/// (its own fluctuation is then a few percent at most) instead of
/// simulating every switch within it.
const AVERAGE_CYCLES: f64 = 1_000.0;

/// A 2-state MMPP: rate `low` or `high`, exponential sojourns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mmpp {
    low: f64,
    high: f64,
    mean_low_s: f64,
    mean_high_s: f64,
    rng: Xoshiro256PlusPlus,
    in_high: bool,
    /// Time up to which the phase has been simulated, seconds.
    cursor: f64,
    /// Time of the next phase change, seconds (> cursor).
    next_switch: f64,
}

impl Mmpp {
    /// Starts at time 0 in a phase drawn from the stationary share.
    /// Parameters are assumed valid; non-positive means are taken as 1 s
    /// so that bad input cannot loop forever.
    pub fn new(low: f64, high: f64, mean_low_s: f64, mean_high_s: f64, seed: u64) -> Self {
        let sane = |m: f64| if m.is_finite() && m > 0.0 { m } else { 1.0 };
        let mut m = Mmpp {
            low,
            high,
            mean_low_s: sane(mean_low_s),
            mean_high_s: sane(mean_high_s),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            in_high: false,
            cursor: 0.0,
            next_switch: 0.0,
        };
        m.restart(0.0);
        m
    }

    /// Long-run share of time in the high phase.
    fn high_share(&self) -> f64 {
        self.mean_high_s / (self.mean_low_s + self.mean_high_s)
    }

    fn cycle_s(&self) -> f64 {
        self.mean_low_s + self.mean_high_s
    }

    /// A stationary start at `t`: phase by the long-run share, and (the
    /// sojourn being memoryless) a fresh exponential residual.
    fn restart(&mut self, t: f64) {
        self.in_high = self.rng.random::<f64>() < self.high_share();
        self.cursor = t;
        self.next_switch = t + self.sojourn();
    }

    fn sojourn(&mut self) -> f64 {
        let mean = if self.in_high {
            self.mean_high_s
        } else {
            self.mean_low_s
        };
        let e: f64 = Exp1.sample(&mut self.rng);
        // A zero draw would not move time on; the smallest step does.
        (e * mean).max(f64::MIN_POSITIVE)
    }

    /// Seconds spent in the high phase over [cursor, until), advancing the
    /// phase to `until`.
    fn run_to(&mut self, until: f64) -> f64 {
        let mut high_time = 0.0;
        while self.next_switch < until {
            if self.in_high {
                high_time += self.next_switch - self.cursor;
            }
            self.cursor = self.next_switch;
            self.in_high = !self.in_high;
            self.next_switch = self.cursor + self.sojourn();
        }
        if self.in_high {
            high_time += until - self.cursor;
        }
        self.cursor = until;
        high_time
    }

    /// Mean rate over [t, t + dt), requests per second, advancing the
    /// phase; dt ≤ 0 gives the rate at t. A part of the interval already
    /// simulated by an earlier call is not revisited: its mean is taken over
    /// the rest, or is the current phase's rate if nothing is left.
    pub fn mean(&mut self, t: f64, dt: f64) -> f64 {
        if t > self.cursor {
            if t - self.cursor > FORGET_CYCLES * self.cycle_s() {
                self.restart(t);
            } else {
                self.run_to(t);
            }
        }
        let end = t + dt.max(0.0);
        let span = end - self.cursor;
        if span <= 0.0 {
            return if self.in_high { self.high } else { self.low };
        }
        if span > AVERAGE_CYCLES * self.cycle_s() {
            self.restart(end);
            let share = self.high_share();
            return self.low + (self.high - self.low) * share;
        }
        let share = self.run_to(end) / span;
        self.low + (self.high - self.low) * share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_run_share_of_high() {
        // 60 s low, 20 s high: high a quarter of the time.
        let mut m = Mmpp::new(0.0, 1.0, 60.0, 20.0, 7);
        let steps = 200_000;
        let mut sum = 0.0;
        for i in 0..steps {
            sum += m.mean(f64::from(i) * 10.0, 10.0);
        }
        let share = sum / f64::from(steps);
        // ~25,000 cycles: the share's standard error is about 0.3%.
        assert!((share - 0.25).abs() < 0.01, "share {share}");
    }

    #[test]
    fn values_stay_between_low_and_high() {
        let mut m = Mmpp::new(5.0, 50.0, 30.0, 10.0, 3);
        let mut saw_low = false;
        let mut saw_high = false;
        for i in 0..10_000 {
            let v = m.mean(f64::from(i), 1.0);
            assert!((5.0..=50.0).contains(&v));
            saw_low |= v == 5.0;
            saw_high |= v == 50.0;
        }
        assert!(saw_low && saw_high);
    }

    #[test]
    fn gaps_and_long_intervals_are_cheap() {
        let mut m = Mmpp::new(0.0, 1.0, 1e-3, 1e-3, 1);
        // A month later, then a day-long interval: both short-cut.
        let v = m.mean(2.6e6, 10.0e-3);
        assert!((0.0..=1.0).contains(&v));
        assert_eq!(m.mean(2.7e6, 86_400.0), 0.5);
        // Repeating an interval already simulated gives the current phase.
        let v = m.mean(2.7e6, 10.0);
        assert!(v == 0.0 || v == 1.0);
    }
}
