//! What the index keeps per person: compact ids instead of strings, the person's term and skill
//! weights (so an update can retire exactly what it posted), and running activity counters.

use jiff::Timestamp;

use super::candidate::{CandidateState, HelpEvidence};
use super::config::IndexOptions;
use crate::ids::{PersonId, SkillId};
use crate::skill::SkillLevel;

pub(super) type TermId = u32;

/// Evidence below this weight is rounding noise left by removing a session.
const NEGLIGIBLE: f32 = 1e-4;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct SkillStat {
    pub skill: SkillId,
    pub declared: Option<SkillLevel>,
    /// Help sessions tagged with this skill.
    pub helped: u32,
    /// Sum of the rating weights of those sessions.
    pub help_weight: f32,
    pub rating_sum: u32,
    pub rated: u32,
}

impl SkillStat {
    fn new(skill: SkillId) -> Self {
        Self {
            skill,
            declared: None,
            helped: 0,
            help_weight: 0.0,
            rating_sum: 0,
            rated: 0,
        }
    }

    /// This skill's weight in the skill postings.
    pub fn weight(&self, options: &IndexOptions) -> f32 {
        let declared = match self.declared {
            Some(SkillLevel::Beginner) => options.declared_levels[0],
            Some(SkillLevel::Intermediate) => options.declared_levels[1],
            Some(SkillLevel::Expert) => options.declared_levels[2],
            None => 0.0,
        };
        declared + self.help_weight * options.helped_skill
    }

    pub fn average_rating(&self) -> Option<f32> {
        (self.rated > 0).then(|| self.rating_sum as f32 / self.rated as f32)
    }

    fn is_empty(&self) -> bool {
        self.declared.is_none() && self.helped == 0
    }
}

/// Help given so far, summarised.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(super) struct Activity {
    pub helps: u32,
    /// Sessions weighted by rating.
    pub weighted_helps: f32,
    pub rating_sum: u32,
    pub rated: u32,
    /// Exponentially decayed count of sessions, as of `recent_at` (seconds since the epoch): adding
    /// a session is O(1) and the value at any later time is one multiplication.
    pub recent: f32,
    pub recent_at: i64,
    /// First and last session seen (seconds since the epoch); a removed session does not move
    /// them back, which only matters for the rare retraction.
    pub first_at: Option<i64>,
    pub last_at: Option<i64>,
}

impl Activity {
    /// The decayed session count at `now`. When the latest session is dated after `now` (a clock
    /// running ahead, or histories imported whole, later sessions included), the count as of that
    /// session decays by its distance from `now` all the same, rather than counting as the most
    /// recent help possible: recency says how active someone is around `now`, and help given a
    /// year later says little about that. The aggregate keeps no timeline, so the sessions before
    /// `now` then decay twice (to the last session and back) and count as older than they are; a
    /// live index, whose evidence is all past, never meets the case.
    pub fn recent_at(&self, now: Timestamp, half_life_secs: f64) -> f64 {
        let age = (now.as_second() - self.recent_at).abs() as f64;
        f64::from(self.recent) * decay(age, half_life_secs)
    }

    /// Weighted sessions per 30 days over the span between the first and the last one (at least
    /// `min_span_days`): how intensely this person helps while they help.
    pub fn intensity(&self, min_span_days: f64) -> f64 {
        let span = match (self.first_at, self.last_at) {
            (Some(first), Some(last)) => (last - first).max(0) as f64 / 86_400.0,
            _ => 0.0,
        };
        f64::from(self.weighted_helps) * 30.0 / span.max(min_span_days).max(1.0)
    }

    fn add(&mut self, at: i64, amount: f32, half_life_secs: f64) {
        if amount > 0.0 {
            self.first_at = Some(self.first_at.map_or(at, |f| f.min(at)));
            self.last_at = Some(self.last_at.map_or(at, |l| l.max(at)));
        }
        if at >= self.recent_at {
            let carried =
                f64::from(self.recent) * decay((at - self.recent_at) as f64, half_life_secs);
            self.recent = (carried + f64::from(amount)) as f32;
            self.recent_at = at;
        } else {
            // Out-of-order (backfilled) session: add it already decayed to the reference time.
            let decayed = f64::from(amount) * decay((self.recent_at - at) as f64, half_life_secs);
            self.recent = (f64::from(self.recent) + decayed) as f32;
        }
        if self.recent.abs() < NEGLIGIBLE {
            self.recent = 0.0;
        }
    }
}

