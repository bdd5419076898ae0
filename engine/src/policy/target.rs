//! HPA-style target tracking, following the Kubernetes algorithm:
//! `desired = ceil(current × value / target)` with a tolerance band, a
//! stabilization window per direction, and rate limits per period.

use std::collections::VecDeque;

use super::{Sample, Vote};
use crate::config::{RateLimitKind, SelectPolicy};
use crate::time::{Span, Timestamp};
use crate::types::ScaleDirection;

/// One metric target bound to a slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompiledMetricTarget {
    /// Index of the metric's sample.
    pub slot: u16,
    /// Target value per instance.
    pub target: f64,
}

/// One rate limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompiledRateLimit {
    /// Pods or percent.
    pub kind: RateLimitKind,
    /// Amount per period.
    pub value: u32,
    /// Period length.
    pub period: Span,
}

/// Behavior in one direction.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledRules {
    /// Stabilization window.
    pub window: Span,
    /// How limits combine.
    pub select: SelectPolicy,
    /// Rate limits.
    pub limits: Vec<CompiledRateLimit>,
    /// Cooldown after an executed action in this direction.
    pub cooldown: Span,
}

impl CompiledRules {
    /// The longest rate-limit period.
    pub fn longest_period(&self) -> Span {
        self.limits
            .iter()
            .map(|l| l.period)
            .max()
            .unwrap_or(Span::ZERO)
    }
}

/// A target-tracking policy bound to slots.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledTarget {
    /// Metric targets.
    pub metrics: Vec<CompiledMetricTarget>,
    /// Dead band, fraction.
    pub tolerance: f64,
    /// Scale-up behavior.
    pub up: CompiledRules,
    /// Scale-down behavior.
    pub down: CompiledRules,
}

/// Per-resource memory of a target-tracking policy: past recommendations
/// (for stabilization) and past changes (for rate limits). Both are bounded
/// by the longest window or period divided by the evaluation interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetState {
    /// (when, desired capacity before stabilization).
    recommendations: VecDeque<(Timestamp, u32)>,
    /// (when, capacity change) of executed actions.
    changes: VecDeque<(Timestamp, i64)>,
}

impl TargetState {
    /// Empty state with room for `recommendations` and `changes` entries, so
    /// steady operation never reallocates.
    pub fn with_capacity(recommendations: usize, changes: usize) -> Self {
        TargetState {
            recommendations: VecDeque::with_capacity(recommendations),
            changes: VecDeque::with_capacity(changes),
        }
    }

    /// Bytes of heap this state holds.
    pub fn heap_bytes(&self) -> usize {
        self.recommendations.capacity() * std::mem::size_of::<(Timestamp, u32)>()
            + self.changes.capacity() * std::mem::size_of::<(Timestamp, i64)>()
    }

    /// Records an executed change of capacity.
    pub fn record_change(&mut self, at: Timestamp, delta: i64, keep: Span) {
        self.changes.push_back((at, delta));
        while self
            .changes
            .front()
            .is_some_and(|&(t, _)| at.since(t) > keep)
        {
            self.changes.pop_front();
        }
    }

    /// Records a recommendation without acting on it (a cycle in tolerance).
    pub fn record_recommendation(&mut self, at: Timestamp, desired: u32, keep: Span) {
        self.recommendations.push_back((at, desired));
        while self
            .recommendations
            .front()
            .is_some_and(|&(t, _)| at.since(t) > keep)
        {
            self.recommendations.pop_front();
        }
    }
}

/// The raw vote: the largest `value / target` over metrics with fresh samples.
/// A scale-down needs every metric fresh (Kubernetes skips it when one metric
/// is missing); a scale-up acts on the fresh ones.
#[inline]
pub fn vote(policy: &CompiledTarget, samples: &[Sample], now: Timestamp, max_age: Span) -> Vote {
    let mut best: Option<(f64, &CompiledMetricTarget, &Sample)> = None;
    let mut missing = false;
    let mut stale_would_act = false;
    for m in &policy.metrics {
        let sample = &samples[m.slot as usize];
        let ratio = sample.value / m.target;
        if !sample.is_fresh(now, max_age) {
            missing = true;
            stale_would_act |= sample.exists() && (ratio - 1.0).abs() > policy.tolerance;
            continue;
        }
        if best.is_none_or(|(r, _, _)| ratio > r) {
            best = Some((ratio, m, sample));
        }
    }
    let Some((ratio, m, sample)) = best else {
        return Vote {
            stale: stale_would_act,
            ..Vote::MAINTAIN
        };
    };
    let direction = if ratio > 1.0 + policy.tolerance {
        ScaleDirection::Up
    } else if ratio < 1.0 - policy.tolerance && !missing {
        ScaleDirection::Down
    } else {
        return Vote {
            stale: stale_would_act || (missing && ratio < 1.0 - policy.tolerance),
            ..Vote::MAINTAIN
        };
    };
    let cooldown = match direction {
        ScaleDirection::Up => policy.up.cooldown,
        _ => policy.down.cooldown,
    };
    Vote {
        direction,
        stale: false,
        slot: m.slot,
        value: sample.value,
        bound: m.target,
        factor: ratio,
        cooldown,
        confidence: 1.0,
        sample_at: sample.at,
    }
}

