//! The generic layouts: long (`timestamp,resource_id,metric,value`), wide
//! (time column plus one column per series) and load
//! (`timestamp,app,requests_per_second`).

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ColumnRef, ReadOptions};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

fn col_or(c: &Option<ColumnRef>, default: &str) -> ColumnRef {
    c.clone().unwrap_or_else(|| ColumnRef::Name(default.into()))
}

/// Long layout: one sample per row.
pub fn read_long(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let table = Table::open(path, opts, ",", true)?;
    let spec = TableSpec {
        time: TimeSpec::Column(col_or(&opts.time_column, "timestamp")),
        values: vec![ValueSpec::new(
            col_or(&opts.value_column, "value"),
            KeySpec::Column(col_or(&opts.resource_column, "resource_id")),
            KeySpec::Column(col_or(&opts.metric_column, "metric")),
        )],
        merge: Merge::KeepLast,
    };
    table.read(opts, &spec)
}

/// Load layout: requests per second per app; the metric is
/// `requests_per_second` unless [`ReadOptions::metric_name`] says otherwise.
pub fn read_load(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let table = Table::open(path, opts, ",", true)?;
    let metric = opts
        .metric_name
        .clone()
        .unwrap_or_else(|| "requests_per_second".into());
    let spec = TableSpec {
        time: TimeSpec::Column(col_or(&opts.time_column, "timestamp")),
        values: vec![ValueSpec::new(
            col_or(&opts.value_column, "requests_per_second"),
            KeySpec::Column(col_or(&opts.resource_column, "app")),
            KeySpec::Const(metric),
        )],
        merge: Merge::KeepLast,
    };
    table.read(opts, &spec)
}

/// Wide layout: every value column is a series. A column listed in
/// [`ReadOptions::column_map`] gets that resource and metric; any other
/// becomes resource = column name, metric = [`ReadOptions::metric_name`]
/// (default `value`).
pub fn read_wide(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let table = Table::open(path, opts, ",", true)?;
    let time_ref = opts.time_column.clone().unwrap_or(ColumnRef::Index(0));
    let time_idx = table.resolve(&time_ref)?;
    let columns: Vec<usize> = if opts.value_columns.is_empty() {
        (0..table.names().len())
            .filter(|&i| i != time_idx)
            .collect()
    } else {
        opts.value_columns
            .iter()
            .map(|c| table.resolve(c))
            .collect::<Result<_, _>>()?
    };
    if columns.is_empty() {
        return Err(TraceError::MissingColumn {
            path: path.to_path_buf(),
            column: "(a value column besides the time column)".into(),
            available: table.names().join(", "),
        });
    }
    let metric = opts.metric_name.clone().unwrap_or_else(|| "value".into());
    let values = columns
        .into_iter()
        .map(|i| {
            let name = table.names()[i].clone();
            let (resource, metric) = match opts.column_map.get(&name) {
                Some(k) => (k.resource.clone(), k.metric.clone()),
                None => (name, metric.clone()),
            };
            ValueSpec::new(
                ColumnRef::Index(i),
                KeySpec::Const(resource),
                KeySpec::Const(metric),
            )
        })
        .collect();
    let spec = TableSpec {
        time: TimeSpec::Column(ColumnRef::Index(time_idx)),
        values,
        merge: Merge::KeepLast,
    };
    table.read(opts, &spec)
}
