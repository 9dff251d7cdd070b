//! Ranking one ask: expertise from the postings, then gates, the relationship prior, fairness, and
//! reasons for the few candidates returned.

use jiff::{SignedDuration, Timestamp};

use super::ask::{Ask, Asker};
use super::clock::LocalClock;
use super::config::{MatchConfig, TeamPreference};
use super::fairness::{self, Contender};
use super::gates::{Gate, GateContext, first_gate};
use super::index::MatchIndex;
use super::outcome::{GateReport, MatchOutcome, RankedCandidate};
use super::postings::Slot;
use super::prior::{AskerContext, prior};
use super::reasons::ReasonContext;

/// Candidates kept for fairness beyond the limit: enough for load spreading to find similar fits.
const FAIRNESS_POOL_FACTOR: usize = 3;
const MIN_FAIRNESS_POOL: usize = 30;
/// People examined exactly per candidate asked for, at least `MIN_EXAMINE`: enough that the gates
/// rarely empty a chunk, few enough that a ranking never touches most of a large organisation.
const EXAMINE_PER_RESULT: usize = 25;
const MIN_EXAMINE: usize = 250;

/// A relevant person who passed every gate.
struct Passed {
    slot: Slot,
    log_expertise: f32,
    prior: f64,
    newcomer: bool,
}

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

        let limit = config.limit;
        let wanted = (limit * FAIRNESS_POOL_FACTOR).max(MIN_FAIRNESS_POOL);
        let asker_slot = self.by_id.get(&asker.id).copied();
        let mut counts = [0u32; Gate::ALL.len()];
        let mut relevant = 0u32;
        let passed: Vec<Passed> =
            self.accumulate(&query, &config.expertise, |touched, channels| {
                let (mut best_text, mut best_skill) = (0.0f32, 0.0f32);
                for &slot in touched {
                    let c = channels(slot);
                    best_text = best_text.max(c.text);
                    best_skill = best_skill.max(c.skill);
                }
                // Relevance is topical only (a busy helper must not make everyone else look irrelevant):
                // a fair share of the best word match or of the best skill match.
                let share = config.relevance_floor.clamp(0.0, 1.0) as f32;
                let mut pool: Vec<(f32, Slot)> = touched
                    .iter()
                    .filter_map(|&slot| {
                        let c = channels(slot);
                        let topical = (best_text > 0.0 && c.text >= share * best_text)
                            || (best_skill > 0.0 && c.skill >= share * best_skill);
                        (topical || Some(slot) == asker_slot)
                            .then(|| (self.estimate(slot, c, &config.expertise), slot))
                    })
                    .collect();
                // Exact scoring, gates and prior cost a record access each: do them for the best
                // estimates only, a chunk at a time, until enough people passed the gates.
                let by_estimate =
                    |a: &(f32, Slot), b: &(f32, Slot)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
                let chunk = (limit * EXAMINE_PER_RESULT).max(MIN_EXAMINE);
                let mut passed = Vec::new();
                while !pool.is_empty() && passed.len() < wanted {
                    let take = chunk.min(pool.len());
                    if take < pool.len() {
                        pool.select_nth_unstable_by(take - 1, by_estimate);
                    }
                    let rest = pool.split_off(take);
                    for (_, slot) in pool {
                        let Some(record) = self.record(slot) else {
                            continue;
                        };
                        let c = channels(slot);
                        if record.id != asker.id {
                            relevant += 1;
                        }
                        match first_gate(&gate_ctx, record) {
                            Some(gate) => {
                                counts[Gate::ALL.iter().position(|g| *g == gate).unwrap_or(0)] += 1
                            }
                            None => passed.push(Passed {
                                slot,
                                log_expertise: self.log_expertise(
                                    record,
                                    c,
                                    now,
                                    &config.expertise,
                                ),
                                prior: prior(record, &asker_ctx, &config.prior).factor(),
                                newcomer: record.activity.helps == 0 && c.skill > 0.0,
                            }),
                        }
                    }
                    pool = rest;
                }
                passed
            });

        let available = u32::try_from(passed.len()).unwrap_or(u32::MAX);
        let mut contenders = self.contenders(passed, wanted);
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
            gates: GateReport::from_counts(&counts, relevant, available, topic, ask.urgency),
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
