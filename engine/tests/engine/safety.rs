//! Safety checks inside the core, each reported with a typed reason.

use lighthouse_engine::*;

use crate::support::*;

fn app(id_type: &str, min: u32, max: u32) -> ResourceConfig {
    ResourceConfig::new(
        id_type,
        ResourceLayer::AppInstance,
        ScalingPolicy::threshold(
            "p",
            vec![rule("requests_per_second", 100.0, 10.0, 2.0, 60)],
            min,
            max,
        ),
    )
}

#[test]
fn nothing_runs_inside_a_maintenance_window() {
    let cfg = LighthouseConfig::builder()
        .add_resource_config("web", app("web", 1, 50))
        .maintenance_window(MaintenanceWindow {
            name: "db-upgrade".into(),
            start: Some(Timestamp::from_secs(0)),
            end: Some(Timestamp::from_secs(600)),
            weekly: None,
            layers: vec![],
        })
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert("app_instance:web".into(), 2);
    });
    for t in [0, 300, 570] {
        h.push("app_instance:web", "web", "requests_per_second", 500.0, t);
        h.cycle(t);
    }
    assert!(h.fleet.executed().is_empty());
    assert_eq!(h.recorder.count("skipped app_instance:web up safety"), 3);
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 600);
    h.cycle(600);
    assert_eq!(h.fleet.capacity("app_instance:web"), 4);
}

#[test]
fn maintenance_can_be_opened_and_closed_by_hand_per_layer() {
    let mut h = Harness::new(
        LighthouseConfig::builder()
            .add_resource_config("web", app("web", 1, 50))
            .build()
            .unwrap(),
    );
    h.fleet.with(|f| {
        f.capacity.insert("app_instance:web".into(), 2);
    });
    h.core
        .begin_maintenance("workers-only", &[ResourceLayer::WorkerNode]);
    h.core
        .begin_maintenance("apps", &[ResourceLayer::AppInstance]);
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 0);
    h.cycle(0);
    assert!(h.fleet.executed().is_empty());
    h.core.end_maintenance("apps");
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 30);
    h.cycle(30);
    assert_eq!(
        h.fleet.executed().len(),
        1,
        "worker maintenance does not stop apps"
    );
}

#[test]
fn a_scale_up_past_the_budget_is_refused() {
    let mut rc = app("web", 1, 50);
    rc.unit_cost_per_hour = Some(1.0);
    let cfg = LighthouseConfig::builder()
        .add_resource_config("web", rc)
        .budget_limit_per_hour(10.0)
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    h.fleet.with(|f| {
        f.capacity.insert("app_instance:web".into(), 3);
    });
    // Spending 8/h; doubling 3 → 6 adds 3/h: 11 > 10.
    h.core.observe_spend_rate(8.0, Timestamp(0));
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 0);
    h.cycle(0);
    assert!(h.fleet.executed().is_empty());
    assert_eq!(h.recorder.count("skipped app_instance:web up safety"), 1);
    // At 7/h the same scale-up fits exactly.
    h.core.observe_spend_rate(7.0, Timestamp::from_secs(30));
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 30);
    h.cycle(30);
    assert_eq!(h.fleet.capacity("app_instance:web"), 6);
    assert_eq!(
        h.core.spend_per_hour(),
        10.0,
        "the executed scale-up is committed"
    );
}

#[test]
fn platform_components_never_go_below_three() {
    let cfg = LighthouseConfig::builder()
        .add_resource_config(
            "api",
            ResourceConfig::new(
                "api",
                ResourceLayer::PlatformComponent,
                ScalingPolicy::threshold(
                    "p",
                    vec![rule("api_request_queue_length", 100.0, 10.0, 2.0, 600)],
                    3,
                    12,
                ),
            ),
        )
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    let id = "platform_component:api-server";
    h.fleet.with(|f| {
        f.capacity.insert(id.into(), 4);
    });
    h.push(id, "api", "api_request_queue_length", 0.0, 0);
    h.cycle(0);
    assert_eq!(h.fleet.capacity(id), 3, "4 / 2 = 2, held at 3");
    h.push(id, "api", "api_request_queue_length", 0.0, 700);
    h.cycle(700);
    assert_eq!(h.fleet.capacity(id), 3);
    assert_eq!(h.recorder.count(&format!("skipped {id} down at_limit")), 1);
}

#[test]
fn a_platform_policy_below_three_is_refused_with_the_field_named() {
    let err = LighthouseConfig::builder()
        .add_resource_config(
            "api",
            ResourceConfig::new(
                "api",
                ResourceLayer::PlatformComponent,
                ScalingPolicy::threshold(
                    "p",
                    vec![rule("api_request_queue_length", 100.0, 10.0, 2.0, 600)],
                    2,
                    12,
                ),
            ),
        )
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("resource_configs.api.policies[0].min_capacity = 2"),
        "{text}"
    );
}

