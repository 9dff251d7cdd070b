//! PostgreSQL computes the speed figures from asks it holds in memory, kept current from a log
//! of changed asks keyed by transaction id (migration 0011). They must follow what this node did
//! not write: other nodes, raw writes, transactions that commit out of order, and a log pruned
//! before this node read it.

mod support;

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::date;
use sqlx::{Connection, PgConnection};

use askaround_core::asks::{self, HelpMode, NewAsk};
use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::insights::Scope;
use askaround_core::matching::Urgency;
use askaround_core::timezone::TimeZoneName;
use askaround_postgres::PgStore;
use askaround_store::conformance::fixtures::{org, person, skill};
use askaround_store::{InsightsStore, Outbox, Store};

fn ms(when: &str) -> i64 {
    when.parse::<Timestamp>().expect("instant").as_millisecond()
}

async fn ask(store: &PgStore, org: OrgId, asker: PersonId, skill: SkillId, when: &str) {
    let when: Timestamp = when.parse().expect("instant");
    let new = NewAsk::parse("help", vec![skill], Urgency::Now, HelpMode::Chat).expect("ask");
    let t = asks::create(AskId::generate(), asker, new, when);
    store
        .create_ask(org, &t.ask, None, &Outbox::default(), when)
        .await
        .expect("create ask");
}

/// An ask written with plain SQL (another program, or a transaction held open by the test).
async fn raw_ask(
    conn: &mut PgConnection,
    org: OrgId,
    asker: PersonId,
    skill: SkillId,
    when: &str,
) -> AskId {
    let id = AskId::generate();
    sqlx::query(
        "INSERT INTO asks (id, org_id, asker_id, state, urgency, mode, text, version, record, \
           created_at, updated_at) \
         VALUES ($1, $2, $3, 'open', 'now', 'chat', 'help', 1, '{}', $4, $4)",
    )
    .bind(id.0)
    .bind(org.0)
    .bind(asker.0)
    .bind(ms(when))
    .execute(&mut *conn)
    .await
    .expect("ask");
    sqlx::query("INSERT INTO ask_skills (ask_id, skill_id) VALUES ($1, $2)")
        .bind(id.0)
        .bind(skill.0)
        .execute(&mut *conn)
        .await
        .expect("ask skill");
    id
}

async fn asks_in_january(store: &PgStore, org: OrgId) -> u64 {
    let utc = TimeZoneName::parse("UTC").expect("zone");
    let january = Scope::new(date(2026, 1, 1), date(2026, 2, 1), None, None, &utc);
    let speed = store.insights_speed(org, &january).await.expect("speed");
    let by_skill: u64 = speed.by_skill.iter().map(|(_, s)| s.asks).sum();
    assert_eq!(by_skill, speed.overall.asks, "one skill per ask");
    speed.overall.asks
}

/// A transaction that took its log number first but commits after a later one, and after a
/// reader caught up past that later one: a log read by number would skip it for good.
#[tokio::test]
async fn a_write_committed_after_a_catch_up_it_began_before_is_read() {
    let url = support::fresh_database().await;
    let reader = PgStore::connect(&url).await.expect("open");
    let writer = PgStore::connect(&url).await.expect("open again");
    let acme = org(&reader, "Acme").await.id;
    let ana = person(&reader, acme, "ana@acme.test", "Ana").await;
    let excel = skill(&reader, acme, "Excel").await;
    ask(&writer, acme, ana, excel, "2026-01-05T10:00:00Z").await;
    assert_eq!(asks_in_january(&reader, acme).await, 1);

    // Another asker and skill, in another month's rollups, so that the open transaction holds
    // no row lock the committed write needs (the rollups of 0006-0009 lock per person, skill
    // and bucket).
    let bea = person(&reader, acme, "bea@acme.test", "Bea").await;
    let tableau = skill(&reader, acme, "Tableau").await;
    let mut slow = PgConnection::connect(&url).await.expect("connect");
    let mut slow_tx = slow.begin().await.expect("begin");
    raw_ask(&mut slow_tx, acme, bea, tableau, "2026-01-26T10:00:00Z").await;
    // Committed while the slow one is open, with later log numbers.
    ask(&writer, acme, ana, excel, "2026-01-07T10:00:00Z").await;
    assert_eq!(
        asks_in_january(&reader, acme).await,
        2,
        "the committed one, not the open one"
    );
    slow_tx.commit().await.expect("commit");
    assert_eq!(
        asks_in_january(&reader, acme).await,
        3,
        "the one committed after the reader caught up"
    );
    // And a roll-back leaves nothing behind.
    let mut tx = slow.begin().await.expect("begin");
    raw_ask(&mut tx, acme, bea, tableau, "2026-01-27T10:00:00Z").await;
    assert_eq!(asks_in_january(&reader, acme).await, 3);
    tx.rollback().await.expect("roll back");
    assert_eq!(asks_in_january(&reader, acme).await, 3);
}

