//! Ranking one ask: expertise from the postings, then gates, the relationship prior, fairness, and
//! reasons for the few candidates returned.

use jiff::{SignedDuration, Timestamp};

use super::ask::{Ask, Asker};
use super::clock::LocalClock;
use super::config::{MatchConfig, TeamPreference};
use super::expertise::Relevance;
use super::fairness::{self, Contender};
use super::gates::{GateContext, works_in_window};
use super::index::MatchIndex;
use super::outcome::{GateReport, MatchOutcome, RankedCandidate};
use super::prior::AskerContext;
use super::reasons::ReasonContext;
use super::shortlist::{Passed, Screen};

/// Candidates kept for fairness beyond the limit: enough for load spreading to find similar fits.
const FAIRNESS_POOL_FACTOR: usize = 3;
const MIN_FAIRNESS_POOL: usize = 30;
/// Available people scored exactly per candidate asked for, at least `MIN_EXAMINE`: enough that
/// the relationship prior (which the estimate leaves out) can reorder the best fits, few enough
/// that exact scoring never grows with the organisation.
const EXAMINE_PER_RESULT: usize = 15;
const MIN_EXAMINE: usize = 150;

impl MatchIndex {
    /// Ranks the people who could help with `ask` right now. Never panics, whatever the input:
    /// an empty ask or an unknown skill gives an empty list and a report that explains it.
    pub fn rank(
        &self,
        ask: &Ask,
        asker: &Asker,
        now: Timestamp,
        config: &MatchConfig,
    ) -> MatchOutcome {
        self.rank_pruned(ask, asker, now, config, true)
    }

    /// [`Self::rank`] without leaving anyone out early: every person reached is screened. The
    /// same outcome, slower; for the benchmark that measures what the pruning saves.
    #[doc(hidden)]
    pub fn rank_exhaustive(
        &self,
        ask: &Ask,
        asker: &Asker,
        now: Timestamp,
        config: &MatchConfig,
    ) -> MatchOutcome {
        self.rank_pruned(ask, asker, now, config, false)
    }

    /// Forgets who works in which window, as if every ranking from now on were the first in a
    /// new window: for the benchmark that measures what that first ranking costs.
    #[doc(hidden)]
    pub fn forget_windows(&self) {
        self.outside_hours.clear();
    }

