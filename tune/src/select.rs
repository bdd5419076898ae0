//! The Pareto front over (cost, SLA breach minutes, flaps), the
//! constraints, and the recommended run.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// What "best" means among the runs that meet the constraints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Objective {
    /// Lowest cost; ties by breach minutes, flaps, then run index.
    #[default]
    Cost,
    /// Fewest breach minutes; ties by cost, flaps, run index.
    Breach,
    /// Fewest flaps; ties by cost, breach minutes, run index.
    Flaps,
}

impl Objective {
    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::Cost => "cost",
            Objective::Breach => "breach",
            Objective::Flaps => "flaps",
        }
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Objective {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "cost" => Ok(Objective::Cost),
            "breach" | "breach_minutes" => Ok(Objective::Breach),
            "flaps" => Ok(Objective::Flaps),
            other => Err(format!(
                "--objective {other:?}: expected cost, breach or flaps"
            )),
        }
    }
}

/// Limits a recommended run must meet; `None` is no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Constraints {
    /// Most SLA breach minutes over the run, all apps summed.
    pub max_breach_minutes: Option<f64>,
    /// Most flaps per simulated day.
    pub max_flaps_per_day: Option<f64>,
}

impl Constraints {
    /// Refuses negative or non-finite limits.
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in [
            ("--max-breach-minutes", self.max_breach_minutes),
            ("--max-flaps-per-day", self.max_flaps_per_day),
        ] {
            if let Some(v) = v
                && (!v.is_finite() || v < 0.0)
            {
                return Err(format!("{name} {v}: expected a number ≥ 0"));
            }
        }
        Ok(())
    }

    /// Whether a run meets every limit.
    pub fn met_by(&self, p: &Scored) -> bool {
        self.max_breach_minutes
            .is_none_or(|m| p.breach_minutes <= m)
            && self.max_flaps_per_day.is_none_or(|m| p.flaps_per_day <= m)
    }

    /// The limits as text, e.g. `breach ≤ 10 min, flaps ≤ 2/day`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = self.max_breach_minutes {
            parts.push(format!("breach ≤ {m} min"));
        }
        if let Some(m) = self.max_flaps_per_day {
            parts.push(format!("flaps ≤ {m}/day"));
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    }
}

/// A run's judged figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scored {
    /// Index in the plan.
    pub run: usize,
    /// Cost, money.
    pub cost: f64,
    /// SLA breach minutes.
    pub breach_minutes: f64,
    /// Flaps.
    pub flaps: f64,
    /// Flaps per simulated day.
    pub flaps_per_day: f64,
}

/// Whether `a` dominates `b`: no worse on all three, better on one.
fn dominates(a: &Scored, b: &Scored) -> bool {
    let (x, y) = (
        [a.cost, a.breach_minutes, a.flaps],
        [b.cost, b.breach_minutes, b.flaps],
    );
    x.iter()
        .zip(&y)
        .all(|(p, q)| p.total_cmp(q) != Ordering::Greater)
        && x.iter()
            .zip(&y)
            .any(|(p, q)| p.total_cmp(q) == Ordering::Less)
}

/// For each run, whether no other run dominates it (equal runs are both
/// on the front).
pub fn pareto_front(points: &[Scored]) -> Vec<bool> {
    points
        .iter()
        .map(|p| !points.iter().any(|q| dominates(q, p)))
        .collect()
}

/// Orders runs by `objective`, then the other figures, then run index.
pub fn compare(objective: Objective, a: &Scored, b: &Scored) -> Ordering {
    let key = |p: &Scored| match objective {
        Objective::Cost => [p.cost, p.breach_minutes, p.flaps],
        Objective::Breach => [p.breach_minutes, p.cost, p.flaps],
        Objective::Flaps => [p.flaps_per_day, p.cost, p.breach_minutes],
    };
    let (ka, kb) = (key(a), key(b));
    ka.iter()
        .zip(&kb)
        .map(|(x, y)| x.total_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
        .then(a.run.cmp(&b.run))
}

/// Position in `points` of the best run that meets the constraints.
pub fn best(points: &[Scored], objective: Objective, constraints: &Constraints) -> Option<usize> {
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| constraints.met_by(p))
        .min_by(|(_, a), (_, b)| compare(objective, a, b))
        .map(|(i, _)| i)
}
