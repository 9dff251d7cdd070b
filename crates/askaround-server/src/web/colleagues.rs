//! "Which colleague?" from a form: the id the autocomplete picked, or else a name or email typed
//! by hand (forms must work without the script).

use askaround_core::ids::PersonId;

use super::backend::Failure;
use crate::api::people::{PeopleParams, search};
use crate::auth::Caller;
use crate::state::AppState;

/// How many near-matches a message lists when a name is ambiguous.
const SHOWN: usize = 4;

/// The colleague meant by `picked` (an id) or `typed`, with their name; `field` names the input.
pub async fn resolve(
    state: &AppState,
    caller: &Caller,
    field: &str,
    picked: Option<&str>,
    typed: &str,
) -> Result<(PersonId, String), Failure> {
    if let Some(id) = picked.and_then(|p| p.trim().parse::<PersonId>().ok()) {
        let profile = state
            .store
            .person(caller.org_id, id)
            .await
            .map_err(|_| Failure::invalid(field, "That colleague could not be found."))?;
        return Ok((id, profile.person.name));
    }
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(Failure::invalid(field, "Type a colleague's name or email."));
    }
    let params = PeopleParams {
        q: Some(typed.to_owned()),
        limit: Some(20),
        ..PeopleParams::default()
    };
    let found = search(state, caller, &params).await.map_err(|e| {
        tracing::warn!(error = %e, "colleague search failed");
        Failure::internal()
    })?;
    let others: Vec<_> = found
        .items
        .into_iter()
        .filter(|p| p.person.id != caller.person_id)
        .collect();
    let exact = others.iter().find(|p| {
        p.person.email.as_str().eq_ignore_ascii_case(typed)
            || p.person.name.eq_ignore_ascii_case(typed)
    });
    match (exact, others.as_slice()) {
        (Some(p), _) | (None, [p]) => Ok((p.person.id, p.person.name.clone())),
        (None, []) => Err(Failure::invalid(
            field,
            format!("Nobody called '{typed}' was found. Try their email."),
        )),
        (None, several) => {
            let names: Vec<&str> = several
                .iter()
                .take(SHOWN)
                .map(|p| p.person.name.as_str())
                .collect();
            Err(Failure::invalid(
                field,
                format!(
                    "Several people match '{typed}' ({}{}). Type more of the name, or the email.",
                    names.join(", "),
                    if several.len() > SHOWN { ", …" } else { "" }
                ),
            ))
        }
    }
}
