//! A delimited-text or Parquet table opened for reading: its columns, a
//! sample of its rows, and [`Table::read`], which runs the polars scan in
//! the streaming engine and hands each batch to [`BatchState`].

use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::{Trace, TraceWarning};
use crate::options::{ColumnRef, FileKind, ReadOptions};
use crate::stream::{BatchState, KeyPlan, TimePlan, ValuePlan};
use crate::text::{self, TextLayout};
use crate::time::{TimeKind, TimeParser};

/// Where a series' time comes from, before column resolution.
#[derive(Debug, Clone)]
pub(crate) enum TimeSpec {
    Column(ColumnRef),
    RowIndex { start_ms: i64, step_ms: i64 },
}

/// Resource or metric: a column, or the same name for every row.
#[derive(Debug, Clone)]
pub(crate) enum KeySpec {
    Column(ColumnRef),
    Const(String),
}

/// One value column (or a count of 1 per row) and its series.
#[derive(Debug, Clone)]
pub(crate) struct ValueSpec {
    pub value: Option<ColumnRef>,
    pub resource: KeySpec,
    pub metric: KeySpec,
    pub sentinels: Vec<f64>,
    /// Empty fields are dropped (with a warning) instead of refused.
    pub drop_missing: bool,
}

impl ValueSpec {
    pub(crate) fn new(value: impl Into<ColumnRef>, resource: KeySpec, metric: KeySpec) -> Self {
        Self {
            value: Some(value.into()),
            resource,
            metric,
            sentinels: Vec::new(),
            drop_missing: false,
        }
    }
}

/// What to pull out of a table.
#[derive(Debug, Clone)]
pub(crate) struct TableSpec {
    pub time: TimeSpec,
    pub values: Vec<ValueSpec>,
    pub merge: Merge,
}

#[derive(Debug)]
enum Source {
    Csv(TextLayout),
    Parquet {
        names: Vec<String>,
        head: Option<DataFrame>,
    },
}

/// An opened table.
#[derive(Debug)]
pub(crate) struct Table {
    pub path: PathBuf,
    source: Source,
}

/// The polars name of column `i`; positional so that odd header names
/// (duplicates, spaces, a BOM) never reach polars.
fn pl_name(i: usize) -> String {
    format!("c{i}")
}

impl Table {
    /// Opens `path`, with the format's delimiter and header defaults unless
    /// `opts` overrides them.
    pub(crate) fn open(
        path: &Path,
        opts: &ReadOptions,
        delimiter: &str,
        has_header: bool,
    ) -> Result<Self, TraceError> {
        let prefix = text::read_prefix(path)?;
        let parquet = match opts.file_kind {
            FileKind::Parquet => true,
            FileKind::Csv => false,
            FileKind::Auto => {
                prefix.starts_with(b"PAR1")
                    || path
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
            }
        };
        if parquet {
            return Self::open_parquet(path, &prefix);
        }
        let delim = opts.delimiter.as_deref().unwrap_or(delimiter);
        if delim.is_empty() {
            return Err(TraceError::arg("delimiter", delim, "must not be empty"));
        }
        let has_header = opts.has_header.unwrap_or(has_header);
        let layout = text::preflight(path, &prefix, delim.as_bytes(), has_header)?;
        Ok(Self {
            path: path.to_path_buf(),
            source: Source::Csv(layout),
        })
    }

