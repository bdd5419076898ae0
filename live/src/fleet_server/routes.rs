//! The OmniCloud routes the live adapters use, served over the simulated
//! fleet, and the Prometheus exposition.
//!
//! | route | what |
//! |---|---|
//! | `GET /health` | `{"status":"ok"}` |
//! | `GET /api/v1/platform/<pid>/apps?page=P&per_page=N` | the apps (ids from 1) |
//! | `GET /api/v1/platform/<pid>/apps/<id>` | one app |
//! | `GET /api/v1/platform/<pid>/apps/<id>/instances?page=P&per_page=N` | its instances: `running` (serving, with `cpu_usage` and `memory_usage` in percent) or `starting` (starting up, or waiting for room) |
//! | `PUT /api/v1/platform/<pid>/apps/<id>/scale` | `{"instances": n, "memory": mb}`, absolute |
//! | `GET /api/v1/workers?page=P&per_page=N`, `GET /api/v1/workers/<id>` | the live workers, labelled `pool=pool` |
//! | `POST /action` | OmniDirector `VM_Manage`: `create_vm` (`params.name`), `delete_vm` (`params.vm_id`); HTTP 200 with `success: false` when refused |
//! | `GET /metrics` | Prometheus text exposition, see [`super::exposition`] |
//!
//! Listings need both `page` and `per_page` (else 400, like the
//! orchestrator). With a token configured, `/api/v1` routes need
//! `Authorization: Bearer <token>` (else 401); `/action`, `/health` and
//! `/metrics` are open, like OmniDirector and an exporter.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use lighthouse_sim::fleet::WorkerState;
use serde::Deserialize;
use serde_json::{Value, json};

use super::clock::SimClock;
use super::exposition::exposition;
use super::model::{FleetModel, POOL_NAME};

/// What every route shares.
#[derive(Clone)]
pub struct FleetState {
    /// The fleet.
    pub model: Arc<Mutex<FleetModel>>,
    /// Simulated time.
    pub clock: SimClock,
    /// The bearer token `/api/v1` routes need, if any.
    pub token: Option<String>,
    /// The one platform id served.
    pub platform_id: String,
}

impl FleetState {
    /// The fleet, advanced to now.
    pub fn now(&self) -> MutexGuard<'_, FleetModel> {
        let mut model = self.model.lock().unwrap_or_else(|e| e.into_inner());
        model.advance_to(self.clock.now_ms());
        model
    }
}

/// The router.
pub fn fleet_router(state: FleetState) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route("/metrics", get(metrics))
        .route("/api/v1/platform/{pid}/apps", get(list_apps))
        .route("/api/v1/platform/{pid}/apps/{id}", get(one_app))
        .route(
            "/api/v1/platform/{pid}/apps/{id}/instances",
            get(list_instances),
        )
        .route("/api/v1/platform/{pid}/apps/{id}/scale", put(scale))
        .route("/api/v1/workers", get(list_workers))
        .route("/api/v1/workers/{id}", get(one_worker))
        .route("/action", post(director))
        .with_state(state)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, axum::Json(json!({"error": message.into()}))).into_response()
}

/// 401 unless the request carries the configured token.
fn unauthorised(state: &FleetState, headers: &HeaderMap) -> Option<Response> {
    let expected = state.token.as_deref()?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    (given != Some(expected)).then(|| {
        let mut r = error(StatusCode::UNAUTHORIZED, "a valid bearer token is needed");
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, "Bearer".parse().expect("valid"));
        r
    })
}

fn check_platform(state: &FleetState, pid: &str) -> Option<Response> {
    (pid != state.platform_id).then(|| {
        error(
            StatusCode::NOT_FOUND,
            format!(
                "no platform {pid:?} (this fleet serves platform {})",
                state.platform_id
            ),
        )
    })
}

