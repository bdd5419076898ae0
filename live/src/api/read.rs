//! The read-only routes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::ApiState;
use super::auth::authorize;
use super::error::ApiError;
use crate::config::ScrapeAuth;
use crate::telemetry::CONTENT_TYPE;
use crate::tokens::Role;

type Answer = Result<Json<Value>, ApiError>;

fn to_json<T: serde::Serialize>(value: &T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /status` (viewer).
pub async fn status(State(s): State<ApiState>, headers: HeaderMap) -> Answer {
    authorize(&s, &headers, Role::Viewer)?;
    let status = s.handle.get_status().await?;
    Ok(Json(json!({
        "engine": to_json(&status)?,
        "shadow": s.shadow,
        "version": env!("CARGO_PKG_VERSION"),
    })))
}

/// `GET /config` (viewer).
pub async fn config(State(s): State<ApiState>, headers: HeaderMap) -> Answer {
    authorize(&s, &headers, Role::Viewer)?;
    Ok(Json(to_json(&s.handle.get_config().await?)?))
}

/// `GET /config/history` (viewer).
pub async fn history(State(s): State<ApiState>, headers: HeaderMap) -> Answer {
    authorize(&s, &headers, Role::Viewer)?;
    let versions = s.handle.config_history().await?;
    Ok(Json(json!({ "versions": to_json(&versions)? })))
}

/// `GET /recommendation/{resource_id}` (viewer).
pub async fn recommendation(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Path(resource_id): Path<String>,
) -> Answer {
    authorize(&s, &headers, Role::Viewer)?;
    let action = s.handle.get_recommendation(&resource_id).await?;
    Ok(Json(json!({
        "resource_id": resource_id,
        "recommendation": to_json(&action)?,
    })))
}

/// `GET /metrics` (no role, or viewer): the gauges are refreshed from the
/// engine's status first.
pub async fn scrape(State(s): State<ApiState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if s.scrape_auth == ScrapeAuth::Viewer {
        authorize(&s, &headers, Role::Viewer)?;
    }
    let status = s.handle.get_status().await?;
    let budget = s.handle.get_config().await?.safety.budget_limit_per_hour;
    s.metrics.update_status(&status, budget);
    let mut response = s.metrics.encode().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    Ok(response)
}