    fn open_parquet(path: &Path, prefix: &[u8]) -> Result<Self, TraceError> {
        if prefix.is_empty() {
            return Err(TraceError::Empty {
                path: path.to_path_buf(),
                detail: "the file has zero bytes".into(),
            });
        }
        if !prefix.starts_with(b"PAR1") {
            return Err(TraceError::NotATrace {
                path: path.to_path_buf(),
                reason: "no Parquet signature (PAR1)".into(),
            });
        }
        let polars_err = |e: PolarsError| TraceError::Polars {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let mut lf = scan_parquet(path)?;
        let schema = guarded(path, || lf.collect_schema())?.map_err(polars_err)?;
        let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        Ok(Self {
            path: path.to_path_buf(),
            source: Source::Parquet { names, head: None },
        })
    }

    /// Column names (header names, `column_N` without header, or Parquet's).
    pub(crate) fn names(&self) -> &[String] {
        match &self.source {
            Source::Csv(l) => &l.names,
            Source::Parquet { names, .. } => names,
        }
    }

    /// The text layout, for delimited text.
    pub(crate) fn layout(&self) -> Option<&TextLayout> {
        match &self.source {
            Source::Csv(l) => Some(l),
            Source::Parquet { .. } => None,
        }
    }

    /// The 0-based index of `c`, or why it is missing.
    pub(crate) fn resolve(&self, c: &ColumnRef) -> Result<usize, TraceError> {
        let names = self.names();
        let found = match c {
            ColumnRef::Index(i) => (*i < names.len()).then_some(*i),
            ColumnRef::Name(n) => {
                let n = n.trim();
                names
                    .iter()
                    .position(|h| h == n)
                    .or_else(|| names.iter().position(|h| h.eq_ignore_ascii_case(n)))
            }
        };
        if let Some(i) = found {
            return Ok(i);
        }
        if let Some(layout) = self.layout()
            && let Some(found) = text::other_separator(layout)
        {
            return Err(TraceError::WrongDelimiter {
                path: self.path.clone(),
                line: 1,
                expected: layout.delim_text(),
                found: found.to_string(),
            });
        }
        Err(TraceError::MissingColumn {
            path: self.path.clone(),
            column: c.to_string(),
            available: names.join(", "),
        })
    }

    /// Up to 50 raw texts of column `idx`, for format detection.
    pub(crate) fn samples(&mut self, idx: usize) -> Vec<String> {
        match &mut self.source {
            Source::Csv(l) => l
                .sample_column(idx)
                .into_iter()
                .map(str::to_string)
                .collect(),
            Source::Parquet { head, .. } => {
                if head.is_none() {
                    *head = scan_parquet(&self.path)
                        .ok()
                        .and_then(|lf| guarded(&self.path, || lf.limit(50).collect()).ok()?.ok());
                }
                let Some(df) = head.as_ref() else {
                    return Vec::new();
                };
                let Some(col) = df.columns().get(idx) else {
                    return Vec::new();
                };
                let Ok(s) = col.cast(&DataType::String) else {
                    return Vec::new();
                };
                let Ok(ca) = s.str() else { return Vec::new() };
                ca.iter().flatten().map(str::to_string).collect()
            }
        }
    }

    /// Resolves the time format of `spec` against the first rows.
    pub(crate) fn time_kind(
        &mut self,
        opts: &ReadOptions,
        spec: &TableSpec,
    ) -> Result<TimeKind, TraceError> {
        let samples = match &spec.time {
            TimeSpec::Column(c) => {
                let idx = self.resolve(c)?;
                self.samples(idx)
            }
            TimeSpec::RowIndex { .. } => Vec::new(),
        };
        let refs: Vec<&str> = samples.iter().map(String::as_str).collect();
        TimeKind::resolve(&opts.time_format, &refs).map_err(|reason| TraceError::InvalidTimestamp {
            path: self.path.clone(),
            line: if self.layout().is_some_and(|l| l.has_header) {
                2
            } else {
                1
            },
            column: match &spec.time {
                TimeSpec::Column(c) => c.to_string(),
                TimeSpec::RowIndex { .. } => String::new(),
            },
            value: refs.first().copied().unwrap_or_default().to_string(),
            reason,
        })
    }

    /// Reads the table into a trace.
    pub(crate) fn read(
        mut self,
        opts: &ReadOptions,
        spec: &TableSpec,
    ) -> Result<Trace, TraceError> {
        let kind = self.time_kind(opts, spec)?;
        let parser = TimeParser::new(kind.clone(), opts.time_zone);
        let names = self.names().to_vec();
        let display = |i: usize| names[i].clone();
        let time = match &spec.time {
            TimeSpec::Column(c) => {
                let i = self.resolve(c)?;
                TimePlan::Column {
                    name: pl_name(i),
                    display: display(i),
                }
            }
            TimeSpec::RowIndex { start_ms, step_ms } => TimePlan::RowIndex {
                start_ms: *start_ms,
                step_ms: *step_ms,
            },
        };
        let key = |k: &KeySpec| -> Result<KeyPlan, TraceError> {
            Ok(match k {
                KeySpec::Const(s) => KeyPlan::Const(s.clone()),
                KeySpec::Column(c) => {
                    let i = self.resolve(c)?;
                    KeyPlan::Column {
                        name: pl_name(i),
                        display: display(i),
                    }
                }
            })
        };
        let mut values = Vec::new();
        for vs in &spec.values {
            let value = match &vs.value {
                Some(c) => {
                    let i = self.resolve(c)?;
                    Some((pl_name(i), display(i)))
                }
                None => None,
            };
            values.push(ValuePlan {
                value,
                resource: key(&vs.resource)?,
                metric: key(&vs.metric)?,
                sentinels: vs.sentinels.clone(),
                drop_missing: vs.drop_missing,
            });
        }
        let state = BatchState::new(
            time,
            values,
            parser,
            opts.strict,
            opts.allow_negative,
            spec.merge,
        );
        let (state, polars_result) = match &self.source {
            Source::Csv(layout) => {
                crate::scan::run_csv(&self.path, layout, state, kind.is_numeric())?
            }
            Source::Parquet { .. } => crate::scan::run_parquet(&self.path, &names, state)?,
        };
        if let Some(issue) = state.issue.clone() {
            return Err(crate::resolve::issue_error(&self, opts, spec, &kind, issue));
        }
        if let Err(message) = polars_result {
            return Err(crate::resolve::polars_error(
                &self, opts, spec, &kind, message,
            ));
        }
        let mut warnings: Vec<TraceWarning> = state.warnings();
        let (series, series_warnings) = state.acc.finish();
        if series.is_empty() {
            let detail = if series_warnings.is_empty() {
                "no data row".to_string()
            } else {
                "no valid sample: every value was marked invalid".to_string()
            };
            return Err(TraceError::Empty {
                path: self.path.clone(),
                detail,
            });
        }
        warnings.extend(series_warnings);
        Ok(Trace {
            source: self.path.clone(),
            series,
            warnings,
        })
    }
}

pub(crate) fn scan_parquet(path: &Path) -> Result<LazyFrame, TraceError> {
    let pl_path = pl_path(path)?;
    let args = ScanArgsParquet {
        glob: false,
        ..Default::default()
    };
    LazyFrame::scan_parquet(pl_path, args).map_err(|e| TraceError::Polars {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

pub(crate) fn pl_path(path: &Path) -> Result<PlRefPath, TraceError> {
    let s = path.to_str().ok_or_else(|| {
        TraceError::arg("path", path.display().to_string(), "must be valid UTF-8")
    })?;
    Ok(PlRefPath::new(s))
}

/// Runs `f`, turning a panic inside polars into an error: bad input must
/// never bring the caller down.
pub(crate) fn guarded<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, TraceError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        TraceError::Polars {
            path: path.to_path_buf(),
            message: format!("polars panicked: {msg}"),
        }
    })
}
