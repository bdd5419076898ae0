//! The read-only routes.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lighthouse_live::config::ScrapeAuth;
use serde_json::Value;
use tower::ServiceExt;

use super::*;

#[tokio::test]
async fn status_needs_a_known_token() {
    let a = api().await;
    let (status, body) = a.get("/status", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body["error"].as_str().unwrap().contains("bearer token"));
    assert_eq!(
        a.get("/status", Some("not-a-real-token-at-all")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = a.get("/status", Some(VIEWER)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["engine"]["resources_tracked"], 1);
    assert_eq!(body["shadow"], false);
}

#[tokio::test]
async fn unauthenticated_answers_carry_www_authenticate() {
    let a = api().await;
    let response = a
        .router
        .clone()
        .oneshot(Request::get("/config").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
}

#[tokio::test]
async fn recommendations_follow_pushed_metrics() {
    let a = api().await;
    assert_eq!(
        a.get("/recommendation/app_instance:web", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = a
        .get("/recommendation/app_instance:web", Some(VIEWER))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["resource_id"], "app_instance:web");
    let reason = |body: &Value| {
        body["recommendation"]["reason"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(!reason(&body).contains("cpu_percent"), "{body}");
    a.handle
        .update_metrics(serde_json::from_value(sample(95.0)).unwrap())
        .await
        .unwrap();
    let (_, body) = a
        .get("/recommendation/app_instance:web", Some(VIEWER))
        .await;
    assert_eq!(body["recommendation"]["direction"], "up", "{body}");
    assert!(reason(&body).contains("cpu_percent"), "{body}");
    let (status, body) = a
        .get("/recommendation/app_instance:nope", Some(VIEWER))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("app_instance:nope")
    );
}

#[tokio::test]
async fn the_scrape_is_open_or_needs_a_viewer_as_configured() {
    let a = api().await;
    let response = a
        .router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("lighthouse_resources_tracked 1"), "{text}");
    assert!(text.contains("lighthouse_config_version 1"), "{text}");
    let closed = api_with(ScrapeAuth::Viewer, 1 << 20).await;
    assert_eq!(
        closed.get("/metrics", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(closed.get("/metrics", Some(VIEWER)).await.0, StatusCode::OK);
    // The same path, another method: pushing needs a metrics writer.
    assert_eq!(
        closed
            .send(Method::POST, "/metrics", Some(VIEWER), sample(1.0))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}
