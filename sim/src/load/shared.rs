//! Load shared by identical copies of an app (`count = N` in a scenario):
//! the deterministic part is computed once per interval for all copies, and
//! each copy only draws its own noise. A fleet of 1,000 copies then costs
//! one diurnal curve per interval instead of a thousand.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Poisson};

use super::spec::LoadSpec;

/// The noise a copy draws on top of the shared mean.
#[derive(Clone, Debug, PartialEq)]
pub enum CopyNoise {
    /// None: the copy sees the shared mean.
    None,
    /// Multiplicative log-normal noise with median 1: e^(σz), z standard
    /// normal. The copies' generators are kept together by the simulator
    /// ([`super::lanes::NormalLanes`]), which draws their variates a chunk
    /// at a time.
    LogNormal {
        /// Spread σ.
        sigma: f64,
    },
    /// Counting noise: Poisson(mean × dt) / dt.
    Poisson {
        /// The copy's generator.
        rng: Xoshiro256PlusPlus,
    },
}

/// Splits a spec into its deterministic core and an outer noise, when it
/// has that form (`log_normal` or `poisson` around a deterministic spec, or
/// a deterministic spec alone); `None` otherwise.
pub fn split_noise(spec: &LoadSpec) -> Option<(&LoadSpec, NoiseKind)> {
    match spec {
        LoadSpec::LogNormal { of, sigma } if !of.is_random() => {
            Some((of, NoiseKind::LogNormal(*sigma)))
        }
        LoadSpec::Poisson { of } if !of.is_random() => Some((of, NoiseKind::Poisson)),
        s if !s.is_random() => Some((s, NoiseKind::None)),
        _ => None,
    }
}

/// Which noise [`split_noise`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoiseKind {
    /// No noise.
    None,
    /// Log-normal with this sigma.
    LogNormal(f64),
    /// Poisson counting noise.
    Poisson,
}

impl CopyNoise {
    /// The noise of one copy, seeded for it (a log-normal copy's generator
    /// is seeded with the same seed where the simulator keeps it).
    pub fn new(kind: NoiseKind, seed: u64) -> Self {
        match kind {
            NoiseKind::None => CopyNoise::None,
            NoiseKind::LogNormal(sigma) => CopyNoise::LogNormal { sigma },
            NoiseKind::Poisson => CopyNoise::Poisson {
                rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            },
        }
    }

    /// σ of log-normal noise; 0 for the other kinds (whose factor is then
    /// e⁰ = 1 and not used).
    #[inline]
    pub fn sigma(&self) -> f64 {
        match self {
            CopyNoise::LogNormal { sigma } => *sigma,
            CopyNoise::None | CopyNoise::Poisson { .. } => 0.0,
        }
    }

    /// The copy's rate over an interval of `dt_s` seconds whose shared mean
    /// is `mean` requests per second, with `factor` the interval's
    /// log-normal noise factor (e^(σz), used by log-normal noise only);
    /// never negative.
    #[inline]
    pub fn apply_drawn(&mut self, mean: f64, dt_s: f64, factor: f64) -> f64 {
        let r = match self {
            CopyNoise::None => mean,
            CopyNoise::LogNormal { .. } => return log_normal_rate(mean, factor),
            CopyNoise::Poisson { rng } => {
                let expected = mean * dt_s;
                if dt_s <= 0.0 || expected.is_nan() || expected <= 0.0 {
                    mean
                } else {
                    Poisson::new(expected).map_or(mean, |p| {
                        let count: f64 = p.sample(rng);
                        count / dt_s
                    })
                }
            }
        };
        non_negative(r)
    }
}

/// A log-normal copy's rate, requests per second: the shared `mean` times
/// the copy's noise `factor` (e^(σz)); never negative. What
/// [`CopyNoise::apply_drawn`] gives a log-normal copy, for callers that
/// keep the copies' groups apart from the copies.
#[inline(always)]
pub fn log_normal_rate(mean: f64, factor: f64) -> f64 {
    non_negative(mean * factor)
}

/// `r`, or 0 where it is negative or not a number.
#[inline(always)]
fn non_negative(r: f64) -> f64 {
    if r.is_nan() || r <= 0.0 { 0.0 } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::LoadProcess;
    use crate::load::exp::exp;
    use crate::load::lanes::NormalLanes;

    fn diurnal() -> LoadSpec {
        LoadSpec::Diurnal {
            base: 100.0,
            amplitude: 50.0,
            peak_hour: 14.0,
            weekend_factor: 1.0,
            utc_offset_hours: 0.0,
        }
    }

    #[test]
    fn only_noise_around_a_deterministic_core_is_split() {
        let noisy = LoadSpec::LogNormal {
            of: Box::new(diurnal()),
            sigma: 0.1,
        };
        assert_eq!(
            split_noise(&noisy),
            Some((&diurnal(), NoiseKind::LogNormal(0.1)))
        );
        assert_eq!(split_noise(&diurnal()), Some((&diurnal(), NoiseKind::None)));
        let bursty = LoadSpec::Bursty {
            low: 1.0,
            high: 2.0,
            mean_low_s: 10.0,
            mean_high_s: 10.0,
        };
        assert_eq!(split_noise(&bursty), None);
    }

    #[test]
    fn copies_share_the_mean_and_differ_by_noise() {
        let mut core = LoadProcess::new(&diurnal(), 0);
        let mut a = CopyNoise::new(NoiseKind::LogNormal(0.2), 1);
        let mut b = CopyNoise::new(NoiseKind::LogNormal(0.2), 2);
        // Their generators, kept apart from them as the simulator keeps them.
        let mut generators = NormalLanes::default();
        generators.push(1);
        generators.push(2);
        let mut z = [0.0; 2];
        let (mut sum_a, n) = (0.0, 20_000);
        let mut differ = false;
        for i in 0..n {
            let mean = core.rate(f64::from(i) * 10.0, 10.0);
            generators.draw(0..2, &mut z);
            let (fa, fb) = (exp(a.sigma() * z[0]), exp(b.sigma() * z[1]));
            let (x, y) = (a.apply_drawn(mean, 10.0, fa), b.apply_drawn(mean, 10.0, fb));
            differ |= x != y;
            sum_a += (x / mean).ln();
        }
        assert!(differ);
        assert!((sum_a / f64::from(n)).abs() < 0.01, "median 1");
    }
}