/// Another node prunes the log past what this one read: this one reads its asks again. Rows
/// deleted behind its back and other organisations' asks come through the log too.
#[tokio::test]
async fn speed_follows_a_pruned_log_deletes_and_other_organisations() {
    let url = support::fresh_database().await;
    let here = PgStore::connect(&url).await.expect("open");
    let elsewhere = PgStore::connect(&url).await.expect("open again");
    let acme = org(&here, "Acme").await.id;
    let ana = person(&here, acme, "ana@acme.test", "Ana").await;
    let excel = skill(&here, acme, "Excel").await;
    ask(&here, acme, ana, excel, "2026-01-05T10:00:00Z").await;
    assert_eq!(asks_in_january(&here, acme).await, 1);

    ask(&elsewhere, acme, ana, excel, "2026-01-06T10:00:00Z").await;
    // The periodic upkeep keeps the last hour: nothing this node needs goes.
    elsewhere
        .insights_keep_current()
        .await
        .expect("keep current");
    assert_eq!(asks_in_january(&here, acme).await, 2, "another node's");

    ask(&elsewhere, acme, ana, excel, "2026-01-07T10:00:00Z").await;
    // Only rows below every running transaction go, on the whole server: a test in another
    // database may hold one open for a moment.
    let mut pruned = 0;
    for _ in 0..100 {
        pruned = elsewhere
            .insights_prune_ask_changes(Duration::ZERO)
            .await
            .expect("prune");
        if pruned > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        pruned > 0,
        "the changes since this node's last read are gone"
    );
    assert_eq!(asks_in_january(&here, acme).await, 3, "after a pruned log");

    let mut raw = PgConnection::connect(&url).await.expect("connect");
    sqlx::query("DELETE FROM asks WHERE created_at < $1")
        .bind(ms("2026-01-06T12:00:00Z"))
        .execute(&mut raw)
        .await
        .expect("delete");
    assert_eq!(asks_in_january(&here, acme).await, 1, "two asks deleted");

    let globex = org(&here, "Globex").await.id;
    let gus = person(&here, globex, "gus@globex.test", "Gus").await;
    let g_excel = skill(&here, globex, "Excel").await;
    ask(&elsewhere, globex, gus, g_excel, "2026-01-08T10:00:00Z").await;
    ask(&here, acme, ana, excel, "2026-01-09T10:00:00Z").await;
    assert_eq!(asks_in_january(&here, acme).await, 2);
    assert_eq!(asks_in_january(&here, globex).await, 1);
    here.insights_keep_current().await.expect("keep current");
    assert_eq!(asks_in_january(&here, globex).await, 1);
    assert_eq!(asks_in_january(&elsewhere, acme).await, 2, "read in full");
}

/// Asks written straight into the database with every awkward value the figures meet (no skill
/// or several, negative and huge durations, more than 100 askers, unresolved asks with a close
/// time), across the change to summer time in Lisbon: the figures from memory, built once by
/// following the log and once by a full read, equal the shared SQL's for every filter.
#[tokio::test]
async fn speed_from_memory_equals_the_shared_sql_on_awkward_asks() {
    use rand::{Rng, SeedableRng};
    let url = support::fresh_database().await;
    let following = PgStore::connect(&url).await.expect("open");
    let acme = org(&following, "Acme").await.id;
    let mut people = Vec::new();
    for i in 0..130 {
        let email = format!("p{i}@acme.test");
        people.push(person(&following, acme, &email, &format!("P {i}")).await);
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
    // Read once before the asks exist, so that all of them reach it through the log.
    following
        .insights_speed(acme, &scopes[0])
        .await
        .expect("first read");

    let mut raw = PgConnection::connect(&url).await.expect("connect");
    for (i, p) in people.iter().enumerate() {
        sqlx::query("UPDATE people SET team = $1, location = $2 WHERE id = $3")
            .bind(["Finance", "Ops", "Sales"][i % 3])
            .bind(["Lisbon", "Porto"][i % 2])
            .bind(p.0)
            .execute(&mut raw)
            .await
            .expect("team");
    }
    let start = ms("2026-03-20T00:00:00Z");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(29);
    let mut tx = raw.begin().await.expect("begin");
    for _ in 0..2500 {
        let id = AskId::generate().0;
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
             VALUES ($1, $2, $3, $4, 'now', 'chat', 'help', 1, '{}', $5, $6, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(acme.0)
        .bind(people[rng.random_range(0..people.len())].0)
        .bind(state)
        .bind(rng.random_range(0..160_i32))
        .bind(created)
        .bind(matched)
        .bind(closed)
        .bind(i16::from(rng.random_bool(0.2)))
        .execute(&mut *tx)
        .await
        .expect("ask");
        for _ in 0..rng.random_range(0..3) {
            sqlx::query(
                "INSERT INTO ask_skills (ask_id, skill_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(skills[rng.random_range(0..skills.len())].0)
            .execute(&mut *tx)
            .await
            .expect("ask skill");
        }
    }
    tx.commit().await.expect("commit");

    let reading = PgStore::connect(&url).await.expect("open again");
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
