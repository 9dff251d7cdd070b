//! Screening everyone an ask touched: who is relevant, which gate removes whom, and the few
//! available people worth scoring exactly.
//!
//! This is the part of a ranking that grows with the organisation (an ask about Excel touches
//! half of it), so it reads only dense arrays: the accumulated channels and each slot's
//! availability and activity (see [`super::summary`]). Exact scoring, which reads records and takes
//! logarithms, is left to the best estimates, kept in a bounded heap rather than by sorting
//! everyone.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use jiff::Timestamp;

use super::config::ExpertiseWeights;
use super::expertise::Touched;
use super::gates::{Gate, GateContext, first_gate};
use super::index::MatchIndex;
use super::postings::Slot;
use super::prior::{AskerContext, prior};

/// What screening needs besides the touched people.
pub(super) struct Screen<'a> {
    pub gates: &'a GateContext<'a>,
    /// Per schedule: works within the ask's window.
    pub working: &'a [bool],
    pub asker_slot: Option<Slot>,
    pub asker: &'a AskerContext<'a>,
    pub weights: &'a ExpertiseWeights,
    pub prior: &'a super::config::PriorConfig,
    /// Shares of the best skill and word match that make a person relevant.
    pub relevance_floor: f32,
    pub word_relevance_floor: f32,
    /// How many available people to score exactly.
    pub examine: usize,
    pub now: Timestamp,
}

/// A relevant person who passed every gate, scored exactly.
pub(super) struct Passed {
    pub slot: Slot,
    pub log_expertise: f32,
    pub prior: f64,
    pub newcomer: bool,
}

/// The outcome of screening.
pub(super) struct Screened {
    /// The best available people by estimate, scored exactly, in no particular order.
    pub passed: Vec<Passed>,
    /// People removed by each gate, indexed like [`Gate::ALL`].
    pub removed: [u32; Gate::ALL.len()],
    /// Relevant people other than the asker.
    pub relevant: u32,
    /// Relevant people who passed every gate.
    pub available: u32,
}

/// An estimate in the heap: greater is better (higher estimate, then lower slot, so that ties
/// resolve the same way every time).
#[derive(Clone, Copy, PartialEq)]
struct Estimate {
    value: f32,
    slot: Slot,
}

impl Eq for Estimate {}

impl Ord for Estimate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value
            .total_cmp(&other.value)
            .then_with(|| other.slot.cmp(&self.slot))
    }
}

impl PartialOrd for Estimate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl MatchIndex {
    pub(super) fn screen(&self, touched: &Touched<'_>, screen: &Screen<'_>) -> Screened {
        // Relevance is topical only (a busy helper must not make everyone else look irrelevant).
        let best = touched.best;
        let text_floor = screen.word_relevance_floor.clamp(0.0, 1.0) * best.text;
        let skill_floor = screen.relevance_floor.clamp(0.0, 1.0) * best.skill;
        let mut removed = [0u32; Gate::ALL.len()];
        let (mut relevant, mut available) = (0u32, 0u32);
        // The worst kept estimate is on top; once the heap is full, most people fall below it and
        // cost one comparison.
        let mut heap: BinaryHeap<Reverse<Estimate>> = BinaryHeap::with_capacity(screen.examine + 1);
        let mut worst_kept = f32::NEG_INFINITY;
        let now_half_lives = (screen.now.as_second() as f64 / self.half_life_secs()) as f32;
        touched.for_each(|slot, c| {
            if Some(slot) == screen.asker_slot {
                removed[Gate::Asker as usize] += 1;
                return;
            }
            let topical = (best.text > 0.0 && c.text >= text_floor)
                || (best.skill > 0.0 && c.skill >= skill_floor);
            if !topical {
                return;
            }
            relevant += 1;
            let Some(availability) = self.availability.get(slot as usize) else {
                return;
            };
            let gate = if Some(slot) == self.lent {
                self.record(slot)
                    .map_or(Some(Gate::Inactive), |r| first_gate(screen.gates, r))
            } else {
                availability.first_gate(screen.gates, screen.working, || self.record(slot))
            };
            if let Some(gate) = gate {
                removed[gate as usize] += 1;
                return;
            }
            available += 1;
            let activity = self
                .activity
                .get(slot as usize)
                .copied()
                .unwrap_or_default();
            let value = Self::estimate(&activity, c, screen.weights, now_half_lives);
            if value < worst_kept {
                return;
            }
            let candidate = Estimate { value, slot };
            if heap.len() < screen.examine {
                heap.push(Reverse(candidate));
            } else if let Some(mut worst) = heap.peek_mut()
                && candidate > worst.0
            {
                *worst = Reverse(candidate);
            }
            if heap.len() == screen.examine {
                worst_kept = heap.peek().map_or(f32::NEG_INFINITY, |w| w.0.value);
            }
        });
        let passed = heap
            .into_iter()
            .filter_map(|Reverse(e)| {
                let record = self.record(e.slot)?;
                let c = touched.channels(e.slot);
                Some(Passed {
                    slot: e.slot,
                    log_expertise: self.log_expertise(record, c, screen.now, screen.weights),
                    prior: prior(record, screen.asker, screen.prior).factor(),
                    newcomer: record.activity.helps == 0 && c.skill > 0.0,
                })
            })
            .collect();
        Screened {
            passed,
            removed,
            relevant,
            available,
        }
    }
}
