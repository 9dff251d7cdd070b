//! The matcher's in-memory index, one per organisation: built from the store on first use,
//! updated in place as people edit profiles, change presence, receive offers and finish help
//! sessions, and rebuilt when the taxonomy changes or the rolling offer counts grow stale.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use askaround_core::ids::{OrgId, PersonId};
use askaround_core::matching::{
    CandidateProfile, CandidateState, HelpEvidence, IndexOptions, MatchIndex, OutOfOffice,
};
use askaround_core::person::Profile;
use askaround_store::{MatcherSnapshot, Store};

use crate::error::ApiResult;
use crate::live::Hub;
use crate::state::TaxonomyCache;

/// Offer counts are rolling (last 24 hours, last 7 days): a rebuild every so often lets old
/// offers fall out of them.
const REFRESH_AFTER: Duration = Duration::from_secs(3600);

pub type SharedIndex = Arc<RwLock<MatchIndex>>;

struct Entry {
    taxonomy_version: i64,
    built: Instant,
    index: SharedIndex,
}

pub struct Matchers {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    taxonomies: Arc<TaxonomyCache>,
    decline_cooldown_days: u32,
    entries: Mutex<HashMap<OrgId, Entry>>,
}

impl Matchers {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        taxonomies: Arc<TaxonomyCache>,
        decline_cooldown_days: u32,
    ) -> Self {
        Self {
            store,
            hub,
            taxonomies,
            decline_cooldown_days,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The organisation's index, built (or rebuilt) if needed.
    pub async fn index(&self, org: OrgId) -> ApiResult<SharedIndex> {
        let version = self.store.taxonomy_version(org).await?;
        if let Some(index) = self.fresh(org, version) {
            return Ok(index);
        }
        let started = Instant::now();
        let index = Arc::new(RwLock::new(self.build(org).await?));
        metrics::histogram!("askaround_matcher_build_seconds")
            .record(started.elapsed().as_secs_f64());
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(
                org,
                Entry {
                    taxonomy_version: version,
                    built: Instant::now(),
                    index: index.clone(),
                },
            );
        }
        Ok(index)
    }

    fn fresh(&self, org: OrgId, version: i64) -> Option<SharedIndex> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&org)?;
        (entry.taxonomy_version == version && entry.built.elapsed() < REFRESH_AFTER)
            .then(|| entry.index.clone())
    }

    /// Forgets an organisation's index (after a bulk import); the next use rebuilds it.
    pub fn invalidate(&self, org: OrgId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&org);
        }
    }

    /// Applies `change` to the index if it is loaded; an unloaded index will read the change
    /// from the store when it is built.
    fn with_loaded(&self, org: OrgId, change: impl FnOnce(&mut MatchIndex)) {
        let index = self
            .entries
            .lock()
            .ok()
            .and_then(|e| e.get(&org).map(|e| e.index.clone()));
        if let Some(index) = index
            && let Ok(mut index) = index.write()
        {
            change(&mut index);
        }
    }

    /// A profile edit: skills, hours, budget, presence, out of office.
    pub fn person_changed(&self, profile: &Profile) {
        let connected = self.hub.is_connected(profile.person.id);
        self.with_loaded(profile.person.org_id, |index| {
            index.upsert_profile(&CandidateProfile::from_profile(profile));
            if let Ok(state) = index.state_mut(profile.person.id) {
                state.presence = profile.person.presence.effective(connected);
                state.out_of_office = profile.person.out_of_office.map(ooo);
            }
        });
    }

    /// A socket opened or closed; matters for people whose presence is `auto`.
    pub fn connection_changed(&self, profile: &Profile) {
        let connected = self.hub.is_connected(profile.person.id);
        self.with_loaded(profile.person.org_id, |index| {
            if let Ok(state) = index.state_mut(profile.person.id) {
                state.presence = profile.person.presence.effective(connected);
            }
        });
    }

    /// After a committed transition: offers sent, answers given, help finished.
    pub fn record(&self, org: OrgId, update: impl FnOnce(&mut MatchIndex)) {
        self.with_loaded(org, update);
    }

    async fn build(&self, org: OrgId) -> ApiResult<MatchIndex> {
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
        Ok(self.fill(MatchIndex::new(taxonomy, IndexOptions::default()), snapshot))
    }

    fn fill(&self, mut index: MatchIndex, snapshot: MatcherSnapshot) -> MatchIndex {
        let mut states: HashMap<PersonId, CandidateState> =
            HashMap::with_capacity(snapshot.profiles.len());
        for profile in &snapshot.profiles {
            index.upsert_profile(&CandidateProfile::from_profile(profile));
            let connected = self.hub.is_connected(profile.person.id);
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
        for (helper, evidence) in snapshot.evidence {
            add_evidence(&mut index, helper, &evidence);
        }
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
