//! The web app people use: server-rendered pages whose forms work on their own, enhanced by a small
//! script in `static/js` (live events, offers as they arrive, autocomplete, no-reload forms).
//!
//! Pages read through the store; every state change goes through the JSON API in-process
//! ([`backend`]), so a form and an API call share every rule, event and error message. Every form
//! carries the session's CSRF token on top of the same-origin check all unsafe requests pass.

mod admin;
mod asks;
mod assets;
mod availability;
mod backend;
mod board;
mod colleagues;
mod conversation;
mod conversation_actions;
mod errors;
mod evidence;
mod history;
pub(crate) mod insights;
mod offers;
mod people;
mod profile;
mod reply;
mod shell;
mod signin;
mod skills;
mod time;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::state::AppState;

pub use errors::not_found_page;

/// CSV uploads of 50,000+ people need more than the default 2 MB body limit (as in the API).
const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(asks::home))
        .route("/signin", get(signin::page).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route(
            "/invite/{token}",
            get(signin::invite_page).post(signin::invite_submit),
        )
        .route("/asks", post(asks::create))
        .route("/asks/{id}", get(asks::page))
        .route("/asks/{id}/status", get(asks::status_fragment))
        .route("/asks/{id}/cancel", post(asks::cancel))
        .route("/offers", get(offers::page))
        .route("/offers/{id}/card", get(offers::card_fragment))
        .route("/offers/{id}/accept", post(offers::accept))
        .route("/offers/{id}/decline", post(offers::decline))
        .route("/offers/{id}/refer", post(offers::refer))
        .route("/conversations/{id}", get(conversation::page))
        .route(
            "/conversations/{id}/messages",
            post(conversation_actions::send),
        )
        .route(
            "/conversations/{id}/messages/{message}",
            get(conversation::message_fragment),
        )
        .route("/conversations/{id}/call", post(conversation_actions::call))
        .route("/conversations/{id}/slot", post(conversation_actions::slot))
        .route(
            "/conversations/{id}/participants",
            post(conversation_actions::add_colleague),
        )
        .route(
            "/conversations/{id}/close",
            post(conversation_actions::close),
        )
        .route(
            "/conversations/{id}/topics",
            post(conversation_actions::topics),
        )
        .route(
            "/conversations/{id}/report",
            post(conversation_actions::report),
        )
        .route("/board", get(board::page))
        .route("/board/{id}/claim", post(board::claim))
        .route("/profile", get(profile::page).post(profile::save))
        .route("/profile/skills", post(profile::add_skill))
        .route("/profile/skills/remove", post(profile::remove_skill))
        .route("/profile/goals", post(profile::add_goal))
        .route("/profile/goals/remove", post(profile::remove_goal))
        .route("/profile/presence", post(availability::presence))
        .route("/profile/away", post(availability::away))
        .route("/profile/away/clear", post(availability::back_at_work))
        .route("/people", get(people::directory))
        .route("/people/{id}", get(people::person))
        .route("/skills", get(skills::directory))
        .route("/history", get(history::page))
        .route(
            "/admin/people",
            get(admin::people::page).post(admin::people::create),
        )
        .route("/admin/people/{id}/active", post(admin::people::set_active))
        .route("/admin/people/{id}/invite", post(admin::people::reinvite))
        .route(
            "/admin/import",
            get(admin::import::page)
                .post(admin::import::upload)
                .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
        .route(
            "/admin/skills",
            get(admin::skills::page).post(admin::skills::create),
        )
        .route("/admin/skills/alias", post(admin::skills::add_alias))
        .route("/admin/skills/merge", post(admin::skills::merge))
        .route("/admin/insights", get(insights::page))
        .route("/static/{version}/{*path}", get(assets::serve))
        .layer(axum::middleware::from_fn(reply::clear_shown_flash))
        .layer(Extension(backend::Backend::new(state)))
}
