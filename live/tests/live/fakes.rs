//! Fake OmniCloud (orchestrator and director on one server) and fake
//! Prometheus, with axum on 127.0.0.1:0, whose faults tests switch on.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use lighthouse_engine::adapters::{
    DirectorConfig, HttpSettings, OmniCloudConfig, PrometheusConfig, Secret, WorkerPoolConfig,
};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// How a fake route answers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Mode {
    /// Normally.
    #[default]
    Ok,
    /// With this HTTP status.
    Fail(u16),
    /// Never in time (sleeps far past any client timeout).
    Hang,
    /// Applies the change, then never answers: the answer is lost.
    ApplyThenHang,
    /// HTTP 200 with `success: false`.
    SuccessFalse,
}

/// Short timeouts and quick retries, for tests.
pub fn quick_http() -> HttpSettings {
    HttpSettings {
        timeout_ms: 300,
        connect_timeout_ms: 300,
        retries: 2,
        backoff_base_ms: 1,
        backoff_max_ms: 5,
    }
}

/// Binds `app` on 127.0.0.1:0 and serves it in the background.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// An address where nothing listens.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

async fn hang() {
    tokio::time::sleep(Duration::from_secs(60)).await;
}

// ----- OmniCloud ------------------------------------------------------

/// One app of the fake platform.
#[derive(Clone, Debug)]
pub struct FakeApp {
    pub name: String,
    pub running: u32,
    pub cpu: f64,
    pub memory: f64,
}

/// What the fake platform holds and was asked.
#[derive(Default)]
pub struct Omni {
    /// App id → app.
    pub apps: BTreeMap<String, FakeApp>,
    /// Workers as the orchestrator lists them.
    pub workers: Vec<Value>,
    /// Whether VMs created through the director show up as workers.
    pub register_vms: bool,
    pub scale_mode: Mode,
    pub director_mode: Mode,
    pub list_mode: Mode,
    /// Fail the next `list_failures` listings with 503 (then answer).
    pub list_failures: u32,
    /// `(app id, instances, memory)` of every scale call received.
    pub scale_calls: Vec<(String, u32, u32)>,
    /// Every director request received.
    pub director_calls: Vec<Value>,
    /// Listing calls received (instances and workers).
    pub list_calls: u32,
    /// Authorization headers seen.
    pub auth: Vec<Option<String>>,
    next_vm: u32,
}

/// The fake platform; cheap to clone.
#[derive(Clone, Default)]
pub struct FakeOmni {
    pub state: Arc<Mutex<Omni>>,
    /// Notified on every scale call received.
    pub scaled: Arc<Notify>,
}

#[derive(serde::Deserialize)]
pub struct Paging {
    page: Option<usize>,
    per_page: Option<usize>,
}

impl FakeOmni {
    /// A platform with app `web` (id 42) running `running` instances at
    /// `cpu` percent, workers registering as soon as they are created.
    pub fn with_app(running: u32, cpu: f64) -> Self {
        let fake = FakeOmni::default();
        fake.with(|s| {
            s.register_vms = true;
            s.apps.insert(
                "42".into(),
                FakeApp {
                    name: "web".into(),
                    running,
                    cpu,
                    memory: 30.0,
                },
            );
        });
        fake
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Omni) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn running(&self, app_id: &str) -> u32 {
        self.with(|s| s.apps[app_id].running)
    }

    pub fn scale_calls(&self) -> Vec<(String, u32, u32)> {
        self.with(|s| s.scale_calls.clone())
    }

    pub fn director_calls(&self) -> Vec<Value> {
        self.with(|s| s.director_calls.clone())
    }

    /// Adds a worker of pool `pool`.
    pub fn add_worker(&self, id: u32, pool: &str, critical: bool, cpu_reserved: f64) {
        self.with(|s| {
            s.workers.push(json!({
                "id": id, "name": format!("w{id}"), "provider_id": format!("vm-{id}"),
                "status": "running", "cpu_total": 4, "cpu_reserved": cpu_reserved,
                "memory_total": 8192, "memory_reserved": 1024,
                "labels": {"pool": pool, "critical": critical},
            }))
        });
    }

    /// Serves the fake; returns its base URL.
    pub async fn start(&self) -> String {
        let app = Router::new()
            .route("/api/v1/platform/{pid}/apps", get(list_apps))
            .route(
                "/api/v1/platform/{pid}/apps/{id}/instances",
                get(list_instances),
            )
            .route("/api/v1/platform/{pid}/apps/{id}/scale", put(scale))
            .route("/api/v1/workers", get(list_workers))
            .route("/action", post(director))
            .with_state(self.clone());
        format!("http://{}", serve(app).await)
    }

