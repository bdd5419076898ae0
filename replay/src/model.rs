//! The plain output model: a [`Trace`] holds one [`TraceSeries`] per
//! (resource, metric) pair plus the [`TraceWarning`]s raised while reading.
//!
//! Nothing here depends on polars, so the simulator can consume traces
//! without pulling the dataframe types into its API.

use std::fmt;
use std::path::PathBuf;

/// A trace read from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The file the trace was read from.
    pub source: PathBuf,
    /// One entry per (resource, metric), sorted by `(resource, metric)` so
    /// that output is deterministic whatever the row order of the file.
    pub series: Vec<TraceSeries>,
    /// Everything a documented rule repaired or dropped while reading, in the
    /// order the rules ran. Empty for a clean file.
    pub warnings: Vec<TraceWarning>,
}

impl Trace {
    /// The series for `resource` and `metric`, if present.
    pub fn get(&self, resource: &str, metric: &str) -> Option<&TraceSeries> {
        self.series
            .binary_search_by(|s| (s.resource.as_str(), s.metric.as_str()).cmp(&(resource, metric)))
            .ok()
            .map(|i| &self.series[i])
    }

    /// Total number of samples over all series.
    pub fn total_samples(&self) -> usize {
        self.series.iter().map(TraceSeries::len).sum()
    }

    /// Whether some warning of `kind` was raised.
    pub fn has_warning(&self, kind: WarningKind) -> bool {
        self.warnings.iter().any(|w| w.kind == kind)
    }

    /// Re-establishes the sort order of `series` after a caller edited it.
    pub fn sort_series(&mut self) {
        self.series
            .sort_by(|a, b| (&a.resource, &a.metric).cmp(&(&b.resource, &b.metric)));
    }
}

/// One time series: samples of one metric of one resource.
///
/// Invariant kept by every reader and shaping function: `timestamps_ms` and
/// `values` have the same length and `timestamps_ms` is strictly ascending.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSeries {
    /// What is measured: a machine, VM, app or function id.
    pub resource: String,
    /// What the values are, e.g. `requests_per_minute` or `cpu_util_percent`;
    /// the unit is part of the name where the source defines one.
    pub metric: String,
    /// Sample times in Unix epoch milliseconds, UTC, strictly ascending.
    pub timestamps_ms: Vec<i64>,
    /// Sample values, in the unit named by `metric`; always finite.
    pub values: Vec<f64>,
}

impl TraceSeries {
    /// A series from parallel vectors; the caller guarantees the invariant.
    pub fn new(
        resource: impl Into<String>,
        metric: impl Into<String>,
        timestamps_ms: Vec<i64>,
        values: Vec<f64>,
    ) -> Self {
        Self {
            resource: resource.into(),
            metric: metric.into(),
            timestamps_ms,
            values,
        }
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.timestamps_ms.len()
    }

    /// Whether the series has no sample.
    pub fn is_empty(&self) -> bool {
        self.timestamps_ms.is_empty()
    }

    /// `resource/metric`, the name used by the mapping helper and in messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.resource, self.metric)
    }

    /// First sample time, Unix epoch ms.
    pub fn start_ms(&self) -> Option<i64> {
        self.timestamps_ms.first().copied()
    }

    /// Last sample time, Unix epoch ms.
    pub fn end_ms(&self) -> Option<i64> {
        self.timestamps_ms.last().copied()
    }

    /// Largest value and its time (Unix epoch ms); the earliest wins on ties.
    pub fn peak(&self) -> Option<(i64, f64)> {
        let mut best: Option<(i64, f64)> = None;
        for (&t, &v) in self.timestamps_ms.iter().zip(&self.values) {
            if best.is_none_or(|(_, b)| v > b) {
                best = Some((t, v));
            }
        }
        best
    }

    /// Sum of all values (same unit as the values).
    pub fn sum(&self) -> f64 {
        self.values.iter().sum()
    }
}

/// Which documented rule produced a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WarningKind {
    /// Rows were not in time order; the series was sorted (stable).
    Unsorted,
    /// Several rows had the same timestamp in one series; the last row in
    /// file order was kept.
    DuplicateTimestamps,
    /// Timestamps carried different UTC offsets; all were converted to UTC.
    MixedOffsets,
    /// Samples the source marks as invalid (e.g. Alibaba's -1 and 101) were
    /// dropped.
    InvalidSamplesDropped,
    /// Missing periods were filled by the importer's gap rule.
    GapsFilled,
    /// The header's unit disagreed with the data and the data won (e.g. the
    /// Bitbrains `Timestamp [ms]` column holds seconds).
    UnitCorrected,
    /// Blank lines were skipped.
    BlankLinesSkipped,
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Unsorted => "unsorted",
            Self::DuplicateTimestamps => "duplicate-timestamps",
            Self::MixedOffsets => "mixed-offsets",
            Self::InvalidSamplesDropped => "invalid-samples-dropped",
            Self::GapsFilled => "gaps-filled",
            Self::UnitCorrected => "unit-corrected",
            Self::BlankLinesSkipped => "blank-lines-skipped",
        };
        f.write_str(s)
    }
}

/// Something a documented rule repaired while reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceWarning {
    /// The rule that fired.
    pub kind: WarningKind,
    /// The series concerned (`resource/metric`), or `None` for the whole file.
    pub series: Option<String>,
    /// How many rows or samples the rule touched.
    pub count: usize,
    /// Human-readable detail, e.g. the first line concerned.
    pub detail: String,
}

impl fmt::Display for TraceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.series {
            Some(s) => write!(
                f,
                "{} ({s}, {} rows): {}",
                self.kind, self.count, self.detail
            ),
            None => write!(f, "{} ({} rows): {}", self.kind, self.count, self.detail),
        }
    }
}
