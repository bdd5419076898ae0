//! Replay modes: a trace drives the engine, in open loop (a shadow replay:
//! the recorded metrics reach the engine as they are and its decisions are
//! recorded; nothing reacts) or closed loop (the trace is demand that the
//! simulated fleet serves, so the policy's choices change latency, breaches
//! and cost). Both write the same [`RunRecord`] as a simulation, so the run
//! directory, the summary and the report work unchanged.
//!
//! - [`spec`]: the `[replay]` table of a scenario ([`ReplaySpec`],
//!   [`AppSource`]) and the command line's overrides ([`ReplayOptions`]).
//! - [`file`]: replay scenario files ([`ReplayScenario`]).
//! - [`ReplayError`], in [`error`].
//! - `prepare`: mapping, shaping, gap filling, demand on one grid.
//! - `closed`, `open`: the two modes.
//!
//! ```no_run
//! use lighthouse_replay::modes::{ReplayOptions, ReplayScenario, replay};
//!
//! let sc = ReplayScenario::load("scenarios/replay-worldcup98.toml".as_ref())?;
//! let outcome = replay(&sc, &ReplayOptions::default(), &mut |_| {})?;
//! println!("cost {:.2}", outcome.record.stream.figures.cost.total);
//! # Ok::<(), lighthouse_replay::modes::ReplayError>(())
//! ```

mod closed;
pub mod error;
pub mod file;
mod open;
mod prepare;
pub mod spec;

use std::path::PathBuf;

use lighthouse_engine::EngineStatus;
use lighthouse_sim::SimStats;
use lighthouse_sim::record::RunRecord;

pub use error::ReplayError;
pub use file::ReplayScenario;
pub use spec::{
    AppSource, CapacityUnit, DemandKind, NumberOrText, ReplayMode, ReplayOptions, ReplaySpec,
};

use crate::shape::GapRule;

/// One app the trace fed.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayedApp {
    /// The app (spec name).
    pub app: String,
    /// The demand series, `resource/metric`.
    pub series: String,
    /// How its values became demand.
    pub kind: DemandKind,
    /// The gap rule applied.
    pub gap: GapRule,
    /// First and last sample replayed, trace time (after shaping), epoch ms.
    pub trace_span_ms: (i64, i64),
    /// Highest demand on the grid, requests per second (utilisation
    /// without a capacity: `None`).
    pub peak_rps: Option<f64>,
}

/// A finished replay.
pub struct ReplayOutcome {
    /// Open or closed loop.
    pub mode: ReplayMode,
    /// Everything recorded (`run.json` mode `replay-open` or `replay-closed`).
    pub record: RunRecord,
    /// What it cost to compute (open loop: events are grid points).
    pub stats: SimStats,
    /// The engine's status at the end.
    pub status: EngineStatus,
    /// The trace file replayed.
    pub trace: PathBuf,
    /// The apps it fed.
    pub apps: Vec<ReplayedApp>,
    /// Grid step the trace was replayed at, ms.
    pub step_ms: i64,
    /// Trace time of the run's first instant, epoch ms.
    pub trace_origin_ms: i64,
    /// Trace warnings and notes on what the replay did.
    pub notes: Vec<String>,
}

impl ReplayOutcome {
    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.record.meta.scenario
    }
}

/// Replays the trace of `scenario` (or the one `options` names) in the
/// mode chosen (`options`, else the scenario's, else closed loop).
/// `progress` hears the share done, 0 to 1. The same trace, scenario and
/// seed give the same record, so `write_run` writes identical files.
pub fn replay(
    scenario: &ReplayScenario,
    options: &ReplayOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<ReplayOutcome, ReplayError> {
    let prep = prepare::prepare(scenario, options)?;
    let mut notes = prep.notes.clone();
    let outcome = match prep.mode {
        ReplayMode::Closed => closed::run(scenario, &prep, options, progress)?,
        ReplayMode::Open => {
            let (outcome, more) = open::run(scenario, &prep, options, progress)?;
            notes.extend(more);
            outcome
        }
    };
    let apps = prep
        .apps
        .iter()
        .map(|a| ReplayedApp {
            app: a.source.app.clone(),
            series: a.series.clone(),
            kind: a.kind,
            gap: a.gap,
            trace_span_ms: a.span_ms,
            peak_rps: (0..prep.points)
                .map(|k| a.demand_rps(k, None))
                .try_fold(0.0f64, |m, v| v.map(|v| m.max(v))),
        })
        .collect();
    Ok(ReplayOutcome {
        mode: prep.mode,
        record: outcome.record,
        stats: outcome.stats,
        status: outcome.status,
        trace: prep.trace_path.clone(),
        apps,
        step_ms: prep.step_ms,
        trace_origin_ms: prep.origin_ms,
        notes,
    })
}

/// Loads a replay scenario file and replays it.
pub fn replay_file(
    path: &std::path::Path,
    options: &ReplayOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<ReplayOutcome, ReplayError> {
    replay(&ReplayScenario::load(path)?, options, progress)
}
