//! How much memory the index holds, computed from its structures (no allocator hooks: the
//! workspace forbids `unsafe`, and a computed figure is the same on every platform).

use std::mem::size_of;

use super::index::MatchIndex;
use super::postings::PostingList;
use super::record::{Record, SkillStat, TermId};
use crate::ids::{PersonId, SkillId};

/// Per-entry overhead of a `HashMap` (hashbrown): the control byte, rounded up generously.
const HASH_ENTRY_OVERHEAD: usize = 1;

impl MatchIndex {
    /// Bytes on the heap owned by the index (excluding the shared taxonomy), as allocated
    /// (capacities, not lengths).
    pub fn heap_bytes(&self) -> usize {
        let records: usize = self.records.capacity() * size_of::<Option<Record>>()
            + self
                .records
                .iter()
                .flatten()
                .map(record_heap)
                .sum::<usize>();
        let dense = self.generations.capacity() * size_of::<u32>()
            + self.availability.capacity() * size_of::<super::summary::Availability>()
            + self.activity.capacity() * size_of::<super::summary::ActivityLn>()
            + self.gate_bits.heap_bytes()
            + self.outside_hours.heap_bytes();
        let by_id = self.by_id.capacity() * (size_of::<(PersonId, u32)>() + HASH_ENTRY_OVERHEAD);
        let dictionary = self.dictionary.capacity()
            * (size_of::<(Box<str>, TermId)>() + HASH_ENTRY_OVERHEAD)
            + self.dictionary.keys().map(|k| k.len()).sum::<usize>();
        let names = self.term_names.capacity() * size_of::<Box<str>>()
            + self.term_names.iter().map(|n| n.len()).sum::<usize>();
        let terms = self.terms.capacity() * size_of::<PostingList>()
            + self
                .terms
                .iter()
                .map(PostingList::heap_bytes)
                .sum::<usize>();
        let skills = self.skills.capacity()
            * (size_of::<(SkillId, PostingList)>() + HASH_ENTRY_OVERHEAD)
            + self
                .skills
                .values()
                .map(PostingList::heap_bytes)
                .sum::<usize>();
        let children = self.children.capacity()
            * (size_of::<(SkillId, Vec<SkillId>)>() + HASH_ENTRY_OVERHEAD)
            + self
                .children
                .values()
                .map(|v| v.capacity() * size_of::<SkillId>())
                .sum::<usize>();
        let interned = self.associations.heap_bytes()
            + self.zones.heap_bytes()
            + self.hours.heap_bytes()
            + self.schedules.heap_bytes()
            + self.places.heap_bytes()
            + self.teams.heap_bytes()
            + self.languages.heap_bytes()
            + self.free_heap_bytes();
        records + dense + by_id + dictionary + names + terms + skills + children + interned
    }
}

fn record_heap(r: &Record) -> usize {
    r.languages.len() * size_of::<u32>()
        + r.skills.capacity() * size_of::<SkillStat>()
        + r.profile_terms.len() * size_of::<(TermId, f32)>()
        + r.evidence_terms.capacity() * size_of::<(TermId, f32)>()
        + r.state.declines.capacity() * size_of::<super::candidate::Decline>()
}
