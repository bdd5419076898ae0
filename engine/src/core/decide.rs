//! The second half of a cycle: with the current capacity known, a vote
//! becomes an absolute target, is clamped and checked for safety, and the
//! outcome of its execution updates cooldowns, back-off and spending.

use std::collections::BTreeMap;

use super::compiled::{CompiledPolicy, CompiledType, Rule};
use super::evaluate::{effective_bounds, vote_policy};
use super::events::Cause;
use super::retry::backoff;
use super::state::{FailedAction, NO_TYPE, Override, ResourceState, direction_index};
use super::{
    Decision, EngineCore, Outcome, PendingAction, Proposal, ResourceKey, RetryPlan, SafetyReason,
    Skip, SkipReason,
};
use crate::policy::target::{self, TargetState};
use crate::policy::{Sample, Vote, composite, threshold};
use crate::time::{Span, Timestamp};
use crate::types::{ResourceLayer, ScaleAction, ScaleDirection};

impl EngineCore {
    /// Turns a proposal into a decision, given the capacity the executor
    /// reported (`None` when it could not tell; the last known capacity is
    /// used then, and without one the proposal is dropped).
    pub fn decide(
        &mut self,
        proposal: &Proposal,
        current_capacity: Option<u32>,
        now: Timestamp,
    ) -> Decision {
        let index = proposal.key.index();
        if let Some(c) = current_capacity {
            self.resources[index].capacity = Some(c);
            self.resources[index].capacity_at = now;
        }
        let r = &self.resources[index];
        let (Some(current), false) = (r.capacity, r.type_idx == NO_TYPE) else {
            return Decision::Nothing;
        };
        if let Some(failed) = r
            .failed_action
            .as_deref()
            .copied()
            .filter(|f| f.applied_at(current))
        {
            return self.confirm_applied(proposal, failed, current, now);
        }
        let ty = &self.compiled.types[r.type_idx as usize];
        let policy = ty.active_policy();
        let (lo, hi) = bounds_for(r, policy, now);
        let base = r.sample_base as usize;
        let samples = &self.samples[base..base + ty.slots.len()];
        let wanted = match proposal.cause {
            Cause::Rule => {
                let states = &mut self.resources[index].target_states;
                rule_target(
                    ty,
                    policy,
                    samples,
                    &proposal.vote,
                    current,
                    now,
                    states,
                    &mut self.member_votes,
                    self.compiled.max_age,
                )
            }
            Cause::Bounds | Cause::Pin => current,
        };
        let r = &self.resources[index];
        let floor = self.floor(r, current);
        let target = wanted.clamp(lo, hi).max(floor);
        let skip = |reason: SkipReason, me: &Self| {
            Decision::Skip(
                Box::new(me.action(
                    proposal.key,
                    proposal.direction,
                    current,
                    target,
                    &proposal.vote,
                    proposal.cause,
                    proposal.signal_since,
                    now,
                )),
                reason,
            )
        };
        if target == current {
            return match proposal.direction {
                ScaleDirection::Up if current >= hi => {
                    skip(SkipReason::AtLimit { limit: hi }, self)
                }
                ScaleDirection::Down if current <= lo => {
                    skip(SkipReason::AtLimit { limit: lo }, self)
                }
                ScaleDirection::Down
                    if r.layer == ResourceLayer::PlatformComponent && current <= floor =>
                {
                    skip(
                        SkipReason::Safety(SafetyReason::PlatformHaFloor { floor }),
                        self,
                    )
                }
                ScaleDirection::Down
                    if r.layer == ResourceLayer::WorkerNode && current <= floor =>
                {
                    skip(
                        SkipReason::Safety(SafetyReason::ProtectedWorkers {
                            protected: r.protected_workers,
                        }),
                        self,
                    )
                }
                _ => Decision::Nothing,
            };
        }
        let direction = if target > current {
            ScaleDirection::Up
        } else {
            ScaleDirection::Down
        };
        if direction != proposal.direction
            && proposal.cause != Cause::Pin
            && r.cooldown_until[direction_index(direction)] > now
        {
            return skip(
                SkipReason::Cooldown {
                    until: r.cooldown_until[direction_index(direction)],
                },
                self,
            );
        }
        let added = if direction == ScaleDirection::Up {
            f64::from(target - current) * ty.unit_cost
        } else {
            0.0
        };
        if let Some(limit) = self.compiled.budget.filter(|_| added > 0.0) {
            let spend = self.spend_per_hour();
            if spend + added > limit + 1e-9 {
                return skip(
                    SkipReason::Safety(SafetyReason::BudgetExceeded {
                        spend_per_hour: spend,
                        added_per_hour: added,
                        limit_per_hour: limit,
                    }),
                    self,
                );
            }
        }
        // Every executed action starts its direction's cooldown; one that no
        // rule fired (bounds, pins) takes the policy's shortest.
        let cooldown = if proposal.cause == Cause::Rule && direction == proposal.direction {
            proposal.vote.cooldown
        } else {
            policy_cooldown(ty, policy, direction)
        };
        // A rule's vote that the bounds turned around is the bounds' doing.
        let cause = if proposal.cause == Cause::Rule && direction != proposal.direction {
            Cause::Bounds
        } else {
            proposal.cause
        };
        let action = self.action(
            proposal.key,
            direction,
            current,
            target,
            &proposal.vote,
            cause,
            proposal.signal_since,
            now,
        );
        self.total_recommendations += 1;
        Decision::Act(PendingAction {
            key: proposal.key,
            action,
            cooldown,
            added_cost_per_hour: added,
        })
    }

