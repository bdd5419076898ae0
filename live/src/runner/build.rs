//! Building the pieces live mode runs: the adapters chosen by the
//! configuration, and the engine core restored from its saved state.

use std::sync::Arc;

use lighthouse_engine::adapters::{
    OmniCloudClient, OmniCloudExecutor, OmniCloudMetricsProvider, PrometheusMetricsProvider,
    ResourceTypes,
};
use lighthouse_engine::config::load::fill_resource_types;
use lighthouse_engine::{EngineCore, LighthouseConfig, MetricsProvider, Timestamp};

use super::LiveError;
use crate::config::{LiveConfig, ProviderKind};
use crate::providers::{LatestMetrics, RoutedMetricsProvider};
use crate::state_store::StateStore;

/// The adapters of a live configuration.
pub struct Adapters {
    /// Resource id → type, shared by the adapters.
    pub types: ResourceTypes,
    /// The metrics provider (routed by type, recording the latest sample).
    pub metrics: RoutedMetricsProvider,
    /// The real executor.
    pub executor: Arc<OmniCloudExecutor>,
    /// The latest sample of every resource.
    pub latest: LatestMetrics,
}

/// Builds the adapters: Prometheus and/or OmniCloud metrics by resource
/// type, the OmniCloud executor.
pub fn adapters(config: &LiveConfig, engine: &LighthouseConfig) -> Result<Adapters, LiveError> {
    let types = ResourceTypes::new();
    for r in &config.resources {
        if let Some(t) = r.type_name() {
            types.insert(&r.id, &t);
        }
    }
    let client = OmniCloudClient::new(config.omnicloud.clone())?;
    let prometheus: Option<Arc<dyn MetricsProvider>> = match &config.prometheus {
        Some(p) => Some(Arc::new(PrometheusMetricsProvider::new(p, types.clone())?)),
        None => None,
    };
    let omnicloud: Arc<dyn MetricsProvider> =
        Arc::new(OmniCloudMetricsProvider::new(client.clone(), types.clone()));
    let pick = |kind: ProviderKind| match kind {
        ProviderKind::Prometheus => prometheus.clone(),
        ProviderKind::Omnicloud => Some(omnicloud.clone()),
        ProviderKind::None => None,
    };
    let latest = LatestMetrics::default();
    let mut metrics = RoutedMetricsProvider::new(types.clone(), latest.clone());
    let type_names = engine
        .resource_configs
        .keys()
        .chain(config.metrics.by_type.keys());
    for type_name in type_names {
        if let Some(p) = pick(config.metrics.provider_for(type_name)) {
            metrics = metrics.route(type_name, p);
        }
    }
    // Types added later through the API use the default provider.
    if let Some(p) = pick(config.metrics.provider) {
        metrics = metrics.fallback(p);
    }
    Ok(Adapters {
        types,
        metrics,
        executor: Arc::new(OmniCloudExecutor::new(client)),
        latest,
    })
}

/// The engine core: restored from the saved state when there is one (its
/// cooldowns, back-off and history kept), else new. When the configuration
/// file's engine configuration changed since the last start it is applied
/// on top as an update; when it did not, the configuration in force is
/// kept (with changes made through the API). Returns the core and the ids
/// of saved resources that were dropped.
pub fn restore_core(
    store: &StateStore,
    mut engine: LighthouseConfig,
    now: Timestamp,
) -> Result<(EngineCore, Vec<String>), LiveError> {
    fill_resource_types(&mut engine);
    let previous = store.load_source()?;
    let restored = match store.load()? {
        None => (EngineCore::new(engine.clone(), now)?, Vec::new()),
        Some(state) => {
            let saved_at = state.saved_at;
            let (mut core, dropped) = EngineCore::from_state(state)?;
            let file_changed = previous.as_ref() != Some(&engine);
            if file_changed && core.config() != &engine {
                let version = core.update_config(engine.clone(), now.max(saved_at))?;
                tracing::info!(
                    version,
                    "the engine configuration file changed since the last start; applied as an update"
                );
            }
            (core, dropped)
        }
    };
    store.save_source(&engine)?;
    Ok(restored)
}
