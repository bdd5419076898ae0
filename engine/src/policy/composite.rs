//! Composite policies: every member votes, and the mode combines the votes.

use crate::config::CompositeMode;
use crate::types::ScaleDirection;

use super::Vote;

/// A composite bound to its members (indices of sibling policies).
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledComposite {
    /// How votes combine.
    pub mode: CompositeMode,
    /// (sibling policy index, weight); at most 64 members.
    pub members: Vec<(usize, f64)>,
    /// Weighted mode: share of total weight a direction needs.
    pub threshold: f64,
}

/// Combines the members' votes (in member order) into a direction and the
/// bit mask of the members whose vote carries it.
pub fn combine(composite: &CompiledComposite, votes: &[Vote]) -> (ScaleDirection, u64) {
    let mut up_mask = 0u64;
    let mut down_mask = 0u64;
    let (mut up_w, mut down_w, mut total_w) = (0.0, 0.0, 0.0);
    for (i, (vote, &(_, weight))) in votes.iter().zip(&composite.members).enumerate() {
        total_w += weight;
        match vote.direction {
            ScaleDirection::Up => {
                up_mask |= 1 << i;
                up_w += weight;
            }
            ScaleDirection::Down => {
                down_mask |= 1 << i;
                down_w += weight;
            }
            ScaleDirection::Maintain => {}
        }
    }
    let n = votes.len() as u32;
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let (ups, downs) = (up_mask.count_ones(), down_mask.count_ones());
    let pick = match composite.mode {
        CompositeMode::All => {
            if n > 0 && up_mask == all {
                Some(ScaleDirection::Up)
            } else if n > 0 && down_mask == all {
                Some(ScaleDirection::Down)
            } else {
                None
            }
        }
        CompositeMode::Any => {
            if ups > 0 {
                Some(ScaleDirection::Up)
            } else if downs > 0 {
                Some(ScaleDirection::Down)
            } else {
                None
            }
        }
        CompositeMode::Majority => {
            if 2 * ups > n {
                Some(ScaleDirection::Up)
            } else if 2 * downs > n {
                Some(ScaleDirection::Down)
            } else {
                None
            }
        }
        CompositeMode::Weighted => {
            let need = composite.threshold * total_w;
            if up_w > 0.0 && up_w >= need && up_w >= down_w {
                Some(ScaleDirection::Up)
            } else if down_w > 0.0 && down_w >= need {
                Some(ScaleDirection::Down)
            } else {
                None
            }
        }
    };
    match pick {
        Some(ScaleDirection::Up) => (ScaleDirection::Up, up_mask),
        Some(ScaleDirection::Down) => (ScaleDirection::Down, down_mask),
        _ => (ScaleDirection::Maintain, 0),
    }
}

/// Combines the targets of the members that carried the vote, in member
/// order, as `(target, weight)` pairs.
pub fn combine_targets(
    mode: CompositeMode,
    direction: ScaleDirection,
    targets: &mut [(u32, f64)],
) -> Option<u32> {
    if targets.is_empty() {
        return None;
    }
    let up = direction == ScaleDirection::Up;
    Some(match mode {
        // Every member agrees: take the smallest change they all accept.
        CompositeMode::All => {
            let it = targets.iter().map(|t| t.0);
            if up { it.min()? } else { it.max()? }
        }
        // Up: the largest request; down: the mildest one.
        CompositeMode::Any => targets.iter().map(|t| t.0).max()?,
        CompositeMode::Majority => {
            targets.sort_by_key(|t| t.0);
            let n = targets.len();
            if up {
                targets[(n - 1) / 2].0
            } else {
                targets[n / 2].0
            }
        }
        CompositeMode::Weighted => {
            let (sum, weight) = targets.iter().fold((0.0, 0.0), |(s, w), &(t, wt)| {
                (s + f64::from(t) * wt, w + wt)
            });
            (sum / weight).ceil() as u32
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn votes(dirs: &[ScaleDirection]) -> Vec<Vote> {
        dirs.iter()
            .map(|&direction| Vote {
                direction,
                ..Vote::MAINTAIN
            })
            .collect()
    }

    fn comp(mode: CompositeMode, weights: &[f64]) -> CompiledComposite {
        CompiledComposite {
            mode,
            members: weights.iter().enumerate().map(|(i, &w)| (i, w)).collect(),
            threshold: 0.5,
        }
    }

    use ScaleDirection::{Down, Maintain, Up};

    #[test]
    fn all_needs_unanimity() {
        let c = comp(CompositeMode::All, &[1.0, 1.0, 1.0]);
        assert_eq!(combine(&c, &votes(&[Up, Up, Up])), (Up, 0b111));
        assert_eq!(combine(&c, &votes(&[Up, Up, Maintain])).0, Maintain);
        assert_eq!(combine(&c, &votes(&[Down, Down, Down])).0, Down);
    }

    #[test]
    fn any_prefers_up() {
        let c = comp(CompositeMode::Any, &[1.0, 1.0, 1.0]);
        assert_eq!(combine(&c, &votes(&[Down, Maintain, Up])), (Up, 0b100));
        assert_eq!(
            combine(&c, &votes(&[Down, Maintain, Maintain])),
            (Down, 0b001)
        );
    }

    #[test]
    fn majority_needs_more_than_half() {
        let c = comp(CompositeMode::Majority, &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(combine(&c, &votes(&[Up, Up, Maintain, Down])).0, Maintain);
        assert_eq!(combine(&c, &votes(&[Up, Up, Up, Down])).0, Up);
    }

    #[test]
    fn weighted_uses_weights() {
        let c = comp(CompositeMode::Weighted, &[3.0, 1.0, 1.0]);
        assert_eq!(combine(&c, &votes(&[Up, Down, Down])).0, Up);
        assert_eq!(combine(&c, &votes(&[Maintain, Down, Down])).0, Maintain);
        assert_eq!(combine(&c, &votes(&[Down, Maintain, Maintain])).0, Down);
    }

    #[test]
    fn targets_combine_by_mode() {
        let mut t = [(6, 1.0), (9, 1.0), (7, 2.0)];
        assert_eq!(combine_targets(CompositeMode::All, Up, &mut t), Some(6));
        assert_eq!(combine_targets(CompositeMode::Any, Up, &mut t), Some(9));
        assert_eq!(
            combine_targets(CompositeMode::Majority, Up, &mut t),
            Some(7)
        );
        let mut t = [(6, 1.0), (9, 1.0), (7, 2.0)];
        assert_eq!(
            combine_targets(CompositeMode::Weighted, Up, &mut t),
            Some(8)
        ); // 29/4 → 8
    }
}
