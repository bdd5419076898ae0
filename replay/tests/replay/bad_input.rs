//! Bad input: every case gives a typed error naming file, line, column and
//! value, or a documented repair with a warning.

use lighthouse_replay::{Format, ReadOptions, TraceError, WarningKind};

use crate::common::{read_str, temp_file, utc};

const HEADER: &str = "timestamp,resource_id,metric,value\n";

fn long(body: &str) -> Result<lighthouse_replay::Trace, TraceError> {
    read_str(
        "bad.csv",
        &format!("{HEADER}{body}"),
        &ReadOptions::new(Format::Long),
    )
}

fn long_strict(body: &str) -> Result<lighthouse_replay::Trace, TraceError> {
    read_str(
        "bad.csv",
        &format!("{HEADER}{body}"),
        &ReadOptions::new(Format::Long).strict(true),
    )
}

#[test]
fn non_numeric_value_names_line_column_and_value() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,2\n1700000002,r,m,abc\n").unwrap_err();
    match &err {
        TraceError::InvalidNumber {
            path,
            line,
            column,
            value,
        } => {
            assert!(path.ends_with("bad.csv"));
            assert_eq!(
                (*line, column.as_str(), value.as_str()),
                (4, "value", "abc")
            );
        }
        other => panic!("expected InvalidNumber, got {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("bad.csv:4") && msg.contains("abc"), "{msg}");
}

#[test]
fn nan_and_infinity_are_refused() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,NaN\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::NonFinite { line: 3, value, .. } if value == "NaN"),
        "{err}"
    );
    let err = long("1700000000,r,m,inf\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::NonFinite { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn negative_counts_are_refused_unless_allowed() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,-3\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::Negative { line: 3, value, .. } if value == "-3"),
        "{err}"
    );
    let mut opts = ReadOptions::new(Format::Long);
    opts.allow_negative = true;
    let t = read_str("neg.csv", &format!("{HEADER}1700000000,r,m,-3\n"), &opts).unwrap();
    assert_eq!(t.series[0].values, vec![-3.0]);
}

#[test]
fn empty_value_is_missing() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,\n1700000002,r,m,1\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::MissingValue { line: 3, column, .. } if column == "value"),
        "{err}"
    );
}

#[test]
fn duplicates_keep_last_or_are_refused_under_strict() {
    let body = "1700000000,r,m,1\n1700000001,r,m,2\n1700000001,r,m,5\n";
    let t = long(body).unwrap();
    assert_eq!(t.series[0].values, vec![1.0, 5.0]);
    assert!(t.has_warning(WarningKind::DuplicateTimestamps));
    let err = long_strict(body).unwrap_err();
    assert!(
        matches!(&err, TraceError::DuplicateTimestamp { line: 4, value, series, .. } if value == "1700000001" && series == "r/m"),
        "{err}"
    );
}

#[test]
fn out_of_order_is_sorted_or_refused_under_strict() {
    let body = "1700000005,r,m,1\n1700000009,q,m,1\n1700000001,r,m,2\n";
    let t = long(body).unwrap();
    assert_eq!(
        t.get("r", "m").unwrap().timestamps_ms,
        vec![1_700_000_001_000, 1_700_000_005_000]
    );
    let w = t
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Unsorted)
        .unwrap();
    assert_eq!((w.series.as_deref(), w.count), (Some("r/m"), 1));
    let err = long_strict(body).unwrap_err();
    assert!(
        matches!(&err, TraceError::OutOfOrder { line: 4, value, .. } if value == "1700000001"),
        "{err}"
    );
}

#[test]
fn missing_column_lists_what_is_there() {
    let err = read_str(
        "m.csv",
        "timestamp,resource_id,value\n1,r,2\n",
        &ReadOptions::new(Format::Long),
    )
    .unwrap_err();
    match err {
        TraceError::MissingColumn {
            column, available, ..
        } => {
            assert_eq!(column, "\"metric\"");
            assert_eq!(available, "timestamp, resource_id, value");
        }
        other => panic!("expected MissingColumn, got {other}"),
    }
}

