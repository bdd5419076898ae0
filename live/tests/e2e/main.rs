//! End to end: the fleet server (`live/demo/rise.toml`, sped up), a real
//! Prometheus server scraping it, and live mode with the Prometheus
//! metrics provider and the OmniCloud executor against them
//! (`live/demo/live.toml`), all on loopback ports. The scenario's load
//! rises fivefold; the test asserts that live mode scaled the app up through
//! the REST API, that its own `/metrics` counted the scale-up, and that a
//! configuration change made through the management API reached the audit
//! log.
//!
//! Needs the `prometheus` binary (Debian package `prometheus`; `.ci/run`
//! installs it), found on `PATH` or in `LIGHTHOUSE_PROMETHEUS`. Without it
//! the test fails, unless `LIGHTHOUSE_SKIP_E2E=1`.

mod support;

use std::time::Instant;

use lighthouse_live::fleet_server::{FleetServer, FleetServerOptions};
use lighthouse_live::{LiveOptions, LiveService, parse_live_config};
use lighthouse_sim::parse_scenario;
use serde_json::Value;

use support::{Prometheus, prometheus_binary, wait_until};

const ADMIN: &str = "e2e-admin-token-000000000001";
const VIEWER: &str = "e2e-viewer-token-00000000001";
const FLEET_TOKEN: &str = "e2e-omnicloud-jwt";
/// Simulated seconds per wall-clock second: the rise (120 s simulated)
/// comes 6 s after the fleet starts.
const SPEED: f64 = 20.0;

/// The fleet server, Prometheus scraping it and live mode configured by
/// the demo's `live.toml` pointed at them.
struct Stack {
    dir: tempfile::TempDir,
    fleet: FleetServer,
    prometheus: Prometheus,
    service: LiveService,
    api: String,
    /// When the load rises, simulated epoch ms.
    rise_ms: i64,
}

