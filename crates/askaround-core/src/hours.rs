//! Working hours per weekday, in the person's own time zone.
//!
//! Written and read in one compact text form, used by the CSV import, the API and the database:
//! `mon-fri 09:00-17:30, sat 10:00-13:00`. A span whose end is before its start runs past midnight
//! (`22:00-06:00` is a night shift), so people on any schedule can be reached while they work.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::timezone::TimeZoneName;

const MINUTES_PER_DAY: u16 = 24 * 60;
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One day's span, in minutes after local midnight. `end <= start` means it ends the next day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaySpan {
    pub start: u16,
    pub end: u16,
}

impl DaySpan {
    fn crosses_midnight(self) -> bool {
        self.end <= self.start
    }
}

/// Hours for each weekday, Monday first; `None` is a day off.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WorkingHours {
    days: [Option<DaySpan>; 7],
}

impl WorkingHours {
    /// Monday to Friday, 09:00 to 17:00: the default for a new person.
    pub fn office() -> Self {
        let span = Some(DaySpan {
            start: 9 * 60,
            end: 17 * 60,
        });
        Self {
            days: [span, span, span, span, span, None, None],
        }
    }

    pub fn from_days(days: [Option<DaySpan>; 7]) -> Self {
        Self { days }
    }

    pub fn day(&self, weekday: Weekday) -> Option<DaySpan> {
        self.days[weekday.to_monday_zero_offset() as usize]
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = |message: String| FieldError::new("working_hours", message);
        let mut days = [None; 7];
        let raw = raw.trim();
        if raw.eq_ignore_ascii_case("none") || raw.is_empty() {
            return Ok(Self { days });
        }
        for clause in raw
            .split([',', ';'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let (day_part, span_part) = clause
                .split_once(char::is_whitespace)
                .ok_or_else(|| err(format!("'{clause}' should look like 'mon-fri 09:00-17:00'")))?;
            let span = parse_span(span_part.trim()).map_err(|m| err(format!("'{clause}': {m}")))?;
            for index in parse_day_range(day_part).map_err(|m| err(format!("'{clause}': {m}")))? {
                if days[index].is_some() {
                    return Err(err(format!("{} is given twice", DAY_NAMES[index])));
                }
                days[index] = Some(span);
            }
        }
        Ok(Self { days })
    }

    /// Is the person working at `at`, in their own time zone?
    pub fn is_working_at(&self, at: Timestamp, tz: &TimeZoneName) -> bool {
        let local = at.to_zoned_datetime(tz.zone().clone());
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        let today = local.weekday().to_monday_zero_offset() as usize;
        let yesterday = (today + 6) % 7;
        let in_today = self.days[today].is_some_and(|s| {
            if s.crosses_midnight() {
                minute >= s.start
            } else {
                (s.start..s.end).contains(&minute)
            }
        });
        let in_last_night =
            self.days[yesterday].is_some_and(|s| s.crosses_midnight() && minute < s.end);
        in_today || in_last_night
    }

    /// When the person next starts work after `after` (within a week), in their own zone; `None`
    /// for someone with no working hours. If they are working at `after`, that is `after`.
    pub fn next_start(&self, after: Timestamp, tz: &TimeZoneName) -> Option<Timestamp> {
        if self.is_working_at(after, tz) {
            return Some(after);
        }
        let local = after.to_zoned_datetime(tz.zone().clone());
        let start_of_day = local.date();
        (0..8i64)
            .filter_map(|offset| {
                let date = start_of_day
                    .checked_add(jiff::Span::new().days(offset))
                    .ok()?;
                let span = self.day(date.weekday())?;
                let start = date.at(
                    i8::try_from(span.start / 60).ok()?,
                    i8::try_from(span.start % 60).ok()?,
                    0,
                    0,
                );
                tz.zone().to_timestamp(start).ok()
            })
            .find(|t| *t > after)
    }

    /// Total working minutes in a week (a night shift counts fully on its starting day).
    pub fn weekly_minutes(&self) -> u32 {
        self.days
            .iter()
            .flatten()
            .map(|s| {
                if s.crosses_midnight() {
                    u32::from(MINUTES_PER_DAY - s.start + s.end)
                } else {
                    u32::from(s.end - s.start)
                }
            })
            .sum()
    }
}

/// Accepts `mon`, `monday`, `Tues`, but not `monkey` or `mo`.
fn parse_day(name: &str) -> Result<usize, String> {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = name.trim().to_ascii_lowercase();
    FULL.iter()
        .position(|full| lower.len() >= 3 && full.starts_with(&lower))
        .ok_or_else(|| format!("'{name}' is not a weekday (mon, tue, wed, thu, fri, sat, sun)"))
}

fn parse_day_range(raw: &str) -> Result<Vec<usize>, String> {
    match raw.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (parse_day(from)?, parse_day(to)?);
            if to < from {
                return Err(format!("day range '{raw}' runs backwards"));
            }
            Ok((from..=to).collect())
        }
        None => Ok(vec![parse_day(raw)?]),
    }
}

