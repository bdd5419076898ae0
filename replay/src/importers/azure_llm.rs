//! `azure-llm`: Azure LLM inference trace 2023, one row per request.
//!
//! Header `TIMESTAMP,ContextTokens,GeneratedTokens`; timestamps are
//! `YYYY-MM-DD HH:MM:SS.fffffff` (7 fractional digits, UTC). Requests are
//! counted per second (floor of the timestamp): metrics
//! `requests_per_second`, `context_tokens_per_second` and
//! `generated_tokens_per_second`. Seconds without a request between the
//! first and the last become explicit zeros (warning `gaps-filled`).
//! Resource: the file stem without `requests_` or
//! `AzureLLMInferenceTrace_` (so `code` or `conv`), or
//! [`ReadOptions::resource_name`].

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// One second, the aggregation bucket, in ms.
pub const STEP_MS: i64 = 1_000;

/// Reads an Azure LLM inference request file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    opts.time_format = super::time_format(&opts, TimeFormat::Iso8601);
    let table = Table::open(path, &opts, ",", true)?;
    let resource = opts.resource_name.clone().unwrap_or_else(|| {
        let stem = super::file_stem(path);
        let s = stem.strip_prefix("requests_").unwrap_or(&stem);
        s.strip_prefix("AzureLLMInferenceTrace_")
            .unwrap_or(s)
            .to_string()
    });
    let key = |m: &str| (KeySpec::Const(resource.clone()), KeySpec::Const(m.into()));
    let (r, m) = key("requests_per_second");
    let mut values = vec![ValueSpec {
        value: None,
        resource: r,
        metric: m,
        sentinels: Vec::new(),
        drop_missing: false,
    }];
    for (col, metric) in [
        ("ContextTokens", "context_tokens_per_second"),
        ("GeneratedTokens", "generated_tokens_per_second"),
    ] {
        let (r, m) = key(metric);
        values.push(ValueSpec::new(col, r, m));
    }
    let spec = TableSpec {
        time: TimeSpec::Column(super::column(&opts.time_column, "TIMESTAMP")),
        values,
        merge: Merge::SumPerBucket(STEP_MS),
    };
    let mut trace = table.read(&opts, &spec)?;
    super::fill_zero_gaps(&mut trace, STEP_MS)?;
    Ok(trace)
}
