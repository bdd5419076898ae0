//! Parameter specs: `PATH=VALUES`, where PATH addresses a value in the
//! scenario (`policies.web.thresholds[0].cooldown_seconds`) and VALUES is
//! one of
//!
//! - a list, `60,180,600` (each item read as TOML: `300`, `1.5`, `true`,
//!   `"text"`; anything else is taken as a string);
//! - a linear range, `600..1400:200` = 600, 800, 1000, 1200, 1400 (the end
//!   is included when a step lands on it; integers when the start, end and
//!   step are written as integers, else numbers rounded to the decimals
//!   written);
//! - a log range, `10..1000:log5` = 5 values evenly spaced in log scale
//!   from 10 to 1000 inclusive (10, 31.6228, 100, 316.228, 1000; rounded
//!   to whole numbers when both ends are integers, else to 6 significant
//!   digits);
//! - an open range, `0.5..2.5`, with no step: only with `--random N`.
//!
//! With `--random N` each run draws every parameter on its own: a list
//! item uniformly, a linear range uniformly within it (snapped to the
//! step when there is one, whole numbers for integer ranges), a log range
//! log-uniformly between its ends.

use std::fmt;

use lighthouse_sim::scenario::paths::parse_path;
use toml::Value;

/// Most values a grid may expand one parameter to.
pub const MAX_VALUES: usize = 100_000;

/// A bad parameter spec: which parameter, which value, what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    /// The parameter as written (`PATH=VALUES`).
    pub param: String,
    /// The part found wrong.
    pub value: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--param {:?}: {:?}: {}",
            self.param, self.value, self.message
        )
    }
}

impl std::error::Error for ParamError {}

/// A number as written: its value, whether it is an integer, its decimals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num {
    /// The value.
    pub value: f64,
    /// Written as an integer (`600`, not `600.0`).
    pub integer: bool,
    /// Digits after the decimal point (0 with an exponent).
    pub decimals: u32,
}

/// The values one parameter takes.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueSet {
    /// Listed values.
    List(Vec<Value>),
    /// `start..end[:step]`, linear.
    Range {
        /// First value.
        start: Num,
        /// Last value (included when a step lands on it).
        end: Num,
        /// Spacing; `None`: an open range (random sampling only).
        step: Option<Num>,
    },
    /// `start..end:logN`, `count` values evenly spaced in log scale.
    Log {
        /// First value, > 0.
        start: Num,
        /// Last value, > start.
        end: Num,
        /// Number of values, ≥ 2.
        count: usize,
    },
}

/// One `--param PATH=VALUES`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSpec {
    /// The spec as written, for messages and the sweep's record.
    pub text: String,
    /// The path in the scenario.
    pub path: String,
    /// Its values.
    pub values: ValueSet,
}

impl ParamSpec {
    /// Parses `PATH=VALUES`; errors name the parameter and the value.
    pub fn parse(text: &str) -> Result<ParamSpec, ParamError> {
        let err = |value: &str, message: String| ParamError {
            param: text.to_string(),
            value: value.to_string(),
            message,
        };
        let (path, values) = text
            .split_once('=')
            .ok_or_else(|| err(text, "expected PATH=VALUES, e.g. `policies.web.thresholds[0].cooldown_seconds=60,180,600`".into()))?;
        let path = path.trim();
        let values = values.trim();
        if path.is_empty() {
            return Err(err(path, "empty path".into()));
        }
        parse_path(path).map_err(|m| err(path, m))?;
        if values.is_empty() {
            return Err(err(values, "no values".into()));
        }
        let values = if is_range(values) {
            parse_range(values).map_err(|(v, m)| err(&v, m))?
        } else {
            ValueSet::List(parse_list(values).map_err(|(v, m)| err(&v, m))?)
        };
        Ok(ParamSpec {
            text: text.to_string(),
            path: path.to_string(),
            values,
        })
    }

    /// Every value of a grid sweep, in order.
    pub fn grid_values(&self) -> Result<Vec<Value>, ParamError> {
        let err = |message: String| ParamError {
            param: self.text.clone(),
            value: self
                .text
                .split_once('=')
                .map_or("", |(_, v)| v)
                .trim()
                .to_string(),
            message,
        };
        match &self.values {
            ValueSet::List(items) => Ok(items.clone()),
            ValueSet::Range { start, end, step } => {
                let step = step.ok_or_else(|| {
                    err(format!(
                        "a range without a step needs --random N; for a grid add a step, e.g. {}..{}:{}",
                        fmt_num(*start),
                        fmt_num(*end),
                        fmt_num(Num {
                            value: (end.value - start.value) / 4.0,
                            integer: start.integer && end.integer,
                            decimals: start.decimals.max(end.decimals),
                        })
                    ))
                })?;
                let n = ((end.value - start.value) / step.value + 1e-9).floor() as usize + 1;
                if n > MAX_VALUES {
                    return Err(err(format!("{n} values; at most {MAX_VALUES}")));
                }
                let integer = start.integer && end.integer && step.integer;
                let decimals = start.decimals.max(end.decimals).max(step.decimals);
                Ok((0..n)
                    .map(|k| linear_value(start.value + k as f64 * step.value, integer, decimals))
                    .collect())
            }
            ValueSet::Log { start, end, count } => {
                let integer = start.integer && end.integer;
                let (a, b) = (start.value.ln(), end.value.ln());
                let mut out: Vec<Value> = Vec::with_capacity(*count);
                for k in 0..*count {
                    let x = (a + (b - a) * k as f64 / (*count - 1) as f64).exp();
                    let v = log_value(x, integer);
                    if out.last() != Some(&v) {
                        out.push(v);
                    }
                }
                Ok(out)
            }
        }
    }

