//! Predictive scaling: forecasts published as custom metrics, under the
//! simulated clock.

use lighthouse_sim::record::{Direction, EventKind, RunRecord};
use lighthouse_sim::{ScenarioError, SimOptions, parse_scenario};

use crate::runs::run_text;

const DAY_MS: i64 = 86_400_000;

/// A three-day scenario of one app `web` (100 req/s per instance) with the
/// given policy body, load and extra tables (e.g. `[[forecasts]]`).
fn scenario(policy: &str, load: &str, extra: &str) -> String {
    format!(
        r#"
[simulation]
name = "forecast"
duration = "3d"
start = "2024-07-01T00:00:00Z"
seed = 11
sample_interval = "60s"

[engine]
evaluation_interval_seconds = 60

[policies.app]
{policy}

[policies.cluster]
min_capacity = 4
max_capacity = 4
[[policies.cluster.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.5
cooldown_seconds = 120

[[apps]]
name = "web"
policy = "app"
service_rate_rps = 100.0
cpu_cores = 1.0
memory_gb = 1.0
startup = "60s"
load = {load}

{extra}

[workers]
policy = "cluster"
initial = 4
idle_termination = "0s"

[[worker_types]]
name = "w16"
kind = "cloud"
cpu_cores = 16.0
memory_gb = 64.0
price_per_hour = 1.0
provisioning = {{ median = "100s", sigma = 0.0 }}
"#
    )
}

/// A daily cycle between 200 and 1000 req/s, peaking at noon.
const DIURNAL: &str = r#"{ kind = "diurnal", base = 200.0, amplitude = 800.0, peak_hour = 12.0 }"#;

/// HPA-style target tracking of the observed load per instance.
const REACTIVE: &str = r#"min_capacity = 2
max_capacity = 30
[policies.app.target_tracking]
metrics = [{ metric_name = "requests_per_second_per_instance", target_value = 70.0 }]"#;

/// The same, plus the forecast per instance.
const PREDICTIVE: &str = r#"min_capacity = 2
max_capacity = 30
[policies.app.target_tracking]
metrics = [
  { metric_name = "requests_per_second_per_instance", target_value = 70.0 },
  { metric_name = "predicted_requests_per_second_per_instance", target_value = 70.0 },
]"#;

fn forecast_table(mode: &str, per_instance: bool) -> String {
    format!(
        r#"[[forecasts]]
app = "web"
metric = "requests_per_second"
per_instance = {per_instance}
seasons = ["1d"]
step = "10m"
horizon = "1h"
refresh = "20m"
min_history = "2d"
max_history = "3d"
mode = "{mode}""#
    )
}

fn forecasts(r: &RunRecord) -> Vec<(i64, String)> {
    r.events
        .iter()
        .filter(|e| e.kind == EventKind::Forecast)
        .map(|e| (e.t_ms, e.reason.to_string()))
        .collect()
}

/// The forecast value a `forecast` event recorded.
fn forecast_value(reason: &str) -> f64 {
    let first = reason.split_whitespace().next().unwrap();
    first.split_once('=').unwrap().1.parse().unwrap()
}

/// (time, direction) of the app's scale decisions.
fn decisions(r: &RunRecord) -> Vec<(i64, Direction, i64)> {
    r.events
        .iter()
        .filter(|e| {
            e.kind == EventKind::Decision
                && r.resources[e.resource.0 as usize].id == "app_instance:web"
        })
        .map(|e| (e.t_ms, e.direction, e.to_capacity))
        .collect()
}

fn start_ms(r: &RunRecord) -> i64 {
    r.meta.start_ms
}

#[test]
fn forecasts_are_deterministic_and_start_after_the_minimum_history() {
    let text = scenario(PREDICTIVE, DIURNAL, &forecast_table("scale", true));
    let (a, _) = run_text(&text, SimOptions::default());
    let (b, _) = run_text(&text, SimOptions::default());
    assert_eq!(
        a, b,
        "same scenario and seed, same run (forecasts included)"
    );
    let f = forecasts(&a);
    // Refreshed every 20 minutes from day 2 to day 3.
    assert!((60..=80).contains(&f.len()), "{} forecasts", f.len());
    let first = f[0].0 - start_ms(&a);
    assert!(
        first >= 2 * DAY_MS,
        "first forecast at {first} ms, before two days of history"
    );
    assert!(
        f.iter().all(|(_, r)| r.starts_with("requests_per_second=")
            && r.contains(" published_as=predicted_requests_per_second_per_instance ")),
        "{:?}",
        f[0]
    );
    // The forecasts follow the daily cycle (200 to 1000 req/s).
    let values: Vec<f64> = f.iter().map(|(_, r)| forecast_value(r)).collect();
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), &v| (l.min(v), h.max(v)));
    assert!(lo < 450.0 && hi > 850.0, "forecasts between {lo} and {hi}");
}

