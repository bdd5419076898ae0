//! Checking a [`LoadSpec`] before it is realised, with errors that name the
//! field (as a path into the scenario) and the value found.

use std::fmt;

use super::spec::LoadSpec;

/// Why a [`LoadSpec`] is not usable. Every variant carries the path of the
/// offending field, built from the path given to
/// [`LoadSpec::validate`] (for example `apps.web.load.parts[1].peak`).
#[derive(Clone, Debug, PartialEq)]
pub enum LoadSpecError {
    /// A number is NaN or infinite.
    NotFinite {
        /// Path of the field.
        path: String,
        /// The value found.
        value: f64,
    },
    /// A rate, factor or time that must be ≥ 0 is negative.
    Negative {
        /// Path of the field.
        path: String,
        /// The value found.
        value: f64,
    },
    /// A duration that must be > 0 (a time constant, a mean sojourn, a
    /// loop period) is 0 or negative.
    NotPositive {
        /// Path of the field.
        path: String,
        /// The value found.
        value: f64,
    },
    /// A number outside its range (`peak_hour`, `utc_offset_hours`).
    OutOfRange {
        /// Path of the field.
        path: String,
        /// The value found.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A sum or product without parts, or a series without points.
    Empty {
        /// Path of the list.
        path: String,
    },
    /// A series' `rps` does not have one value per time.
    LengthMismatch {
        /// Path of `rps`.
        path: String,
        /// Number of times.
        times: usize,
        /// Number of values.
        values: usize,
    },
    /// A time that must come after another does not: a series' times not
    /// strictly increasing, or a ramp ending before it starts.
    NotIncreasing {
        /// Path of the later field.
        path: String,
        /// The value found, seconds.
        value: f64,
        /// The time it must not precede, seconds.
        previous: f64,
    },
    /// A series' `loop_s` does not extend past its last point.
    LoopTooShort {
        /// Path of `loop_s`.
        path: String,
        /// The period found, seconds.
        value: f64,
        /// The series' last time, seconds.
        last: f64,
    },
}

impl LoadSpecError {
    /// Path of the offending field, e.g. `apps.web.load.parts[1].peak`.
    pub fn path(&self) -> &str {
        match self {
            LoadSpecError::NotFinite { path, .. }
            | LoadSpecError::Negative { path, .. }
            | LoadSpecError::NotPositive { path, .. }
            | LoadSpecError::OutOfRange { path, .. }
            | LoadSpecError::Empty { path }
            | LoadSpecError::LengthMismatch { path, .. }
            | LoadSpecError::NotIncreasing { path, .. }
            | LoadSpecError::LoopTooShort { path, .. } => path,
        }
    }
}

impl fmt::Display for LoadSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadSpecError::NotFinite { path, value } => {
                write!(f, "{path}: must be a finite number, got {value}")
            }
            LoadSpecError::Negative { path, value } => {
                write!(f, "{path}: must not be negative, got {value}")
            }
            LoadSpecError::NotPositive { path, value } => {
                write!(f, "{path}: must be greater than 0, got {value}")
            }
            LoadSpecError::OutOfRange {
                path,
                value,
                min,
                max,
            } => {
                write!(f, "{path}: must be between {min} and {max}, got {value}")
            }
            LoadSpecError::Empty { path } => write!(f, "{path}: must not be empty"),
            LoadSpecError::LengthMismatch {
                path,
                times,
                values,
            } => {
                write!(
                    f,
                    "{path}: needs one value per time ({times}), got {values}"
                )
            }
            LoadSpecError::NotIncreasing {
                path,
                value,
                previous,
            } => {
                write!(f, "{path}: must come after {previous}, got {value}")
            }
            LoadSpecError::LoopTooShort { path, value, last } => {
                write!(f, "{path}: must exceed the last time ({last}), got {value}")
            }
        }
    }
}

impl std::error::Error for LoadSpecError {}

/// `parent.field`, or `field` at the top.
fn join(parent: &str, field: &str) -> String {
    if parent.is_empty() {
        field.to_owned()
    } else {
        format!("{parent}.{field}")
    }
}

fn finite(path: &str, field: &str, value: f64) -> Result<(), LoadSpecError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(LoadSpecError::NotFinite {
            path: join(path, field),
            value,
        })
    }
}

fn non_negative(path: &str, field: &str, value: f64) -> Result<(), LoadSpecError> {
    finite(path, field, value)?;
    if value < 0.0 {
        return Err(LoadSpecError::Negative {
            path: join(path, field),
            value,
        });
    }
    Ok(())
}

fn positive(path: &str, field: &str, value: f64) -> Result<(), LoadSpecError> {
    finite(path, field, value)?;
    if value <= 0.0 {
        return Err(LoadSpecError::NotPositive {
            path: join(path, field),
            value,
        });
    }
    Ok(())
}

