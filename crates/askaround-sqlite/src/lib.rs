//! askaround's Store on embedded SQLite: the default, zero-setup backend.
//!
//! One database file in WAL mode with `synchronous = FULL`: an acknowledged write survives a crash
//! or a power cut. Write transactions start with `BEGIN IMMEDIATE` so concurrent writers queue on
//! the busy timeout instead of failing half-way on a lock upgrade.

mod accounts;
mod codec;
mod events;
mod holdings;
mod import;
mod orgs;
mod people;
mod skills;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

use askaround_core::email::Email;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::org::Org;
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::{PersonPatch, Profile};
use askaround_core::skill::{Skill, SkillLevel};
use askaround_core::taxonomy::SeedSkill;
use askaround_store::*;

pub(crate) use codec::db_err;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path/to/file.db` or
    /// `sqlite::memory:`), and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db_err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-32000");
        // An in-memory database lives per connection: keep exactly one so all callers share it.
        let max = if url.contains(":memory:") { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        MIGRATOR.run(&pool).await.map_err(db_err)?;
        Ok(Self { pool })
    }

    async fn write(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for SqliteStore {
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
        Ok(skill)
    }

    async fn merge_skills(&self, org: OrgId, from: SkillId, into: SkillId) -> StoreResult<Skill> {
        let mut tx = self.write().await?;
        skills::merge(&mut tx, org, from, into).await?;
        let skill = skills::one(&mut tx, org, into).await?;
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
        tx.commit().await.map_err(db_err)?;
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
}
