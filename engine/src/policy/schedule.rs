//! Weekly windows in a real time zone (business hours, weekends, nightly
//! maintenance), evaluated on the engine's own timestamps.

use chrono::{Datelike, Timelike};
use chrono_tz::Tz;

use crate::config::WeeklyWindow;
use crate::config::validate::{parse_days, parse_hhmm};
use crate::time::Timestamp;

/// A validated weekly window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompiledWindow {
    tz: Tz,
    /// Bit 0 = Monday.
    days: u8,
    start_min: u16,
    end_min: u16,
}

impl CompiledWindow {
    /// Compiles a window that passed validation; `None` if it did not.
    pub fn new(w: &WeeklyWindow) -> Option<Self> {
        let tz: Tz = w.timezone.parse().ok()?;
        let mut days = 0u8;
        for d in &w.days {
            days |= parse_days(d)?;
        }
        if w.days.is_empty() {
            days = 0b0111_1111;
        }
        Some(CompiledWindow {
            tz,
            days,
            start_min: parse_hhmm(&w.start)?,
            end_min: parse_hhmm(&w.end)?,
        })
    }

    /// Whether the window is open at `at`. A window whose end is before its
    /// start runs past midnight: it opens on its days and closes the next
    /// morning.
    pub fn contains(&self, at: Timestamp) -> bool {
        let local = at.to_utc().with_timezone(&self.tz);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let day = local.weekday().num_days_from_monday();
        let on = |d: u32| self.days & (1 << (d % 7)) != 0;
        if self.start_min < self.end_min {
            on(day) && minute >= self.start_min && minute < self.end_min
        } else {
            (on(day) && minute >= self.start_min) || (on(day + 6) && minute < self.end_min)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(tz: &str, days: &[&str], start: &str, end: &str) -> CompiledWindow {
        CompiledWindow::new(&WeeklyWindow {
            timezone: tz.to_string(),
            days: days.iter().map(|d| d.to_string()).collect(),
            start: start.to_string(),
            end: end.to_string(),
        })
        .unwrap()
    }

    fn utc(text: &str) -> Timestamp {
        Timestamp(
            chrono::DateTime::parse_from_rfc3339(text)
                .unwrap()
                .timestamp_millis(),
        )
    }

    #[test]
    fn business_hours_follow_the_time_zone_not_utc() {
        let w = window("America/New_York", &["weekdays"], "09:00", "17:00");
        // 2024-07-01 is a Monday; New York is UTC-4 in summer.
        assert!(!w.contains(utc("2024-07-01T12:59:00Z")), "08:59 local");
        assert!(w.contains(utc("2024-07-01T13:00:00Z")), "09:00 local");
        assert!(!w.contains(utc("2024-07-01T21:00:00Z")), "17:00 local");
        // In winter New York is UTC-5: 13:30 UTC is 08:30 local.
        assert!(!w.contains(utc("2024-01-08T13:30:00Z")));
        assert!(w.contains(utc("2024-01-08T14:30:00Z")));
        // Saturday.
        assert!(!w.contains(utc("2024-07-06T15:00:00Z")));
    }

    #[test]
    fn windows_past_midnight_close_the_next_morning() {
        let w = window("UTC", &["fri"], "22:00", "02:00");
        assert!(w.contains(utc("2024-07-05T23:00:00Z")), "Friday night");
        assert!(w.contains(utc("2024-07-06T01:00:00Z")), "early Saturday");
        assert!(!w.contains(utc("2024-07-06T03:00:00Z")));
        assert!(
            !w.contains(utc("2024-07-05T01:00:00Z")),
            "early Friday belongs to Thursday"
        );
    }
}
