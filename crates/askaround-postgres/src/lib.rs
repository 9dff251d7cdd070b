//! askaround's Store on PostgreSQL: several askaround nodes share one database.
//!
//! The same tables and semantics as the SQLite backend (the shared conformance suite runs on
//! both), with what several writers in several processes need: transitions are conditional
//! UPDATEs on the ask's version, timers and matcher jobs are claimed with
//! `FOR UPDATE SKIP LOCKED`, unique indexes decide races (`ON CONFLICT`), and where SQLite's
//! single writer made read-then-write safe, writers of one organisation take turns
//! ([`locks`]). Transactions run at READ COMMITTED, PostgreSQL's default.
//!
//! [`migrate_data`] moves a whole installation from SQLite to an empty PostgreSQL database.

mod accounts;
mod asks;
mod changes;
mod codec;
mod conversations;
mod dispatch;
mod events;
mod feedback;
mod holdings;
mod import;
mod insights;
mod locks;
mod matcher;
pub mod migrate_data;
mod nodes;
mod orgs;
mod outbox;
mod people;
mod skills;
mod speed_facts;
mod speed_sql;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

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
use askaround_store::*;

use codec::db_err;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Connections per node. Several nodes share one server (PostgreSQL allows 100 connections by
/// default), and a node's work is short transactions, so a few connections keep it busy.
const MAX_CONNECTIONS: u32 = 10;

#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The asks the speed insights read, held in memory (see [`speed_facts`]); shared by the
    /// clones of this store.
    speed: std::sync::Arc<askaround_store::speed_facts::SpeedFacts<i64>>,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/database`, with `?sslmode=require` and the
    /// like as usual) and applies pending migrations. Nodes starting together are safe: the
    /// migrator holds an advisory lock while it works.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // No JIT: it compiled the insights' aggregates for 0.3–0.7 s a query at 100,000 people
        // and 1,000,000 asks (quality over a year: 749 ms with it, 60 ms without), and the
        // store's other statements are short. (BENCHMARKS.md, insights on PostgreSQL.)
        let options = PgConnectOptions::from_str(url)
            .map_err(db_err)?
            .application_name("askaround")
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(db_err)?;
        MIGRATOR.run(&pool).await.map_err(db_err)?;
        Ok(Self {
            pool,
            speed: Default::default(),
        })
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(db_err)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits, announcing what other nodes must follow: the announcement is delivered exactly when
/// the transaction commits, never for a write that was rolled back.
async fn finish(mut tx: Transaction<'static, Postgres>, announce: &[Change]) -> StoreResult<()> {
    changes::announce(&mut tx, announce).await?;
    tx.commit().await.map_err(db_err)
}

fn events_announced(events: &[EventRecord]) -> Vec<Change> {
    if events.is_empty() {
        Vec::new()
    } else {
        vec![Change::Events]
    }
}

/// An ask moved; people may have been snoozed; events may have been written.
fn transition_announced(org: OrgId, ask: AskId, committed: &Committed) -> Vec<Change> {
    let mut announce = vec![Change::Ask { org, ask }];
    announce.extend(
        committed
            .snoozed
            .iter()
            .map(|&person| Change::Person { org, person }),
    );
    announce.extend(events_announced(&committed.events));
    announce
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_org(
        &self,
        new: &NewOrg,
        seed: &[SeedSkill],
        first_admin: Option<&NewPerson>,
        now: Timestamp,
    ) -> StoreResult<(Org, Option<Profile>)> {
        let mut tx = self.write().await?;
        let org = orgs::create(&mut tx, new, now).await?;
        skills::seed(&mut tx, org.id, seed).await?;
        let admin = match first_admin {
            Some(person) => {
                let id = people::create(&mut tx, org.id, person, now).await?;
                Some(people::profile(&mut tx, org.id, id).await?)
            }
            None => None,
        };
        finish(tx, &[Change::Org { org: org.id }]).await?;
        Ok((org, admin))
    }

    async fn org(&self, id: OrgId) -> StoreResult<Org> {
        orgs::by_id(&self.pool, id).await
    }

    async fn org_by_slug(&self, slug: &str) -> StoreResult<Org> {
        orgs::by_slug(&self.pool, slug).await
    }

    async fn orgs(&self) -> StoreResult<Vec<Org>> {
        orgs::all(&self.pool).await
    }

    async fn taxonomy_version(&self, org: OrgId) -> StoreResult<i64> {
        orgs::taxonomy_version(&self.pool, org).await
    }

    async fn skills(&self, org: OrgId) -> StoreResult<Vec<Skill>> {
        skills::all(&self.pool, org).await
    }

    async fn create_skill(&self, org: OrgId, new: &NewSkill) -> StoreResult<Skill> {
        let mut tx = self.write().await?;
        let id = skills::create(&mut tx, org, new).await?;
        let skill = skills::one(&mut tx, org, id).await?;
        finish(tx, &[Change::Org { org }]).await?;
        Ok(skill)
    }

    async fn update_skill(
        &self,
        org: OrgId,
        id: SkillId,
        patch: &SkillPatch,
    ) -> StoreResult<Skill> {
        let mut tx = self.write().await?;
        skills::update(&mut tx, org, id, patch).await?;
        let skill = skills::one(&mut tx, org, id).await?;
        finish(tx, &[Change::Org { org }]).await?;
        Ok(skill)
    }

    async fn merge_skills(&self, org: OrgId, from: SkillId, into: SkillId) -> StoreResult<Skill> {
        let mut tx = self.write().await?;
        skills::merge(&mut tx, org, from, into).await?;
        let skill = skills::one(&mut tx, org, into).await?;
        finish(tx, &[Change::Org { org }]).await?;
        Ok(skill)
    }

    async fn create_person(
        &self,
        org: OrgId,
        person: &NewPerson,
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        let id = people::create(&mut tx, org, person, now).await?;
        let profile = people::profile(&mut tx, org, id).await?;
        finish(tx, &[Change::Person { org, person: id }]).await?;
        Ok(profile)
    }

    async fn person(&self, org: OrgId, id: PersonId) -> StoreResult<Profile> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        people::profile(&mut conn, org, id).await
    }

    async fn update_person(
        &self,
        org: OrgId,
        id: PersonId,
        patch: &PersonPatch,
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        people::update(&mut tx, org, id, patch, now).await?;
        let profile = people::profile(&mut tx, org, id).await?;
        finish(tx, &[Change::Person { org, person: id }]).await?;
        Ok(profile)
    }

    async fn set_person_skills(
        &self,
        org: OrgId,
        id: PersonId,
        skills: &[(SkillId, SkillLevel)],
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        holdings::replace_skills(&mut tx, org, id, skills, now).await?;
        let profile = people::profile(&mut tx, org, id).await?;
        finish(tx, &[Change::Person { org, person: id }]).await?;
        Ok(profile)
    }

    async fn set_person_goals(
        &self,
        org: OrgId,
        id: PersonId,
        goals: &[SkillId],
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        holdings::replace_goals(&mut tx, org, id, goals, now).await?;
        let profile = people::profile(&mut tx, org, id).await?;
        finish(tx, &[Change::Person { org, person: id }]).await?;
        Ok(profile)
    }

    async fn list_people(&self, org: OrgId, query: &PeopleQuery) -> StoreResult<PeoplePage> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        people::list(&mut conn, org, query).await
    }

    async fn count_people(&self, org: OrgId) -> StoreResult<u64> {
        people::count(&self.pool, org).await
    }

    async fn emails_in_other_orgs(&self, org: OrgId, emails: &[Email]) -> StoreResult<Vec<Email>> {
        people::emails_in_other_orgs(&self.pool, org, emails).await
    }

    async fn import_people(
        &self,
        org: OrgId,
        rows: &[ImportRow],
        columns: Columns,
        now: Timestamp,
    ) -> StoreResult<ImportOutcome> {
        let mut tx = self.write().await?;
        let outcome = import::import(&mut tx, org, rows, columns, now).await?;
        finish(tx, &[Change::Org { org }]).await?;
        Ok(outcome)
    }

    async fn credentials(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        accounts::credentials(&self.pool, email).await
    }

    async fn change_password(
        &self,
        org: OrgId,
        id: PersonId,
        hash: &str,
        keep_session: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        accounts::set_password_hash(&mut tx, org, id, hash).await?;
        accounts::delete_sessions_of(&mut tx, org, id, keep_session).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        accounts::create_session(&self.pool, session).await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<SessionRecord>> {
        accounts::session(&self.pool, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        accounts::delete_session(&self.pool, token_hash).await
    }

    async fn delete_sessions_of(
        &self,
        org: OrgId,
        id: PersonId,
        keep: Option<&str>,
    ) -> StoreResult<u64> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        accounts::delete_sessions_of(&mut conn, org, id, keep).await
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        accounts::delete_expired_sessions(&self.pool, now).await
    }

    async fn create_invitation(&self, invitation: &NewInvitation) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        accounts::create_invitation(&mut conn, invitation).await
    }

    async fn redeem_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Invitation>> {
        let mut tx = self.write().await?;
        let Some(invitation) = accounts::take_invitation(&mut tx, token_hash, now).await? else {
            return Ok(None);
        };
        accounts::set_password_hash(
            &mut tx,
            invitation.org_id,
            invitation.person_id,
            password_hash,
        )
        .await?;
        accounts::delete_sessions_of(&mut tx, invitation.org_id, invitation.person_id, None)
            .await?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some(invitation))
    }

    async fn append_events(
        &self,
        org: OrgId,
        new: &[NewEvent],
        now: Timestamp,
    ) -> StoreResult<Vec<EventRecord>> {
        let mut tx = self.write().await?;
        let records = events::append(&mut tx, org, new, now).await?;
        finish(tx, &events_announced(&records)).await?;
        Ok(records)
    }

    async fn events_after(
        &self,
        org: OrgId,
        person: PersonId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<EventRecord>> {
        events::after(&self.pool, org, person, after, limit).await
    }

    async fn create_ask(
        &self,
        org: OrgId,
        ask: &Ask,
        idempotency_key: Option<&str>,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<CreatedAsk> {
        let mut tx = self.write().await?;
        let created = asks::create(&mut tx, org, ask, idempotency_key, outbox, now).await?;
        match &created {
            CreatedAsk::Created(committed) => {
                finish(tx, &transition_announced(org, ask.id, committed)).await?
            }
            CreatedAsk::Existing(_) => tx.commit().await.map_err(db_err)?,
        }
        Ok(created)
    }

    async fn ask(&self, org: OrgId, id: AskId) -> StoreResult<Ask> {
        asks::one(&self.pool, org, id).await
    }

    async fn ask_of_offer(&self, org: OrgId, offer: OfferId) -> StoreResult<Ask> {
        asks::of_offer(&self.pool, org, offer).await
    }

    async fn commit_transition(
        &self,
        org: OrgId,
        expected_version: u64,
        ask: &Ask,
        outbox: &Outbox,
        now: Timestamp,
    ) -> StoreResult<Committed> {
        let mut tx = self.write().await?;
        let committed = asks::commit(&mut tx, org, expected_version, ask, outbox, now).await?;
        finish(tx, &transition_announced(org, ask.id, &committed)).await?;
        Ok(committed)
    }

    async fn asks_of(&self, org: OrgId, asker: PersonId, limit: u32) -> StoreResult<Vec<Ask>> {
        asks::of_asker(&self.pool, org, asker, limit).await
    }

    async fn open_asks(&self, org: OrgId, query: &OpenAsksQuery) -> StoreResult<Vec<Ask>> {
        asks::open(&self.pool, org, query).await
    }

    async fn offers_for(
        &self,
        org: OrgId,
        helper: PersonId,
        pending_only: bool,
        limit: u32,
    ) -> StoreResult<Vec<OfferView>> {
        asks::offers_for(&self.pool, org, helper, pending_only, limit).await
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        limit: u32,
        lease: SignedDuration,
    ) -> StoreResult<Vec<DueTimer>> {
        let mut tx = self.write().await?;
        let due = dispatch::claim_due_timers(&mut tx, now, limit, lease).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(due)
    }

    async fn next_timer_due(&self) -> StoreResult<Option<Timestamp>> {
        dispatch::next_due(&self.pool).await
    }

    async fn drop_timer(&self, ask: AskId, timer: Timer) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        dispatch::drop_timer(&mut conn, ask, timer).await
    }

    async fn claim_jobs(
        &self,
        now: Timestamp,
        limit: u32,
        lease: SignedDuration,
    ) -> StoreResult<Vec<MatcherJob>> {
        let mut tx = self.write().await?;
        let jobs = dispatch::claim_jobs(&mut tx, now, limit, lease).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(jobs)
    }

    async fn drop_job(&self, id: i64) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        dispatch::drop_job(&mut conn, id).await
    }

    async fn matcher_snapshot(
        &self,
        org: OrgId,
        since_day: Timestamp,
        since_week: Timestamp,
        declines_since: Timestamp,
    ) -> StoreResult<MatcherSnapshot> {
        // One snapshot for all of its queries, so people, evidence and loads agree.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await
            .map_err(db_err)?;
        let snapshot =
            matcher::snapshot(&mut tx, org, since_day, since_week, declines_since).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(snapshot)
    }

    async fn set_presence(
        &self,
        org: OrgId,
        person: PersonId,
        presence: PresenceSetting,
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        people::set_presence(&mut tx, org, person, presence, now).await?;
        let profile = people::profile(&mut tx, org, person).await?;
        finish(tx, &[Change::Person { org, person }]).await?;
        Ok(profile)
    }

    async fn set_out_of_office(
        &self,
        org: OrgId,
        person: PersonId,
        out_of_office: Option<OutOfOffice>,
        now: Timestamp,
    ) -> StoreResult<Profile> {
        let mut tx = self.write().await?;
        people::set_out_of_office(&mut tx, org, person, out_of_office, now).await?;
        let profile = people::profile(&mut tx, org, person).await?;
        finish(tx, &[Change::Person { org, person }]).await?;
        Ok(profile)
    }

    async fn conversation(&self, org: OrgId, id: ConversationId) -> StoreResult<Conversation> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        conversations::by_id(&mut conn, org, id).await
    }

    async fn conversation_of_ask(&self, org: OrgId, ask: AskId) -> StoreResult<Conversation> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        conversations::of_ask(&mut conn, org, ask).await
    }

    async fn conversations_of(
        &self,
        org: OrgId,
        person: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Conversation>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        conversations::of_person(&mut conn, org, person, limit).await
    }

    async fn messages(
        &self,
        org: OrgId,
        conversation: ConversationId,
        before: Option<MessageId>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        conversations::messages(&self.pool, org, conversation, before, limit).await
    }

    async fn message(&self, org: OrgId, id: MessageId) -> StoreResult<Message> {
        conversations::message(&self.pool, org, id).await
    }

    async fn post_message(
        &self,
        org: OrgId,
        message: &Message,
        events: &[NewEvent],
    ) -> StoreResult<Vec<EventRecord>> {
        let mut tx = self.write().await?;
        let records = conversations::post(&mut tx, org, message, events).await?;
        finish(tx, &events_announced(&records)).await?;
        Ok(records)
    }

    async fn add_participant(
        &self,
        org: OrgId,
        conversation: ConversationId,
        person: PersonId,
        added_by: PersonId,
        message: &Message,
        events: &[NewEvent],
    ) -> StoreResult<(bool, Vec<EventRecord>)> {
        let mut tx = self.write().await?;
        let result = conversations::add_participant(
            &mut tx,
            org,
            conversation,
            person,
            added_by,
            message,
            events,
        )
        .await?;
        finish(tx, &events_announced(&result.1)).await?;
        Ok(result)
    }

    async fn feedback(&self, org: OrgId, ask: AskId) -> StoreResult<Option<FeedbackRecord>> {
        feedback::feedback(&self.pool, org, ask).await
    }

    async fn confirm_topics(
        &self,
        org: OrgId,
        ask: AskId,
        topics: &[SkillId],
        now: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        feedback::confirm_topics(&mut tx, org, ask, topics, now).await?;
        // The confirmed topics are help evidence for the matcher.
        finish(tx, &[Change::Ask { org, ask }]).await
    }

    async fn report(
        &self,
        org: OrgId,
        ask: AskId,
        reporter: PersonId,
        reason: &str,
        now: Timestamp,
    ) -> StoreResult<Report> {
        feedback::report(&self.pool, org, ask, reporter, reason, now).await
    }

    async fn reports(&self, org: OrgId, limit: u32) -> StoreResult<Vec<Report>> {
        feedback::reports(&self.pool, org, limit).await
    }

    async fn asks_helped_by(
        &self,
        org: OrgId,
        helper: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Ask>> {
        asks::helped_by(&self.pool, org, helper, limit).await
    }

    async fn learned_by(
        &self,
        org: OrgId,
        learner: PersonId,
        limit: u32,
    ) -> StoreResult<Vec<Learned>> {
        feedback::learned_by(&self.pool, org, learner, limit).await
    }

    async fn help_summary(&self, org: OrgId, helper: PersonId) -> StoreResult<HelpSummary> {
        feedback::help_summary(&self.pool, org, helper).await
    }

    async fn changes(&self) -> StoreResult<Option<ChangeFeed>> {
        changes::feed(&self.pool).await.map(Some)
    }

    async fn node_alive(&self, node: NodeId, alive_until: Timestamp) -> StoreResult<bool> {
        nodes::alive(&self.pool, node, alive_until).await
    }

    async fn set_connected(
        &self,
        node: NodeId,
        org: OrgId,
        person: PersonId,
        connected: bool,
    ) -> StoreResult<()> {
        let mut tx = self.write().await?;
        nodes::set_connected(&mut tx, node, org, person, connected).await?;
        finish(tx, &[Change::Person { org, person }]).await
    }

    async fn connected_people(&self, org: OrgId, now: Timestamp) -> StoreResult<Vec<PersonId>> {
        nodes::connected_people(&self.pool, org, now).await
    }

    async fn is_connected(
        &self,
        org: OrgId,
        person: PersonId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        nodes::is_connected(&self.pool, org, person, now).await
    }

    async fn forget_nodes(
        &self,
        now: Timestamp,
        stopped: Option<NodeId>,
    ) -> StoreResult<Vec<(OrgId, PersonId)>> {
        let mut tx = self.write().await?;
        let people = nodes::forget(&mut tx, now, stopped).await?;
        let announced: Vec<Change> = people
            .iter()
            .map(|&(org, person)| Change::Person { org, person })
            .collect();
        finish(tx, &announced).await?;
        Ok(people)
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
        events::since(&self.pool, after, limit).await
    }

    async fn latest_event_id(&self) -> StoreResult<i64> {
        events::latest(&self.pool).await
    }

    async fn offer_loads(
        &self,
        org: OrgId,
        people: &[PersonId],
        since_day: Timestamp,
        since_week: Timestamp,
    ) -> StoreResult<Vec<(PersonId, OfferLoad)>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        matcher::load(&mut conn, org, since_day, since_week, Some(people)).await
    }
}
