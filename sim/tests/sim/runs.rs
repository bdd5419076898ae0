//! Whole runs of small scenarios, end to end through the real engine.

use lighthouse_sim::record::{Direction, EventKind, RunRecord};
use lighthouse_sim::scenario::parse_duration;
use lighthouse_sim::{SimOptions, SimStats, Simulation, parse_scenario};

use crate::scenarios::quickstart_text;

pub fn run_text(text: &str, options: SimOptions) -> (RunRecord, SimStats) {
    let loaded = parse_scenario(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let sim = Simulation::new(
        &loaded,
        &SimOptions {
            check_invariants: true,
            ..options
        },
    )
    .unwrap();
    let out = sim.run(&mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    (out.record, out.stats)
}

fn hours(h: &str) -> SimOptions {
    SimOptions {
        duration: Some(parse_duration(h).unwrap()),
        ..SimOptions::default()
    }
}

/// The last stored row of app `app` in the app timeline.
fn last_row(r: &RunRecord, app: u32) -> usize {
    r.apps.app_idx.iter().rposition(|&a| a == app).unwrap()
}

fn executed(r: &RunRecord, resource: &str) -> Vec<(i64, Direction, i64)> {
    r.events
        .iter()
        .filter(|e| {
            e.kind == EventKind::Executed && r.resources[e.resource.0 as usize].id == resource
        })
        .map(|e| (e.t_ms, e.direction, e.to_capacity))
        .collect()
}

#[test]
fn the_same_scenario_and_seed_give_the_same_run() {
    let text = quickstart_text();
    let (a, _) = run_text(&text, hours("3h"));
    let (b, _) = run_text(&text, hours("3h"));
    assert_eq!(a, b);
    let (c, _) = run_text(
        &text,
        SimOptions {
            seed: Some(99),
            ..hours("3h")
        },
    );
    assert_ne!(
        a.apps.demand_rps, c.apps.demand_rps,
        "another seed, another load"
    );
}

/// Runs `text` with blocks in vector lanes and one app at a time, checks
/// that both give the same run, and returns the first run and its stats.
fn same_run_in_blocks_and_one_by_one(text: &str) -> (RunRecord, SimStats) {
    let (blocks, stats) = run_text(text, SimOptions::default());
    let one_by_one = SimOptions {
        one_by_one: true,
        ..SimOptions::default()
    };
    let (single, single_stats) = run_text(text, one_by_one);
    assert_eq!(blocks, single);
    assert_eq!(stats.decisions, single_stats.decisions);
    assert_eq!(single_stats.block_samples, 0);
    (blocks, stats)
}

fn has_vector_lanes() -> bool {
    cfg!(target_arch = "x86_64") && std::arch::is_x86_feature_detected!("avx2")
}

#[test]
fn apps_served_in_vector_blocks_give_the_same_run_as_one_by_one() {
    // The benchmark's fleet: copies of one app, so blocks of eight share a
    // service model; 45 apps and 3 platform components leave a part block.
    let text = lighthouse_sim::benchmark::throughput_scenario(45, 1.0, 3);
    let (blocks, stats) = same_run_in_blocks_and_one_by_one(&text);
    if has_vector_lanes() {
        // Most of the copies' samples went through the blocks.
        let samples = blocks.stream.app_samples;
        assert!(stats.block_samples > samples / 2, "{stats:?} of {samples}");
    }
}

#[test]
fn blocks_that_leave_the_lanes_and_come_back_give_the_same_run_as_one_by_one() {
    // Noise wide enough that copies overload now and then: a queue takes
    // their block out of the lanes (the apps are served one at a time and
    // hold their services' state) until it drains.
    let text = lighthouse_sim::benchmark::throughput_scenario(45, 1.0, 3)
        .replace("sigma = 0.1", "sigma = 0.8");
    assert!(
        text.contains("sigma = 0.8"),
        "the benchmark's noise widened"
    );
    let (blocks, stats) = same_run_in_blocks_and_one_by_one(&text);
    if has_vector_lanes() {
        // Blocks went both ways: many samples in lanes, and many of the
        // copies' (40 copies in whole blocks) one at a time.
        let in_blocks_possible = 40 * blocks.stream.cluster_samples;
        assert!(
            stats.block_samples > in_blocks_possible / 10
                && stats.block_samples < in_blocks_possible * 9 / 10,
            "{stats:?} of {in_blocks_possible}"
        );
    }
}

/// A pool of one 4-core worker type, fixed to `workers` when `fixed`.
fn small(app_policy: &str, load: &str, pool: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
name = "small"
duration = "2h"
start = "2024-07-01T00:00:00Z"
seed = 3

{extra}

[policies.app]
{app_policy}

[policies.platform]
min_capacity = 3
max_capacity = 6
[[policies.platform.thresholds]]
metric_name = "api_request_queue_length"
scale_up_threshold = 100.0
scale_down_threshold = 10.0
scale_factor = 1.3
cooldown_seconds = 600

[policies.cluster]
{pool}

[[apps]]
name = "web"
policy = "app"
service_rate_rps = 100.0
cpu_cores = 1.0
memory_gb = 1.0
startup = "30s"
load = {load}

[[platform]]
name = "api"
policy = "platform"
service_rate_rps = 500.0
cpu_cores = 0.5
memory_gb = 1.0
load = {{ kind = "constant", rps = 100.0 }}

[workers]
policy = "cluster"
initial = 2
idle_termination = "0s"

[[worker_types]]
name = "w4"
kind = "cloud"
cpu_cores = 4.0
memory_gb = 16.0
price_per_hour = 0.36
provisioning = {{ median = "100s", sigma = 0.0 }}
"#
    )
}

const CPU_POLICY: &str = r#"min_capacity = 2
max_capacity = 40
[[policies.app.thresholds]]
metric_name = "cpu_percent"
scale_up_threshold = 70.0
scale_down_threshold = 20.0
scale_factor = 1.5
cooldown_seconds = 60
scale_down_cooldown_seconds = 600"#;

const PENDING_POOL: &str = r#"min_capacity = 2
max_capacity = 20
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 2.0
cooldown_seconds = 60
scale_down_cooldown_seconds = 3600
[[policies.cluster.thresholds]]
metric_name = "cluster_cpu_utilization"
scale_up_threshold = 90.0
scale_down_threshold = 40.0
scale_factor = 1.5
cooldown_seconds = 60
scale_down_cooldown_seconds = 3600"#;

#[test]
fn pending_instances_trigger_a_worker_scale_up_through_the_engine() {
    let text = small(
        CPU_POLICY,
        r#"{ kind = "step", before = 150.0, after = 1500.0, at_s = 1800.0 }"#,
        PENDING_POOL,
        "",
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let start = r.meta.start_ms;
    let pool = executed(&r, "worker_node:pool");
    let first_pool_up = pool
        .iter()
        .find(|e| e.1 == Direction::Up)
        .expect("the pool scaled up");
    assert!(first_pool_up.0 >= start + 1_800_000, "only after the step");
    // Apps are decided before workers in one cycle: the pool scaled up in
    // the very cycle whose app scale-up left instances pending…
    let web = executed(&r, "app_instance:web");
    assert!(
        web.iter()
            .any(|e| e.0 == first_pool_up.0 && e.1 == Direction::Up),
        "{web:?} / {pool:?}"
    );
    // …and the next sample shows them pending, waiting for the new workers.
    let next = r
        .cluster
        .t_ms
        .iter()
        .position(|&t| t > first_pool_up.0)
        .unwrap();
    assert!(r.cluster.pending_workloads[next] > 0.0);
    // The app ends with enough instances for 1500 rps at 100 rps each.
    let ready = r.apps.supply_instances[last_row(&r, 0)];
    assert!(ready >= 16.0, "{ready}");
}

#[test]
fn provisioning_delay_delays_the_new_workers_capacity() {
    let text = small(
        CPU_POLICY,
        r#"{ kind = "step", before = 150.0, after = 1500.0, at_s = 1800.0 }"#,
        PENDING_POOL,
        "",
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let up = r
        .events
        .iter()
        .find(|e| {
            e.kind == EventKind::Executed
                && r.resources[e.resource.0 as usize].id == "worker_node:pool"
        })
        .unwrap();
    let ready = r
        .events
        .iter()
        .find(|e| e.kind == EventKind::Ready && e.action_id == up.action_id)
        .unwrap();
    assert_eq!(
        ready.t_ms - up.t_ms,
        100_000,
        "exactly the 100 s provisioning delay"
    );
}

#[test]
fn a_fixed_fleet_costs_exactly_its_price_times_its_time() {
    let fixed = r#"min_capacity = 2
max_capacity = 2
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 2.0
cooldown_seconds = 60"#;
    let text = small(
        CPU_POLICY,
        r#"{ kind = "constant", rps = 100.0 }"#,
        fixed,
        "",
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let total = r.stream.figures.cost.total;
    // 2 workers × 0.36 per hour × 2 hours.
    assert!((total - 1.44).abs() < 1e-9, "{total}");
    let sum: f64 = r.cluster.cost.iter().sum();
    assert!((sum - 1.44).abs() < 1e-9, "{sum}");
}

#[test]
fn nothing_is_executed_inside_a_maintenance_window() {
    let extra = "[[maintenance]]\nname = \"m\"\nstart = \"30m\"\nend = \"1h\"";
    let text = small(
        CPU_POLICY,
        r#"{ kind = "ramp", from = 100.0, to = 1200.0, start_s = 1800.0, end_s = 3600.0 }"#,
        PENDING_POOL,
        extra,
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let start = r.meta.start_ms;
    let inside = |t: i64| t >= start + 1_800_000 && t < start + 3_600_000;
    assert!(
        r.events
            .iter()
            .filter(|e| e.kind == EventKind::Executed)
            .all(|e| !inside(e.t_ms))
    );
    let skipped = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Skipped && inside(e.t_ms) && e.reason == "safety")
        .count();
    assert!(skipped > 0, "wanted actions were skipped for the window");
    assert!(
        r.events
            .iter()
            .any(|e| e.kind == EventKind::Executed && e.t_ms >= start + 3_600_000)
    );
}

#[test]
fn the_budget_caps_the_spending_rate() {
    let extra = "[engine.safety]\nbudget_limit_per_hour = 1.5";
    let text = small(
        CPU_POLICY,
        r#"{ kind = "constant", rps = 3000.0 }"#,
        PENDING_POOL,
        extra,
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let peak = r
        .cluster
        .cost_rate_per_hour
        .iter()
        .cloned()
        .fold(0.0, f64::max);
    assert!(peak <= 1.5 + 1e-9, "peak spending {peak}/h");
    assert!(
        r.events
            .iter()
            .any(|e| e.kind == EventKind::Skipped && e.reason == "safety"),
        "the engine was stopped by the budget"
    );
}

#[test]
fn injected_failures_are_retried_and_nothing_is_lost_or_counted_twice() {
    let extra = r#"[[faults]]
kind = "scale_failures"
from = "0s"
to = "2h"
probability = 0.5

[[faults]]
kind = "scale_failures"
from = "0s"
to = "2h"
probability = 0.3
lost_answer = true

[[faults]]
kind = "worker_crash"
at = "50m""#;
    let text = small(
        CPU_POLICY,
        r#"{ kind = "step", before = 150.0, after = 1500.0, at_s = 1800.0 }"#,
        PENDING_POOL,
        extra,
    );
    // check_invariants (set by run_text) verifies after every event that
    // each app's target equals ready + starting + pending.
    let (r, stats) = run_text(&text, SimOptions::default());
    assert!(stats.errors > 0, "failures were injected");
    let errors = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Error)
        .count();
    assert_eq!(errors as u64, stats.errors);
    let ready = r.apps.supply_instances[last_row(&r, 0)];
    assert!(
        ready >= 16.0,
        "retries got the capacity in the end: {ready}"
    );
    assert!(
        r.events
            .iter()
            .any(|e| e.kind == EventKind::Fault && e.reason == "worker_crash")
    );
}

#[test]
fn platform_components_never_drop_below_three() {
    let (r, _) = run_text(&quickstart_text(), hours("6h"));
    for (i, app) in r.meta.apps.iter().enumerate() {
        if app.layer != lighthouse_sim::record::Layer::PlatformComponent {
            continue;
        }
        for (row, &a) in r.apps.app_idx.iter().enumerate() {
            if a as usize == i {
                assert!(
                    r.apps.target_instances[row] >= 3.0,
                    "{} at row {row}",
                    app.name
                );
            }
        }
    }
}
