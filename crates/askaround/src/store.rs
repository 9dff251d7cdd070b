//! Picks the storage backend from the database URL.

use std::sync::Arc;

use anyhow::{Result, bail};

use askaround_postgres::PgStore;
use askaround_sqlite::SqliteStore;
use askaround_store::Store;

use crate::config::redact_url;

pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let store = SqliteStore::connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", redact_url(url)))?;
        return Ok(Arc::new(store));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("opening {}: {e}", redact_url(url)))?;
        return Ok(Arc::new(store));
    }
    bail!(
        "database URL '{}' should start with sqlite:// or postgres://",
        redact_url(url)
    )
}
