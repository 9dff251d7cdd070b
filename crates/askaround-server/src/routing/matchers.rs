//! The matcher's in-memory index, one per organisation: built from the store on first use,
//! updated in place as people edit profiles, change presence, receive offers and finish help
//! sessions, and rebuilt when the taxonomy changes or the rolling offer counts grow stale.
//!
//! With a change feed (several nodes) the index follows the feed instead ([`super::following`]):
//! every node, the writer included, applies each announced change once, read back from the store.
//!
//! Building an index reads the organisation's whole history (tens of seconds at 100,000 people
//! and a million past asks), so only a request that finds no index at all waits for one, and
//! concurrent callers that find none wait for one build instead of each starting their own;
//! [`super::warming::keep_warm`] builds every organisation's index in the background when the
//! node starts, and rebuilds held indexes before they grow old (how a build reads the store is in
//! `matchers_build.rs`). An index that is stale (older than an hour, built for an older taxonomy,
//! or predating a change of the whole organisation: a bulk import, a reconnected feed, see
//! [`Matchers::invalidate`]) goes on serving while one rebuild in the background replaces it:
//! slightly old candidates beat an ask that hangs for half a minute. A bulk import by another
//! process (`askaround import`) bumps the organisation's version, so the next use notices. A
//! background rebuild that fails leaves the old index serving; a use a few seconds later tries
//! again.
//!
//! A build reads a snapshot, and writes committed while it runs may be missing from it. So while
//! an organisation's index is being built, every change made to it (by this node's requests or
//! announced by the feed) reaches the index still serving, if any, and is also kept; once the new
//! index is in place those changes are read back from the store and applied on top
//! ([`Matchers::follow`]: absolute values, sessions counted once), with or without a feed. A
//! change of the whole organisation kept that way marks the new index stale at once, so the next
//! use rebuilds it again rather than losing the change.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use askaround_core::ids::{AskId, OrgId, PersonId};
use askaround_core::matching::{CandidateProfile, HelpEvidence, MatchIndex};
use askaround_core::person::Profile;
use askaround_store::{Change, Store};

use super::following::SessionContent;
use crate::error::ApiResult;
use crate::live::Hub;
use crate::state::TaxonomyCache;

/// Offer counts are rolling (last 24 hours, last 7 days): a rebuild every so often lets old
/// offers fall out of them.
const REFRESH_AFTER: Duration = Duration::from_secs(3600);
/// After a background rebuild failed, requests go on with the old index this long before one
/// tries again: a failing store should not be asked for the whole history on every request.
const RETRY_AFTER: Duration = Duration::from_secs(10);

pub type SharedIndex = Arc<RwLock<MatchIndex>>;

/// Which help sessions an index counts (see [`super::following::evidence_key`]), so that a
/// session announced by the feed is not counted again when the snapshot already had it.
/// Each is kept with its content ([`SessionContent`]), so that a session brought again with new
/// content replaces the version counted.
pub(super) type EvidenceKeys = Arc<Mutex<HashMap<u64, SessionContent>>>;

struct Entry {
    taxonomy_version: i64,
    built: Instant,
    index: SharedIndex,
    evidence: EvidenceKeys,
    /// A change of the whole organisation may be missing from it ([`Matchers::invalidate`]).
    /// It is kept rather than dropped: it serves, and follows changes, until its replacement
    /// is in place.
    stale: bool,
    /// When a background rebuild to replace it last failed (see [`RETRY_AFTER`]).
    failed: Option<Instant>,
}

impl Entry {
    fn fresh(&self, taxonomy_version: i64, max_age: Duration) -> bool {
        !self.stale && self.taxonomy_version == taxonomy_version && self.built.elapsed() < max_age
    }
}

/// Cloning gives another handle on the same indexes: a rebuild in the background holds one, as
/// it outlives the request that started it.
#[derive(Clone)]
pub struct Matchers {
    pub(super) store: Arc<dyn Store>,
    pub(super) hub: Arc<Hub>,
    /// This node among the nodes, for presence `auto` across them.
    pub(super) presence: Arc<super::presence::NodePresence>,
    taxonomies: Arc<TaxonomyCache>,
    pub(super) decline_cooldown_days: u32,
    held: Arc<Held>,
}

