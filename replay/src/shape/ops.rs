//! Pure reshaping of one series: amplitude, shift, speed-up, loop, window,
//! and per-second rates. Each returns a new series and keeps the
//! invariant (strictly ascending timestamps, finite values).

use crate::error::TraceError;
use crate::model::TraceSeries;
use crate::shape::parse::TimeBound;

/// Multiplies every value by `factor` (from [`super::parse_scale`]).
pub fn scale(s: &TraceSeries, factor: f64) -> TraceSeries {
    let mut out = s.clone();
    for v in &mut out.values {
        *v *= factor;
    }
    out
}

/// Moves every sample by `delta_ms` (negative moves earlier); saturates at
/// the ends of the i64 range instead of wrapping.
pub fn shift(s: &TraceSeries, delta_ms: i64) -> TraceSeries {
    let mut out = s.clone();
    for t in &mut out.timestamps_ms {
        *t = t.saturating_add(delta_ms);
    }
    dedupe_mean(out)
}

/// Compresses time by `factor` around the first sample: a sample `d` ms
/// after the start moves to `d / factor`. Values are unchanged (a rate
/// stays a rate); samples that land on the same millisecond are averaged.
/// `factor` must be finite and > 0.
pub fn speed_up(s: &TraceSeries, factor: f64) -> Result<TraceSeries, TraceError> {
    if !factor.is_finite() || factor <= 0.0 {
        return Err(TraceError::arg(
            "speed-up",
            factor.to_string(),
            "must be a finite factor > 0",
        ));
    }
    let Some(start) = s.start_ms() else {
        return Ok(s.clone());
    };
    let mut out = s.clone();
    for t in &mut out.timestamps_ms {
        let d = (*t - start) as f64 / factor;
        *t = start.saturating_add(d.round().clamp(i64::MIN as f64, i64::MAX as f64) as i64);
    }
    Ok(dedupe_mean(out))
}

/// Repeats the series until it covers `target_ms` from its start, then
/// cuts it there. One period is the span from the first to the last sample
/// plus the last sampling interval, so copies follow each other at the
/// native step. A series with one sample repeats it every `target_ms`, i.e.
/// it is returned unchanged.
pub fn loop_to(s: &TraceSeries, target_ms: i64) -> Result<TraceSeries, TraceError> {
    if target_ms <= 0 {
        return Err(TraceError::arg(
            "loop duration",
            target_ms.to_string(),
            "must be positive",
        ));
    }
    let n = s.len();
    if n < 2 {
        return Ok(s.clone());
    }
    let (start, end) = (s.timestamps_ms[0], s.timestamps_ms[n - 1]);
    let step = end - s.timestamps_ms[n - 2];
    let period = (end - start).saturating_add(step);
    let copies = (target_ms / period.max(1)).saturating_add(1);
    let points = (copies as u128) * (n as u128);
    if points > super::MAX_POINTS as u128 {
        return Err(TraceError::arg(
            "loop duration",
            target_ms.to_string(),
            format!(
                "would create {points} samples (limit {})",
                super::MAX_POINTS
            ),
        ));
    }
    let stop = start.saturating_add(target_ms);
    let mut out = TraceSeries::new(s.resource.clone(), s.metric.clone(), Vec::new(), Vec::new());
    'copies: for k in 0..copies {
        let offset = period.saturating_mul(k);
        for (&t, &v) in s.timestamps_ms.iter().zip(&s.values) {
            let t = t.saturating_add(offset);
            if t >= stop {
                break 'copies;
            }
            out.timestamps_ms.push(t);
            out.values.push(v);
        }
    }
    Ok(out)
}

/// Keeps the samples with `from <= t < to`; a bound given as an offset is
/// counted from the series' first sample. `None` leaves that side open.
pub fn window(s: &TraceSeries, from: Option<TimeBound>, to: Option<TimeBound>) -> TraceSeries {
    let start = s.start_ms().unwrap_or(0);
    let lo = from.map_or(i64::MIN, |b| b.resolve(start));
    let hi = to.map_or(i64::MAX, |b| b.resolve(start));
    let a = s.timestamps_ms.partition_point(|&t| t < lo);
    let b = s.timestamps_ms.partition_point(|&t| t < hi).max(a);
    TraceSeries::new(
        s.resource.clone(),
        s.metric.clone(),
        s.timestamps_ms[a..b].to_vec(),
        s.values[a..b].to_vec(),
    )
}