    /// [`Self::rank`], with or without leaving out early the people who cannot be relevant (see
    /// [`MatchIndex::accumulate`]); tests check that both give the same outcome.
    pub(super) fn rank_pruned(
        &self,
        ask: &Ask,
        asker: &Asker,
        now: Timestamp,
        config: &MatchConfig,
        prune: bool,
    ) -> MatchOutcome {
        let query = self.prepare(ask, &config.expertise);
        let clocks: Vec<LocalClock> = self
            .zones
            .values()
            .iter()
            .map(|z| LocalClock::at(now, z))
            .collect();
        let languages: Vec<u32> = match &ask.language {
            // A language nobody in the index speaks still counts: it makes everyone a mismatch.
            Some(l) => vec![self.languages.lookup(l.primary()).unwrap_or(u32::MAX)],
            None => asker
                .languages
                .iter()
                .filter_map(|l| self.languages.lookup(l.primary()))
                .collect(),
        };
        let asker_ctx = AskerContext {
            team: asker.team.as_deref().and_then(|t| self.teams.lookup(t)),
            location: asker
                .location
                .as_deref()
                .and_then(|l| self.places.lookup(l)),
            languages: &languages,
            urgency: ask.urgency,
        };
        let gate_ctx = GateContext {
            asker: asker.id,
            now,
            urgency: ask.urgency,
            decline_cooldown: SignedDuration::from_hours(
                i64::from(config.gates.decline_cooldown_days) * 24,
            ),
            clocks: &clocks,
            hours: self.hours.values(),
        };

        // Working or not in the ask's window, once per (zone, hours) pair rather than per person.
        let working: Vec<bool> = self
            .schedules
            .values()
            .iter()
            .map(
                |&(zone, hours)| match (clocks.get(zone as usize), self.hours.get(hours)) {
                    (Some(&clock), Some(hours)) => works_in_window(hours, clock, ask.urgency),
                    _ => false,
                },
            )
            .collect();
        let limit = config.limit;
        let wanted = (limit * FAIRNESS_POOL_FACTOR).max(MIN_FAIRNESS_POOL);
        let outside = self.outside_hours.get(&working, &self.availability);
        let screen = Screen {
            gates: &gate_ctx,
            working: &working,
            outside: &outside,
            asker_slot: self.by_id.get(&asker.id).copied(),
            asker: &asker_ctx,
            weights: &config.expertise,
            prior: &config.prior,
            relevance_floor: config.relevance_floor as f32,
            word_relevance_floor: config.word_relevance_floor as f32,
            examine: (limit * EXAMINE_PER_RESULT).max(MIN_EXAMINE).max(wanted),
            now,
        };
        let relevance = Relevance {
            text: screen.word_relevance_floor.clamp(0.0, 1.0),
            skill: screen.relevance_floor.clamp(0.0, 1.0),
            keep: screen.asker_slot,
        };
        let screened = self.accumulate(&query, prune.then_some(relevance), |touched| {
            // Every test's ranking also checks the screening against the gates' plain rules.
            #[cfg(test)]
            let reference = self.screen_reference(touched, &screen);
            let screened = self.screen(touched, &screen);
            #[cfg(test)]
            assert_eq!(
                (screened.removed, screened.relevant, screened.available),
                reference,
                "screening disagrees with the gates applied one person at a time"
            );
            screened
        });

        let mut contenders = self.contenders(screened.passed, wanted);
        fairness::apply(&mut contenders, &config.fairness, ask.seed, limit);
        contenders.truncate(limit);

        let reason_ctx = ReasonContext {
            query: &query,
            clocks: &clocks,
            asker: &asker_ctx,
            cross_team: matches!(config.prior.team, TeamPreference::CrossTeam(_)),
        };
        let candidates = contenders
            .into_iter()
            .filter_map(|c| {
                let record = self.record_of(c.person)?;
                Some(RankedCandidate {
                    person: c.person,
                    score: finite(c.score),
                    expertise: finite(c.expertise),
                    prior: finite(c.prior),
                    explored: c.explored,
                    reasons: self.reasons(record, &reason_ctx, c.explored),
                })
            })
            .collect();
        let topic = query
            .asked
            .first()
            .and_then(|id| self.taxonomy.get(*id))
            .map(|s| s.name.as_str());
        MatchOutcome {
            candidates,
            gates: GateReport::from_counts(
                &screened.removed,
                screened.relevant,
                screened.available,
                topic,
                ask.urgency,
            ),
            skills: query.asked.clone(),
        }
    }

    /// The best `pool` contenders by score, best first, plus the best newcomer outside them (the
    /// one exploring may promote).
    fn contenders(&self, passed: Vec<Passed>, pool: usize) -> Vec<Contender> {
        // Scores are relative to the best expertise so that `exp` stays in range however large
        // the log-scores grow.
        let best = passed
            .iter()
            .map(|p| p.log_expertise)
            .fold(f32::NEG_INFINITY, f32::max);
        let mut all: Vec<Contender> = passed
            .iter()
            .filter_map(|p| {
                let record = self.record(p.slot)?;
                let load = if record.weekly_budget == 0 {
                    1.0
                } else {
                    f64::from(record.state.offers_this_week) / f64::from(record.weekly_budget)
                };
                Some(Contender {
                    person: record.id,
                    score: finite(f64::from(p.log_expertise - best).exp() * p.prior),
                    expertise: f64::from(p.log_expertise).exp(),
                    prior: p.prior,
                    load,
                    newcomer: p.newcomer,
                    explored: false,
                })
            })
            .collect();
        let by_score = |a: &Contender, b: &Contender| {
            b.score.total_cmp(&a.score).then(a.person.cmp(&b.person))
        };
        if all.len() > pool {
            all.select_nth_unstable_by(pool - 1, by_score);
            let newcomer = all[pool..]
                .iter()
                .filter(|c| c.newcomer)
                .max_by(|a, b| by_score(b, a))
                .copied();
            all.truncate(pool);
            all.extend(newcomer);
        }
        all.sort_by(by_score);
        all
    }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x.max(0.0) } else { 0.0 }
}
