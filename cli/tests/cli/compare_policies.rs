//! `compare-policies`: one scenario or trace, several policy files, the runs
//! and the comparison written.

use std::path::Path;

use crate::support::*;

fn policy_path(name: &str) -> String {
    root()
        .join("policies/worldcup98")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn the_world_cup_replay_with_three_policies_writes_runs_and_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let stdout = ok(&[
        "compare-policies",
        &scenario("replay-worldcup98.toml"),
        "--policy",
        &policy_path("threshold.toml"),
        "--policy",
        &policy_path("target-tracking.toml"),
        "--policy",
        &policy_path("predictive.toml"),
        "--to",
        "1998-06-29T06:00:00Z",
        "--baseline",
        "threshold",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ]);
    for name in ["threshold", "target-tracking", "predictive"] {
        assert!(
            stdout.contains(&format!("| {name} |")),
            "{name} in\n{stdout}"
        );
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(name).join("run.json")).unwrap())
                .unwrap();
        assert_eq!(run["mode"], "replay-closed", "{name}");
        assert!(out.join(name).join("events.parquet").exists(), "{name}");
    }
    for file in ["compare.json", "compare.md", "compare.html", "policies.md"] {
        assert!(out.join(file).exists(), "{file}");
    }
    let cmp: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(cmp["runs"].as_array().unwrap().len(), 3);
    assert_eq!(cmp["baseline"], 0);
    // Six hours are less than the predictive policy's two days of history.
    assert!(stdout.contains("| predictive |"), "{stdout}");
}

/// A two-day plain scenario with a daily cycle, for a predictive policy.
const SCENARIO: &str = r#"# A daily cycle for compare-policies.
[simulation]
name = "daily"
duration = "3d"
sample_interval = "60s"
[engine]
evaluation_interval_seconds = 60
[policies.app]
min_capacity = 2
max_capacity = 30
[policies.app.target_tracking]
metrics = [{ metric_name = "requests_per_second_per_instance", target_value = 70.0 }]
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
startup = "60s"
load = { kind = "diurnal", base = 200.0, amplitude = 800.0, peak_hour = 12.0 }
[workers]
policy = "cluster"
initial = 4
[[worker_types]]
name = "w16"
kind = "cloud"
cpu_cores = 16.0
memory_gb = 64.0
price_per_hour = 1.0
provisioning = { median = "100s", sigma = 0.0 }
"#;

const PREDICTIVE: &str = r#"name = "predictive"
[policies.app]
min_capacity = 2
max_capacity = 30
[policies.app.target_tracking]
metrics = [
  { metric_name = "requests_per_second_per_instance", target_value = 70.0 },
  { metric_name = "predicted_requests_per_second_per_instance", target_value = 70.0 },
]
[[forecasts]]
app = "web"
per_instance = true
step = "10m"
refresh = "20m"
min_history = "2d"
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_plain_scenario_is_compared_with_forecasts_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write(tmp.path(), "daily.toml", SCENARIO);
    let reactive = write(
        tmp.path(),
        "reactive.toml",
        "[policies.app]\nmin_capacity = 2\nmax_capacity = 30\n[policies.app.target_tracking]\nmetrics = [{ metric_name = \"requests_per_second_per_instance\", target_value = 70.0 }]\n",
    );
    let predictive = write(tmp.path(), "p.toml", PREDICTIVE);
    let out = tmp.path().join("out");
    let stdout = ok(&[
        "compare-policies",
        &s,
        "--policy",
        &reactive,
        "--policy",
        &predictive,
        "--out",
        out.to_str().unwrap(),
        "--no-report",
    ]);
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("{name} in\n{stdout}"))
            .to_string()
    };
    assert!(
        row("reactive").ends_with("| 0 |"),
        "no forecasts: {}",
        row("reactive")
    );
    assert!(
        !row("predictive").ends_with("| 0 |"),
        "forecasts counted: {}",
        row("predictive")
    );
    assert!(out.join("reactive/run.json").exists() && out.join("predictive/run.json").exists());
    assert!(out.join("compare.html").exists());
}

#[test]
fn bad_policy_files_and_arguments_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let s = write(tmp.path(), "daily.toml", SCENARIO);
    let bad = write(tmp.path(), "bad.toml", "[workers]\ninitial = 9\n");
    let good = write(
        tmp.path(),
        "good.toml",
        "[policies.app]\nmin_capacity = 2\n[policies.app.target_tracking]\nmetrics = [{ metric_name = \"cpu_percent\", target_value = 70.0 }]\n",
    );
    let err = |args: &[&str]| {
        let o = lighthouse(args);
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = err(&["compare-policies", &s, "--policy", &good, "--policy", &bad]);
    assert!(
        e.contains("bad.toml: workers") && e.contains("may set only"),
        "{e}"
    );
    let e = err(&["compare-policies", &s, "--policy", &good]);
    assert!(e.contains("at least two"), "{e}");
    let e = err(&["compare-policies", &s, "--policy", &good, "--policy", &good]);
    assert!(e.contains("two policy files are named \"good\""), "{e}");
    // A forecast setting the scenario check refuses names the field.
    let wrong = write(
        tmp.path(),
        "wrong.toml",
        &PREDICTIVE.replace("step = \"10m\"", "step = \"0s\""),
    );
    let e = err(&[
        "compare-policies",
        &s,
        "--policy",
        &good,
        "--policy",
        &wrong,
    ]);
    assert!(e.contains("forecasts[0].step = 0ms"), "{e}");
}
