//! Helper load: how evenly helping is spread, and who carries the most (admins only, so they can
//! recognise them and protect them from overload).

use serde::Serialize;
use utoipa::ToSchema;

use crate::ids::PersonId;

use super::privacy::{covering, people_count};
use super::raw::LoadRaw;
use super::stats::{gini, round4};

/// The bands of the load distribution: (label, lowest helps, highest helps).
pub const BANDS: [(&str, i64, i64); 5] = [
    ("1", 1, 1),
    ("2", 2, 2),
    ("3–5", 3, 5),
    ("6–10", 6, 10),
    ("11+", 11, i64::MAX),
];

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LoadBand {
    /// Helps per helper in the range, e.g. `3–5`.
    pub helps: String,
    /// Helpers in the band; `null` when 1–4.
    pub helpers: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TopHelper {
    pub person_id: PersonId,
    pub name: String,
    pub team: Option<String>,
    pub helps: u64,
    /// Offers received in the range: how often they were interrupted.
    pub offers: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Load {
    /// People who helped at least once; `null` when fewer than 5 (and then so is every share).
    pub helpers: Option<u64>,
    pub helps: Option<u64>,
    /// 0 = evenly spread, towards 1 = a few carry it all (among those who helped).
    pub gini: Option<f64>,
    /// Share of all help given by the busiest tenth of helpers.
    pub top_tenth_share: Option<f64>,
    pub distribution: Vec<LoadBand>,
    /// The people carrying the most, most first. Named on purpose: admins recognise them and
    /// protect them from overload.
    pub top: Vec<TopHelper>,
}

pub fn load(raw: &LoadRaw) -> Load {
    let helpers: u64 = raw.helps_per_helper.iter().map(|(_, c)| c).sum();
    let helps: u64 = raw
        .helps_per_helper
        .iter()
        .map(|(v, c)| u64::try_from(*v).unwrap_or(0) * c)
        .sum();
    let distribution = BANDS
        .iter()
        .map(|(label, low, high)| LoadBand {
            helps: (*label).to_owned(),
            helpers: people_count(
                raw.helps_per_helper
                    .iter()
                    .filter(|(v, _)| v >= low && v <= high)
                    .map(|(_, c)| c)
                    .sum(),
            ),
        })
        .collect();
    Load {
        helpers: covering(helpers, helpers),
        helps: covering(helpers, helps),
        gini: gini(&raw.helps_per_helper).and_then(|g| covering(helpers, round4(g))),
        top_tenth_share: top_tenth_share(&raw.helps_per_helper, helpers, helps)
            .and_then(|s| covering(helpers, s)),
        distribution,
        top: raw
            .top
            .iter()
            .map(|h| TopHelper {
                person_id: h.person,
                name: h.name.clone(),
                team: h.team.clone(),
                helps: h.helps,
                offers: h.offers,
            })
            .collect(),
    }
}

/// Share of `helps` given by the ⌈10%⌉ of `helpers` who helped most.
fn top_tenth_share(histogram: &[(i64, u64)], helpers: u64, helps: u64) -> Option<f64> {
    if helps == 0 {
        return None;
    }
    let mut sorted = histogram.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut left = helpers.div_ceil(10);
    let mut carried = 0u64;
    for (value, count) in sorted {
        let take = count.min(left);
        carried += u64::try_from(value).unwrap_or(0) * take;
        left -= take;
        if left == 0 {
            break;
        }
    }
    super::stats::ratio(carried, helps)
}
