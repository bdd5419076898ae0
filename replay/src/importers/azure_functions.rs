//! `azure-functions`: Azure Functions 2019 invocation counts.
//!
//! Wide and transposed: one row per function,
//! `HashOwner,HashApp,HashFunction,Trigger,1,...,1440`, column N holding
//! the invocations in minute N of the day. Output: one series per
//! function, resource = `HashFunction`, metric `invocations_per_minute`
//! (divide by 60, e.g. with [`crate::shape::per_second`], for a rate per
//! second). Minute N is at `start_ms + (N - 1) * 60 s`; `start_ms` is
//! [`ReadOptions::start_ms`], default 0, since the trace does not publish
//! its date. A function listed twice keeps its last row (warning
//! `duplicate-timestamps`).

use std::path::Path;

use polars::prelude::*;

use crate::assemble::{Accumulator, Merge};
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ColumnRef, ReadOptions};
use crate::table::Table;
use crate::validate::{Check, FieldCheck, FieldProblem, Validator};

/// One minute in ms.
pub const STEP_MS: i64 = 60_000;
const KEY_COLUMNS: [&str; 4] = ["HashOwner", "HashApp", "HashFunction", "Trigger"];

/// Reads an Azure Functions invocations file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let table = Table::open(path, opts, ",", true)?;
    for k in KEY_COLUMNS {
        table.resolve(&ColumnRef::Name(k.into()))?;
    }
    let function_idx = table.resolve(&super::column(&opts.resource_column, "HashFunction"))?;
    // Minute columns are the ones named by a positive integer.
    let minutes: Vec<(usize, i64)> = table
        .names()
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.parse::<i64>().ok().filter(|m| *m >= 1).map(|m| (i, m)))
        .collect();
    if minutes.is_empty() {
        return Err(TraceError::MissingColumn {
            path: path.to_path_buf(),
            column: "1..1440 (minute columns)".into(),
            available: table.names().join(", "),
        });
    }
    let layout = table
        .layout()
        .ok_or_else(|| TraceError::arg("file kind", "parquet", "azure-functions reads CSV only"))?;
    let dtypes: Vec<DataType> = (0..layout.names.len())
        .map(|i| {
            if minutes.iter().any(|(c, _)| *c == i) {
                DataType::Float64
            } else {
                DataType::String
            }
        })
        .collect();
    let checks: Vec<FieldCheck> = std::iter::once(FieldCheck {
        index: function_idx,
        check: Check::Text,
    })
    .chain(minutes.iter().map(|&(index, _)| FieldCheck {
        index,
        check: Check::Number {
            allow_negative: opts.allow_negative,
            allow_missing: false,
            sentinels: Vec::new(),
        },
    }))
    .collect();
    let validator = Validator {
        path,
        layout,
        checks,
    };
    let first_error = |message: String| match validator.first_error() {
        Ok(Some(e)) | Err(e) => e,
        Ok(None) => TraceError::Polars {
            path: path.to_path_buf(),
            message,
        },
    };
    let df = crate::scan::read_csv_eager(path, layout, dtypes)?.map_err(first_error)?;
    if df.height() == 0 {
        return Err(TraceError::Empty {
            path: path.to_path_buf(),
            detail: "no function row".into(),
        });
    }
    let start = opts.start_ms.unwrap_or(0);
    let metric = opts
        .metric_name
        .clone()
        .unwrap_or_else(|| "invocations_per_minute".into());
    let functions = df
        .column(&format!("c{function_idx}"))
        .and_then(|c| c.str().cloned())
        .map_err(|e| first_error(e.to_string()))?;
    let mut acc = Accumulator::new(opts.strict, Merge::KeepLast);
    // Blank lines come through polars as rows of nulls: skipped.
    let blank: Vec<bool> = (0..df.height())
        .map(|row| {
            df.columns()
                .iter()
                .all(|c| c.get(row).is_ok_and(|v| v.is_null()))
        })
        .collect();
    let mut ids = Vec::with_capacity(df.height());
    for (row, f) in functions.iter().enumerate() {
        match f.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => ids.push(Some(acc.id(f, &metric))),
            None if blank[row] => ids.push(None),
            None => return Err(first_error("empty HashFunction".into())),
        }
    }
    if ids.iter().all(Option::is_none) {
        return Err(TraceError::Empty {
            path: path.to_path_buf(),
            detail: "no function row".into(),
        });
    }
    for &(idx, minute) in &minutes {
        let ca = df
            .column(&format!("c{idx}"))
            .and_then(|c| c.f64().cloned())
            .map_err(|e| first_error(e.to_string()))?;
        for (row, v) in ca.iter().enumerate() {
            let Some(id) = ids[row] else { continue };
            let bad = match v {
                None => Some(FieldProblem::Missing),
                Some(v) if !v.is_finite() => Some(FieldProblem::NonFinite),
                Some(v) if v < 0.0 && !opts.allow_negative => Some(FieldProblem::Negative),
                Some(_) => None,
            };
            if bad.is_some() {
                return Err(first_error(format!(
                    "bad value in minute {minute}, function row {}",
                    row + 1
                )));
            }
            let ts = start.saturating_add((minute - 1).saturating_mul(STEP_MS));
            if acc.push(id, ts, v.unwrap_or(0.0)).is_some() {
                return Err(TraceError::DuplicateTimestamp {
                    path: path.to_path_buf(),
                    line: row as u64 + 2,
                    column: table.names()[idx].clone(),
                    value: minute.to_string(),
                    series: acc.name(id),
                });
            }
        }
    }
    let (series, warnings) = acc.finish();
    Ok(Trace {
        source: path.to_path_buf(),
        series,
        warnings,
    })
}
