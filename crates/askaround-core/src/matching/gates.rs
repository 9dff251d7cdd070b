//! Hard filters: who must not get this offer, whatever their expertise. Each gate is its own
//! function so it can be tested alone; [`first_gate`] applies them in a fixed order and the report
//! counts each removed person once, under the first gate that removed them.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::ask::Urgency;
use super::candidate::{CandidateState, Presence};
use super::clock::{LocalClock, works_within};
use super::record::Record;
use crate::hours::WorkingHours;
use crate::ids::PersonId;

/// Why a person was not offered an ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// The person asking.
    Asker,
    /// A deactivated account.
    Inactive,
    DoNotDisturb,
    /// Not working now (or, for later urgencies, at no time in the window), in their own zone.
    OutsideHours,
    OutOfOffice,
    /// A weekly budget of zero: the person takes no offers.
    OffersPaused,
    /// The day's or week's offers are used up.
    OverBudget,
    /// Declined an offer from this asker within the cooldown.
    DeclinedRecently,
}

impl Gate {
    pub const ALL: [Gate; 8] = [
        Gate::Asker,
        Gate::Inactive,
        Gate::DoNotDisturb,
        Gate::OutsideHours,
        Gate::OutOfOffice,
        Gate::OffersPaused,
        Gate::OverBudget,
        Gate::DeclinedRecently,
    ];

    /// The predicate of a sentence about `plural` people or one person.
    pub fn predicate(self, plural: bool, urgency: Urgency) -> &'static str {
        match (self, plural) {
            (Gate::Asker, _) => "asked the question",
            (Gate::Inactive, false) => "has a deactivated account",
            (Gate::Inactive, true) => "have deactivated accounts",
            (Gate::DoNotDisturb, false) => "is set to do not disturb",
            (Gate::DoNotDisturb, true) => "are set to do not disturb",
            (Gate::OutsideHours, plural) => match (urgency, plural) {
                (Urgency::Now, false) => "is outside their working hours",
                (Urgency::Now, true) => "are outside their working hours",
                (Urgency::Today, false) => "does not work in the next 24 hours",
                (Urgency::Today, true) => "do not work in the next 24 hours",
                (Urgency::ThisWeek, false) => "does not work in the next 7 days",
                (Urgency::ThisWeek, true) => "do not work in the next 7 days",
            },
            (Gate::OutOfOffice, false) => "is out of office",
            (Gate::OutOfOffice, true) => "are out of office",
            (Gate::OffersPaused, false) => "has paused offers",
            (Gate::OffersPaused, true) => "have paused offers",
            (Gate::OverBudget, false) => "has used their offer budget",
            (Gate::OverBudget, true) => "have used their offer budget",
            (Gate::DeclinedRecently, false) => "declined one of your asks recently",
            (Gate::DeclinedRecently, true) => "declined one of your asks recently",
        }
    }
}

/// What every gate needs to know about the ranking.
#[derive(Debug, Clone, Copy)]
pub(super) struct GateContext<'a> {
    pub asker: PersonId,
    pub now: Timestamp,
    pub urgency: Urgency,
    pub decline_cooldown: SignedDuration,
    /// Local clock per interned zone.
    pub clocks: &'a [LocalClock],
    /// Working-hour patterns by interned id.
    pub hours: &'a [WorkingHours],
}

/// The first gate that removes this person, or `None` if they may be offered the ask.
pub(super) fn first_gate(ctx: &GateContext<'_>, record: &Record) -> Option<Gate> {
    let state = &record.state;
    if record.id == ctx.asker {
        return Some(Gate::Asker);
    }
    if !record.active {
        return Some(Gate::Inactive);
    }
    if is_do_not_disturb(state) {
        return Some(Gate::DoNotDisturb);
    }
    let clock = ctx.clocks.get(record.zone as usize).copied();
    let hours = ctx.hours.get(record.hours as usize);
    match (clock, hours) {
        (Some(clock), Some(hours)) if works_in_window(hours, clock, ctx.urgency) => {}
        _ => return Some(Gate::OutsideHours),
    }
    if is_out_of_office(state, ctx.now, ctx.urgency) {
        return Some(Gate::OutOfOffice);
    }
    if record.weekly_budget == 0 {
        return Some(Gate::OffersPaused);
    }
    if is_over_budget(state, record.weekly_budget, record.daily_budget) {
        return Some(Gate::OverBudget);
    }
    if declined_recently(state, ctx.asker, ctx.now, ctx.decline_cooldown) {
        return Some(Gate::DeclinedRecently);
    }
    None
}

