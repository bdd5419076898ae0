//! A recorded series as piecewise-linear segments with running integrals,
//! so an interval mean is two binary searches and no walk over points.

/// One piece: from `start` the rate is `value + slope·(t − start)`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Segment {
    /// Start, seconds (from the run's start, or into the period).
    start: f64,
    /// Rate at `start`, requests per second.
    value: f64,
    /// Change of rate, requests per second per second.
    slope: f64,
    /// Integral of the rate from the first segment's start to `start`, requests.
    cum: f64,
}

impl Segment {
    #[inline]
    fn value_at(&self, t: f64) -> f64 {
        self.value + self.slope * (t - self.start)
    }

    /// Integral from the origin to `t` (≥ start).
    #[inline]
    fn cum_at(&self, t: f64) -> f64 {
        let d = t - self.start;
        self.cum + d * (self.value + 0.5 * self.slope * d)
    }
}

/// A compiled [`LoadSpec::Series`](super::LoadSpec::Series).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Series {
    /// Sorted by start. Unlooped: from the first point on, the last one
    /// open-ended. Looped: covering [0, period).
    segments: Vec<Segment>,
    /// Loop period, seconds.
    period: Option<f64>,
    /// Integral over one period, requests (looped only).
    per_period: f64,
}

impl Series {
    /// Compiles points (assumed valid; see `LoadSpec::validate`). Bad input
    /// gives a meaningless but panic-free series: extra values are
    /// ignored and a non-positive period means no loop.
    pub fn new(times: &[f64], rps: &[f64], interpolate: bool, loop_s: Option<f64>) -> Self {
        let n = times.len().min(rps.len());
        let (times, rps) = (&times[..n], &rps[..n]);
        let period = loop_s.filter(|p| p.is_finite() && *p > 0.0);
        let mut segments = Vec::with_capacity(n + 1);
        if n == 0 {
            return Series {
                segments,
                period: None,
                per_period: 0.0,
            };
        }
        let slope = |t0: f64, v0: f64, t1: f64, v1: f64| {
            if interpolate {
                (v1 - v0) / (t1 - t0)
            } else {
                0.0
            }
        };
        let (t_first, v_first) = (times[0], rps[0]);
        let (t_last, v_last) = (times[n - 1], rps[n - 1]);
        // Looped, the last point continues into the next cycle's first.
        let wrap_slope = period.map(|p| slope(t_last, v_last, t_first + p, v_first));
        // Looped with a gap before the first point: the wrap fills it.
        let wrap = period.zip(wrap_slope).filter(|_| t_first > 0.0);
        if let Some((p, s)) = wrap {
            segments.push(Segment {
                start: 0.0,
                value: v_last + s * (p - t_last),
                slope: s,
                cum: 0.0,
            });
        }
        for i in 0..n {
            let s = if i + 1 < n {
                slope(times[i], rps[i], times[i + 1], rps[i + 1])
            } else {
                wrap_slope.unwrap_or(0.0)
            };
            segments.push(Segment {
                start: times[i],
                value: rps[i],
                slope: s,
                cum: 0.0,
            });
        }
        for i in 1..segments.len() {
            let prev = segments[i - 1];
            segments[i].cum = prev.cum_at(segments[i].start);
        }
        let per_period = match period {
            Some(p) => segments[segments.len() - 1].cum_at(p),
            None => 0.0,
        };
        Series {
            segments,
            period,
            per_period,
        }
    }

