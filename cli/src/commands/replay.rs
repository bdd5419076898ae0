//! `lighthouse replay <trace> --format <name> [--scenario fleet.toml] [--mode open|closed] [--out DIR]`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use lighthouse_replay::Format;
use lighthouse_replay::modes::{
    ReplayMode, ReplayOptions, ReplayOutcome, ReplayScenario, replay as run_replay,
};
use lighthouse_replay::shape::{AppMapping, GapRule, parse_duration, parse_scale};
use lighthouse_reports::{ReportOptions, generate_report, write_run};
use lighthouse_sim::scenario::Dur;

use crate::commands::run::parse_dur;
use crate::{paths, progress, table};

/// Arguments of `replay`.
#[derive(Args, Debug, Default, Clone)]
pub struct ReplayArgs {
    /// Trace file (default: the scenario's `replay.trace`).
    pub trace: Option<PathBuf>,
    /// Trace format: long, wide, load, worldcup98, wikipedia,
    /// azure-functions, alibaba, bitbrains, azure-vm, azure-llm, counts
    /// (default: the scenario's `replay.format`).
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// Scenario with the fleet, policies and `[replay]` mapping (default
    /// `scenarios/replay-<format>.toml`).
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// `open` (shadow: the decisions the policy would have made) or
    /// `closed` (the trace is demand the simulated fleet serves); default:
    /// the scenario's, else closed.
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<ReplayMode>,
    /// Output directory (default `runs/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Feed an app from a series: `resource/metric=app` (repeatable).
    #[arg(long = "map", value_name = "SERIES=APP", value_parser = parse_mapping)]
    pub mappings: Vec<AppMapping>,
    /// Amplitude scaling: `10x`, `0.5`, `50%`.
    #[arg(long, value_parser = parse_scale_arg)]
    pub scale: Option<f64>,
    /// Time shift, e.g. `-1h`, `30m`.
    #[arg(long, value_parser = parse_ms, allow_hyphen_values = true)]
    pub shift: Option<i64>,
    /// Speed-up factor (> 0): 60 plays an hour per minute.
    #[arg(long)]
    pub speed_up: Option<f64>,
    /// Repeat the window until it covers this long, e.g. `7d`.
    #[arg(long = "loop", value_parser = parse_ms)]
    pub loop_to: Option<i64>,
    /// Window start: an instant (`1998-06-29T00:00:00Z`) or an offset from
    /// the trace's start (`2d`).
    #[arg(long)]
    pub from: Option<String>,
    /// Window end (exclusive), like `--from`.
    #[arg(long)]
    pub to: Option<String>,
    /// Gap rule: `hold` (last value), `zero` or `linear` (interpolate).
    #[arg(long, value_parser = parse_gap)]
    pub gap: Option<GapRule>,
    /// Seed instead of the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replay length instead of the window's, e.g. `6h`.
    #[arg(long, value_parser = parse_dur)]
    pub duration: Option<Dur>,
    /// Stored timeline resolution, e.g. `5m`.
    #[arg(long, value_parser = parse_dur)]
    pub resolution: Option<Dur>,
    /// Write the run's files but not the report (plots, HTML).
    #[arg(long)]
    pub no_report: bool,
    /// Refuse a trace that needs repair (unsorted rows, duplicate
    /// timestamps, mixed offsets) instead of sorting it with a warning.
    #[arg(long)]
    pub strict: bool,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
        .map_err(|e: lighthouse_replay::TraceError| e.to_string())
}

fn parse_mode(s: &str) -> Result<ReplayMode, String> {
    s.parse()
}

fn parse_mapping(s: &str) -> Result<AppMapping, String> {
    s.parse()
        .map_err(|e: lighthouse_replay::TraceError| e.to_string())
}

fn parse_scale_arg(s: &str) -> Result<f64, String> {
    parse_scale(s).map_err(|e| e.to_string())
}

fn parse_ms(s: &str) -> Result<i64, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

fn parse_gap(s: &str) -> Result<GapRule, String> {
    s.parse()
        .map_err(|e: lighthouse_replay::TraceError| e.to_string())
}

/// The scenario to use: as given, else `scenarios/replay-<format>.toml`.
fn scenario_path(args: &ReplayArgs) -> anyhow::Result<PathBuf> {
    if let Some(p) = &args.scenario {
        return Ok(paths::resolve(p));
    }
    let Some(format) = args.format else {
        bail!(
            "give --scenario (a scenario with a [replay] table), or --format to use scenarios/replay-<format>.toml"
        );
    };
    let default = paths::resolve(Path::new(&format!(
        "scenarios/replay-{}.toml",
        format.name()
    )));
    if !default.exists() {
        bail!(
            "no scenario for format {}: {} does not exist; give --scenario with the fleet and policies to replay against",
            format.name(),
            default.display()
        );
    }
    Ok(default)
}

