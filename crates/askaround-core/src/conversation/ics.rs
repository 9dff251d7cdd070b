//! A proposed time slot as an iCalendar file (RFC 5545) that any calendar can import.

use jiff::{SignedDuration, Timestamp};

use crate::FieldError;

/// What someone proposes: a start, a length and an optional title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    pub start: Timestamp,
    pub minutes: u16,
    pub title: Option<String>,
}

/// A validated slot, ready to store and to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Stable identifier, so re-downloading updates the same calendar entry.
    pub uid: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: String,
    pub description: String,
    pub organizer: String,
    pub attendees: Vec<String>,
    pub url: Option<String>,
}

impl SlotRequest {
    /// A slot must start in the future (a little slack for clock skew) and last 5 minutes to 4
    /// hours.
    pub fn validate(&self, now: Timestamp) -> Result<(), FieldError> {
        if !(5..=240).contains(&self.minutes) {
            return Err(FieldError::new("minutes", "must be from 5 to 240"));
        }
        if self.start < now - SignedDuration::from_mins(5) {
            return Err(FieldError::new("start", "is in the past"));
        }
        if self.start > now + SignedDuration::from_hours(24 * 90) {
            return Err(FieldError::new("start", "is more than 90 days ahead"));
        }
        if let Some(title) = &self.title {
            crate::text::bounded("title", title, 1, 200, false)?;
        }
        Ok(())
    }

    pub fn end(&self) -> Timestamp {
        self.start + SignedDuration::from_mins(i64::from(self.minutes))
    }
}

impl Slot {
    /// The `.ics` text: CRLF line endings, lines folded at 75 octets, text escaped.
    pub fn to_ics(&self, stamp: Timestamp) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_owned(),
            "VERSION:2.0".to_owned(),
            "PRODID:-//askaround//askaround//EN".to_owned(),
            "CALSCALE:GREGORIAN".to_owned(),
            "METHOD:PUBLISH".to_owned(),
            "BEGIN:VEVENT".to_owned(),
            format!("UID:{}", escape(&self.uid)),
            format!("DTSTAMP:{}", utc(stamp)),
            format!("DTSTART:{}", utc(self.start)),
            format!("DTEND:{}", utc(self.end)),
            format!("SUMMARY:{}", escape(&self.summary)),
            format!("DESCRIPTION:{}", escape(&self.description)),
            format!("ORGANIZER:mailto:{}", self.organizer),
        ];
        for attendee in &self.attendees {
            lines.push(format!("ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:{attendee}"));
        }
        if let Some(url) = &self.url {
            lines.push(format!("URL:{}", escape(url)));
        }
        lines.push("END:VEVENT".to_owned());
        lines.push("END:VCALENDAR".to_owned());
        let mut out = String::new();
        for line in lines {
            out.push_str(&fold(&line));
            out.push_str("\r\n");
        }
        out
    }
}

/// `20261129T140000Z`
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded with CRLF + space, never inside a
/// UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut octets = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if octets + len > 75 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn slot(summary: &str) -> Slot {
        let start: Timestamp = "2026-12-01T14:00:00Z".parse().unwrap();
        Slot {
            uid: "01abc@askaround".into(),
            start,
            end: start + SignedDuration::from_mins(30),
            summary: summary.into(),
            description: "Pivot tables, with Hal".into(),
            organizer: "lea@acme.test".into(),
            attendees: vec!["hal@acme.test".into()],
            url: Some("https://meet.example.com/x".into()),
        }
    }

    #[test]
    fn renders_a_calendar_event_with_crlf_and_escapes() {
        let ics = slot("Help; with, Excel").to_ics("2026-11-29T10:00:00Z".parse().unwrap());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20261201T140000Z\r\n"));
        assert!(ics.contains("DTEND:20261201T143000Z\r\n"));
        assert!(ics.contains("SUMMARY:Help\\; with\\, Excel\r\n"));
        assert!(ics.contains("ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:hal@acme.test\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "only CRLF line breaks"
        );
    }

    #[test]
    fn requests_are_checked() {
        let now: Timestamp = "2026-11-29T10:00:00Z".parse().unwrap();
        let ok = SlotRequest {
            start: now + SignedDuration::from_hours(2),
            minutes: 30,
            title: None,
        };
        assert!(ok.validate(now).is_ok());
        assert_eq!(
            SlotRequest {
                minutes: 1,
                ..ok.clone()
            }
            .validate(now)
            .unwrap_err()
            .field,
            "minutes"
        );
        let past = SlotRequest {
            start: now - SignedDuration::from_hours(2),
            ..ok
        };
        assert_eq!(past.validate(now).unwrap_err().message, "is in the past");
    }

    proptest! {
        #[test]
        fn folded_lines_never_exceed_75_octets(summary in "\\PC{0,300}") {
            let ics = slot(&summary).to_ics("2026-11-29T10:00:00Z".parse().unwrap());
            for line in ics.split("\r\n") {
                prop_assert!(line.len() <= 75, "{} octets: {line}", line.len());
            }
        }
    }
}
