//! Checks of `[[forecasts]]`: each problem names the field and the value.
//!
//! Besides the values themselves, the checks hold the rule that a forecast
//! never scales a resource in (see the module documentation): a policy that
//! reads a published forecast must be a threshold or target-tracking policy
//! that also reads an observed metric, and must not be a member of a
//! composite policy.

use std::collections::{BTreeMap, BTreeSet};

use lighthouse_engine::ScalingPolicy;

use super::spec::{ForecastMode, ForecastSpec};
use crate::run::APP_METRICS;
use crate::scenario::{AppSpec, Scenario, ScenarioIssue};

/// Most history points a model may be given (`max_history` ÷ `step`).
pub const MAX_HISTORY_POINTS: i64 = 20_000;

fn issue(
    field: String,
    value: impl std::fmt::Display,
    message: impl Into<String>,
) -> ScenarioIssue {
    ScenarioIssue {
        field,
        value: value.to_string(),
        message: message.into(),
        line: None,
    }
}

/// The metrics a policy reads.
pub fn policy_metrics(p: &ScalingPolicy) -> Vec<&str> {
    let mut out: Vec<&str> = p
        .thresholds
        .iter()
        .map(|t| t.metric_name.as_str())
        .collect();
    if let Some(tt) = &p.target_tracking {
        out.extend(tt.metrics.iter().map(|m| m.metric_name.as_str()));
    }
    out
}

/// The app or platform spec called `name`.
fn app_spec<'a>(s: &'a Scenario, name: &str) -> Option<&'a AppSpec> {
    s.apps.iter().chain(&s.platform).find(|a| a.name == name)
}

/// Every problem of the scenario's forecasts.
pub fn validate(s: &Scenario) -> Vec<ScenarioIssue> {
    let mut v = Vec::new();
    let sample = s.simulation.sample_interval;
    // Published name → the policies of the apps it is published for.
    let mut published: BTreeMap<String, ForecastMode> = BTreeMap::new();
    let mut per_app: BTreeSet<(String, String)> = BTreeSet::new();
    for (i, f) in s.forecasts.iter().enumerate() {
        let at = |key: &str| format!("forecasts[{i}].{key}");
        let Some(app) = app_spec(s, &f.app) else {
            v.push(issue(
                at("app"),
                &f.app,
                "names no app or platform component",
            ));
            continue;
        };
        check_values(&mut v, f, i, sample);
        let business: Vec<&str> = app
            .business_metrics
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        let measured = |m: &str| APP_METRICS.iter().any(|(n, _)| *n == m) || business.contains(&m);
        if !measured(&f.metric) {
            v.push(issue(
                at("metric"),
                &f.metric,
                format!(
                    "is not measured for app {}; expected one of {}{}",
                    f.app,
                    APP_METRICS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                    business
                        .iter()
                        .map(|b| format!(", {b}"))
                        .collect::<String>()
                ),
            ));
        }
        let name = f.published_name();
        if name.is_empty() || measured(&name) {
            v.push(issue(
                at("name"),
                format!("{name:?}"),
                "must be a new metric name, not empty and not a measured metric",
            ));
        }
        if !per_app.insert((f.app.clone(), name.clone())) {
            v.push(issue(
                at("name"),
                &name,
                format!(
                    "app {} already has a forecast published under this name",
                    f.app
                ),
            ));
        }
        published.insert(name.clone(), f.mode);
        let reads = s
            .policies
            .get(&app.policy)
            .is_some_and(|p| policy_metrics(p).contains(&name.as_str()));
        match f.mode {
            ForecastMode::Scale if !reads => v.push(issue(
                at("mode"),
                "scale",
                format!(
                    "policy {} of app {} reads no metric {name}; add a rule reading it, or use mode = \"forecast-only\"",
                    app.policy, f.app
                ),
            )),
            ForecastMode::ForecastOnly if reads => v.push(issue(
                at("mode"),
                "forecast-only",
                format!(
                    "policy {} of app {} reads {name}, which forecast-only never publishes; use mode = \"scale\"",
                    app.policy, f.app
                ),
            )),
            _ => {}
        }
    }
    check_policies(&mut v, s, &published);
    v
}

