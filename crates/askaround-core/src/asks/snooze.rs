//! Auto-snooze: a helper who lets offers expire again and again is probably away, and every
//! further offer to them only delays the asker. The streak is the helper's, not the ask's, so it
//! lives with the person; this is the rule the server applies to each `RecordResponse`.

use serde::{Deserialize, Serialize};

use super::effect::Response;
use super::policy::RoutingPolicy;

/// Offers a helper has let expire since their last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IgnoredInARow(pub u32);

impl IgnoredInARow {
    /// The streak after `response`, and whether to snooze the helper now (and tell them so).
    /// Any answer, even a decline, shows they are there and resets the streak. A snooze also
    /// resets it, so the helper starts afresh when they come back.
    pub fn after(self, response: &Response, policy: &RoutingPolicy) -> (Self, bool) {
        match response {
            Response::Ignored => {
                let streak = self.0.saturating_add(1);
                if streak >= policy.snooze_after_ignored {
                    (Self(0), true)
                } else {
                    (Self(streak), false)
                }
            }
            _ => (Self(0), false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asks::DeclineReason;

    #[test]
    fn ignoring_three_offers_in_a_row_snoozes_and_starts_over() {
        let policy = RoutingPolicy::default();
        let mut streak = IgnoredInARow::default();
        let mut snoozes = Vec::new();
        for _ in 0..4 {
            let (next, snooze) = streak.after(&Response::Ignored, &policy);
            snoozes.push(snooze);
            streak = next;
        }
        assert_eq!(snoozes, [false, false, true, false]);
        assert_eq!(streak, IgnoredInARow(1));
    }

    #[test]
    fn any_answer_resets_the_streak() {
        let policy = RoutingPolicy::default();
        let declined = Response::Declined {
            reason: DeclineReason::Busy,
        };
        assert_eq!(
            IgnoredInARow(2).after(&declined, &policy),
            (IgnoredInARow(0), false)
        );
        assert_eq!(
            IgnoredInARow(2).after(&Response::Passed, &policy),
            (IgnoredInARow(0), false)
        );
    }
}
