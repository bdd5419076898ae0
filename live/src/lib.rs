//! # Lighthouse live mode
//!
//! The engine against the real platform: metrics from Prometheus or the
//! OmniCloud REST API, actions through OmniCloud (the adapters live in
//! `lighthouse_engine::adapters`, feature `live`), a management API with
//! roles and an audit log, the engine's own metrics for Prometheus, its
//! state saved atomically and restored at start, and a shadow mode that
//! decides and records but never acts.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use lighthouse_live::{LiveOptions, load_live_config, run_live};
//! let config = load_live_config(std::path::Path::new("live.toml"))?;
//! run_live(config, LiveOptions { shadow: true, ..LiveOptions::default() }).await
//! # }
//! ```
//!
//! ## Module map
//! - [`config`]: [`LiveConfig`] from `live.toml`, validation naming field and line.
//! - [`runner`]: [`LiveService`] (start, shutdown) and [`run_live`].
//! - [`api`]: the management API (routes, roles, audit, limits).
//! - [`tokens`]: [`Role`], [`TokenStore`]: bearer tokens from a file or the environment.
//! - [`audit`]: [`AuditLog`], JSON lines fsynced before answering.
//! - [`state_store`]: [`StateStore`], atomic save and restore of the engine state.
//! - [`shadow`]: [`ShadowExecutor`], reads capacity, never acts.
//! - [`recording`]: [`ShadowRun`], the shadow run directory in the simulator's format.
//! - [`telemetry`]: [`EngineMetrics`], the engine's metrics in Prometheus format.
//! - [`providers`]: metrics routed by resource type, and the latest sample of each resource.
//! - [`fleet_server`]: [`FleetServer`], a scenario's simulated fleet behind the OmniCloud routes and a Prometheus exposition, for end-to-end runs.

#![warn(missing_docs)]

pub mod api;
pub mod audit;
pub mod config;
pub mod fleet_server;
pub mod providers;
pub mod recording;
pub mod runner;
pub mod shadow;
pub mod state_store;
pub mod telemetry;
pub mod tokens;

pub use api::{ApiEvents, ApiState, router};
pub use audit::{AuditEntry, AuditLog};
pub use config::{LiveConfig, LiveConfigError, load_live_config, parse_live_config};
pub use fleet_server::{FleetServer, FleetServerOptions};
pub use recording::{ShadowRun, write_run_dir};
pub use runner::{LiveError, LiveOptions, LiveService, ShutdownReport, run_live, shutdown_signal};
pub use shadow::ShadowExecutor;
pub use state_store::{StateError, StateStore};
pub use telemetry::EngineMetrics;
pub use tokens::{Identity, Role, TokenStore};
