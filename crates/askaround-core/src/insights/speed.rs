//! Speed and reach: how many asks were answered, how fast, at what cost in interruptions, and
//! how many needed the board; overall, by local hour of day and by skill.

use serde::Serialize;
use utoipa::ToSchema;

use super::privacy::may_show;
use super::raw::{AskStats, SkillRef, SpeedRaw};
use super::stats::{percentile, ratio};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SpeedFigures {
    /// Asks created; every figure is `null` when fewer than 5 people asked them.
    pub asks: Option<u64>,
    pub answered_share: Option<f64>,
    pub board_share: Option<f64>,
    /// Seconds to the first accept (two significant digits), of answered asks.
    pub accept_p50_secs: Option<i64>,
    pub accept_p90_secs: Option<i64>,
    /// Seconds to resolution (two significant digits), of resolved asks.
    pub resolution_p50_secs: Option<i64>,
    pub resolution_p90_secs: Option<i64>,
    /// People interrupted (offers sent) per ask, median.
    pub interrupted_median: Option<i64>,
}

impl SpeedFigures {
    pub fn of(stats: &AskStats) -> Self {
        let shown = may_show(stats.askers);
        let when = |x: Option<i64>| x.filter(|_| shown);
        Self {
            // No asks at all hides nobody, and keeps a chart's empty hours at zero.
            asks: (shown || stats.asks == 0).then_some(stats.asks),
            answered_share: ratio(stats.answered, stats.asks).filter(|_| shown),
            board_share: ratio(stats.to_board, stats.asks).filter(|_| shown),
            accept_p50_secs: when(percentile(&stats.accept_secs, 50)),
            accept_p90_secs: when(percentile(&stats.accept_secs, 90)),
            resolution_p50_secs: when(percentile(&stats.resolution_secs, 50)),
            resolution_p90_secs: when(percentile(&stats.resolution_secs, 90)),
            interrupted_median: when(percentile(&stats.interrupted, 50)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HourSpeed {
    /// Local hour of day the asks were made, 0–23.
    pub hour: u8,
    pub figures: SpeedFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillSpeed {
    pub skill: SkillRef,
    pub figures: SpeedFigures,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Speed {
    pub overall: SpeedFigures,
    /// All 24 hours, in order.
    pub by_hour: Vec<HourSpeed>,
    /// Skills asked for, most asked first; rows covering fewer than 5 askers are left out.
    pub by_skill: Vec<SkillSpeed>,
}

pub fn speed(raw: &SpeedRaw) -> Speed {
    let by_hour = (0..24)
        .map(|hour| {
            let empty = AskStats::default();
            let stats = raw
                .by_hour
                .iter()
                .find(|(h, _)| *h == hour)
                .map_or(&empty, |(_, s)| s);
            HourSpeed {
                hour,
                figures: SpeedFigures::of(stats),
            }
        })
        .collect();
    let mut skills: Vec<&(SkillRef, AskStats)> = raw
        .by_skill
        .iter()
        .filter(|(_, s)| may_show(s.askers))
        .collect();
    skills.sort_by(|(a, sa), (b, sb)| sb.asks.cmp(&sa.asks).then_with(|| a.name.cmp(&b.name)));
    Speed {
        overall: SpeedFigures::of(&raw.overall),
        by_hour,
        by_skill: skills
            .into_iter()
            .map(|(skill, stats)| SkillSpeed {
                skill: skill.clone(),
                figures: SpeedFigures::of(stats),
            })
            .collect(),
    }
}
