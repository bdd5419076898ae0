//! Importers on the real shipped samples. The expected figures were
//! computed independently from the CSV files with Python's csv module.

use lighthouse_replay::importers::alibaba;
use lighthouse_replay::shape::per_second;
use lighthouse_replay::{Format, ReadOptions, WarningKind, read_trace};

use crate::common::{trace_file, utc};

fn read(rel: &str, format: Format) -> lighthouse_replay::Trace {
    read_trace(trace_file(rel), &ReadOptions::new(format)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn worldcup98_fills_the_ten_missing_minutes_with_zeros() {
    let t = read("worldcup98/requests_per_minute.csv", Format::WorldCup98);
    let s = t.get("worldcup98", "requests_per_minute").unwrap();
    // 125,300 rows over 125,310 minutes: 10 minutes had no request.
    assert_eq!(s.len(), 125_310);
    assert_eq!(s.start_ms(), Some(utc("1998-04-30T21:30:00Z")));
    assert_eq!(s.end_ms(), Some(utc("1998-07-26T21:59:00Z")));
    assert!(s.timestamps_ms.windows(2).all(|w| w[1] - w[0] == 60_000));
    assert_eq!(s.values.iter().filter(|v| **v == 0.0).count(), 10);
    assert_eq!(s.sum(), 1_352_804_107.0);
    assert_eq!(s.peak(), Some((utc("1998-07-07T21:41:00Z"), 229_426.0)));
    let gaps = t
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::GapsFilled)
        .unwrap();
    assert_eq!(gaps.count, 10);
    assert_eq!(s.values[0], 2.0);
}

#[test]
fn wikipedia_rows_are_sorted_with_a_warning() {
    let t = read(
        "wikipedia_en_2016_01_hourly/hourly_summary_unsorted.csv",
        Format::Wikipedia,
    );
    assert_eq!(t.series.len(), 3);
    let s = t.get("wikipedia_en", "requests_per_hour").unwrap();
    assert_eq!(s.len(), 744);
    assert_eq!(s.start_ms(), Some(1_451_606_400_000));
    assert_eq!(s.end_ms(), Some(1_454_281_200_000));
    assert!(s.timestamps_ms.windows(2).all(|w| w[1] - w[0] == 3_600_000));
    assert_eq!(s.sum(), 5_536_487_588.0);
    assert_eq!(s.peak(), Some((1_452_538_800_000, 10_548_855.0)));
    let unsorted = t
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Unsorted)
        .unwrap();
    // 405 rows are earlier than the row before them in the file.
    assert_eq!(unsorted.count, 405);
}

#[test]
fn wikipedia_is_refused_under_strict() {
    let path = trace_file("wikipedia_en_2016_01_hourly/hourly_summary_unsorted.csv");
    let err = read_trace(&path, &ReadOptions::new(Format::Wikipedia).strict(true)).unwrap_err();
    let lighthouse_replay::TraceError::OutOfOrder { line, value, .. } = &err else {
        panic!("expected OutOfOrder, got {err}");
    };
    // The first line whose timestamp is below the previous line's.
    let text = std::fs::read_to_string(&path).unwrap();
    let ts: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap().parse().unwrap())
        .collect();
    let first_drop = ts.windows(2).position(|w| w[1] < w[0]).unwrap() + 3;
    assert_eq!(*line, first_drop as u64);
    assert!(
        value.starts_with(
            text.lines()
                .nth(first_drop - 1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
        )
    );
}

#[test]
fn azure_functions_one_series_per_function() {
    let t = read(
        "azure_functions_2019/traces_1_invocations.csv",
        Format::AzureFunctions,
    );
    assert_eq!(t.series.len(), 1);
    let s = &t.series[0];
    assert!(s.resource.starts_with("063ba6f3"));
    assert_eq!(s.metric, "invocations_per_minute");
    assert_eq!(s.len(), 1440);
    assert_eq!((s.start_ms(), s.end_ms()), (Some(0), Some(1439 * 60_000)));
    assert_eq!(s.sum(), 20_820_188.0);
    assert_eq!(s.peak(), Some((189 * 60_000, 15_001.0)));
    let rate = per_second(s, 60_000).unwrap();
    assert_eq!(rate.metric, "invocations_per_second");
    assert!((rate.values[0] - 12_787.0 / 60.0).abs() < 1e-9);

    let t10 = read(
        "azure_functions_2019/traces_10_invocations.csv",
        Format::AzureFunctions,
    );
    assert_eq!(t10.series.len(), 10);
    assert!(t10.series.iter().all(|s| s.len() == 1440));
    let total: f64 = t10.series.iter().map(|s| s.sum()).sum();
    assert_eq!(total, 13_037_064.0);
    let first = t10
        .series
        .iter()
        .find(|s| s.resource.starts_with("47658c9c"))
        .unwrap();
    assert_eq!(first.sum(), 281_962.0);
}

#[test]
fn alibaba_cluster_mean_uses_the_step_in_the_file_name() {
    for (secs, rows, peak_at) in [
        (30i64, 22_415usize, 607_350_000i64),
        (300, 2_243, 607_800_000),
    ] {
        let rel =
            format!("alibaba_2018_cluster/machine_usage_days_1_to_8_grouped_{secs}_seconds.csv");
        let t = read(&rel, Format::Alibaba);
        assert_eq!(t.series.len(), 5, "{rel}");
        let cpu = t.get("cluster_mean", "cpu_util_percent").unwrap();
        assert_eq!(cpu.len(), rows);
        assert_eq!(cpu.end_ms(), Some((rows as i64 - 1) * secs * 1000));
        assert_eq!(cpu.values[0], 16.126976521322472);
        assert_eq!(cpu.peak(), Some((peak_at, 79.07429568686113)));
    }
}

