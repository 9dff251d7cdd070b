//! The shared Store conformance suite, on a fresh SQLite file per test.

use askaround_sqlite::SqliteStore;

async fn fresh_store() -> SqliteStore {
    // Each test gets its own file in a directory that lives as long as the process: the tests
    // are short, and a real file (not :memory:) exercises WAL and the migrations as shipped.
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let url = format!("sqlite://{}", dir.join("askaround.db").display());
    SqliteStore::connect(&url).await.expect("open store")
}

askaround_store::conformance_tests!(fresh_store());
