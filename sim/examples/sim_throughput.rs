//! Measures the simulator at scale: the quickstart's shape with many apps.
//!
//! `cargo run --release -p lighthouse-sim --example sim_throughput -- --apps N --days D [--seed S]`
//!
//! N user apps (diurnal load with noise, CPU threshold policy), 3 platform
//! components, a worker pool of 16-core nodes sized to about one worker per
//! ten apps, 10 s metric samples and a 30 s evaluation interval. Prints one
//! JSON line with `apps`, `workers`, `simulated_days`, `wall_seconds`,
//! `simulated_seconds_per_wall_second`, `resource_evaluations_per_sec` and
//! `peak_rss_mb`, plus `events`, `cycles` and `decisions`.

use lighthouse_sim::benchmark::{peak_rss_mb, throughput_scenario};
use lighthouse_sim::{SimOptions, Simulation, parse_scenario};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn number(name: &str, default: u64) -> u64 {
    arg(name).map_or(default, |v| {
        v.replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("{name} expects a whole number, got {v:?}"))
    })
}

fn main() {
    let apps = number("--apps", 1000);
    let days: f64 = arg("--days").map_or(30.0, |v| v.parse().expect("--days expects a number"));
    let seed = number("--seed", 1);
    let text = throughput_scenario(apps, days, seed);
    let loaded = parse_scenario(&text, "sim_throughput").unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulation::new(&loaded, &SimOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let outcome = sim.run(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let s = outcome.stats;
    println!(
        "{{\"apps\":{apps},\"workers\":{},\"simulated_days\":{days},\"wall_seconds\":{:.3},\"simulated_seconds_per_wall_second\":{:.0},\"resource_evaluations_per_sec\":{:.0},\"peak_rss_mb\":{:.1},\"events\":{},\"cycles\":{},\"decisions\":{},\"peak_workers\":{}}}",
        s.final_workers,
        s.wall_seconds,
        s.simulated_seconds / s.wall_seconds,
        s.resource_evaluations as f64 / s.wall_seconds,
        peak_rss_mb(),
        s.events,
        s.cycles,
        s.decisions,
        s.peak_workers,
    );
}
