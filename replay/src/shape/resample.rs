//! Resampling to a fixed step with a gap rule.
//!
//! The grid is aligned to multiples of the step (epoch based), from the
//! step holding the first sample to the step holding the last. A grid point
//! `g` takes the mean of the samples in `[g, g + step)`; a point with no
//! sample follows the [`GapRule`].

use std::fmt;
use std::str::FromStr;

use crate::error::TraceError;
use crate::model::TraceSeries;

/// What an empty step becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapRule {
    /// The last sample value before the gap (a level that persists, e.g.
    /// utilisation).
    #[default]
    Hold,
    /// 0 (counts: no row means no request).
    Zero,
    /// Linear interpolation between the samples around the gap, at the grid
    /// time.
    Linear,
}

impl FromStr for GapRule {
    type Err = TraceError;

    /// `hold`, `zero` or `linear`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hold" | "last" | "ffill" => Ok(Self::Hold),
            "zero" | "0" => Ok(Self::Zero),
            "linear" | "interpolate" => Ok(Self::Linear),
            _ => Err(TraceError::arg(
                "gap rule",
                s,
                "expected hold, zero or linear",
            )),
        }
    }
}

impl fmt::Display for GapRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Hold => "hold",
            Self::Zero => "zero",
            Self::Linear => "linear",
        })
    }
}

/// Resamples `s` to one point every `step_ms` (see the module rules).
/// Refuses a step <= 0 or a grid of more than [`super::MAX_POINTS`] points.
pub fn resample(s: &TraceSeries, step_ms: i64, rule: GapRule) -> Result<TraceSeries, TraceError> {
    if step_ms <= 0 {
        return Err(TraceError::arg(
            "step",
            step_ms.to_string(),
            "must be positive",
        ));
    }
    let (Some(start), Some(end)) = (s.start_ms(), s.end_ms()) else {
        return Ok(s.clone());
    };
    let g0 = start.div_euclid(step_ms) * step_ms;
    let g_last = end.div_euclid(step_ms) * step_ms;
    let points = ((g_last as i128 - g0 as i128) / step_ms as i128 + 1) as u128;
    if points > super::MAX_POINTS as u128 {
        return Err(TraceError::arg(
            "step",
            step_ms.to_string(),
            format!(
                "would create {points} samples (limit {})",
                super::MAX_POINTS
            ),
        ));
    }
    let (ts, vs) = (&s.timestamps_ms, &s.values);
    let mut out_t = Vec::with_capacity(points as usize);
    let mut out_v = Vec::with_capacity(points as usize);
    let mut i = 0;
    for k in 0..points as i64 {
        let g = g0 + k * step_ms;
        let (mut sum, mut n) = (0.0, 0u32);
        while i < ts.len() && ts[i] < g + step_ms {
            sum += vs[i];
            n += 1;
            i += 1;
        }
        let v = if n > 0 {
            sum / f64::from(n)
        } else {
            // i > 0 here: the first grid step always holds the first sample.
            let prev = i.saturating_sub(1);
            match rule {
                GapRule::Zero => 0.0,
                GapRule::Hold => vs[prev],
                GapRule::Linear => match ts.get(i) {
                    Some(&tn) => {
                        let (tp, vp, vn) = (ts[prev], vs[prev], vs[i]);
                        vp + (vn - vp) * ((g - tp) as f64 / (tn - tp) as f64)
                    }
                    None => vs[prev],
                },
            }
        };
        out_t.push(g);
        out_v.push(v);
    }
    Ok(TraceSeries::new(
        s.resource.clone(),
        s.metric.clone(),
        out_t,
        out_v,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ts: &[i64], vs: &[f64]) -> TraceSeries {
        TraceSeries::new("r", "m", ts.to_vec(), vs.to_vec())
    }

    #[test]
    fn gap_rules_fill_missing_steps() {
        let s = series(&[0, 30, 40], &[10.0, 40.0, 2.0]);
        let z = resample(&s, 10, GapRule::Zero).unwrap();
        assert_eq!(z.timestamps_ms, vec![0, 10, 20, 30, 40]);
        assert_eq!(z.values, vec![10.0, 0.0, 0.0, 40.0, 2.0]);
        assert_eq!(
            resample(&s, 10, GapRule::Hold).unwrap().values,
            vec![10.0, 10.0, 10.0, 40.0, 2.0]
        );
        assert_eq!(
            resample(&s, 10, GapRule::Linear).unwrap().values,
            vec![10.0, 20.0, 30.0, 40.0, 2.0]
        );
    }

    #[test]
    fn downsampling_averages_and_grid_is_epoch_aligned() {
        let s = series(&[5, 15, 25, 35], &[1.0, 3.0, 5.0, 7.0]);
        let r = resample(&s, 20, GapRule::Hold).unwrap();
        assert_eq!(r.timestamps_ms, vec![0, 20]);
        assert_eq!(r.values, vec![2.0, 6.0]);
    }

    #[test]
    fn refuses_bad_steps_and_huge_grids() {
        let s = series(&[0, i64::MAX / 2], &[1.0, 1.0]);
        assert!(resample(&s, 0, GapRule::Zero).is_err());
        assert!(resample(&s, 1, GapRule::Zero).is_err());
        assert!("linear".parse::<GapRule>().is_ok());
        assert!("cubic".parse::<GapRule>().is_err());
    }
}
