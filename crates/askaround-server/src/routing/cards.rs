//! What live events and API answers say about an ask: its text, skills by name, who asks.

use serde::Serialize;
use utoipa::ToSchema;

use askaround_core::asks::{Ask, AskState, HelpMode, OpenReason};
use askaround_core::ids::{AskId, ConversationId, PersonId, SkillId};
use askaround_core::matching::Urgency;
use askaround_core::person::Profile;
use askaround_core::taxonomy::Taxonomy;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillName {
    pub id: SkillId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonCard {
    pub id: PersonId,
    pub name: String,
    pub title: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
}

impl PersonCard {
    pub fn of(profile: &Profile) -> Self {
        let p = &profile.person;
        Self {
            id: p.id,
            name: p.name.clone(),
            title: p.title.clone(),
            team: p.team.clone(),
            location: p.location.clone(),
        }
    }
}

/// An ask as a helper sees it on an offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AskCard {
    pub id: AskId,
    pub text: String,
    pub skills: Vec<SkillName>,
    pub urgency: Urgency,
    pub mode: HelpMode,
    pub asker: PersonCard,
}

pub fn skill_names(taxonomy: &Taxonomy, skills: &[SkillId]) -> Vec<SkillName> {
    skills
        .iter()
        .filter_map(|id| taxonomy.get(*id))
        .map(|s| SkillName {
            id: s.id,
            name: s.name.clone(),
        })
        .collect()
}

impl AskCard {
    pub fn of(ask: &Ask, asker: &Profile, taxonomy: &Taxonomy) -> Self {
        Self {
            id: ask.id,
            text: ask.text.as_str().to_owned(),
            skills: skill_names(taxonomy, ask.skills.as_slice()),
            urgency: ask.urgency,
            mode: ask.mode,
            asker: PersonCard::of(asker),
        }
    }
}

/// The state of an ask in words an API client can switch on.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AskStatus {
    /// `routing`, `open`, `matched`, `resolved`, `cancelled` or `expired`.
    pub state: &'static str,
    /// While routing: the wave being asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wave: Option<u32>,
    /// On the board: `nobody_available` or `waves_exhausted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_because: Option<&'static str>,
}

impl AskStatus {
    pub fn of(state: &AskState) -> Self {
        let (name, wave, open_because) = match state {
            AskState::Routing { wave, .. } => ("routing", Some(*wave), None),
            AskState::Open { why } => (
                "open",
                None,
                Some(match why {
                    OpenReason::NobodyAvailable => "nobody_available",
                    OpenReason::WavesExhausted => "waves_exhausted",
                }),
            ),
            AskState::Matched { .. } => ("matched", None, None),
            AskState::Resolved { .. } => ("resolved", None, None),
            AskState::Cancelled => ("cancelled", None, None),
            AskState::Expired => ("expired", None, None),
        };
        Self {
            state: name,
            wave,
            open_because,
        }
    }
}

/// An ask as its asker (or an admin) sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AskView {
    pub id: AskId,
    pub text: String,
    pub skills: Vec<SkillName>,
    pub urgency: Urgency,
    pub mode: HelpMode,
    pub status: AskStatus,
    pub asker: PersonCard,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub helper: Option<PersonCard>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// Colleagues this ask has interrupted so far (offers sent, referrals included).
    pub people_interrupted: u32,
    pub waves_sent: u32,
    /// Offers still waiting for an answer.
    pub pending_offers: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_to_first_accept: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds_to_resolution: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    /// Incremented by every change; useful to spot missed updates.
    pub version: u64,
}

impl AskView {
    pub fn of(
        ask: &Ask,
        asker: &Profile,
        helper: Option<&Profile>,
        conversation_id: Option<ConversationId>,
        taxonomy: &Taxonomy,
    ) -> Self {
        Self {
            id: ask.id,
            text: ask.text.as_str().to_owned(),
            skills: skill_names(taxonomy, ask.skills.as_slice()),
            urgency: ask.urgency,
            mode: ask.mode,
            status: AskStatus::of(&ask.state),
            asker: PersonCard::of(asker),
            helper: helper.map(PersonCard::of),
            conversation_id,
            people_interrupted: ask.counters.people_interrupted,
            waves_sent: ask.counters.waves_sent,
            pending_offers: u32::try_from(ask.pending_offers().count()).unwrap_or(u32::MAX),
            seconds_to_first_accept: ask.time_to_first_accept().map(|d| d.as_secs()),
            seconds_to_resolution: ask.time_to_resolution().map(|d| d.as_secs()),
            created_at: ask.created_at,
            updated_at: ask.updated_at,
            version: ask.version,
        }
    }
}
