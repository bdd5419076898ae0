//! Every management route: 401, 403, a good request, malformed input;
//! through `tower::ServiceExt::oneshot` on the router, no sockets.
//!
//! - `read`: status, config, history, recommendation, scrape.
//! - `write`: config changes and rollback, overrides, pushed metrics,
//!   body limits, the audit log.

mod matrix;
mod read;
mod write;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lighthouse_engine::*;
use lighthouse_live::api::{ApiEvents, ApiState, router, wall_clock};
use lighthouse_live::config::ScrapeAuth;
use lighthouse_live::{AuditLog, EngineMetrics, TokenStore};
use serde_json::{Value, json};
use tempfile::TempDir;
use tower::ServiceExt;

use crate::support::cpu_config;

pub const VIEWER: &str = "viewer-token-000000000000";
pub const WRITER: &str = "writer-token-000000000000";
pub const OPERATOR: &str = "operator-token-0000000000";
pub const ADMIN: &str = "admin-token-00000000000000";

struct Fleet;

#[async_trait]
impl MetricsProvider for Fleet {
    async fn get_metrics(
        &self,
        _: &str,
        _: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        Ok(None)
    }
}

#[async_trait]
impl ScalingExecutor for Fleet {
    async fn execute_scale_action(
        &self,
        _: &ScaleAction,
        _: &CallbackContext,
    ) -> LighthouseResult<bool> {
        Ok(true)
    }
    async fn get_current_capacity(
        &self,
        _: &str,
        _: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        Ok(Some(4))
    }
}

#[derive(Default)]
struct Heard(Mutex<Vec<String>>);

impl ApiEvents for Heard {
    fn metrics_pushed(&self, sample: &ResourceMetrics) {
        self.0
            .lock()
            .unwrap()
            .push(format!("metrics {}", sample.resource_id));
    }
    fn config_changed(&self, _: Timestamp, version: u64, origin: &str) {
        self.0
            .lock()
            .unwrap()
            .push(format!("config {version} {origin}"));
    }
    fn state_changed(&self) {
        self.0.lock().unwrap().push("state".to_string());
    }
}

pub struct Api {
    pub router: Router,
    pub handle: LighthouseHandle,
    heard: Arc<Heard>,
    pub dir: TempDir,
}

pub async fn api_with(scrape_auth: ScrapeAuth, limit: usize) -> Api {
    let engine = LighthouseEngine::new(
        cpu_config(),
        LighthouseCallbacks::new(Arc::new(Fleet), Arc::new(Fleet)),
    )
    .unwrap();
    let handle = engine.handle();
    tokio::spawn(engine.start());
    handle
        .register_resource("app_instance:web", "app_instance", MetricsSource::Push)
        .await
        .unwrap();
    let tokens = TokenStore::parse_lines(
        &format!(
            "{VIEWER} viewer grafana\n{WRITER} metrics-writer pusher\n{OPERATOR} operator oncall\n{ADMIN} admin alice\n"
        ),
        "tokens",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let heard = Arc::new(Heard::default());
    let state = ApiState {
        handle: handle.clone(),
        tokens: Arc::new(tokens),
        audit: AuditLog::open(&dir.path().join("audit.jsonl")).unwrap(),
        metrics: EngineMetrics::new(false),
        scrape_auth,
        shadow: false,
        clock: wall_clock(),
        events: heard.clone(),
    };
    Api {
        router: router(state, limit),
        handle,
        heard,
        dir,
    }
}

pub async fn api() -> Api {
    api_with(ScrapeAuth::None, 1 << 20).await
}

impl Api {
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match body {
            Some((kind, bytes)) => {
                request = request.header(header::CONTENT_TYPE, kind);
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let response = self
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.call(Method::GET, uri, token, None).await
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(
            method,
            uri,
            token,
            Some(("application/json", body.to_string().into_bytes())),
        )
        .await
    }

    pub fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn heard(&self) -> Vec<String> {
        self.heard.0.lock().unwrap().clone()
    }
}

pub fn sample(cpu: f64) -> Value {
    json!({"resource_id": "app_instance:web", "resource_type": "app_instance",
           "timestamp": wall_clock()().as_millis(),
           "metrics": {"cpu_percent": cpu}})
}
