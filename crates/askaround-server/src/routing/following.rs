//! The matcher index following the change feed: each announced change is read back from the
//! store and applied as absolute values where it can be (a helper's offer counts and answer
//! record, a profile), so a change applied twice, or late, leaves the index as the store has it.
//! Help sessions are the one thing counted, so the index remembers which ones it holds.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use jiff::{SignedDuration, Timestamp};

use askaround_core::asks::{Ask, AskState, OfferState};
use askaround_core::ids::{AskId, OrgId, PersonId, SkillId};
use askaround_core::matching::{Decline, HelpEvidence, MatchIndex};
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

/// What a counted session brings besides who and when: its skills (in any order, each once) and
/// rating. A session brought again with the same content changes nothing; with other content (the
/// learner's rating arrived, the helper confirmed its topics) the version counted is taken out
/// of the index and the new one counted, in place. Taking it out needs the old content itself,
/// not a digest of it (who, when and the ask's text never change for a session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SessionContent {
    skills: Box<[SkillId]>,
    rating: Option<u8>,
}

impl SessionContent {
    pub fn of(evidence: &HelpEvidence) -> Self {
        let mut skills = evidence.skills.clone();
        skills.sort_unstable();
        skills.dedup();
        Self {
            skills: skills.into_boxed_slice(),
            rating: evidence.rating,
        }
    }

    /// The session `evidence` as it was counted with this content.
    fn applied_to(&self, evidence: &HelpEvidence) -> HelpEvidence {
        HelpEvidence {
            skills: self.skills.to_vec(),
            rating: self.rating,
            ..evidence.clone()
        }
    }
}

/// Counts a help session in `index` once, whoever brings it how often: new, it is added; known
/// with other content, the old version is replaced in place (no rebuild); known as it is,
/// nothing changes.
pub(super) fn count_session(
    index: &mut MatchIndex,
    counted: &mut HashMap<u64, SessionContent>,
    helper: PersonId,
    evidence: &HelpEvidence,
) {
    let content = SessionContent::of(evidence);
    match counted.insert(evidence_key(helper, evidence), content.clone()) {
        None => add_evidence(index, helper, evidence),
        Some(before) if before != content => {
            if let Err(e) = index.remove_evidence(helper, &before.applied_to(evidence)) {
                tracing::debug!(error = %e, "evidence for a person the matcher does not know");
            }
            add_evidence(index, helper, evidence);
        }
        Some(_) => {}
    }
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
                count_session(&mut index, &mut counted, helper, &evidence);
            }
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
        let content = |skills, rating| SessionContent::of(&session(skills, rating));
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
