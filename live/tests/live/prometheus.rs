//! The Prometheus metrics provider against a fake Prometheus.

use std::sync::Arc;

use lighthouse_engine::adapters::{PrometheusMetricsProvider, ResourceTypes};
use lighthouse_engine::driver::{CycleScratch, run_cycle};
use lighthouse_engine::*;
use serde_json::json;

use crate::fakes::{FakeOmni, FakeProm, Mode, closed_port};
use crate::support::{Events, cpu_config};

const RPS: &str = r#"sum(rate(http_requests_total{app="$app"}[1m]))"#;
const CPU: &str = r#"avg(cpu{resource="$resource"})"#;

fn context(secs: i64) -> CallbackContext {
    CallbackContext {
        timestamp: Timestamp::from_secs(secs),
        ..CallbackContext::default()
    }
}

async fn provider(prom: &FakeProm) -> PrometheusMetricsProvider {
    let url = prom.start().await;
    let config = FakeProm::config(&url, &[("requests_per_second", RPS), ("cpu_percent", CPU)]);
    PrometheusMetricsProvider::new(&config, ResourceTypes::new()).unwrap()
}

#[tokio::test]
async fn templated_queries_at_the_engine_time_become_a_sample() {
    let prom = FakeProm::default();
    prom.value(r#"sum(rate(http_requests_total{app="web"}[1m]))"#, "123.5");
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "71");
    let p = provider(&prom).await;
    let m = p
        .get_metrics("app_instance:web", &context(1_700_000_000))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics["requests_per_second"], 123.5);
    assert_eq!(m.metrics["cpu_percent"], 71.0);
    assert_eq!(m.resource_type, "app_instance");
    assert_eq!(m.timestamp, Timestamp::from_secs(1_700_000_000));
    assert!(prom.seen().iter().all(|(_, t)| t == "1700000000.000"));
}

#[tokio::test]
async fn a_metric_absent_from_the_sample_is_left_out() {
    let prom = FakeProm::default();
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "50");
    let p = provider(&prom).await;
    let m = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics.keys().collect::<Vec<_>>(), ["cpu_percent"]);
    // Nothing at all: no sample.
    let p = provider(&FakeProm::default()).await;
    assert_eq!(
        p.get_metrics("app_instance:web", &context(10))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn nan_and_inf_are_refused_by_the_engine_which_keeps_the_rest_and_reports() {
    let prom = FakeProm::default();
    prom.value(r#"sum(rate(http_requests_total{app="web"}[1m]))"#, "NaN");
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "+Inf");
    let p = provider(&prom).await;
    let m = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap()
        .unwrap();
    assert!(m.metrics["requests_per_second"].is_nan());
    assert!(m.metrics["cpu_percent"].is_infinite());

    // Through the engine: the values are skipped and reported as errors.
    let prom = FakeProm::default();
    prom.value(r#"sum(rate(http_requests_total{app="web"}[1m]))"#, "NaN");
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "95");
    let url = prom.start().await;
    let config = FakeProm::config(&url, &[("requests_per_second", RPS), ("cpu_percent", CPU)]);
    let provider = PrometheusMetricsProvider::new(&config, ResourceTypes::new()).unwrap();
    let omni = FakeOmni::with_app(4, 95.0);
    let omni_url = omni.start().await;
    let executor = lighthouse_engine::adapters::OmniCloudExecutor::new(
        lighthouse_engine::adapters::OmniCloudClient::new(FakeOmni::config(&omni_url, false))
            .unwrap(),
    );
    let events = Events::default();
    let callbacks = LighthouseCallbacks::new(Arc::new(provider), Arc::new(executor))
        .add_observer(Arc::new(events.clone()));
    let mut core = EngineCore::new(cpu_config(), Timestamp::from_secs(0)).unwrap();
    core.register_resource("app_instance:web", "app_instance", MetricsSource::Pull)
        .unwrap();
    run_cycle(
        &mut core,
        &callbacks,
        &context(0),
        &mut CycleScratch::default(),
    )
    .await;
    let lines = events.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("error app_instance:web")
                && l.contains("requests_per_second = NaN")),
        "{lines:?}"
    );
    // The CPU value was kept and acted on.
    assert!(
        lines
            .iter()
            .any(|l| l == "executed app_instance:web up 6 true"),
        "{lines:?}"
    );
}

