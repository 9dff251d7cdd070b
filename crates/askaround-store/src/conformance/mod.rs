//! The behaviour every Store backend must have, as plain async functions over `&dyn Store`.
//! A backend runs them all with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! askaround_store::conformance_tests!(fresh_store());
//! ```

mod accounts;
pub mod fixtures;
mod imports;
mod insights;
mod nodes;
mod orgs;
mod people;
mod routing;
mod skills;

pub use accounts::*;
pub use imports::*;
pub use insights::*;
pub use nodes::*;
pub use orgs::*;
pub use people::*;
pub use routing::*;
pub use skills::*;

/// Generates one `#[tokio::test]` per conformance check; `$make` is an expression giving a
/// future of a fresh, empty store.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            organisations_are_created_and_found_by_slug,
            an_organisation_starts_with_its_seed_and_first_admin_or_not_at_all,
            names_and_aliases_mean_one_skill_per_organisation,
            a_rename_keeps_the_old_name_as_an_alias,
            a_parent_cycle_is_refused,
            a_merge_moves_holders_learners_aliases_and_children,
            a_merge_into_a_descendant_keeps_the_tree_whole,
            people_are_created_read_and_updated,
            a_person_is_created_with_skills_goals_and_invitation_or_not_at_all,
            an_email_signs_in_to_one_account_only,
            nothing_is_visible_across_organisations,
            the_directory_pages_by_name_and_filters_by_skill_and_text,
            an_import_creates_then_updates_only_the_columns_present,
            an_import_is_all_or_nothing,
            an_import_never_leaves_an_organisation_without_an_admin,
            sessions_expire_and_end_with_deactivation,
            a_password_change_ends_the_other_sessions,
            invitations_are_single_use_and_expire,
            an_ask_is_stored_once_per_idempotency_key,
            a_transition_is_written_only_at_the_expected_version,
            ignored_offers_in_a_row_snooze_a_person_and_an_answer_resets_the_count,
            the_board_lists_open_asks_by_skill,
            conversations_keep_messages_in_order_and_close_with_feedback,
            a_node_catches_up_on_events_and_loads_by_id,
            connections_count_while_their_node_is_alive,
            insights_count_people_and_connections_by_local_week,
            insights_measure_speed_by_local_hour_and_skill,
            insights_speed_follows_writes_after_a_first_read,
            insights_rate_quality_and_skill_supply,
            insights_link_teams_and_spread_the_load
        );
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make.await;
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}
