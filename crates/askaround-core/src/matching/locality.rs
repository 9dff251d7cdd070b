//! Which slots people get when an organisation is loaded at once: people who share skills get
//! neighbouring slots.
//!
//! A ranking walks the dense per-slot arrays (channels, availability, activity, generations) in
//! slot order for everyone an ask reaches. An ask about Excel reaches four in ten people of an
//! organisation; scattered over every slot, that touches every cache line of every array, most of
//! them to read one person in two or three. Ordered so that the holders of a broad skill sit
//! together, the same people fill whole cache lines, as search engines reorder their document
//! ids. People are ordered by the skills they declare, taken from the most widely held down: all
//! holders of the most common skill first, within them and within the rest the holders of the
//! next one first, and so on, so every broad skill's holders fall into a few long runs.
//!
//! Only the slot numbers change, and rankings do not depend on them, but for one thing: of people
//! whose estimates tie exactly at the edge of the shortlist scored exactly, the lower slot is
//! taken.

use std::cmp::Reverse;
use std::collections::HashMap;

use super::candidate::CandidateProfile;
use super::index::MatchIndex;
use crate::ids::SkillId;

/// Skills beyond the most common this many do not order anyone: narrower skills' holders are few
/// enough that where they sit hardly matters.
const ORDERING_SKILLS: usize = 64;

impl MatchIndex {
    /// Adds or updates many people at once, as [`Self::upsert_profile`] does one by one, giving
    /// the new ones slots in the order described in the module documentation.
    pub fn upsert_profiles(&mut self, profiles: &[CandidateProfile]) {
        for i in locality_order(profiles, |p| p.skills.iter().map(|(skill, _)| *skill)) {
            if let Some(profile) = profiles.get(i) {
                self.upsert_profile(profile);
            }
        }
    }
}

/// Indexes into `people`, holders of the most common skills (as `skills` lists a person's)
/// first, as described in the module documentation; ties keep the input order. Adding people to
/// an index in this order gives them neighbouring slots; for callers that hold people in
/// another form than [`CandidateProfile`] (see [`MatchIndex::upsert_profiles`]).
pub fn locality_order<'p, T, I>(people: &'p [T], skills: impl Fn(&'p T) -> I) -> Vec<usize>
where
    I: IntoIterator<Item = SkillId>,
{
    let mut holders: HashMap<SkillId, usize> = HashMap::new();
    for person in people {
        for skill in skills(person) {
            *holders.entry(skill).or_default() += 1;
        }
    }
    let mut common: Vec<(SkillId, usize)> = holders.into_iter().collect();
    common.sort_by_key(|&(skill, n)| (Reverse(n), skill));
    common.truncate(ORDERING_SKILLS);
    // Bit 63 for the most common skill, 62 for the next: a larger key sorts first.
    let bit: HashMap<SkillId, u32> = common
        .iter()
        .enumerate()
        .map(|(rank, &(skill, _))| (skill, 63 - rank as u32))
        .collect();
    let keys: Vec<u64> = people
        .iter()
        .map(|p| {
            skills(p)
                .into_iter()
                .filter_map(|skill| bit.get(&skill))
                .fold(0u64, |key, &b| key | (1u64 << b))
        })
        .collect();
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_key(|&i| Reverse(keys.get(i).copied().unwrap_or(0)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::tests::fixtures::{EXCEL, KUBERNETES, PIVOT, profile};
    use crate::skill::SkillLevel::Intermediate;

    fn holding(n: u128, skills: &[SkillId]) -> CandidateProfile {
        let skills: Vec<_> = skills.iter().map(|&s| (s, Intermediate)).collect();
        profile(n, "Lisbon", "Europe/Lisbon", &skills)
    }

    #[test]
    fn holders_of_the_commonest_skill_come_first_then_of_the_next() {
        // Excel is held by three people, pivot tables by two, Kubernetes by one.
        let profiles = [
            holding(10, &[KUBERNETES]),
            holding(11, &[PIVOT]),
            holding(12, &[EXCEL]),
            holding(13, &[EXCEL, PIVOT]),
            holding(14, &[]),
            holding(15, &[EXCEL, KUBERNETES]),
        ];
        let order = locality_order(&profiles, |p| p.skills.iter().map(|(s, _)| *s));
        assert_eq!(order, [3, 5, 2, 1, 0, 4]);
    }
}
