//! The matcher's in-memory index: people, their words and skills, updated in place.
//!
//! The server builds it from the store at start-up and feeds it the same events it persists:
//! a profile edit, a presence change, a finished help session. Each update touches only that
//! person's entries (see [`super::postings`]), so there is never a rebuild.

use std::collections::HashMap;
use std::sync::Arc;

use super::associations::SkillAssociations;
use super::candidate::{CandidateProfile, CandidateState, HelpEvidence};
use super::config::IndexOptions;
use super::gate_bits::{GateBits, OutsideHoursCache};
use super::interner::Interner;
use super::postings::{PostingList, Slot};
use super::record::{Record, TermId, session_impacts};
use super::summary::{ActivityLn, Availability};
use crate::hours::WorkingHours;
use crate::ids::{PersonId, SkillId};
use crate::taxonomy::Taxonomy;
use crate::timezone::TimeZoneName;

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
    /// What a ranking reads per slot instead of the record (see [`super::summary`]).
    pub(super) availability: Vec<Availability>,
    pub(super) activity: Vec<ActivityLn>,
    /// The availability flags again, as bitsets (see [`super::gate_bits`]).
    pub(super) gate_bits: GateBits,
    pub(super) outside_hours: OutsideHoursCache,
    /// The slot whose state [`MatchIndex::state_mut`] last lent out: its availability may be stale
    /// until the next update of any kind refreshes it, so rankings read its record instead.
    pub(super) lent: Option<Slot>,
    pub(super) by_id: HashMap<PersonId, Slot>,
    pub(super) free: Vec<Slot>,
    pub(super) dictionary: HashMap<Box<str>, TermId>,
    /// Each term's text by id, for "knows about …" reasons.
    pub(super) term_names: Vec<Box<str>>,
    pub(super) terms: Vec<PostingList>,
    pub(super) skills: HashMap<SkillId, PostingList>,
    /// Skills the organisation's help sessions tag together.
    pub(super) associations: SkillAssociations,
    /// The taxonomy's tree downwards (it only offers an unbounded walk), for bounded expansion.
    pub(super) children: HashMap<SkillId, Vec<SkillId>>,
    pub(super) zones: Interner<TimeZoneName>,
    pub(super) hours: Interner<WorkingHours>,
    /// Distinct (time zone, working hours) pairs.
    pub(super) schedules: Interner<(u32, u32)>,
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
            availability: Vec::new(),
            activity: Vec::new(),
            gate_bits: GateBits::default(),
            outside_hours: OutsideHoursCache::default(),
            lent: None,
            by_id: HashMap::new(),
            free: Vec::new(),
            dictionary: HashMap::new(),
            term_names: Vec::new(),
            terms: Vec::new(),
            skills: HashMap::new(),
            associations: SkillAssociations::default(),
            zones: Interner::default(),
            hours: Interner::default(),
            schedules: Interner::default(),
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
        self.return_lent();
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
        let schedule = self
            .schedules
            .intern(&format!("{zone}/{hours}"), || (zone, hours));

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
            record.schedule = schedule;
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
        self.return_lent();
        let Some(slot) = self.by_id.remove(&id) else {
            return;
        };
        self.retire(slot);
        self.records[slot as usize] = None;
        self.set_availability(slot, Availability::default());
        self.activity[slot as usize] = ActivityLn::default();
        self.free.push(slot);
    }

    /// The person's live state, to change presence, counters or declines in place.
    pub fn state_mut(&mut self, id: PersonId) -> Result<&mut CandidateState, MatchError> {
        self.return_lent();
        let slot = *self.by_id.get(&id).ok_or(MatchError::UnknownPerson(id))?;
        self.lent = Some(slot);
        self.record_mut(slot)
            .map(|r| &mut r.state)
            .ok_or(MatchError::UnknownPerson(id))
    }

    pub fn state(&self, id: PersonId) -> Option<&CandidateState> {
        self.record_of(id).map(|r| &r.state)
    }

    pub fn set_state(&mut self, id: PersonId, state: CandidateState) -> Result<(), MatchError> {
        *self.state_mut(id)? = state;
        self.return_lent();
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

    /// Records all of one helper's sessions at once: the same as adding them one by one, but the
    /// helper's postings are rewritten once instead of once per session, which is what makes
    /// building the index of a large organisation's history linear in it.
    pub fn add_evidence_batch<'e>(
        &mut self,
        helper: PersonId,
        sessions: impl IntoIterator<Item = &'e HelpEvidence>,
    ) -> Result<(), MatchError> {
        self.return_lent();
        let slot = *self
            .by_id
            .get(&helper)
            .ok_or(MatchError::UnknownPerson(helper))?;
        self.retire(slot);
        let options = self.options.clone();
        for evidence in sessions {
            let counts = self.analyze(&evidence.text);
            let impacts = session_impacts(&counts, 1.0, &options);
            let mut skills = evidence.skills.clone();
            skills.sort_unstable();
            skills.dedup();
            self.associations.record(&skills, 1.0);
            if let Some(record) = self.record_mut(slot) {
                record.apply_evidence(evidence, &skills, &impacts, 1, &options);
            }
        }
        self.post(slot);
        Ok(())
    }

    /// Drops the stale entries every update leaves in the posting lists (see
    /// [`super::postings`]): call it once after loading an organisation, so that rankings start
    /// from lists no longer than their live entries. Takes time in the size of the index.
    pub fn compact(&mut self) {
        for list in &mut self.terms {
            list.compact(&self.generations);
        }
        for list in self.skills.values_mut() {
            list.compact(&self.generations);
        }
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
        self.return_lent();
        let slot = *self
            .by_id
            .get(&helper)
            .ok_or(MatchError::UnknownPerson(helper))?;
        let counts = self.analyze(&evidence.text);
        let impacts = session_impacts(&counts, 1.0, &self.options);
        let mut skills = evidence.skills.clone();
        skills.sort_unstable();
        skills.dedup();
        self.associations.record(&skills, f32::from(sign));
        self.retire(slot);
        let options = self.options.clone();
        if let Some(record) = self.record_mut(slot) {
            record.apply_evidence(evidence, &skills, &impacts, sign, &options);
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

    pub(super) fn record_mut(&mut self, slot: Slot) -> Option<&mut Record> {
        self.records.get_mut(slot as usize).and_then(Option::as_mut)
    }

    pub(super) fn free_heap_bytes(&self) -> usize {
        self.free.capacity() * std::mem::size_of::<Slot>()
    }
}
