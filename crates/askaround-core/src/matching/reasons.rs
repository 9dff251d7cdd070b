//! Reasons a candidate is on the list, in the words a person would use. Built only for the few
//! candidates returned, so they may take their time.

use super::ask::Urgency;
use super::clock::LocalClock;
use super::index::MatchIndex;
use super::outcome::Reason;
use super::prior::{AskerContext, speaks};
use super::query::Query;
use super::record::{Record, SkillStat};

/// Most words listed in a "knows about" reason.
const MAX_WORDS: usize = 3;

pub(super) struct ReasonContext<'a> {
    pub query: &'a Query,
    pub clocks: &'a [LocalClock],
    pub asker: &'a AskerContext<'a>,
    /// The asker's team would make an "in another team" reason meaningful.
    pub cross_team: bool,
}

impl MatchIndex {
    pub(super) fn reasons(
        &self,
        record: &Record,
        ctx: &ReasonContext<'_>,
        explored: bool,
    ) -> Vec<Reason> {
        let mut out = Vec::new();
        let name = |stat: &SkillStat| self.taxonomy.get(stat.skill).map(|s| s.name.clone());
        let relevant: Vec<&SkillStat> = ctx
            .query
            .skills
            .iter()
            .filter_map(|(id, _)| record.skill(*id))
            .collect();
        let helped = relevant
            .iter()
            .filter(|s| s.helped > 0)
            .max_by_key(|s| s.helped);
        let declared = relevant
            .iter()
            .filter(|s| s.declared.is_some())
            .max_by_key(|s| s.declared);
        match helped.and_then(|s| name(s).map(|n| (n, s))) {
            Some((skill, stat)) => out.push(Reason::HelpedWith {
                skill,
                sessions: stat.helped,
                rating: stat.average_rating(),
            }),
            None if record.activity.helps > 0 => out.push(Reason::Helped {
                sessions: record.activity.helps,
                rating: (record.activity.rated > 0)
                    .then(|| record.activity.rating_sum as f32 / record.activity.rated as f32),
            }),
            None => {}
        }
        if let Some((skill, level)) = declared.and_then(|s| Some((name(s)?, s.declared?))) {
            out.push(Reason::Declared { skill, level });
        }
        if helped.is_none() && declared.is_none() {
            let words = self.matching_words(record, ctx.query);
            if !words.is_empty() {
                out.push(Reason::Words { words });
            }
        }
        if explored {
            out.push(Reason::Newcomer);
        }
        if ctx.asker.urgency == Urgency::Now {
            out.push(Reason::Presence {
                presence: record.state.presence,
            });
        }
        if let Some(clock) = ctx.clocks.get(record.zone as usize) {
            let place = record
                .location
                .and_then(|l| self.places.get(l).cloned())
                .or_else(|| {
                    self.zones
                        .get(record.zone)
                        .map(|z| city_of_zone(z.as_str()))
                });
            if let Some(place) = place {
                out.push(Reason::LocalTime {
                    time: clock.hh_mm(),
                    place,
                });
            }
        }
        out.push(Reason::Budget {
            used: record.state.offers_this_week,
            budget: record.weekly_budget,
        });
        if speaks(record, ctx.asker.languages) == Some(true) {
            let spoken = record
                .languages
                .iter()
                .find(|l| ctx.asker.languages.contains(l));
            if let Some(language) = spoken.and_then(|l| self.languages.get(*l)) {
                out.push(Reason::Speaks {
                    language: language.clone(),
                });
            }
        }
        if let Some(team) = record.team.and_then(|t| self.teams.get(t))
            && ctx.cross_team
            && record.team != ctx.asker.team
        {
            out.push(Reason::OtherTeam { team: team.clone() });
        }
        out
    }

    /// The ask's most telling words that this person's profile or history contains.
    fn matching_words(&self, record: &Record, query: &Query) -> Vec<String> {
        let has =
            |bag: &[(u32, f32)], term: u32| bag.binary_search_by(|(t, _)| t.cmp(&term)).is_ok();
        query
            .terms
            .iter()
            .filter(|(t, _)| has(&record.profile_terms, *t) || has(&record.evidence_terms, *t))
            .filter_map(|(t, _)| self.term_names.get(*t as usize).map(|n| n.to_string()))
            .take(MAX_WORDS)
            .collect()
    }
}

/// "Europe/Lisbon" → "Lisbon", "America/New_York" → "New York".
fn city_of_zone(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}
