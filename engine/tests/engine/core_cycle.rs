//! One evaluation cycle end to end through the callbacks.

use lighthouse_engine::*;

use crate::support::*;

const WEB: &str = "app_instance:web";

fn web_harness() -> Harness {
    // The seed's web-app policy.
    let h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 180)],
        3,
        50,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h
}

/// The web app under target tracking (CPU at 50 %) from 4 instances.
fn hpa_harness() -> Harness {
    let policy = ScalingPolicy::target_tracking(
        "hpa",
        TargetTrackingPolicy::new("cpu_percent", 50.0),
        1,
        100,
    );
    let cfg = LighthouseConfig::builder()
        .add_resource_config(
            "web",
            ResourceConfig::new("web", ResourceLayer::AppInstance, policy),
        )
        .build()
        .unwrap();
    let h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h
}

#[test]
fn scale_up_carries_an_absolute_target_from_the_capacity_the_executor_reports() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 1200.0, 0);
    let report = h.cycle(0);
    assert_eq!(report.executed, 1);
    let a = &h.fleet.executed()[0];
    assert_eq!(
        (a.direction, a.current_capacity, a.target_capacity),
        (ScaleDirection::Up, 4, 6)
    );
    assert_eq!(a.scale_factor, Some(1.5));
    assert_eq!(
        h.fleet.0.lock().unwrap().capacity_asks,
        vec![WEB.to_string()]
    );
    assert!(a.reason.contains("requests_per_second"), "{}", a.reason);
}

#[test]
fn nothing_happens_inside_the_band_and_observers_hear_nothing() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 500.0, 0);
    let report = h.cycle(0);
    assert_eq!((report.decisions, report.skipped), (0, 0));
    assert!(h.recorder.lines().is_empty());
    assert!(
        h.fleet.0.lock().unwrap().capacity_asks.is_empty(),
        "no capacity asked when nothing is wanted"
    );
}

#[test]
fn cooldown_is_per_direction_and_skips_are_heard() {
    let mut h = Harness::new(threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![ScalingThreshold {
            scale_down_cooldown_seconds: Some(600),
            ..rule("requests_per_second", 1000.0, 200.0, 1.5, 180)
        }],
        1,
        50,
    ));
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h.push(WEB, "web", "requests_per_second", 1200.0, 0);
    h.cycle(0);
    h.push(WEB, "web", "requests_per_second", 1300.0, 30);
    h.cycle(30);
    assert_eq!(h.recorder.count("skipped app_instance:web up cooldown"), 1);
    // The down direction has its own timer: a drop scales down at once.
    h.push(WEB, "web", "requests_per_second", 50.0, 60);
    h.cycle(60);
    assert_eq!(h.fleet.capacity(WEB), 4, "6 / 1.5 = 4");
    // Up again after 180 s from the first scale-up.
    h.push(WEB, "web", "requests_per_second", 1300.0, 180);
    h.cycle(180);
    assert_eq!(h.fleet.capacity(WEB), 6);
    // Down is cooling for 600 s from t = 60.
    h.push(WEB, "web", "requests_per_second", 50.0, 630);
    h.cycle(630);
    assert_eq!(h.fleet.capacity(WEB), 6);
    assert_eq!(
        h.recorder.count("skipped app_instance:web down cooldown"),
        1
    );
    h.push(WEB, "web", "requests_per_second", 50.0, 660);
    h.cycle(660);
    assert_eq!(h.fleet.capacity(WEB), 4);
}

#[test]
fn targets_are_clamped_and_a_resource_at_its_limit_is_skipped() {
    let mut h = web_harness();
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 40);
    });
    h.push(WEB, "web", "requests_per_second", 5000.0, 0);
    h.cycle(0);
    assert_eq!(
        h.fleet.capacity(WEB),
        50,
        "ceil(40 × 1.5) = 60, clamped to 50"
    );
    h.push(WEB, "web", "requests_per_second", 5000.0, 200);
    h.cycle(210);
    assert_eq!(h.recorder.count("skipped app_instance:web up at_limit"), 1);
    // And the floor: from 4 down by 1.5 gives 2, clamped to min 3.
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h.push(WEB, "web", "requests_per_second", 10.0, 240);
    h.cycle(240);
    assert_eq!(h.fleet.capacity(WEB), 3);
}

