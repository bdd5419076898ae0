//! Trace ingestion and shaping for replay.
//!
//! Reads workload traces (generic long, wide and load layouts, and named
//! importers for public traces) into a plain [`Trace`] the simulator can
//! consume, and reshapes series (scale, shift, speed-up, loop, window,
//! resample).
//!
//! Module map:
//! - [`model`]: the output — [`Trace`], [`TraceSeries`], [`TraceWarning`].
//! - [`options`]: [`ReadOptions`], [`Format`], [`TimeFormat`], [`ColumnRef`].
//! - [`error`]: [`TraceError`], line-precise reasons a read failed.
//! - [`read`]: [`read_trace`], the entry point dispatching on the format.
//! - [`generic`]: long, wide and load layouts.
//! - [`importers`]: worldcup98, wikipedia, azure-functions, alibaba,
//!   bitbrains, azure-vm, azure-llm, counts.
//! - [`shape`]: pure functions on series: scaling, time shift, speed-up,
//!   looping, windows, resampling with gap rules, mapping to apps.
//! - [`time`]: timestamp formats and [`time::parse_instant`].
//! - [`modes`]: open- and closed-loop replay of a trace against a scenario
//!   ([`modes::replay`]), writing the same run record as a simulation.
//! - Internal: `text` (preflight, tokenizer), `table` and `scan` (polars
//!   streaming scans), `stream` (batch checks), `assemble` (grouping and
//!   ordering rules), `validate` and `resolve` (the line-precise pass).

#![warn(missing_docs)]

pub mod error;
pub mod generic;
pub mod importers;
pub mod model;
pub mod modes;
pub mod options;
pub mod read;
pub mod shape;
pub mod time;

mod assemble;
mod resolve;
mod scan;
mod stream;
mod table;
mod text;
mod validate;

pub use error::TraceError;
pub use model::{Trace, TraceSeries, TraceWarning, WarningKind};
pub use options::{ColumnRef, FileKind, Format, ReadOptions, SeriesKey, TimeFormat};
pub use read::read_trace;
