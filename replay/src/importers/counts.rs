//! `counts`: plain per-second counts, one number per line or several per
//! line separated by spaces or tabs (no header, no time column).
//!
//! The k-th number (reading order) is at `start_ms + k × step`, start from
//! [`ReadOptions::start_ms`] (default 0), step from
//! [`ReadOptions::step_ms`] (default 1 s). Resource: the file stem or
//! [`ReadOptions::resource_name`]; metric `requests_per_second` or
//! [`ReadOptions::metric_name`].
//!
//! This is not a table (rows have different lengths), so it is tokenized
//! directly instead of through polars; errors name the line and the field
//! position (`field N`, 1-based) on it.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::error::TraceError;
use crate::model::{Trace, TraceSeries};
use crate::options::ReadOptions;
use crate::text::{binary_reason, read_prefix};
use crate::validate::{Check, FieldProblem, check_field};

/// Default step: one second, in ms.
pub const STEP_MS: i64 = 1_000;

/// Reads a counts file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let io = |source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(reason) = binary_reason(&read_prefix(path)?) {
        return Err(TraceError::NotATrace {
            path: path.to_path_buf(),
            reason,
        });
    }
    let step = match opts.step_ms.unwrap_or(STEP_MS) {
        s if s > 0 => s,
        s => return Err(TraceError::arg("step", s.to_string(), "must be positive")),
    };
    let start = opts.start_ms.unwrap_or(0);
    let check = Check::Number {
        allow_negative: opts.allow_negative,
        allow_missing: false,
        sentinels: Vec::new(),
    };
    let mut reader = BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut values = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(io)? == 0 {
            break;
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&buf);
        let text = if line_no == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            &text
        };
        for (k, field) in text.split_whitespace().enumerate() {
            if let Some(problem) = check_field(&check, field) {
                let truncated = problem != FieldProblem::Negative && buf.last() != Some(&b'\n');
                return Err(problem.into_error(
                    path.to_path_buf(),
                    line_no,
                    format!("field {}", k + 1),
                    field,
                    truncated,
                ));
            }
            values.push(field.parse::<f64>().unwrap_or(0.0));
        }
    }
    if values.is_empty() {
        return Err(TraceError::Empty {
            path: path.to_path_buf(),
            detail: "no number".into(),
        });
    }
    let last = (values.len() as i64 - 1)
        .checked_mul(step)
        .and_then(|d| d.checked_add(start))
        .ok_or_else(|| {
            TraceError::arg(
                "step",
                step.to_string(),
                "start + count × step overflows the time range",
            )
        })?;
    debug_assert!(last >= start);
    let timestamps_ms = (0..values.len() as i64).map(|k| start + k * step).collect();
    let resource = opts
        .resource_name
        .clone()
        .unwrap_or_else(|| super::file_stem(path));
    let metric = opts
        .metric_name
        .clone()
        .unwrap_or_else(|| "requests_per_second".into());
    Ok(Trace {
        source: path.to_path_buf(),
        series: vec![TraceSeries::new(resource, metric, timestamps_ms, values)],
        warnings: Vec::new(),
    })
}
