//! Turns a run directory into figures, tables, plots and an HTML report,
//! and compares runs.
//!
//! Module map:
//! - [`layout`]: file names and table schemas of the run directory.
//! - [`write`]: [`write_run`], a `RunRecord` into a run directory.
//! - [`load`]: [`load_run`], a run directory into [`RunData`] (polars frames).
//! - [`summary`]: [`compute_summary`], every figure from the stored timeline.
//! - [`check`]: the stream check, stored-timeline figures against the recorder's.
//! - [`report`]: [`generate_report`], every output file of one run.
//! - [`compare`]: [`compare_runs`], several runs side by side.
//! - [`tables`]: the CSV files; [`plots`]: PNG and SVG plots.
//! - [`options`]: [`ReportOptions`]; [`error`]: [`ReportError`].
//! - private: `sections` (the report's tables), `doc` (Markdown/HTML
//!   tables), `html` (page shell), `csv` (quoting).

pub mod check;
pub mod compare;
mod csv;
mod doc;
pub mod error;
mod html;
pub mod layout;
pub mod load;
pub mod options;
pub mod plots;
pub mod report;
mod sections;
pub mod summary;
pub mod tables;
pub mod write;

pub use check::{CheckStatus, StreamCheck};
pub use compare::{Comparison, compare_runs, compare_runs_with};
pub use error::{ReportError, Result};
pub use load::{RunData, load_run};
pub use options::ReportOptions;
pub use report::generate_report;
pub use summary::{RunInfo, Summary, compute_summary};
pub use write::write_run;
