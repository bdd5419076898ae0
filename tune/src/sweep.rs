//! Running a sweep: the plan, the slice of it this process runs, the runs
//! in parallel on a local rayon pool, then the table and the files.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use lighthouse_sim::scenario::Dur;
use rayon::prelude::*;

use crate::columns;
use crate::error::TuneError;
use crate::output::{self, SweepMeta, Written};
use crate::plan::{Point, Sampling, Shard, build_plan};
use crate::progress::Progress;
use crate::select::{Constraints, Objective, Scored};
use crate::spec::ParamSpec;
use crate::table::{Cell, ResultTable};
use crate::target::{Prepared, Target, settings};

/// What to sweep and how.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// `PATH=VALUES` specs (see [`crate::spec`]).
    pub params: Vec<String>,
    /// `Some(n)`: n random draws instead of the grid.
    pub random: Option<usize>,
    /// What the recommendation minimises.
    pub objective: Objective,
    /// What the recommendation must meet.
    pub constraints: Constraints,
    /// Runs at once (default: the machine's cores).
    pub jobs: Option<usize>,
    /// Sweep seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Every run takes the sweep seed (the same load for every setting)
    /// instead of a seed derived from its parameters.
    pub common_seed: bool,
    /// Simulated length of each run instead of the scenario's.
    pub duration: Option<Dur>,
    /// Run only this slice of the plan.
    pub shard: Option<Shard>,
    /// Output directory.
    pub out: PathBuf,
    /// Show a progress bar (when stderr is a terminal).
    pub progress: bool,
}

/// The whole plan of a sweep, and what it needs to run and judge it.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// The scenario.
    pub target: Target,
    /// The parameters, parsed.
    pub params: Vec<ParamSpec>,
    /// Every run of the unsharded sweep.
    pub points: Vec<Point>,
    /// The sweep seed used.
    pub seed: u64,
}

impl SweepPlan {
    /// Parses the parameters, builds the plan and checks, before any run,
    /// that every path is in the scenario and that every run's settings
    /// are accepted.
    pub fn new(
        target: Target,
        params: &[String],
        random: Option<usize>,
        seed: Option<u64>,
        common_seed: bool,
    ) -> Result<SweepPlan, TuneError> {
        if params.is_empty() {
            return Err(TuneError::Options(
                "no --param given: name at least one PATH=VALUES, e.g. --param 'policies.web.thresholds[0].cooldown_seconds=60,180,600'".into(),
            ));
        }
        let params = params
            .iter()
            .map(|p| ParamSpec::parse(p))
            .collect::<Result<Vec<_>, _>>()?;
        let sampling = match random {
            Some(0) => {
                return Err(TuneError::Options(
                    "--random 0: expected at least 1 run".into(),
                ));
            }
            Some(n) => Sampling::Random(n),
            None => Sampling::Grid,
        };
        let seed = seed.unwrap_or_else(|| target.seed());
        if seed > i64::MAX as u64 {
            return Err(TuneError::Options(format!(
                "--seed {seed}: a scenario seed is a TOML integer, at most {}",
                i64::MAX
            )));
        }
        let points = build_plan(&params, sampling, seed, common_seed)?;
        if let Some(first) = points.first() {
            target.check_params(&params, &first.values)?;
        }
        Ok(SweepPlan {
            target,
            params,
            points,
            seed,
        })
    }
}

/// What a sweep did and how long it took.
#[derive(Clone, Debug)]
pub struct SweepOutcome {
    /// The results table as written.
    pub table: ResultTable,
    /// The files written and the recommendation.
    pub written: Written,
    /// Runs in the whole plan.
    pub runs_total: usize,
    /// Wall time of the whole sweep, seconds.
    pub wall_seconds: f64,
    /// Wall time of the runs, from the first start to the last end, seconds.
    pub runs_wall_seconds: f64,
    /// Time inside the simulator, summed over runs, seconds.
    pub sim_seconds: f64,
    /// Time per run outside the simulator (settings, validation, the
    /// row), summed over runs, seconds.
    pub overhead_seconds: f64,
    /// Writing the table, plot and files, seconds.
    pub write_seconds: f64,
    /// Threads used.
    pub jobs: usize,
}

