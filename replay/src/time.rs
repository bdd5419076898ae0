//! Timestamp parsing: epoch numbers, ISO 8601 / RFC 3339, zoned local
//! times, offsets from a start, and strftime patterns, all to Unix epoch
//! milliseconds UTC.
//!
//! ISO text is parsed by hand rather than through chrono's format machinery
//! because it is the hot path for large text-timestamp files.

use chrono::{NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::error::TraceError;
use crate::options::TimeFormat;

/// Epoch values at or above this magnitude are taken as milliseconds by
/// auto-detection: 1e11 s is the year 5138, 1e11 ms is March 1973.
const MILLIS_THRESHOLD: f64 = 1e11;
/// Refuse instants beyond ±200,000 years so arithmetic cannot overflow.
const MAX_ABS_MS: f64 = 6.3e15;

/// A time format with auto-detection resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimeKind {
    EpochSeconds,
    EpochMillis,
    Iso,
    OffsetSeconds(i64),
    Pattern { pattern: String, with_offset: bool },
}

impl TimeKind {
    /// Whether the column holds numbers (read as Float64 by polars).
    pub(crate) fn is_numeric(&self) -> bool {
        matches!(
            self,
            Self::EpochSeconds | Self::EpochMillis | Self::OffsetSeconds(_)
        )
    }

    /// Resolves `format`, looking at `samples` (raw field texts) for `Auto`.
    pub(crate) fn resolve(format: &TimeFormat, samples: &[&str]) -> Result<Self, String> {
        Ok(match format {
            TimeFormat::EpochSeconds => Self::EpochSeconds,
            TimeFormat::EpochMillis => Self::EpochMillis,
            TimeFormat::Iso8601 => Self::Iso,
            TimeFormat::OffsetSeconds { start_ms } => Self::OffsetSeconds(*start_ms),
            TimeFormat::Pattern(p) => Self::Pattern {
                pattern: p.clone(),
                with_offset: p.contains("%z") || p.contains("%:z") || p.contains("%#z"),
            },
            TimeFormat::Auto => Self::detect(samples)?,
        })
    }

    fn detect(samples: &[&str]) -> Result<Self, String> {
        let samples: Vec<&str> = samples
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        if samples.is_empty() {
            return Ok(Self::EpochSeconds);
        }
        // The first sample decides the kind, so that one bad row further
        // down is reported at its own line instead of failing detection.
        if samples[0].parse::<f64>().is_ok() {
            let big = samples
                .iter()
                .filter_map(|s| s.parse::<f64>().ok())
                .any(|v| v.abs() >= MILLIS_THRESHOLD);
            return Ok(if big {
                Self::EpochMillis
            } else {
                Self::EpochSeconds
            });
        }
        if parse_iso(samples[0]).is_some() {
            return Ok(Self::Iso);
        }
        Err(format!(
            "cannot detect the time format of {:?}; give one (epoch-s, epoch-ms, iso8601 or a strftime pattern)",
            samples[0]
        ))
    }

    /// A short name for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::EpochSeconds => "epoch seconds".into(),
            Self::EpochMillis => "epoch milliseconds".into(),
            Self::Iso => "ISO 8601 (YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|±HH:MM])".into(),
            Self::OffsetSeconds(_) => "seconds from the trace start".into(),
            Self::Pattern { pattern, .. } => format!("pattern {pattern:?}"),
        }
    }
}

/// A parsed instant and the UTC offset written in the text, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// Unix epoch ms UTC.
    pub ms: i64,
    /// Offset east of UTC in seconds, when the text carried one.
    pub offset_s: Option<i32>,
}

/// Converts time fields of one resolved kind; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct TimeParser {
    pub kind: TimeKind,
    tz: Tz,
}

impl TimeParser {
    pub(crate) fn new(kind: TimeKind, tz: Tz) -> Self {
        Self { kind, tz }
    }

    /// A number read by polars from a numeric time column.
    pub(crate) fn number_to_ms(&self, v: f64) -> Result<i64, String> {
        if !v.is_finite() {
            return Err("not a finite number".into());
        }
        let ms = match self.kind {
            TimeKind::EpochSeconds => v * 1000.0,
            TimeKind::EpochMillis => v,
            TimeKind::OffsetSeconds(start) => start as f64 + v * 1000.0,
            _ => {
                return Err(format!(
                    "a number where {} was expected",
                    self.kind.describe()
                ));
            }
        };
        if ms.abs() > MAX_ABS_MS {
            return Err("out of range (more than 200,000 years from 1970)".into());
        }
        Ok(ms.round() as i64)
    }