/// `ceil(current × ratio)`; at least 1 when scaling up from nothing.
pub fn desired(current: u32, ratio: f64) -> u32 {
    let d = (f64::from(current) * ratio).ceil();
    let d = if d.is_finite() {
        d.min(f64::from(u32::MAX)) as u32
    } else {
        current
    };
    if current == 0 && ratio > 1.0 {
        d.max(1)
    } else {
        d
    }
}

/// Applies the stabilization windows and records `desired`, as Kubernetes'
/// `stabilizeRecommendationWithBehaviors` does: a scale-up takes the lowest
/// recommendation of its window, a scale-down the highest of its window.
pub fn stabilize(
    state: &mut TargetState,
    policy: &CompiledTarget,
    now: Timestamp,
    current: u32,
    desired: u32,
) -> u32 {
    let mut up_rec = desired;
    let mut down_rec = desired;
    for &(t, rec) in &state.recommendations {
        if now.since(t) < policy.up.window {
            up_rec = up_rec.min(rec);
        }
        if now.since(t) < policy.down.window {
            down_rec = down_rec.max(rec);
        }
    }
    let keep = if policy.up.window > policy.down.window {
        policy.up.window
    } else {
        policy.down.window
    };
    state.record_recommendation(now, desired, keep);
    current.max(up_rec).min(down_rec)
}

/// Limits a stabilized recommendation by the rate limits of its direction,
/// counting the changes executed within each limit's period.
pub fn rate_limit(
    state: &TargetState,
    policy: &CompiledTarget,
    now: Timestamp,
    current: u32,
    wanted: u32,
) -> u32 {
    use std::cmp::Ordering;
    match wanted.cmp(&current) {
        Ordering::Greater => wanted.min(up_limit(state, &policy.up, now, current)),
        Ordering::Less => wanted.max(down_limit(state, &policy.down, now, current)),
        Ordering::Equal => wanted,
    }
}

fn changed_within(state: &TargetState, now: Timestamp, period: Span, up: bool) -> i64 {
    state
        .changes
        .iter()
        .filter(|&&(t, d)| now.since(t) < period && (d > 0) == up && d != 0)
        .map(|&(_, d)| d.abs())
        .sum()
}

fn up_limit(state: &TargetState, rules: &CompiledRules, now: Timestamp, current: u32) -> u32 {
    if rules.select == SelectPolicy::Disabled {
        return current;
    }
    let mut limit: Option<i64> = None;
    for l in &rules.limits {
        let start = i64::from(current) - changed_within(state, now, l.period, true);
        let allowed = match l.kind {
            RateLimitKind::Pods => start + i64::from(l.value),
            RateLimitKind::Percent => {
                (start as f64 * (1.0 + f64::from(l.value) / 100.0)).ceil() as i64
            }
        };
        limit = Some(match (limit, rules.select) {
            (None, _) => allowed,
            (Some(x), SelectPolicy::Max) => x.max(allowed),
            (Some(x), _) => x.min(allowed),
        });
    }
    limit.map_or(u32::MAX, |l| l.clamp(0, i64::from(u32::MAX)) as u32)
}

