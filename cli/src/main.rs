//! `lighthouse`: test and tune an autoscaler before it touches production.
//!
//! Subcommands: `run` a scenario in the simulator, `report` a run again,
//! `compare` runs, `replay` a trace, `compare-policies` on one load,
//! `sweep` and `merge` parameters, `live` and `fleet-server`.

mod commands;
mod paths;
mod progress;
mod table;

use clap::{Parser, Subcommand};

/// Test and tune the Lighthouse autoscaling engine against a simulated fleet.
#[derive(Parser, Debug)]
#[command(name = "lighthouse", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario, print a summary and write the run and its report.
    Run(commands::run::RunArgs),
    /// Regenerate the report of a run directory.
    Report(commands::report::ReportArgs),
    /// Compare runs side by side.
    Compare(commands::compare::CompareArgs),
    /// Replay a workload trace (open or closed loop), print a summary and
    /// write the run and its report.
    Replay(commands::replay::ReplayArgs),
    /// Sweep policy parameters over a scenario or trace: results table,
    /// Pareto front and a recommended configuration.
    Sweep(commands::sweep::SweepArgs),
    /// Merge the result tables of a sharded sweep into one.
    Merge(commands::sweep::MergeArgs),
    /// Run the engine in real time against Prometheus and OmniCloud, with
    /// the management API (`--shadow`: decide and record, never act).
    Live(commands::live::LiveArgs),
    /// Serve a scenario's simulated fleet as OmniCloud REST routes and
    /// Prometheus metrics, against the wall clock (for `live` end to end).
    FleetServer(commands::fleet_server::FleetServerArgs),
    /// Run one scenario or trace with several policy files and compare the
    /// runs.
    ComparePolicies(commands::compare_policies::ComparePoliciesArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli
        .command
        .unwrap_or(Command::Run(commands::run::RunArgs::default()))
    {
        Command::Run(args) => commands::run::run(args),
        Command::Report(args) => commands::report::report(args),
        Command::Compare(args) => commands::compare::compare(args),
        Command::Replay(args) => commands::replay::replay(args),
        Command::Sweep(args) => commands::sweep::sweep_command(args),
        Command::Merge(args) => commands::sweep::merge_command(args),
        Command::Live(args) => commands::live::live(args),
        Command::FleetServer(args) => commands::fleet_server::fleet_server(args),
        Command::ComparePolicies(args) => commands::compare_policies::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
