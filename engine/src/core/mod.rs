//! The sans-IO engine core: a plain state machine.
//!
//! It never reads a clock, never sleeps and never does I/O. Time comes in as
//! an argument (`now`), samples come in as values, decisions go out as
//! values. The async runtime ([`crate::LighthouseEngine`]) and the simulator
//! drive this same core through [`crate::driver`].
//!
//! # Call order
//! Inputs may arrive at any time: [`EngineCore::observe_metrics`],
//! [`EngineCore::observe_sample`], [`EngineCore::observe_capacity`],
//! [`EngineCore::observe_spend_rate`], [`EngineCore::update_config`]. One
//! evaluation cycle is then, for each layer in [`ResourceLayer::ALL`] order:
//! 1. [`EngineCore::evaluate_layer`] → proposals and skips;
//! 2. for each proposal, with the executor's current capacity,
//!    [`EngineCore::decide`] → a decision;
//! 3. for each executed decision, [`EngineCore::record_outcome`].
//!
//! Time never goes backwards: every `now` passed in must be at least the
//! previous one. [`EngineCore::next_wakeup`] says when to call next.
//!
//! - `compiled`: the configuration in hot-path form.
//! - `evaluate`, `decide`: the two halves of a cycle.
//! - `state`: per-resource state. `retry`: back-off. `events`: outputs.

pub(crate) mod compiled;
mod decide;
mod evaluate;
pub mod events;
pub(crate) mod intern;
mod persist;
mod registry;
pub mod retry;
pub mod state;

use std::collections::{BTreeSet, HashMap};

use compiled::{CompiledConfig, compile};
use intern::Interner;
use retry::SplitMix64;
use state::ResourceState;

use crate::config::validate::validate;
use crate::config::{ConfigError, ConfigHistory, LighthouseConfig};
use crate::policy::{Sample, Vote};
use crate::time::Timestamp;
use crate::types::ResourceLayer;

pub use events::{
    Decision, Outcome, PendingAction, Proposal, ResourceKey, RetryPlan, SafetyReason, Skip,
    SkipReason,
};
pub use intern::MetricKey;
pub use persist::EngineState;
pub use state::{MetricsSource, Override, ResourceSnapshot};

/// The engine's status, as the seed names it.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngineStatus {
    /// Whether the evaluation loop is running (always true for a bare core).
    pub is_running: bool,
    /// Resources the engine knows.
    pub resources_tracked: usize,
    /// Decisions to act made since start.
    pub total_recommendations: u64,
    /// When the last evaluation cycle ran.
    pub last_evaluation: Option<Timestamp>,
    /// The configuration version in force.
    pub config_version: u64,
    /// Spending rate the budget check uses, currency per hour.
    pub spend_per_hour: f64,
    /// Sum of the last known capacities per layer (`app_instance`,
    /// `platform_component`, `worker_node`), units.
    pub capacity_by_layer: std::collections::BTreeMap<String, u64>,
}

/// What kind of cycle is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CycleKind {
    /// The regular evaluation of every resource.
    Full,
    /// Only resources whose retry back-off has ended.
    RetriesOnly,
}

/// The engine core. See the module documentation for the call order.
#[derive(Clone, Debug)]
pub struct EngineCore {
    config: LighthouseConfig,
    compiled: CompiledConfig,
    history: ConfigHistory,
    interner: Interner,
    resources: Vec<ResourceState>,
    samples: Vec<Sample>,
    ids: HashMap<std::sync::Arc<str>, u32>,
    type_names: Vec<Box<str>>,
    by_layer: [Vec<u32>; 3],
    retry_queue: BTreeSet<(Timestamp, u32)>,
    due_retries: Vec<u32>,
    rng: SplitMix64,
    observed_spend_per_hour: f64,
    committed_spend_per_hour: f64,
    manual_maintenance: Vec<(String, u8)>,
    next_evaluation: Timestamp,
    total_recommendations: u64,
    last_evaluation: Option<Timestamp>,
    /// Per cycle: each type's effective bounds (with schedules and without
    /// pins), and the schedule that set them.
    cycle_bounds: Vec<(u32, u32, Option<u16>)>,
    /// Per cycle: the maintenance window open for each layer.
    cycle_maintenance: [Option<String>; 3],
    cycle_kind: CycleKind,
    /// Scratch for composite members' votes.
    member_votes: Vec<Vote>,
}