/// The library's options from the flags.
pub fn options(args: &ReplayArgs) -> ReplayOptions {
    ReplayOptions {
        trace: args.trace.clone(),
        format: args.format,
        mode: args.mode,
        mappings: args.mappings.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        scale: args.scale,
        shift_ms: args.shift,
        speed_up: args.speed_up,
        loop_ms: args.loop_to,
        gap: args.gap,
        seed: args.seed,
        duration: args.duration,
        resolution: args.resolution,
        check_invariants: false,
        strict: args.strict,
    }
}

/// What was replayed, above the summary table.
fn header(outcome: &ReplayOutcome) -> String {
    let mut out = format!(
        "replay ({} loop) of {}, one point every {} s\n",
        outcome.mode,
        outcome.trace.display(),
        outcome.step_ms as f64 / 1000.0
    );
    for a in &outcome.apps {
        let peak = a
            .peak_rps
            .map_or_else(String::new, |p| format!(", peak {p:.1} req/s"));
        out.push_str(&format!(
            "  {} <- {} ({}, gaps: {}{peak})\n",
            a.app,
            a.series,
            a.kind.as_str(),
            a.gap
        ));
    }
    for n in &outcome.notes {
        out.push_str(&format!("  note: {n}\n"));
    }
    out
}

/// Replays the trace, prints the summary, writes the run and its report.
pub fn replay(args: ReplayArgs) -> anyhow::Result<()> {
    let path = scenario_path(&args)?;
    let scenario = ReplayScenario::load(&path)?;
    let options = options(&args);
    let name = scenario
        .document
        .get("simulation")
        .and_then(|s| s.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("replay")
        .to_string();
    let bar = progress::bar(&name);
    let outcome = run_replay(&scenario, &options, &mut |done| {
        bar.set_position((done * 1000.0) as u64)
    })?;
    bar.finish_and_clear();
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("runs").join(outcome.name()));
    write_run(&out, &outcome.record)
        .with_context(|| format!("writing the run to {}", out.display()))?;
    print!("{}", header(&outcome));
    println!();
    print!(
        "{}",
        table::summary(
            outcome.name(),
            &outcome.record.stream.figures,
            Some(&outcome.stats)
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: ReplayArgs,
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "replay",
            "t.csv",
            "--format",
            "worldcup98",
            "--mode",
            "open",
            "--map",
            "worldcup98=web",
            "--scale",
            "10x",
            "--shift",
            "-1h",
            "--loop",
            "7d",
            "--gap",
            "linear",
            "--from",
            "2d",
        ])
        .unwrap();
        let o = options(&cli.args);
        assert_eq!(o.format, Some(Format::WorldCup98));
        assert_eq!(o.mode, Some(ReplayMode::Open));
        assert_eq!(o.mappings[0].app, "web");
        assert_eq!(o.scale, Some(10.0));
        assert_eq!(o.shift_ms, Some(-3_600_000));
        assert_eq!(o.loop_ms, Some(7 * 86_400_000));
        assert_eq!(o.gap, Some(GapRule::Linear));
        assert!(Cli::try_parse_from(["replay", "--mode", "sideways"]).is_err());
        assert!(Cli::try_parse_from(["replay", "--format", "nope"]).is_err());
    }

    #[test]
    fn worldcup_closed_loop_through_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("wc");
        let args = ReplayArgs {
            trace: Some(paths::project_root().join("traces/worldcup98/requests_per_minute.csv")),
            format: Some(Format::WorldCup98),
            to: Some("1998-06-29T12:00:00Z".to_string()),
            out: Some(out.clone()),
            no_report: true,
            ..ReplayArgs::default()
        };
        replay(args).unwrap();
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["mode"], "replay-closed");
        assert_eq!(run["scenario"], "replay-worldcup98");
        assert!(out.join("events.parquet").exists());
        assert!(out.join("stream_summary.json").exists());
    }

    #[test]
    fn missing_scenario_is_explained() {
        let args = ReplayArgs {
            format: Some(Format::AzureVm),
            ..ReplayArgs::default()
        };
        let err = replay(args).unwrap_err().to_string();
        assert!(err.contains("replay-azure-vm.toml"), "{err}");
        let err = replay(ReplayArgs::default()).unwrap_err().to_string();
        assert!(err.contains("--scenario"), "{err}");
    }
}
