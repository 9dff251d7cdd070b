//! `migrate-data` from a SQLite file that has been analysed: SQLite's own statistics tables
//! (`sqlite_stat1`, `sqlite_stat4`) are not askaround's data and must not stop the move.

mod support;

use sqlx::Connection;

use askaround_postgres::migrate_data::migrate_data;
use askaround_sqlite::SqliteStore;
use support::{fresh_database, org, person};

#[tokio::test]
async fn an_analysed_sqlite_database_moves_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("askaround.db");
    let from = format!("sqlite://{}", path.display());
    let sqlite = SqliteStore::connect(&from).await.expect("sqlite");
    let acme = org(&sqlite, "Acme").await;
    person(&sqlite, acme.id, "ann@acme.test", "Ann").await;
    sqlite.close().await;
    // What an operator (or `PRAGMA optimize`) may have done to a busy database.
    let mut connection = sqlx::SqliteConnection::connect(&from)
        .await
        .expect("connect");
    sqlx::query("ANALYZE")
        .execute(&mut connection)
        .await
        .expect("analyze");
    let stats: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            .fetch_one(&mut connection)
            .await
            .expect("statistics tables");
    assert!(stats > 0, "ANALYZE made its statistics tables");
    connection.close().await.expect("close");

    let to = fresh_database().await;
    let summary = migrate_data(&from, &to).await.expect("migrate");
    assert_eq!(summary.rows("orgs"), Some(1));
    assert_eq!(summary.rows("people"), Some(1));
}