    /// The segment holding `t`, or None before the first one.
    #[inline]
    fn segment(&self, t: f64) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.start <= t);
        i.checked_sub(1).and_then(|i| self.segments.get(i))
    }

    /// Splits `t` into (whole periods, time into the period).
    #[inline]
    fn fold(&self, t: f64, period: f64) -> (f64, f64) {
        let k = (t / period).floor();
        let tau = (t - k * period).clamp(0.0, period);
        (k, tau)
    }

    /// Integral from the series' origin to `t` (within one period when looped).
    #[inline]
    fn cum_at(&self, t: f64) -> f64 {
        self.segment(t).map_or(0.0, |s| s.cum_at(t))
    }

    /// The rate at time `t`, requests per second.
    pub fn value_at(&self, t: f64) -> f64 {
        let t = match self.period {
            Some(p) => self.fold(t, p).1,
            None => t,
        };
        self.segment(t).map_or(0.0, |s| s.value_at(t))
    }

    /// The integral of the rate over [a, b), requests.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        match self.period {
            None => self.cum_at(b) - self.cum_at(a),
            Some(p) => {
                // Whole periods apart are counted apart, so that months in
                // do not cancel large running integrals.
                let (ka, ta) = self.fold(a, p);
                let (kb, tb) = self.fold(b, p);
                (kb - ka) * self.per_period + self.cum_at(tb) - self.cum_at(ta)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean(s: &Series, a: f64, b: f64) -> f64 {
        s.integral(a, b) / (b - a)
    }

    #[test]
    fn held_series() {
        let s = Series::new(&[10.0, 20.0, 30.0], &[1.0, 2.0, 4.0], false, None);
        assert_eq!(s.value_at(5.0), 0.0);
        assert_eq!(s.value_at(10.0), 1.0);
        assert_eq!(s.value_at(19.9), 1.0);
        assert_eq!(s.value_at(25.0), 2.0);
        assert_eq!(s.value_at(1e6), 4.0);
        assert!((mean(&s, 0.0, 20.0) - 0.5).abs() < 1e-12);
        assert!((mean(&s, 15.0, 25.0) - 1.5).abs() < 1e-12);
        assert!((mean(&s, 1e6, 1e6 + 10.0) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn interpolated_series() {
        let s = Series::new(&[0.0, 10.0], &[0.0, 10.0], true, None);
        assert_eq!(s.value_at(5.0), 5.0);
        assert_eq!(s.value_at(50.0), 10.0);
        assert!((mean(&s, 0.0, 10.0) - 5.0).abs() < 1e-12);
        assert!((mean(&s, 5.0, 15.0) - 8.75).abs() < 1e-12);
    }

    #[test]
    fn looped_held_series() {
        // A 100 s cycle: 0 rps from the wrap, 6 from 20 s, 2 from 60 s.
        let s = Series::new(&[20.0, 60.0], &[6.0, 2.0], false, Some(100.0));
        assert_eq!(s.value_at(10.0), 2.0); // the previous cycle's last value
        assert_eq!(s.value_at(30.0), 6.0);
        assert_eq!(s.value_at(130.0), 6.0);
        assert_eq!(s.value_at(1_000_070.0), 2.0);
        let cycle = 20.0 * 2.0 + 40.0 * 6.0 + 40.0 * 2.0;
        assert!((s.integral(0.0, 100.0) - cycle).abs() < 1e-9);
        assert!((s.integral(50.0, 350.0) - 3.0 * cycle).abs() < 1e-9);
        assert!((mean(&s, 1e7 + 25.0, 1e7 + 35.0) - 6.0).abs() < 1e-6);
    }

    #[test]
    fn looped_interpolated_series_wraps_linearly() {
        // Points at 25 s (0 rps) and 75 s (10 rps), period 100 s: from 75 s
        // the rate falls back to 0 at 125 s, passing 5 at 100 s.
        let s = Series::new(&[25.0, 75.0], &[0.0, 10.0], true, Some(100.0));
        assert!((s.value_at(0.0) - 5.0).abs() < 1e-12);
        assert!((s.value_at(100.0) - 5.0).abs() < 1e-12);
        assert!((s.value_at(90.0) - 7.0).abs() < 1e-12);
        assert!((s.value_at(50.0) - 5.0).abs() < 1e-12);
        // The cycle is a triangle wave between 0 and 10: mean 5.
        assert!((mean(&s, 0.0, 100.0) - 5.0).abs() < 1e-12);
        assert!((mean(&s, 37.0, 437.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input_does_not_panic() {
        let s = Series::new(&[], &[], false, None);
        assert_eq!(s.value_at(3.0), 0.0);
        assert_eq!(s.integral(0.0, 10.0), 0.0);
        let s = Series::new(&[5.0, 1.0, 3.0], &[1.0, 2.0], true, Some(-1.0));
        let _ = s.value_at(2.0);
        let _ = s.integral(0.0, 10.0);
    }
}