#[test]
fn stale_samples_trigger_nothing() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 5000.0, 0);
    // Default max age 120 s: at 150 s the sample is stale.
    let report = h.cycle(150);
    assert_eq!(report.executed, 0);
    assert_eq!(
        h.recorder
            .count("skipped app_instance:web maintain stale_metrics"),
        1
    );
}

#[test]
fn pulled_resources_are_asked_for_metrics_every_cycle() {
    let mut h = web_harness();
    h.core
        .register_resource(WEB, "web", MetricsSource::Pull)
        .unwrap();
    let sample = utils::business_metrics("web", [("requests_per_second", 1500.0)], Timestamp(0));
    h.fleet.with(|f| {
        f.metrics.insert(
            WEB.into(),
            ResourceMetrics {
                resource_type: "web".into(),
                ..sample
            },
        );
    });
    h.cycle(0);
    h.cycle(30);
    assert_eq!(h.fleet.0.lock().unwrap().metric_pulls.len(), 2);
    assert_eq!(h.fleet.capacity(WEB), 6);
}

#[test]
fn one_resource_failing_never_stops_the_others() {
    let mut cfg = threshold_config(
        "web",
        ResourceLayer::AppInstance,
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 180)],
        1,
        50,
    );
    cfg.resource_configs.insert(
        "api".into(),
        ResourceConfig::new(
            "api",
            ResourceLayer::AppInstance,
            ScalingPolicy::threshold(
                "p",
                vec![rule("requests_per_second", 1000.0, 200.0, 2.0, 180)],
                1,
                50,
            ),
        ),
    );
    let mut h = Harness::new(cfg);
    for id in ["app_instance:a", "app_instance:b", "app_instance:c"] {
        h.core
            .register_resource(id, "api", MetricsSource::Pull)
            .unwrap();
        h.fleet.with(|f| {
            f.capacity.insert(id.into(), 2);
            f.metrics.insert(
                id.into(),
                ResourceMetrics {
                    resource_id: id.into(),
                    resource_type: "api".into(),
                    timestamp: Timestamp(0),
                    metrics: [("requests_per_second".to_string(), 2000.0)].into(),
                },
            );
        });
    }
    h.fleet.with(|f| {
        f.metrics_error.push("app_instance:a".into());
        f.fail_next.insert("app_instance:b".into(), 1);
    });
    let report = h.cycle(0);
    assert_eq!(report.errors, 2);
    assert_eq!(
        h.fleet.capacity("app_instance:c"),
        4,
        "c scaled despite a and b failing"
    );
    assert_eq!(h.recorder.count("error app_instance:a"), 1);
    assert_eq!(h.recorder.count("error app_instance:b"), 1);
}

#[test]
fn failed_executions_are_retried_with_exponential_back_off() {
    let mut h = web_harness();
    h.fleet.with(|f| {
        f.fail_next.insert(WEB.into(), 3);
    });
    h.push(WEB, "web", "requests_per_second", 1500.0, 0);
    h.cycle(0);
    let mut attempts = vec![0i64];
    // Follow the engine's own wake-ups (retries and regular cycles) until
    // the action goes through, noting when each attempt was made.
    for _ in 0..10 {
        let wake = h.core.next_wakeup();
        h.push(
            WEB,
            "web",
            "requests_per_second",
            1500.0,
            wake.as_millis() / 1000,
        );
        let report = h.cycle_at(wake);
        if report.errors + report.executed > 0 {
            attempts.push(wake.as_millis());
        }
        if report.executed > 0 {
            break;
        }
    }
    assert_eq!(h.fleet.executed().len(), 1, "the fourth attempt succeeded");
    assert_eq!(attempts.len(), 4);
    let gaps: Vec<i64> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    // Default back-off 5 s, ×2 per failure, ±20 % jitter.
    for (gap, base) in gaps.iter().zip([5_000.0, 10_000.0, 20_000.0]) {
        assert!(
            (*gap as f64) >= base * 0.8 && (*gap as f64) <= base * 1.2,
            "gaps {gaps:?}"
        );
    }
    assert_eq!(h.recorder.count("error app_instance:web"), 3);
    assert_eq!(
        h.recorder.count("skipped app_instance:web up backoff"),
        1,
        "the regular cycle at 30 s waited"
    );
}

