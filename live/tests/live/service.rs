//! Live mode as a whole, against a fake OmniCloud: shadow mode records but
//! never acts; state survives a restart so no burst of actions follows;
//! configuration changes made through the API survive a restart.

use std::path::Path;
use std::time::Duration;

use lighthouse_engine::MetricsSource;
use lighthouse_live::config::{
    ApiSection, LiveConfig, MetricsSection, ProviderKind, ResourceEntry, ShadowSection,
    StateSection,
};
use lighthouse_live::{LiveOptions, LiveService};
use serde_json::{Value, json};

use crate::fakes::FakeOmni;
use crate::support::cpu_config;

const VIEWER: &str = "viewer-token-000000000000";
const ADMIN: &str = "admin-token-00000000000000";

fn live_config(omni_url: &str, dir: &Path) -> LiveConfig {
    std::fs::write(
        dir.join("tokens.txt"),
        format!("{VIEWER} viewer grafana\n{ADMIN} admin alice\n"),
    )
    .unwrap();
    LiveConfig {
        engine_config: None,
        engine: Some(cpu_config()),
        resources: vec![ResourceEntry {
            id: "app_instance:web".into(),
            resource_type: None,
            source: MetricsSource::Pull,
            service_rate_rps: Some(50.0),
        }],
        metrics: MetricsSection {
            provider: ProviderKind::Omnicloud,
            by_type: Default::default(),
        },
        prometheus: None,
        omnicloud: FakeOmni::config(omni_url, false),
        api: ApiSection {
            listen: "127.0.0.1:0".into(),
            tokens_file: Some(dir.join("tokens.txt")),
            tokens_env: None,
            audit_log: dir.join("audit.jsonl"),
            address_file: Some(dir.join("api.addr")),
            ..ApiSection::default()
        },
        state: StateSection {
            path: dir.join("state/engine.json"),
            save_interval_seconds: 3600,
        },
        shadow: ShadowSection {
            run_dir: Some(dir.join("run")),
            sample_interval_seconds: Some(0.05),
            ..ShadowSection::default()
        },
    }
}

fn options(shadow: bool) -> LiveOptions {
    LiveOptions {
        shadow,
        ..LiveOptions::default()
    }
}

/// Waits (at most 10 s) until `n` evaluation cycles have run.
async fn cycles(service: &LiveService, n: u64) {
    let mut rx = service.cycles();
    tokio::time::timeout(Duration::from_secs(10), rx.wait_for(|c| *c >= n))
        .await
        .expect("the engine evaluates")
        .unwrap();
}

async fn get(service: &LiveService, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = reqwest::Client::new().get(format!("http://{}{path}", service.api_addr()));
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shadow_mode_decides_and_records_but_never_acts() {
    let fake = FakeOmni::with_app(4, 95.0);
    let url = fake.start().await;
    let dir = tempfile::tempdir().unwrap();
    let service = LiveService::start(live_config(&url, dir.path()), options(true))
        .await
        .unwrap();
    cycles(&service, 1).await;
    let written = std::fs::read_to_string(dir.path().join("api.addr")).unwrap();
    assert_eq!(written.trim(), service.api_addr().to_string());
    let (status, body) = get(&service, "/status", Some(VIEWER)).await;
    assert_eq!(status, 200);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["shadow"], true);
    // The engine's last known capacity: what it would have set.
    assert_eq!(body["engine"]["capacity_by_layer"]["app_instance"], 6);
    let (status, text) = get(&service, "/metrics", None).await;
    assert_eq!(status, 200);
    assert!(text.contains("lighthouse_shadow_mode 1"), "{text}");
    assert!(
        text.contains(r#"lighthouse_scaling_events_total{layer="app_instance",resource_type="app_instance",direction="up"} 1"#),
        "{text}"
    );
    let report = service.shutdown().await.unwrap();
    assert!(fake.scale_calls().is_empty(), "shadow mode never scales");
    assert!(fake.with(|s| s.list_calls) > 0, "but it reads capacity");
    assert_eq!(fake.running("42"), 4);
    assert_eq!(report.shadow_actions, 1);
    let run = report.run_dir.unwrap();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["mode"], "shadow");
    assert_eq!(meta["apps"][0]["resource_id"], "app_instance:web");
    assert_eq!(meta["apps"][0]["service_rate_rps"], 50.0);
    assert!(!run.join(".writing").exists());
    // Shadow mode keeps its own state, so live mode never inherits the
    // cooldowns of actions that were not taken.
    assert!(
        report.state_file.ends_with("state/engine.shadow.json"),
        "{:?}",
        report.state_file
    );
    assert!(report.state_file.exists());
    assert!(!dir.path().join("state/engine.json").exists());
    check_run_dir(&run);
}

