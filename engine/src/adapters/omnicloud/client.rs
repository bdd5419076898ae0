//! The OmniCloud REST client: the orchestrator's listings (always with
//! `page` and `per_page`, following every page), the absolute scale call,
//! and OmniDirector actions (checking `success` as well as the status).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api::{DirectorRequest, DirectorResponse, Instance, Page, Worker};
use super::{OmniCloudConfig, OmniCloudError};
use crate::adapters::http::{HttpClient, HttpError, RetryOn};
use crate::adapters::prometheus::endpoint;

/// Most pages read from one listing (a guard against a server that never
/// says it is done).
const MAX_PAGES: u64 = 10_000;

/// An app as the calls address it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRef {
    /// The name after `app_instance:`.
    pub name: String,
    /// Its platform id.
    pub platform_id: String,
    /// Its app id.
    pub app_id: String,
}

#[derive(Debug)]
struct Inner {
    config: OmniCloudConfig,
    api: HttpClient,
    base: Url,
    director: Option<(HttpClient, Url)>,
    /// (platform id, app name) → app id, learnt from the app listing.
    app_ids: Mutex<BTreeMap<(String, String), String>>,
}

/// A client of the orchestrator (and the director, when configured);
/// cheap to clone.
#[derive(Clone, Debug)]
pub struct OmniCloudClient {
    inner: Arc<Inner>,
}

