//! The storage boundary: what askaround needs from a database, in domain terms.
//!
//! Handlers and the CLI see only this trait, never SQL, so the SQLite backend (embedded, the
//! default) and the PostgreSQL backend (scale-out) are interchangeable. Every backend must pass the
//! [`conformance`] suite.

pub mod conformance;
mod error;
mod types;

use async_trait::async_trait;
use jiff::Timestamp;

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::org::Org;
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::{PersonPatch, Profile};
use askaround_core::skill::{Skill, SkillLevel};
use askaround_core::taxonomy::SeedSkill;

pub use error::{StoreError, StoreResult};
pub use types::*;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Cheap round trip for readiness checks.
    async fn ping(&self) -> StoreResult<()>;

    // ---- organisations ----
    /// Creates an organisation with its seed taxonomy and, optionally, its first admin, in one
    /// transaction: either all of it exists afterwards or none of it.
    async fn create_org(
        &self,
        new: &NewOrg,
        seed: &[SeedSkill],
        first_admin: Option<&NewPerson>,
        now: Timestamp,
    ) -> StoreResult<(Org, Option<Profile>)>;
    async fn org(&self, id: OrgId) -> StoreResult<Org>;
    async fn org_by_slug(&self, slug: &str) -> StoreResult<Org>;
    async fn orgs(&self) -> StoreResult<Vec<Org>>;

    // ---- skill taxonomy ----
    /// Bumped by every change to the organisation's skills, so caches know when to reload.
    async fn taxonomy_version(&self, org: OrgId) -> StoreResult<i64>;
    async fn skills(&self, org: OrgId) -> StoreResult<Vec<Skill>>;
    async fn create_skill(&self, org: OrgId, new: &NewSkill) -> StoreResult<Skill>;
    /// Renames keep the old name as an alias, so what people typed before still resolves.
    async fn update_skill(&self, org: OrgId, id: SkillId, patch: &SkillPatch)
    -> StoreResult<Skill>;
    /// Folds `from` into `into`: holders, learners, aliases and children move; `from` is deleted.
    async fn merge_skills(&self, org: OrgId, from: SkillId, into: SkillId) -> StoreResult<Skill>;

    // ---- people ----
    /// Creates a person with their skills, goals and (optionally) an invitation, in one
    /// transaction.
    async fn create_person(
        &self,
        org: OrgId,
        person: &NewPerson,
        now: Timestamp,
    ) -> StoreResult<Profile>;
    async fn person(&self, org: OrgId, id: PersonId) -> StoreResult<Profile>;
    async fn update_person(
        &self,
        org: OrgId,
        id: PersonId,
        patch: &PersonPatch,
        now: Timestamp,
    ) -> StoreResult<Profile>;
    async fn set_person_skills(
        &self,
        org: OrgId,
        id: PersonId,
        skills: &[(SkillId, SkillLevel)],
        now: Timestamp,
    ) -> StoreResult<Profile>;
    async fn set_person_goals(
        &self,
        org: OrgId,
        id: PersonId,
        goals: &[SkillId],
        now: Timestamp,
    ) -> StoreResult<Profile>;
    async fn list_people(&self, org: OrgId, query: &PeopleQuery) -> StoreResult<PeoplePage>;
    async fn count_people(&self, org: OrgId) -> StoreResult<u64>;
    /// Of `emails`, those that belong to a person of another organisation (an import must not
    /// take them over).
    async fn emails_in_other_orgs(&self, org: OrgId, emails: &[Email]) -> StoreResult<Vec<Email>>;
    /// Creates or updates (by email) every row in one transaction: all or nothing. On update only
    /// the `columns` present in the file are written.
    async fn import_people(
        &self,
        org: OrgId,
        rows: &[ImportRow],
        columns: Columns,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome>;

    // ---- accounts and sessions ----
    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>>;
    /// Sets a new password hash and signs the person out of every session but `keep`, in one
    /// transaction.
    async fn change_password(
        &self,
        org: OrgId,
        id: PersonId,
        hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()>;
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The live session for this token hash, or `None` if unknown or expired at `now`.
    async fn session(&self, token_hash: &str, now: Timestamp)
    -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Signs a person out everywhere (password change, deactivation), except `keep`.
    async fn delete_sessions_of(
        &self,
        org: OrgId,
        id: PersonId,
        keep: Option<&str>,
    ) -> StoreResult<u64>;
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;
    async fn create_invitation(&self, invitation: &NewInvitation) -> StoreResult<()>;
    /// If the invitation is valid at `now`: consumes it (one use), sets the password and ends
    /// any other session of that person, in one transaction.
    async fn redeem_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Invitation>>;

    // ---- live events ----
    /// Appends events (in one transaction) and returns them with their ids.
    async fn append_events(
        &self,
        org: OrgId,
        events: &[NewEvent],
        now: Timestamp,
    ) -> StoreResult<Vec<EventRecord>>;
    /// A person's events with an id above `after`, oldest first, at most `limit`.
    async fn events_after(
        &self,
        org: OrgId,
        person: PersonId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<EventRecord>>;
}
