//! The HTTP layer every adapter shares: a [`reqwest`] client (rustls) with
//! a timeout per call, bearer authentication, retries with exponential
//! back-off where they are safe ([`RetryOn`]), and errors that say which
//! call failed and how ([`HttpError`]), mapped onto [`LighthouseError`].

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::{Deserialize, Serialize};

use super::secret::Secret;
use crate::error::LighthouseError;

/// Timeouts and retries of one service's calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    /// Longest wait for a whole call (connect, send, answer), milliseconds.
    pub timeout_ms: u64,
    /// Longest wait for the connection, milliseconds.
    pub connect_timeout_ms: u64,
    /// Further attempts after a failed one, where a retry is safe.
    pub retries: u32,
    /// Wait before the first retry, milliseconds; doubles on each further one.
    pub backoff_base_ms: u64,
    /// Longest wait between attempts, milliseconds.
    pub backoff_max_ms: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout_ms: 10_000,
            connect_timeout_ms: 3_000,
            retries: 2,
            backoff_base_ms: 200,
            backoff_max_ms: 5_000,
        }
    }
}

impl HttpSettings {
    /// The wait before retry number `attempt` (0 for the first retry):
    /// `backoff_base_ms × 2^attempt`, at most `backoff_max_ms`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u64.checked_shl(attempt.min(32)).unwrap_or(u64::MAX);
        Duration::from_millis(
            self.backoff_base_ms
                .saturating_mul(factor)
                .min(self.backoff_max_ms),
        )
    }

    /// The whole-call timeout, seconds.
    pub fn timeout_seconds(&self) -> f64 {
        self.timeout_ms as f64 / 1000.0
    }
}

/// When a failed call may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryOn {
    /// A read, or a write that is safe to repeat: retried on any transport
    /// error, timeout, HTTP 5xx or 429.
    Idempotent,
    /// A write: retried only when no connection could be made, so the
    /// request never left. A lost answer is not retried.
    NotSent,
}

/// Why an HTTP call failed. URLs are shown; tokens never are.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HttpError {
    /// No complete answer within the timeout.
    #[error("{method} {url}: no answer within {seconds} s")]
    Timeout {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The timeout, seconds.
        seconds: f64,
    },
    /// The connection could not be made.
    #[error("{method} {url}: cannot connect: {message}")]
    Connect {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The transport's message.
        message: String,
    },
    /// The connection broke, or another transport failure.
    #[error("{method} {url}: {message}")]
    Transport {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The transport's message.
        message: String,
    },
    /// The server answered with a status that is not a success.
    #[error("{method} {url}: HTTP {status}: {body}")]
    Status {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body (at most 1,000 characters).
        body: String,
    },
    /// The answer could not be read as expected.
    #[error("{method} {url}: unexpected answer: {message}")]
    Decode {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// The client could not be built or the URL is not usable.
    #[error("HTTP client: {0}")]
    Setup(String),
}

impl HttpError {
    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, HttpError::Timeout { .. })
    }

    fn into_lighthouse(
        self,
        resource_id: &str,
        wrap: fn(String, String) -> LighthouseError,
    ) -> LighthouseError {
        match self {
            HttpError::Timeout {
                method,
                url,
                seconds,
            } => LighthouseError::Timeout {
                operation: format!("{method} {url} for {resource_id}"),
                seconds,
            },
            other => wrap(resource_id.to_string(), other.to_string()),
        }
    }

    /// As a metrics provider's error: `Timeout` or `MetricsProvider`.
    pub fn into_metrics_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(resource_id, |resource_id, message| {
            LighthouseError::MetricsProvider {
                resource_id,
                message,
            }
        })
    }

    /// As an executor's error: `Timeout` or `Executor`.
    pub fn into_executor_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(resource_id, |resource_id, message| {
            LighthouseError::Executor {
                resource_id,
                message,
            }
        })
    }

    /// As a capacity reading's error: `Timeout` or `CapacityUnknown`.
    pub fn into_capacity_error(self, resource_id: &str) -> LighthouseError {
        self.into_lighthouse(resource_id, |resource_id, message| {
            LighthouseError::CapacityUnknown {
                resource_id,
                message,
            }
        })
    }
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The HTTP status code (2xx).
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// The body as JSON of type `T`.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        method: &Method,
        url: &Url,
    ) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::Decode {
            method: method.to_string(),
            url: url.to_string(),
            message: e.to_string(),
        })
    }
}

/// A client for one service: its settings and its token.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: HttpSettings,
    token: Option<Secret>,
}

const BODY_SNIPPET: usize = 1000;

