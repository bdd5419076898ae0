//! `compare_runs`: several run directories side by side against a
//! baseline — every figure, elastic speedup, pairwise ranking, overlay
//! plots — written as `compare.json`, `compare.md` and `compare.html`.
//!
//! - [`metrics`]: which figures are compared and which way is better.
//! - `output`: the files and plots.

pub mod metrics;
mod output;

use std::path::{Path, PathBuf};

use lighthouse_sim::record::{RunMode, Scores};
use serde::{Deserialize, Serialize};

use crate::error::{ReportError, Result};
use crate::load::{RunData, load_run};
use crate::options::ReportOptions;
use crate::summary::{Summary, compute_summary};
use metrics::{Better, direction, flatten};

/// Added to both sides of each ratio of the elastic speedup, percent, so
/// that a zero score gives a large but finite ratio.
pub const SPEEDUP_SMOOTHING: f64 = 1e-6;

/// `compare.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Format version of the writer.
    pub format_version: u32,
    /// The runs, in the order given.
    pub runs: Vec<ComparedRun>,
    /// Index of the baseline in `runs`.
    pub baseline: usize,
    /// Every compared figure.
    pub metrics: Vec<MetricRow>,
    /// Elastic speedup of each run over the baseline (baseline = 1).
    pub elastic_speedup: Vec<Speedup>,
    /// Pairwise ranking, best first.
    pub ranking: Vec<RankRow>,
}

/// One run of the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparedRun {
    /// Short unique label (the directory's name).
    pub label: String,
    /// The run directory.
    pub dir: String,
    /// Scenario name.
    pub scenario: String,
    /// Where its numbers came from.
    pub mode: RunMode,
    /// Seed.
    pub seed: u64,
}

/// One figure across runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricRow {
    /// Dotted path into `summary.json`'s `figures`.
    pub key: String,
    /// Which way is better.
    pub better: Better,
    /// The value per run (`None` when undefined for that run).
    pub values: Vec<Option<f64>>,
    /// Indexes of the runs with the best value (empty when not ranked).
    pub best: Vec<usize>,
}

/// Elastic speedup of one run: the geometric mean of θ_U,a/θ_U,k,
/// θ_O,a/θ_O,k, τ_U,a/τ_U,k, τ_O,a/τ_O,k (a baseline, k this run, each side
/// + [`SPEEDUP_SMOOTHING`]); higher is better.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Speedup {
    /// Run label.
    pub run: String,
    /// From the instance-unit mean scores; `None` without scores.
    pub instances: Option<f64>,
    /// From the requests-per-second mean scores.
    pub rps: Option<f64>,
}

/// One run's result in the pairwise competition: for every pair of runs
/// and every ranked figure, the better value wins a point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankRow {
    /// 1 for the best.
    pub rank: usize,
    /// Run label.
    pub run: String,
    /// Figures won against another run.
    pub wins: u64,
    /// Figures lost.
    pub losses: u64,
    /// Figures tied.
    pub ties: u64,
    /// wins ÷ (wins + losses + ties), 0..1.
    pub share: f64,
}

/// Compares the runs in `dirs` against `dirs[baseline]` and writes the
/// comparison into `out_dir` (created if missing).
pub fn compare_runs(dirs: &[PathBuf], baseline: usize, out_dir: &Path) -> Result<Comparison> {
    compare_runs_with(dirs, baseline, out_dir, &ReportOptions::default())
}

/// [`compare_runs`] with options.
pub fn compare_runs_with(
    dirs: &[PathBuf],
    baseline: usize,
    out_dir: &Path,
    options: &ReportOptions,
) -> Result<Comparison> {
    if baseline >= dirs.len() {
        return Err(ReportError::Baseline {
            baseline,
            runs: dirs.len(),
        });
    }
    let mut runs = Vec::with_capacity(dirs.len());
    for d in dirs {
        let data = load_run(d)?;
        let summary = compute_summary(&data, options)?;
        runs.push((data, summary));
    }
    let comparison = compare(&runs, baseline);
    output::write_outputs(&comparison, &runs, out_dir, options)?;
    Ok(comparison)
}

fn labels(runs: &[(RunData, Summary)]) -> Vec<String> {
    let base: Vec<String> = runs
        .iter()
        .map(|(d, _)| {
            d.dir.file_name().map_or_else(
                || d.dir.display().to_string(),
                |n| n.to_string_lossy().into(),
            )
        })
        .collect();
    base.iter()
        .enumerate()
        .map(|(i, l)| {
            if base.iter().filter(|b| *b == l).count() > 1 {
                format!("{l}#{}", i + 1)
            } else {
                l.clone()
            }
        })
        .collect()
}

