//! Turns polars batches into samples: converts the time column, checks
//! every value, and feeds the [`Accumulator`]. Stops at the first problem
//! and remembers which data record caused it, for the validation pass.

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::assemble::{Accumulator, Merge, OrderIssue};
use crate::model::{TraceWarning, WarningKind};
use crate::time::{TimeParser, format_offset};
use crate::validate::FieldProblem;

/// Where the timestamp of a row comes from.
#[derive(Debug, Clone)]
pub(crate) enum TimePlan {
    /// A polars column (`name`), shown to users as `display`.
    Column { name: String, display: String },
    /// No time column: row i is at `start_ms + i * step_ms`.
    RowIndex { start_ms: i64, step_ms: i64 },
}

/// Resource or metric name of a value.
#[derive(Debug, Clone)]
pub(crate) enum KeyPlan {
    Column { name: String, display: String },
    Const(String),
}

/// One value per row and the series it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct ValuePlan {
    /// Polars column and display name; `None` counts each row as 1.
    pub value: Option<(String, String)>,
    pub resource: KeyPlan,
    pub metric: KeyPlan,
    /// Values the source uses to mean "invalid": dropped with a warning.
    pub sentinels: Vec<f64>,
    /// Whether an empty field is dropped like a sentinel instead of refused.
    pub drop_missing: bool,
}

/// What went wrong, and at which 0-based data record.
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub record: u64,
    pub column: String,
    pub value: String,
    pub kind: IssueKind,
}

#[derive(Debug, Clone)]
pub(crate) enum IssueKind {
    Field(FieldProblem),
    Order(OrderIssue, String),
    MixedOffset { offset: i32, first: i32 },
}

/// State carried across the batches of one read.
pub(crate) struct BatchState {
    pub time: TimePlan,
    pub values: Vec<ValuePlan>,
    pub parser: TimeParser,
    pub acc: Accumulator,
    pub strict: bool,
    pub allow_negative: bool,
    /// Data records consumed so far.
    pub records: u64,
    pub issue: Option<Issue>,
    first_offset: Option<i32>,
    offsets: BTreeSet<i32>,
    mixed_rows: usize,
}

impl BatchState {
    pub(crate) fn new(
        time: TimePlan,
        values: Vec<ValuePlan>,
        parser: TimeParser,
        strict: bool,
        allow_negative: bool,
        merge: Merge,
    ) -> Self {
        Self {
            time,
            values,
            parser,
            acc: Accumulator::new(strict, merge),
            strict,
            allow_negative,
            records: 0,
            issue: None,
            first_offset: None,
            offsets: BTreeSet::new(),
            mixed_rows: 0,
        }
    }

    /// Consumes one batch; returns `true` when reading must stop.
    pub(crate) fn process(&mut self, df: &DataFrame) -> bool {
        if self.issue.is_some() {
            return true;
        }
        match self.process_inner(df) {
            Ok(()) => {
                self.records += df.height() as u64;
                false
            }
            Err(issue) => {
                self.issue = Some(issue);
                true
            }
        }
    }

    fn process_inner(&mut self, df: &DataFrame) -> Result<(), Issue> {
        let n = df.height();
        let blank = blank_rows(df);
        let is_blank = |row: usize| blank.as_ref().is_some_and(|b| b[row]);
        let times = self.times(df, n, &is_blank)?;
        for vp in self.values.clone() {
            self.push_values(df, &vp, &times, &is_blank)?;
        }
        Ok(())
    }

    fn issue(&self, row: usize, column: &str, value: String, kind: IssueKind) -> Issue {
        Issue {
            record: self.records + row as u64,
            column: column.to_string(),
            value,
            kind,
        }
    }

