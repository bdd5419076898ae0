//! The one error type of the crate: every variant names the file, column or
//! value that was wrong.

use std::path::PathBuf;

use polars::prelude::PolarsError;

/// Why a run directory could not be written, read, summarised or reported.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading or writing a file or directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON file (`run.json`, `stream_summary.json`, `summary.json`) is malformed.
    #[error("{path}: invalid JSON: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser reported, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// polars failed to read or write a Parquet or CSV file.
    #[error("{path}: {source}")]
    Table {
        /// The file.
        path: PathBuf,
        /// What polars reported.
        #[source]
        source: PolarsError,
    },
    /// A table lacks a column the report needs.
    #[error("{path}: missing column `{column}`")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A column has another type than the format says.
    #[error("{path}: column `{column}` is {found}, expected {expected}")]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// The type the format requires.
        expected: &'static str,
        /// The type found.
        found: String,
    },
    /// A value is out of its domain (unknown layer or kind, index out of
    /// range, null where none is allowed, …).
    #[error("{path}: column `{column}`, row {row}: {value:?} {why}")]
    BadValue {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// Row number, from 0.
        row: usize,
        /// The offending value, as text.
        value: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A computation over the loaded tables failed inside polars.
    #[error("computing {what}: {source}")]
    Compute {
        /// Which figure was being computed.
        what: &'static str,
        /// What polars reported.
        #[source]
        source: PolarsError,
    },
    /// Drawing a plot failed.
    #[error("{path}: drawing failed: {message}")]
    Plot {
        /// The plot file.
        path: PathBuf,
        /// What the plotting backend reported.
        message: String,
    },
    /// `compare_runs` needs at least one run and a baseline among them.
    #[error("compare: baseline index {baseline} is not one of the {runs} runs given")]
    Baseline {
        /// The baseline index asked for.
        baseline: usize,
        /// How many runs were given.
        runs: usize,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Wraps an I/O error with its path.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ReportError {
    let path = path.into();
    move |source| ReportError::Io { path, source }
}

/// Wraps a polars error raised while computing `what`.
pub(crate) fn compute(what: &'static str) -> impl FnOnce(PolarsError) -> ReportError {
    move |source| ReportError::Compute { what, source }
}
