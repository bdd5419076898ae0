//! Every route against every kind of caller: no token and an unknown token
//! (401), each role below the one the route needs (403), the role it needs
//! with a good request (200), and a malformed request (4xx naming what is
//! wrong). Routes a viewer may call have no role below theirs, so no token
//! can be refused 403 there: the matrix checks that every role is let in.

use axum::http::{Method, StatusCode};
use lighthouse_live::config::ScrapeAuth;
use serde_json::{Value, json};

use super::*;

/// Tokens from the lowest role to the highest.
const ROLES: [(&str, &str); 4] = [
    ("viewer", VIEWER),
    ("metrics-writer", WRITER),
    ("operator", OPERATOR),
    ("admin", ADMIN),
];

struct Route {
    method: Method,
    path: &'static str,
    /// Index in `ROLES` of the lowest role allowed.
    needs: usize,
    /// A good body (JSON), if the route takes one.
    body: Option<Value>,
    /// A malformed request: (path, raw body) and a word the error names.
    malformed: Option<(&'static str, Option<&'static str>, &'static str)>,
}

fn routes(config: Value) -> Vec<Route> {
    vec![
        Route {
            method: Method::GET,
            path: "/status",
            needs: 0,
            body: None,
            malformed: None,
        },
        Route {
            method: Method::GET,
            path: "/config",
            needs: 0,
            body: None,
            malformed: None,
        },
        Route {
            method: Method::GET,
            path: "/config/history",
            needs: 0,
            body: None,
            malformed: None,
        },
        Route {
            method: Method::GET,
            path: "/recommendation/app_instance:web",
            needs: 0,
            body: None,
            malformed: Some(("/recommendation/not-a-resource", None, "not-a-resource")),
        },
        Route {
            method: Method::GET,
            path: "/metrics",
            needs: 0,
            body: None,
            malformed: None,
        },
        Route {
            method: Method::POST,
            path: "/metrics",
            needs: 1,
            body: Some(sample(42.0)),
            malformed: Some(("/metrics", Some("{\"resource_id\": "), "JSON")),
        },
        Route {
            method: Method::POST,
            path: "/override",
            needs: 2,
            body: Some(
                json!({"resource_id": "app_instance:web", "action": "pause", "duration_seconds": 60}),
            ),
            malformed: Some((
                "/override",
                Some("{\"resource_id\": \"app_instance:web\","),
                "JSON",
            )),
        },
        Route {
            method: Method::PUT,
            path: "/config",
            needs: 3,
            body: Some(config),
            malformed: Some((
                "/config",
                Some("{\"evaluation_interval_seconds\": }"),
                "JSON",
            )),
        },
        Route {
            method: Method::POST,
            path: "/config/rollback/1",
            needs: 3,
            body: None,
            malformed: Some(("/config/rollback/first", None, "first")),
        },
    ]
}

async fn request(
    a: &Api,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Value) {
    let body = body.map(|b| ("application/json", b.as_bytes().to_vec()));
    a.call(method.clone(), path, token, body).await
}

#[tokio::test]
async fn every_route_answers_401_403_200_and_4xx() {
    // The scrape needs a viewer here, so that it is checked like the rest.
    let a = api_with(ScrapeAuth::Viewer, 1 << 20).await;
    let (_, config) = a.get("/config", Some(VIEWER)).await;
    for route in routes(config) {
        let name = format!("{} {}", route.method, route.path);
        let body = route.body.as_ref().map(Value::to_string);
        for token in [None, Some("no-such-token-00000000000")] {
            let (status, answer) =
                request(&a, &route.method, route.path, token, body.as_deref()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {answer}");
        }
        for (role, token) in &ROLES[..route.needs] {
            let (status, answer) =
                request(&a, &route.method, route.path, Some(token), body.as_deref()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} as {role}: {answer}");
            let needed = ROLES[route.needs].0;
            assert!(
                answer["error"].as_str().unwrap_or("").contains(needed),
                "{name} as {role} should name {needed}: {answer}"
            );
        }
        for (role, token) in &ROLES[route.needs..] {
            let (status, answer) =
                request(&a, &route.method, route.path, Some(token), body.as_deref()).await;
            assert_eq!(status, StatusCode::OK, "{name} as {role}: {answer}");
        }
        if let Some((path, raw, names)) = route.malformed {
            let token = ROLES[route.needs].1;
            let (status, answer) = request(&a, &route.method, path, Some(token), raw).await;
            assert!(
                status.is_client_error() && status != StatusCode::UNAUTHORIZED,
                "{name} malformed: {status} {answer}"
            );
            let text = answer.to_string();
            assert!(
                text.contains(names),
                "{name} malformed should name {names}: {text}"
            );
        }
    }
}
