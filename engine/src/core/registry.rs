//! Tracking resources and taking their samples in.

use super::compiled::CompiledConfig;
use super::state::{MetricsSource, NO_TYPE, ResourceState};
use super::{EngineCore, MetricKey, ResourceKey};
use crate::error::{LighthouseError, MetricRejection, RejectedMetric};
use crate::policy::Sample;
use crate::policy::target::TargetState;
use crate::time::Timestamp;
use crate::types::{ResourceLayer, ResourceMetrics, ScaleDirection};

impl EngineCore {
    /// Starts tracking a resource (or returns its key if tracked already).
    /// Its layer comes from the id's prefix and must match its type's layer.
    pub fn register_resource(
        &mut self,
        resource_id: &str,
        resource_type: &str,
        source: MetricsSource,
    ) -> Result<ResourceKey, LighthouseError> {
        if let Some(&i) = self.ids.get(resource_id) {
            let r = &mut self.resources[i as usize];
            r.source = source;
            return Ok(ResourceKey(i));
        }
        let layer = ResourceLayer::of_resource_id(resource_id).ok_or_else(|| {
            LighthouseError::InvalidResourceId {
                resource_id: resource_id.to_string(),
            }
        })?;
        let type_idx = *self.compiled.type_index.get(resource_type).ok_or_else(|| {
            LighthouseError::UnknownResourceType {
                resource_id: resource_id.to_string(),
                resource_type: resource_type.to_string(),
            }
        })?;
        let ty = &self.compiled.types[type_idx as usize];
        if ty.layer != layer {
            return Err(LighthouseError::LayerMismatch {
                resource_id: resource_id.to_string(),
                resource_type: resource_type.to_string(),
                expected: ty.layer,
            });
        }
        let type_name = self.intern_type_name(resource_type);
        let ty = &self.compiled.types[type_idx as usize];
        let index = u32::try_from(self.resources.len()).expect("fewer than 4 billion resources");
        let id: std::sync::Arc<str> = resource_id.into();
        let sample_base = self.samples.len() as u32;
        self.samples
            .extend(std::iter::repeat_n(Sample::NONE, ty.slots.len()));
        self.resources.push(ResourceState {
            id: id.clone(),
            type_name,
            type_idx,
            layer,
            source,
            sample_base,
            capacity: None,
            capacity_at: Timestamp::MIN,
            at_limit_reported: false,
            cooldown_until: [Timestamp::MIN; 2],
            signal: ScaleDirection::Maintain,
            signal_since: Timestamp::MIN,
            failures: 0,
            backoff_until: Timestamp::MIN,
            protected_workers: 0,
            override_: None,
            target_states: new_target_states(&self.compiled, type_idx),
            last_action: None,
            failed_action: None,
        });
        self.ids.insert(id, index);
        self.by_layer[layer.index()].push(index);
        Ok(ResourceKey(index))
    }

    fn intern_type_name(&mut self, name: &str) -> u32 {
        match self.type_names.iter().position(|n| &**n == name) {
            Some(i) => i as u32,
            None => {
                self.type_names.push(name.into());
                (self.type_names.len() - 1) as u32
            }
        }
    }

    /// Takes in a pushed or pulled sample. Unknown resources are registered
    /// (as pushed). Valid values are kept even when others are refused; the
    /// refused ones are returned in the error. Metrics no policy reads are
    /// checked and dropped.
    pub fn observe_metrics(&mut self, m: &ResourceMetrics) -> Result<ResourceKey, LighthouseError> {
        let key = match self.ids.get(m.resource_id.as_str()) {
            Some(&i) => ResourceKey(i),
            None => {
                self.register_resource(&m.resource_id, &m.resource_type, MetricsSource::Push)?
            }
        };
        let mut rejected = Vec::new();
        for (name, &value) in &m.metrics {
            let metric = self.interner.get(name);
            let signed = metric.is_some_and(|k| self.compiled.signed.contains(&k))
                || self.config.metrics.signed_metrics.iter().any(|s| s == name);
            if let Some(reason) = check_value(value, signed) {
                rejected.push(RejectedMetric {
                    metric: name.clone(),
                    value,
                    reason,
                });
                continue;
            }
            if let Some(metric) = metric {
                self.store(key, metric, value, m.timestamp);
            }
        }
        if rejected.is_empty() {
            Ok(key)
        } else {
            Err(LighthouseError::InvalidMetrics {
                resource_id: m.resource_id.clone(),
                rejected,
            })
        }
    }

