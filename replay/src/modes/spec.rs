//! The `[replay]` table of a replay scenario, and the options that override
//! it (the command line's flags).
//!
//! ```toml
//! [replay]
//! trace = "../traces/worldcup98/requests_per_minute.csv"  # relative to this file
//! format = "worldcup98"
//! mode = "closed"                    # or "open"
//! from = "1998-06-29T00:00:00Z"      # window: an instant, or an offset such as "2d"
//! to = "1998-07-01T00:00:00Z"
//! gap = "zero"                       # hold | zero | linear (default: zero for rates, hold for utilisation)
//! scale = "1x"                       # amplitude
//! shift = "0s"                       # move in time
//! speed_up = 1.0                     # compress time
//! loop = "7d"                        # repeat the window until this long
//!
//! [[replay.apps]]
//! app = "web"                                 # an app or platform component of the scenario
//! series = "worldcup98/requests_per_minute"   # `resource/metric`, or a resource with one series
//! kind = "rate"                               # or "utilization"; default from the metric name
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use lighthouse_sim::scenario::Dur;
use serde::{Deserialize, Serialize};

use crate::options::Format;
use crate::shape::{AppMapping, GapRule};

/// Open loop (a shadow replay: decisions only) or closed loop (the trace is
/// demand that a simulated fleet serves).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplayMode {
    /// The recorded metrics reach the engine as they are; its decisions are
    /// recorded, nothing reacts.
    Open,
    /// The trace is demand; the simulated fleet serves it and the policy's
    /// choices change latency, breaches and cost.
    #[default]
    Closed,
}

impl ReplayMode {
    /// `open` or `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for ReplayMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReplayMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" | "open-loop" | "shadow" => Ok(Self::Open),
            "closed" | "closed-loop" => Ok(Self::Closed),
            _ => Err(format!(
                "unknown replay mode {s:?}: expected open or closed"
            )),
        }
    }
}

/// What a series' values are, which decides how they become demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandKind {
    /// Requests (or invocations, tokens…) per period: the metric name ends
    /// in `_per_second`, `_per_minute` or `_per_hour`, or `per` gives the
    /// period. Demand = value ÷ period in seconds, requests per second.
    Rate,
    /// Utilisation in percent of a capacity (`…percent…`, `…util…`):
    /// demand = value/100 × capacity in instances × the app's service rate.
    #[serde(alias = "utilisation")]
    Utilization,
}

impl DemandKind {
    /// The kind a metric name implies, if it implies one.
    pub fn from_metric(metric: &str) -> Option<Self> {
        let m = metric.to_ascii_lowercase();
        if m.contains("percent") || m.contains("util") {
            Some(Self::Utilization)
        } else if m.ends_with("_per_second")
            || m.ends_with("_per_minute")
            || m.ends_with("_per_hour")
        {
            Some(Self::Rate)
        } else {
            None
        }
    }

    /// `rate` or `utilization`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Utilization => "utilization",
        }
    }

    /// The default gap rule: a missing count is no request (zero), a
    /// missing utilisation persists (hold).
    pub fn default_gap(self) -> GapRule {
        match self {
            Self::Rate => GapRule::Zero,
            Self::Utilization => GapRule::Hold,
        }
    }
}

/// The unit of a capacity series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityUnit {
    /// CPU cores (Bitbrains `cpu_cores`): instances = cores ÷ the app's
    /// `cpu_cores`.
    #[default]
    Cores,
    /// Instances.
    Instances,
}

/// A number or a text (`scale = 10` or `scale = "10x"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrText {
    /// A number.
    Number(f64),
    /// A text.
    Text(String),
}

impl fmt::Display for NumberOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(t) => write!(f, "{t:?}"),
        }
    }
}

/// One app fed from the trace: `[[replay.apps]]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSource {
    /// The app or platform component (its `name` in the scenario; copies of
    /// an app with `count` > 1 all replay the series).
    pub app: String,
    /// The demand series: `resource/metric`, or a resource that has a
    /// single series.
    pub series: String,
    /// How the values become demand (default: from the metric name).
    #[serde(default)]
    pub kind: Option<DemandKind>,
    /// Rate: the period the values count over (e.g. `"5m"`), when the
    /// metric name does not say.
    #[serde(default)]
    pub per: Option<String>,
    /// Utilisation: a series of the trace with the capacity the utilisation
    /// was measured on (e.g. Bitbrains `vm_1/cpu_cores`). In open loop it
    /// is also the capacity the engine is told.
    #[serde(default)]
    pub capacity_series: Option<String>,
    /// Unit of `capacity_series` (default cores).
    #[serde(default)]
    pub capacity_unit: CapacityUnit,
    /// Utilisation: a fixed capacity in cores.
    #[serde(default)]
    pub capacity_cores: Option<f64>,
    /// Utilisation: a fixed capacity in instances.
    #[serde(default)]
    pub capacity_instances: Option<f64>,
    /// Open loop: further series pushed to the engine as they are, by
    /// engine metric name (`memory_percent = "cluster_mean/mem_util_percent"`).
    #[serde(default)]
    pub metrics: BTreeMap<String, String>,
}

