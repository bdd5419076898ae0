//! The comparison's files: `compare.json`, `compare.md`, `compare.html` and
//! overlay plots of demand, supply and spending rate.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use polars::prelude::*;

use super::Comparison;
use crate::doc::{Table, num, opt};
use crate::error::{Result, compute, io};
use crate::html::Page;
use crate::load::RunData;
use crate::options::ReportOptions;
use crate::plots::line::{Line, LineChart, PALETTE};
use crate::plots::{Plot, Reduce, downsample, save};
use crate::summary::{Summary, frame};
use crate::write::write_json;

/// Writes the comparison's JSON, Markdown, HTML and plots into `dir`.
pub(crate) fn write_outputs(
    c: &Comparison,
    runs: &[(RunData, Summary)],
    dir: &Path,
    options: &ReportOptions,
) -> Result<()> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    write_json(&dir.join("compare.json"), c)?;
    let tables = tables(c);
    let mut md = String::from("# Lighthouse run comparison\n\n");
    let _ = writeln!(md, "Baseline: **{}**.\n", c.runs[c.baseline].label);
    for t in &tables {
        md.push_str(&t.markdown());
    }
    let md_path = dir.join("compare.md");
    fs::write(&md_path, md).map_err(io(&md_path))?;

    let plots = if options.plots {
        overlay_plots(runs, dir, options.max_plot_points)?
    } else {
        Vec::new()
    };
    let title = "Lighthouse run comparison";
    let mut page = Page::new(
        title,
        &format!(
            "{} runs, baseline {}",
            c.runs.len(),
            c.runs[c.baseline].label
        ),
    );
    page.section("Ranking and elastic speedup");
    for t in &tables[..3] {
        page.table(t);
    }
    if !plots.is_empty() {
        page.section("Overlays");
        for p in &plots {
            page.plot(p);
        }
    }
    page.section("Every figure");
    for t in &tables[3..] {
        page.table(t);
    }
    let html_path = dir.join("compare.html");
    fs::write(&html_path, page.finish(title)).map_err(io(&html_path))
}

fn tables(c: &Comparison) -> Vec<Table> {
    let labels: Vec<&str> = c.runs.iter().map(|r| r.label.as_str()).collect();
    let mut runs = Table::new(
        "Runs",
        "",
        &["run", "scenario", "mode", "seed", "directory"],
    );
    for (i, r) in c.runs.iter().enumerate() {
        let name = if i == c.baseline {
            format!("{} (baseline)", r.label)
        } else {
            r.label.clone()
        };
        let mode = format!("{:?}", r.mode).to_lowercase();
        runs.row(vec![
            name,
            r.scenario.clone(),
            mode,
            r.seed.to_string(),
            r.dir.clone(),
        ]);
    }
    let mut ranking = Table::new(
        "Pairwise ranking",
        "For every pair of runs and every ranked figure, the better value wins a point; runs are ranked by \
         their share of wins.",
        &["rank", "run", "wins", "losses", "ties", "share of wins"],
    );
    for r in &c.ranking {
        ranking.row(vec![
            r.rank.to_string(),
            r.run.clone(),
            r.wins.to_string(),
            r.losses.to_string(),
            r.ties.to_string(),
            format!("{}%", num(100.0 * r.share)),
        ]);
    }
    let mut speedup = Table::new(
        "Elastic speedup over the baseline (higher is better)",
        "Geometric mean of θ_U, θ_O, τ_U, τ_O of the baseline over the run's (mean over apps).",
        &["run", "instance units", "rps units"],
    );
    for s in &c.elastic_speedup {
        speedup.row(vec![s.run.clone(), opt(s.instances), opt(s.rps)]);
    }
    let mut headers = vec!["figure", "better"];
    headers.extend(labels.iter().copied());
    let mut figures = Table::new(
        "Figures side by side",
        "Keys as in summary.json's figures; the best value of a ranked figure is marked ★.",
        &headers,
    );
    for m in &c.metrics {
        let mut row = vec![m.key.clone(), m.better.as_str().to_owned()];
        for (i, v) in m.values.iter().enumerate() {
            let star = if m.best.contains(&i) && m.best.len() < m.values.len() {
                " ★"
            } else {
                ""
            };
            row.push(format!("{}{star}", opt(*v)));
        }
        figures.row(row);
    }
    vec![runs, ranking, speedup, figures]
}

fn overlay_plots(runs: &[(RunData, Summary)], dir: &Path, max: usize) -> Result<Vec<Plot>> {
    let plot_dir = dir.join("plots");
    fs::create_dir_all(&plot_dir).map_err(io(&plot_dir))?;
    let mut supply = Vec::new();
    let mut cost = Vec::new();
    for (i, (data, summary)) in runs.iter().enumerate() {
        let _ = summary;
        let label = data
            .dir
            .file_name()
            .map_or_else(|| format!("run {i}"), |n| n.to_string_lossy().into_owned());
        let totals = data
            .apps
            .clone()
            .lazy()
            .group_by([col("t_ms")])
            .agg([col("demand_instances").sum(), col("supply_instances").sum()])
            .sort(["t_ms"], SortMultipleOptions::default())
            .collect()
            .map_err(compute("overlay plots"))?;
        let get = |df: &DataFrame, n: &str| frame::f64s(df, n).map_err(compute("overlay plots"));
        let start = data.meta.start_ms as f64;
        let hours = |t: Vec<f64>| {
            t.into_iter()
                .map(|t| (t - start) / 3_600_000.0)
                .collect::<Vec<_>>()
        };
        let pts = |x: &[f64], y: Vec<f64>| {
            downsample(
                &x.iter().copied().zip(y).collect::<Vec<_>>(),
                max,
                Reduce::Mean,
            )
        };
        let x = hours(get(&totals, "t_ms")?);
        let color = PALETTE[i % PALETTE.len()];
        if i == 0 {
            let demand = pts(&x, get(&totals, "demand_instances")?);
            supply.push(Line {
                label: format!("demand ({label})"),
                color: PALETTE[7],
                points: demand,
            });
        }
        supply.push(Line {
            label: format!("supply: {label}"),
            color,
            points: pts(&x, get(&totals, "supply_instances")?),
        });
        let cx = hours(get(&data.cluster, "t_ms")?);
        cost.push(Line {
            label,
            color,
            points: pts(&cx, get(&data.cluster, "cost_rate_per_hour")?),
        });
    }
    let chart = |title: &str, y: &str, lines: Vec<Line>| LineChart {
        title: title.into(),
        y_label: y.into(),
        lines,
        shaded: vec![],
        shaded_label: String::new(),
        reference: None,
    };
    Ok(vec![
        save(
            &chart("Demand and supply, all apps", "instances", supply),
            &plot_dir,
            "overlay_supply",
        )?,
        save(
            &chart("Spending rate", "money per hour", cost),
            &plot_dir,
            "overlay_cost",
        )?,
    ])
}