    fn confirm_applied(
        &mut self,
        proposal: &Proposal,
        failed: FailedAction,
        current: u32,
        now: Timestamp,
    ) -> Decision {
        let mut action = self.action(
            proposal.key,
            failed.direction,
            failed.from,
            current,
            &proposal.vote,
            Cause::Rule,
            proposal.signal_since,
            now,
        );
        // It was decided when first attempted.
        action.timestamp = failed.decided_at;
        action.reason = format!("read back after a lost answer: {}", action.reason);
        // The cost was committed when the attempt failed.
        let pending = PendingAction {
            key: proposal.key,
            action: action.clone(),
            cooldown: failed.cooldown,
            added_cost_per_hour: 0.0,
        };
        self.record_outcome(&pending, Outcome::Executed, now);
        Decision::AlreadyApplied(action)
    }

    /// Records how an execution ended. A success starts the direction's
    /// cooldown and commits the added cost; a failure schedules a retry
    /// with back-off and returns when it may run.
    pub fn record_outcome(
        &mut self,
        pending: &PendingAction,
        outcome: Outcome,
        now: Timestamp,
    ) -> Option<RetryPlan> {
        let index = pending.key.index();
        let retry_config = &self.compiled.retry;
        let r = &mut self.resources[index];
        match outcome {
            Outcome::Executed => {
                let dir = pending.action.direction;
                let until = now + pending.cooldown;
                let slot = &mut r.cooldown_until[direction_index(dir)];
                *slot = (*slot).max(until);
                r.capacity = Some(pending.action.target_capacity);
                r.capacity_at = now;
                if r.failures > 0 {
                    self.retry_queue.remove(&(r.backoff_until, index as u32));
                }
                r.failures = 0;
                r.failed_action = None;
                r.last_action = Some((dir, now));
                r.signal = ScaleDirection::Maintain;
                r.signal_since = Timestamp::MIN;
                let delta = i64::from(pending.action.target_capacity)
                    - i64::from(pending.action.current_capacity);
                let keep = Span::from_secs(crate::config::validate::MAX_PERIOD_SECONDS);
                for state in &mut r.target_states {
                    state.record_change(now, delta, keep);
                }
                self.committed_spend_per_hour += pending.added_cost_per_hour;
                None
            }
            Outcome::Declined | Outcome::Refused => None,
            Outcome::Failed => {
                // It may have been applied with its answer lost: count it
                // against the budget until the next observed spending rate.
                self.committed_spend_per_hour += pending.added_cost_per_hour;
                if r.failures > 0 {
                    self.retry_queue.remove(&(r.backoff_until, index as u32));
                }
                r.failures += 1;
                r.failed_action = Some(Box::new(FailedAction {
                    direction: pending.action.direction,
                    from: pending.action.current_capacity,
                    target: pending.action.target_capacity,
                    cooldown: pending.cooldown,
                    added_cost_per_hour: pending.added_cost_per_hour,
                    decided_at: pending.action.timestamp,
                }));
                let wait = backoff(retry_config, r.failures, &mut self.rng);
                r.backoff_until = now + wait;
                self.retry_queue.insert((r.backoff_until, index as u32));
                Some(RetryPlan {
                    attempt: r.failures,
                    next_attempt_at: r.backoff_until,
                })
            }
        }
    }

