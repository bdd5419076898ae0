//! Open- and closed-loop replay of the shipped samples against the replay
//! scenarios in `scenarios/`, end to end through the library.

use std::path::{Path, PathBuf};
use std::time::Instant;

use lighthouse_replay::modes::{
    ReplayError, ReplayMode, ReplayOptions, ReplayOutcome, ReplayScenario, replay,
};
use lighthouse_replay::shape::GapRule;
use lighthouse_sim::record::{Direction, EventKind, RunMode};

use crate::common::{trace_file, utc};

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name)
}

fn run(name: &str, options: &ReplayOptions) -> ReplayOutcome {
    let sc = ReplayScenario::load(&scenario_file(name)).expect("scenario loads");
    replay(&sc, options, &mut |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run_err(text: &str, options: &ReplayOptions) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let sc = match ReplayScenario::parse(text, "test.toml", &dir) {
        Ok(sc) => sc,
        Err(e) => return e.to_string(),
    };
    match replay(&sc, options, &mut |_| {}) {
        Ok(_) => panic!("replay should fail"),
        Err(e) => e.to_string(),
    }
}

/// The files of a run directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A decision and the capacity it moves to, for the checks below.
#[derive(Debug, Clone, Copy)]
struct Act {
    resource: u32,
    t_ms: i64,
    direction: Direction,
    from: i64,
    to: i64,
}

fn executed(outcome: &ReplayOutcome) -> Vec<Act> {
    outcome
        .record
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Executed)
        .map(|e| Act {
            resource: e.resource.0,
            t_ms: e.t_ms,
            direction: e.direction,
            from: e.from_capacity,
            to: e.to_capacity,
        })
        .collect()
}

#[test]
fn worldcup98_closed_loop_gives_cost_breaches_and_oscillation() {
    let wall = Instant::now();
    let out = run("replay-worldcup98.toml", &ReplayOptions::default());
    let secs = wall.elapsed().as_secs_f64();
    let r = &out.record;
    assert_eq!(out.mode, ReplayMode::Closed);
    assert_eq!(r.meta.mode, RunMode::ReplayClosed);
    assert_eq!(r.meta.start_ms, utc("1998-06-29T00:00:00Z"));
    assert_eq!(r.meta.end_ms, utc("1998-07-01T00:00:00Z"));
    assert_eq!(out.step_ms, 60_000);
    let f = &r.stream.figures;
    eprintln!(
        "worldcup98 closed loop, 2 days: cost {:.2}, SLA breach minutes {:.1} ({} breaches), scale events {} up / {} down ({} reversals, {} flaps) for web; {} decisions; {:.2} s wall in the test (debug), {:.2} s simulation",
        f.cost.total,
        f.sla.total.any.breach_minutes,
        f.sla.total.any.breaches,
        f.oscillation.by_layer[0].counts.up,
        f.oscillation.by_layer[0].counts.down,
        f.oscillation.by_layer[0].counts.reversals,
        f.oscillation.by_layer[0].counts.flaps,
        out.stats.decisions,
        secs,
        out.stats.wall_seconds,
    );
    assert!(f.cost.total > 0.0);
    assert!(f.sla.total.any.breach_minutes.is_finite());
    // The policy climbs above 1000 req/s and comes back below 200 at night.
    let acts = executed(&out);
    // Resource 0 is the app `web` (apps come first).
    let web: Vec<&Act> = acts.iter().filter(|a| a.resource == 0).collect();
    assert!(
        web.iter()
            .any(|a| a.direction == Direction::Up && a.to == 50)
    );
    assert!(web.iter().any(|a| a.direction == Direction::Down));
    assert!(f.oscillation.total.up > 0 && f.oscillation.total.down > 0);

    // The demand is the trace per second: the busiest minute of the window
    // (1998-06-29 16:27, 225,138 requests) is 3,752.3 req/s.
    let peak = out.apps[0].peak_rps.unwrap();
    assert!((peak - 225_138.0 / 60.0).abs() < 1e-6, "{peak}");
    let a = &r.apps;
    let max_bucket = a.demand_rps.iter().copied().fold(0.0, f64::max);
    assert!((max_bucket - 225_138.0 / 60.0).abs() < 1e-6, "{max_bucket}");
    // Every request of the window is offered: the trace's sum over the two days.
    let offered: f64 = a.requests.iter().sum();
    let text = std::fs::read_to_string(trace_file("worldcup98/requests_per_minute.csv")).unwrap();
    let expected: f64 = text
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("1998-06-29") || l.starts_with("1998-06-30"))
        .map(|l| l.rsplit(',').next().unwrap().trim().parse::<f64>().unwrap())
        .sum();
    assert!(
        (offered - expected).abs() / expected < 1e-9,
        "{offered} vs {expected}"
    );
}

