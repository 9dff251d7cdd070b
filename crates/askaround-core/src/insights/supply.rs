//! Skills supply and demand: what people ask for, who can help, and where asks go unmet.

use serde::Serialize;
use utoipa::ToSchema;

use super::privacy::{may_show, people_count};
use super::raw::{SkillRef, SkillSupply};
use super::stats::ratio;

/// Skills in the "top unmet" list.
pub const TOP_UNMET: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillDemand {
    pub skill: SkillRef,
    /// Asks for the skill; this and the next two are `null` when fewer than 5 people asked.
    pub asks: Option<u64>,
    pub answered_share: Option<f64>,
    /// Asks that went to the board and nobody took.
    pub unmet: Option<u64>,
    /// Active people who list the skill (available helpers).
    pub holders: Option<u64>,
    /// People who had helped with it by the end of the range.
    pub helpers_to_date: Option<u64>,
    /// People who helped with it for the first time in the range (growth).
    pub new_helpers: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillsReport {
    /// Every skill asked for or newly helped with in the range, most asked first.
    pub skills: Vec<SkillDemand>,
    /// Where to hire, train or recruit helpers: most unmet asks first.
    pub top_unmet: Vec<SkillDemand>,
}

pub fn skills(raw: &[SkillSupply]) -> SkillsReport {
    let mut rows: Vec<(u64, u64, SkillDemand)> = raw
        .iter()
        .map(|s| {
            let shown = may_show(s.askers);
            let demand = SkillDemand {
                skill: s.skill.clone(),
                asks: (shown || s.asks == 0).then_some(s.asks),
                answered_share: ratio(s.answered, s.asks).filter(|_| shown),
                unmet: shown.then_some(s.unmet),
                holders: people_count(s.holders),
                helpers_to_date: people_count(s.helpers_to_date),
                new_helpers: people_count(s.new_helpers),
            };
            (s.asks, if shown { s.unmet } else { 0 }, demand)
        })
        .collect();
    rows.sort_by(|(a, _, ra), (b, _, rb)| b.cmp(a).then_with(|| ra.skill.name.cmp(&rb.skill.name)));
    let mut unmet: Vec<&(u64, u64, SkillDemand)> = rows.iter().filter(|(_, u, _)| *u > 0).collect();
    unmet
        .sort_by(|(_, a, ra), (_, b, rb)| b.cmp(a).then_with(|| ra.skill.name.cmp(&rb.skill.name)));
    let top_unmet = unmet
        .into_iter()
        .take(TOP_UNMET)
        .map(|(_, _, d)| d.clone())
        .collect();
    SkillsReport {
        skills: rows.into_iter().map(|(_, _, d)| d).collect(),
        top_unmet,
    }
}
