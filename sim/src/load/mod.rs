//! Load generators: offered load in requests per second as a function of
//! simulated time in seconds, deterministic for a given seed.
//!
//! A scenario writes a [`LoadSpec`] (constant, diurnal with weekends, ramp,
//! step, flash crowd, bursty on/off, recorded series; sums and products of
//! them; Poisson counting noise and log-normal noise around them), checks
//! it with [`LoadSpec::validate`], and realises it per app as a
//! [`LoadProcess`] seeded with [`derive_seed`]`(scenario_seed, app_id)`.
//! The simulation then asks [`LoadProcess::rate`] for the mean load of each
//! sample interval, in time order.
//!
//! Module map:
//! - [`spec`]: the description ([`LoadSpec`]), as scenarios write it.
//! - [`validate`]: its checks and [`LoadSpecError`].
//! - [`process`]: the seeded realisation ([`LoadProcess`]).
//! - [`seed`]: stable seed derivation ([`derive_seed`]).
//! - `shape`, `series`, `bursty`: the generators' mathematics (private).
//!
//! ```
//! use lighthouse_sim::load::{LoadProcess, LoadSpec, derive_seed};
//! let spec: LoadSpec = toml::from_str(r#"
//!     kind = "sum"
//!     parts = [
//!       { kind = "constant", rps = 50 },
//!       { kind = "step", before = 0, after = 100, at_s = 60 },
//!     ]
//! "#).unwrap();
//! spec.validate("apps.web.load").unwrap();
//! let mut load = LoadProcess::new(&spec, derive_seed(42, "web"));
//! assert_eq!(load.rate(0.0, 10.0), 50.0);
//! assert_eq!(load.rate(55.0, 10.0), 100.0); // half the interval after the step
//! assert_eq!(load.rate(70.0, 10.0), 150.0);
//! ```

mod bursty;
pub mod exp;
pub mod lanes;
pub mod process;
pub mod seed;
mod series;
mod shape;
pub mod shared;
pub mod spec;
pub mod validate;

pub use process::LoadProcess;
pub use seed::derive_seed;
pub use shared::{CopyNoise, NoiseKind, log_normal_rate, split_noise};
pub use spec::LoadSpec;
pub use validate::LoadSpecError;

#[cfg(test)]
mod spec_tests;
