//! Bearer-token checks and the audit trail of mutating calls.

use axum::Json;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::ApiState;
use super::error::ApiError;
use crate::audit::AuditEntry;
use crate::tokens::{Identity, Role};

/// The identity behind the request's bearer token, if it has at least
/// `needed`: 401 without a known token, 403 with too low a role.
pub fn authorize(
    state: &ApiState,
    headers: &HeaderMap,
    needed: Role,
) -> Result<Identity, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, rest) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or(ApiError::Unauthenticated)?;
    let identity = state
        .tokens
        .authenticate(token)
        .ok_or(ApiError::Unauthenticated)?;
    if identity.role < needed {
        return Err(ApiError::Forbidden {
            needed,
            role: identity.role,
        });
    }
    Ok(identity)
}

/// The identity behind the request's token, whatever its role (`None`
/// without a known token); for the audit line of a refused call.
pub fn identify(state: &ApiState, headers: &HeaderMap) -> Option<Identity> {
    authorize(state, headers, Role::Viewer).ok()
}

/// Writes the audit line of a mutating call (fsynced) and only then
/// builds the answer. When the audit log cannot be written the answer is a
/// 500 saying so (the call itself may have taken effect).
pub async fn audited(
    state: &ApiState,
    mut entry: AuditEntry,
    who: Option<&Identity>,
    result: Result<Value, ApiError>,
) -> Response {
    if let Some(who) = who {
        entry.identity = who.name.clone();
        entry.role = Some(who.role);
    }
    match &result {
        Ok(value) => {
            entry.outcome = "ok".to_string();
            entry.status = 200;
            entry.detail = value.get("version").map(|v| format!("version {v}"));
        }
        Err(e) => {
            entry.outcome = e.outcome().to_string();
            entry.status = e.status().as_u16();
            entry.detail = Some(e.message());
        }
    }
    if let Err(e) = state.audit.record(&entry).await {
        tracing::error!(error = %e, "audit log write failed");
        return ApiError::Internal(format!(
            "the audit log could not be written ({e}); the call may have taken effect"
        ))
        .into_response();
    }
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}
