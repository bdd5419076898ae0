//! Elasticity scores from `timeline_apps`, time-weighted by `dt_s`, per
//! app in instance and requests-per-second units, then averaged per layer
//! and over all apps with polars.

use lighthouse_sim::record::{
    AppElasticity, EPSILON_INSTANCES, EPSILON_RPS, ElasticityAggregate, ElasticityFigures, Layer,
    LayerScores, Scores,
};
use polars::prelude::*;
use serde_json::{Map, Value};

use super::Prepared;
use super::frame::{f64s, if_else_zero, sign, u32s};
use crate::error::{Result, compute};

const WHAT: &str = "elasticity scores";

/// Per-row terms whose sums per app the scores are ratios of, for one
/// unit. Shifts see the previous row of the frame, which is sorted by (app,
/// time); `same` masks the first row of each app.
fn unit_terms(unit: &str, demand: &str, supply: &str, epsilon: f64) -> Vec<Expr> {
    let (d, s, dt) = (col(demand), col(supply), col("dt_s"));
    let same = col("app_idx")
        .shift(lit(1))
        .eq(col("app_idx"))
        .fill_null(lit(false));
    let gap = d.clone() - s.clone();
    let under = if_else_zero(gap.clone().gt(lit(0.0)), gap.clone());
    let over = if_else_zero(gap.clone().lt(lit(0.0)), -gap.clone());
    let floor = when(d.clone().gt(lit(epsilon)))
        .then(d.clone())
        .otherwise(lit(epsilon));
    let ds = sign(s.clone() - s.clone().shift(lit(1)));
    let dd = sign(d.clone() - d.clone().shift(lit(1)));
    let in_transition = |cond: Expr| if_else_zero(same.clone().and(cond), dt.clone());
    let changes =
        |x: Expr| if_else_zero(same.clone().and(x.clone().neq(x.shift(lit(1)))), lit(1.0));
    let name = |n: &str| format!("{unit}/{n}");
    vec![
        (under.clone() * dt.clone()).alias(name("under")),
        (over.clone() * dt.clone()).alias(name("over")),
        (under / floor.clone() * dt.clone()).alias(name("under_norm")),
        (over / floor * dt.clone()).alias(name("over_norm")),
        if_else_zero(gap.clone().gt(lit(0.0)), dt.clone()).alias(name("t_under")),
        if_else_zero(gap.lt(lit(0.0)), dt.clone()).alias(name("t_over")),
        in_transition(lit(true)).alias(name("transitions")),
        in_transition(ds.clone().gt(dd.clone())).alias(name("supply_ahead")),
        in_transition(dd.clone().gt(ds.clone())).alias(name("demand_ahead")),
        in_transition(ds.neq(dd)).alias(name("unlike")),
        changes(s).alias(name("supply_changes")),
        changes(d).alias(name("demand_changes")),
    ]
}

/// Scores of one app from its sums; `capacity` is R in the unit.
fn scores(sums: &dyn Fn(&str) -> f64, observed_s: f64, capacity: f64) -> Scores {
    let over_time = |x: f64| {
        if observed_s > 0.0 {
            x / observed_s
        } else {
            0.0
        }
    };
    let transitions = sums("transitions");
    let over_transitions = |x: f64| {
        if transitions > 0.0 {
            x / transitions
        } else {
            0.0
        }
    };
    let (a_u_norm, a_o_norm) = (over_time(sums("under_norm")), over_time(sums("over_norm")));
    let (t_u, t_o) = (over_time(sums("t_under")), over_time(sums("t_over")));
    let (e_s, e_d) = (sums("supply_changes"), sums("demand_changes"));
    Scores {
        a_u: over_time(sums("under")) / capacity,
        a_o: over_time(sums("over")) / capacity,
        a_u_norm,
        a_o_norm,
        t_u,
        t_o,
        k: over_transitions(sums("supply_ahead")),
        k_prime: over_transitions(sums("demand_ahead")),
        theta_u: 100.0 * a_u_norm,
        theta_o: 100.0 * a_o_norm,
        tau_u: 100.0 * t_u,
        tau_o: 100.0 * t_o,
        upsilon: 100.0 * over_transitions(sums("unlike")),
        jitter_per_hour: if observed_s > 0.0 {
            (e_s - e_d) / (observed_s / 3600.0)
        } else {
            0.0
        },
        supply_changes: e_s,
        demand_changes: e_d,
    }
}

