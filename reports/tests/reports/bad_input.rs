//! Broken run directories give errors naming the file, column and value.

use std::fs::File;
use std::path::Path;

use lighthouse_reports::layout::{EVENTS, RUN_JSON, TIMELINE_APPS, TIMELINE_CLUSTER};
use lighthouse_reports::{ReportError, ReportOptions, generate_report, load_run, write_run};
use polars::prelude::*;

use crate::synth::{Spec, run};

fn good_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_run(
        dir.path(),
        &run(&Spec {
            hours: 0.5,
            ..Spec::default()
        }),
    )
    .unwrap();
    dir
}

fn rewrite(path: &Path, change: impl FnOnce(DataFrame) -> DataFrame) {
    let df = ParquetReader::new(File::open(path).unwrap())
        .finish()
        .unwrap();
    let mut df = change(df);
    ParquetWriter::new(File::create(path).unwrap())
        .finish(&mut df)
        .unwrap();
}

#[test]
fn a_missing_column_is_named_with_its_file() {
    let dir = good_dir();
    let path = dir.path().join(TIMELINE_CLUSTER);
    rewrite(&path, |df| df.drop("cost").unwrap());
    let err = load_run(dir.path()).unwrap_err();
    assert!(
        matches!(&err, ReportError::MissingColumn { column: "cost", .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("timeline_cluster.parquet") && text.contains("`cost`"),
        "{text}"
    );
}

#[test]
fn a_column_of_the_wrong_type_is_refused() {
    let dir = good_dir();
    rewrite(&dir.path().join(TIMELINE_APPS), |mut df| {
        let c = df.column("dt_s").unwrap().cast(&DataType::Int64).unwrap();
        df.with_column(c).unwrap();
        df
    });
    let text = load_run(dir.path()).unwrap_err().to_string();
    assert!(
        text.contains("timeline_apps.parquet") && text.contains("`dt_s` is i64, expected f64"),
        "{text}"
    );
}

#[test]
fn unknown_event_kinds_and_app_indexes_are_named_with_their_row() {
    let dir = good_dir();
    rewrite(&dir.path().join(EVENTS), |mut df| {
        let mut kinds: Vec<String> = df
            .column("kind")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_owned())
            .collect();
        kinds[3] = "teleported".into();
        df.with_column(Column::new("kind".into(), kinds)).unwrap();
        df
    });
    let err = load_run(dir.path()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("events.parquet") && text.contains("row 3") && text.contains("teleported"),
        "{text}"
    );

    let dir = good_dir();
    rewrite(&dir.path().join(TIMELINE_APPS), |mut df| {
        let n = df.height();
        let idx: Vec<u32> = (0..n as u32).map(|i| if i == 7 { 99 } else { 0 }).collect();
        df.with_column(Column::new("app_idx".into(), idx)).unwrap();
        df
    });
    let text = load_run(dir.path()).unwrap_err().to_string();
    assert!(text.contains("`app_idx`, row 7: \"99\""), "{text}");
}

#[test]
fn malformed_json_and_missing_files_are_errors_not_panics() {
    let dir = good_dir();
    std::fs::write(dir.path().join(RUN_JSON), "{\"format_version\": 1,").unwrap();
    let err = load_run(dir.path()).unwrap_err();
    assert!(matches!(err, ReportError::Json { .. }), "{err:?}");
    assert!(err.to_string().contains("run.json"));

    let missing = dir.path().join("nowhere");
    let err = generate_report(&missing, &ReportOptions::default()).unwrap_err();
    assert!(matches!(err, ReportError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("nowhere"));

    let dir = good_dir();
    std::fs::remove_file(dir.path().join(EVENTS)).unwrap();
    assert!(
        load_run(dir.path())
            .unwrap_err()
            .to_string()
            .contains("events.parquet")
    );
}
