//! `lighthouse compare-policies <scenario> --policy FILE ... [--out DIR]
//! [--baseline N|NAME]`: the same scenario (or replay scenario, whose trace
//! is replayed in its mode, closed loop by default) run once per policy
//! file, each run written to `DIR/<name>/` with its report, and the runs
//! compared by `compare_runs` into `DIR/compare.{json,md,html}`. A table of
//! cost, SLA breach minutes, flaps and forecasts per policy is printed and
//! written to `DIR/policies.md`.
//!
//! Policy files: see [`overlay`].

pub mod overlay;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use lighthouse_replay::modes::{ReplayOptions, ReplayScenario, replay as run_replay};
use lighthouse_reports::{ReportOptions, compare_runs, generate_report, write_run};
use lighthouse_sim::record::{EventKind, RunRecord};
use lighthouse_sim::scenario::Dur;
use lighthouse_sim::{LoadedScenario, SimOptions, Simulation, parse_scenario};

use crate::commands::run::parse_dur;
use crate::{paths, progress};
use overlay::PolicyFile;

/// Arguments of `compare-policies`.
#[derive(Args, Debug, Default, Clone)]
pub struct ComparePoliciesArgs {
    /// Scenario file, or a replay scenario (one with a `[replay]` table).
    pub scenario: PathBuf,
    /// A policy file (TOML: `[policies.*]` and `[[forecasts]]` laid over
    /// the scenario); at least two, repeat the flag.
    #[arg(long = "policy", value_name = "FILE", required = true)]
    pub policies: Vec<PathBuf>,
    /// Output directory (default `runs/compare-policies`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The baseline: a policy's position (0-based) or name (default 0).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated (or replayed) length instead of the scenario's, e.g. `2d`.
    #[arg(long, value_parser = parse_dur)]
    pub duration: Option<Dur>,
    /// Stored timeline resolution, e.g. `5m`.
    #[arg(long, value_parser = parse_dur)]
    pub resolution: Option<Dur>,
    /// Replay window start (replay scenarios): an instant or an offset.
    #[arg(long)]
    pub from: Option<String>,
    /// Replay window end (exclusive), like `--from`.
    #[arg(long)]
    pub to: Option<String>,
    /// Write the runs' files but no per-run report (the comparison is
    /// always written).
    #[arg(long)]
    pub no_report: bool,
}

/// One policy's result.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyResult {
    /// Run name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// Total cost, money.
    pub cost: f64,
    /// SLA breach minutes, all apps.
    pub breach_minutes: f64,
    /// Flaps, all resources.
    pub flaps: u64,
    /// Executed scale-ups and scale-downs.
    pub ups: u64,
    /// Executed scale-downs.
    pub downs: u64,
    /// Forecasts fitted.
    pub forecasts: usize,
}

fn summarise(p: &PolicyFile, r: &RunRecord) -> PolicyResult {
    let f = &r.stream.figures;
    PolicyResult {
        name: p.name.clone(),
        description: p.description.clone(),
        cost: f.cost.total,
        breach_minutes: f.sla.total.any.breach_minutes,
        flaps: f.oscillation.total.flaps,
        ups: f.oscillation.total.up,
        downs: f.oscillation.total.down,
        forecasts: r
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Forecast)
            .count(),
    }
}

/// The printed (and `policies.md`) table.
pub fn table(scenario: &str, results: &[PolicyResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "policies compared on {scenario}\n");
    let _ = writeln!(
        out,
        "| policy | cost | SLA breach minutes | flaps | scale-ups | scale-downs | forecasts |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {:.2} | {:.1} | {} | {} | {} | {} |",
            r.name, r.cost, r.breach_minutes, r.flaps, r.ups, r.downs, r.forecasts
        );
    }
    let described: Vec<_> = results
        .iter()
        .filter(|r| !r.description.is_empty())
        .collect();
    if !described.is_empty() {
        out.push('\n');
        for r in described {
            let _ = writeln!(out, "- {}: {}", r.name, r.description);
        }
    }
    out
}

/// What the scenario file is.
enum Base {
    Plain {
        text: String,
        file: String,
    },
    Replay {
        document: toml::Table,
        file: String,
        dir: PathBuf,
    },
}

fn load_base(path: &Path) -> anyhow::Result<Base> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file = path.display().to_string();
    let document: toml::Table =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("{file}: {}", e.to_string().trim()))?;
    if document.contains_key("replay") {
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        // Checks the file as it is first, so its own errors point at its lines.
        ReplayScenario::parse(&text, &file, &dir)?;
        Ok(Base::Replay {
            document,
            file,
            dir,
        })
    } else {
        parse_scenario(&text, &file)?;
        Ok(Base::Plain { text, file })
    }
}

/// The scenario with one policy file, checked and ready to run.
enum Prepared {
    Plain(Box<LoadedScenario>),
    Replay(Box<ReplayScenario>),
}

