//! Routing asks: the bridge between the pure state machine (`askaround_core::asks`), the matcher
//! and the store. Every change to an ask goes through [`Routing::commit`]: the event is applied to
//! the latest stored ask, the effects become an outbox, and the store writes both in one
//! conditional transaction; a writer that loses the race reloads and tries again.

mod board;
pub mod cards;
pub mod dispatcher;
mod following;
pub mod matchers;
mod outbox;
mod presence;
pub mod warming;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use tokio::sync::{Notify, mpsc};

use askaround_core::asks::{
    self, Ask, Candidate, Effect, Event, NewAsk, Refusal, Response, RoutingPolicy, Timer,
    Transition,
};
use askaround_core::ids::{AskId, ConversationId, OfferId, OrgId, PersonId};
use askaround_core::matching::{
    self, Asker, Decline, MatchConfig, MatchOutcome, Presence, Urgency,
};
use askaround_core::person::Profile;
use askaround_store::{
    Committed, CreatedAsk, DueTimer, MatcherJob, NewFeedback, Outbox, Store, StoreError,
};

use crate::error::{ApiError, ApiResult};
use crate::live::Hub;
use crate::state::TaxonomyCache;
use cards::{AskCard, PersonCard};
use matchers::Matchers;

/// Concurrent writers on one ask retry this many times before giving up.
const MAX_ATTEMPTS: usize = 16;

#[derive(Debug)]
pub enum RoutingError {
    /// The state machine said no; the person is told why.
    Refused(Refusal),
    Failed(ApiError),
}

impl From<StoreError> for RoutingError {
    fn from(e: StoreError) -> Self {
        RoutingError::Failed(e.into())
    }
}

impl From<ApiError> for RoutingError {
    fn from(e: ApiError) -> Self {
        RoutingError::Failed(e)
    }
}

/// What a commit needs beyond the transition itself.
#[derive(Default)]
struct Extras {
    done_job: Option<i64>,
    reasons: HashMap<OfferId, String>,
    feedback: Option<NewFeedback>,
    /// The timer whose firing caused this transition; always removed with it.
    fired: Option<Timer>,
}

enum CommitError {
    Conflict,
    Failed(ApiError),
}

impl From<ApiError> for CommitError {
    fn from(e: ApiError) -> Self {
        CommitError::Failed(e)
    }
}

pub struct Routing {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    taxonomies: Arc<TaxonomyCache>,
    pub matchers: Matchers,
    pub policy: RoutingPolicy,
    pub match_config: MatchConfig,
    wake: Notify,
    /// When the sweeper plans to look at the timers next.
    next_sweep: Mutex<Option<Timestamp>>,
    /// Jobs created by this node's commits, answered by the dispatcher's workers.
    jobs: mpsc::UnboundedSender<MatcherJob>,
    job_queue: Mutex<Option<mpsc::UnboundedReceiver<MatcherJob>>>,
}

impl Routing {
    pub fn new(
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        taxonomies: Arc<TaxonomyCache>,
        policy: RoutingPolicy,
    ) -> Self {
        let match_config = MatchConfig::default();
        let (jobs, job_queue) = mpsc::unbounded_channel();
        Self {
            next_sweep: Mutex::new(None),
            jobs,
            job_queue: Mutex::new(Some(job_queue)),
            matchers: Matchers::new(
                store.clone(),
                hub.clone(),
                taxonomies.clone(),
                match_config.gates.decline_cooldown_days,
            ),
            store,
            hub,
            taxonomies,
            policy,
            match_config,
            wake: Notify::new(),
        }
    }

    /// A new job this node just created is held (leased) by it from the start and answered at
    /// once through the in-process queue, so routing never waits for the dispatcher's sweep.
    fn hold_new_job(&self, outbox: &mut Outbox, now: Timestamp) {
        if outbox.find_candidates.is_some() {
            outbox.job_lease_until = Some(now + dispatcher::INLINE_LEASE);
        }
    }

    /// A timer was stored: wake the sweeper only if it is due before the sweeper's next look.
    fn scheduled(&self, due: Timestamp) {
        let wake = self
            .next_sweep
            .lock()
            .map(|next| next.is_none_or(|n| due < n))
            .unwrap_or(true);
        if wake {
            self.wake.notify_one();
        }
    }

