//! Every ask of an organisation in a compact form, held in memory, from which the speed figures
//! of any range, team or location come in one pass.
//!
//! Why not rollups, as for the other insights: speed reports exact distributions (seconds to the
//! first accept and to resolution, people interrupted; two significant digits) overall, per local
//! hour and per skill. Counted on the benchmark organisation (1,000,000 asks over a year), day or
//! week rollups of those distributions hold almost as many cells as there are values to
//! summarise, so a year read from them costs more than the asks themselves (BENCHMARKS.md).
//! A pass over a few dozen bytes per ask in memory costs nanoseconds per ask instead.
//!
//! A store keeps one [`AskFacts`] per organisation up to date ([`AskFacts::upsert`],
//! [`AskFacts::remove`]) and asks it for [`AskFacts::speed`]. The figures are those the SQL
//! statements compute (`askaround_store::insights_sql::ask_counts` and `ask_histograms`), which
//! the conformance suite holds both to.

use std::collections::{HashMap, HashSet};

use crate::ids::{AskId, PersonId, SkillId};

use super::clock::LocalClock;
use super::raw::AskStats;
use super::stats::rounded_like_sql;
use tally::{Cells, Tally};

/// One ask as the speed figures see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskFact {
    pub id: AskId,
    pub created_ms: i64,
    pub asker: PersonId,
    /// When someone accepted or claimed it.
    pub matched_ms: Option<i64>,
    /// When it was resolved; `None` unless it was.
    pub resolved_ms: Option<i64>,
    pub interrupted: i64,
    pub went_to_board: bool,
    pub skills: Vec<SkillId>,
}

/// No value (not answered, not resolved): no rounded duration is this small.
const NONE: i64 = i64::MIN;

/// [`AskFact`] as kept: durations already rounded, the asker and skills as small indexes. The
/// id is two halves, so the struct packs to 8-byte alignment (a `u128` would pad it to 16).
#[derive(Debug, Clone, Copy)]
struct Compact {
    key: (u64, u64),
    created_ms: i64,
    accept_secs: i64,
    resolution_secs: i64,
    interrupted: i64,
    asker: u32,
    skill_set: u32,
    went_to_board: bool,
}

/// The asks of one organisation, ordered by id (time-ordered UUIDs, so new asks are appended).
#[derive(Debug, Default)]
pub struct AskFacts {
    facts: Vec<Compact>,
    askers: HashMap<PersonId, u32>,
    skills: Vec<SkillId>,
    skill_index: HashMap<SkillId, u32>,
    skill_sets: Vec<Box<[u32]>>,
    skill_set_index: HashMap<Box<[u32]>, u32>,
}

/// What [`AskFacts::speed`] covers.
#[derive(Debug, Clone, Copy)]
pub struct SpeedQuery<'a> {
    /// Asks created from this instant (UTC milliseconds, included)…
    pub from_ms: i64,
    /// …to this one (excluded).
    pub to_ms: i64,
    /// The organisation's local clock over the range, for the hour of day.
    pub clock: &'a LocalClock,
    /// Only asks by these people (a team or location filter, see [`AskFacts::people_set`]);
    /// `None` for everyone.
    pub askers: Option<&'a PeopleSet>,
    /// Distinct askers are counted up to this many (they only decide suppression).
    pub askers_cap: u64,
}

/// The speed aggregates of a range, before percentiles and suppression; histograms sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeedTotals {
    pub overall: AskStats,
    /// Local hours with asks, in order.
    pub by_hour: Vec<(u8, AskStats)>,
    /// Skills with asks, in id order.
    pub by_skill: Vec<(SkillId, AskStats)>,
}

impl AskFacts {
    pub fn new() -> Self {
        Self::default()
    }

