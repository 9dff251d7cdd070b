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
