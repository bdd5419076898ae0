//! Closed loop: the trace becomes demand. Each fed app gets a
//! `LoadSpec::Series` of its demand on the grid (times from the run's
//! start), and the unchanged simulator serves it with the scenario's fleet
//! and policies, recording the run as `replay-closed`.

use lighthouse_sim::load::LoadSpec;
use lighthouse_sim::record::RunMode;
use lighthouse_sim::scenario::Dur;
use lighthouse_sim::{SimOptions, SimOutcome, Simulation};

use super::error::ReplayError;
use super::file::ReplayScenario;
use super::prepare::{FedApp, Prepared};
use super::spec::ReplayOptions;

/// The demand of one fed app as a series load: one point per grid step,
/// repeated values left out (a series holds its value until the next
/// point, so nothing changes).
pub(crate) fn series_load(app: &FedApp, step_ms: i64, points: usize) -> LoadSpec {
    let mut times_s = Vec::new();
    let mut rps = Vec::new();
    for k in 0..points {
        // Closed loop always has a capacity for utilisations (checked).
        let v = app.demand_rps(k, None).unwrap_or(0.0).max(0.0);
        if rps.last() != Some(&v) {
            times_s.push(k as f64 * step_ms as f64 / 1000.0);
            rps.push(v);
        }
    }
    LoadSpec::Series {
        times_s,
        rps,
        interpolate: false,
        loop_s: None,
    }
}

/// Runs the closed-loop replay.
pub(crate) fn run(
    sc: &ReplayScenario,
    prep: &Prepared,
    options: &ReplayOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<SimOutcome, ReplayError> {
    let mut loaded = sc.scenario(&prep.fed(), prep.duration_ms)?;
    let s = &mut loaded.scenario;
    s.simulation.duration = Dur(prep.duration_ms);
    s.simulation.start = rfc3339(prep.start_ms);
    for (i, app) in prep.apps.iter().enumerate() {
        let load = series_load(app, prep.step_ms, prep.points);
        load.validate(&format!("replay.apps[{i}] ({})", app.source.app))
            .map_err(|e| {
                ReplayError::Mapping(format!(
                    "the demand of app {} from {} is not a valid load: {e}",
                    app.source.app, app.series
                ))
            })?;
        for spec in s.apps.iter_mut().chain(s.platform.iter_mut()) {
            if spec.name == app.source.app {
                spec.load = load.clone();
            }
        }
    }
    let sim_options = SimOptions {
        seed: options.seed,
        duration: None,
        resolution: options.resolution,
        mode: Some(RunMode::ReplayClosed),
        check_invariants: options.check_invariants,
        ..SimOptions::default()
    };
    Ok(Simulation::new(&loaded, &sim_options)?.run(progress)?)
}

/// An epoch-ms instant as RFC 3339 with milliseconds.
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