impl EngineCore {
    /// A core with a validated configuration; the first evaluation is due at
    /// `now`.
    pub fn new(mut config: LighthouseConfig, now: Timestamp) -> Result<Self, ConfigError> {
        crate::config::load::fill_resource_types(&mut config);
        validate(&config)?;
        let mut interner = Interner::default();
        let compiled = compile(&config, &mut interner);
        Ok(EngineCore {
            rng: SplitMix64::new(config.retry.seed),
            history: ConfigHistory::new(config.clone(), now),
            config,
            compiled,
            interner,
            resources: Vec::new(),
            samples: Vec::new(),
            ids: HashMap::new(),
            type_names: Vec::new(),
            by_layer: Default::default(),
            retry_queue: BTreeSet::new(),
            due_retries: Vec::new(),
            observed_spend_per_hour: 0.0,
            committed_spend_per_hour: 0.0,
            manual_maintenance: Vec::new(),
            next_evaluation: now,
            total_recommendations: 0,
            last_evaluation: None,
            cycle_bounds: Vec::new(),
            cycle_maintenance: Default::default(),
            cycle_kind: CycleKind::Full,
            member_votes: Vec::new(),
        })
    }

    // ----- getters -------------------------------------------------------

    /// The configuration in force.
    pub fn config(&self) -> &LighthouseConfig {
        &self.config
    }

    /// Accepted configuration versions.
    pub fn config_history(&self) -> &ConfigHistory {
        &self.history
    }

    /// The engine's status.
    pub fn status(&self) -> EngineStatus {
        EngineStatus {
            is_running: true,
            resources_tracked: self.resources.len(),
            total_recommendations: self.total_recommendations,
            last_evaluation: self.last_evaluation,
            config_version: self.history.current().version,
            spend_per_hour: self.spend_per_hour(),
            capacity_by_layer: ResourceLayer::ALL
                .into_iter()
                .map(|layer| {
                    let total = self.by_layer[layer.index()]
                        .iter()
                        .filter_map(|&i| self.resources[i as usize].capacity)
                        .map(u64::from)
                        .sum();
                    (layer.prefix().to_string(), total)
                })
                .collect(),
        }
    }

    /// When the core next needs a call: the next evaluation, or an earlier
    /// retry.
    pub fn next_wakeup(&self) -> Timestamp {
        let retry = self.retry_queue.first().map_or(Timestamp::MAX, |&(t, _)| t);
        retry.min(self.next_evaluation)
    }

    /// When the next full evaluation is due.
    pub fn next_evaluation(&self) -> Timestamp {
        self.next_evaluation
    }

    /// The interned key of a metric name, if any policy reads it.
    pub fn metric_key(&self, name: &str) -> Option<MetricKey> {
        self.interner.get(name)
    }

    /// The name of an interned metric.
    pub fn metric_name(&self, key: MetricKey) -> &str {
        self.interner.name(key)
    }

    /// The key of a tracked resource.
    pub fn resource_key(&self, resource_id: &str) -> Option<ResourceKey> {
        self.ids.get(resource_id).map(|&i| ResourceKey(i))
    }

    /// A tracked resource's id.
    pub fn resource_id(&self, key: ResourceKey) -> &str {
        &self.resources[key.index()].id
    }

    /// A tracked resource's type.
    pub fn resource_type(&self, key: ResourceKey) -> &str {
        &self.type_names[self.resources[key.index()].type_name as usize]
    }

    /// A tracked resource's layer.
    pub fn layer(&self, key: ResourceKey) -> ResourceLayer {
        self.resources[key.index()].layer
    }

    /// The last capacity known for a resource.
    pub fn capacity(&self, key: ResourceKey) -> Option<u32> {
        self.resources[key.index()].capacity
    }