#[test]
fn workers_running_critical_platform_work_are_never_terminated() {
    let cfg = LighthouseConfig::builder()
        .add_resource_config(
            "worker_node",
            ResourceConfig::new(
                "worker_node",
                ResourceLayer::WorkerNode,
                ScalingPolicy::threshold(
                    "w",
                    vec![rule("cluster_cpu_utilization", 80.0, 40.0, 2.0, 60)],
                    1,
                    100,
                ),
            ),
        )
        .build()
        .unwrap();
    let mut h = Harness::new(cfg);
    let id = "worker_node:pool";
    h.fleet.with(|f| {
        f.capacity.insert(id.into(), 6);
    });
    h.push(id, "worker_node", "cluster_cpu_utilization", 5.0, 0);
    let key = h.core.resource_key(id).unwrap();
    h.core.set_protected_workers(key, 4);
    h.cycle(0);
    assert_eq!(
        h.fleet.capacity(id),
        4,
        "6 / 2 = 3, but 4 workers are protected"
    );
    h.push(id, "worker_node", "cluster_cpu_utilization", 5.0, 90);
    h.cycle(90);
    assert_eq!(h.fleet.capacity(id), 4);
    assert_eq!(h.recorder.count(&format!("skipped {id} down safety")), 1);
}

#[test]
fn the_executors_own_safety_check_is_still_asked() {
    let mut h = Harness::new(
        LighthouseConfig::builder()
            .add_resource_config("web", app("web", 1, 50))
            .build()
            .unwrap(),
    );
    h.fleet.with(|f| {
        f.capacity.insert("app_instance:web".into(), 2);
        f.unsafe_resources.push("app_instance:web".into());
    });
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 0);
    h.cycle(0);
    assert!(h.fleet.executed().is_empty());
    assert_eq!(h.recorder.count("decision app_instance:web"), 1);
    assert_eq!(h.recorder.count("skipped app_instance:web up safety"), 1);
    // Refusal starts no cooldown: allowed again, it runs at the next cycle.
    h.fleet.with(|f| f.unsafe_resources.clear());
    h.push("app_instance:web", "web", "requests_per_second", 500.0, 30);
    h.cycle(30);
    assert_eq!(h.fleet.capacity("app_instance:web"), 4);
}

#[test]
fn invalid_samples_are_refused_with_their_reason_and_valid_ones_kept() {
    let mut cfg = LighthouseConfig::builder()
        .add_resource_config("web", app("web", 1, 50))
        .build()
        .unwrap();
    cfg.metrics.signed_metrics.push("profit_delta".into());
    let mut core = EngineCore::new(cfg, Timestamp(0)).unwrap();
    let m = ResourceMetrics {
        resource_id: "app_instance:web".into(),
        resource_type: "web".into(),
        timestamp: Timestamp(0),
        metrics: [
            ("requests_per_second".to_string(), 150.0),
            ("cpu_percent".to_string(), f64::NAN),
            ("queue".to_string(), -3.0),
            ("latency".to_string(), f64::INFINITY),
            ("profit_delta".to_string(), -5.0),
        ]
        .into(),
    };
    let err = core.observe_metrics(&m).unwrap_err();
    let LighthouseError::InvalidMetrics { rejected, .. } = &err else {
        panic!("{err}")
    };
    let reasons: Vec<(String, error::MetricRejection)> = rejected
        .iter()
        .map(|r| (r.metric.clone(), r.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "cpu_percent".to_string(),
                error::MetricRejection::NotANumber
            ),
            ("latency".to_string(), error::MetricRejection::Infinite),
            ("queue".to_string(), error::MetricRejection::Negative),
        ]
    );
    // The valid value was kept: the resource wants to scale up.
    core.begin_cycle(Timestamp(0));
    let (mut p, mut s) = (Vec::new(), Vec::new());
    core.evaluate_layer(ResourceLayer::AppInstance, Timestamp(0), &mut p, &mut s);
    assert_eq!(p.len(), 1);
}

#[test]
fn unknown_resource_ids_and_types_are_refused() {
    let mut core = EngineCore::new(
        LighthouseConfig::builder()
            .add_resource_config("web", app("web", 1, 50))
            .build()
            .unwrap(),
        Timestamp(0),
    )
    .unwrap();
    assert!(matches!(
        core.register_resource("vm:web", "web", MetricsSource::Push),
        Err(LighthouseError::InvalidResourceId { .. })
    ));
    assert!(matches!(
        core.register_resource("app_instance:web", "nope", MetricsSource::Push),
        Err(LighthouseError::UnknownResourceType { .. })
    ));
    assert!(matches!(
        core.register_resource("worker_node:web", "web", MetricsSource::Push),
        Err(LighthouseError::LayerMismatch { .. })
    ));
}