impl HttpClient {
    /// A client with these timeouts; `token` is sent as
    /// `Authorization: Bearer <token>` on every call.
    pub fn new(settings: HttpSettings, token: Option<Secret>) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.timeout_ms.max(1)))
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms.max(1)))
            .build()
            .map_err(|e| HttpError::Setup(e.to_string()))?;
        Ok(HttpClient {
            client,
            settings,
            token: token.filter(|t| !t.is_empty()),
        })
    }

    /// The client's settings.
    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// `GET url`, retried as a read.
    pub async fn get(&self, url: &Url) -> Result<HttpAnswer, HttpError> {
        self.send(Method::GET, url, None, RetryOn::Idempotent).await
    }

    /// Sends `body` as JSON with `method`, retried as `retry` says.
    pub async fn send_json<T: Serialize + ?Sized>(
        &self,
        method: Method,
        url: &Url,
        body: &T,
        retry: RetryOn,
    ) -> Result<HttpAnswer, HttpError> {
        let body = serde_json::to_vec(body).map_err(|e| HttpError::Setup(e.to_string()))?;
        self.send(method, url, Some(body), retry).await
    }

    async fn send(
        &self,
        method: Method,
        url: &Url,
        body: Option<Vec<u8>>,
        retry: RetryOn,
    ) -> Result<HttpAnswer, HttpError> {
        let mut attempt = 0;
        loop {
            let result = self.attempt(&method, url, body.as_deref()).await;
            let retryable = match &result {
                Ok(_) => false,
                Err(error) => may_retry(error, retry),
            };
            if !retryable || attempt >= self.settings.retries {
                return result;
            }
            if let Err(error) = &result {
                tracing::debug!(%error, attempt, "retrying HTTP call");
            }
            tokio::time::sleep(self.settings.backoff(attempt)).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
    ) -> Result<HttpAnswer, HttpError> {
        let mut request = self.client.request(method.clone(), url.clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let transport = |e: reqwest::Error| self.transport_error(method, url, e);
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        if status.is_success() {
            return Ok(HttpAnswer {
                status: status.as_u16(),
                body,
            });
        }
        Err(HttpError::Status {
            method: method.to_string(),
            url: url.to_string(),
            status: status.as_u16(),
            body: snippet(&body),
        })
    }

    fn transport_error(&self, method: &Method, url: &Url, e: reqwest::Error) -> HttpError {
        let (method, url) = (method.to_string(), url.to_string());
        if e.is_connect() {
            HttpError::Connect {
                method,
                url,
                message: source_chain(&e),
            }
        } else if e.is_timeout() {
            HttpError::Timeout {
                method,
                url,
                seconds: self.settings.timeout_seconds(),
            }
        } else {
            HttpError::Transport {
                method,
                url,
                message: source_chain(&e),
            }
        }
    }
}

fn may_retry(error: &HttpError, retry: RetryOn) -> bool {
    match (error, retry) {
        (HttpError::Connect { .. }, _) => true,
        (HttpError::Timeout { .. } | HttpError::Transport { .. }, RetryOn::Idempotent) => true,
        (HttpError::Status { status, .. }, RetryOn::Idempotent) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
            status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
        }
        _ => false,
    }
}

/// The error and its causes, joined by `: ` (reqwest's own message alone
/// hides the reason, e.g. "connection refused").
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(BODY_SNIPPET) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = HttpSettings {
            backoff_base_ms: 100,
            backoff_max_ms: 1000,
            ..HttpSettings::default()
        };
        let waits: Vec<u128> = (0..6).map(|a| s.backoff(a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(s.backoff(200).as_millis(), 1000);
    }

    #[test]
    fn writes_are_retried_only_when_never_sent() {
        let url = "http://x/".to_string();
        let timeout = HttpError::Timeout {
            method: "PUT".into(),
            url: url.clone(),
            seconds: 1.0,
        };
        let connect = HttpError::Connect {
            method: "PUT".into(),
            url: url.clone(),
            message: "refused".into(),
        };
        let status = |status| HttpError::Status {
            method: "GET".into(),
            url: url.clone(),
            status,
            body: String::new(),
        };
        assert!(!may_retry(&timeout, RetryOn::NotSent));
        assert!(may_retry(&timeout, RetryOn::Idempotent));
        assert!(may_retry(&connect, RetryOn::NotSent));
        assert!(may_retry(&status(503), RetryOn::Idempotent));
        assert!(may_retry(&status(429), RetryOn::Idempotent));
        assert!(!may_retry(&status(404), RetryOn::Idempotent));
        assert!(!may_retry(&status(500), RetryOn::NotSent));
    }

    #[test]
    fn timeouts_map_to_the_timeout_variant() {
        let e = HttpError::Timeout {
            method: "GET".into(),
            url: "http://p/api".into(),
            seconds: 2.5,
        };
        match e.into_metrics_error("app_instance:web") {
            LighthouseError::Timeout { operation, seconds } => {
                assert!(operation.contains("app_instance:web"), "{operation}");
                assert_eq!(seconds, 2.5);
            }
            other => panic!("{other:?}"),
        }
        let e = HttpError::Setup("bad".into()).into_executor_error("app_instance:web");
        assert!(matches!(e, LighthouseError::Executor { .. }));
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(5000);
        assert_eq!(snippet(body.as_bytes()).chars().count(), BODY_SNIPPET + 1);
    }
}
