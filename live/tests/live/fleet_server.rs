//! The fleet server: the model advanced by hand (no clock), its routes over
//! HTTP, and the real OmniCloud adapters against it.

use std::collections::BTreeMap;

use lighthouse_engine::adapters::{DirectorConfig, WorkerPoolConfig};
use lighthouse_engine::adapters::{OmniCloudClient, OmniCloudConfig, OmniCloudExecutor};
use lighthouse_engine::*;
use lighthouse_live::fleet_server::model::FleetChangeError;
use lighthouse_live::fleet_server::{FleetModel, FleetServer, FleetServerOptions};
use lighthouse_sim::{LoadedScenario, parse_scenario};
use serde_json::{Value, json};

const TOKEN: &str = "fleet-token";

fn scenario() -> LoadedScenario {
    parse_scenario(include_str!("../../demo/rise.toml"), "rise.toml").unwrap()
}

fn model() -> FleetModel {
    FleetModel::new(&scenario().scenario).unwrap()
}

#[test]
fn the_fleet_starts_as_the_scenario_says() {
    let m = model();
    let web = &m.fleet().apps[0];
    assert_eq!((web.name.as_str(), web.target, web.ready), ("web", 2, 2));
    assert_eq!(m.fleet().pool_size(), 2);
    assert_eq!(m.now_ms(), m.start_ms());
}

#[test]
fn counters_follow_the_load_and_its_rise() {
    let mut m = model();
    let start = m.start_ms();
    m.advance_to(start + 10_000);
    // Ten closed one-second intervals at 50 requests per second.
    assert!((m.apps()[0].requests_total - 500.0).abs() < 1e-6);
    let cpu = m.apps()[0].last.unwrap().utilisation;
    assert!((cpu - 0.5).abs() < 1e-9, "{cpu}");
    m.advance_to(start + 130_000);
    // 120 s at 50, then 10 s at 250.
    assert!((m.apps()[0].requests_total - 8_500.0).abs() < 1e-6);
    assert!(m.apps()[0].last.unwrap().utilisation > 0.99);
    assert!(
        m.apps()[0].dropped_total > 0.0,
        "two instances cannot keep up"
    );
    // Time never goes back.
    m.advance_to(start);
    assert_eq!(m.now_ms(), start + 130_000);
}

#[test]
fn a_scale_call_starts_instances_that_serve_after_their_start_up() {
    let mut m = model();
    let start = m.start_ms();
    m.scale_app("1", 6, 512).unwrap();
    let web = &m.fleet().apps[0];
    assert_eq!((web.target, web.ready, web.starting), (6, 2, 4));
    m.advance_to(start + 9_999);
    assert_eq!(m.fleet().apps[0].ready, 2);
    m.advance_to(start + 10_000);
    assert_eq!(m.fleet().apps[0].ready, 6);
    assert_eq!(m.scale_calls().len(), 1);
    assert_eq!(m.scale_calls()[0].instances, 6);
    m.scale_app("1", 3, 512).unwrap();
    assert_eq!(m.fleet().apps[0].ready, 3);
}

#[test]
fn bad_scale_calls_are_refused_and_change_nothing() {
    let mut m = model();
    assert_eq!(
        m.scale_app("2", 4, 0),
        Err(FleetChangeError::NoApp("2".into()))
    );
    assert_eq!(
        m.scale_app("x", 4, 0),
        Err(FleetChangeError::NoApp("x".into()))
    );
    assert_eq!(m.scale_app("1", -1, 0), Err(FleetChangeError::Negative(-1)));
    assert!(matches!(
        m.scale_app("1", 1_000_000, 0),
        Err(FleetChangeError::TooMany(_))
    ));
    assert_eq!(m.fleet().apps[0].target, 2);
    assert!(m.scale_calls().is_empty());
}

#[test]
fn vms_are_created_provisioned_and_deleted() {
    let mut m = model();
    let start = m.start_ms();
    let vm = m.create_vm("lighthouse-pool-1");
    assert_eq!(vm, "vm-2");
    assert_eq!(m.fleet().pool_size(), 3);
    assert_eq!(m.worker_name(2), "lighthouse-pool-1");
    m.advance_to(start + 3_600_000);
    assert_eq!(m.fleet().cluster().ready, 3);
    m.delete_vm(&vm).unwrap();
    assert_eq!(m.fleet().pool_size(), 2);
    assert_eq!(m.delete_vm(&vm), Err(FleetChangeError::NoVm(vm.clone())));
    assert_eq!(
        m.delete_vm("i-123"),
        Err(FleetChangeError::NoVm("i-123".into()))
    );
    // The instances of a deleted worker move elsewhere.
    m.delete_vm("vm-0").unwrap();
    assert_eq!(m.fleet().apps[0].total(), 2);
}

