//! `azure-vm`: Azure public VM traces (V1/V2), `vm_cpu_readings-file-N-of-195.csv`.
//!
//! Headerless `timestamp,vmid,mincpu,maxcpu,avgcpu`, one reading per VM
//! every 5 minutes; `timestamp` is seconds from the trace start
//! ([`ReadOptions::start_ms`], default 0). Output: per VM (resource =
//! `vmid`) the metrics `min_cpu_percent`, `max_cpu_percent`,
//! `avg_cpu_percent`.

use std::path::Path;

use crate::assemble::Merge;
use crate::error::TraceError;
use crate::model::Trace;
use crate::options::{ColumnRef, ReadOptions, TimeFormat};
use crate::table::{KeySpec, Table, TableSpec, TimeSpec, ValueSpec};

/// Five minutes, the reading period, in ms.
pub const STEP_MS: i64 = 300_000;

/// Reads an Azure VM CPU readings file.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<Trace, TraceError> {
    let mut opts = opts.clone();
    opts.time_format = super::time_format(
        &opts,
        TimeFormat::OffsetSeconds {
            start_ms: opts.start_ms.unwrap_or(0),
        },
    );
    let table = Table::open(path, &opts, ",", false)?;
    let values = [
        (2, "min_cpu_percent"),
        (3, "max_cpu_percent"),
        (4, "avg_cpu_percent"),
    ]
    .into_iter()
    .map(|(i, m)| {
        ValueSpec::new(
            ColumnRef::Index(i),
            KeySpec::Column(ColumnRef::Index(1)),
            KeySpec::Const(m.into()),
        )
    })
    .collect();
    let spec = TableSpec {
        time: TimeSpec::Column(ColumnRef::Index(0)),
        values,
        merge: Merge::KeepLast,
    };
    table.read(&opts, &spec)
}
