//! The OmniCloud answers the adapters read, decoded leniently: ids may be
//! numbers or strings, numbers may be null or strings, unknown fields are
//! ignored, and lists come bare or wrapped with pagination.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One app instance (`Instance` upstream); only the fields used here.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Instance {
    /// The instance's id.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// `running, starting, stopping, stopped, crashed, terminated, unknown`.
    #[serde(default, deserialize_with = "text")]
    pub status: String,
    /// CPU use, percent.
    #[serde(default, deserialize_with = "number")]
    pub cpu_usage: Option<f64>,
    /// Memory use, percent.
    #[serde(default, deserialize_with = "number")]
    pub memory_usage: Option<f64>,
}

impl Instance {
    /// Whether the instance counts as capacity (`status` is `running`).
    pub fn is_running(&self) -> bool {
        self.status.eq_ignore_ascii_case("running")
    }
}

/// One worker node (`Worker` upstream); only the fields used here.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Worker {
    /// The worker's id in the orchestrator.
    #[serde(default, deserialize_with = "id_string")]
    pub id: String,
    /// Its name (the VM name given at creation).
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// The VM's id at the cloud provider (what `delete_vm` takes).
    #[serde(default, deserialize_with = "id_string")]
    pub provider_id: String,
    /// Its status, e.g. `running`.
    #[serde(default, deserialize_with = "text")]
    pub status: String,
    /// CPU, cores.
    #[serde(default, deserialize_with = "number")]
    pub cpu_total: Option<f64>,
    /// CPU reserved by workloads, cores.
    #[serde(default, deserialize_with = "number")]
    pub cpu_reserved: Option<f64>,
    /// Memory, MB.
    #[serde(default, deserialize_with = "number")]
    pub memory_total: Option<f64>,
    /// Memory reserved by workloads, MB.
    #[serde(default, deserialize_with = "number")]
    pub memory_reserved: Option<f64>,
    /// Labels: an object, a list of `key=value` or bare words, or either
    /// of them as a JSON string.
    #[serde(default)]
    pub labels: Value,
}

impl Worker {
    /// The value of label `key`: `"true"` for a bare word, `None` when absent.
    pub fn label(&self, key: &str) -> Option<String> {
        label_in(&self.labels, key)
    }

    /// Whether the worker carries label `key` with a true value
    /// (`true`, `"true"`, `"yes"`, `"1"`, or a bare word).
    pub fn has_flag(&self, key: &str) -> bool {
        self.label(key).is_some_and(|v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "yes" | "1" | "on" | ""
            )
        })
    }

    /// The id `delete_vm` takes: the provider's id, else the worker's.
    pub fn vm_id(&self) -> &str {
        if self.provider_id.is_empty() {
            &self.id
        } else {
            &self.provider_id
        }
    }
}

fn label_in(labels: &Value, key: &str) -> Option<String> {
    match labels {
        Value::Object(map) => map.get(key).map(|v| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }),
        Value::Array(items) => items.iter().find_map(|item| {
            let s = item.as_str()?;
            match s.split_once('=') {
                Some((k, v)) if k.trim() == key => Some(v.trim().to_string()),
                None if s.trim() == key => Some("true".to_string()),
                _ => None,
            }
        }),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => label_in(&v, key),
            _ => {
                let items = text
                    .split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect();
                label_in(&Value::Array(items), key)
            }
        },
        _ => None,
    }
}

/// `pagination` of a listing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
pub struct Pagination {
    /// Page number (1-based).
    #[serde(default)]
    pub page: Option<u64>,
    /// Pages in all.
    #[serde(default)]
    pub total_pages: Option<u64>,
}

/// One page of a listing: a bare list, or `{<key>: [...], pagination}`.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The pagination, when the server gave one.
    pub pagination: Option<Pagination>,
}

impl<T: serde::de::DeserializeOwned> Page<T> {
    /// Decodes a page whose items sit under `key` (or at the top, bare).
    pub fn decode(body: &[u8], key: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let (items, pagination) = match value {
            Value::Array(items) => (Value::Array(items), None),
            Value::Object(mut map) => {
                let items = map
                    .remove(key)
                    .ok_or_else(|| format!("no {key:?} list in the answer"))?;
                let pagination = map
                    .remove("pagination")
                    .map(serde_json::from_value::<Pagination>)
                    .transpose()
                    .map_err(|e| format!("pagination: {e}"))?;
                (items, pagination)
            }
            other => return Err(format!("expected a list or an object, got {other}")),
        };
        let items = serde_json::from_value(items).map_err(|e| format!("{key}: {e}"))?;
        Ok(Page { items, pagination })
    }
}

/// A request to OmniDirector's `POST /action`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DirectorRequest {
    /// The cloud provider interface, e.g. `virtualbox`, `aws`.
    pub provider: String,
    /// Always `VM_Manage` here.
    pub feature: String,
    /// `create_vm`, `delete_vm`, …
    pub action: String,
    /// The action's parameters.
    pub params: Value,
    /// How long the director may take, seconds.
    pub timeout_seconds: u64,
}

/// OmniDirector's answer; `success` must be checked as well as the HTTP status.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct DirectorResponse {
    /// Whether the action succeeded.
    #[serde(default)]
    pub success: bool,
    /// The action's result (`{vm_id, name, status, …}` for `create_vm`).
    #[serde(default)]
    pub result: Value,
    /// Why it failed.
    #[serde(default)]
    pub error: Option<Value>,
}

fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    id_string(d)
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_decode_leniently() {
        let body = br#"{"instances":[
            {"id":1,"status":"running","cpu_usage":50.5,"memory_usage":"20"},
            {"id":"b","status":"crashed","cpu_usage":null}],
            "pagination":{"page":1,"per_page":2,"total_count":3,"total_pages":2}}"#;
        let page = Page::<Instance>::decode(body, "instances").unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].id, "1");
        assert_eq!(page.items[0].memory_usage, Some(20.0));
        assert!(page.items[0].is_running() && !page.items[1].is_running());
        assert_eq!(page.pagination.unwrap().total_pages, Some(2));
        let bare = br#"[{"id":7,"name":"w","status":"running"}]"#;
        let page = Page::<Worker>::decode(bare, "workers").unwrap();
        assert_eq!(page.items[0].vm_id(), "7");
        assert!(page.pagination.is_none());
        assert!(Page::<Worker>::decode(b"{}", "workers").is_err());
        assert!(Page::<Worker>::decode(b"not json", "workers").is_err());
    }

    #[test]
    fn labels_in_every_shape() {
        let w = |labels: Value| Worker {
            labels,
            ..Worker::default()
        };
        let object = w(serde_json::json!({"pool": "a", "critical": true}));
        assert_eq!(object.label("pool").as_deref(), Some("a"));
        assert!(object.has_flag("critical"));
        let list = w(serde_json::json!(["pool=b", "critical"]));
        assert_eq!(list.label("pool").as_deref(), Some("b"));
        assert!(list.has_flag("critical"));
        let text = w(Value::String(r#"{"critical":"false"}"#.into()));
        assert!(!text.has_flag("critical"));
        let csv = w(Value::String("pool=c, critical=yes".into()));
        assert_eq!(csv.label("pool").as_deref(), Some("c"));
        assert!(csv.has_flag("critical"));
        assert!(!w(Value::Null).has_flag("critical"));
    }
}
