//! Parsers for shaping arguments as users type them: scale factors
//! (`10x`, `0.5`), durations (`90s`, `2h`, `1h30m`), and window bounds
//! (an absolute time or an offset from the start).

use std::str::FromStr;

use chrono_tz::Tz;

use crate::error::TraceError;
use crate::time::parse_instant;

/// Parses an amplitude factor: `10x`, `x10`, `0.5`, `50%`. Must be finite
/// and >= 0.
pub fn parse_scale(s: &str) -> Result<f64, TraceError> {
    let t = s.trim();
    let (num, div) = if let Some(p) = t.strip_suffix('%') {
        (p, 100.0)
    } else {
        let n = t
            .strip_suffix(['x', 'X', '×'])
            .or_else(|| t.strip_prefix(['x', 'X', '×']))
            .unwrap_or(t);
        (n, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| TraceError::arg("scale", s, "expected a factor like 10x, 0.5 or 50%"))?;
    let v = v / div;
    if !v.is_finite() || v < 0.0 {
        return Err(TraceError::arg("scale", s, "must be a finite factor >= 0"));
    }
    Ok(v)
}

/// Parses a duration into milliseconds: one or more `<number><unit>`
/// parts, units `ms`, `s`, `m` (minutes), `h`, `d`, `w`; e.g. `90s`,
/// `1h30m`, `1.5h`. A bare number is refused (the unit would be a guess).
pub fn parse_duration(s: &str) -> Result<i64, TraceError> {
    let bad = |why: &str| {
        TraceError::arg(
            "duration",
            s,
            format!("{why}; expected e.g. 500ms, 90s, 15m, 2h, 1d, 1h30m"),
        )
    };
    let t = s.trim();
    let (neg, mut rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if rest.is_empty() {
        return Err(bad("empty"));
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(bad("a number must come before each unit"));
        }
        let num: f64 = rest[..num_len].parse().map_err(|_| bad("bad number"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let per = match unit.trim() {
            "ms" => 1.0,
            "s" | "sec" => 1_000.0,
            "m" | "min" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            "w" => 604_800_000.0,
            "" => return Err(bad("missing unit")),
            _ => return Err(bad("unknown unit")),
        };
        total += num * per;
    }
    if !total.is_finite() || total.abs() > 6.3e15 {
        return Err(bad("out of range"));
    }
    let ms = total.round() as i64;
    Ok(if neg { -ms } else { ms })
}

/// A window bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    /// An instant, Unix epoch milliseconds UTC.
    Absolute(i64),
    /// Milliseconds after the first sample of the series.
    Offset(i64),
}

impl TimeBound {
    /// Parses a duration (`2h`, an offset from the series start) or an
    /// instant (ISO 8601, offset-less text in `tz`; or integer epoch ms).
    pub fn parse(s: &str, tz: Tz) -> Result<Self, TraceError> {
        if let Ok(ms) = parse_duration(s) {
            return Ok(Self::Offset(ms));
        }
        parse_instant(s, tz).map(Self::Absolute).map_err(|_| {
            TraceError::arg(
                "time bound",
                s,
                "expected an offset like 2h or an instant like 2016-01-05T00:00:00Z",
            )
        })
    }

    /// The instant this bound designates for a series starting at `start_ms`.
    pub fn resolve(self, start_ms: i64) -> i64 {
        match self {
            Self::Absolute(t) => t,
            Self::Offset(d) => start_ms.saturating_add(d),
        }
    }
}

impl FromStr for TimeBound {
    type Err = TraceError;

    /// Like [`TimeBound::parse`] with offset-less text taken as UTC.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s, Tz::UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales() {
        assert_eq!(parse_scale("10x").unwrap(), 10.0);
        assert_eq!(parse_scale("x2").unwrap(), 2.0);
        assert_eq!(parse_scale("0.5").unwrap(), 0.5);
        assert_eq!(parse_scale("50%").unwrap(), 0.5);
        for bad in ["", "x", "-2x", "abc", "NaNx", "infx"] {
            assert!(parse_scale(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s").unwrap(), 90_000);
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000);
        assert_eq!(parse_duration("1.5h").unwrap(), 5_400_000);
        assert_eq!(parse_duration("500ms").unwrap(), 500);
        assert_eq!(parse_duration("-2d").unwrap(), -172_800_000);
        for bad in ["", "10", "h", "3 parsecs", "1e400h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bounds() {
        assert_eq!(
            "2h".parse::<TimeBound>().unwrap(),
            TimeBound::Offset(7_200_000)
        );
        assert_eq!(
            "1970-01-01T00:00:01Z".parse::<TimeBound>().unwrap(),
            TimeBound::Absolute(1000)
        );
        assert_eq!(TimeBound::Offset(5).resolve(10), 15);
        assert!("soon".parse::<TimeBound>().is_err());
    }
}
