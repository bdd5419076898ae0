//! `bitbrains`: Bitbrains GWA-T-12 per-VM files (`Rnd` and `fastStorage`).
//!
//! Separator `;` followed by a tab. The header names the first column
//! `Timestamp [ms]` but the values are Unix epoch **seconds**: when the
//! header says ms and the values are below 1e11 they are read as seconds
//! (warning `unit-corrected`). Resource: the file stem (e.g. `vm_1`) or
//! [`ReadOptions::resource_name`]; one series per other column, named from
//! the header in snake case with the unit: `cpu_usage_percent`,
//! `cpu_usage_mhz`, `memory_usage_kb`, `disk_read_throughput_kb_per_s`, ...

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::{Trace, TraceWarning, WarningKind};
use crate::options::{ColumnRef, ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// `CPU usage [%]` → `cpu_usage_percent`, `Disk read throughput [KB/s]` →
/// `disk_read_throughput_kb_per_s`.
pub fn metric_name(header: &str) -> String {
    let h = header.replace('%', " percent ").replace('/', " per ");
    let mut out = String::new();
    for c in h.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Reads a Bitbrains VM file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    let mut table = Table::open(path, &opts, ";\t", true)?;
    let time_ref = super::column(&opts.time_column, ColumnRef::Index(0));
    let time_idx = table.resolve(&time_ref)?;
    let header_says_ms = table.names()[time_idx].contains("[ms]");
    let mut corrected = false;
    if opts.time_format == TimeFormat::Auto {
        let looks_like_seconds = table
            .samples(time_idx)
            .iter()
            .filter_map(|s| s.trim().parse::<f64>().ok())
            .all(|v| v.abs() < 1e11);
        opts.time_format = if looks_like_seconds {
            corrected = header_says_ms;
            TimeFormat::EpochSeconds
        } else {
            TimeFormat::EpochMillis
        };
    }
    let resource = opts
        .resource_name
        .clone()
        .unwrap_or_else(|| super::file_stem(path));
    let values = (0..table.names().len())
        .filter(|&i| i != time_idx)
        .map(|i| {
            let metric = metric_name(&table.names()[i]);
            ValueSpec::new(
                ColumnRef::Index(i),
                KeySpec::Const(resource.clone()),
                KeySpec::Const(metric),
            )
        })
        .collect();
    let spec = TableSpec {
        time: TimeSpec::Column(ColumnRef::Index(time_idx)),
        values,
        merge: Merge::KeepLast,
    };
    let mut trace = table.read(&opts, &spec)?;
    if corrected {
        trace.warnings.insert(
            0,
            TraceWarning {
                kind: WarningKind::UnitCorrected,
                series: None,
                count: trace.series.first().map_or(0, |s| s.len()),
                detail:
                    "header says `Timestamp [ms]` but the values are epoch seconds; read as seconds"
                        .into(),
            },
        );
    }
    Ok(trace)
}

#[cfg(test)]
mod tests {
    use super::metric_name;

    #[test]
    fn header_names_become_snake_case_with_units() {
        assert_eq!(metric_name("CPU usage [%]"), "cpu_usage_percent");
        assert_eq!(
            metric_name("CPU capacity provisioned [MHZ]"),
            "cpu_capacity_provisioned_mhz"
        );
        assert_eq!(
            metric_name("Network received throughput [KB/s]"),
            "network_received_throughput_kb_per_s"
        );
        assert_eq!(metric_name("CPU cores"), "cpu_cores");
    }
}
