//! The benchmarks' scenario: the quickstart's shape at any size, shared by
//! `sim_throughput`, the criterion benches and the sweep benchmark so that
//! their figures describe the same fleet.
//!
//! N user apps (diurnal load with log-normal noise, CPU threshold policy),
//! 3 platform components (API server, scheduler, etcd), a pool of 16-core
//! workers starting at one per ten apps, 10 s metric samples and a 30 s
//! evaluation interval.

/// The scenario text for `apps` user apps over `days` simulated days, with
/// the run seeded by `seed`.
pub fn throughput_scenario(apps: u64, days: f64, seed: u64) -> String {
    let workers = (apps / 10).max(3);
    format!(
        r#"
[simulation]
name = "throughput"
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

/// The process's peak resident memory so far (Linux `VmHWM`), megabytes;
/// 0 where `/proc` is not available.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_benchmark_scenario_is_valid_at_every_size() {
        for apps in [1, 10, 1000] {
            let text = throughput_scenario(apps, 0.5, 7);
            let loaded = crate::parse_scenario(&text, "throughput").unwrap();
            assert_eq!(loaded.scenario.simulation.seed, 7);
        }
    }
}
