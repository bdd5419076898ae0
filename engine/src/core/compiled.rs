//! A validated configuration turned into the form the hot path reads:
//! metric names interned, policies bound to sample slots, schedules parsed.

use std::collections::{BTreeMap, HashMap};

use super::intern::{Interner, MetricKey};
use crate::config::{LighthouseConfig, RetryConfig, ScalingPolicy, ScalingRules};
use crate::policy::composite::CompiledComposite;
use crate::policy::schedule::CompiledWindow;
use crate::policy::target::{
    CompiledMetricTarget, CompiledRateLimit, CompiledRules, CompiledTarget,
};
use crate::policy::threshold::CompiledThreshold;
use crate::time::Span;
use crate::types::ResourceLayer;

/// The rule of a compiled policy.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rule {
    /// Schedules only.
    None,
    Threshold(Vec<CompiledThreshold>),
    Target(CompiledTarget),
    Composite(CompiledComposite),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledSchedule {
    pub name: String,
    pub window: CompiledWindow,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledPolicy {
    pub name: String,
    pub rule: Rule,
    pub min: u32,
    pub max: u32,
    pub enabled: bool,
    pub schedules: Vec<CompiledSchedule>,
    /// Index of this policy's state in a resource's target-tracking states.
    pub target_index: Option<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledType {
    pub name: String,
    pub layer: ResourceLayer,
    /// Slot → metric: the metrics any policy of the type reads.
    pub slots: Vec<MetricKey>,
    pub policies: Vec<CompiledPolicy>,
    /// Index of the policy in force.
    pub active: usize,
    pub unit_cost: f64,
    pub settings: BTreeMap<String, String>,
    /// Entries of target-tracking history a resource of this type needs.
    pub target_history: Option<(usize, usize)>,
}

impl CompiledType {
    /// The sample slot of `metric`, if the type reads it (a handful of
    /// slots: a scan; inlined into every pushed sample's store).
    #[inline]
    pub(crate) fn slot_of(&self, metric: MetricKey) -> Option<u16> {
        self.slots
            .iter()
            .position(|&m| m == metric)
            .map(|i| i as u16)
    }

    pub(crate) fn active_policy(&self) -> &CompiledPolicy {
        &self.policies[self.active]
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledMaintenance {
    pub name: String,
    pub absolute: Option<(crate::time::Timestamp, crate::time::Timestamp)>,
    pub weekly: Option<CompiledWindow>,
    /// Bit per layer index; all bits when the window names no layer.
    pub layers: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledConfig {
    pub interval: Span,
    pub max_age: Span,
    pub types: Vec<CompiledType>,
    pub type_index: HashMap<String, u32>,
    pub signed: Vec<MetricKey>,
    pub budget: Option<f64>,
    pub platform_min: u32,
    pub maintenance: Vec<CompiledMaintenance>,
    pub retry: RetryConfig,
}

/// Compiles a configuration that passed [`crate::config::validate::validate`].
pub(crate) fn compile(config: &LighthouseConfig, interner: &mut Interner) -> CompiledConfig {
    let interval = Span::from_secs(config.evaluation_interval_seconds);
    let mut types = Vec::new();
    let mut type_index = HashMap::new();
    for (key, rc) in &config.resource_configs {
        let layer = rc
            .effective_layer()
            .expect("validated configs name a layer for every resource type");
        let mut slots: Vec<MetricKey> = Vec::new();
        let mut slot = |name: &str| -> u16 {
            let metric = interner.intern(name);
            let index = slots.iter().position(|&m| m == metric).unwrap_or_else(|| {
                slots.push(metric);
                slots.len() - 1
            });
            u16::try_from(index).expect("fewer than 65,536 metrics per resource type")
        };
        let mut policies: Vec<CompiledPolicy> = rc
            .policies
            .iter()
            .map(|p| compile_policy(p, &mut slot))
            .collect();
        for (i, p) in rc.policies.iter().enumerate() {
            if let Some(comp) = &p.composite {
                policies[i].rule = Rule::Composite(CompiledComposite {
                    mode: comp.mode,
                    members: comp
                        .members
                        .iter()
                        .map(|m| {
                            let index = rc
                                .policies
                                .iter()
                                .position(|q| q.name == m.policy)
                                .expect("validated composites name sibling policies");
                            (index, m.weight)
                        })
                        .collect(),
                    threshold: comp.weighted_threshold,
                });
            }
        }
        let mut next_target = 0u16;
        for p in &mut policies {
            if matches!(p.rule, Rule::Target(_)) {
                p.target_index = Some(next_target);
                next_target += 1;
            }
        }
        let active = rc
            .active_policy()
            .and_then(|a| rc.policies.iter().position(|p| p.name == a.name))
            .unwrap_or(0);
        let target_history = target_history(&policies, interval);
        type_index.insert(key.clone(), types.len() as u32);
        types.push(CompiledType {
            name: key.clone(),
            layer,
            slots,
            policies,
            active,
            unit_cost: rc.unit_cost_per_hour.unwrap_or(0.0),
            settings: rc.settings.clone(),
            target_history,
        });
    }
    CompiledConfig {
        interval,
        max_age: Span::from_secs(config.metrics.max_age_seconds),
        types,
        type_index,
        signed: config
            .metrics
            .signed_metrics
            .iter()
            .map(|m| interner.intern(m))
            .collect(),
        budget: config.safety.budget_limit_per_hour,
        platform_min: config.safety.platform_min_instances.max(3),
        maintenance: config
            .safety
            .maintenance_windows
            .iter()
            .map(|w| CompiledMaintenance {
                name: w.name.clone(),
                absolute: w.start.zip(w.end),
                weekly: w.weekly.as_ref().and_then(CompiledWindow::new),
                layers: if w.layers.is_empty() {
                    0b111
                } else {
                    w.layers.iter().fold(0, |m, l| m | (1 << l.index()))
                },
            })
            .collect(),
        retry: config.retry.clone(),
    }
}

fn compile_policy(p: &ScalingPolicy, slot: &mut impl FnMut(&str) -> u16) -> CompiledPolicy {
    let rule = if !p.thresholds.is_empty() {
        Rule::Threshold(
            p.thresholds
                .iter()
                .map(|t| CompiledThreshold {
                    slot: slot(&t.metric_name),
                    up: t.scale_up_threshold,
                    down: t.scale_down_threshold,
                    factor: t.scale_factor,
                    cooldown_up: Span::from_secs(t.cooldown_seconds),
                    cooldown_down: Span::from_secs(t.down_cooldown_seconds()),
                    confidence: t.confidence.unwrap_or(1.0),
                })
                .collect(),
        )
    } else if let Some(tt) = &p.target_tracking {
        Rule::Target(CompiledTarget {
            metrics: tt
                .metrics
                .iter()
                .map(|m| CompiledMetricTarget {
                    slot: slot(&m.metric_name),
                    target: m.target_value,
                })
                .collect(),
            tolerance: tt.tolerance,
            up: compile_rules(&tt.scale_up),
            down: compile_rules(&tt.scale_down),
        })
    } else {
        // Composites are bound to their siblings once all are compiled.
        Rule::None
    };
    CompiledPolicy {
        name: p.name.clone(),
        rule,
        min: p.min(),
        max: p.max(),
        enabled: p.enabled,
        schedules: p
            .schedules
            .iter()
            .filter_map(|s| {
                Some(CompiledSchedule {
                    name: s.name.clone(),
                    window: CompiledWindow::new(&s.window())?,
                    min: s.min_capacity,
                    max: s.max_capacity,
                })
            })
            .collect(),
        target_index: None,
    }
}

fn compile_rules(r: &ScalingRules) -> CompiledRules {
    CompiledRules {
        window: Span::from_secs(r.stabilization_window_seconds),
        select: r.select_policy,
        limits: r
            .policies
            .iter()
            .map(|l| CompiledRateLimit {
                kind: l.kind,
                value: l.value,
                period: Span::from_secs(l.period_seconds),
            })
            .collect(),
        cooldown: Span::from_secs(r.cooldown_seconds),
    }
}

/// Room for the recommendations and changes a target-tracking policy of
/// this type keeps: one recommendation per cycle over the longest window,
/// one change per cycle over the longest rate-limit period.
fn target_history(policies: &[CompiledPolicy], interval: Span) -> Option<(usize, usize)> {
    let per_cycle = |span: Span| (span.as_millis() / interval.as_millis().max(1)) as usize + 2;
    policies
        .iter()
        .filter_map(|p| match &p.rule {
            Rule::Target(t) => {
                let window = t.up.window.max(t.down.window);
                let period = t.up.longest_period().max(t.down.longest_period());
                Some((per_cycle(window), per_cycle(period)))
            }
            _ => None,
        })
        .reduce(|a, b| (a.0.max(b.0), a.1.max(b.1)))
}