#[test]
fn wrong_delimiter_is_detected_from_the_header() {
    let text = "timestamp;resource_id;metric;value\n1700000000;r;m;1\n";
    let err = read_str("semi.csv", text, &ReadOptions::new(Format::Long)).unwrap_err();
    assert!(
        matches!(&err, TraceError::WrongDelimiter { found, expected, line: 1, .. } if found == ";" && expected == ","),
        "{err}"
    );
    let tabs = "timestamp\tresource_id\tmetric\tvalue\n1700000000\tr\tm\t1\n";
    let err = read_str("tabs.csv", tabs, &ReadOptions::new(Format::Long)).unwrap_err();
    assert!(
        matches!(&err, TraceError::WrongDelimiter { found, .. } if found == "\t"),
        "{err}"
    );
    // With the right delimiter it reads.
    assert!(
        read_str(
            "semi.csv",
            text,
            &ReadOptions::new(Format::Long).delimiter(";")
        )
        .is_ok()
    );
}

#[test]
fn empty_files_and_header_only_files() {
    for (content, what) in [
        ("", "zero bytes"),
        (HEADER, "only a header"),
        ("\n\n", "blank"),
    ] {
        let err = read_str("e.csv", content, &ReadOptions::new(Format::Long)).unwrap_err();
        assert!(
            matches!(&err, TraceError::Empty { detail, .. } if detail.contains(what)),
            "{content:?}: {err}"
        );
    }
    let err = read_str("e.txt", "", &ReadOptions::new(Format::Counts)).unwrap_err();
    assert!(matches!(err, TraceError::Empty { .. }));
}

#[test]
fn truncated_last_line_is_named() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,2\n1700000002,r").unwrap_err();
    match &err {
        TraceError::TruncatedLine {
            line,
            column,
            value,
            ..
        } => {
            assert_eq!(
                (*line, column.as_str(), value.as_str()),
                (4, "metric", "1700000002,r")
            );
        }
        other => panic!("expected TruncatedLine, got {other}"),
    }
    // A complete last line without a newline is fine.
    assert_eq!(
        long("1700000000,r,m,1\n1700000001,r,m,2").unwrap().series[0].len(),
        2
    );
}

