//! Metrics from the Prometheus HTTP API: one templated PromQL instant query
//! per metric and resource type, evaluated at the engine's time
//! (`GET /api/v1/query?query=…&time=…`).
//!
//! Templates may use `$app` (the name after the layer prefix:
//! `app_instance:web` → `web`), `$resource` (the full id), `$layer` and
//! `$type`; values are escaped for use inside PromQL double quotes, e.g.
//! `sum(rate(http_requests_total{app="$app"}[1m]))`.
//!
//! What the answers become:
//! - one series or a scalar: the metric's value;
//! - no series (the metric is absent from the sample): the metric is left
//!   out; when every query is empty, `get_metrics` answers `Ok(None)`;
//! - `NaN` or `±Inf`: passed on, so that the engine refuses that value,
//!   keeps the others and reports `InvalidMetrics` to the observers;
//! - several series, a range vector, an error status, an HTTP error or a
//!   timeout: that query fails. When some queries of a resource succeed the
//!   sample holds their values and the failures are logged and counted
//!   ([`PrometheusMetricsProvider::failed_queries`]); when none succeeds the
//!   call fails with `Timeout` or `MetricsProvider`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use reqwest::{Method, Url};
use serde::{Deserialize, Serialize};

use super::http::{HttpClient, HttpError, HttpSettings};
use super::resources::{ResourceTypes, resource_name};
use super::secret::Secret;
use crate::callbacks::{CallbackContext, MetricsProvider};
use crate::error::{LighthouseError, LighthouseResult};
use crate::time::Timestamp;
use crate::types::{ResourceLayer, ResourceMetrics};

/// Where Prometheus is and what to ask it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// Base URL, e.g. `http://prometheus:9090` (a path prefix is kept).
    pub url: String,
    /// Bearer token, if Prometheus sits behind authentication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
    /// Environment variable holding the token (used when `token` is unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    /// Timeouts and retries.
    #[serde(default)]
    pub http: HttpSettings,
    /// Resource type → metric name → PromQL template.
    #[serde(default)]
    pub queries: BTreeMap<String, BTreeMap<String, String>>,
}

impl PrometheusConfig {
    /// The token: `token`, else the variable `token_env` names.
    pub fn resolve_token(&self) -> Option<Secret> {
        self.token
            .clone()
            .or_else(|| self.token_env.as_deref().and_then(Secret::from_env))
    }
}

/// Pulls metrics through PromQL. See the module documentation.
#[derive(Debug)]
pub struct PrometheusMetricsProvider {
    client: HttpClient,
    query_url: Url,
    queries: BTreeMap<String, BTreeMap<String, String>>,
    types: ResourceTypes,
    failed: AtomicU64,
}

impl PrometheusMetricsProvider {
    /// A provider for `config`; `types` says the type of each resource.
    pub fn new(config: &PrometheusConfig, types: ResourceTypes) -> Result<Self, HttpError> {
        Ok(PrometheusMetricsProvider {
            client: HttpClient::new(config.http.clone(), config.resolve_token())?,
            query_url: endpoint(&config.url, "api/v1/query")?,
            queries: config.queries.clone(),
            types,
            failed: AtomicU64::new(0),
        })
    }

    /// Queries that failed since start (in samples that were still returned
    /// with the other metrics, or in calls that failed as a whole).
    pub fn failed_queries(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }

    async fn query(&self, promql: &str, at: Timestamp) -> Result<Option<f64>, HttpError> {
        let time = format!("{:.3}", at.as_secs_f64());
        let mut url = self.query_url.clone();
        url.query_pairs_mut()
            .append_pair("query", promql)
            .append_pair("time", &time);
        let answer = match self.client.get(&url).await {
            Ok(answer) => answer,
            Err(HttpError::Status {
                method,
                url,
                status,
                body,
            }) => {
                // Prometheus explains bad queries in a JSON body (400, 422, 503).
                let message = serde_json::from_str::<QueryAnswer>(&body)
                    .ok()
                    .and_then(|a| a.error_message())
                    .map_or(body, |m| format!("Prometheus {m}"));
                return Err(HttpError::Status {
                    method,
                    url,
                    status,
                    body: message,
                });
            }
            Err(e) => return Err(e),
        };
        let parsed: QueryAnswer = answer.json(&Method::GET, &url)?;
        parsed.value().map_err(|message| HttpError::Decode {
            method: "GET".to_string(),
            url: url.to_string(),
            message,
        })
    }
}

