//! The seed's threshold rules, fixed: every rule is evaluated, a scale-up
//! vote wins over a scale-down vote, and a scale-down needs every rule to
//! agree on fresh samples.

use super::{Sample, Vote};
use crate::time::{Span, Timestamp};
use crate::types::ScaleDirection;

/// A [`crate::ScalingThreshold`] bound to a metric slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompiledThreshold {
    /// Index of the metric's sample in the resource's slots.
    pub slot: u16,
    /// Scale up above this value.
    pub up: f64,
    /// Scale down below this value.
    pub down: f64,
    /// Multiplicative step, > 1.
    pub factor: f64,
    /// Cooldown an executed scale-up starts.
    pub cooldown_up: Span,
    /// Cooldown an executed scale-down starts.
    pub cooldown_down: Span,
    /// Confidence reported with decisions, 0 to 1.
    pub confidence: f64,
}

/// The vote of a threshold policy on the resource's latest samples.
///
/// - Any rule above its scale-up threshold on a fresh sample: **up**, by the
///   largest factor among those rules (ties: the first rule).
/// - Otherwise, every rule below its scale-down threshold on fresh samples:
///   **down**, by the smallest factor among them (the mildest step).
/// - A rule without a fresh sample blocks a scale-down (as in Kubernetes: a
///   missing metric never lets the others shrink the resource), and a vote
///   that only stale samples would make is reported as `stale`.
#[inline]
pub fn vote(
    rules: &[CompiledThreshold],
    samples: &[Sample],
    now: Timestamp,
    max_age: Span,
) -> Vote {
    let mut up: Option<(usize, &Sample)> = None;
    let mut down: Option<(usize, &Sample)> = None;
    let mut all_fresh_down = true;
    let mut stale_would_act = false;
    for (i, rule) in rules.iter().enumerate() {
        let sample = &samples[rule.slot as usize];
        if !sample.is_fresh(now, max_age) {
            all_fresh_down = false;
            stale_would_act |=
                sample.exists() && (sample.value > rule.up || sample.value < rule.down);
            continue;
        }
        if sample.value > rule.up {
            if up.is_none_or(|(j, _)| rule.factor > rules[j].factor) {
                up = Some((i, sample));
            }
        } else if sample.value < rule.down {
            if down.is_none_or(|(j, _)| rule.factor < rules[j].factor) {
                down = Some((i, sample));
            }
        } else {
            all_fresh_down = false;
        }
    }
    let decided = match (up, down) {
        (Some((i, s)), _) => Some((ScaleDirection::Up, i, s)),
        (None, Some((i, s))) if all_fresh_down => Some((ScaleDirection::Down, i, s)),
        _ => None,
    };
    match decided {
        Some((direction, i, sample)) => {
            let rule = &rules[i];
            let (bound, cooldown) = match direction {
                ScaleDirection::Up => (rule.up, rule.cooldown_up),
                _ => (rule.down, rule.cooldown_down),
            };
            Vote {
                direction,
                stale: false,
                slot: rule.slot,
                value: sample.value,
                bound,
                factor: rule.factor,
                cooldown,
                confidence: rule.confidence,
                sample_at: sample.at,
            }
        }
        None => Vote {
            stale: stale_would_act,
            ..Vote::MAINTAIN
        },
    }
}

/// Whether every rule's sample is fresh and inside its band (neither above
/// its scale-up threshold nor below its scale-down one): then [`vote`]
/// holds, and not for stale samples. A shortcut for the common case of a
/// quiet resource; `false` says nothing about the vote.
#[inline]
pub fn in_band(
    rules: &[CompiledThreshold],
    samples: &[Sample],
    now: Timestamp,
    max_age: Span,
) -> bool {
    rules.iter().all(|rule| {
        let sample = &samples[rule.slot as usize];
        // The tests `vote` makes, so that a value that is not a number is
        // in band here as it is there.
        let (above, below) = (sample.value > rule.up, sample.value < rule.down);
        sample.is_fresh(now, max_age) && !above && !below
    })
}

