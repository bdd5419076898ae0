//! A short, noisy scenario: one app whose load jitters around the point
//! where a narrow threshold band flips, so short cooldowns flap.

use std::path::{Path, PathBuf};

use lighthouse_tune::{Constraints, Objective, SweepOptions, Target};

/// Path of the cooldown in the scenario.
pub const COOLDOWN: &str = "policies.web.thresholds[0].cooldown_seconds";

/// The scenario text: `hours` long.
pub fn noisy_scenario(hours: u32) -> String {
    format!(
        r#"
[simulation]
name = "noisy"
duration = "{hours}h"
start = "2024-07-01T00:00:00Z"
seed = 7
sample_interval = "10s"
flap_window = "10m"

[engine]
evaluation_interval_seconds = 30

[policies.web]
min_capacity = 2
max_capacity = 30
[[policies.web.thresholds]]
metric_name = "cpu_percent"
scale_up_threshold = 65.0
scale_down_threshold = 50.0
scale_factor = 1.5
cooldown_seconds = 60

[policies.cluster]
min_capacity = 3
max_capacity = 6
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.5
cooldown_seconds = 120
scale_down_cooldown_seconds = 600

[[apps]]
name = "web"
policy = "web"
service_rate_rps = 100.0
cpu_cores = 0.5
memory_gb = 1.0
startup = "20s"
slo = {{ latency_ms = 300.0, max_drop_rate = 0.01 }}
[apps.load]
kind = "log_normal"
sigma = 0.35
of = {{ kind = "constant", rps = 400.0 }}

[workers]
policy = "cluster"
initial = 3

[[worker_types]]
name = "m5.2xlarge"
kind = "cloud"
provider = "aws"
region = "eu-west-1"
cpu_cores = 8.0
memory_gb = 32.0
price_per_hour = 0.384
provisioning = {{ median = "60s" }}
"#
    )
}

/// Writes the scenario in `dir` and loads it.
pub fn noisy_target(dir: &Path, hours: u32) -> (PathBuf, Target) {
    let path = dir.join("noisy.toml");
    std::fs::write(&path, noisy_scenario(hours)).expect("write the scenario");
    let target = Target::load(&path, None).expect("the noisy scenario is valid");
    (path, target)
}

/// Options of a sweep with `params` into `out`, 2 jobs, no bar.
pub fn options(params: &[&str], out: &Path) -> SweepOptions {
    SweepOptions {
        params: params.iter().map(|p| p.to_string()).collect(),
        objective: Objective::Cost,
        constraints: Constraints::default(),
        jobs: Some(2),
        out: out.to_path_buf(),
        progress: false,
        ..SweepOptions::default()
    }
}
