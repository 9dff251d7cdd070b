//! Times as a person reads them: in their own time zone, and back from what a form sends.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

use askaround_core::timezone::TimeZoneName;

/// "Tue 1 Dec, 14:30" in the viewer's zone.
pub fn local(at: Timestamp, tz: &TimeZoneName) -> String {
    at.to_zoned_datetime(tz.zone().clone())
        .strftime("%a %-d %b, %H:%M")
        .to_string()
}

/// "1 Dec 2026" in the viewer's zone.
pub fn local_date(at: Timestamp, tz: &TimeZoneName) -> String {
    at.to_zoned_datetime(tz.zone().clone())
        .strftime("%-d %b %Y")
        .to_string()
}

/// The value of an `<input type="date">` for `at` in the viewer's zone.
pub fn date_input(at: Timestamp, tz: &TimeZoneName) -> String {
    at.to_zoned_datetime(tz.zone().clone()).date().to_string()
}

/// An `<input type="datetime-local">` value ("2026-12-01T14:30"), read in the person's zone.
pub fn parse_local(raw: &str, tz: &TimeZoneName) -> Result<Timestamp, String> {
    let civil: DateTime = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a date and time"))?;
    civil
        .to_zoned_datetime(tz.zone().clone())
        .map(|z| z.timestamp())
        .map_err(|_| format!("'{raw}' does not exist in {tz}"))
}

/// The start of the day of an `<input type="date">` value, in the person's zone.
pub fn parse_day(raw: &str, tz: &TimeZoneName) -> Result<Timestamp, String> {
    let date: Date = raw
        .trim()
        .parse()
        .map_err(|_| format!("'{raw}' is not a date"))?;
    date.to_zoned_datetime(tz.zone().clone())
        .map(|z| z.timestamp())
        .map_err(|_| format!("'{raw}' does not exist in {tz}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lisbon() -> TimeZoneName {
        TimeZoneName::parse("Europe/Lisbon").expect("zone")
    }

    #[test]
    fn times_are_shown_in_the_viewers_zone() {
        let at: Timestamp = "2026-07-01T13:30:00Z".parse().expect("time");
        assert_eq!(local(at, &lisbon()), "Wed 1 Jul, 14:30");
        assert_eq!(local_date(at, &lisbon()), "1 Jul 2026");
        assert_eq!(date_input(at, &lisbon()), "2026-07-01");
    }

    #[test]
    fn form_times_are_read_in_the_persons_zone() {
        let at = parse_local("2026-07-01T14:30", &lisbon()).expect("parses");
        assert_eq!(at.to_string(), "2026-07-01T13:30:00Z");
        assert_eq!(
            parse_day("2026-12-24", &lisbon())
                .expect("parses")
                .to_string(),
            "2026-12-24T00:00:00Z"
        );
        assert!(parse_local("tomorrow", &lisbon()).is_err());
    }
}
