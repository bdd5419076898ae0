//! Simulated time against the wall clock, optionally sped up.

use std::time::Instant;

/// Maps wall-clock time to simulated time: the scenario's start when the
/// server started, then `speed` simulated seconds per wall-clock second.
#[derive(Clone, Copy, Debug)]
pub struct SimClock {
    started: Instant,
    start_ms: i64,
    speed: f64,
}

impl SimClock {
    /// A clock reading `start_ms` (epoch ms) now and running `speed` times
    /// faster than the wall clock.
    pub fn new(start_ms: i64, speed: f64) -> Self {
        SimClock {
            started: Instant::now(),
            start_ms,
            speed,
        }
    }

    /// Simulated seconds per wall-clock second.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Simulated time now, epoch ms.
    pub fn now_ms(&self) -> i64 {
        let wall_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        self.start_ms + (wall_ms * self.speed).round() as i64
    }
}