/// The indexes and what goes with them, shared by every handle.
struct Held {
    entries: Mutex<HashMap<OrgId, Entry>>,
    /// Set when the index follows a change feed: then requests no longer update it themselves,
    /// so no change is counted twice.
    followed: AtomicBool,
    /// Changes made while an organisation's index was being built: its snapshot may have been
    /// read before they were committed, so they are applied on top once it is in place.
    building: Mutex<HashMap<OrgId, Vec<Change>>>,
    /// One build at a time per organisation, held for the whole build and the replay after it:
    /// a caller with no index waits for the build under way rather than starting another, and
    /// a stale index gets at most one rebuild in the background.
    builds: Mutex<HashMap<OrgId, Arc<tokio::sync::Mutex<()>>>>,
    /// Tests hold a build here twice, right after its snapshot is read: once to learn that it
    /// was read, once to let the build go on after writing something the snapshot lacks.
    #[cfg(test)]
    after_snapshot: Mutex<Option<Arc<tokio::sync::Barrier>>>,
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
            presence: Arc::default(),
            held: Arc::new(Held {
                entries: Mutex::new(HashMap::new()),
                followed: AtomicBool::new(false),
                building: Mutex::new(HashMap::new()),
                builds: Mutex::new(HashMap::new()),
                #[cfg(test)]
                after_snapshot: Mutex::new(None),
            }),
        }
    }

    /// From now on what is counted (offers, answers, help sessions) reaches the indexes through
    /// the change feed only.
    pub(crate) fn follow_feed(&self) {
        self.held.followed.store(true, Ordering::Release);
    }

    pub(super) fn is_followed(&self) -> bool {
        self.held.followed.load(Ordering::Acquire)
    }

    /// The organisation's index. Only when none is held does this wait for one to be built;
    /// a stale one is returned at once, and replaced in the background.
    pub async fn index(&self, org: OrgId) -> ApiResult<SharedIndex> {
        let version = self.store.taxonomy_version(org).await?;
        // Twice round at most: indexes are never dropped, so after its turn this caller finds
        // the one built by whoever had the turn before, or builds one itself.
        loop {
            if let Some(index) = self.serving(org, version) {
                return Ok(index);
            }
            let gate = self.gate(org);
            let _turn = gate.lock().await;
            if !self.is_held(org) {
                return self.rebuild(org, version).await;
            }
        }
    }

    /// The organisation's index if it was built less than `max_age` ago for the current
    /// taxonomy and is not stale; otherwise waits for a new one (after the build under way, if
    /// any). For [`super::warming::keep_warm`], which rebuilds one organisation after another.
    pub(super) async fn index_younger_than(
        &self,
        org: OrgId,
        max_age: Duration,
    ) -> ApiResult<SharedIndex> {
        let version = self.store.taxonomy_version(org).await?;
        if let Some(index) = self.fresh(org, version, max_age) {
            return Ok(index);
        }
        let gate = self.gate(org);
        let _turn = gate.lock().await;
        // Someone else may have built it while this caller waited for its turn.
        if let Some(index) = self.fresh(org, version, max_age) {
            return Ok(index);
        }
        self.rebuild(org, version).await
    }

    /// The turn to build `org`'s index.
    fn gate(&self, org: OrgId) -> Arc<tokio::sync::Mutex<()>> {
        // Nothing can panic while the map is held, and a fresh gate would let builds overlap.
        let mut builds = self
            .held
            .builds
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        builds.entry(org).or_default().clone()
    }

    /// The index held for `org`, if any. If it is stale, one rebuild in the background is
    /// started unless a build is under way or the last one failed a moment ago.
    fn serving(&self, org: OrgId, version: i64) -> Option<SharedIndex> {
        let (index, rebuild) = {
            let entries = self.held.entries.lock().ok()?;
            let entry = entries.get(&org)?;
            let failed_lately = entry.failed.is_some_and(|at| at.elapsed() < RETRY_AFTER);
            (
                entry.index.clone(),
                !entry.fresh(version, REFRESH_AFTER) && !failed_lately,
            )
        };
        if rebuild {
            self.rebuild_in_background(org, version);
        }
        Some(index)
    }

    fn rebuild_in_background(&self, org: OrgId, version: i64) {
        // A build under way is left to finish: if it started too early to include what made
        // this index stale, its index is marked stale in turn and the next use comes back here.
        let Ok(turn) = self.gate(org).try_lock_owned() else {
            return;
        };
        let matchers = self.clone();
        tokio::spawn(async move {
            let _turn = turn;
            // A build that ended between the look and the turn may have done it already.
            if matchers.fresh(org, version, REFRESH_AFTER).is_some() {
                return;
            }
            if let Err(e) = matchers.rebuild(org, version).await {
                tracing::warn!(
                    org = %org,
                    error = %e,
                    "matcher index rebuild failed; the old index goes on serving"
                );
                if let Ok(mut entries) = matchers.held.entries.lock()
                    && let Some(entry) = entries.get_mut(&org)
                {
                    entry.failed = Some(Instant::now());
                }
            }
        });
    }

    /// Builds `org`'s index and puts it in place; the caller holds the turn ([`Self::gate`]).
    async fn rebuild(&self, org: OrgId, version: i64) -> ApiResult<SharedIndex> {
        if let Ok(mut building) = self.held.building.lock() {
            building.entry(org).or_default();
        }
        let started = Instant::now();
        let (index, evidence) = match self.build(org).await {
            Ok(built) => built,
            Err(e) => {
                self.stop_deferring(org);
                return Err(e);
            }
        };
        let index = Arc::new(RwLock::new(index));
        metrics::histogram!("askaround_matcher_build_seconds")
            .record(started.elapsed().as_secs_f64());
        if let Ok(mut entries) = self.held.entries.lock() {
            entries.insert(
                org,
                Entry {
                    taxonomy_version: version,
                    built: Instant::now(),
                    index: index.clone(),
                    evidence: Arc::new(Mutex::new(evidence)),
                    stale: false,
                    failed: None,
                },
            );
        }
        // Only now that the new index is in place do changes stop being kept: one made in
        // between reaches the new index directly and is applied again below, which is harmless.
        let missed = self.stop_deferring(org);
        let (count, replay) = (missed.len(), Instant::now());
        // Each change is read back from the store as it is now, so once is enough however often
        // it was announced; and after a change of the whole organisation nothing else matters:
        // replaying it only marks the new index stale (the next use rebuilds, nothing loops).
        let missed: Vec<Change> = if missed.iter().any(|c| matches!(c, Change::Org { .. })) {
            vec![Change::Org { org }]
        } else {
            let mut seen = HashSet::with_capacity(missed.len());
            missed
                .into_iter()
                .filter(|c| seen.insert(c.clone()))
                .collect()
        };
        for change in missed {
            if let Err(e) = self.follow(&change).await {
                tracing::warn!(error = %e, "matcher: could not follow a change; rebuilding");
                self.invalidate(org);
            }
        }
        tracing::info!(
            org = %org,
            read_and_built = (replay - started).as_secs_f64(),
            changes = count,
            replayed_in = replay.elapsed().as_secs_f64(),
            "matcher index in place with the changes made during its build"
        );
        Ok(index)
    }

    /// The changes kept during a build of `org`; from now on changes go to the index only.
    fn stop_deferring(&self, org: OrgId) -> Vec<Change> {
        self.held
            .building
            .lock()
            .ok()
            .and_then(|mut b| b.remove(&org))
            .unwrap_or_default()
    }

    /// Keeps `change` for the index of its organisation being built, if one is.
    fn defer(&self, org: OrgId, change: Change) {
        if let Ok(mut building) = self.held.building.lock()
            && let Some(missed) = building.get_mut(&org)
        {
            missed.push(change);
        }
    }

    /// The organisations whose index is in memory.
    pub(super) fn held_orgs(&self) -> Vec<OrgId> {
        self.held
            .entries
            .lock()
            .map(|e| e.keys().copied().collect())
            .unwrap_or_default()
    }

    fn is_held(&self, org: OrgId) -> bool {
        self.held.entries.lock().is_ok_and(|e| e.contains_key(&org))
    }

    /// Whether `org` has an index in memory or one being built: only then do changes matter.
    pub(super) fn holds(&self, org: OrgId) -> bool {
        self.is_held(org)
            || self
                .held
                .building
                .lock()
                .is_ok_and(|b| b.contains_key(&org))
    }

    /// The loaded index of `org` and its evidence keys, to apply `change` to. If a new index is
    /// being built meanwhile, the change is also kept for it: its snapshot may predate the change.
    pub(super) fn loaded_or_defer(
        &self,
        org: OrgId,
        change: &Change,
    ) -> Option<(SharedIndex, EvidenceKeys)> {
        self.defer(org, change.clone());
        self.loaded(org)
    }

    /// The index of `org` in memory, stale or not, and its evidence keys.
    fn loaded(&self, org: OrgId) -> Option<(SharedIndex, EvidenceKeys)> {
        self.held
            .entries
            .lock()
            .ok()
            .and_then(|e| e.get(&org).map(|e| (e.index.clone(), e.evidence.clone())))
    }

    fn fresh(&self, org: OrgId, version: i64, max_age: Duration) -> Option<SharedIndex> {
        let entries = self.held.entries.lock().ok()?;
        let entry = entries.get(&org)?;
        entry.fresh(version, max_age).then(|| entry.index.clone())
    }

    /// A change of the whole organisation (a bulk import, a reconnected feed): the index held
    /// may lack it, so it is marked stale, and the next use rebuilds it in the background while
    /// it goes on serving. An index being built meanwhile is marked stale too once it is in
    /// place: its snapshot may predate the change.
    pub fn invalidate(&self, org: OrgId) {
        // Kept before marking: a build that put its index in place in between then replays it,
        // marking that index instead. The other way round, that index would escape both.
        self.defer(org, Change::Org { org });
        if let Ok(mut entries) = self.held.entries.lock()
            && let Some(entry) = entries.get_mut(&org)
        {
            entry.stale = true;
        }
    }

    /// Applies `change` to the index if it is loaded, even a stale one (it serves until its
    /// replacement is in place); an unloaded index will read the change from the store when it
    /// is built.
    fn with_loaded(&self, org: OrgId, change: impl FnOnce(&mut MatchIndex)) {
        if let Some((index, _)) = self.loaded(org)
            && let Ok(mut index) = index.write()
        {
            change(&mut index);
        }
    }

    /// A profile edit: skills, hours, budget, presence, out of office. Applied at once even when
    /// following a feed, so the next request on this node sees it: it sets values rather than
    /// counting, so the feed bringing it again changes nothing.
    pub async fn person_changed(&self, profile: &Profile) {
        self.apply_profile(profile).await;
        self.defer_person(profile);
    }

    fn defer_person(&self, profile: &Profile) {
        let (org, person) = (profile.person.org_id, profile.person.id);
        self.defer(org, Change::Person { org, person });
    }

    pub(super) async fn apply_profile(&self, profile: &Profile) {
        let connected = self
            .connected(profile.person.org_id, profile.person.id)
            .await;
        self.with_loaded(profile.person.org_id, |index| {
            index.upsert_profile(&CandidateProfile::from_profile(profile));
            if let Ok(state) = index.state_mut(profile.person.id) {
                state.presence = profile.person.presence.effective(connected);
                state.out_of_office = profile.person.out_of_office.map(ooo);
            }
        });
    }

    /// After a committed transition of `ask`: offers sent, answers given, help finished. These
    /// are counted, so when following a feed only the feed brings them (once, whichever node
    /// committed them).
    pub fn record(&self, org: OrgId, ask: AskId, update: impl FnOnce(&mut MatchIndex)) {
        if !self.is_followed() {
            self.with_loaded(org, update);
        }
        self.defer(org, Change::Ask { org, ask });
    }

    /// Sets values of `people` that do not count anything (applying them twice is harmless), so
    /// they apply at once on this node even when the feed brings them again.
    pub fn set(&self, org: OrgId, people: &[PersonId], update: impl FnOnce(&mut MatchIndex)) {
        if people.is_empty() {
            return;
        }
        self.with_loaded(org, update);
        for person in people {
            self.defer(
                org,
                Change::Person {
                    org,
                    person: *person,
                },
            );
        }
    }

    /// A help session (of `ask`) just finished on this node. It counts only if the index does not
    /// hold it yet, so the feed, or the replay after a build, bringing it again does not count it
    /// twice.
    pub fn add_session(&self, org: OrgId, ask: AskId, helper: PersonId, session: &HelpEvidence) {
        self.defer(org, Change::Ask { org, ask });
        let Some((index, counted)) = self.loaded(org) else {
            return;
        };
        if let Ok(mut index) = index.write()
            && let Ok(mut counted) = counted.lock()
        {
            super::following::count_session(&mut index, &mut counted, helper, session);
        }
    }
}

pub use build::{add_evidence, ooo};

#[path = "matchers_build.rs"]
mod build;

#[cfg(test)]
#[path = "matchers_tests.rs"]
mod tests;
