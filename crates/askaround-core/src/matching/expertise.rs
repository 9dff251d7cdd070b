//! Expertise for one ask: who has the words and the skills, and how much help they have given.
//!
//! Two channels are scored over the postings: BM25 over each person's words (asks they helped with,
//! weighted by the learner's rating, plus title, bio and skill names), and skill overlap through the
//! taxonomy (an ask about pivot tables also reaches Excel people, at a discount per level). They are
//! combined log-linearly with the person's help activity, as set out in [`ExpertiseWeights`].

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use jiff::Timestamp;

use super::analyzer::for_each_term;
use super::ask::Ask;
use super::config::ExpertiseWeights;
use super::index::{MAX_TERMS_PER_TEXT, MatchIndex};
use super::postings::Slot;
use super::record::{Record, TermId};
use crate::ids::{PersonId, SkillId};

/// Query words kept, the most telling first: a 100 KB ask must cost what a paragraph costs.
const MAX_QUERY_TERMS: usize = 64;
/// Skills named in the ask text are looked for in its first few kilobytes only.
const MENTION_SCAN_BYTES: usize = 4_096;
/// A broad skill expands to at most this many narrower ones.
const MAX_DESCENDANTS: usize = 64;
/// In organisations of this size or more, words in more than a tenth of all profiles are skipped
/// by the word channel: BM25 gives them little weight (idf below ln 10), they cost the longest
/// scans, and the skills such a word names ("Excel") still match through the skill channel.
const COMMON_TERM_MIN_PEOPLE: usize = 1_000;
const COMMON_TERM_SHARE: f64 = 0.1;

/// An ask turned into weighted index terms and skills.
#[derive(Debug, Clone, Default)]
pub(super) struct Query {
    /// Term and its query weight (idf × occurrences).
    pub terms: Vec<(TermId, f32)>,
    /// Skill and how strongly it answers the ask (1 for a skill asked about, less for a relative).
    pub skills: Vec<(SkillId, f32)>,
    /// The skills the ask is about, tagged or named in the text, in order.
    pub asked: Vec<SkillId>,
}

/// The two channels of one person for one ask.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Channels {
    pub text: f32,
    pub skill: f32,
}

#[derive(Default)]
struct Scratch {
    text: Vec<f32>,
    skill: Vec<f32>,
    seen: Vec<bool>,
    touched: Vec<Slot>,
}

