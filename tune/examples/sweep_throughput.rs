//! Measures sweeps: a 7-day, 100-app scenario swept over N random settings.
//!
//! `cargo run --release -p lighthouse-tune --example sweep_throughput -- --runs N --jobs J [--days D] [--apps A]`
//!
//! The scenario is the simulator benchmark's shape (`sim_throughput`):
//! A user apps (diurnal load with log-normal noise, CPU threshold policy),
//! 3 platform components, 16-core workers, 10 s samples, 30 s evaluations.
//! The sweep draws the apps' cooldown (60..1800 s, log scale), scale-up
//! threshold (60..90 %) and scale factor (1.2..2.0). Every run simulates the
//! whole scenario; the results table, Pareto plot and recommendation are
//! written to a temporary directory, as a real sweep does.
//!
//! Prints one JSON line: `runs`, `jobs`, `wall_seconds`, `runs_per_sec`,
//! `sim_seconds_per_run` (mean time inside the simulator, seconds),
//! `per_run_overhead_ms` (mean time per run outside the simulator:
//! settings, validation, the row; milliseconds of one thread),
//! `write_seconds` (table, plot, files), `apps`, `days`.

use lighthouse_sim::benchmark::throughput_scenario;
use lighthouse_tune::{SweepOptions, Target, sweep};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    arg(name).map_or(Ok(default), |v| {
        v.replace('_', "")
            .parse()
            .map_err(|_| format!("{name} expects a whole number, got {v:?}"))
    })
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let runs = number("--runs", 8)? as usize;
    let jobs = number("--jobs", 1)? as usize;
    let apps = number("--apps", 100)?;
    let days = number("--days", 7)?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let target = Target::from_text(
        &throughput_scenario(apps, days as f64, 1),
        "sweep_throughput",
        dir.path(),
        None,
    )
    .map_err(|e| e.to_string())?;
    let options = SweepOptions {
        params: vec![
            "policies.svc.thresholds[0].cooldown_seconds=60..1800:log8".into(),
            "policies.svc.thresholds[0].scale_up_threshold=60..90".into(),
            "policies.svc.thresholds[0].scale_factor=1.2..2.0".into(),
        ],
        random: Some(runs),
        jobs: Some(jobs),
        out: dir.path().join("sweep"),
        progress: false,
        ..SweepOptions::default()
    };
    let outcome = sweep(target, &options).map_err(|e| e.to_string())?;
    let n = outcome.table.rows().max(1) as f64;
    Ok(format!(
        "{{\"runs\":{},\"jobs\":{},\"wall_seconds\":{:.3},\"runs_per_sec\":{:.4},\"sim_seconds_per_run\":{:.3},\"per_run_overhead_ms\":{:.2},\"write_seconds\":{:.3},\"apps\":{apps},\"days\":{days}}}",
        outcome.table.rows(),
        outcome.jobs,
        outcome.wall_seconds,
        outcome.table.rows() as f64 / outcome.wall_seconds,
        outcome.sim_seconds / n,
        outcome.overhead_seconds / n * 1000.0,
        outcome.write_seconds,
    ))
}
