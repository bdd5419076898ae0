//! From a trace and a replay scenario to per-app values on one time grid:
//! mapping series to apps, shaping (window, speed-up, loop, shift, scale),
//! gap filling, and the conversion to demand.
//!
//! Rules (documented in the traces README):
//! - Bounds given as offsets count from the first sample of the mapped
//!   series; a speed-up compresses time around that same instant.
//! - Each series is first resampled to its own native step (the median
//!   spacing of its samples) with the gap rule, so a missing sample is
//!   filled by the rule and a present one is kept. A value then stands for
//!   its whole step (a count per minute is a rate held for the minute).
//! - The grid starts at the earliest mapped sample. Its step is the finest
//!   native step of the demand series (open loop), or that but at least
//!   the scenario's sample interval (closed loop; the simulator takes
//!   interval means anyway). A grid cell takes the time-weighted mean of
//!   the series over the cell; before a series starts or after it ends the
//!   value is 0 under the `zero` rule, else the nearest value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono_tz::Tz;
use lighthouse_sim::scenario::AppSpec;

use super::error::ReplayError;
use super::file::ReplayScenario;
use super::spec::{AppSource, CapacityUnit, DemandKind, ReplayMode, ReplayOptions};
use crate::model::{Trace, TraceSeries};
use crate::options::{Format, ReadOptions};
use crate::read::read_trace;
use crate::shape::{
    GapRule, TimeBound, loop_to, parse_duration, parse_scale, resample, scale, shift, speed_up,
    window,
};

/// A generous stand-in for the run length while the scenario is only read
/// for its apps and intervals (changes may be scheduled up to it).
const PRELIMINARY_DURATION_MS: i64 = 100 * 365 * 86_400_000;

/// One app fed by the trace, with its values on the grid.
#[derive(Clone, Debug)]
pub(crate) struct FedApp {
    /// The mapping as resolved (series name as found in the trace).
    pub source: AppSource,
    /// `resource/metric` of the demand series.
    pub series: String,
    /// Its metric name (open loop pushes it as it is too).
    pub metric: String,
    /// How its values become demand.
    pub kind: DemandKind,
    /// The gap rule applied.
    pub gap: GapRule,
    /// The app's spec in the scenario.
    pub spec: AppSpec,
    /// Shaped values on the grid, as recorded (rate kind: per period).
    pub raw: Vec<f64>,
    /// Rate kind: requests per second on the grid.
    pub rate_rps: Vec<f64>,
    /// Capacity in instances on the grid, from `capacity_series`.
    pub capacity: Option<Vec<f64>>,
    /// A fixed capacity in instances (`capacity_instances`, or
    /// `capacity_cores` ÷ the app's cores).
    pub fixed_instances: Option<f64>,
    /// Open loop: further metrics pushed as they are, on the grid.
    pub extra: Vec<(String, Vec<f64>)>,
    /// First and last sample of the shaped demand series (trace time, ms).
    pub span_ms: (i64, i64),
}

impl FedApp {
    /// Demand at grid point `k`, requests per second, given the capacity
    /// (instances) the utilisation is measured on when the trace and the
    /// scenario give none. `None`: a utilisation without any capacity.
    pub fn demand_rps(&self, k: usize, live_capacity: Option<f64>) -> Option<f64> {
        match self.kind {
            DemandKind::Rate => Some(self.rate_rps[k]),
            DemandKind::Utilization => {
                let cap = self
                    .capacity
                    .as_ref()
                    .map(|c| c[k])
                    .or(self.fixed_instances)
                    .or(live_capacity)?;
                Some(self.raw[k] / 100.0 * cap * self.spec.service_rate_rps)
            }
        }
    }
}

