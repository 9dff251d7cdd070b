//! A generated organisation whose people are always at work (so every ask finds helpers at any
//! hour the test runs), and a session for each client, written straight into the database.

use anyhow::{Context, Result};
use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand::seq::IndexedRandom;

use askaround_core::demo::{DemoOptions, generate};
use askaround_core::hours::WorkingHours;
use askaround_core::ids::PersonId;
use askaround_core::org::slugify;
use askaround_core::people_csv::Columns;
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
}

pub async fn prepare(database_url: &str, people: usize, sockets: usize) -> Result<Prepared> {
    if database_url.starts_with("postgres") {
        let store = PgStore::connect(database_url)
            .await
            .context("opening the load-test database")?;
        let prepared = fill(&store, people, sockets).await;
        store.close().await;
        prepared
    } else {
        let store = SqliteStore::connect(database_url)
            .await
            .context("opening the load-test database")?;
        let prepared = fill(&store, people, sockets).await;
        store.close().await;
        prepared
    }
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
            let token = new_token();
            store
                .create_session(&NewSession {
                    token_hash: token_hash(&token),
                    person_id: profile.person.id,
                    org_id: org.id,
                    csrf_token: new_token(),
                    created_at: now,
                    expires_at: now + SignedDuration::from_hours(24),
                })
                .await?;
            sessions.push((profile.person.id, token));
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    // Keep the topic list small but weighted: common skills appear more often.
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let sample: Vec<String> = (0..2000)
        .filter_map(|_| topics.choose(&mut rng).cloned())
        .collect();
    Ok(Prepared {
        sessions,
        topics: sample,
    })
}