fn decay(age_secs: f64, half_life_secs: f64) -> f64 {
    if half_life_secs > 0.0 {
        (-age_secs / half_life_secs * std::f64::consts::LN_2).exp()
    } else {
        1.0
    }
}

#[derive(Debug, Clone)]
pub(super) struct Record {
    pub id: PersonId,
    pub active: bool,
    pub team: Option<u32>,
    pub location: Option<u32>,
    pub zone: u32,
    pub hours: u32,
    /// The interned (zone, hours) pair.
    pub schedule: u32,
    pub languages: Box<[u32]>,
    pub weekly_budget: u16,
    pub daily_budget: Option<u16>,
    /// Sorted by skill id.
    pub skills: Vec<SkillStat>,
    /// Term impacts of title, bio and declared skill names; sorted by term.
    pub profile_terms: Box<[(TermId, f32)]>,
    /// Term impacts summed over help sessions, each weighted by its rating; sorted by term.
    pub evidence_terms: Vec<(TermId, f32)>,
    pub activity: Activity,
    pub state: CandidateState,
}

impl Record {
    /// Calls `visit` with each distinct term and its total weight, in term order.
    pub fn for_each_term(&self, mut visit: impl FnMut(TermId, f32)) {
        let (a, b) = (&self.profile_terms[..], &self.evidence_terms[..]);
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(&(ta, wa)), Some(&(tb, wb))) if ta == tb => {
                    visit(ta, wa + wb);
                    i += 1;
                    j += 1;
                }
                (Some(&(ta, wa)), Some(&(tb, _))) if ta < tb => {
                    visit(ta, wa);
                    i += 1;
                }
                (Some(&(ta, wa)), None) => {
                    visit(ta, wa);
                    i += 1;
                }
                (_, Some(&(tb, wb))) => {
                    visit(tb, wb);
                    j += 1;
                }
                (None, None) => break,
            }
        }
    }

    pub fn skill_mut(&mut self, skill: SkillId) -> &mut SkillStat {
        let at = match self.skills.binary_search_by(|s| s.skill.cmp(&skill)) {
            Ok(at) => at,
            Err(at) => {
                self.skills.insert(at, SkillStat::new(skill));
                at
            }
        };
        &mut self.skills[at]
    }

    pub fn skill(&self, skill: SkillId) -> Option<&SkillStat> {
        self.skills
            .binary_search_by(|s| s.skill.cmp(&skill))
            .ok()
            .map(|i| &self.skills[i])
    }

    /// Replaces the declared skills, keeping what help sessions taught.
    pub fn declare_skills(&mut self, declared: &[(SkillId, SkillLevel)]) {
        for stat in &mut self.skills {
            stat.declared = None;
        }
        for &(skill, level) in declared {
            let stat = self.skill_mut(skill);
            stat.declared = Some(stat.declared.map_or(level, |l| l.max(level)));
        }
        self.skills.retain(|s| !s.is_empty());
    }

    /// Adds (`sign` = 1) or removes (`sign` = -1) one help session's counters and term impacts.
    pub fn apply_evidence(
        &mut self,
        evidence: &HelpEvidence,
        skills: &[SkillId],
        impacts: &[(TermId, f32)],
        sign: i8,
        options: &IndexOptions,
    ) {
        let rating = evidence.rating.filter(|r| (1..=5).contains(r));
        let weight = rating.map_or(1.0, |r| options.rating_weights[usize::from(r - 1)]);
        let s = f32::from(sign);
        let plus = sign > 0;
        let a = &mut self.activity;
        a.helps = step(a.helps, plus);
        a.weighted_helps = (a.weighted_helps + s * weight).max(0.0);
        if let Some(r) = rating {
            a.rated = step(a.rated, plus);
            a.rating_sum = if plus {
                a.rating_sum + u32::from(r)
            } else {
                a.rating_sum.saturating_sub(u32::from(r))
            };
        }
        a.add(
            evidence.at.as_second(),
            s,
            options.recency_half_life_days * 86_400.0,
        );
        for &skill in skills {
            let stat = self.skill_mut(skill);
            stat.helped = step(stat.helped, plus);
            stat.help_weight = (stat.help_weight + s * weight).max(0.0);
            if let Some(r) = rating {
                stat.rated = step(stat.rated, plus);
                stat.rating_sum = if plus {
                    stat.rating_sum + u32::from(r)
                } else {
                    stat.rating_sum.saturating_sub(u32::from(r))
                };
            }
        }
        self.skills.retain(|s| !s.is_empty());
        merge_weights(&mut self.evidence_terms, impacts, s * weight);
    }
}

