//! An offer: one ask put to one colleague for a limited time, and how it ended.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ids::{OfferId, PersonId};
use crate::text::optional;

/// A note is a sentence or two for the asker ("try Ana, she wrote that macro"), not a reply;
/// replies happen in a conversation.
pub const MAX_DECLINE_NOTE: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub id: OfferId,
    pub helper: PersonId,
    /// The wave it went out in, from 1. A referral joins the wave of the offer it came from.
    pub wave: u32,
    /// Who passed the ask on to this helper, when it came by referral rather than from the matcher.
    pub referred_by: Option<PersonId>,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub state: OfferState,
    /// When it stopped being pending: answered, expired or withdrawn.
    pub closed_at: Option<Timestamp>,
}

impl Offer {
    pub fn is_pending(&self) -> bool {
        self.state == OfferState::Pending
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfferState {
    /// Waiting for the helper's answer until `expires_at`.
    Pending,
    /// The helper won the ask.
    Accepted,
    Declined {
        reason: DeclineReason,
        note: Option<DeclineNote>,
    },
    /// Not for me, no reason given.
    Passed,
    /// The helper suggested a colleague, who got an offer of their own (unless they had one).
    Referred { to: PersonId },
    /// Nobody answered in time; counts towards the helper's ignored-in-a-row streak.
    Expired,
    /// Taken back before the helper answered.
    Withdrawn { why: Withdrawal },
}

impl OfferState {
    /// The state's name as the API and the database spell it.
    pub fn name(&self) -> &'static str {
        match self {
            OfferState::Pending => "pending",
            OfferState::Accepted => "accepted",
            OfferState::Declined { .. } => "declined",
            OfferState::Passed => "passed",
            OfferState::Referred { .. } => "referred",
            OfferState::Expired => "expired",
            OfferState::Withdrawn { .. } => "withdrawn",
        }
    }
}

/// Why a pending offer was taken back; the helper's screen says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withdrawal {
    SomeoneElseAccepted,
    AskCancelled,
}

/// Why a helper said no. Reasons feed the matcher ("not my area" is evidence about expertise,
/// "busy" is not) and tell the asker something true without naming names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    Busy,
    NotMyArea,
    NoTimeToday,
    Other,
}

impl DeclineReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::Busy => "busy",
            DeclineReason::NotMyArea => "not_my_area",
            DeclineReason::NoTimeToday => "no_time_today",
            DeclineReason::Other => "other",
        }
    }
}

impl FromStr for DeclineReason {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "busy" => Ok(DeclineReason::Busy),
            "not_my_area" => Ok(DeclineReason::NotMyArea),
            "no_time_today" => Ok(DeclineReason::NoTimeToday),
            "other" => Ok(DeclineReason::Other),
            other => Err(FieldError::new(
                "reason",
                format!("'{other}' is not a reason (busy, not_my_area, no_time_today or other)"),
            )),
        }
    }
}

impl fmt::Display for DeclineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An optional word with a decline, for any reason (not only "other": "busy until 3" helps too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeclineNote(String);

impl DeclineNote {
    /// A blank note is no note.
    pub fn parse(raw: &str) -> Result<Option<Self>, FieldError> {
        Ok(optional("note", raw, MAX_DECLINE_NOTE, true)?.map(Self))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeclineNote {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)?.ok_or_else(|| FieldError::new("note", "is blank"))
    }
}

impl From<DeclineNote> for String {
    fn from(value: DeclineNote) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decline_reasons_parse_and_name_the_field() {
        assert_eq!(
            " Not_My_Area ".parse::<DeclineReason>().unwrap(),
            DeclineReason::NotMyArea
        );
        for reason in [
            DeclineReason::Busy,
            DeclineReason::NotMyArea,
            DeclineReason::NoTimeToday,
            DeclineReason::Other,
        ] {
            assert_eq!(reason.as_str().parse::<DeclineReason>().unwrap(), reason);
        }
        assert_eq!("meh".parse::<DeclineReason>().unwrap_err().field, "reason");
    }

    #[test]
    fn a_blank_note_is_no_note_and_a_long_one_is_refused() {
        assert_eq!(DeclineNote::parse("   ").unwrap(), None);
        assert_eq!(
            DeclineNote::parse(" busy until 3 ")
                .unwrap()
                .unwrap()
                .as_str(),
            "busy until 3"
        );
        let err = DeclineNote::parse(&"x".repeat(MAX_DECLINE_NOTE + 1)).unwrap_err();
        assert_eq!(err.field, "note");
    }
}
