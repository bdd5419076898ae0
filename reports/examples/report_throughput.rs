//! Times `generate_report` on a large synthetic run.
//!
//! ```text
//! cargo run --release -p lighthouse-reports --example report_throughput -- --apps 1000 --days 30
//! ```
//!
//! Synthesises the run through the real `Recorder` (samples every
//! `--sample-s`, default 60 s; timeline at `--resolution-s`, default 300 s)
//! into a temporary directory, then times `generate_report` on it and
//! prints one JSON line: `apps`, `days`, `rows` (timeline rows),
//! `report_seconds`, `peak_rss_mb` (peak resident memory during the report),
//! plus `record_seconds`, `write_seconds` and `events` for context.
//! `--out DIR` writes the run directory there instead of a temporary one.

#[path = "../tests/reports/synth.rs"]
mod synth;

use lighthouse_sim::benchmark::peak_rss_mb;
use std::time::Instant;

use lighthouse_reports::{ReportOptions, generate_report, write_run};

fn arg(args: &[String], name: &str, default: f64) -> f64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} needs a number, got {v}"))
        })
        .unwrap_or(default)
}

/// Peak resident set of this process, MB (Linux; 0 elsewhere).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let apps = arg(&args, "--apps", 1000.0) as usize;
    let days = arg(&args, "--days", 30.0);
    let spec = synth::Spec {
        apps,
        platform: 0,
        hours: days * 24.0,
        sample_s: arg(&args, "--sample-s", 60.0),
        resolution_s: arg(&args, "--resolution-s", 300.0),
        eval_every: 15,
        startup_ticks: 2,
        seed: 7,
        headroom: 0,
        hysteresis: 2,
    };
    // `--out DIR` keeps the run directory and its report for a look.
    let temp = tempfile::tempdir().expect("temporary directory");
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1));
    let dir = out.map_or_else(|| temp.path().to_owned(), std::path::PathBuf::from);
    let t0 = Instant::now();
    let record = synth::run(&spec);
    let record_seconds = t0.elapsed().as_secs_f64();
    let rows = record.apps.len();
    let t1 = Instant::now();
    write_run(&dir, &record).expect("write run");
    let write_seconds = t1.elapsed().as_secs_f64();
    drop(record);
    // Reset the peak so that it measures the report alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t2 = Instant::now();
    let summary = generate_report(&dir, &ReportOptions::default()).expect("report");
    let report_seconds = t2.elapsed().as_secs_f64();
    assert_eq!(summary.run.timeline_rows, rows);
    let events = summary.run.events;
    println!(
        "{{\"apps\":{apps},\"days\":{days},\"rows\":{rows},\"report_seconds\":{report_seconds:.3},\
         \"peak_rss_mb\":{:.0},\"record_seconds\":{record_seconds:.3},\"write_seconds\":{write_seconds:.3},\"events\":{events}}}",
        peak_rss_mb()
    );
}
