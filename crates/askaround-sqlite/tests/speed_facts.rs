//! SQLite computes the speed figures from asks it holds in memory. They must follow what it did
//! not write itself: another process on the same file, rows deleted behind the store's back, and
//! a change log pruned before this process read it.

use jiff::Timestamp;
use jiff::civil::date;
use sqlx::{Connection, SqliteConnection};

use askaround_core::asks::{self, HelpMode, NewAsk};
use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::matching::Urgency;
use askaround_core::timezone::TimeZoneName;
use askaround_sqlite::SqliteStore;
use askaround_store::conformance::fixtures::{org, person, skill};
use askaround_store::{InsightsStore, Outbox, Store};

async fn ask(store: &SqliteStore, org: OrgId, asker: PersonId, skill: SkillId, when: &str) {
    let when: Timestamp = when.parse().expect("instant");
    let new = NewAsk::parse("help", vec![skill], Urgency::Now, HelpMode::Chat).expect("ask");
    let t = asks::create(AskId::generate(), asker, new, when);
    store
        .create_ask(org, &t.ask, None, &Outbox::default(), when)
        .await
        .expect("create ask");
}

async fn asks_in_january(store: &SqliteStore, org: OrgId) -> u64 {
    let utc = TimeZoneName::parse("UTC").expect("zone");
    let january = Scope::new(date(2026, 1, 1), date(2026, 2, 1), None, None, &utc);
    let speed = store.insights_speed(org, &january).await.expect("speed");
    let by_skill: u64 = speed.by_skill.iter().map(|(_, s)| s.asks).sum();
    assert_eq!(by_skill, speed.overall.asks, "one skill per ask");
    speed.overall.asks
}

#[tokio::test]
async fn speed_follows_another_process_deletes_and_a_pruned_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("askaround.db").display());
    let here = SqliteStore::connect(&url).await.expect("open");
    let elsewhere = SqliteStore::connect(&url).await.expect("open again");
    let acme = org(&here, "Acme").await.id;
    let asker = person(&here, acme, "ana@acme.test", "Ana").await;
    let excel = skill(&here, acme, "Excel").await;

    ask(&here, acme, asker, excel, "2026-01-05T10:00:00Z").await;
    assert_eq!(asks_in_january(&here, acme).await, 1);

    ask(&elsewhere, acme, asker, excel, "2026-01-06T10:00:00Z").await;
    assert_eq!(
        asks_in_january(&here, acme).await,
        2,
        "written by another process"
    );

    // The other process prunes the log past what this one applied: this one finds the gap
    // and reads the asks again.
    ask(&elsewhere, acme, asker, excel, "2026-01-07T10:00:00Z").await;
    elsewhere
        .insights_keep_current()
        .await
        .expect("keep current");
    assert_eq!(asks_in_january(&here, acme).await, 3, "after a pruned log");

    let mut raw = SqliteConnection::connect(&url).await.expect("connect");
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut raw)
        .await
        .expect("pragma");
    sqlx::query("DELETE FROM asks WHERE created_at < ?1")
        .bind(
            "2026-01-06T12:00:00Z"
                .parse::<Timestamp>()
                .expect("instant")
                .as_millisecond(),
        )
        .execute(&mut raw)
        .await
        .expect("delete");
    assert_eq!(asks_in_january(&here, acme).await, 1, "two asks deleted");

    // Another organisation's asks never count, however the log interleaves them.
    let globex = org(&here, "Globex").await.id;
    let gus = person(&here, globex, "gus@globex.test", "Gus").await;
    let g_excel = skill(&here, globex, "Excel").await;
    ask(&elsewhere, globex, gus, g_excel, "2026-01-08T10:00:00Z").await;
    ask(&here, acme, asker, excel, "2026-01-09T10:00:00Z").await;
    assert_eq!(asks_in_january(&here, acme).await, 2);
    assert_eq!(asks_in_january(&here, globex).await, 1);
    here.insights_keep_current().await.expect("keep current");
    assert_eq!(asks_in_january(&here, globex).await, 1);
}

