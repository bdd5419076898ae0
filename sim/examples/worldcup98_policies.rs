//! The World Cup 98 trace as closed-loop demand, straight through the
//! simulator (no polars): each policy file of `policies/worldcup98/` laid
//! over `scenarios/replay-worldcup98.toml`, the figures printed as a table.
//! The demand is built as the closed-loop replay builds it: requests per
//! minute ÷ 60, held for the minute, a minute without rows is 0.
//!
//! ```sh
//! cargo run -p lighthouse-sim --example worldcup98_policies -- \
//!     1998-06-23T00:00:00Z 1998-07-01T00:00:00Z policies/worldcup98/*.toml
//! ```
//!
//! Run from the repository root. `lighthouse compare-policies` does the
//! same through the replay crate and also writes the runs and the report.

use lighthouse_sim::load::LoadSpec;
use lighthouse_sim::record::EventKind;
use lighthouse_sim::{SimOptions, Simulation, parse_scenario};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: worldcup98_policies FROM TO POLICY.toml...");
        std::process::exit(2);
    }
    let (from, to) = (&args[1], &args[2]);
    let t0 = chrono::DateTime::parse_from_rfc3339(from)
        .unwrap()
        .timestamp();
    let t1 = chrono::DateTime::parse_from_rfc3339(to)
        .unwrap()
        .timestamp();
    let csv = std::fs::read_to_string("traces/worldcup98/requests_per_minute.csv").unwrap();
    let minutes = ((t1 - t0) / 60) as usize;
    let mut rps = vec![0.0f64; minutes];
    for line in csv.lines().skip(1) {
        let (ts, c) = line.split_once(',').unwrap();
        let t = chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp();
        if t >= t0 && t < t1 {
            rps[((t - t0) / 60) as usize] = c.parse::<f64>().unwrap() / 60.0;
        }
    }
    let (mut times_s, mut vals) = (Vec::new(), Vec::new());
    for (k, v) in rps.iter().enumerate() {
        if vals.last() != Some(v) {
            times_s.push(k as f64 * 60.0);
            vals.push(*v);
        }
    }
    let load = LoadSpec::Series {
        times_s,
        rps: vals,
        interpolate: false,
        loop_s: None,
    };
    // The scenario without its [replay] lines.
    let text = std::fs::read_to_string("scenarios/replay-worldcup98.toml").unwrap();
    let mut keep = Vec::new();
    let mut in_replay = false;
    for l in text.lines() {
        let t = l.trim_start();
        if t.starts_with('[') {
            in_replay = t.starts_with("[replay") || t.starts_with("[[replay");
        }
        if !in_replay {
            keep.push(l.to_string());
        }
    }
    let mut doc: toml::Table = toml::from_str(&keep.join("\n")).unwrap();
    doc["simulation"].as_table_mut().unwrap().insert(
        "duration".into(),
        toml::Value::String(format!("{}s", t1 - t0)),
    );
    doc["simulation"]
        .as_table_mut()
        .unwrap()
        .insert("start".into(), toml::Value::String(from.clone()));
    doc["apps"].as_array_mut().unwrap()[0]
        .as_table_mut()
        .unwrap()
        .insert(
            "load".into(),
            toml::from_str::<toml::Table>("l = { kind = \"constant\", rps = 0.0 }").unwrap()["l"]
                .clone(),
        );
    println!(
        "| policy | cost | SLA breach minutes | flaps | scale-ups | scale-downs | forecasts | wall s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for pf in &args[3..] {
        let p: toml::Table = toml::from_str(&std::fs::read_to_string(pf).unwrap()).unwrap();
        let mut d = doc.clone();
        for (k, v) in p["policies"].as_table().unwrap() {
            d["policies"]
                .as_table_mut()
                .unwrap()
                .insert(k.clone(), v.clone());
        }
        if let Some(f) = p.get("forecasts") {
            d.insert("forecasts".into(), f.clone());
        }
        let mut loaded =
            parse_scenario(&toml::to_string(&d).unwrap(), pf).unwrap_or_else(|e| panic!("{e}"));
        loaded.scenario.apps[0].load = load.clone();
        let w = std::time::Instant::now();
        let out = Simulation::new(&loaded, &SimOptions::default())
            .unwrap()
            .run(&mut |_| {})
            .unwrap();
        let f = &out.record.stream.figures;
        let nf = out
            .record
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Forecast)
            .count();
        println!(
            "| {} | {:.2} | {:.1} | {} | {} | {} | {} | {:.1} |",
            p.get("name").and_then(|n| n.as_str()).unwrap_or(pf),
            f.cost.total,
            f.sla.total.any.breach_minutes,
            f.oscillation.total.flaps,
            f.oscillation.total.up,
            f.oscillation.total.down,
            nf,
            w.elapsed().as_secs_f64()
        );
    }
}
