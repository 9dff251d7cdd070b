//! The JSON API under `/api/v1`, and its OpenAPI document generated from the handlers.

pub(crate) mod asks;
mod conversations;
pub mod dto;
mod history;
mod import;
pub(crate) mod insights;
pub(crate) mod invitations;
pub mod json;
mod matching;
pub(crate) mod me;
mod offers;
pub(crate) mod people;
mod people_admin;
mod query;
pub(crate) mod session;
mod skills;

use axum::Json;
use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "askaround",
        description = "Route what people need to learn right now to the colleagues who can help.",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&SessionCookie),
    tags(
        (name = "accounts", description = "Sign-in, sessions, invitations"),
        (name = "me", description = "The signed-in person's own profile"),
        (name = "people", description = "The directory; admins manage people"),
        (name = "skills", description = "The organisation's skill taxonomy"),
        (name = "asks", description = "Asking for help: routing in waves, the board of open asks, match previews"),
        (name = "offers", description = "Answering offers: exactly one helper wins"),
        (name = "conversations", description = "Talking once matched, and closing the loop"),
        (name = "insights", description = "Aggregates for admins: adoption, speed, quality, skills, connections, load; small cells suppressed"),
    )
)]
struct ApiDoc;

struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::session::COOKIE,
            ))),
        );
    }
}

/// CSV uploads of 50,000+ people need more than the default 2 MB body limit.
const IMPORT_BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn router() -> axum::Router<AppState> {
    let (router, openapi) = openapi_router().split_for_parts();
    let document = Json(openapi);
    router.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || async move { document.clone() }),
    )
}

/// The routes with their documentation; also used to print the document without a server.
pub fn openapi_router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .routes(routes!(session::sign_in, session::sign_out))
        .routes(routes!(invitations::accept))
        .routes(routes!(me::get_me, me::patch_me))
        .routes(routes!(me::put_skills))
        .routes(routes!(me::put_goals))
        .routes(routes!(me::put_password))
        .routes(routes!(people::list, people_admin::create))
        .routes(routes!(people::get_one, people_admin::patch))
        .routes(routes!(people_admin::reinvite))
        .routes(routes!(import::import).layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)))
        .routes(routes!(skills::list, skills::create))
        .routes(routes!(skills::get_one, skills::patch))
        .routes(routes!(skills::merge))
        .routes(routes!(me::put_presence))
        .routes(routes!(me::put_out_of_office, me::delete_out_of_office))
        .routes(routes!(matching::preview))
        .routes(routes!(asks::create, asks::list))
        .routes(routes!(asks::board))
        .routes(routes!(asks::get_one, asks::edit))
        .routes(routes!(asks::cancel))
        .routes(routes!(asks::claim))
        .routes(routes!(offers::list))
        .routes(routes!(offers::accept))
        .routes(routes!(offers::decline))
        .routes(routes!(offers::pass))
        .routes(routes!(offers::refer))
        .routes(routes!(conversations::list))
        .routes(routes!(conversations::get_one))
        .routes(routes!(conversations::history, conversations::send))
        .routes(routes!(conversations::call))
        .routes(routes!(conversations::slot))
        .routes(routes!(conversations::slot_ics))
        .routes(routes!(conversations::add_participant))
        .routes(routes!(conversations::close))
        .routes(routes!(conversations::topics))
        .routes(routes!(conversations::report))
        .routes(routes!(conversations::reports))
        .routes(routes!(history::history))
        .routes(routes!(history::help))
        .routes(routes!(insights::adoption))
        .routes(routes!(insights::speed))
        .routes(routes!(insights::quality))
        .routes(routes!(insights::skills))
        .routes(routes!(insights::connections))
        .routes(routes!(insights::load))
        .routes(routes!(insights::digest))
        .routes(routes!(insights::csv_file));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    openapi_router().into_openapi()
}
