//! The mutating routes; each is audited before it is answered.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use lighthouse_engine::{Override, ResourceMetrics, Span};
use serde::Deserialize;
use serde_json::{Value, json};

use super::ApiState;
use super::auth::{audited, authorize, identify};
use super::body;
use super::error::ApiError;
use crate::audit::AuditEntry;
use crate::tokens::Role;

/// Longest override, seconds (7 days).
pub const MAX_OVERRIDE_SECONDS: u64 = 7 * 24 * 3600;

fn entry(s: &ApiState, action: &str, target: &str) -> AuditEntry {
    AuditEntry::new((s.clock)(), action, target)
}

/// `PUT /config` (admin): JSON, or TOML / YAML by `Content-Type`.
pub async fn put_config(
    State(s): State<ApiState>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let e = entry(&s, "PUT /config", "config");
    let who = match authorize(&s, &headers, Role::Admin) {
        Ok(who) => who,
        Err(err) => return audited(&s, e, identify(&s, &headers).as_ref(), Err(err)).await,
    };
    let result = async {
        let bytes = bytes?;
        let config = body::engine_config(&bytes, body::config_format(&headers))?;
        let version = s.handle.update_config(config).await?;
        s.events.config_changed((s.clock)(), version, "update");
        s.events.state_changed();
        Ok(json!({ "version": version }))
    }
    .await;
    audited(&s, e, Some(&who), result).await
}

/// `POST /config/rollback/{version}` (admin).
pub async fn rollback(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Response {
    let e = entry(&s, "POST /config/rollback", &version);
    let who = match authorize(&s, &headers, Role::Admin) {
        Ok(who) => who,
        Err(err) => return audited(&s, e, identify(&s, &headers).as_ref(), Err(err)).await,
    };
    let result = async {
        let wanted: u64 = version.parse().map_err(|_| {
            ApiError::BadRequest(format!("version {version:?} is not a whole number"))
        })?;
        let history = s.handle.config_history().await?;
        if !history.iter().any(|v| v.version == wanted) {
            return Err(ApiError::NotFound(format!(
                "version {wanted} is not in the configuration history"
            )));
        }
        let new = s.handle.rollback_config(wanted).await?;
        let origin = format!("rollback to {wanted}");
        s.events.config_changed((s.clock)(), new, &origin);
        s.events.state_changed();
        Ok(json!({ "version": new, "rolled_back_to": wanted }))
    }
    .await;
    audited(&s, e, Some(&who), result).await
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OverrideAction {
    Pause,
    Pin,
    Clear,
}

/// The body of `POST /override`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideRequest {
    resource_id: String,
    action: OverrideAction,
    #[serde(default)]
    duration_seconds: Option<u64>,
    #[serde(default)]
    capacity: Option<u32>,
}

/// `POST /override` (operator): `{"resource_id", "action": "pause" | "pin"
/// | "clear", "duration_seconds", "capacity" (pin only)}`.
pub async fn set_override(
    State(s): State<ApiState>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let mut e = entry(&s, "POST /override", "");
    let who = match authorize(&s, &headers, Role::Operator) {
        Ok(who) => who,
        Err(err) => return audited(&s, e, identify(&s, &headers).as_ref(), Err(err)).await,
    };
    let result = async {
        let bytes = bytes?;
        let request: OverrideRequest = body::json(&bytes)?;
        e.target = request.resource_id.clone();
        let value = match request.action {
            OverrideAction::Clear => None,
            action => {
                let seconds = request.duration_seconds.ok_or_else(|| {
                    ApiError::unprocessable("duration_seconds is required to pause or pin")
                })?;
                if seconds == 0 || seconds > MAX_OVERRIDE_SECONDS {
                    return Err(ApiError::unprocessable(format!(
                        "duration_seconds must be between 1 and {MAX_OVERRIDE_SECONDS}"
                    )));
                }
                let until = (s.clock)() + Span::from_secs(seconds);
                Some(match action {
                    OverrideAction::Pause => Override::Pause { until },
                    _ => Override::Pin {
                        capacity: request.capacity.ok_or_else(|| {
                            ApiError::unprocessable("capacity is required to pin")
                        })?,
                        until,
                    },
                })
            }
        };
        s.handle.set_override(&request.resource_id, value).await?;
        s.events.state_changed();
        Ok(json!({ "resource_id": request.resource_id, "override": value }))
    }
    .await;
    audited(&s, e, Some(&who), result).await
}

/// `POST /metrics` (metrics-writer): one `ResourceMetrics` or an array.
/// All accepted: 200 `{"accepted": n}`; otherwise 422 with the rejected
/// samples (the others are kept).
pub async fn push_metrics(
    State(s): State<ApiState>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let mut e = entry(&s, "POST /metrics", "");
    let who = match authorize(&s, &headers, Role::MetricsWriter) {
        Ok(who) => who,
        Err(err) => return audited(&s, e, identify(&s, &headers).as_ref(), Err(err)).await,
    };
    let result = async {
        let bytes = bytes?;
        let (samples, batch) = parse_samples(&bytes)?;
        e.target = describe_targets(&samples);
        let mut accepted = 0;
        let mut rejected = Vec::new();
        for (i, sample) in samples.into_iter().enumerate() {
            match s.handle.update_metrics(sample.clone()).await {
                Ok(()) => {
                    accepted += 1;
                    s.events.metrics_pushed(&sample);
                }
                Err(error) => {
                    let index = if batch { json!(i) } else { Value::Null };
                    rejected.push(json!({
                        "index": index,
                        "resource_id": sample.resource_id,
                        "error": error.to_string(),
                    }));
                }
            }
        }
        if rejected.is_empty() {
            Ok(json!({ "accepted": accepted }))
        } else {
            Err(ApiError::Unprocessable {
                message: format!("{} sample(s) refused", rejected.len()),
                issues: Vec::new(),
                detail: Some(json!({ "accepted": accepted, "rejected": rejected })),
            })
        }
    }
    .await;
    audited(&s, e, Some(&who), result).await
}

/// The samples of a body, and whether it was an array.
fn parse_samples(bytes: &[u8]) -> Result<(Vec<ResourceMetrics>, bool), ApiError> {
    let value: Value = body::json(bytes)?;
    let one = |v: Value, at: String| {
        serde_path_to_error::deserialize::<_, ResourceMetrics>(v).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                at.clone()
            } else {
                format!("{at}{path}")
            };
            ApiError::Unprocessable {
                message: format!("invalid sample: {}", e.inner()),
                issues: vec![lighthouse_engine::config::ConfigIssue {
                    field,
                    value: String::new(),
                    message: e.inner().to_string(),
                    line: None,
                }],
                detail: None,
            }
        })
    };
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| one(v, format!("[{i}].")))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| (v, true)),
        other => one(other, String::new()).map(|m| (vec![m], false)),
    }
}

fn describe_targets(samples: &[ResourceMetrics]) -> String {
    match samples {
        [] => String::new(),
        [one] => one.resource_id.clone(),
        [first, rest @ ..] => format!("{} and {} more", first.resource_id, rest.len()),
    }
}
