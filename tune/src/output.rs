//! A sweep's files, in its output directory:
//!
//! - `results.csv`, `results.parquet`: one row per run (see [`crate::columns`]);
//! - `pareto.png`, `pareto.svg`: the Pareto plot;
//! - `recommended.toml`: the scenario with the recommended run's values,
//!   seed (and `--duration`) set, ready for `lighthouse run` — absent when no
//!   run meets the constraints;
//! - `sweep.json`: the sweep's settings, which `merge` checks shards by;
//! - `scenario.toml`: the scenario as given, so that `merge` needs nothing else.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Value;

use crate::columns::{
    self, BREACH, COST, FEASIBLE, FLAPS, FLAPS_PER_DAY, PARETO, RECOMMENDED, RUN,
};
use crate::error::{TuneError, io};
use crate::plot::{ParetoChart, write_pareto_plot};
use crate::select::{Constraints, Objective, Scored, best, pareto_front};
use crate::spec::render;
use crate::sweep::{SweepOptions, SweepPlan};
use crate::table::{Cells, ResultTable};
use crate::target::settings;

/// Version of `sweep.json`.
pub const META_FORMAT: u32 = 1;

/// `sweep.json`: how the sweep was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepMeta {
    /// Version of this file.
    pub format: u32,
    /// `simulation.name`.
    pub scenario: String,
    /// The scenario file as given.
    pub scenario_file: String,
    /// Its folder (where a relative `replay.trace` starts).
    pub scenario_dir: String,
    /// `--trace`, when given.
    pub trace: Option<String>,
    /// The `--param` specs as written.
    pub params: Vec<String>,
    /// `--random N`.
    pub random: Option<usize>,
    /// The sweep seed.
    pub seed: u64,
    /// Every run took the sweep seed.
    pub common_seed: bool,
    /// `--duration`, ms.
    pub duration_ms: Option<i64>,
    /// `--objective`.
    pub objective: String,
    /// `--max-breach-minutes`.
    pub max_breach_minutes: Option<f64>,
    /// `--max-flaps-per-day`.
    pub max_flaps_per_day: Option<f64>,
    /// Runs in the whole plan.
    pub runs_total: usize,
    /// `K/N` of a sharded run; `None` for a whole (or merged) sweep.
    pub shard: Option<String>,
    /// Runs in this table.
    pub runs: usize,
    /// Runs on the Pareto front of this table.
    pub pareto_runs: Vec<usize>,
    /// The recommended run of this table.
    pub recommended_run: Option<usize>,
}

impl SweepMeta {
    /// The record of a sweep about to be written.
    pub fn new(plan: &SweepPlan, options: &SweepOptions, runs: usize) -> SweepMeta {
        SweepMeta {
            format: META_FORMAT,
            scenario: plan.target.name(),
            scenario_file: plan.target.file.clone(),
            scenario_dir: plan.target.dir.display().to_string(),
            trace: plan.target.trace.as_ref().map(|t| t.display().to_string()),
            params: options.params.clone(),
            random: options.random,
            seed: plan.seed,
            common_seed: options.common_seed,
            duration_ms: options.duration.map(|d| d.as_millis()),
            objective: options.objective.to_string(),
            max_breach_minutes: options.constraints.max_breach_minutes,
            max_flaps_per_day: options.constraints.max_flaps_per_day,
            runs_total: plan.points.len(),
            shard: options.shard.map(|s| s.to_string()),
            runs,
            pareto_runs: Vec::new(),
            recommended_run: None,
        }
    }

    /// The objective and constraints it was made with.
    pub fn judging(&self) -> Result<(Objective, Constraints), TuneError> {
        Ok((
            self.objective.parse().map_err(TuneError::Options)?,
            Constraints {
                max_breach_minutes: self.max_breach_minutes,
                max_flaps_per_day: self.max_flaps_per_day,
            },
        ))
    }
}

/// The recommended run.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// Its index in the plan.
    pub run: usize,
    /// Its seed.
    pub seed: u64,
    /// Its settings, `path=value` pairs.
    pub settings: String,
    /// Its judged figures.
    pub scored: Scored,
    /// `recommended.toml`.
    pub file: PathBuf,
}

