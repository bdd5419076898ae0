//! Turns what the fast path noticed (a record index and a problem) or a
//! polars failure into a line-precise [`TraceError`], using the validation
//! pass over the text.

use crate::assemble::OrderIssue;
use crate::error::TraceError;
use crate::options::ReadOptions;
use crate::stream::{Issue, IssueKind};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec};
use crate::time::{TimeKind, TimeParser};
use crate::validate::{Check, FieldCheck, Validator};

/// The validation rules equivalent to `spec`.
fn checks(table: &Table, opts: &ReadOptions, spec: &TableSpec, kind: &TimeKind) -> Vec<FieldCheck> {
    let mut out = Vec::new();
    if let TimeSpec::Column(c) = &spec.time
        && let Ok(index) = table.resolve(c)
    {
        out.push(FieldCheck {
            index,
            check: Check::Time(TimeParser::new(kind.clone(), opts.time_zone)),
        });
    }
    for vs in &spec.values {
        for k in [&vs.resource, &vs.metric] {
            if let KeySpec::Column(c) = k
                && let Ok(index) = table.resolve(c)
            {
                out.push(FieldCheck {
                    index,
                    check: Check::Text,
                });
            }
        }
        if let Some(c) = &vs.value
            && let Ok(index) = table.resolve(c)
        {
            out.push(FieldCheck {
                index,
                check: Check::Number {
                    allow_negative: opts.allow_negative,
                    allow_missing: vs.drop_missing,
                    sentinels: vs.sentinels.clone(),
                },
            });
        }
    }
    out.sort_by_key(|c| c.index);
    out
}

fn validator<'a>(
    table: &'a Table,
    opts: &ReadOptions,
    spec: &TableSpec,
    kind: &TimeKind,
) -> Option<Validator<'a>> {
    table.layout().map(|layout| Validator {
        path: &table.path,
        layout,
        checks: checks(table, opts, spec, kind),
    })
}

/// The error for a problem the batch checks found at `issue.record`.
pub(crate) fn issue_error(
    table: &Table,
    opts: &ReadOptions,
    spec: &TableSpec,
    kind: &TimeKind,
    issue: Issue,
) -> TraceError {
    let path = table.path.clone();
    let Some(v) = validator(table, opts, spec, kind) else {
        // Parquet has no lines: the 1-based row stands in.
        return build(path, issue.record + 1, &issue, issue.value.clone(), false);
    };
    let first = match v.first_error() {
        Ok(e) => e,
        Err(e) => return e,
    };
    let located = match v.line_of_record(issue.record) {
        Ok(l) => l,
        Err(e) => return e,
    };
    let Some((line, fields)) = located else {
        return first
            .unwrap_or_else(|| build(path, issue.record + 1, &issue, issue.value.clone(), false));
    };
    if let Some(e) = first
        && e.line().is_some_and(|l| l <= line)
    {
        return e;
    }
    let raw = table
        .names()
        .iter()
        .position(|n| *n == issue.column)
        .and_then(|i| fields.get(i).cloned())
        .unwrap_or_else(|| issue.value.clone());
    build(path, line, &issue, raw, false)
}

fn build(
    path: std::path::PathBuf,
    line: u64,
    issue: &Issue,
    value: String,
    truncated: bool,
) -> TraceError {
    let column = issue.column.clone();
    match &issue.kind {
        IssueKind::Field(p) => p.clone().into_error(path, line, column, &value, truncated),
        IssueKind::Order(OrderIssue::OutOfOrder, series) => TraceError::OutOfOrder {
            path,
            line,
            column,
            value,
            series: series.clone(),
        },
        IssueKind::Order(OrderIssue::Duplicate, series) => TraceError::DuplicateTimestamp {
            path,
            line,
            column,
            value,
            series: series.clone(),
        },
        IssueKind::MixedOffset { offset, first } => TraceError::MixedOffsets {
            path,
            line,
            column,
            value,
            offset: *offset,
            first_offset: *first,
        },
    }
}

/// The error for a file polars refused: the first line the validation pass
/// rejects, or polars' message when the pass finds nothing.
pub(crate) fn polars_error(
    table: &Table,
    opts: &ReadOptions,
    spec: &TableSpec,
    kind: &TimeKind,
    message: String,
) -> TraceError {
    if let Some(v) = validator(table, opts, spec, kind) {
        match v.first_error() {
            Ok(Some(e)) => return e,
            Ok(None) => {}
            Err(e) => return e,
        }
    }
    TraceError::Polars {
        path: table.path.clone(),
        message,
    }
}
