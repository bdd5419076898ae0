//! What the adapters need to know about resource ids: their type (for the
//! samples they build and the queries they pick) and their parts.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::types::ResourceLayer;
use crate::utils::parse_resource_id;

/// Resource id → resource type, shared between adapters and whoever
/// registers resources. A resource not listed has the type named after its
/// layer (`app_instance:web` → `app_instance`).
#[derive(Clone, Debug, Default)]
pub struct ResourceTypes(Arc<RwLock<BTreeMap<String, String>>>);

impl ResourceTypes {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the type of a resource.
    pub fn insert(&self, resource_id: &str, resource_type: &str) {
        if let Ok(mut map) = self.0.write() {
            map.insert(resource_id.to_string(), resource_type.to_string());
        }
    }

    /// The type of a resource: the recorded one, else its layer's name,
    /// else `None` for an id without a layer prefix.
    pub fn type_of(&self, resource_id: &str) -> Option<String> {
        if let Some(t) = self.0.read().ok().and_then(|m| m.get(resource_id).cloned()) {
            return Some(t);
        }
        ResourceLayer::of_resource_id(resource_id).map(|l| l.prefix().to_string())
    }
}

/// The name after the layer prefix: `app_instance:web` → `web`,
/// `app_instance:web:3` → `web`, `worker_node:pool-a` → `pool-a`.
pub fn resource_name(resource_id: &str) -> Option<&str> {
    parse_resource_id(resource_id).map(|(_, name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_default_to_the_layer() {
        let t = ResourceTypes::new();
        t.insert("app_instance:api", "api_tier");
        assert_eq!(t.type_of("app_instance:api").as_deref(), Some("api_tier"));
        assert_eq!(
            t.type_of("app_instance:web").as_deref(),
            Some("app_instance")
        );
        assert_eq!(t.type_of("web"), None);
        assert_eq!(resource_name("app_instance:web:3"), Some("web"));
        assert_eq!(resource_name("worker_node:pool-a"), Some("pool-a"));
    }
}