/// Lays a policy file over the scenario and checks the result (before any
/// run starts, so a bad file fails fast).
fn prepare(base: &Base, policy: &PolicyFile) -> anyhow::Result<Prepared> {
    let label = format!("{} with {}", base_file(base), policy.path.display());
    Ok(match base {
        Base::Plain { text, .. } => {
            let document: toml::Table = toml::from_str(text)?;
            let text = toml::to_string(&policy.apply(&document))?;
            Prepared::Plain(Box::new(parse_scenario(&text, &label)?))
        }
        Base::Replay { document, dir, .. } => {
            let text = toml::to_string(&policy.apply(document))?;
            let scenario = ReplayScenario::parse(&text, &label, dir)?;
            // The simulator's checks (forecasts, policies) of the result.
            let fed: std::collections::BTreeSet<String> =
                scenario.spec.apps.iter().map(|a| a.app.clone()).collect();
            scenario.scenario(&fed, 86_400_000)?;
            Prepared::Replay(Box::new(scenario))
        }
    })
}

/// Runs a prepared scenario.
fn run_one(
    prepared: &Prepared,
    name: &str,
    args: &ComparePoliciesArgs,
) -> anyhow::Result<RunRecord> {
    let bar = progress::bar(name);
    let mut tick = |done: f64| bar.set_position((done * 1000.0) as u64);
    let record = match prepared {
        Prepared::Plain(loaded) => {
            let options = SimOptions {
                seed: args.seed,
                duration: args.duration,
                resolution: args.resolution,
                ..SimOptions::default()
            };
            Simulation::new(loaded, &options)?.run(&mut tick)?.record
        }
        Prepared::Replay(scenario) => {
            let options = ReplayOptions {
                from: args.from.clone(),
                to: args.to.clone(),
                seed: args.seed,
                duration: args.duration,
                resolution: args.resolution,
                ..ReplayOptions::default()
            };
            run_replay(scenario, &options, &mut tick)?.record
        }
    };
    bar.finish_and_clear();
    Ok(record)
}

fn base_file(base: &Base) -> &str {
    match base {
        Base::Plain { file, .. } | Base::Replay { file, .. } => file,
    }
}

fn baseline_index(given: Option<&str>, names: &[String]) -> anyhow::Result<usize> {
    let Some(b) = given else { return Ok(0) };
    if let Ok(i) = b.parse::<usize>() {
        if i < names.len() {
            return Ok(i);
        }
        bail!(
            "--baseline {i}: there are {} policies (0 to {})",
            names.len(),
            names.len() - 1
        );
    }
    names.iter().position(|n| n == b).with_context(|| {
        format!(
            "--baseline {b:?} is neither a position nor a policy name ({})",
            names.join(", ")
        )
    })
}

/// Runs every policy, writes the runs and the comparison; returns the
/// results in the order given.
pub fn compare_policies(args: ComparePoliciesArgs) -> anyhow::Result<Vec<PolicyResult>> {
    if args.policies.len() < 2 {
        bail!("give at least two --policy files to compare");
    }
    let path = paths::resolve(&args.scenario);
    let base = load_base(&path)?;
    let policies = args
        .policies
        .iter()
        .map(|p| PolicyFile::load(&paths::resolve(p)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let names: Vec<String> = policies.iter().map(|p| p.name.clone()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            bail!("two policy files are named {n:?}; give one of them another `name`");
        }
    }
    let baseline = baseline_index(args.baseline.as_deref(), &names)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs/compare-policies"));
    let prepared = policies
        .iter()
        .map(|p| {
            prepare(&base, p).with_context(|| format!("policy {} ({})", p.name, p.path.display()))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut dirs = Vec::new();
    let mut results = Vec::new();
    for (policy, prepared) in policies.iter().zip(&prepared) {
        let record = run_one(prepared, &policy.name, &args)
            .with_context(|| format!("policy {} ({})", policy.name, policy.path.display()))?;
        let dir = out.join(&policy.name);
        write_run(&dir, &record)
            .with_context(|| format!("writing the run to {}", dir.display()))?;
        if !args.no_report {
            generate_report(&dir, &ReportOptions::default())
                .with_context(|| format!("writing the report in {}", dir.display()))?;
        }
        results.push(summarise(policy, &record));
        dirs.push(dir);
    }
    compare_runs(&dirs, baseline, &out)
        .with_context(|| format!("comparing the runs in {}", out.display()))?;
    let table = table(base_file(&base), &results);
    std::fs::write(out.join("policies.md"), &table)
        .with_context(|| format!("writing {}", out.join("policies.md").display()))?;
    print!("{table}");
    println!("\ncomparison: {}", out.join("compare.html").display());
    Ok(results)
}

/// The command.
pub fn run(args: ComparePoliciesArgs) -> anyhow::Result<()> {
    compare_policies(args).map(|_| ())
}
