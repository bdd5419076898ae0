//! The figures compared across runs: every scalar of [`Figures`], with an
//! explicit direction (which way is better) per figure.

use lighthouse_sim::record::Figures;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which way a figure is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Smaller is better (cost, breaches, under/over-provisioning, …).
    Lower,
    /// Larger is better (budget headroom).
    Higher,
    /// Nearer zero is better (jitter: < 0 sluggish, > 0 oscillating).
    CloserToZero,
    /// Context only, not ranked (duration, windows, counts of samples, …).
    None,
}

impl Better {
    /// Short text for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
            Better::CloserToZero => "closer to 0",
            Better::None => "–",
        }
    }

    /// Whether `a` beats `b`: `Some(true)` a wins, `Some(false)` b wins,
    /// `None` a tie (within 1e-12 relative) or not ranked.
    pub fn wins(self, a: f64, b: f64) -> Option<bool> {
        if crate::check::close(a, b, 1e-12) {
            return None;
        }
        match self {
            Better::Lower => Some(a < b),
            Better::Higher => Some(a > b),
            Better::CloserToZero => {
                if crate::check::close(a.abs(), b.abs(), 1e-12) {
                    None
                } else {
                    Some(a.abs() < b.abs())
                }
            }
            Better::None => None,
        }
    }
}

/// The direction of the figure at `key` (a dotted path into `figures`).
pub fn direction(key: &str) -> Better {
    let last = key.rsplit('.').next().unwrap_or(key);
    let context = [
        "duration_s",
        "flap_window_s",
        "epsilon_instances",
        "epsilon_rps",
        "count",
        "supply_changes",
        "demand_changes",
        "spot",
        "on_demand",
    ];
    if context.contains(&last) || key == "cost.budget.per_hour" || key == "cost.budget.total" {
        Better::None
    } else if last == "headroom" {
        Better::Higher
    } else if last == "jitter_per_hour" {
        Better::CloserToZero
    } else {
        Better::Lower
    }
}

/// Every scalar of `figures` as (dotted key, value), in a fixed order.
/// Per-app and per-resource lists are left out (each run's own report
/// has them); per-layer lists are keyed by layer name.
pub fn flatten(figures: &Figures) -> Vec<(String, Option<f64>)> {
    let mut out = Vec::new();
    walk(
        "",
        &serde_json::to_value(figures).unwrap_or(Value::Null),
        &mut out,
    );
    out
}

fn walk(key: &str, v: &Value, out: &mut Vec<(String, Option<f64>)>) {
    let join = |k: &str| {
        if key.is_empty() {
            k.to_owned()
        } else {
            format!("{key}.{k}")
        }
    };
    match v {
        Value::Number(n) => out.push((key.to_owned(), n.as_f64())),
        Value::Null => out.push((key.to_owned(), None)),
        Value::Object(m) => {
            for (k, child) in m {
                walk(&join(k), child, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                if let Some(layer) = item.get("layer").and_then(Value::as_str)
                    && item.get("app").is_none()
                    && item.get("resource_id").is_none()
                {
                    let mut rest = item.clone();
                    if let Value::Object(m) = &mut rest {
                        m.remove("layer");
                    }
                    walk(&join(layer), &rest, out);
                }
            }
        }
        Value::Bool(_) | Value::String(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_are_explicit() {
        assert_eq!(direction("cost.total"), Better::Lower);
        assert_eq!(direction("cost.budget.headroom"), Better::Higher);
        assert_eq!(direction("cost.budget.total"), Better::None);
        assert_eq!(
            direction("elasticity.instances.mean.jitter_per_hour"),
            Better::CloserToZero
        );
        assert_eq!(direction("reaction.signal_to_ready.count"), Better::None);
        assert_eq!(direction("sla.total.any.breaches"), Better::Lower);
    }

    #[test]
    fn wins_follow_the_direction() {
        assert_eq!(Better::Lower.wins(1.0, 2.0), Some(true));
        assert_eq!(Better::Higher.wins(1.0, 2.0), Some(false));
        assert_eq!(Better::CloserToZero.wins(-1.0, 2.0), Some(true));
        assert_eq!(Better::CloserToZero.wins(-2.0, 2.0), None);
        assert_eq!(Better::Lower.wins(1.0, 1.0), None);
        assert_eq!(Better::None.wins(1.0, 2.0), None);
    }
}
