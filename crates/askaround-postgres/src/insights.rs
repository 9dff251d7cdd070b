//! Insights aggregates on PostgreSQL.

use askaround_store::InsightsStore;
use async_trait::async_trait;

use crate::PgStore;

#[async_trait]
impl InsightsStore for PgStore {}