fn parse_span(raw: &str) -> Result<DaySpan, String> {
    let (start, end) = raw
        .split_once('-')
        .ok_or_else(|| format!("'{raw}' should be a span like 09:00-17:00"))?;
    let start = parse_time(start.trim())?;
    let end = parse_time(end.trim())?;
    if start == MINUTES_PER_DAY {
        return Err(format!("'{raw}' starts at 24:00; start at 00:00 instead"));
    }
    if start == end {
        return Err(format!("'{raw}' starts and ends at the same time"));
    }
    Ok(DaySpan { start, end })
}

fn parse_time(raw: &str) -> Result<u16, String> {
    let bad = || format!("'{raw}' is not a time like 09:00");
    let (h, m) = raw.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if h == 24 && m == 0 {
        // "17:00-24:00" ends at midnight; "00:00-24:00" is the whole day.
        return Ok(MINUTES_PER_DAY);
    }
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn format_time(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl fmt::Display for WorkingHours {
    /// Canonical form: consecutive days with the same span are grouped (`mon-fri 09:00-17:00`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut clauses = Vec::new();
        let mut i = 0;
        while i < 7 {
            let Some(span) = self.days[i] else {
                i += 1;
                continue;
            };
            let mut j = i;
            while j + 1 < 7 && self.days[j + 1] == Some(span) {
                j += 1;
            }
            let days = if i == j {
                DAY_NAMES[i].to_owned()
            } else {
                format!("{}-{}", DAY_NAMES[i], DAY_NAMES[j])
            };
            clauses.push(format!(
                "{days} {}-{}",
                format_time(span.start),
                format_time(span.end)
            ));
            i = j + 1;
        }
        if clauses.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&clauses.join(", "))
        }
    }
}

impl fmt::Debug for WorkingHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkingHours({self})")
    }
}

impl utoipa::PartialSchema for WorkingHours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::string_schema(
            "Working hours per weekday in the person's time zone; an end before the start runs past midnight",
            "mon-fri 09:00-17:30, sat 10:00-13:00",
        )
    }
}

impl utoipa::ToSchema for WorkingHours {}

