//! The first half of a cycle: votes from samples alone, and the gates that
//! need no capacity (disabled, paused, maintenance, back-off, cooldown).

use super::compiled::{CompiledPolicy, CompiledType, Rule};
use super::events::Cause;
use super::state::{NO_TYPE, Override, direction_index};
use super::{CycleKind, EngineCore, Proposal, ResourceKey, SafetyReason, Skip, SkipReason};
use crate::policy::composite::CompiledComposite;
use crate::policy::{Sample, Vote, composite, target, threshold};
use crate::time::{Span, Timestamp};
use crate::types::{ResourceLayer, ScaleDirection};

impl EngineCore {
    /// Starts a cycle at `now` if one is due: a full evaluation when the
    /// interval has elapsed, otherwise a retry-only pass when a back-off has
    /// ended. Returns `None` when nothing is due.
    pub fn begin_cycle(&mut self, now: Timestamp) -> Option<CycleKind> {
        let kind = if now >= self.next_evaluation {
            // Keep a fixed cadence: the next tick is the first one after now.
            let interval = self.compiled.interval.as_millis().max(1);
            let behind = now.since(self.next_evaluation).as_millis() / interval + 1;
            self.next_evaluation += Span::from_millis(behind * interval);
            self.last_evaluation = Some(now);
            CycleKind::Full
        } else if self.retry_queue.first().is_some_and(|&(t, _)| t <= now) {
            CycleKind::RetriesOnly
        } else {
            return None;
        };
        // Due retries leave the queue now, so it only ever holds deadlines
        // in the future and the next wake-up is never in the past.
        self.due_retries.clear();
        while let Some(&(t, i)) = self.retry_queue.first() {
            if t > now {
                break;
            }
            self.retry_queue.pop_first();
            self.due_retries.push(i);
        }
        self.cycle_kind = kind;
        self.cycle_bounds.clear();
        for ty in &self.compiled.types {
            self.cycle_bounds
                .push(effective_bounds(ty.active_policy(), now));
        }
        for layer in ResourceLayer::ALL {
            self.cycle_maintenance[layer.index()] = self.maintenance_at(layer, now);
        }
        Some(kind)
    }

    /// Evaluates one layer's resources (after [`EngineCore::begin_cycle`]),
    /// appending the resources that want to act to `proposals` and the ones
    /// that are stopped to `skips`, in evaluation order. Allocates nothing
    /// once the vectors have grown.
    pub fn evaluate_layer(
        &mut self,
        layer: ResourceLayer,
        now: Timestamp,
        proposals: &mut Vec<Proposal>,
        skips: &mut Vec<Skip>,
    ) {
        let layer_list = std::mem::take(&mut self.by_layer[layer.index()]);
        match self.cycle_kind {
            CycleKind::Full => {
                for &index in &layer_list {
                    if !self.settle_quiet(index, now) {
                        self.evaluate_one(index, now, proposals, skips);
                    }
                }
            }
            CycleKind::RetriesOnly => {
                let due = std::mem::take(&mut self.due_retries);
                for &index in &due {
                    if self.resources[index as usize].layer == layer {
                        self.evaluate_one(index, now, proposals, skips);
                    }
                }
                self.due_retries = due;
            }
        }
        self.by_layer[layer.index()] = layer_list;
    }

    /// Settles a quiet resource under a threshold policy: no pin, inside
    /// its bounds, nothing failed, no signal to end, and every rule's
    /// fresh sample inside its band, so that the vote holds
    /// ([`threshold::in_band`]) and all [`EngineCore::evaluate_one`]
    /// would do is clear the at-limit note. `false`, with nothing done,
    /// for any other resource. Most resources of a large fleet are quiet
    /// at most cycles, so this is kept small and inline.
    #[inline(always)]
    fn settle_quiet(&mut self, index: u32, now: Timestamp) -> bool {
        let r = &self.resources[index as usize];
        if r.type_idx == NO_TYPE || r.failures != 0 || r.signal != ScaleDirection::Maintain {
            return false;
        }
        let pinned = matches!(r.override_, Some(Override::Pin { until, .. }) if until > now);
        let ty = &self.compiled.types[r.type_idx as usize];
        let policy = ty.active_policy();
        let Rule::Threshold(rules) = &policy.rule else {
            return false;
        };
        let (lo, hi, _) = self.cycle_bounds[r.type_idx as usize];
        let base = r.sample_base as usize;
        let samples = &self.samples[base..base + ty.slots.len()];
        // (A threshold policy keeps no target-tracking recommendations.)
        let quiet = !pinned
            && r.capacity.is_none_or(|c| lo <= c && c <= hi)
            && threshold::in_band(rules, samples, now, self.compiled.max_age);
        if quiet {
            self.resources[index as usize].at_limit_reported = false;
        }
        quiet
    }

