//! [`TraceError`]: every way reading or shaping a trace can fail.
//!
//! Row-level variants name the file, the 1-based line (the header counts as
//! line 1; for Parquet it is the 1-based row), the column and the offending
//! text, so a user can open the file at the right place.

use std::path::PathBuf;

use crate::time::format_offset;

/// Why a trace could not be read or a shaping argument was refused.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },

    /// The file holds no data row (zero bytes, only blank lines, or only a
    /// header).
    #[error("{path}: empty trace: {detail}")]
    Empty {
        /// The file.
        path: PathBuf,
        /// What was found instead of data.
        detail: String,
    },

    /// The file is not a text trace at all (an image, an archive, random
    /// bytes) or not a Parquet file although one was expected.
    #[error("{path}: not a trace file: {reason}")]
    NotATrace {
        /// The file.
        path: PathBuf,
        /// What gave it away, e.g. "PNG image signature".
        reason: String,
    },

    /// The header splits into one column although the format needs several
    /// and another separator occurs in it: the delimiter option is wrong.
    #[error(
        "{path}:{line}: header has a single column with the delimiter {expected:?} but contains {found:?}; set the delimiter to {found:?}"
    )]
    WrongDelimiter {
        /// The file.
        path: PathBuf,
        /// The header line (1-based).
        line: u64,
        /// The delimiter that was used.
        expected: String,
        /// The separator found in the header instead.
        found: String,
    },

    /// A column the format needs is not in the file.
    #[error("{path}: missing column {column}; the file has: {available}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for (a name, or `#N` for a 0-based index).
        column: String,
        /// The columns found, comma separated.
        available: String,
    },

    /// A line has fewer or more fields than the header (or the first line).
    #[error(
        "{path}:{line}: expected {expected} fields, found {found} (column {column} is affected)"
    )]
    FieldCount {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column that is missing or extra.
        column: String,
        /// Number of fields the header declares.
        expected: usize,
        /// Number of fields on the line.
        found: usize,
    },

    /// The last line stops early and has no end-of-line: the file was cut.
    #[error("{path}:{line}: truncated last line (no newline, column {column} missing): {value:?}")]
    TruncatedLine {
        /// The file.
        path: PathBuf,
        /// The last line (1-based).
        line: u64,
        /// The first column that is missing.
        column: String,
        /// The text of the cut line.
        value: String,
    },

    /// A field that must hold a number does not.
    #[error("{path}:{line}: column {column}: not a number: {value:?}")]
    InvalidNumber {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column.
        column: String,
        /// The offending text.
        value: String,
    },

    /// A numeric field holds NaN or an infinity.
    #[error("{path}:{line}: column {column}: value is not finite: {value:?}")]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column.
        column: String,
        /// The offending text.
        value: String,
    },

    /// A count or load value is negative (and is not a sentinel the importer
    /// drops).
    #[error("{path}:{line}: column {column}: negative value: {value:?}")]
    Negative {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column.
        column: String,
        /// The offending text.
        value: String,
    },

    /// A required field is empty.
    #[error("{path}:{line}: column {column}: empty value")]
    MissingValue {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column.
        column: String,
    },

    /// A time field does not match the time format.
    #[error("{path}:{line}: column {column}: bad timestamp {value:?}: {reason}")]
    InvalidTimestamp {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The column.
        column: String,
        /// The offending text.
        value: String,
        /// Which format was expected and why it failed.
        reason: String,
    },

    /// Strict mode: a timestamp is earlier than the previous one of its
    /// series.
    #[error(
        "{path}:{line}: column {column}: timestamp {value:?} is earlier than the previous one of series {series} (strict mode)"
    )]
    OutOfOrder {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The time column.
        column: String,
        /// The offending timestamp text.
        value: String,
        /// The series (`resource/metric`).
        series: String,
    },

    /// Strict mode: a timestamp repeats within one series.
    #[error(
        "{path}:{line}: column {column}: duplicate timestamp {value:?} in series {series} (strict mode)"
    )]
    DuplicateTimestamp {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The time column.
        column: String,
        /// The offending timestamp text.
        value: String,
        /// The series (`resource/metric`).
        series: String,
    },

    /// Strict mode: timestamps carry different UTC offsets.
    #[error(
        "{path}:{line}: column {column}: timestamp {value:?} has offset {}, earlier rows had {} (strict mode)",
        format_offset(*offset),
        format_offset(*first_offset)
    )]
    MixedOffsets {
        /// The file.
        path: PathBuf,
        /// The line (1-based, header included).
        line: u64,
        /// The time column.
        column: String,
        /// The offending timestamp text.
        value: String,
        /// Its offset east of UTC, in seconds (`+02:00` is 7200).
        offset: i32,
        /// The offset of the first timestamp, in seconds east of UTC.
        first_offset: i32,
    },

    /// Polars rejected the file and the line-by-line validation found no
    /// more precise cause (e.g. a quoting problem).
    #[error("{path}: polars could not read the file: {message}")]
    Polars {
        /// The file.
        path: PathBuf,
        /// Polars' message.
        message: String,
    },

    /// An option or shaping argument is invalid (unknown format name, bad
    /// time zone, unparsable duration or scale, ...).
    #[error("invalid {what} {input:?}: {reason}")]
    InvalidArgument {
        /// Which argument, e.g. "scale" or "time zone".
        what: &'static str,
        /// The text given.
        input: String,
        /// Why it was refused and what is accepted.
        reason: String,
    },
}

impl TraceError {
    /// Shorthand for [`TraceError::InvalidArgument`].
    pub(crate) fn arg(
        what: &'static str,
        input: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidArgument {
            what,
            input: input.into(),
            reason: reason.into(),
        }
    }

    /// The 1-based line a row-level error points at, if any.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::WrongDelimiter { line, .. }
            | Self::FieldCount { line, .. }
            | Self::TruncatedLine { line, .. }
            | Self::InvalidNumber { line, .. }
            | Self::NonFinite { line, .. }
            | Self::Negative { line, .. }
            | Self::MissingValue { line, .. }
            | Self::InvalidTimestamp { line, .. }
            | Self::OutOfOrder { line, .. }
            | Self::DuplicateTimestamp { line, .. }
            | Self::MixedOffsets { line, .. } => Some(*line),
            _ => None,
        }
    }
}

/// Result type of this crate.
pub type Result<T, E = TraceError> = std::result::Result<T, E>;