fn down_limit(state: &TargetState, rules: &CompiledRules, now: Timestamp, current: u32) -> u32 {
    if rules.select == SelectPolicy::Disabled {
        return current;
    }
    let mut limit: Option<i64> = None;
    for l in &rules.limits {
        let start = i64::from(current) + changed_within(state, now, l.period, false);
        let allowed = match l.kind {
            RateLimitKind::Pods => start - i64::from(l.value),
            RateLimitKind::Percent => (start as f64 * (1.0 - f64::from(l.value) / 100.0)) as i64,
        };
        // "Max" allows the largest change, which downwards is the lowest floor.
        limit = Some(match (limit, rules.select) {
            (None, _) => allowed,
            (Some(x), SelectPolicy::Max) => x.min(allowed),
            (Some(x), _) => x.max(allowed),
        });
    }
    limit.map_or(0, |l| l.clamp(0, i64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hpa() -> CompiledTarget {
        let compile = |r: crate::config::ScalingRules| CompiledRules {
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
            cooldown: Span::ZERO,
        };
        CompiledTarget {
            metrics: vec![CompiledMetricTarget {
                slot: 0,
                target: 50.0,
            }],
            tolerance: 0.1,
            up: compile(crate::config::ScalingRules::hpa_scale_up()),
            down: compile(crate::config::ScalingRules::hpa_scale_down()),
        }
    }

    fn s(value: f64) -> [Sample; 1] {
        [Sample {
            value,
            at: Timestamp(0),
        }]
    }

    #[test]
    fn tolerance_band_means_no_change() {
        let p = hpa();
        assert_eq!(
            vote(&p, &s(54.9), Timestamp(0), Span::from_secs(60)).direction,
            ScaleDirection::Maintain
        );
        assert_eq!(
            vote(&p, &s(45.1), Timestamp(0), Span::from_secs(60)).direction,
            ScaleDirection::Maintain
        );
        assert_eq!(
            vote(&p, &s(56.0), Timestamp(0), Span::from_secs(60)).direction,
            ScaleDirection::Up
        );
        assert_eq!(
            vote(&p, &s(44.0), Timestamp(0), Span::from_secs(60)).direction,
            ScaleDirection::Down
        );
    }

    #[test]
    fn desired_is_ceil_of_current_times_ratio() {
        assert_eq!(desired(4, 90.0 / 50.0), 8); // ceil(7.2)
        assert_eq!(desired(10, 20.0 / 50.0), 4);
        assert_eq!(desired(0, 2.0), 1);
    }

    #[test]
    fn scale_up_is_limited_to_max_of_100_percent_and_4_pods_per_15s() {
        let p = hpa();
        let st = TargetState::default();
        assert_eq!(
            rate_limit(&st, &p, Timestamp(0), 2, 100),
            6,
            "4 pods beat 100 % of 2"
        );
        assert_eq!(
            rate_limit(&st, &p, Timestamp(0), 10, 100),
            20,
            "100 % of 10 beats 4 pods"
        );
    }

    #[test]
    fn changes_within_the_period_count_against_the_limit() {
        let p = hpa();
        let mut st = TargetState::default();
        st.record_change(Timestamp(0), 4, Span::from_secs(15));
        // 5 s later, from 6 (period start 2): still at most 6.
        assert_eq!(rate_limit(&st, &p, Timestamp(5_000), 6, 100), 6);
        // After the period, the limit restarts from 6.
        assert_eq!(rate_limit(&st, &p, Timestamp(16_000), 6, 100), 12);
    }

    #[test]
    fn scale_down_takes_the_highest_recommendation_of_the_window() {
        let p = hpa();
        let mut st = TargetState::default();
        assert_eq!(stabilize(&mut st, &p, Timestamp(0), 10, 10), 10);
        assert_eq!(stabilize(&mut st, &p, Timestamp::from_secs(60), 10, 4), 10);
        assert_eq!(stabilize(&mut st, &p, Timestamp::from_secs(200), 10, 6), 10);
        // 300 s after the recommendation of 10, the window holds 4 and 6.
        assert_eq!(stabilize(&mut st, &p, Timestamp::from_secs(301), 10, 5), 6);
    }

    #[test]
    fn scale_up_is_not_stabilized_by_default() {
        let p = hpa();
        let mut st = TargetState::default();
        stabilize(&mut st, &p, Timestamp(0), 4, 4);
        assert_eq!(stabilize(&mut st, &p, Timestamp::from_secs(15), 4, 9), 9);
    }

    #[test]
    fn a_missing_metric_blocks_scale_down_but_not_scale_up() {
        let mut p = hpa();
        p.metrics.push(CompiledMetricTarget {
            slot: 1,
            target: 10.0,
        });
        let now = Timestamp(0);
        let low = [
            Sample {
                value: 10.0,
                at: now,
            },
            Sample::NONE,
        ];
        assert_eq!(
            vote(&p, &low, now, Span::from_secs(60)).direction,
            ScaleDirection::Maintain
        );
        let high = [
            Sample {
                value: 100.0,
                at: now,
            },
            Sample::NONE,
        ];
        assert_eq!(
            vote(&p, &high, now, Span::from_secs(60)).direction,
            ScaleDirection::Up
        );
    }
}
