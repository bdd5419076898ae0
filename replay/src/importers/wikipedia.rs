//! `wikipedia`: English Wikipedia page requests per hour (SCARF summary).
//!
//! Space separated, header `timestamp count_req count_bytes mean_req ...
//! sum_req sum_bytes`; `timestamp` is epoch seconds written as a float.
//! Rows are not sorted in the published file: they are sorted with an
//! `unsorted` warning, or refused under strict.
//! Output, resource `wikipedia_en` (or [`ReadOptions::resource_name`]):
//! - `requests_per_hour` from `sum_req` (total requests in the hour),
//! - `distinct_pages_per_hour` from `count_req`,
//! - `bytes_per_hour` from `sum_bytes`.

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// One hour, the period of the trace, in ms.
pub const STEP_MS: i64 = 3_600_000;

/// Reads a Wikipedia hourly summary file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    opts.time_format = super::time_format(&opts, TimeFormat::EpochSeconds);
    let table = Table::open(path, &opts, " ", true)?;
    let resource = opts
        .resource_name
        .clone()
        .unwrap_or_else(|| "wikipedia_en".into());
    let values = [
        ("sum_req", "requests_per_hour"),
        ("count_req", "distinct_pages_per_hour"),
        ("sum_bytes", "bytes_per_hour"),
    ]
    .into_iter()
    .map(|(col, metric)| {
        ValueSpec::new(
            col,
            KeySpec::Const(resource.clone()),
            KeySpec::Const(metric.into()),
        )
    })
    .collect();
    let spec = TableSpec {
        time: TimeSpec::Column(super::column(&opts.time_column, "timestamp")),
        values,
        merge: Merge::KeepLast,
    };
    table.read(&opts, &spec)
}
