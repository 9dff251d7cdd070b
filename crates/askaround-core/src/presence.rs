//! How reachable a person says they are, and when they are away.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::matching::Presence;

/// What the person chose. `Auto` follows the app: online while they have it open.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PresenceSetting {
    #[default]
    Auto,
    Online,
    Away,
    Dnd,
}

impl PresenceSetting {
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceSetting::Auto => "auto",
            PresenceSetting::Online => "online",
            PresenceSetting::Away => "away",
            PresenceSetting::Dnd => "dnd",
        }
    }

    /// What the matcher sees, given whether the person has the app open right now.
    pub fn effective(self, connected: bool) -> Presence {
        match self {
            PresenceSetting::Online => Presence::Online,
            PresenceSetting::Away => Presence::Away,
            PresenceSetting::Dnd => Presence::DoNotDisturb,
            PresenceSetting::Auto if connected => Presence::Online,
            PresenceSetting::Auto => Presence::Offline,
        }
    }
}

impl FromStr for PresenceSetting {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "online" => Ok(Self::Online),
            "away" => Ok(Self::Away),
            "dnd" | "do_not_disturb" => Ok(Self::Dnd),
            other => Err(FieldError::new(
                "status",
                format!("'{other}' is not a presence (auto, online, away or dnd)"),
            )),
        }
    }
}

impl fmt::Display for PresenceSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Away from `from` (inclusive) until `until` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OutOfOffice {
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub until: Timestamp,
}

impl OutOfOffice {
    /// At most a year, ending after it starts.
    pub fn new(from: Timestamp, until: Timestamp) -> Result<Self, FieldError> {
        if until <= from {
            return Err(FieldError::new(
                "out_of_office.until",
                "must be after 'from'",
            ));
        }
        if until.duration_since(from) > jiff::SignedDuration::from_hours(24 * 366) {
            return Err(FieldError::new(
                "out_of_office.until",
                "is more than a year after 'from'",
            ));
        }
        Ok(Self { from, until })
    }

    pub fn covers(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_the_open_app() {
        assert_eq!(PresenceSetting::Auto.effective(true), Presence::Online);
        assert_eq!(PresenceSetting::Auto.effective(false), Presence::Offline);
        assert_eq!(PresenceSetting::Dnd.effective(true), Presence::DoNotDisturb);
        assert_eq!(
            "DND".parse::<PresenceSetting>().unwrap(),
            PresenceSetting::Dnd
        );
        assert_eq!(
            "busy".parse::<PresenceSetting>().unwrap_err().field,
            "status"
        );
    }

    #[test]
    fn out_of_office_must_end_after_it_starts() {
        let t: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        assert!(OutOfOffice::new(t, t).is_err());
        let ooo = OutOfOffice::new(t, t + jiff::SignedDuration::from_hours(48)).unwrap();
        assert!(ooo.covers(t) && !ooo.covers(t + jiff::SignedDuration::from_hours(48)));
    }
}
