//! [`ReplayError`]: why a replay could not run.

use lighthouse_sim::record::RecordError;
use lighthouse_sim::{ScenarioError, SimError};

use crate::error::TraceError;

/// Why a replay could not be set up or run. Messages name the file and,
/// where there is one, the line and column.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The trace could not be read, or a shaping argument was refused.
    #[error(transparent)]
    Trace(#[from] TraceError),

    /// The scenario part of the file is not a valid scenario.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),

    /// The `[replay]` table does not parse (bad TOML, unknown key, wrong
    /// type).
    #[error("{file}:{line}:{column}: [replay]: {message}")]
    Syntax {
        /// The scenario file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },

    /// A replay setting is wrong (a value out of range, a name that does
    /// not exist, a missing setting).
    #[error("{file}{}: {field} = {value}: {message}", at_line(*.line))]
    Invalid {
        /// The scenario file (or `command line`).
        file: String,
        /// 1-based line of the setting in the file, when known.
        line: Option<usize>,
        /// The setting, e.g. `replay.apps[0].capacity_cores`.
        field: String,
        /// The value found.
        value: String,
        /// What is wrong and what is accepted.
        message: String,
    },

    /// No (or not every) app could be given a series of the trace. The
    /// message lists the series the trace has and the series the apps want.
    #[error("{0}")]
    Mapping(String),

    /// The closed-loop simulation could not be set up or run.
    #[error(transparent)]
    Simulation(#[from] SimError),

    /// The open-loop engine or recorder could not be set up.
    #[error("open-loop replay: {0}")]
    Engine(String),

    /// The recorder refused the run's metadata.
    #[error("recording the replay: {0}")]
    Record(#[from] RecordError),
}

impl ReplayError {
    /// Shorthand for [`ReplayError::Invalid`].
    pub(crate) fn invalid(
        file: &str,
        field: impl Into<String>,
        value: impl std::fmt::Display,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            file: file.to_string(),
            line: None,
            field: field.into(),
            value: value.to_string(),
            message: message.into(),
        }
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(":{l}")).unwrap_or_default()
}