#[test]
fn alibaba_open_loop_decisions_match_the_data_by_hand() {
    // By hand (awk over the file): the first 30-s sample above 60 % is on
    // line 745 (data row 743, header excluded, counting from 0):
    // 73.48858230256899 % at 743 × 30 s = 22,290 s after the first sample.
    let path = trace_file("alibaba_2018_cluster/machine_usage_days_1_to_8_grouped_30_seconds.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let cpu: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    let first_above = cpu.iter().position(|&v| v > 60.0).unwrap();
    assert_eq!(first_above, 743);
    assert_eq!(cpu[743], 73.48858230256899);

    let out = run("replay-alibaba.toml", &ReplayOptions::default());
    let r = &out.record;
    assert_eq!(out.mode, ReplayMode::Open);
    assert_eq!(r.meta.mode, RunMode::ReplayOpen);
    let start = utc("2018-01-01T00:00:00Z");
    assert_eq!(r.meta.start_ms, start);
    assert_eq!(out.step_ms, 30_000);
    assert_eq!(r.meta.end_ms, start + cpu.len() as i64 * 30_000);

    let decisions: Vec<_> = r
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Decision)
        .collect();
    let first = decisions[0];
    assert_eq!(first.t_ms, start + 22_290_000);
    assert_eq!(first.direction, Direction::Up);
    assert_eq!(first.from_capacity, 4);
    assert_eq!(first.to_capacity, (4.0f64 * 1.5).ceil() as i64);
    assert!(first.reason.contains("cpu_percent"), "{}", first.reason);
    // Below 25 % at the start: scale-downs pressing on the minimum are
    // skipped, not decided.
    assert!(
        r.events
            .iter()
            .any(|e| e.kind == EventKind::Skipped && e.t_ms < first.t_ms && e.reason == "at_limit")
    );

    // Every decision follows the recorded value at its time, and the
    // targets follow the factor 1.5 within 4..=40.
    for d in &decisions {
        let row = ((d.t_ms - start) / 30_000) as usize;
        assert_eq!((d.t_ms - start) % 30_000, 0);
        match d.direction {
            Direction::Up => {
                assert!(cpu[row] > 60.0, "up at row {row}: {}", cpu[row]);
                let want = ((d.from_capacity as f64) * 1.5).ceil().min(40.0) as i64;
                assert_eq!(d.to_capacity, want);
            }
            Direction::Down => {
                assert!(cpu[row] < 25.0, "down at row {row}: {}", cpu[row]);
                let want = ((d.from_capacity as f64) / 1.5).floor().max(4.0) as i64;
                assert_eq!(d.to_capacity, want);
            }
            Direction::None => panic!("a decision without direction"),
        }
    }
    // No decision inside a cooldown: 300 s after a scale-up for the next
    // scale-up, 600 s after a scale-down for the next scale-down; and the
    // virtual capacity follows the decisions (each starts where the last ended).
    let acts = executed(&out);
    assert_eq!(acts.len(), decisions.len());
    for w in acts.windows(2) {
        assert_eq!(w[1].from, w[0].to, "capacity follows the decisions");
    }
    for dir in [Direction::Up, Direction::Down] {
        let cooldown = if dir == Direction::Up {
            300_000
        } else {
            600_000
        };
        let times: Vec<i64> = acts
            .iter()
            .filter(|a| a.direction == dir)
            .map(|a| a.t_ms)
            .collect();
        for w in times.windows(2) {
            assert!(
                w[1] - w[0] >= cooldown,
                "{dir:?} at {} after {}",
                w[1],
                w[0]
            );
        }
    }
    eprintln!(
        "alibaba open loop, 8 days: {} decisions ({} up, {} down), first at +{} s up 4 -> 6; {:.2} s",
        decisions.len(),
        decisions
            .iter()
            .filter(|d| d.direction == Direction::Up)
            .count(),
        decisions
            .iter()
            .filter(|d| d.direction == Direction::Down)
            .count(),
        (first.t_ms - start) / 1000,
        out.stats.wall_seconds
    );
}

