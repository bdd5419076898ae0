//! The seeded, stateful realisation of a [`LoadSpec`]: a tree of nodes
//! built once, evaluated per sample interval without allocating.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Poisson, StandardNormal};

use super::bursty::Mmpp;
use super::seed::derive_seed;
use super::series::Series;
use super::shape::{Diurnal, Shape};
use super::spec::LoadSpec;

/// Intervals shorter than this (seconds) are evaluated at their midpoint:
/// an integral divided by a vanishing width would only add rounding.
const MIN_INTEGRAL_DT_S: f64 = 1e-9;

/// One node of the realised tree.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Shape(Shape),
    Series(Series),
    Bursty(Mmpp),
    Sum(Vec<Node>),
    Product(Vec<Node>),
    Poisson {
        of: Box<Node>,
        rng: Xoshiro256PlusPlus,
    },
    LogNormal {
        of: Box<Node>,
        sigma: f64,
        rng: Xoshiro256PlusPlus,
    },
}

impl Node {
    /// Builds the node for `spec`; every random part gets its own generator,
    /// seeded from `seed` and its place in the tree, so that adding a part
    /// elsewhere does not change another part's draws.
    fn build(spec: &LoadSpec, seed: u64) -> Node {
        match spec {
            LoadSpec::Constant { rps } => Node::Shape(Shape::Constant(*rps)),
            LoadSpec::Diurnal {
                base,
                amplitude,
                peak_hour,
                weekend_factor,
                utc_offset_hours,
            } => Node::Shape(Shape::Diurnal(Diurnal {
                base: *base,
                amplitude: *amplitude,
                peak_s: peak_hour * 3600.0,
                weekend_factor: *weekend_factor,
                offset_s: utc_offset_hours * 3600.0,
            })),
            LoadSpec::Ramp {
                from,
                to,
                start_s,
                end_s,
            } => Node::Shape(Shape::Ramp {
                from: *from,
                to: *to,
                start: *start_s,
                end: *end_s,
            }),
            LoadSpec::Step {
                before,
                after,
                at_s,
            } => Node::Shape(Shape::Step {
                before: *before,
                after: *after,
                at: *at_s,
            }),
            LoadSpec::FlashCrowd {
                at_s,
                peak,
                rise_s,
                decay_s,
            } => Node::Shape(Shape::Flash {
                at: *at_s,
                peak: *peak,
                rise: rise_s.max(0.0),
                decay: *decay_s,
            }),
            LoadSpec::Bursty {
                low,
                high,
                mean_low_s,
                mean_high_s,
            } => Node::Bursty(Mmpp::new(*low, *high, *mean_low_s, *mean_high_s, seed)),
            LoadSpec::Sum { parts } => Node::Sum(Self::build_parts(parts, seed)),
            LoadSpec::Product { parts } => Node::Product(Self::build_parts(parts, seed)),
            LoadSpec::Poisson { of } => Node::Poisson {
                of: Box::new(Node::build(of, derive_seed(seed, "of"))),
                rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            },
            LoadSpec::LogNormal { of, sigma } => Node::LogNormal {
                of: Box::new(Node::build(of, derive_seed(seed, "of"))),
                sigma: *sigma,
                rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            },
            LoadSpec::Series {
                times_s,
                rps,
                interpolate,
                loop_s,
            } => Node::Series(Series::new(times_s, rps, *interpolate, *loop_s)),
        }
    }

    fn build_parts(parts: &[LoadSpec], seed: u64) -> Vec<Node> {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| Node::build(p, derive_seed(seed, &format!("parts[{i}]"))))
            .collect()
    }

    /// Mean rate over [t, t + dt), requests per second (dt > 0), or the
    /// rate at t (dt = 0).
    fn rate(&mut self, t: f64, dt: f64) -> f64 {
        match self {
            Node::Shape(s) => {
                if dt < MIN_INTEGRAL_DT_S {
                    s.value_at(t + 0.5 * dt)
                } else {
                    s.integral(t, t + dt) / dt
                }
            }
            Node::Series(s) => {
                if dt < MIN_INTEGRAL_DT_S {
                    s.value_at(t + 0.5 * dt)
                } else {
                    s.integral(t, t + dt) / dt
                }
            }
            Node::Bursty(m) => m.mean(t, dt),
            // Every part is evaluated, even after a zero factor, so that the
            // random parts advance the same way whatever the others give.
            Node::Sum(parts) => parts.iter_mut().map(|p| p.rate(t, dt)).sum(),
            Node::Product(parts) => parts.iter_mut().fold(1.0, |acc, p| acc * p.rate(t, dt)),
            Node::Poisson { of, rng } => {
                let mean = of.rate(t, dt);
                let expected = mean * dt;
                if dt < MIN_INTEGRAL_DT_S || expected.is_nan() || expected <= 0.0 {
                    return mean;
                }
                // Beyond rand_distr's range the relative noise is below 1e-9.
                match Poisson::new(expected) {
                    Ok(p) => {
                        let count: f64 = p.sample(rng);
                        count / dt
                    }
                    Err(_) => mean,
                }
            }
            Node::LogNormal { of, sigma, rng } => {
                let mean = of.rate(t, dt);
                let z: f64 = StandardNormal.sample(rng);
                mean * super::exp::exp(*sigma * z)
            }
        }
    }
}

/// The stateful, seeded realisation of a [`LoadSpec`]: call
/// [`rate`](Self::rate) once per sample interval, in time order.
///
/// A given spec and seed give the same sequence of rates on every run and
/// platform (the generators are xoshiro256++ seeded through
/// [`derive_seed`], not the platform-dependent `SmallRng`).
#[derive(Clone, Debug, PartialEq)]
pub struct LoadProcess {
    root: Node,
}

impl LoadProcess {
    /// Realises `spec` with the random parts seeded from `seed` (derive a
    /// per-app seed with [`derive_seed`]). `spec` should have passed
    /// [`LoadSpec::validate`]; an invalid one does not panic, but its rates
    /// are meaningless (clamped to be non-negative and finite).
    pub fn new(spec: &LoadSpec, seed: u64) -> Self {
        LoadProcess {
            root: Node::build(spec, seed),
        }
    }

    /// Mean offered load over [t_s, t_s + dt_s), requests per second;
    /// never negative, never NaN (an infinite product gives `f64::MAX`).
    /// dt_s = 0 gives the instantaneous rate (and no counting noise).
    ///
    /// Call with non-decreasing `t_s`: the bursty phase and the noise
    /// advance with it (a repeated or overlapping interval is not
    /// replayed). Noise is drawn once per call, so its strength depends on
    /// `dt_s`, the sample interval. Allocates nothing.
    pub fn rate(&mut self, t_s: f64, dt_s: f64) -> f64 {
        let dt = if dt_s > 0.0 { dt_s } else { 0.0 };
        let r = self.root.rate(t_s, dt);
        if r.is_nan() || r <= 0.0 {
            0.0
        } else {
            r.min(f64::MAX)
        }
    }
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