fn check_values(
    v: &mut Vec<ScenarioIssue>,
    f: &ForecastSpec,
    i: usize,
    sample: crate::scenario::Dur,
) {
    let at = |key: &str| format!("forecasts[{i}].{key}");
    let step = f.step;
    let step_ok = step.0 > 0 && sample.0 > 0 && step.0 % sample.0 == 0;
    if !step_ok {
        v.push(issue(
            at("step"),
            step,
            format!("must be a whole number of sample intervals ({sample})"),
        ));
    }
    if f.seasons.is_empty() {
        v.push(issue(
            at("seasons"),
            "[]",
            "give at least one seasonal period, e.g. [\"1d\"]",
        ));
    }
    for (k, season) in f.seasons.iter().enumerate() {
        if step_ok && (season.0 % step.0 != 0 || season.0 < 2 * step.0) {
            v.push(issue(
                format!("forecasts[{i}].seasons[{k}]"),
                season,
                format!("must be a whole number of steps ({step}), at least two"),
            ));
        }
    }
    if f.horizon.0 < step.0 || f.horizon.0 <= 0 {
        v.push(issue(
            at("horizon"),
            f.horizon,
            format!("must be at least one step ({step})"),
        ));
    }
    if f.refresh.0 < sample.0 || f.refresh.0 <= 0 {
        v.push(issue(
            at("refresh"),
            f.refresh,
            format!("must be at least the sample interval ({sample})"),
        ));
    }
    let min = f.min_history();
    let two_seasons = crate::scenario::Dur(2 * f.longest_season().0);
    if min < two_seasons || min.0 <= 0 {
        v.push(issue(
            at("min_history"),
            min,
            format!(
                "must cover two of the longest season ({two_seasons}): the model needs two seasons"
            ),
        ));
    }
    if f.max_history < min {
        v.push(issue(
            at("max_history"),
            f.max_history,
            format!("must be at least min_history ({min})"),
        ));
    } else if step_ok && f.max_history.0 / step.0 > MAX_HISTORY_POINTS {
        v.push(issue(
            at("max_history"),
            f.max_history,
            format!("is more than {MAX_HISTORY_POINTS} steps of {step}; use a longer step or less history"),
        ));
    }
}

/// A policy reading a forecast published for scaling must also read an
/// observed metric, be a threshold or target-tracking policy, and not be a
/// composite's member: then a scale-in always needs the observed metric to
/// call for it.
fn check_policies(
    v: &mut Vec<ScenarioIssue>,
    s: &Scenario,
    published: &BTreeMap<String, ForecastMode>,
) {
    let is_forecast = |m: &str| published.get(m) == Some(&ForecastMode::Scale);
    let mut reading = BTreeSet::new();
    for (name, p) in &s.policies {
        let metrics = policy_metrics(p);
        if !metrics.iter().any(|m| is_forecast(m)) {
            continue;
        }
        reading.insert(name.as_str());
        if !metrics.iter().any(|m| !is_forecast(m)) {
            v.push(issue(
                format!("policies.{name}"),
                metrics.join(", "),
                "reads only forecasts; add a rule on an observed metric (a forecast may raise or hold capacity, never lower it, so the observed metric decides scale-ins)",
            ));
        }
    }
    for (name, p) in &s.policies {
        let Some(c) = &p.composite else { continue };
        for (k, m) in c.members.iter().enumerate() {
            if reading.contains(m.policy.as_str()) {
                v.push(issue(
                    format!("policies.{name}.composite.members[{k}].policy"),
                    &m.policy,
                    "reads a forecast; a composite could scale in on its vote alone, so forecasts go in threshold or target-tracking policies only",
                ));
            }
        }
    }
}