/// Everything a mode needs.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// Open or closed loop.
    pub mode: ReplayMode,
    /// The trace file.
    pub trace_path: PathBuf,
    /// Trace time of the first grid point, epoch ms.
    pub origin_ms: i64,
    /// Run start, epoch ms: the scenario's `simulation.start` when it
    /// gives one, else `origin_ms`.
    pub start_ms: i64,
    /// Grid step, ms.
    pub step_ms: i64,
    /// Grid points.
    pub points: usize,
    /// Run length, ms.
    pub duration_ms: i64,
    /// The fed apps, in mapping order.
    pub apps: Vec<FedApp>,
    /// Trace warnings and notes.
    pub notes: Vec<String>,
}

impl Prepared {
    /// Names of the fed app specs.
    pub fn fed(&self) -> BTreeSet<String> {
        self.apps.iter().map(|a| a.source.app.clone()).collect()
    }
}

/// Reads the trace and brings every mapped series onto the grid.
pub(crate) fn prepare(
    sc: &ReplayScenario,
    options: &ReplayOptions,
) -> Result<Prepared, ReplayError> {
    let spec = &sc.spec;
    let cli = "command line";
    let mode = options.mode.or(spec.mode).unwrap_or_default();

    // The trace.
    let trace_path = match (&options.trace, &spec.trace) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => sc.dir.join(p),
        (None, None) => {
            return Err(sc.invalid(
                "replay.trace",
                "(none)",
                "no trace: give the trace file on the command line or as replay.trace",
            ));
        }
    };
    let format = match (options.format, &spec.format) {
        (Some(f), _) => f,
        (None, Some(name)) => name
            .parse::<Format>()
            .map_err(|e| sc.invalid("replay.format", format!("{name:?}"), e.to_string()))?,
        (None, None) => {
            return Err(sc.invalid(
                "replay.format",
                "(none)",
                "no format: give --format or replay.format",
            ));
        }
    };
    let mut read = ReadOptions::new(format);
    read.strict = options.strict;
    if let Some(start) = &spec.trace_start {
        read.start_ms =
            Some(crate::time::parse_instant(start, Tz::UTC).map_err(|e| {
                sc.invalid("replay.trace_start", format!("{start:?}"), e.to_string())
            })?);
    }
    if let Some(step) = &spec.trace_step {
        read.step_ms =
            Some(parse_duration(step).map_err(|e| {
                sc.invalid("replay.trace_step", format!("{step:?}"), e.to_string())
            })?);
    }
    let trace = read_trace(&trace_path, &read)?;
    let mut notes: Vec<String> = trace
        .warnings
        .iter()
        .map(|w| format!("trace: {w}"))
        .collect();

    // The scenario, for its apps and intervals.
    let preliminary = {
        let all: BTreeSet<String> = app_names(&sc.document).into_iter().collect();
        sc.scenario(&all, PRELIMINARY_DURATION_MS)?
    };
    let s = &preliminary.scenario;
    let specs: BTreeMap<&str, &AppSpec> = s
        .apps
        .iter()
        .chain(&s.platform)
        .map(|a| (a.name.as_str(), a))
        .collect();
    let sample_ms = s.simulation.sample_interval.as_millis().max(1);

    // Mapping.
    let sources = resolve_sources(sc, options, &trace, &specs)?;

    // Shaping parameters.
    let gap_override = match (options.gap, &spec.gap) {
        (Some(g), _) => Some(g),
        (None, Some(text)) => Some(
            text.parse::<GapRule>()
                .map_err(|e| sc.invalid("replay.gap", format!("{text:?}"), e.to_string()))?,
        ),
        (None, None) => None,
    };
    let scale_factor = match (options.scale, &spec.scale) {
        (Some(f), _) => Some(f),
        (None, Some(v)) => Some(
            match v {
                super::spec::NumberOrText::Number(n) => parse_scale(&n.to_string()),
                super::spec::NumberOrText::Text(t) => parse_scale(t),
            }
            .map_err(|e| sc.invalid("replay.scale", v, e.to_string()))?,
        ),
        (None, None) => None,
    };
    let duration_of = |field: &str, text: &Option<String>| -> Result<Option<i64>, ReplayError> {
        text.as_ref()
            .map(|t| {
                parse_duration(t).map_err(|e| sc.invalid(field, format!("{t:?}"), e.to_string()))
            })
            .transpose()
    };
    let shift_ms = match options.shift_ms {
        Some(v) => Some(v),
        None => duration_of("replay.shift", &spec.shift)?,
    };
    let loop_ms = match options.loop_ms {
        Some(v) => Some(v),
        None => duration_of("replay.loop", &spec.loop_to)?,
    };
    let speed = options.speed_up.or(spec.speed_up);
    if let Some(f) = speed
        && !(f.is_finite() && f > 0.0)
    {
        return Err(match options.speed_up {
            Some(_) => ReplayError::invalid(cli, "--speed-up", f, "must be a finite factor > 0"),
            None => sc.invalid("replay.speed_up", f, "must be a finite factor > 0"),
        });
    }
    if let Some(l) = loop_ms.filter(|&l| l <= 0) {
        return Err(sc.invalid("replay.loop", format!("{l} ms"), "must be positive"));
    }
    let bound = |field: &str, cli_text: &Option<String>, spec_text: &Option<String>| {
        let (text, from_cli) = match (cli_text, spec_text) {
            (Some(t), _) => (t, true),
            (None, Some(t)) => (t, false),
            (None, None) => return Ok(None),
        };
        TimeBound::parse(text, Tz::UTC).map(Some).map_err(|e| {
            if from_cli {
                ReplayError::invalid(
                    cli,
                    format!("--{field}"),
                    format!("{text:?}"),
                    e.to_string(),
                )
            } else {
                sc.invalid(
                    &format!("replay.{field}"),
                    format!("{text:?}"),
                    e.to_string(),
                )
            }
        })
    };
    let from = bound("from", &options.from, &spec.from)?;
    let to = bound("to", &options.to, &spec.to)?;

    // The raw series of every source.
    struct Raw<'t> {
        demand: &'t TraceSeries,
        capacity: Option<&'t TraceSeries>,
        extra: Vec<(String, &'t TraceSeries)>,
    }
    let mut raws = Vec::with_capacity(sources.len());
    for (i, src) in sources.iter().enumerate() {
        let at = |field: &str| format!("replay.apps[{i}].{field}");
        let demand =
            find(&trace, &src.series).map_err(|why| sc.invalid(&at("series"), &src.series, why))?;
        let capacity = src
            .capacity_series
            .as_ref()
            .map(|name| {
                find(&trace, name).map_err(|why| sc.invalid(&at("capacity_series"), name, why))
            })
            .transpose()?;
        let mut extra = Vec::new();
        for (metric, name) in &src.metrics {
            let s = find(&trace, name)
                .map_err(|why| sc.invalid(&at(&format!("metrics.{metric}")), name, why))?;
            extra.push((metric.clone(), s));
        }
        raws.push(Raw {
            demand,
            capacity,
            extra,
        });
    }
    let trace_start = raws
        .iter()
        .filter_map(|r| r.demand.start_ms())
        .min()
        .unwrap_or(0);
    let lo = from.map(|b| TimeBound::Absolute(b.resolve(trace_start)));
    let hi = to.map(|b| TimeBound::Absolute(b.resolve(trace_start)));
    let windowed = |s: &TraceSeries| window(s, lo, hi);
    // The instant a speed-up compresses around: the first sample in the window.
    let speed_origin = raws
        .iter()
        .filter_map(|r| windowed(r.demand).start_ms())
        .min();
    let shape = |s: &TraceSeries, amplitude: bool| -> Result<TraceSeries, ReplayError> {
        let mut s = windowed(s);
        if let (Some(f), Some(o), Some(s0)) = (speed, speed_origin, s.start_ms()) {
            s = speed_up(&s, f)?;
            let fix = ((o - s0) as f64 * (1.0 - 1.0 / f)).round() as i64;
            s = shift(&s, fix);
        }
        if let Some(l) = loop_ms {
            s = loop_to(&s, l)?;
        }
        if let Some(d) = shift_ms {
            s = shift(&s, d);
        }
        if let (Some(f), true) = (scale_factor, amplitude) {
            s = scale(&s, f);
        }
        Ok(s)
    };

    // Shape and fill every series at its own step.
    struct Filled {
        series: TraceSeries,
        step: i64,
    }
    let fill = |s: TraceSeries, rule: GapRule| -> Result<Filled, ReplayError> {
        let step = native_step(&s).unwrap_or(sample_ms);
        let series = resample(&s, step, rule)?;
        Ok(Filled { series, step })
    };
    let mut shaped = Vec::with_capacity(raws.len());
    for (i, (src, raw)) in sources.iter().zip(&raws).enumerate() {
        let metric = &raw.demand.metric;
        let kind = match src.kind.or_else(|| DemandKind::from_metric(metric)) {
            Some(k) => k,
            None => {
                return Err(sc.invalid(
                    &format!("replay.apps[{i}].kind"),
                    "(none)",
                    format!(
                        "the metric name {metric:?} does not say whether it is a rate or a utilisation; set kind = \"rate\" (with per = \"<period>\" unless the name ends in _per_second, _per_minute or _per_hour) or kind = \"utilization\""
                    ),
                ));
            }
        };
        let gap = gap_override.unwrap_or_else(|| kind.default_gap());
        let demand = shape(raw.demand, true)?;
        if demand.is_empty() {
            let (a, b) = (raw.demand.start_ms(), raw.demand.end_ms());
            return Err(ReplayError::Mapping(format!(
                "series {} (app {}) has no sample in the window: it covers {} to {}",
                raw.demand.name(),
                src.app,
                show_ms(a),
                show_ms(b)
            )));
        }
        let span = (demand.start_ms().unwrap_or(0), demand.end_ms().unwrap_or(0));
        let demand = fill(demand, gap)?;
        let capacity = raw
            .capacity
            .map(|c| shape(c, false).and_then(|c| fill(c, GapRule::Hold)))
            .transpose()?;
        let extra = raw
            .extra
            .iter()
            .map(|(m, s)| Ok((m.clone(), fill(shape(s, false)?, GapRule::Hold)?)))
            .collect::<Result<Vec<_>, ReplayError>>()?;
        shaped.push((kind, gap, span, demand, capacity, extra));
    }

    // The grid.
    let finest = shaped.iter().map(|x| x.3.step).min().unwrap_or(sample_ms);
    let step_ms = match mode {
        ReplayMode::Open => finest,
        ReplayMode::Closed => finest.max(sample_ms),
    };
    let origin_ms = shaped
        .iter()
        .filter_map(|x| x.3.series.start_ms())
        .min()
        .unwrap_or(0);
    let end_ms = shaped
        .iter()
        .filter_map(|x| x.3.series.end_ms().map(|e| e + x.3.step))
        .max()
        .unwrap_or(origin_ms + step_ms);
    let explicit = options.duration.map(|d| d.as_millis()).or_else(|| {
        sc.simulation_has("duration")
            .then(|| s.simulation.duration.as_millis())
    });
    let duration_ms = explicit.unwrap_or(end_ms - origin_ms).max(1);
    let points = usize::try_from((duration_ms + step_ms - 1) / step_ms)
        .unwrap_or(usize::MAX)
        .max(1);
    if points > crate::shape::MAX_POINTS {
        return Err(ReplayError::Mapping(format!(
            "the replay would need {points} grid points of {step_ms} ms (limit {}): shorten the window or the loop",
            crate::shape::MAX_POINTS
        )));
    }
    let start_ms = if sc.simulation_has("start") {
        chrono::DateTime::parse_from_rfc3339(&s.simulation.start)
            .map(|t| t.timestamp_millis())
            .unwrap_or(origin_ms)
    } else {
        origin_ms
    };
    if let Some(l) = loop_ms {
        notes.push(format!("looped to {} s", l / 1000));
    }

    // Onto the grid, and into demand.
    let grid =
        |f: &Filled, rule: GapRule| cell_means(&f.series, f.step, origin_ms, step_ms, points, rule);
    let mut apps = Vec::with_capacity(shaped.len());
    for (i, (src, (kind, gap, span, demand, capacity, extra))) in
        sources.into_iter().zip(shaped).enumerate()
    {
        let spec = (*specs
            .get(src.app.as_str())
            .expect("resolve_sources checked the app"))
        .clone();
        let raw = grid(&demand, gap);
        let rate_rps = match kind {
            DemandKind::Rate => {
                let period =
                    rate_period_ms(&demand.series.metric, src.per.as_deref()).map_err(|why| {
                        sc.invalid(
                            &format!("replay.apps[{i}].per"),
                            src.per.as_deref().unwrap_or("(none)"),
                            why,
                        )
                    })?;
                raw.iter().map(|v| v * 1000.0 / period as f64).collect()
            }
            DemandKind::Utilization => Vec::new(),
        };
        let cores = spec.cpu_cores;
        let capacity = capacity.map(|c| {
            let per = match src.capacity_unit {
                CapacityUnit::Cores => 1.0 / cores,
                CapacityUnit::Instances => 1.0,
            };
            grid(&c, GapRule::Hold)
                .into_iter()
                .map(|v| v * per)
                .collect::<Vec<_>>()
        });
        let fixed_instances = match (src.capacity_instances, src.capacity_cores) {
            (Some(n), _) => Some(n),
            (None, Some(c)) => Some(c / cores),
            (None, None) => None,
        };
        for (field, v) in [
            ("capacity_instances", src.capacity_instances),
            ("capacity_cores", src.capacity_cores),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(sc.invalid(
                    &format!("replay.apps[{i}].{field}"),
                    v,
                    "must be a finite number > 0",
                ));
            }
        }
        if kind == DemandKind::Utilization
            && mode == ReplayMode::Closed
            && capacity.is_none()
            && fixed_instances.is_none()
        {
            return Err(sc.invalid(
                &format!("replay.apps[{i}]"),
                &src.series,
                format!(
                    "a utilisation becomes demand only with the capacity it was measured on: set capacity_series (a series of the trace), capacity_cores or capacity_instances for app {}",
                    src.app
                ),
            ));
        }
        let extra = extra
            .iter()
            .map(|(m, f)| (m.clone(), grid(f, GapRule::Hold)))
            .collect();
        apps.push(FedApp {
            series: demand.series.name(),
            metric: demand.series.metric.clone(),
            kind,
            gap,
            spec,
            raw,
            rate_rps,
            capacity,
            fixed_instances,
            extra,
            span_ms: span,
            source: src,
        });
    }
    Ok(Prepared {
        mode,
        trace_path,
        origin_ms,
        start_ms,
        step_ms,
        points,
        duration_ms,
        apps,
        notes,
    })
}