    /// A time field as text.
    pub(crate) fn parse(&self, s: &str) -> Result<Parsed, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty".into());
        }
        match &self.kind {
            TimeKind::EpochSeconds | TimeKind::EpochMillis | TimeKind::OffsetSeconds(_) => {
                let v: f64 = s
                    .parse()
                    .map_err(|_| format!("expected {}", self.kind.describe()))?;
                Ok(Parsed {
                    ms: self.number_to_ms(v)?,
                    offset_s: None,
                })
            }
            TimeKind::Iso => {
                let iso =
                    parse_iso(s).ok_or_else(|| format!("expected {}", self.kind.describe()))?;
                self.finish(iso.local, iso.offset_s)
            }
            TimeKind::Pattern {
                pattern,
                with_offset,
            } => {
                if *with_offset {
                    let dt = chrono::DateTime::parse_from_str(s, pattern)
                        .map_err(|e| format!("does not match {pattern:?}: {e}"))?;
                    Ok(Parsed {
                        ms: dt.timestamp_millis(),
                        offset_s: Some(dt.offset().fix().local_minus_utc()),
                    })
                } else {
                    let naive = NaiveDateTime::parse_from_str(s, pattern)
                        .map_err(|e| format!("does not match {pattern:?}: {e}"))?;
                    self.finish(naive, None)
                }
            }
        }
    }

    fn finish(&self, local: NaiveDateTime, offset_s: Option<i32>) -> Result<Parsed, String> {
        let utc_ms = local.and_utc().timestamp_millis();
        let ms = match offset_s {
            Some(off) => utc_ms - i64::from(off) * 1000,
            None if self.tz == Tz::UTC => utc_ms,
            None => local_to_utc_ms(local, self.tz)?,
        };
        Ok(Parsed { ms, offset_s })
    }
}

/// Local wall time in `tz` to epoch ms. Ambiguous times (the repeated hour
/// when clocks go back) take the earlier instant; times skipped when clocks
/// go forward do not exist and are refused.
fn local_to_utc_ms(local: NaiveDateTime, tz: Tz) -> Result<i64, String> {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => Ok(t.timestamp_millis()),
        chrono::LocalResult::Ambiguous(early, _) => Ok(early.timestamp_millis()),
        chrono::LocalResult::None => Err(format!(
            "{local} does not exist in {tz} (clocks go forward)"
        )),
    }
}

