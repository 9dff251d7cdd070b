//! The matcher index following the change feed: each announced change is read back from the
//! store and applied as absolute values where it can be (a helper's offer counts and answer
//! record, a profile), so a change applied twice, or late, leaves the index as the store has it.
//! Help sessions are the one thing counted, so the index remembers which ones it holds.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use jiff::{SignedDuration, Timestamp};

use askaround_core::asks::{Ask, AskState, OfferState};
use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::matching::{Decline, HelpEvidence};
use askaround_store::{Change, FeedbackRecord, StoreError};

use super::matchers::{Matchers, add_evidence};
use crate::error::ApiResult;

/// Identifies a help session among those an index counts: its helper, learner and end.
pub(super) fn evidence_key(helper: PersonId, evidence: &HelpEvidence) -> u64 {
    let mut hasher = DefaultHasher::new();
    helper.hash(&mut hasher);
    evidence.learner.hash(&mut hasher);
    evidence.at.as_millisecond().hash(&mut hasher);
    hasher.finish()
}

/// What a counted session brings besides who and when: its skills (in any order) and rating. A
/// session brought again with the same content changes nothing; with other content (topics its
/// helper confirmed since) the index must be rebuilt, as a session cannot be taken out exactly.
pub(super) fn evidence_content(evidence: &HelpEvidence) -> u64 {
    let mut skills = evidence.skills.clone();
    skills.sort_unstable();
    skills.dedup();
    let mut hasher = DefaultHasher::new();
    skills.hash(&mut hasher);
    evidence.rating.hash(&mut hasher);
    hasher.finish()
}

/// A resolved ask as the matcher's snapshot reads it: the skills as tagged, as learned and as
/// the helper confirmed, without repeats, and the learner's rating.
pub(super) fn session(
    ask: &Ask,
    learned: &[SkillId],
    topics: &[SkillId],
    rating: Option<u8>,
) -> HelpEvidence {
    let mut skills = ask.skills.as_slice().to_vec();
    for skill in learned.iter().chain(topics) {
        if !skills.contains(skill) {
            skills.push(*skill);
        }
    }
    HelpEvidence {
        learner: ask.asker,
        text: ask.text.as_str().to_owned(),
        skills,
        rating,
        at: ask.counters.closed_at.unwrap_or(Timestamp::UNIX_EPOCH),
    }
}

fn evidence_of(ask: &Ask, feedback: Option<&FeedbackRecord>) -> HelpEvidence {
    match feedback {
        Some(f) => session(ask, &f.learned, &f.topics, Some(f.rating)),
        None => session(ask, &[], &[], None),
    }
}

impl Matchers {
    /// Applies one announced change to the index of its organisation, if that index is in
    /// memory (an index built later reads the change from the store anyway).
    pub async fn follow(&self, change: &Change) -> ApiResult<()> {
        match change {
            Change::Events => Ok(()),
            Change::Org { org } => {
                if self.loaded_or_defer(*org, change).is_some() {
                    self.invalidate(*org);
                }
                Ok(())
            }
            Change::Person { org, person } => {
                if !self.holds(*org) {
                    return Ok(());
                }
                let profile = match self.store.person(*org, *person).await {
                    Ok(profile) => profile,
                    Err(StoreError::NotFound) => return Ok(()),
                    Err(e) => return Err(e.into()),
                };
                if self.loaded_or_defer(*org, change).is_some() {
                    self.apply_profile(&profile).await;
                }
                Ok(())
            }
            Change::Ask { org, ask } => {
                if !self.holds(*org) {
                    return Ok(());
                }
                self.follow_ask(*org, *ask).await
            }
        }
    }

