//! Elasticity scores of one app in one unit (instances or requests/s).

use super::one_if;
use crate::record::figures::Scores;

/// Running sums for [`Scores`] of `N` series at once (the recorder keeps
/// a block of apps' instance series side by side, and their request-rate
/// series); see the field docs of [`Scores`] for the formulas. Every sum,
/// the counts included, is an `f64` lane (counts are exact up to 2^53), so
/// that a sample of every lane is the same few packed compare, mask and
/// add instructions with no branch and no conversion. Counts that follow
/// from others are not kept: a run of n samples has n − 1 transitions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ElasticAcc<const N: usize> {
    samples: [f64; N],
    under: [f64; N],
    over: [f64; N],
    under_norm: [f64; N],
    over_norm: [f64; N],
    under_samples: [f64; N],
    over_samples: [f64; N],
    supply_ahead: [f64; N],
    demand_ahead: [f64; N],
    supply_changes: [f64; N],
    demand_changes: [f64; N],
    prev_demand: [f64; N],
    prev_supply: [f64; N],
}

impl<const N: usize> Default for ElasticAcc<N> {
    fn default() -> Self {
        ElasticAcc {
            samples: [0.0; N],
            under: [0.0; N],
            over: [0.0; N],
            under_norm: [0.0; N],
            over_norm: [0.0; N],
            under_samples: [0.0; N],
            over_samples: [0.0; N],
            supply_ahead: [0.0; N],
            demand_ahead: [0.0; N],
            supply_changes: [0.0; N],
            demand_changes: [0.0; N],
            // No sample yet: comparisons with NaN are false, so the first
            // sample counts no change and leads in neither direction.
            prev_demand: [f64::NAN; N],
            prev_supply: [f64::NAN; N],
        }
    }
}

impl<const N: usize> ElasticAcc<N> {
    /// Adds one sample of series `l`: demand `d` and supply `s` in the
    /// series' unit; `epsilon` floors the demand divisor of the normalised
    /// scores.
    #[inline(always)]
    pub(crate) fn push_lane(&mut self, l: usize, d: f64, s: f64, epsilon: f64) {
        let gap = d - s;
        // `d.max(ε)` for every d, NaN included, without the NaN test.
        let relative = gap / if d > epsilon { d } else { epsilon };
        // Gaps are finite (demand and supply are), so a 0/1 factor
        // selects them.
        let (under, over) = (one_if(gap > 0.0), one_if(gap < 0.0));
        self.under[l] += gap * under;
        self.under_norm[l] += relative * under;
        self.over[l] -= gap * over;
        self.over_norm[l] -= relative * over;
        self.under_samples[l] += under;
        self.over_samples[l] += over;
        // The signs of the moves since the last sample: supply is ahead
        // when it moved more towards up than demand did (rose while demand
        // did not, or held while demand fell), demand is ahead the other
        // way round.
        let (s_up, s_down) = (
            one_if(s > self.prev_supply[l]),
            one_if(s < self.prev_supply[l]),
        );
        let (d_up, d_down) = (
            one_if(d > self.prev_demand[l]),
            one_if(d < self.prev_demand[l]),
        );
        let (ds, dd) = (s_up - s_down, d_up - d_down);
        self.supply_ahead[l] += one_if(ds > dd);
        self.demand_ahead[l] += one_if(dd > ds);
        self.supply_changes[l] += s_up + s_down;
        self.demand_changes[l] += d_up + d_down;
        self.prev_demand[l] = d;
        self.prev_supply[l] = s;
        self.samples[l] += 1.0;
    }

    /// The scores of series `lane`, with `dt_s` the weight of every sample
    /// (seconds) and `capacity` the R of a_U/a_O (same unit as demand).
    pub(crate) fn scores(&self, lane: usize, dt_s: f64, capacity: f64) -> Scores {
        let n = self.samples[lane];
        if n == 0.0 {
            return Scores::default();
        }
        let transitions = n - 1.0;
        let per_transition = |c: f64| {
            if transitions == 0.0 {
                0.0
            } else {
                c / transitions
            }
        };
        let a_u_norm = self.under_norm[lane] / n;
        let a_o_norm = self.over_norm[lane] / n;
        let t_u = self.under_samples[lane] / n;
        let t_o = self.over_samples[lane] / n;
        let hours = n * dt_s / 3600.0;
        let (supply_ahead, demand_ahead) = (self.supply_ahead[lane], self.demand_ahead[lane]);
        let (supply_changes, demand_changes) =
            (self.supply_changes[lane], self.demand_changes[lane]);
        Scores {
            a_u: self.under[lane] / (n * capacity),
            a_o: self.over[lane] / (n * capacity),
            a_u_norm,
            a_o_norm,
            t_u,
            t_o,
            k: per_transition(supply_ahead),
            k_prime: per_transition(demand_ahead),
            theta_u: 100.0 * a_u_norm,
            theta_o: 100.0 * a_o_norm,
            tau_u: 100.0 * t_u,
            tau_o: 100.0 * t_o,
            upsilon: 100.0 * per_transition(supply_ahead + demand_ahead),
            jitter_per_hour: (supply_changes - demand_changes) / hours,
            supply_changes,
            demand_changes,
        }
    }
}

