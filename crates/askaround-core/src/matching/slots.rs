//! How a person's entries enter and leave the index: a slot in the dense arrays, postings under
//! the slot's current generation, the dense entries a ranking reads instead of the record (see
//! [`super::summary`]), and the words of their texts.

use super::analyzer::for_each_term;
use super::candidate::{CandidateProfile, CandidateState};
use super::index::MatchIndex;
use super::postings::{PostingList, Slot};
use super::record::{Activity, Record, TermId, session_impacts};
use super::summary::{ActivityLn, Availability};
use crate::ids::{PersonId, SkillId};

/// The most words of one text that are indexed: a pasted log file must not bloat a profile.
pub(super) const MAX_TERMS_PER_TEXT: usize = 4_000;

impl MatchIndex {
    pub(super) fn allocate(&mut self, id: PersonId) -> Slot {
        let record = Record {
            id,
            active: true,
            team: None,
            location: None,
            zone: 0,
            hours: 0,
            schedule: 0,
            languages: Box::new([]),
            weekly_budget: 0,
            daily_budget: None,
            skills: Vec::new(),
            profile_terms: Box::new([]),
            evidence_terms: Vec::new(),
            activity: Activity::default(),
            state: CandidateState::default(),
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                self.records[slot as usize] = Some(record);
                slot
            }
            None => {
                let slot = Slot::try_from(self.records.len()).unwrap_or(Slot::MAX);
                self.records.push(Some(record));
                self.generations.push(0);
                self.availability.push(Availability::default());
                self.activity.push(ActivityLn::default());
                slot
            }
        };
        self.by_id.insert(id, slot);
        slot
    }

    /// Marks everything the slot posted as stale, before its record changes.
    pub(super) fn retire(&mut self, slot: Slot) {
        let i = slot as usize;
        self.generations[i] = self.generations[i].wrapping_add(1);
        let Some(record) = self.records[i].as_ref() else {
            return;
        };
        let mut old_terms = Vec::new();
        record.for_each_term(|t, _| old_terms.push(t));
        let old_skills: Vec<SkillId> = record.skills.iter().map(|s| s.skill).collect();
        for t in old_terms {
            if let Some(list) = self.terms.get_mut(t as usize) {
                list.retire_one(&self.generations);
            }
        }
        for s in old_skills {
            if let Some(list) = self.skills.get_mut(&s) {
                list.retire_one(&self.generations);
            }
        }
    }

    /// Posts the slot's current terms and skills under its current generation.
    pub(super) fn post(&mut self, slot: Slot) {
        let i = slot as usize;
        let generation = self.generations[i];
        let Some(record) = self.records[i].as_ref() else {
            return;
        };
        let terms = &mut self.terms;
        record.for_each_term(|t, w| {
            if let Some(list) = terms.get_mut(t as usize) {
                list.push(slot, generation, w);
            }
        });
        for stat in &record.skills {
            let weight = stat.weight(&self.options);
            if weight > 0.0 {
                self.skills
                    .entry(stat.skill)
                    .or_default()
                    .push(slot, generation, weight);
            }
        }
        let availability = Availability::of(record);
        self.activity[i] = self.activity_of(record);
        self.set_availability(slot, availability);
    }

    /// Sets a slot's availability and the bitsets that mirror it.
    pub(super) fn set_availability(&mut self, slot: Slot, availability: Availability) {
        if let Some(a) = self.availability.get_mut(slot as usize) {
            *a = availability;
        }
        self.gate_bits.set(slot, availability);
        self.outside_hours.set(slot, availability);
    }

    /// Refreshes the availability of the slot whose state [`MatchIndex::state_mut`] lent out;
    /// every update calls it first, so at most one slot's availability is ever stale.
    pub(super) fn return_lent(&mut self) {
        if let Some(slot) = self.lent.take()
            && let Some(record) = self.record(slot)
        {
            let availability = Availability::of(record);
            self.set_availability(slot, availability);
        }
    }

    /// The recency half-life in seconds (at least one, so that it can divide).
    pub(super) fn half_life_secs(&self) -> f64 {
        (self.options.recency_half_life_days * 86_400.0).max(1.0)
    }

    fn activity_of(&self, record: &Record) -> ActivityLn {
        let a = &record.activity;
        ActivityLn {
            helps: a.weighted_helps.max(0.0).ln_1p(),
            recent_log2: if a.recent > 0.0 {
                f64::from(a.recent).log2() as f32
            } else {
                f32::NEG_INFINITY
            },
            recent_ref: (a.recent_at as f64 / self.half_life_secs()) as f32,
            intensity: a.intensity(self.options.intensity_min_span_days).ln_1p() as f32,
        }
    }

    /// Term impacts of the profile's title, bio and declared skill names, read as one session
    /// weighted `profile_text`.
    pub(super) fn profile_terms(&mut self, profile: &CandidateProfile) -> Vec<(TermId, f32)> {
        let mut text = String::new();
        for part in [&profile.title, &profile.bio].into_iter().flatten() {
            text.push_str(part);
            text.push('\n');
        }
        for (skill, _) in &profile.skills {
            if let Some(s) = self.taxonomy.get(*skill) {
                text.push_str(&s.name);
                text.push('\n');
            }
        }
        let counts = self.analyze(&text);
        session_impacts(&counts, self.options.profile_text, &self.options)
    }

    /// Each term of a text and how often it occurs, sorted by term id; new words join the
    /// dictionary.
    pub(super) fn analyze(&mut self, text: &str) -> Vec<(TermId, f32)> {
        let mut ids: Vec<TermId> = Vec::new();
        let dictionary = &mut self.dictionary;
        let names = &mut self.term_names;
        let terms = &mut self.terms;
        for_each_term(text, |word| {
            if ids.len() >= MAX_TERMS_PER_TEXT {
                return;
            }
            let id = match dictionary.get(word) {
                Some(&id) => id,
                None => {
                    let id = TermId::try_from(terms.len()).unwrap_or(TermId::MAX);
                    terms.push(PostingList::default());
                    dictionary.insert(word.into(), id);
                    names.push(word.into());
                    id
                }
            };
            ids.push(id);
        });
        ids.sort_unstable();
        let mut out: Vec<(TermId, f32)> = Vec::new();
        for id in ids {
            match out.last_mut() {
                Some((last, n)) if *last == id => *n += 1.0,
                _ => out.push((id, 1.0)),
            }
        }
        out
    }
}
