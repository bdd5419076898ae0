//! The deterministic shapes, with exact interval means (closed-form
//! integrals), so a step or a flash crowd that starts mid-interval counts
//! for the part of the interval it covers.

use std::f64::consts::PI;

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;
/// Angular frequency of the daily cycle, radians per second.
const OMEGA: f64 = 2.0 * PI / DAY_S;

/// A deterministic load shape; rates in requests per second, times in
/// seconds from the start.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Constant(f64),
    Diurnal(Diurnal),
    Ramp {
        from: f64,
        to: f64,
        start: f64,
        end: f64,
    },
    Step {
        before: f64,
        after: f64,
        at: f64,
    },
    Flash {
        at: f64,
        peak: f64,
        rise: f64,
        decay: f64,
    },
}

/// The daily cycle with its weekend factor.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Diurnal {
    pub base: f64,
    pub amplitude: f64,
    /// Peak time of day, seconds after local midnight.
    pub peak_s: f64,
    pub weekend_factor: f64,
    /// Local time minus UTC, seconds.
    pub offset_s: f64,
}

/// [x0, x1) = [a, b) ∩ [lo, hi), if not empty.
#[inline]
fn overlap(a: f64, b: f64, lo: f64, hi: f64) -> Option<(f64, f64)> {
    let (x0, x1) = (a.max(lo), b.min(hi));
    (x1 > x0).then_some((x0, x1))
}

impl Shape {
    /// The rate at time `t`, requests per second.
    pub fn value_at(&self, t: f64) -> f64 {
        match *self {
            Shape::Constant(v) => v,
            Shape::Diurnal(ref d) => d.value_at(t),
            Shape::Ramp {
                from,
                to,
                start,
                end,
            } => {
                if t >= end {
                    to
                } else if t <= start {
                    from
                } else {
                    from + (to - from) * (t - start) / (end - start)
                }
            }
            Shape::Step { before, after, at } => {
                if t < at {
                    before
                } else {
                    after
                }
            }
            Shape::Flash {
                at,
                peak,
                rise,
                decay,
            } => {
                let top = at + rise;
                if t < at {
                    0.0
                } else if t < top {
                    peak * (t - at) / rise
                } else {
                    peak * (-(t - top) / decay).exp()
                }
            }
        }
    }

    /// The integral of the rate over [a, b), requests (b > a).
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        match *self {
            Shape::Constant(v) => v * (b - a),
            Shape::Diurnal(ref d) => d.integral(a, b),
            Shape::Ramp {
                from,
                to,
                start,
                end,
            } => {
                let mut sum = 0.0;
                if let Some((x0, x1)) = overlap(a, b, f64::NEG_INFINITY, start) {
                    sum += from * (x1 - x0);
                }
                if let Some((x0, x1)) = overlap(a, b, start, end) {
                    sum += 0.5 * (self.value_at(x0) + self.value_at(x1)) * (x1 - x0);
                }
                if let Some((x0, x1)) = overlap(a, b, end.max(start), f64::INFINITY) {
                    sum += to * (x1 - x0);
                }
                sum
            }
            Shape::Step { before, after, at } => {
                let mut sum = 0.0;
                if let Some((x0, x1)) = overlap(a, b, f64::NEG_INFINITY, at) {
                    sum += before * (x1 - x0);
                }
                if let Some((x0, x1)) = overlap(a, b, at, f64::INFINITY) {
                    sum += after * (x1 - x0);
                }
                sum
            }
            Shape::Flash {
                at,
                peak,
                rise,
                decay,
            } => {
                let top = at + rise;
                let mut sum = 0.0;
                if let Some((x0, x1)) = overlap(a, b, at, top) {
                    sum += 0.5 * peak * ((x0 - at) + (x1 - at)) / rise * (x1 - x0);
                }
                if let Some((x0, x1)) = overlap(a, b, top, f64::INFINITY) {
                    // peak·decay·(e^{−u0} − e^{−u1}), written with expm1 so
                    // that short intervals keep their precision.
                    let u0 = (x0 - top) / decay;
                    let du = (x1 - x0) / decay;
                    sum += peak * decay * (-u0).exp() * -(-du).exp_m1();
                }
                sum
            }
        }
    }
}

/// sin x, by its Taylor series for the small angles of one sample interval
/// (half an interval of a day is a few 1e-4 rad; the error is below 1e-15
/// relative under 0.05 rad), so an interval costs one libm call, not two.
#[inline]
fn small_sin(x: f64) -> f64 {
    if x.abs() < 0.05 {
        let x2 = x * x;
        x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0)))
    } else {
        x.sin()
    }
}

impl Diurnal {
    /// Whether local day number `day` (0 = Monday of week 0) is a Saturday or Sunday.
    #[inline]
    fn is_weekend(day: f64) -> bool {
        (day as i64).rem_euclid(7) >= 5
    }

    fn value_at(&self, t: f64) -> f64 {
        let local = t + self.offset_s;
        let day = (local / DAY_S).floor();
        let u = local - day * DAY_S;
        let shape = 0.5 * (1.0 + (OMEGA * (u - self.peak_s)).cos());
        let v = self.base + self.amplitude * shape;
        if Self::is_weekend(day) {
            v * self.weekend_factor
        } else {
            v
        }
    }

    /// Integral over [u0, u1) within one day (seconds after local
    /// midnight): the constant part plus the cosine's closed form, with
    /// sin A − sin B = 2 cos((A+B)/2) sin((A−B)/2) to keep short intervals
    /// precise.
    #[inline]
    fn day_integral(&self, u0: f64, u1: f64) -> f64 {
        let a = OMEGA * (u1 - self.peak_s);
        let b = OMEGA * (u0 - self.peak_s);
        let sin_diff = 2.0 * (0.5 * (a + b)).cos() * small_sin(0.5 * (a - b));
        (self.base + 0.5 * self.amplitude) * (u1 - u0) + 0.5 * self.amplitude * sin_diff / OMEGA
    }

    /// Integral over [a, b), split at local midnights because the weekend
    /// factor changes there.
    fn integral(&self, a: f64, b: f64) -> f64 {
        let end = b + self.offset_s;
        let mut x = a + self.offset_s;
        let mut sum = 0.0;
        while x < end {
            let day = (x / DAY_S).floor();
            let day_start = day * DAY_S;
            let seg_end = (day_start + DAY_S).min(end);
            if seg_end <= x {
                // Rounding at a day boundary; cannot progress.
                break;
            }
            let part = self.day_integral(x - day_start, seg_end - day_start);
            sum += if Self::is_weekend(day) {
                part * self.weekend_factor
            } else {
                part
            };
            x = seg_end;
        }
        sum
    }
}

#[cfg(test)]
#[path = "shape_tests.rs"]
mod tests;
