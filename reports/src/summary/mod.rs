//! `compute_summary`: every figure of [`Figures`] from the *stored*
//! timeline and event table, with polars. This is independent code from
//! the recorder's streaming accumulators, so that at full resolution the
//! two check each other ([`crate::check`]).
//!
//! Rows carry their own weight (`dt_s`), so coarser timelines give
//! approximations: means of buckets stand for their samples, a breach is a
//! run of consecutive breached rows, and the cost split uses bucket means.

mod cost;
mod elasticity;
pub(crate) mod frame;
mod oscillation;
mod reaction;
mod sla;

use lighthouse_sim::record::{FORMAT_VERSION, Figures, Layer, RunMeta, RunMode};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::check::{StreamCheck, check_stream};
use crate::error::{Result, compute};
use crate::load::RunData;
use crate::options::ReportOptions;

/// `summary.json`: the run, its figures, and how they agree with the
/// recorder's stream summary. Keys are documented in `reports/README.md`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Format version of the writer.
    pub format_version: u32,
    /// What was run.
    pub run: RunInfo,
    /// Every figure, from the stored timeline.
    pub figures: Figures,
    /// Agreement with `stream_summary.json`.
    pub stream_check: StreamCheck,
}

/// What was run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Scenario name.
    pub scenario: String,
    /// Where the numbers came from.
    pub mode: RunMode,
    /// Seed.
    pub seed: u64,
    /// Start, Unix epoch milliseconds.
    pub start_ms: i64,
    /// End, Unix epoch milliseconds.
    pub end_ms: i64,
    /// Metric sample spacing, seconds.
    pub sample_interval_s: f64,
    /// Stored timeline bucket length, seconds.
    pub timeline_resolution_s: f64,
    /// Apps of layer `app_instance`.
    pub apps: usize,
    /// Apps of layer `platform_component`.
    pub platform_components: usize,
    /// Worker types.
    pub worker_types: usize,
    /// Rows of `timeline_apps.parquet`.
    pub timeline_rows: usize,
    /// Rows of `events.parquet`.
    pub events: usize,
}

/// The apps table with the per-app constants the figures need as columns,
/// and each app's rows in time order, shared by every figure's
/// computation. The table stays in file order: sums need no order, and
/// reordering every column of millions of rows by app costs seconds.
pub(crate) struct Prepared<'a> {
    pub(crate) data: &'a RunData,
    /// `timeline_apps` in file order, plus the app's `cpu_cores` (f64) and
    /// `layer_code` (i32, position in `Layer::ALL`).
    pub(crate) apps: DataFrame,
    /// `apps`' `app_idx` column, in file order.
    pub(crate) app_idx: Vec<u32>,
    /// Whether the file's rows are in time order (the format's order).
    pub(crate) time_sorted: bool,
    /// Row numbers of `apps` grouped by app (apps in index order), each
    /// app's rows in time order.
    pub(crate) order: Vec<IdxSize>,
    /// Per app, its part `start..end` of `order` (empty without rows).
    pub(crate) app_rows: Vec<(usize, usize)>,
    /// Flap window, seconds.
    pub(crate) flap_window_s: f64,
    /// Flap window, milliseconds.
    pub(crate) flap_window_ms: i64,
}

/// Computes every figure from the stored timeline and events.
pub fn compute_summary(data: &RunData, options: &ReportOptions) -> Result<Summary> {
    summarise(&prepare(data, options)?, options)
}

/// [`compute_summary`] on an already prepared run.
pub(crate) fn summarise(p: &Prepared, options: &ReportOptions) -> Result<Summary> {
    let data = p.data;
    let meta = &data.meta;
    let figures = Figures {
        duration_s: meta.duration_s(),
        cost: cost::cost_figures(p)?,
        sla: sla::sla_figures(p)?,
        oscillation: oscillation::oscillation_figures(p, p.flap_window_s)?,
        elasticity: elasticity::elasticity_figures(p)?,
        reaction: reaction::reaction_figures(p)?,
    };
    let stream_check = check_stream(meta, data.stream.as_ref(), &figures, options.tolerance);
    Ok(Summary {
        format_version: FORMAT_VERSION,
        run: run_info(data),
        figures,
        stream_check,
    })
}