async fn start_stack(binary: &std::path::Path, options: LiveOptions) -> Stack {
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();

    // The fleet, with bearer authentication on its orchestrator routes.
    let scenario = parse_scenario(include_str!("../../demo/rise.toml"), "rise.toml").unwrap();
    let fleet = FleetServer::start(
        &scenario,
        FleetServerOptions {
            speed: SPEED,
            listen: "127.0.0.1:0".parse().unwrap(),
            token: Some(FLEET_TOKEN.to_string()),
            ..FleetServerOptions::default()
        },
    )
    .await
    .unwrap();
    let fleet_url = format!("http://{}", fleet.addr());
    let rise_ms = fleet.model().lock().unwrap().start_ms() + 120_000;

    // Prometheus scraping it every second.
    let prometheus = Prometheus::start(binary, dir.path(), &fleet.addr().to_string());
    let prom_url = prometheus.url();
    wait_until("Prometheus to have scraped the fleet", 30, || {
        let http = http.clone();
        let url = format!("{prom_url}/api/v1/query?query=fleet_app_cpu_percent");
        async move {
            let Ok(r) = http.get(&url).send().await else {
                return false;
            };
            let body: Value = r.json().await.unwrap_or_default();
            body["data"]["result"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
        }
    })
    .await;

    // Live mode, configured by the demo's live.toml pointed at them.
    std::fs::write(
        dir.path().join("tokens.txt"),
        format!("{ADMIN} admin e2e-admin\n{VIEWER} viewer e2e-viewer\n"),
    )
    .unwrap();
    let text = include_str!("../../demo/live.toml")
        .replace("http://127.0.0.1:9090", &prom_url)
        .replace("http://127.0.0.1:8002", &fleet_url)
        .replace(
            "platform_id = 1\n",
            &format!("platform_id = 1\ntoken = \"{FLEET_TOKEN}\"\n"),
        );
    let config = parse_live_config(&text, "live.toml", dir.path()).unwrap();
    assert_eq!(
        config.omnicloud.url, fleet_url,
        "the demo's URL was replaced"
    );
    let service = LiveService::start(
        config,
        LiveOptions {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            ..options
        },
    )
    .await
    .unwrap();
    let api = format!("http://{}", service.api_addr());
    Stack {
        dir,
        fleet,
        prometheus,
        service,
        api,
        rise_ms,
    }
}

/// The engine's count of scale-ups of apps, from its `/metrics`.
async fn scale_ups(http: &reqwest::Client, api: &str) -> f64 {
    let up = r#"lighthouse_scaling_events_total{layer="app_instance",resource_type="app_instance",direction="up"} "#;
    let text = http
        .get(format!("{api}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(up))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scales_the_fleet_through_prometheus_and_omnicloud() {
    let Some(binary) = prometheus_binary() else {
        return;
    };
    let wall = Instant::now();
    let http = reqwest::Client::new();
    let Stack {
        dir,
        fleet,
        prometheus,
        service,
        api,
        rise_ms,
    } = start_stack(&binary, LiveOptions::default()).await;

    // A configuration change through the management API.
    let mut engine_config: Value = http
        .get(format!("{api}/config"))
        .bearer_auth(VIEWER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    engine_config["resource_configs"]["app_instance"]["policies"][0]["max_capacity"] =
        Value::from(16);
    let answer = http
        .put(format!("{api}/config"))
        .bearer_auth(ADMIN)
        .json(&engine_config)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());

    // The load rises; live mode must scale the app up through the REST API.
    wait_until("a scale-up of app web through the REST API", 45, || {
        let calls = fleet.scale_calls();
        async move { calls.iter().any(|c| c.app == "web" && c.instances > 2) }
    })
    .await;
    let calls = fleet.scale_calls();
    let first = calls.iter().find(|c| c.instances > 2).unwrap();
    assert!(
        first.at_ms >= rise_ms,
        "scaled up before the load rose: {calls:?}"
    );
    assert_eq!(first.memory_mb, 512, "memory from the resource's settings");
    let target = fleet.model().lock().unwrap().fleet().apps[0].target;
    assert!(target > 2, "the fleet's target is {target}");

    // The engine's own metrics counted it.
    let counted = scale_ups(&http, &api).await;
    assert!(counted >= 1.0, "{counted} scale-ups counted");

    // The audit log recorded the change, by whom.
    let audit = std::fs::read_to_string(dir.path().join("state/audit.jsonl")).unwrap();
    let entries: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        entries.iter().any(|e| e["action"] == "PUT /config"
            && e["outcome"] == "ok"
            && e["identity"] == "e2e-admin"),
        "{audit}"
    );
    assert!(!audit.contains(ADMIN), "the token never reaches the log");

    service.shutdown().await.unwrap();
    fleet.shutdown().await;
    drop(prometheus);
    eprintln!(
        "end-to-end run took {:.1} s of wall time",
        wall.elapsed().as_secs_f64()
    );
}

/// Shadow mode end to end: it decides to scale up when the load rises but
/// never calls the fleet, and its run directory is one the reports read.
/// With `LIGHTHOUSE_E2E_SHADOW_RUN=<dir>` the run directory is copied
/// there, for `lighthouse report <dir>`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shadow_mode_decides_records_and_never_scales_the_fleet() {
    let Some(binary) = prometheus_binary() else {
        return;
    };
    let http = reqwest::Client::new();
    let options = LiveOptions {
        shadow: true,
        ..LiveOptions::default()
    };
    let stack = start_stack(&binary, options).await;
    wait_until("shadow mode to decide a scale-up", 45, || {
        let (http, api) = (http.clone(), stack.api.clone());
        async move { scale_ups(&http, &api).await >= 1.0 }
    })
    .await;
    // Let the timeline cover a little of the saturated load.
    let reached = |ms: i64| stack.fleet.model().lock().unwrap().now_ms() >= ms;
    wait_until("the simulated clock to pass the rise", 30, || {
        let done = reached(stack.rise_ms + 60_000);
        async move { done }
    })
    .await;
    let report = stack.service.shutdown().await.unwrap();
    assert!(
        stack.fleet.scale_calls().is_empty(),
        "shadow mode scaled the fleet: {:?}",
        stack.fleet.scale_calls()
    );
    assert!(report.shadow_actions >= 1);
    let run = report.run_dir.unwrap();
    let meta: Value =
        serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["mode"], "shadow");
    assert_eq!(meta["scenario"], "live-rise-shadow");
    #[cfg(feature = "parquet")]
    {
        let summary = lighthouse_reports::generate_report(
            &run,
            &lighthouse_reports::ReportOptions {
                plots: false,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(summary.run.scenario, "live-rise-shadow");
    }
    if let Some(keep) = std::env::var_os("LIGHTHOUSE_E2E_SHADOW_RUN") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for entry in std::fs::read_dir(&run).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), keep.join(entry.file_name())).unwrap();
            }
        }
    }
    stack.fleet.shutdown().await;
    drop(stack.prometheus);
    drop(stack.dir);
}

#[test]
fn the_demo_files_load() {
    let scenario = parse_scenario(include_str!("../../demo/rise.toml"), "rise.toml").unwrap();
    assert_eq!(scenario.scenario.apps[0].name, "web");
    let config = parse_live_config(
        include_str!("../../demo/live.toml"),
        "live.toml",
        std::path::Path::new("/demo"),
    )
    .unwrap();
    assert_eq!(config.resources.len(), 2);
    assert_eq!(
        config.api.tokens_file.as_deref(),
        Some(std::path::Path::new("/demo/tokens.txt"))
    );
}
