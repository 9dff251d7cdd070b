//! Admin pages: people (invite or create, import a CSV with its row-by-row report, deactivate)
//! and the skill taxonomy (add, alias, merge). The API checks the role again on every change.

pub mod import;
pub mod people;
pub mod skills;

use super::errors::WebError;
use crate::auth::Caller;

fn admins_only(caller: &Caller) -> Result<(), WebError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(WebError::admins_only())
    }
}
