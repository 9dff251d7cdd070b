//! A generated organisation whose people are always at work (so every ask finds helpers at any
//! hour the test runs), or an existing one whose clients are made so, and a session for each
//! client, written straight into the database.

use anyhow::{Context, Result};
use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand::seq::IndexedRandom;

use askaround_core::demo::{DemoOptions, generate};
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{OrgId, PersonId};
use askaround_core::org::slugify;
use askaround_core::people_csv::Columns;
use askaround_core::person::PersonPatch;
use askaround_core::presence::PresenceSetting;
use askaround_core::taxonomy::{Taxonomy, embedded_seed};
use askaround_postgres::PgStore;
use askaround_server::auth::session::{new_token, token_hash};
use askaround_sqlite::SqliteStore;
use askaround_store::{NewOrg, NewSession, PeopleQuery, Store};

pub struct Prepared {
    /// (person, session token) for every client.
    pub sessions: Vec<(PersonId, String)>,
    /// Skill names people in the organisation can help with, weighted by how many can.
    pub topics: Vec<String>,
    /// People in the organisation.
    pub people: usize,
}

pub async fn prepare(database_url: &str, people: usize, sockets: usize) -> Result<Prepared> {
    let store = Opened::connect(database_url).await?;
    let prepared = fill(store.store(), people, sockets).await;
    store.close().await;
    prepared
}

/// The existing organisation `slug`: its first `sockets` active people (in the store's listing
/// order) become always at work with a budget of 200 offers a week, and get the sessions.
pub async fn prepare_existing(database_url: &str, slug: &str, sockets: usize) -> Result<Prepared> {
    let store = Opened::connect(database_url).await?;
    let prepared = reuse(store.store(), slug, sockets).await;
    store.close().await;
    prepared
}

enum Opened {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

impl Opened {
    async fn connect(database_url: &str) -> Result<Self> {
        let opened = if database_url.starts_with("postgres") {
            PgStore::connect(database_url).await.map(Self::Postgres)
        } else {
            SqliteStore::connect(database_url).await.map(Self::Sqlite)
        };
        opened.context("opening the load-test database")
    }

    fn store(&self) -> &dyn Store {
        match self {
            Self::Postgres(store) => store,
            Self::Sqlite(store) => store,
        }
    }

    async fn close(self) {
        match self {
            Self::Postgres(store) => store.close().await,
            Self::Sqlite(store) => store.close().await,
        }
    }
}

async fn reuse(store: &dyn Store, slug: &str, sockets: usize) -> Result<Prepared> {
    let now = Timestamp::now();
    let org = store
        .org_by_slug(slug)
        .await
        .with_context(|| format!("no organisation {slug:?} in the database"))?;
    let always = WorkingHours::parse("mon-sun 00:00-24:00").context("hours")?;
    let patch = PersonPatch {
        working_hours: Some(always),
        weekly_budget: Some(200),
        ..PersonPatch::default()
    };
    let mut sessions = Vec::with_capacity(sockets);
    let mut topics = Vec::new();
    let mut query = PeopleQuery {
        limit: 200,
        ..PeopleQuery::default()
    };
    'pages: loop {
        let page = store.list_people(org.id, &query).await?;
        for profile in &page.items {
            if sessions.len() == sockets {
                break 'pages;
            }
            let person = profile.person.id;
            store.update_person(org.id, person, &patch, now).await?;
            store
                .set_presence(org.id, person, PresenceSetting::Auto, now)
                .await?;
            topics.extend(profile.skills.iter().map(|held| held.name.clone()));
            sessions.push((person, session(store, org.id, person, now).await?));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    if sessions.len() < sockets {
        anyhow::bail!(
            "{slug} has {} active people, fewer than --sockets {sockets}",
            sessions.len()
        );
    }
    Ok(Prepared {
        sessions,
        topics: weighted_sample(&topics),
        people: usize::try_from(store.count_people(org.id).await?)?,
    })
}

/// A session for `person`, written straight into the store; returns its token.
async fn session(
    store: &dyn Store,
    org: OrgId,
    person: PersonId,
    now: Timestamp,
) -> Result<String> {
    let token = new_token();
    store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            person_id: person,
            org_id: org,
            csrf_token: new_token(),
            created_at: now,
            expires_at: now + SignedDuration::from_hours(24),
        })
        .await?;
    Ok(token)
}

/// Keeps the topic list small but weighted: common skills appear more often.
fn weighted_sample(topics: &[String]) -> Vec<String> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    (0..2000)
        .filter_map(|_| topics.choose(&mut rng).cloned())
        .collect()
}

/// The organisation, its people and a session per client, written through the store.
async fn fill(store: &dyn Store, people: usize, sockets: usize) -> Result<Prepared> {
    let now = Timestamp::now();
    let name = "Loadtest Trading";
    let (org, _) = store
        .create_org(
            &NewOrg {
                name: name.into(),
                slug: slugify(name),
            },
            embedded_seed(),
            None,
            now,
        )
        .await
        .context("creating the organisation")?;
    let taxonomy = Taxonomy::new(store.skills(org.id).await?);
    let always = WorkingHours::parse("mon-sun 00:00-24:00").context("hours")?;
    let mut rows = generate(&taxonomy, &DemoOptions { people, seed: 7 });
    for row in &mut rows {
        row.fields.working_hours = always.clone();
        row.fields.weekly_budget = 200;
        row.fields.active = true;
    }
    store
        .import_people(org.id, &rows, Columns::all(), now)
        .await
        .context("importing people")?;
    let mut topics = Vec::new();
    for row in &rows {
        for (skill, _) in &row.skills {
            if let Some(s) = taxonomy.get(*skill) {
                topics.push(s.name.clone());
            }
        }
    }
    let mut sessions = Vec::with_capacity(sockets);
    let mut query = PeopleQuery {
        limit: 200,
        ..PeopleQuery::default()
    };
    'pages: loop {
        let page = store.list_people(org.id, &query).await?;
        for profile in &page.items {
            if sessions.len() == sockets {
                break 'pages;
            }
            sessions.push((
                profile.person.id,
                session(store, org.id, profile.person.id, now).await?,
            ));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    Ok(Prepared {
        sessions,
        topics: weighted_sample(&topics),
        people,
    })
}
