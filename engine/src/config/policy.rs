//! Scaling policies as users write them: thresholds (the seed's rule),
//! HPA-style target tracking, composites of other policies, and time-based
//! schedules.

use serde::{Deserialize, Serialize};

/// One metric rule of a threshold policy.
///
/// Above `scale_up_threshold` the rule votes to scale up by `scale_factor`;
/// below `scale_down_threshold` it votes to scale down by the same factor
/// (capacity is divided by it). Every rule of a policy is evaluated: any
/// scale-up vote wins, and a scale-down happens only when every rule with a
/// fresh sample votes down.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingThreshold {
    /// The metric this rule reads, e.g. `requests_per_second`.
    pub metric_name: String,
    /// Scale up when the metric is above this value (metric's unit).
    pub scale_up_threshold: f64,
    /// Scale down when the metric is below this value (metric's unit).
    pub scale_down_threshold: f64,
    /// Multiplicative step, greater than 1: up multiplies capacity by it
    /// (rounded up), down divides by it (rounded down); each moves by at
    /// least one unit.
    pub scale_factor: f64,
    /// Seconds after a scale-up this rule fired before the next scale-up of
    /// the same resource.
    pub cooldown_seconds: u64,
    /// Seconds after a scale-down this rule fired before the next scale-down;
    /// defaults to `cooldown_seconds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale_down_cooldown_seconds: Option<u64>,
    /// Confidence reported with decisions of this rule, 0 to 1 (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

impl ScalingThreshold {
    /// The scale-down cooldown in seconds.
    pub fn down_cooldown_seconds(&self) -> u64 {
        self.scale_down_cooldown_seconds
            .unwrap_or(self.cooldown_seconds)
    }
}

/// A target for one metric of a target-tracking policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricTarget {
    /// The metric, e.g. `cpu_percent`.
    pub metric_name: String,
    /// The value per instance to hold the metric at (metric's unit).
    pub target_value: f64,
}

/// How a rate limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitKind {
    /// At most `value` units per period.
    Pods,
    /// At most `value` percent of the capacity at the start of the period.
    Percent,
}

/// One HPA `behavior` policy: how much capacity may change per period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Pods or percent.
    pub kind: RateLimitKind,
    /// Units or percent allowed per period.
    pub value: u32,
    /// Length of the period, seconds (at most 1800).
    pub period_seconds: u64,
}

/// Which of several rate limits applies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectPolicy {
    /// The limit that allows the largest change (HPA default).
    #[default]
    Max,
    /// The limit that allows the smallest change.
    Min,
    /// No change in this direction at all.
    Disabled,
}

/// HPA-style `behavior` for one direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingRules {
    /// Seconds of past recommendations considered: scale-down takes the
    /// highest, scale-up the lowest recommendation in the window.
    pub stabilization_window_seconds: u64,
    /// How to combine `policies`.
    #[serde(default)]
    pub select_policy: SelectPolicy,
    /// Rate limits; empty means unlimited.
    #[serde(default)]
    pub policies: Vec<RateLimit>,
    /// Seconds between two executed actions in this direction (default 0).
    #[serde(default)]
    pub cooldown_seconds: u64,
}

impl ScalingRules {
    /// Kubernetes' default scale-up behavior: no stabilization, at most
    /// `max(100 %, 4 pods)` per 15 s.
    pub fn hpa_scale_up() -> Self {
        ScalingRules {
            stabilization_window_seconds: 0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                RateLimit {
                    kind: RateLimitKind::Percent,
                    value: 100,
                    period_seconds: 15,
                },
                RateLimit {
                    kind: RateLimitKind::Pods,
                    value: 4,
                    period_seconds: 15,
                },
            ],
            cooldown_seconds: 0,
        }
    }

    /// Kubernetes' default scale-down behavior: 300 s stabilization window,
    /// at most 100 % per 15 s.
    pub fn hpa_scale_down() -> Self {
        ScalingRules {
            stabilization_window_seconds: 300,
            select_policy: SelectPolicy::Max,
            policies: vec![RateLimit {
                kind: RateLimitKind::Percent,
                value: 100,
                period_seconds: 15,
            }],
            cooldown_seconds: 0,
        }
    }
}

/// HPA-style target tracking: `desired = ceil(current × value / target)`,
/// no change while `|value / target − 1| ≤ tolerance`; with several metrics
/// the largest desired capacity wins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingPolicy {
    /// The metrics and their per-instance targets.
    pub metrics: Vec<MetricTarget>,
    /// Dead band around the target, as a fraction (HPA default 0.1).
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// Scale-up behavior (default: HPA's).
    #[serde(default = "ScalingRules::hpa_scale_up")]
    pub scale_up: ScalingRules,
    /// Scale-down behavior (default: HPA's).
    #[serde(default = "ScalingRules::hpa_scale_down")]
    pub scale_down: ScalingRules,
}

fn default_tolerance() -> f64 {
    0.1
}

impl TargetTrackingPolicy {
    /// Target tracking of one metric with Kubernetes' defaults.
    pub fn new(metric_name: &str, target_value: f64) -> Self {
        TargetTrackingPolicy {
            metrics: vec![MetricTarget {
                metric_name: metric_name.to_string(),
                target_value,
            }],
            tolerance: default_tolerance(),
            scale_up: ScalingRules::hpa_scale_up(),
            scale_down: ScalingRules::hpa_scale_down(),
        }
    }
}

