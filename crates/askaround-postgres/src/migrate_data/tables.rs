//! Every table of an installation, in the order their rows may be inserted (each after the
//! tables it references), with its columns and primary key.
//!
//! This list and the two migrations folders must agree; `verify::schemas` compares it with both
//! databases before anything is copied, so a column added to one backend and not to this list
//! stops the migration instead of being left behind.

/// How a column is stored on each side, and so how its values are converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// SQLite text → PostgreSQL `uuid`.
    Uuid,
    Text,
    /// SQLite integer → PostgreSQL `bigint` or `integer`.
    Int,
    /// SQLite 0/1 → PostgreSQL `boolean`.
    Bool,
    /// SQLite text → PostgreSQL `jsonb` (compared as JSON values, not as text).
    Json,
}

pub struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
    pub key: &'static [&'static str],
    /// Whether `id` comes from an identity sequence that must continue after the copied ids.
    pub sequence: bool,
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use Kind::{Bool, Int, Json, Text, Uuid};

const fn table(
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    key: &'static [&'static str],
) -> Table {
    Table {
        name,
        columns,
        key,
        sequence: false,
    }
}

pub const TABLES: &[Table] = &[
    table(
        "orgs",
        &[
            ("id", Uuid),
            ("name", Text),
            ("slug", Text),
            ("taxonomy_version", Int),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "people",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("email", Text),
            ("name", Text),
            ("name_key", Text),
            ("title", Text),
            ("team", Text),
            ("location", Text),
            ("timezone", Text),
            ("working_hours", Text),
            ("languages", Text),
            ("bio", Text),
            ("weekly_budget", Int),
            ("role", Text),
            ("active", Bool),
            ("password_hash", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("presence", Text),
            ("ooo_from", Int),
            ("ooo_until", Int),
            ("ignored_in_a_row", Int),
            ("first_asked_at", Int),
            ("first_learned_at", Int),
            ("first_helped_at", Int),
            ("first_connected_at", Int),
            ("second_connected_at", Int),
        ],
        &["id"],
    ),
    // A skill's parent may come later in the table: the parent key is checked at commit.
    table(
        "skills",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("name", Text),
            ("parent_id", Uuid),
            ("popularity", Int),
        ],
        &["id"],
    ),
    table(
        "skill_keys",
        &[
            ("org_id", Uuid),
            ("key", Text),
            ("skill_id", Uuid),
            ("alias", Text),
        ],
        &["org_id", "key"],
    ),
    table(
        "person_skills",
        &[("person_id", Uuid), ("skill_id", Uuid), ("level", Text)],
        &["person_id", "skill_id"],
    ),
    table(
        "learning_goals",
        &[("person_id", Uuid), ("skill_id", Uuid)],
        &["person_id", "skill_id"],
    ),
    table(
        "sessions",
        &[
            ("token_hash", Text),
            ("person_id", Uuid),
            ("org_id", Uuid),
            ("csrf_token", Text),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        &["token_hash"],
    ),
    table(
        "invitations",
        &[
            ("token_hash", Text),
            ("person_id", Uuid),
            ("org_id", Uuid),
            ("created_at", Int),
            ("expires_at", Int),
        ],
        &["token_hash"],
    ),
    Table {
        sequence: true,
        ..table(
            "events",
            &[
                ("id", Int),
                ("org_id", Uuid),
                ("person_id", Uuid),
                ("kind", Text),
                ("data", Text),
                ("at", Int),
            ],
            &["id"],
        )
    },
    table(
        "asks",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("asker_id", Uuid),
            ("state", Text),
            ("helper_id", Uuid),
            ("urgency", Text),
            ("mode", Text),
            ("text", Text),
            ("version", Int),
            ("record", Json),
            ("idempotency_key", Text),
            ("waves_sent", Int),
            ("people_interrupted", Int),
            ("created_at", Int),
            ("updated_at", Int),
            ("matched_at", Int),
            ("closed_at", Int),
            ("went_to_board", Int),
        ],
        &["id"],
    ),
    table(
        "ask_skills",
        &[("ask_id", Uuid), ("skill_id", Uuid)],
        &["ask_id", "skill_id"],
    ),
    table(
        "offers",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("ask_id", Uuid),
            ("helper_id", Uuid),
            ("asker_id", Uuid),
            ("wave", Int),
            ("state", Text),
            ("decline_reason", Text),
            ("why", Text),
            ("sent_at", Int),
            ("expires_at", Int),
            ("closed_at", Int),
        ],
        &["id"],
    ),
    table(
        "timers",
        &[
            ("ask_id", Uuid),
            ("timer", Text),
            ("org_id", Uuid),
            ("due_at", Int),
            ("lease_until", Int),
        ],
        &["ask_id", "timer"],
    ),
    Table {
        sequence: true,
        ..table(
            "jobs",
            &[
                ("id", Int),
                ("org_id", Uuid),
                ("ask_id", Uuid),
                ("wave", Int),
                ("created_at", Int),
                ("lease_until", Int),
            ],
            &["id"],
        )
    },
    table(
        "conversations",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("ask_id", Uuid),
            ("created_at", Int),
            ("closed_at", Int),
        ],
        &["id"],
    ),
    table(
        "participants",
        &[
            ("conversation_id", Uuid),
            ("person_id", Uuid),
            ("role", Text),
            ("added_by", Uuid),
            ("added_at", Int),
        ],
        &["conversation_id", "person_id"],
    ),
    table(
        "messages",
        &[
            ("id", Uuid),
            ("conversation_id", Uuid),
            ("org_id", Uuid),
            ("author_id", Uuid),
            ("kind", Text),
            ("body", Text),
            ("data", Text),
            ("created_at", Int),
        ],
        &["id"],
    ),
    table(
        "feedback",
        &[
            ("ask_id", Uuid),
            ("org_id", Uuid),
            ("learner_id", Uuid),
            ("helper_id", Uuid),
            ("rating", Int),
            ("thanks", Text),
            ("created_at", Int),
        ],
        &["ask_id"],
    ),
    table(
        "learned_skills",
        &[("ask_id", Uuid), ("skill_id", Uuid)],
        &["ask_id", "skill_id"],
    ),
    table(
        "helped_topics",
        &[("ask_id", Uuid), ("skill_id", Uuid), ("confirmed_at", Int)],
        &["ask_id", "skill_id"],
    ),
    table(
        "reports",
        &[
            ("id", Uuid),
            ("org_id", Uuid),
            ("ask_id", Uuid),
            ("reporter_id", Uuid),
            ("reason", Text),
            ("created_at", Int),
            ("resolved_at", Int),
        ],
        &["id"],
    ),
    table(
        "insights_skill_helpers",
        &[
            ("org_id", Uuid),
            ("skill_id", Uuid),
            ("helper_id", Uuid),
            ("first_at", Int),
        ],
        &["skill_id", "helper_id"],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_a_column_and_sequences_are_on_id() {
        for table in TABLES {
            for key in table.key {
                assert!(
                    table.columns.iter().any(|(c, _)| c == key),
                    "{}.{key}",
                    table.name
                );
            }
            if table.sequence {
                assert_eq!(table.key, ["id"], "{}", table.name);
            }
        }
    }
}
