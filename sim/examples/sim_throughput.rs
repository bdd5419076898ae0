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

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The benchmark scenario, for `apps` apps over `days` days.
pub fn scenario(apps: u64, days: f64, seed: u64) -> String {
    let workers = (apps / 10).max(3);
    format!(
        r#"
[simulation]
name = "sim-throughput"
duration = "{duration}s"
start = "2024-07-01T00:00:00Z"
seed = {seed}
resolution = "1h"

[policies.svc]
min_capacity = 2
max_capacity = 30
[[policies.svc.thresholds]]
metric_name = "cpu_percent"
scale_up_threshold = 75.0
scale_down_threshold = 25.0
scale_factor = 1.5
cooldown_seconds = 120
scale_down_cooldown_seconds = 600

[policies.platform]
min_capacity = 3
max_capacity = 12
[[policies.platform.thresholds]]
metric_name = "api_request_queue_length"
scale_up_threshold = 100.0
scale_down_threshold = 10.0
scale_factor = 1.3
cooldown_seconds = 600

[policies.cluster]
min_capacity = {min_workers}
max_capacity = {max_workers}
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.2
cooldown_seconds = 120
scale_down_cooldown_seconds = 900
[[policies.cluster.thresholds]]
metric_name = "cluster_cpu_utilization"
scale_up_threshold = 85.0
scale_down_threshold = 40.0
scale_factor = 1.2
cooldown_seconds = 120
scale_down_cooldown_seconds = 900

[[apps]]
name = "svc"
count = {apps}
policy = "svc"
service_rate_rps = 100.0
cpu_cores = 0.5
memory_gb = 1.0
[apps.load]
kind = "log_normal"
sigma = 0.1
of = {{ kind = "diurnal", base = 200.0, amplitude = 150.0, peak_hour = 14.0, weekend_factor = 0.7 }}

[[platform]]
name = "api-server"
policy = "platform"
service_rate_rps = 2000.0
load = {{ kind = "constant", rps = 3000.0 }}

[[platform]]
name = "scheduler"
policy = "platform"
service_rate_rps = 2000.0
load = {{ kind = "constant", rps = 2000.0 }}

[[platform]]
name = "etcd"
policy = "platform"
service_rate_rps = 4000.0
load = {{ kind = "constant", rps = 3000.0 }}

[workers]
policy = "cluster"
initial = {workers}

[[worker_types]]
name = "m5.4xlarge"
kind = "cloud"
provider = "aws"
region = "eu-west-1"
cpu_cores = 16.0
memory_gb = 64.0
price_per_hour = 0.768
provisioning = {{ median = "90s" }}
"#,
        duration = (days * 86_400.0).round() as u64,
        min_workers = (workers / 2).max(1),
        max_workers = workers * 4,
    )
}

fn main() {
    let apps = number("--apps", 1000);
    let days: f64 = arg("--days").map_or(30.0, |v| v.parse().expect("--days expects a number"));
    let seed = number("--seed", 1);
    let text = scenario(apps, days, seed);
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
