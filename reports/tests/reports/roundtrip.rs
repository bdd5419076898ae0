//! `write_run` → `load_run`: every table back with its rows, and identical
//! records give byte-identical files.

use lighthouse_reports::layout::{
    EVENTS, RUN_JSON, STREAM_SUMMARY, TIMELINE_APPS, TIMELINE_CLUSTER, TIMELINE_WORKERS,
};
use lighthouse_reports::{load_run, write_run};

use crate::synth::{Spec, run};

#[test]
fn tables_come_back_with_every_row() {
    let spec = Spec {
        hours: 1.0,
        ..Spec::default()
    };
    let rec = run(&spec);
    let dir = tempfile::tempdir().unwrap();
    write_run(dir.path(), &rec).unwrap();
    let data = load_run(dir.path()).unwrap();
    assert_eq!(data.meta, rec.meta);
    assert_eq!(data.apps.height(), rec.apps.len());
    assert_eq!(data.apps.height(), 360 * 6); // one hour of 10 s ticks × 6 apps
    assert_eq!(data.cluster.height(), rec.cluster.t_ms.len());
    assert_eq!(data.workers.height(), 360 * 2);
    assert_eq!(data.events.height(), rec.events.len());
    assert!(data.events.height() > 10, "the synthetic fleet scales");
    let stream = data.stream.as_ref().unwrap();
    assert_eq!(
        (stream.app_samples, stream.events),
        (rec.stream.app_samples, rec.stream.events)
    );
    crate::assert_figures_close(&rec.meta, &stream.figures, &rec.stream.figures, 1e-15);
    let demand: Vec<f64> = data
        .apps
        .column("demand_rps")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(demand, rec.apps.demand_rps);
}

#[test]
fn identical_records_give_byte_identical_files() {
    let rec = run(&Spec {
        hours: 1.0,
        ..Spec::default()
    });
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_run(a.path(), &rec).unwrap();
    // A second record built from scratch, not a clone of the first.
    write_run(
        b.path(),
        &run(&Spec {
            hours: 1.0,
            ..Spec::default()
        }),
    )
    .unwrap();
    for f in [
        RUN_JSON,
        TIMELINE_APPS,
        TIMELINE_CLUSTER,
        TIMELINE_WORKERS,
        EVENTS,
        STREAM_SUMMARY,
    ] {
        let (x, y) = (
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap(),
        );
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between identical runs");
    }
    // Another seed changes the data, so the comparison above can fail.
    let c = tempfile::tempdir().unwrap();
    write_run(
        c.path(),
        &run(&Spec {
            hours: 1.0,
            seed: 43,
            ..Spec::default()
        }),
    )
    .unwrap();
    let x = std::fs::read(a.path().join(TIMELINE_APPS)).unwrap();
    assert_ne!(x, std::fs::read(c.path().join(TIMELINE_APPS)).unwrap());
    assert_eq!(&x[..4], b"PAR1");
}
