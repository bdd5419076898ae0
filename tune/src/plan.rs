//! The run plan: which parameter values each run takes, and its seed.
//!
//! A grid plan is the cartesian product of every parameter's values, the
//! last parameter varying fastest. A random plan has N runs, each drawing
//! every parameter from a stream seeded by the sweep seed, the run's index
//! and the parameter's path. Either way run `i` is the same whatever the
//! slicing, so shards (`--shard K/N`, run `i` in slice `i mod N + 1`) and
//! the unsharded sweep agree run for run.
//!
//! A run's seed is derived from the sweep seed and its parameter values
//! (`path=value` lines), so the same settings get the same seed in every
//! sweep that shares the seed; with `common_seed` every run takes the sweep
//! seed itself (the same load for every setting).

use std::fmt;
use std::str::FromStr;

use lighthouse_sim::load::derive_seed;
use toml::Value;

use crate::spec::{ParamError, ParamSpec, render};

/// Most runs a plan may hold.
pub const MAX_RUNS: usize = 10_000_000;

/// Grid or random sampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// Every combination.
    Grid,
    /// This many random draws.
    Random(usize),
}

/// One run of the plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Position in the whole (unsharded) plan, from 0.
    pub index: usize,
    /// One value per parameter, in the order of the specs.
    pub values: Vec<Value>,
    /// The run's seed.
    pub seed: u64,
}

/// The seed of a run with `values` under `sweep_seed`.
pub fn run_seed(sweep_seed: u64, params: &[ParamSpec], values: &[Value]) -> u64 {
    let key: Vec<String> = params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{}={}", p.path, render(v)))
        .collect();
    // 63 bits, so that the seed fits a TOML integer (`simulation.seed`).
    derive_seed(sweep_seed, &key.join("\n")) >> 1
}

/// Builds the whole plan.
pub fn build_plan(
    params: &[ParamSpec],
    sampling: Sampling,
    sweep_seed: u64,
    common_seed: bool,
) -> Result<Vec<Point>, ParamError> {
    let combos: Vec<Vec<Value>> = match sampling {
        Sampling::Grid => {
            let axes = params
                .iter()
                .map(ParamSpec::grid_values)
                .collect::<Result<Vec<_>, _>>()?;
            let total = axes.iter().try_fold(1usize, |n, a| {
                n.checked_mul(a.len()).filter(|&n| n <= MAX_RUNS)
            });
            let Some(total) = total else {
                return Err(ParamError {
                    param: params
                        .iter()
                        .map(|p| p.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    value: axes
                        .iter()
                        .map(|a| a.len().to_string())
                        .collect::<Vec<_>>()
                        .join(" × "),
                    message: format!("more than {MAX_RUNS} runs; use --random N"),
                });
            };
            (0..total)
                .map(|mut i| {
                    let mut values = vec![Value::Boolean(false); axes.len()];
                    for (slot, axis) in values.iter_mut().zip(&axes).rev() {
                        *slot = axis[i % axis.len()].clone();
                        i /= axis.len();
                    }
                    values
                })
                .collect()
        }
        Sampling::Random(n) => (0..n)
            .map(|i| {
                params
                    .iter()
                    .map(|p| {
                        p.sample(unit(derive_seed(
                            sweep_seed,
                            &format!("random[{i}].{}", p.path),
                        )))
                    })
                    .collect()
            })
            .collect(),
    };
    Ok(combos
        .into_iter()
        .enumerate()
        .map(|(index, values)| Point {
            index,
            seed: if common_seed {
                sweep_seed
            } else {
                run_seed(sweep_seed, params, &values)
            },
            values,
        })
        .collect())
}

/// A draw in `[0, 1)` from 64 random bits.
fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// `--shard K/N`: the K-th (1-based) of N slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which slice, 1..=n.
    pub k: usize,
    /// How many slices.
    pub n: usize,
}

impl Shard {
    /// Whether run `index` belongs to this slice (round robin, so slices
    /// get runs from every part of the plan).
    pub fn contains(self, index: usize) -> bool {
        index % self.n == self.k - 1
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard {s:?}: expected K/N with 1 ≤ K ≤ N, e.g. 3/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}
