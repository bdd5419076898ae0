//! Mapping trace series to app names: `series=app` pairs, where `series`
//! is `resource/metric`, or just `resource` when the trace has a single
//! series for it.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::error::TraceError;
use crate::model::{Trace, TraceSeries};

/// One `series=app` pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AppMapping {
    /// `resource/metric` or `resource`.
    pub series: String,
    /// The app that replays it.
    pub app: String,
}

impl FromStr for AppMapping {
    type Err = TraceError;

    /// `series_name=app`; the last `=` splits, so series names may hold `=`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (series, app) = s
            .rsplit_once('=')
            .map(|(a, b)| (a.trim(), b.trim()))
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .ok_or_else(|| TraceError::arg("mapping", s, "expected series_name=app"))?;
        Ok(Self {
            series: series.to_string(),
            app: app.to_string(),
        })
    }
}

/// The series of `trace` each mapping names, keyed by app (sorted). The
/// returned series keep their metric and take the app as resource. Errors
/// name an unknown or ambiguous series, or an app mapped twice.
pub fn map_to_apps(
    trace: &Trace,
    mappings: &[AppMapping],
) -> Result<BTreeMap<String, TraceSeries>, TraceError> {
    let mut out = BTreeMap::new();
    for m in mappings {
        let found: Vec<&TraceSeries> = trace
            .series
            .iter()
            .filter(|s| s.name() == m.series)
            .chain(trace.series.iter().filter(|s| s.resource == m.series))
            .collect();
        let series = match found.as_slice() {
            [one] => *one,
            [first, ..] if first.name() == m.series => *first,
            [] => {
                let names: Vec<String> = trace
                    .series
                    .iter()
                    .take(20)
                    .map(TraceSeries::name)
                    .collect();
                return Err(TraceError::arg(
                    "mapping",
                    format!("{}={}", m.series, m.app),
                    format!("no such series; the trace has: {}", names.join(", ")),
                ));
            }
            many => {
                let names: Vec<String> = many.iter().map(|s| s.name()).collect();
                return Err(TraceError::arg(
                    "mapping",
                    format!("{}={}", m.series, m.app),
                    format!("ambiguous; name one of: {}", names.join(", ")),
                ));
            }
        };
        let mut s = series.clone();
        s.resource = m.app.clone();
        if out.insert(m.app.clone(), s).is_some() {
            return Err(TraceError::arg(
                "mapping",
                format!("{}={}", m.series, m.app),
                "the app is mapped twice",
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace() -> Trace {
        let s = |r: &str, m: &str| TraceSeries::new(r, m, vec![0], vec![1.0]);
        Trace {
            source: "t".into(),
            series: vec![s("a", "cpu"), s("a", "mem"), s("b", "rps")],
            warnings: Vec::new(),
        }
    }

    #[test]
    fn maps_full_names_and_unique_resources() {
        let m: Vec<AppMapping> = ["a/mem=web", "b=api"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let apps = map_to_apps(&trace(), &m).unwrap();
        assert_eq!(apps["web"].metric, "mem");
        assert_eq!(apps["api"].resource, "api");
        assert_eq!(apps.keys().collect::<Vec<_>>(), vec!["api", "web"]);
    }

    #[test]
    fn refuses_unknown_ambiguous_and_twice() {
        let parse = |v: &[&str]| {
            v.iter()
                .map(|s| s.parse().unwrap())
                .collect::<Vec<AppMapping>>()
        };
        assert!(map_to_apps(&trace(), &parse(&["zzz=web"])).is_err());
        assert!(map_to_apps(&trace(), &parse(&["a=web"])).is_err());
        assert!(map_to_apps(&trace(), &parse(&["b=web", "a/cpu=web"])).is_err());
        assert!("noequals".parse::<AppMapping>().is_err());
        assert!("x=".parse::<AppMapping>().is_err());
    }
}