impl TryFrom<String> for WorkingHours {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WorkingHours> for String {
    fn from(value: WorkingHours) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(iso: &str) -> Timestamp {
        iso.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_grouped_days() {
        let hours = WorkingHours::parse("Mon-Fri 09:00-17:30, sat 10:00-13:00").unwrap();
        assert_eq!(hours.to_string(), "mon-fri 09:00-17:30, sat 10:00-13:00");
        assert_eq!(hours.weekly_minutes(), 5 * 510 + 180);
        assert_eq!(WorkingHours::parse("none").unwrap().to_string(), "none");
        assert_eq!(WorkingHours::office().to_string(), "mon-fri 09:00-17:00");
    }

    #[test]
    fn working_hours_are_read_in_the_persons_zone() {
        let lisbon = TimeZoneName::parse("Europe/Lisbon").unwrap();
        let tokyo = TimeZoneName::parse("Asia/Tokyo").unwrap();
        let office = WorkingHours::office();
        // Wednesday 2026-11-25 10:00 UTC = 10:00 in Lisbon (WET), 19:00 in Tokyo.
        assert!(office.is_working_at(at("2026-11-25T10:00:00Z"), &lisbon));
        assert!(!office.is_working_at(at("2026-11-25T10:00:00Z"), &tokyo));
        // Saturday is off.
        assert!(!office.is_working_at(at("2026-11-28T10:00:00Z"), &lisbon));
        // End is exclusive.
        assert!(!office.is_working_at(at("2026-11-25T17:00:00Z"), &lisbon));
    }

    #[test]
    fn the_next_start_is_found_in_the_persons_zone() {
        let lisbon = TimeZoneName::parse("Europe/Lisbon").unwrap();
        let office = WorkingHours::office();
        // Wednesday 07:00 UTC: starts at 09:00 Lisbon (09:00 UTC in winter).
        assert_eq!(
            office.next_start(at("2026-11-25T07:00:00Z"), &lisbon),
            Some(at("2026-11-25T09:00:00Z"))
        );
        // Friday evening: Monday morning.
        assert_eq!(
            office.next_start(at("2026-11-27T18:00:00Z"), &lisbon),
            Some(at("2026-11-30T09:00:00Z"))
        );
        // At work already: now.
        assert_eq!(
            office.next_start(at("2026-11-25T10:00:00Z"), &lisbon),
            Some(at("2026-11-25T10:00:00Z"))
        );
        assert_eq!(
            WorkingHours::parse("none")
                .unwrap()
                .next_start(at("2026-11-25T10:00:00Z"), &lisbon),
            None
        );
    }

    #[test]
    fn night_shift_runs_past_midnight_into_the_next_day() {
        let utc = TimeZoneName::utc();
        let nights = WorkingHours::parse("fri 22:00-06:00").unwrap();
        assert!(nights.is_working_at(at("2026-11-27T23:00:00Z"), &utc)); // Friday night
        assert!(nights.is_working_at(at("2026-11-28T05:59:00Z"), &utc)); // Saturday morning
        assert!(!nights.is_working_at(at("2026-11-28T06:00:00Z"), &utc));
        assert!(!nights.is_working_at(at("2026-11-27T05:00:00Z"), &utc)); // Friday morning
    }

    #[test]
    fn a_whole_day_and_an_evening_to_midnight_are_expressible() {
        let utc = TimeZoneName::utc();
        let always = WorkingHours::parse("mon-sun 00:00-24:00").unwrap();
        assert_eq!(always.to_string(), "mon-sun 00:00-24:00");
        assert!(always.is_working_at(at("2026-11-29T23:59:59Z"), &utc));
        assert!(always.is_working_at(at("2026-11-29T00:00:00Z"), &utc));
        assert_eq!(always.weekly_minutes(), 7 * 1440);
        let evening = WorkingHours::parse("fri 17:00-24:00").unwrap();
        assert!(evening.is_working_at(at("2026-11-27T23:30:00Z"), &utc));
        assert!(!evening.is_working_at(at("2026-11-28T00:30:00Z"), &utc));
        assert!(WorkingHours::parse("mon 24:00-02:00").is_err());
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            ("mon 9-17", "'9' is not a time like 09:00"),
            ("funday 09:00-17:00", "'funday' is not a weekday"),
            ("fri-mon 09:00-17:00", "runs backwards"),
            ("mon 09:00-09:00", "starts and ends at the same time"),
            ("mon 09:00-17:00, mon 10:00-11:00", "mon is given twice"),
            ("mon", "should look like"),
            ("mon 25:00-26:00", "is not a time"),
        ];
        for (raw, expected) in cases {
            let err = WorkingHours::parse(raw).unwrap_err();
            assert_eq!(err.field, "working_hours");
            assert!(err.message.contains(expected), "{raw}: {}", err.message);
        }
    }

    proptest! {
        #[test]
        fn display_parses_back_to_the_same_hours(spans in proptest::collection::vec(proptest::option::of((0u16..1440, 1u16..1440)), 7)) {
            let mut days = [None; 7];
            for (i, span) in spans.into_iter().enumerate() {
                days[i] = span.map(|(start, len)| DaySpan { start, end: (start + len) % 1440 }).filter(|s| s.start != s.end);
            }
            let hours = WorkingHours::from_days(days);
            prop_assert_eq!(WorkingHours::parse(&hours.to_string()).unwrap(), hours);
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,40}") {
            let _ = WorkingHours::parse(&raw);
        }
    }
}
