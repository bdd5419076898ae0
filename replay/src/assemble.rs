//! Groups samples into series while a file streams past, then applies the
//! ordering rules: stable sort of unsorted series, last-row-wins for
//! duplicate timestamps (or refusal under strict), or summing per bucket.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{TraceSeries, TraceWarning, WarningKind};

/// How samples with the same timestamp combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// One sample per timestamp is expected; a repeat replaces the earlier
    /// one (with a warning) or is refused under strict.
    KeepLast,
    /// Timestamps are floored to multiples of this many ms and the values
    /// in one bucket are summed (events to counts); order does not matter.
    SumPerBucket(i64),
}

/// A strict-mode ordering violation found while pushing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrderIssue {
    OutOfOrder,
    Duplicate,
}

#[derive(Debug)]
struct Acc {
    resource: String,
    metric: String,
    ts: Vec<i64>,
    vals: Vec<f64>,
    /// Rows whose timestamp was below their predecessor's.
    late_rows: usize,
}

/// Series under construction, in order of first appearance.
#[derive(Debug)]
pub(crate) struct Accumulator {
    strict: bool,
    merge: Merge,
    index: HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>>,
    series: Vec<Acc>,
    /// Samples dropped as sentinels, per series id.
    dropped: Vec<usize>,
}

impl Accumulator {
    pub(crate) fn new(strict: bool, merge: Merge) -> Self {
        Self {
            strict,
            merge,
            index: HashMap::default(),
            series: Vec::new(),
            dropped: Vec::new(),
        }
    }

    /// The id of series (`resource`, `metric`), created on first use.
    #[inline]
    pub(crate) fn id(&mut self, resource: &str, metric: &str) -> u32 {
        let h = hash_pair(resource, metric);
        let bucket = self.index.entry(h).or_default();
        for &id in bucket.iter() {
            let s = &self.series[id as usize];
            if s.resource == resource && s.metric == metric {
                return id;
            }
        }
        let id = self.series.len() as u32;
        bucket.push(id);
        self.series.push(Acc {
            resource: resource.to_string(),
            metric: metric.to_string(),
            ts: Vec::new(),
            vals: Vec::new(),
            late_rows: 0,
        });
        self.dropped.push(0);
        id
    }

    /// Name `resource/metric` of series `id`.
    pub(crate) fn name(&self, id: u32) -> String {
        let s = &self.series[id as usize];
        format!("{}/{}", s.resource, s.metric)
    }

    /// Counts a sample of series `id` dropped by a sentinel rule.
    pub(crate) fn drop_sample(&mut self, id: u32) {
        self.dropped[id as usize] += 1;
    }

    /// Appends a sample; under strict, returns the ordering rule it breaks
    /// (and does not store it).
    #[inline]
    pub(crate) fn push(&mut self, id: u32, ts_ms: i64, value: f64) -> Option<OrderIssue> {
        let s = &mut self.series[id as usize];
        let ts = match self.merge {
            Merge::SumPerBucket(b) => ts_ms.div_euclid(b) * b,
            Merge::KeepLast => {
                if let Some(&last) = s.ts.last()
                    && ts_ms <= last
                {
                    if self.strict {
                        return Some(if ts_ms == last {
                            OrderIssue::Duplicate
                        } else {
                            OrderIssue::OutOfOrder
                        });
                    }
                    if ts_ms < last {
                        s.late_rows += 1;
                    }
                }
                ts_ms
            }
        };
        s.ts.push(ts);
        s.vals.push(value);
        None
    }

    /// Sorts, merges and names the series, sorted by (resource, metric).
    pub(crate) fn finish(self) -> (Vec<TraceSeries>, Vec<TraceWarning>) {
        let mut out = Vec::with_capacity(self.series.len());
        let mut warnings = Vec::new();
        for (acc, dropped) in self.series.into_iter().zip(self.dropped) {
            let name = format!("{}/{}", acc.resource, acc.metric);
            if dropped > 0 {
                warnings.push(TraceWarning {
                    kind: WarningKind::InvalidSamplesDropped,
                    series: Some(name.clone()),
                    count: dropped,
                    detail: "values the source marks as invalid were dropped".into(),
                });
            }
            let needs_sort = acc.late_rows > 0 || matches!(self.merge, Merge::SumPerBucket(_));
            let (mut ts, mut vals) = (acc.ts, acc.vals);
            if needs_sort && !ts.windows(2).all(|w| w[0] <= w[1]) {
                sort_together(&mut ts, &mut vals);
                if acc.late_rows > 0 {
                    warnings.push(TraceWarning {
                        kind: WarningKind::Unsorted,
                        series: Some(name.clone()),
                        count: acc.late_rows,
                        detail: "rows were not in time order; sorted by timestamp (stable)".into(),
                    });
                }
            }
            let merged = merge_equal(&mut ts, &mut vals, self.merge);
            if merged > 0 && self.merge == Merge::KeepLast {
                warnings.push(TraceWarning {
                    kind: WarningKind::DuplicateTimestamps,
                    series: Some(name.clone()),
                    count: merged,
                    detail: "repeated timestamps; the last row in file order was kept".into(),
                });
            }
            if !ts.is_empty() {
                out.push(TraceSeries::new(acc.resource, acc.metric, ts, vals));
            }
        }
        out.sort_by(|a, b| (&a.resource, &a.metric).cmp(&(&b.resource, &b.metric)));
        (out, warnings)
    }
}

