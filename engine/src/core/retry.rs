//! Exponential back-off with jitter from a seeded generator, so a run with
//! failures is as reproducible as one without.

use crate::config::RetryConfig;
use crate::time::Span;

/// SplitMix64: tiny, fast, and its output never changes between library
/// versions (which a dependency's generator does not promise).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The wait before attempt `failures + 1`: `base × multiplier^(failures−1)`,
/// capped at the maximum, spread by ±jitter.
pub fn backoff(config: &RetryConfig, failures: u32, rng: &mut SplitMix64) -> Span {
    let exponent = failures.saturating_sub(1).min(63) as i32;
    let raw = (config.base_delay_seconds * config.multiplier.powi(exponent))
        .min(config.max_delay_seconds);
    let spread = 1.0 + config.jitter * (2.0 * rng.next_f64() - 1.0);
    Span::from_secs_f64((raw * spread).max(0.001))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_up_to_the_cap() {
        let config = RetryConfig {
            jitter: 0.0,
            ..RetryConfig::default()
        };
        let mut rng = SplitMix64::new(1);
        let delays: Vec<f64> = (1..=9)
            .map(|n| backoff(&config, n, &mut rng).as_secs_f64())
            .collect();
        assert_eq!(
            delays,
            [5.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0]
        );
    }

    #[test]
    fn jitter_stays_in_band_and_is_reproducible() {
        let config = RetryConfig::default();
        let run = |seed| {
            let mut rng = SplitMix64::new(seed);
            (0..100)
                .map(|_| backoff(&config, 2, &mut rng))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        for d in a {
            assert!((8.0..=12.0).contains(&d.as_secs_f64()), "{d}");
        }
    }
}
