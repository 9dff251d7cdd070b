//! PostgreSQL for tests: a fresh database per test on the server named by
//! `POSTGRES_TEST_URL` (default: the local `postgres` superuser, trust auth), plus the
//! fixtures the PostgreSQL-specific tests share.
//!
//! Test databases are called `askaround_test_<unix seconds>_<random>`; nothing else on the server
//! is touched. A test cannot drop its own database when it ends (the store is still open), so each
//! new one first drops the leftovers nobody is connected to: earlier tests of this process, and
//! those of any run that are more than a minute old (a younger one may belong to a concurrent run
//! that has created but not yet opened it).

#![allow(dead_code)] // Each test binary uses part of this module.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use sqlx::{Connection, PgConnection};

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{OrgId, PersonId};
use askaround_core::language;
use askaround_core::org::Org;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::SeedSkill;
use askaround_core::timezone::TimeZoneName;
use askaround_postgres::PgStore;
use askaround_store::{NewOrg, NewPerson, Store};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const PREFIX: &str = "askaround_test_";
/// Seconds after which an idle test database of another run is garbage (that run is over, or
/// it crashed).
const STALE_AFTER: u64 = 15 * 60;
/// Seconds after which an idle test database of this run is done with: before that, the test
/// that created it may not have connected yet, and dropping it would pull it from under it.
const SETTLED_AFTER: u64 = 30;

static OURS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// A connection URL for the server's maintenance database.
pub fn server_url() -> String {
    std::env::var("POSTGRES_TEST_URL").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// `url` with its database replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[host_start..]
        .find('/')
        .map_or(base.len(), |i| host_start + i);
    let mut out = format!("{}/{database}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn is_ours_to_drop(name: &str, mine: &HashSet<String>, now: u64) -> bool {
    let valid = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let created = name
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.split('_').next())
        .and_then(|secs| secs.parse::<u64>().ok());
    valid
        && match created {
            Some(created) => {
                let age = now.saturating_sub(created);
                (mine.contains(name) && age > SETTLED_AFTER) || age > STALE_AFTER
            }
            None => false,
        }
}

/// Creates an empty database and returns its URL.
pub async fn fresh_database() -> String {
    let server = server_url();
    let mut admin = PgConnection::connect(&server).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {server} ({e}); start it (scripts/test does) or set \
             POSTGRES_TEST_URL"
        )
    });
    let idle: Vec<String> = sqlx::query_scalar(
        "SELECT d.datname::text FROM pg_database d WHERE d.datname LIKE 'askaround\\_test\\_%' \
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
    )
    .fetch_all(&mut admin)
    .await
    .expect("list test databases");
    let mine: HashSet<String> = OURS.lock().expect("lock").iter().cloned().collect();
    let now = now_secs();
    for name in idle.iter().filter(|n| is_ours_to_drop(n, &mine, now)) {
        // Without FORCE: a database someone connected to meanwhile is left alone.
        let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name}"
        )))
        .execute(&mut admin)
        .await;
        if dropped.is_ok() {
            OURS.lock().expect("lock").retain(|n| n != name);
        }
    }
    let name = format!("{PREFIX}{now}_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.expect("close");
    OURS.lock().expect("lock").push(name.clone());
    with_database(&server, &name)
}

/// A store on a fresh database, migrated.
pub async fn fresh_store() -> PgStore {
    PgStore::connect(&fresh_database().await)
        .await
        .expect("open store")
}

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).expect("a valid instant")
}

pub fn seed() -> Vec<SeedSkill> {
    let s = |name: &str, parent: Option<&str>, aliases: &[&str]| SeedSkill {
        name: name.into(),
        parent: parent.map(Into::into),
        aliases: aliases.iter().map(|a| (*a).into()).collect(),
        popularity: 1,
    };
    vec![
        s("Spreadsheet software", None, &[]),
        s("Microsoft Excel", Some("Spreadsheet software"), &["Excel"]),
        s("Pivot tables", Some("Microsoft Excel"), &["pivottable"]),
        s("Kubernetes", None, &["k8s"]),
        s("Tableau", None, &[]),
    ]
}

pub async fn org(store: &dyn Store, name: &str) -> Org {
    let new = NewOrg {
        name: name.into(),
        slug: name.to_lowercase(),
    };
    store
        .create_org(&new, &seed(), None, t0())
        .await
        .expect("create org")
        .0
}

pub fn fields(email: &str, name: &str) -> PersonFields {
    PersonFields {
        email: Email::parse(email).expect("email"),
        name: name.into(),
        title: Some("Analyst".into()),
        team: Some("Finance".into()),
        location: Some("Lisbon".into()),
        timezone: TimeZoneName::parse("Europe/Lisbon").expect("tz"),
        working_hours: WorkingHours::office(),
        languages: language::parse_list("pt; en").expect("langs"),
        bio: None,
        weekly_budget: 5,
        role: Role::Member,
        active: true,
    }
}

pub async fn person(store: &dyn Store, org: OrgId, email: &str, name: &str) -> PersonId {
    let new = NewPerson {
        password_hash: Some("hash".into()),
        ..NewPerson::new(fields(email, name))
    };
    store
        .create_person(org, &new, t0())
        .await
        .expect("create person")
        .person
        .id
}

#[test]
fn urls_get_the_test_database() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@db/postgres?sslmode=require", "x"),
        "postgres://u:p@db/x?sslmode=require"
    );
    assert_eq!(
        with_database("postgres://db:5433", "x"),
        "postgres://db:5433/x"
    );
}

#[test]
fn only_idle_test_databases_of_this_run_or_old_ones_are_dropped() {
    let mine: HashSet<String> = ["askaround_test_1000_ab".to_owned()].into();
    assert!(
        !is_ours_to_drop("askaround_test_1000_ab", &mine, 1001),
        "a database just created may not be connected to yet"
    );
    assert!(is_ours_to_drop(
        "askaround_test_1000_ab",
        &mine,
        1000 + SETTLED_AFTER + 1
    ));
    assert!(!is_ours_to_drop("askaround_test_1000_cd", &mine, 1001));
    assert!(is_ours_to_drop(
        "askaround_test_1000_cd",
        &mine,
        1000 + STALE_AFTER + 1
    ));
    assert!(!is_ours_to_drop("askaround_prod", &mine, 9999));
    assert!(!is_ours_to_drop("askaround_test_x; DROP", &mine, 9999));
}
