//! The columns of the results table, and a run's row.
//!
//! In order: `run` (index in the whole plan), `seed`, one column per
//! parameter (named by its path), the judged figures — `cost` (money,
//! `cost.total`), `breach_minutes` (`sla.total.any.breach_minutes`, summed
//! over apps), `flaps` (`oscillation.total.flaps`), `flaps_per_day`
//! (flaps ÷ run days) — the marks `pareto`, `feasible` (meets the
//! constraints) and `recommended`, then every scalar of the run's summary
//! figures by its dotted name (`cost.spot`, `reaction.signal_to_ready.p90`,
//! …; per-app and per-layer lists are left out), in name order.

use lighthouse_sim::record::figures::Figures;
use serde_json::Value as Json;
use toml::Value;

use crate::spec::{ParamSpec, ValueSet};
use crate::table::{Cell, ResultTable};

/// Index of the run in the whole plan.
pub const RUN: &str = "run";
/// The run's seed.
pub const SEED: &str = "seed";
/// Total cost, money.
pub const COST: &str = "cost";
/// Minutes in breach of any objective, summed over apps.
pub const BREACH: &str = "breach_minutes";
/// Flaps (reversals inside the flap window), all resources.
pub const FLAPS: &str = "flaps";
/// Flaps per simulated day.
pub const FLAPS_PER_DAY: &str = "flaps_per_day";
/// On the Pareto front over (cost, breach minutes, flaps).
pub const PARETO: &str = "pareto";
/// Meets the constraints.
pub const FEASIBLE: &str = "feasible";
/// The recommended run.
pub const RECOMMENDED: &str = "recommended";

/// How a parameter's column is typed: from its spec, so that every shard
/// of a sweep types it the same way.
fn param_cell(spec: &ParamSpec, value: &Value) -> Cell {
    let numeric_list = |items: &[Value]| items.iter().all(|v| v.is_integer() || v.is_float());
    let as_float = |v: &Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    match &spec.values {
        ValueSet::List(items) if items.iter().all(Value::is_integer) => {
            value.as_integer().map_or(Cell::Null, Cell::Int)
        }
        ValueSet::List(items) if numeric_list(items) => {
            as_float(value).map_or(Cell::Null, Cell::Float)
        }
        ValueSet::List(items) if items.iter().all(Value::is_bool) => {
            value.as_bool().map_or(Cell::Null, Cell::Bool)
        }
        ValueSet::List(_) => Cell::Text(match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        _ => match value {
            Value::Integer(i) => Cell::Int(*i),
            other => as_float(other).map_or(Cell::Null, Cell::Float),
        },
    }
}

/// The figure columns judged by the sweep: (cost, breach minutes, flaps,
/// flaps per day).
pub fn judged(figures: &Figures) -> (f64, f64, u64, f64) {
    let days = figures.duration_s / 86_400.0;
    let flaps = figures.oscillation.total.flaps;
    let per_day = if days > 0.0 { flaps as f64 / days } else { 0.0 };
    (
        figures.cost.total,
        figures.sla.total.any.breach_minutes,
        flaps,
        per_day,
    )
}

/// A run's row (the marks are added once every row is known).
pub fn row(
    index: usize,
    seed: u64,
    params: &[ParamSpec],
    values: &[Value],
    figures: &Figures,
) -> Vec<(String, Cell)> {
    let mut row = vec![
        (RUN.to_string(), Cell::Int(index as i64)),
        (SEED.to_string(), Cell::UInt(seed)),
    ];
    for (p, v) in params.iter().zip(values) {
        row.push((p.path.clone(), param_cell(p, v)));
    }
    let (cost, breach, flaps, per_day) = judged(figures);
    row.push((COST.to_string(), Cell::Float(cost)));
    row.push((BREACH.to_string(), Cell::Float(breach)));
    row.push((FLAPS.to_string(), Cell::Int(flaps as i64)));
    row.push((FLAPS_PER_DAY.to_string(), Cell::Float(per_day)));
    let mut rest = Vec::new();
    if let Ok(json) = serde_json::to_value(figures) {
        flatten("", &json, &mut rest);
    }
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    row.extend(rest);
    row
}

fn flatten(prefix: &str, value: &Json, out: &mut Vec<(String, Cell)>) {
    let name = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Json::Object(map) => {
            for (k, v) in map {
                flatten(&name(k), v, out);
            }
        }
        // Per-app, per-layer and per-resource lists stay in run reports.
        Json::Array(_) => {}
        Json::Null => out.push((prefix.to_string(), Cell::Null)),
        Json::Bool(b) => out.push((prefix.to_string(), Cell::Bool(*b))),
        Json::String(s) => out.push((prefix.to_string(), Cell::Text(s.clone()))),
        Json::Number(n) => out.push((
            prefix.to_string(),
            match (n.as_i64(), n.as_f64()) {
                (Some(i), _) if !n.is_f64() => Cell::Int(i),
                (_, Some(f)) => Cell::Float(f),
                _ => Cell::Null,
            },
        )),
    }
}

/// Puts the columns in the documented order: the fixed ones and the
/// parameters first, every figure after in name order.
pub fn arrange(table: &mut ResultTable, params: &[ParamSpec]) {
    let mut first: Vec<String> = vec![RUN.into(), SEED.into()];
    first.extend(params.iter().map(|p| p.path.clone()));
    first.extend(
        [
            COST,
            BREACH,
            FLAPS,
            FLAPS_PER_DAY,
            PARETO,
            FEASIBLE,
            RECOMMENDED,
        ]
        .map(String::from),
    );
    let mut rest: Vec<String> = table
        .columns
        .iter()
        .map(|c| c.name.clone())
        .filter(|n| !first.contains(n))
        .collect();
    rest.sort();
    first.extend(rest);
    table.reorder_columns(&first);
}