    async fn follow_ask(&self, org: OrgId, id: AskId) -> ApiResult<()> {
        let ask = match self.store.ask(org, id).await {
            Ok(ask) => ask,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut helpers: Vec<PersonId> = ask.offers.iter().map(|o| o.helper).collect();
        helpers.sort_unstable();
        helpers.dedup();
        let now = Timestamp::now();
        let loads = if helpers.is_empty() {
            Vec::new()
        } else {
            self.store
                .offer_loads(
                    org,
                    &helpers,
                    now - SignedDuration::from_hours(24),
                    now - SignedDuration::from_hours(24 * 7),
                )
                .await?
        };
        let cooldown_start =
            now - SignedDuration::from_hours(24 * i64::from(self.decline_cooldown_days));
        let declines: Vec<(PersonId, Decline)> = ask
            .offers
            .iter()
            .filter(|o| matches!(o.state, OfferState::Declined { .. }))
            .filter_map(|o| o.closed_at.map(|at| (o.helper, at)))
            .filter(|(_, at)| *at >= cooldown_start)
            .map(|(helper, at)| {
                (
                    helper,
                    Decline {
                        asker: ask.asker,
                        at,
                    },
                )
            })
            .collect();
        let session = match ask.state {
            AskState::Resolved { helper } => {
                let feedback = self.store.feedback(org, ask.id).await?;
                Some((helper, evidence_of(&ask, feedback.as_ref())))
            }
            _ => None,
        };
        let change = Change::Ask { org, ask: id };
        let Some((index, counted)) = self.loaded_or_defer(org, &change) else {
            return Ok(());
        };
        let mut rebuild = false;
        if let Ok(mut index) = index.write() {
            for (person, load) in loads {
                if let Ok(state) = index.state_mut(person) {
                    state.offers_today = load.last_day;
                    state.offers_this_week = load.last_week;
                    state.responsiveness = load.responsiveness;
                }
            }
            for (person, decline) in declines {
                if let Ok(state) = index.state_mut(person)
                    && !state.declines.contains(&decline)
                {
                    state.declines.push(decline);
                }
            }
            if let Some((helper, evidence)) = session
                && let Ok(mut counted) = counted.lock()
            {
                let content = evidence_content(&evidence);
                match counted.insert(evidence_key(helper, &evidence), content) {
                    None => add_evidence(&mut index, helper, &evidence),
                    // A session already counted, now with other content (the topics its helper
                    // confirmed): the old version cannot be taken out exactly, so the index is
                    // rebuilt. The same content again (the replay after a build, the feed
                    // bringing this node's own session back) changes nothing.
                    Some(before) if before != content => rebuild = true,
                    Some(_) => {}
                }
            }
        }
        if rebuild {
            self.invalidate(org);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_known_by_its_helper_learner_and_end() {
        let (helper, learner) = (PersonId::generate(), PersonId::generate());
        let session = |at: i64, text: &str| HelpEvidence {
            learner,
            text: text.into(),
            skills: Vec::new(),
            rating: None,
            at: Timestamp::from_millisecond(at).unwrap(),
        };
        assert_eq!(
            evidence_key(helper, &session(5, "a")),
            evidence_key(helper, &session(5, "b with topics"))
        );
        assert_ne!(
            evidence_key(helper, &session(5, "a")),
            evidence_key(helper, &session(6, "a"))
        );
        assert_ne!(
            evidence_key(learner, &session(5, "a")),
            evidence_key(helper, &session(5, "a"))
        );
    }

    #[test]
    fn a_session_content_is_its_skills_in_any_order_and_its_rating() {
        let (a, b) = (SkillId::generate(), SkillId::generate());
        let session = |skills: Vec<SkillId>, rating: Option<u8>| HelpEvidence {
            learner: PersonId::generate(),
            text: "how do pivot tables work".into(),
            skills,
            rating,
            at: Timestamp::UNIX_EPOCH,
        };
        let content = |skills, rating| evidence_content(&session(skills, rating));
        assert_eq!(
            content(vec![a, b], Some(5)),
            content(vec![b, a, b], Some(5))
        );
        assert_ne!(
            content(vec![a], Some(5)),
            content(vec![a, b], Some(5)),
            "a topic added"
        );
        assert_ne!(content(vec![a], Some(5)), content(vec![a], Some(4)));
    }
}
