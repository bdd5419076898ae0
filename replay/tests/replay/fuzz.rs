//! Property tests: no reader panics on arbitrary or mutated input; each
//! returns a trace or a typed error.

use proptest::prelude::*;

use lighthouse_replay::{Format, ReadOptions, Trace, read_trace};

use crate::common::{temp_file, trace_file};

/// Small valid inputs, one per format, to mutate.
fn seeds() -> Vec<(Format, Vec<u8>)> {
    let sample = |rel: &str, max: usize| {
        let bytes = std::fs::read(trace_file(rel)).unwrap();
        // Whole lines only, so that each seed is valid.
        let cut = bytes[..bytes.len().min(max)]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        bytes[..cut].to_vec()
    };
    vec![
        (
            Format::Long,
            b"timestamp,resource_id,metric,value\n1700000000,r,m,1\n1700000001,r,m,2\n".to_vec(),
        ),
        (
            Format::Wide,
            b"time,a,b\n2024-01-01T00:00:00Z,1,2\n2024-01-01T00:01:00Z,3,4\n".to_vec(),
        ),
        (
            Format::Load,
            b"timestamp,app,requests_per_second\n1700000000,web,3\n".to_vec(),
        ),
        (
            Format::WorldCup98,
            sample("worldcup98/requests_per_minute.csv", 300),
        ),
        (
            Format::Wikipedia,
            sample(
                "wikipedia_en_2016_01_hourly/hourly_summary_unsorted.csv",
                600,
            ),
        ),
        (
            Format::AzureFunctions,
            b"HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2,3\n".to_vec(),
        ),
        (
            Format::Alibaba,
            sample("fixtures/alibaba_machine_usage.csv", 400),
        ),
        (Format::Bitbrains, sample("bitbrains_rnd/vm_1.csv", 700)),
        (
            Format::AzureVm,
            sample("fixtures/azure_vm_cpu_readings.csv", 400),
        ),
        (
            Format::AzureLlm,
            sample("azure_llm_2023/requests_code.csv", 300),
        ),
        (Format::Counts, b"1 2 3\n4\n".to_vec()),
    ]
}

/// Reads `bytes` as `format`; the invariant of every returned series is
/// checked, errors just have to exist.
fn check(format: Format, bytes: &[u8]) {
    let name = if format == Format::Alibaba {
        "x_grouped_30_seconds.csv"
    } else {
        "input.csv"
    };
    let (_d, path) = temp_file(name, bytes);
    if let Ok(trace) = read_trace(&path, &ReadOptions::new(format)) {
        assert_invariants(&trace);
    }
}

fn assert_invariants(t: &Trace) {
    for s in &t.series {
        assert_eq!(s.timestamps_ms.len(), s.values.len());
        assert!(
            s.timestamps_ms.windows(2).all(|w| w[0] < w[1]),
            "{} not strictly ascending",
            s.name()
        );
        assert!(s.values.iter().all(|v| v.is_finite()));
    }
    assert!(
        t.series
            .windows(2)
            .all(|w| (&w[0].resource, &w[0].metric) < (&w[1].resource, &w[1].metric))
    );
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte = prop_oneof![
        Just(b','),
        Just(b';'),
        Just(b'\n'),
        Just(b'\r'),
        Just(b'"'),
        Just(b' '),
        Just(b'-'),
        Just(b'.'),
        Just(b'\t'),
        Just(b'9'),
        Just(b'e'),
        Just(b'N'),
        Just(0u8),
        any::<u8>()
    ];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Replace(i, b) if !bytes.is_empty() => bytes[i % n] = b,
            Edit::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
            Edit::Delete(i) if !bytes.is_empty() => {
                bytes.remove(i % n);
            }
            Edit::Truncate(i) => bytes.truncate(i % (bytes.len() + 1)),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), which in 0usize..11) {
        check(Format::ALL[which], &bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[0-9a-zA-Z,;:. \\-\\t\\n\"]{0,300}", which in 0usize..11) {
        check(Format::ALL[which], text.as_bytes());
    }

    #[test]
    fn arbitrary_parquet_bodies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400), which in 0usize..3) {
        let mut bytes = b"PAR1".to_vec();
        bytes.extend(body);
        bytes.extend(b"PAR1");
        let (_d, path) = temp_file("input.parquet", &bytes);
        let _ = read_trace(&path, &ReadOptions::new(Format::ALL[which]));
    }

    #[test]
    fn mutated_valid_inputs_never_panic(edits in proptest::collection::vec(edit(), 1..6), which in 0usize..11) {
        let (format, seed) = seeds().swap_remove(which);
        check(format, &apply(seed, &edits));
    }
}

#[test]
fn every_seed_reads_cleanly() {
    for (format, seed) in seeds() {
        let name = if format == Format::Alibaba {
            "x_grouped_30_seconds.csv"
        } else {
            "input.csv"
        };
        let (_d, path) = temp_file(name, &seed);
        let t = read_trace(&path, &ReadOptions::new(format))
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(t.total_samples() > 0, "{format}");
        assert_invariants(&t);
    }
}