/// Formats an offset in seconds as `+HH:MM`.
pub(crate) fn format_offset(off: i32) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// Result of the hand-written ISO 8601 parser.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Iso {
    pub local: NaiveDateTime,
    pub offset_s: Option<i32>,
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[(.|,)fraction]]][Z|±HH[:MM]|±HHMM]`; up to 9
/// fractional digits are kept (Azure writes 7).
pub(crate) fn parse_iso(s: &str) -> Option<Iso> {
    let b = s.trim().as_bytes();
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4)? as i32;
    p.expect(b'-')?;
    let month = p.digits(2)?;
    p.expect(b'-')?;
    let day = p.digits(2)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (mut h, mut m, mut sec, mut nanos) = (0, 0, 0, 0);
    if p.peek()
        .is_some_and(|c| c == b'T' || c == b't' || c == b' ')
        && p.b.len() > p.i + 1
        && p.b[p.i + 1].is_ascii_digit()
    {
        p.i += 1;
        h = p.digits(2)?;
        p.expect(b':')?;
        m = p.digits(2)?;
        if p.peek() == Some(b':') {
            p.i += 1;
            sec = p.digits(2)?;
            if p.peek().is_some_and(|c| c == b'.' || c == b',') {
                p.i += 1;
                let start = p.i;
                while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                    p.i += 1;
                }
                let frac = &p.b[start..p.i];
                if frac.is_empty() {
                    return None;
                }
                for k in 0..9 {
                    nanos = nanos * 10 + frac.get(k).map_or(0, |d| u32::from(d - b'0'));
                }
            }
        }
    }
    let local = date.and_hms_nano_opt(h, m, sec, nanos)?;
    let offset_s = match p.peek() {
        None => None,
        Some(b'Z') | Some(b'z') => {
            p.i += 1;
            Some(0)
        }
        Some(c @ (b'+' | b'-')) => {
            p.i += 1;
            let oh = p.digits(2)? as i32;
            if p.peek() == Some(b':') {
                p.i += 1;
            }
            let om = if p.peek().is_some() {
                p.digits(2)? as i32
            } else {
                0
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            Some(if c == b'-' { -off } else { off })
        }
        Some(_) => return None,
    };
    if p.i != p.b.len() {
        return None;
    }
    Some(Iso { local, offset_s })
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &d in s {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(d - b'0');
        }
        self.i += n;
        Some(v)
    }
}

/// An absolute instant: ISO 8601 text (offset-less text is local to `tz`) or
/// an integer of Unix epoch milliseconds.
pub fn parse_instant(s: &str, tz: Tz) -> Result<i64, TraceError> {
    let t = s.trim();
    if let Ok(ms) = t.parse::<i64>() {
        return Ok(ms);
    }
    let parser = TimeParser::new(TimeKind::Iso, tz);
    parser.parse(t).map(|p| p.ms).map_err(|e| {
        TraceError::arg(
            "instant",
            s,
            format!("{e}; or give Unix epoch milliseconds"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso_ms(s: &str) -> i64 {
        TimeParser::new(TimeKind::Iso, Tz::UTC).parse(s).unwrap().ms
    }

    #[test]
    fn iso_variants_agree_with_chrono() {
        let want = chrono::DateTime::parse_from_rfc3339("2016-01-01T10:20:30.123+02:00")
            .unwrap()
            .timestamp_millis();
        assert_eq!(iso_ms("2016-01-01T10:20:30.123+02:00"), want);
        assert_eq!(iso_ms("2016-01-01 10:20:30.1230000+0200"), want);
        assert_eq!(iso_ms("2016-01-01T08:20:30.123Z"), want);
        assert_eq!(iso_ms("2016-01-01 08:20:30.123"), want);
        assert_eq!(iso_ms("2016-01-01"), want - want.rem_euclid(86_400_000));
    }

    #[test]
    fn iso_rejects_garbage() {
        for bad in [
            "2016-13-01",
            "2016-02-30 00:00",
            "2016-01-01T25:00",
            "2016-01-01 10:00 x",
            "1e9",
            "2016-01-01T10:00+2",
        ] {
            assert!(parse_iso(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn zoned_local_times_follow_dst() {
        let p = TimeParser::new(TimeKind::Iso, "Europe/Paris".parse().unwrap());
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            p.parse("2023-01-15 12:00:00").unwrap().ms,
            iso_ms("2023-01-15T11:00:00Z")
        );
        assert_eq!(
            p.parse("2023-07-15 12:00:00").unwrap().ms,
            iso_ms("2023-07-15T10:00:00Z")
        );
        // 02:30 on the spring-forward day does not exist.
        assert!(p.parse("2023-03-26 02:30:00").is_err());
        // 02:30 on the fall-back day happens twice: the earlier (UTC+2) wins.
        assert_eq!(
            p.parse("2023-10-29 02:30:00").unwrap().ms,
            iso_ms("2023-10-29T00:30:00Z")
        );
    }

    #[test]
    fn strftime_pattern_with_milliseconds() {
        let kind =
            TimeKind::resolve(&TimeFormat::Pattern("%Y.%m.%d-%H:%M:%S:%3f".into()), &[]).unwrap();
        let p = TimeParser::new(kind, Tz::UTC);
        assert_eq!(
            p.parse("2023.04.02-00:09:00:250").unwrap().ms,
            iso_ms("2023-04-02T00:09:00.250Z")
        );
        assert!(p.parse("2023-04-02 00:09:00").is_err());
    }

    #[test]
    fn auto_detection_picks_unit_by_magnitude() {
        let d = |s: &[&str]| TimeKind::resolve(&TimeFormat::Auto, s).unwrap();
        assert_eq!(d(&["1452441600.0", "1452672000.0"]), TimeKind::EpochSeconds);
        assert_eq!(d(&["1372629804000"]), TimeKind::EpochMillis);
        assert_eq!(d(&["1998-04-30 21:30:00"]), TimeKind::Iso);
        assert!(TimeKind::resolve(&TimeFormat::Auto, &["yesterday"]).is_err());
    }

    #[test]
    fn numbers_convert_by_unit() {
        let s = TimeParser::new(TimeKind::EpochSeconds, Tz::UTC);
        assert_eq!(s.number_to_ms(1.5).unwrap(), 1500);
        let o = TimeParser::new(TimeKind::OffsetSeconds(10_000), Tz::UTC);
        assert_eq!(o.number_to_ms(30.0).unwrap(), 40_000);
        assert!(s.number_to_ms(f64::NAN).is_err());
        assert!(s.number_to_ms(1e300).is_err());
    }

    #[test]
    fn offsets_format_with_sign() {
        assert_eq!(format_offset(3600), "+01:00");
        assert_eq!(format_offset(-(5 * 3600 + 1800)), "-05:30");
    }
}
