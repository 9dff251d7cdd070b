//! Building an organisation's index from a snapshot of the store: the people in the order that
//! gives those who share skills neighbouring slots, their live state, then each helper's sessions
//! at once and the lists compacted.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use askaround_core::ids::{OrgId, PersonId};
use askaround_core::matching::{
    CandidateProfile, CandidateState, HelpEvidence, IndexOptions, MatchIndex, OutOfOffice,
    locality_order,
};
use askaround_store::MatcherSnapshot;

use super::Matchers;
use crate::error::ApiResult;
use crate::routing::following::{self, SessionContent};

impl Matchers {
    pub(super) async fn build(
        &self,
        org: OrgId,
    ) -> ApiResult<(MatchIndex, HashMap<u64, SessionContent>)> {
        let now = Timestamp::now();
        let taxonomy = self.taxonomies.get(self.store.as_ref(), org).await?;
        let snapshot = self
            .store
            .matcher_snapshot(
                org,
                now - SignedDuration::from_hours(24),
                now - SignedDuration::from_hours(24 * 7),
                now - SignedDuration::from_hours(24 * i64::from(self.decline_cooldown_days)),
            )
            .await?;
        #[cfg(test)]
        if let Some(barrier) = self.held.after_snapshot.lock().ok().and_then(|b| b.clone()) {
            barrier.wait().await;
            barrier.wait().await;
        }
        // The sessions counted, so that a session brought again (by the feed, or by the replay
        // of changes made during a build) is not counted twice.
        let evidence = snapshot
            .evidence
            .iter()
            .map(|(helper, e)| {
                let key = following::evidence_key(*helper, e);
                (key, SessionContent::of(e))
            })
            .collect();
        let elsewhere = self.connected_elsewhere(org).await?;
        let index = self.fill(
            MatchIndex::new(taxonomy, IndexOptions::default()),
            snapshot,
            &elsewhere,
        );
        Ok((index, evidence))
    }

    /// The index of `snapshot`; `elsewhere` are the people connected to other nodes.
    fn fill(
        &self,
        mut index: MatchIndex,
        snapshot: MatcherSnapshot,
        elsewhere: &HashSet<PersonId>,
    ) -> MatchIndex {
        let mut states: HashMap<PersonId, CandidateState> =
            HashMap::with_capacity(snapshot.profiles.len());
        // In the order that gives people who share skills neighbouring slots (rankings of broad
        // asks read fewer cache lines).
        let order = locality_order(&snapshot.profiles, |p| p.skills.iter().map(|s| s.skill_id));
        for profile in order.into_iter().filter_map(|i| snapshot.profiles.get(i)) {
            index.upsert_profile(&CandidateProfile::from_profile(profile));
        }
        for profile in &snapshot.profiles {
            let connected =
                self.hub.is_connected(profile.person.id) || elsewhere.contains(&profile.person.id);
            states.insert(
                profile.person.id,
                CandidateState {
                    presence: profile.person.presence.effective(connected),
                    out_of_office: profile.person.out_of_office.map(ooo),
                    ..CandidateState::default()
                },
            );
        }
        for (person, load) in snapshot.load {
            if let Some(state) = states.get_mut(&person) {
                state.offers_today = load.last_day;
                state.offers_this_week = load.last_week;
                state.responsiveness = load.responsiveness;
            }
        }
        for (person, decline) in snapshot.declines {
            if let Some(state) = states.get_mut(&person) {
                state.declines.push(decline);
            }
        }
        for (person, state) in states {
            // Every person was just upserted, so this cannot miss.
            let _ = index.set_state(person, state);
        }
        // Each helper's sessions at once (their postings rewritten once, not once per session),
        // then the lists compacted: linear in the history, and rankings start from lists with
        // no stale entries.
        // A stable sort keeps each helper's sessions in the store's order, and every node
        // builds the same index from the same rows.
        let mut evidence = snapshot.evidence;
        evidence.sort_by_key(|(helper, _)| *helper);
        for run in evidence.chunk_by(|a, b| a.0 == b.0) {
            let Some((helper, _)) = run.first() else {
                continue;
            };
            if let Err(e) = index.add_evidence_batch(*helper, run.iter().map(|(_, e)| e)) {
                tracing::debug!(error = %e, "evidence for a person the matcher does not know");
            }
        }
        index.compact();
        index
    }
}

pub fn ooo(o: askaround_core::presence::OutOfOffice) -> OutOfOffice {
    OutOfOffice {
        from: o.from,
        until: o.until,
    }
}

/// Evidence for someone no longer in the index (deleted) is simply not counted.
pub fn add_evidence(index: &mut MatchIndex, helper: PersonId, evidence: &HelpEvidence) {
    if let Err(e) = index.add_evidence(helper, evidence) {
        tracing::debug!(error = %e, "evidence for a person the matcher does not know");
    }
}
