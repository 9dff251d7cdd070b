//! The speed figures from asks held in memory ([`askaround_core::insights::ask_facts`]), one set
//! per organisation, kept current from a backend's log of changed asks ([`AskLog`]).
//!
//! Shared by both backends; only the log differs. An organisation's asks are read once, when its
//! figures are first needed (or when the server warms them at start). Before every use, the
//! changes logged since the last one are read and the asks they name read back as they are now,
//! whoever wrote them: this process, another node, `askaround import`. Applying a change twice
//! is harmless, so a backend may hand an ask back more than once (a change logged while the asks
//! were being read, or PostgreSQL re-reading everything that might not have been committed last
//! time). When the log no longer holds what this process needs (pruned by another process), it
//! forgets what it held and reads again.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use async_trait::async_trait;

use askaround_core::ids::{AskId, OrgId, PersonId};
use askaround_core::insights::Scope;
use askaround_core::insights::ask_facts::{
    AskFact, AskFacts, AskFactsBuilder, SpeedQuery, SpeedTotals,
};
use askaround_core::insights::raw::{AskStats, SkillRef, SpeedRaw};

use crate::{StoreError, StoreResult};

/// What a backend's log says happened after a reader's cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes<C> {
    /// These asks may have changed (each perhaps more than once, or not at all); `next` is
    /// where to read from afterwards, and `more` says whether the log holds more already.
    Asks {
        asks: Vec<AskId>,
        next: C,
        more: bool,
    },
    /// Entries this reader had not read are gone: read every organisation again and follow the
    /// log from `next`.
    Pruned { next: C },
}

/// A backend's log of changed asks, and the reads the figures need.
#[async_trait]
pub trait AskLog: Send + Sync {
    /// Where a reader stands in the log.
    type Cursor: Copy + Debug + Send + Sync + 'static;
    /// Where the log stands now: a reader that starts here misses nothing committed after the
    /// organisations it then reads in full.
    async fn start(&self) -> StoreResult<Self::Cursor>;
    /// What changed after `after`.
    async fn changes(&self, after: Self::Cursor) -> StoreResult<Changes<Self::Cursor>>;
    /// Every ask of `org`, as it is now.
    async fn read_org(&self, org: OrgId) -> StoreResult<AskFacts>;
    /// These asks as they are now, with their organisation; those gone are left out. An ask
    /// that cannot be read (a corrupt row) is left out too, with a warning, rather than failing
    /// every later read.
    async fn read_asks(&self, asks: &[AskId]) -> StoreResult<Vec<(OrgId, AskFact)>>;
    /// Every organisation.
    async fn orgs(&self) -> StoreResult<Vec<OrgId>>;
    /// The people a team or location filter selects; `None` without a filter.
    async fn people_in_scope(
        &self,
        org: OrgId,
        scope: &Scope,
    ) -> StoreResult<Option<Vec<PersonId>>>;
    /// Drops entries no reader should need any more; this reader has applied up to `applied`.
    async fn prune(&self, applied: Self::Cursor) -> StoreResult<()>;
}

/// The asks of every organisation read so far, and where this process stands in the log.
pub struct SpeedFacts<C> {
    state: Arc<tokio::sync::Mutex<State<C>>>,
}

impl<C> Default for SpeedFacts<C> {
    fn default() -> Self {
        Self {
            state: Arc::new(tokio::sync::Mutex::new(State {
                cursor: None,
                orgs: HashMap::new(),
            })),
        }
    }
}

struct State<C> {
    /// Where to read the log from; `None` until it is first read.
    cursor: Option<C>,
    orgs: HashMap<OrgId, Arc<RwLock<AskFacts>>>,
}

impl<C: Copy + Debug + Send + Sync + 'static> SpeedFacts<C> {
    /// The speed aggregates of `org` over `scope`, from its asks as they are now.
    pub async fn totals<L: AskLog<Cursor = C>>(
        &self,
        log: &L,
        org: OrgId,
        scope: &Scope,
        askers_cap: u64,
    ) -> StoreResult<SpeedTotals> {
        let mut state = self.state.clone().lock_owned().await;
        state.catch_up(log).await?;
        let facts = state.facts_of(log, org).await?;
        let people = log.people_in_scope(org, scope).await?;
        let (from_ms, to_ms, clock) = (scope.from_ms(), scope.to_ms(), scope.clock.clone());
        // One pass over up to a million asks is CPU work: off the async threads. The pass holds
        // the state's lock, so nothing writes to these facts while they are read, even if the
        // request is dropped meanwhile (a catch-up would otherwise wait on the facts' own lock
        // on an async thread).
        tokio::task::spawn_blocking(move || {
            let _state = state;
            let facts = facts.read().map_err(|_| poisoned())?;
            let askers = people.map(|people| facts.people_set(people));
            Ok::<_, StoreError>(facts.speed(&SpeedQuery {
                from_ms,
                to_ms,
                clock: &clock,
                askers: askers.as_ref(),
                askers_cap,
            }))
        })
        .await
        .map_err(|e| StoreError::Backend(format!("speed figures: {e}").into()))?
    }

    /// Reads every organisation's asks not held yet, applies the changes logged since the last
    /// call, and prunes the log. Returns the organisations read in full.
    pub async fn keep_current<L: AskLog<Cursor = C>>(&self, log: &L) -> StoreResult<usize> {
        let mut state = self.state.lock().await;
        state.catch_up(log).await?;
        let mut read = 0;
        for org in log.orgs().await? {
            if !state.orgs.contains_key(&org) {
                state.facts_of(log, org).await?;
                read += 1;
            }
        }
        if let Some(cursor) = state.cursor {
            log.prune(cursor).await?;
        }
        Ok(read)
    }
}