    /// All of an organisation's asks at once, in any order (a later duplicate id wins).
    pub fn from_facts(facts: impl IntoIterator<Item = AskFact>) -> Self {
        let mut builder = AskFactsBuilder::default();
        for fact in facts {
            builder.push(&fact);
        }
        builder.finish()
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Adds the ask, or replaces what was known of it.
    pub fn upsert(&mut self, fact: &AskFact) {
        let compact = self.compact(fact);
        // Ids are time-ordered, so the common case is a push.
        if self.facts.last().is_none_or(|last| last.key < compact.key) {
            self.facts.push(compact);
            return;
        }
        match self.position(compact.key) {
            Ok(at) => self.facts[at] = compact,
            Err(at) => self.facts.insert(at, compact),
        }
    }

    /// Forgets the ask; whether it was known.
    pub fn remove(&mut self, id: AskId) -> bool {
        match self.position(halves(id)) {
            Ok(at) => {
                self.facts.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Applies many changes at once: each of `current` as it is now, each of `gone` removed. A
    /// batch that would move the array more than once (asks deleted, or ids out of order) is
    /// merged in one pass instead of one shift per ask.
    pub fn apply(&mut self, current: &[AskFact], gone: &[AskId]) {
        let mut appended = Vec::new();
        for fact in current {
            let compact = self.compact(fact);
            match self.position(compact.key) {
                Ok(at) => self.facts[at] = compact,
                Err(_) => appended.push(compact),
            }
        }
        keep_last_of_each_id(&mut appended);
        let after_the_rest = match (self.facts.last(), appended.first()) {
            (Some(last), Some(first)) => last.key < first.key,
            _ => true,
        };
        self.facts.extend(appended);
        if !after_the_rest {
            self.facts.sort_unstable_by_key(|c| c.key);
        }
        // Last, as one at a time: an ask both changed and gone in one batch is gone.
        if !gone.is_empty() {
            let gone: HashSet<(u64, u64)> = gone.iter().map(|id| halves(*id)).collect();
            self.facts.retain(|c| !gone.contains(&c.key));
        }
    }

    /// Whether the ask is known.
    pub fn contains(&self, id: AskId) -> bool {
        self.position(halves(id)).is_ok()
    }

    fn position(&self, key: (u64, u64)) -> Result<usize, usize> {
        self.facts.binary_search_by_key(&key, |c| c.key)
    }

    /// The askers among `people`, for [`SpeedQuery::askers`] (people who never asked anything
    /// here are in no fact, so they need no place in the set).
    pub fn people_set(&self, people: impl IntoIterator<Item = PersonId>) -> PeopleSet {
        people
            .into_iter()
            .filter_map(|p| self.askers.get(&p).copied())
            .collect()
    }

    /// Bytes held on the heap (for reporting the memory this costs).
    pub fn heap_bytes(&self) -> usize {
        let sets: usize = self.skill_sets.iter().map(|s| s.len() * 4 + 16).sum();
        self.facts.capacity() * size_of::<Compact>()
            + self.askers.capacity() * (size_of::<PersonId>() + 4 + 1)
            + self.skills.capacity() * size_of::<SkillId>()
            + self.skill_index.capacity() * (size_of::<SkillId>() + 4 + 1)
            + 2 * sets
            + self.skill_set_index.capacity() * (16 + 4 + 1)
    }

    fn compact(&mut self, fact: &AskFact) -> Compact {
        // Saturating: a corrupt time gives a huge duration (as in SQL), not a panic.
        let secs_since =
            |at: Option<i64>| at.map_or(NONE, |at| at.saturating_sub(fact.created_ms) / 1000);
        let next = u32::try_from(self.askers.len()).unwrap_or(u32::MAX);
        let asker = *self.askers.entry(fact.asker).or_insert(next);
        let accept = secs_since(fact.matched_ms);
        let resolution = secs_since(fact.resolved_ms);
        Compact {
            key: halves(fact.id),
            created_ms: fact.created_ms,
            accept_secs: if accept == NONE {
                NONE
            } else {
                rounded_like_sql(accept)
            },
            resolution_secs: if resolution == NONE {
                NONE
            } else {
                rounded_like_sql(resolution)
            },
            interrupted: fact.interrupted,
            asker,
            skill_set: self.skill_set(&fact.skills),
            went_to_board: fact.went_to_board,
        }
    }

    fn skill_set(&mut self, skills: &[SkillId]) -> u32 {
        let mut indexes: Vec<u32> = skills
            .iter()
            .map(|skill| {
                let next = u32::try_from(self.skills.len()).unwrap_or(u32::MAX);
                *self.skill_index.entry(*skill).or_insert_with(|| {
                    self.skills.push(*skill);
                    next
                })
            })
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        let set: Box<[u32]> = indexes.into_boxed_slice();
        if let Some(at) = self.skill_set_index.get(&set) {
            return *at;
        }
        let at = u32::try_from(self.skill_sets.len()).unwrap_or(u32::MAX);
        self.skill_sets.push(set.clone());
        self.skill_set_index.insert(set, at);
        at
    }

    /// The speed aggregates of the asks created in the query's range by people in its scope.
    pub fn speed(&self, query: &SpeedQuery<'_>) -> SpeedTotals {
        let cap = usize::try_from(query.askers_cap).unwrap_or(usize::MAX);
        let mut overall = Tally::new(cap);
        let mut hours: Vec<Option<Tally>> = (0..24).map(|_| None).collect();
        let mut skills: Vec<Option<Tally>> = (0..self.skills.len()).map(|_| None).collect();
        for fact in &self.facts {
            if fact.created_ms < query.from_ms || fact.created_ms >= query.to_ms {
                continue;
            }
            if query.askers.is_some_and(|set| !set.contains(fact.asker)) {
                continue;
            }
            // Each value's place in a distribution is found once, then counted in every group.
            let cells = Cells::of(fact);
            overall.add(fact, &cells);
            let hour = usize::from(query.clock.hour_of(fact.created_ms));
            hours[hour]
                .get_or_insert_with(|| Tally::new(cap))
                .add(fact, &cells);
            let set = self.skill_sets.get(fact.skill_set as usize);
            for skill in set.into_iter().flat_map(|s| s.iter()) {
                if let Some(slot) = skills.get_mut(*skill as usize) {
                    slot.get_or_insert_with(|| Tally::new(cap))
                        .add(fact, &cells);
                }
            }
        }
        let mut by_skill: Vec<(SkillId, AskStats)> = skills
            .into_iter()
            .zip(&self.skills)
            .filter_map(|(tally, id)| tally.map(|t| (*id, t.finish())))
            .collect();
        by_skill.sort_by_key(|(id, _)| *id);
        SpeedTotals {
            overall: overall.finish(),
            by_hour: hours
                .into_iter()
                .zip(0u8..)
                .filter_map(|(tally, hour)| tally.map(|t| (hour, t.finish())))
                .collect(),
            by_skill,
        }
    }
}

/// An organisation's asks read one at a time in any order (a store's scan), kept compact as
/// they come rather than held twice.
#[derive(Debug, Default)]
pub struct AskFactsBuilder {
    facts: AskFacts,
}

impl AskFactsBuilder {
    /// Room for `asks` up front: growing by doubling would hold up to twice the final size at
    /// the end of a read, memory a process may not give back.
    pub fn with_capacity(asks: usize) -> Self {
        let mut builder = Self::default();
        builder.facts.facts.reserve_exact(asks);
        builder
    }

    pub fn push(&mut self, fact: &AskFact) {
        let compact = self.facts.compact(fact);
        self.facts.facts.push(compact);
    }

    /// The facts in id order; of two with one id, the later pushed wins.
    pub fn finish(mut self) -> AskFacts {
        keep_last_of_each_id(&mut self.facts.facts);
        self.facts.facts.shrink_to_fit();
        self.facts
    }
}

/// Sorts by id and keeps, of several with one id, the one that came last.
fn keep_last_of_each_id(facts: &mut Vec<Compact>) {
    // Stable, so of two facts with one id the later stays last; reversed, it comes first and
    // wins the dedup.
    facts.sort_by_key(|c| c.key);
    facts.reverse();
    facts.dedup_by_key(|c| c.key);
    facts.reverse();
}

fn halves(id: AskId) -> (u64, u64) {
    let n = id.0.as_u128();
    ((n >> 64) as u64, n as u64)
}

/// A set of askers, by their index in one [`AskFacts`].
#[derive(Debug, Clone, Default)]
pub struct PeopleSet {
    words: Vec<u64>,
}

impl PeopleSet {
    fn new() -> Self {
        Self::default()
    }

    fn insert(&mut self, person: u32) {
        let (word, bit) = (person as usize / 64, person % 64);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << bit;
    }

    fn contains(&self, person: u32) -> bool {
        let (word, bit) = (person as usize / 64, person % 64);
        self.words.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }
}

impl FromIterator<u32> for PeopleSet {
    fn from_iter<I: IntoIterator<Item = u32>>(people: I) -> Self {
        let mut set = Self::new();
        for person in people {
            set.insert(person);
        }
        set
    }
}

#[path = "speed_tally.rs"]
mod tally;

#[cfg(test)]
#[path = "ask_facts_tests.rs"]
mod tests;
