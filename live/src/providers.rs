//! Putting the metrics adapters together: a provider that picks the
//! adapter by resource type ([`RoutedMetricsProvider`]), and a tap that
//! keeps the latest sample of every resource, pulled or pushed
//! ([`LatestMetrics`]), for shadow timelines.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use lighthouse_engine::adapters::ResourceTypes;
use lighthouse_engine::{
    CallbackContext, LighthouseError, LighthouseResult, MetricsProvider, ResourceMetrics,
};

/// The latest sample of each resource; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct LatestMetrics(Arc<RwLock<BTreeMap<String, ResourceMetrics>>>);

impl LatestMetrics {
    /// Records a sample (an older one than the kept one is ignored).
    pub fn record(&self, sample: &ResourceMetrics) {
        if let Ok(mut map) = self.0.write() {
            let newer = map
                .get(&sample.resource_id)
                .is_none_or(|old| old.timestamp <= sample.timestamp);
            if newer {
                map.insert(sample.resource_id.clone(), sample.clone());
            }
        }
    }

    /// A copy of every latest sample, by resource id.
    pub fn snapshot(&self) -> BTreeMap<String, ResourceMetrics> {
        self.0.read().map(|m| m.clone()).unwrap_or_default()
    }
}

/// Asks the provider of each resource's type, and records what it answers.
pub struct RoutedMetricsProvider {
    types: ResourceTypes,
    by_type: BTreeMap<String, Arc<dyn MetricsProvider>>,
    fallback: Option<Arc<dyn MetricsProvider>>,
    latest: LatestMetrics,
}

impl RoutedMetricsProvider {
    /// A provider with no route yet; `types` says each resource's type.
    pub fn new(types: ResourceTypes, latest: LatestMetrics) -> Self {
        RoutedMetricsProvider {
            types,
            by_type: BTreeMap::new(),
            fallback: None,
            latest,
        }
    }

    /// Routes a resource type to a provider.
    pub fn route(mut self, resource_type: &str, provider: Arc<dyn MetricsProvider>) -> Self {
        self.by_type.insert(resource_type.to_string(), provider);
        self
    }

    /// The provider of types without a route.
    pub fn fallback(mut self, provider: Arc<dyn MetricsProvider>) -> Self {
        self.fallback = Some(provider);
        self
    }
}

#[async_trait]
impl MetricsProvider for RoutedMetricsProvider {
    async fn get_metrics(
        &self,
        resource_id: &str,
        context: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        let resource_type = self.types.type_of(resource_id).unwrap_or_default();
        let provider = self
            .by_type
            .get(&resource_type)
            .or(self.fallback.as_ref())
            .ok_or_else(|| LighthouseError::MetricsProvider {
                resource_id: resource_id.to_string(),
                message: format!("no metrics provider for resource type {resource_type:?}"),
            })?;
        let sample = provider.get_metrics(resource_id, context).await?;
        if let Some(s) = &sample {
            self.latest.record(s);
        }
        Ok(sample)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lighthouse_engine::Timestamp;

    struct Fixed(f64);

    #[async_trait]
    impl MetricsProvider for Fixed {
        async fn get_metrics(
            &self,
            resource_id: &str,
            context: &CallbackContext,
        ) -> LighthouseResult<Option<ResourceMetrics>> {
            Ok(Some(ResourceMetrics {
                resource_id: resource_id.to_string(),
                resource_type: String::new(),
                timestamp: context.timestamp,
                metrics: [("cpu_percent".to_string(), self.0)].into(),
            }))
        }
    }

    #[tokio::test]
    async fn routes_by_type_and_keeps_the_latest() {
        let types = ResourceTypes::new();
        types.insert("app_instance:api", "api_tier");
        let latest = LatestMetrics::default();
        let routed = RoutedMetricsProvider::new(types, latest.clone())
            .route("api_tier", Arc::new(Fixed(1.0)))
            .fallback(Arc::new(Fixed(2.0)));
        let cx = CallbackContext {
            timestamp: Timestamp::from_secs(5),
            ..CallbackContext::default()
        };
        let a = routed.get_metrics("app_instance:api", &cx).await.unwrap();
        let b = routed.get_metrics("app_instance:web", &cx).await.unwrap();
        assert_eq!(a.unwrap().metrics["cpu_percent"], 1.0);
        assert_eq!(b.unwrap().metrics["cpu_percent"], 2.0);
        assert_eq!(latest.snapshot().len(), 2);
        let none = RoutedMetricsProvider::new(ResourceTypes::new(), latest);
        assert!(none.get_metrics("app_instance:web", &cx).await.is_err());
    }
}
