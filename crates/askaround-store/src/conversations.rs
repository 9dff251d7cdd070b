//! Values for conversations, messages, feedback and reports crossing the store boundary.

use jiff::Timestamp;

use askaround_core::ids::{AskId, ConversationId, MessageId, OrgId, PersonId, SkillId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ConversationId,
    pub org_id: OrgId,
    pub ask_id: AskId,
    pub participants: Vec<Participant>,
    pub created_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

impl Conversation {
    pub fn includes(&self, person: PersonId) -> bool {
        self.participants.iter().any(|p| p.person_id == person)
    }

    pub fn role_of(&self, person: PersonId) -> Option<ParticipantRole> {
        self.participants
            .iter()
            .find(|p| p.person_id == person)
            .map(|p| p.role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub person_id: PersonId,
    pub name: String,
    pub role: ParticipantRole,
    pub added_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParticipantRole {
    Learner,
    Helper,
    /// A colleague pulled into the conversation by the learner or a helper.
    Guest,
}

impl ParticipantRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantRole::Learner => "learner",
            ParticipantRole::Helper => "helper",
            ParticipantRole::Guest => "guest",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    Text,
    /// A meeting link proposed for a call (`data` holds the URL).
    Call,
    /// A proposed time slot (`data` holds start, end and title).
    Slot,
    /// Written by askaround: someone joined, the conversation closed.
    System,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Call => "call",
            MessageKind::Slot => "slot",
            MessageKind::System => "system",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author_id: Option<PersonId>,
    pub kind: MessageKind,
    pub body: String,
    /// Kind-specific JSON (the call link, the slot).
    pub data: Option<String>,
    pub created_at: Timestamp,
}

/// Closing the loop, written with the transition that resolves the ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub learner: PersonId,
    pub helper: PersonId,
    pub rating: u8,
    pub thanks: Option<String>,
    pub learned: Vec<SkillId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRecord {
    pub ask_id: AskId,
    pub learner: PersonId,
    pub helper: PersonId,
    pub rating: u8,
    pub thanks: Option<String>,
    pub learned: Vec<SkillId>,
    pub topics: Vec<SkillId>,
    pub created_at: Timestamp,
}

/// A skill someone said they learned, and from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    pub skill: SkillId,
    pub ask_id: AskId,
    pub helper: PersonId,
    pub rating: u8,
    pub at: Timestamp,
}

/// How a person has helped so far: what the person page shows (no leaderboard).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HelpSummary {
    /// Resolved asks they helped with.
    pub sessions: u32,
    pub rated: u32,
    pub average_rating: Option<f64>,
    /// Skills of those sessions with how often, most frequent first.
    pub skills: Vec<(SkillId, u32)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: String,
    pub ask_id: AskId,
    pub reporter: PersonId,
    pub reason: String,
    pub created_at: Timestamp,
}