/// Converts counts per `period_ms` (e.g. invocations per minute) into a
/// rate per second, renaming `<x>_per_minute`/`_per_hour` to
/// `<x>_per_second` (or appending `_per_second`).
pub fn per_second(s: &TraceSeries, period_ms: i64) -> Result<TraceSeries, TraceError> {
    if period_ms <= 0 {
        return Err(TraceError::arg(
            "period",
            period_ms.to_string(),
            "must be positive",
        ));
    }
    let mut out = scale(s, 1000.0 / period_ms as f64);
    let base = ["_per_minute", "_per_hour", "_per_second"]
        .iter()
        .find_map(|suffix| s.metric.strip_suffix(suffix))
        .unwrap_or(&s.metric);
    out.metric = format!("{base}_per_second");
    Ok(out)
}

/// Restores strict ordering after a time transform: sorts (stable) and
/// averages the values of equal timestamps.
fn dedupe_mean(mut s: TraceSeries) -> TraceSeries {
    if s.timestamps_ms.windows(2).all(|w| w[0] < w[1]) {
        return s;
    }
    let mut pairs: Vec<(i64, f64)> = s
        .timestamps_ms
        .iter()
        .copied()
        .zip(s.values.iter().copied())
        .collect();
    pairs.sort_by_key(|p| p.0);
    s.timestamps_ms.clear();
    s.values.clear();
    let mut i = 0;
    while i < pairs.len() {
        let t = pairs[i].0;
        let mut j = i;
        let mut sum = 0.0;
        while j < pairs.len() && pairs[j].0 == t {
            sum += pairs[j].1;
            j += 1;
        }
        s.timestamps_ms.push(t);
        s.values.push(sum / (j - i) as f64);
        i = j;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ts: &[i64], vs: &[f64]) -> TraceSeries {
        TraceSeries::new("r", "requests_per_minute", ts.to_vec(), vs.to_vec())
    }

    #[test]
    fn scale_and_shift() {
        let s = series(&[0, 60_000], &[2.0, 4.0]);
        assert_eq!(scale(&s, 10.0).values, vec![20.0, 40.0]);
        assert_eq!(shift(&s, -1000).timestamps_ms, vec![-1000, 59_000]);
    }

    #[test]
    fn speed_up_compresses_and_merges_collisions() {
        let s = series(&[1000, 1001, 1002, 3000], &[1.0, 3.0, 5.0, 7.0]);
        let f = speed_up(&s, 1000.0).unwrap();
        assert_eq!(f.timestamps_ms, vec![1000, 1002]);
        assert_eq!(f.values, vec![3.0, 7.0]);
        assert!(speed_up(&s, 0.0).is_err());
    }

    #[test]
    fn loop_repeats_at_native_step_and_cuts() {
        let s = series(&[0, 10, 20], &[1.0, 2.0, 3.0]);
        let l = loop_to(&s, 70).unwrap();
        assert_eq!(l.timestamps_ms, vec![0, 10, 20, 30, 40, 50, 60]);
        assert_eq!(l.values, vec![1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]);
        assert!(loop_to(&s, 0).is_err());
        assert!(loop_to(&s, i64::MAX).is_err());
    }

    #[test]
    fn window_accepts_offsets_and_instants() {
        let s = series(&[100, 200, 300, 400], &[1.0, 2.0, 3.0, 4.0]);
        let w = window(
            &s,
            Some(TimeBound::Offset(100)),
            Some(TimeBound::Absolute(400)),
        );
        assert_eq!(w.timestamps_ms, vec![200, 300]);
        assert_eq!(
            window(
                &s,
                Some(TimeBound::Absolute(500)),
                Some(TimeBound::Absolute(0))
            )
            .len(),
            0
        );
    }

    #[test]
    fn per_second_renames_and_divides() {
        let s = series(&[0], &[120.0]);
        let r = per_second(&s, 60_000).unwrap();
        assert_eq!(r.metric, "requests_per_second");
        assert_eq!(r.values, vec![2.0]);
    }
}
