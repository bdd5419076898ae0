//! Measures one evaluation cycle of the sans-IO core over many resources.
//!
//! `cargo run --release -p lighthouse-engine --example engine_throughput -- --resources N --cycles C`
//!
//! Each resource has 3 metrics and one threshold policy; before every cycle
//! each metric gets a fresh sample (about 1 % cross a threshold), then the
//! core evaluates every resource, decides the proposals and records their
//! outcomes. Prints one JSON line with `resources`, `cycles`,
//! `evaluations_per_sec`, `cycle_ms_median` and `peak_rss_mb`, plus
//! `push_ms_median` (pushing the 3 samples of every resource),
//! `state_mb` (engine state above the process baseline),
//! `state_bytes_per_resource`, `decisions` and `allocations_per_cycle`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lighthouse_engine::core::retry::SplitMix64;
use lighthouse_engine::*;

struct Counting;
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("{name} expects a number, got {v:?}"))
        })
        .unwrap_or(default)
}

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let resources = arg("--resources", 10_000);
    let cycles = arg("--cycles", 200).max(1);
    let t = |m: &str, up, down| utils::threshold(m, up, down, 1.5, 60);
    let policy = ScalingPolicy::threshold(
        "three-metrics",
        vec![
            t("requests_per_second", 1000.0, 200.0),
            t("cpu_percent", 80.0, 20.0),
            t("memory_percent", 85.0, 30.0),
        ],
        1,
        1000,
    );
    let config = LighthouseConfig::builder()
        .evaluation_interval(30)
        .add_resource_config(
            "web",
            ResourceConfig::new("web", ResourceLayer::AppInstance, policy),
        )
        .build()
        .expect("valid config");

    let baseline_kb = rss_kb("VmRSS:");
    let mut core = EngineCore::new(config, Timestamp(0)).expect("valid config");
    let keys: Vec<ResourceKey> = (0..resources)
        .map(|i| {
            let key = core
                .register_resource(
                    &format!("app_instance:app-{i:06}"),
                    "web",
                    MetricsSource::Push,
                )
                .expect("valid resource");
            core.observe_capacity(key, 10, Timestamp(0));
            key
        })
        .collect();
    let metrics = ["requests_per_second", "cpu_percent", "memory_percent"]
        .map(|m| core.metric_key(m).expect("interned"));
    let state_kb = rss_kb("VmRSS:").saturating_sub(baseline_kb);

    let mut rng = SplitMix64::new(42);
    let mut proposals = Vec::with_capacity(resources);
    let mut skips = Vec::with_capacity(resources);
    let mut cycle_ms = Vec::with_capacity(cycles);
    let mut push_ms = Vec::with_capacity(cycles);
    let mut decisions = 0u64;
    let mut allocations = 0u64;
    let mut evaluation_seconds = 0.0;
    for c in 0..cycles {
        let now = Timestamp::from_secs(30 * c as i64);
        let push_start = Instant::now();
        for &key in &keys {
            // Mostly inside the band; about 1 % of resources cross a threshold.
            let hot = rng.next_u64().is_multiple_of(100);
            let rps = if hot {
                1500.0
            } else {
                300.0 + 400.0 * rng.next_f64()
            };
            for (metric, value) in metrics.iter().zip([rps, 50.0, 60.0]) {
                core.observe_sample(key, *metric, value, now)
                    .expect("valid sample");
            }
        }
        push_ms.push(push_start.elapsed().as_secs_f64() * 1e3);

        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let start = Instant::now();
        core.begin_cycle(now);
        for layer in ResourceLayer::ALL {
            proposals.clear();
            skips.clear();
            core.evaluate_layer(layer, now, &mut proposals, &mut skips);
            for p in &proposals {
                let capacity = core.capacity(p.key);
                if let Decision::Act(pending) = core.decide(p, capacity, now) {
                    core.record_outcome(&pending, Outcome::Executed, now);
                    decisions += 1;
                }
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        allocations += ALLOCATIONS.load(Ordering::Relaxed) - before;
        evaluation_seconds += elapsed;
        cycle_ms.push(elapsed * 1e3);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{{\"resources\":{resources},\"cycles\":{cycles},\"evaluations_per_sec\":{:.0},\"cycle_ms_median\":{:.4},\"peak_rss_mb\":{:.1},\"push_ms_median\":{:.4},\"state_mb\":{:.2},\"state_bytes_per_resource\":{},\"decisions\":{decisions},\"allocations_per_cycle\":{:.1}}}",
        (resources * cycles) as f64 / evaluation_seconds,
        median(&mut cycle_ms),
        rss_kb("VmHWM:") as f64 / 1024.0,
        median(&mut push_ms),
        state_kb as f64 / 1024.0,
        core.state_bytes() / resources.max(1),
        allocations as f64 / cycles as f64,
    );
}