    /// An adapter configuration for this fake at `url`: platform 1, app
    /// `web` → 42 (unless `lookup`), director on the same server, pool
    /// `general` selected by label `pool`.
    pub fn config(url: &str, lookup: bool) -> OmniCloudConfig {
        let mut c = OmniCloudConfig::new(url);
        c.token = Some(Secret::new("omni-token-123"));
        c.platform_id = Some("1".into());
        c.per_page = 2;
        c.http = quick_http();
        if !lookup {
            c.apps.insert(
                "web".into(),
                lighthouse_engine::adapters::AppTarget {
                    app_id: Some("42".into()),
                    platform_id: None,
                    memory_mb: Some(256),
                },
            );
        }
        let mut d = DirectorConfig::new(url, "virtualbox");
        d.http = quick_http();
        c.director = Some(d);
        c.pools.insert(
            "general".into(),
            WorkerPoolConfig {
                label: Some("pool".into()),
                ..WorkerPoolConfig::default()
            },
        );
        c
    }
}

fn page_of(items: Vec<Value>, key: &str, q: &Paging) -> Response {
    let (Some(page), Some(per_page)) = (q.page, q.per_page) else {
        return (StatusCode::BAD_REQUEST, "page and per_page are required").into_response();
    };
    let total_pages = items.len().div_ceil(per_page.max(1)).max(1);
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Json(json!({
        key: slice,
        "pagination": {"page": page, "per_page": per_page, "total_pages": total_pages},
    }))
    .into_response()
}

async fn listing_fault(fake: &FakeOmni, headers: &HeaderMap) -> Option<Response> {
    let mode = fake.with(|s| {
        s.list_calls += 1;
        s.auth.push(
            headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string()),
        );
        if s.list_failures > 0 {
            s.list_failures -= 1;
            Mode::Fail(503)
        } else {
            s.list_mode
        }
    });
    match mode {
        Mode::Fail(code) => Some(StatusCode::from_u16(code).unwrap().into_response()),
        Mode::Hang | Mode::ApplyThenHang => {
            hang().await;
            None
        }
        _ => None,
    }
}

async fn list_apps(
    State(fake): State<FakeOmni>,
    headers: HeaderMap,
    Query(q): Query<Paging>,
) -> Response {
    if let Some(r) = listing_fault(&fake, &headers).await {
        return r;
    }
    let apps = fake.with(|s| {
        s.apps
            .iter()
            .map(|(id, a)| json!({"id": id.parse::<i64>().unwrap(), "name": a.name}))
            .collect()
    });
    page_of(apps, "apps", &q)
}