#[test]
fn a_lost_answer_is_read_back_and_never_doubles_the_action() {
    let mut h = web_harness();
    h.fleet.with(|f| {
        f.lose_answer_next.insert(WEB.into(), 1);
    });
    h.push(WEB, "web", "requests_per_second", 1500.0, 0);
    h.cycle(0);
    assert_eq!(
        h.fleet.capacity(WEB),
        6,
        "applied although the answer was lost"
    );
    let wake = h.core.next_wakeup();
    h.push(
        WEB,
        "web",
        "requests_per_second",
        1500.0,
        wake.as_millis() / 1000,
    );
    h.cycle_at(wake);
    assert_eq!(
        h.fleet.capacity(WEB),
        6,
        "the retry saw 6 and did not scale again"
    );
    assert_eq!(h.fleet.executed().len(), 1);
    // And the cooldown of the applied action now holds.
    h.push(WEB, "web", "requests_per_second", 1500.0, 60);
    h.cycle(60);
    assert_eq!(h.fleet.capacity(WEB), 6);
}

#[test]
fn layers_are_decided_apps_then_platform_then_workers() {
    let mut cfg = LighthouseConfig::default();
    let up = |m: &str, cd| rule(m, 10.0, 1.0, 2.0, cd);
    cfg.resource_configs.insert(
        "worker_node".into(),
        ResourceConfig::new(
            "worker_node",
            ResourceLayer::WorkerNode,
            ScalingPolicy::threshold("w", vec![up("pending_workloads", 1800)], 1, 100),
        ),
    );
    cfg.resource_configs.insert(
        "platform_component".into(),
        ResourceConfig::new(
            "platform_component",
            ResourceLayer::PlatformComponent,
            ScalingPolicy::threshold("p", vec![up("api_request_queue_length", 600)], 3, 12),
        ),
    );
    cfg.resource_configs.insert(
        "app_instance".into(),
        ResourceConfig::new(
            "app_instance",
            ResourceLayer::AppInstance,
            ScalingPolicy::threshold("a", vec![up("requests_per_second", 180)], 1, 50),
        ),
    );
    let mut h = Harness::new(cfg);
    // Registered in the opposite order on purpose.
    h.push(
        "worker_node:pool",
        "worker_node",
        "pending_workloads",
        50.0,
        0,
    );
    h.push(
        "platform_component:api",
        "platform_component",
        "api_request_queue_length",
        50.0,
        0,
    );
    h.push(
        "app_instance:web",
        "app_instance",
        "requests_per_second",
        50.0,
        0,
    );
    h.fleet.with(|f| {
        for id in [
            "worker_node:pool",
            "platform_component:api",
            "app_instance:web",
        ] {
            f.capacity.insert(id.into(), 3);
        }
    });
    h.cycle(0);
    let order: Vec<String> = h
        .fleet
        .executed()
        .iter()
        .map(|a| a.resource_id.clone())
        .collect();
    assert_eq!(
        order,
        [
            "app_instance:web",
            "platform_component:api",
            "worker_node:pool"
        ]
    );
}

#[test]
fn status_counts_resources_recommendations_and_the_last_evaluation() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 1500.0, 0);
    h.cycle(0);
    let status = h.core.status();
    assert_eq!(status.resources_tracked, 1);
    assert_eq!(status.total_recommendations, 1);
    assert_eq!(status.last_evaluation, Some(Timestamp(0)));
    assert_eq!(h.core.next_wakeup(), Timestamp::from_secs(30));
}

