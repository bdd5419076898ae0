//! Engine and fleet events (`events.parquet`). Resources are interned to a
//! [`ResourceIdx`] once, so that an event carries no resource string.

use std::borrow::Cow;

use super::meta::Layer;

/// Index of a resource in [`super::RunRecord::resources`]: apps first, in
/// declaration order, then resources interned with `Recorder::resource`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceIdx(pub u32);

/// A resource that events can refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// e.g. `app_instance:web`, `worker_node:pool`.
    pub id: String,
    /// The resource's layer.
    pub layer: Layer,
}

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// The engine decided to change capacity.
    Decision,
    /// The executor applied a decision.
    Executed,
    /// A decision was not acted on; `reason` says why.
    Skipped,
    /// Executing failed; `reason` holds the error.
    Error,
    /// The new capacity of an action is serving.
    Ready,
    /// An injected fault; `reason` names its kind.
    Fault,
    /// The engine's configuration changed.
    Config,
    /// A forecast was fitted; `reason` holds `metric=value` (the largest
    /// forecast over the horizon), the published name, the horizon, the
    /// history and the mode.
    Forecast,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 8] = [
        EventKind::Decision,
        EventKind::Executed,
        EventKind::Skipped,
        EventKind::Error,
        EventKind::Ready,
        EventKind::Fault,
        EventKind::Config,
        EventKind::Forecast,
    ];

    /// The name in `events.parquet`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Decision => "decision",
            EventKind::Executed => "executed",
            EventKind::Skipped => "skipped",
            EventKind::Error => "error",
            EventKind::Ready => "ready",
            EventKind::Fault => "fault",
            EventKind::Config => "config",
            EventKind::Forecast => "forecast",
        }
    }

    /// Parses [`EventKind::as_str`]'s names.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Which way capacity moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// More capacity.
    Up,
    /// Less capacity.
    Down,
    /// Not a capacity change.
    None,
}

impl Direction {
    /// The name in `events.parquet` (`up`, `down` or empty).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
            Direction::None => "",
        }
    }

    /// Parses [`Direction::as_str`]'s names.
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            "" => Some(Direction::None),
            _ => None,
        }
    }
}

impl From<lighthouse_engine::ScaleDirection> for Direction {
    fn from(d: lighthouse_engine::ScaleDirection) -> Direction {
        use lighthouse_engine::ScaleDirection as S;
        match d {
            S::Up => Direction::Up,
            S::Down => Direction::Down,
            S::Maintain => Direction::None,
        }
    }
}

/// One row of `events.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventRow {
    /// When it happened, Unix epoch milliseconds.
    pub t_ms: i64,
    /// Links the decision, executed and ready rows of one action; -1 when none.
    pub action_id: i64,
    /// The resource concerned.
    pub resource: ResourceIdx,
    /// What happened.
    pub kind: EventKind,
    /// Which way capacity moves.
    pub direction: Direction,
    /// Capacity before, instances or workers; -1 when not applicable.
    pub from_capacity: i64,
    /// Target capacity, instances or workers; -1 when not applicable.
    pub to_capacity: i64,
    /// When the metric first crossed the threshold that led to this
    /// decision, Unix epoch milliseconds; -1 when unknown.
    pub signal_since_ms: i64,
    /// Skip reason, error text, fault kind, or the decision's reason;
    /// `Cow` so that fixed reasons cost no allocation.
    pub reason: Cow<'static, str>,
}

impl EventRow {
    /// An event with no action, capacities, signal time or reason; set the
    /// fields that apply.
    pub fn new(t_ms: i64, resource: ResourceIdx, kind: EventKind) -> EventRow {
        EventRow {
            t_ms,
            action_id: -1,
            resource,
            kind,
            direction: Direction::None,
            from_capacity: -1,
            to_capacity: -1,
            signal_since_ms: -1,
            reason: Cow::Borrowed(""),
        }
    }

    /// A row about scale action `a` (decided, executed, skipped…) at
    /// `t_ms`, with its direction, capacities and signal time; `action_id`
    /// links the rows of one action.
    pub fn for_action(
        t_ms: i64,
        resource: ResourceIdx,
        kind: EventKind,
        action_id: i64,
        a: &lighthouse_engine::ScaleAction,
        reason: Cow<'static, str>,
    ) -> EventRow {
        EventRow {
            t_ms,
            action_id,
            resource,
            kind,
            direction: a.direction.into(),
            from_capacity: i64::from(a.current_capacity),
            to_capacity: i64::from(a.target_capacity),
            signal_since_ms: a.signal_since.map_or(-1, |t| t.as_millis()),
            reason,
        }
    }
}
