//! A metric's history at a fixed step: the mean of the samples in each
//! step, oldest first, at most a given number of steps.

use std::collections::VecDeque;

/// Step means of one metric, aligned on the run's start.
#[derive(Clone, Debug)]
pub struct StepHistory {
    /// Step length, ms.
    step_ms: i64,
    /// Most steps kept.
    capacity: usize,
    /// Completed steps' means, oldest first.
    values: VecDeque<f64>,
    /// Start of the step being filled, epoch ms.
    open_start_ms: i64,
    /// Sum and count of its samples.
    open_sum: f64,
    open_count: u32,
}

impl StepHistory {
    /// An empty history whose first step starts at `start_ms`.
    pub fn new(start_ms: i64, step_ms: i64, capacity: usize) -> Self {
        StepHistory {
            step_ms: step_ms.max(1),
            capacity: capacity.max(1),
            values: VecDeque::with_capacity(capacity.clamp(1, 4096)),
            open_start_ms: start_ms,
            open_sum: 0.0,
            open_count: 0,
        }
    }

    /// Adds a sample measured over the interval ending at `t_ms`; steps that
    /// ended before it are closed first (a step without a sample repeats
    /// the previous mean, or 0 at the start).
    pub fn push(&mut self, t_ms: i64, value: f64) {
        // The sample belongs to the step holding its interval's end
        // (exclusive of the step's own end).
        while t_ms > self.open_start_ms + self.step_ms {
            self.close();
        }
        if value.is_finite() {
            self.open_sum += value;
            self.open_count += 1;
        }
        if t_ms == self.open_start_ms + self.step_ms {
            self.close();
        }
    }

    fn close(&mut self) {
        let mean = if self.open_count > 0 {
            self.open_sum / f64::from(self.open_count)
        } else {
            self.values.back().copied().unwrap_or(0.0)
        };
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(mean);
        self.open_start_ms += self.step_ms;
        self.open_sum = 0.0;
        self.open_count = 0;
    }

    /// Completed steps held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no step is complete yet.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// End of the last completed step, epoch ms.
    pub fn end_ms(&self) -> i64 {
        self.open_start_ms
    }

    /// The completed steps' means, oldest first.
    pub fn values(&mut self) -> &[f64] {
        self.values.make_contiguous()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_means_and_bound() {
        // 10 s samples, 30 s steps, keep 2.
        let mut h = StepHistory::new(0, 30_000, 2);
        for k in 1..=9 {
            h.push(k * 10_000, k as f64);
        }
        // Steps: (1,2,3) → 2, (4,5,6) → 5, (7,8,9) → 8; the first dropped.
        assert_eq!(h.values(), &[5.0, 8.0]);
        assert_eq!(h.end_ms(), 90_000);
        // A gap repeats the last mean.
        h.push(150_000, 20.0);
        assert_eq!(h.values(), &[8.0, 20.0]);
    }
}
