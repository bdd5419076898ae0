//! Forecasters at run time: one per forecast and app copy, fed at every
//! sample tick, refitted every refresh period, read at every evaluation.
//! Everything runs on the simulated clock; a fit depends only on the
//! history, so the same run gives the same forecasts.

use std::borrow::Cow;

use lighthouse_engine::{EngineCore, ResourceKey, Timestamp};

use super::history::StepHistory;
use super::model::forecast;
use super::spec::{ForecastMode, ForecastSpec};
use crate::record::{EventKind, EventRow, Recorder};
use crate::run::Quantity;

/// The forecast of one metric of one app.
#[derive(Clone, Debug)]
pub struct Forecaster {
    /// Index of the app in the run.
    pub app: usize,
    /// Published metric name.
    pub name: String,
    /// The metric forecast.
    pub metric: String,
    /// What is forecast.
    pub source: Quantity,
    /// Publish per ready instance.
    pub per_instance: bool,
    /// Scale or forecast-only.
    pub mode: ForecastMode,
    history: StepHistory,
    /// Seasonal periods, steps.
    periods: Vec<usize>,
    step_ms: i64,
    horizon_ms: i64,
    refresh_ms: i64,
    /// Steps of history before the first forecast.
    min_steps: usize,
    /// Steps forecast at each refresh.
    forecast_steps: usize,
    next_refresh_ms: i64,
    /// The latest forecast: start of its first step (epoch ms) and one
    /// value per step.
    latest: Option<(i64, Vec<f64>)>,
}

impl Forecaster {
    /// A forecaster of `spec` for the app at index `app`, from `start_ms`.
    pub fn new(spec: &ForecastSpec, app: usize, source: Quantity, start_ms: i64) -> Self {
        let step_ms = spec.step.as_millis().max(1);
        let steps = |ms: i64| ((ms + step_ms - 1) / step_ms).max(1) as usize;
        Forecaster {
            app,
            name: spec.published_name(),
            metric: spec.metric.clone(),
            source,
            per_instance: spec.per_instance,
            mode: spec.mode,
            history: StepHistory::new(start_ms, step_ms, steps(spec.max_history.as_millis())),
            periods: spec.seasons.iter().map(|s| steps(s.as_millis())).collect(),
            step_ms,
            horizon_ms: spec.horizon.as_millis(),
            refresh_ms: spec.refresh.as_millis().max(1),
            min_steps: steps(spec.min_history().as_millis()),
            forecast_steps: steps(spec.refresh.as_millis() + spec.horizon.as_millis()) + 1,
            next_refresh_ms: start_ms,
            latest: None,
        }
    }

    /// Adds the value measured over the interval ending at `t_ms`; refits
    /// when a refresh is due and the history is long enough, and records a
    /// `forecast` event for the fit.
    pub fn observe(&mut self, t_ms: i64, value: f64, recorder: &mut Recorder) {
        self.history.push(t_ms, value);
        if t_ms < self.next_refresh_ms || self.history.len() < self.min_steps {
            return;
        }
        self.next_refresh_ms = t_ms + self.refresh_ms;
        let steps = self.history.len();
        let origin = self.history.end_ms();
        let mut row = EventRow::new(t_ms, recorder.app_resource(self.app), EventKind::Forecast);
        match forecast(self.history.values(), &self.periods, self.forecast_steps) {
            Ok(points) => {
                self.latest = Some((origin, points));
                let peak = self.total_at(t_ms).unwrap_or(0.0);
                row.reason = Cow::Owned(format!(
                    "{}={peak:.3} published_as={} horizon={}s history_steps={steps} mode={}",
                    self.metric,
                    self.name,
                    self.horizon_ms / 1000,
                    self.mode.as_str()
                ));
            }
            Err(e) => {
                row.reason = Cow::Owned(format!("{} failed: {e}", self.name));
            }
        }
        recorder.event(row);
    }

    /// The largest forecast total over (t, t + horizon], when the latest
    /// forecast covers that window at least in part.
    pub fn total_at(&self, t_ms: i64) -> Option<f64> {
        let (origin, points) = self.latest.as_ref()?;
        let until = t_ms + self.horizon_ms;
        points
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                let from = origin + *k as i64 * self.step_ms;
                from + self.step_ms > t_ms && from < until
            })
            .map(|(_, v)| *v)
            .reduce(f64::max)
    }

    /// The value published at `t_ms` with `ready` instances serving.
    pub fn published(&self, t_ms: i64, ready: u32) -> Option<f64> {
        let total = self.total_at(t_ms)?;
        Some(if self.per_instance {
            total / f64::from(ready.max(1))
        } else {
            total
        })
    }
}

/// All forecasters of a run, grouped by app.
#[derive(Clone, Debug, Default)]
pub struct Forecasters {
    list: Vec<Forecaster>,
}

impl Forecasters {
    /// Forecasters in any order (kept sorted by app, stable).
    pub fn new(mut list: Vec<Forecaster>) -> Self {
        list.sort_by_key(|f| f.app);
        Forecasters { list }
    }

    /// Whether the run forecasts nothing.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn of_app(&mut self, app: usize) -> &mut [Forecaster] {
        let from = self.list.partition_point(|f| f.app < app);
        let to = self.list.partition_point(|f| f.app <= app);
        &mut self.list[from..to]
    }

    /// Feeds app `app`'s forecasters; `value` gives the measured value of a
    /// quantity over the interval ending at `t_ms`.
    pub fn observe(
        &mut self,
        app: usize,
        t_ms: i64,
        value: impl Fn(Quantity) -> f64,
        recorder: &mut Recorder,
    ) {
        for f in self.of_app(app) {
            f.observe(t_ms, value(f.source), recorder);
        }
    }

    /// Gives the engine app `app`'s forecasts in `scale` mode, as samples of
    /// their metrics measured at `at`; a metric no policy reads is skipped.
    pub fn publish(
        &mut self,
        app: usize,
        core: &mut EngineCore,
        key: ResourceKey,
        ready: u32,
        at: Timestamp,
    ) {
        for f in self.of_app(app) {
            if f.mode != ForecastMode::Scale {
                continue;
            }
            let (Some(metric), Some(value)) =
                (core.metric_key(&f.name), f.published(at.as_millis(), ready))
            else {
                continue;
            };
            // Forecasts are clamped finite and non-negative.
            let _ = core.observe_sample(key, metric, value, at);
        }
    }
}

/// The forecasters of a scenario's `[[forecasts]]`: one per forecast and
/// copy of its app (`apps` as the run expands them).
pub fn build(
    s: &crate::scenario::Scenario,
    apps: &[crate::scenario::ExpandedApp],
    start_ms: i64,
) -> Forecasters {
    let mut list = Vec::new();
    for f in &s.forecasts {
        for (i, a) in apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.spec.name == f.app)
        {
            let source = crate::run::APP_METRICS
                .iter()
                .find(|(n, _)| *n == f.metric)
                .map(|(_, q)| *q)
                .or_else(|| {
                    a.spec
                        .business_metrics
                        .iter()
                        .position(|m| m.name == f.metric)
                        .map(Quantity::Business)
                });
            // Validated scenarios name measured metrics.
            if let Some(source) = source {
                list.push(Forecaster::new(f, i, source, start_ms));
            }
        }
    }
    Forecasters::new(list)
}
