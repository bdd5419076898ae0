//! Reaction times: signal → decision → executed → ready, linked by action id.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::event::EventKind;
use crate::record::figures::{Percentiles, ReactionFigures};

#[derive(Clone, Copy, Debug)]
struct Pending {
    decision_ms: i64,
    signal_ms: i64,
    executed_ms: Option<i64>,
}

/// Open actions and the reaction-time samples so far (seconds).
#[derive(Clone, Debug, Default)]
pub(crate) struct ReactionAcc {
    open: BTreeMap<i64, Pending>,
    signal_to_decision: Vec<f64>,
    decision_to_executed: Vec<f64>,
    executed_to_ready: Vec<f64>,
    signal_to_ready: Vec<f64>,
    /// Actions whose decision was seen, so a repeated id is ignored even
    /// after the action completed.
    decided: BTreeSet<i64>,
}

fn seconds(from_ms: i64, to_ms: i64) -> f64 {
    (to_ms - from_ms) as f64 / 1000.0
}

impl ReactionAcc {
    /// Adds one event; only decisions, executions and ready events with an
    /// action id (≥ 0) matter. The first of each kind per action counts.
    pub(crate) fn push(
        &mut self,
        kind: EventKind,
        action_id: i64,
        t_ms: i64,
        signal_since_ms: i64,
    ) {
        if action_id < 0 {
            return;
        }
        match kind {
            EventKind::Decision => {
                if !self.decided.insert(action_id) {
                    return;
                }
                let pending = Pending {
                    decision_ms: t_ms,
                    signal_ms: signal_since_ms,
                    executed_ms: None,
                };
                self.open.insert(action_id, pending);
                if signal_since_ms >= 0 {
                    self.signal_to_decision.push(seconds(signal_since_ms, t_ms));
                }
            }
            EventKind::Executed => {
                if let Some(p) = self.open.get_mut(&action_id)
                    && p.executed_ms.is_none()
                {
                    p.executed_ms = Some(t_ms);
                    self.decision_to_executed.push(seconds(p.decision_ms, t_ms));
                }
            }
            EventKind::Ready => {
                if let Some(Pending {
                    signal_ms,
                    executed_ms: Some(exec),
                    ..
                }) = self.open.get(&action_id).copied()
                {
                    self.executed_to_ready.push(seconds(exec, t_ms));
                    if signal_ms >= 0 {
                        self.signal_to_ready.push(seconds(signal_ms, t_ms));
                    }
                    self.open.remove(&action_id);
                }
            }
            _ => {}
        }
    }

    /// The distributions.
    pub(crate) fn figures(&self) -> ReactionFigures {
        ReactionFigures {
            signal_to_decision: percentiles(&self.signal_to_decision),
            decision_to_executed: percentiles(&self.decision_to_executed),
            executed_to_ready: percentiles(&self.executed_to_ready),
            signal_to_ready: percentiles(&self.signal_to_ready),
        }
    }
}

/// Count, mean, p50/p90/p99 (linear between closest ranks) and max.
pub(crate) fn percentiles(samples: &[f64]) -> Percentiles {
    if samples.is_empty() {
        return Percentiles::default();
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let pos = q * (v.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = pos.ceil() as usize;
        v[lo] + (pos - lo as f64) * (v[hi] - v[lo])
    };
    Percentiles {
        count: v.len() as u64,
        mean: Some(v.iter().sum::<f64>() / v.len() as f64),
        p50: Some(at(0.5)),
        p90: Some(at(0.9)),
        p99: Some(at(0.99)),
        max: v.last().copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let p = percentiles(&[40.0, 10.0, 20.0, 30.0]);
        assert_eq!(p.count, 4);
        assert_eq!(p.mean, Some(25.0));
        // position 0.5·3 = 1.5 → between 20 and 30.
        assert_eq!(p.p50, Some(25.0));
        // position 0.9·3 = 2.7 → 30 + 0.7·10.
        assert!((p.p90.unwrap() - 37.0).abs() < 1e-12);
        assert_eq!(p.max, Some(40.0));
        assert_eq!(percentiles(&[]), Percentiles::default());
        assert_eq!(percentiles(&[7.0]).p99, Some(7.0));
    }

    #[test]
    fn a_full_action_yields_every_segment() {
        let mut acc = ReactionAcc::default();
        acc.push(EventKind::Decision, 1, 30_000, 10_000);
        acc.push(EventKind::Executed, 1, 31_000, -1);
        acc.push(EventKind::Executed, 1, 35_000, -1); // a retry: the first counts
        acc.push(EventKind::Ready, 1, 91_000, -1);
        acc.push(EventKind::Ready, 1, 95_000, -1); // a second instance: ignored
        let f = acc.figures();
        assert_eq!(f.signal_to_decision.max, Some(20.0));
        assert_eq!(f.decision_to_executed.max, Some(1.0));
        assert_eq!(f.executed_to_ready.max, Some(60.0));
        assert_eq!(f.signal_to_ready.max, Some(81.0));
        assert_eq!(f.executed_to_ready.count, 1);
    }

    #[test]
    fn unknown_signal_and_unlinked_events_are_left_out() {
        let mut acc = ReactionAcc::default();
        acc.push(EventKind::Decision, 2, 30_000, -1);
        acc.push(EventKind::Ready, 2, 40_000, -1); // never executed: no sample
        acc.push(EventKind::Executed, 3, 30_000, -1); // no decision: no sample
        acc.push(EventKind::Decision, -1, 30_000, 0); // no action id
        let f = acc.figures();
        assert_eq!(f.signal_to_decision.count, 0);
        assert_eq!(f.decision_to_executed.count, 0);
        assert_eq!(f.executed_to_ready.count, 0);
    }
}
