//! M/M/c latency, tabulated: the queueing figures of a pool depend only on
//! its size c and its utilisation ρ once times are measured in service
//! times (1/μ), so one table serves every app. A month of 1,000 apps asks
//! for latency 260 million times; a table lookup costs a few nanoseconds
//! where solving the response-time tail costs a microsecond.

use crate::queueing::{QueueStats, mmc};

/// Grid points per pool size. The grid is uniform in `1 − √(1 − ρ)`, dense
/// near saturation where the figures change fastest.
pub(crate) const POINTS: usize = 512;

/// The two times of one grid point, in service times, stored multiplied by
/// `1 − ρ`, which keeps them smooth for interpolation: (mean wait, p95
/// response).
type Times = [f64; 2];

/// Tabulated M/M/c figures for pools of 1 to `max_c` instances: one flat
/// array, `POINTS + 1` points per pool size.
#[derive(Clone, Debug)]
pub struct LatencyTable {
    times: Vec<Times>,
    max_c: u32,
}

/// The steady-state figures an interval needs, from [`LatencyTable::read`]
/// or [`LatencyTable::solve`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Steady {
    /// Busy share of the pool, 0–1.
    pub utilisation: f64,
    /// Mean time in queue, seconds.
    pub mean_wait_s: f64,
    /// 95th-percentile response time, seconds.
    pub p95_response_s: f64,
}

/// Where a load falls in the table, from [`LatencyTable::locate`]: finding
/// it (a square root) and reading it (two loads) are separate steps so
/// that the simulator can find the places of many apps before it reads
/// any, and the processor overlaps their square roots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Locus {
    /// Index of the lower grid point in the flat arrays.
    at: usize,
    /// Interpolation weight of the upper point, 0–1.
    weight: f64,
    /// 1/((1 − ρ)μ), seconds.
    per_slack: f64,
    /// Utilisation ρ.
    rho: f64,
}

fn rho_at(i: usize) -> f64 {
    let u = i as f64 / POINTS as f64;
    1.0 - (1.0 - u) * (1.0 - u)
}

impl LatencyTable {
    /// Tables for pools of up to `max_c` instances (larger pools are
    /// computed directly).
    pub fn new(max_c: u32) -> Self {
        let mut table = LatencyTable {
            times: Vec::with_capacity(max_c as usize * (POINTS + 1)),
            max_c,
        };
        for c in 1..=max_c {
            for i in 0..=POINTS {
                let rho = rho_at(i.min(POINTS - 1));
                let s = mmc(rho * f64::from(c), 1.0, c).unwrap_or(QueueStats {
                    utilisation: rho,
                    wait_probability: 1.0,
                    mean_wait_s: 0.0,
                    mean_response_s: 1.0,
                    p95_response_s: 1.0,
                });
                table
                    .times
                    .push([s.mean_wait_s * (1.0 - rho), s.p95_response_s * (1.0 - rho)]);
            }
        }
        table
    }

    /// The table as one flat array — (mean wait, p95 response) × (1 − ρ)
    /// in service times at each of the `POINTS + 1` points of pool sizes
    /// 1, 2, … — and the largest pool size in it, for code that reads many
    /// places at once.
    pub(crate) fn flat(&self) -> (&[f64], u32) {
        (self.times.as_flattened(), self.max_c)
    }

    /// The steady-state figures of a load outside the table (see
    /// [`locate`](Self::locate)), solved directly; `None` at or above
    /// saturation and for bad input.
    pub fn solve(lambda: f64, mu: f64, c: u32) -> Option<Steady> {
        mmc(lambda, mu, c).map(|s| Steady {
            utilisation: s.utilisation,
            mean_wait_s: s.mean_wait_s,
            p95_response_s: s.p95_response_s,
        })
    }

    /// Where `lambda` requests per second on `c` instances of `mu` fall in
    /// the table (`inv_capacity` = 1/(cμ)), when `c` and ρ are inside it.
    /// No division waits on another: 1/((1 − ρ)μ) is computed alongside
    /// the square root.
    #[inline]
    pub fn locate(&self, lambda: f64, mu: f64, c: u32, inv_capacity: f64) -> Option<Locus> {
        let rho = lambda * inv_capacity;
        // `contains` is false for NaN too.
        if !(0.0..1.0).contains(&rho) || c == 0 || c > self.max_c {
            return None;
        }
        let slack = 1.0 - rho;
        let per_slack = 1.0 / (slack * mu);
        let f = (1.0 - slack.sqrt()) * POINTS as f64;
        // 0 ≤ f < POINTS here, so the conversion is exact in range.
        let i = f as u32 as usize;
        if i >= POINTS - 1 {
            return None;
        }
        Some(Locus {
            at: (c as usize - 1) * (POINTS + 1) + i,
            weight: f - i as f64,
            per_slack,
            rho,
        })
    }

