//! The matcher's in-memory index: people, their words and skills, updated in place.
//!
//! The server builds it from the store at start-up and feeds it the same events it persists:
//! a profile edit, a presence change, a finished help session. Each update touches only that
//! person's entries (see [`super::postings`]), so there is never a rebuild.

use std::collections::HashMap;
use std::sync::Arc;

use super::analyzer::for_each_term;
use super::candidate::{CandidateProfile, CandidateState, HelpEvidence};
use super::config::IndexOptions;
use super::interner::Interner;
use super::postings::{PostingList, Slot};
use super::record::{Activity, Record, TermId};
use crate::hours::WorkingHours;
use crate::ids::{PersonId, SkillId};
use crate::taxonomy::Taxonomy;
use crate::timezone::TimeZoneName;

/// The most words of one text that are indexed: a pasted log file must not bloat a profile.
pub(super) const MAX_TERMS_PER_TEXT: usize = 4_000;

/// `ln(1 + x)` of a person's activity figures, as of their last update.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct ActivityLn {
    pub helps: f32,
    pub recent: f32,
    pub intensity: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatchError {
    #[error("person {0} is not in the match index")]
    UnknownPerson(PersonId),
}

/// People, their words and their skills, ready for [`MatchIndex::rank`].
#[derive(Debug)]
pub struct MatchIndex {
    pub(super) taxonomy: Arc<Taxonomy>,
    pub(super) options: IndexOptions,
    pub(super) records: Vec<Option<Record>>,
    /// Current generation of each slot; postings of other generations are stale.
    pub(super) generations: Vec<u32>,
    /// Weighted length of each slot's text, for BM25 length normalisation.
    pub(super) doc_lens: Vec<f32>,
    /// Each slot's activity logarithms, dense so a ranking can estimate scores without touching
    /// records (see [`MatchIndex::estimate`]).
    pub(super) activity_ln: Vec<ActivityLn>,
    pub(super) total_len: f64,
    pub(super) by_id: HashMap<PersonId, Slot>,
    free: Vec<Slot>,
    pub(super) dictionary: HashMap<Box<str>, TermId>,
    /// Each term's text by id, for "knows about …" reasons.
    pub(super) term_names: Vec<Box<str>>,
    pub(super) terms: Vec<PostingList>,
    pub(super) skills: HashMap<SkillId, PostingList>,
    /// The taxonomy's tree downwards (it only offers an unbounded walk), for bounded expansion.
    pub(super) children: HashMap<SkillId, Vec<SkillId>>,
    pub(super) zones: Interner<TimeZoneName>,
    pub(super) hours: Interner<WorkingHours>,
    pub(super) places: Interner<String>,
    pub(super) teams: Interner<String>,
    pub(super) languages: Interner<String>,
}

impl MatchIndex {
    pub fn new(taxonomy: Arc<Taxonomy>, options: IndexOptions) -> Self {
        let mut children: HashMap<SkillId, Vec<SkillId>> = HashMap::new();
        for skill in taxonomy.skills() {
            if let Some(parent) = skill.parent_id {
                children.entry(parent).or_default().push(skill.id);
            }
        }
        Self {
            children,
            taxonomy,
            options,
            records: Vec::new(),
            generations: Vec::new(),
            doc_lens: Vec::new(),
            activity_ln: Vec::new(),
            total_len: 0.0,
            by_id: HashMap::new(),
            free: Vec::new(),
            dictionary: HashMap::new(),
            term_names: Vec::new(),
            terms: Vec::new(),
            skills: HashMap::new(),
            zones: Interner::default(),
            hours: Interner::default(),
            places: Interner::default(),
            teams: Interner::default(),
            languages: Interner::default(),
        }
    }

