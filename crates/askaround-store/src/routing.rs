//! Values for asks, offers, timers and matcher jobs crossing the store boundary.

use jiff::Timestamp;

use askaround_core::asks::{Ask, Timer};
use askaround_core::ids::{AskId, ConversationId, OfferId, OrgId, PersonId, SkillId};
use askaround_core::matching::{Decline, HelpEvidence, Responsiveness};
use askaround_core::person::Profile;

use crate::{EventRecord, NewEvent};

/// Everything a transition writes besides the ask itself, derived from its effects by the server.
/// The store writes it in the same transaction as the ask, so a crash can neither lose nor double
/// any of it.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    pub schedule: Vec<(Timer, Timestamp)>,
    pub unschedule: Vec<Timer>,
    /// A matcher run owed for this wave.
    pub find_candidates: Option<u32>,
    /// Hold that new job from the start until this time: the committing node answers it at once
    /// (no round trip through the dispatcher); if it dies first, the job is handed out when the
    /// lease runs out.
    pub job_lease_until: Option<Timestamp>,
    /// The matcher job this transition answers (deleted with it).
    pub done_job: Option<i64>,
    pub events: Vec<NewEvent>,
    pub open_conversation: Option<NewConversation>,
    /// How helpers answered offers: `true` when one expired unanswered. Feeds the
    /// ignored-in-a-row counter behind auto-snooze.
    pub responses: Vec<(PersonId, bool)>,
    /// After this many ignored offers in a row a person is snoozed (presence set to dnd).
    pub snooze_after: u32,
    /// The learner's feedback, with the transition that resolves the ask; also closes the
    /// conversation.
    pub feedback: Option<crate::NewFeedback>,
    /// Why the matcher picked each newly offered helper ("helped 6 people with Excel · online").
    pub offer_reasons: Vec<(OfferId, String)>,
}

#[derive(Debug, Clone)]
pub struct NewConversation {
    pub id: ConversationId,
    pub learner: PersonId,
    pub helper: PersonId,
}

/// What a committed transition produced.
#[derive(Debug, Clone, Default)]
pub struct Committed {
    pub events: Vec<EventRecord>,
    /// People whose ignored streak reached the limit and who were snoozed just now.
    pub snoozed: Vec<PersonId>,
    /// The matcher job this transition created, if any.
    pub job: Option<MatcherJob>,
}

#[derive(Debug, Clone)]
pub enum CreatedAsk {
    Created(Committed),
    /// The same `Idempotency-Key` was used before by this asker: the ask it created.
    Existing(Box<Ask>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTimer {
    pub org_id: OrgId,
    pub ask_id: AskId,
    pub timer: Timer,
    pub due_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherJob {
    pub id: i64,
    pub org_id: OrgId,
    pub ask_id: AskId,
    pub wave: u32,
}

/// An offer as the helper sees it: the ask and who asks.
#[derive(Debug, Clone)]
pub struct OfferView {
    pub offer: OfferId,
    pub ask: AskId,
    pub state: String,
    pub why: Option<String>,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Everything the matcher needs to rebuild its index for one organisation.
#[derive(Debug, Clone, Default)]
pub struct MatcherSnapshot {
    pub profiles: Vec<Profile>,
    pub evidence: Vec<(PersonId, HelpEvidence)>,
    pub load: Vec<(PersonId, OfferLoad)>,
    pub declines: Vec<(PersonId, Decline)>,
}

/// Offers a person got recently and how they answered them over time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfferLoad {
    pub last_day: u16,
    pub last_week: u16,
    pub responsiveness: Responsiveness,
}

/// A write another node made that this node must follow: its matcher index and its sockets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Change {
    /// New live events exist (fetch them with `events_since`).
    Events,
    /// A person's profile, skills, presence or out-of-office changed.
    Person { org: OrgId, person: PersonId },
    /// An ask moved: offers sent or answered, matched, resolved with feedback.
    Ask { org: OrgId, ask: AskId },
    /// Many people changed at once (an import) or the taxonomy changed: reload the organisation.
    Org { org: OrgId },
}

/// Announcements of committed writes, this node's and other nodes'. Announcements made while the
/// feed is reconnecting are lost, so after every reconnection the feed yields `Change::Events` and
/// then `Change::Org` for every organisation, and a follower catches up from the tables (events
/// after the last id it delivered, indexes reloaded) rather than trusting the feed alone.
pub type ChangeFeed = std::pin::Pin<Box<dyn futures_core::Stream<Item = Change> + Send>>;

/// A skill filter for the board of open asks.
#[derive(Debug, Clone, Default)]
pub struct OpenAsksQuery {
    pub skills: Vec<SkillId>,
    pub limit: u32,
}