/// `page` and `per_page`, both required, from 1; else why not.
fn paging(query: &BTreeMap<String, String>) -> Result<(usize, usize), String> {
    let field = |name: &str| -> Result<usize, String> {
        let text = query.get(name).ok_or_else(|| {
            format!("query parameter {name} is required (with page and per_page)")
        })?;
        text.parse::<usize>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| format!("query parameter {name}={text:?} is not a whole number from 1"))
    };
    Ok((field("page")?, field("per_page")?))
}

fn page_of(items: Vec<Value>, key: &str, page: usize, per_page: usize) -> Response {
    let total = items.len();
    let slice: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    axum::Json(json!({
        key: slice,
        "pagination": {
            "page": page,
            "per_page": per_page,
            "total_count": total,
            "total_pages": total.div_ceil(per_page).max(1),
        },
    }))
    .into_response()
}

async fn metrics(State(state): State<FleetState>) -> Response {
    let text = exposition(&state.now(), state.clock.speed());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

fn app_json(model: &FleetModel, id: usize, index: usize) -> Value {
    let app = &model.apps()[index];
    json!({
        "id": id,
        "name": app.name,
        "org_id": 1,
        "region_id": 1,
        "maintenance_mode": false,
        "container_image_url": format!("registry.invalid/{}:sim", app.name),
    })
}

async fn list_apps(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Path(pid): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers).or_else(|| check_platform(&state, &pid)) {
        return r;
    }
    let (page, per_page) = match paging(&query) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let model = state.now();
    let apps: Vec<Value> = model
        .listed_apps()
        .enumerate()
        .map(|(n, i)| app_json(&model, n + 1, i))
        .collect();
    page_of(apps, "apps", page, per_page)
}

async fn one_app(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Path((pid, id)): Path<(String, String)>,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers).or_else(|| check_platform(&state, &pid)) {
        return r;
    }
    let model = state.now();
    match model.app_index(&id) {
        Some(i) => axum::Json(app_json(&model, id.trim().parse().unwrap_or(0), i)).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no app with id {id:?}")),
    }
}

async fn list_instances(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Path((pid, id)): Path<(String, String)>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers).or_else(|| check_platform(&state, &pid)) {
        return r;
    }
    let (page, per_page) = match paging(&query) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let model = state.now();
    let Some(i) = model.app_index(&id) else {
        return error(StatusCode::NOT_FOUND, format!("no app with id {id:?}"));
    };
    let fa = &model.fleet().apps[i];
    let usage = model.apps()[i].latest().unwrap_or_default().utilisation;
    let mut items = Vec::new();
    let mut n = 0u32;
    let mut push = |status: &str, node: Option<u32>, cpu: Option<f64>, mem: Option<f64>| {
        items.push(json!({
            "id": format!("{id}-{n}"),
            "app_id": id.trim().parse::<u64>().unwrap_or(0),
            "instance_index": n,
            "status": status,
            "health_status": if status == "running" { "healthy" } else { "unknown" },
            "node_id": node,
            "cpu_usage": cpu,
            "memory_usage": mem,
        }));
        n += 1;
    };
    for &(w, count) in &fa.ready_on {
        for _ in 0..count {
            push(
                "running",
                Some(w),
                Some(100.0 * usage),
                Some(30.0 + 50.0 * usage),
            );
        }
    }
    for b in &fa.batches {
        for _ in 0..b.count {
            push("starting", Some(b.worker), Some(0.0), Some(0.0));
        }
    }
    for _ in 0..fa.pending {
        push("starting", None, None, None);
    }
    page_of(items, "instances", page, per_page)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleBody {
    instances: i64,
    #[serde(default)]
    memory: Option<i64>,
}

async fn scale(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Path((pid, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers).or_else(|| check_platform(&state, &pid)) {
        return r;
    }
    let request: ScaleBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("body: {e} (expected {{\"instances\": n, \"memory\": mb}})"),
            );
        }
    };
    let memory = request.memory.unwrap_or(0).clamp(0, i64::from(u32::MAX)) as u32;
    let mut model = state.now();
    match model.scale_app(&id, request.instances, memory) {
        Ok(()) => axum::Json(json!({
            "message": "scaled",
            "app_id": id,
            "instances": request.instances,
            "memory": memory,
        }))
        .into_response(),
        Err(e @ super::model::FleetChangeError::NoApp(_)) => {
            error(StatusCode::NOT_FOUND, e.to_string())
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("instances: {e}")),
    }
}