/// Per app, and means per layer and over all apps with rows.
pub(crate) fn elasticity_figures(p: &Prepared) -> Result<ElasticityFigures> {
    let meta = &p.data.meta;
    let mut terms = vec![col("app_idx"), col("dt_s").alias("observed_s")];
    terms.extend(unit_terms(
        "inst",
        "demand_instances",
        "supply_instances",
        EPSILON_INSTANCES,
    ));
    terms.extend(unit_terms("rps", "demand_rps", "supply_rps", EPSILON_RPS));
    let sums = p
        .by_app
        .clone()
        .lazy()
        .select(terms)
        .group_by([col("app_idx")])
        .agg([all().exclude_cols(["app_idx"]).as_expr().sum()])
        .sort(["app_idx"], SortMultipleOptions::default())
        .collect()
        .map_err(compute(WHAT))?;
    let idx = u32s(&sums, "app_idx").map_err(compute(WHAT))?;
    let mut columns = std::collections::BTreeMap::new();
    for c in sums.columns() {
        if c.name() != "app_idx" {
            columns.insert(
                c.name().to_string(),
                f64s(&sums, c.name()).map_err(compute(WHAT))?,
            );
        }
    }
    let mut apps: Vec<(AppElasticity, bool)> = meta
        .apps
        .iter()
        .map(|a| {
            let e = AppElasticity {
                app: a.name.clone(),
                layer: a.layer,
                instances: Scores::default(),
                rps: Scores::default(),
            };
            (e, false)
        })
        .collect();
    for (row, &i) in idx.iter().enumerate() {
        let app = &meta.apps[i as usize];
        let observed = columns["observed_s"][row];
        let r = app.max_capacity.max(1) as f64;
        let inst = |n: &str| columns[&format!("inst/{n}")][row];
        let rps = |n: &str| columns[&format!("rps/{n}")][row];
        let entry = &mut apps[i as usize];
        entry.0.instances = scores(&inst, observed, r);
        entry.0.rps = scores(&rps, observed, r * app.service_rate_rps);
        entry.1 = observed > 0.0;
    }
    let with_rows: Vec<&AppElasticity> = apps
        .iter()
        .filter(|(_, has)| *has)
        .map(|(a, _)| a)
        .collect();
    Ok(ElasticityFigures {
        epsilon_instances: EPSILON_INSTANCES,
        epsilon_rps: EPSILON_RPS,
        instances: aggregate(&with_rows, |a| a.instances)?,
        rps: aggregate(&with_rows, |a| a.rps)?,
        apps: apps.into_iter().map(|(a, _)| a).collect(),
    })
}

/// Unweighted means of the apps' scores, per layer and over all, with a
/// polars group-by over a frame with one column per score.
fn aggregate(
    apps: &[&AppElasticity],
    pick: fn(&AppElasticity) -> Scores,
) -> Result<ElasticityAggregate> {
    let rows: Vec<Map<String, Value>> = apps
        .iter()
        .map(|a| match serde_json::to_value(pick(a)) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        })
        .collect();
    let fields: Vec<String> = match serde_json::to_value(Scores::default()) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let mut cols = vec![
        Series::new(
            "layer".into(),
            apps.iter().map(|a| a.layer.as_str()).collect::<Vec<_>>(),
        )
        .into_column(),
    ];
    for f in &fields {
        let v: Vec<f64> = rows
            .iter()
            .map(|m| m.get(f).and_then(Value::as_f64).unwrap_or(f64::NAN))
            .collect();
        cols.push(Series::new(f.as_str().into(), v).into_column());
    }
    let df = DataFrame::new(apps.len(), cols).map_err(compute(WHAT))?;
    let means = |frame: LazyFrame| -> Result<Option<Scores>> {
        let out = frame
            .select([all().exclude_cols(["layer"]).as_expr().mean()])
            .collect()
            .map_err(compute(WHAT))?;
        let mut obj = Map::new();
        for f in &fields {
            match f64s(&out, f).map_err(compute(WHAT))?.first() {
                Some(v) if v.is_finite() => obj.insert(f.clone(), Value::from(*v)),
                _ => return Ok(None),
            };
        }
        Ok(serde_json::from_value(Value::Object(obj)).ok())
    };
    let by_layer = [Layer::AppInstance, Layer::PlatformComponent]
        .into_iter()
        .map(|layer| {
            let frame = df
                .clone()
                .lazy()
                .filter(col("layer").eq(lit(layer.as_str())));
            Ok(LayerScores {
                layer,
                scores: means(frame)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ElasticityAggregate {
        mean: means(df.lazy())?,
        by_layer,
    })
}