    /// The action a skipped resource would have taken, for observers: its
    /// target is computed from the last known capacity.
    pub fn skip_action(&self, skip: &Skip, now: Timestamp) -> ScaleAction {
        let r = &self.resources[skip.key.index()];
        let current = r.capacity.unwrap_or(0);
        let target = self.preview_target(skip.key, skip.direction, &skip.vote, current, now);
        self.action(
            skip.key,
            skip.direction,
            current,
            target,
            &skip.vote,
            Cause::Rule,
            r.signal_since,
            now,
        )
    }

    /// What the policy would do to a resource now, from its latest samples
    /// and last known capacity, ignoring cooldowns and safety checks; `None`
    /// when it would keep the capacity. Changes no state.
    pub fn recommendation(&self, key: ResourceKey, now: Timestamp) -> Option<ScaleAction> {
        let r = &self.resources[key.index()];
        if r.type_idx == NO_TYPE {
            return None;
        }
        let ty = &self.compiled.types[r.type_idx as usize];
        let policy = ty.active_policy();
        let base = r.sample_base as usize;
        let samples = &self.samples[base..base + ty.slots.len()];
        let mut scratch = Vec::new();
        let vote = vote_policy(
            ty,
            policy,
            samples,
            now,
            self.compiled.max_age,
            &mut scratch,
        );
        let current = r.capacity.unwrap_or(0);
        let target = self.preview_target(key, vote.direction, &vote, current, now);
        if target == current {
            return None;
        }
        let direction = if target > current {
            ScaleDirection::Up
        } else {
            ScaleDirection::Down
        };
        let cause = if vote.direction == direction {
            Cause::Rule
        } else {
            Cause::Bounds
        };
        Some(self.action(
            key,
            direction,
            current,
            target,
            &vote,
            cause,
            r.signal_since,
            now,
        ))
    }

    fn preview_target(
        &self,
        key: ResourceKey,
        direction: ScaleDirection,
        vote: &Vote,
        current: u32,
        now: Timestamp,
    ) -> u32 {
        let r = &self.resources[key.index()];
        if r.type_idx == NO_TYPE {
            return current;
        }
        let ty = &self.compiled.types[r.type_idx as usize];
        let policy = ty.active_policy();
        let (lo, hi) = bounds_for(r, policy, now);
        let base = r.sample_base as usize;
        let samples = &self.samples[base..base + ty.slots.len()];
        let mut states = r.target_states.clone();
        let mut scratch = Vec::new();
        let wanted = if direction == ScaleDirection::Maintain {
            current
        } else {
            rule_target(
                ty,
                policy,
                samples,
                vote,
                current,
                now,
                &mut states,
                &mut scratch,
                self.compiled.max_age,
            )
        };
        wanted.clamp(lo, hi).max(self.floor(r, current))
    }

