//! Measures the recorder's cost per app sample, the part of the
//! simulator's budget (a 30-day, 1,000-app run at 10 s samples, 259 M app
//! samples, in under 10 s all told) that recording takes.
//!
//! ```text
//! cargo run --release -p lighthouse-reports --example record_throughput -- --apps 1000 --days 30
//! ```
//!
//! Samples are recorded a tick of apps at a time (`Recorder::app_samples`,
//! whole blocks of apps with packed instructions), as the simulator and the
//! trace replay record them; `--one-by-one` records each app's sample alone
//! (`Recorder::app_sample`, as the live recorder does).
//!
//! Prints one JSON line: `apps`, `days`, `samples`, `seconds`,
//! `ns_per_sample`, `rows` (timeline rows at `--resolution-s`, default 300).

// Only the metadata of the shared synthetic fleet is used here.
#[allow(dead_code)]
#[path = "../tests/reports/synth.rs"]
mod synth;

use std::hint::black_box;
use std::time::Instant;

use lighthouse_sim::record::{AppSample, ClusterSample, Recorder};

fn arg(args: &[String], name: &str, default: f64) -> f64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let apps = arg(&args, "--apps", 1000.0) as usize;
    let days = arg(&args, "--days", 30.0);
    let spec = synth::Spec {
        apps,
        platform: 0,
        sample_s: 10.0,
        resolution_s: arg(&args, "--resolution-s", 300.0),
        ..synth::Spec::default()
    };
    let mut rec = Recorder::new(synth::meta(&spec)).expect("valid metadata");
    // A small table of varied samples, so that the loop measures the
    // recorder rather than sample generation.
    let table: Vec<AppSample> = (0..64)
        .map(|i| AppSample {
            demand_rps: 100.0 + 7.0 * i as f64,
            demand_instances: (2 + i % 5) as f64,
            ready: 2 + (i % 4) as u32,
            starting: (i % 3 == 0) as u32,
            target: 3,
            cpu_percent: 40.0 + i as f64,
            latency_mean_ms: 20.0,
            latency_p95_ms: 60.0 + 5.0 * i as f64,
            requests: 1000.0 + i as f64,
            dropped: 0.0,
            latency_breached: i % 17 == 0,
            drop_breached: i % 29 == 0,
            ..AppSample::default()
        })
        .collect();
    let ticks = (days * 86_400.0 / spec.sample_s) as i64;
    let start = rec.meta().start_ms;
    let cluster = ClusterSample {
        workers: 10,
        cost: 0.01,
        cpu_utilization_percent: 60.0,
        ..Default::default()
    };
    let one_by_one = args.iter().any(|a| a == "--one-by-one");
    let t0 = Instant::now();
    for k in 0..ticks {
        let t = start + k * 10_000;
        let sample = |app: usize| table[(app + k as usize) & 63];
        if one_by_one {
            for app in 0..apps {
                rec.app_sample(t, app, &sample(app));
            }
        } else {
            rec.app_samples(t, 0, (0..apps).map(sample));
        }
        rec.cluster_sample(t, &cluster);
    }
    let run = black_box(rec.finish(start + ticks * 10_000));
    let seconds = t0.elapsed().as_secs_f64();
    let samples = ticks as f64 * apps as f64;
    println!(
        "{{\"apps\":{apps},\"days\":{days},\"samples\":{samples},\"seconds\":{seconds:.3},\
         \"ns_per_sample\":{:.2},\"rows\":{}}}",
        seconds * 1e9 / samples,
        run.apps.len()
    );
}
