//! The line-precise validation pass. Polars reads fast but its messages do
//! not say which line broke; when polars or the batch checks reject a file,
//! this pass walks the text once more with the same rules and names the
//! first bad line, column and value.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::TraceError;
use crate::text::{TextLayout, is_blank, split_fields};
use crate::time::TimeParser;

/// What a field must hold.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// A finite number, non-negative unless allowed or a sentinel.
    Number {
        allow_negative: bool,
        allow_missing: bool,
        sentinels: Vec<f64>,
    },
    /// A timestamp in the resolved format.
    Time(TimeParser),
    /// Any non-empty text.
    Text,
}

/// A check on the field at `index` (0-based).
#[derive(Debug, Clone)]
pub(crate) struct FieldCheck {
    pub index: usize,
    pub check: Check,
}

/// One pass over a delimited text file.
pub(crate) struct Validator<'a> {
    pub path: &'a Path,
    pub layout: &'a TextLayout,
    pub checks: Vec<FieldCheck>,
}

/// A data line: its 1-based number, its fields, and whether it is the last
/// line of a file that lacks a final newline.
struct Line {
    number: u64,
    fields: Vec<String>,
    unterminated: bool,
}

impl Validator<'_> {
    fn column(&self, idx: usize) -> String {
        self.layout
            .names
            .get(idx)
            .cloned()
            .unwrap_or_else(|| format!("column_{}", idx + 1))
    }

    /// Walks the data records (every line after the header, as polars counts
    /// them; blank ones are skipped without a check) until
    /// `f` returns `Some`.
    fn walk<T>(&self, mut f: impl FnMut(u64, Line) -> Option<T>) -> Result<Option<T>, TraceError> {
        let io = |source| TraceError::Io {
            path: self.path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(self.path).map_err(io)?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        let mut buf = Vec::new();
        let mut number = 0u64;
        let mut record = 0u64;
        let mut seen_content = false;
        loop {
            buf.clear();
            if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
                return Ok(None);
            }
            number += 1;
            let unterminated = buf.last() != Some(&b'\n');
            let mut text = String::from_utf8_lossy(&buf).into_owned();
            while text.ends_with('\n') || text.ends_with('\r') {
                text.pop();
            }
            if number == 1
                && let Some(t) = text.strip_prefix('\u{feff}')
            {
                text = t.to_string();
            }
            if !seen_content && self.layout.has_header && is_blank(&text) {
                // Blank lines before the header are skipped by polars.
                continue;
            }
            if !seen_content && self.layout.has_header {
                seen_content = true;
                continue;
            }
            seen_content = true;
            let fields: Vec<String> = split_fields(&text, &self.layout.delim)
                .into_iter()
                .map(|c| c.into_owned())
                .collect();
            // Polars reads a blank line (or one of empty fields) as a row
            // of nulls; it is a record, skipped without error.
            if fields.iter().all(|f| f.trim().is_empty()) {
                record += 1;
                continue;
            }
            let line = Line {
                number,
                fields,
                unterminated,
            };
            if let Some(v) = f(record, line) {
                return Ok(Some(v));
            }
            record += 1;
        }
    }

    /// The first line that breaks a rule, as an error.
    pub(crate) fn first_error(&self) -> Result<Option<TraceError>, TraceError> {
        let expected = self.layout.names.len();
        self.walk(|_, line| self.check_line(expected, line))
    }

    /// Line number and fields of the data record with 0-based index `record`.
    pub(crate) fn line_of_record(
        &self,
        record: u64,
    ) -> Result<Option<(u64, Vec<String>)>, TraceError> {
        self.walk(|r, line| (r == record).then_some((line.number, line.fields)))
    }

    fn check_line(&self, expected: usize, line: Line) -> Option<TraceError> {
        let path = self.path.to_path_buf();
        let n = line.fields.len();
        if n < expected {
            let column = self.column(n);
            if line.unterminated {
                return Some(TraceError::TruncatedLine {
                    path,
                    line: line.number,
                    column,
                    value: line.fields.join(&self.layout.delim_text()),
                });
            }
            return Some(TraceError::FieldCount {
                path,
                line: line.number,
                column,
                expected,
                found: n,
            });
        }
        if n > expected {
            return Some(TraceError::FieldCount {
                path,
                line: line.number,
                column: format!("extra field {:?}", line.fields[expected]),
                expected,
                found: n,
            });
        }
        for fc in &self.checks {
            let value = line.fields[fc.index].as_str();
            let column = self.column(fc.index);
            let err = check_field(&fc.check, value);
            if let Some(kind) = err {
                let truncated = line.unterminated && fc.index + 1 == n;
                return Some(kind.into_error(path, line.number, column, value, truncated));
            }
        }
        None
    }
}

/// Why one field failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FieldProblem {
    Missing,
    NotNumber,
    NonFinite,
    Negative,
    BadTime(String),
}

impl FieldProblem {
    /// The error for this problem at `line`/`column`. A bad last field on an
    /// unterminated last line is reported as a truncation.
    pub(crate) fn into_error(
        self,
        path: std::path::PathBuf,
        line: u64,
        column: String,
        value: &str,
        truncated: bool,
    ) -> TraceError {
        let value = value.to_string();
        if truncated && self != FieldProblem::Negative {
            return TraceError::TruncatedLine {
                path,
                line,
                column,
                value,
            };
        }
        match self {
            Self::Missing => TraceError::MissingValue { path, line, column },
            Self::NotNumber => TraceError::InvalidNumber {
                path,
                line,
                column,
                value,
            },
            Self::NonFinite => TraceError::NonFinite {
                path,
                line,
                column,
                value,
            },
            Self::Negative => TraceError::Negative {
                path,
                line,
                column,
                value,
            },
            Self::BadTime(reason) => TraceError::InvalidTimestamp {
                path,
                line,
                column,
                value,
                reason,
            },
        }
    }
}

/// Applies `check` to the raw text of one field.
pub(crate) fn check_field(check: &Check, value: &str) -> Option<FieldProblem> {
    if let Check::Number {
        allow_missing: true,
        ..
    } = check
        && value.is_empty()
    {
        return None;
    }
    if value.trim().is_empty() {
        return Some(FieldProblem::Missing);
    }
    match check {
        Check::Text => None,
        Check::Time(parser) => parser.parse(value).err().map(FieldProblem::BadTime),
        Check::Number {
            allow_negative,
            sentinels,
            ..
        } => match value.parse::<f64>() {
            Err(_) => Some(FieldProblem::NotNumber),
            Ok(v) if !v.is_finite() => Some(FieldProblem::NonFinite),
            Ok(v) if v < 0.0 && !allow_negative && !sentinels.contains(&v) => {
                Some(FieldProblem::Negative)
            }
            Ok(_) => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> Check {
        Check::Number {
            allow_negative: false,
            allow_missing: false,
            sentinels: vec![-1.0],
        }
    }

    #[test]
    fn field_checks_classify_problems() {
        assert_eq!(check_field(&number(), ""), Some(FieldProblem::Missing));
        assert_eq!(check_field(&number(), "abc"), Some(FieldProblem::NotNumber));
        assert_eq!(check_field(&number(), "NaN"), Some(FieldProblem::NonFinite));
        assert_eq!(check_field(&number(), "-2"), Some(FieldProblem::Negative));
        assert_eq!(check_field(&number(), "-1"), None);
        assert_eq!(check_field(&number(), "3.5"), None);
        assert_eq!(check_field(&Check::Text, "x"), None);
    }
}