impl<C: Copy + Debug + Send + Sync + 'static> State<C> {
    /// The facts of `org`, read in full if not held yet (after [`State::catch_up`], so that
    /// changes logged from then on are applied on top).
    async fn facts_of<L: AskLog<Cursor = C>>(
        &mut self,
        log: &L,
        org: OrgId,
    ) -> StoreResult<Arc<RwLock<AskFacts>>> {
        if let Some(facts) = self.orgs.get(&org) {
            return Ok(facts.clone());
        }
        let started = Instant::now();
        let facts = log.read_org(org).await?;
        tracing::info!(
            org = %org,
            asks = facts.len(),
            mib = facts.heap_bytes() / (1 << 20),
            seconds = started.elapsed().as_secs_f64(),
            "insights: asks read into memory for the speed figures"
        );
        let facts = Arc::new(RwLock::new(facts));
        self.orgs.insert(org, facts.clone());
        Ok(facts)
    }

    /// Applies every change logged after the cursor.
    async fn catch_up<L: AskLog<Cursor = C>>(&mut self, log: &L) -> StoreResult<()> {
        let Some(mut cursor) = self.cursor else {
            // First use: nothing is held, so only where the log stands matters.
            self.cursor = Some(log.start().await?);
            return Ok(());
        };
        loop {
            match log.changes(cursor).await? {
                Changes::Pruned { next } => {
                    tracing::warn!(
                        cursor = ?cursor,
                        "insights: changes to asks were pruned before this process read them; \
                         reading the asks again"
                    );
                    self.orgs.clear();
                    self.cursor = Some(next);
                    return Ok(());
                }
                Changes::Asks { asks, next, more } => {
                    if !self.orgs.is_empty() && !asks.is_empty() {
                        self.apply(log, asks).await?;
                    }
                    self.cursor = Some(next);
                    cursor = next;
                    if !more {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Reads these asks as they are now into the organisations held.
    async fn apply<L: AskLog<Cursor = C>>(&mut self, log: &L, asks: Vec<AskId>) -> StoreResult<()> {
        let asks: Vec<AskId> = asks
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut current: HashMap<OrgId, Vec<AskFact>> = HashMap::new();
        for (org, fact) in log.read_asks(&asks).await? {
            current.entry(org).or_default().push(fact);
        }
        // Gone, unreadable, or now another organisation's: out of every other organisation.
        for (org, facts) in &self.orgs {
            let mut facts = facts.write().map_err(|_| poisoned())?;
            let current = current.remove(org).unwrap_or_default();
            let mine: HashSet<AskId> = current.iter().map(|f| f.id).collect();
            let gone: Vec<AskId> = asks
                .iter()
                .filter(|id| !mine.contains(id))
                .copied()
                .collect();
            facts.apply(&current, &gone);
        }
        Ok(())
    }
}

/// The figures with each skill's name (`names` by id as text; a skill without one gets an empty
/// name), skills in the order reports list them.
pub fn named(totals: SpeedTotals, names: &HashMap<String, String>) -> SpeedRaw {
    let mut by_skill: Vec<(SkillRef, AskStats)> = totals
        .by_skill
        .into_iter()
        .map(|(id, stats)| {
            let name = names.get(&id.0.to_string()).cloned().unwrap_or_default();
            (SkillRef { id, name }, stats)
        })
        .collect();
    by_skill.sort_by(|(a, _), (b, _)| a.cmp(b));
    SpeedRaw {
        overall: totals.overall,
        by_hour: totals.by_hour,
        by_skill,
    }
}

/// An organisation's asks as a backend streams them ([`AskLog::read_org`]). A row that cannot
/// be read (a corrupt row) is left out with one warning for all, rather than failing every
/// later read.
pub struct OrgReader {
    org: OrgId,
    facts: AskFactsBuilder,
    unreadable: usize,
}

impl OrgReader {
    /// For about `asks` asks (a count taken just before).
    pub fn new(org: OrgId, asks: i64) -> Self {
        // A few more for asks made while reading.
        let room = usize::try_from(asks).unwrap_or(0) + 1024;
        Self {
            org,
            facts: AskFactsBuilder::with_capacity(room),
            unreadable: 0,
        }
    }

    pub fn push(&mut self, fact: StoreResult<AskFact>) {
        match fact {
            Ok(fact) => self.facts.push(&fact),
            Err(e) => self.unreadable += skipped(&e),
        }
    }

    pub fn finish(self) -> AskFacts {
        if self.unreadable > 0 {
            tracing::warn!(
                org = %self.org,
                unreadable = self.unreadable,
                "insights: asks left out of the speed figures"
            );
        }
        self.facts.finish()
    }
}

/// The changed asks a backend could read ([`AskLog::read_asks`]), the others left out with one
/// warning for all.
pub fn readable(
    asks: impl IntoIterator<Item = StoreResult<(OrgId, AskFact)>>,
) -> Vec<(OrgId, AskFact)> {
    let mut unreadable = 0;
    let found = asks
        .into_iter()
        .filter_map(|ask| ask.map_err(|e| unreadable += skipped(&e)).ok())
        .collect();
    if unreadable > 0 {
        tracing::warn!(
            unreadable,
            "insights: changed asks left out of the speed figures"
        );
    }
    found
}

/// One ask left out; logged once per batch.
fn skipped(e: &StoreError) -> usize {
    tracing::debug!(error = %e, "insights: an ask could not be read for the speed figures");
    1
}

fn poisoned() -> StoreError {
    StoreError::Backend("the speed figures' lock was poisoned by a panic".into())
}
