//! Parquet input through the same readers.

use polars::prelude::*;

use lighthouse_replay::{ColumnRef, Format, ReadOptions, TraceError, read_trace};

fn write_parquet(df: &mut DataFrame) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trace.parquet");
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(df).unwrap();
    (dir, path)
}

#[test]
fn long_parquet_with_integer_epoch_seconds() {
    let mut df = df!(
        "timestamp" => [1_700_000_060i64, 1_700_000_000, 1_700_000_000],
        "resource_id" => ["a", "a", "b"],
        "metric" => ["cpu", "cpu", "cpu"],
        "value" => [2.0f64, 1.0, 7.0],
    )
    .unwrap();
    let (_d, path) = write_parquet(&mut df);
    let t = read_trace(&path, &ReadOptions::new(Format::Long)).unwrap();
    let a = t.get("a", "cpu").unwrap();
    assert_eq!(a.timestamps_ms, vec![1_700_000_000_000, 1_700_000_060_000]);
    assert_eq!(a.values, vec![1.0, 2.0]);
    assert_eq!(t.get("b", "cpu").unwrap().values, vec![7.0]);
}

#[test]
fn wide_parquet_with_iso_text_times_and_int_values() {
    let mut df = df!(
        "time" => ["2024-01-01T00:00:00Z", "2024-01-01T00:01:00Z"],
        "web" => [1i64, 2],
        "api" => [3i32, 4],
    )
    .unwrap();
    let (_d, path) = write_parquet(&mut df);
    let mut opts = ReadOptions::new(Format::Wide);
    opts.time_column = Some(ColumnRef::Name("time".into()));
    let t = read_trace(&path, &opts).unwrap();
    assert_eq!(t.series.len(), 2);
    assert_eq!(t.get("api", "value").unwrap().values, vec![3.0, 4.0]);
    assert_eq!(
        t.get("web", "value").unwrap().timestamps_ms[1],
        1_704_067_260_000
    );
}

#[test]
fn parquet_bad_values_name_the_row() {
    let mut df = df!(
        "timestamp" => [1_700_000_000i64, 1_700_000_001, 1_700_000_002],
        "resource_id" => ["a", "a", "a"],
        "metric" => ["m", "m", "m"],
        "value" => [1.0f64, f64::NAN, 3.0],
    )
    .unwrap();
    let (_d, path) = write_parquet(&mut df);
    let err = read_trace(&path, &ReadOptions::new(Format::Long)).unwrap_err();
    // For Parquet the "line" is the 1-based row.
    assert!(
        matches!(&err, TraceError::NonFinite { line: 2, column, .. } if column == "value"),
        "{err}"
    );
    let err = read_trace(&path, &ReadOptions::new(Format::Load)).unwrap_err();
    assert!(matches!(err, TraceError::MissingColumn { .. }), "{err}");
}
