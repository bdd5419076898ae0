//! The OmniCloud metrics provider and executor against a fake platform.

use std::collections::BTreeMap;

use lighthouse_engine::adapters::{
    OmniCloudClient, OmniCloudExecutor, OmniCloudMetricsProvider, ResourceTypes,
};
use lighthouse_engine::*;

use crate::fakes::{FakeOmni, Mode};

fn context(secs: i64) -> CallbackContext {
    CallbackContext {
        timestamp: Timestamp::from_secs(secs),
        ..CallbackContext::default()
    }
}

fn action(id: &str, from: u32, to: u32) -> ScaleAction {
    let direction = if to > from {
        ScaleDirection::Up
    } else {
        ScaleDirection::Down
    };
    ScaleAction {
        resource_id: id.to_string(),
        resource_type: id.split(':').next().unwrap().to_string(),
        direction,
        target_capacity: to,
        current_capacity: from,
        scale_factor: ScaleAction::ratio(from, to),
        reason: "test".to_string(),
        confidence: 1.0,
        timestamp: Timestamp::from_secs(0),
        policy: "p".to_string(),
        signal_since: None,
        metadata: BTreeMap::new(),
    }
}

async fn executor(fake: &FakeOmni, lookup: bool) -> OmniCloudExecutor {
    let url = fake.start().await;
    OmniCloudExecutor::new(OmniCloudClient::new(FakeOmni::config(&url, lookup)).unwrap())
}

#[tokio::test]
async fn app_metrics_average_running_instances_over_every_page() {
    let fake = FakeOmni::with_app(4, 64.0);
    let url = fake.start().await;
    let client = OmniCloudClient::new(FakeOmni::config(&url, true)).unwrap();
    let provider = OmniCloudMetricsProvider::new(client, ResourceTypes::new());
    let m = provider
        .get_metrics("app_instance:web", &context(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics["cpu_percent"], 64.0);
    assert_eq!(m.metrics["memory_percent"], 30.0);
    assert_eq!(
        m.metrics["instances"], 4.0,
        "starting and crashed do not count"
    );
    assert_eq!(m.timestamp, Timestamp::from_secs(5));
    assert_eq!(
        provider.capacity("app_instance:web").await.unwrap(),
        Some(4)
    );
    fake.with(|s| {
        // 6 instances at 2 per page, and the app looked up by name.
        assert!(s.list_calls >= 4, "{}", s.list_calls);
        assert!(
            s.auth
                .iter()
                .all(|a| a.as_deref() == Some("Bearer omni-token-123"))
        );
    });
}

#[tokio::test]
async fn listings_are_retried_and_unknown_apps_named() {
    let fake = FakeOmni::with_app(2, 10.0);
    fake.with(|s| s.list_failures = 1);
    let url = fake.start().await;
    let client = OmniCloudClient::new(FakeOmni::config(&url, false)).unwrap();
    let provider = OmniCloudMetricsProvider::new(client.clone(), ResourceTypes::new());
    let m = provider
        .get_metrics("app_instance:web", &context(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics["instances"], 2.0);
    let e = provider
        .get_metrics("app_instance:nope", &context(5))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no app named \"nope\""), "{e}");
    let e = provider
        .get_metrics("platform_component:etcd", &context(5))
        .await
        .unwrap_err();
    assert!(matches!(e, LighthouseError::Unsupported { .. }), "{e:?}");
}

#[tokio::test]
async fn scaling_an_app_sends_the_absolute_target_and_memory() {
    let fake = FakeOmni::with_app(4, 90.0);
    let exec = executor(&fake, false).await;
    assert_eq!(
        exec.get_current_capacity("app_instance:web", &context(0))
            .await
            .unwrap(),
        Some(4)
    );
    assert!(
        exec.execute_scale_action(&action("app_instance:web", 4, 6), &context(0))
            .await
            .unwrap()
    );
    let mut with_memory = action("app_instance:web", 6, 3);
    with_memory
        .metadata
        .insert("memory_mb".into(), "1024".into());
    assert!(
        exec.execute_scale_action(&with_memory, &context(0))
            .await
            .unwrap()
    );
    assert_eq!(
        fake.scale_calls(),
        [("42".into(), 6, 256), ("42".into(), 3, 1024)]
    );
    assert_eq!(fake.running("42"), 3);
    assert_eq!(
        exec.get_current_capacity("app_instance:web", &context(0))
            .await
            .unwrap(),
        Some(3)
    );
}