#[test]
fn alibaba_step_option_overrides_and_is_required_without_name_hint() {
    let text = std::fs::read(trace_file(
        "alibaba_2018_cluster/machine_usage_days_1_to_8_grouped_300_seconds.csv",
    ))
    .unwrap();
    let (_d, path) = crate::common::temp_file("cluster_mean.csv", &text);
    assert!(read_trace(&path, &ReadOptions::new(Format::Alibaba)).is_err());
    let mut opts = ReadOptions::new(Format::Alibaba);
    opts.step_ms = Some(60_000);
    opts.start_ms = Some(1_000);
    let t = read_trace(&path, &opts).unwrap();
    assert_eq!(t.series[0].timestamps_ms[..2], [1_000, 61_000]);
    assert_eq!(
        alibaba::step_from_file_name("x_grouped_30_seconds.csv".as_ref()),
        Some(30_000)
    );
}

#[test]
fn alibaba_machine_usage_drops_invalid_readings() {
    let t = read("fixtures/alibaba_machine_usage.csv", Format::Alibaba);
    // m_1932 has no mem_gps/mkpi at all: 5 + 7 series.
    assert_eq!(t.series.len(), 12);
    let cpu = t.get("m_1932", "cpu_util_percent").unwrap();
    assert_eq!(cpu.timestamps_ms, vec![0, 10_000, 30_000]);
    assert_eq!(cpu.values, vec![41.0, 42.0, 45.0]);
    let cpu7 = t.get("m_7", "cpu_util_percent").unwrap();
    assert_eq!(cpu7.values, vec![18.0, 21.0, 22.0]);
    assert_eq!(
        t.get("m_7", "disk_io_percent").unwrap().values,
        vec![5.0, 6.0, 7.0]
    );
    assert!(t.get("m_1932", "mem_gps").is_none());
    let dropped: usize = t
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::InvalidSamplesDropped)
        .map(|w| w.count)
        .sum();
    assert_eq!(dropped, 11);
}

#[test]
fn bitbrains_reads_seconds_despite_the_ms_header() {
    let t = read("bitbrains_rnd/vm_1.csv", Format::Bitbrains);
    assert_eq!(t.series.len(), 10);
    let cpu = t.get("vm_1", "cpu_usage_percent").unwrap();
    assert_eq!(cpu.len(), 8260);
    assert_eq!(cpu.start_ms(), Some(1_372_629_804_000));
    assert_eq!(cpu.end_ms(), Some(1_375_221_457_000));
    assert_eq!(cpu.peak(), Some((1_372_718_313_000, 62.9)));
    assert!(t.has_warning(WarningKind::UnitCorrected));
    assert!(
        t.get("vm_1", "network_transmitted_throughput_kb_per_s")
            .is_some()
    );
}

#[test]
fn azure_vm_series_per_vm_and_statistic() {
    let t = read("fixtures/azure_vm_cpu_readings.csv", Format::AzureVm);
    assert_eq!(t.series.len(), 6);
    let vm = "yNf/R3X8fyXkOJm3ihXQcT0F52a8cDWPPRzTT6QFW8N+1QPfeKR5//6xyX0VYn7X";
    let avg = t.get(vm, "avg_cpu_percent").unwrap();
    assert_eq!(avg.timestamps_ms, vec![0, 300_000, 600_000, 900_000]);
    assert_eq!(avg.values, vec![22.16, 23.05, 21.93, 25.48]);
    assert_eq!(
        t.get(vm, "max_cpu_percent").unwrap().peak(),
        Some((900_000, 35.11))
    );
}

#[test]
fn azure_llm_counts_requests_per_second() {
    let t = read("azure_llm_2023/requests_code.csv", Format::AzureLlm);
    let rps = t.get("code", "requests_per_second").unwrap();
    // 8,819 requests from 18:17:03 to 19:14:19: 3,437 seconds, 2,523 empty.
    assert_eq!(rps.sum(), 8_819.0);
    assert_eq!(rps.len(), 3_437);
    assert_eq!(rps.start_ms(), Some(utc("2023-11-16T18:17:03Z")));
    assert_eq!(rps.end_ms(), Some(utc("2023-11-16T19:14:19Z")));
    assert_eq!(rps.values.iter().filter(|v| **v == 0.0).count(), 2_523);
    assert_eq!(rps.peak(), Some((1_700_159_486_000, 67.0)));
    let ctx = t.get("code", "context_tokens_per_second").unwrap();
    assert_eq!(ctx.sum(), 18_059_974.0);
    assert_eq!(
        t.get("code", "generated_tokens_per_second").unwrap().sum(),
        245_896.0
    );
}

#[test]
fn counts_one_or_many_per_line() {
    let t = read("fixtures/counts_per_second.txt", Format::Counts);
    let s = &t.series[0];
    assert_eq!(s.values, vec![3.0, 5.0, 2.0, 7.0, 0.0, 1.0, 4.0, 4.0]);
    assert_eq!(
        s.timestamps_ms,
        (0..8).map(|k| k * 1000).collect::<Vec<_>>()
    );
    assert_eq!(s.resource, "counts_per_second");
}
