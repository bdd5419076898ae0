//! Durations as scenario files write them: `90`, `"90s"`, `"15m"`, `"2h"`,
//! `"7d"`, `"1w"`, `"1h30m"`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A length of simulated time, whole milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub i64);

impl Dur {
    /// `s` seconds.
    pub const fn secs(s: i64) -> Dur {
        Dur(s * 1000)
    }

    /// Length in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Length in milliseconds.
    pub const fn as_millis(self) -> i64 {
        self.0
    }
}

/// Parses `"1h30m"`, `"45s"`, `"7d"`, `"2w"`, `"250ms"` or a bare number of
/// seconds.
pub fn parse_duration(text: &str) -> Result<Dur, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(secs) = text.parse::<f64>() {
        return seconds(secs);
    }
    let mut total = 0.0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("{text:?}: expected a number before {rest:?}"));
        }
        let value: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{text:?}: {:?} is not a number", &rest[..digits]))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            "" => {
                return Err(format!(
                    "{text:?}: a unit is needed after {value} (ms, s, m, h, d, w)"
                ));
            }
            other => {
                return Err(format!(
                    "{text:?}: unknown unit {other:?} (ms, s, m, h, d, w)"
                ));
            }
        };
        total += value * factor;
    }
    seconds(total)
}

fn seconds(secs: f64) -> Result<Dur, String> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("{secs} is not a non-negative duration"));
    }
    Ok(Dur((secs * 1000.0).round() as i64))
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0;
        for (unit, size) in [
            ("w", 604_800_000),
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
        ] {
            if ms != 0 && ms % size == 0 {
                return write!(f, "{}{unit}", ms / size);
            }
        }
        write!(f, "{}ms", ms)
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Int(i) => seconds(i as f64),
            Raw::Float(x) => seconds(x),
            Raw::Text(t) => parse_duration(&t),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse_duration("90").unwrap(), Dur::secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Dur::secs(900));
        assert_eq!(parse_duration("1h30m").unwrap(), Dur::secs(5400));
        assert_eq!(parse_duration("7d").unwrap(), Dur::secs(604_800));
        assert_eq!(parse_duration("250ms").unwrap(), Dur(250));
        assert_eq!(parse_duration("0.5s").unwrap(), Dur(500));
    }

    #[test]
    fn refuses_nonsense_with_the_reason() {
        assert!(
            parse_duration("3 days")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(
            parse_duration("h")
                .unwrap_err()
                .contains("expected a number")
        );
        assert!(parse_duration("-5").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn displays_in_the_largest_whole_unit() {
        assert_eq!(Dur::secs(604_800 * 2).to_string(), "2w");
        assert_eq!(Dur::secs(5400).to_string(), "90m");
        assert_eq!(Dur(1500).to_string(), "1500ms");
    }
}