pub(super) fn is_do_not_disturb(state: &CandidateState) -> bool {
    state.presence == Presence::DoNotDisturb
}

pub(super) fn works_in_window(hours: &WorkingHours, clock: LocalClock, urgency: Urgency) -> bool {
    works_within(hours, clock, urgency.window_minutes())
}

/// Out of office for the whole window: someone away today but back tomorrow can still take an
/// ask for this week.
pub(super) fn is_out_of_office(state: &CandidateState, now: Timestamp, urgency: Urgency) -> bool {
    let Some(ooo) = state.out_of_office else {
        return false;
    };
    let window_end = now
        .checked_add(SignedDuration::from_mins(i64::from(
            urgency.window_minutes(),
        )))
        .unwrap_or(now);
    ooo.from <= now && window_end < ooo.until
}

pub(super) fn is_over_budget(state: &CandidateState, weekly: u16, daily: Option<u16>) -> bool {
    state.offers_this_week >= weekly || daily.is_some_and(|d| state.offers_today >= d)
}

pub(super) fn declined_recently(
    state: &CandidateState,
    asker: PersonId,
    now: Timestamp,
    cooldown: SignedDuration,
) -> bool {
    let since = now.checked_sub(cooldown).unwrap_or(Timestamp::MIN);
    state
        .declines
        .iter()
        .any(|d| d.asker == asker && d.at > since && d.at <= now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::candidate::{Decline, OutOfOffice};
    use uuid::Uuid;

    fn at(iso: &str) -> Timestamp {
        iso.parse().unwrap()
    }

    #[test]
    fn do_not_disturb_is_the_only_presence_that_gates() {
        let mut state = CandidateState::default();
        for (presence, gated) in [
            (Presence::Online, false),
            (Presence::Away, false),
            (Presence::Offline, false),
            (Presence::DoNotDisturb, true),
        ] {
            state.presence = presence;
            assert_eq!(is_do_not_disturb(&state), gated, "{presence:?}");
        }
    }

    #[test]
    fn out_of_office_gates_only_when_it_covers_the_whole_window() {
        let now = at("2026-11-25T10:00:00Z");
        let state = CandidateState {
            out_of_office: Some(OutOfOffice {
                from: at("2026-11-24T00:00:00Z"),
                until: at("2026-11-26T00:00:00Z"),
            }),
            ..CandidateState::default()
        };
        assert!(is_out_of_office(&state, now, Urgency::Now));
        assert!(is_out_of_office(
            &state,
            at("2026-11-24T23:00:00Z"),
            Urgency::Now
        ));
        assert!(
            !is_out_of_office(&state, now, Urgency::Today),
            "back within 24 hours"
        );
        assert!(
            !is_out_of_office(&state, at("2026-11-23T10:00:00Z"), Urgency::Now),
            "not gone yet"
        );
    }

    #[test]
    fn budgets_gate_at_the_limit_per_week_and_per_day() {
        let state = CandidateState {
            offers_today: 2,
            offers_this_week: 4,
            ..CandidateState::default()
        };
        assert!(!is_over_budget(&state, 5, None));
        assert!(is_over_budget(&state, 4, None));
        assert!(is_over_budget(&state, 5, Some(2)));
        assert!(!is_over_budget(&state, 5, Some(3)));
    }

    #[test]
    fn a_decline_gates_the_same_asker_until_the_cooldown_ends() {
        let asker = PersonId(Uuid::from_u128(1));
        let other = PersonId(Uuid::from_u128(2));
        let state = CandidateState {
            declines: vec![Decline {
                asker,
                at: at("2026-11-20T10:00:00Z"),
            }],
            ..CandidateState::default()
        };
        let week = SignedDuration::from_hours(24 * 7);
        assert!(declined_recently(
            &state,
            asker,
            at("2026-11-25T10:00:00Z"),
            week
        ));
        assert!(!declined_recently(
            &state,
            other,
            at("2026-11-25T10:00:00Z"),
            week
        ));
        assert!(!declined_recently(
            &state,
            asker,
            at("2026-11-28T10:00:00Z"),
            week
        ));
    }
}
