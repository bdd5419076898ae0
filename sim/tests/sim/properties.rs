//! Property test: random small fleets, loads and faults, run end to end;
//! the recorded timeline must keep the safety invariants. A failing case
//! prints its seed; rerun it with `LIGHTHOUSE_SIM_SEED=<seed>`, run more with
//! `PROPTEST_CASES=<n>`.

use lighthouse_engine::core::retry::SplitMix64;
use lighthouse_sim::record::{EventKind, Layer};
use lighthouse_sim::{SimOptions, Simulation, parse_scenario};
use proptest::prelude::*;

struct Case {
    text: String,
    budget: Option<f64>,
    maintenance: (i64, i64),
    bounds: Vec<(u32, u32)>,
}

fn case(seed: u64) -> Case {
    let mut rng = SplitMix64::new(seed);
    let mut pick = |n: u64| rng.next_u64() % n;
    let apps = 1 + pick(3);
    let mut bounds = Vec::new();
    let mut app_text = String::new();
    let mut policies = String::new();
    for i in 0..apps {
        let min = 1 + pick(3) as u32;
        let max = min + pick(15) as u32;
        bounds.push((min, max));
        let load = match pick(4) {
            0 => format!("{{ kind = \"constant\", rps = {} }}", 50 + pick(800)),
            1 => format!(
                "{{ kind = \"step\", before = {}, after = {}, at_s = {} }}",
                50 + pick(300),
                200 + pick(2000),
                600 + pick(3000)
            ),
            2 => format!(
                "{{ kind = \"sum\", parts = [{{ kind = \"constant\", rps = 100.0 }}, {{ kind = \"flash_crowd\", at_s = {}, peak = {}, rise_s = 60.0, decay_s = 900.0 }}] }}",
                600 + pick(3000),
                500 + pick(2500)
            ),
            _ => format!(
                "{{ kind = \"bursty\", low = {}, high = {}, mean_low_s = 900.0, mean_high_s = 600.0 }}",
                50 + pick(200),
                300 + pick(1500)
            ),
        };
        let spot = pick(2) == 0;
        app_text.push_str(&format!(
            "[[apps]]\nname = \"a{i}\"\npolicy = \"p{i}\"\nservice_rate_rps = 100.0\ncpu_cores = {}\nspot_tolerant = {spot}\nload = {load}\n\n",
            [0.25, 0.5, 1.0][pick(3) as usize]
        ));
        policies.push_str(&format!(
            "[policies.p{i}]\nmin_capacity = {min}\nmax_capacity = {max}\n[[policies.p{i}.thresholds]]\nmetric_name = \"cpu_percent\"\nscale_up_threshold = 70.0\nscale_down_threshold = 25.0\nscale_factor = {}\ncooldown_seconds = {}\n\n",
            [1.2, 1.5, 2.0][pick(3) as usize],
            [10, 60, 300][pick(3) as usize]
        ));
    }
    let budget = (pick(2) == 0).then(|| 1.0 + pick(4) as f64);
    let m_start = 600 + pick(5000) as i64;
    let m_end = m_start + 300 + pick(2000) as i64;
    let mut faults = String::new();
    if pick(2) == 0 {
        faults.push_str(&format!("[[faults]]\nkind = \"scale_failures\"\nfrom = \"0s\"\nto = \"3h\"\nprobability = 0.{}\nlost_answer = {}\n\n", 1 + pick(5), pick(2) == 0));
    }
    if pick(2) == 0 {
        faults.push_str(&format!(
            "[[faults]]\nkind = \"worker_crash\"\nat = \"{}s\"\n\n",
            600 + pick(8000)
        ));
    }
    if pick(3) == 0 {
        faults.push_str(&format!(
            "[[faults]]\nkind = \"metric_gap\"\nfrom = \"{}s\"\nto = \"{}s\"\n\n",
            m_start, m_end
        ));
    }
    let budget_text = budget.map_or(String::new(), |b| {
        format!("[engine.safety]\nbudget_limit_per_hour = {b}\n")
    });
    let text = format!(
        r#"
[simulation]
name = "prop"
duration = "3h"
start = "2024-07-01T00:00:00Z"
seed = {scenario_seed}

{budget_text}

{policies}
[policies.platform]
min_capacity = 3
max_capacity = 6
[[policies.platform.thresholds]]
metric_name = "api_request_queue_length"
scale_up_threshold = 50.0
scale_down_threshold = 5.0
scale_factor = 1.3
cooldown_seconds = 300

[policies.cluster]
min_capacity = 1
max_capacity = 12
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.5
cooldown_seconds = 60
scale_down_cooldown_seconds = 300
[[policies.cluster.thresholds]]
metric_name = "cluster_cpu_utilization"
scale_up_threshold = 85.0
scale_down_threshold = 40.0
scale_factor = 1.5
cooldown_seconds = 60
scale_down_cooldown_seconds = 300

{app_text}
[[platform]]
name = "api"
policy = "platform"
service_rate_rps = 300.0
cpu_cores = 0.25
load = {{ kind = "constant", rps = 200.0 }}

[workers]
policy = "cluster"
initial = 1
idle_termination = "{idle}s"

[[worker_types]]
name = "w4"
kind = "cloud"
cpu_cores = 4.0
memory_gb = 32.0
price_per_hour = 0.25
provisioning = {{ median = "90s", tail_probability = 0.2, tail_factor = 3.0 }}

[[worker_types]]
name = "w4-spot"
kind = "cloud"
cpu_cores = 4.0
memory_gb = 32.0
price_per_hour = 0.08
spot = true
interruptions_per_hour = 0.5
provisioning = {{ median = "60s" }}

{faults}
[[maintenance]]
name = "m"
start = "{m_start}s"
end = "{m_end}s"
"#,
        idle = [0, 300, 900][pick(3) as usize],
        // TOML integers are signed 64-bit.
        scenario_seed = seed >> 1,
    );
    Case {
        text,
        budget,
        maintenance: (m_start * 1000, m_end * 1000),
        bounds,
    }
}