    /// The value of a random draw `u` in `[0, 1)`.
    pub fn sample(&self, u: f64) -> Value {
        let u = u.clamp(0.0, 1.0 - f64::EPSILON);
        match &self.values {
            ValueSet::List(items) => {
                items[((u * items.len() as f64) as usize).min(items.len() - 1)].clone()
            }
            ValueSet::Range { start, end, step } => {
                let decimals = start.decimals.max(end.decimals);
                match step {
                    Some(step) => {
                        let n = ((end.value - start.value) / step.value + 1e-9).floor() + 1.0;
                        let k = (u * n).floor();
                        linear_value(
                            start.value + k * step.value,
                            start.integer && end.integer && step.integer,
                            decimals.max(step.decimals),
                        )
                    }
                    None if start.integer && end.integer => {
                        let n = end.value - start.value + 1.0;
                        Value::Integer((start.value + (u * n).floor()) as i64)
                    }
                    None => log_value(start.value + u * (end.value - start.value), false),
                }
            }
            ValueSet::Log { start, end, .. } => {
                let (a, b) = (start.value.ln(), end.value.ln());
                log_value((a + u * (b - a)).exp(), start.integer && end.integer)
            }
        }
    }
}

/// Whether the values are a range: `a..b` outside quotes.
fn is_range(values: &str) -> bool {
    !values.starts_with('"')
        && !values.starts_with('\'')
        && !values.starts_with('[')
        && values.contains("..")
}

fn parse_range(values: &str) -> Result<ValueSet, (String, String)> {
    let (bounds, step) = match values.split_once(':') {
        Some((b, s)) => (b, Some(s.trim())),
        None => (values, None),
    };
    let (a, b) = bounds.split_once("..").unwrap_or((bounds, ""));
    let start = parse_num(a.trim())?;
    let end = parse_num(b.trim())?;
    if end.value <= start.value {
        return Err((
            values.to_string(),
            "the end of a range must be above its start".into(),
        ));
    }
    match step {
        None => Ok(ValueSet::Range {
            start,
            end,
            step: None,
        }),
        Some(s) if s.starts_with("log") => {
            let count: usize = s[3..].parse().map_err(|_| {
                (s.to_string(), "a log range is `start..end:logN` with N a whole number ≥ 2, e.g. 10..1000:log5".to_string())
            })?;
            if count < 2 {
                return Err((s.to_string(), "a log range needs at least 2 values".into()));
            }
            if count > MAX_VALUES {
                return Err((s.to_string(), format!("at most {MAX_VALUES} values")));
            }
            if start.value <= 0.0 {
                return Err((values.to_string(), "a log range must start above 0".into()));
            }
            Ok(ValueSet::Log { start, end, count })
        }
        Some(s) => {
            let step = parse_num(s)?;
            if step.value <= 0.0 {
                return Err((s.to_string(), "the step must be above 0".into()));
            }
            Ok(ValueSet::Range {
                start,
                end,
                step: Some(step),
            })
        }
    }
}

fn parse_num(text: &str) -> Result<Num, (String, String)> {
    if text.is_empty() {
        return Err((
            text.to_string(),
            "a range is `start..end`, `start..end:step` or `start..end:logN`".into(),
        ));
    }
    let value: f64 = text
        .replace('_', "")
        .parse()
        .map_err(|_| (text.to_string(), "not a number".to_string()))?;
    if !value.is_finite() {
        return Err((text.to_string(), "not a finite number".into()));
    }
    let integer = text.replace('_', "").parse::<i64>().is_ok();
    let decimals = if text.contains(['e', 'E']) {
        0
    } else {
        text.split_once('.').map_or(0, |(_, d)| d.len() as u32)
    };
    Ok(Num {
        value,
        integer,
        decimals,
    })
}

fn parse_list(values: &str) -> Result<Vec<Value>, (String, String)> {
    // A TOML array written whole is one list.
    if values.starts_with('[')
        && let Some(Value::Array(items)) = parse_value(values)
    {
        if items.is_empty() {
            return Err((values.to_string(), "an empty list".into()));
        }
        return Ok(items);
    }
    values
        .split(',')
        .map(|item| {
            let item = item.trim();
            if item.is_empty() {
                return Err((values.to_string(), "an empty item in the list".to_string()));
            }
            Ok(parse_value(item).unwrap_or_else(|| Value::String(item.to_string())))
        })
        .collect()
}

/// A value as TOML (`300`, `1.5`, `true`, `"text"`), if it is one.
pub fn parse_value(text: &str) -> Option<Value> {
    toml::from_str::<toml::Table>(&format!("v = {text}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
}

fn linear_value(x: f64, integer: bool, decimals: u32) -> Value {
    if integer {
        Value::Integer(x.round() as i64)
    } else {
        let scale = 10f64.powi(decimals.min(15) as i32);
        Value::Float((x * scale).round() / scale)
    }
}

fn log_value(x: f64, integer: bool) -> Value {
    if integer {
        Value::Integer(x.round() as i64)
    } else {
        Value::Float(format!("{x:.5e}").parse().unwrap_or(x))
    }
}

fn fmt_num(n: Num) -> String {
    if n.integer {
        format!("{}", n.value.round() as i64)
    } else {
        format!(
            "{}",
            (n.value * 10f64.powi(n.decimals.max(1) as i32)).round()
                / 10f64.powi(n.decimals.max(1) as i32)
        )
    }
}

/// A value as written in tables and seeds: TOML's rendering (`300`,
/// `1.5`, `"text"`).
pub fn render(value: &Value) -> String {
    value.to_string()
}
