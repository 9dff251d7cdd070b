//! Skills that go together in the organisation's own help sessions.
//!
//! The taxonomy knows that pivot tables are part of Excel; it cannot know that, here, asks about
//! pivot tables usually turn out to be Power Query questions too. Every help session tagged with
//! several skills is evidence of that, so the index counts, for each pair of skills, the sessions
//! tagged with both, and an ask about one skill also reaches people who helped with skills that
//! usually come with it, in proportion to P(asked skill | their skill). Counts are updated with
//! each session added or removed, like everything else in the index.

use std::collections::HashMap;
use std::mem::size_of;

use crate::ids::SkillId;

/// Pairs seen in fewer sessions than this are coincidence, not association.
const MIN_SHARED_SESSIONS: f32 = 2.0;

#[derive(Debug, Default)]
pub(super) struct SkillAssociations {
    /// Sessions tagged with each skill.
    sessions: HashMap<SkillId, f32>,
    /// For each skill, the skills tagged together with it and in how many sessions, by skill id.
    together: HashMap<SkillId, Vec<(SkillId, f32)>>,
}

impl SkillAssociations {
    /// Counts (`sign` = 1) or uncounts (`sign` = -1) one session's skills, sorted and distinct.
    pub fn record(&mut self, skills: &[SkillId], sign: f32) {
        for &skill in skills {
            let n = self.sessions.entry(skill).or_insert(0.0);
            *n = (*n + sign).max(0.0);
            if *n == 0.0 {
                self.sessions.remove(&skill);
            }
        }
        if skills.len() < 2 {
            return;
        }
        for &a in skills {
            let list = self.together.entry(a).or_default();
            for &b in skills.iter().filter(|&&b| b != a) {
                match list.binary_search_by_key(&b, |e| e.0) {
                    Ok(i) => {
                        list[i].1 += sign;
                        if list[i].1 <= 0.0 {
                            list.remove(i);
                        }
                    }
                    Err(i) if sign > 0.0 => list.insert(i, (b, sign)),
                    Err(_) => {}
                }
            }
            if list.is_empty() {
                self.together.remove(&a);
            }
        }
    }

    /// The skills most often tagged together with `skill`, each with P(`skill` | it): the share of
    /// its sessions that were also about `skill`. Strongest first, at most `max`.
    pub fn associated(&self, skill: SkillId, max: usize) -> Vec<(SkillId, f32)> {
        let Some(list) = self.together.get(&skill) else {
            return Vec::new();
        };
        let mut out: Vec<(SkillId, f32)> = list
            .iter()
            .filter(|(_, shared)| *shared >= MIN_SHARED_SESSIONS)
            .filter_map(|&(other, shared)| {
                let sessions = self.sessions.get(&other).copied().unwrap_or(0.0);
                (sessions > 0.0).then(|| (other, (shared / sessions).min(1.0)))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(max);
        out
    }

    pub fn heap_bytes(&self) -> usize {
        self.sessions.capacity() * (size_of::<(SkillId, f32)>() + 1)
            + self.together.capacity() * (size_of::<(SkillId, Vec<(SkillId, f32)>)>() + 1)
            + self
                .together
                .values()
                .map(|v| v.capacity() * size_of::<(SkillId, f32)>())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn skill(n: u128) -> SkillId {
        SkillId(Uuid::from_u128(n))
    }

    #[test]
    fn skills_tagged_together_become_associated_in_proportion() {
        let mut a = SkillAssociations::default();
        for _ in 0..3 {
            a.record(&[skill(1), skill(2)], 1.0);
        }
        a.record(&[skill(2)], 1.0);
        // Three of skill 2's four sessions were also about skill 1.
        assert_eq!(a.associated(skill(1), 5), [(skill(2), 0.75)]);
        assert_eq!(a.associated(skill(2), 5), [(skill(1), 1.0)]);
    }

    #[test]
    fn a_single_shared_session_is_not_an_association() {
        let mut a = SkillAssociations::default();
        a.record(&[skill(1), skill(2)], 1.0);
        assert!(a.associated(skill(1), 5).is_empty());
    }

    #[test]
    fn uncounting_every_session_leaves_nothing_behind() {
        let mut a = SkillAssociations::default();
        for sign in [1.0, 1.0, -1.0, -1.0] {
            a.record(&[skill(1), skill(2), skill(3)], sign);
        }
        assert!(a.sessions.is_empty() && a.together.is_empty());
    }
}