    #[inline]
    fn evaluate_one(
        &mut self,
        index: u32,
        now: Timestamp,
        proposals: &mut Vec<Proposal>,
        skips: &mut Vec<Skip>,
    ) {
        let key = ResourceKey(index);
        let r = &self.resources[index as usize];
        if r.type_idx == NO_TYPE {
            return;
        }
        let ty = &self.compiled.types[r.type_idx as usize];
        let policy = ty.active_policy();
        let (lo, hi, _) = self.cycle_bounds[r.type_idx as usize];
        let base = r.sample_base as usize;
        let samples = &self.samples[base..base + ty.slots.len()];
        let max_age = self.compiled.max_age;
        let pin = match r.override_ {
            Some(Override::Pin { capacity, until }) if until > now => Some(capacity),
            _ => None,
        };
        let vote = vote_policy(ty, policy, samples, now, max_age, &mut self.member_votes);
        let capacity = r.capacity;
        let (vote, cause) = if let Some(pinned) = pin {
            let direction = match capacity {
                Some(c) if c == pinned => ScaleDirection::Maintain,
                Some(c) if c > pinned => ScaleDirection::Down,
                _ => ScaleDirection::Up,
            };
            (
                Vote {
                    direction,
                    sample_at: now,
                    ..Vote::MAINTAIN
                },
                Cause::Pin,
            )
        } else if vote.direction == ScaleDirection::Maintain {
            let outside = match capacity {
                Some(c) if c < lo => ScaleDirection::Up,
                Some(c) if c > hi => ScaleDirection::Down,
                _ => ScaleDirection::Maintain,
            };
            let bounds_vote = Vote {
                direction: outside,
                sample_at: now,
                stale: vote.stale && outside == ScaleDirection::Maintain,
                ..vote
            };
            (bounds_vote, Cause::Bounds)
        } else {
            (vote, Cause::Rule)
        };
        let direction = vote.direction;
        let stale = vote.stale;
        let enabled = policy.enabled;
        let target_index = policy.target_index;

        let r = &mut self.resources[index as usize];
        // Pressing against a bound, by a capacity known recently enough:
        // skipped without asking the executor, and reported once per stay.
        let known = capacity.filter(|_| now.since(r.capacity_at) <= max_age);
        if let (Some(c), true) = (known, cause == Cause::Rule) {
            let limit = match direction {
                ScaleDirection::Up if c >= hi => Some(hi),
                ScaleDirection::Down if c <= lo => Some(lo),
                _ => None,
            };
            if let Some(limit) = limit {
                if !r.at_limit_reported {
                    r.at_limit_reported = true;
                    skips.push(Skip {
                        key,
                        direction,
                        reason: SkipReason::AtLimit { limit },
                        vote,
                    });
                }
                return;
            }
        }
        r.at_limit_reported = false;
        if direction != r.signal {
            r.signal = direction;
            r.signal_since = if direction == ScaleDirection::Maintain {
                Timestamp::MIN
            } else {
                vote.sample_at
            };
        }
        if direction == ScaleDirection::Maintain {
            if r.failures > 0 {
                self.retry_queue.remove(&(r.backoff_until, index));
            }
            // The failed action stays remembered: if it was applied after
            // all, the next decision reads that back and honours its cooldown.
            r.failures = 0;
            if let (Some(ti), Some(c)) = (target_index, capacity) {
                // A cycle in tolerance still counts as a recommendation for
                // the stabilization window.
                let ty = &self.compiled.types[r.type_idx as usize];
                if let Rule::Target(t) = &ty.active_policy().rule {
                    let keep = t.up.window.max(t.down.window);
                    r.target_states[ti as usize].record_recommendation(now, c, keep);
                }
            }
            if stale {
                skips.push(Skip {
                    key,
                    direction,
                    reason: SkipReason::StaleMetrics,
                    vote,
                });
            }
            return;
        }
        let gate = if !enabled && cause != Cause::Pin {
            Some(SkipReason::Disabled)
        } else if let Some(Override::Pause { until }) = r.override_.filter(|o| o.until() > now) {
            Some(SkipReason::Paused { until })
        } else if let Some(name) = &self.cycle_maintenance[r.layer.index()] {
            Some(SkipReason::Safety(SafetyReason::MaintenanceWindow {
                name: name.clone(),
            }))
        } else if r.failures > 0 && r.backoff_until > now {
            Some(SkipReason::Backoff {
                until: r.backoff_until,
            })
        } else if cause != Cause::Pin && r.cooldown_until[direction_index(direction)] > now {
            Some(SkipReason::Cooldown {
                until: r.cooldown_until[direction_index(direction)],
            })
        } else {
            None
        };
        match gate {
            Some(reason) => skips.push(Skip {
                key,
                direction,
                reason,
                vote,
            }),
            None => proposals.push(Proposal {
                key,
                direction,
                vote,
                signal_since: r.signal_since,
                cause,
            }),
        }
    }
}