#[derive(Deserialize)]
struct AppSummary {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    name: String,
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl OmniCloudClient {
    /// A client for `config` (the token is resolved now).
    pub fn new(config: OmniCloudConfig) -> Result<Self, HttpError> {
        let api = HttpClient::new(config.http.clone(), config.resolve_token())?;
        let base = endpoint(&config.url, "api/v1/")?;
        let director = match &config.director {
            Some(d) => Some((
                HttpClient::new(d.http.clone(), None)?,
                endpoint(&d.url, "action")?,
            )),
            None => None,
        };
        Ok(OmniCloudClient {
            inner: Arc::new(Inner {
                config,
                api,
                base,
                director,
                app_ids: Mutex::new(BTreeMap::new()),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &OmniCloudConfig {
        &self.inner.config
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in query {
                pairs.append_pair(k, v);
            }
        }
        url
    }

    /// Where app `name` is: platform from its entry or the default one, id
    /// from its entry or looked up by name in the platform's app listing.
    pub async fn resolve_app(&self, name: &str) -> Result<AppRef, OmniCloudError> {
        let config = &self.inner.config;
        let entry = config.apps.get(name).cloned().unwrap_or_default();
        let platform_id = entry
            .platform_id
            .or_else(|| config.platform_id.clone())
            .ok_or_else(|| {
                OmniCloudError::NotConfigured(format!(
                    "no platform id for app {name:?}: set omnicloud.platform_id or omnicloud.apps.{name}.platform_id"
                ))
            })?;
        if let Some(app_id) = entry.app_id {
            return Ok(AppRef {
                name: name.to_string(),
                platform_id,
                app_id,
            });
        }
        let key = (platform_id.clone(), name.to_string());
        if let Some(id) = self.cached_app_id(&key) {
            return Ok(AppRef {
                name: name.to_string(),
                platform_id,
                app_id: id,
            });
        }
        let apps: Vec<AppSummary> = self
            .list_all(
                &["platform", &platform_id, "apps"],
                "apps",
                |a: &AppSummary| id_text(&a.id),
            )
            .await?;
        let found = apps.iter().find(|a| a.name == name).map(|a| id_text(&a.id));
        if let Ok(mut cache) = self.inner.app_ids.lock() {
            for a in &apps {
                cache.insert((platform_id.clone(), a.name.clone()), id_text(&a.id));
            }
        }
        let app_id = found.filter(|id| !id.is_empty()).ok_or_else(|| {
            OmniCloudError::NotConfigured(format!(
                "no app named {name:?} on platform {platform_id}: set omnicloud.apps.{name}.app_id"
            ))
        })?;
        Ok(AppRef {
            name: name.to_string(),
            platform_id,
            app_id,
        })
    }

    fn cached_app_id(&self, key: &(String, String)) -> Option<String> {
        self.inner.app_ids.lock().ok()?.get(key).cloned()
    }

    /// Every instance of an app
    /// (`GET /api/v1/platform/<pid>/apps/<id>/instances?page=P&per_page=N`).
    pub async fn instances(&self, app: &AppRef) -> Result<Vec<Instance>, OmniCloudError> {
        self.list_all(
            &[
                "platform",
                &app.platform_id,
                "apps",
                &app.app_id,
                "instances",
            ],
            "instances",
            |i: &Instance| i.id.clone(),
        )
        .await
    }

    /// Every worker (`GET /api/v1/workers?page=P&per_page=N`).
    pub async fn workers(&self) -> Result<Vec<Worker>, OmniCloudError> {
        self.list_all(&["workers"], "workers", |w: &Worker| w.id.clone())
            .await
    }

    /// Reads every page of a listing. Items are told apart by `id`; a page
    /// that brings nothing new ends the listing, as does the last page
    /// announced by `pagination`, or a short page without one.
    async fn list_all<T: serde::de::DeserializeOwned>(
        &self,
        segments: &[&str],
        key: &str,
        id: fn(&T) -> String,
    ) -> Result<Vec<T>, OmniCloudError> {
        let per_page = self.inner.config.per_page.max(1);
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = self.url(
                segments,
                &[
                    ("page", page.to_string()),
                    ("per_page", per_page.to_string()),
                ],
            );
            let answer = self.inner.api.get(&url).await?;
            let decoded =
                Page::<T>::decode(&answer.body, key).map_err(|message| HttpError::Decode {
                    method: "GET".to_string(),
                    url: url.to_string(),
                    message,
                })?;
            let count = decoded.items.len();
            let mut fresh = 0;
            for item in decoded.items {
                let item_id = id(&item);
                if item_id.is_empty() || seen.insert(item_id) {
                    out.push(item);
                    fresh += 1;
                }
            }
            let last = match decoded.pagination.and_then(|p| p.total_pages) {
                Some(total) => page >= total,
                None => count < per_page as usize,
            };
            if last || fresh == 0 {
                break;
            }
        }
        Ok(out)
    }

    /// Sets an app's instance count (absolute) with
    /// `PUT /api/v1/platform/<pid>/apps/<id>/scale`
    /// `{"instances": n, "memory": mb}`. Not repeated once sent.
    pub async fn scale_app(
        &self,
        app: &AppRef,
        instances: u32,
        memory_mb: u32,
    ) -> Result<(), OmniCloudError> {
        let url = self.url(
            &["platform", &app.platform_id, "apps", &app.app_id, "scale"],
            &[],
        );
        let body = json!({"instances": instances, "memory": memory_mb});
        let answer = self
            .inner
            .api
            .send_json(Method::PUT, &url, &body, RetryOn::NotSent)
            .await?;
        // A 2xx whose JSON body says it failed is a failure.
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&answer.body) {
            let failed = map.get("success") == Some(&Value::Bool(false))
                || map.get("status").and_then(Value::as_str) == Some("error");
            if failed {
                let message = map
                    .get("error")
                    .or_else(|| map.get("message"))
                    .map_or_else(|| Value::Object(map.clone()).to_string(), id_text);
                return Err(OmniCloudError::Refused {
                    action: "scale".to_string(),
                    message,
                });
            }
        }
        Ok(())
    }

    /// Runs an OmniDirector `VM_Manage` action (`POST /action`) and returns
    /// its `result`. `provider` defaults to the director's. Not repeated
    /// once sent.
    pub async fn director_action(
        &self,
        provider: Option<&str>,
        action: &str,
        params: Value,
    ) -> Result<Value, OmniCloudError> {
        let (Some((client, url)), Some(config)) =
            (&self.inner.director, &self.inner.config.director)
        else {
            return Err(OmniCloudError::NotConfigured(
                "scaling workers needs omnicloud.director".to_string(),
            ));
        };
        let request = DirectorRequest {
            provider: provider.unwrap_or(&config.provider).to_string(),
            feature: "VM_Manage".to_string(),
            action: action.to_string(),
            params,
            timeout_seconds: config.action_timeout_seconds,
        };
        let answer = client
            .send_json(Method::POST, url, &request, RetryOn::NotSent)
            .await?;
        let response: DirectorResponse = answer.json(&Method::POST, url)?;
        if !response.success {
            let message = match response.error {
                Some(Value::String(s)) => s,
                Some(Value::Null) | None => "no error given".to_string(),
                Some(other) => other.to_string(),
            };
            return Err(OmniCloudError::Refused {
                action: action.to_string(),
                message,
            });
        }
        Ok(response.result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_under_api_v1_with_escaped_segments() {
        let client = OmniCloudClient::new(OmniCloudConfig::new("http://o:8002/prefix")).unwrap();
        let url = client.url(
            &["platform", "1", "apps", "a b", "instances"],
            &[("page", "1".into()), ("per_page", "100".into())],
        );
        assert_eq!(
            url.as_str(),
            "http://o:8002/prefix/api/v1/platform/1/apps/a%20b/instances?page=1&per_page=100"
        );
    }
}