/// Names of the `[[apps]]` and `[[platform]]` entries of a document.
fn app_names(document: &toml::Table) -> Vec<String> {
    ["apps", "platform"]
        .iter()
        .filter_map(|k| document.get(*k).and_then(toml::Value::as_array))
        .flatten()
        .filter_map(|e| e.get("name").and_then(toml::Value::as_str))
        .map(str::to_string)
        .collect()
}

/// The mappings in force: the scenario's `[[replay.apps]]`, with the
/// command line's `series=app` pairs replacing or adding entries; with
/// none, a trace of one series feeds a scenario of one app.
fn resolve_sources(
    sc: &ReplayScenario,
    options: &ReplayOptions,
    trace: &Trace,
    specs: &BTreeMap<&str, &AppSpec>,
) -> Result<Vec<AppSource>, ReplayError> {
    let mut sources = sc.spec.apps.clone();
    for m in &options.mappings {
        match sources.iter_mut().find(|s| s.app == m.app) {
            Some(s) => s.series = m.series.clone(),
            None => sources.push(AppSource::new(m.series.clone(), m.app.clone())),
        }
    }
    let series_list = || {
        let names: Vec<String> = trace
            .series
            .iter()
            .take(30)
            .map(TraceSeries::name)
            .collect();
        let more = trace.series.len().saturating_sub(names.len());
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        format!(
            "the trace {} has {} series: {}{tail}",
            trace.source.display(),
            trace.series.len(),
            names.join(", ")
        )
    };
    let app_list = || specs.keys().copied().collect::<Vec<_>>().join(", ");
    if sources.is_empty() {
        if let ([only], [(app, _)]) = (
            trace.series.as_slice(),
            specs.iter().collect::<Vec<_>>().as_slice(),
        ) {
            sources.push(AppSource::new(only.name(), (*app).to_string()));
        } else {
            return Err(ReplayError::Mapping(format!(
                "no app of {} is mapped to a series of the trace; {}; the scenario's apps are: {} (none wants a series). Map them with [[replay.apps]] app = \"...\" series = \"...\" in the scenario, or --map SERIES=APP",
                sc.file,
                series_list(),
                app_list()
            )));
        }
    }
    let mut seen = BTreeSet::new();
    for (i, s) in sources.iter().enumerate() {
        if !specs.contains_key(s.app.as_str()) {
            return Err(sc.invalid(
                &format!("replay.apps[{i}].app"),
                format!("{:?}", s.app),
                format!(
                    "no such app or platform component; the scenario has: {}",
                    app_list()
                ),
            ));
        }
        if !seen.insert(s.app.clone()) {
            return Err(sc.invalid(
                &format!("replay.apps[{i}].app"),
                format!("{:?}", s.app),
                "the app is fed twice",
            ));
        }
    }
    let missing: Vec<String> = sources
        .iter()
        .filter(|s| find(trace, &s.series).is_err())
        .map(|s| format!("app {} wants {}", s.app, s.series))
        .collect();
    if !missing.is_empty() {
        let all = missing.len() == sources.len();
        return Err(ReplayError::Mapping(format!(
            "{} the trace has no series {} ({}); {}. Name series as resource/metric, or a resource that has one series.",
            sc.file,
            if all {
                "the scenario can map"
            } else {
                "for some apps"
            },
            missing.join("; "),
            series_list()
        )));
    }
    Ok(sources)
}