/// Asks written straight into the file with every awkward value the figures meet (no skill or
/// several, negative and huge durations, more than 100 askers, unresolved asks with a close
/// time), across the change to summer time in Lisbon: the figures from memory, built once by
/// following the change log and once by a full read, equal the shared SQL's for every filter.
#[tokio::test]
async fn speed_from_memory_equals_the_shared_sql_on_awkward_asks() {
    use rand::{Rng, SeedableRng};
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("askaround.db").display());
    let following = SqliteStore::connect(&url).await.expect("open");
    let acme = org(&following, "Acme").await.id;
    let mut people = Vec::new();
    for i in 0..130 {
        people.push(
            person(
                &following,
                acme,
                &format!("p{i}@acme.test"),
                &format!("P {i}"),
            )
            .await,
        );
    }
    let mut skills = Vec::new();
    for name in ["Excel", "Tableau", "Kubernetes", "Pivot tables"] {
        skills.push(skill(&following, acme, name).await);
    }
    let lisbon = TimeZoneName::parse("Europe/Lisbon").expect("zone");
    let scopes = [
        (None, None),
        (Some("Finance"), None),
        (None, Some("Porto")),
        (Some("Ops"), Some("Porto")),
    ]
    .map(|(team, location): (Option<&str>, Option<&str>)| {
        Scope::new(
            date(2026, 3, 23),
            date(2026, 4, 6),
            team.map(Into::into),
            location.map(Into::into),
            &lisbon,
        )
    });
    // Read once before the asks exist, so that all of them reach it through the change log.
    following
        .insights_speed(acme, &scopes[0])
        .await
        .expect("first read");

    let mut raw = SqliteConnection::connect(&url).await.expect("connect");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
    for (i, p) in people.iter().enumerate() {
        sqlx::query("UPDATE people SET team = ?1, location = ?2 WHERE id = ?3")
            .bind(["Finance", "Ops", "Sales"][i % 3])
            .bind(["Lisbon", "Porto"][i % 2])
            .bind(p.0.to_string())
            .execute(&mut raw)
            .await
            .expect("team");
    }
    let start = "2026-03-20T00:00:00Z"
        .parse::<Timestamp>()
        .expect("instant")
        .as_millisecond();
    let mut tx = raw.begin().await.expect("begin");
    for _ in 0..2500 {
        let id = AskId::generate().0.to_string();
        let created: i64 = start + rng.random_range(0..21 * 86_400_000);
        let matched = rng
            .random_bool(0.7)
            .then(|| created + rng.random_range(-5_000..40 * 86_400_000_i64));
        let closed = rng
            .random_bool(0.5)
            .then(|| created + rng.random_range(0..400 * 86_400_000_i64 * 10));
        let state = ["resolved", "matched", "expired", "open"][rng.random_range(0..4)];
        sqlx::query(
            "INSERT INTO asks (id, org_id, asker_id, state, urgency, mode, text, version, \
               record, people_interrupted, created_at, updated_at, matched_at, closed_at, \
               went_to_board) \
             VALUES (?1, ?2, ?3, ?4, 'now', 'chat', 'help', 1, '{}', ?5, ?6, ?6, ?7, ?8, ?9)",
        )
        .bind(&id)
        .bind(acme.0.to_string())
        .bind(people[rng.random_range(0..people.len())].0.to_string())
        .bind(state)
        .bind(rng.random_range(0..160_i64))
        .bind(created)
        .bind(matched)
        .bind(closed)
        .bind(i64::from(rng.random_bool(0.2)))
        .execute(&mut *tx)
        .await
        .expect("ask");
        for _ in 0..rng.random_range(0..3) {
            sqlx::query("INSERT OR IGNORE INTO ask_skills (ask_id, skill_id) VALUES (?1, ?2)")
                .bind(&id)
                .bind(skills[rng.random_range(0..skills.len())].0.to_string())
                .execute(&mut *tx)
                .await
                .expect("ask skill");
        }
    }
    tx.commit().await.expect("commit");

    let reading = SqliteStore::connect(&url).await.expect("open again");
    for scope in &scopes {
        let in_sql = following
            .insights_speed_in_sql(acme, scope)
            .await
            .expect("sql");
        assert!(in_sql.overall.asks > 100, "{:?}", scope.team);
        for store in [&following, &reading] {
            let held = store.insights_speed(acme, scope).await.expect("memory");
            assert_eq!(
                held, in_sql,
                "team {:?}, location {:?}",
                scope.team, scope.location
            );
        }
    }
    let everyone = following
        .insights_speed(acme, &scopes[0])
        .await
        .expect("speed");
    assert_eq!(
        everyone.overall.askers, 100,
        "askers are counted up to the cap"
    );
    assert!(everyone.by_skill.len() == skills.len() && everyone.by_hour.len() == 24);
}