/// Stable sort of parallel vectors by timestamp.
fn sort_together(ts: &mut Vec<i64>, vals: &mut Vec<f64>) {
    let mut idx: Vec<u32> = (0..ts.len() as u32).collect();
    idx.sort_by_key(|&i| ts[i as usize]);
    *ts = idx.iter().map(|&i| ts[i as usize]).collect();
    *vals = idx.iter().map(|&i| vals[i as usize]).collect();
}

/// Collapses runs of equal timestamps (input sorted); returns how many
/// samples were merged away.
fn merge_equal(ts: &mut Vec<i64>, vals: &mut Vec<f64>, merge: Merge) -> usize {
    if ts.windows(2).all(|w| w[0] < w[1]) {
        return 0;
    }
    let mut w = 0;
    for r in 0..ts.len() {
        if w > 0 && ts[w - 1] == ts[r] {
            match merge {
                Merge::KeepLast => vals[w - 1] = vals[r],
                Merge::SumPerBucket(_) => vals[w - 1] += vals[r],
            }
        } else {
            ts[w] = ts[r];
            vals[w] = vals[r];
            w += 1;
        }
    }
    let merged = ts.len() - w;
    ts.truncate(w);
    vals.truncate(w);
    merged
}

/// FxHash-style mixing of a (resource, metric) pair; the 0xFF separator
/// never occurs in UTF-8, so ("ab","c") and ("a","bc") differ.
#[inline]
fn hash_pair(a: &str, b: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = 0u64;
    let mut mix = |bytes: &[u8]| {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &byte in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(byte)).wrapping_mul(K);
        }
    };
    mix(a.as_bytes());
    mix(&[0xFF]);
    mix(b.as_bytes());
    h
}

/// The keys are already hashes; hashing them again would only cost time.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsorted_rows_are_sorted_with_a_warning_and_duplicates_keep_last() {
        let mut acc = Accumulator::new(false, Merge::KeepLast);
        let a = acc.id("r", "m");
        for (t, v) in [(30, 3.0), (10, 1.0), (20, 2.0), (20, 9.0)] {
            assert_eq!(acc.push(a, t, v), None);
        }
        let (series, warnings) = acc.finish();
        assert_eq!(series[0].timestamps_ms, vec![10, 20, 30]);
        assert_eq!(series[0].values, vec![1.0, 9.0, 3.0]);
        let kinds: Vec<_> = warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            kinds,
            vec![WarningKind::Unsorted, WarningKind::DuplicateTimestamps]
        );
    }

    #[test]
    fn strict_refuses_disorder_and_repeats() {
        let mut acc = Accumulator::new(true, Merge::KeepLast);
        let a = acc.id("r", "m");
        assert_eq!(acc.push(a, 10, 1.0), None);
        assert_eq!(acc.push(a, 10, 1.0), Some(OrderIssue::Duplicate));
        assert_eq!(acc.push(a, 5, 1.0), Some(OrderIssue::OutOfOrder));
    }

    #[test]
    fn buckets_sum_events() {
        let mut acc = Accumulator::new(true, Merge::SumPerBucket(1000));
        let a = acc.id("r", "m");
        for t in [1999, 1000, 1500, 3000, -1] {
            assert_eq!(acc.push(a, t, 1.0), None);
        }
        let (series, warnings) = acc.finish();
        assert_eq!(series[0].timestamps_ms, vec![-1000, 1000, 3000]);
        assert_eq!(series[0].values, vec![1.0, 3.0, 1.0]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn ids_are_stable_and_output_is_sorted_by_key() {
        let mut acc = Accumulator::new(false, Merge::KeepLast);
        let b = acc.id("b", "x");
        let a = acc.id("a", "y");
        assert_eq!(acc.id("b", "x"), b);
        assert_ne!(acc.id("ab", "x"), acc.id("a", "bx"));
        acc.push(b, 1, 1.0);
        acc.push(a, 1, 1.0);
        let (series, _) = acc.finish();
        let names: Vec<_> = series.iter().map(TraceSeries::name).collect();
        assert_eq!(names, vec!["a/y", "b/x"]);
    }
}