#[tokio::test]
async fn an_error_status_answer_is_reported_with_prometheus_s_reason() {
    let prom = FakeProm::default();
    let error = json!({"status": "error", "errorType": "bad_data", "error": "1:5: parse error: unexpected \"}\""});
    prom.answer(
        r#"sum(rate(http_requests_total{app="web"}[1m]))"#,
        400,
        error.clone(),
    );
    prom.answer(r#"avg(cpu{resource="app_instance:web"})"#, 200, error);
    let p = provider(&prom).await;
    let e = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap_err();
    match &e {
        LighthouseError::MetricsProvider {
            resource_id,
            message,
        } => {
            assert_eq!(resource_id, "app_instance:web");
            assert!(
                message.contains("bad_data") && message.contains("parse error"),
                "{message}"
            );
            assert!(
                message.contains("requests_per_second") && message.contains("cpu_percent"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    // No retry of a 400: one call per query.
    assert_eq!(prom.seen().len(), 2);
}

#[tokio::test]
async fn one_failing_query_does_not_lose_the_others() {
    let prom = FakeProm::default();
    prom.answer(
        r#"sum(rate(http_requests_total{app="web"}[1m]))"#,
        422,
        json!({"status": "error", "errorType": "execution", "error": "boom"}),
    );
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "40");
    let p = provider(&prom).await;
    let m = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics.len(), 1);
    assert_eq!(m.metrics["cpu_percent"], 40.0);
    assert_eq!(p.failed_queries(), 1);
}

#[tokio::test]
async fn http_errors_are_retried_with_back_off() {
    let prom = FakeProm::default();
    prom.value(r#"avg(cpu{resource="app_instance:web"})"#, "40");
    *prom.failures.lock().unwrap() = 2;
    let url = prom.start().await;
    let config = FakeProm::config(&url, &[("cpu_percent", CPU)]);
    let p = PrometheusMetricsProvider::new(&config, ResourceTypes::new()).unwrap();
    let m = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.metrics["cpu_percent"], 40.0);
    assert_eq!(prom.seen().len(), 3, "two 503s, then the answer");
    // More failures than retries: the call fails with the status.
    *prom.failures.lock().unwrap() = 5;
    let e = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("HTTP 503"), "{e}");
}

#[tokio::test]
async fn a_slow_prometheus_times_out() {
    let prom = FakeProm::default();
    *prom.mode.lock().unwrap() = Mode::Hang;
    let p = provider(&prom).await;
    let started = std::time::Instant::now();
    let e = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap_err();
    match e {
        LighthouseError::Timeout { operation, seconds } => {
            assert_eq!(seconds, 0.3);
            assert!(
                operation.contains("app_instance:web") && operation.contains("/api/v1/query"),
                "{operation}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Three attempts of 0.3 s each, not the fake's 60 s.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn prometheus_down_is_a_clear_error() {
    let url = format!("http://{}", closed_port().await);
    let config = FakeProm::config(&url, &[("cpu_percent", CPU)]);
    let p = PrometheusMetricsProvider::new(&config, ResourceTypes::new()).unwrap();
    let e = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap_err();
    match e {
        LighthouseError::MetricsProvider { message, .. } => {
            assert!(message.contains("cannot connect"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn several_series_or_unknown_types_are_errors() {
    let prom = FakeProm::default();
    prom.answer(
        r#"avg(cpu{resource="app_instance:web"})"#,
        200,
        json!({"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": {"pod": "a"}, "value": [1, "1"]}, {"metric": {"pod": "b"}, "value": [1, "2"]}]}}),
    );
    let url = prom.start().await;
    let config = FakeProm::config(&url, &[("cpu_percent", CPU)]);
    let p = PrometheusMetricsProvider::new(&config, ResourceTypes::new()).unwrap();
    let e = p
        .get_metrics("app_instance:web", &context(10))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("2 series"), "{e}");
    let e = p
        .get_metrics("worker_node:general", &context(10))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no PromQL queries for resource type \"worker_node\""),
        "{e}"
    );
}
