//! Local time where each candidate is, computed once per time zone per ranking.
//!
//! Converting an instant to a zone's local time is the costliest step of an availability check; an
//! organisation has a few dozen zones and up to 100,000 people, so the conversion is done per zone
//! and each person's check is arithmetic on their working hours.

use jiff::Timestamp;

use crate::hours::{DaySpan, WorkingHours};
use crate::timezone::TimeZoneName;

const MINUTES_PER_DAY: i64 = 24 * 60;

/// Wall-clock time in one zone at the ranking's `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LocalClock {
    /// Monday = 0.
    pub weekday: usize,
    /// Minutes after local midnight.
    pub minute: u16,
}

impl LocalClock {
    pub fn at(now: Timestamp, zone: &TimeZoneName) -> Self {
        let local = now.to_zoned_datetime(zone.zone().clone());
        Self {
            weekday: usize::from(local.weekday().to_monday_zero_offset() as u8),
            minute: local.hour() as u16 * 60 + local.minute() as u16,
        }
    }

    /// "14:10".
    pub fn hh_mm(self) -> String {
        format!("{:02}:{:02}", self.minute / 60, self.minute % 60)
    }
}

/// Whether any working span overlaps the next `window` minutes (zero: "right now").
///
/// Spans are laid on a line of minutes from today's local midnight, starting with yesterday's
/// (a night shift that began yesterday may still be running). A daylight-saving change inside a
/// week-long window can shift a span by an hour; for "sometime this week" that is immaterial.
pub(super) fn works_within(hours: &WorkingHours, clock: LocalClock, window: u32) -> bool {
    let from = i64::from(clock.minute);
    let until = from + i64::from(window).max(1);
    let last_day = until.div_euclid(MINUTES_PER_DAY);
    (-1..=last_day).any(|offset| {
        let weekday = (clock.weekday as i64 + offset).rem_euclid(7) as usize;
        span_of(hours, weekday).is_some_and(|span| {
            let start = offset * MINUTES_PER_DAY + i64::from(span.start);
            let end = if span.end <= span.start {
                (offset + 1) * MINUTES_PER_DAY + i64::from(span.end)
            } else {
                offset * MINUTES_PER_DAY + i64::from(span.end)
            };
            start < until && end > from
        })
    })
}

fn span_of(hours: &WorkingHours, monday_zero: usize) -> Option<DaySpan> {
    use jiff::civil::Weekday;
    const DAYS: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];
    hours.day(DAYS[monday_zero % 7])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// "Working right now", as the gate asks it for urgency `Now`.
    fn works_at(hours: &WorkingHours, clock: LocalClock) -> bool {
        works_within(hours, clock, 0)
    }

    fn at(iso: &str) -> Timestamp {
        iso.parse().unwrap()
    }

    #[test]
    fn a_night_shift_started_yesterday_counts_as_working_now() {
        let utc = TimeZoneName::utc();
        let nights = WorkingHours::parse("fri 22:00-06:00").unwrap();
        let saturday_early = LocalClock::at(at("2026-11-28T05:00:00Z"), &utc);
        assert!(works_at(&nights, saturday_early));
    }

    #[test]
    fn an_office_worker_on_saturday_is_off_now_but_works_this_week() {
        let lisbon = TimeZoneName::parse("Europe/Lisbon").unwrap();
        let clock = LocalClock::at(at("2026-11-28T10:00:00Z"), &lisbon);
        let office = WorkingHours::office();
        assert!(!works_at(&office, clock));
        assert!(!works_within(&office, clock, 24 * 60), "Sunday is off too");
        assert!(works_within(&office, clock, 7 * 24 * 60));
    }

    #[test]
    fn the_local_clock_reads_in_the_zone() {
        let tokyo = TimeZoneName::parse("Asia/Tokyo").unwrap();
        let clock = LocalClock::at(at("2026-11-25T05:10:00Z"), &tokyo);
        assert_eq!(clock.hh_mm(), "14:10");
        assert_eq!(clock.weekday, 2);
    }

    proptest! {
        #[test]
        fn works_at_agrees_with_working_hours(
            spans in proptest::collection::vec(proptest::option::of((0u16..1440, 1u16..1440)), 7),
            seconds in 1_700_000_000i64..1_900_000_000,
            zone in prop::sample::select(vec!["UTC", "Europe/Lisbon", "Asia/Kolkata", "America/New_York", "Australia/Sydney"]),
        ) {
            let mut days = [None; 7];
            for (i, span) in spans.into_iter().enumerate() {
                days[i] = span.map(|(start, len)| DaySpan { start, end: (start + len) % 1440 }).filter(|s| s.start != s.end);
            }
            let hours = WorkingHours::from_days(days);
            let zone = TimeZoneName::parse(zone).unwrap();
            let now = Timestamp::from_second(seconds).unwrap();
            prop_assert_eq!(works_at(&hours, LocalClock::at(now, &zone)), hours.is_working_at(now, &zone));
        }
    }
}
