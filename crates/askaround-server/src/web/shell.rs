//! What every signed-in page shares: who is signed in, the navigation, the notice left by the last
//! form, and the offers waiting for an answer (shown on every page, so nobody misses one).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use askaround_core::person::Profile;

use super::errors::{WebError, urlencode};
use super::offers::{self, OfferCard};
use super::reply::Notice;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// The signed-in person on a page; anyone else is sent to the sign-in page and brought back.
pub struct WebCaller(pub Caller);

impl FromRequestParts<AppState> for WebCaller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(WebCaller(caller)),
            Err(ApiError::Unauthenticated) => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let next = if parts.method == axum::http::Method::GET && here != "/" {
                    format!("/signin?next={}", urlencode(here))
                } else {
                    "/signin".to_owned()
                };
                Err(WebError::Redirect(next))
            }
            Err(other) => Err(other.into()),
        }
    }
}

/// The signed-in layout's data.
pub struct Shell {
    /// Which navigation entry is this page.
    pub current: &'static str,
    pub me: String,
    pub name: String,
    pub admin: bool,
    pub timezone: String,
    pub csrf_token: String,
    pub notice: Option<Notice>,
    pub offers: Vec<OfferCard>,
}

impl Shell {
    /// Loads the layout, and the signed-in person's profile that most pages need anyway.
    pub async fn load(
        state: &AppState,
        caller: &Caller,
        current: &'static str,
        notice: Option<Notice>,
    ) -> Result<(Shell, Profile), WebError> {
        let me = state
            .store
            .person(caller.org_id, caller.person_id)
            .await
            .map_err(ApiError::from)?;
        let offers = offers::pending_cards(state, caller, &me.person.timezone).await?;
        let shell = Shell {
            current,
            me: me.person.id.to_string(),
            name: me.person.name.clone(),
            admin: caller.is_admin(),
            timezone: me.person.timezone.to_string(),
            csrf_token: caller.csrf_token.clone(),
            notice,
            offers,
        };
        Ok((shell, me))
    }

    /// The offers page lists them itself; everywhere else they sit in the tray.
    pub fn shows_tray(&self) -> bool {
        self.current != "offers"
    }
}
