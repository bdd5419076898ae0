//! `lighthouse run <scenario>`.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use lighthouse_reports::{ReportOptions, generate_report, write_run};
use lighthouse_sim::scenario::paths::set_path;
use lighthouse_sim::scenario::{Dur, LoadedScenario, from_document, parse_duration};
use lighthouse_sim::{SimOptions, Simulation, load_scenario};

use crate::{paths, progress, table};

/// Arguments of `run`.
#[derive(Args, Debug, Default)]
pub struct RunArgs {
    /// Scenario file (TOML); default `scenarios/quickstart.toml`.
    pub scenario: Option<PathBuf>,
    /// Seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated length instead of the scenario's, e.g. `30d`, `6h`.
    #[arg(long, value_parser = parse_dur)]
    pub duration: Option<Dur>,
    /// Stored timeline resolution, e.g. `5m` (default: the scenario's).
    #[arg(long, value_parser = parse_dur)]
    pub resolution: Option<Dur>,
    /// Output directory (default `runs/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the run's files but not the report (plots, HTML).
    #[arg(long)]
    pub no_report: bool,
    /// Set a value in the scenario by path before running, e.g.
    /// `--set 'policies.web.thresholds[0].cooldown_seconds=300'` (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
}

pub(crate) fn parse_dur(text: &str) -> Result<Dur, String> {
    parse_duration(text)
}

/// Applies `PATH=VALUE` settings to a scenario and validates it again. The
/// value is read as TOML (`300`, `1.5`, `true`, `"text"`, `[1, 2]`), or as a
/// string when it is not valid TOML.
pub fn apply_sets(loaded: LoadedScenario, sets: &[String]) -> anyhow::Result<LoadedScenario> {
    if sets.is_empty() {
        return Ok(loaded);
    }
    let mut document = loaded.document.clone();
    for set in sets {
        let (path, value) = set
            .split_once('=')
            .with_context(|| format!("--set {set:?}: expected PATH=VALUE"))?;
        let value = parse_value(value.trim());
        set_path(&mut document, path.trim(), value)
            .map_err(|e| anyhow::anyhow!("--set {set:?}: {e}"))?;
    }
    Ok(from_document(document, &loaded.source)?)
}

fn parse_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// Runs the scenario, prints the summary, writes the run and its report.
pub fn run(args: RunArgs) -> anyhow::Result<()> {
    let path = paths::resolve(&args.scenario.clone().unwrap_or_else(paths::quickstart));
    let loaded = apply_sets(load_scenario(&path)?, &args.set)?;
    let options = SimOptions {
        seed: args.seed,
        duration: args.duration,
        resolution: args.resolution,
        ..SimOptions::default()
    };
    let name = loaded.scenario.simulation.name.clone();
    let simulation = Simulation::new(&loaded, &options)?;
    let bar = progress::bar(&name);
    let outcome = simulation.run(&mut |done| bar.set_position((done * 1000.0) as u64))?;
    bar.finish_and_clear();
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(&name));
    write_run(&out, &outcome.record)
        .with_context(|| format!("writing the run to {}", out.display()))?;
    print!(
        "{}",
        table::summary(&name, &outcome.record.stream.figures, Some(&outcome.stats))
    );
    if !args.no_report {
        generate_report(&out, &ReportOptions::default())
            .with_context(|| format!("writing the report in {}", out.display()))?;
        println!("\nreport: {}", out.join("report.html").display());
    } else {
        println!("\nrun written to {}", out.display());
    }
    Ok(())
}