impl AppSource {
    /// `app` fed by `series` with every other setting at its default.
    pub fn new(series: impl Into<String>, app: impl Into<String>) -> Self {
        Self {
            app: app.into(),
            series: series.into(),
            kind: None,
            per: None,
            capacity_series: None,
            capacity_unit: CapacityUnit::Cores,
            capacity_cores: None,
            capacity_instances: None,
            metrics: BTreeMap::new(),
        }
    }
}

/// The `[replay]` table: what to replay and how. Every field is optional;
/// the command line's [`ReplayOptions`] override them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaySpec {
    /// The trace file, relative to the scenario file.
    #[serde(default)]
    pub trace: Option<String>,
    /// Its format (`worldcup98`, `alibaba`, … see the traces README).
    #[serde(default)]
    pub format: Option<String>,
    /// Open or closed loop (default closed).
    #[serde(default)]
    pub mode: Option<ReplayMode>,
    /// Start of a relative trace (Alibaba, Azure Functions, counts): an
    /// instant such as `2018-01-01T00:00:00Z` (default 1970-01-01).
    #[serde(default)]
    pub trace_start: Option<String>,
    /// Sampling step of a trace without a time column (e.g. `"30s"`).
    #[serde(default)]
    pub trace_step: Option<String>,
    /// Window start: an instant, or an offset from the trace's first sample (`"2d"`).
    #[serde(default)]
    pub from: Option<String>,
    /// Window end (exclusive), like `from`.
    #[serde(default)]
    pub to: Option<String>,
    /// Gap rule: `hold`, `zero` or `linear`.
    #[serde(default)]
    pub gap: Option<String>,
    /// Amplitude factor: `10x`, `0.5`, `50%`.
    #[serde(default)]
    pub scale: Option<NumberOrText>,
    /// Time shift, e.g. `"-1h"`.
    #[serde(default)]
    pub shift: Option<String>,
    /// Time compression factor (> 0).
    #[serde(default)]
    pub speed_up: Option<f64>,
    /// Repeat the window until it covers this long (e.g. `"7d"`).
    #[serde(default, rename = "loop")]
    pub loop_to: Option<String>,
    /// Which app replays which series.
    #[serde(default)]
    pub apps: Vec<AppSource>,
}

/// Overrides of the scenario's `[replay]` table and `[simulation]`, as the
/// command line gives them. `None` keeps the scenario's value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplayOptions {
    /// The trace file (relative to the working directory).
    pub trace: Option<PathBuf>,
    /// Its format.
    pub format: Option<Format>,
    /// Open or closed loop.
    pub mode: Option<ReplayMode>,
    /// `series=app` pairs; an app named here takes this series instead of
    /// the scenario's.
    pub mappings: Vec<AppMapping>,
    /// Window start (instant or offset, as text).
    pub from: Option<String>,
    /// Window end (instant or offset, as text).
    pub to: Option<String>,
    /// Amplitude factor.
    pub scale: Option<f64>,
    /// Time shift, ms.
    pub shift_ms: Option<i64>,
    /// Time compression factor.
    pub speed_up: Option<f64>,
    /// Loop the window until this long, ms.
    pub loop_ms: Option<i64>,
    /// Gap rule for every series.
    pub gap: Option<GapRule>,
    /// Seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Replay length instead of the window's (or the scenario's).
    pub duration: Option<Dur>,
    /// Stored timeline resolution instead of the scenario's.
    pub resolution: Option<Dur>,
    /// Closed loop: check the fleet's bookkeeping after every event (tests).
    pub check_invariants: bool,
    /// Refuse a trace whose rows need repair (unsorted rows, duplicate
    /// timestamps, mixed offsets) instead of repairing it with a warning.
    pub strict: bool,
}
