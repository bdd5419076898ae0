//! Per-resource state: everything the core remembers about one resource.

use serde::{Deserialize, Serialize};

use crate::policy::target::TargetState;
use crate::time::Timestamp;
use crate::types::{ResourceLayer, ScaleDirection};

/// Where a resource's metrics come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricsSource {
    /// The driver asks [`crate::MetricsProvider::get_metrics`] every cycle.
    Pull,
    /// Samples are pushed (through the handle, or by a simulator).
    Push,
}

/// An operator's override of the policy for one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Override {
    /// Nothing is executed until `until`.
    Pause {
        /// End of the pause.
        until: Timestamp,
    },
    /// Capacity is driven to `capacity` until `until`, whatever the policy says.
    Pin {
        /// The pinned capacity, units.
        capacity: u32,
        /// End of the pin.
        until: Timestamp,
    },
}

impl Override {
    /// When the override ends.
    pub fn until(&self) -> Timestamp {
        match *self {
            Override::Pause { until } | Override::Pin { until, .. } => until,
        }
    }
}

/// Marks a resource whose type is gone from the configuration.
pub(crate) const NO_TYPE: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub(crate) struct ResourceState {
    /// Shared with the id → key map, so each id is stored once.
    pub id: std::sync::Arc<str>,
    /// Index into the core's table of type names (a type may outlive its
    /// config entry).
    pub type_name: u32,
    /// Index into the compiled types, or [`NO_TYPE`].
    pub type_idx: u32,
    pub layer: ResourceLayer,
    pub source: MetricsSource,
    /// First sample slot in the core's flat sample table.
    pub sample_base: u32,
    pub capacity: Option<u32>,
    /// When `capacity` was last observed or read from the executor.
    pub capacity_at: Timestamp,
    /// An "at limit" skip was reported and the resource still presses
    /// against that bound: it is not reported again every cycle.
    pub at_limit_reported: bool,
    /// Indexed by [`direction_index`].
    pub cooldown_until: [Timestamp; 2],
    pub signal: ScaleDirection,
    pub signal_since: Timestamp,
    pub failures: u32,
    pub backoff_until: Timestamp,
    pub protected_workers: u32,
    pub override_: Option<Override>,
    /// One per target-tracking policy of the type, in policy order.
    pub target_states: Vec<TargetState>,
    pub last_action: Option<(ScaleDirection, Timestamp)>,
    /// The last failed action, so a retry can see from the capacity read
    /// back that it was in fact applied (its answer lost).
    pub failed_action: Option<Box<FailedAction>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct FailedAction {
    pub direction: ScaleDirection,
    pub from: u32,
    pub target: u32,
    pub cooldown: crate::time::Span,
    pub added_cost_per_hour: f64,
    pub decided_at: Timestamp,
}

impl FailedAction {
    /// Whether a capacity read back shows the action took effect.
    pub fn applied_at(&self, capacity: u32) -> bool {
        match self.direction {
            ScaleDirection::Up => capacity >= self.target && capacity > self.from,
            ScaleDirection::Down => capacity <= self.target && capacity < self.from,
            ScaleDirection::Maintain => false,
        }
    }
}

/// 0 for up, 1 for down (maintain never has a cooldown).
#[inline]
pub(crate) fn direction_index(direction: ScaleDirection) -> usize {
    usize::from(direction == ScaleDirection::Down)
}

/// What survives a restart for one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceSnapshot {
    /// The resource.
    pub resource_id: String,
    /// Its type.
    pub resource_type: String,
    /// Pulled or pushed.
    pub source: MetricsSource,
    /// Last known capacity.
    pub capacity: Option<u32>,
    /// End of the scale-up cooldown.
    pub cooldown_up_until: Timestamp,
    /// End of the scale-down cooldown.
    pub cooldown_down_until: Timestamp,
    /// Failures in a row.
    pub failures: u32,
    /// Earliest next attempt after a failure.
    pub backoff_until: Timestamp,
    /// Workers running critical platform workloads.
    pub protected_workers: u32,
    /// An operator override in force.
    pub override_: Option<Override>,
    /// The last executed action.
    pub last_action: Option<(ScaleDirection, Timestamp)>,
}
