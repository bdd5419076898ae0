//! Predictive scaling: forecasts of an app's metric become a custom metric
//! that policies read like any observed one (the seed's "predictions fed
//! into the autoscaler as custom metrics").
//!
//! A scenario's `[[forecasts]]` ([`ForecastSpec`]) name an app spec, the
//! metric to forecast (e.g. `requests_per_second`) and the published name
//! (default `predicted_<metric>`). Following AWS predictive scaling:
//!
//! - **minimum history**: nothing is forecast, published or recorded before
//!   `min_history` (default 24 h, or two of the longest season);
//! - **horizon and refresh**: every `refresh` the model is fitted to the
//!   history (step means, at most `max_history`) and forecasts the next
//!   `refresh + horizon`; at each evaluation the engine gets the largest
//!   forecast over (now, now + `horizon`];
//! - **forecast-only mode**: forecasts are computed and recorded as
//!   `forecast` events but never reach the engine;
//! - **never scale in because of a forecast**: a forecast is one more
//!   metric of a threshold or target-tracking policy that also reads an
//!   observed metric (checked when the scenario is loaded). In a threshold
//!   policy any rule above its threshold scales up, but a scale-down needs
//!   every rule below its scale-down threshold, so the observed rule must
//!   call for it; in target tracking the largest `value ÷ target` over the
//!   metrics wins, so a forecast can only raise the desired count. A
//!   forecast thus raises capacity or holds it, and never lowers it.
//!   (Consequence: a missing metric blocks scale-down, so before the first
//!   forecast such a policy scales up but not in.)
//!
//! Forecasting runs on the simulated clock and fits depend only on the
//! history, so runs stay deterministic, in closed-loop replay too.
//!
//! - [`spec`]: the scenario syntax. `validate`: its checks.
//! - [`history`]: step means. [`model`]: MSTL (augurs).
//! - [`runtime`]: forecasters at run time.

pub mod history;
pub mod model;
pub mod runtime;
pub mod spec;
pub(crate) mod validate;

pub use runtime::{Forecaster, Forecasters};
pub use spec::{ForecastMode, ForecastSpec};
pub use validate::{MAX_HISTORY_POINTS, policy_metrics};
