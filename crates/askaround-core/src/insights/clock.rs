//! Local time for aggregation in SQL: weeks and hours of day in the organisation's time zone.
//!
//! Databases do not share a time-zone library (SQLite has none), so the core turns a zone and a
//! date range into the few UTC offset changes inside that range. A store adds the offset in effect
//! to each UTC instant and then buckets with plain integer arithmetic: a week starts on Monday
//! 00:00 *local* time, also across a daylight-saving change.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

pub const DAY_MS: i64 = 86_400_000;
pub const WEEK_MS: i64 = 7 * DAY_MS;
pub const HOUR_MS: i64 = 3_600_000;

/// The UTC offsets in effect over a range: `(from_utc_ms, offset_ms)`, sorted, the first
/// starting at `i64::MIN` so every instant has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalClock {
    periods: Vec<(i64, i64)>,
}

impl LocalClock {
    pub fn new(zone: &TimeZone, from: Timestamp, to: Timestamp) -> Self {
        let mut periods = vec![(i64::MIN, offset_ms(zone.to_offset(from)))];
        for transition in zone.following(from) {
            if transition.timestamp() >= to {
                break;
            }
            let offset = offset_ms(transition.offset());
            // Some transitions change only the abbreviation; they need no branch in SQL.
            if periods.last().is_some_and(|(_, last)| *last != offset) {
                periods.push((transition.timestamp().as_millisecond(), offset));
            }
        }
        Self { periods }
    }

    /// `(from_utc_ms, offset_ms)`: the first period's start is `i64::MIN`.
    pub fn periods(&self) -> &[(i64, i64)] {
        &self.periods
    }

    /// Milliseconds of the local wall clock, counted as if it were UTC.
    pub fn local_ms(&self, utc_ms: i64) -> i64 {
        let offset = self
            .periods
            .iter()
            .rev()
            .find(|(start, _)| *start <= utc_ms)
            .map_or(0, |(_, offset)| *offset);
        utc_ms + offset
    }

    /// The local hour of day (0–23) of an instant.
    pub fn hour_of(&self, utc_ms: i64) -> u8 {
        hour_of_local(self.local_ms(utc_ms))
    }
}

/// The hour of day of a local-clock millisecond count (as produced by [`LocalClock::local_ms`]).
pub fn hour_of_local(local_ms: i64) -> u8 {
    u8::try_from(local_ms.rem_euclid(DAY_MS) / HOUR_MS).unwrap_or(0)
}

fn offset_ms(offset: jiff::tz::Offset) -> i64 {
    i64::from(offset.seconds()) * 1000
}

/// Weeks (Monday to Sunday, local) covering a range of dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weeks {
    first_monday: Date,
    /// Local-clock milliseconds of the first Monday 00:00; a store's week index is
    /// `(local_ms - first_local_ms) / WEEK_MS`.
    first_local_ms: i64,
    count: u32,
}

impl Weeks {
    /// The weeks that contain any day from `from` to `to`, both included.
    pub fn covering(from: Date, to: Date) -> Self {
        let back = i64::from(from.weekday().to_monday_zero_offset());
        let first_monday = from.checked_sub(back.days()).unwrap_or(from);
        let days = first_monday.until(to).map_or(0, |span| span.get_days());
        let count = u32::try_from(days / 7 + 1).unwrap_or(1);
        Self {
            first_monday,
            first_local_ms: local_midnight_ms(first_monday),
            count,
        }
    }

    pub fn first_local_ms(&self) -> i64 {
        self.first_local_ms
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    /// The Monday starting week `index` (0 is the first).
    pub fn start(&self, index: u32) -> Date {
        self.first_monday
            .checked_add((i64::from(index) * 7).days())
            .unwrap_or(self.first_monday)
    }

    /// The week index of a local-clock millisecond count, if within these weeks.
    pub fn index_of_local(&self, local_ms: i64) -> Option<u32> {
        let offset = local_ms - self.first_local_ms;
        if offset < 0 {
            return None;
        }
        u32::try_from(offset / WEEK_MS)
            .ok()
            .filter(|i| *i < self.count)
    }
}

/// Midnight at the start of `date` on the local clock, counted as if it were UTC.
pub fn local_midnight_ms(date: Date) -> i64 {
    date.to_zoned_datetime(TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_millisecond())
}

/// The instant local midnight starts `date` in `zone` (the first instant of that day when
/// daylight saving skips midnight).
pub fn start_of_day(zone: &TimeZone, date: Date) -> Timestamp {
    date.to_zoned_datetime(zone.clone())
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// The Monday of the week containing `date`.
pub fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(back.days()).unwrap_or(date)
}
