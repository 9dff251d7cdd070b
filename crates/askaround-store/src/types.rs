//! Values that cross the store boundary.

use jiff::Timestamp;

use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::person::{PersonFields, Profile, Role};
use askaround_core::skill::SkillLevel;

#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub slug: String,
}

/// A person to create, with what they can help with and are learning.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub fields: PersonFields,
    pub password_hash: Option<String>,
    pub skills: Vec<(SkillId, SkillLevel)>,
    pub goals: Vec<SkillId>,
    /// An invitation to choose a password, issued with the person.
    pub invitation: Option<InvitationToken>,
}

impl NewPerson {
    pub fn new(fields: PersonFields) -> Self {
        Self {
            fields,
            password_hash: None,
            skills: Vec::new(),
            goals: Vec::new(),
            invitation: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct InvitationToken {
    /// SHA-256 of the token in the link; the token itself is never stored.
    pub token_hash: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct NewSkill {
    pub name: String,
    pub parent_id: Option<SkillId>,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SkillPatch {
    pub name: Option<String>,
    /// `Some(None)` makes the skill a root.
    pub parent_id: Option<Option<SkillId>>,
    pub add_aliases: Vec<String>,
    pub remove_aliases: Vec<String>,
}

/// Directory search. People are ordered by name, then id, and paged by keyset.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    /// Matches name, email, title, team or location (case-insensitive substring).
    pub text: Option<String>,
    /// People who can help with any of these skills (the caller expands a skill to its children).
    pub skill_ids: Vec<SkillId>,
    pub team: Option<String>,
    pub include_inactive: bool,
    pub limit: u32,
    pub after: Option<PeopleCursor>,
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleCursor {
    pub name_key: String,
    pub id: PersonId,
}

#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub items: Vec<Profile>,
    pub next: Option<PeopleCursor>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    pub created: u64,
    pub updated: u64,
}

#[derive(Debug, Clone)]
pub struct Credentials {
    pub person_id: PersonId,
    pub org_id: OrgId,
    /// `None` until the person accepts their invitation.
    pub password_hash: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the cookie token: a leaked database does not leak live sessions.
    pub token_hash: String,
    pub person_id: PersonId,
    pub org_id: OrgId,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub person_id: PersonId,
    pub org_id: OrgId,
    pub role: Role,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub token_hash: String,
    pub person_id: PersonId,
    pub org_id: OrgId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub person_id: PersonId,
    pub org_id: OrgId,
}

/// A live event to deliver to one person (and keep for replay).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub person_id: PersonId,
    /// `offer.received`, `ask.matched`, `message.created`, ...
    pub kind: String,
    /// The event's JSON payload, already serialised.
    pub data: String,
}

/// A stored event. `id` only ever increases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub id: i64,
    pub org_id: OrgId,
    pub person_id: PersonId,
    pub kind: String,
    pub data: String,
    pub at: Timestamp,
}