    /// The lowest capacity safety allows: the platform floor, or the workers
    /// that must not be terminated (never above the current capacity for
    /// those, so a scale-up is never forced by them).
    fn floor(&self, r: &ResourceState, current: u32) -> u32 {
        match r.layer {
            ResourceLayer::PlatformComponent => self.compiled.platform_min,
            ResourceLayer::WorkerNode => r.protected_workers.min(current),
            ResourceLayer::AppInstance => 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn action(
        &self,
        key: ResourceKey,
        direction: ScaleDirection,
        current: u32,
        target: u32,
        vote: &Vote,
        cause: Cause,
        signal_since: Timestamp,
        now: Timestamp,
    ) -> ScaleAction {
        let r = &self.resources[key.index()];
        let (policy_name, reason, settings) = match r.type_idx {
            NO_TYPE => (String::new(), String::new(), BTreeMap::new()),
            t => {
                let ty = &self.compiled.types[t as usize];
                let policy = ty.active_policy();
                (
                    policy.name.clone(),
                    self.reason(ty, policy, r, vote, cause, now),
                    ty.settings.clone(),
                )
            }
        };
        ScaleAction {
            resource_id: r.id.to_string(),
            resource_type: self.type_names[r.type_name as usize].to_string(),
            direction,
            target_capacity: target,
            current_capacity: current,
            scale_factor: ScaleAction::ratio(current, target),
            reason,
            confidence: vote.confidence,
            timestamp: now,
            policy: policy_name,
            signal_since: (signal_since != Timestamp::MIN).then_some(signal_since),
            metadata: settings,
        }
    }

    fn reason(
        &self,
        ty: &CompiledType,
        policy: &CompiledPolicy,
        r: &ResourceState,
        vote: &Vote,
        cause: Cause,
        now: Timestamp,
    ) -> String {
        match cause {
            Cause::Pin => format!("pinned by an operator to {}", bounds_for(r, policy, now).0),
            Cause::Bounds => {
                let (lo, hi, by) = effective_bounds(policy, now);
                let source = by
                    .map(|i| format!("schedule {:?}", policy.schedules[i as usize].name))
                    .unwrap_or_else(|| format!("policy {:?}", policy.name));
                format!("capacity outside [{lo}, {hi}] set by {source}")
            }
            Cause::Rule => {
                let metric = ty
                    .slots
                    .get(vote.slot as usize)
                    .map_or("?", |&m| self.interner.name(m));
                let relation = match vote.direction {
                    ScaleDirection::Up => "above",
                    ScaleDirection::Down => "below",
                    ScaleDirection::Maintain => "at",
                };
                format!(
                    "{metric} = {} {relation} {} (policy {:?})",
                    vote.value, vote.bound, policy.name
                )
            }
        }
    }
}

/// The shortest cooldown a policy's rules give a direction.
fn policy_cooldown(ty: &CompiledType, policy: &CompiledPolicy, direction: ScaleDirection) -> Span {
    let down = direction == ScaleDirection::Down;
    match &policy.rule {
        Rule::None => Span::ZERO,
        Rule::Threshold(rules) => rules
            .iter()
            .map(|r| if down { r.cooldown_down } else { r.cooldown_up })
            .min()
            .unwrap_or(Span::ZERO),
        Rule::Target(t) => {
            if down {
                t.down.cooldown
            } else {
                t.up.cooldown
            }
        }
        Rule::Composite(c) => c
            .members
            .iter()
            .map(|&(m, _)| policy_cooldown(ty, &ty.policies[m], direction))
            .min()
            .unwrap_or(Span::ZERO),
    }
}

/// Bounds in force for one resource: a pin, or the policy's with schedules.
fn bounds_for(r: &ResourceState, policy: &CompiledPolicy, now: Timestamp) -> (u32, u32) {
    match r.override_ {
        Some(Override::Pin { capacity, until }) if until > now => (capacity, capacity),
        _ => {
            let (lo, hi, _) = effective_bounds(policy, now);
            (lo, hi)
        }
    }
}

/// The capacity a rule asks for, from the current capacity.
#[allow(clippy::too_many_arguments)]
fn rule_target(
    ty: &CompiledType,
    policy: &CompiledPolicy,
    samples: &[Sample],
    vote: &Vote,
    current: u32,
    now: Timestamp,
    states: &mut [TargetState],
    scratch: &mut Vec<Vote>,
    max_age: Span,
) -> u32 {
    match &policy.rule {
        Rule::None => current,
        Rule::Threshold(_) => threshold::target(vote.direction, vote.factor, current),
        Rule::Target(t) => {
            let Some(state) = policy.target_index.and_then(|i| states.get_mut(i as usize)) else {
                return current;
            };
            let desired = target::desired(current, vote.factor);
            let stable = target::stabilize(state, t, now, current, desired);
            target::rate_limit(state, t, now, current, stable)
        }
        Rule::Composite(c) => {
            vote_policy(ty, policy, samples, now, max_age, scratch);
            let member_votes: Vec<Vote> = scratch.clone();
            let mut targets = Vec::with_capacity(member_votes.len());
            for (&(member, weight), member_vote) in c.members.iter().zip(&member_votes) {
                if member_vote.direction != vote.direction {
                    continue;
                }
                let member_policy = &ty.policies[member];
                let t = rule_target(
                    ty,
                    member_policy,
                    samples,
                    member_vote,
                    current,
                    now,
                    states,
                    scratch,
                    max_age,
                );
                targets.push((t, weight));
            }
            composite::combine_targets(c.mode, vote.direction, &mut targets).unwrap_or(current)
        }
    }
}
