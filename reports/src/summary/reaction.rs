//! Reaction-time percentiles from `events.parquet`, linking the decision,
//! executed and ready rows of an action by `action_id`.

use lighthouse_sim::record::{Percentiles, ReactionFigures};
use polars::prelude::*;

use super::Prepared;
use super::frame::opt_f64s;
use crate::error::{Result, compute};

const WHAT: &str = "reaction times";

/// Signal → decision → executed → ready, in seconds. Per action: the first
/// decision (and its `signal_since_ms`), the earliest executed and ready rows.
pub(crate) fn reaction_figures(p: &Prepared) -> Result<ReactionFigures> {
    let first_of = |kind: &str| col("t_ms").filter(col("kind").eq(lit(kind))).min();
    let secs = |from: Expr, to: Expr| (to - from).cast(DataType::Float64) / lit(1000.0);
    let known_signal = col("signal").gt_eq(lit(0i64));
    let actions = p
        .data
        .events
        .clone()
        .lazy()
        .filter(col("action_id").gt_eq(lit(0i64)))
        .group_by([col("action_id")])
        .agg([
            first_of("decision").alias("decision"),
            col("signal_since_ms")
                .filter(col("kind").eq(lit("decision")))
                .first()
                .alias("signal"),
            first_of("executed").alias("executed"),
            first_of("ready").alias("ready"),
        ])
        // Group order varies between runs; the mean must not.
        .sort(["action_id"], SortMultipleOptions::default())
        .filter(col("decision").is_not_null())
        .select([
            when(known_signal.clone())
                .then(secs(col("signal"), col("decision")))
                .otherwise(lit(NULL))
                .alias("signal_to_decision"),
            secs(col("decision"), col("executed")).alias("decision_to_executed"),
            secs(col("executed"), col("ready")).alias("executed_to_ready"),
            when(known_signal.and(col("executed").is_not_null()))
                .then(secs(col("signal"), col("ready")))
                .otherwise(lit(NULL))
                .alias("signal_to_ready"),
        ]);
    let stats = |name: &str| {
        [
            col(name)
                .count()
                .cast(DataType::Float64)
                .alias(format!("{name}/count")),
            col(name)
                .quantile(lit(0.5), QuantileMethod::Linear)
                .alias(format!("{name}/p50")),
            col(name)
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias(format!("{name}/p90")),
            col(name)
                .quantile(lit(0.99), QuantileMethod::Linear)
                .alias(format!("{name}/p99")),
            col(name).max().alias(format!("{name}/max")),
        ]
    };
    let names = [
        "signal_to_decision",
        "decision_to_executed",
        "executed_to_ready",
        "signal_to_ready",
    ];
    let actions = actions.collect().map_err(compute(WHAT))?;
    let table = actions
        .clone()
        .lazy()
        .select(names.iter().flat_map(|n| stats(n)).collect::<Vec<_>>())
        .collect()
        .map_err(compute(WHAT))?;
    // The mean in action order, one value after another: polars adds the
    // chunks a parallel group-by left, whose sizes vary between runs.
    let mean_of = |name: &str| -> Result<Option<f64>> {
        let values: Vec<f64> = opt_f64s(&actions, name)
            .map_err(compute(WHAT))?
            .into_iter()
            .flatten()
            .collect();
        Ok((!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64))
    };
    let read = |name: &str| -> Result<Percentiles> {
        let get = |stat: &str| -> Result<Option<f64>> {
            let v = opt_f64s(&table, &format!("{name}/{stat}")).map_err(compute(WHAT))?;
            Ok(v.first().copied().flatten())
        };
        let count = get("count")?.unwrap_or(0.0) as u64;
        if count == 0 {
            return Ok(Percentiles::default());
        }
        Ok(Percentiles {
            count,
            mean: mean_of(name)?,
            p50: get("p50")?,
            p90: get("p90")?,
            p99: get("p99")?,
            max: get("max")?,
        })
    };
    Ok(ReactionFigures {
        signal_to_decision: read(names[0])?,
        decision_to_executed: read(names[1])?,
        executed_to_ready: read(names[2])?,
        signal_to_ready: read(names[3])?,
    })
}