fn worker_json(model: &FleetModel, w: u32) -> Value {
    let worker = &model.fleet().workers[w as usize];
    let kind = &model.fleet().types[worker.type_idx];
    let status = match worker.state {
        WorkerState::Ready => "running",
        WorkerState::Provisioning { .. } => "provisioning",
        WorkerState::Gone => "terminated",
    };
    let cpu_total = kind.cpu_cores;
    let mem_total = kind.memory_gb * 1024.0;
    json!({
        "id": w,
        "name": model.worker_name(w),
        "provider_id": FleetModel::vm_id(w),
        "region_id": kind.region,
        "instance_type": kind.name,
        "status": status,
        "cpu_total": cpu_total,
        "cpu_reserved": worker.cpu_used,
        "cpu_available": (cpu_total - worker.cpu_used).max(0.0),
        "memory_total": mem_total,
        "memory_reserved": worker.mem_used * 1024.0,
        "memory_available": (mem_total - worker.mem_used * 1024.0).max(0.0),
        "labels": {"pool": POOL_NAME, "critical": worker.critical > 0},
    })
}

async fn list_workers(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers) {
        return r;
    }
    let (page, per_page) = match paging(&query) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let model = state.now();
    let workers: Vec<Value> = model
        .fleet()
        .alive
        .iter()
        .map(|&w| worker_json(&model, w))
        .collect();
    page_of(workers, "workers", page, per_page)
}

async fn one_worker(
    State(state): State<FleetState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = unauthorised(&state, &headers) {
        return r;
    }
    let model = state.now();
    match id
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|w| model.fleet().alive.contains(w))
    {
        Some(w) => axum::Json(worker_json(&model, w)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no live worker with id {id:?}"),
        ),
    }
}

#[derive(Deserialize)]
struct DirectorBody {
    provider: String,
    feature: String,
    action: String,
    #[serde(default)]
    params: Value,
}

async fn director(State(state): State<FleetState>, body: Bytes) -> Response {
    let request: DirectorBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("body: {e} (expected {{provider, feature, action, params}})"),
            );
        }
    };
    let answer = |success: bool, result: Value, error: Option<String>| {
        axum::Json(json!({
            "success": success,
            "result": result,
            "error": error,
            "execution_time_ms": 0,
            "feature": request.feature,
            "action": request.action,
        }))
        .into_response()
    };
    if request.provider.trim().is_empty() {
        return answer(false, Value::Null, Some("provider is empty".to_string()));
    }
    if request.feature != "VM_Manage" {
        let message = format!(
            "feature {:?} is not supported (VM_Manage is)",
            request.feature
        );
        return answer(false, Value::Null, Some(message));
    }
    let mut model = state.now();
    match request.action.as_str() {
        "create_vm" | "create_worker" => {
            let name = request.params["name"].as_str().unwrap_or("").to_string();
            let vm_id = model.create_vm(&name);
            answer(
                true,
                json!({"vm_id": vm_id, "name": name, "status": "provisioning"}),
                None,
            )
        }
        "delete_vm" | "delete_worker" => {
            let vm_id = match &request.params["vm_id"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => {
                    return answer(
                        false,
                        Value::Null,
                        Some("params.vm_id is missing".to_string()),
                    );
                }
            };
            match model.delete_vm(&vm_id) {
                Ok(()) => answer(true, json!({"vm_id": vm_id, "status": "deleted"}), None),
                Err(e) => answer(false, Value::Null, Some(e.to_string())),
            }
        }
        other => answer(
            false,
            Value::Null,
            Some(format!(
                "action {other:?} is not supported (create_vm, delete_vm)"
            )),
        ),
    }
}