fn check(seed: u64) -> Result<(), String> {
    let c = case(seed);
    let loaded = parse_scenario(&c.text, "prop.toml").map_err(|e| format!("{e}"))?;
    let options = SimOptions {
        check_invariants: true,
        ..SimOptions::default()
    };
    let sim = Simulation::new(&loaded, &options).map_err(|e| e.to_string())?;
    // Fleet bookkeeping (no instance lost or counted twice) is checked
    // after every event by `check_invariants`.
    let r = sim.run(&mut |_| {}).map_err(|e| e.to_string())?.record;
    let start = r.meta.start_ms;
    for row in 0..r.apps.len() {
        let i = r.apps.app_idx[row] as usize;
        let target = r.apps.target_instances[row];
        let (lo, hi) = match r.meta.apps[i].layer {
            Layer::PlatformComponent => (3, 6),
            _ => c.bounds[i],
        };
        if target < f64::from(lo) || target > f64::from(hi) {
            return Err(format!(
                "{} at {}: target {target} outside [{lo}, {hi}]",
                r.meta.apps[i].name, r.apps.t_ms[row]
            ));
        }
    }
    let (m0, m1) = c.maintenance;
    for e in &r.events {
        let t = e.t_ms - start;
        if e.kind == EventKind::Executed && t >= m0 && t < m1 {
            return Err(format!(
                "executed inside the maintenance window at {t} ms: {e:?}"
            ));
        }
    }
    if let Some(limit) = c.budget {
        // The initial pool is one worker (0.25/h), within every budget tried.
        for (row, &rate) in r.cluster.cost_rate_per_hour.iter().enumerate() {
            if rate > limit + 1e-9 {
                return Err(format!(
                    "spending {rate}/h above the budget {limit}/h at row {row}"
                ));
            }
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_fleets_keep_the_safety_invariants(seed in any::<u64>()) {
        if let Err(e) = check(seed) {
            prop_assert!(false, "{e}\nrerun with LIGHTHOUSE_SIM_SEED={seed}");
        }
    }
}

#[test]
fn a_seed_from_the_environment_reruns_one_case() {
    let seed = std::env::var("LIGHTHOUSE_SIM_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2024);
    check(seed).unwrap();
}
