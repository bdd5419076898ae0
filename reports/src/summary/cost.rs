//! Cost figures from `timeline_cluster`, `timeline_workers` and the apps'
//! CPU requests in `timeline_apps`.

use lighthouse_sim::record::{
    AppCost, BudgetFigures, CostFigures, Layer, LayerCost, WorkerTypeCost,
};
use polars::prelude::*;

use super::Prepared;
use super::frame::{f64s, i64s, if_else_zero, u32s};
use crate::error::{Result, compute};

const WHAT: &str = "cost figures";

/// Totals, spot part, peak rate, budget, and the split by worker type,
/// layer and app. Each row's cost × CPU utilisation is shared by the apps
/// of the same `t_ms` in proportion to allocated instances × `cpu_cores`;
/// the rest (all of it when no app requested CPU) is idle.
pub(crate) fn cost_figures(p: &Prepared) -> Result<CostFigures> {
    let meta = &p.data.meta;
    let hours = meta.duration_s() / 3600.0;
    let t_ms = i64s(&p.apps, "t_ms").map_err(compute(WHAT))?;
    let allocated = f64s(&p.apps, "allocated_instances").map_err(compute(WHAT))?;
    let cores = f64s(&p.apps, "cpu_cores").map_err(compute(WHAT))?;
    // The CPU requested at each time, summed in one order on every run (a
    // parallel group-by adds a bucket's rows in an order that changes the
    // last bits, and with them every app's share).
    let mut requested = std::collections::BTreeMap::<i64, f64>::new();
    p.visit_in_time(|row, _| {
        *requested.entry(t_ms[row]).or_insert(0.0) += allocated[row] * cores[row];
    });
    let requests_by_t = DataFrame::new(
        requested.len(),
        vec![
            Series::new("t_ms".into(), requested.keys().copied().collect::<Vec<_>>()).into_column(),
            Series::new(
                "requested".into(),
                requested.values().copied().collect::<Vec<_>>(),
            )
            .into_column(),
        ],
    )
    .map_err(compute(WHAT))?
    .lazy();
    let used = when(col("cluster_cpu_utilization").gt(lit(100.0)))
        .then(lit(1.0))
        .when(col("cluster_cpu_utilization").lt(lit(0.0)))
        .then(lit(0.0))
        .otherwise(col("cluster_cpu_utilization") / lit(100.0));
    let has_requests = col("requested").gt(lit(0.0));
    let cluster = p
        .data
        .cluster
        .clone()
        .lazy()
        .left_join(requests_by_t, col("t_ms"), col("t_ms"))
        .with_column(col("requested").fill_null(lit(0.0)))
        .with_columns([
            used.clone().alias("used"),
            when(has_requests.clone())
                .then(col("cost") * (lit(1.0) - used.clone()))
                .otherwise(col("cost"))
                .alias("idle"),
            if_else_zero(has_requests, col("cost") * used / col("requested")).alias("per_core"),
        ]);
    let budget = meta.budget_per_hour.unwrap_or(f64::INFINITY);
    let totals = cluster
        .clone()
        .select([
            col("cost").sum().alias("total"),
            col("cost_spot").sum().alias("spot"),
            col("idle").sum().alias("idle"),
            col("cost_rate_per_hour")
                .max()
                .fill_null(lit(0.0))
                .alias("peak"),
            if_else_zero(col("cost_rate_per_hour").gt(lit(budget)), col("dt_s"))
                .sum()
                .alias("over_s"),
        ])
        .collect()
        .map_err(compute(WHAT))?;
    let one = |name: &str| -> Result<f64> {
        Ok(f64s(&totals, name)
            .map_err(compute(WHAT))?
            .first()
            .copied()
            .unwrap_or(0.0))
    };
    let (total, spot, idle, peak, over_s) = (
        one("total")?,
        one("spot")?,
        one("idle")?,
        one("peak")?,
        one("over_s")?,
    );

    // Each app's share, summed in time order per app so that the figure is
    // the same on every run (a parallel join and group-by add the rows in
    // an order that changes the last bits).
    let shares = cluster
        .select([col("t_ms"), col("per_core")])
        .collect()
        .map_err(compute(WHAT))?;
    let per_core_at: std::collections::HashMap<i64, f64> = i64s(&shares, "t_ms")
        .map_err(compute(WHAT))?
        .into_iter()
        .zip(f64s(&shares, "per_core").map_err(compute(WHAT))?)
        .collect();
    let mut app_cost = vec![0.0; meta.apps.len()];
    // Rows of one bucket come together in a file in time order: look each
    // bucket's share up once, not once per app.
    let mut bucket = (i64::MIN, None);
    p.visit_in_time(|row, app| {
        if bucket.0 != t_ms[row] {
            bucket = (t_ms[row], per_core_at.get(&t_ms[row]).copied());
        }
        if let Some(per_core) = bucket.1 {
            app_cost[app] += allocated[row] * cores[row] * per_core;
        }
    });
    let mut by_layer = LayerCost {
        worker_idle: idle,
        ..LayerCost::default()
    };
    let by_app = meta
        .apps
        .iter()
        .zip(app_cost)
        .map(|(a, cost)| {
            if a.layer == Layer::PlatformComponent {
                by_layer.platform_component += cost;
            } else {
                by_layer.app_instance += cost;
            }
            AppCost {
                app: a.name.clone(),
                layer: a.layer,
                cost,
            }
        })
        .collect();

    let budget = meta.budget_per_hour.map(|per_hour| {
        let budget_total = per_hour * hours;
        BudgetFigures {
            per_hour,
            total: budget_total,
            headroom: budget_total - total,
            used_share: if budget_total > 0.0 {
                total / budget_total
            } else {
                0.0
            },
            over_budget_minutes: over_s / 60.0,
        }
    });
    Ok(CostFigures {
        total,
        spot,
        on_demand: total - spot,
        mean_rate_per_hour: if hours > 0.0 { total / hours } else { 0.0 },
        peak_rate_per_hour: peak,
        by_layer,
        by_worker_type: worker_types(p)?,
        by_app,
        budget,
    })
}

fn worker_types(p: &Prepared) -> Result<Vec<WorkerTypeCost>> {
    // Summed in file order, so that the figures are the same on every run.
    let w = &p.data.workers;
    let get = |name: &str| f64s(w, name).map_err(compute(WHAT));
    let (type_of, cost, count, dt) = (
        u32s(w, "type_idx").map_err(compute(WHAT))?,
        get("cost")?,
        get("count")?,
        get("dt_s")?,
    );
    let n = p.data.meta.worker_types.len();
    let (mut sums, mut count_s, mut observed) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for (row, &k) in type_of.iter().enumerate() {
        let k = k as usize;
        sums[k] += cost[row];
        count_s[k] += count[row] * dt[row];
        observed[k] += dt[row];
    }
    let types = &p.data.meta.worker_types;
    let mut out: Vec<WorkerTypeCost> = types
        .iter()
        .map(|t| WorkerTypeCost {
            worker_type: t.name.clone(),
            spot: t.spot,
            cost: 0.0,
            mean_count: 0.0,
        })
        .collect();
    for (k, row) in out.iter_mut().enumerate() {
        row.cost = sums[k];
        if observed[k] > 0.0 {
            row.mean_count = count_s[k] / observed[k];
        }
    }
    Ok(out)
}
