//! The report's charts, built from the prepared run and its figures.

use std::collections::BTreeMap;
use std::path::Path;

use lighthouse_sim::record::{Layer, RunMeta};
use polars::prelude::*;

use super::line::{Line, LineChart, PALETTE};
use super::scale_events::{EventChart, Mark};
use super::{Plot, Reduce, downsample, save, slug};
use crate::error::{Result, compute};
use crate::options::ReportOptions;
use crate::summary::{Prepared, Summary, frame};

const WHAT: &str = "plot data";

/// Most resources in the scale-event timeline.
const EVENT_ROWS: usize = 20;

fn hours(meta: &RunMeta, t_ms: &[f64]) -> Vec<f64> {
    t_ms.iter()
        .map(|t| (t - meta.start_ms as f64) / 3_600_000.0)
        .collect()
}

fn line(label: &str, color: usize, x: &[f64], y: &[f64], max: usize, reduce: Reduce) -> Line {
    let pts: Vec<(f64, f64)> = x.iter().copied().zip(y.iter().copied()).collect();
    Line {
        label: label.to_owned(),
        color: PALETTE[color],
        points: downsample(&pts, max, reduce),
    }
}

fn chart(title: String, y_label: &str, lines: Vec<Line>) -> LineChart {
    LineChart {
        title,
        y_label: y_label.to_owned(),
        lines,
        shaded: vec![],
        shaded_label: String::new(),
        reference: None,
    }
}

/// Draws every chart of the report into `dir` (PNG and SVG) and returns them.
pub(crate) fn report_plots(
    p: &Prepared,
    summary: &Summary,
    options: &ReportOptions,
    dir: &Path,
) -> Result<Vec<Plot>> {
    let meta = &p.data.meta;
    let max = options.max_plot_points;
    let mut plots = Vec::new();
    for (code, layer) in [Layer::AppInstance, Layer::PlatformComponent]
        .into_iter()
        .enumerate()
    {
        if !meta.apps.iter().any(|a| a.layer == layer) {
            continue;
        }
        let df = p
            .apps
            .clone()
            .lazy()
            .filter(col("layer_code").eq(lit(code as i32)))
            .group_by([col("t_ms")])
            .agg([
                col("demand_instances").sum(),
                col("supply_instances").sum(),
                col("allocated_instances").sum(),
            ])
            .sort(["t_ms"], SortMultipleOptions::default())
            .collect()
            .map_err(compute(WHAT))?;
        let get = |n: &str| frame::f64s(&df, n).map_err(compute(WHAT));
        let x = hours(meta, &get("t_ms")?);
        let lines = vec![
            line(
                "demand (instances meeting the SLO)",
                1,
                &x,
                &get("demand_instances")?,
                max,
                Reduce::Mean,
            ),
            line(
                "supply (ready instances)",
                0,
                &x,
                &get("supply_instances")?,
                max,
                Reduce::Mean,
            ),
            line(
                "capacity (ready + starting)",
                2,
                &x,
                &get("allocated_instances")?,
                max,
                Reduce::Mean,
            ),
        ];
        let title = format!("{}: demand, supply and capacity", layer.as_str());
        plots.push(save(
            &chart(title, "instances", lines),
            dir,
            &format!("demand_supply_{}", layer.as_str()),
        )?);
    }
    plots.push(save(
        &workers_chart(p, max)?,
        dir,
        "demand_supply_worker_node",
    )?);
    for app in top_apps(summary, options.top_apps) {
        plots.extend(app_plots(p, app, max, dir)?);
    }
    plots.push(save(&cost_chart(p, max)?, dir, "cost")?);
    plots.push(save(&events_chart(p)?, dir, "scale_events")?);
    Ok(plots)
}

/// The apps worth a closer look: most breach time, then most cost.
pub(crate) fn top_apps(summary: &Summary, n: usize) -> Vec<usize> {
    let f = &summary.figures;
    let mut order: Vec<usize> = (0..f.sla.apps.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                f.sla.apps[i].stats.any.breach_minutes,
                f.cost.by_app.get(i).map_or(0.0, |c| c.cost),
            )
        };
        let (ka, kb) = (key(a), key(b));
        kb.0.total_cmp(&ka.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(a.cmp(&b))
    });
    order.truncate(n);
    order
}

fn workers_chart(p: &Prepared, max: usize) -> Result<LineChart> {
    let c = &p.data.cluster;
    let get = |n: &str| frame::f64s(c, n).map_err(compute(WHAT));
    let x = hours(&p.data.meta, &get("t_ms")?);
    let workers = get("workers")?;
    let util = get("cluster_cpu_utilization")?;
    let demand: Vec<f64> = workers
        .iter()
        .zip(&util)
        .map(|(w, u)| w * u / 100.0)
        .collect();
    let capacity: Vec<f64> = workers
        .iter()
        .zip(get("workers_provisioning")?)
        .map(|(w, p)| w + p)
        .collect();
    let lines = vec![
        line(
            "demand (workers' worth of requested CPU)",
            1,
            &x,
            &demand,
            max,
            Reduce::Mean,
        ),
        line("supply (ready workers)", 0, &x, &workers, max, Reduce::Mean),
        line(
            "capacity (ready + provisioning)",
            2,
            &x,
            &capacity,
            max,
            Reduce::Mean,
        ),
        line(
            "pending workloads",
            3,
            &x,
            &get("pending_workloads")?,
            max,
            Reduce::Max,
        ),
    ];
    Ok(chart(
        "worker_node: demand, supply and capacity".into(),
        "workers",
        lines,
    ))
}

