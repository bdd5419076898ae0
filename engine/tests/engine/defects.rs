//! One test per defect of the original engine (see
//! `shared/reference/lighthouse-engine.md`), each failing if the defect came
//! back. Defects covered elsewhere name the test that covers them.

use lighthouse_engine::*;

use crate::support::*;

const WEB: &str = "app_instance:web";

/// Defect 1: The core never reads the wall clock or sleeps: only the runtime edge
/// does. (The core itself is driven at arbitrary instants in every test.)
#[test]
fn d01_only_the_runtime_reads_a_clock() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let allowed = path.ends_with("runtime.rs")
                || path.components().any(|c| c.as_os_str() == "adapters");
            let text = std::fs::read_to_string(&path).unwrap();
            for needle in [
                "SystemTime::now",
                "Instant::now",
                "Utc::now",
                "thread::sleep",
                "time::sleep",
            ] {
                if text.contains(needle) && !allowed {
                    offenders.push(format!("{} uses {needle}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
}

/// Defect 2: Cooldown is per direction, comes from the threshold that fired (not
/// the largest of all), survives a restart, and skips are heard.
#[test]
fn d02_cooldown_comes_from_the_rule_that_fired_and_survives_a_restart() {
    let cfg = threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![
            rule("requests_per_second", 1000.0, 200.0, 1.5, 60),
            rule("cpu_percent", 80.0, 20.0, 1.2, 900),
        ],
        1,
        50,
    );
    let mut h = Harness::new(cfg.clone());
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h.push(WEB, "web", "requests_per_second", 2000.0, 0);
    h.push(WEB, "web", "cpu_percent", 50.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 6);
    // Restart: a new core restored from the snapshot keeps the cooldown.
    let snapshot = h.core.snapshot();
    h.core = EngineCore::new(cfg, Timestamp::from_secs(30)).unwrap();
    assert!(h.core.restore(&snapshot).is_empty());
    h.push(WEB, "web", "requests_per_second", 2000.0, 30);
    h.push(WEB, "web", "cpu_percent", 50.0, 30);
    h.cycle(30);
    assert_eq!(h.fleet.capacity(WEB), 6, "still cooling after the restart");
    assert_eq!(
        h.recorder.count("skipped app_instance:web up cooldown"),
        1,
        "the skip was heard"
    );
    // 60 s (the rule that fired), not 900 s (the largest).
    h.push(WEB, "web", "requests_per_second", 2000.0, 60);
    h.cycle(60);
    assert_eq!(h.fleet.capacity(WEB), 9);
}

/// Defect 3: A low reading of one metric never scales down while another is above
/// its scale-up threshold.
#[test]
fn d03_scale_up_wins_over_first_firing_scale_down() {
    let cfg = threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![
            rule("cpu_percent", 80.0, 20.0, 1.5, 60),
            rule("memory_percent", 85.0, 30.0, 1.5, 60),
        ],
        1,
        50,
    );
    let mut h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h.push(WEB, "web", "cpu_percent", 5.0, 0);
    h.push(WEB, "web", "memory_percent", 95.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 6);
}

/// Defect 4: Bounds, default policy, settings and the target are honoured (see
/// also `config::default_policy_selects_among_several`,
/// `core_cycle::composite_policies_evaluate_every_member` and
/// `core_cycle::schedules_raise_the_floor_in_business_hours_of_their_time_zone`).
#[test]
fn d04_every_decision_carries_a_target_within_bounds() {
    let mut h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 3.0, 60)],
        2,
        10,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 5);
    });
    h.push(WEB, "web", "requests_per_second", 9000.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.executed()[0].target_capacity, 10);
}

/// Defect 5: A scale-down's `scale_factor` is target / current (< 1) and the target
/// is below the current capacity; nothing divides by it again.
#[test]
fn d05_scale_down_shrinks() {
    let mut h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 60)],
        1,
        50,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 9);
    });
    h.push(WEB, "web", "requests_per_second", 10.0, 0);
    h.cycle(0);
    let a = &h.fleet.executed()[0];
    assert_eq!((a.direction, a.target_capacity), (ScaleDirection::Down, 6));
    assert!(a.scale_factor.unwrap() < 1.0);
    assert_eq!(
        (f64::from(a.current_capacity) * a.scale_factor.unwrap()).round() as u32,
        a.target_capacity
    );
}

/// Defect 6: Metrics are pulled and capacity asked (see
/// `core_cycle::pulled_resources_are_asked_for_metrics_every_cycle`); cached
/// metrics expire.
#[test]
fn d06_cached_metrics_expire() {
    let mut h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 60)],
        1,
        50,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 2);
    });
    h.push(WEB, "web", "requests_per_second", 5000.0, 0);
    h.cycle(0);
    // Nine more cycles over five minutes with no new sample: one action only.
    for t in (30..=300).step_by(30) {
        h.cycle(t);
    }
    assert_eq!(
        h.fleet.executed().len(),
        3,
        "at 0, 60 and 120 s; the sample is stale after 120 s"
    );
}

/// Defect 7: `shutdown` stops the loop and a new interval takes effect (see
/// `runtime::*`); one resource's error does not abort the cycle (see
/// `core_cycle::one_resource_failing_never_stops_the_others`).
/// Defect 8: Failed actions are retried (see
/// `core_cycle::failed_executions_are_retried_with_exponential_back_off`).
/// Defect 9: Schedules honour their time zone (see `policy::schedule` unit tests);
/// predictive inputs are ordinary metrics to the engine.
#[test]
fn d09_forecast_metrics_drive_policies_like_observed_ones() {
    let mut h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second_forecast", 1000.0, 200.0, 1.5, 60)],
        1,
        50,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 2);
    });
    h.push(WEB, "web", "requests_per_second_forecast", 1500.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 3);
}

/// Defect 10: The default build pulls in no database driver.
#[test]
fn d10_no_database_driver_in_the_default_build() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    for driver in [
        "sqlx", "postgres", "mysql", "sqlite", "rusqlite", "diesel", "sea-orm", "mongodb", "redis",
    ] {
        assert!(!manifest.contains(driver), "engine depends on {driver}");
    }
}