/// A policy's bounds at `now`, tightened by its open schedules; when two
/// open schedules conflict, the floor wins (availability first).
pub(crate) fn effective_bounds(policy: &CompiledPolicy, now: Timestamp) -> (u32, u32, Option<u16>) {
    let (mut lo, mut hi, mut by) = (policy.min, policy.max, None);
    for (i, s) in policy.schedules.iter().enumerate() {
        if s.window.contains(now) {
            if let Some(min) = s.min.filter(|&m| m > lo) {
                lo = min;
                by = Some(i as u16);
            }
            if let Some(max) = s.max.filter(|&m| m < hi) {
                hi = max;
                by = Some(i as u16);
            }
        }
    }
    (lo, hi.max(lo), by)
}

/// The vote of a policy; composites evaluate every member. Inlined into
/// every resource's evaluation; a composite's vote is out of line.
#[inline(always)]
pub(crate) fn vote_policy(
    ty: &CompiledType,
    policy: &CompiledPolicy,
    samples: &[Sample],
    now: Timestamp,
    max_age: Span,
    scratch: &mut Vec<Vote>,
) -> Vote {
    match &policy.rule {
        Rule::None => Vote::MAINTAIN,
        Rule::Threshold(rules) => threshold::vote(rules, samples, now, max_age),
        Rule::Target(t) => target::vote(t, samples, now, max_age),
        Rule::Composite(c) => vote_composite(ty, c, samples, now, max_age, scratch),
    }
}

/// The vote of a composite policy: every member votes, and the members
/// that agree with the combined direction make the decisive vote.
#[inline(never)]
fn vote_composite(
    ty: &CompiledType,
    c: &CompiledComposite,
    samples: &[Sample],
    now: Timestamp,
    max_age: Span,
    scratch: &mut Vec<Vote>,
) -> Vote {
    scratch.clear();
    for &(member, _) in &c.members {
        let v = match &ty.policies[member].rule {
            Rule::Threshold(rules) => threshold::vote(rules, samples, now, max_age),
            Rule::Target(t) => target::vote(t, samples, now, max_age),
            _ => Vote::MAINTAIN,
        };
        scratch.push(v);
    }
    let (direction, mask) = composite::combine(c, scratch);
    if direction == ScaleDirection::Maintain {
        return Vote {
            stale: scratch.iter().any(|v| v.stale),
            ..Vote::MAINTAIN
        };
    }
    let voters = scratch
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, v)| v);
    let mut decisive = Vote::MAINTAIN;
    let mut first = true;
    for v in voters {
        if first {
            decisive = *v;
            first = false;
        } else {
            decisive.cooldown = decisive.cooldown.max(v.cooldown);
            decisive.sample_at = decisive.sample_at.min(v.sample_at);
            decisive.confidence = decisive.confidence.min(v.confidence);
        }
    }
    decisive.direction = direction;
    decisive
}
