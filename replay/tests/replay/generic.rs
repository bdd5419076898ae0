//! The generic layouts and time formats.

use lighthouse_replay::{ColumnRef, Format, ReadOptions, SeriesKey, TimeFormat, WarningKind};

use crate::common::{read_str, utc};

const LONG: &str = "timestamp,resource_id,metric,value
2024-01-01T00:00:00Z,vm-b,cpu,10
2024-01-01T00:00:00Z,vm-a,cpu,20
2024-01-01T00:01:00Z,vm-a,cpu,30
2024-01-01T00:00:00Z,vm-a,mem,40
2024-01-01T00:01:00Z,vm-b,cpu,50
";

#[test]
fn long_groups_rows_into_sorted_series() {
    let t = read_str("long.csv", LONG, &ReadOptions::new(Format::Long)).unwrap();
    let names: Vec<String> = t.series.iter().map(|s| s.name()).collect();
    assert_eq!(names, vec!["vm-a/cpu", "vm-a/mem", "vm-b/cpu"]);
    let b = t.get("vm-b", "cpu").unwrap();
    assert_eq!(
        b.timestamps_ms,
        vec![utc("2024-01-01T00:00:00Z"), utc("2024-01-01T00:01:00Z")]
    );
    assert_eq!(b.values, vec![10.0, 50.0]);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

#[test]
fn epoch_seconds_and_millis_are_detected_by_magnitude() {
    let secs = "timestamp,resource_id,metric,value\n1700000000,r,m,1\n1700000001.5,r,m,2\n";
    let t = read_str("s.csv", secs, &ReadOptions::new(Format::Long)).unwrap();
    assert_eq!(
        t.series[0].timestamps_ms,
        vec![1_700_000_000_000, 1_700_000_001_500]
    );
    let ms = "timestamp,resource_id,metric,value\n1700000000000,r,m,1\n1700000000250,r,m,2\n";
    let t = read_str("ms.csv", ms, &ReadOptions::new(Format::Long)).unwrap();
    assert_eq!(
        t.series[0].timestamps_ms,
        vec![1_700_000_000_000, 1_700_000_000_250]
    );
}

#[test]
fn any_delimiter_and_headerless_columns_by_position() {
    let text = "2024-01-01 00:00:00|web|3.5\n2024-01-01 00:00:10|web|4.5\n";
    let mut opts = ReadOptions::new(Format::Load)
        .delimiter("|")
        .has_header(false);
    opts.time_column = Some(ColumnRef::Index(0));
    opts.resource_column = Some(ColumnRef::Name("column_2".into()));
    opts.value_column = Some(ColumnRef::Index(2));
    let t = read_str("load.psv", text, &opts).unwrap();
    let s = t.get("web", "requests_per_second").unwrap();
    assert_eq!(s.values, vec![3.5, 4.5]);
    assert_eq!(s.timestamps_ms[1] - s.timestamps_ms[0], 10_000);
}

#[test]
fn strftime_pattern_with_milliseconds() {
    let text = "timestamp;resource_id;metric;value\n2023.04.02-00:09:00:000;r;m;1\n2023.04.02-00:09:00:500;r;m;2\n";
    let opts = ReadOptions::new(Format::Long)
        .delimiter(";")
        .time_format(TimeFormat::Pattern("%Y.%m.%d-%H:%M:%S:%3f".into()));
    let t = read_str("p.csv", text, &opts).unwrap();
    assert_eq!(
        t.series[0].timestamps_ms,
        vec![utc("2023-04-02T00:09:00Z"), utc("2023-04-02T00:09:00.5Z")]
    );
}

#[test]
fn declared_zone_applies_to_local_times_and_offsets_win() {
    let text = "timestamp,resource_id,metric,value\n2023-07-01 12:00:00,r,m,1\n2023-07-01T12:00:00+02:00,q,m,1\n";
    let opts = ReadOptions::new(Format::Long)
        .time_zone("America/New_York")
        .unwrap();
    let t = read_str("z.csv", text, &opts).unwrap();
    assert_eq!(
        t.get("r", "m").unwrap().timestamps_ms[0],
        utc("2023-07-01T16:00:00Z")
    );
    assert_eq!(
        t.get("q", "m").unwrap().timestamps_ms[0],
        utc("2023-07-01T10:00:00Z")
    );
    assert!(
        ReadOptions::new(Format::Long)
            .time_zone("Mars/Olympus")
            .is_err()
    );
}

#[test]
fn offsets_in_seconds_from_a_start() {
    let text = "timestamp,resource_id,metric,value\n0,r,m,1\n30,r,m,2\n";
    let opts = ReadOptions::new(Format::Long)
        .time_format("offset-s@2024-05-01T00:00:00Z".parse().unwrap());
    let t = read_str("o.csv", text, &opts).unwrap();
    let start = utc("2024-05-01T00:00:00Z");
    assert_eq!(t.series[0].timestamps_ms, vec![start, start + 30_000]);
}

#[test]
fn unsorted_rows_are_sorted_with_a_warning_and_duplicates_keep_the_last() {
    let text = "timestamp,resource_id,metric,value\n20,r,m,2\n10,r,m,1\n20,r,m,9\n";
    let t = read_str("u.csv", text, &ReadOptions::new(Format::Long)).unwrap();
    assert_eq!(t.series[0].timestamps_ms, vec![10_000, 20_000]);
    assert_eq!(t.series[0].values, vec![1.0, 9.0]);
    assert!(t.has_warning(WarningKind::Unsorted));
    assert!(t.has_warning(WarningKind::DuplicateTimestamps));
}

#[test]
fn wide_columns_become_series_and_can_be_mapped() {
    let text = "time,web,api,batch\n2024-01-01T00:00:00Z,1,2,3\n2024-01-01T00:05:00Z,4,5,6\n";
    let mut opts = ReadOptions::new(Format::Wide);
    opts.metric_name = Some("requests_per_second".into());
    opts.column_map.insert(
        "batch".into(),
        SeriesKey {
            resource: "worker".into(),
            metric: "queue_length".into(),
        },
    );
    let t = read_str("wide.csv", text, &opts).unwrap();
    let names: Vec<String> = t.series.iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        vec![
            "api/requests_per_second",
            "web/requests_per_second",
            "worker/queue_length"
        ]
    );
    assert_eq!(
        t.get("worker", "queue_length").unwrap().values,
        vec![3.0, 6.0]
    );

    opts.value_columns = vec![ColumnRef::Name("api".into())];
    let t = read_str("wide.csv", text, &opts).unwrap();
    assert_eq!(t.series.len(), 1);
    assert_eq!(t.series[0].values, vec![2.0, 5.0]);
}

#[test]
fn load_layout_uses_app_column() {
    let text = "timestamp,app,requests_per_second\n1700000000,shop,12.5\n1700000001,shop,13\n1700000000,auth,1\n";
    let t = read_str("load.csv", text, &ReadOptions::new(Format::Load)).unwrap();
    assert_eq!(t.series.len(), 2);
    assert_eq!(
        t.get("shop", "requests_per_second").unwrap().values,
        vec![12.5, 13.0]
    );
}

#[test]
fn quoted_fields_crlf_and_blank_lines_are_accepted() {
    let text = "timestamp,resource_id,metric,value\r\n1700000000,\"vm,1\",cpu,1\r\n\r\n1700000060,\"vm,1\",cpu,2\r\n";
    let t = read_str("q.csv", text, &ReadOptions::new(Format::Long)).unwrap();
    assert_eq!(t.get("vm,1", "cpu").unwrap().values, vec![1.0, 2.0]);
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(f.name().parse::<Format>().unwrap(), f);
    }
    assert!("csv-ish".parse::<Format>().is_err());
}
