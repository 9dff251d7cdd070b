//! Transaction-scoped advisory locks: where SQLite's single writer made a read-then-write
//! sequence safe, several PostgreSQL writers take turns instead. Each lock is released by COMMIT
//! or ROLLBACK, so a failed transaction can never leave one behind.

use sqlx::{Postgres, Transaction};

use askaround_core::ids::OrgId;
use askaround_store::StoreResult;

use crate::codec::db_err;

/// What writers take turns at. Locks use `pg_advisory_xact_lock(int, int)` with a first key of
/// our own, a key space apart from the single-`bigint` locks that other tools (sqlx's migrator
/// among them) use.
#[derive(Debug, Clone, Copy)]
pub enum Turn {
    /// Drawing event ids until commit, installation-wide: ids then become visible in increasing
    /// order, which is what lets a node catch up with "everything after the last id I saw".
    Events,
    /// Checking an organisation's skill names and parents, then writing them (no duplicate
    /// alias, no cycle).
    Taxonomy(OrgId),
    /// A whole CSV import into an organisation (emails looked up, then written; the last admin
    /// kept).
    Import(OrgId),
}

impl Turn {
    fn keys(self) -> (i32, i32) {
        match self {
            Turn::Events => (0x61_6b_01, 0),
            Turn::Taxonomy(org) => (0x61_6b_02, org_key(org)),
            Turn::Import(org) => (0x61_6b_03, org_key(org)),
        }
    }
}

/// Waits for `turn` and holds it until the transaction ends.
pub async fn take(tx: &mut Transaction<'_, Postgres>, turn: Turn) -> StoreResult<()> {
    let (class, key) = turn.keys();
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
        .bind(class)
        .bind(key)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Folds an organisation id into the lock's second key. Two organisations that fold alike only
/// take turns with each other, which costs a little waiting and never correctness.
fn org_key(org: OrgId) -> i32 {
    let key = org.0.as_bytes().chunks_exact(4).fold(0u32, |key, c| {
        key ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]])
    });
    i32::from_le_bytes(key.to_le_bytes())
}
