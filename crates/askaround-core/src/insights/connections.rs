//! Connections across the organisation: which teams help which (silo bridging).

use std::collections::BTreeSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::privacy::covering;
use super::raw::TeamLink;
use super::stats::ratio;

/// How people without a team are labelled in the matrix.
pub const NO_TEAM: &str = "(no team)";

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LinkCell {
    pub learner_team: String,
    pub helper_team: String,
    /// Asks matched in the range; `null` when the cell covers fewer than 5 people.
    pub asks: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Connections {
    /// Every team in the matrix, sorted; rows are learners' teams, columns helpers'.
    pub teams: Vec<String>,
    /// Non-empty cells only.
    pub cells: Vec<LinkCell>,
    /// Asks matched in the range.
    pub matched: Option<u64>,
    /// Share of matched asks (both teams known) whose helper was in another team.
    pub cross_team_share: Option<f64>,
}

pub fn connections(raw: &[TeamLink]) -> Connections {
    let name = |t: &Option<String>| t.clone().unwrap_or_else(|| NO_TEAM.to_owned());
    let teams: BTreeSet<String> = raw
        .iter()
        .flat_map(|l| [name(&l.learner_team), name(&l.helper_team)])
        .collect();
    let mut cells: Vec<LinkCell> = raw
        .iter()
        .map(|l| LinkCell {
            learner_team: name(&l.learner_team),
            helper_team: name(&l.helper_team),
            asks: covering(l.people, l.asks),
        })
        .collect();
    cells.sort_by(|a, b| (&a.learner_team, &a.helper_team).cmp(&(&b.learner_team, &b.helper_team)));
    // Distinct people overall are at least those of the largest cell; when no cell reaches 5,
    // the whole is hidden rather than guessed.
    let widest = raw.iter().map(|l| l.people).max().unwrap_or(0);
    let matched: u64 = raw.iter().map(|l| l.asks).sum();
    let known: Vec<&TeamLink> = raw
        .iter()
        .filter(|l| l.learner_team.is_some() && l.helper_team.is_some())
        .collect();
    let crossing: u64 = known
        .iter()
        .filter(|l| l.learner_team != l.helper_team)
        .map(|l| l.asks)
        .sum();
    let known_asks: u64 = known.iter().map(|l| l.asks).sum();
    Connections {
        teams: teams.into_iter().collect(),
        cells,
        matched: covering(widest, matched),
        cross_team_share: ratio(crossing, known_asks).and_then(|s| covering(widest, s)),
    }
}