thread_local! {
    // Dense accumulators reused across rankings on this thread: allocating and zeroing arrays the
    // size of the organisation for every ask would cost more than the scoring itself.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl MatchIndex {
    pub(super) fn prepare(&self, ask: &Ask, weights: &ExpertiseWeights) -> Query {
        let people = self.len().max(1) as f64;
        let mut counts: HashMap<TermId, u32> = HashMap::new();
        let mut seen = 0usize;
        for_each_term(&ask.text, |word| {
            seen += 1;
            if seen > MAX_TERMS_PER_TEXT {
                return;
            }
            if let Some(&id) = self.dictionary.get(word) {
                *counts.entry(id).or_default() += 1;
            }
        });
        let mut terms: Vec<(TermId, f32)> = counts
            .into_iter()
            .filter_map(|(id, n)| {
                let df = f64::from(self.terms.get(id as usize)?.live());
                if df == 0.0
                    || (self.len() >= COMMON_TERM_MIN_PEOPLE && df / people > COMMON_TERM_SHARE)
                {
                    return None;
                }
                let idf = (1.0 + (people - df + 0.5) / (df + 0.5)).ln();
                Some((id, (idf * f64::from(n)) as f32))
            })
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(MAX_QUERY_TERMS);

        let mut asked: Vec<SkillId> = Vec::new();
        for id in ask.skills.iter().copied().chain(
            self.taxonomy
                .mentions(prefix(&ask.text, MENTION_SCAN_BYTES)),
        ) {
            if self.taxonomy.get(id).is_some() && !asked.contains(&id) {
                asked.push(id);
            }
        }
        let skills = self.expand(&asked, weights);
        Query {
            terms,
            skills,
            asked,
        }
    }

    /// Each asked skill, its ancestors (discounted per level) and its descendants; a skill reached
    /// several ways keeps its strongest weight.
    fn expand(&self, asked: &[SkillId], weights: &ExpertiseWeights) -> Vec<(SkillId, f32)> {
        let mut out: HashMap<SkillId, f32> = HashMap::new();
        let mut keep = |id: SkillId, w: f64| {
            let w = w as f32;
            if w > 0.0 {
                let e = out.entry(id).or_insert(0.0);
                *e = e.max(w);
            }
        };
        for &id in asked {
            keep(id, 1.0);
            let mut w = 1.0;
            for parent in self.taxonomy.ancestors(id) {
                w *= weights.ancestor_decay;
                keep(parent, w);
            }
            for child in self.descendants(id) {
                keep(child, weights.descendant);
            }
        }
        let mut skills: Vec<(SkillId, f32)> = out.into_iter().collect();
        skills.sort_by_key(|s| s.0);
        skills
    }

    fn descendants(&self, id: SkillId) -> Vec<SkillId> {
        let mut out = Vec::new();
        let mut seen: HashSet<SkillId> = HashSet::from([id]);
        let mut frontier = vec![id];
        while let Some(next) = frontier.pop() {
            for &child in self.children.get(&next).map_or(&[][..], Vec::as_slice) {
                if out.len() >= MAX_DESCENDANTS {
                    return out;
                }
                if seen.insert(child) {
                    out.push(child);
                    frontier.push(child);
                }
            }
        }
        out
    }

    /// Scores both channels for everyone the query reaches and hands the touched slots (in the
    /// order first reached; callers that need an order impose one) to `visit` together with a
    /// lookup of their channels.
    pub(super) fn accumulate<R>(
        &self,
        query: &Query,
        weights: &ExpertiseWeights,
        visit: impl FnOnce(&[Slot], &dyn Fn(Slot) -> Channels) -> R,
    ) -> R {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let scratch = &mut *guard;
            let n = self.records.len();
            if scratch.text.len() < n {
                scratch.text.resize(n, 0.0);
                scratch.skill.resize(n, 0.0);
                scratch.seen.resize(n, false);
            }
            let avg = self.average_len() as f32;
            let k1 = weights.k1.max(0.0) as f32;
            let b = weights.b.clamp(0.0, 1.0) as f32;
            let Scratch {
                text,
                skill,
                seen,
                touched,
            } = scratch;
            for &(term, qw) in &query.terms {
                if let Some(list) = self.terms.get(term as usize) {
                    list.for_each_live(&self.generations, |slot, tf| {
                        let i = slot as usize;
                        let len = self.doc_lens[i];
                        text[i] += qw * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg));
                        if !seen[i] {
                            seen[i] = true;
                            touched.push(slot);
                        }
                    });
                }
            }
            for &(id, qw) in &query.skills {
                if let Some(list) = self.skills.get(&id) {
                    list.for_each_live(&self.generations, |slot, w| {
                        let i = slot as usize;
                        skill[i] += qw * w;
                        if !seen[i] {
                            seen[i] = true;
                            touched.push(slot);
                        }
                    });
                }
            }
            let lookup = |slot: Slot| {
                let i = slot as usize;
                Channels {
                    text: text.get(i).copied().unwrap_or(0.0),
                    skill: skill.get(i).copied().unwrap_or(0.0),
                }
            };
            let result = visit(touched, &lookup);
            for &slot in touched.iter() {
                let i = slot as usize;
                text[i] = 0.0;
                skill[i] = 0.0;
                seen[i] = false;
            }
            touched.clear();
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
        self.accumulate(&query, weights, |_, channels| {
            people
                .iter()
                .map(|id| {
                    let slot = *self.by_id.get(id)?;
                    let record = self.record(slot)?;
                    Some(f64::from(self.log_expertise(record, channels(slot), now, weights)).exp())
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

impl MatchIndex {
    /// A fast upper estimate of [`MatchIndex::log_expertise`] from dense arrays only (no record
    /// access, no libm): recency is taken as of the person's last session (it only decays after)
    /// and logarithms are approximated. Used to pick the few hundred people worth scoring exactly.
    #[inline]
    pub(super) fn estimate(&self, slot: Slot, c: Channels, w: &ExpertiseWeights) -> f32 {
        let a = self
            .activity_ln
            .get(slot as usize)
            .copied()
            .unwrap_or_default();
        w.text as f32 * fast_ln_1p(c.text)
            + w.skill as f32 * fast_ln_1p(c.skill)
            + w.activity as f32 * a.helps
            + w.recency as f32 * a.recent
            + w.intensity as f32 * a.intensity
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

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

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