struct RunOut {
    row: Vec<(String, Cell)>,
    scored: Scored,
    sim_seconds: f64,
    run_seconds: f64,
}

/// Runs a sweep of `target` and writes its files in `options.out`.
pub fn sweep(target: Target, options: &SweepOptions) -> Result<SweepOutcome, TuneError> {
    let start = Instant::now();
    options.constraints.check().map_err(TuneError::Options)?;
    let plan = SweepPlan::new(
        target,
        &options.params,
        options.random,
        options.seed,
        options.common_seed,
    )?;
    let jobs = options
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(TuneError::Options("--jobs 0: expected at least 1".into()));
    }
    let mine: Vec<&Point> = plan
        .points
        .iter()
        .filter(|p| options.shard.is_none_or(|s| s.contains(p.index)))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| TuneError::Options(format!("--jobs {jobs}: {e}")))?;

    // Every run's settings are checked before the first run.
    let prepared: Vec<(Result<Prepared, TuneError>, f64)> = pool.install(|| {
        mine.par_iter()
            .map(|p| {
                let t = Instant::now();
                (
                    plan.target.prepare(&plan.params, p),
                    t.elapsed().as_secs_f64(),
                )
            })
            .collect()
    });
    let prepare_seconds: f64 = prepared.iter().map(|(_, s)| s).sum();
    let prepared = prepared
        .into_iter()
        .map(|(p, _)| p)
        .collect::<Result<Vec<_>, _>>()?;

    let progress = Progress::new(
        mine.len(),
        options.progress,
        options.objective,
        options.constraints,
    );
    let failed = AtomicBool::new(false);
    let runs_start = Instant::now();
    let outs: Vec<Option<Result<RunOut, TuneError>>> = pool.install(|| {
        mine.par_iter()
            .zip(prepared.par_iter())
            .map(|(point, prep)| {
                if failed.load(Ordering::Relaxed) {
                    return None;
                }
                let out = run_one(&plan, point, prep, options.duration);
                match &out {
                    Ok(o) => progress.done(o.scored),
                    Err(_) => failed.store(true, Ordering::Relaxed),
                }
                Some(out)
            })
            .collect()
    });
    progress.finish();
    let runs_wall_seconds = runs_start.elapsed().as_secs_f64();
    let mut rows = Vec::with_capacity(outs.len());
    let (mut sim_seconds, mut run_seconds) = (0.0, 0.0);
    // The first failure in plan order, whichever thread met it first.
    for out in outs.into_iter().flatten() {
        let out = out?;
        sim_seconds += out.sim_seconds;
        run_seconds += out.run_seconds;
        rows.push(out.row);
    }
    let table = ResultTable::from_rows(&rows);
    let meta = SweepMeta::new(&plan, options, mine.len());
    let write_start = Instant::now();
    let (table, written) = output::finish(&plan, table, meta, &options.out)?;
    Ok(SweepOutcome {
        table,
        written,
        runs_total: plan.points.len(),
        wall_seconds: start.elapsed().as_secs_f64(),
        runs_wall_seconds,
        sim_seconds,
        overhead_seconds: prepare_seconds + (run_seconds - sim_seconds).max(0.0),
        write_seconds: write_start.elapsed().as_secs_f64(),
        jobs,
    })
}

fn run_one(
    plan: &SweepPlan,
    point: &Point,
    prep: &Prepared,
    duration: Option<Dur>,
) -> Result<RunOut, TuneError> {
    let t = Instant::now();
    let (figures, sim_seconds) =
        plan.target
            .run(prep, point.seed, duration)
            .map_err(|message| TuneError::Run {
                index: point.index,
                settings: settings(&plan.params, &point.values),
                message,
            })?;
    let row = columns::row(
        point.index,
        point.seed,
        &plan.params,
        &point.values,
        &figures,
    );
    let (cost, breach, flaps, per_day) = columns::judged(&figures);
    Ok(RunOut {
        row,
        scored: Scored {
            run: point.index,
            cost,
            breach_minutes: breach,
            flaps: flaps as f64,
            flaps_per_day: per_day,
        },
        sim_seconds,
        run_seconds: t.elapsed().as_secs_f64(),
    })
}
