//! `run`, `report` and their errors.

use crate::support::*;
use std::path::{Path, PathBuf};

#[test]
fn every_shipped_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && !n.starts_with("replay-"))
        .collect();
    names.sort();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let out = tmp.path().join(&name);
        let stdout = ok(&[
            "run",
            &scenario(&name),
            "--duration",
            "3h",
            "--out",
            out.to_str().unwrap(),
            "--no-report",
        ]);
        assert!(stdout.contains("total cost"), "{name}: {stdout}");
        assert!(out.join("run.json").exists(), "{name}");
        assert!(out.join("events.parquet").exists(), "{name}");
    }
}

#[test]
fn the_quickstart_writes_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("q");
    let stdout = ok(&[
        "run",
        &scenario("quickstart.toml"),
        "--duration",
        "6h",
        "--out",
        out.to_str().unwrap(),
    ]);
    for heading in [
        "total cost",
        "SLA breach minutes",
        "scale events",
        "reversals",
        "app_instance",
        "worker_node",
    ] {
        assert!(stdout.contains(heading), "missing {heading:?} in\n{stdout}");
    }
    for file in [
        "report.html",
        "summary.json",
        "summary.md",
        "stream_summary.json",
        "timeline_apps.parquet",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let plots = files(&out.join("plots"));
    assert!(
        plots
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "svg"))
    );
    assert!(
        plots
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "png"))
    );
    // `report` regenerates it from the run's files.
    std::fs::remove_file(out.join("report.html")).unwrap();
    let again = ok(&["report", out.to_str().unwrap()]);
    assert!(again.contains("total cost"));
    assert!(out.join("report.html").exists());
}

/// Runs the quickstart with `extra` arguments into `out/<name>`, once per
/// name, and gives the output directories.
fn quickstart_runs(out: &Path, names: &[&str], extra: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|name| {
            let dir = out.join(name);
            let quickstart = scenario("quickstart.toml");
            let mut args = vec!["run", quickstart.as_str(), "--out", dir.to_str().unwrap()];
            args.extend_from_slice(extra);
            ok(&args);
            dir
        })
        .collect()
}

#[test]
fn the_same_run_gives_byte_identical_reports() {
    // A whole quickstart day: enough rows that a parallel aggregation
    // summing in a varying order would change the figures' last bits.
    let tmp = tempfile::tempdir().unwrap();
    let dirs = quickstart_runs(tmp.path(), &["a", "b"], &[]);
    let compared = assert_identical_dirs(&dirs[0], &dirs[1]);
    assert!(compared.iter().any(|f| f.ends_with("summary.json")));
}

#[test]
fn a_large_fleet_gets_the_same_cost_split_from_every_report() {
    // 200 copies of an app: a time bucket's CPU requests are a sum over
    // 200 rows, which a parallel group-by added in an order that varied
    // from one report to the next (the per-app costs' last bits changed).
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("fleet.toml");
    let text = lighthouse_sim::benchmark::throughput_scenario(200, 1.0, 1);
    std::fs::write(&scenario, text).unwrap();
    let run = tmp.path().join("run");
    ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--no-report",
    ]);
    let split = || {
        ok(&["report", run.to_str().unwrap(), "--no-plots"]);
        std::fs::read(run.join("cost_by_app.csv")).unwrap()
    };
    let first = split();
    for round in 1..6 {
        assert!(
            split() == first,
            "report {round} split the cost differently"
        );
    }
}

#[test]
fn the_same_scenario_and_seed_give_byte_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let short = ["--duration", "4h", "--no-report", "--seed"];
    let seed_7 = quickstart_runs(tmp.path(), &["a", "b"], &[&short[..], &["7"]].concat());
    assert_identical_dirs(&seed_7[0], &seed_7[1]);
    let seed_8 = quickstart_runs(tmp.path(), &["c"], &[&short[..], &["8"]].concat());
    assert_ne!(
        std::fs::read(seed_7[0].join("timeline_apps.parquet")).unwrap(),
        std::fs::read(seed_8[0].join("timeline_apps.parquet")).unwrap()
    );
}

#[test]
fn a_bad_scenario_is_refused_with_its_line_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/quickstart.toml"))
        .unwrap()
        .replace("service_rate_rps = 200.0", "service_rate_rps = -1.0");
    let file = tmp.path().join("bad.toml");
    std::fs::write(&file, &text).unwrap();
    let out_dir = tmp.path().join("out");
    let out = lighthouse(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .position(|l| l.contains("service_rate_rps = -1.0"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("line {line}")) && err.contains("apps[1].service_rate_rps"),
        "{err}"
    );
    assert!(!out_dir.exists());
}

#[test]
fn set_changes_a_value_by_path_and_refuses_unknown_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    ok(&[
        "run",
        &scenario("quickstart.toml"),
        "--duration",
        "1h",
        "--set",
        "policies.web.max_capacity=3",
        "--out",
        out.to_str().unwrap(),
        "--no-report",
    ]);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["apps"][0]["max_capacity"], 3);
    let bad = lighthouse(&[
        "run",
        &scenario("quickstart.toml"),
        "--set",
        "policies.nope.min_capacity=3",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope"));
}

#[test]
fn help_lists_every_subcommand() {
    let help = ok(&["--help"]);
    for sub in ["run", "report", "compare"] {
        assert!(help.contains(sub), "{help}");
    }
    let run_help = ok(&["run", "--help"]);
    for flag in ["--seed", "--duration", "--out", "--set", "--resolution"] {
        assert!(run_help.contains(flag), "{run_help}");
    }
}