#[tokio::test]
async fn a_scale_answering_500_fails_without_a_retry() {
    let fake = FakeOmni::with_app(4, 90.0);
    fake.with(|s| s.scale_mode = Mode::Fail(500));
    let exec = executor(&fake, false).await;
    let e = exec
        .execute_scale_action(&action("app_instance:web", 4, 6), &context(0))
        .await
        .unwrap_err();
    match e {
        LighthouseError::Executor {
            resource_id,
            message,
        } => {
            assert_eq!(resource_id, "app_instance:web");
            assert!(
                message.contains("HTTP 500") && message.contains("/apps/42/scale"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.scale_calls().len(), 1, "a write is not repeated");
    assert_eq!(fake.running("42"), 4);
}

#[tokio::test]
async fn a_scale_that_times_out_is_a_timeout_and_not_repeated() {
    let fake = FakeOmni::with_app(4, 90.0);
    fake.with(|s| s.scale_mode = Mode::Hang);
    let exec = executor(&fake, false).await;
    let e = exec
        .execute_scale_action(&action("app_instance:web", 4, 6), &context(0))
        .await
        .unwrap_err();
    assert!(
        matches!(e, LighthouseError::Timeout { seconds, .. } if seconds == 0.3),
        "{e:?}"
    );
    assert_eq!(fake.scale_calls().len(), 1);
}

#[tokio::test]
async fn a_scale_answering_200_with_success_false_fails() {
    let fake = FakeOmni::with_app(4, 90.0);
    fake.with(|s| s.scale_mode = Mode::SuccessFalse);
    let exec = executor(&fake, false).await;
    let e = exec
        .execute_scale_action(&action("app_instance:web", 4, 6), &context(0))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("quota exceeded"), "{e}");
}

#[tokio::test]
async fn settings_that_disagree_with_the_mapping_stop_the_action() {
    let fake = FakeOmni::with_app(4, 90.0);
    let exec = executor(&fake, false).await;
    let mut a = action("app_instance:web", 4, 6);
    a.metadata.insert("app_id".into(), "7".into());
    let e = exec
        .execute_scale_action(&a, &context(0))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("disagrees"), "{e}");
    a.metadata.insert("app_id".into(), "42".into());
    a.metadata.insert("memory_mb".into(), "lots".into());
    let e = exec
        .execute_scale_action(&a, &context(0))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("memory_mb"), "{e}");
    assert!(fake.scale_calls().is_empty());
}

#[tokio::test]
async fn platform_components_are_unsupported() {
    let fake = FakeOmni::with_app(4, 90.0);
    let exec = executor(&fake, false).await;
    let a = action("platform_component:etcd", 3, 4);
    assert!(matches!(
        exec.execute_scale_action(&a, &context(0)).await,
        Err(LighthouseError::Unsupported { .. })
    ));
    assert!(matches!(
        exec.get_current_capacity("platform_component:etcd", &context(0))
            .await,
        Err(LighthouseError::Unsupported { .. })
    ));
}

fn pool(fake: &FakeOmni) {
    fake.add_worker(1, "general", true, 3.0);
    fake.add_worker(2, "general", false, 2.0);
    fake.add_worker(3, "general", false, 0.5);
    fake.add_worker(4, "other", false, 0.0);
    fake.add_worker(5, "general", false, 1.0);
}

#[tokio::test]
async fn worker_pools_grow_by_one_create_vm_per_worker() {
    let fake = FakeOmni::with_app(1, 1.0);
    pool(&fake);
    let exec = executor(&fake, false).await;
    let id = "worker_node:general";
    assert_eq!(
        exec.get_current_capacity(id, &context(0)).await.unwrap(),
        Some(4)
    );
    let mut a = action(id, 4, 6);
    a.metadata.insert("cpu_count".into(), "8".into());
    assert!(exec.execute_scale_action(&a, &context(100)).await.unwrap());
    let calls = fake.director_calls();
    assert_eq!(calls.len(), 2);
    for (n, call) in calls.iter().enumerate() {
        assert_eq!(call["provider"], "virtualbox");
        assert_eq!(call["feature"], "VM_Manage");
        assert_eq!(call["action"], "create_vm");
        assert_eq!(
            call["params"]["name"],
            format!("lighthouse-general-100000-{n}")
        );
        assert_eq!(call["params"]["cpu_count"], 8);
        assert_eq!(call["params"]["memory_mb"], 4096);
        assert_eq!(call["params"]["os_type"], "ubuntu");
    }
    assert_eq!(
        exec.get_current_capacity(id, &context(101)).await.unwrap(),
        Some(6)
    );
    assert_eq!(exec.provisioning("general"), 0, "both showed up as workers");
}

