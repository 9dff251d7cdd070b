//! Screening everyone an ask touched: who is relevant, which gate removes whom, and the few
//! available people worth scoring exactly.
//!
//! This is the part of a ranking that grows with the organisation (an ask about Excel touches
//! half of it), so it reads only dense arrays: the accumulated channels, the gates as bitsets
//! (see [`super::gate_bits`]: each gate's count is a popcount per sixty-four people) and the
//! activity of those who pass (see [`super::summary`]). Exact scoring, which reads records and
//! takes logarithms, is left to the best estimates, kept in a bounded heap rather than by sorting
//! everyone.

use std::cell::RefCell;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use jiff::Timestamp;

use super::config::ExpertiseWeights;
use super::expertise::{Channels, Touched, fast_exp2, fast_ln_1p};
use super::gate_bits::OutsideHours;
use super::gates::{Gate, GateContext, first_gate};
use super::index::MatchIndex;
use super::postings::Slot;
use super::prior::{AskerContext, prior};
use super::summary::{ActivityLn, PASSES};

/// Gathered columns longer than this are freed after the ranking instead of kept for the next.
const MAX_KEPT_CAPACITY: usize = 1 << 20;

/// What screening needs besides the touched people.
pub(super) struct Screen<'a> {
    pub gates: &'a GateContext<'a>,
    /// Per schedule: works within the ask's window.
    pub working: &'a [bool],
    /// Who does not, per slot (the same, sixty-four people at a time).
    pub outside: &'a OutsideHours,
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
#[derive(Clone, Copy)]
struct Estimate {
    value: f32,
    slot: Slot,
    /// Where the person's channels are in the gathered columns (not compared).
    row: u32,
}

impl PartialEq for Estimate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
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

/// The available people of one ranking, in columns: the first pass gathers them, then their
/// estimates are computed in one straight loop over plain arrays, which the compiler turns into
/// vector instructions (several people per instruction), instead of one by one between the
/// gate checks' branches. The columns only grow; `rows` is how many hold this ranking's people.
#[derive(Default)]
struct Gathered {
    rows: usize,
    slots: Vec<Slot>,
    text: Vec<f32>,
    skill: Vec<f32>,
    /// The parts of the estimate that do not depend on the ask or the time.
    steady: Vec<f32>,
    /// `log2` of the decayed session count at the ranking's `now`.
    recent_log2: Vec<f32>,
    estimates: Vec<f32>,
}

impl Gathered {
    /// Makes room for `rows` rows; their contents are overwritten by [`Self::set`] and
    /// [`Self::fill_activity`].
    fn reserve_rows(&mut self, rows: usize) {
        if self.slots.len() < rows {
            self.slots.resize(rows, 0);
            self.text.resize(rows, 0.0);
            self.skill.resize(rows, 0.0);
            self.steady.resize(rows, 0.0);
            self.recent_log2.resize(rows, 0.0);
        }
        self.rows = 0;
        self.estimates.clear();
    }

    #[inline]
    fn set(&mut self, row: usize, slot: Slot, text: f32, skill: f32) {
        if let (Some(a), Some(b), Some(c)) = (
            self.slots.get_mut(row),
            self.text.get_mut(row),
            self.skill.get_mut(row),
        ) {
            (*a, *b, *c) = (slot, text, skill);
        }
    }

    /// Reads the activity of the people kept, and only theirs: most people a broad ask reaches
    /// are gated, and their activity would be a fifth of the bytes screening reads. `now` is in
    /// half-lives since the epoch.
    fn fill_activity(
        &mut self,
        activity: &[ActivityLn],
        (w_activity, w_intensity): (f32, f32),
        now: f32,
    ) {
        let rows = self.rows;
        for ((slot, steady), recent) in self
            .slots
            .get(..rows)
            .unwrap_or_default()
            .iter()
            .zip(&mut self.steady)
            .zip(&mut self.recent_log2)
        {
            let a = activity.get(*slot as usize).copied().unwrap_or_default();
            (*steady, *recent) = a.at(now, (w_activity, w_intensity));
        }
    }
}

impl ActivityLn {
    /// The parts of the estimate this person's activity gives at `now` (in half-lives since the
    /// epoch): the weighted sessions and intensity, and `log2` of the decayed session count.
    #[inline]
    fn at(self, now: f32, (w_activity, w_intensity): (f32, f32)) -> (f32, f32) {
        (
            w_activity * self.helps + w_intensity * self.intensity,
            self.recent_log2 - (now - self.recent_ref).abs(),
        )
    }
}

/// The weights of the estimate's per-ask parts.
#[derive(Clone, Copy)]
struct EstimateWeights {
    text: f32,
    skill: f32,
    recency: f32,
}

impl EstimateWeights {
    /// [`MatchIndex::log_expertise`] from the gathered columns, in fast arithmetic and without
    /// its clamp.
    #[inline]
    fn estimate(self, text: f32, skill: f32, steady: f32, recent_log2: f32) -> f32 {
        self.text * fast_ln_1p(text)
            + self.skill * fast_ln_1p(skill)
            + steady
            + self.recency * fast_ln_1p(fast_exp2(recent_log2))
    }
}