#[async_trait]
impl MetricsProvider for PrometheusMetricsProvider {
    async fn get_metrics(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        let resource_type =
            self.types
                .type_of(resource_id)
                .ok_or_else(|| LighthouseError::InvalidResourceId {
                    resource_id: resource_id.to_string(),
                })?;
        let queries =
            self.queries
                .get(&resource_type)
                .ok_or_else(|| LighthouseError::MetricsProvider {
                    resource_id: resource_id.to_string(),
                    message: format!("no PromQL queries for resource type {resource_type:?}"),
                })?;
        let at = context.timestamp;
        let type_name = resource_type.as_str();
        let calls = queries.iter().map(|(metric, template)| async move {
            let promql = expand(template, resource_id, type_name);
            (metric, self.query(&promql, at).await)
        });
        let answers = futures_util::future::join_all(calls).await;
        let mut metrics = BTreeMap::new();
        let mut failures = Vec::new();
        for (metric, answer) in answers {
            match answer {
                Ok(Some(value)) => {
                    if !value.is_finite() {
                        tracing::warn!(
                            resource_id,
                            metric,
                            value,
                            "Prometheus answered a non-finite value"
                        );
                    }
                    metrics.insert(metric.clone(), value);
                }
                Ok(None) => {}
                Err(error) => failures.push((metric.clone(), error)),
            }
        }
        self.failed
            .fetch_add(failures.len() as u64, Ordering::Relaxed);
        if !failures.is_empty() {
            if metrics.is_empty() {
                return Err(combine(resource_id, failures));
            }
            for (metric, error) in &failures {
                tracing::warn!(resource_id, metric, %error, "PromQL query failed; sample sent without it");
            }
        }
        if metrics.is_empty() {
            return Ok(None);
        }
        Ok(Some(ResourceMetrics {
            resource_id: resource_id.to_string(),
            resource_type,
            timestamp: at,
            metrics,
        }))
    }
}

