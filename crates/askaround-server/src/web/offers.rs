//! Offers: the requests for help waiting for my answer. They are shown on every page (the tray),
//! on the offers page with what happened to earlier ones, and one by one as a fragment the page
//! script fetches when an offer arrives live.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Form};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use askaround_core::asks::HelpMode;
use askaround_core::ids::OfferId;
use askaround_core::matching::Urgency;
use askaround_core::timezone::TimeZoneName;

use super::backend::{Backend, Failure};
use super::colleagues;
use super::errors::{PageResult, WebError, render};
use super::reply::{Flash, Reply, Submission, check_token};
use super::shell::{Shell, WebCaller};
use super::time;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::routing::cards::AskCard;
use crate::state::AppState;

/// An offer as its card shows it.
pub struct OfferCard {
    pub id: String,
    pub state: String,
    pub asker: String,
    pub asker_about: Option<String>,
    pub text: String,
    pub skills: Vec<String>,
    pub urgency: &'static str,
    pub mode: &'static str,
    pub why: Option<String>,
    pub expires_iso: String,
    pub expires_local: String,
    pub sent_local: String,
}

impl OfferCard {
    pub fn is_pending(&self) -> bool {
        self.state == "pending"
    }

    /// "Lea needs help with Microsoft Excel"
    pub fn headline(&self) -> String {
        match self.skills.as_slice() {
            [] => format!("{} needs help", self.asker),
            skills => format!("{} needs help with {}", self.asker, skills.join(", ")),
        }
    }
}

pub fn urgency_words(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Now => "right now",
        Urgency::Today => "today",
        Urgency::ThisWeek => "this week",
    }
}

pub fn mode_words(mode: HelpMode) -> &'static str {
    match mode {
        HelpMode::Chat => "by chat",
        HelpMode::Call => "on a call",
        HelpMode::InPerson => "in person",
    }
}

/// My offers (pending ones only with `pending_only`), newest first, as cards.
async fn cards(
    state: &AppState,
    caller: &Caller,
    tz: &TimeZoneName,
    pending_only: bool,
    limit: u32,
) -> Result<Vec<OfferCard>, WebError> {
    let now = Timestamp::now();
    let offers = state
        .store
        .offers_for(caller.org_id, caller.person_id, pending_only, limit)
        .await?;
    let taxonomy = state
        .taxonomies
        .get(state.store.as_ref(), caller.org_id)
        .await?;
    let mut out = Vec::with_capacity(offers.len());
    // An offer whose deadline passed is about to be expired by the dispatcher: not worth showing.
    for offer in offers
        .into_iter()
        .filter(|o| !pending_only || o.expires_at > now)
    {
        let ask = state.store.ask(caller.org_id, offer.ask).await?;
        let asker = state.store.person(caller.org_id, ask.asker).await?;
        let card = AskCard::of(&ask, &asker, &taxonomy);
        let about = [card.asker.title.clone(), card.asker.team.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
        out.push(OfferCard {
            id: offer.offer.to_string(),
            state: offer.state,
            asker: card.asker.name,
            asker_about: (!about.is_empty()).then_some(about),
            text: card.text,
            skills: card.skills.into_iter().map(|s| s.name).collect(),
            urgency: urgency_words(card.urgency),
            mode: mode_words(card.mode),
            why: offer.why,
            expires_iso: offer.expires_at.to_string(),
            expires_local: time::local(offer.expires_at, tz),
            sent_local: time::local(offer.sent_at, tz),
        });
    }
    Ok(out)
}

/// The offers waiting for my answer, for the tray on every page.
pub async fn pending_cards(
    state: &AppState,
    caller: &Caller,
    tz: &TimeZoneName,
) -> Result<Vec<OfferCard>, WebError> {
    cards(state, caller, tz, true, 10).await
}

#[derive(Template)]
#[template(path = "offers.html")]
struct OffersPage {
    shell: Option<Shell>,
    earlier: Vec<OfferCard>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Flash(notice): Flash,
) -> PageResult {
    let (shell, me) = Shell::load(&state, &caller, "offers", notice).await?;
    let earlier = cards(&state, &caller, &me.person.timezone, false, 30)
        .await?
        .into_iter()
        .filter(|c| !c.is_pending())
        .collect();
    Ok(render(&OffersPage {
        shell: Some(shell),
        earlier,
    }))
}

#[derive(Template)]
#[template(path = "offer_fragment.html")]
struct OfferFragment {
    offer: OfferCard,
    csrf_token: String,
}

/// One pending offer's card, for the script to insert when the offer arrives live. An offer that
/// is no longer pending is gone (404), so a replayed event never resurrects it.
pub async fn card_fragment(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Path(id): Path<String>,
) -> PageResult {
    let me = state
        .store
        .person(caller.org_id, caller.person_id)
        .await
        .map_err(ApiError::from)?;
    let offer = pending_cards(&state, &caller, &me.person.timezone)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(ApiError::NotFound)?;
    Ok(render(&OfferFragment {
        offer,
        csrf_token: caller.csrf_token,
    })
    .into_response())
}

fn offer_path(id: &str) -> Result<String, Failure> {
    id.parse::<OfferId>()
        .map(|id| format!("/offers/{id}"))
        .map_err(|_| Failure::new(StatusCode::NOT_FOUND, "There is no such offer."))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn accept(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<TokenForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let path = offer_path(&id)?;
        let answer = backend
            .post(&caller, &format!("{path}/accept"), json!({}))
            .await?;
        let asker = answer["ask"]["asker"]["name"].as_str().unwrap_or("them");
        Ok(match answer["conversation_id"].as_str() {
            Some(conversation) => form
                .go(format!("/conversations/{conversation}"))
                .notice(format!("You are helping {asker}. Say hello!")),
            None => form.go("/history"),
        })
    };
    form.finish("/offers", result.await)
}

#[derive(Deserialize)]
pub struct DeclineForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

pub async fn decline(
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<DeclineForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let path = offer_path(&id)?;
        let note = Some(input.note.trim()).filter(|n| !n.is_empty());
        backend
            .post(
                &caller,
                &format!("{path}/decline"),
                json!({"reason": input.reason, "note": note}),
            )
            .await?;
        Ok(form
            .stay("/offers")
            .notice("Declined. Thank you for saying why: it helps route the next ask.")
            .data(json!({"offer_id": id})))
    };
    form.finish("/offers", result.await)
}

#[derive(Deserialize)]
pub struct ReferForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    colleague: String,
    colleague_id: Option<String>,
}

pub async fn refer(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Extension(backend): Extension<Backend>,
    form: Submission,
    Path(id): Path<String>,
    Form(input): Form<ReferForm>,
) -> Reply {
    let result = async {
        check_token(&caller, &input.csrf_token)?;
        let path = offer_path(&id)?;
        let (colleague, name) = colleagues::resolve(
            &state,
            &caller,
            "colleague",
            input.colleague_id.as_deref(),
            &input.colleague,
        )
        .await?;
        backend
            .post(
                &caller,
                &format!("{path}/refer"),
                json!({"person_id": colleague}),
            )
            .await?;
        Ok(form
            .stay("/offers")
            .notice(format!("Thank you. We asked {name} instead."))
            .data(json!({"offer_id": id})))
    };
    form.finish("/offers", result.await)
}
