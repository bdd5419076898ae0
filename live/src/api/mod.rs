//! The management API (axum).
//!
//! | route | role needed | what |
//! |---|---|---|
//! | `GET /status` | viewer | engine status, shadow flag |
//! | `GET /config` | viewer | the configuration in force |
//! | `GET /config/history` | viewer | accepted versions |
//! | `GET /recommendation/{resource_id}` | viewer | what the policy would do now |
//! | `GET /metrics` | none, or viewer (`api.scrape_auth`) | Prometheus exposition |
//! | `POST /metrics` | metrics-writer | push one `ResourceMetrics` or an array |
//! | `POST /override` | operator | pause or pin a resource for a while, or clear it |
//! | `PUT /config` | admin | replace the configuration (JSON, TOML or YAML by `Content-Type`) |
//! | `POST /config/rollback/{version}` | admin | make a kept version current again |
//!
//! Roles are ordered viewer < metrics-writer < operator < admin. Overrides
//! are operator's: temporary, per resource, and they expire by themselves.
//! Configuration changes and rollbacks are admin's: they change every
//! resource's policy. A missing or unknown token is answered 401, a valid
//! token without the role 403. Every mutating call (refused ones included)
//! is written to the audit log, fsynced, before it is answered. Bodies are
//! limited (`api.max_body_bytes`, 413); malformed JSON is a 400 with the
//! reason, a well-formed but invalid request a 422 naming the field.
//! `GET /metrics` and `POST /metrics` share the path: the method decides.

mod auth;
pub mod body;
pub mod error;
mod read;
mod write;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use lighthouse_engine::{LighthouseHandle, ResourceMetrics, Timestamp};

use crate::audit::AuditLog;
use crate::config::ScrapeAuth;
use crate::telemetry::EngineMetrics;
use crate::tokens::TokenStore;

pub use error::ApiError;

/// What the API reports to the rest of live mode.
pub trait ApiEvents: Send + Sync {
    /// A sample was accepted through `POST /metrics`.
    fn metrics_pushed(&self, _sample: &ResourceMetrics) {}
    /// The configuration changed to `version` (`origin`: `update`,
    /// `rollback to N`).
    fn config_changed(&self, _at: Timestamp, _version: u64, _origin: &str) {}
    /// The engine's durable state changed (save it soon).
    fn state_changed(&self) {}
}

/// Events nobody listens to.
pub struct NoEvents;

impl ApiEvents for NoEvents {}

/// The engine's time, Unix epoch milliseconds (the wall clock in live mode).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The wall clock.
pub fn wall_clock() -> Clock {
    Arc::new(|| {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Timestamp(ms)
    })
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct ApiState {
    /// The engine.
    pub handle: LighthouseHandle,
    /// Accepted tokens.
    pub tokens: Arc<TokenStore>,
    /// Where mutating calls are recorded.
    pub audit: AuditLog,
    /// The engine's own metrics.
    pub metrics: Arc<EngineMetrics>,
    /// Who may scrape `GET /metrics`.
    pub scrape_auth: ScrapeAuth,
    /// Whether the engine runs in shadow mode.
    pub shadow: bool,
    /// The engine's time.
    pub clock: Clock,
    /// Who hears about changes.
    pub events: Arc<dyn ApiEvents>,
}

/// The API's routes over `state`, with bodies limited to `max_body_bytes`.
pub fn router(state: ApiState, max_body_bytes: usize) -> Router {
    Router::new()
        .route("/status", get(read::status))
        .route("/config", get(read::config).put(write::put_config))
        .route("/config/history", get(read::history))
        .route("/config/rollback/{version}", post(write::rollback))
        .route("/recommendation/{resource_id}", get(read::recommendation))
        .route("/override", post(write::set_override))
        .route("/metrics", get(read::scrape).post(write::push_metrics))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}