#[test]
fn target_tracking_follows_the_hpa_formula_and_stabilizes_scale_down() {
    let mut h = hpa_harness();
    h.push(WEB, "web", "cpu_percent", 90.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 8, "ceil(4 × 90 / 50) = 8");
    // Load falls: 8 × 20 / 50 = 3.2 → 4, but not before the 300 s window.
    for t in (30..=270).step_by(30) {
        h.push(WEB, "web", "cpu_percent", 20.0, t);
        h.cycle(t);
        assert_eq!(h.fleet.capacity(WEB), 8, "t = {t}");
    }
    // The recommendation of 8 made at 0 s leaves the window at 300 s.
    h.push(WEB, "web", "cpu_percent", 20.0, 300);
    h.cycle(300);
    assert_eq!(h.fleet.capacity(WEB), 4);
}

#[test]
fn composite_policies_evaluate_every_member() {
    let cpu = ScalingPolicy::threshold(
        "cpu",
        vec![rule("cpu_percent", 80.0, 20.0, 2.0, 60)],
        1,
        100,
    );
    let rps = ScalingPolicy::threshold(
        "rps",
        vec![rule("requests_per_second", 100.0, 10.0, 1.5, 60)],
        1,
        100,
    );
    let both = ScalingPolicy::composite(
        "both",
        CompositePolicy {
            mode: CompositeMode::All,
            members: vec![
                CompositeMember {
                    policy: "cpu".into(),
                    weight: 1.0,
                },
                CompositeMember {
                    policy: "rps".into(),
                    weight: 1.0,
                },
            ],
            weighted_threshold: 0.5,
        },
        1,
        100,
    );
    let rc = ResourceConfig {
        resource_type: "web".into(),
        layer: Some(ResourceLayer::AppInstance),
        policies: vec![cpu, rps, both],
        default_policy: Some("both".into()),
        unit_cost_per_hour: None,
        settings: Default::default(),
    };
    let cfg = LighthouseConfig::builder()
        .add_resource_config("web", rc)
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 4);
    });
    h.push(WEB, "web", "cpu_percent", 90.0, 0);
    h.push(WEB, "web", "requests_per_second", 50.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 4, "all: rps is in range");
    h.push(WEB, "web", "requests_per_second", 500.0, 30);
    h.push(WEB, "web", "cpu_percent", 90.0, 30);
    h.cycle(30);
    assert_eq!(
        h.fleet.capacity(WEB),
        6,
        "all agree: the smaller step (×1.5) is taken"
    );
}

#[test]
fn schedules_raise_the_floor_in_business_hours_of_their_time_zone() {
    let mut policy = ScalingPolicy::threshold(
        "p",
        vec![rule("requests_per_second", 1000.0, 200.0, 1.5, 180)],
        2,
        50,
    );
    policy
        .schedules
        .push(utils::business_hours("Asia/Tokyo", 10));
    let cfg = LighthouseConfig::builder()
        .add_resource_config(
            "web",
            ResourceConfig::new("web", ResourceLayer::AppInstance, policy),
        )
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert(WEB.into(), 2);
    });
    let key = h
        .core
        .register_resource(WEB, "web", MetricsSource::Push)
        .unwrap();
    h.core.observe_capacity(key, 2, Timestamp(0));
    // 2024-07-01 (Monday) 23:30 UTC is Tuesday 08:30 in Tokyo: closed.
    let before = chrono::DateTime::parse_from_rfc3339("2024-07-01T23:30:00Z")
        .unwrap()
        .timestamp();
    h.push(WEB, "web", "requests_per_second", 500.0, before);
    h.cycle(before);
    assert_eq!(h.fleet.capacity(WEB), 2);
    // 00:00 UTC is 09:00 in Tokyo: open.
    h.push(WEB, "web", "requests_per_second", 500.0, before + 1800);
    h.cycle(before + 1800);
    assert_eq!(h.fleet.capacity(WEB), 10);
    let a = h.fleet.executed().pop().unwrap();
    assert!(a.reason.contains("business-hours"), "{}", a.reason);
}