fn step(n: u32, plus: bool) -> u32 {
    if plus {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    }
}

/// What each word of one text (a help session, or a profile) adds to the person's term impacts:
/// its count saturated as in BM25, with the length normalised against a fixed reference rather
/// than the organisation's average, so the impact is final when the text is indexed and ranking
/// is a sum of products over the postings.
pub(super) fn session_impacts(
    counts: &[(TermId, f32)],
    scale: f32,
    options: &IndexOptions,
) -> Vec<(TermId, f32)> {
    let len: f32 = counts.iter().map(|(_, n)| n).sum();
    let k1 = options.session_k1.max(0.0);
    let b = options.session_b.clamp(0.0, 1.0);
    let norm = k1 * (1.0 - b + b * len / options.session_reference_terms.max(1.0));
    counts
        .iter()
        .map(|&(term, tf)| (term, scale * tf * (k1 + 1.0) / (tf + norm)))
        .collect()
}

/// `bag += factor × add`, both sorted by term; entries that fall to nothing are dropped.
pub(super) fn merge_weights(bag: &mut Vec<(TermId, f32)>, add: &[(TermId, f32)], factor: f32) {
    let mut out = Vec::with_capacity(bag.len() + add.len());
    let (mut i, mut j) = (0, 0);
    while i < bag.len() || j < add.len() {
        let next = match (bag.get(i), add.get(j)) {
            (Some(&(ta, wa)), Some(&(tb, wb))) if ta == tb => {
                i += 1;
                j += 1;
                (ta, wa + factor * wb)
            }
            (Some(&(ta, wa)), Some(&(tb, _))) if ta < tb => {
                i += 1;
                (ta, wa)
            }
            (Some(&(ta, wa)), None) => {
                i += 1;
                (ta, wa)
            }
            (_, Some(&(tb, wb))) => {
                j += 1;
                (tb, factor * wb)
            }
            (None, None) => break,
        };
        if next.1 > NEGLIGIBLE {
            out.push(next);
        }
    }
    *bag = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_then_removing_weights_leaves_nothing_behind() {
        let mut bag = vec![(1, 1.0), (5, 2.0)];
        merge_weights(&mut bag, &[(3, 1.0), (5, 1.0)], 0.5);
        assert_eq!(bag, [(1, 1.0), (3, 0.5), (5, 2.5)]);
        merge_weights(&mut bag, &[(3, 1.0), (5, 1.0)], -0.5);
        assert_eq!(bag, [(1, 1.0), (5, 2.0)]);
    }

    #[test]
    fn a_repeated_word_saturates_and_with_length_normalisation_a_long_text_counts_less() {
        let options = IndexOptions {
            session_b: 0.5,
            ..IndexOptions::default()
        };
        let short = session_impacts(&[(1, 1.0), (2, 3.0)], 1.0, &options);
        assert!(short[1].1 > short[0].1 && short[1].1 < 3.0 * short[0].1);
        let long = session_impacts(&[(1, 1.0), (2, 400.0)], 1.0, &options);
        assert!(long[0].1 < short[0].1);
    }

    #[test]
    fn recent_help_halves_every_half_life() {
        let mut a = Activity::default();
        let day = 86_400.0;
        a.add(0, 1.0, 10.0 * day);
        a.add(0, 1.0, 10.0 * day);
        let later = Timestamp::from_second(10 * 86_400).unwrap();
        assert!((a.recent_at(later, 10.0 * day) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn help_dated_after_now_decays_by_its_distance_from_now() {
        let mut a = Activity::default();
        let day = 86_400.0;
        a.add(20 * 86_400, 1.0, 10.0 * day);
        let before = Timestamp::from_second(10 * 86_400).unwrap();
        assert!((a.recent_at(before, 10.0 * day) - 0.5).abs() < 1e-6);
    }
}