#[test]
fn too_many_fields_is_a_field_count_error() {
    let err = long("1700000000,r,m,1\n1700000001,r,m,2,7\n").unwrap_err();
    assert!(
        matches!(
            &err,
            TraceError::FieldCount {
                line: 3,
                expected: 4,
                found: 5,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn mixed_offsets_convert_to_utc_or_are_refused() {
    let body = "2023-03-25T12:00:00+01:00,r,m,1\n2023-03-26T12:00:00+02:00,r,m,2\n";
    let t = long(body).unwrap();
    assert_eq!(
        t.series[0].timestamps_ms,
        vec![utc("2023-03-25T11:00:00Z"), utc("2023-03-26T10:00:00Z")]
    );
    let w = t
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::MixedOffsets)
        .unwrap();
    assert!(
        w.detail.contains("+01:00") && w.detail.contains("+02:00"),
        "{}",
        w.detail
    );
    let err = long_strict(body).unwrap_err();
    assert!(
        err.to_string()
            .contains("offset +02:00, earlier rows had +01:00"),
        "{err}"
    );
    assert!(
        matches!(
            &err,
            TraceError::MixedOffsets {
                line: 3,
                offset: 7200,
                first_offset: 3600,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn bad_timestamp_names_the_format() {
    let err = long("2024-01-01T00:00:00Z,r,m,1\n2024-02-30T00:00:00Z,r,m,1\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::InvalidTimestamp { line: 3, value, .. } if value == "2024-02-30T00:00:00Z"),
        "{err}"
    );
    let err = long("yesterday,r,m,1\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::InvalidTimestamp { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn not_a_trace_png_and_random_bytes() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        noise.push((x >> 16) as u8);
    }
    for format in lighthouse_replay::Format::ALL {
        for (name, bytes) in [("image.png", png.to_vec()), ("noise.csv", noise.clone())] {
            let (_d, path) = temp_file(name, &bytes);
            let err = lighthouse_replay::read_trace(&path, &ReadOptions::new(format)).unwrap_err();
            assert!(
                matches!(err, TraceError::NotATrace { .. }),
                "{format} {name}: {err}"
            );
        }
    }
}

#[test]
fn counts_errors_name_line_and_field() {
    let err = read_str("c.txt", "1 2 3\n4 x 6\n", &ReadOptions::new(Format::Counts)).unwrap_err();
    assert!(
        matches!(&err, TraceError::InvalidNumber { line: 2, column, value, .. } if column == "field 2" && value == "x"),
        "{err}"
    );
    let err = read_str("c.txt", "1\n-4\n", &ReadOptions::new(Format::Counts)).unwrap_err();
    assert!(
        matches!(&err, TraceError::Negative { line: 2, .. }),
        "{err}"
    );
}

#[test]
fn importer_errors_point_into_real_layouts() {
    // A worldcup98 file with a bad count on its third data line.
    let text =
        "period,count\n1998-04-30 21:30:00,2\n1998-04-30 21:31:00,11\n1998-04-30 21:32:00,1x6\n";
    let err = read_str("wc.csv", text, &ReadOptions::new(Format::WorldCup98)).unwrap_err();
    assert!(
        matches!(&err, TraceError::InvalidNumber { line: 4, column, value, .. } if column == "count" && value == "1x6"),
        "{err}"
    );
    // A Bitbrains file whose separator lost its tab on line 3.
    let bb = "Timestamp [ms];\tCPU usage [%]\n1372629804;\t1.5\n1372630104;0.5\n";
    let err = read_str("vm.csv", bb, &ReadOptions::new(Format::Bitbrains)).unwrap_err();
    assert_eq!(err.line(), Some(3), "{err}");
    // Azure Functions with a negative count in minute 2.
    let af = "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,-2\n";
    let err = read_str("af.csv", af, &ReadOptions::new(Format::AzureFunctions)).unwrap_err();
    assert!(
        matches!(&err, TraceError::Negative { line: 2, column, .. } if column == "2"),
        "{err}"
    );
}

#[test]
fn parquet_expected_but_text_given() {
    let (_d, path) = temp_file("t.parquet", format!("{HEADER}1,r,m,1\n"));
    let err = lighthouse_replay::read_trace(&path, &ReadOptions::new(Format::Long)).unwrap_err();
    assert!(matches!(err, TraceError::NotATrace { .. }), "{err}");
}

#[test]
fn blank_lines_are_skipped_but_counted_in_line_numbers() {
    let t = long("1700000000,r,m,1\n\n,,,\n   \n1700000001,r,m,2\n").unwrap();
    assert_eq!(t.series[0].values, vec![1.0, 2.0]);
    let err = long("1700000000,r,m,1\n\n\n1700000001,r,m,x\n").unwrap_err();
    assert!(
        matches!(&err, TraceError::InvalidNumber { line: 5, .. }),
        "{err}"
    );
    // Blank lines before the header are allowed too.
    let t = read_str(
        "b.csv",
        &format!("\n\n{HEADER}1700000000,r,m,1\n"),
        &ReadOptions::new(Format::Long),
    )
    .unwrap();
    assert_eq!(t.total_samples(), 1);
}

#[test]
fn utf8_bom_before_the_header_is_ignored() {
    let t = read_str(
        "bom.csv",
        &format!("\u{feff}{HEADER}1700000000,r,m,1\n"),
        &ReadOptions::new(Format::Long),
    )
    .unwrap();
    assert_eq!(t.total_samples(), 1);
}

#[test]
fn corrupt_parquet_is_an_error_not_a_panic() {
    let mut bytes = b"PAR1".to_vec();
    bytes.extend((0..200u8).map(|b| b.wrapping_mul(37)));
    bytes.extend(b"PAR1");
    let (_d, path) = temp_file("broken.parquet", &bytes);
    let err = lighthouse_replay::read_trace(&path, &ReadOptions::new(Format::Long)).unwrap_err();
    assert!(
        matches!(
            err,
            TraceError::Polars { .. } | TraceError::NotATrace { .. }
        ),
        "{err}"
    );
}

#[test]
fn all_invalid_samples_leave_an_empty_trace_error() {
    let text = "m_1,0,-1,101,,,-1,-1,-1\n";
    let err = read_str("mu.csv", text, &ReadOptions::new(Format::Alibaba)).unwrap_err();
    assert!(
        matches!(&err, TraceError::Empty { detail, .. } if detail.contains("invalid")),
        "{err}"
    );
}
