//! Policy evaluation on compiled (interned) policies.
//!
//! Evaluation is split in two, because the second half needs the resource's
//! current capacity, which the driver asks the executor for only when a
//! policy wants to act:
//! 1. a *vote* from the latest samples alone ([`Vote`]);
//! 2. a *target capacity* from the vote and the current capacity.
//!
//! - [`threshold`]: the seed's threshold rules, every rule evaluated.
//! - [`target`]: HPA-style target tracking with stabilization and rate limits.
//! - [`composite`]: all / any / majority / weighted combinations.
//! - [`schedule`]: weekly windows in a real time zone.

pub mod composite;
pub mod schedule;
pub mod target;
pub mod threshold;

use crate::core::intern::MetricKey;
use crate::time::{Span, Timestamp};
use crate::types::ScaleDirection;

/// The latest sample of one metric of one resource.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// The value, in the metric's unit.
    pub value: f64,
    /// When it was measured; [`Timestamp::MIN`] when there is none yet.
    pub at: Timestamp,
}

impl Sample {
    /// No sample yet.
    pub const NONE: Sample = Sample {
        value: 0.0,
        at: Timestamp::MIN,
    };

    /// Whether the sample exists and is at most `max_age` old at `now`.
    #[inline]
    pub fn is_fresh(&self, now: Timestamp, max_age: Span) -> bool {
        self.at != Timestamp::MIN && now.since(self.at) <= max_age
    }

    /// Whether there is a sample at all.
    #[inline]
    pub fn exists(&self) -> bool {
        self.at != Timestamp::MIN
    }
}

/// What a policy's rule says from the samples alone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Vote {
    /// Up, down or maintain.
    pub direction: ScaleDirection,
    /// Only stale samples would have moved capacity this way.
    pub stale: bool,
    /// The metric slot that decided, for the reason text.
    pub slot: u16,
    /// The decisive value.
    pub value: f64,
    /// The threshold or target it was compared with.
    pub bound: f64,
    /// Threshold rules: the factor to apply. Target tracking: the ratio
    /// `value / target` (largest over metrics).
    pub factor: f64,
    /// Seconds of cooldown an executed action in this direction starts.
    pub cooldown: Span,
    /// Confidence of the deciding rule, 0 to 1.
    pub confidence: f64,
    /// When the decisive sample was measured.
    pub sample_at: Timestamp,
}

impl Vote {
    /// A vote for no change.
    pub const MAINTAIN: Vote = Vote {
        direction: ScaleDirection::Maintain,
        stale: false,
        slot: 0,
        value: 0.0,
        bound: 0.0,
        factor: 1.0,
        cooldown: Span::ZERO,
        confidence: 1.0,
        sample_at: Timestamp::MIN,
    };
}

/// A metric slot of a resource type, bound to an interned metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// Index into the resource's samples.
    pub index: u16,
    /// The metric.
    pub metric: MetricKey,
}
