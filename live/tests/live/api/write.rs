//! The mutating routes, body limits and the audit log.

use axum::http::{Method, StatusCode};
use lighthouse_live::config::ScrapeAuth;
use serde_json::json;

use super::*;

#[tokio::test]
async fn config_reads_and_admin_only_writes() {
    let a = api().await;
    assert_eq!(a.get("/config", None).await.0, StatusCode::UNAUTHORIZED);
    let (status, mut config) = a.get("/config", Some(VIEWER)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["evaluation_interval_seconds"], 30);
    config["evaluation_interval_seconds"] = json!(60);
    assert_eq!(
        a.send(Method::PUT, "/config", None, config.clone()).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = a
        .send(Method::PUT, "/config", Some(OPERATOR), config.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"].as_str().unwrap().contains("admin"), "{body}");
    let (status, body) = a.send(Method::PUT, "/config", Some(ADMIN), config).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(
        a.get("/config", Some(VIEWER)).await.1["evaluation_interval_seconds"],
        60
    );
    assert!(a.heard().contains(&"config 2 update".to_string()));
}

#[tokio::test]
async fn an_invalid_config_is_refused_with_the_field_named() {
    let a = api().await;
    let (_, mut config) = a.get("/config", Some(VIEWER)).await;
    config["resource_configs"]["app_instance"]["policies"][0]["min_capacity"] = json!(50);
    let (status, body) = a.send(Method::PUT, "/config", Some(ADMIN), config).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["field"].as_str().unwrap())
        .collect();
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("resource_configs.app_instance.policies[0]")),
        "{fields:?}"
    );
    // A wrong type: 422 naming the field.
    let (status, body) = a
        .send(
            Method::PUT,
            "/config",
            Some(ADMIN),
            json!({"evaluation_interval_seconds": "often"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["issues"][0]["field"], "evaluation_interval_seconds");
    // TOML: the line is given.
    let toml = b"enable_logging = true\nevaluation_interval_seconds = 0\n".to_vec();
    let (status, body) = a
        .call(
            Method::PUT,
            "/config",
            Some(ADMIN),
            Some(("application/toml", toml)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["issues"][0]["field"], "evaluation_interval_seconds");
    assert_eq!(body["issues"][0]["line"], 2);
    // Malformed: 400 with the reason.
    let (status, body) = a
        .call(
            Method::PUT,
            "/config",
            Some(ADMIN),
            Some(("application/json", b"{\"evaluation_".to_vec())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("malformed JSON"),
        "{body}"
    );
    // Nothing changed.
    assert_eq!(
        a.get("/config/history", Some(VIEWER)).await.1["versions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let a = api_with(ScrapeAuth::None, 64).await;
    let big = vec![b' '; 100];
    let (status, _) = a
        .call(
            Method::PUT,
            "/config",
            Some(ADMIN),
            Some(("application/json", big)),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = a
        .send(
            Method::POST,
            "/metrics",
            Some(WRITER),
            json!([sample(1.0), sample(2.0)]),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn history_and_rollback() {
    let a = api().await;
    assert_eq!(
        a.get("/config/history", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, mut config) = a.get("/config", Some(VIEWER)).await;
    config["evaluation_interval_seconds"] = json!(45);
    assert_eq!(
        a.send(Method::PUT, "/config", Some(ADMIN), config).await.0,
        StatusCode::OK
    );
    let (status, body) = a.get("/config/history", Some(VIEWER)).await;
    assert_eq!(status, StatusCode::OK);
    let versions: Vec<u64> = body["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(
        a.call(Method::POST, "/config/rollback/1", None, None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        a.call(Method::POST, "/config/rollback/1", Some(OPERATOR), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        a.call(Method::POST, "/config/rollback/99", Some(ADMIN), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        a.call(Method::POST, "/config/rollback/one", Some(ADMIN), None)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (status, body) = a
        .call(Method::POST, "/config/rollback/1", Some(ADMIN), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 3);
    assert_eq!(
        a.get("/config", Some(VIEWER)).await.1["evaluation_interval_seconds"],
        30
    );
    assert!(a.heard().contains(&"config 3 rollback to 1".to_string()));
}

#[tokio::test]
async fn overrides_need_an_operator() {
    let a = api().await;
    let pause =
        json!({"resource_id": "app_instance:web", "action": "pause", "duration_seconds": 600});
    assert_eq!(
        a.send(Method::POST, "/override", None, pause.clone())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        a.send(Method::POST, "/override", Some(WRITER), pause.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = a
        .send(Method::POST, "/override", Some(OPERATOR), pause)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["override"]["kind"], "pause");
    let snapshot = a.handle.snapshot().await.unwrap();
    assert!(matches!(
        snapshot[0].override_,
        Some(Override::Pause { .. })
    ));
    let pin = json!({"resource_id": "app_instance:web", "action": "pin", "duration_seconds": 60, "capacity": 8});
    assert_eq!(
        a.send(Method::POST, "/override", Some(ADMIN), pin).await.0,
        StatusCode::OK
    );
    let snapshot = a.handle.snapshot().await.unwrap();
    assert!(matches!(
        snapshot[0].override_,
        Some(Override::Pin { capacity: 8, .. })
    ));
    let clear = json!({"resource_id": "app_instance:web", "action": "clear"});
    assert_eq!(
        a.send(Method::POST, "/override", Some(OPERATOR), clear)
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(a.handle.snapshot().await.unwrap()[0].override_, None);
    // Malformed and invalid requests.
    let (status, _) = a
        .call(
            Method::POST,
            "/override",
            Some(OPERATOR),
            Some(("application/json", b"{".to_vec())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let no_duration = json!({"resource_id": "app_instance:web", "action": "pause"});
    let (status, body) = a
        .send(Method::POST, "/override", Some(OPERATOR), no_duration)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap().contains("duration_seconds"));
    let bad_action = json!({"resource_id": "app_instance:web", "action": "freeze"});
    let (status, body) = a
        .send(Method::POST, "/override", Some(OPERATOR), bad_action)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["issues"][0]["field"], "action");
    let unknown =
        json!({"resource_id": "app_instance:nope", "action": "pause", "duration_seconds": 5});
    assert_eq!(
        a.send(Method::POST, "/override", Some(OPERATOR), unknown)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn metrics_are_pushed_by_metrics_writers() {
    let a = api().await;
    assert_eq!(
        a.send(Method::POST, "/metrics", None, sample(50.0)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        a.send(Method::POST, "/metrics", Some(VIEWER), sample(50.0))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = a
        .send(Method::POST, "/metrics", Some(WRITER), sample(50.0))
        .await;
    assert_eq!(
        (status, body["accepted"].clone()),
        (StatusCode::OK, json!(1))
    );
    let (status, body) = a
        .send(
            Method::POST,
            "/metrics",
            Some(WRITER),
            json!([sample(60.0), sample(95.0)]),
        )
        .await;
    assert_eq!(
        (status, body["accepted"].clone()),
        (StatusCode::OK, json!(2))
    );
    let (_, rec) = a
        .get("/recommendation/app_instance:web", Some(VIEWER))
        .await;
    let reason = rec["recommendation"]["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("cpu_percent"),
        "the pushed sample reached the engine: {rec}"
    );
    assert_eq!(
        a.heard()
            .iter()
            .filter(|h| h.starts_with("metrics"))
            .count(),
        3
    );
    // Malformed JSON, a wrong shape, a value the engine refuses.
    let (status, body) = a
        .call(
            Method::POST,
            "/metrics",
            Some(WRITER),
            Some(("application/json", b"[{\"resource_id\"".to_vec())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"].as_str().unwrap().contains("malformed JSON"),
        "{body}"
    );
    let mut wrong = sample(1.0);
    wrong["metrics"]["cpu_percent"] = json!("high");
    let (status, body) = a
        .send(
            Method::POST,
            "/metrics",
            Some(WRITER),
            json!([sample(1.0), wrong]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["issues"][0]["field"], "[1].metrics.cpu_percent",
        "{body}"
    );
    let mut negative = sample(1.0);
    negative["metrics"]["cpu_percent"] = json!(-5.0);
    let (status, body) = a
        .send(
            Method::POST,
            "/metrics",
            Some(WRITER),
            json!([sample(1.0), negative]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"]["accepted"], 1);
    assert_eq!(body["detail"]["rejected"][0]["index"], 1);
    assert!(
        body["detail"]["rejected"][0]["error"]
            .as_str()
            .unwrap()
            .contains("negative"),
        "{body}"
    );
}

#[tokio::test]
async fn every_mutating_call_is_audited_without_tokens() {
    let a = api().await;
    a.send(Method::POST, "/metrics", None, sample(1.0)).await;
    a.send(Method::POST, "/metrics", Some(VIEWER), sample(1.0))
        .await;
    a.send(Method::POST, "/metrics", Some(WRITER), sample(1.0))
        .await;
    let pause =
        json!({"resource_id": "app_instance:web", "action": "pause", "duration_seconds": 60});
    a.send(Method::POST, "/override", Some(OPERATOR), pause)
        .await;
    a.call(Method::POST, "/config/rollback/7", Some(ADMIN), None)
        .await;
    a.get("/status", Some(VIEWER)).await;
    let audit = a.audit();
    let rows: Vec<(String, String, String, String, u64)> = audit
        .iter()
        .map(|e| {
            (
                e["identity"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["target"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("anonymous", "POST /metrics", "", "unauthenticated", 401),
        ("grafana", "POST /metrics", "", "forbidden", 403),
        ("pusher", "POST /metrics", "app_instance:web", "ok", 200),
        ("oncall", "POST /override", "app_instance:web", "ok", 200),
        ("alice", "POST /config/rollback", "7", "rejected", 404),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(a, b, c, d, e)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.to_string(),
                *e,
            )
        })
        .collect();
    assert_eq!(rows, expected, "reads are not audited");
    assert!(
        audit
            .iter()
            .all(|e| e["time"].as_str().unwrap().ends_with('Z'))
    );
    let text = std::fs::read_to_string(a.dir.path().join("audit.jsonl")).unwrap();
    for token in [VIEWER, WRITER, OPERATOR, ADMIN] {
        assert!(!text.contains(token));
    }
}
