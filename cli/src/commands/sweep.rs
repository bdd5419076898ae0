//! `lighthouse sweep <scenario|trace>` and `lighthouse merge DIR... --out DIR`.

use std::path::PathBuf;

use clap::Args;
use lighthouse_sim::scenario::Dur;
use lighthouse_tune::output::Written;
use lighthouse_tune::{
    Constraints, MergeOutcome, Objective, Shard, SweepOptions, Target, merge, sweep,
};

use super::run::parse_dur;
use crate::paths;

/// Arguments of `sweep`.
#[derive(Args, Debug)]
#[command(after_help = "\
Parameter values (PATH=VALUES):
  60,180,600          a list (each item read as TOML: 300, 1.5, true, \"text\")
  600..1400:200       a linear range, end included: 600 800 1000 1200 1400
  10..1000:log5       5 values evenly spaced in log scale: 10 32 100 316 1000
  0.5..2.5            an open range, only with --random N
With --random N each run draws every parameter: list items uniformly, linear
ranges uniformly (snapped to the step), log ranges log-uniformly.

Each run's seed is derived from the sweep seed and its values (reproducible);
--common-seed gives every run the sweep seed, i.e. the same load.

Files in --out: results.csv, results.parquet (one row per run), pareto.png and
pareto.svg, recommended.toml (the scenario with the best values), sweep.json,
scenario.toml. Sharded: run every --shard K/N, then `lighthouse merge`.")]
pub struct SweepArgs {
    /// Scenario file (TOML; with a [replay] table it is a trace replay), or a
    /// trace file with --scenario.
    pub scenario: PathBuf,
    /// With a trace as the first argument: the replay scenario to use.
    #[arg(long = "scenario", value_name = "FILE")]
    pub replay_scenario: Option<PathBuf>,
    /// A parameter and its values, e.g.
    /// `policies.web.thresholds[0].cooldown_seconds=60,180,600` (repeatable).
    #[arg(long = "param", value_name = "PATH=VALUES", required = true)]
    pub param: Vec<String>,
    /// Draw N random settings instead of every combination.
    #[arg(long, value_name = "N")]
    pub random: Option<usize>,
    /// What the recommendation minimises: cost, breach or flaps.
    #[arg(long, default_value = "cost")]
    pub objective: Objective,
    /// Most SLA breach minutes (all apps summed over the run) a recommended run may have.
    #[arg(long, value_name = "M")]
    pub max_breach_minutes: Option<f64>,
    /// Most flaps per simulated day a recommended run may have.
    #[arg(long, value_name = "F")]
    pub max_flaps_per_day: Option<f64>,
    /// Runs at once (default: every core).
    #[arg(long, value_name = "J")]
    pub jobs: Option<usize>,
    /// Sweep seed (default: the scenario's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Every run takes the sweep seed (the same load for every setting).
    #[arg(long)]
    pub common_seed: bool,
    /// Simulated length of each run instead of the scenario's, e.g. `6h`.
    #[arg(long, value_parser = parse_dur)]
    pub duration: Option<Dur>,
    /// Run only the K-th of N slices of the plan, e.g. `2/8`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Output directory (default `sweeps/<scenario name>`, `-shard-K-of-N` added when sharded).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' output directories.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged table and files go.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs the sweep and prints what it found.
pub fn sweep_command(args: SweepArgs) -> anyhow::Result<()> {
    let (scenario, trace) = match args.replay_scenario {
        Some(s) => (paths::resolve(&s), Some(args.scenario.clone())),
        None => (paths::resolve(&args.scenario), None),
    };
    let target = Target::load(&scenario, trace.as_deref())?;
    let out = args.out.unwrap_or_else(|| {
        let name = target.name();
        PathBuf::from("sweeps").join(match args.shard {
            Some(s) => format!("{name}-shard-{}-of-{}", s.k, s.n),
            None => name,
        })
    });
    let options = SweepOptions {
        params: args.param,
        random: args.random,
        objective: args.objective,
        constraints: Constraints {
            max_breach_minutes: args.max_breach_minutes,
            max_flaps_per_day: args.max_flaps_per_day,
        },
        jobs: args.jobs,
        seed: args.seed,
        common_seed: args.common_seed,
        duration: args.duration,
        shard: args.shard,
        out,
        progress: true,
    };
    let outcome = sweep(target, &options)?;
    println!(
        "{} of {} runs{} in {:.1} s on {} jobs",
        outcome.table.rows(),
        outcome.runs_total,
        options
            .shard
            .map_or(String::new(), |s| format!(" (shard {s})")),
        outcome.wall_seconds,
        outcome.jobs
    );
    print_written(&outcome.written);
    Ok(())
}

/// Merges shards and prints what the whole sweep found.
pub fn merge_command(args: MergeArgs) -> anyhow::Result<()> {
    let MergeOutcome {
        table,
        written,
        shards,
    } = merge(&args.dirs, &args.out)?;
    println!("merged {shards} shard(s): {} runs", table.rows());
    print_written(&written);
    Ok(())
}

fn print_written(w: &Written) {
    println!(
        "Pareto front: {} run(s): {:?}",
        w.pareto_runs.len(),
        w.pareto_runs
    );
    match (&w.recommendation, &w.no_recommendation) {
        (Some(r), _) => {
            println!(
                "recommended: run {} ({}): cost {:.2}, SLA breach {:.1} min, {:.2} flaps/day",
                r.run, r.settings, r.scored.cost, r.scored.breach_minutes, r.scored.flaps_per_day
            );
            println!("  ready to use: {}", r.file.display());
        }
        (None, Some(why)) => println!("{why}"),
        (None, None) => {}
    }
    println!("results: {}", w.dir.join("results.csv").display());
    println!("plot: {}", w.dir.join("pareto.png").display());
}
