//! Elasticity scores from `timeline_apps`, time-weighted by `dt_s`, per
//! app in instance and requests-per-second units, then averaged per layer
//! and over all apps with polars.
//!
//! The per-app sums are one pass over the rows in time order, with each
//! app's running sums and previous row: the scores need each row's
//! predecessor in time, and a month of 1,000 apps is millions of rows,
//! where two dozen full-length polars expressions and a group-by cost
//! seconds and gigabytes.

use lighthouse_sim::record::{
    AppElasticity, EPSILON_INSTANCES, EPSILON_RPS, ElasticityAggregate, ElasticityFigures, Layer,
    LayerScores, Scores,
};
use polars::prelude::*;
use serde_json::{Map, Value};

use super::Prepared;
use super::frame::f64s;
use crate::error::{Result, compute};

const WHAT: &str = "elasticity scores";

/// Time-weighted sums of one app's rows in one unit, whose ratios are the
/// scores.
#[derive(Clone, Copy, Debug, Default)]
struct UnitSums {
    /// Σ under-provisioning × dt (unit·s).
    under: f64,
    /// Σ over-provisioning × dt (unit·s).
    over: f64,
    /// Σ under-provisioning ÷ max(demand, ε) × dt (s).
    under_norm: f64,
    /// Σ over-provisioning ÷ max(demand, ε) × dt (s).
    over_norm: f64,
    /// Seconds under-provisioned.
    t_under: f64,
    /// Seconds over-provisioned.
    t_over: f64,
    /// Seconds of rows with a predecessor.
    transitions: f64,
    /// Of those, seconds where supply moved up relative to demand.
    supply_ahead: f64,
    /// … where demand moved up relative to supply.
    demand_ahead: f64,
    /// … where they moved differently.
    unlike: f64,
    /// Rows where supply changed.
    supply_changes: f64,
    /// Rows where demand changed.
    demand_changes: f64,
}

fn sign(x: f64) -> i8 {
    i8::from(x > 0.0) - i8::from(x < 0.0)
}

impl UnitSums {
    /// Adds a row of `dt` seconds; `prev` is the app's previous row
    /// (demand, supply), `None` for its first.
    fn add(&mut self, demand: f64, supply: f64, dt: f64, prev: Option<(f64, f64)>, epsilon: f64) {
        let gap = demand - supply;
        let floor = if demand > epsilon { demand } else { epsilon };
        if gap > 0.0 {
            self.under += gap * dt;
            self.under_norm += gap / floor * dt;
            self.t_under += dt;
        } else if gap < 0.0 {
            self.over -= gap * dt;
            self.over_norm -= gap / floor * dt;
            self.t_over += dt;
        }
        if let Some((d0, s0)) = prev {
            let (ds, dd) = (sign(supply - s0), sign(demand - d0));
            self.transitions += dt;
            if ds > dd {
                self.supply_ahead += dt;
            }
            if dd > ds {
                self.demand_ahead += dt;
            }
            if ds != dd {
                self.unlike += dt;
            }
            self.supply_changes += f64::from(u8::from(supply != s0));
            self.demand_changes += f64::from(u8::from(demand != d0));
        }
    }
}

/// One app's running sums: observed seconds, the instance and
/// requests-per-second units, and its previous row's (demand, supply) in
/// each unit.
#[derive(Clone, Copy, Debug, Default)]
struct AppSums {
    observed_s: f64,
    inst: UnitSums,
    rps: UnitSums,
    prev: Option<[(f64, f64); 2]>,
}

/// Scores of one app from its sums over `observed_s` seconds; `capacity`
/// is R in the unit.
fn scores(sums: &UnitSums, observed_s: f64, capacity: f64) -> Scores {
    let over_time = |x: f64| {
        if observed_s > 0.0 {
            x / observed_s
        } else {
            0.0
        }
    };
    let transitions = sums.transitions;
    let over_transitions = |x: f64| {
        if transitions > 0.0 {
            x / transitions
        } else {
            0.0
        }
    };
    let (a_u_norm, a_o_norm) = (over_time(sums.under_norm), over_time(sums.over_norm));
    let (t_u, t_o) = (over_time(sums.t_under), over_time(sums.t_over));
    let (e_s, e_d) = (sums.supply_changes, sums.demand_changes);
    Scores {
        a_u: over_time(sums.under) / capacity,
        a_o: over_time(sums.over) / capacity,
        a_u_norm,
        a_o_norm,
        t_u,
        t_o,
        k: over_transitions(sums.supply_ahead),
        k_prime: over_transitions(sums.demand_ahead),
        theta_u: 100.0 * a_u_norm,
        theta_o: 100.0 * a_o_norm,
        tau_u: 100.0 * t_u,
        tau_o: 100.0 * t_o,
        upsilon: 100.0 * over_transitions(sums.unlike),
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
    let column = |name: &str| f64s(&p.apps, name).map_err(compute(WHAT));
    let [dt, d_inst, s_inst, d_rps, s_rps] = [
        column("dt_s")?,
        column("demand_instances")?,
        column("supply_instances")?,
        column("demand_rps")?,
        column("supply_rps")?,
    ];
    let mut sums = vec![AppSums::default(); meta.apps.len()];
    p.visit_in_time(|r, app| {
        let a = &mut sums[app];
        let now = [(d_inst[r], s_inst[r]), (d_rps[r], s_rps[r])];
        a.observed_s += dt[r];
        let prev = a.prev.map(|p| p[0]);
        a.inst
            .add(now[0].0, now[0].1, dt[r], prev, EPSILON_INSTANCES);
        let prev = a.prev.map(|p| p[1]);
        a.rps.add(now[1].0, now[1].1, dt[r], prev, EPSILON_RPS);
        a.prev = Some(now);
    });
    let apps: Vec<(AppElasticity, bool)> = meta
        .apps
        .iter()
        .zip(&sums)
        .map(|(app, s)| {
            let r = app.max_capacity.max(1) as f64;
            let e = AppElasticity {
                app: app.name.clone(),
                layer: app.layer,
                instances: scores(&s.inst, s.observed_s, r),
                rps: scores(&s.rps, s.observed_s, r * app.service_rate_rps),
            };
            (e, s.observed_s > 0.0)
        })
        .collect();
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
