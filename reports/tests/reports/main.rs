//! Integration tests of the reports crate (one binary, modules per topic).

mod bad_input;
mod compare;
mod hand_computed;
mod report;
mod roundtrip;
mod stream_check;
pub mod synth;

use std::path::Path;

use lighthouse_reports::check::check_stream;
use lighthouse_reports::{
    CheckStatus, ReportOptions, Summary, compute_summary, load_run, write_run,
};
use lighthouse_sim::record::{Figures, RunMeta, RunRecord, StreamSummary};

/// Writes `run` into `dir`, loads it back and summarises it.
pub fn summarise(run: &RunRecord, dir: &Path) -> Summary {
    write_run(dir, run).expect("write run");
    let data = load_run(dir).expect("load run");
    compute_summary(&data, &ReportOptions::default()).expect("summary")
}

/// Asserts two sets of figures agree within `tolerance` (relative). JSON
/// floats read back within an ulp or so (serde_json's default parser), so
/// round trips are compared this way rather than bit for bit.
pub fn assert_figures_close(meta: &RunMeta, a: &Figures, b: &Figures, tolerance: f64) {
    let mut meta = meta.clone();
    meta.timeline_resolution_s = meta.sample_interval_s;
    let stream = StreamSummary {
        format_version: 1,
        sample_interval_s: meta.sample_interval_s,
        app_samples: 0,
        cluster_samples: 0,
        events: 0,
        figures: a.clone(),
    };
    let check = check_stream(&meta, Some(&stream), b, tolerance);
    assert_eq!(
        check.status,
        CheckStatus::Matched,
        "{:#?}",
        check.mismatches
    );
}
