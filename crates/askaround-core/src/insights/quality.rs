//! Quality: how learners rated the help and what they say they learned.

use serde::Serialize;
use utoipa::ToSchema;

use super::privacy::{may_show, people_count};
use super::raw::{QualityRaw, SkillRef};
use super::stats::ratio;

/// Ratings of 4 or 5 count as good.
pub const GOOD_RATING: u8 = 4;
/// Skills shown in "what people learned".
pub const TOP_LEARNED: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RatingCell {
    pub rating: u8,
    /// Ratings given; `null` when 1–4 learners gave them.
    pub count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LearnedSkill {
    pub skill: SkillRef,
    /// Times learners named it.
    pub times: u64,
    pub learners: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Quality {
    /// Ratings 1 to 5, in order.
    pub ratings: Vec<RatingCell>,
    /// Ratings given in the range; `null` when fewer than 5 learners rated.
    pub rated: Option<u64>,
    /// Share of ratings of 4 or 5.
    pub good_share: Option<f64>,
    /// The skills learned most, each named by at least 5 learners.
    pub learned: Vec<LearnedSkill>,
}

pub fn quality(raw: &QualityRaw) -> Quality {
    let shown = may_show(raw.learners);
    let ratings = (1..=5)
        .map(|rating| {
            let (count, learners) = raw
                .ratings
                .iter()
                .find(|(r, _, _)| *r == rating)
                .map_or((0, 0), |(_, c, l)| (*c, *l));
            RatingCell {
                rating,
                count: people_count(learners).map(|_| count).filter(|_| shown),
            }
        })
        .collect();
    let rated: u64 = raw.ratings.iter().map(|(_, c, _)| c).sum();
    let good: u64 = raw
        .ratings
        .iter()
        .filter(|(r, _, _)| *r >= GOOD_RATING)
        .map(|(_, c, _)| c)
        .sum();
    let mut learned: Vec<LearnedSkill> = raw
        .learned
        .iter()
        .filter(|(_, _, learners)| may_show(*learners))
        .map(|(skill, times, learners)| LearnedSkill {
            skill: skill.clone(),
            times: *times,
            learners: *learners,
        })
        .collect();
    learned.sort_by(|a, b| {
        b.times
            .cmp(&a.times)
            .then_with(|| a.skill.name.cmp(&b.skill.name))
    });
    learned.truncate(TOP_LEARNED);
    Quality {
        ratings,
        rated: shown.then_some(rated),
        good_share: ratio(good, rated).filter(|_| shown),
        learned,
    }
}