/// Every public sample's scenario replays (shortened windows).
#[test]
fn every_public_sample_scenario_replays() {
    let cases: [(&str, &str, ReplayMode); 6] = [
        ("replay-worldcup98.toml", "6h", ReplayMode::Closed),
        ("replay-alibaba.toml", "12h", ReplayMode::Open),
        ("replay-wikipedia.toml", "12h", ReplayMode::Closed),
        ("replay-azure-functions.toml", "6h", ReplayMode::Closed),
        ("replay-bitbrains.toml", "12h", ReplayMode::Closed),
        ("replay-azure-llm.toml", "15m", ReplayMode::Closed),
    ];
    let mut seen = Vec::new();
    for (file, to, mode) in cases {
        // A length from the window's start (the scenario's `from`).
        let options = ReplayOptions {
            duration: Some(lighthouse_sim::scenario::parse_duration(to).unwrap()),
            ..ReplayOptions::default()
        };
        let out = run(file, &options);
        let r = &out.record;
        assert_eq!(out.mode, mode, "{file}");
        let len = lighthouse_replay::shape::parse_duration(to).unwrap();
        assert!(
            r.meta.end_ms - r.meta.start_ms <= len + out.step_ms.max(30_000),
            "{file}: {} ms",
            r.meta.end_ms - r.meta.start_ms
        );
        assert!(r.stream.app_samples > 0, "{file}");
        assert!(
            r.apps.requests.iter().sum::<f64>() > 0.0,
            "{file}: no demand"
        );
        assert!(r.stream.figures.cost.total > 0.0, "{file}: no cost");
        seen.push(file);
        // The run directory is written and read back by the reports crate.
        let dir = tempfile::tempdir().unwrap();
        lighthouse_reports::write_run(dir.path(), r).unwrap();
        lighthouse_reports::load_run(dir.path()).unwrap();
    }
    // Every replay scenario shipped is covered here.
    let mut shipped: Vec<String> = std::fs::read_dir(scenario_file(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("replay-") && n.ends_with(".toml"))
        .collect();
    shipped.sort();
    let mut covered: Vec<String> = seen.iter().map(|s| s.to_string()).collect();
    covered.sort();
    assert_eq!(shipped, covered);
}

#[test]
fn same_trace_scenario_and_seed_give_identical_run_directories() {
    for (file, to) in [
        ("replay-worldcup98.toml", "4h"),
        ("replay-alibaba.toml", "8h"),
    ] {
        let options = ReplayOptions {
            duration: Some(lighthouse_sim::scenario::parse_duration(to).unwrap()),
            ..ReplayOptions::default()
        };
        let dirs: Vec<_> = (0..2)
            .map(|_| {
                let out = run(file, &options);
                let dir = tempfile::tempdir().unwrap();
                lighthouse_reports::write_run(dir.path(), &out.record).unwrap();
                dir
            })
            .collect();
        let (a, b) = (files(dirs[0].path()), files(dirs[1].path()));
        assert!(!a.is_empty());
        assert_eq!(a, b, "{file}");
    }
}

#[test]
fn shaping_flags_change_the_demand_as_documented() {
    let base = ReplayOptions {
        from: Some("1998-06-29T16:00:00Z".into()),
        to: Some("1998-06-29T17:00:00Z".into()),
        ..ReplayOptions::default()
    };
    let plain = run("replay-worldcup98.toml", &base);
    let total = |o: &ReplayOutcome| o.record.apps.requests.iter().sum::<f64>();
    assert_eq!(
        plain.record.meta.end_ms - plain.record.meta.start_ms,
        3_600_000
    );

    // Amplitude: 10x the requests.
    let scaled = run(
        "replay-worldcup98.toml",
        &ReplayOptions {
            scale: Some(10.0),
            ..base.clone()
        },
    );
    assert!((total(&scaled) / total(&plain) - 10.0).abs() < 1e-9);

    // Speed-up 4: the hour plays in 15 minutes at the same rates.
    let fast = run(
        "replay-worldcup98.toml",
        &ReplayOptions {
            speed_up: Some(4.0),
            ..base.clone()
        },
    );
    assert_eq!(fast.record.meta.end_ms - fast.record.meta.start_ms, 900_000);
    assert_eq!(fast.step_ms, 15_000);

    // Loop: the hour repeated three times.
    let looped = run(
        "replay-worldcup98.toml",
        &ReplayOptions {
            loop_ms: Some(3 * 3_600_000),
            ..base.clone()
        },
    );
    assert_eq!(
        looped.record.meta.end_ms - looped.record.meta.start_ms,
        3 * 3_600_000
    );
    assert!((total(&looped) / total(&plain) - 3.0).abs() < 1e-9);

    // Shift: the run starts an hour later, same demand.
    let shifted = run(
        "replay-worldcup98.toml",
        &ReplayOptions {
            shift_ms: Some(3_600_000),
            ..base.clone()
        },
    );
    assert_eq!(
        shifted.record.meta.start_ms,
        plain.record.meta.start_ms + 3_600_000
    );
    assert!((total(&shifted) - total(&plain)).abs() < 1e-6);
}

const GAPPY: &str = "timestamp,app,requests_per_second\n\
    2024-01-01T00:00:00Z,web,100\n\
    2024-01-01T00:01:00Z,web,100\n\
    2024-01-01T00:04:00Z,web,400\n\
    2024-01-01T00:05:00Z,web,400\n";

fn gappy_scenario(trace: &Path, extra: &str) -> String {
    format!(
        r#"[simulation]
name = "gappy"
sample_interval = "10s"

[replay]
trace = "{}"
format = "load"
{extra}

[[replay.apps]]
app = "web"
series = "web/requests_per_second"

[policies.web]
min_capacity = 2
max_capacity = 20
[[policies.web.thresholds]]
metric_name = "cpu_percent"
scale_up_threshold = 70.0
scale_down_threshold = 20.0
scale_factor = 1.5
cooldown_seconds = 60

[[apps]]
name = "web"
policy = "web"
service_rate_rps = 100.0

[workers]
policy = "pool"
initial = 2

[[worker_types]]
name = "w"
kind = "cloud"
cpu_cores = 8.0
memory_gb = 32.0
price_per_hour = 0.4
provisioning = {{ median = "60s" }}

[policies.pool]
min_capacity = 1
max_capacity = 4
[[policies.pool.thresholds]]
metric_name = "pending_workloads"
scale_up_threshold = 0.5
scale_down_threshold = 0.1
scale_factor = 1.5
cooldown_seconds = 60
"#,
        trace.display()
    )
}

#[test]
fn gap_rules_fill_missing_minutes() {
    let (_dir, trace) = crate::common::temp_file("gappy.csv", GAPPY);
    let base = Path::new("/");
    let requests = |gap: GapRule| {
        let sc = ReplayScenario::parse(&gappy_scenario(&trace, ""), "gappy.toml", base).unwrap();
        let out = replay(
            &sc,
            &ReplayOptions {
                gap: Some(gap),
                ..ReplayOptions::default()
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(out.record.meta.end_ms - out.record.meta.start_ms, 360_000);
        // Requests per minute (the timeline is at 10 s; sum each minute).
        let a = &out.record.apps;
        (0..6)
            .map(|m| {
                let lo = out.record.meta.start_ms + m * 60_000;
                a.t_ms
                    .iter()
                    .zip(&a.requests)
                    .filter(|(t, _)| **t >= lo && **t < lo + 60_000)
                    .map(|(_, r)| r)
                    .sum::<f64>()
                    .round()
            })
            .collect::<Vec<f64>>()
    };
    assert_eq!(
        requests(GapRule::Zero),
        vec![6000.0, 6000.0, 0.0, 0.0, 24000.0, 24000.0]
    );
    assert_eq!(
        requests(GapRule::Hold),
        vec![6000.0, 6000.0, 6000.0, 6000.0, 24000.0, 24000.0]
    );
    assert_eq!(
        requests(GapRule::Linear),
        vec![6000.0, 6000.0, 12000.0, 18000.0, 24000.0, 24000.0]
    );
}

#[test]
fn a_trace_with_nothing_to_map_names_series_and_apps() {
    let (_dir, trace) = crate::common::temp_file("gappy.csv", GAPPY);
    let text = gappy_scenario(&trace, "").replace(
        "series = \"web/requests_per_second\"",
        "series = \"shop/requests_per_second\"",
    );
    let err = run_err(&text, &ReplayOptions::default());
    assert!(err.contains("web/requests_per_second"), "{err}");
    assert!(
        err.contains("app web wants shop/requests_per_second"),
        "{err}"
    );

    // No mapping at all, two series: the message lists both and the apps.
    let two = format!("{GAPPY}2024-01-01T00:00:00Z,api,5\n");
    let (_dir2, trace2) = crate::common::temp_file("two.csv", two);
    let text = gappy_scenario(&trace2, "").replace(
        "[[replay.apps]]\napp = \"web\"\nseries = \"web/requests_per_second\"\n",
        "",
    );
    let err = run_err(&text, &ReplayOptions::default());
    assert!(err.contains("api/requests_per_second"), "{err}");
    assert!(err.contains("web/requests_per_second"), "{err}");
    assert!(err.contains("the scenario's apps are: web"), "{err}");
    assert!(err.contains("--map"), "{err}");

    // With --map it runs.
    let sc = ReplayScenario::parse(&text, "t.toml", Path::new("/")).unwrap();
    let options = ReplayOptions {
        mappings: vec!["api=web".parse().unwrap()],
        ..ReplayOptions::default()
    };
    replay(&sc, &options, &mut |_| {}).unwrap();
}

#[test]
fn bad_settings_name_the_file_line_and_value() {
    let (_dir, trace) = crate::common::temp_file("gappy.csv", GAPPY);
    // Unknown key in [replay]: file, line and column.
    let err = run_err(
        &gappy_scenario(&trace, "speedup = 2.0"),
        &ReplayOptions::default(),
    );
    assert!(err.starts_with("test.toml:8:"), "{err}");
    assert!(err.contains("speedup"), "{err}");
    // A bad value: the setting, its line and the value.
    let err = run_err(
        &gappy_scenario(&trace, "scale = \"ten\""),
        &ReplayOptions::default(),
    );
    assert!(err.contains("test.toml:8: replay.scale = \"ten\""), "{err}");
    let err = run_err(
        &gappy_scenario(&trace, "gap = \"cubic\""),
        &ReplayOptions::default(),
    );
    assert!(err.contains("replay.gap") && err.contains("cubic"), "{err}");
    // An app the scenario does not have.
    let text = gappy_scenario(&trace, "").replace("app = \"web\"", "app = \"shop\"");
    let err = run_err(&text, &ReplayOptions::default());
    assert!(err.contains("replay.apps[0].app = \"shop\""), "{err}");
    assert!(err.contains("the scenario has: web"), "{err}");
    // A scenario error keeps the file's own line numbers.
    let text =
        gappy_scenario(&trace, "").replace("service_rate_rps = 100.0", "service_rate_rps = -1.0");
    let err = run_err(&text, &ReplayOptions::default());
    assert!(
        err.contains("line 27") && err.contains("service_rate_rps"),
        "{err}"
    );
    // A bad trace value: file, line, column and value from the reader.
    let (_d, bad) = crate::common::temp_file(
        "bad.csv",
        "timestamp,app,requests_per_second\n2024-01-01T00:00:00Z,web,12x\n",
    );
    let err = run_err(&gappy_scenario(&bad, ""), &ReplayOptions::default());
    assert!(err.contains("bad.csv:2") && err.contains("12x"), "{err}");
}

#[test]
fn a_utilisation_needs_a_capacity_in_closed_loop() {
    let text = std::fs::read_to_string(scenario_file("replay-alibaba.toml"))
        .unwrap()
        .replace("capacity_instances = 4.0", "");
    let err = run_err(
        &text,
        &ReplayOptions {
            mode: Some(ReplayMode::Closed),
            to: Some("1h".into()),
            ..ReplayOptions::default()
        },
    );
    assert!(err.contains("capacity_series"), "{err}");
    assert!(err.contains("replay.apps[0]"), "{err}");
    // Open loop needs none: the demand follows the virtual capacity.
    let sc = ReplayScenario::parse(&text, "t.toml", &scenario_file("")).unwrap();
    replay(
        &sc,
        &ReplayOptions {
            to: Some("1h".into()),
            ..ReplayOptions::default()
        },
        &mut |_| {},
    )
    .unwrap();
}

#[test]
fn errors_are_replay_errors() {
    // A missing trace file is an I/O error naming it.
    let err = replay(
        &ReplayScenario::load(&scenario_file("replay-worldcup98.toml")).unwrap(),
        &ReplayOptions {
            trace: Some("/nonexistent/trace.csv".into()),
            ..ReplayOptions::default()
        },
        &mut |_| {},
    )
    .err()
    .unwrap();
    assert!(matches!(err, ReplayError::Trace(_)));
    assert!(err.to_string().contains("/nonexistent/trace.csv"), "{err}");
}

#[test]
fn unsorted_rows_are_sorted_with_a_note_or_refused_under_strict() {
    let length = Some(lighthouse_sim::scenario::parse_duration("6h").unwrap());
    let lenient = ReplayOptions {
        duration: length,
        ..ReplayOptions::default()
    };
    let out = run("replay-wikipedia.toml", &lenient);
    assert!(
        out.notes.iter().any(|n| n.contains("unsorted")),
        "{:?}",
        out.notes
    );
    let strict = ReplayOptions {
        duration: length,
        strict: true,
        ..ReplayOptions::default()
    };
    let text = std::fs::read_to_string(scenario_file("replay-wikipedia.toml")).unwrap();
    let err = run_err(&text, &strict);
    assert!(err.contains("wikipedia"), "{err}");
    assert!(
        err.contains("column timestamp") && err.contains("strict"),
        "{err}"
    );
}
