//! What the core tells its driver: proposals to act, decisions, skips with
//! typed reasons.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::{Span, Timestamp};
use crate::types::{ScaleAction, ScaleDirection};

/// Handle of a tracked resource inside one [`crate::EngineCore`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceKey(pub(crate) u32);

impl ResourceKey {
    /// Position of the resource in registration order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why a safety check stopped an action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SafetyReason {
    /// A maintenance window is open.
    MaintenanceWindow {
        /// The window's name.
        name: String,
    },
    /// The scale-up's added cost would take the spending rate past the budget.
    BudgetExceeded {
        /// Spending rate now, including actions already executed since the
        /// last observed rate, currency per hour.
        spend_per_hour: f64,
        /// What the action would add, currency per hour.
        added_per_hour: f64,
        /// The limit, currency per hour.
        limit_per_hour: f64,
    },
    /// A platform component would go below its high-availability floor.
    PlatformHaFloor {
        /// The floor, instances.
        floor: u32,
    },
    /// Only workers running critical platform workloads are left to remove.
    ProtectedWorkers {
        /// Workers that must not be terminated.
        protected: u32,
    },
    /// The executor's `is_safe_to_scale` said no.
    ExecutorRefused,
}

impl fmt::Display for SafetyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SafetyReason::MaintenanceWindow { name } => {
                write!(f, "maintenance window {name:?} is open")
            }
            SafetyReason::BudgetExceeded {
                spend_per_hour,
                added_per_hour,
                limit_per_hour,
            } => write!(
                f,
                "budget: {spend_per_hour:.2}/h + {added_per_hour:.2}/h would pass the limit {limit_per_hour:.2}/h"
            ),
            SafetyReason::PlatformHaFloor { floor } => {
                write!(f, "platform components keep at least {floor} instances")
            }
            SafetyReason::ProtectedWorkers { protected } => write!(
                f,
                "{protected} workers run critical platform workloads and are never terminated"
            ),
            SafetyReason::ExecutorRefused => write!(f, "the executor reported it unsafe"),
        }
    }
}

/// Why a wanted action was not executed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// The direction's cooldown has not elapsed.
    Cooldown {
        /// When it ends.
        until: Timestamp,
    },
    /// A safety check said no.
    Safety(SafetyReason),
    /// Capacity is already at the policy's bound in that direction.
    AtLimit {
        /// The bound, units.
        limit: u32,
    },
    /// Only stale samples (older than the configured age) would trigger it.
    StaleMetrics,
    /// The policy is disabled.
    Disabled,
    /// A previous execution failed; the next attempt waits for its back-off.
    Backoff {
        /// When the next attempt may run.
        until: Timestamp,
    },
    /// An operator paused the resource.
    Paused {
        /// When the pause ends.
        until: Timestamp,
    },
    /// The executor answered that it did not act.
    ExecutorDeclined,
}

impl SkipReason {
    /// A short, stable name for counting: `cooldown`, `safety`, `at_limit`,
    /// `stale_metrics`, `disabled`, `backoff`, `paused`, `executor_declined`.
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::Cooldown { .. } => "cooldown",
            SkipReason::Safety(_) => "safety",
            SkipReason::AtLimit { .. } => "at_limit",
            SkipReason::StaleMetrics => "stale_metrics",
            SkipReason::Disabled => "disabled",
            SkipReason::Backoff { .. } => "backoff",
            SkipReason::Paused { .. } => "paused",
            SkipReason::ExecutorDeclined => "executor_declined",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Cooldown { until } => write!(f, "in cooldown until {until}"),
            SkipReason::Safety(reason) => write!(f, "safety: {reason}"),
            SkipReason::AtLimit { limit } => write!(f, "already at the policy's limit of {limit}"),
            SkipReason::StaleMetrics => write!(f, "metrics are stale"),
            SkipReason::Disabled => write!(f, "policy is disabled"),
            SkipReason::Backoff { until } => write!(f, "retry back-off until {until}"),
            SkipReason::Paused { until } => write!(f, "paused by an operator until {until}"),
            SkipReason::ExecutorDeclined => write!(f, "executor declined"),
        }
    }
}

/// A resource whose policy wants to act; [`crate::EngineCore::decide`] turns
/// it into a decision once the current capacity is known.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// The resource.
    pub key: ResourceKey,
    /// The direction the policy votes for.
    pub direction: ScaleDirection,
    pub(crate) vote: crate::policy::Vote,
    pub(crate) signal_since: Timestamp,
    pub(crate) cause: Cause,
}

/// What made a resource want to act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cause {
    /// The policy's rule voted.
    Rule,
    /// Capacity is outside the policy's (or a schedule's) bounds.
    Bounds,
    /// An operator pinned the capacity.
    Pin,
}

/// A skip noticed during evaluation, before any capacity was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Skip {
    /// The resource.
    pub key: ResourceKey,
    /// The direction the policy wanted.
    pub direction: ScaleDirection,
    /// Why nothing happens.
    pub reason: SkipReason,
    pub(crate) vote: crate::policy::Vote,
}

/// An action the core has decided, waiting for the executor.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingAction {
    /// The resource.
    pub key: ResourceKey,
    /// What to do.
    pub action: ScaleAction,
    pub(crate) cooldown: Span,
    pub(crate) added_cost_per_hour: f64,
}

/// What [`crate::EngineCore::decide`] concluded.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Execute this action.
    Act(PendingAction),
    /// Do not act, and tell the observers why.
    Skip(Box<ScaleAction>, SkipReason),
    /// Nothing to do after all (stabilization or a capacity that already fits).
    Nothing,
    /// The capacity read back shows that an action reported as failed was in
    /// fact applied (its answer was lost); it is recorded as executed, and
    /// nothing is done again.
    AlreadyApplied(ScaleAction),
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The executor applied the action.
    Executed,
    /// The executor answered that it did nothing.
    Declined,
    /// The executor's safety check refused it.
    Refused,
    /// The executor failed.
    Failed,
}

/// When a failed action may be tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPlan {
    /// Failures in a row so far.
    pub attempt: u32,
    /// Earliest next attempt.
    pub next_attempt_at: Timestamp,
}