async fn list_instances(
    State(fake): State<FakeOmni>,
    headers: HeaderMap,
    Path((_pid, id)): Path<(String, String)>,
    Query(q): Query<Paging>,
) -> Response {
    if let Some(r) = listing_fault(&fake, &headers).await {
        return r;
    }
    let Some(app) = fake.with(|s| s.apps.get(&id).cloned()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut items: Vec<Value> = (0..app.running)
        .map(|i| json!({"id": i, "status": "running", "cpu_usage": app.cpu, "memory_usage": app.memory}))
        .collect();
    // Instances that are not capacity.
    items.push(json!({"id": 1000, "status": "starting", "cpu_usage": 0.0}));
    items.push(json!({"id": 1001, "status": "crashed", "cpu_usage": null}));
    page_of(items, "instances", &q)
}

async fn scale(
    State(fake): State<FakeOmni>,
    Path((_pid, id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let instances = body["instances"].as_u64().unwrap() as u32;
    let memory = body["memory"].as_u64().unwrap() as u32;
    let mode = fake.with(|s| {
        s.scale_calls.push((id.clone(), instances, memory));
        s.scale_mode
    });
    fake.scaled.notify_waiters();
    let apply = |fake: &FakeOmni| {
        fake.with(|s| {
            if let Some(app) = s.apps.get_mut(&id) {
                app.running = instances;
            }
        })
    };
    match mode {
        Mode::Ok => {
            apply(&fake);
            Json(json!({"message": "scaled"})).into_response()
        }
        Mode::Fail(code) => (
            StatusCode::from_u16(code).unwrap(),
            "scale handler unfinished",
        )
            .into_response(),
        Mode::Hang => {
            hang().await;
            StatusCode::OK.into_response()
        }
        Mode::ApplyThenHang => {
            apply(&fake);
            hang().await;
            StatusCode::OK.into_response()
        }
        Mode::SuccessFalse => {
            Json(json!({"success": false, "error": "quota exceeded"})).into_response()
        }
    }
}

async fn list_workers(
    State(fake): State<FakeOmni>,
    headers: HeaderMap,
    Query(q): Query<Paging>,
) -> Response {
    if let Some(r) = listing_fault(&fake, &headers).await {
        return r;
    }
    let (Some(page), Some(per_page)) = (q.page, q.per_page) else {
        return (StatusCode::BAD_REQUEST, "page and per_page are required").into_response();
    };
    // Like the orchestrator: a bare list, no pagination.
    let workers: Vec<Value> = fake.with(|s| s.workers.clone());
    let slice: Vec<Value> = workers
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Json(Value::Array(slice)).into_response()
}

async fn director(State(fake): State<FakeOmni>, Json(body): Json<Value>) -> Response {
    let mode = fake.with(|s| {
        s.director_calls.push(body.clone());
        s.director_mode
    });
    let apply = |fake: &FakeOmni| -> Value {
        fake.with(|s| match body["action"].as_str() {
            Some("create_vm") => {
                s.next_vm += 1;
                let vm_id = format!("new-{}", s.next_vm);
                if s.register_vms {
                    s.workers.push(json!({
                        "id": 500 + s.next_vm, "name": body["params"]["name"],
                        "provider_id": vm_id, "status": "running",
                        "labels": {"pool": "general"},
                    }));
                }
                json!({"vm_id": vm_id, "name": body["params"]["name"], "status": "running"})
            }
            Some("delete_vm") => {
                let vm = body["params"]["vm_id"].as_str().unwrap_or("").to_string();
                s.workers.retain(|w| w["provider_id"] != vm.as_str());
                json!({"deleted": vm})
            }
            _ => Value::Null,
        })
    };
    match mode {
        Mode::Ok => {
            let result = apply(&fake);
            Json(json!({"success": true, "result": result, "error": null, "execution_time_ms": 5}))
                .into_response()
        }
        Mode::Fail(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Mode::Hang => {
            hang().await;
            StatusCode::OK.into_response()
        }
        Mode::ApplyThenHang => {
            apply(&fake);
            hang().await;
            StatusCode::OK.into_response()
        }
        Mode::SuccessFalse => Json(json!({
            "success": false, "result": null, "error": "CPI virtualbox: out of capacity",
        }))
        .into_response(),
    }
}

// ----- Prometheus -----------------------------------------------------

/// What the fake Prometheus answers: query text → the answer's JSON and
/// status; unknown queries get an empty vector.
#[derive(Clone, Default)]
pub struct FakeProm {
    pub answers: Arc<Mutex<BTreeMap<String, (u16, Value)>>>,
    pub seen: Arc<Mutex<Vec<(String, String)>>>,
    pub mode: Arc<Mutex<Mode>>,
    /// Fail the next calls with 503.
    pub failures: Arc<Mutex<u32>>,
}

impl FakeProm {
    /// Answers `query` with one sample of `value` (a Prometheus string).
    pub fn value(&self, query: &str, value: &str) {
        self.answers.lock().unwrap().insert(
            query.into(),
            (
                200,
                json!({"status": "success", "data": {"resultType": "vector",
                    "result": [{"metric": {}, "value": [1.0, value]}]}}),
            ),
        );
    }

    /// Answers `query` with `status` and `body`.
    pub fn answer(&self, query: &str, status: u16, body: Value) {
        self.answers
            .lock()
            .unwrap()
            .insert(query.into(), (status, body));
    }

    pub fn seen(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().clone()
    }

    pub async fn start(&self) -> String {
        let app = Router::new()
            .route("/api/v1/query", get(prom_query))
            .with_state(self.clone());
        format!("http://{}", serve(app).await)
    }

    /// An adapter configuration with `queries` for type `app_instance`.
    pub fn config(url: &str, queries: &[(&str, &str)]) -> PrometheusConfig {
        PrometheusConfig {
            url: url.to_string(),
            token: None,
            token_env: None,
            http: quick_http(),
            queries: [(
                "app_instance".to_string(),
                queries
                    .iter()
                    .map(|(m, q)| (m.to_string(), q.to_string()))
                    .collect(),
            )]
            .into(),
        }
    }
}

async fn prom_query(
    State(fake): State<FakeProm>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let query = q.get("query").cloned().unwrap_or_default();
    let time = q.get("time").cloned().unwrap_or_default();
    fake.seen.lock().unwrap().push((query.clone(), time));
    {
        let mut failures = fake.failures.lock().unwrap();
        if *failures > 0 {
            *failures -= 1;
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    }
    let mode = *fake.mode.lock().unwrap();
    if mode == Mode::Hang {
        hang().await;
    }
    let answer = fake.answers.lock().unwrap().get(&query).cloned();
    match answer {
        Some((status, body)) => (StatusCode::from_u16(status).unwrap(), Json(body)).into_response(),
        None => Json(json!({"status": "success", "data": {"resultType": "vector", "result": []}}))
            .into_response(),
    }
}
