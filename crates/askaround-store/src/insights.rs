//! What the insights for learning & development leads need from a database: aggregates only.

use async_trait::async_trait;

/// Aggregate queries over an organisation's asks, offers and feedback.
#[async_trait]
pub trait InsightsStore: Send + Sync {}
