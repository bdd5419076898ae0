//! What a scenario writes: the description of a load, as data.

use serde::{Deserialize, Serialize};

/// A load generator's description: offered load in requests per second as
/// a function of simulated time (seconds from the start of the run),
/// composable by sum and product. Realise it with
/// [`LoadProcess::new`](super::LoadProcess::new); check it with
/// [`validate`](LoadSpec::validate).
///
/// In TOML the variant is named by `kind`:
///
/// ```toml
/// kind = "sum"
/// parts = [
///   { kind = "diurnal", base = 20, amplitude = 80, peak_hour = 14, weekend_factor = 0.6 },
///   { kind = "flash_crowd", at_s = 86400, peak = 300, rise_s = 120, decay_s = 1800 },
/// ]
/// ```
///
/// Time zero is Monday 00:00 UTC (only [`Diurnal`](LoadSpec::Diurnal)'s
/// weekend cares).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LoadSpec {
    /// A flat load.
    Constant {
        /// Requests per second.
        rps: f64,
    },
    /// Daily sine-like cycle with weekly seasonality:
    /// base + amplitude × shape(hour), shape(h) = (1 + cos(2π(h − peak_hour)/24))/2,
    /// so the load swings between `base` (12 h from the peak) and
    /// `base + amplitude` (at `peak_hour`, local time); on Saturdays and
    /// Sundays (local) the whole value is multiplied by `weekend_factor`.
    Diurnal {
        /// Daily minimum, requests per second.
        base: f64,
        /// Rise from the minimum to the daily peak, requests per second.
        amplitude: f64,
        /// Local hour of the daily peak (0–24).
        peak_hour: f64,
        /// Multiplier on Saturdays and Sundays, local time (default 1: no weekly cycle).
        #[serde(default = "one")]
        weekend_factor: f64,
        /// Local time minus UTC, hours (−24–24, default 0).
        #[serde(default)]
        utc_offset_hours: f64,
    },
    /// Linear change from `from` at `start_s` to `to` at `end_s`; `from`
    /// before, `to` after.
    Ramp {
        /// Requests per second up to `start_s`.
        from: f64,
        /// Requests per second from `end_s` on.
        to: f64,
        /// Start of the ramp, seconds.
        start_s: f64,
        /// End of the ramp, seconds (≥ `start_s`).
        end_s: f64,
    },
    /// A jump from `before` to `after` at `at_s`.
    Step {
        /// Requests per second before `at_s`.
        before: f64,
        /// Requests per second from `at_s` on.
        after: f64,
        /// Time of the jump, seconds.
        at_s: f64,
    },
    /// Flash crowd: extra load (0 before `at_s`) rising linearly over
    /// `rise_s` to `peak`, then decaying exponentially with time constant
    /// `decay_s`. Add it to a base load with [`Sum`](LoadSpec::Sum).
    FlashCrowd {
        /// Start of the rise, seconds.
        at_s: f64,
        /// Extra requests per second at the top.
        peak: f64,
        /// Duration of the linear rise, seconds (0: a jump).
        rise_s: f64,
        /// Time constant of the exponential decay, seconds (> 0): the
        /// extra load falls to 1/e of `peak` `decay_s` after the top.
        decay_s: f64,
    },
    /// Bursty on/off (a 2-state Markov-modulated process): alternates
    /// between `low` and `high` with exponential sojourn times of means
    /// `mean_low_s` and `mean_high_s`; in the long run it is `high` a share
    /// mean_high_s / (mean_low_s + mean_high_s) of the time. The phase at
    /// time 0 is drawn from that stationary share.
    Bursty {
        /// Requests per second in the low phase.
        low: f64,
        /// Requests per second in the high phase.
        high: f64,
        /// Mean time in the low phase, seconds (> 0).
        mean_low_s: f64,
        /// Mean time in the high phase, seconds (> 0).
        mean_high_s: f64,
    },
    /// The sum of the parts' loads.
    Sum {
        /// At least one part.
        parts: Vec<LoadSpec>,
    },
    /// The product of the parts: one part in requests per second, the
    /// others dimensionless factors (a [`Diurnal`](LoadSpec::Diurnal) with
    /// base 0.5 and amplitude 1 is a daily factor 0.5–1.5, say). Over a
    /// sample interval the parts' interval means are multiplied, which is
    /// exact when at most one part varies within the interval.
    Product {
        /// At least one part.
        parts: Vec<LoadSpec>,
    },
    /// Counting noise: the mean rate over a sample interval of dt seconds
    /// becomes Poisson(rate × dt) / dt (so the noise shrinks as the load
    /// grows, like real arrivals).
    Poisson {
        /// The load whose arrivals are counted.
        of: Box<LoadSpec>,
    },
    /// Multiplicative log-normal noise, drawn afresh each sample interval:
    /// the load is multiplied by exp(sigma·Z), Z standard normal, whose
    /// median is 1 (its mean is exp(sigma²/2)).
    LogNormal {
        /// The load that is made noisy.
        of: Box<LoadSpec>,
        /// Standard deviation of the log of the factor (≥ 0; 0.1 ≈ ±10%).
        sigma: f64,
    },
    /// A recorded series: at `times_s[i]` (seconds from the start, strictly
    /// increasing, ≥ 0) the load is `rps[i]` requests per second, held
    /// until the next point (or linear between points with
    /// `interpolate = true`), held after the last point, and 0 before the
    /// first. With `loop_s` (> the last time) the series repeats with that
    /// period from time 0 on: the gap before the first point of each cycle
    /// then continues the previous cycle (held at the last value, or
    /// interpolated from the last point to the next cycle's first).
    Series {
        /// Times of the points, seconds from the start.
        times_s: Vec<f64>,
        /// Load at each point, requests per second (as many as `times_s`).
        rps: Vec<f64>,
        /// Linear interpolation between points instead of holding.
        #[serde(default)]
        interpolate: bool,
        /// Period of repetition, seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loop_s: Option<f64>,
    },
}

fn one() -> f64 {
    1.0
}

impl LoadSpec {
    /// Whether any part draws random numbers (noise or bursts); a spec
    /// without them gives the same rates whatever the seed.
    pub fn is_random(&self) -> bool {
        match self {
            LoadSpec::Bursty { .. } | LoadSpec::Poisson { .. } | LoadSpec::LogNormal { .. } => true,
            LoadSpec::Sum { parts } | LoadSpec::Product { parts } => {
                parts.iter().any(LoadSpec::is_random)
            }
            _ => false,
        }
    }
}
