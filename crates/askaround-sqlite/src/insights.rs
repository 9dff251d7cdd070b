//! Insights aggregates on SQLite.

use askaround_store::InsightsStore;
use async_trait::async_trait;

use crate::SqliteStore;

#[async_trait]
impl InsightsStore for SqliteStore {}
