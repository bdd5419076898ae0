//! The fleet's Prometheus text exposition (`GET /metrics`).
//!
//! Counters are time-compressed: they advance by the simulated count
//! divided by the speed, so a `rate()` over wall-clock time reads as the
//! simulated per-second rate whatever the speed. Gauges describe the last
//! finished sample interval. Every app series carries `app` (its name) and
//! `layer` (`app_instance` or `platform_component`).
//!
//! | metric | type | what |
//! |---|---|---|
//! | `http_requests_total` | counter | requests offered |
//! | `http_requests_served_total` | counter | requests served |
//! | `http_requests_dropped_total` | counter | requests dropped (timed out or refused) |
//! | `fleet_app_requests_per_second` | gauge | offered load, simulated requests per second |
//! | `fleet_app_cpu_percent` | gauge | busy share of serving instances, percent |
//! | `fleet_app_memory_percent` | gauge | memory use of serving instances, percent |
//! | `fleet_app_latency_p95_ms` | gauge | 95th-percentile response time, ms |
//! | `fleet_app_instances` | gauge | instances by `state`: `running`, `starting`, `pending` |
//! | `fleet_workers` | gauge | workers by `state`: `ready`, `provisioning` |
//! | `fleet_cost_per_hour` | gauge | spending rate of the live workers, money per hour |
//! | `fleet_speed` | gauge | simulated seconds per wall-clock second |
//! | `fleet_simulated_time_seconds` | gauge | simulated time, Unix seconds |

use std::fmt::Write;

use lighthouse_sim::fleet::WorkerState;

use lighthouse_sim::service::IntervalStats;

use super::model::{FleetModel, ModelApp};

/// A counter: name, help, and its simulated total.
type Counter = (&'static str, &'static str, fn(&ModelApp) -> f64);
/// A gauge: name, help, and its value from an interval of `dt` seconds.
type Gauge = (&'static str, &'static str, fn(&IntervalStats, f64) -> f64);

fn escape(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// The exposition of `model` at its current time; `speed` divides counters.
pub fn exposition(model: &FleetModel, speed: f64) -> String {
    let mut out = String::new();
    let speed = if speed > 0.0 { speed } else { 1.0 };
    let labels: Vec<String> = model
        .apps()
        .iter()
        .map(|a| format!("app=\"{}\",layer=\"{}\"", escape(&a.name), a.layer.prefix()))
        .collect();
    let counters: [Counter; 3] = [
        (
            "http_requests_total",
            "Requests offered (simulated count / speed).",
            |a| a.requests_total,
        ),
        (
            "http_requests_served_total",
            "Requests served (simulated count / speed).",
            |a| a.served_total,
        ),
        (
            "http_requests_dropped_total",
            "Requests dropped (simulated count / speed).",
            |a| a.dropped_total,
        ),
    ];
    for (name, help, pick) in counters {
        header(&mut out, name, "counter", help);
        for (a, l) in model.apps().iter().zip(&labels) {
            let _ = writeln!(out, "{name}{{{l}}} {}", pick(a) / speed);
        }
    }
    let gauges: [Gauge; 4] = [
        (
            "fleet_app_requests_per_second",
            "Offered load, simulated requests per second.",
            |s, dt| if dt > 0.0 { s.offered / dt } else { 0.0 },
        ),
        (
            "fleet_app_cpu_percent",
            "Busy share of serving instances, percent.",
            |s, _| 100.0 * s.utilisation,
        ),
        (
            "fleet_app_memory_percent",
            "Memory use of serving instances, percent.",
            |s, _| 30.0 + 50.0 * s.utilisation,
        ),
        (
            "fleet_app_latency_p95_ms",
            "95th-percentile response time, milliseconds.",
            |s, _| s.p95_ms,
        ),
    ];
    let dt_s = model.sample_interval_s();
    for (name, help, pick) in gauges {
        header(&mut out, name, "gauge", help);
        for (a, l) in model.apps().iter().zip(&labels) {
            let value = a.latest().map_or(0.0, |s| pick(&s, dt_s));
            let _ = writeln!(out, "{name}{{{l}}} {value}");
        }
    }
    header(
        &mut out,
        "fleet_app_instances",
        "gauge",
        "Instances by state: running (serving), starting, pending (no room).",
    );
    for (fa, l) in model.fleet().apps.iter().zip(&labels) {
        for (state, n) in [
            ("running", fa.ready),
            ("starting", fa.starting),
            ("pending", fa.pending),
        ] {
            let _ = writeln!(out, "fleet_app_instances{{{l},state=\"{state}\"}} {n}");
        }
    }
    let (mut ready, mut provisioning) = (0u32, 0u32);
    for &w in &model.fleet().alive {
        match model.fleet().workers[w as usize].state {
            WorkerState::Ready => ready += 1,
            WorkerState::Provisioning { .. } => provisioning += 1,
            WorkerState::Gone => {}
        }
    }
    header(&mut out, "fleet_workers", "gauge", "Workers by state.");
    let _ = writeln!(out, "fleet_workers{{state=\"ready\"}} {ready}");
    let _ = writeln!(
        out,
        "fleet_workers{{state=\"provisioning\"}} {provisioning}"
    );
    header(
        &mut out,
        "fleet_cost_per_hour",
        "gauge",
        "Spending rate of the live workers, money per hour.",
    );
    let _ = writeln!(
        out,
        "fleet_cost_per_hour {}",
        model.fleet().cost.rate_per_hour().0
    );
    header(
        &mut out,
        "fleet_speed",
        "gauge",
        "Simulated seconds per wall-clock second.",
    );
    let _ = writeln!(out, "fleet_speed {speed}");
    header(
        &mut out,
        "fleet_simulated_time_seconds",
        "gauge",
        "Simulated time, Unix seconds.",
    );
    let _ = writeln!(
        out,
        "fleet_simulated_time_seconds {}",
        model.now_ms() as f64 / 1000.0
    );
    out
}
