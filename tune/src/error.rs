//! [`TuneError`]: why a sweep or a merge could not be done.

use std::path::PathBuf;

use crate::spec::ParamError;

/// Why a sweep or a merge could not be done. Messages name the parameter,
/// the run or the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// A bad `--param` spec.
    #[error("{0}")]
    Param(#[from] ParamError),
    /// A parameter's path or values do not fit the scenario.
    #[error("--param {param:?}: {message}")]
    Path {
        /// The parameter as written.
        param: String,
        /// What is wrong.
        message: String,
    },
    /// The scenario cannot be used.
    #[error("{0}")]
    Scenario(String),
    /// A run's settings are refused by the scenario's validation.
    #[error("run {index} ({settings}): {message}")]
    Settings {
        /// The run's index in the plan.
        index: usize,
        /// Its settings, `path=value` pairs.
        settings: String,
        /// The validation's message.
        message: String,
    },
    /// A run failed.
    #[error("run {index} ({settings}): {message}")]
    Run {
        /// The run's index in the plan.
        index: usize,
        /// Its settings.
        settings: String,
        /// What failed.
        message: String,
    },
    /// Bad options (shard, jobs, constraints, merge inputs).
    #[error("{0}")]
    Options(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

/// An [`TuneError::Io`] maker for `map_err`.
pub(crate) fn io<E: std::fmt::Display>(path: &std::path::Path) -> impl Fn(E) -> TuneError + '_ {
    move |e| TuneError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}