/// A series by `resource/metric`, or by a resource that has one series.
fn find<'t>(trace: &'t Trace, name: &str) -> Result<&'t TraceSeries, String> {
    if let Some(s) = trace.series.iter().find(|s| s.name() == name) {
        return Ok(s);
    }
    let by_resource: Vec<&TraceSeries> =
        trace.series.iter().filter(|s| s.resource == name).collect();
    match by_resource.as_slice() {
        [one] => Ok(one),
        [] => Err(format!(
            "no such series in {} (it has: {})",
            trace.source.display(),
            trace
                .series
                .iter()
                .take(30)
                .map(TraceSeries::name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        many => Err(format!(
            "resource {name} has several series; name one of: {}",
            many.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The median spacing of a series' samples, ms (`None` below two samples).
pub(crate) fn native_step(s: &TraceSeries) -> Option<i64> {
    let mut d: Vec<i64> = s.timestamps_ms.windows(2).map(|w| w[1] - w[0]).collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    Some(d[d.len() / 2].max(1))
}

/// The period a rate's values count over: from `per`, else from the
/// metric name's `_per_second` / `_per_minute` / `_per_hour`.
fn rate_period_ms(metric: &str, per: Option<&str>) -> Result<i64, String> {
    if let Some(p) = per {
        return parse_duration(p).map_err(|e| e.to_string()).and_then(|ms| {
            if ms > 0 {
                Ok(ms)
            } else {
                Err("must be positive".to_string())
            }
        });
    }
    let m = metric.to_ascii_lowercase();
    if m.ends_with("_per_second") {
        Ok(1_000)
    } else if m.ends_with("_per_minute") {
        Ok(60_000)
    } else if m.ends_with("_per_hour") {
        Ok(3_600_000)
    } else {
        Err(format!(
            "the metric {metric:?} does not name its period; set per = \"1m\" (or the period its values count over)"
        ))
    }
}

/// Time-weighted means of a step function over `n` cells of `step` ms from
/// `origin`. Sample `i` holds over `[t_i, t_i + native)` (the series was
/// resampled to `native`, so samples are contiguous); outside the series
/// the value is 0 under [`GapRule::Zero`], else the nearest sample's.
pub(crate) fn cell_means(
    s: &TraceSeries,
    native: i64,
    origin: i64,
    step: i64,
    n: usize,
    rule: GapRule,
) -> Vec<f64> {
    let (ts, vs) = (&s.timestamps_ms, &s.values);
    let (Some(&first), Some(&last)) = (ts.first(), ts.last()) else {
        return vec![0.0; n];
    };
    let end = last + native;
    let (before, after) = match rule {
        GapRule::Zero => (0.0, 0.0),
        _ => (vs[0], vs[vs.len() - 1]),
    };
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    for k in 0..n as i64 {
        let a = origin + k * step;
        let b = a + step;
        let mut sum = 0.0;
        if a < first {
            sum += before * (b.min(first) - a) as f64;
        }
        if b > end {
            sum += after * (b - a.max(end)) as f64;
        }
        let (lo, hi) = (a.max(first), b.min(end));
        if lo < hi {
            while i + 1 < ts.len() && ts[i + 1] <= lo {
                i += 1;
            }
            let mut j = i;
            while j < ts.len() && ts[j] < hi {
                let s0 = ts[j].max(lo);
                let s1 = (ts[j] + native).min(hi);
                if s1 > s0 {
                    sum += vs[j] * (s1 - s0) as f64;
                }
                j += 1;
            }
        }
        out.push(sum / step as f64);
    }
    out
}

/// An epoch-ms instant as RFC 3339 text.
pub(crate) fn show_ms(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
        .map_or_else(
            || "(nothing)".to_string(),
            |t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ts: &[i64], vs: &[f64]) -> TraceSeries {
        TraceSeries::new("r", "m", ts.to_vec(), vs.to_vec())
    }

    #[test]
    fn cell_means_hold_average_and_pad() {
        let s = series(&[0, 60, 120], &[6.0, 12.0, 18.0]);
        // Finer cells hold each value for its step.
        assert_eq!(
            cell_means(&s, 60, 0, 30, 6, GapRule::Zero),
            vec![6.0, 6.0, 12.0, 12.0, 18.0, 18.0]
        );
        // Coarser cells average; cells past the end follow the rule.
        assert_eq!(cell_means(&s, 60, 0, 120, 2, GapRule::Zero), vec![9.0, 9.0]);
        assert_eq!(
            cell_means(&s, 60, 0, 120, 2, GapRule::Hold),
            vec![9.0, 18.0]
        );
        // Misaligned cells take time-weighted parts; before the start the rule applies.
        assert_eq!(
            cell_means(&s, 60, -30, 60, 2, GapRule::Zero),
            vec![3.0, 9.0]
        );
        assert_eq!(cell_means(&s, 60, -30, 60, 1, GapRule::Hold), vec![6.0]);
    }

    #[test]
    fn periods_and_steps() {
        assert_eq!(rate_period_ms("requests_per_minute", None), Ok(60_000));
        assert_eq!(rate_period_ms("sum_req", Some("5m")), Ok(300_000));
        assert!(rate_period_ms("sum_req", None).is_err());
        assert_eq!(
            native_step(&series(&[0, 30, 60, 61, 91], &[0.0; 5])),
            Some(30)
        );
        assert_eq!(native_step(&series(&[5], &[0.0])), None);
    }
}
