//! People: who they are, when they work and how many offers they are willing to receive.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::email::Email;
use crate::hours::WorkingHours;
use crate::ids::{OrgId, PersonId, SkillId};
use crate::language::Language;
use crate::presence::{OutOfOffice, PresenceSetting};
use crate::skill::SkillLevel;
use crate::text::{bounded, limits, optional};
use crate::timezone::TimeZoneName;

/// What a person may do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" | "" => Ok(Role::Member),
            "admin" => Ok(Role::Admin),
            other => Err(FieldError::new(
                "role",
                format!("'{other}' is not a role (member or admin)"),
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many offers a week a person is willing to get. Zero means "do not route asks to me".
pub const DEFAULT_WEEKLY_BUDGET: u16 = 5;
pub const MAX_WEEKLY_BUDGET: u16 = 200;

pub fn parse_weekly_budget(raw: i64) -> Result<u16, FieldError> {
    u16::try_from(raw)
        .ok()
        .filter(|b| *b <= MAX_WEEKLY_BUDGET)
        .ok_or_else(|| {
            FieldError::new(
                "weekly_budget",
                format!("must be a whole number from 0 to {MAX_WEEKLY_BUDGET} (got {raw})"),
            )
        })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    pub id: PersonId,
    pub org_id: OrgId,
    pub email: Email,
    pub name: String,
    pub title: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    pub timezone: TimeZoneName,
    pub working_hours: WorkingHours,
    pub languages: Vec<Language>,
    pub bio: Option<String>,
    pub weekly_budget: u16,
    pub role: Role,
    pub active: bool,
    /// Reachability the person chose (`auto` follows whether they have the app open).
    pub presence: PresenceSetting,
    pub out_of_office: Option<OutOfOffice>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// A skill a person can help with, at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PersonSkill {
    pub skill_id: SkillId,
    pub name: String,
    pub level: SkillLevel,
}

/// A skill a person wants to learn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LearningGoal {
    pub skill_id: SkillId,
    pub name: String,
}

/// A person with what they can help with and what they are learning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    pub person: Person,
    pub skills: Vec<PersonSkill>,
    pub goals: Vec<LearningGoal>,
}

/// Every field of a person that a create or an import sets, already validated.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFields {
    pub email: Email,
    pub name: String,
    pub title: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    pub timezone: TimeZoneName,
    pub working_hours: WorkingHours,
    pub languages: Vec<Language>,
    pub bio: Option<String>,
    pub weekly_budget: u16,
    pub role: Role,
    pub active: bool,
}

/// A partial update; `None` leaves a field as it is. For optional text fields, `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    pub team: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub timezone: Option<TimeZoneName>,
    pub working_hours: Option<WorkingHours>,
    pub languages: Option<Vec<Language>>,
    pub bio: Option<Option<String>>,
    pub weekly_budget: Option<u16>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

impl PersonPatch {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Field parsers shared by the API, the web forms and the CSV import.
pub mod fields {
    use super::*;

    pub fn name(raw: &str) -> Result<String, FieldError> {
        bounded("name", raw, 1, limits::NAME, false)
    }
    pub fn title(raw: &str) -> Result<Option<String>, FieldError> {
        optional("title", raw, limits::TITLE, false)
    }
    pub fn team(raw: &str) -> Result<Option<String>, FieldError> {
        optional("team", raw, limits::TEAM, false)
    }
    pub fn location(raw: &str) -> Result<Option<String>, FieldError> {
        optional("location", raw, limits::LOCATION, false)
    }
    pub fn bio(raw: &str) -> Result<Option<String>, FieldError> {
        optional("bio", raw, limits::BIO, true)
    }
}

/// Passwords: long enough to resist guessing, short enough not to be a denial of service for the
/// hash function.
pub fn check_password(raw: &str) -> Result<(), FieldError> {
    let chars = raw.chars().count();
    if chars < 10 {
        return Err(FieldError::new(
            "password",
            "must be at least 10 characters",
        ));
    }
    if raw.len() > 512 {
        return Err(FieldError::new("password", "must be at most 512 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_case_insensitively_and_default_to_member() {
        assert_eq!("Admin".parse::<Role>().unwrap(), Role::Admin);
        assert_eq!("".parse::<Role>().unwrap(), Role::Member);
        assert_eq!(
            "boss".parse::<Role>().unwrap_err().message,
            "'boss' is not a role (member or admin)"
        );
    }

    #[test]
    fn budget_is_bounded() {
        assert_eq!(parse_weekly_budget(0).unwrap(), 0);
        assert!(parse_weekly_budget(-1).is_err());
        assert!(parse_weekly_budget(201).is_err());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password("short").is_err());
        assert!(check_password("long enough pass").is_ok());
    }
}