    pub(crate) fn planned_sweep(&self, at: Option<Timestamp>) {
        if let Ok(mut next) = self.next_sweep.lock() {
            *next = at;
        }
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    pub(crate) fn take_job_queue(&self) -> Option<mpsc::UnboundedReceiver<MatcherJob>> {
        self.job_queue.lock().ok().and_then(|mut q| q.take())
    }

    /// Creates an ask; with an `Idempotency-Key` used before by this asker, returns that ask
    /// instead (`false`).
    pub async fn create(
        &self,
        org: OrgId,
        asker: &Profile,
        new: NewAsk,
        key: Option<&str>,
    ) -> ApiResult<(Ask, bool)> {
        let now = Timestamp::now();
        let transition = asks::create(AskId::generate(), asker.person.id, new, now);
        let taxonomy = self.taxonomies.get(self.store.as_ref(), org).await?;
        let card = AskCard::of(&transition.ask, asker, &taxonomy);
        let ctx = outbox::Context {
            card: &card,
            people: &HashMap::new(),
            reasons: &HashMap::new(),
            board_message: None,
            snooze_after: self.policy.snooze_after_ignored,
            done_job: None,
            feedback: None,
        };
        let (mut outbox, _) = outbox::build(ctx, &transition);
        self.hold_new_job(&mut outbox, now);
        match self
            .store
            .create_ask(org, &transition.ask, key, &outbox, now)
            .await?
        {
            CreatedAsk::Created(committed) => {
                self.after_commit(org, &transition, committed, None);
                metrics::counter!("askaround_asks_created_total").increment(1);
                Ok((transition.ask, true))
            }
            CreatedAsk::Existing(ask) => Ok((*ask, false)),
        }
    }

    /// Applies a person's event (accept, decline, cancel, ...) to the latest state of the ask.
    pub async fn act(
        &self,
        org: OrgId,
        ask: AskId,
        event: impl Fn(&Ask) -> Result<Event, RoutingError>,
        feedback: Option<NewFeedback>,
    ) -> Result<(Ask, Option<ConversationId>), RoutingError> {
        for _ in 0..MAX_ATTEMPTS {
            let current = self.store.ask(org, ask).await?;
            let transition =
                asks::apply(&current, event(&current)?, Timestamp::now(), &self.policy)
                    .map_err(RoutingError::Refused)?;
            let extras = Extras {
                feedback: feedback.clone(),
                ..Extras::default()
            };
            let after = transition.ask.clone();
            match self.commit(org, &current, transition, extras).await {
                Ok(conversation) => return Ok((after, conversation)),
                Err(CommitError::Conflict) => continue,
                Err(CommitError::Failed(e)) => return Err(RoutingError::Failed(e)),
            }
        }
        Err(RoutingError::Failed(ApiError::Internal(anyhow::anyhow!(
            "the ask kept changing; gave up after {MAX_ATTEMPTS} attempts"
        ))))
    }

    /// Answers a matcher job: ranks colleagues for the ask's current wave and offers it to the
    /// best who have not had it yet.
    pub async fn run_job(&self, job: &MatcherJob) -> ApiResult<()> {
        for _ in 0..MAX_ATTEMPTS {
            let current = self.store.ask(job.org_id, job.ask_id).await?;
            let outcome = self.rank(job.org_id, &current, current.urgency).await?;
            let mut reasons = HashMap::new();
            let candidates: Vec<Candidate> = outcome
                .candidates
                .iter()
                .filter(|c| c.person != current.asker && !current.was_offered_to(c.person))
                .take(self.policy.offers_per_wave as usize)
                .map(|c| {
                    let offer = OfferId::generate();
                    reasons.insert(offer, c.summary());
                    Candidate {
                        helper: c.person,
                        offer,
                    }
                })
                .collect();
            let event = Event::Candidates {
                wave: job.wave,
                candidates,
            };
            let transition = match asks::apply(&current, event, Timestamp::now(), &self.policy) {
                Ok(t) => t,
                Err(Refusal::Stale) => return Ok(self.store.drop_job(job.id).await?),
                Err(other) => {
                    tracing::warn!(ask = %job.ask_id, refusal = %other, "matcher job refused; dropped");
                    return Ok(self.store.drop_job(job.id).await?);
                }
            };
            let extras = Extras {
                done_job: Some(job.id),
                reasons,
                ..Extras::default()
            };
            match self.commit(job.org_id, &current, transition, extras).await {
                Ok(_) => return Ok(()),
                Err(CommitError::Conflict) => continue,
                Err(CommitError::Failed(e)) => return Err(e),
            }
        }
        Err(ApiError::Internal(anyhow::anyhow!(
            "ask {} kept changing while routing",
            job.ask_id
        )))
    }

    /// Delivers a durable timer. Timers fire at least once; a late or repeated one is dropped.
    pub async fn fire(&self, due: &DueTimer) -> ApiResult<()> {
        for _ in 0..MAX_ATTEMPTS {
            let current = match self.store.ask(due.org_id, due.ask_id).await {
                Ok(ask) => ask,
                Err(StoreError::NotFound) => {
                    return Ok(self.store.drop_timer(due.ask_id, due.timer).await?);
                }
                Err(e) => return Err(e.into()),
            };
            let transition = match asks::apply(
                &current,
                Event::Deadline(due.timer),
                Timestamp::now(),
                &self.policy,
            ) {
                Ok(t) => t,
                Err(_) => return Ok(self.store.drop_timer(due.ask_id, due.timer).await?),
            };
            let extras = Extras {
                fired: Some(due.timer),
                ..Extras::default()
            };
            match self.commit(due.org_id, &current, transition, extras).await {
                Ok(_) => return Ok(()),
                Err(CommitError::Conflict) => continue,
                Err(CommitError::Failed(e)) => return Err(e),
            }
        }
        Err(ApiError::Internal(anyhow::anyhow!(
            "ask {} kept changing while its timer fired",
            due.ask_id
        )))
    }

    /// Ranks colleagues for an ask (also used by the preview endpoint).
    pub async fn rank(&self, org: OrgId, ask: &Ask, urgency: Urgency) -> ApiResult<MatchOutcome> {
        let asker = self.store.person(org, ask.asker).await?;
        let query = matching::Ask {
            text: ask.text.as_str().to_owned(),
            skills: ask.skills.as_slice().to_vec(),
            urgency,
            language: asker.person.languages.first().cloned(),
            seed: seed_of(ask.id),
        };
        self.rank_for(org, &asker, &query).await
    }

    pub async fn rank_for(
        &self,
        org: OrgId,
        asker: &Profile,
        query: &matching::Ask,
    ) -> ApiResult<MatchOutcome> {
        let index = self.matchers.index(org).await?;
        let who = Asker {
            id: asker.person.id,
            team: asker.person.team.clone(),
            location: asker.person.location.clone(),
            languages: asker.person.languages.clone(),
        };
        let config = MatchConfig {
            // Room to skip people already offered this ask.
            limit: (self.policy.offers_per_wave * (self.policy.max_waves + 1)) as usize,
            ..self.match_config.clone()
        };
        let outcome = index
            .read()
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("matcher index poisoned")))?
            .rank(query, &who, Timestamp::now(), &config);
        Ok(outcome)
    }

    async fn commit(
        &self,
        org: OrgId,
        before: &Ask,
        transition: Transition,
        extras: Extras,
    ) -> Result<Option<ConversationId>, CommitError> {
        let now = Timestamp::now();
        let asker = self
            .store
            .person(org, before.asker)
            .await
            .map_err(ApiError::from)?;
        let taxonomy = self.taxonomies.get(self.store.as_ref(), org).await?;
        let card = AskCard::of(&transition.ask, &asker, &taxonomy);
        let people = self.people_mentioned(org, &transition).await?;
        let board_message = if transition.effects.iter().any(|e| {
            matches!(
                e,
                Effect::NotifyAsker {
                    notice: asks::AskerNotice::OnBoard { .. }
                }
            )
        }) {
            Some(board::message(self, org, &transition.ask, now).await?)
        } else {
            None
        };
        let ctx = outbox::Context {
            card: &card,
            people: &people,
            reasons: &extras.reasons,
            board_message,
            snooze_after: self.policy.snooze_after_ignored,
            done_job: extras.done_job,
            feedback: extras.feedback.clone(),
        };
        let (mut outbox, conversation) = outbox::build(ctx, &transition);
        if let Some(timer) = extras.fired {
            outbox.unschedule.push(timer);
        }
        self.hold_new_job(&mut outbox, now);
        let earliest = outbox.schedule.iter().map(|(_, due)| *due).min();
        match self
            .store
            .commit_transition(org, before.version, &transition.ask, &outbox, now)
            .await
        {
            Ok(committed) => {
                self.after_commit(org, &transition, committed, extras.feedback.as_ref());
                if let Some(due) = earliest {
                    self.scheduled(due);
                }
                Ok(conversation)
            }
            Err(StoreError::VersionConflict) => Err(CommitError::Conflict),
            Err(e) => Err(CommitError::Failed(e.into())),
        }
    }

    /// Cards of the helpers and referrers the effects name.
    async fn people_mentioned(
        &self,
        org: OrgId,
        transition: &Transition,
    ) -> ApiResult<HashMap<PersonId, PersonCard>> {
        let mut ids: Vec<PersonId> = Vec::new();
        for effect in &transition.effects {
            match effect {
                Effect::NotifyAsker {
                    notice: asks::AskerNotice::Matched { helper },
                } => ids.push(*helper),
                Effect::SendOffer { offer, .. } => {
                    if let Some(by) = transition.ask.offer(*offer).and_then(|o| o.referred_by) {
                        ids.push(by);
                    }
                }
                _ => {}
            }
        }
        let mut out = HashMap::new();
        for id in ids {
            if let Ok(profile) = self.store.person(org, id).await {
                out.insert(id, PersonCard::of(&profile));
            }
        }
        Ok(out)
    }

    /// Pushes the committed events (or, following a change feed, wakes the follower that pushes
    /// them) and keeps the matcher's view of load and responsiveness current (following a feed,
    /// the feed brings the counts; see [`Matchers::record`]).
    fn after_commit(
        &self,
        org: OrgId,
        transition: &Transition,
        committed: Committed,
        feedback: Option<&NewFeedback>,
    ) {
        self.hub.deliver(&committed.events);
        if let Some(job) = committed.job.clone() {
            // The receiver lives as long as the dispatcher; without one the lease still
            // guarantees the job is answered by a later sweep.
            let _ = self.jobs.send(job);
        }
        let now = Timestamp::now();
        let ask = &transition.ask;
        self.matchers.record(org, ask.id, |index| {
            for effect in &transition.effects {
                match effect {
                    Effect::SendOffer { helper, .. } => {
                        if let Ok(state) = index.state_mut(*helper) {
                            state.offers_today = state.offers_today.saturating_add(1);
                            state.offers_this_week = state.offers_this_week.saturating_add(1);
                            state.responsiveness.offers += 1;
                        }
                    }
                    Effect::RecordResponse { helper, response } => {
                        if let Ok(state) = index.state_mut(*helper) {
                            match response {
                                Response::Accepted { .. } => state.responsiveness.accepted += 1,
                                Response::Ignored => state.responsiveness.ignored += 1,
                                Response::Declined { .. } => state.declines.push(Decline {
                                    asker: ask.asker,
                                    at: now,
                                }),
                                Response::Passed | Response::Referred { .. } => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
        });
        if let Some(f) = feedback {
            let session = following::session(ask, &f.learned, &[], Some(f.rating));
            self.matchers.add_session(org, ask.id, f.helper, &session);
        }
        self.matchers.set(org, &committed.snoozed, |index| {
            for person in &committed.snoozed {
                if let Ok(state) = index.state_mut(*person) {
                    state.presence = Presence::DoNotDisturb;
                }
            }
        });
        if !committed.snoozed.is_empty() {
            let notices: Vec<_> = committed
                .snoozed
                .iter()
                .map(|person| {
                    outbox::event(
                        *person,
                        "helper.snoozed",
                        serde_json::json!({"message": format!(
                            "You let {} offers in a row go unanswered, so we have paused offers for you (do not disturb). Set yourself available when you are ready.",
                            self.policy.snooze_after_ignored
                        )}),
                    )
                })
                .collect();
            let (store, hub) = (self.store.clone(), self.hub.clone());
            tokio::spawn(async move {
                match store.append_events(org, &notices, Timestamp::now()).await {
                    Ok(records) => hub.deliver(&records),
                    Err(e) => tracing::warn!(error = %e, "could not tell snoozed helpers"),
                }
            });
        }
    }
}

/// The same ask always gets the same fairness choices (a preview and the real routing agree).
fn seed_of(id: AskId) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}
