//! `load_run`: a run directory back into memory, checked against the
//! format so that later steps can rely on column names and types.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use lighthouse_sim::record::{Direction, EventKind, Layer, RunMeta, StreamSummary};
use polars::prelude::*;
use serde::de::DeserializeOwned;

use crate::error::{ReportError, Result, io};
use crate::layout::{
    APP_COLUMNS, CLUSTER_COLUMNS, ColType, EVENT_COLUMNS, EVENTS, RUN_JSON, STREAM_SUMMARY,
    TIMELINE_APPS, TIMELINE_CLUSTER, TIMELINE_WORKERS, WORKER_COLUMNS,
};

/// A run directory in memory.
#[derive(Clone, Debug)]
pub struct RunData {
    /// Where it was read from.
    pub dir: PathBuf,
    /// `run.json`.
    pub meta: RunMeta,
    /// `timeline_apps.parquet` without its `app` and `layer` text columns
    /// (they repeat `app_idx` and `run.json`).
    pub apps: DataFrame,
    /// `timeline_cluster.parquet`.
    pub cluster: DataFrame,
    /// `timeline_workers.parquet` without `worker_type` and `spot`.
    pub workers: DataFrame,
    /// `events.parquet`.
    pub events: DataFrame,
    /// `stream_summary.json`, when present.
    pub stream: Option<StreamSummary>,
}

/// Reads and checks a run directory written by [`crate::write_run`] (or any
/// writer following `docs/run-format.md`).
pub fn load_run(dir: &Path) -> Result<RunData> {
    let meta: RunMeta = read_json(&dir.join(RUN_JSON))?;
    let stream_path = dir.join(STREAM_SUMMARY);
    let stream = if stream_path.exists() {
        Some(read_json(&stream_path)?)
    } else {
        None
    };
    let apps_path = dir.join(TIMELINE_APPS);
    let apps = read_table(&apps_path, APP_COLUMNS, &["app", "layer"])?;
    check_index(&apps_path, &apps, "app_idx", meta.apps.len())?;
    let workers_path = dir.join(TIMELINE_WORKERS);
    let workers = read_table(&workers_path, WORKER_COLUMNS, &["worker_type", "spot"])?;
    check_index(&workers_path, &workers, "type_idx", meta.worker_types.len())?;
    let events_path = dir.join(EVENTS);
    let events = read_table(&events_path, EVENT_COLUMNS, &[])?;
    check_events(&events_path, &events)?;
    Ok(RunData {
        dir: dir.to_owned(),
        cluster: read_table(&dir.join(TIMELINE_CLUSTER), CLUSTER_COLUMNS, &[])?,
        apps,
        workers,
        events,
        stream,
        meta,
    })
}

/// Reads a JSON file into `T`.
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).map_err(io(path))?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_owned(),
        source,
    })
}

/// Reads the columns of `schema` except `skip`, after checking that every
/// column of `schema` is in the file with its type.
fn read_table(path: &Path, schema: &[(&'static str, ColType)], skip: &[&str]) -> Result<DataFrame> {
    let table = |source| ReportError::Table {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io(path))?;
    let mut reader = ParquetReader::new(file);
    let file_schema = reader.schema().map_err(table)?;
    for &(column, _) in schema {
        if !file_schema.contains(column) {
            return Err(ReportError::MissingColumn {
                path: path.to_owned(),
                column,
            });
        }
    }
    let wanted: Vec<String> = schema
        .iter()
        .filter(|(c, _)| !skip.contains(c))
        .map(|(c, _)| c.to_string())
        .collect();
    let df = reader.with_columns(Some(wanted)).finish().map_err(table)?;
    for &(column, ty) in schema.iter().filter(|(c, _)| !skip.contains(c)) {
        let found = df.column(column).map_err(table)?.dtype();
        if *found != ty.dtype() {
            return Err(ReportError::ColumnType {
                path: path.to_owned(),
                column,
                expected: ty.name(),
                found: found.to_string(),
            });
        }
        if df.column(column).map_err(table)?.null_count() > 0 {
            let row = df
                .column(column)
                .map_err(table)?
                .is_null()
                .iter()
                .position(|v| v == Some(true));
            return Err(ReportError::BadValue {
                path: path.to_owned(),
                column,
                row: row.unwrap_or(0),
                value: "null".into(),
                why: "is not allowed",
            });
        }
    }
    Ok(df)
}

/// Checks that an index column points into `run.json`'s list of `len`.
fn check_index(path: &Path, df: &DataFrame, column: &'static str, len: usize) -> Result<()> {
    let table = |source| ReportError::Table {
        path: path.to_owned(),
        source,
    };
    let idx = df.column(column).map_err(table)?.u32().map_err(table)?;
    if let Some(max) = idx.max()
        && max as usize >= len
    {
        let row = idx.into_no_null_iter().position(|v| v == max).unwrap_or(0);
        return Err(ReportError::BadValue {
            path: path.to_owned(),
            column,
            row,
            value: max.to_string(),
            why: "is past the end of run.json's list",
        });
    }
    Ok(())
}

/// A text column, the test its values must pass, and what a failure means.
type NameCheck = (&'static str, fn(&str) -> bool, &'static str);

/// Checks the text columns of the events table hold known names.
fn check_events(path: &Path, df: &DataFrame) -> Result<()> {
    let table = |source| ReportError::Table {
        path: path.to_owned(),
        source,
    };
    let checks: [NameCheck; 3] = [
        (
            "kind",
            |s| EventKind::parse(s).is_some(),
            "is not an event kind",
        ),
        (
            "direction",
            |s| Direction::parse(s).is_some(),
            "is not up, down or empty",
        ),
        ("layer", |s| Layer::parse(s).is_some(), "is not a layer"),
    ];
    for (column, ok, why) in checks {
        let values = df.column(column).map_err(table)?.str().map_err(table)?;
        if let Some((row, v)) = values
            .iter()
            .map(|v| v.unwrap_or(""))
            .enumerate()
            .find(|(_, v)| !ok(v))
        {
            return Err(ReportError::BadValue {
                path: path.to_owned(),
                column,
                row,
                value: v.to_owned(),
                why,
            });
        }
    }
    Ok(())
}
