//! The forecasting model: MSTL (multiple seasonal-trend decomposition by
//! LOESS) from augurs, with augurs' naive trend — the forecast is the last
//! deseasonalised level plus each season's latest cycle.
//!
//! augurs' AutoETS trend model is not used: its linear-algebra dependencies
//! change the features of crates the trace readers share, which would
//! rebuild polars.

use augurs_core::{Fit, Predict};
use augurs_mstl::MSTLModel;

/// Forecasts the `horizon` steps after `history` (one value per step,
/// oldest first) with seasonal periods `periods` (in steps). Values are
/// clamped at 0 (rates and counts are never negative).
pub fn forecast(history: &[f64], periods: &[usize], horizon: usize) -> Result<Vec<f64>, String> {
    let longest = periods.iter().copied().max().unwrap_or(0);
    if periods.is_empty() || longest < 2 {
        return Err("no seasonal period of at least two steps".to_string());
    }
    if history.len() < 2 * longest {
        return Err(format!(
            "{} steps of history, the model needs {} (two of the longest season)",
            history.len(),
            2 * longest
        ));
    }
    let model = MSTLModel::naive(periods.to_vec());
    let fitted = model.fit(history).map_err(|e| e.to_string())?;
    let out = fitted.predict(horizon, None).map_err(|e| e.to_string())?;
    Ok(out
        .point
        .into_iter()
        .map(|v| if v.is_finite() { v.max(0.0) } else { 0.0 })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daily_cycle_is_carried_forward() {
        // 24 steps a day, three days of a sawtooth-like daily cycle.
        let day = |k: usize| 100.0 + 50.0 * ((k % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
        let history: Vec<f64> = (0..72).map(day).collect();
        let f = forecast(&history, &[24], 24).unwrap();
        assert_eq!(f.len(), 24);
        for (k, v) in f.iter().enumerate() {
            assert!(
                (v - day(72 + k)).abs() < 10.0,
                "step {k}: {v} vs {}",
                day(72 + k)
            );
        }
    }

    #[test]
    fn too_little_history_is_an_error_not_a_panic() {
        assert!(forecast(&[1.0; 30], &[24], 4).is_err());
        assert!(forecast(&[1.0; 30], &[], 4).is_err());
    }
}