/// Field-wise unweighted mean; `None` for an empty list.
pub(crate) fn mean_scores(list: &[Scores]) -> Option<Scores> {
    if list.is_empty() {
        return None;
    }
    let n = list.len() as f64;
    let sum = |f: fn(&Scores) -> f64| list.iter().map(f).sum::<f64>() / n;
    Some(Scores {
        a_u: sum(|s| s.a_u),
        a_o: sum(|s| s.a_o),
        a_u_norm: sum(|s| s.a_u_norm),
        a_o_norm: sum(|s| s.a_o_norm),
        t_u: sum(|s| s.t_u),
        t_o: sum(|s| s.t_o),
        k: sum(|s| s.k),
        k_prime: sum(|s| s.k_prime),
        theta_u: sum(|s| s.theta_u),
        theta_o: sum(|s| s.theta_o),
        tau_u: sum(|s| s.tau_u),
        tau_o: sum(|s| s.tau_o),
        upsilon: sum(|s| s.upsilon),
        jitter_per_hour: sum(|s| s.jitter_per_hour),
        supply_changes: sum(|s| s.supply_changes),
        demand_changes: sum(|s| s.demand_changes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(series: &[(f64, f64)], dt_s: f64, capacity: f64) -> Scores {
        let mut acc = ElasticAcc::<1>::default();
        for &(d, s) in series {
            acc.push_lane(0, d, s, 1.0);
        }
        acc.scores(0, dt_s, capacity)
    }

    #[test]
    fn empty_series_scores_zero() {
        assert_eq!(run(&[], 10.0, 10.0), Scores::default());
    }

    #[test]
    fn single_sample_has_accuracy_but_no_transitions() {
        // d=4, s=2: under by 2 of R=10 for the whole time.
        let s = run(&[(4.0, 2.0)], 10.0, 10.0);
        assert_eq!(s.a_u, 0.2);
        assert_eq!(s.a_u_norm, 0.5);
        assert_eq!(s.theta_u, 50.0);
        assert_eq!((s.t_u, s.tau_u, s.t_o), (1.0, 100.0, 0.0));
        assert_eq!((s.k, s.k_prime, s.upsilon), (0.0, 0.0, 0.0));
        assert_eq!(s.jitter_per_hour, 0.0);
    }

    #[test]
    fn zero_demand_is_normalised_by_epsilon() {
        // Two idle instances against no demand: over by 2/ε = 2 per sample.
        let s = run(&[(0.0, 2.0), (0.0, 2.0)], 10.0, 4.0);
        assert_eq!(s.a_o, 0.5);
        assert_eq!(s.a_o_norm, 2.0);
        assert_eq!(s.theta_o, 200.0);
        assert_eq!(s.t_o, 1.0);
        assert_eq!(s.a_u, 0.0);
        // Nothing moved: no instability, no changes.
        assert_eq!((s.k, s.k_prime, s.upsilon), (0.0, 0.0, 0.0));
        assert_eq!((s.supply_changes, s.demand_changes), (0.0, 0.0));
    }

    #[test]
    fn constant_supply_against_rising_demand() {
        // d: 1,2,3,4  s: 3,3,3,3 (R = 5, Δt = 900 s, one hour in all).
        let s = run(
            &[(1.0, 3.0), (2.0, 3.0), (3.0, 3.0), (4.0, 3.0)],
            900.0,
            5.0,
        );
        // over: 2 + 1 = 3; under: 1 → a_O = 3/(4·5), a_U = 1/(4·5).
        assert_eq!(s.a_o, 3.0 / 20.0);
        assert_eq!(s.a_u, 1.0 / 20.0);
        // normalised: over 2/1 + 1/2, under 1/4, over 4 samples.
        assert_eq!(s.a_o_norm, 2.5 / 4.0);
        assert_eq!(s.a_u_norm, 0.25 / 4.0);
        assert_eq!((s.t_o, s.t_u), (0.5, 0.25));
        // Demand rose in all 3 transitions while supply stayed: k' = 1, k = 0.
        assert_eq!((s.k, s.k_prime, s.upsilon), (0.0, 1.0, 100.0));
        // E_S = 0, E_D = 3 over one hour.
        assert_eq!(s.jitter_per_hour, -3.0);
    }

    #[test]
    fn supply_moving_against_demand_counts_in_k() {
        // d: 2,2,3  s: 2,3,2 → transitions: (Δs +, Δd 0) and (Δs −, Δd +).
        let s = run(&[(2.0, 2.0), (2.0, 3.0), (3.0, 2.0)], 10.0, 10.0);
        assert_eq!(s.k, 0.5);
        assert_eq!(s.k_prime, 0.5);
        assert_eq!(s.upsilon, 100.0);
        assert_eq!((s.supply_changes, s.demand_changes), (2.0, 1.0));
    }

    #[test]
    fn every_pair_of_moves_counts_by_the_signs_of_the_changes() {
        for ds in [-1.0, 0.0, 1.0] {
            for dd in [-1.0, 0.0, 1.0] {
                // (demand, supply): both move by their sign from 5.
                let s = run(&[(5.0, 5.0), (5.0 + dd, 5.0 + ds)], 10.0, 10.0);
                let at = format!("Δs {ds}, Δd {dd}");
                assert_eq!(s.k, f64::from(u8::from(ds > dd)), "k, {at}");
                assert_eq!(s.k_prime, f64::from(u8::from(dd > ds)), "k', {at}");
                assert_eq!(s.supply_changes, f64::from(u8::from(ds != 0.0)), "{at}");
                assert_eq!(s.demand_changes, f64::from(u8::from(dd != 0.0)), "{at}");
            }
        }
    }

    #[test]
    fn mean_of_scores_is_field_wise() {
        let a = Scores {
            a_u: 1.0,
            k: 0.0,
            ..Scores::default()
        };
        let b = Scores {
            a_u: 3.0,
            k: 1.0,
            ..Scores::default()
        };
        let m = mean_scores(&[a, b]).unwrap();
        assert_eq!((m.a_u, m.k, m.a_o), (2.0, 0.5, 0.0));
        assert_eq!(mean_scores(&[]), None);
    }
}