    /// Whether the policies of `key`'s type read `metric`. Samples of other
    /// metrics are dropped on arrival, so a caller that pushes many values
    /// per cycle can skip them; the answer changes only with the
    /// configuration.
    pub fn reads_metric(&self, key: ResourceKey, metric: MetricKey) -> bool {
        let r = &self.resources[key.index()];
        r.type_idx != NO_TYPE
            && self.compiled.types[r.type_idx as usize]
                .slot_of(metric)
                .is_some()
    }

    /// The allocation-free path for one value: the metric is interned
    /// ([`EngineCore::metric_key`]) and the resource registered beforehand.
    #[inline]
    pub fn observe_sample(
        &mut self,
        key: ResourceKey,
        metric: MetricKey,
        value: f64,
        at: Timestamp,
    ) -> Result<(), MetricRejection> {
        let signed = self.compiled.signed.contains(&metric);
        if let Some(reason) = check_value(value, signed) {
            return Err(reason);
        }
        self.store(key, metric, value, at);
        Ok(())
    }

    #[inline]
    fn store(&mut self, key: ResourceKey, metric: MetricKey, value: f64, at: Timestamp) {
        let r = &self.resources[key.index()];
        if r.type_idx == NO_TYPE {
            return;
        }
        let ty = &self.compiled.types[r.type_idx as usize];
        if let Some(slot) = ty.slot_of(metric) {
            let sample = &mut self.samples[r.sample_base as usize + slot as usize];
            // An older sample arriving late never replaces a newer one.
            if at >= sample.at {
                *sample = Sample { value, at };
            }
        }
    }

    /// Rebinds every resource to a new compiled configuration: types by
    /// name, samples by metric, target-tracking history kept when the type's
    /// policies keep their shape.
    pub(super) fn rebind_resources(&mut self, next: &CompiledConfig) {
        let mut samples = Vec::with_capacity(self.samples.len());
        for r in &mut self.resources {
            let old_slots: &[MetricKey] = match r.type_idx {
                NO_TYPE => &[],
                t => &self.compiled.types[t as usize].slots,
            };
            let old_base = r.sample_base as usize;
            let new_idx = next
                .type_index
                .get(&*self.type_names[r.type_name as usize])
                .copied();
            let base = samples.len() as u32;
            match new_idx {
                Some(t) if next.types[t as usize].layer == r.layer => {
                    for &metric in &next.types[t as usize].slots {
                        let old = old_slots
                            .iter()
                            .position(|&m| m == metric)
                            .map_or(Sample::NONE, |i| self.samples[old_base + i]);
                        samples.push(old);
                    }
                    let shape_kept = r.type_idx != NO_TYPE
                        && next.types[t as usize].target_history
                            == self.compiled.types[r.type_idx as usize].target_history
                        && r.target_states.len() == count_targets(next, t);
                    if !shape_kept {
                        r.target_states = new_target_states(next, t);
                    }
                    r.type_idx = t;
                }
                _ => {
                    r.type_idx = NO_TYPE;
                    r.target_states.clear();
                }
            }
            r.sample_base = base;
        }
        self.samples = samples;
    }
}

fn count_targets(config: &CompiledConfig, type_idx: u32) -> usize {
    config.types[type_idx as usize]
        .policies
        .iter()
        .filter(|p| matches!(p.rule, super::compiled::Rule::Target(_)))
        .count()
}

fn new_target_states(config: &CompiledConfig, type_idx: u32) -> Vec<TargetState> {
    let ty = &config.types[type_idx as usize];
    match ty.target_history {
        Some((recs, changes)) => (0..count_targets(config, type_idx))
            .map(|_| TargetState::with_capacity(recs, changes))
            .collect(),
        None => Vec::new(),
    }
}

#[inline]
fn check_value(value: f64, signed: bool) -> Option<MetricRejection> {
    if value.is_nan() {
        Some(MetricRejection::NotANumber)
    } else if value.is_infinite() {
        Some(MetricRejection::Infinite)
    } else if value < 0.0 && !signed {
        Some(MetricRejection::Negative)
    } else {
        None
    }
}
