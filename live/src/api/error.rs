//! API errors and their answers: a status and a JSON body
//! `{"error": "...", "issues": [{field, value, message, line}]}`.

use axum::Json;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use lighthouse_engine::LighthouseError;
use lighthouse_engine::config::ConfigIssue;
use serde_json::{Value, json};

use crate::tokens::Role;

/// Why a call was refused or failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No token, or an unknown one (401).
    Unauthenticated,
    /// A valid token without the role the route needs (403).
    Forbidden {
        /// The role the route needs.
        needed: Role,
        /// The token's role.
        role: Role,
    },
    /// The body is not what the route reads (400).
    BadRequest(String),
    /// The body is larger than the limit (413).
    TooLarge(String),
    /// The request is well formed but refused (422); `issues` name fields.
    Unprocessable {
        /// Why.
        message: String,
        /// The fields at fault.
        issues: Vec<ConfigIssue>,
        /// More detail (e.g. per-sample rejections).
        detail: Option<Value>,
    },
    /// The resource or version does not exist (404).
    NotFound(String),
    /// The engine has stopped (503).
    Unavailable(String),
    /// Something failed inside (500).
    Internal(String),
}

impl ApiError {
    /// A 422 with a message only.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            issues: Vec::new(),
            detail: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => {
                "missing or unknown bearer token (Authorization: Bearer <token>)".to_string()
            }
            ApiError::Forbidden { needed, role } => {
                format!("this call needs the {needed} role; the token has {role}")
            }
            ApiError::BadRequest(m)
            | ApiError::TooLarge(m)
            | ApiError::NotFound(m)
            | ApiError::Unavailable(m)
            | ApiError::Internal(m) => m.clone(),
            ApiError::Unprocessable { message, .. } => message.clone(),
        }
    }

    /// The audit log's outcome word for this error.
    pub fn outcome(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::Internal(_) | ApiError::Unavailable(_) => "failed",
            _ => "rejected",
        }
    }
}

impl From<LighthouseError> for ApiError {
    fn from(e: LighthouseError) -> Self {
        match e {
            LighthouseError::InvalidConfig(config) => ApiError::Unprocessable {
                message: "invalid configuration".to_string(),
                issues: config.issues,
                detail: None,
            },
            LighthouseError::ResourceNotFound { .. } => ApiError::NotFound(e.to_string()),
            LighthouseError::EngineStopped => ApiError::Unavailable(e.to_string()),
            LighthouseError::InvalidMetrics { .. }
            | LighthouseError::InvalidResourceId { .. }
            | LighthouseError::UnknownResourceType { .. }
            | LighthouseError::LayerMismatch { .. } => ApiError::unprocessable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(format!("request body too large: {}", r.body_text()))
        } else {
            ApiError::BadRequest(format!("cannot read the request body: {}", r.body_text()))
        }
    }
}

/// An issue as JSON.
pub fn issue_json(i: &ConfigIssue) -> Value {
    json!({"field": i.field, "value": i.value, "message": i.message, "line": i.line})
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message() });
        if let ApiError::Unprocessable { issues, detail, .. } = &self {
            if !issues.is_empty() {
                body["issues"] = issues.iter().map(issue_json).collect();
            }
            if let Some(d) = detail {
                body["detail"] = d.clone();
            }
        }
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, ApiError::Unauthenticated) {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"lighthouse\""),
            );
        }
        response
    }
}
