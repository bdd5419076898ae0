//! Real adapters behind the callback traits (feature `live`): metrics from
//! the Prometheus HTTP API or the OmniCloud REST surface, actions through
//! the OmniCloud orchestrator and director.
//!
//! Every adapter talks HTTP through [`http::HttpClient`]: a timeout per call,
//! retries with exponential back-off where a retry is safe, and errors
//! mapped onto [`crate::LighthouseError`] (`Timeout`, `MetricsProvider`,
//! `Executor`, `CapacityUnknown`, `Unsupported`). Every base URL is
//! configurable, so tests and staging point them at local fakes.
//!
//! ## Module map
//! - [`secret`]: [`Secret`], a token that never shows in logs or `Debug`.
//! - [`http`]: [`HttpSettings`], [`HttpClient`], [`HttpError`]: timeouts,
//!   retries, error mapping.
//! - [`resources`]: [`ResourceTypes`], resource id → resource type, and
//!   the parts of an id (`$app`).
//! - [`prometheus`]: [`PrometheusMetricsProvider`]: one templated PromQL
//!   query per metric and resource type.
//! - [`omnicloud`]: [`OmniCloudConfig`], [`OmniCloudClient`],
//!   [`OmniCloudMetricsProvider`], [`OmniCloudExecutor`].
//!
//! ## Retries and lost answers
//! Reads (`GET`) are retried on any transport error, timeout, HTTP 5xx or
//! 429. Writes (scale, create or delete a VM) are retried only when the
//! connection could not be made, so the request never left: a write whose
//! answer is lost is *never* repeated by the adapter. The engine reads the
//! capacity back before its own retry and recognises an action that was in
//! fact applied ([`crate::Decision::AlreadyApplied`]), so nothing is scaled
//! twice.

#![warn(missing_docs)]

pub mod http;
pub mod omnicloud;
pub mod prometheus;
pub mod resources;
pub mod secret;

pub use http::{HttpClient, HttpError, HttpSettings, RetryOn};
pub use omnicloud::{
    AppTarget, DirectorConfig, OmniCloudClient, OmniCloudConfig, OmniCloudExecutor,
    OmniCloudMetricsProvider, WorkerPoolConfig,
};
pub use prometheus::{PrometheusConfig, PrometheusMetricsProvider};
pub use resources::ResourceTypes;
pub use secret::Secret;

/// The URL type every adapter's configuration uses.
pub use reqwest::Url;
