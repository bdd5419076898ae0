//! A fake fleet behind the callback traits, and a recording observer.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lighthouse_engine::driver::{CycleReport, CycleScratch, complete_now, run_cycle};
use lighthouse_engine::*;

/// What the fake platform holds and what it was asked.
#[derive(Default)]
pub struct FleetState {
    pub capacity: BTreeMap<String, u32>,
    pub metrics: BTreeMap<String, ResourceMetrics>,
    /// Executions to fail, by resource, counted down.
    pub fail_next: BTreeMap<String, u32>,
    /// Executions that apply but then report an error (answer lost).
    pub lose_answer_next: BTreeMap<String, u32>,
    pub unsafe_resources: Vec<String>,
    pub executed: Vec<ScaleAction>,
    pub capacity_asks: Vec<String>,
    pub metric_pulls: Vec<String>,
    pub metrics_error: Vec<String>,
}

#[derive(Clone, Default)]
pub struct Fleet(pub Arc<Mutex<FleetState>>);

impl Fleet {
    pub fn with(&self, f: impl FnOnce(&mut FleetState)) {
        f(&mut self.0.lock().unwrap());
    }
    pub fn capacity(&self, id: &str) -> u32 {
        self.0
            .lock()
            .unwrap()
            .capacity
            .get(id)
            .copied()
            .unwrap_or(0)
    }
    pub fn executed(&self) -> Vec<ScaleAction> {
        self.0.lock().unwrap().executed.clone()
    }
}

#[async_trait]
impl MetricsProvider for Fleet {
    async fn get_metrics(
        &self,
        resource_id: &str,
        _: &CallbackContext,
    ) -> LighthouseResult<Option<ResourceMetrics>> {
        let mut s = self.0.lock().unwrap();
        s.metric_pulls.push(resource_id.to_string());
        if s.metrics_error.iter().any(|r| r == resource_id) {
            return Err(LighthouseError::MetricsProvider {
                resource_id: resource_id.to_string(),
                message: "exporter down".to_string(),
            });
        }
        Ok(s.metrics.get(resource_id).cloned())
    }
}

#[async_trait]
impl ScalingExecutor for Fleet {
    async fn execute_scale_action(
        &self,
        action: &ScaleAction,
        _: &CallbackContext,
    ) -> LighthouseResult<bool> {
        let mut s = self.0.lock().unwrap();
        let id = action.resource_id.clone();
        if let Some(n) = s.fail_next.get_mut(&id).filter(|n| **n > 0) {
            *n -= 1;
            return Err(LighthouseError::Executor {
                resource_id: id,
                message: "API answered 500".to_string(),
            });
        }
        s.capacity.insert(id.clone(), action.target_capacity);
        s.executed.push(action.clone());
        if let Some(n) = s.lose_answer_next.get_mut(&id).filter(|n| **n > 0) {
            *n -= 1;
            return Err(LighthouseError::Timeout {
                operation: "scale".to_string(),
                seconds: 10.0,
            });
        }
        Ok(true)
    }

    async fn is_safe_to_scale(
        &self,
        action: &ScaleAction,
        _: &CallbackContext,
    ) -> LighthouseResult<bool> {
        Ok(!self
            .0
            .lock()
            .unwrap()
            .unsafe_resources
            .contains(&action.resource_id))
    }

    async fn get_current_capacity(
        &self,
        resource_id: &str,
        _: &CallbackContext,
    ) -> LighthouseResult<Option<u32>> {
        let mut s = self.0.lock().unwrap();
        s.capacity_asks.push(resource_id.to_string());
        Ok(s.capacity.get(resource_id).copied())
    }
}

/// Everything observers heard, as short strings.
#[derive(Clone, Default)]
pub struct Recorder(pub Arc<Mutex<Vec<String>>>);

impl Recorder {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    pub fn count(&self, prefix: &str) -> usize {
        self.lines()
            .iter()
            .filter(|l| l.starts_with(prefix))
            .count()
    }
}

#[async_trait]
impl ScalingObserver for Recorder {
    async fn on_scaling_decision(
        &self,
        a: &ScaleAction,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.0.lock().unwrap().push(format!(
            "decision {} {} {}->{}",
            a.resource_id, a.direction, a.current_capacity, a.target_capacity
        ));
        Ok(())
    }
    async fn on_scaling_executed(
        &self,
        a: &ScaleAction,
        ok: bool,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.0.lock().unwrap().push(format!(
            "executed {} {} {} {ok}",
            a.resource_id, a.direction, a.target_capacity
        ));
        Ok(())
    }
    async fn on_scaling_skipped(
        &self,
        a: &ScaleAction,
        reason: &SkipReason,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.0.lock().unwrap().push(format!(
            "skipped {} {} {}",
            a.resource_id,
            a.direction,
            reason.kind()
        ));
        Ok(())
    }
    async fn on_scaling_error(
        &self,
        e: &ScalingErrorEvent,
        _: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.0
            .lock()
            .unwrap()
            .push(format!("error {} {}", e.resource_id, e.error));
        Ok(())
    }
}

/// A core, its fake fleet and its observer, driven by hand.
pub struct Harness {
    pub core: EngineCore,
    pub fleet: Fleet,
    pub recorder: Recorder,
    pub callbacks: LighthouseCallbacks,
    pub scratch: CycleScratch,
}

impl Harness {
    pub fn new(config: LighthouseConfig) -> Self {
        let fleet = Fleet::default();
        let recorder = Recorder::default();
        let callbacks = LighthouseCallbacks::new(Arc::new(fleet.clone()), Arc::new(fleet.clone()))
            .add_observer(Arc::new(recorder.clone()));
        Harness {
            core: EngineCore::new(config, Timestamp(0)).expect("valid config"),
            fleet,
            recorder,
            callbacks,
            scratch: CycleScratch::default(),
        }
    }

    /// Pushes one metric for a resource at `at` (seconds).
    pub fn push(&mut self, id: &str, kind: &str, metric: &str, value: f64, at: i64) {
        let m = ResourceMetrics {
            resource_id: id.to_string(),
            resource_type: kind.to_string(),
            timestamp: Timestamp::from_secs(at),
            metrics: [(metric.to_string(), value)].into_iter().collect(),
        };
        self.core.observe_metrics(&m).expect("valid sample");
    }

    /// Runs the cycle due at `at` (seconds).
    pub fn cycle(&mut self, at: i64) -> CycleReport {
        self.cycle_at(Timestamp::from_secs(at))
    }

    /// Runs the cycle due at `at` (a wake-up the engine asked for).
    pub fn cycle_at(&mut self, at: Timestamp) -> CycleReport {
        let context = CallbackContext {
            timestamp: at,
            metadata: Default::default(),
        };
        complete_now(run_cycle(
            &mut self.core,
            &self.callbacks,
            &context,
            &mut self.scratch,
        ))
    }
}

/// One resource type with one threshold policy.
pub fn threshold_config(
    kind: &str,
    layer: ResourceLayer,
    rules: Vec<ScalingThreshold>,
    min: u32,
    max: u32,
) -> LighthouseConfig {
    LighthouseConfig::builder()
        .evaluation_interval(30)
        .add_resource_config(
            kind,
            ResourceConfig::new(kind, layer, ScalingPolicy::threshold("p", rules, min, max)),
        )
        .build()
        .expect("valid config")
}

pub fn rule(metric: &str, up: f64, down: f64, factor: f64, cooldown: u64) -> ScalingThreshold {
    lighthouse_engine::utils::threshold(metric, up, down, factor, cooldown)
}
