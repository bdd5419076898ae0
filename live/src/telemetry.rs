//! The engine's own metrics, in Prometheus exposition format
//! (`GET /metrics`). Counters and histograms are fed as a
//! [`ScalingObserver`] and a cycle listener; gauges are refreshed from
//! [`EngineStatus`] at each scrape.
//!
//! | metric | type | labels | unit |
//! |---|---|---|---|
//! | `lighthouse_scaling_decisions_total` | counter | `layer`, `resource_type`, `direction` | decisions |
//! | `lighthouse_scaling_events_total` | counter | `layer`, `resource_type`, `direction` | executed actions |
//! | `lighthouse_scaling_skips_total` | counter | `layer`, `reason` | skips |
//! | `lighthouse_scaling_errors_total` | counter | `layer`, `kind` | errors |
//! | `lighthouse_capacity` | gauge | `layer` | instances or workers |
//! | `lighthouse_spend_per_hour` | gauge | | currency per hour |
//! | `lighthouse_budget_limit_per_hour` | gauge (absent without a budget) | | currency per hour |
//! | `lighthouse_reaction_seconds` | histogram | `layer` | seconds from threshold breach to action |
//! | `lighthouse_evaluation_duration_seconds` | histogram | | seconds per cycle |
//! | `lighthouse_evaluation_cycles_total` | counter | `kind` (`full`, `retries`) | cycles |
//! | `lighthouse_last_evaluation_timestamp_seconds` | gauge | | Unix seconds |
//! | `lighthouse_resources_tracked` | gauge | | resources |
//! | `lighthouse_config_version` | gauge | | version |
//! | `lighthouse_shadow_mode` | gauge | | 1 in shadow mode |

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use async_trait::async_trait;
use lighthouse_engine::runtime::CycleListener;
use lighthouse_engine::{
    CallbackContext, CycleKind, EngineStatus, LighthouseError, LighthouseResult, ResourceLayer,
    ScaleAction, ScalingErrorEvent, ScalingObserver, SkipReason,
};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`EngineMetrics::encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    layer: String,
    resource_type: String,
    direction: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SkipLabels {
    layer: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    layer: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LayerLabels {
    layer: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

fn reaction_histogram() -> Histogram {
    // 1 s to about 34 min.
    Histogram::new(exponential_buckets(1.0, 2.0, 12))
}

/// The engine's metrics; share it as an `Arc`.
#[derive(Debug)]
pub struct EngineMetrics {
    registry: Registry,
    decisions: Family<ActionLabels, Counter>,
    events: Family<ActionLabels, Counter>,
    skips: Family<SkipLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    capacity: Family<LayerLabels, Gauge>,
    spend: FloatGauge,
    /// No labels: present only while a budget is configured.
    budget: Family<Vec<(String, String)>, FloatGauge>,
    reaction: Family<LayerLabels, Histogram, fn() -> Histogram>,
    cycle_duration: Histogram,
    cycles: Family<KindLabels, Counter>,
    last_evaluation: FloatGauge,
    resources: Gauge,
    config_version: Gauge,
}

impl EngineMetrics {
    /// Registers every metric; `shadow` sets `lighthouse_shadow_mode`.
    pub fn new(shadow: bool) -> Arc<Self> {
        let mut registry = Registry::with_prefix("lighthouse");
        let m = EngineMetrics {
            decisions: Family::default(),
            events: Family::default(),
            skips: Family::default(),
            errors: Family::default(),
            capacity: Family::default(),
            spend: FloatGauge::default(),
            budget: Family::default(),
            reaction: Family::new_with_constructor(reaction_histogram),
            // 1 ms to about 33 s.
            cycle_duration: Histogram::new(exponential_buckets(0.001, 2.0, 16)),
            cycles: Family::default(),
            last_evaluation: FloatGauge::default(),
            resources: Gauge::default(),
            config_version: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "scaling_decisions",
            "Decisions to scale, by layer, resource type and direction",
            m.decisions.clone(),
        );
        registry.register(
            "scaling_events",
            "Scale actions executed (in shadow mode: that would have been), by layer, resource type and direction",
            m.events.clone(),
        );
        registry.register(
            "scaling_skips",
            "Wanted actions not executed, by layer and reason",
            m.skips.clone(),
        );
        registry.register(
            "scaling_errors",
            "Failures reading metrics or capacity or executing actions, by layer and kind",
            m.errors.clone(),
        );
        registry.register(
            "capacity",
            "Last known capacity per layer, instances or workers",
            m.capacity.clone(),
        );
        registry.register(
            "spend_per_hour",
            "Spending rate the budget check uses, currency per hour",
            m.spend.clone(),
        );
        registry.register(
            "budget_limit_per_hour",
            "Configured budget limit, currency per hour (absent without a budget)",
            m.budget.clone(),
        );
        registry.register(
            "reaction_seconds",
            "Time from the threshold breach to the executed action, seconds",
            m.reaction.clone(),
        );
        registry.register(
            "evaluation_duration_seconds",
            "Wall-clock time of one evaluation cycle, seconds",
            m.cycle_duration.clone(),
        );
        registry.register(
            "evaluation_cycles",
            "Evaluation cycles run, by kind (full, retries)",
            m.cycles.clone(),
        );
        registry.register(
            "last_evaluation_timestamp_seconds",
            "When the last full evaluation ran, Unix seconds",
            m.last_evaluation.clone(),
        );
        registry.register(
            "resources_tracked",
            "Resources the engine tracks",
            m.resources.clone(),
        );
        registry.register(
            "config_version",
            "Configuration version in force",
            m.config_version.clone(),
        );
        let shadow_gauge = Gauge::<i64>::default();
        shadow_gauge.set(i64::from(shadow));
        registry.register(
            "shadow_mode",
            "1 when the engine decides without acting (shadow mode)",
            shadow_gauge,
        );
        Arc::new(EngineMetrics { registry, ..m })
    }

    /// A listener for [`lighthouse_engine::LighthouseEngine::on_cycle`]:
    /// counts cycles and times them.
    pub fn cycle_listener(self: &Arc<Self>) -> CycleListener {
        let me = self.clone();
        Arc::new(move |report, took| {
            let kind = match report.kind {
                Some(CycleKind::Full) => "full",
                Some(CycleKind::RetriesOnly) => "retries",
                None => return,
            };
            me.cycles
                .get_or_create(&KindLabels {
                    kind: kind.to_string(),
                })
                .inc();
            me.cycle_duration.observe(took.as_secs_f64());
        })
    }

    /// Refreshes the gauges from the engine's status and the budget limit
    /// in force (currency per hour).
    pub fn update_status(&self, status: &EngineStatus, budget_per_hour: Option<f64>) {
        for (layer, total) in &status.capacity_by_layer {
            self.capacity
                .get_or_create(&LayerLabels {
                    layer: layer.clone(),
                })
                .set(i64::try_from(*total).unwrap_or(i64::MAX));
        }
        self.spend.set(status.spend_per_hour);
        self.budget.clear();
        if let Some(limit) = budget_per_hour {
            self.budget.get_or_create(&Vec::new()).set(limit);
        }
        if let Some(t) = status.last_evaluation {
            self.last_evaluation.set(t.as_secs_f64());
        }
        self.resources
            .set(i64::try_from(status.resources_tracked).unwrap_or(i64::MAX));
        self.config_version
            .set(i64::try_from(status.config_version).unwrap_or(i64::MAX));
    }

    /// The metrics in OpenMetrics text (see [`CONTENT_TYPE`]).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

fn layer_of(resource_id: &str) -> String {
    ResourceLayer::of_resource_id(resource_id)
        .map_or("unknown", |l| l.prefix())
        .to_string()
}

fn action_labels(action: &ScaleAction) -> ActionLabels {
    ActionLabels {
        layer: layer_of(&action.resource_id),
        resource_type: action.resource_type.clone(),
        direction: action.direction.as_str().to_string(),
    }
}

/// A short, stable name for an error, for the `kind` label.
pub fn error_kind(error: &LighthouseError) -> &'static str {
    match error {
        LighthouseError::InvalidConfig(_) => "invalid_config",
        LighthouseError::InvalidMetrics { .. } => "invalid_metrics",
        LighthouseError::InvalidResourceId { .. } => "invalid_resource_id",
        LighthouseError::UnknownResourceType { .. } => "unknown_resource_type",
        LighthouseError::LayerMismatch { .. } => "layer_mismatch",
        LighthouseError::ResourceNotFound { .. } => "resource_not_found",
        LighthouseError::MetricsProvider { .. } => "metrics_provider",
        LighthouseError::Executor { .. } => "executor",
        LighthouseError::CapacityUnknown { .. } => "capacity_unknown",
        LighthouseError::Unsupported { .. } => "unsupported",
        LighthouseError::Timeout { .. } => "timeout",
        LighthouseError::EngineStopped => "engine_stopped",
    }
}

#[async_trait]
impl ScalingObserver for EngineMetrics {
    async fn on_scaling_decision(
        &self,
        action: &ScaleAction,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.decisions.get_or_create(&action_labels(action)).inc();
        Ok(())
    }

    async fn on_scaling_executed(
        &self,
        action: &ScaleAction,
        success: bool,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        if success {
            self.events.get_or_create(&action_labels(action)).inc();
            if let Some(since) = action.signal_since {
                let seconds = action.timestamp.since(since).as_secs_f64();
                if seconds >= 0.0 {
                    self.reaction
                        .get_or_create(&LayerLabels {
                            layer: layer_of(&action.resource_id),
                        })
                        .observe(seconds);
                }
            }
        }
        Ok(())
    }

    async fn on_scaling_skipped(
        &self,
        action: &ScaleAction,
        reason: &SkipReason,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.skips
            .get_or_create(&SkipLabels {
                layer: layer_of(&action.resource_id),
                reason: reason.kind().to_string(),
            })
            .inc();
        Ok(())
    }

    async fn on_scaling_error(
        &self,
        event: &ScalingErrorEvent,
        _context: &CallbackContext,
    ) -> LighthouseResult<()> {
        self.errors
            .get_or_create(&ErrorLabels {
                layer: layer_of(&event.resource_id),
                kind: error_kind(&event.error).to_string(),
            })
            .inc();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lighthouse_engine::driver::CycleReport;
    use lighthouse_engine::{ScaleDirection, Timestamp};

    fn action(id: &str, direction: ScaleDirection) -> ScaleAction {
        ScaleAction {
            resource_id: id.to_string(),
            resource_type: "web_tier".to_string(),
            direction,
            target_capacity: 6,
            current_capacity: 4,
            scale_factor: Some(1.5),
            reason: "cpu".to_string(),
            confidence: 1.0,
            timestamp: Timestamp::from_secs(100),
            policy: "p".to_string(),
            signal_since: Some(Timestamp::from_secs(70)),
            metadata: Default::default(),
        }
    }

    /// Metrics with every family fed once.
    async fn populated() -> Arc<EngineMetrics> {
        let m = EngineMetrics::new(true);
        let cx = CallbackContext::default();
        let up = action("platform_component:etcd", ScaleDirection::Up);
        m.on_scaling_decision(&up, &cx).await.unwrap();
        m.on_scaling_executed(&up, true, &cx).await.unwrap();
        m.on_scaling_executed(&up, false, &cx).await.unwrap();
        m.on_scaling_skipped(&up, &SkipReason::StaleMetrics, &cx)
            .await
            .unwrap();
        let event = ScalingErrorEvent {
            resource_id: "app_instance:web".into(),
            action: None,
            error: LighthouseError::Timeout {
                operation: "GET".into(),
                seconds: 1.0,
            },
            retry: None,
        };
        m.on_scaling_error(&event, &cx).await.unwrap();
        let listener = m.cycle_listener();
        let report = CycleReport {
            kind: Some(CycleKind::Full),
            ..CycleReport::default()
        };
        listener(&report, std::time::Duration::from_millis(20));
        let status = EngineStatus {
            spend_per_hour: 12.5,
            capacity_by_layer: [("worker_node".to_string(), 7)].into(),
            last_evaluation: Some(Timestamp::from_secs(1_700_000_000)),
            ..EngineStatus::default()
        };
        m.update_status(&status, Some(20.0));
        m
    }

    #[tokio::test]
    async fn observer_calls_become_series() {
        let m = populated().await;
        let text = m.encode();
        for line in [
            r#"lighthouse_scaling_events_total{layer="platform_component",resource_type="web_tier",direction="up"} 1"#,
            r#"lighthouse_scaling_decisions_total{layer="platform_component",resource_type="web_tier",direction="up"} 1"#,
            r#"lighthouse_scaling_skips_total{layer="platform_component",reason="stale_metrics"} 1"#,
            r#"lighthouse_scaling_errors_total{layer="app_instance",kind="timeout"} 1"#,
            r#"lighthouse_capacity{layer="worker_node"} 7"#,
            "lighthouse_spend_per_hour 12.5",
            "lighthouse_budget_limit_per_hour 20.0",
            r#"lighthouse_reaction_seconds_sum{layer="platform_component"} 30.0"#,
            r#"lighthouse_evaluation_cycles_total{kind="full"} 1"#,
            "lighthouse_evaluation_duration_seconds_count 1",
            "lighthouse_last_evaluation_timestamp_seconds 1700000000.0",
            "lighthouse_shadow_mode 1",
        ] {
            assert!(text.contains(line), "missing {line:?} in\n{text}");
        }
    }

    #[tokio::test]
    async fn the_documented_table_is_what_is_exported() {
        let m = populated().await;
        let documented: std::collections::BTreeSet<(String, String)> = include_str!("telemetry.rs")
            .lines()
            .filter_map(|l| {
                let rest = l.strip_prefix("//! | `")?;
                let (name, rest) = rest.split_once('`')?;
                let kind = rest.trim_start_matches(" | ").split_whitespace().next()?;
                let name = if kind == "counter" {
                    name.strip_suffix("_total")?
                } else {
                    name
                };
                Some((name.to_string(), kind.to_string()))
            })
            .collect();
        let exported: std::collections::BTreeSet<(String, String)> = m
            .encode()
            .lines()
            .filter_map(|l| {
                let mut parts = l.strip_prefix("# TYPE ")?.split(' ');
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            })
            .collect();
        assert_eq!(documented, exported);
    }
}
