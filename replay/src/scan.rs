//! Runs polars over a file: a lazy CSV or Parquet scan in the streaming
//! engine whose batches go straight to [`BatchState`], so a large file is
//! never held as a whole dataframe. Multi-byte delimiters (Bitbrains' `;`
//! plus tab) are not supported by the polars CSV parser; such files are
//! rewritten in memory to a one-byte separator and read eagerly.

use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use polars::prelude::*;

use crate::error::TraceError;
use crate::stream::{BatchState, KeyPlan, TimePlan};
use crate::table::{guarded, pl_path, scan_parquet};
use crate::text::TextLayout;

/// Replaces a multi-byte delimiter in memory; ASCII unit separator, which
/// text traces do not contain.
const UNIT_SEPARATOR: u8 = 0x1F;

/// Final state of the read plus polars' own error, if it failed.
pub(crate) type RunResult = Result<(BatchState, Result<(), String>), TraceError>;

/// The polars columns the plans read, and their roles.
struct Needs {
    time: Option<String>,
    values: Vec<String>,
    keys: Vec<String>,
}

impl Needs {
    fn of(state: &BatchState) -> Self {
        let time = match &state.time {
            TimePlan::Column { name, .. } => Some(name.clone()),
            TimePlan::RowIndex { .. } => None,
        };
        let mut values = Vec::new();
        let mut keys = Vec::new();
        for vp in &state.values {
            if let Some((name, _)) = &vp.value {
                values.push(name.clone());
            }
            for k in [&vp.resource, &vp.metric] {
                if let KeyPlan::Column { name, .. } = k {
                    keys.push(name.clone());
                }
            }
        }
        Self { time, values, keys }
    }

    /// Every needed column once, in a stable order.
    fn all(&self) -> Vec<String> {
        let mut v: Vec<String> = self.time.iter().cloned().collect();
        for n in self.values.iter().chain(&self.keys) {
            if !v.contains(n) {
                v.push(n.clone());
            }
        }
        if v.is_empty() {
            // A row-index trace that only counts rows still needs a column
            // to learn how many rows there are.
            v.push("c0".into());
        }
        v
    }
}

/// Reads delimited text.
pub(crate) fn run_csv(
    path: &Path,
    layout: &TextLayout,
    state: BatchState,
    numeric_time: bool,
) -> RunResult {
    let needs = Needs::of(&state);
    let schema: Schema = (0..layout.names.len())
        .map(|i| {
            let name = format!("c{i}");
            let dtype = if needs.values.contains(&name)
                || (numeric_time && needs.time.as_ref() == Some(&name))
            {
                DataType::Float64
            } else {
                DataType::String
            };
            Field::new(name.into(), dtype)
        })
        .collect();
    let schema = Arc::new(schema);
    let select: Vec<Expr> = needs.all().iter().map(|n| col(n.as_str())).collect();
    match layout.delim.as_slice() {
        [sep] => {
            let lf = LazyCsvReader::new(pl_path(path)?)
                .with_has_header(layout.has_header)
                .with_separator(*sep)
                .with_schema(Some(schema))
                .with_glob(false)
                .with_raise_if_empty(false)
                .with_missing_is_null(true)
                .finish();
            let lf = match lf {
                Ok(lf) => lf.select(select),
                Err(e) => return Ok((state, Err(e.to_string()))),
            };
            stream(path, lf, state)
        }
        multi => read_multi_delim(path, layout, multi, schema, select, state),
    }
}

fn read_multi_delim(
    path: &Path,
    layout: &TextLayout,
    delim: &[u8],
    schema: SchemaRef,
    select: Vec<Expr>,
    mut state: BatchState,
) -> RunResult {
    let bytes = std::fs::read(path).map_err(|source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.contains(&UNIT_SEPARATOR) {
        return Err(TraceError::NotATrace {
            path: path.to_path_buf(),
            reason: "control byte 0x1F in a file with a multi-byte delimiter".into(),
        });
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(delim) {
            out.push(UNIT_SEPARATOR);
            i += delim.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    drop(bytes);
    let read = guarded(path, || {
        CsvReadOptions::default()
            .with_has_header(layout.has_header)
            .with_schema(Some(schema))
            .with_raise_if_empty(false)
            .map_parse_options(|o| o.with_separator(UNIT_SEPARATOR).with_missing_is_null(true))
            .into_reader_with_file_handle(Cursor::new(out))
            .finish()
            .and_then(|df| df.lazy().select(select).collect())
    })?;
    match read {
        Ok(df) => {
            state.process(&df);
            Ok((state, Ok(())))
        }
        Err(e) => Ok((state, Err(e.to_string()))),
    }
}

/// Reads Parquet, casting values to Float64 and keys to String.
pub(crate) fn run_parquet(path: &Path, names: &[String], state: BatchState) -> RunResult {
    let needs = Needs::of(&state);
    let lf = scan_parquet(path)?;
    let exprs: Vec<Expr> = needs
        .all()
        .iter()
        .map(|n| {
            let i: usize = n[1..].parse().unwrap_or(0);
            let src = col(names.get(i).map_or("", String::as_str));
            let e = if needs.values.contains(n) {
                src.cast(DataType::Float64)
            } else if needs.keys.contains(n) {
                src.cast(DataType::String)
            } else {
                src
            };
            e.alias(n.as_str())
        })
        .collect();
    stream(path, lf.select(exprs), state)
}

/// Streams `lf` into `state` batch by batch, in file order.
fn stream(path: &Path, lf: LazyFrame, state: BatchState) -> RunResult {
    let shared = Arc::new(Mutex::new(Some(state)));
    let inner = Arc::clone(&shared);
    let callback = PlanCallback::new(move |df: DataFrame| -> PolarsResult<bool> {
        let mut guard = inner.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(guard.as_mut().is_none_or(|s| s.process(&df)))
    });
    let result = guarded(path, || {
        lf.sink_batches(callback, true, None)
            .and_then(|lf| lf.collect_with_engine(Engine::Streaming))
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    let state = shared
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .ok_or_else(|| TraceError::Polars {
            path: path.to_path_buf(),
            message: "reader state lost".into(),
        })?;
    match result {
        Ok(r) => Ok((state, r)),
        Err(TraceError::Polars { message, .. }) => Ok((state, Err(message))),
        Err(e) => Err(e),
    }
}

/// Reads a small delimited file eagerly with the given column types (for
/// layouts that are not one-row-per-sample, like Azure Functions).
pub(crate) fn read_csv_eager(
    path: &Path,
    layout: &TextLayout,
    dtypes: Vec<DataType>,
) -> Result<Result<DataFrame, String>, TraceError> {
    let [sep] = layout.delim.as_slice() else {
        return Err(TraceError::arg(
            "delimiter",
            layout.delim_text(),
            "this format needs a one-byte delimiter",
        ));
    };
    let schema: Schema = dtypes
        .into_iter()
        .enumerate()
        .map(|(i, dt)| Field::new(format!("c{i}").into(), dt))
        .collect();
    guarded(path, || {
        CsvReadOptions::default()
            .with_has_header(layout.has_header)
            .with_schema(Some(Arc::new(schema)))
            .with_raise_if_empty(false)
            .map_parse_options(|o| o.with_separator(*sep).with_missing_is_null(true))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
            .map_err(|e| e.to_string())
    })
}