#[tokio::test]
async fn director_refusals_fail_with_its_reason() {
    for (mode, expected) in [
        (Mode::SuccessFalse, "out of capacity"),
        (Mode::Fail(500), "HTTP 500"),
    ] {
        let fake = FakeOmni::with_app(1, 1.0);
        pool(&fake);
        fake.with(|s| s.director_mode = mode);
        let exec = executor(&fake, false).await;
        let e = exec
            .execute_scale_action(&action("worker_node:general", 4, 6), &context(0))
            .await
            .unwrap_err();
        assert!(matches!(e, LighthouseError::Executor { .. }), "{e:?}");
        assert!(e.to_string().contains(expected), "{e}");
        assert_eq!(fake.director_calls().len(), 1, "stops at the first refusal");
        assert_eq!(
            exec.get_current_capacity("worker_node:general", &context(1))
                .await
                .unwrap(),
            Some(4),
            "a refused VM is not counted"
        );
    }
}

#[tokio::test]
async fn a_lost_create_vm_answer_is_counted_and_never_provisioned_twice() {
    let fake = FakeOmni::with_app(1, 1.0);
    pool(&fake);
    fake.with(|s| {
        s.director_mode = Mode::ApplyThenHang;
        s.register_vms = false;
    });
    let exec = executor(&fake, false).await;
    let id = "worker_node:general";
    let e = exec
        .execute_scale_action(&action(id, 4, 5), &context(0))
        .await
        .unwrap_err();
    assert!(matches!(e, LighthouseError::Timeout { .. }), "{e:?}");
    // The VM is not a worker yet, but it counts: the engine sees the
    // action applied and does not provision again.
    assert_eq!(
        exec.get_current_capacity(id, &context(10)).await.unwrap(),
        Some(5)
    );
    assert_eq!(exec.provisioning("general"), 1);
    // It registers: counted once, as a worker.
    fake.with(|s| {
        s.workers.push(
            serde_json::json!({"id": 99, "name": "lighthouse-general-0-0",
            "provider_id": "new-1", "status": "running", "labels": {"pool": "general"}}),
        )
    });
    assert_eq!(
        exec.get_current_capacity(id, &context(20)).await.unwrap(),
        Some(5)
    );
    assert_eq!(exec.provisioning("general"), 0);
    assert_eq!(fake.director_calls().len(), 1);
}

#[tokio::test]
async fn unregistered_vms_stop_counting_after_the_grace_period() {
    let fake = FakeOmni::with_app(1, 1.0);
    pool(&fake);
    fake.with(|s| s.register_vms = false);
    let exec = executor(&fake, false).await;
    let id = "worker_node:general";
    exec.execute_scale_action(&action(id, 4, 5), &context(0))
        .await
        .unwrap();
    assert_eq!(
        exec.get_current_capacity(id, &context(599)).await.unwrap(),
        Some(5)
    );
    assert_eq!(
        exec.get_current_capacity(id, &context(601)).await.unwrap(),
        Some(4)
    );
}

#[tokio::test]
async fn scale_down_removes_the_least_busy_and_never_critical_workers() {
    let fake = FakeOmni::with_app(1, 1.0);
    pool(&fake);
    let exec = executor(&fake, false).await;
    let id = "worker_node:general";
    assert!(
        exec.execute_scale_action(&action(id, 4, 2), &context(0))
            .await
            .unwrap()
    );
    let deleted: Vec<String> = fake
        .director_calls()
        .iter()
        .map(|c| {
            assert_eq!(c["action"], "delete_vm");
            c["params"]["vm_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(deleted, ["vm-3", "vm-5"], "least reserved CPU first");
    assert_eq!(exec.critical_workers(id).await.unwrap(), 1);
    // Down to the critical one and one more: only one can go.
    let e = exec
        .execute_scale_action(&action(id, 2, 0), &context(0))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("critical"), "{e}");
    // Only the critical worker is left: declined, nothing deleted.
    let calls = fake.director_calls().len();
    assert!(
        !exec
            .execute_scale_action(&action(id, 1, 0), &context(0))
            .await
            .unwrap()
    );
    assert_eq!(fake.director_calls().len(), calls);
    assert_eq!(
        exec.get_current_capacity(id, &context(0)).await.unwrap(),
        Some(1)
    );
}