async fn server(token: Option<&str>) -> (FleetServer, String) {
    let fleet = FleetServer::start(
        &scenario(),
        FleetServerOptions {
            speed: 1.0,
            listen: "127.0.0.1:0".parse().unwrap(),
            token: token.map(String::from),
            ..FleetServerOptions::default()
        },
    )
    .await
    .unwrap();
    let url = format!("http://{}", fleet.addr());
    (fleet, url)
}

async fn call(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    if let Some(b) = body {
        request = request
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn orchestrator_routes_need_the_token_and_both_paging_parameters() {
    use reqwest::Method;
    let (fleet, url) = server(Some(TOKEN)).await;
    let apps = format!("{url}/api/v1/platform/1/apps?page=1&per_page=10");
    assert_eq!(call(Method::GET, &apps, None, None).await.0, 401);
    assert_eq!(call(Method::GET, &apps, Some("wrong"), None).await.0, 401);
    let (status, body) = call(Method::GET, &apps, Some(TOKEN), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["apps"],
        json!([{"id": 1, "name": "web", "org_id": 1, "region_id": 1,
        "maintenance_mode": false, "container_image_url": "registry.invalid/web:sim"}])
    );
    assert_eq!(body["pagination"]["total_pages"], 1);
    let (status, body) = call(
        Method::GET,
        &format!("{url}/api/v1/platform/1/apps?page=1"),
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("per_page"),
        "{body}"
    );
    let (status, body) = call(
        Method::GET,
        &format!("{url}/api/v1/workers?page=0&per_page=5"),
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("page=\"0\""),
        "{body}"
    );
    let (status, _) = call(
        Method::GET,
        &format!("{url}/api/v1/platform/7/apps?page=1&per_page=5"),
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, 404);
    // Open routes.
    assert_eq!(
        call(Method::GET, &format!("{url}/health"), None, None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(Method::GET, &format!("{url}/metrics"), None, None)
            .await
            .0,
        200
    );
    fleet.shutdown().await;
}

#[tokio::test]
async fn instances_and_workers_are_listed_page_by_page() {
    use reqwest::Method;
    let (fleet, url) = server(None).await;
    let (status, body) = call(
        Method::GET,
        &format!("{url}/api/v1/platform/1/apps/1/instances?page=2&per_page=1"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["pagination"]["total_pages"], 2);
    let instance = &body["instances"][0];
    assert_eq!(instance["status"], "running");
    assert_eq!(instance["cpu_usage"], 50.0);
    let (status, body) = call(
        Method::GET,
        &format!("{url}/api/v1/workers?page=1&per_page=10"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 200);
    let workers = body["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 2);
    assert_eq!(workers[0]["labels"]["pool"], "pool");
    assert_eq!(workers[0]["cpu_total"], 4.0);
    let (status, _) = call(
        Method::GET,
        &format!("{url}/api/v1/platform/1/apps/5/instances?page=1&per_page=1"),
        None,
        None,
    )
    .await;
    assert_eq!(status, 404);
    fleet.shutdown().await;
}

#[tokio::test]
async fn the_scale_route_takes_an_absolute_target_and_refuses_bad_bodies() {
    use reqwest::Method;
    let (fleet, url) = server(None).await;
    let scale = format!("{url}/api/v1/platform/1/apps/1/scale");
    for (body, status, says) in [
        ("{\"instances\": ", 400, "EOF"),
        ("{\"replicas\": 3}", 400, "replicas"),
        ("{\"instances\": -2, \"memory\": 512}", 400, "negative"),
        ("{\"instances\": \"four\"}", 400, "invalid type"),
    ] {
        let (got, answer) = call(Method::PUT, &scale, None, Some(body)).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert!(answer["error"].as_str().unwrap().contains(says), "{answer}");
    }
    let (got, _) = call(
        Method::PUT,
        &format!("{url}/api/v1/platform/1/apps/9/scale"),
        None,
        Some("{\"instances\": 3}"),
    )
    .await;
    assert_eq!(got, 404);
    assert!(fleet.scale_calls().is_empty());
    let (got, answer) = call(
        Method::PUT,
        &scale,
        None,
        Some("{\"instances\": 5, \"memory\": 256}"),
    )
    .await;
    assert_eq!(got, 200, "{answer}");
    let calls = fleet.scale_calls();
    assert_eq!(
        (calls.len(), calls[0].instances, calls[0].memory_mb),
        (1, 5, 256)
    );
    assert_eq!(fleet.model().lock().unwrap().fleet().apps[0].target, 5);
    fleet.shutdown().await;
}

#[tokio::test]
async fn director_actions_answer_success_false_when_refused() {
    use reqwest::Method;
    let (fleet, url) = server(Some(TOKEN)).await;
    let action = format!("{url}/action");
    let (status, body) = call(Method::POST, &action, None, Some("not json")).await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("expected"),
        "{body}"
    );
    let request = |action: &str, params: Value| {
        json!({"provider": "sim", "feature": "VM_Manage", "action": action,
               "params": params, "timeout_seconds": 60})
        .to_string()
    };
    let (status, body) = call(
        Method::POST,
        &action,
        None,
        Some(&request("create_vm", json!({"name": "n1"}))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["result"]["vm_id"], "vm-2");
    for (name, params, says) in [
        ("delete_vm", json!({"vm_id": "vm-77"}), "vm-77"),
        ("delete_vm", json!({}), "vm_id"),
        ("reboot_vm", json!({}), "not supported"),
    ] {
        let (status, body) = call(Method::POST, &action, None, Some(&request(name, params))).await;
        assert_eq!(status, 200);
        assert_eq!(body["success"], false, "{body}");
        assert!(body["error"].as_str().unwrap().contains(says), "{body}");
    }
    let (_, body) = call(
        Method::POST,
        &action,
        None,
        Some(&request("delete_vm", json!({"vm_id": "vm-2"}))),
    )
    .await;
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(fleet.model().lock().unwrap().fleet().pool_size(), 2);
    fleet.shutdown().await;
}

#[tokio::test]
async fn the_exposition_names_every_app_and_its_instances() {
    let (fleet, url) = server(None).await;
    let (_, text) = call(reqwest::Method::GET, &format!("{url}/metrics"), None, None).await;
    let text = text.as_str().unwrap().to_string();
    for line in [
        "# TYPE http_requests_total counter",
        r#"fleet_app_cpu_percent{app="web",layer="app_instance"} 50"#,
        r#"fleet_app_instances{app="web",layer="app_instance",state="running"} 2"#,
        r#"fleet_workers{state="ready"} 2"#,
        "fleet_speed 1",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }
    assert!(text.contains(r#"http_requests_total{app="web",layer="app_instance"} "#));
    fleet.shutdown().await;
}

#[tokio::test]
async fn a_bad_speed_is_refused() {
    for speed in [0.0, -1.0, f64::NAN] {
        let e = FleetServer::start(
            &scenario(),
            FleetServerOptions {
                speed,
                listen: "127.0.0.1:0".parse().unwrap(),
                ..FleetServerOptions::default()
            },
        )
        .await
        .err()
        .unwrap();
        assert!(e.to_string().contains("--speed"), "{e}");
    }
}

fn action(id: &str, from: u32, to: u32) -> ScaleAction {
    ScaleAction {
        resource_id: id.to_string(),
        resource_type: id.split(':').next().unwrap().to_string(),
        direction: if to > from {
            ScaleDirection::Up
        } else {
            ScaleDirection::Down
        },
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

#[tokio::test]
async fn the_omnicloud_adapters_drive_the_fleet() {
    let (fleet, url) = server(Some(TOKEN)).await;
    let mut config = OmniCloudConfig::new(&url);
    config.token = Some(lighthouse_engine::adapters::Secret::new(TOKEN));
    config.platform_id = Some("1".into());
    config.director = Some(DirectorConfig::new(&url, "sim"));
    config.pools.insert(
        "pool".into(),
        WorkerPoolConfig {
            label: Some("pool".into()),
            ..WorkerPoolConfig::default()
        },
    );
    let executor = OmniCloudExecutor::new(OmniCloudClient::new(config).unwrap());
    let context = CallbackContext::default();
    // The app is found by name, and its running instances are its capacity.
    assert_eq!(
        executor
            .get_current_capacity("app_instance:web", &context)
            .await
            .unwrap(),
        Some(2)
    );
    assert!(
        executor
            .execute_scale_action(&action("app_instance:web", 2, 4), &context)
            .await
            .unwrap()
    );
    assert_eq!(fleet.model().lock().unwrap().fleet().apps[0].target, 4);
    assert_eq!(
        executor
            .get_current_capacity("worker_node:pool", &context)
            .await
            .unwrap(),
        Some(2)
    );
    assert!(
        executor
            .execute_scale_action(&action("worker_node:pool", 2, 3), &context)
            .await
            .unwrap()
    );
    // The new VM is listed (provisioning) under the name the executor gave.
    assert_eq!(fleet.model().lock().unwrap().fleet().pool_size(), 3);
    assert_eq!(
        executor
            .get_current_capacity("worker_node:pool", &context)
            .await
            .unwrap(),
        Some(3)
    );
    assert!(
        executor
            .execute_scale_action(&action("worker_node:pool", 3, 2), &context)
            .await
            .unwrap()
    );
    assert_eq!(fleet.model().lock().unwrap().fleet().pool_size(), 2);
    fleet.shutdown().await;
}