    /// People in the index.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn contains(&self, id: PersonId) -> bool {
        self.by_id.contains_key(&id)
    }

    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    pub fn options(&self) -> &IndexOptions {
        &self.options
    }

    /// Adds a person or replaces their profile, keeping their state and help history.
    pub fn upsert_profile(&mut self, profile: &CandidateProfile) {
        let profile_terms = self.profile_terms(profile);
        let zone = self
            .zones
            .intern(profile.timezone.as_str(), || profile.timezone.clone());
        let hours_key = profile.working_hours.to_string();
        let hours = self
            .hours
            .intern(&hours_key, || profile.working_hours.clone());
        let team = profile
            .team
            .as_deref()
            .map(|t| self.teams.intern(t, || t.to_owned()));
        let location = profile
            .location
            .as_deref()
            .map(|l| self.places.intern(l, || l.to_owned()));
        let mut languages: Vec<u32> = profile
            .languages
            .iter()
            .map(|l| {
                self.languages
                    .intern(l.primary(), || l.primary().to_owned())
            })
            .collect();
        languages.sort_unstable();
        languages.dedup();

        let slot = match self.by_id.get(&profile.id) {
            Some(&slot) => slot,
            None => self.allocate(profile.id),
        };
        self.retire(slot);
        if let Some(record) = self.record_mut(slot) {
            record.active = profile.active;
            record.team = team;
            record.location = location;
            record.zone = zone;
            record.hours = hours;
            record.languages = languages.into_boxed_slice();
            record.weekly_budget = profile.weekly_budget;
            record.daily_budget = profile.daily_budget;
            record.declare_skills(&profile.skills);
            record.profile_terms = profile_terms.into_boxed_slice();
        }
        self.post(slot);
    }

    /// Forgets a person (they left the organisation). Unknown ids are ignored: removal is idempotent.
    pub fn remove_person(&mut self, id: PersonId) {
        let Some(slot) = self.by_id.remove(&id) else {
            return;
        };
        self.retire(slot);
        self.records[slot as usize] = None;
        self.free.push(slot);
    }

    /// The person's live state, to change presence, counters or declines in place.
    pub fn state_mut(&mut self, id: PersonId) -> Result<&mut CandidateState, MatchError> {
        let slot = *self.by_id.get(&id).ok_or(MatchError::UnknownPerson(id))?;
        self.record_mut(slot)
            .map(|r| &mut r.state)
            .ok_or(MatchError::UnknownPerson(id))
    }

    pub fn state(&self, id: PersonId) -> Option<&CandidateState> {
        self.record_of(id).map(|r| &r.state)
    }

    pub fn set_state(&mut self, id: PersonId, state: CandidateState) -> Result<(), MatchError> {
        *self.state_mut(id)? = state;
        Ok(())
    }

    /// Records a finished help session as evidence of the helper's expertise.
    pub fn add_evidence(
        &mut self,
        helper: PersonId,
        evidence: &HelpEvidence,
    ) -> Result<(), MatchError> {
        self.change_evidence(helper, evidence, 1)
    }

    /// Takes back a session added with [`Self::add_evidence`] (deleted, or consent withdrawn).
    pub fn remove_evidence(
        &mut self,
        helper: PersonId,
        evidence: &HelpEvidence,
    ) -> Result<(), MatchError> {
        self.change_evidence(helper, evidence, -1)
    }

    /// Sessions recorded for a person, for reasons and tests.
    pub fn helps(&self, id: PersonId) -> Option<u32> {
        self.record_of(id).map(|r| r.activity.helps)
    }

    fn change_evidence(
        &mut self,
        helper: PersonId,
        evidence: &HelpEvidence,
        sign: i8,
    ) -> Result<(), MatchError> {
        let slot = *self
            .by_id
            .get(&helper)
            .ok_or(MatchError::UnknownPerson(helper))?;
        let terms = self.analyze(&evidence.text, 1.0);
        self.retire(slot);
        let options = self.options.clone();
        if let Some(record) = self.record_mut(slot) {
            record.apply_evidence(evidence, &terms, sign, &options);
        }
        self.post(slot);
        Ok(())
    }

    pub(super) fn record_of(&self, id: PersonId) -> Option<&Record> {
        self.by_id.get(&id).and_then(|&slot| self.record(slot))
    }

    pub(super) fn record(&self, slot: Slot) -> Option<&Record> {
        self.records.get(slot as usize).and_then(Option::as_ref)
    }

    fn record_mut(&mut self, slot: Slot) -> Option<&mut Record> {
        self.records.get_mut(slot as usize).and_then(Option::as_mut)
    }

    fn allocate(&mut self, id: PersonId) -> Slot {
        let record = Record {
            id,
            active: true,
            team: None,
            location: None,
            zone: 0,
            hours: 0,
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
                self.doc_lens.push(0.0);
                self.activity_ln.push(ActivityLn::default());
                slot
            }
        };
        self.by_id.insert(id, slot);
        slot
    }

    /// Marks everything the slot posted as stale, before its record changes.
    fn retire(&mut self, slot: Slot) {
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
        self.total_len -= f64::from(self.doc_lens[i]);
        self.doc_lens[i] = 0.0;
    }

    /// Posts the slot's current terms and skills under its current generation.
    fn post(&mut self, slot: Slot) {
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
        let len = record.doc_len();
        self.doc_lens[i] = len;
        let a = &record.activity;
        self.activity_ln[i] = ActivityLn {
            helps: a.weighted_helps.max(0.0).ln_1p(),
            recent: a.recent.max(0.0).ln_1p(),
            intensity: a.intensity(self.options.intensity_min_span_days).ln_1p() as f32,
        };
        self.total_len += f64::from(len);
    }

    fn profile_terms(&mut self, profile: &CandidateProfile) -> Vec<(TermId, f32)> {
        let weight = self.options.profile_text;
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
        self.analyze(&text, weight)
    }

    /// Term weights of a text, sorted by term id; new words join the dictionary.
    pub(super) fn analyze(&mut self, text: &str, weight: f32) -> Vec<(TermId, f32)> {
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
                Some((last, w)) if *last == id => *w += weight,
                _ => out.push((id, weight)),
            }
        }
        out
    }

    pub(super) fn free_heap_bytes(&self) -> usize {
        self.free.capacity() * std::mem::size_of::<Slot>()
    }

    /// Average weighted text length over people, for BM25.
    pub(super) fn average_len(&self) -> f64 {
        if self.by_id.is_empty() {
            1.0
        } else {
            (self.total_len / self.by_id.len() as f64).max(1e-6)
        }
    }
}
