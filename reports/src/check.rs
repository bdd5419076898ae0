//! The stream check: the figures computed from the stored timeline against
//! those the recorder accumulated from every sample. They must agree when
//! the timeline is at full resolution; at coarser resolution the timeline's
//! figures are approximations and are not compared.

use lighthouse_sim::record::{Figures, RunMeta, StreamSummary};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most mismatches listed in `summary.json`.
const MAX_LISTED: usize = 50;

/// Outcome of the stream check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Full resolution and every value agrees.
    Matched,
    /// Full resolution and some values disagree (listed).
    Mismatched,
    /// The timeline is coarser than the samples: not compared.
    Coarse,
    /// There is no `stream_summary.json`.
    Absent,
}

/// One value that disagrees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mismatch {
    /// Path of the value in `figures`, e.g. `cost.by_app[3].cost`.
    pub key: String,
    /// The stream summary's value (JSON).
    pub stream: Value,
    /// The stored timeline's value (JSON).
    pub timeline: Value,
}

/// `summary.json`'s `stream_check`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamCheck {
    /// Outcome.
    pub status: CheckStatus,
    /// Relative tolerance used: |a−b| ≤ tolerance·max(|a|,|b|) + 1e-12.
    pub tolerance: f64,
    /// Values compared.
    pub compared: u64,
    /// Values that disagree (all of them counted, the first 50 listed).
    pub mismatch_count: u64,
    /// The first disagreements.
    pub mismatches: Vec<Mismatch>,
}

/// Compares `timeline` with the stream summary, if any.
pub fn check_stream(
    meta: &RunMeta,
    stream: Option<&StreamSummary>,
    timeline: &Figures,
    tolerance: f64,
) -> StreamCheck {
    let mut check = StreamCheck {
        status: CheckStatus::Absent,
        tolerance,
        compared: 0,
        mismatch_count: 0,
        mismatches: Vec::new(),
    };
    let Some(stream) = stream else { return check };
    if meta.timeline_resolution_s != meta.sample_interval_s {
        check.status = CheckStatus::Coarse;
        return check;
    }
    let a = serde_json::to_value(&stream.figures).unwrap_or(Value::Null);
    let b = serde_json::to_value(timeline).unwrap_or(Value::Null);
    compare_values("", &a, &b, tolerance, &mut check);
    check.status = if check.mismatch_count == 0 {
        CheckStatus::Matched
    } else {
        CheckStatus::Mismatched
    };
    check
}

/// Whether two numbers agree within the relative tolerance.
pub fn close(a: f64, b: f64, tolerance: f64) -> bool {
    a == b || (a - b).abs() <= tolerance * a.abs().max(b.abs()) + 1e-12
}

fn compare_values(key: &str, a: &Value, b: &Value, tol: f64, out: &mut StreamCheck) {
    out.compared += matches!(
        a,
        Value::Number(_) | Value::String(_) | Value::Bool(_) | Value::Null
    ) as u64;
    let same = match (a, b) {
        (Value::Number(x), Value::Number(y)) => close(
            x.as_f64().unwrap_or(f64::NAN),
            y.as_f64().unwrap_or(f64::NAN),
            tol,
        ),
        (Value::Object(x), Value::Object(y))
            if x.len() == y.len() && x.keys().all(|k| y.contains_key(k)) =>
        {
            for (k, v) in x {
                let child = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                compare_values(&child, v, &y[k], tol, out);
            }
            true
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                compare_values(&format!("{key}[{i}]"), v, w, tol, out);
            }
            true
        }
        _ => a == b,
    };
    if !same {
        out.mismatch_count += 1;
        if out.mismatches.len() < MAX_LISTED {
            out.mismatches.push(Mismatch {
                key: key.to_owned(),
                stream: a.clone(),
                timeline: b.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_within_tolerance_match_and_others_are_listed_with_their_path() {
        let mut out = StreamCheck {
            status: CheckStatus::Absent,
            tolerance: 1e-9,
            compared: 0,
            mismatch_count: 0,
            mismatches: vec![],
        };
        let a = json!({"x": 1.0, "list": [{"v": 2.0}, {"v": 3.0}], "name": "a", "n": null});
        let b = json!({"x": 1.0 + 1e-12, "list": [{"v": 2.0}, {"v": 3.1}], "name": "b", "n": null});
        compare_values("", &a, &b, 1e-9, &mut out);
        assert_eq!(out.compared, 5);
        let keys: Vec<&str> = out.mismatches.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, vec!["list[1].v", "name"]);
        assert!(close(0.0, 1e-13, 1e-9));
        assert!(!close(1.0, 1.0 + 1e-8, 1e-9));
    }
}