fn run_info(data: &RunData) -> RunInfo {
    let m: &RunMeta = &data.meta;
    let count = |layer| m.apps.iter().filter(|a| a.layer == layer).count();
    RunInfo {
        scenario: m.scenario.clone(),
        mode: m.mode,
        seed: m.seed,
        start_ms: m.start_ms,
        end_ms: m.end_ms,
        sample_interval_s: m.sample_interval_s,
        timeline_resolution_s: m.timeline_resolution_s,
        apps: count(Layer::AppInstance),
        platform_components: count(Layer::PlatformComponent),
        worker_types: m.worker_types.len(),
        timeline_rows: data.apps.height(),
        events: data.events.height(),
    }
}

/// Adds the per-app constants to the apps table and orders its rows by
/// (app, time).
pub(crate) fn prepare<'a>(data: &'a RunData, options: &ReportOptions) -> Result<Prepared<'a>> {
    const WHAT: &str = "app order";
    let window_s = options.flap_window_s.unwrap_or(data.meta.flap_window_s);
    let apps_meta = &data.meta.apps;
    let app_cores: Vec<f64> = apps_meta.iter().map(|a| a.cpu_cores).collect();
    let app_layer: Vec<i32> = apps_meta
        .iter()
        .map(|a| Layer::ALL.iter().position(|&l| l == a.layer).unwrap_or(0) as i32)
        .collect();
    let idx = frame::u32s(&data.apps, "app_idx").map_err(compute(WHAT))?;
    let cores: Vec<f64> = idx.iter().map(|&i| app_cores[i as usize]).collect();
    let layers: Vec<i32> = idx.iter().map(|&i| app_layer[i as usize]).collect();
    let mut apps = data.apps.clone();
    apps.with_column(Series::new("cpu_cores".into(), cores).into_column())
        .map_err(compute(WHAT))?;
    apps.with_column(Series::new("layer_code".into(), layers).into_column())
        .map_err(compute(WHAT))?;
    // Files follow the format's (time, app) row order, so grouping the rows
    // by app while keeping their order gives (app, time): a counting sort,
    // linear where a general sort of millions of rows is not.
    let t = frame::i64s(&data.apps, "t_ms").map_err(compute(WHAT))?;
    let time_sorted = t.is_sorted();
    let order = if time_sorted {
        rows_by_app(&idx, apps_meta.len())
    } else {
        let mut order: Vec<IdxSize> = (0..idx.len() as IdxSize).collect();
        order.sort_by_key(|&r| (idx[r as usize], t[r as usize]));
        order
    };
    let mut app_rows = vec![(0, 0); apps_meta.len()];
    let mut start = 0;
    for pos in 1..=order.len() {
        let app = |pos: usize| idx[order[pos] as usize];
        if pos == order.len() || app(pos) != app(start) {
            app_rows[app(start) as usize] = (start, pos);
            start = pos;
        }
    }
    Ok(Prepared {
        data,
        apps,
        app_idx: idx,
        time_sorted,
        order,
        app_rows,
        flap_window_s: window_s,
        flap_window_ms: (window_s * 1000.0).round() as i64,
    })
}

impl Prepared<'_> {
    /// Calls `visit(row, app)` for every row of the apps table, each app's
    /// rows in time order: file order when the file is in time order (one
    /// sequential pass, with per-app state kept by the caller), else app
    /// by app.
    pub(crate) fn visit_in_time(&self, mut visit: impl FnMut(usize, usize)) {
        if self.time_sorted {
            for (row, &app) in self.app_idx.iter().enumerate() {
                visit(row, app as usize);
            }
        } else {
            for &row in &self.order {
                visit(row as usize, self.app_idx[row as usize] as usize);
            }
        }
    }

    /// The rows of app `app` (its index in `RunMeta::apps`), in time order.
    pub(crate) fn app_frame(&self, app: usize) -> PolarsResult<DataFrame> {
        let (start, end) = self.app_rows[app];
        let rows = IdxCa::from_vec("rows".into(), self.order[start..end].to_vec());
        self.apps.take(&rows)
    }
}

/// The row numbers of `app_idx` grouped by app (apps in index order), each
/// app's rows in their original order. Indices are below `apps`.
fn rows_by_app(app_idx: &[u32], apps: usize) -> Vec<IdxSize> {
    let mut next = vec![0usize; apps + 1];
    for &i in app_idx {
        next[i as usize + 1] += 1;
    }
    for a in 1..next.len() {
        next[a] += next[a - 1];
    }
    let mut order = vec![0 as IdxSize; app_idx.len()];
    for (row, &i) in app_idx.iter().enumerate() {
        order[next[i as usize]] = row as IdxSize;
        next[i as usize] += 1;
    }
    order
}
