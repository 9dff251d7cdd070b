//! The conversation page: the ask, who is in it, the messages (older ones a page at a time), and
//! the forms to write, propose a call or a time, pull in a colleague and close the loop.

use askama::Template;
use axum::extract::{Path, Query, State};
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::Value;

use askaround_core::ids::{ConversationId, MessageId};
use askaround_core::timezone::TimeZoneName;
use askaround_store::{Conversation, Message, MessageKind, ParticipantRole};

use super::errors::{PageResult, WebError, render};
use super::reply::Flash;
use super::shell::{Shell, WebCaller};
use super::time;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routing::cards::skill_names;
use crate::state::AppState;

/// Messages per page of history.
const PAGE: u32 = 50;

pub struct MessageRow {
    pub id: String,
    pub author: String,
    pub mine: bool,
    pub kind: &'static str,
    pub body: String,
    pub when: String,
    pub when_iso: String,
    /// A proposed call's meeting link.
    pub link: Option<String>,
    /// A proposed slot: when, in the viewer's zone, and its calendar file.
    pub slot: Option<(String, String)>,
}

impl MessageRow {
    fn of(m: &Message, c: &Conversation, me: &Caller, tz: &TimeZoneName) -> Self {
        let data: Value = m
            .data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or(Value::Null);
        let author = m
            .author_id
            .and_then(|a| c.participants.iter().find(|p| p.person_id == a))
            .map_or_else(|| "askaround".to_owned(), |p| p.name.clone());
        let slot = (m.kind == MessageKind::Slot)
            .then(|| {
                let start: Timestamp = data["start"].as_str()?.parse().ok()?;
                let minutes = data["minutes"].as_u64().unwrap_or_default();
                let title = data["title"].as_str().unwrap_or("askaround session");
                Some((
                    format!("{title}: {} ({minutes} minutes)", time::local(start, tz)),
                    data["ics_url"].as_str()?.to_owned(),
                ))
            })
            .flatten();
        Self {
            id: m.id.to_string(),
            author,
            mine: m.author_id == Some(me.person_id),
            kind: m.kind.as_str(),
            body: m.body.clone(),
            when: time::local(m.created_at, tz),
            when_iso: m.created_at.to_string(),
            link: data["meeting_url"].as_str().map(str::to_owned),
            slot,
        }
    }
}

pub struct ParticipantRow {
    pub id: String,
    pub name: String,
    pub role: &'static str,
}

pub struct FeedbackRow {
    pub rating: u8,
    pub thanks: Option<String>,
    pub learned: Vec<String>,
    pub topics: Vec<String>,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    shell: Option<Shell>,
    id: String,
    ask_id: String,
    ask_text: String,
    ask_skills: Vec<String>,
    participants: Vec<ParticipantRow>,
    messages: Vec<MessageRow>,
    older: Option<String>,
    closed: Option<String>,
    is_learner: bool,
    is_helper: bool,
    feedback: Option<FeedbackRow>,
    /// A sensible default for the slot form: the next full hour after the coming one.
    slot_default: String,
}

fn conversation_id(raw: &str) -> Result<ConversationId, ApiError> {
    raw.parse().map_err(|_| ApiError::NotFound)
}

/// The conversation, if the caller is in it; otherwise it does not exist for them.
pub async fn joined(
    state: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<Conversation, ApiError> {
    let c = state
        .store
        .conversation(caller.org_id, conversation_id(raw)?)
        .await?;
    if c.includes(caller.person_id) {
        Ok(c)
    } else {
        Err(ApiError::NotFound)
    }
}

#[derive(Deserialize)]
pub struct HistoryParams {
    before: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
    Path(id): Path<String>,
    Query(params): Query<HistoryParams>,
) -> PageResult {
    let c = joined(&state, &caller, &id).await?;
    let (shell, me) = Shell::load(&state, &caller, "", notice).await?;
    let tz = &me.person.timezone;
    let before = params
        .before
        .as_deref()
        .map(|b| b.parse::<MessageId>().map_err(|_| ApiError::NotFound))
        .transpose()?;
    let mut messages = state
        .store
        .messages(caller.org_id, c.id, before, PAGE)
        .await
        .map_err(ApiError::from)?;
    let older = (messages.len() as u32 == PAGE)
        .then(|| {
            messages
                .last()
                .map(|m| format!("/conversations/{}?before={}", c.id, m.id))
        })
        .flatten();
    messages.reverse();
    let ask = state
        .store
        .ask(caller.org_id, c.ask_id)
        .await
        .map_err(ApiError::from)?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let names = |ids: &[askaround_core::ids::SkillId]| -> Vec<String> {
        skill_names(&taxonomy, ids)
            .into_iter()
            .map(|s| s.name)
            .collect()
    };
    let feedback = state
        .store
        .feedback(caller.org_id, c.ask_id)
        .await
        .map_err(ApiError::from)?
        .map(|f| FeedbackRow {
            rating: f.rating,
            thanks: f.thanks.clone(),
            learned: names(&f.learned),
            topics: names(&f.topics),
        });
    let role = c.role_of(caller.person_id);
    let page = ConversationPage {
        shell: Some(shell),
        id: c.id.to_string(),
        ask_id: ask.id.to_string(),
        ask_text: ask.text.as_str().to_owned(),
        ask_skills: names(ask.skills.as_slice()),
        participants: c
            .participants
            .iter()
            .map(|p| ParticipantRow {
                id: p.person_id.to_string(),
                name: p.name.clone(),
                role: p.role.as_str(),
            })
            .collect(),
        messages: messages
            .iter()
            .map(|m| MessageRow::of(m, &c, &caller, tz))
            .collect(),
        older,
        closed: c.closed_at.map(|at| time::local(at, tz)),
        is_learner: role == Some(ParticipantRole::Learner),
        is_helper: role == Some(ParticipantRole::Helper),
        feedback,
        slot_default: slot_default(Timestamp::now(), tz),
    };
    Ok(render(&page))
}

/// "2026-12-01T15:00": the full hour at least an hour from now, for the slot form.
fn slot_default(now: Timestamp, tz: &TimeZoneName) -> String {
    let later = now
        .saturating_add(SignedDuration::from_hours(2))
        .unwrap_or(now);
    let zoned = later.to_zoned_datetime(tz.zone().clone());
    format!("{}T{:02}:00", zoned.date(), zoned.hour())
}

#[derive(Template)]
#[template(path = "message_fragment.html")]
struct MessageFragment {
    message: MessageRow,
}

/// One message, for the page script to append when it arrives live.
pub async fn message_fragment(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Path((id, message)): Path<(String, String)>,
) -> PageResult {
    let c = joined(&state, &caller, &id).await?;
    let message_id: MessageId = message.parse().map_err(|_| ApiError::NotFound)?;
    let found = state
        .store
        .message(caller.org_id, message_id)
        .await
        .map_err(ApiError::from)?;
    if found.conversation_id != c.id {
        return Err(WebError::from(ApiError::NotFound));
    }
    let me = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    Ok(render(&MessageFragment {
        message: MessageRow::of(&found, &c, &caller, &me.person.timezone),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_form_suggests_a_full_hour_later_today() {
        let tz = TimeZoneName::parse("Europe/Lisbon").expect("zone");
        let now: Timestamp = "2026-07-01T09:20:00Z".parse().expect("time");
        assert_eq!(slot_default(now, &tz), "2026-07-01T12:00");
    }
}
