//! The stored-timeline figures (polars) against the recorder's stream
//! figures: equal within 1e-9 at full resolution.

use lighthouse_reports::check::close;
use lighthouse_reports::layout::TIMELINE_CLUSTER;
use lighthouse_reports::{CheckStatus, ReportOptions, compute_summary, load_run, write_run};
use polars::prelude::*;

use crate::synth::{Spec, run};

#[test]
fn full_resolution_timeline_reproduces_the_stream_summary() {
    let rec = run(&Spec::default());
    let dir = tempfile::tempdir().unwrap();
    let summary = crate::summarise(&rec, dir.path());
    let check = &summary.stream_check;
    assert_eq!(
        check.status,
        CheckStatus::Matched,
        "{:#?}",
        check.mismatches
    );
    assert_eq!(check.mismatch_count, 0);
    assert!(
        check.compared > 500,
        "only {} values compared",
        check.compared
    );
    // The run is rich enough for the comparison to mean something.
    let f = &rec.stream.figures;
    assert!(f.sla.total.any.breaches > 0);
    assert!(f.oscillation.total.reversals > 0);
    assert!(f.reaction.signal_to_ready.count > 10);
    assert!(f.cost.by_layer.worker_idle > 0.0 && f.cost.spot > 0.0);
    assert!(f.elasticity.instances.mean.unwrap().k > 0.0);
    assert!(close(summary.figures.cost.total, f.cost.total, 1e-9));
}

#[test]
fn a_tampered_timeline_is_reported_as_mismatched() {
    let rec = run(&Spec {
        hours: 1.0,
        ..Spec::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &rec).unwrap();
    let path = dir.path().join(TIMELINE_CLUSTER);
    let mut df = ParquetReader::new(std::fs::File::open(&path).unwrap())
        .finish()
        .unwrap();
    let doubled = df.column("cost").unwrap().as_materialized_series() * 2.0;
    df.with_column(doubled.into_column()).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(&mut df)
        .unwrap();
    let summary =
        compute_summary(&load_run(dir.path()).unwrap(), &ReportOptions::default()).unwrap();
    assert_eq!(summary.stream_check.status, CheckStatus::Mismatched);
    let keys: Vec<&str> = summary
        .stream_check
        .mismatches
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert!(keys.contains(&"cost.total"), "{keys:?}");
}

#[test]
fn coarse_timelines_are_not_compared_but_sums_still_agree() {
    let rec = run(&Spec {
        resolution_s: 60.0,
        ..Spec::default()
    });
    assert_eq!(rec.apps.len(), 6 * 6 * 60); // 6 h of 1-minute buckets × 6 apps
    let dir = tempfile::tempdir().unwrap();
    let summary = crate::summarise(&rec, dir.path());
    assert_eq!(summary.stream_check.status, CheckStatus::Coarse);
    let (t, s) = (&summary.figures, &rec.stream.figures);
    assert!(close(t.cost.total, s.cost.total, 1e-9));
    assert!(close(
        t.sla.total.any.breach_minutes,
        s.sla.total.any.breach_minutes,
        1e-9
    ));
    assert!(close(
        t.sla.total.any.requests_affected,
        s.sla.total.any.requests_affected,
        1e-9
    ));
    assert_eq!(t.oscillation, s.oscillation);
    let pairs = [
        (t.reaction.signal_to_decision, s.reaction.signal_to_decision),
        (t.reaction.executed_to_ready, s.reaction.executed_to_ready),
        (t.reaction.signal_to_ready, s.reaction.signal_to_ready),
    ];
    for (a, b) in pairs {
        assert_eq!(a.count, b.count);
        assert!(close(a.p90.unwrap(), b.p90.unwrap(), 1e-9), "{a:?} {b:?}");
    }
}

#[test]
fn rows_out_of_time_order_give_the_same_figures() {
    // Files are written in (time, app) order and read in one pass; a file
    // in another order (edited by hand, concatenated) takes the sorting
    // path and must agree.
    let rec = run(&Spec {
        hours: 2.0,
        ..Spec::default()
    });
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &rec).unwrap();
    let in_order = load_run(dir.path()).unwrap();
    let mut reversed = in_order.clone();
    reversed.apps = reversed.apps.reverse();
    let options = ReportOptions::default();
    let a = compute_summary(&in_order, &options).unwrap();
    let b = compute_summary(&reversed, &options).unwrap();
    crate::assert_figures_close(&in_order.meta, &a.figures, &b.figures, 1e-9);
    assert!(a.figures.sla.total.any.breaches > 0 && a.figures.elasticity.instances.mean.is_some());
}