thread_local! {
    /// Reused across rankings: a broad ask gathers tens of thousands of people.
    static GATHERED: RefCell<Gathered> = RefCell::new(Gathered::default());
}

impl MatchIndex {
    pub(super) fn screen(&self, touched: &mut Touched<'_>, screen: &Screen<'_>) -> Screened {
        GATHERED.with(|cell| {
            let mut gathered = cell.borrow_mut();
            let screened = self.screen_with(touched, screen, &mut gathered);
            // A ranking of a very broad ask must not keep its columns for ever.
            if gathered.slots.capacity() > MAX_KEPT_CAPACITY {
                *gathered = Gathered::default();
            }
            screened
        })
    }

    fn screen_with(
        &self,
        touched: &mut Touched<'_>,
        screen: &Screen<'_>,
        gathered: &mut Gathered,
    ) -> Screened {
        // Relevance is topical only (a busy helper must not make everyone else look irrelevant).
        let best = touched.best;
        let text_floor = screen.word_relevance_floor.clamp(0.0, 1.0) * best.text;
        let skill_floor = screen.relevance_floor.clamp(0.0, 1.0) * best.skill;
        let (has_text, has_skill) = (best.text > 0.0, best.skill > 0.0);
        // Counters laid out like `Gate::ALL`, then "passes every gate".
        let mut counts = [0u32; PASSES + 1];
        let w = screen.weights;
        let (w_activity, w_intensity) = (w.activity as f32, w.intensity as f32);
        // Everyone is written at the next free row and the row is kept only if they are relevant
        // and pass: no branch on the outcome, which is close to a coin toss across an
        // organisation (mispredicted branches were most of the cost of screening a broad ask).
        gathered.reserve_rows(touched.count() + 1);
        let mut kept = 0usize;
        // The asker and the slot lent out are screened one by one, like the `special` people.
        let singled_out = |w: usize| -> u64 {
            [screen.asker_slot, self.lent]
                .into_iter()
                .flatten()
                .filter(|&s| s as usize / 64 == w)
                .fold(0, |bits, s| bits | 1u64 << (s % 64))
        };
        touched.drain_words(|w, reached, chunk| {
            let gates = self.gate_bits.word(w);
            let outside = screen.outside.word(w);
            let one_by_one = gates.special | singled_out(w);
            let base = (w * 64) as Slot;
            // Everyone else: relevance per person, the gates sixty-four at a time.
            let blocked =
                gates.inactive | gates.do_not_disturb | outside | gates.paused | gates.over_budget;
            let mut relevant = 0u64;
            let mut rest = reached & !one_by_one;
            while rest != 0 {
                let i = rest.trailing_zeros();
                rest &= rest - 1;
                let c = chunk
                    .get_mut(i as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                let topical =
                    (has_text & (c.text >= text_floor)) | (has_skill & (c.skill >= skill_floor));
                relevant |= u64::from(topical) << i;
                gathered.set(kept, base + i, c.text, c.skill);
                kept += usize::from(topical & ((blocked >> i) & 1 == 0));
            }
            // Each relevant person counted under the first gate that removes them, in
            // `Gate::ALL` order (out of office and declines only apply to the `special`).
            let mut left = relevant;
            for (gate, bits) in [
                (Gate::Inactive, gates.inactive),
                (Gate::DoNotDisturb, gates.do_not_disturb),
                (Gate::OutsideHours, outside),
                (Gate::OffersPaused, gates.paused),
                (Gate::OverBudget, gates.over_budget),
            ] {
                counts[gate as usize] += (left & bits).count_ones();
                left &= !bits;
            }
            counts[PASSES] += left.count_ones();

            let mut rest = reached & one_by_one;
            while rest != 0 {
                let i = rest.trailing_zeros();
                rest &= rest - 1;
                let slot = base + i;
                let c = chunk
                    .get_mut(i as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                let gate = if Some(slot) == screen.asker_slot {
                    Gate::Asker as usize
                } else if Some(slot) == self.lent {
                    self.record(slot)
                        .map_or(Some(Gate::Inactive), |r| first_gate(screen.gates, r))
                        .map_or(PASSES, |g| g as usize)
                } else {
                    self.availability
                        .get(slot as usize)
                        .copied()
                        .unwrap_or_default()
                        .first_gate(screen.gates, screen.working, || self.record(slot))
                        .map_or(PASSES, |g| g as usize)
                };
                // The asker is counted whatever their match.
                let topical = (has_text && c.text >= text_floor)
                    || (has_skill && c.skill >= skill_floor)
                    || gate == Gate::Asker as usize;
                if topical && let Some(n) = counts.get_mut(gate) {
                    *n += 1;
                }
                gathered.set(kept, slot, c.text, c.skill);
                kept += usize::from(topical && gate == PASSES);
            }
        });
        gathered.rows = kept.min(gathered.slots.len());
        let now_half_lives = (screen.now.as_second() as f64 / self.half_life_secs()) as f32;
        gathered.fill_activity(&self.activity, (w_activity, w_intensity), now_half_lives);
        let mut removed = [0u32; Gate::ALL.len()];
        removed.copy_from_slice(&counts[..PASSES]);
        let available = counts[PASSES];
        // Relevant people other than the asker.
        let relevant = counts[..=PASSES].iter().sum::<u32>() - counts[Gate::Asker as usize];

        let Gathered {
            rows,
            slots,
            text,
            skill,
            steady,
            recent_log2,
            estimates,
        } = gathered;
        let rows = *rows;
        let weights = EstimateWeights {
            text: w.text as f32,
            skill: w.skill as f32,
            recency: w.recency as f32,
        };
        estimates.extend(
            column(text, rows)
                .iter()
                .zip(column(skill, rows))
                .zip(column(steady, rows).iter().zip(column(recent_log2, rows)))
                .map(|((&text, &skill), (&steady, &recent_log2))| {
                    weights.estimate(text, skill, steady, recent_log2)
                }),
        );

        // The worst kept estimate is on top; once the heap is full, most people fall below it and
        // cost one comparison.
        let mut heap: BinaryHeap<Reverse<Estimate>> = BinaryHeap::with_capacity(screen.examine + 1);
        let mut worst_kept = f32::NEG_INFINITY;
        for (row, (&slot, &value)) in slots.iter().zip(estimates.iter()).enumerate() {
            if value < worst_kept {
                continue;
            }
            let candidate = Estimate {
                value,
                slot,
                row: row as u32,
            };
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
        }
        let passed = heap
            .into_iter()
            .filter_map(|Reverse(e)| {
                let record = self.record(e.slot)?;
                // The channels are cleared by now: the gathered columns hold them.
                let row = e.row as usize;
                let c = Channels {
                    text: text.get(row).copied().unwrap_or_default(),
                    skill: skill.get(row).copied().unwrap_or_default(),
                };
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

#[cfg(test)]
impl MatchIndex {
    /// What [`Self::screen`] counts, by applying [`first_gate`] to each reached person's record:
    /// slower and plainer, for tests to compare with.
    pub(super) fn screen_reference(
        &self,
        touched: &Touched<'_>,
        screen: &Screen<'_>,
    ) -> ([u32; Gate::ALL.len()], u32, u32) {
        let best = touched.best;
        let text_floor = screen.word_relevance_floor.clamp(0.0, 1.0) * best.text;
        let skill_floor = screen.relevance_floor.clamp(0.0, 1.0) * best.skill;
        let (mut removed, mut relevant, mut available) = ([0u32; Gate::ALL.len()], 0, 0);
        for slot in touched.slots() {
            let Some(record) = self.record(slot) else {
                continue;
            };
            let c = touched.channels(slot);
            let gate = first_gate(screen.gates, record);
            let topical = (best.text > 0.0 && c.text >= text_floor)
                || (best.skill > 0.0 && c.skill >= skill_floor);
            match gate {
                Some(Gate::Asker) => removed[Gate::Asker as usize] += 1,
                _ if !topical => {}
                Some(g) => {
                    removed[g as usize] += 1;
                    relevant += 1;
                }
                None => {
                    available += 1;
                    relevant += 1;
                }
            }
        }
        (removed, relevant, available)
    }
}

/// The first `rows` entries of a column.
fn column(values: &[f32], rows: usize) -> &[f32] {
    values.get(..rows).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::HelpEvidence;
    use crate::matching::config::MatchConfig;
    use crate::matching::tests::fixtures::{ANA, BEN, DEV, EXCEL, org, person, session};

    #[test]
    fn the_estimate_is_the_exact_score_for_help_before_and_after_now() {
        let mut index = org();
        // Ben's help is dated a month after `now`, Dev's a week before it.
        for (who, at) in [(BEN, "2026-12-25T10:00:00Z"), (DEV, "2026-11-18T10:00:00Z")] {
            let evidence = HelpEvidence {
                at: at.parse().unwrap(),
                ..session(40, "pivot table refresh", &[EXCEL], Some(5))
            };
            index.add_evidence(person(who), &evidence).unwrap();
        }
        let weights = MatchConfig::default().expertise;
        let now = crate::matching::tests::fixtures::now();
        let now_half_lives = (now.as_second() as f64 / index.half_life_secs()) as f32;
        let estimate_weights = EstimateWeights {
            text: weights.text as f32,
            skill: weights.skill as f32,
            recency: weights.recency as f32,
        };
        for who in [ANA, BEN, DEV] {
            let slot = index.by_id[&person(who)];
            let record = index.record(slot).unwrap();
            let c = Channels {
                text: 2.5,
                skill: 0.7,
            };
            let exact = index.log_expertise(record, c, now, &weights);
            let (steady, recent) = index.activity[slot as usize].at(
                now_half_lives,
                (weights.activity as f32, weights.intensity as f32),
            );
            let estimate = estimate_weights.estimate(c.text, c.skill, steady, recent);
            assert!(
                (estimate - exact).abs() <= 1e-3 * exact.abs().max(1.0),
                "person {who}: estimate {estimate}, exact {exact}"
            );
        }
    }
}