    fn times(
        &mut self,
        df: &DataFrame,
        n: usize,
        is_blank: &dyn Fn(usize) -> bool,
    ) -> Result<Vec<i64>, Issue> {
        let (name, display) = match &self.time {
            TimePlan::RowIndex { start_ms, step_ms } => {
                let base = self.records as i64;
                return Ok((0..n as i64)
                    .map(|i| start_ms.saturating_add((base + i).saturating_mul(*step_ms)))
                    .collect());
            }
            TimePlan::Column { name, display } => (name.clone(), display.clone()),
        };
        let col = column(df, &name)
            .map_err(|e| self.issue(0, &display, e, IssueKind::Field(FieldProblem::Missing)))?;
        let bad = |s: &Self, row: usize, value: String, p: FieldProblem| {
            s.issue(row, &display, value, IssueKind::Field(p))
        };
        let mut out = Vec::with_capacity(n);
        match col.dtype() {
            DataType::String => {
                let ca = col
                    .str()
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::Missing))?;
                for (row, v) in str_values(ca).into_iter().enumerate() {
                    if is_blank(row) {
                        out.push(0);
                        continue;
                    }
                    let Some(text) = v else {
                        return Err(bad(self, row, String::new(), FieldProblem::Missing));
                    };
                    let parsed = self.parser.parse(text).map_err(|reason| {
                        bad(self, row, text.to_string(), FieldProblem::BadTime(reason))
                    })?;
                    if let Some(off) = parsed.offset_s {
                        self.note_offset(off, row, &display, text)?;
                    }
                    out.push(parsed.ms);
                }
            }
            DataType::Datetime(unit, _) => {
                let per_ms = match unit {
                    TimeUnit::Nanoseconds => 1_000_000,
                    TimeUnit::Microseconds => 1_000,
                    TimeUnit::Milliseconds => 1,
                };
                let phys = col
                    .cast(&DataType::Int64)
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::Missing))?;
                let ca = phys
                    .i64()
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::Missing))?;
                for (row, v) in ca.iter().enumerate() {
                    if is_blank(row) {
                        out.push(0);
                        continue;
                    }
                    let v =
                        v.ok_or_else(|| bad(self, row, String::new(), FieldProblem::Missing))?;
                    out.push(v.div_euclid(per_ms));
                }
            }
            DataType::Date => {
                let phys = col
                    .cast(&DataType::Int32)
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::Missing))?;
                let ca = phys
                    .i32()
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::Missing))?;
                for (row, v) in ca.iter().enumerate() {
                    if is_blank(row) {
                        out.push(0);
                        continue;
                    }
                    let v =
                        v.ok_or_else(|| bad(self, row, String::new(), FieldProblem::Missing))?;
                    out.push(i64::from(v) * 86_400_000);
                }
            }
            dt if dt.is_primitive_numeric() => {
                let f = col
                    .cast(&DataType::Float64)
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::NotNumber))?;
                let ca = f
                    .f64()
                    .map_err(|e| bad(self, 0, e.to_string(), FieldProblem::NotNumber))?;
                for (row, v) in f64_values(ca).into_iter().enumerate() {
                    if is_blank(row) {
                        out.push(0);
                        continue;
                    }
                    let v =
                        v.ok_or_else(|| bad(self, row, String::new(), FieldProblem::Missing))?;
                    let ms = self.parser.number_to_ms(v).map_err(|reason| {
                        bad(self, row, v.to_string(), FieldProblem::BadTime(reason))
                    })?;
                    out.push(ms);
                }
            }
            other => {
                return Err(bad(
                    self,
                    0,
                    format!("{other}"),
                    FieldProblem::BadTime(format!("unsupported time column type {other}")),
                ));
            }
        }
        if out.len() != n {
            return Err(bad(self, out.len(), String::new(), FieldProblem::Missing));
        }
        Ok(out)
    }

    /// Mixed-offset rule: remember the first offset; any other one is
    /// converted to UTC with a warning, or refused under strict.
    fn note_offset(
        &mut self,
        off: i32,
        row: usize,
        display: &str,
        text: &str,
    ) -> Result<(), Issue> {
        let first = *self.first_offset.get_or_insert(off);
        if off != first {
            if self.strict {
                return Err(self.issue(
                    row,
                    display,
                    text.to_string(),
                    IssueKind::MixedOffset { offset: off, first },
                ));
            }
            self.mixed_rows += 1;
        }
        self.offsets.insert(off);
        Ok(())
    }

    fn push_values(
        &mut self,
        df: &DataFrame,
        vp: &ValuePlan,
        times: &[i64],
        is_blank: &dyn Fn(usize) -> bool,
    ) -> Result<(), Issue> {
        let values: Option<&Float64Chunked> = match &vp.value {
            Some((name, display)) => Some(
                column(df, name)
                    .and_then(|c| c.f64().map_err(|e| e.to_string()))
                    .map_err(|e| {
                        self.issue(0, display, e, IssueKind::Field(FieldProblem::NotNumber))
                    })?,
            ),
            None => None,
        };
        let res = key_column(df, &vp.resource)
            .map_err(|e| self.issue(0, "resource", e, IssueKind::Field(FieldProblem::Missing)))?;
        let met = key_column(df, &vp.metric)
            .map_err(|e| self.issue(0, "metric", e, IssueKind::Field(FieldProblem::Missing)))?;
        let fixed_id = match (&res, &met) {
            (Key::Const(r), Key::Const(m)) => Some(self.acc.id(r, m)),
            _ => None,
        };
        let value_display = vp
            .value
            .as_ref()
            .map_or("", |(_, d)| d.as_str())
            .to_string();
        // Flattened once per batch: polars' own element iterators are boxed
        // trait objects, too slow for the per-row loop.
        let res_v = res.values();
        let met_v = met.values();
        let val_v = values.map(f64_values);
        for (row, &ts) in times.iter().enumerate() {
            let r = res_v.get(row);
            let m = met_v.get(row);
            let v = match &val_v {
                Some(vals) => vals[row],
                None => Some(1.0),
            };
            if is_blank(row) {
                continue;
            }
            let id = match fixed_id {
                Some(id) => id,
                None => {
                    let (Some(r), Some(m)) = (r, m) else {
                        let which = if r.is_none() {
                            res.display()
                        } else {
                            met.display()
                        };
                        return Err(self.issue(
                            row,
                            &which,
                            String::new(),
                            IssueKind::Field(FieldProblem::Missing),
                        ));
                    };
                    if r.trim().is_empty() || m.trim().is_empty() {
                        let which = if r.trim().is_empty() {
                            res.display()
                        } else {
                            met.display()
                        };
                        return Err(self.issue(
                            row,
                            &which,
                            String::new(),
                            IssueKind::Field(FieldProblem::Missing),
                        ));
                    }
                    self.acc.id(r, m)
                }
            };
            let Some(v) = v else {
                if vp.drop_missing {
                    self.acc.drop_sample(id);
                    continue;
                }
                return Err(self.issue(
                    row,
                    &value_display,
                    String::new(),
                    IssueKind::Field(FieldProblem::Missing),
                ));
            };
            if !v.is_finite() {
                return Err(self.issue(
                    row,
                    &value_display,
                    v.to_string(),
                    IssueKind::Field(FieldProblem::NonFinite),
                ));
            }
            if vp.sentinels.contains(&v) {
                self.acc.drop_sample(id);
                continue;
            }
            if v < 0.0 && !self.allow_negative {
                return Err(self.issue(
                    row,
                    &value_display,
                    v.to_string(),
                    IssueKind::Field(FieldProblem::Negative),
                ));
            }
            if let Some(order) = self.acc.push(id, ts, v) {
                let time_display = match &self.time {
                    TimePlan::Column { display, .. } => display.clone(),
                    TimePlan::RowIndex { .. } => "(row index)".into(),
                };
                let series = self.acc.name(id);
                return Err(self.issue(
                    row,
                    &time_display,
                    ts.to_string(),
                    IssueKind::Order(order, series),
                ));
            }
        }
        Ok(())
    }

    /// The file-level warnings gathered so far.
    pub(crate) fn warnings(&self) -> Vec<TraceWarning> {
        let mut w = Vec::new();
        if self.mixed_rows > 0 {
            let list: Vec<String> = self.offsets.iter().map(|&o| format_offset(o)).collect();
            w.push(TraceWarning {
                kind: WarningKind::MixedOffsets,
                series: None,
                count: self.mixed_rows,
                detail: format!(
                    "timestamps carry offsets {}; all were converted to UTC",
                    list.join(", ")
                ),
            });
        }
        w
    }
}