#[test]
fn a_run_shorter_than_the_minimum_history_forecasts_nothing() {
    let text = scenario(PREDICTIVE, DIURNAL, &forecast_table("scale", true));
    let (r, _) = run_text(
        &text,
        SimOptions {
            duration: Some(lighthouse_sim::scenario::Dur(2 * DAY_MS - 60_000)),
            ..SimOptions::default()
        },
    );
    assert!(forecasts(&r).is_empty());
}

#[test]
fn forecast_only_records_forecasts_and_changes_no_decision() {
    let reactive = scenario(REACTIVE, DIURNAL, "");
    let shadow = scenario(REACTIVE, DIURNAL, &forecast_table("forecast-only", false));
    let (a, _) = run_text(&reactive, SimOptions::default());
    let (b, _) = run_text(&shadow, SimOptions::default());
    assert!(forecasts(&b).len() > 50, "forecasts are recorded");
    assert!(forecasts(&a).is_empty());
    let without = |r: &RunRecord| -> Vec<_> {
        r.events
            .iter()
            .filter(|e| e.kind != EventKind::Forecast)
            .cloned()
            .collect()
    };
    assert_eq!(without(&a), without(&b), "identical actions");
    assert_eq!(a.apps, b.apps, "identical timelines");
    assert!(!decisions(&a).is_empty());
}

#[test]
fn a_falling_forecast_never_scales_in() {
    // Two days of a daily cycle, then a flat 1000 req/s: from day 2 the
    // forecast still expects the nightly fall to 200 req/s, the observed
    // load does not fall.
    let load = r#"{ kind = "sum", parts = [
      { kind = "product", parts = [
        { kind = "step", before = 1.0, after = 0.0, at_s = 172800.0 },
        { kind = "diurnal", base = 200.0, amplitude = 800.0, peak_hour = 12.0 } ] },
      { kind = "step", before = 0.0, after = 1000.0, at_s = 172800.0 } ] }"#;
    // The observed rule never scales in (the load stays above 50 req/s);
    // the forecast rule would, below 500 req/s, if a forecast could.
    let policy = r#"min_capacity = 2
max_capacity = 30
[[policies.app.thresholds]]
metric_name = "requests_per_second"
scale_up_threshold = 100000.0
scale_down_threshold = 50.0
scale_factor = 1.5
cooldown_seconds = 60
[[policies.app.thresholds]]
metric_name = "predicted_requests_per_second"
scale_up_threshold = 100000.0
scale_down_threshold = 500.0
scale_factor = 1.5
cooldown_seconds = 60"#;
    let text = scenario(policy, load, &forecast_table("scale", false)).replace(
        "startup = \"60s\"",
        "startup = \"60s\"\ninitial_instances = 14",
    );
    let (r, _) = run_text(&text, SimOptions::default());
    let after_day_two: Vec<f64> = forecasts(&r)
        .iter()
        .filter(|(t, _)| t - start_ms(&r) >= 2 * DAY_MS)
        .map(|(_, reason)| forecast_value(reason))
        .collect();
    assert!(
        after_day_two.iter().any(|&v| v < 500.0),
        "the forecast falls below the scale-down threshold: {after_day_two:?}"
    );
    let downs: Vec<_> = decisions(&r)
        .into_iter()
        .filter(|d| d.1 == Direction::Down)
        .collect();
    assert!(downs.is_empty(), "scale-ins: {downs:?}");
}

