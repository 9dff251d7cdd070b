//! Adoption: who connected with a colleague, the weekly curve, and the headline sentence.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use utoipa::ToSchema;

use super::privacy::{may_show, people_count};
use super::raw::{AdoptionRaw, PeopleGroup};
use super::scope::Scope;
use super::stats::ratio;

/// A number of people and their share of the base, each hidden when too few people are behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct PeopleShare {
    /// `null` when suppressed (1–4 people, or a base under 5).
    pub people: Option<u64>,
    /// 0–1, four decimals; `null` when suppressed.
    pub share: Option<f64>,
}

impl PeopleShare {
    pub fn of(count: u64, base: u64) -> Self {
        if !may_show(base) {
            return Self {
                people: None,
                share: None,
            };
        }
        let people = people_count(count);
        Self {
            people,
            share: people.and_then(|c| ratio(c, base)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CurvePoint {
    /// The Monday (local) starting the week.
    #[schema(value_type = String, format = Date)]
    pub week_start: Date,
    /// People who had connected (since launch) by the end of this week.
    pub connected: PeopleShare,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GroupAdoption {
    /// The team or location; `null` for people without one.
    pub name: Option<String>,
    /// Active people; `null` when fewer than 5 (and then every figure of the row is `null`).
    pub population: Option<u64>,
    pub connected: PeopleShare,
    pub asked: PeopleShare,
    pub helped: PeopleShare,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Adoption {
    /// One sentence for the top of the page, e.g. "38% of your people connected with a colleague
    /// to learn or to help in the first 60 days."
    pub headline: String,
    /// Active people in scope; `null` when fewer than 5.
    pub population: Option<u64>,
    /// Had learned or helped by the end of the range (since launch).
    pub connected: PeopleShare,
    /// Asked for help at least once.
    pub asked: PeopleShare,
    /// Were helped (their ask was taken).
    pub learned: PeopleShare,
    pub helped: PeopleShare,
    /// Connected at least twice, as a share of those who connected.
    pub repeat: PeopleShare,
    pub curve: Vec<CurvePoint>,
    pub by_team: Vec<GroupAdoption>,
    pub by_location: Vec<GroupAdoption>,
}

/// Builds the adoption figures; `launch` is the organisation's first local day.
pub fn adoption(raw: &AdoptionRaw, scope: &Scope, launch: Date) -> Adoption {
    let total = sum(raw.groups.iter());
    let base = total.population;
    let connected = PeopleShare::of(total.connected, base);

    let mut curve = Vec::new();
    let mut cumulative = 0;
    let firsts: BTreeMap<u32, u64> = raw.first_connections.iter().copied().collect();
    for week in 0..scope.weeks.count() {
        cumulative += firsts.get(&week).copied().unwrap_or(0);
        curve.push(CurvePoint {
            week_start: scope.weeks.start(week),
            connected: PeopleShare::of(cumulative, base),
        });
    }

    Adoption {
        headline: headline(connected, base, scope, launch),
        population: may_show(base).then_some(base),
        connected,
        asked: PeopleShare::of(total.asked, base),
        learned: PeopleShare::of(total.learned, base),
        helped: PeopleShare::of(total.helped, base),
        repeat: PeopleShare::of(total.repeat, total.connected),
        curve,
        by_team: grouped(&raw.groups, |g| g.team.clone()),
        by_location: grouped(&raw.groups, |g| g.location.clone()),
    }
}

fn headline(connected: PeopleShare, base: u64, scope: &Scope, launch: Date) -> String {
    // "In the first N days" only reads right when the range starts at (or before) the launch and
    // the launch is inside it.
    let period = if scope.from_date <= launch && launch <= scope.to_date {
        let days = launch
            .until(scope.to_date)
            .map_or(0, |s| i64::from(s.get_days()))
            + 1;
        format!("in the first {days} days")
    } else {
        // Adoption is cumulative since launch, so a range that starts later reads "by" its end.
        format!("by {}", scope.to_date)
    };
    if !may_show(base) {
        return "Fewer than 5 people are in this selection, so its figures are hidden.".into();
    }
    match connected.share {
        Some(share) => format!(
            "{}% of your people connected with a colleague to learn or to help {period}.",
            (share * 100.0).round()
        ),
        None => {
            format!("Fewer than 5 people connected with a colleague to learn or to help {period}.")
        }
    }
}

fn sum<'a>(groups: impl Iterator<Item = &'a PeopleGroup>) -> PeopleGroup {
    groups.fold(PeopleGroup::default(), |mut acc, g| {
        acc.population += g.population;
        acc.asked += g.asked;
        acc.learned += g.learned;
        acc.helped += g.helped;
        acc.connected += g.connected;
        acc.repeat += g.repeat;
        acc
    })
}

/// Rows by team or location: each person is in exactly one (team, location) group, so summing
/// the groups of a team counts its people once. Largest first, then by name.
fn grouped(
    groups: &[PeopleGroup],
    key: impl Fn(&PeopleGroup) -> Option<String>,
) -> Vec<GroupAdoption> {
    let mut by_key: BTreeMap<Option<String>, Vec<&PeopleGroup>> = BTreeMap::new();
    for g in groups {
        by_key.entry(key(g)).or_default().push(g);
    }
    let mut rows: Vec<(u64, GroupAdoption)> = by_key
        .into_iter()
        .map(|(name, members)| {
            let t = sum(members.into_iter());
            let row = GroupAdoption {
                name,
                population: may_show(t.population).then_some(t.population),
                connected: PeopleShare::of(t.connected, t.population),
                asked: PeopleShare::of(t.asked, t.population),
                helped: PeopleShare::of(t.helped, t.population),
            };
            (t.population, row)
        })
        .collect();
    rows.sort_by(|(a, ra), (b, rb)| b.cmp(a).then_with(|| ra.name.cmp(&rb.name)));
    rows.into_iter().map(|(_, row)| row).collect()
}
