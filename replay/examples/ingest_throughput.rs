//! Ingestion benchmark: `cargo run --release -p lighthouse-replay --example
//! ingest_throughput -- --rows N`.
//!
//! Writes a long-format CSV of N rows (1,000 resources × 3 metrics × as
//! many 1-second timestamps as needed) to a temporary directory, reads it
//! with the long-format reader, and prints one JSON line:
//! `{"rows":N,"rows_per_sec":R,"peak_rss_mb":M}`. Generation is not timed;
//! peak RSS is the process's VmHWM (generation is streamed, so the peak is
//! the reader's).

use lighthouse_sim::benchmark::peak_rss_mb;
use std::io::{BufWriter, Write};
use std::time::Instant;

use lighthouse_replay::{Format, ReadOptions, read_trace};

const RESOURCES: usize = 1_000;
const METRICS: [&str; 3] = [
    "cpu_util_percent",
    "mem_util_percent",
    "requests_per_second",
];
const START_S: i64 = 1_700_000_000;

fn parse_rows() -> Result<usize, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rows = 1_000_000;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--rows" => {
                let v = args.get(i + 1).ok_or("--rows needs a value")?;
                rows = v
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("bad --rows {v:?}"))?;
                i += 2;
            }
            other => return Err(format!("unknown argument {other:?}; usage: --rows N")),
        }
    }
    if rows == 0 {
        return Err("--rows must be positive".into());
    }
    Ok(rows)
}

/// Writes `rows` rows; values follow a cheap deterministic pattern so that
/// the file is the same on every run.
fn generate(path: &std::path::Path, rows: usize) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(w, "timestamp,resource_id,metric,value")?;
    let per_step = RESOURCES * METRICS.len();
    for i in 0..rows {
        let step = (i / per_step) as i64;
        let r = (i / METRICS.len()) % RESOURCES;
        let m = i % METRICS.len();
        let v = ((i as u64).wrapping_mul(2_654_435_761) % 10_000) as f64 / 100.0;
        writeln!(w, "{},vm-{r:04},{},{v}", START_S + step, METRICS[m])?;
    }
    w.flush()
}

fn main() {
    let rows = match parse_rows() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ingest_throughput: {e}");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("long.csv");
    generate(&path, rows).expect("write the generated trace");

    let start = Instant::now();
    let trace =
        read_trace(&path, &ReadOptions::new(Format::Long)).expect("read the generated trace");
    let secs = start.elapsed().as_secs_f64();
    let read = trace.total_samples();
    assert_eq!(read, rows, "every generated row must be ingested");
    println!(
        "{{\"rows\":{rows},\"rows_per_sec\":{:.0},\"peak_rss_mb\":{:.1}}}",
        rows as f64 / secs,
        peak_rss_mb()
    );
}
