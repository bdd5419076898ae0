//! Queueing model: latency of a pool of c instances, each serving μ
//! requests per second, under λ requests per second of offered load.
//!
//! - Below saturation (ρ = λ/(cμ) < 1) the pool is an M/M/c queue:
//!   [`mmc()`] gives Erlang C waiting figures, [`response_percentile_s`] any
//!   response-time percentile from the exact tail, and [`min_instances`]
//!   the smallest pool meeting a percentile bound (the "demand in
//!   instances" of an app).
//! - At or above saturation, [`Backlog`] carries a fluid queue between
//!   sample intervals, dropping what would wait past the timeout.
//!
//! Module map:
//! - [`erlang`]: Erlang B/C by the stable recursion ([`ErlangB`]).
//! - [`mmc`](mod@mmc): steady-state M/M/c ([`QueueStats`], [`mmc()`], [`min_instances`]).
//! - [`backlog`]: the saturation model ([`Backlog`], [`IntervalOutcome`]).
//! - `tail`: the response-time distribution and its percentiles (private).
//!
//! Everything here is pure arithmetic: no allocation, no randomness.
//!
//! ```
//! use lighthouse_sim::queueing::{mmc, min_instances, Backlog};
//! let s = mmc(2.0, 1.0, 3).unwrap();
//! assert!((s.wait_probability - 4.0 / 9.0).abs() < 1e-12);
//! assert_eq!(min_instances(2.0, 1.0, 95.0, 4.5, 1.0, 100), 3);
//! let mut b = Backlog::new();
//! let o = b.step(150.0, 10.0, 10, 10.0, 30.0);
//! assert!((o.served + o.dropped + b.queued - 1500.0).abs() < 1e-9);
//! ```

pub mod backlog;
pub mod erlang;
pub mod mmc;
mod tail;

pub use backlog::{Backlog, IntervalOutcome};
pub use erlang::{ErlangB, erlang_b, erlang_c};
pub use mmc::{QueueStats, min_instances, mmc, response_percentile_s};
