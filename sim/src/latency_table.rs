//! M/M/c latency, tabulated: the queueing figures of a pool depend only on
//! its size c and its utilisation ρ once times are measured in service
//! times (1/μ), so one table serves every app. A month of 1,000 apps asks
//! for latency 260 million times; a table lookup costs a few nanoseconds
//! where solving the response-time tail costs a microsecond.

use crate::queueing::{QueueStats, mmc};

/// Grid points per pool size. The grid is uniform in `1 − √(1 − ρ)`, dense
/// near saturation where the figures change fastest.
const POINTS: usize = 512;

/// Figures of one grid point, in service times; the two times are stored
/// multiplied by `1 − ρ`, which keeps them smooth for interpolation.
#[derive(Clone, Copy, Debug, Default)]
struct Point {
    wait_probability: f64,
    mean_wait: f64,
    p95: f64,
}

/// Tabulated M/M/c figures for pools of 1 to `max_c` instances.
#[derive(Clone, Debug)]
pub struct LatencyTable {
    rows: Vec<Vec<Point>>,
}

fn rho_at(i: usize) -> f64 {
    let u = i as f64 / POINTS as f64;
    1.0 - (1.0 - u) * (1.0 - u)
}

impl LatencyTable {
    /// Tables for pools of up to `max_c` instances (larger pools are
    /// computed directly).
    pub fn new(max_c: u32) -> Self {
        let rows = (1..=max_c)
            .map(|c| {
                (0..=POINTS)
                    .map(|i| {
                        let rho = rho_at(i.min(POINTS - 1));
                        let s = mmc(rho * f64::from(c), 1.0, c).unwrap_or(QueueStats {
                            utilisation: rho,
                            wait_probability: 1.0,
                            mean_wait_s: 0.0,
                            mean_response_s: 1.0,
                            p95_response_s: 1.0,
                        });
                        Point {
                            wait_probability: s.wait_probability,
                            mean_wait: s.mean_wait_s * (1.0 - rho),
                            p95: s.p95_response_s * (1.0 - rho),
                        }
                    })
                    .collect()
            })
            .collect();
        LatencyTable { rows }
    }

    /// M/M/c figures for `lambda` requests per second on `c` instances of
    /// `mu` requests per second; `None` at or above saturation.
    #[inline]
    pub fn stats(&self, lambda: f64, mu: f64, c: u32) -> Option<QueueStats> {
        if c == 0 || mu <= 0.0 || lambda.is_nan() || lambda < 0.0 {
            return None;
        }
        let rho = lambda / (f64::from(c) * mu);
        if rho >= 1.0 {
            return None;
        }
        let f = (1.0 - (1.0 - rho).sqrt()) * POINTS as f64;
        let i = f as usize;
        let Some(row) = self.rows.get(c as usize - 1).filter(|_| i < POINTS - 1) else {
            return mmc(lambda, mu, c);
        };
        let w = f - i as f64;
        let (a, b) = (row[i], row[i + 1]);
        let lerp = |x: f64, y: f64| x + (y - x) * w;
        let slack = 1.0 - rho;
        let mean_wait_s = lerp(a.mean_wait, b.mean_wait) / slack / mu;
        Some(QueueStats {
            utilisation: rho,
            wait_probability: lerp(a.wait_probability, b.wait_probability),
            mean_wait_s,
            mean_response_s: mean_wait_s + 1.0 / mu,
            p95_response_s: lerp(a.p95, b.p95) / slack / mu,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_agrees_with_the_exact_figures_within_one_percent() {
        let table = LatencyTable::new(40);
        let mut worst: f64 = 0.0;
        for c in [1u32, 2, 3, 7, 16, 40] {
            for k in 1..400 {
                let rho = k as f64 / 400.0 * 0.999;
                let lambda = rho * f64::from(c) * 80.0;
                let exact = mmc(lambda, 80.0, c).unwrap();
                let fast = table.stats(lambda, 80.0, c).unwrap();
                for (x, y) in [
                    (exact.mean_response_s, fast.mean_response_s),
                    (exact.p95_response_s, fast.p95_response_s),
                ] {
                    worst = worst.max((x - y).abs() / x);
                }
                assert!((exact.wait_probability - fast.wait_probability).abs() < 0.01);
            }
        }
        assert!(worst < 0.01, "worst relative error {worst}");
    }

    #[test]
    fn saturation_and_pools_beyond_the_table_behave() {
        let table = LatencyTable::new(4);
        assert!(table.stats(400.0, 100.0, 4).is_none(), "ρ = 1");
        let beyond = table.stats(700.0, 100.0, 8).unwrap();
        let exact = mmc(700.0, 100.0, 8).unwrap();
        assert_eq!(
            beyond.p95_response_s, exact.p95_response_s,
            "computed directly"
        );
    }
}
