//! Why an event was not applied. A refusal changes nothing; its `code` is the stable,
//! machine-readable name the HTTP layer sends, its message a sentence a person can read.

use crate::ids::PersonId;

/// The messages are written for the person who acted: most refusals reach a colleague who was
/// trying to help, so they thank rather than scold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Another helper accepted or claimed the ask first.
    #[error("Someone else has already taken this ask — thank you for offering!")]
    AlreadyTaken,
    /// The same helper accepted (or claimed) it already, e.g. a double click or a retry.
    #[error("You have already taken this ask.")]
    AlreadyAccepted,
    #[error(
        "This offer has expired — thank you for looking! If nobody takes the ask, it will wait on the board of open asks."
    )]
    OfferExpired,
    /// The helper already declined, passed or referred this offer.
    #[error("You have already answered this offer.")]
    OfferClosed,
    #[error("The asker has cancelled this ask, so nothing more is needed — thank you!")]
    AskCancelled,
    /// Resolved or expired.
    #[error("This ask is closed.")]
    AskClosed,
    /// Someone acted on an offer or an ask that is not theirs; the server answers as if it did not
    /// exist, so ids cannot be probed.
    #[error("There is no such offer or ask for you.")]
    NotYours,
    #[error("{0}")]
    NotAllowed(&'static str),
    /// The event makes no sense in the ask's current state.
    #[error("{0}")]
    InvalidState(&'static str),
    #[error("This ask has no such offer.")]
    UnknownOffer,
    /// The event itself is malformed (e.g. an offer id already in use).
    #[error("{0}")]
    InvalidEvent(&'static str),
    /// An internal event (the matcher's answer, a timer) for a moment that has passed: a
    /// deadline delivered twice, candidates for an ask that was cancelled meanwhile. The
    /// dispatcher drops it.
    #[error("The ask has moved on; nothing to do.")]
    Stale,
}

impl Refusal {
    /// For someone who wants an ask that `helper` already has.
    pub(super) fn taken(helper: PersonId, by: PersonId) -> Self {
        if helper == by {
            Refusal::AlreadyAccepted
        } else {
            Refusal::AlreadyTaken
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Refusal::AlreadyTaken => "already_taken",
            Refusal::AlreadyAccepted => "already_accepted",
            Refusal::OfferExpired => "offer_expired",
            Refusal::OfferClosed => "offer_closed",
            Refusal::AskCancelled => "ask_cancelled",
            Refusal::AskClosed => "ask_closed",
            Refusal::NotYours => "not_yours",
            Refusal::NotAllowed(_) => "not_allowed",
            Refusal::InvalidState(_) => "invalid_state",
            Refusal::UnknownOffer => "unknown_offer",
            Refusal::InvalidEvent(_) => "invalid_event",
            Refusal::Stale => "stale",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_snake_case_words() {
        let all = [
            Refusal::AlreadyTaken,
            Refusal::AlreadyAccepted,
            Refusal::OfferExpired,
            Refusal::OfferClosed,
            Refusal::AskCancelled,
            Refusal::AskClosed,
            Refusal::NotYours,
            Refusal::NotAllowed("x"),
            Refusal::InvalidState("x"),
            Refusal::UnknownOffer,
            Refusal::InvalidEvent("x"),
            Refusal::Stale,
        ];
        let mut codes: Vec<&str> = all.iter().map(Refusal::code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        );
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn a_late_accepter_is_thanked() {
        assert_eq!(
            Refusal::AlreadyTaken.to_string(),
            "Someone else has already taken this ask — thank you for offering!"
        );
    }
}
