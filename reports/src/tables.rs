//! The report's CSV files, each listing every app, resource or bucket.

use std::path::Path;

use lighthouse_sim::record::{BreachStats, Scores};

use crate::csv::write_csv;
use crate::error::{Result, compute};
use crate::summary::{Prepared, Summary, frame};

/// The CSV files `write_tables` writes, in order.
pub const CSV_FILES: [&str; 7] = [
    "sla_apps.csv",
    "cost_breakdown.csv",
    "cost_by_app.csv",
    "cost_by_worker_type.csv",
    "cost_over_time.csv",
    "oscillation_resources.csv",
    "elasticity_apps.csv",
];

/// The scores of [`Scores`] with their `summary.json` names, in order.
pub(crate) fn score_fields(s: &Scores) -> [(&'static str, f64); 16] {
    [
        ("a_u", s.a_u),
        ("a_o", s.a_o),
        ("a_u_norm", s.a_u_norm),
        ("a_o_norm", s.a_o_norm),
        ("t_u", s.t_u),
        ("t_o", s.t_o),
        ("k", s.k),
        ("k_prime", s.k_prime),
        ("theta_u", s.theta_u),
        ("theta_o", s.theta_o),
        ("tau_u", s.tau_u),
        ("tau_o", s.tau_o),
        ("upsilon", s.upsilon),
        ("jitter_per_hour", s.jitter_per_hour),
        ("supply_changes", s.supply_changes),
        ("demand_changes", s.demand_changes),
    ]
}

/// The fields of [`BreachStats`] with their names, in order.
pub(crate) fn breach_fields(b: &BreachStats) -> [(&'static str, f64); 5] {
    [
        ("breaches", b.breaches as f64),
        ("breach_minutes", b.breach_minutes),
        ("share_of_time", b.share_of_time),
        ("requests_affected", b.requests_affected),
        ("longest_breach_s", b.longest_breach_s),
    ]
}

fn s(x: f64) -> String {
    x.to_string()
}

/// Writes every file of [`CSV_FILES`] into `dir`.
pub(crate) fn write_tables(p: &Prepared, summary: &Summary, dir: &Path) -> Result<()> {
    let f = &summary.figures;
    let kinds = ["any", "latency", "drop_rate"];
    let mut header: Vec<String> = [
        "app",
        "layer",
        "slo_latency_percentile",
        "slo_latency_ms",
        "slo_max_drop_rate",
        "observed_s",
        "requests",
        "dropped",
        "drop_rate",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    for k in kinds {
        header.extend(
            breach_fields(&BreachStats::default())
                .iter()
                .map(|(n, _)| format!("{k}_{n}")),
        );
    }
    let rows: Vec<Vec<String>> = f
        .sla
        .apps
        .iter()
        .map(|a| {
            let mut r = vec![
                a.app.clone(),
                a.layer.as_str().into(),
                s(a.slo.latency_percentile),
                s(a.slo.latency_ms),
                s(a.slo.max_drop_rate),
                s(a.observed_s),
                s(a.requests),
                s(a.dropped),
                s(a.drop_rate),
            ];
            for b in [&a.stats.any, &a.stats.latency, &a.stats.drop_rate] {
                r.extend(breach_fields(b).iter().map(|(_, v)| s(*v)));
            }
            r
        })
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    write_csv(&dir.join(CSV_FILES[0]), &header_refs, &rows)?;

    let c = &f.cost;
    let parts = [
        ("total", c.total),
        ("spot", c.spot),
        ("on_demand", c.on_demand),
        ("app_instance", c.by_layer.app_instance),
        ("platform_component", c.by_layer.platform_component),
        ("worker_idle", c.by_layer.worker_idle),
    ];
    let rows: Vec<Vec<String>> = parts
        .iter()
        .map(|(n, v)| vec![n.to_string(), s(*v)])
        .collect();
    write_csv(&dir.join(CSV_FILES[1]), &["part", "cost"], &rows)?;
    let rows: Vec<Vec<String>> = c
        .by_app
        .iter()
        .map(|a| vec![a.app.clone(), a.layer.as_str().into(), s(a.cost)])
        .collect();
    write_csv(&dir.join(CSV_FILES[2]), &["app", "layer", "cost"], &rows)?;
    let rows: Vec<Vec<String>> = c
        .by_worker_type
        .iter()
        .map(|w| {
            vec![
                w.worker_type.clone(),
                w.spot.to_string(),
                s(w.cost),
                s(w.mean_count),
            ]
        })
        .collect();
    write_csv(
        &dir.join(CSV_FILES[3]),
        &["worker_type", "spot", "cost", "mean_count"],
        &rows,
    )?;
    write_csv(
        &dir.join(CSV_FILES[4]),
        &COST_OVER_TIME,
        &cost_over_time(p)?,
    )?;

    let rows: Vec<Vec<String>> = f
        .oscillation
        .resources
        .iter()
        .map(|r| {
            let k = &r.counts;
            vec![
                r.resource_id.clone(),
                r.layer.as_str().into(),
                k.up.to_string(),
                k.down.to_string(),
                s(k.up_per_hour),
                s(k.down_per_hour),
                k.reversals.to_string(),
                k.flaps.to_string(),
            ]
        })
        .collect();
    let header = [
        "resource_id",
        "layer",
        "up",
        "down",
        "up_per_hour",
        "down_per_hour",
        "reversals",
        "flaps",
    ];
    write_csv(&dir.join(CSV_FILES[5]), &header, &rows)?;

    let mut header = vec!["app", "layer", "unit"];
    header.extend(score_fields(&Scores::default()).iter().map(|(n, _)| *n));
    let mut rows = Vec::new();
    for a in &f.elasticity.apps {
        for (unit, sc) in [("instances", &a.instances), ("rps", &a.rps)] {
            let mut r = vec![a.app.clone(), a.layer.as_str().into(), unit.into()];
            r.extend(score_fields(sc).iter().map(|(_, v)| s(*v)));
            rows.push(r);
        }
    }
    write_csv(&dir.join(CSV_FILES[6]), &header, &rows)
}

const COST_OVER_TIME: [&str; 8] = [
    "t_ms",
    "hours",
    "dt_s",
    "cost",
    "cost_spot",
    "cost_rate_per_hour",
    "cost_rate_spot_per_hour",
    "cumulative_cost",
];

fn cost_over_time(p: &Prepared) -> Result<Vec<Vec<String>>> {
    let c = &p.data.cluster;
    let get = |n: &str| frame::f64s(c, n).map_err(compute("cost over time"));
    let (t, dt, cost, spot, rate, rate_spot) = (
        get("t_ms")?,
        get("dt_s")?,
        get("cost")?,
        get("cost_spot")?,
        get("cost_rate_per_hour")?,
        get("cost_rate_spot_per_hour")?,
    );
    let start = p.data.meta.start_ms as f64;
    let mut cumulative = 0.0;
    Ok((0..t.len())
        .map(|i| {
            cumulative += cost[i];
            vec![
                (t[i] as i64).to_string(),
                s((t[i] - start) / 3_600_000.0),
                s(dt[i]),
                s(cost[i]),
                s(spot[i]),
                s(rate[i]),
                s(rate_spot[i]),
                s(cumulative),
            ]
        })
        .collect())
}
