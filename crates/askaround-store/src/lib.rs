//! The storage boundary: what askaround needs from a database, in domain terms.
//!
//! Handlers and the CLI see only this trait, never SQL, so the SQLite backend (embedded, the
//! default) and the PostgreSQL backend (scale-out) are interchangeable. Every backend must pass the
//! [`conformance`] suite.

pub mod conformance;
mod conversations;
mod error;
mod insights;
mod routing;
mod types;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};

use askaround_core::asks::{Ask, Timer};
use askaround_core::email::Email;
use askaround_core::ids::{
    AskId, ConversationId, MessageId, NodeId, OfferId, OrgId, PersonId, SkillId,
};
use askaround_core::org::Org;
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::{PersonPatch, Profile};
use askaround_core::presence::{OutOfOffice, PresenceSetting};
use askaround_core::skill::{Skill, SkillLevel};
use askaround_core::taxonomy::SeedSkill;

pub use conversations::*;
pub use error::{StoreError, StoreResult};
pub use insights::*;
pub use routing::*;
pub use types::*;

/// Insights queries live in their own trait ([`InsightsStore`]) so they can grow apart.
#[async_trait]
pub trait Store: InsightsStore + Send + Sync + 'static {
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
    /// Bumped by every change to the organisation's skills and by every import of people, so
    /// caches (the taxonomy, the matcher's index) know when to reload.
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

    // ---- asks, offers, timers ----
    /// Stores a new ask with its outbox; with an idempotency key already used by this asker,
    /// returns the ask that key created instead.
    async fn create_ask(
        &self,
        org: OrgId,
        ask: &Ask,
        idempotency_key: Option<&str>,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<CreatedAsk>;
    async fn ask(&self, org: OrgId, id: AskId) -> StoreResult<Ask>;
    /// The ask an offer belongs to.
    async fn ask_of_offer(&self, org: OrgId, offer: OfferId) -> StoreResult<Ask>;
    /// Writes a transition if the stored ask is still at `expected_version`; otherwise
    /// `StoreError::VersionConflict` and nothing is written.
    async fn commit_transition(
        &self,
        org: OrgId,
        expected_version: u64,
        ask: &Ask,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<Committed>;
    /// A person's asks, newest first.
    async fn asks_of(&self, org: OrgId, asker: PersonId, limit: u32) -> StoreResult<Vec<Ask>>;
    /// Asks nobody could take yet, newest first, optionally for some skills.
    async fn open_asks(&self, org: OrgId, query: &OpenAsksQuery) -> StoreResult<Vec<Ask>>;
    /// A helper's offers (only pending ones with `pending_only`), newest first.
    async fn offers_for(
        &self,
        org: OrgId,
        helper: PersonId,
        pending_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<OfferView>>;
    /// Takes timers due at `now` that nobody holds, earliest first, across organisations, and
    /// holds them for `lease`: with several nodes each timer is handed to one of them; if that
    /// node dies, the timer is handed out again when the lease runs out.
    async fn claim_due_timers(
        &self,
        now: Timestamp,
        limit: u32,
        lease: SignedDuration,
    ) -> StoreResult<Vec<DueTimer>>;
    /// When the next timer can be claimed (its due time, or the end of its lease), or the lease
    /// of a held matcher job runs out, whichever is first.
    async fn next_timer_due(&self) -> StoreResult<Option<Timestamp>>;
    /// Drops a timer that turned out to be moot (its ask moved on).
    async fn drop_timer(&self, ask: AskId, timer: Timer) -> StoreResult<()>;
    /// Takes matcher jobs nobody holds, oldest first, and holds them for `lease`.
    async fn claim_jobs(
        &self,
        now: Timestamp,
        limit: u32,
        lease: SignedDuration,
    ) -> StoreResult<Vec<MatcherJob>>;
    async fn drop_job(&self, id: i64) -> StoreResult<()>;
    /// What the matcher needs for one organisation; loads and declines count from `since_week`
    /// and `since_day`, declines from `declines_since`.
    async fn matcher_snapshot(
        &self,
        org: OrgId,
        since_day: Timestamp,
        since_week: Timestamp,
        declines_since: Timestamp,
    ) -> StoreResult<MatcherSnapshot>;

    // ---- presence ----
    async fn set_presence(
        &self,
        org: OrgId,
        person: PersonId,
        presence: PresenceSetting,
        now: Timestamp,
    ) -> StoreResult<Profile>;
    async fn set_out_of_office(
        &self,
        org: OrgId,
        person: PersonId,
        out_of_office: Option<OutOfOffice>,
        now: Timestamp,
    ) -> StoreResult<Profile>;

    // ---- conversations ----
    async fn conversation(&self, org: OrgId, id: ConversationId) -> StoreResult<Conversation>;
    async fn conversation_of_ask(&self, org: OrgId, ask: AskId) -> StoreResult<Conversation>;
    /// Conversations a person takes part in, newest first.
    async fn conversations_of(
        &self,
        org: OrgId,
        person: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>>;
    /// Messages before `before` (newest first), at most `limit`.
    async fn messages(
        &self,
        org: OrgId,
        conversation: ConversationId,
        before: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message>;
    /// Stores a message and its live events in one transaction (persisted before acknowledged).
    async fn post_message(
        &self,
        org: OrgId,
        message: &Message,
        events: &[NewEvent],
    ) -> StoreResult<Vec<EventRecord>>;
    /// Adds a colleague (at the system message's time); false if they were already in. The
    /// message and events are written in the same transaction.
    async fn add_participant(
        &self,
        org: OrgId,
        conversation: ConversationId,
        person: PersonId,
        added_by: PersonId,
        message: &Message,
        events: &[NewEvent],
    ) -> StoreResult<(bool, Vec<EventRecord>)>;
    async fn feedback(&self, org: OrgId, ask: AskId) -> StoreResult<Option<FeedbackRecord>>;
    /// The helper confirms what the session was about.
    async fn confirm_topics(
        &self,
        org: OrgId,
        ask: AskId,
        topics: &[SkillId],
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn report(
        &self,
        org: OrgId,
        ask: AskId,
        reporter: PersonId,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<Report>;
    async fn reports(&self, org: OrgId, limit: u32) -> StoreResult<Vec<Report>>;

    // ---- history ----
    /// Asks a person helped with (matched or resolved), newest first.
    async fn asks_helped_by(
        &self,
        org: OrgId,
        helper: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Ask>>;
    /// What a person said they learned, newest first.
    async fn learned_by(
        &self,
        org: OrgId,
        learner: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Learned>>;
    async fn help_summary(&self, org: OrgId, helper: PersonId) -> StoreResult<HelpSummary>;

    // ---- several nodes ----
    /// Announcements of writes by any node, this one included; `None` for a single-node
    /// backend (embedded SQLite), where the node that writes is the only one to tell.
    async fn changes(&self) -> StoreResult<Option<ChangeFeed>>;
    /// `node` is running until `alive_until` (its heartbeat). The sockets of a node that stops
    /// beating stop counting when its time runs out. False if the node was not recorded: new,
    /// or forgotten (with its connections) after its time ran out.
    async fn node_alive(&self, node: NodeId, alive_until: Timestamp) -> StoreResult<bool>;
    /// Whether `person` has the app open on `node` (a socket there), announced as a change of
    /// the person: with presence `auto`, that is what makes them online on every node.
    async fn set_connected(
        &self,
        node: NodeId,
        org: OrgId,
        person: PersonId,
        connected: bool,
    ) -> StoreResult<()>;
    /// People of `org` connected to a node still alive at `now`.
    async fn connected_people(&self, org: OrgId, now: Timestamp) -> StoreResult<Vec<PersonId>>;
    /// Whether `person` is connected to a node still alive at `now`.
    async fn is_connected(&self, org: OrgId, person: PersonId, now: Timestamp)
    -> StoreResult<bool>;
    /// Forgets nodes whose time ran out before `now` and `stopped` (a node shutting down, if
    /// any) with their connections, announcing each person they held; returns those people.
    async fn forget_nodes(
        &self,
        now: Timestamp,
        stopped: Option<NodeId>,
    ) -> StoreResult<Vec<(OrgId, PersonId)>>;
    /// Events with an id above `after`, across organisations, oldest first (a node catching up).
    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>>;
    /// The highest event id so far (0 when there is none).
    async fn latest_event_id(&self) -> StoreResult<i64>;
    /// Recent offer counts and answer record of some people, as in `matcher_snapshot`.
    async fn offer_loads(
        &self,
        org: OrgId,
        people: &[PersonId],
        since_day: Timestamp,
        since_week: Timestamp,
    ) -> StoreResult<Vec<(PersonId, OfferLoad)>>;
}
