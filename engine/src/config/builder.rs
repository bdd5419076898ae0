//! A builder for [`LighthouseConfig`], as in the original library.

use super::load::fill_resource_types;
use super::validate::{ConfigError, validate};
use super::{LighthouseConfig, MaintenanceWindow, ResourceConfig};

/// Builds a [`LighthouseConfig`] and validates it in [`build`](Self::build).
#[derive(Clone, Debug, Default)]
pub struct LighthouseConfigBuilder {
    config: LighthouseConfig,
}

impl LighthouseConfigBuilder {
    /// Seconds between evaluation cycles.
    pub fn evaluation_interval(mut self, seconds: u64) -> Self {
        self.config.evaluation_interval_seconds = seconds;
        self
    }

    /// Adds the policies of one resource type.
    pub fn add_resource_config(mut self, resource_type: &str, config: ResourceConfig) -> Self {
        self.config
            .resource_configs
            .insert(resource_type.to_string(), config);
        self
    }

    /// Adds a free-form global setting, passed to every callback.
    pub fn global_setting(mut self, key: &str, value: &str) -> Self {
        self.config
            .global_settings
            .insert(key.to_string(), value.to_string());
        self
    }

    /// Turns decision logging on or off.
    pub fn enable_logging(mut self, enabled: bool) -> Self {
        self.config.enable_logging = enabled;
        self
    }

    /// Caps the spending rate, currency per hour.
    pub fn budget_limit_per_hour(mut self, limit: f64) -> Self {
        self.config.safety.budget_limit_per_hour = Some(limit);
        self
    }

    /// Adds a maintenance window.
    pub fn maintenance_window(mut self, window: MaintenanceWindow) -> Self {
        self.config.safety.maintenance_windows.push(window);
        self
    }

    /// Seconds after which a sample is stale.
    pub fn metric_max_age(mut self, seconds: u64) -> Self {
        self.config.metrics.max_age_seconds = seconds;
        self
    }

    /// Seed of the retry jitter generator.
    pub fn retry_seed(mut self, seed: u64) -> Self {
        self.config.retry.seed = seed;
        self
    }

    /// Validates and returns the configuration.
    pub fn build(mut self) -> Result<LighthouseConfig, ConfigError> {
        fill_resource_types(&mut self.config);
        validate(&self.config)?;
        Ok(self.config)
    }
}
