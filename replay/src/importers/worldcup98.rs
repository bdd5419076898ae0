//! `worldcup98`: FIFA World Cup 1998 web site, requests per minute.
//!
//! Layout `period,count`; `period` is `YYYY-MM-DD HH:MM:SS` in GMT.
//! Output: one series, resource `worldcup98` (or
//! [`ReadOptions::resource_name`]), metric `requests_per_minute`.
//! Gap rule: minutes absent from the file had no request and become
//! explicit zeros (warning `gaps-filled`).

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// One minute, the period of the trace, in ms.
pub const STEP_MS: i64 = 60_000;

/// Reads a World Cup 98 requests-per-minute file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    opts.time_format = super::time_format(&opts, TimeFormat::Iso8601);
    let table = Table::open(path, &opts, ",", true)?;
    let resource = opts
        .resource_name
        .clone()
        .unwrap_or_else(|| "worldcup98".into());
    let metric = opts
        .metric_name
        .clone()
        .unwrap_or_else(|| "requests_per_minute".into());
    let spec = TableSpec {
        time: TimeSpec::Column(super::column(&opts.time_column, "period")),
        values: vec![ValueSpec::new(
            super::column(&opts.value_column, "count"),
            KeySpec::Const(resource),
            KeySpec::Const(metric),
        )],
        merge: Merge::KeepLast,
    };
    let mut trace = table.read(&opts, &spec)?;
    super::fill_zero_gaps(&mut trace, STEP_MS)?;
    Ok(trace)
}
