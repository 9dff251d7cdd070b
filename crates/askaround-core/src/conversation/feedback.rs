//! Closing the loop: the learner rates the help and says what they learned.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ids::SkillId;
use crate::text::optional;

/// 1 (did not help) to 5 (exactly what I needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Rating(u8);

impl Rating {
    pub fn parse(raw: i64) -> Result<Self, FieldError> {
        u8::try_from(raw)
            .ok()
            .filter(|r| (1..=5).contains(r))
            .map(Rating)
            .ok_or_else(|| {
                FieldError::new(
                    "rating",
                    format!("must be a whole number from 1 to 5 (got {raw})"),
                )
            })
    }

    pub fn value(self) -> u8 {
        self.0
    }

    /// Whether the learner found it good (4 or 5).
    pub fn is_good(self) -> bool {
        self.0 >= 4
    }
}

impl TryFrom<i64> for Rating {
    type Error = FieldError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<Rating> for i64 {
    fn from(value: Rating) -> Self {
        i64::from(value.0)
    }
}

/// An optional thank-you note, up to 1,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thanks(pub String);

impl Thanks {
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        Ok(optional("thanks", raw, 1000, true)?.map(Thanks))
    }
}

/// What the learner says when closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub rating: Rating,
    pub learned: Vec<SkillId>,
    pub thanks: Option<Thanks>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_run_from_one_to_five() {
        assert!(Rating::parse(0).is_err());
        assert!(Rating::parse(6).is_err());
        assert!(Rating::parse(5).unwrap().is_good());
        assert!(!Rating::parse(3).unwrap().is_good());
        assert_eq!(Rating::parse(-1).unwrap_err().field, "rating");
    }

    #[test]
    fn thanks_is_optional_and_bounded() {
        assert_eq!(Thanks::parse("  ").unwrap(), None);
        assert!(Thanks::parse(&"x".repeat(1001)).is_err());
    }
}
