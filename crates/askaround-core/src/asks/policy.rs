//! The knobs of routing, with defaults argued from the research in DESIGN.md.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use crate::matching::Urgency;
use crate::{FieldError, FieldErrors};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingPolicy {
    /// Offers per wave (K). Three is a small enough group that a decline costs little and large
    /// enough that one of them is usually free; IM-an-Expert's median of 10 people interrupted per
    /// question is the ceiling we aim well under (3 × 4 waves = 12 at worst).
    pub offers_per_wave: u32,
    /// Waves before the ask goes to the board (W).
    pub max_waves: u32,
    /// How long a helper has to answer an offer.
    pub offer_lifetime: ByUrgency<SignedDuration>,
    /// How long an ask nobody took stays claimable on the board before it expires.
    pub board_lifetime: ByUrgency<SignedDuration>,
    /// Offers a helper may let expire in a row before they are snoozed automatically.
    pub snooze_after_ignored: u32,
}

impl Default for RoutingPolicy {
    fn default() -> Self {
        Self {
            offers_per_wave: 3,
            max_waves: 4,
            // "Now" is ride-app time: 4 waves of 2 minutes put the ask on the board within ~8
            // minutes, close to the 3–6.5-minute medians of IM-an-Expert and Aardvark. "Today"
            // offers reach people who may be in a meeting, so each wave gets half an hour and the
            // four take a morning. "This week" waves last half a working day, so the ask is
            // settled within two days, well inside its week.
            offer_lifetime: ByUrgency {
                now: SignedDuration::from_mins(2),
                today: SignedDuration::from_mins(30),
                this_week: SignedDuration::from_hours(4),
            },
            // An open ask must outlive the night: "5 people start work within 2 hours; we'll tell
            // you" is only true if the ask is still there when they do. A day covers every time
            // zone's next morning; a week-long ask keeps its week.
            board_lifetime: ByUrgency {
                now: SignedDuration::from_hours(24),
                today: SignedDuration::from_hours(24),
                this_week: SignedDuration::from_hours(7 * 24),
            },
            // Three ignored 2-minute offers in a row is someone away from their desk; fewer would
            // snooze people for a single meeting.
            snooze_after_ignored: 3,
        }
    }
}

impl RoutingPolicy {
    /// Checks a policy from configuration, naming each bad field (`routing.max_waves`, ...).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut at_least_one = |field: &str, value: u32| {
            if value == 0 {
                errors.push(FieldError::new(
                    format!("routing.{field}"),
                    "must be at least 1",
                ));
            }
        };
        at_least_one("offers_per_wave", self.offers_per_wave);
        at_least_one("max_waves", self.max_waves);
        at_least_one("snooze_after_ignored", self.snooze_after_ignored);
        for (field, lifetimes) in [
            ("offer_lifetime", &self.offer_lifetime),
            ("board_lifetime", &self.board_lifetime),
        ] {
            for (urgency, lifetime) in lifetimes.entries() {
                if !lifetime.is_positive() {
                    errors.push(FieldError::new(
                        format!("routing.{field}.{urgency}"),
                        "must be longer than zero",
                    ));
                }
            }
        }
        errors.into_result(|| ())
    }
}

/// One value per urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByUrgency<T> {
    pub now: T,
    pub today: T,
    pub this_week: T,
}

impl<T: Copy> ByUrgency<T> {
    pub fn get(&self, urgency: Urgency) -> T {
        match urgency {
            Urgency::Now => self.now,
            Urgency::Today => self.today,
            Urgency::ThisWeek => self.this_week,
        }
    }

    fn entries(&self) -> [(&'static str, T); 3] {
        [
            ("now", self.now),
            ("today", self.today),
            ("this_week", self.this_week),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_issues_and_valid() {
        let policy = RoutingPolicy::default();
        assert_eq!((policy.offers_per_wave, policy.max_waves), (3, 4));
        assert_eq!(
            policy.offer_lifetime.get(Urgency::Now),
            SignedDuration::from_mins(2)
        );
        assert!(policy.validate().is_ok());
    }

    #[test]
    fn a_bad_policy_names_every_bad_field() {
        let mut policy = RoutingPolicy {
            offers_per_wave: 0,
            ..RoutingPolicy::default()
        };
        policy.board_lifetime.today = SignedDuration::ZERO;
        let errors = policy.validate().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["routing.offers_per_wave", "routing.board_lifetime.today"]
        );
    }

    #[test]
    fn a_policy_reads_from_configuration_with_defaults_for_what_is_missing() {
        let policy: RoutingPolicy = serde_json::from_str(
            r#"{"max_waves": 2, "offer_lifetime": {"now": "PT90S", "today": "PT20M", "this_week": "PT2H"}}"#,
        )
        .unwrap();
        assert_eq!(policy.max_waves, 2);
        assert_eq!(policy.offers_per_wave, 3);
        assert_eq!(
            policy.offer_lifetime.get(Urgency::Now),
            SignedDuration::from_secs(90)
        );
        assert!(serde_json::from_str::<RoutingPolicy>(r#"{"waves": 2}"#).is_err());
    }
}
