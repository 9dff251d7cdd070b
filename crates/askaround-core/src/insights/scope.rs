//! What an insights request covers: a range of local dates and, optionally, one team or location.

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::clock::{LocalClock, Weeks, start_of_day};
use crate::timezone::TimeZoneName;
use crate::{FieldError, FieldErrors};

/// Days shown when no range is given: twelve whole weeks ending today.
pub const DEFAULT_DAYS: i64 = 84;
/// The longest range one request may cover (about three years of weekly points).
pub const MAX_DAYS: i64 = 3 * 366;
const MAX_FILTER_CHARS: usize = 200;

#[derive(Debug, Clone)]
pub struct Scope {
    /// First local day, included.
    pub from_date: Date,
    /// Last local day, included.
    pub to_date: Date,
    /// Local midnight starting `from_date`.
    pub from: Timestamp,
    /// Local midnight after `to_date` (excluded).
    pub to: Timestamp,
    pub team: Option<String>,
    pub location: Option<String>,
    pub zone: TimeZoneName,
    pub clock: LocalClock,
    pub weeks: Weeks,
}

/// The filters as received (query string or form), before validation.
#[derive(Debug, Clone, Default)]
pub struct ScopeInput<'a> {
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub team: Option<&'a str>,
    pub location: Option<&'a str>,
}

impl Scope {
    /// Validates the filters, naming each bad field. `today` is the organisation's local date.
    pub fn parse(
        input: &ScopeInput<'_>,
        zone: &TimeZoneName,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let to_date = errors.check(date_field("to", input.to)).flatten();
        let from_date = errors.check(date_field("from", input.from)).flatten();
        let team = errors.check(filter_field("team", input.team)).flatten();
        let location = errors
            .check(filter_field("location", input.location))
            .flatten();
        if !errors.is_empty() {
            return Err(errors);
        }
        let to_date = to_date.unwrap_or(today);
        let from_date = from_date.unwrap_or_else(|| {
            to_date
                .checked_sub((DEFAULT_DAYS - 1).days())
                .unwrap_or(to_date)
        });
        let days = from_date.until(to_date).map_or(0, |s| s.get_days().into());
        if days < 0 {
            errors.push(FieldError::new("from", "must be on or before `to`"));
        } else if days >= MAX_DAYS {
            errors.push(FieldError::new(
                "from",
                format!("the range may cover at most {MAX_DAYS} days"),
            ));
        }
        let Some(day_after) = to_date.checked_add(1.day()).ok() else {
            errors.push(FieldError::new("to", "is out of range"));
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self::new(from_date, day_after, team, location, zone))
    }

    /// A scope from `from_date` (included) to `end_date` (excluded) without validation; for
    /// callers that computed the dates themselves (the weekly digest, tests, the bench).
    pub fn new(
        from_date: Date,
        end_date: Date,
        team: Option<String>,
        location: Option<String>,
        zone: &TimeZoneName,
    ) -> Self {
        let from = start_of_day(zone.zone(), from_date);
        let to = start_of_day(zone.zone(), end_date);
        let to_date = end_date.checked_sub(1.day()).unwrap_or(end_date);
        Self {
            from_date,
            to_date,
            from,
            to,
            team,
            location,
            zone: zone.clone(),
            clock: LocalClock::new(zone.zone(), from, to),
            weeks: Weeks::covering(from_date, to_date),
        }
    }

    pub fn from_ms(&self) -> i64 {
        self.from.as_millisecond()
    }

    pub fn to_ms(&self) -> i64 {
        self.to.as_millisecond()
    }

    /// Days covered, both ends included.
    pub fn days(&self) -> i64 {
        self.from_date
            .until(self.to_date)
            .map_or(0, |s| i64::from(s.get_days()))
            + 1
    }
}

fn date_field(field: &str, raw: Option<&str>) -> Result<Option<Date>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| FieldError::new(field, format!("'{s}' is not a date like 2026-03-30"))),
    }
}

fn filter_field(field: &str, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.chars().count() > MAX_FILTER_CHARS => Err(FieldError::new(
            field,
            format!("must be at most {MAX_FILTER_CHARS} characters"),
        )),
        Some(s) => Ok(Some(s.to_owned())),
    }
}
