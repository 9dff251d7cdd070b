//! Expertise for one ask: who has the words and the skills, and how much help they have given.
//!
//! Two channels are scored over the postings. Words: for each word of the ask, its idf times the
//! person's impact for it, which sums that word's saturated count over every session they helped
//! with (weighted by the learner's rating) and their title, bio and skill names; each matching
//! session adds evidence, instead of one merged profile saturating after the first. Skills: the
//! asked skills' idf times the person's declared level and sessions per skill, reached through the
//! taxonomy (an ask about pivot tables also reaches Excel people, at a discount per level) and
//! through skills the organisation's sessions tag together (see [`super::associations`]). The
//! channels are combined log-linearly with the person's help activity, as set out in
//! [`ExpertiseWeights`].

use std::cell::RefCell;

use jiff::Timestamp;

use super::ask::Ask;
use super::config::ExpertiseWeights;
use super::index::MatchIndex;
use super::postings::{PostingList, Slot};
use super::query::Query;
use super::record::Record;
use crate::ids::PersonId;

/// The two channels of one person for one ask.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Channels {
    pub text: f32,
    pub skill: f32,
}

/// The people a query reached and their channels.
pub(super) struct Touched<'a> {
    /// One bit per slot, set for everyone reached.
    bits: &'a [u64],
    channels: &'a mut [Channels],
    /// Whether [`Self::drain_words`] cleared the channels already.
    drained: bool,
    /// The highest channels anyone reached (each channel's own maximum).
    pub best: Channels,
}

impl Touched<'_> {
    #[inline]
    pub fn channels(&self, slot: Slot) -> Channels {
        self.channels
            .get(slot as usize)
            .copied()
            .unwrap_or_default()
    }

    /// Everyone reached, in slot order, without clearing anything.
    #[cfg(test)]
    pub fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.bits.iter().enumerate().flat_map(|(w, &word)| {
            (0..64u32)
                .filter(move |i| word & (1u64 << i) != 0)
                .map(move |i| (w as u32) * 64 + i)
        })
    }

    /// How many people were reached.
    pub fn count(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Everyone reached, sixty-four slots at a time in slot order (walking the dense arrays in
    /// order lets the hardware prefetch them, which matters when an ask reaches half the
    /// organisation): `visit` gets the word's index, its bits (who was reached) and the word's
    /// channels, and must take (`std::mem::take`) the channels of everyone reached, clearing them
    /// for the next ranking while their cache line is at hand: clearing them afterwards would read
    /// the organisation-sized array a second time. Afterwards [`Self::channels`] reads zero for
    /// everyone.
    #[inline]
    pub fn drain_words(&mut self, mut visit: impl FnMut(usize, u64, &mut [Channels])) {
        for (w, &word) in self.bits.iter().enumerate() {
            if word == 0 {
                continue;
            }
            let start = w * 64;
            let end = (start + 64).min(self.channels.len());
            if let Some(chunk) = self.channels.get_mut(start..end) {
                visit(w, word, chunk);
            }
        }
        self.drained = true;
    }
}

/// Per-thread accumulators, reused across rankings: allocating and zeroing arrays the size of
/// the organisation for every ask would cost more than the scoring itself. Only touched entries
/// are ever non-zero, and they are zeroed again after each ranking.
#[derive(Default)]
struct Scratch {
    channels: Vec<Channels>,
    bits: Vec<u64>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Who a ranking may leave out while accumulating: people the relevance floors of
/// [`super::shortlist`] would drop anyway. `None` accumulates everyone (exact channels for
/// anyone reached, as the benchmarks' scoring needs).
#[derive(Debug, Clone, Copy)]
pub(super) struct Relevance {
    /// Shares of the best word and skill match below which a person is not relevant.
    pub text: f32,
    pub skill: f32,
    /// Always accumulated (the asker, whom the gate report counts whatever their match).
    pub keep: Option<Slot>,
}

/// One posting list of a query and what it adds to which channel.
struct Pass<'l> {
    list: &'l PostingList,
    weight: f32,
    text: bool,
}

/// What one pass of [`MatchIndex::accumulate`] adds, and whom it may skip.
struct Adding<'g> {
    generations: &'g [u32],
    weight: f32,
    /// Entries under this may be skipped for people not reached yet.
    skip_below: f32,
    /// Never skipped.
    keep: Option<Slot>,
}

impl Adding<'_> {
    /// Adds the list's live entries to the text (`TEXT`) or skill channel, skipping as
    /// `skip_below` allows when `SKIP`, and raises `best` to the highest channel reached.
    #[inline(always)]
    fn pass<const TEXT: bool, const SKIP: bool>(
        &self,
        list: &PostingList,
        channels: &mut [Channels],
        bits: &mut [u64],
        best: &mut f32,
    ) {
        // Kept in a register through the loop rather than written back for every entry.
        let mut top = *best;
        list.for_each_live(self.generations, |slot, w| {
            let i = slot as usize;
            let (Some(c), Some(word)) = (channels.get_mut(i), bits.get_mut(i / 64)) else {
                return;
            };
            let bit = 1u64 << (i % 64);
            if SKIP && w < self.skip_below && *word & bit == 0 && Some(slot) != self.keep {
                return;
            }
            *word |= bit;
            let channel = if TEXT { &mut c.text } else { &mut c.skill };
            *channel += self.weight * w;
            // A branch rather than `max`: a new best is rare after the first entries, so it is
            // predicted, while `max` would chain every entry to the one before.
            if *channel > top {
                top = *channel;
            }
        });
        *best = top;
    }
}