/// The comparison of already summarised runs.
pub(crate) fn compare(runs: &[(RunData, Summary)], baseline: usize) -> Comparison {
    let labels = labels(runs);
    let flat: Vec<Vec<(String, Option<f64>)>> =
        runs.iter().map(|(_, s)| flatten(&s.figures)).collect();
    let mut keys: Vec<String> = Vec::new();
    for f in &flat {
        for (k, _) in f {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    let metrics: Vec<MetricRow> = keys
        .into_iter()
        .map(|key| {
            let values: Vec<Option<f64>> = flat
                .iter()
                .map(|f| f.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v))
                .collect();
            let better = direction(&key);
            let best = best_of(better, &values);
            MetricRow {
                key,
                better,
                values,
                best,
            }
        })
        .collect();
    let speedup = |pick: fn(&Summary) -> Option<Scores>| -> Vec<Option<f64>> {
        let base = pick(&runs[baseline].1);
        runs.iter()
            .map(|(_, s)| elastic_speedup(base.as_ref()?, &pick(s)?).into())
            .collect()
    };
    let inst = speedup(|s| s.figures.elasticity.instances.mean);
    let rps = speedup(|s| s.figures.elasticity.rps.mean);
    let elastic_speedup = labels
        .iter()
        .enumerate()
        .map(|(i, l)| Speedup {
            run: l.clone(),
            instances: inst[i],
            rps: rps[i],
        })
        .collect();
    Comparison {
        format_version: lighthouse_sim::record::FORMAT_VERSION,
        runs: runs
            .iter()
            .zip(&labels)
            .map(|((d, s), l)| ComparedRun {
                label: l.clone(),
                dir: d.dir.display().to_string(),
                scenario: s.run.scenario.clone(),
                mode: s.run.mode,
                seed: s.run.seed,
            })
            .collect(),
        baseline,
        ranking: ranking(&metrics, &labels),
        metrics,
        elastic_speedup,
    }
}

fn best_of(better: Better, values: &[Option<f64>]) -> Vec<usize> {
    if better == Better::None {
        return Vec::new();
    }
    let present: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    present
        .iter()
        .filter(|(_, v)| {
            present
                .iter()
                .all(|(_, w)| better.wins(*w, *v) != Some(true))
        })
        .map(|(i, _)| *i)
        .collect()
}

/// Geometric mean of the baseline's θ_U, θ_O, τ_U, τ_O over the run's.
pub fn elastic_speedup(baseline: &Scores, run: &Scores) -> f64 {
    let ratio = |a: f64, k: f64| (a + SPEEDUP_SMOOTHING) / (k + SPEEDUP_SMOOTHING);
    let product = ratio(baseline.theta_u, run.theta_u)
        * ratio(baseline.theta_o, run.theta_o)
        * ratio(baseline.tau_u, run.tau_u)
        * ratio(baseline.tau_o, run.tau_o);
    product.powf(0.25)
}

fn ranking(metrics: &[MetricRow], labels: &[String]) -> Vec<RankRow> {
    let n = labels.len();
    let (mut wins, mut losses, mut ties) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    for m in metrics.iter().filter(|m| m.better != Better::None) {
        for i in 0..n {
            for j in i + 1..n {
                let (Some(a), Some(b)) = (m.values[i], m.values[j]) else {
                    continue;
                };
                match m.better.wins(a, b) {
                    Some(true) => (wins[i] += 1, losses[j] += 1),
                    Some(false) => (wins[j] += 1, losses[i] += 1),
                    None => (ties[i] += 1, ties[j] += 1),
                };
            }
        }
    }
    let mut rows: Vec<RankRow> = (0..n)
        .map(|i| {
            let total = wins[i] + losses[i] + ties[i];
            RankRow {
                rank: 0,
                run: labels[i].clone(),
                wins: wins[i],
                losses: losses[i],
                ties: ties[i],
                share: if total > 0 {
                    wins[i] as f64 / total as f64
                } else {
                    0.0
                },
            }
        })
        .collect();
    rows.sort_by(|a, b| b.share.total_cmp(&a.share));
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speedup_is_the_geometric_mean_of_the_four_ratios() {
        let base = Scores {
            theta_u: 4.0,
            theta_o: 4.0,
            tau_u: 4.0,
            tau_o: 4.0,
            ..Scores::default()
        };
        let run = Scores {
            theta_u: 1.0,
            theta_o: 4.0,
            tau_u: 4.0,
            tau_o: 4.0,
            ..Scores::default()
        };
        // (4 · 1 · 1 · 1)^(1/4) = √2, up to the smoothing.
        assert!((elastic_speedup(&base, &run) - 2f64.sqrt()).abs() < 1e-6);
        assert!((elastic_speedup(&base, &base) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ranking_gives_a_point_per_metric_won() {
        let m = |key: &str, values: [f64; 3]| MetricRow {
            key: key.into(),
            better: direction(key),
            values: values.iter().map(|v| Some(*v)).collect(),
            best: vec![],
        };
        let metrics = vec![
            m("cost.total", [1.0, 2.0, 3.0]),
            m("cost.budget.headroom", [1.0, 2.0, 2.0]),
        ];
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let r = ranking(&metrics, &labels);
        // a: wins cost vs b and c, loses headroom to b and c → 2 of 4.
        // b: loses cost to a, wins vs c; wins headroom vs a, ties c → 2 of 4.
        // c: loses cost twice, wins headroom vs a, ties b → 1 of 4.
        let a = r.iter().find(|x| x.run == "a").unwrap();
        assert_eq!((a.wins, a.losses, a.ties), (2, 2, 0));
        let c = r.iter().find(|x| x.run == "c").unwrap();
        assert_eq!((c.wins, c.losses, c.ties, c.rank), (1, 2, 1, 3));
        assert_eq!(
            best_of(Better::Higher, &[Some(1.0), Some(2.0), Some(2.0)]),
            vec![1, 2]
        );
    }
}