/// The target of a threshold vote: up multiplies by the factor and rounds
/// up, down divides by it and rounds down; each moves at least one unit.
pub fn target(direction: ScaleDirection, factor: f64, current: u32) -> u32 {
    let c = f64::from(current);
    match direction {
        ScaleDirection::Up => ((c * factor).ceil() as u32).max(current.saturating_add(1)),
        ScaleDirection::Down => ((c / factor).floor() as u32).min(current.saturating_sub(1)),
        ScaleDirection::Maintain => current,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(slot: u16, up: f64, down: f64, factor: f64) -> CompiledThreshold {
        CompiledThreshold {
            slot,
            up,
            down,
            factor,
            cooldown_up: Span::from_secs(60 + u64::from(slot)),
            cooldown_down: Span::from_secs(300 + u64::from(slot)),
            confidence: 1.0,
        }
    }

    fn at(value: f64, secs: i64) -> Sample {
        Sample {
            value,
            at: Timestamp::from_secs(secs),
        }
    }

    const NOW: Timestamp = Timestamp(100_000);
    const AGE: Span = Span(60_000);

    #[test]
    fn in_band_only_where_the_vote_holds_on_fresh_samples() {
        let rules = [rule(0, 80.0, 20.0, 1.5), rule(1, 50.0, 10.0, 2.0)];
        let values = [f64::NAN, 5.0, 10.0, 15.0, 20.0, 50.0, 60.0, 80.0, 90.0];
        // Fresh, stale, and no sample at all.
        let times = [NOW, Timestamp::from_secs(10), Timestamp::MIN];
        let samples: Vec<Sample> = values
            .iter()
            .flat_map(|&value| times.iter().map(move |&at| Sample { value, at }))
            .collect();
        let mut in_band_pairs = 0;
        for a in &samples {
            for b in &samples {
                let pair = [*a, *b];
                let v = vote(&rules, &pair, NOW, AGE);
                let held = v.direction == ScaleDirection::Maintain && !v.stale;
                let fresh_inside = pair.iter().zip(&rules).all(|(s, r)| {
                    s.is_fresh(NOW, AGE) && (s.value.is_nan() || (r.down..=r.up).contains(&s.value))
                });
                assert_eq!(in_band(&rules, &pair, NOW, AGE), fresh_inside, "{pair:?}");
                if fresh_inside {
                    assert!(held, "{pair:?}: {v:?}");
                    in_band_pairs += 1;
                }
            }
        }
        // Fresh pairs inside both bands: NaN, 20, 50, 60 or 80 for the
        // first rule, NaN, 10, 15, 20 or 50 for the second.
        assert_eq!(in_band_pairs, 5 * 5);
    }

    #[test]
    fn scale_up_wins_over_an_earlier_scale_down_rule() {
        // cpu (slot 0) is low, memory (slot 1) is high: the original's
        // "first rule fires" would scale down here.
        let rules = [rule(0, 80.0, 20.0, 1.5), rule(1, 85.0, 30.0, 1.2)];
        let v = vote(&rules, &[at(5.0, 99), at(95.0, 99)], NOW, AGE);
        assert_eq!(v.direction, ScaleDirection::Up);
        assert_eq!(v.slot, 1);
        assert_eq!(v.cooldown, Span::from_secs(61));
    }

    #[test]
    fn scale_down_needs_every_rule_to_agree() {
        let rules = [rule(0, 80.0, 20.0, 1.5), rule(1, 85.0, 30.0, 1.2)];
        let v = vote(&rules, &[at(5.0, 99), at(50.0, 99)], NOW, AGE);
        assert_eq!(v.direction, ScaleDirection::Maintain);
        let v = vote(&rules, &[at(5.0, 99), at(10.0, 99)], NOW, AGE);
        assert_eq!(v.direction, ScaleDirection::Down);
        assert_eq!(v.factor, 1.2, "the mildest step is taken");
        assert_eq!(v.cooldown, Span::from_secs(301), "from the rule that fired");
    }

    #[test]
    fn the_largest_factor_among_up_votes_decides() {
        let rules = [rule(0, 10.0, 1.0, 1.2), rule(1, 10.0, 1.0, 2.0)];
        let v = vote(&rules, &[at(50.0, 99), at(50.0, 99)], NOW, AGE);
        assert_eq!((v.slot, v.factor), (1, 2.0));
    }

    #[test]
    fn stale_samples_trigger_nothing_and_are_reported() {
        let rules = [rule(0, 80.0, 20.0, 1.5)];
        let v = vote(&rules, &[at(99.0, 10)], NOW, AGE);
        assert_eq!(v.direction, ScaleDirection::Maintain);
        assert!(v.stale);
        let v = vote(&rules, &[Sample::NONE], NOW, AGE);
        assert!(!v.stale, "no sample at all is not a stale trigger");
    }

    #[test]
    fn a_missing_metric_blocks_scale_down() {
        let rules = [rule(0, 80.0, 20.0, 1.5), rule(1, 85.0, 30.0, 1.2)];
        let v = vote(&rules, &[at(5.0, 99), Sample::NONE], NOW, AGE);
        assert_eq!(v.direction, ScaleDirection::Maintain);
    }

    #[test]
    fn targets_move_at_least_one_unit_and_keep_one_meaning() {
        assert_eq!(target(ScaleDirection::Up, 1.5, 4), 6);
        assert_eq!(target(ScaleDirection::Up, 1.1, 2), 3);
        assert_eq!(target(ScaleDirection::Down, 1.5, 6), 4);
        assert_eq!(target(ScaleDirection::Down, 1.1, 2), 1);
        assert_eq!(target(ScaleDirection::Down, 1.5, 0), 0);
        // A scale-down by factor f never grows capacity (the original's
        // bundled example divided by 1/f and grew it).
        for c in 1..200 {
            assert!(target(ScaleDirection::Down, 1.5, c) < c);
            assert!(target(ScaleDirection::Up, 1.5, c) > c);
        }
    }
}