/// Rows that come from blank lines: polars turns a blank line into a row
/// of nulls (or of spaces), which the validation pass skips too. `None`
/// when no column has a null, the common case, so clean files pay nothing.
fn blank_rows(df: &DataFrame) -> Option<Vec<bool>> {
    if df.columns().iter().all(|c| c.null_count() == 0) {
        return None;
    }
    let mut blank = vec![true; df.height()];
    for c in df.columns() {
        let s = c.as_materialized_series();
        if let Ok(ca) = s.str() {
            for (b, v) in blank.iter_mut().zip(ca.iter()) {
                *b &= v.is_none_or(|t| t.trim().is_empty());
            }
        } else {
            for (b, v) in blank.iter_mut().zip(s.is_null().iter()) {
                *b &= v.unwrap_or(true);
            }
        }
    }
    Some(blank)
}

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Series, String> {
    df.column(name)
        .map(|c| c.as_materialized_series())
        .map_err(|e| e.to_string())
}

/// A resource or metric source inside one batch.
enum Key<'a> {
    Column(&'a StringChunked, String),
    Const(String),
}

/// Per-row access to a key: the flattened column or the constant.
enum KeyValues<'a> {
    Column(Vec<Option<&'a str>>),
    Const(&'a str),
}

impl<'a> KeyValues<'a> {
    #[inline]
    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            KeyValues::Column(v) => v.get(row).copied().flatten(),
            KeyValues::Const(s) => Some(s),
        }
    }
}

/// The values of a string column as one vector.
fn str_values(ca: &StringChunked) -> Vec<Option<&str>> {
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        out.extend(arr.iter());
    }
    out
}

/// The values of a float column as one vector.
fn f64_values(ca: &Float64Chunked) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        out.extend(arr.iter().map(|v| v.copied()));
    }
    out
}

impl<'a> Key<'a> {
    fn values(&'a self) -> KeyValues<'a> {
        match self {
            Key::Column(ca, _) => KeyValues::Column(str_values(ca)),
            Key::Const(s) => KeyValues::Const(s),
        }
    }

    fn display(&self) -> String {
        match self {
            Key::Column(_, d) => d.clone(),
            Key::Const(s) => s.clone(),
        }
    }
}

fn key_column<'a>(df: &'a DataFrame, plan: &KeyPlan) -> Result<Key<'a>, String> {
    match plan {
        KeyPlan::Const(s) => Ok(Key::Const(s.clone())),
        KeyPlan::Column { name, display } => {
            let s = column(df, name)?;
            let ca = s.str().map_err(|e| e.to_string())?;
            Ok(Key::Column(ca, display.clone()))
        }
    }
}
