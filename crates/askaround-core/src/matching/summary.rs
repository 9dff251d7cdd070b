//! What a ranking reads about each person it touches without reading their record.
//!
//! An ask about Excel touches half of a 100,000-person organisation. Reading each record (a
//! pointer chase and several cache misses) to apply the gates and estimate their score would
//! cost more than the rest of the ranking, so every slot keeps two small dense entries: an
//! [`Availability`] word (mirrored as bitsets that screening reads sixty-four people at a time,
//! see [`super::gate_bits`]), and its [`ActivityLn`] figures read only for those who pass the
//! gates. The rules stay in [`super::gates`]; the flags only say which of them can apply, and the two gates that depend on the ranking (out of office for the ask's
//! window, a decline from this asker) are confirmed on the record for the few flagged people.

use super::gates::{self, Gate, GateContext};
use super::record::Record;

// Flags live in the top byte, the schedule id in the low three bytes: sixteen people per cache
// line.
const INACTIVE: u32 = 1 << 24;
const DO_NOT_DISTURB: u32 = 1 << 25;
/// An out-of-office period is set (whether it covers the ask's window is for the ranking to say).
const OUT_OF_OFFICE: u32 = 1 << 26;
const PAUSED: u32 = 1 << 27;
const OVER_BUDGET: u32 = 1 << 28;
/// Some decline is recorded (whether it is this asker's, and recent, is for the ranking to say).
const DECLINED: u32 = 1 << 29;
/// The schedule id that stands for "more schedules than fit: ask the record".
const SCHEDULE_UNKNOWN: u32 = (1 << 24) - 1;

/// The counter index, after those of [`Gate::ALL`], for someone no gate removes.
pub(super) const PASSES: usize = Gate::ALL.len();

/// A person's activity figures, in the form the estimate needs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct ActivityLn {
    /// `ln(1 + weighted sessions)`.
    pub helps: f32,
    /// `log2` of the decayed session count as of its reference time: minus the distance from the
    /// reference time to `now` in half-lives, it is `log2` of the count at `now` (see
    /// [`super::record::Activity::recent_at`]). Minus infinity without sessions.
    pub recent_log2: f32,
    /// That reference time, in half-lives since the epoch.
    pub recent_ref: f32,
    /// `ln(1 + weighted sessions per 30 days)`.
    pub intensity: f32,
}

/// Gate flags and the person's (time zone, working hours) pair: a ranking decides "working now"
/// once per pair, not once per person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Availability(u32);

impl Availability {
    pub fn of(record: &Record) -> Self {
        let state = &record.state;
        let mut flags = record.schedule.min(SCHEDULE_UNKNOWN);
        let mut set = |flag: u32, on: bool| {
            if on {
                flags |= flag;
            }
        };
        set(INACTIVE, !record.active);
        set(DO_NOT_DISTURB, gates::is_do_not_disturb(state));
        set(OUT_OF_OFFICE, state.out_of_office.is_some());
        set(PAUSED, record.weekly_budget == 0);
        set(
            OVER_BUDGET,
            gates::is_over_budget(state, record.weekly_budget, record.daily_budget),
        );
        set(DECLINED, !state.declines.is_empty());
        Self(flags)
    }

    pub fn is_inactive(self) -> bool {
        self.0 & INACTIVE != 0
    }

    pub fn is_do_not_disturb(self) -> bool {
        self.0 & DO_NOT_DISTURB != 0
    }

    pub fn is_paused(self) -> bool {
        self.0 & PAUSED != 0
    }

    pub fn is_over_budget(self) -> bool {
        self.0 & OVER_BUDGET != 0
    }

    /// Whether the gates need the record: an out-of-office period or a decline to check against
    /// the ranking, or a schedule id that did not fit.
    pub fn needs_record(self) -> bool {
        self.0 & (OUT_OF_OFFICE | DECLINED) != 0 || self.schedule().is_none()
    }

    /// The interned (time zone, working hours) pair, unless there were too many to fit.
    pub fn schedule(self) -> Option<u32> {
        Some(self.0 & SCHEDULE_UNKNOWN).filter(|&s| s != SCHEDULE_UNKNOWN)
    }

    /// The same answer as [`gates::first_gate`] on the record, which `record` provides for the
    /// rare cases that need it. `working` says, per schedule, whether it works in the ask's window.
    #[inline]
    pub fn first_gate<'r>(
        &self,
        ctx: &GateContext<'_>,
        working: &[bool],
        record: impl FnOnce() -> Option<&'r Record>,
    ) -> Option<Gate> {
        let flags = self.0;
        if flags & INACTIVE != 0 {
            return Some(Gate::Inactive);
        }
        if flags & DO_NOT_DISTURB != 0 {
            return Some(Gate::DoNotDisturb);
        }
        let schedule = flags & SCHEDULE_UNKNOWN;
        if schedule == SCHEDULE_UNKNOWN {
            return record().map_or(Some(Gate::Inactive), |r| gates::first_gate(ctx, r));
        }
        if !working.get(schedule as usize).copied().unwrap_or(false) {
            return Some(Gate::OutsideHours);
        }
        let record = if flags & (OUT_OF_OFFICE | DECLINED) != 0 {
            record()
        } else {
            None
        };
        let state = record.map(|r| &r.state);
        if flags & OUT_OF_OFFICE != 0
            && state.is_some_and(|s| gates::is_out_of_office(s, ctx.now, ctx.urgency))
        {
            return Some(Gate::OutOfOffice);
        }
        if flags & PAUSED != 0 {
            return Some(Gate::OffersPaused);
        }
        if flags & OVER_BUDGET != 0 {
            return Some(Gate::OverBudget);
        }
        if flags & DECLINED != 0
            && state.is_some_and(|s| {
                gates::declined_recently(s, ctx.asker, ctx.now, ctx.decline_cooldown)
            })
        {
            return Some(Gate::DeclinedRecently);
        }
        None
    }
}