    /// The interpolated figures at a place [`locate`](Self::locate) found.
    #[inline]
    pub fn read(&self, locus: &Locus) -> Steady {
        let (a, b) = (self.times[locus.at], self.times[locus.at + 1]);
        let w = locus.weight;
        let lerp = |x: f64, y: f64| x + (y - x) * w;
        Steady {
            utilisation: locus.rho,
            mean_wait_s: lerp(a[0], b[0]) * locus.per_slack,
            p95_response_s: lerp(a[1], b[1]) * locus.per_slack,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figures as the simulator gets them: read from the table where
    /// it can be, solved otherwise; and whether the table gave them.
    fn steady(table: &LatencyTable, lambda: f64, mu: f64, c: u32) -> Option<(Steady, bool)> {
        match table.locate(lambda, mu, c, 1.0 / (f64::from(c) * mu)) {
            Some(locus) => Some((table.read(&locus), true)),
            None => LatencyTable::solve(lambda, mu, c).map(|s| (s, false)),
        }
    }

    #[test]
    fn the_table_agrees_with_the_exact_figures_within_one_percent() {
        let table = LatencyTable::new(40);
        let (mut worst, mut read, mut loads): (f64, usize, usize) = (0.0, 0, 0);
        for c in [1u32, 2, 3, 7, 16, 40] {
            for k in 1..400 {
                let rho = k as f64 / 400.0 * 0.999;
                let lambda = rho * f64::from(c) * 80.0;
                let exact = mmc(lambda, 80.0, c).unwrap();
                let (fast, from_table) = steady(&table, lambda, 80.0, c).unwrap();
                loads += 1;
                read += usize::from(from_table);
                for (x, y) in [
                    (exact.mean_response_s, fast.mean_wait_s + 1.0 / 80.0),
                    (exact.p95_response_s, fast.p95_response_s),
                ] {
                    worst = worst.max((x - y).abs() / x);
                }
            }
        }
        assert!(worst < 0.01, "worst relative error {worst}");
        assert_eq!(read, loads, "every load below saturation is in the table");
    }

    #[test]
    fn the_per_sample_path_agrees_with_the_exact_figures() {
        let table = LatencyTable::new(16);
        let mut located = 0;
        for c in [1u32, 5, 16, 20] {
            let inv_capacity = 1.0 / (f64::from(c) * 50.0);
            for k in 0..100 {
                let lambda = f64::from(k) / 100.0 * f64::from(c) * 50.0;
                let exact = mmc(lambda, 50.0, c).unwrap();
                let at = format!("c {c}, λ {lambda}");
                match table.locate(lambda, 50.0, c, inv_capacity) {
                    Some(locus) => {
                        located += 1;
                        let s = table.read(&locus);
                        // λ × 1/(cμ) against λ/(cμ): the last bit may differ.
                        let busy_error = (s.utilisation - exact.utilisation).abs();
                        assert!(busy_error <= 1e-15, "{at}");
                        let wait_error = (s.mean_wait_s - exact.mean_wait_s).abs();
                        assert!(wait_error <= 0.01 * exact.mean_response_s, "{at}");
                        let p95_error = (s.p95_response_s - exact.p95_response_s).abs();
                        assert!(p95_error <= 0.01 * exact.p95_response_s, "{at}");
                    }
                    None => {
                        // Beyond the table (c = 20) or its last points:
                        // solved exactly.
                        let s = LatencyTable::solve(lambda, 50.0, c).unwrap();
                        assert_eq!(s.mean_wait_s, exact.mean_wait_s, "{at}");
                        assert_eq!(s.p95_response_s, exact.p95_response_s, "{at}");
                    }
                }
            }
            let saturated = f64::from(c) * 50.0;
            assert!(table.locate(saturated, 50.0, c, inv_capacity).is_none());
            assert!(LatencyTable::solve(saturated, 50.0, c).is_none());
        }
        // Pools inside the table are read from it.
        assert!(located >= 290, "{located} of 300 located");
    }

    #[test]
    fn saturation_and_pools_beyond_the_table_behave() {
        let table = LatencyTable::new(4);
        assert!(steady(&table, 400.0, 100.0, 4).is_none(), "ρ = 1");
        let (beyond, from_table) = steady(&table, 700.0, 100.0, 8).unwrap();
        assert!(!from_table);
        let exact = mmc(700.0, 100.0, 8).unwrap();
        assert_eq!(
            beyond.p95_response_s, exact.p95_response_s,
            "computed directly"
        );
    }
}