/// Relative slack on the bound below, for the rounding of sums added in another order.
const BOUND_SLACK: f32 = 1e-4;

impl MatchIndex {
    /// Scores both channels for everyone the query reaches and hands them to `visit`. Postings
    /// carry precomputed impacts, so this is one multiply-add per live posting.
    ///
    /// With `relevance`, people who cannot be relevant are not touched at all. Lists are read
    /// narrowest first, so the best matches (and with them the relevance floors) are known early;
    /// someone a broad list reaches for the first time ("knows some Excel", for an ask about
    /// pivot tables) is skipped when even this list's entry plus the most every list still to
    /// read could add leaves them under both floors. The floors only rise as the maxima grow,
    /// so a skipped person would have been dropped by the final floors too, and everyone
    /// relevant gets exact channels: the ranking is the same, but an ask about Excel no longer
    /// screens half the organisation.
    pub(super) fn accumulate<R>(
        &self,
        query: &Query,
        relevance: Option<Relevance>,
        visit: impl FnOnce(&mut Touched<'_>) -> R,
    ) -> R {
        let mut passes: Vec<Pass<'_>> = query
            .terms
            .iter()
            .filter_map(|&(term, weight)| {
                let list = self.terms.get(term as usize)?;
                Some(Pass {
                    list,
                    weight,
                    text: true,
                })
            })
            .chain(query.skills.iter().filter_map(|&(id, weight)| {
                Some(Pass {
                    list: self.skills.get(&id)?,
                    weight,
                    text: false,
                })
            }))
            .collect();
        passes.sort_by_key(|p| p.list.live());
        // The most the passes not yet read can add to each channel.
        let most = |p: &Pass<'_>| p.weight * p.list.max_weight();
        let mut rest_text: f32 = passes.iter().filter(|p| p.text).map(most).sum();
        let mut rest_skill: f32 = passes.iter().filter(|p| !p.text).map(most).sum();
        // Pruning needs both floors: with a floor of zero everyone reached is relevant.
        let relevance = relevance.filter(|r| r.text > 0.0 && r.skill > 0.0);
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let Scratch { channels, bits } = &mut *guard;
            let n = self.records.len();
            if channels.len() < n {
                channels.resize(n, Channels::default());
                bits.resize(n.div_ceil(64), 0);
            }
            // Slices, not the vectors: their pointers and lengths then stay in registers through
            // the loops below, instead of being read again after every store.
            let (channels, bits) = (channels.as_mut_slice(), bits.as_mut_slice());
            // Every weight added is positive, so the running maxima are the maxima of the final
            // channels.
            let mut best = Channels::default();
            for pass in &passes {
                if pass.text {
                    rest_text = (rest_text - most(pass)).max(0.0);
                } else {
                    rest_skill = (rest_skill - most(pass)).max(0.0);
                }
                // Entries under `skip_below` may be skipped for people not reached yet: their
                // best possible match stays under both floors (a channel nothing can add to is
                // out of reach too).
                let skip_below = relevance.map_or(f32::NEG_INFINITY, |r| {
                    let out_of_reach = |potential: f32, floor: f32| {
                        potential <= 0.0 || potential * (1.0 + BOUND_SLACK) < floor
                    };
                    let (own_rest, other_rest, own_floor, other_floor) = if pass.text {
                        (
                            rest_text,
                            rest_skill,
                            r.text * best.text,
                            r.skill * best.skill,
                        )
                    } else {
                        (
                            rest_skill,
                            rest_text,
                            r.skill * best.skill,
                            r.text * best.text,
                        )
                    };
                    if !out_of_reach(other_rest, other_floor) || pass.weight <= 0.0 {
                        return f32::NEG_INFINITY;
                    }
                    // own_rest + weight × w must stay under the floor (with the slack).
                    (own_floor / (1.0 + BOUND_SLACK) - own_rest) / pass.weight
                });
                let keep = relevance.and_then(|r| r.keep);
                let best_here = if pass.text {
                    &mut best.text
                } else {
                    &mut best.skill
                };
                let add = Adding {
                    generations: &self.generations,
                    weight: pass.weight,
                    skip_below,
                    keep,
                };
                // Skipping is only worth its test when most of the list may be skipped: a test
                // that goes either way costs a mispredicted branch per entry, more than reaching
                // and screening someone who turns out not to be relevant.
                let skipping = skip_below > pass.list.median_weight();
                // One loop per combination, so that each runs without the tests it does not need.
                match (pass.text, skipping) {
                    (true, false) => add.pass::<true, false>(pass.list, channels, bits, best_here),
                    (true, true) => add.pass::<true, true>(pass.list, channels, bits, best_here),
                    (false, false) => {
                        add.pass::<false, false>(pass.list, channels, bits, best_here)
                    }
                    (false, true) => add.pass::<false, true>(pass.list, channels, bits, best_here),
                }
            }
            let mut touched = Touched {
                bits,
                channels,
                drained: false,
                best,
            };
            let result = visit(&mut touched);
            let drained = touched.drained;
            #[cfg(debug_assertions)]
            if drained {
                debug_assert!(
                    channels.iter().all(|c| *c == Channels::default()),
                    "a visit of drain_words left channels behind"
                );
            }
            if !drained {
                for (w, word) in bits.iter().enumerate() {
                    let mut rest = *word;
                    while rest != 0 {
                        let i = w * 64 + rest.trailing_zeros() as usize;
                        rest &= rest - 1;
                        if let Some(c) = channels.get_mut(i) {
                            *c = Channels::default();
                        }
                    }
                }
            }
            bits.fill(0);
            result
        })
    }

    /// Expertise of the given people for an ask, by the same scoring [`MatchIndex::rank`] uses,
    /// with no gates or prior: what the routing benchmarks measure. `None` for unknown people.
    pub fn expertise_scores(
        &self,
        ask: &Ask,
        people: &[PersonId],
        now: Timestamp,
        weights: &ExpertiseWeights,
    ) -> Vec<Option<f64>> {
        let query = self.prepare(ask, weights);
        self.accumulate(&query, None, |touched| {
            people
                .iter()
                .map(|id| {
                    let slot = *self.by_id.get(id)?;
                    let record = self.record(slot)?;
                    let c = touched.channels(slot);
                    Some(f64::from(self.log_expertise(record, c, now, weights)).exp())
                })
                .collect()
        })
    }
    /// The log of the expertise score: see [`ExpertiseWeights`].
    pub(super) fn log_expertise(
        &self,
        record: &Record,
        c: Channels,
        now: Timestamp,
        w: &ExpertiseWeights,
    ) -> f32 {
        let recent = record
            .activity
            .recent_at(now, self.options.recency_half_life_days * 86_400.0);
        let score = w.text * f64::from(c.text).ln_1p()
            + w.skill * f64::from(c.skill).ln_1p()
            + w.activity * f64::from(record.activity.weighted_helps).ln_1p()
            + w.recency * recent.max(0.0).ln_1p()
            + w.intensity
                * record
                    .activity
                    .intensity(self.options.intensity_min_span_days)
                    .ln_1p();
        // Clamped so that `exp` of it is always a finite, positive number.
        if score.is_finite() {
            score.clamp(-60.0, 60.0) as f32
        } else {
            0.0
        }
    }
}

