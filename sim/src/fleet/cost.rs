//! Per-second billing of workers by type, with a minimum billed duration.

/// Money accrued per worker type between two sample ticks.
#[derive(Clone, Debug, Default)]
pub struct CostMeter {
    /// Per type: current spending rate, money per hour.
    rate: Vec<f64>,
    /// Per type: money accrued since the last tick.
    accrued: Vec<f64>,
    /// Per type: billed workers now.
    count: Vec<u32>,
    spot: Vec<bool>,
    last_ms: i64,
}

/// What one type cost over an interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TypeCost {
    /// Billed workers at the end of the interval.
    pub count: u32,
    /// Money spent in the interval.
    pub cost: f64,
}

impl CostMeter {
    /// A meter for worker types (`spot` flags in type order), starting at `start_ms`.
    pub fn new(spot: Vec<bool>, start_ms: i64) -> Self {
        let n = spot.len();
        CostMeter {
            rate: vec![0.0; n],
            accrued: vec![0.0; n],
            count: vec![0; n],
            spot,
            last_ms: start_ms,
        }
    }

    fn advance(&mut self, now_ms: i64) {
        let hours = (now_ms - self.last_ms) as f64 / 3_600_000.0;
        if hours > 0.0 {
            for (acc, rate) in self.accrued.iter_mut().zip(&self.rate) {
                *acc += rate * hours;
            }
            self.last_ms = now_ms;
        }
    }

    /// A worker of `type_idx` starts being billed at `now_ms`.
    pub fn start(&mut self, now_ms: i64, type_idx: usize, price_per_hour: f64) {
        self.advance(now_ms);
        self.rate[type_idx] += price_per_hour;
        self.count[type_idx] += 1;
    }

    /// A worker billed since `since_ms` stops at `now_ms`; if it lived less
    /// than `min_billed_ms`, the rest of the minimum is charged now.
    pub fn stop(
        &mut self,
        now_ms: i64,
        type_idx: usize,
        price_per_hour: f64,
        since_ms: i64,
        min_billed_ms: i64,
    ) {
        self.advance(now_ms);
        self.rate[type_idx] -= price_per_hour;
        if self.rate[type_idx].abs() < 1e-12 {
            self.rate[type_idx] = 0.0;
        }
        self.count[type_idx] -= 1;
        let short_ms = min_billed_ms - (now_ms - since_ms);
        if short_ms > 0 {
            self.accrued[type_idx] += price_per_hour * short_ms as f64 / 3_600_000.0;
        }
    }

    /// Spending rate now, money per hour: (total, spot part).
    pub fn rate_per_hour(&self) -> (f64, f64) {
        let total = self.rate.iter().sum();
        let spot = self
            .rate
            .iter()
            .zip(&self.spot)
            .filter(|(_, s)| **s)
            .map(|(r, _)| r)
            .sum();
        (total, spot)
    }

    /// Closes the interval ending at `now_ms`: each type's cost in it, written
    /// into `out` (resized to the number of types).
    pub fn close_interval(&mut self, now_ms: i64, out: &mut Vec<TypeCost>) {
        self.advance(now_ms);
        out.clear();
        for i in 0..self.rate.len() {
            out.push(TypeCost {
                count: self.count[i],
                cost: self.accrued[i],
            });
            self.accrued[i] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_schedule_costs_exactly_its_price_times_time() {
        // Type 0 costs 3.6/h = 0.001 per second.
        let mut m = CostMeter::new(vec![false, true], 0);
        let mut out = Vec::new();
        m.start(0, 0, 3.6);
        m.start(10_000, 1, 7.2);
        m.close_interval(20_000, &mut out);
        assert!((out[0].cost - 0.020).abs() < 1e-12, "{out:?}");
        assert!((out[1].cost - 0.020).abs() < 1e-12, "{out:?}");
        assert_eq!(m.rate_per_hour(), (10.8, 7.2));
        m.stop(30_000, 0, 3.6, 0, 0);
        m.close_interval(40_000, &mut out);
        assert!((out[0].cost - 0.010).abs() < 1e-12);
        assert!((out[1].cost - 0.040).abs() < 1e-12);
        assert_eq!(out[0].count, 0);
    }

    #[test]
    fn a_short_life_is_billed_its_minimum() {
        let mut m = CostMeter::new(vec![false], 0);
        let mut out = Vec::new();
        m.start(0, 0, 3.6);
        m.stop(5_000, 0, 3.6, 0, 60_000);
        m.close_interval(10_000, &mut out);
        assert!((out[0].cost - 0.060).abs() < 1e-12, "60 s billed: {out:?}");
    }
}
