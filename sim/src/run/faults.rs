//! Injected faults, as the simulator and the executor consult them.

use rand::RngExt;
use rand::rngs::SmallRng;

use crate::scenario::{FaultSpec, Scenario};

#[derive(Clone, Debug)]
struct Failures {
    from: i64,
    to: i64,
    probability: f64,
    resources: Vec<String>,
    lost_answer: bool,
}

#[derive(Clone, Debug)]
struct Window {
    from: i64,
    to: i64,
}

/// Fault windows in absolute epoch ms.
#[derive(Clone, Debug)]
pub struct Faults {
    failures: Vec<Failures>,
    slow: Vec<(Window, i64)>,
    gaps: Vec<(Window, Vec<String>)>,
    noise: Vec<(Window, f64)>,
    rng: SmallRng,
}

impl Faults {
    /// The windows of a scenario starting at `start_ms`.
    pub fn new(s: &Scenario, start_ms: i64, end_ms: i64, rng: SmallRng) -> Self {
        let w = |from: i64, to: i64| Window {
            from: start_ms + from,
            to: start_ms + to,
        };
        let mut f = Faults {
            failures: Vec::new(),
            slow: Vec::new(),
            gaps: Vec::new(),
            noise: Vec::new(),
            rng,
        };
        for spec in &s.faults {
            match spec {
                FaultSpec::ScaleFailures {
                    from,
                    to,
                    probability,
                    resources,
                    lost_answer,
                } => f.failures.push(Failures {
                    from: start_ms + from.as_millis(),
                    to: start_ms + to.as_millis(),
                    probability: *probability,
                    resources: resources.clone(),
                    lost_answer: *lost_answer,
                }),
                FaultSpec::SlowScaling {
                    from,
                    to,
                    extra_delay,
                } => f
                    .slow
                    .push((w(from.as_millis(), to.as_millis()), extra_delay.as_millis())),
                FaultSpec::MetricGap { from, to, apps } => f
                    .gaps
                    .push((w(from.as_millis(), to.as_millis()), apps.clone())),
                FaultSpec::MetricNoise { sigma, from, to } => {
                    let to = to.map_or(end_ms, |t| start_ms + t.as_millis());
                    f.noise.push((
                        Window {
                            from: start_ms + from.as_millis(),
                            to,
                        },
                        *sigma,
                    ))
                }
                FaultSpec::WorkerCrash { .. } => {}
            }
        }
        f
    }

    /// Whether a scale call on `resource` fails now: `Some(false)` fails
    /// outright, `Some(true)` applies but loses its answer, `None` succeeds.
    pub fn scale_failure(&mut self, resource: &str, now_ms: i64) -> Option<bool> {
        for i in 0..self.failures.len() {
            let f = &self.failures[i];
            let applies = now_ms >= f.from
                && now_ms < f.to
                && (f.resources.is_empty() || f.resources.iter().any(|r| r == resource));
            if applies {
                let (p, lost) = (f.probability, f.lost_answer);
                if self.rng.random::<f64>() < p {
                    return Some(lost);
                }
            }
        }
        None
    }

    /// Extra start-up and provisioning delay now, ms.
    pub fn extra_delay_ms(&self, now_ms: i64) -> i64 {
        self.slow
            .iter()
            .filter(|(w, _)| now_ms >= w.from && now_ms < w.to)
            .map(|(_, d)| *d)
            .sum()
    }

    /// Whether no sample of `app` (or of the cluster, for `None`) reaches
    /// the engine now.
    pub fn metric_gap_for(&self, app: Option<(&str, &str)>, now_ms: i64) -> bool {
        self.gaps.iter().any(|(w, apps)| {
            now_ms >= w.from
                && now_ms < w.to
                && (apps.is_empty()
                    || app.is_some_and(|(name, spec)| apps.iter().any(|a| a == name || a == spec)))
        })
    }

    /// Whether any gap window exists (to skip the per-app check cheaply).
    pub fn has_gaps(&self) -> bool {
        !self.gaps.is_empty()
    }

    /// The noise spread in force now (0 without noise).
    pub fn noise_sigma(&self, now_ms: i64) -> f64 {
        self.noise
            .iter()
            .filter(|(w, _)| now_ms >= w.from && now_ms < w.to)
            .map(|(_, s)| *s)
            .fold(0.0, f64::max)
    }
}