#[cfg(feature = "parquet")]
fn check_run_dir(run: &Path) {
    let data = lighthouse_reports::load_run(run).unwrap();
    let kinds: Vec<&str> = data
        .events
        .column("kind")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|k| k.unwrap_or(""))
        .collect();
    assert!(
        kinds.contains(&"decision") && kinds.contains(&"executed"),
        "{kinds:?}"
    );
    let summary = lighthouse_reports::generate_report(
        run,
        &lighthouse_reports::ReportOptions {
            plots: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(summary.run.scenario, "live-shadow");
    assert!(run.join("summary.json").exists());
}

#[cfg(not(feature = "parquet"))]
fn check_run_dir(run: &Path) {
    let events = std::fs::read_to_string(run.join("events.jsonl")).unwrap();
    let kinds: Vec<String> = events
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        kinds.contains(&"decision".to_string()) && kinds.contains(&"executed".to_string()),
        "{kinds:?}"
    );
}

/// Makes the saved next evaluation due at once (a restart after it was due).
fn evaluation_due_now(state_file: &Path) {
    let mut state: Value = serde_json::from_slice(&std::fs::read(state_file).unwrap()).unwrap();
    state["next_evaluation"] = json!(0);
    std::fs::write(state_file, serde_json::to_vec(&state).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_cooldowns_so_no_burst_of_actions_follows() {
    let fake = FakeOmni::with_app(4, 95.0);
    let url = fake.start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = live_config(&url, dir.path());

    let first = LiveService::start(config.clone(), options(false))
        .await
        .unwrap();
    cycles(&first, 1).await;
    let report = first.shutdown().await.unwrap();
    assert_eq!(fake.scale_calls().len(), 1);
    assert_eq!(fake.running("42"), 6);

    // Restarted, CPU still high, evaluation due at once: the cooldown
    // saved with the state holds.
    evaluation_due_now(&report.state_file);
    let second = LiveService::start(config.clone(), options(false))
        .await
        .unwrap();
    cycles(&second, 1).await;
    let (_, text) = get(&second, "/metrics", None).await;
    assert!(
        text.contains(
            r#"lighthouse_scaling_skips_total{layer="app_instance",reason="cooldown"} 1"#
        ),
        "{text}"
    );
    second.shutdown().await.unwrap();
    assert_eq!(fake.scale_calls().len(), 1, "no action after the restart");

    // The control: without the saved state the engine acts at once.
    std::fs::remove_file(&report.state_file).unwrap();
    let third = LiveService::start(config, options(false)).await.unwrap();
    cycles(&third, 1).await;
    third.shutdown().await.unwrap();
    assert_eq!(fake.scale_calls().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_changes_survive_a_restart_until_the_file_changes() {
    let fake = FakeOmni::with_app(4, 50.0);
    let url = fake.start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = live_config(&url, dir.path());

    let first = LiveService::start(config.clone(), options(false))
        .await
        .unwrap();
    let (_, current) = get(&first, "/config", Some(VIEWER)).await;
    let mut changed: Value = serde_json::from_str(&current).unwrap();
    changed["evaluation_interval_seconds"] = json!(60);
    let response = reqwest::Client::new()
        .put(format!("http://{}/config", first.api_addr()))
        .bearer_auth(ADMIN)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    first.shutdown().await.unwrap();

    let interval = |text: &str| {
        serde_json::from_str::<Value>(text).unwrap()["evaluation_interval_seconds"].clone()
    };
    let second = LiveService::start(config.clone(), options(false))
        .await
        .unwrap();
    let (_, text) = get(&second, "/config", Some(VIEWER)).await;
    assert_eq!(interval(&text), 60, "the API's change is kept");
    let (_, history) = get(&second, "/config/history", Some(VIEWER)).await;
    let history: Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history["versions"].as_array().unwrap().len(), 2);
    second.shutdown().await.unwrap();

    config.engine.as_mut().unwrap().evaluation_interval_seconds = 20;
    let third = LiveService::start(config, options(false)).await.unwrap();
    let (_, text) = get(&third, "/config", Some(VIEWER)).await;
    assert_eq!(interval(&text), 20, "a changed file is applied");
    third.shutdown().await.unwrap();
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("\"identity\":\"alice\"") && audit.contains("PUT /config"),
        "{audit}"
    );
}
