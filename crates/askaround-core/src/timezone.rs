//! IANA time zones. The tz database is compiled into the binary (jiff's bundled copy), so a person's
//! working hours mean the same on every machine, whatever the host has installed.

use std::fmt;

use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A valid IANA time-zone name such as `Europe/Lisbon`, kept with its resolved zone.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName {
    name: String,
    zone: TimeZone,
}

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("timezone", "is required"));
        }
        let zone = TimeZone::get(name).map_err(|_| {
            FieldError::new(
                "timezone",
                format!("'{name}' is not an IANA time zone (e.g. Europe/Lisbon)"),
            )
        })?;
        // The database accepts case-insensitive names; keep its canonical spelling.
        let canonical = zone.iana_name().unwrap_or(name).to_owned();
        Ok(Self {
            name: canonical,
            zone,
        })
    }

    pub fn utc() -> Self {
        Self {
            name: "UTC".to_owned(),
            zone: TimeZone::UTC,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }
}

impl PartialEq for TimeZoneName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZoneName {}

impl fmt::Debug for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZoneName({})", self.name)
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl utoipa::PartialSchema for TimeZoneName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::openapi::string_schema("IANA time-zone name", "Europe/Lisbon")
    }
}

impl utoipa::ToSchema for TimeZoneName {}

impl TryFrom<String> for TimeZoneName {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iana_names_and_keeps_canonical_spelling() {
        assert_eq!(
            TimeZoneName::parse("Europe/Lisbon").unwrap().as_str(),
            "Europe/Lisbon"
        );
        assert_eq!(
            TimeZoneName::parse("europe/lisbon").unwrap().as_str(),
            "Europe/Lisbon"
        );
        assert_eq!(TimeZoneName::parse("UTC").unwrap().as_str(), "UTC");
    }

    #[test]
    fn refuses_made_up_zones_with_an_example() {
        let err = TimeZoneName::parse("Mars/Olympus").unwrap_err();
        assert_eq!(err.field, "timezone");
        assert!(
            err.message
                .contains("'Mars/Olympus' is not an IANA time zone")
        );
    }
}