#[test]
fn a_quiet_cycle_ends_the_signal_so_the_next_one_starts_afresh() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 1200.0, 0);
    assert_eq!(h.cycle(0).executed, 1);
    // Still above the threshold, inside the 180 s cooldown: a signal
    // that waits…
    h.push(WEB, "web", "requests_per_second", 1200.0, 30);
    assert_eq!(h.cycle(30).executed, 0);
    // …and ends when the load falls back into the band.
    h.push(WEB, "web", "requests_per_second", 500.0, 60);
    h.cycle(60);
    h.push(WEB, "web", "requests_per_second", 1200.0, 210);
    assert_eq!(h.cycle(210).executed, 1);
    let second = &h.fleet.executed()[1];
    assert_eq!(
        second.signal_since,
        Some(Timestamp::from_secs(210)),
        "the signal of 30 s ended at 60 s"
    );
}

#[test]
fn a_quiet_cycle_forgets_the_failures_of_an_abandoned_action() {
    let mut h = web_harness();
    h.fleet.with(|f| {
        f.fail_next.insert(WEB.into(), 1);
    });
    h.push(WEB, "web", "requests_per_second", 1500.0, 0);
    assert_eq!(h.cycle(0).errors, 1);
    assert_eq!(h.core.snapshot()[0].failures, 1);
    // The load is back in the band when the retry comes due.
    let retry = h.core.next_wakeup();
    h.push(WEB, "web", "requests_per_second", 500.0, 1);
    let report = h.cycle_at(retry);
    assert_eq!((report.executed, report.errors), (0, 0));
    assert_eq!(h.core.snapshot()[0].failures, 0);
}

#[test]
fn a_quiet_cycle_forgets_failures_restored_from_a_saved_state() {
    let mut before = web_harness();
    before.fleet.with(|f| {
        f.fail_next.insert(WEB.into(), 1);
    });
    before.push(WEB, "web", "requests_per_second", 1500.0, 0);
    assert_eq!(before.cycle(0).errors, 1);
    let saved = before.core.snapshot();
    assert_eq!(saved[0].failures, 1);
    // A restart restores the failure (and no signal); the load is back in
    // the band at the next evaluation.
    let mut after = web_harness();
    assert!(after.core.restore(&saved).is_empty());
    after.push(WEB, "web", "requests_per_second", 500.0, 30);
    let report = after.cycle(30);
    assert_eq!((report.executed, report.errors), (0, 0));
    assert_eq!(after.core.snapshot()[0].failures, 0);
}

#[test]
fn a_pin_moves_a_resource_whose_metrics_are_quiet() {
    let mut h = web_harness();
    h.push(WEB, "web", "requests_per_second", 500.0, 0);
    let key = h.core.resource_key(WEB).expect("registered by its sample");
    let until = Timestamp::from_secs(3600);
    h.core
        .set_override(key, Some(Override::Pin { capacity: 8, until }));
    assert_eq!(h.cycle(0).executed, 1);
    assert_eq!(h.fleet.capacity(WEB), 8);
}

#[test]
fn cycles_in_tolerance_hold_a_target_tracking_scale_down_back() {
    let mut h = hpa_harness();
    h.push(WEB, "web", "cpu_percent", 90.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(WEB), 8);
    // On target for five minutes: each cycle recommends the 8 it has…
    for t in (30..=300).step_by(30) {
        h.push(WEB, "web", "cpu_percent", 50.0, t);
        h.cycle(t);
    }
    // …so a fall at 330 s finds 8 recommended within the 300 s window
    // (the scale-up of 0 s has left it).
    h.push(WEB, "web", "cpu_percent", 20.0, 330);
    h.cycle(330);
    assert_eq!(h.fleet.capacity(WEB), 8);
}
