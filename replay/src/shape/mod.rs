//! Shaping: pure functions that turn a [`TraceSeries`] into another, and
//! [`ShapeOptions`] to apply a chain of them to a whole [`Trace`].
//!
//! - [`parse`]: `10x`, `90s`, `2h`, window bounds.
//! - [`ops`]: scale, shift, speed-up, loop, window, per-second rates.
//! - [`resample`](mod@resample): fixed step with a [`GapRule`].
//! - [`mapping`]: `series=app` mapping.

pub mod mapping;
pub mod ops;
pub mod parse;
pub mod resample;

pub use mapping::{AppMapping, map_to_apps};
pub use ops::{loop_to, per_second, scale, shift, speed_up, window};
pub use parse::{TimeBound, parse_duration, parse_scale};
pub use resample::{GapRule, resample};

use crate::error::TraceError;
use crate::model::{Trace, TraceSeries};

/// Largest series a shaping step may create (100 million samples, 1.6 GB),
/// so a typo like `--loop 1000y` fails instead of exhausting memory.
pub const MAX_POINTS: usize = 100_000_000;

/// A chain of shaping steps, applied in this order: window, speed-up,
/// loop, shift, scale, resample. `None`/default fields are skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShapeOptions {
    /// Keep samples at or after this bound.
    pub from: Option<TimeBound>,
    /// Keep samples before this bound.
    pub to: Option<TimeBound>,
    /// Time compression factor (> 0; 2 plays twice as fast).
    pub speed_up: Option<f64>,
    /// Repeat until the series covers this many ms from its start.
    pub loop_to_ms: Option<i64>,
    /// Move every sample by this many ms.
    pub shift_ms: Option<i64>,
    /// Multiply every value by this factor (>= 0).
    pub scale: Option<f64>,
    /// Resample to this step (ms) with this gap rule.
    pub resample: Option<(i64, GapRule)>,
}

impl ShapeOptions {
    /// Applies the chain to one series.
    pub fn apply_series(&self, s: &TraceSeries) -> Result<TraceSeries, TraceError> {
        let mut s = if self.from.is_some() || self.to.is_some() {
            window(s, self.from, self.to)
        } else {
            s.clone()
        };
        if let Some(f) = self.speed_up {
            s = speed_up(&s, f)?;
        }
        if let Some(d) = self.loop_to_ms {
            s = loop_to(&s, d)?;
        }
        if let Some(d) = self.shift_ms {
            s = shift(&s, d);
        }
        if let Some(f) = self.scale {
            if !f.is_finite() || f < 0.0 {
                return Err(TraceError::arg(
                    "scale",
                    f.to_string(),
                    "must be a finite factor >= 0",
                ));
            }
            s = scale(&s, f);
        }
        if let Some((step, rule)) = self.resample {
            s = resample(&s, step, rule)?;
        }
        Ok(s)
    }

    /// Applies the chain to every series of `trace`; warnings and source
    /// are kept.
    pub fn apply(&self, trace: &Trace) -> Result<Trace, TraceError> {
        let series = trace
            .series
            .iter()
            .map(|s| self.apply_series(s))
            .collect::<Result<_, _>>()?;
        Ok(Trace {
            source: trace.source.clone(),
            series,
            warnings: trace.warnings.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_runs_in_documented_order() {
        let s = TraceSeries::new(
            "r",
            "m",
            vec![0, 1000, 2000, 3000],
            vec![1.0, 2.0, 3.0, 4.0],
        );
        let opts = ShapeOptions {
            from: Some(TimeBound::Offset(1000)),
            speed_up: Some(2.0),
            shift_ms: Some(10),
            scale: Some(10.0),
            ..Default::default()
        };
        let out = opts.apply_series(&s).unwrap();
        // Window keeps 1000..3000, speed-up halves gaps from 1000, shift adds 10.
        assert_eq!(out.timestamps_ms, vec![1010, 1510, 2010]);
        assert_eq!(out.values, vec![20.0, 30.0, 40.0]);
    }
}