/// What was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// The output directory.
    pub dir: PathBuf,
    /// Runs on the Pareto front.
    pub pareto_runs: Vec<usize>,
    /// The recommendation, when a run meets the constraints.
    pub recommendation: Option<Recommendation>,
    /// Why there is none, when there is none.
    pub no_recommendation: Option<String>,
}

/// The judged figures of every row.
fn scored_rows(table: &ResultTable) -> Vec<Scored> {
    let num = |name: &str, row: usize| table.cell(name, row).as_f64().unwrap_or(f64::NAN);
    (0..table.rows())
        .map(|r| Scored {
            run: num(RUN, r) as usize,
            cost: num(COST, r),
            breach_minutes: num(BREACH, r),
            flaps: num(FLAPS, r),
            flaps_per_day: num(FLAPS_PER_DAY, r),
        })
        .collect()
}

/// Sorts the rows by run, marks the front, the runs that meet the
/// constraints and the recommended one, and writes every file.
pub fn finish(
    plan: &SweepPlan,
    table: ResultTable,
    mut meta: SweepMeta,
    dir: &Path,
) -> Result<(ResultTable, Written), TuneError> {
    let (objective, constraints) = meta.judging()?;
    let runs: Vec<usize> = scored_rows(&table).iter().map(|s| s.run).collect();
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by_key(|&i| runs[i]);
    let mut table = table.reorder_rows(&order);
    let points = scored_rows(&table);
    let front = pareto_front(&points);
    let pick = best(&points, objective, &constraints);
    table.set_column(
        PARETO,
        Cells::Bool(front.iter().map(|&f| Some(f)).collect()),
    );
    table.set_column(
        FEASIBLE,
        Cells::Bool(points.iter().map(|p| Some(constraints.met_by(p))).collect()),
    );
    table.set_column(
        RECOMMENDED,
        Cells::Bool((0..points.len()).map(|i| Some(Some(i) == pick)).collect()),
    );
    columns::arrange(&mut table, &plan.params);

    std::fs::create_dir_all(dir).map_err(io(dir))?;
    table.write_csv(&dir.join("results.csv"))?;
    table.write_parquet(&dir.join("results.parquet"))?;
    let title = format!(
        "{}: {} runs, cost against SLA breach minutes",
        meta.scenario,
        points.len()
    );
    write_pareto_plot(
        &ParetoChart {
            title,
            points: points.clone(),
            front: front.clone(),
            recommended: pick,
            max_breach_minutes: constraints.max_breach_minutes,
        },
        dir,
    )?;
    let scenario_copy = dir.join("scenario.toml");
    std::fs::write(&scenario_copy, &plan.target.text).map_err(io(&scenario_copy))?;

    let recommended_path = dir.join("recommended.toml");
    let recommendation = match pick {
        Some(i) => {
            let scored = points[i];
            let point = plan.points.get(scored.run).ok_or_else(|| {
                TuneError::Options(format!(
                    "run {} is not in the plan of {} runs",
                    scored.run,
                    plan.points.len()
                ))
            })?;
            let text = recommended_text(
                plan,
                &meta,
                point.index,
                point.seed,
                &point.values,
                &scored,
                &constraints,
                objective,
            )?;
            std::fs::write(&recommended_path, text).map_err(io(&recommended_path))?;
            Some(Recommendation {
                run: scored.run,
                seed: point.seed,
                settings: settings(&plan.params, &point.values),
                scored,
                file: recommended_path,
            })
        }
        None => {
            if recommended_path.exists() {
                std::fs::remove_file(&recommended_path).map_err(io(&recommended_path))?;
            }
            None
        }
    };
    let no_recommendation = recommendation
        .is_none()
        .then(|| no_fit_message(&points, &constraints));
    meta.runs = points.len();
    meta.pareto_runs = points
        .iter()
        .zip(&front)
        .filter(|(_, f)| **f)
        .map(|(p, _)| p.run)
        .collect();
    meta.recommended_run = recommendation.as_ref().map(|r| r.run);
    let meta_path = dir.join("sweep.json");
    let mut json = serde_json::to_string_pretty(&meta).map_err(io(&meta_path))?;
    json.push('\n');
    std::fs::write(&meta_path, json).map_err(io(&meta_path))?;
    Ok((
        table,
        Written {
            dir: dir.to_path_buf(),
            pareto_runs: meta.pareto_runs,
            recommendation,
            no_recommendation,
        },
    ))
}

