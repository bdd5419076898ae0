//! The `[[forecasts]]` tables of a scenario: what is forecast, for which
//! app, how far ahead, how often, from how much history, and whether the
//! engine sees the forecast.

use serde::{Deserialize, Serialize};

use crate::scenario::Dur;

/// Whether the engine sees a forecast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForecastMode {
    /// The forecast is published to the engine as a custom metric, which
    /// policies read like any observed metric.
    #[default]
    #[serde(rename = "scale")]
    Scale,
    /// The forecast is computed and recorded (`forecast` events) but never
    /// reaches the engine: decisions are those of the reactive policy.
    #[serde(rename = "forecast-only")]
    ForecastOnly,
}

impl ForecastMode {
    /// `scale` or `forecast-only`, as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            ForecastMode::Scale => "scale",
            ForecastMode::ForecastOnly => "forecast-only",
        }
    }
}

/// One forecast: a metric of one app spec (every copy of it gets its own
/// forecaster), forecast from its own history and published as a custom
/// metric, by default `predicted_<metric>`.
///
/// Every `refresh`, a model (MSTL seasonal decomposition, augurs) is fitted
/// to the metric's history sampled every `step` (means of the samples in
/// each step, at most `max_history` of them) and forecasts the next
/// `refresh + horizon`. At each evaluation the engine is given the largest
/// forecast value between now and now + `horizon`. Nothing is published
/// before `min_history` of history exists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForecastSpec {
    /// Name of the app or platform component spec (all its copies).
    pub app: String,
    /// The metric forecast, one the simulator measures for the app (default
    /// `requests_per_second`); a business metric of the app may be named.
    #[serde(default = "default_metric")]
    pub metric: String,
    /// Name of the published metric (default `predicted_<metric>`, with
    /// `_per_instance` appended when `per_instance` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Publish the forecast divided by the app's ready instances (for
    /// target tracking of a per-instance value); default false.
    #[serde(default)]
    pub per_instance: bool,
    /// Seasonal periods of the model, e.g. `["1d"]` or `["1d", "7d"]`
    /// (default one day); each a whole number of steps, at least 2.
    #[serde(default = "default_seasons")]
    pub seasons: Vec<Dur>,
    /// Spacing of the history the model sees (default 5 min); a whole
    /// number of sample intervals.
    #[serde(default = "default_step")]
    pub step: Dur,
    /// How far ahead the published value looks (default 1 h): the largest
    /// forecast over (now, now + horizon].
    #[serde(default = "default_horizon")]
    pub horizon: Dur,
    /// How often the model is fitted again (default 10 min).
    #[serde(default = "default_refresh")]
    pub refresh: Dur,
    /// History needed before the first forecast (default: 24 h or two of
    /// the longest season, whichever is longer; the model needs two
    /// seasons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_history: Option<Dur>,
    /// Most history the model sees (default 7 d; the cost of a fit grows
    /// with it).
    #[serde(default = "default_max_history")]
    pub max_history: Dur,
    /// `scale` (the engine sees the forecast) or `forecast-only`.
    #[serde(default)]
    pub mode: ForecastMode,
}

fn default_metric() -> String {
    "requests_per_second".to_string()
}
fn default_seasons() -> Vec<Dur> {
    vec![Dur::secs(86_400)]
}
fn default_step() -> Dur {
    Dur::secs(300)
}
fn default_horizon() -> Dur {
    Dur::secs(3600)
}
fn default_refresh() -> Dur {
    Dur::secs(600)
}
fn default_max_history() -> Dur {
    Dur::secs(7 * 86_400)
}

impl ForecastSpec {
    /// The published metric's name.
    pub fn published_name(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None if self.per_instance => format!("predicted_{}_per_instance", self.metric),
            None => format!("predicted_{}", self.metric),
        }
    }

    /// The longest season (zero when none is given).
    pub fn longest_season(&self) -> Dur {
        self.seasons.iter().copied().max().unwrap_or_default()
    }

    /// History needed before the first forecast.
    pub fn min_history(&self) -> Dur {
        self.min_history
            .unwrap_or_else(|| Dur(86_400_000.max(2 * self.longest_season().0)))
    }
}