#[test]
fn on_a_daily_cycle_the_predictive_policy_scales_up_earlier() {
    let reactive = scenario(REACTIVE, DIURNAL, "");
    let predictive = scenario(PREDICTIVE, DIURNAL, &forecast_table("scale", true));
    let (a, _) = run_text(&reactive, SimOptions::default());
    let (b, _) = run_text(&predictive, SimOptions::default());
    // The third morning's rise: when capacity first reaches 10 instances.
    let reaches = |r: &RunRecord| {
        decisions(r)
            .into_iter()
            .find(|&(t, d, to)| d == Direction::Up && to >= 10 && t - start_ms(r) >= 2 * DAY_MS)
            .map(|(t, _, _)| t - start_ms(r) - 2 * DAY_MS)
            .unwrap()
    };
    let (ta, tb) = (reaches(&a), reaches(&b));
    eprintln!(
        "10 instances on day 3: reactive at {} min, predictive at {} min",
        ta / 60_000,
        tb / 60_000
    );
    assert!(
        tb + 20 * 60_000 <= ta,
        "predictive at {tb} ms, reactive at {ta} ms into day 3"
    );
    let breach = |r: &RunRecord| r.stream.figures.sla.total.any.breach_minutes;
    assert!(
        breach(&b) <= breach(&a),
        "breach minutes {} vs {}",
        breach(&b),
        breach(&a)
    );
}

fn invalid(text: &str) -> String {
    match parse_scenario(text, "bad.toml") {
        Err(e @ ScenarioError::Invalid { .. }) | Err(e @ ScenarioError::Syntax { .. }) => {
            e.to_string()
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted:\n{text}"),
    }
}

#[test]
fn bad_forecast_settings_are_named_with_their_value() {
    let good = forecast_table("scale", true);
    let bad = |from: &str, to: &str| {
        assert!(good.contains(from), "{from}");
        invalid(&scenario(PREDICTIVE, DIURNAL, &good.replace(from, to)))
    };
    let e = bad("app = \"web\"", "app = \"shop\"");
    assert!(
        e.contains("forecasts[0].app = shop") && e.contains("names no app"),
        "{e}"
    );
    let e = bad("horizon = \"1h\"", "horizon = \"1m\"");
    assert!(
        e.contains("forecasts[0].horizon = 1m") && e.contains("at least one step"),
        "{e}"
    );
    let e = bad("min_history = \"2d\"", "min_history = \"1d\"");
    assert!(
        e.contains("forecasts[0].min_history = 1d") && e.contains("two of the longest season"),
        "{e}"
    );
    let e = bad("step = \"10m\"", "step = \"90s\"");
    assert!(
        e.contains("forecasts[0].step = 90s") && e.contains("sample intervals"),
        "{e}"
    );
    let e = bad("seasons = [\"1d\"]", "seasons = [\"25m\"]");
    assert!(e.contains("forecasts[0].seasons[0] = 25m"), "{e}");
    let e = bad("max_history = \"3d\"", "max_history = \"1d\"");
    assert!(e.contains("forecasts[0].max_history = 1d"), "{e}");
    let e = bad("metric = \"requests_per_second\"", "metric = \"orders\"");
    assert!(
        e.contains("forecasts[0].metric = orders") && e.contains("not measured"),
        "{e}"
    );
    let e = bad("mode = \"scale\"", "mode = \"sometimes\"");
    assert!(
        e.contains("sometimes") && e.contains("forecast-only"),
        "{e}"
    );
    let e = bad("mode = \"scale\"", "mode = \"forecast-only\"");
    assert!(
        e.contains("forecasts[0].mode = forecast-only") && e.contains("never publishes"),
        "{e}"
    );
    // Scale mode with no policy reading the forecast.
    let e = invalid(&scenario(REACTIVE, DIURNAL, &good));
    assert!(
        e.contains("forecasts[0].mode = scale") && e.contains("reads no metric"),
        "{e}"
    );
    // A policy that reads only the forecast could scale in on it.
    let only = r#"min_capacity = 2
max_capacity = 30
[policies.app.target_tracking]
metrics = [{ metric_name = "predicted_requests_per_second_per_instance", target_value = 70.0 }]"#;
    let e = invalid(&scenario(only, DIURNAL, &good));
    assert!(
        e.contains("policies.app") && e.contains("reads only forecasts"),
        "{e}"
    );
    // Unknown keys are refused with their line.
    let e = bad("mode = \"scale\"", "mode = \"scale\"\nlead = \"1h\"");
    assert!(e.contains("lead"), "{e}");
}