/// Why no run was recommended, with the closest runs.
pub fn no_fit_message(points: &[Scored], constraints: &Constraints) -> String {
    if points.is_empty() {
        return "no run in this table".to_string();
    }
    let least = |f: fn(&Scored) -> f64| {
        points
            .iter()
            .min_by(|a, b| f(a).total_cmp(&f(b)).then(a.run.cmp(&b.run)))
            .copied()
    };
    let mut text = format!("no run meets the constraints ({})", constraints.describe());
    if let Some(p) = least(|p| p.breach_minutes) {
        text.push_str(&format!(
            "; fewest breach minutes: {:.1} (run {}, {:.2} flaps/day)",
            p.breach_minutes, p.run, p.flaps_per_day
        ));
    }
    if let Some(p) = least(|p| p.flaps_per_day) {
        text.push_str(&format!(
            "; fewest flaps: {:.2}/day (run {}, {:.1} breach minutes)",
            p.flaps_per_day, p.run, p.breach_minutes
        ));
    }
    text.push_str(". Loosen --max-breach-minutes / --max-flaps-per-day or widen the ranges.");
    text
}

/// The scenario with the run's values, seed and length set, and a header.
#[allow(clippy::too_many_arguments)]
fn recommended_text(
    plan: &SweepPlan,
    meta: &SweepMeta,
    run: usize,
    seed: u64,
    values: &[Value],
    scored: &Scored,
    constraints: &Constraints,
    objective: Objective,
) -> Result<String, TuneError> {
    let target = &plan.target;
    let mut doc = target
        .document_with(&plan.params, values)
        .map_err(TuneError::Options)?;
    let set = |doc: &mut toml::Table, path: &str, v: Value| {
        lighthouse_sim::scenario::paths::set_path(doc, path, v).map_err(TuneError::Options)
    };
    set(&mut doc, "simulation.seed", Value::Integer(seed as i64))?;
    if let Some(ms) = meta.duration_ms {
        set(
            &mut doc,
            "simulation.duration",
            Value::String(format!("{ms}ms")),
        )?;
    }
    if target.is_replay() {
        // A relative trace path is rewritten from the scenario's folder.
        let trace = target.trace.clone().or_else(|| {
            lighthouse_sim::scenario::paths::get_path(&doc, "replay.trace")
                .and_then(Value::as_str)
                .map(|t| target.dir.join(t))
        });
        if let Some(trace) = trace {
            set(
                &mut doc,
                "replay.trace",
                Value::String(trace.display().to_string()),
            )?;
        }
    }
    let body = toml::to_string(&doc).map_err(|e| TuneError::Options(e.to_string()))?;
    let mut text = format!(
        "# Recommended by `lighthouse sweep` on {file}: run {run} of {total}, the\n\
         # best by {objective} under the constraints ({constraints}).\n\
         # Judged figures: cost {cost}, SLA breach {breach} min, {flaps} flaps ({per_day:.3} per day).\n\
         # Values set:\n",
        file = target.file,
        total = plan.points.len(),
        constraints = constraints.describe(),
        cost = scored.cost,
        breach = scored.breach_minutes,
        flaps = scored.flaps,
        per_day = scored.flaps_per_day,
    );
    for (p, v) in plan.params.iter().zip(values) {
        text.push_str(&format!("#   {} = {}\n", p.path, render(v)));
    }
    text.push_str(&format!(
        "# simulation.seed is the run's seed, so `lighthouse run` on this file gives\n\
         # the figures above. The original file's comments are not kept.\n\n{body}"
    ));
    Ok(text)
}
