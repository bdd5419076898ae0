//! `alibaba`: Alibaba cluster-trace-v2018 machine usage, in two layouts,
//! told apart by the header:
//!
//! - **machine_usage** (the original, headerless):
//!   `machine_id,time_stamp,cpu_util_percent,mem_util_percent,mem_gps,mkpi,net_in,net_out,disk_io_percent`.
//!   `time_stamp` is seconds from the trace start ([`ReadOptions::start_ms`],
//!   default 0). One series per machine and metric. Invalid readings are
//!   dropped with an `invalid-samples-dropped` warning: `-1` in any column,
//!   `101` in the `_percent` columns, and empty fields (the original leaves
//!   `mem_gps` and `mkpi` empty on many rows).
//! - **cluster mean** (`cpu_util_percent,mem_util_percent,net_in,net_out,disk_io_percent`,
//!   with header, no time column): row i is at `start_ms + i × step`; the
//!   step comes from [`ReadOptions::step_ms`] or the file name
//!   (`..._grouped_30_seconds.csv` → 30 s). Resource `cluster_mean`, one
//!   series per column.

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ColumnRef, ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// Metric columns of machine_usage, by 0-based position.
pub const MACHINE_USAGE_METRICS: [&str; 7] = [
    "cpu_util_percent",
    "mem_util_percent",
    "mem_gps",
    "mkpi",
    "net_in",
    "net_out",
    "disk_io_percent",
];

/// Reads either Alibaba layout.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    // Open without header first: a one-line machine_usage file must not be
    // mistaken for a header-only file.
    let probe = Table::open(path, opts, ",", false)?;
    let is_mean = opts.has_header != Some(false)
        && probe
            .layout()
            .and_then(|l| l.samples.first())
            .is_some_and(|row| row.iter().any(|f| f.trim() == "cpu_util_percent"));
    if is_mean {
        let table = Table::open(path, opts, ",", true)?;
        read_cluster_mean(table, path, opts)
    } else {
        read_machine_usage(path, opts)
    }
}

/// The step in ms from `..._grouped_<N>_seconds` in the file name.
pub fn step_from_file_name(path: &Path) -> Option<i64> {
    let name = path.file_name()?.to_string_lossy();
    let rest = &name[name.find("grouped_")? + "grouped_".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let secs: i64 = digits.parse().ok().filter(|s| *s > 0)?;
    rest[digits.len()..]
        .starts_with("_second")
        .then_some(secs * 1000)
}

fn read_cluster_mean(table: Table, path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let step_ms = match opts.step_ms.or_else(|| step_from_file_name(path)) {
        Some(s) if s > 0 => s,
        _ => {
            return Err(TraceError::arg(
                "step",
                path.display().to_string(),
                "the cluster-mean layout has no time column; set step_ms or keep `grouped_<N>_seconds` in the file name",
            ));
        }
    };
    let resource = opts
        .resource_name
        .clone()
        .unwrap_or_else(|| "cluster_mean".into());
    let values = table
        .names()
        .iter()
        .enumerate()
        .map(|(i, n)| {
            ValueSpec::new(
                ColumnRef::Index(i),
                KeySpec::Const(resource.clone()),
                KeySpec::Const(n.clone()),
            )
        })
        .collect();
    let spec = TableSpec {
        time: TimeSpec::RowIndex {
            start_ms: opts.start_ms.unwrap_or(0),
            step_ms,
        },
        values,
        merge: Merge::KeepLast,
    };
    table.read(opts, &spec)
}

fn read_machine_usage(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    opts.has_header = Some(opts.has_header.unwrap_or(false));
    opts.time_format = super::time_format(
        &opts,
        TimeFormat::OffsetSeconds {
            start_ms: opts.start_ms.unwrap_or(0),
        },
    );
    let table = Table::open(path, &opts, ",", false)?;
    let values = MACHINE_USAGE_METRICS
        .iter()
        .enumerate()
        .map(|(i, metric)| {
            let mut v = ValueSpec::new(
                ColumnRef::Index(i + 2),
                KeySpec::Column(ColumnRef::Index(0)),
                KeySpec::Const((*metric).into()),
            );
            v.sentinels = if metric.ends_with("_percent") {
                vec![-1.0, 101.0]
            } else {
                vec![-1.0]
            };
            v.drop_missing = true;
            v
        })
        .collect();
    let spec = TableSpec {
        time: TimeSpec::Column(ColumnRef::Index(1)),
        values,
        merge: Merge::KeepLast,
    };
    table.read(&opts, &spec)
}