fn app_plots(p: &Prepared, app: usize, max: usize, dir: &Path) -> Result<Vec<Plot>> {
    let meta = &p.data.meta;
    let a = &meta.apps[app];
    let rows = p.app_frame(app).map_err(compute(WHAT))?;
    let get = |n: &str| frame::f64s(&rows, n).map_err(compute(WHAT));
    let x = hours(meta, &get("t_ms")?);
    let lines = vec![
        line(
            "demand (instances meeting the SLO)",
            1,
            &x,
            &get("demand_instances")?,
            max,
            Reduce::Mean,
        ),
        line(
            "supply (ready instances)",
            0,
            &x,
            &get("supply_instances")?,
            max,
            Reduce::Mean,
        ),
        line(
            "capacity (ready + starting)",
            2,
            &x,
            &get("allocated_instances")?,
            max,
            Reduce::Mean,
        ),
        line(
            "engine target",
            3,
            &x,
            &get("target_instances")?,
            max,
            Reduce::Mean,
        ),
    ];
    let stem = slug(&a.name);
    let supply = chart(
        format!("{}: demand, supply and capacity", a.name),
        "instances",
        lines,
    );
    let dt = get("dt_s")?;
    let shaded = spans(&x, &dt, &get("breach_s")?);
    let latency = LineChart {
        title: format!("{}: latency against its SLO", a.name),
        y_label: "milliseconds".into(),
        lines: vec![
            line(
                "p95 latency (mean)",
                0,
                &x,
                &get("latency_p95_ms")?,
                max,
                Reduce::Max,
            ),
            line(
                "p95 latency (max)",
                1,
                &x,
                &get("latency_p95_max_ms")?,
                max,
                Reduce::Max,
            ),
        ],
        shaded,
        shaded_label: "SLO breach".into(),
        reference: Some((
            a.slo.latency_ms,
            format!(
                "SLO: p{} ≤ {} ms",
                a.slo.latency_percentile, a.slo.latency_ms
            ),
        )),
    };
    Ok(vec![
        save(&supply, dir, &format!("app_{stem}_supply"))?,
        save(&latency, dir, &format!("app_{stem}_latency"))?,
    ])
}

/// Merged [start, end) hour spans of rows with breach seconds.
fn spans(x: &[f64], dt_s: &[f64], breach_s: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for i in 0..x.len() {
        if breach_s[i] <= 0.0 {
            continue;
        }
        let (a, b) = (x[i], x[i] + dt_s[i] / 3600.0);
        match out.last_mut() {
            Some(last) if (last.1 - a).abs() < 1e-9 => last.1 = b,
            _ => out.push((a, b)),
        }
    }
    out
}

fn cost_chart(p: &Prepared, max: usize) -> Result<LineChart> {
    let c = &p.data.cluster;
    let get = |n: &str| frame::f64s(c, n).map_err(compute(WHAT));
    let x = hours(&p.data.meta, &get("t_ms")?);
    let mut chart = chart(
        "Spending rate".into(),
        "money per hour",
        vec![
            line(
                "total",
                0,
                &x,
                &get("cost_rate_per_hour")?,
                max,
                Reduce::Mean,
            ),
            line(
                "spot",
                2,
                &x,
                &get("cost_rate_spot_per_hour")?,
                max,
                Reduce::Mean,
            ),
        ],
    );
    chart.reference = p
        .data
        .meta
        .budget_per_hour
        .map(|b| (b, format!("budget {b} per hour")));
    Ok(chart)
}

fn events_chart(p: &Prepared) -> Result<EventChart> {
    let meta = &p.data.meta;
    let ev = p
        .data
        .events
        .clone()
        .lazy()
        .filter(
            col("kind")
                .eq(lit("executed"))
                .and(col("direction").neq(lit(""))),
        )
        .select([col("t_ms"), col("resource_id"), col("direction")])
        .collect()
        .map_err(compute(WHAT))?;
    let t = frame::f64s(&ev, "t_ms").map_err(compute(WHAT))?;
    let ids = frame::strings(&ev, "resource_id").map_err(compute(WHAT))?;
    let dirs = frame::strings(&ev, "direction").map_err(compute(WHAT))?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &ids {
        *counts.entry(id).or_default() += 1;
    }
    let mut busiest: Vec<(&str, usize)> = counts.into_iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    busiest.truncate(EVENT_ROWS);
    let rows: Vec<String> = busiest.iter().map(|(id, _)| id.to_string()).collect();
    let window_ms = p.flap_window_ms as f64;
    let mut last: BTreeMap<&str, (bool, f64)> = BTreeMap::new();
    let mut marks = Vec::new();
    for i in 0..t.len() {
        let up = dirs[i] == "up";
        let flap = matches!(last.get(ids[i].as_str()), Some(&(prev, pt)) if prev != up && t[i] - pt <= window_ms);
        last.insert(&ids[i], (up, t[i]));
        if let Some(row) = rows.iter().position(|r| *r == ids[i]) {
            marks.push(Mark {
                hours: (t[i] - meta.start_ms as f64) / 3_600_000.0,
                row,
                up,
                flap,
            });
        }
    }
    Ok(EventChart {
        title: format!("Scale actions (busiest {} resources)", rows.len()),
        rows,
        marks,
        hours: meta.duration_s() / 3600.0,
    })
}

#[cfg(test)]
mod tests {
    use super::spans;

    #[test]
    fn adjacent_breached_rows_merge_into_one_span() {
        let x = [0.0, 0.5, 1.0, 1.5];
        let dt = [1800.0; 4];
        assert_eq!(
            spans(&x, &dt, &[10.0, 5.0, 0.0, 1.0]),
            vec![(0.0, 1.0), (1.5, 2.0)]
        );
    }
}