fn in_range(path: &str, field: &str, value: f64, min: f64, max: f64) -> Result<(), LoadSpecError> {
    finite(path, field, value)?;
    if !(min..=max).contains(&value) {
        return Err(LoadSpecError::OutOfRange {
            path: join(path, field),
            value,
            min,
            max,
        });
    }
    Ok(())
}

impl LoadSpec {
    /// Checks every parameter, recursively; `path` is where this spec sits
    /// in the scenario (e.g. `apps.web.load`, or "" at the top) and
    /// prefixes the field path of the error. Rejects negative or
    /// non-finite rates, factors and times, non-positive time constants,
    /// an hour outside 0–24, an empty sum, product or series, a series
    /// whose times are not strictly increasing or whose lengths differ, a
    /// ramp that ends before it starts, and a loop shorter than the series.
    /// Returns the first problem found.
    pub fn validate(&self, path: &str) -> Result<(), LoadSpecError> {
        match self {
            LoadSpec::Constant { rps } => non_negative(path, "rps", *rps),
            LoadSpec::Diurnal {
                base,
                amplitude,
                peak_hour,
                weekend_factor,
                utc_offset_hours,
            } => {
                non_negative(path, "base", *base)?;
                non_negative(path, "amplitude", *amplitude)?;
                in_range(path, "peak_hour", *peak_hour, 0.0, 24.0)?;
                non_negative(path, "weekend_factor", *weekend_factor)?;
                in_range(path, "utc_offset_hours", *utc_offset_hours, -24.0, 24.0)
            }
            LoadSpec::Ramp {
                from,
                to,
                start_s,
                end_s,
            } => {
                non_negative(path, "from", *from)?;
                non_negative(path, "to", *to)?;
                non_negative(path, "start_s", *start_s)?;
                non_negative(path, "end_s", *end_s)?;
                if end_s < start_s {
                    return Err(LoadSpecError::NotIncreasing {
                        path: join(path, "end_s"),
                        value: *end_s,
                        previous: *start_s,
                    });
                }
                Ok(())
            }
            LoadSpec::Step {
                before,
                after,
                at_s,
            } => {
                non_negative(path, "before", *before)?;
                non_negative(path, "after", *after)?;
                non_negative(path, "at_s", *at_s)
            }
            LoadSpec::FlashCrowd {
                at_s,
                peak,
                rise_s,
                decay_s,
            } => {
                non_negative(path, "at_s", *at_s)?;
                non_negative(path, "peak", *peak)?;
                non_negative(path, "rise_s", *rise_s)?;
                positive(path, "decay_s", *decay_s)
            }
            LoadSpec::Bursty {
                low,
                high,
                mean_low_s,
                mean_high_s,
            } => {
                non_negative(path, "low", *low)?;
                non_negative(path, "high", *high)?;
                positive(path, "mean_low_s", *mean_low_s)?;
                positive(path, "mean_high_s", *mean_high_s)
            }
            LoadSpec::Sum { parts } | LoadSpec::Product { parts } => {
                if parts.is_empty() {
                    return Err(LoadSpecError::Empty {
                        path: join(path, "parts"),
                    });
                }
                for (i, part) in parts.iter().enumerate() {
                    part.validate(&join(path, &format!("parts[{i}]")))?;
                }
                Ok(())
            }
            LoadSpec::Poisson { of } => of.validate(&join(path, "of")),
            LoadSpec::LogNormal { of, sigma } => {
                non_negative(path, "sigma", *sigma)?;
                of.validate(&join(path, "of"))
            }
            LoadSpec::Series {
                times_s,
                rps,
                loop_s,
                ..
            } => validate_series(path, times_s, rps, *loop_s),
        }
    }
}

fn validate_series(
    path: &str,
    times_s: &[f64],
    rps: &[f64],
    loop_s: Option<f64>,
) -> Result<(), LoadSpecError> {
    if times_s.is_empty() {
        return Err(LoadSpecError::Empty {
            path: join(path, "times_s"),
        });
    }
    if rps.len() != times_s.len() {
        return Err(LoadSpecError::LengthMismatch {
            path: join(path, "rps"),
            times: times_s.len(),
            values: rps.len(),
        });
    }
    for (i, (&t, &v)) in times_s.iter().zip(rps).enumerate() {
        non_negative(path, &format!("times_s[{i}]"), t)?;
        non_negative(path, &format!("rps[{i}]"), v)?;
        if i > 0 && t <= times_s[i - 1] {
            return Err(LoadSpecError::NotIncreasing {
                path: join(path, &format!("times_s[{i}]")),
                value: t,
                previous: times_s[i - 1],
            });
        }
    }
    if let Some(period) = loop_s {
        positive(path, "loop_s", period)?;
        let last = times_s[times_s.len() - 1];
        if period <= last {
            return Err(LoadSpecError::LoopTooShort {
                path: join(path, "loop_s"),
                value: period,
                last,
            });
        }
    }
    Ok(())
}