    /// Resources of a layer whose metrics are pulled, in evaluation order.
    pub fn pulled_resources(&self, layer: ResourceLayer) -> impl Iterator<Item = ResourceKey> + '_ {
        self.by_layer[layer.index()]
            .iter()
            .filter(|&&i| self.resources[i as usize].source == MetricsSource::Pull)
            .map(|&i| ResourceKey(i))
    }

    /// All tracked resources, in registration order.
    pub fn resources(&self) -> impl ExactSizeIterator<Item = ResourceKey> + '_ {
        (0..self.resources.len() as u32).map(ResourceKey)
    }

    /// Spending rate the budget check uses: the last observed rate plus the
    /// added cost of scale-ups executed since, currency per hour.
    pub fn spend_per_hour(&self) -> f64 {
        self.observed_spend_per_hour + self.committed_spend_per_hour
    }

    /// Bytes of heap the core holds for its resources (ids, samples, state,
    /// target-tracking history), for sizing.
    pub fn state_bytes(&self) -> usize {
        let per_resource: usize = self
            .resources
            .iter()
            .map(|r| {
                std::mem::size_of::<ResourceState>()
                    + r.id.len()
                    + r.failed_action
                        .as_ref()
                        .map_or(0, |_| std::mem::size_of::<state::FailedAction>())
                    + r.target_states
                        .iter()
                        .map(|t| std::mem::size_of_val(t) + t.heap_bytes())
                        .sum::<usize>()
            })
            .sum();
        per_resource
            + self.samples.capacity() * std::mem::size_of::<Sample>()
            + self.ids.capacity() * (std::mem::size_of::<(std::sync::Arc<str>, u32)>() + 1)
            + self
                .by_layer
                .iter()
                .map(|v| v.capacity() * 4)
                .sum::<usize>()
    }

    // ----- inputs --------------------------------------------------------

    /// Replaces the configuration after validating it; nothing changes when
    /// it is refused. Returns the new version number. A changed evaluation
    /// interval restarts the timer: the next evaluation is `now + interval`.
    pub fn update_config(
        &mut self,
        mut config: LighthouseConfig,
        now: Timestamp,
    ) -> Result<u64, ConfigError> {
        crate::config::load::fill_resource_types(&mut config);
        validate(&config)?;
        let version = self.apply_config(config, now, "update".to_string());
        Ok(version)
    }

    /// Makes a kept version the configuration in force again, as a new
    /// version. Errors when the version is not kept.
    pub fn rollback_config(&mut self, version: u64, now: Timestamp) -> Result<u64, ConfigError> {
        let Some(old) = self.history.get(version) else {
            return Err(ConfigError {
                issues: vec![crate::config::ConfigIssue {
                    field: "version".to_string(),
                    value: version.to_string(),
                    message: "is not in the configuration history".to_string(),
                    line: None,
                }],
            });
        };
        let config = old.config.clone();
        Ok(self.apply_config(config, now, format!("rollback to {version}")))
    }

    fn apply_config(&mut self, config: LighthouseConfig, now: Timestamp, origin: String) -> u64 {
        let interval_changed =
            config.evaluation_interval_seconds != self.config.evaluation_interval_seconds;
        let compiled = compile(&config, &mut self.interner);
        if config.retry.seed != self.config.retry.seed {
            self.rng = SplitMix64::new(config.retry.seed);
        }
        self.rebind_resources(&compiled);
        self.compiled = compiled;
        self.config = config.clone();
        if interval_changed {
            self.next_evaluation = now + self.compiled.interval;
        }
        self.history.push(config, now, origin)
    }

    /// Records a spending rate (currency per hour), measured at `now`. Costs
    /// committed by scale-ups executed before it are assumed to be in it.
    pub fn observe_spend_rate(&mut self, per_hour: f64, _now: Timestamp) {
        if per_hour.is_finite() && per_hour >= 0.0 {
            self.observed_spend_per_hour = per_hour;
            self.committed_spend_per_hour = 0.0;
        }
    }

    /// Records the capacity of a resource (instances or workers), as known
    /// at `now`.
    pub fn observe_capacity(&mut self, key: ResourceKey, capacity: u32, now: Timestamp) {
        let r = &mut self.resources[key.index()];
        r.capacity = Some(capacity);
        r.capacity_at = now;
    }

    /// Records how many workers of a worker pool run critical platform
    /// workloads; a scale-down never goes below it.
    pub fn set_protected_workers(&mut self, key: ResourceKey, count: u32) {
        self.resources[key.index()].protected_workers = count;
    }

    /// Sets or clears an operator override.
    pub fn set_override(&mut self, key: ResourceKey, value: Option<Override>) {
        self.resources[key.index()].override_ = value;
    }

    /// The override in force for a resource.
    pub fn override_of(&self, key: ResourceKey) -> Option<Override> {
        self.resources[key.index()].override_
    }

    /// Opens a maintenance window by name for the given layers (all when
    /// empty), until [`end_maintenance`](Self::end_maintenance).
    pub fn begin_maintenance(&mut self, name: &str, layers: &[ResourceLayer]) {
        let mask = if layers.is_empty() {
            0b111
        } else {
            layers.iter().fold(0, |m, l| m | (1 << l.index()))
        };
        self.manual_maintenance.push((name.to_string(), mask));
    }

    /// Closes a maintenance window opened by name.
    pub fn end_maintenance(&mut self, name: &str) {
        self.manual_maintenance.retain(|(n, _)| n != name);
    }

    /// Whether a maintenance window is open for a layer at `now`, and its name.
    pub fn maintenance_at(&self, layer: ResourceLayer, now: Timestamp) -> Option<String> {
        let bit = 1u8 << layer.index();
        if let Some((name, _)) = self.manual_maintenance.iter().find(|(_, m)| m & bit != 0) {
            return Some(name.clone());
        }
        self.compiled
            .maintenance
            .iter()
            .find(|w| {
                w.layers & bit != 0
                    && (w.absolute.is_some_and(|(s, e)| now >= s && now < e)
                        || w.weekly.is_some_and(|win| win.contains(now)))
            })
            .map(|w| w.name.clone())
    }
}