/// How a composite policy combines its members' votes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompositeMode {
    /// Act only when every member votes the same direction; the smallest
    /// change among them is taken.
    All,
    /// Scale up when any member votes up (largest target); otherwise scale
    /// down when any votes down (mildest target).
    Any,
    /// Act in the direction more than half the members vote for; the median
    /// target of those votes is taken.
    Majority,
    /// Sum the members' weights per direction; act when a direction's share
    /// of the total weight reaches `weighted_threshold`; the weighted mean
    /// target of that direction is taken.
    Weighted,
}

/// One member of a composite policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeMember {
    /// Name of another (non-composite) policy of the same resource config.
    pub policy: String,
    /// Weight in `weighted` mode (default 1).
    #[serde(default = "default_weight")]
    pub weight: f64,
}

fn default_weight() -> f64 {
    1.0
}

/// A policy that combines other policies of the same resource config. Every
/// member is evaluated every cycle, whatever the mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositePolicy {
    /// How votes combine.
    pub mode: CompositeMode,
    /// The members, at least two.
    pub members: Vec<CompositeMember>,
    /// Share of total weight a direction needs in `weighted` mode, in (0, 1]
    /// (default 0.5).
    #[serde(default = "default_weighted_threshold")]
    pub weighted_threshold: f64,
}

fn default_weighted_threshold() -> f64 {
    0.5
}

/// A recurring weekly window in a real time zone, such as business hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyWindow {
    /// IANA time zone, e.g. `Europe/Berlin` (default `UTC`).
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Days the window opens on (`mon`…`sun`, or `weekdays`, `weekends`);
    /// empty means every day.
    #[serde(default)]
    pub days: Vec<String>,
    /// Local opening time `HH:MM`.
    pub start: String,
    /// Local closing time `HH:MM`; earlier than `start` means the window runs
    /// past midnight into the next day.
    pub end: String,
}

fn default_timezone() -> String {
    "UTC".to_string()
}

/// A time-based rule: while its window is open, it tightens the policy's
/// capacity bounds (for example at least 10 instances during business hours).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRule {
    /// Name shown in decisions' reasons.
    pub name: String,
    /// IANA time zone of `start` and `end`, e.g. `America/New_York` (default `UTC`).
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// Days the window opens on (`mon`…`sun`, or `weekdays`, `weekends`);
    /// empty means every day.
    #[serde(default)]
    pub days: Vec<String>,
    /// Local opening time `HH:MM`.
    pub start: String,
    /// Local closing time `HH:MM`; earlier than `start` means the window runs
    /// past midnight.
    pub end: String,
    /// Capacity floor while the window is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_capacity: Option<u32>,
    /// Capacity ceiling while the window is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<u32>,
}

impl ScheduleRule {
    /// The rule's weekly window.
    pub fn window(&self) -> WeeklyWindow {
        WeeklyWindow {
            timezone: self.timezone.clone(),
            days: self.days.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
        }
    }
}

/// A named scaling policy with its capacity bounds.
///
/// Exactly one rule kind is set — `thresholds`, `target_tracking` or
/// `composite` — or none, when the policy only follows its `schedules`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    /// Unique within its resource config; required (files that key policies
    /// by name may leave it out and fill it from the key).
    #[serde(default)]
    pub name: String,
    /// Threshold rules (the seed's policy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<ScalingThreshold>,
    /// HPA-style target tracking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_tracking: Option<TargetTrackingPolicy>,
    /// A combination of other policies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composite: Option<CompositePolicy>,
    /// Time-based bounds applied on top of the rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScheduleRule>,
    /// Fewest units (instances or workers); default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_capacity: Option<u32>,
    /// Most units; default 1,000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<u32>,
    /// A disabled policy is still evaluated, but its decisions are skipped
    /// with reason `disabled`.
    #[serde(default = "default_true")]
    pub enabled: bool,
}

fn default_true() -> bool {
    true
}

/// Capacity floor when a policy gives none.
pub const DEFAULT_MIN_CAPACITY: u32 = 1;
/// Capacity ceiling when a policy gives none.
pub const DEFAULT_MAX_CAPACITY: u32 = 1000;

impl ScalingPolicy {
    /// A threshold policy with the given rules and bounds.
    pub fn threshold(name: &str, thresholds: Vec<ScalingThreshold>, min: u32, max: u32) -> Self {
        ScalingPolicy {
            name: name.to_string(),
            thresholds,
            target_tracking: None,
            composite: None,
            schedules: Vec::new(),
            min_capacity: Some(min),
            max_capacity: Some(max),
            enabled: true,
        }
    }

    /// A target-tracking policy with the given bounds.
    pub fn target_tracking(name: &str, tracking: TargetTrackingPolicy, min: u32, max: u32) -> Self {
        ScalingPolicy {
            target_tracking: Some(tracking),
            ..ScalingPolicy::threshold(name, Vec::new(), min, max)
        }
    }

    /// A composite of other policies of the same resource config.
    pub fn composite(name: &str, composite: CompositePolicy, min: u32, max: u32) -> Self {
        ScalingPolicy {
            composite: Some(composite),
            ..ScalingPolicy::threshold(name, Vec::new(), min, max)
        }
    }

    /// Lower capacity bound in effect without schedules.
    pub fn min(&self) -> u32 {
        self.min_capacity.unwrap_or(DEFAULT_MIN_CAPACITY)
    }

    /// Upper capacity bound in effect without schedules.
    pub fn max(&self) -> u32 {
        self.max_capacity.unwrap_or(DEFAULT_MAX_CAPACITY)
    }
}