/// `ln(1 + x)` for `x ≥ 0` to about 1e-5, from the float's exponent and the atanh series of the
/// mantissa: several times cheaper than the libm call, which matters across 100,000 people.
#[inline]
pub(super) fn fast_ln_1p(x: f32) -> f32 {
    let y = 1.0 + x.max(0.0);
    let bits = y.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    // ln(m) = 2·atanh(s) with s = (m − 1)/(m + 1) ≤ 1/3, so four terms suffice.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let ln_mantissa = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 / 7.0)));
    exponent as f32 * std::f32::consts::LN_2 + ln_mantissa
}

/// `2^y`, to about 1e-5 relative, from the integer part as the float's exponent and a polynomial
/// for the fraction; 0 below the smallest normal float (and for NaN), as for a recency long
/// decayed. No branches and no libm call (`floor` is one without SSE4.1), so that a loop of them
/// vectorises.
#[inline]
pub(super) fn fast_exp2(y: f32) -> f32 {
    let in_range = y >= -126.0;
    let y = y.clamp(-126.0, 127.0);
    // Truncation rounds towards zero; one less for negative non-integers gives the floor.
    let truncated = y as i32;
    let whole_i = truncated - i32::from((truncated as f32) > y);
    let whole = whole_i as f32;
    let f = y - whole;
    // 2^f on [0, 1): Taylor series of e^(f·ln 2), six terms.
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5
                + f * (0.055_504_1 + f * (0.009_618_1 + f * (0.001_333_6 + f * 0.000_154_0)))));
    let value = f32::from_bits(((whole_i + 127) as u32) << 23) * p;
    if in_range { value } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_power_of_two_is_close_to_the_exact_one() {
        for y in [-130.0f32, -20.5, -1.0, -0.3, 0.0, 0.5, 3.7, 40.0] {
            let exact = y.exp2();
            assert!(
                (fast_exp2(y) - exact).abs() <= 1e-5 * exact.max(1e-30),
                "{y}"
            );
        }
        assert_eq!(fast_exp2(f32::NEG_INFINITY), 0.0);
    }

    #[test]
    fn the_fast_logarithm_is_close_to_the_exact_one() {
        for x in [0.0f32, 1e-6, 0.3, 1.0, 2.5, 17.0, 1e3, 1e6, 3e9] {
            let exact = x.ln_1p();
            assert!(
                (fast_ln_1p(x) - exact).abs() <= 2e-4 * exact.max(1.0),
                "{x}"
            );
        }
    }
}