/// One error for a call in which every query failed: a timeout when they
/// all timed out, else the failures listed by metric.
fn combine(resource_id: &str, failures: Vec<(String, HttpError)>) -> LighthouseError {
    if failures.iter().all(|(_, e)| e.is_timeout()) {
        let (_, first) = failures.into_iter().next().expect("failures is not empty");
        return first.into_metrics_error(resource_id);
    }
    let message = failures
        .iter()
        .map(|(metric, e)| format!("{metric}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    LighthouseError::MetricsProvider {
        resource_id: resource_id.to_string(),
        message,
    }
}

/// `base` with `path` appended to its path (keeping a prefix such as
/// `/prometheus`).
pub(crate) fn endpoint(base: &str, path: &str) -> Result<Url, HttpError> {
    let mut base = Url::parse(base).map_err(|e| HttpError::Setup(format!("{base:?}: {e}")))?;
    if base.cannot_be_a_base() {
        return Err(HttpError::Setup(format!("{base}: not a base URL")));
    }
    if !base.path().ends_with('/') {
        let with_slash = format!("{}/", base.path());
        base.set_path(&with_slash);
    }
    base.join(path)
        .map_err(|e| HttpError::Setup(format!("{base}{path}: {e}")))
}

/// Fills a template's `$app`, `$resource`, `$layer` and `$type`, each
/// escaped for a PromQL double-quoted string.
pub fn expand(template: &str, resource_id: &str, resource_type: &str) -> String {
    let app = resource_name(resource_id).unwrap_or(resource_id);
    let layer = ResourceLayer::of_resource_id(resource_id).map_or("", |l| l.prefix());
    template
        .replace("$resource", &escape(resource_id))
        .replace("$app", &escape(app))
        .replace("$layer", &escape(layer))
        .replace("$type", &escape(resource_type))
}

fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// The answer of `/api/v1/query`.
#[derive(Debug, Deserialize)]
struct QueryAnswer {
    status: String,
    #[serde(default)]
    data: Option<QueryData>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum QueryData {
    Vector(Vec<VectorSample>),
    Scalar((f64, String)),
    Matrix(Vec<serde_json::Value>),
    String((f64, String)),
}

#[derive(Debug, Deserialize)]
struct VectorSample {
    value: (f64, String),
}

impl QueryAnswer {
    fn error_message(&self) -> Option<String> {
        (self.status != "success").then(|| {
            format!(
                "error {}: {}",
                self.error_type.as_deref().unwrap_or("unknown"),
                self.error.as_deref().unwrap_or("no message")
            )
        })
    }

    /// The single value of the answer, `None` when it holds no series.
    fn value(&self) -> Result<Option<f64>, String> {
        if let Some(message) = self.error_message() {
            return Err(format!("Prometheus {message}"));
        }
        match &self.data {
            None => Err("no data in a successful answer".to_string()),
            Some(QueryData::Scalar((_, v))) => parse_value(v).map(Some),
            Some(QueryData::Vector(series)) => match series.as_slice() {
                [] => Ok(None),
                [one] => parse_value(&one.value.1).map(Some),
                many => Err(format!(
                    "the query answered {} series; aggregate it to one (sum, avg, max)",
                    many.len()
                )),
            },
            Some(QueryData::Matrix(series)) => Err(format!(
                "the query answered a range vector ({} series); use an instant vector",
                series.len()
            )),
            Some(QueryData::String((_, text))) => Err(format!(
                "the query answered a string ({text:?}), not a number"
            )),
        }
    }
}

/// Prometheus writes values as strings, including `NaN`, `+Inf`, `-Inf`.
fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => text
            .parse::<f64>()
            .map_err(|_| format!("value {text:?} is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Result<Option<f64>, String> {
        serde_json::from_str::<QueryAnswer>(json).unwrap().value()
    }

    #[test]
    fn templates_fill_and_escape() {
        let q = expand(
            r#"sum(rate(http_requests_total{app="$app",id="$resource",l="$layer",t="$type"}[1m]))"#,
            "app_instance:we\"b",
            "app_instance",
        );
        assert_eq!(
            q,
            r#"sum(rate(http_requests_total{app="we\"b",id="app_instance:we\"b",l="app_instance",t="app_instance"}[1m]))"#
        );
    }

    #[test]
    fn answers_become_values() {
        let vector = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1.5,"42.25"]}]}}"#;
        assert_eq!(answer(vector), Ok(Some(42.25)));
        let empty = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(answer(empty), Ok(None));
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1.5,"3"]}}"#;
        assert_eq!(answer(scalar), Ok(Some(3.0)));
        let nan = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#;
        assert!(answer(nan).unwrap().unwrap().is_nan());
        let inf = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}"#;
        assert_eq!(answer(inf), Ok(Some(f64::INFINITY)));
    }

    #[test]
    fn bad_answers_are_errors_that_say_why() {
        let two = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}}"#;
        assert!(answer(two).unwrap_err().contains("2 series"));
        let error = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 5"}"#;
        let e = answer(error).unwrap_err();
        assert!(e.contains("bad_data") && e.contains("parse error"), "{e}");
        let matrix = r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert!(answer(matrix).unwrap_err().contains("range vector"));
        let word = r#"{"status":"success","data":{"resultType":"scalar","result":[1,"lots"]}}"#;
        assert!(answer(word).unwrap_err().contains("lots"));
    }

    #[test]
    fn endpoints_keep_a_path_prefix() {
        assert_eq!(
            endpoint("http://h:9090", "api/v1/query").unwrap().as_str(),
            "http://h:9090/api/v1/query"
        );
        assert_eq!(
            endpoint("http://h/prom", "api/v1/query").unwrap().as_str(),
            "http://h/prom/api/v1/query"
        );
        assert!(endpoint("not a url", "x").is_err());
    }
}
