//! Every insights figure as flat tables: the CSV exports, and the accessible table beside each
//! chart on the admin page. One definition serves both, so they never disagree.

use std::fmt::Write;

use askaround_core::insights::adoption::GroupAdoption;
use askaround_core::insights::speed::SpeedFigures;
use askaround_core::insights::{Adoption, Connections, Load, Quality, SkillsReport, Speed};

/// One cell; `None` figures were suppressed (fewer than 5 people behind them).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(Option<u64>),
    /// 0–1.
    Share(Option<f64>),
    Secs(Option<i64>),
}

impl Cell {
    /// As written in a CSV file: numbers plain, suppressed figures empty.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Count(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            Cell::Share(x) => x.map(|x| x.to_string()).unwrap_or_default(),
            Cell::Secs(s) => s.map(|s| s.to_string()).unwrap_or_default(),
        }
    }

    /// As shown on the page; `None` when suppressed (the page says why).
    pub fn display(&self) -> Option<String> {
        match self {
            Cell::Text(s) => Some(s.clone()),
            Cell::Count(n) => n.map(|n| n.to_string()),
            Cell::Share(x) => x.map(percent),
            Cell::Secs(s) => s.map(duration),
        }
    }
}

pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p.fract().abs() < 1e-9 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// `45 s`, `12 min`, `3.5 h`, `2.0 d`: durations at a glance.
pub fn duration(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{:.1} h", s as f64 / 3600.0),
        s => format!("{:.1} d", s as f64 / 86_400.0),
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    /// The name in `?table=` and in the file name.
    pub name: &'static str,
    pub caption: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.header.iter().map(|h| escape(h)).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| escape(&c.csv())).collect();
            let _ = write!(out, "{}\r\n", cells.join(","));
        }
        out
    }
}

/// RFC 4180 quoting; a leading `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet does
/// not run a team name as a formula.
fn escape(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err() {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn name_or(name: &Option<String>, none: &str) -> Cell {
    text(name.clone().unwrap_or_else(|| none.to_owned()))
}

fn group_rows(groups: &[GroupAdoption], none: &str) -> Vec<Vec<Cell>> {
    groups
        .iter()
        .map(|g| {
            vec![
                name_or(&g.name, none),
                Cell::Count(g.population),
                Cell::Count(g.connected.people),
                Cell::Share(g.connected.share),
                Cell::Count(g.asked.people),
                Cell::Share(g.asked.share),
                Cell::Count(g.helped.people),
                Cell::Share(g.helped.share),
            ]
        })
        .collect()
}

const GROUP_HEADER: [&str; 8] = [
    "name",
    "people",
    "connected",
    "connected_share",
    "asked",
    "asked_share",
    "helped",
    "helped_share",
];

pub fn adoption(a: &Adoption) -> Vec<Table> {
    vec![
        Table {
            name: "curve",
            caption: "People who connected with a colleague since the start of the range, by week",
            header: vec!["week_start", "connected", "connected_share"],
            rows: a
                .curve
                .iter()
                .map(|p| {
                    vec![
                        text(p.week_start.to_string()),
                        Cell::Count(p.connected.people),
                        Cell::Share(p.connected.share),
                    ]
                })
                .collect(),
        },
        Table {
            name: "by_team",
            caption: "Adoption by team",
            header: GROUP_HEADER.to_vec(),
            rows: group_rows(&a.by_team, "(no team)"),
        },
        Table {
            name: "by_location",
            caption: "Adoption by location",
            header: GROUP_HEADER.to_vec(),
            rows: group_rows(&a.by_location, "(no location)"),
        },
    ]
}

const SPEED_HEADER: [&str; 8] = [
    "asks",
    "answered_share",
    "board_share",
    "accept_p50_secs",
    "accept_p90_secs",
    "resolution_p50_secs",
    "resolution_p90_secs",
    "interrupted_median",
];

fn speed_cells(f: &SpeedFigures) -> Vec<Cell> {
    vec![
        Cell::Count(f.asks),
        Cell::Share(f.answered_share),
        Cell::Share(f.board_share),
        Cell::Secs(f.accept_p50_secs),
        Cell::Secs(f.accept_p90_secs),
        Cell::Secs(f.resolution_p50_secs),
        Cell::Secs(f.resolution_p90_secs),
        Cell::Count(f.interrupted_median.and_then(|n| u64::try_from(n).ok())),
    ]
}

fn with_first(first: &'static str, rest: &[&'static str]) -> Vec<&'static str> {
    std::iter::once(first).chain(rest.iter().copied()).collect()
}

pub fn speed(s: &Speed) -> Vec<Table> {
    let mut overall = vec![text("all asks")];
    overall.extend(speed_cells(&s.overall));
    vec![
        Table {
            name: "by_hour",
            caption: "Speed and reach by the local hour the ask was made",
            header: with_first("hour", &SPEED_HEADER),
            rows: std::iter::once(overall)
                .chain(s.by_hour.iter().map(|h| {
                    let mut row = vec![text(format!("{:02}:00", h.hour))];
                    row.extend(speed_cells(&h.figures));
                    row
                }))
                .collect(),
        },
        Table {
            name: "by_skill",
            caption: "Speed and reach by skill",
            header: with_first("skill", &SPEED_HEADER),
            rows: s
                .by_skill
                .iter()
                .map(|k| {
                    let mut row = vec![text(k.skill.name.clone())];
                    row.extend(speed_cells(&k.figures));
                    row
                })
                .collect(),
        },
    ]
}

pub fn quality(q: &Quality) -> Vec<Table> {
    vec![
        Table {
            name: "ratings",
            caption: "Ratings learners gave (5 is best)",
            header: vec!["rating", "count"],
            rows: q
                .ratings
                .iter()
                .map(|r| vec![text(r.rating.to_string()), Cell::Count(r.count)])
                .collect(),
        },
        Table {
            name: "learned",
            caption: "What people say they learned",
            header: vec!["skill", "times", "learners"],
            rows: q
                .learned
                .iter()
                .map(|l| {
                    vec![
                        text(l.skill.name.clone()),
                        Cell::Count(Some(l.times)),
                        Cell::Count(Some(l.learners)),
                    ]
                })
                .collect(),
        },
    ]
}

fn demand_rows(rows: &[askaround_core::insights::supply::SkillDemand]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|d| {
            vec![
                text(d.skill.name.clone()),
                Cell::Count(d.asks),
                Cell::Share(d.answered_share),
                Cell::Count(d.unmet),
                Cell::Count(d.holders),
                Cell::Count(d.helpers_to_date),
                Cell::Count(d.new_helpers),
            ]
        })
        .collect()
}

const DEMAND_HEADER: [&str; 7] = [
    "skill",
    "asks",
    "answered_share",
    "unmet",
    "available_helpers",
    "helpers_to_date",
    "new_helpers",
];

pub fn skills(r: &SkillsReport) -> Vec<Table> {
    vec![
        Table {
            name: "supply",
            caption: "Asks, available helpers and answered rate per skill",
            header: DEMAND_HEADER.to_vec(),
            rows: demand_rows(&r.skills),
        },
        Table {
            name: "top_unmet",
            caption: "Skills with the most asks nobody could take",
            header: DEMAND_HEADER.to_vec(),
            rows: demand_rows(&r.top_unmet),
        },
    ]
}

pub fn connections(c: &Connections) -> Vec<Table> {
    vec![Table {
        name: "matrix",
        caption: "Asks matched, by the learner's team (rows) and the helper's team",
        header: vec!["learner_team", "helper_team", "asks"],
        rows: c
            .cells
            .iter()
            .map(|cell| {
                vec![
                    text(cell.learner_team.clone()),
                    text(cell.helper_team.clone()),
                    Cell::Count(cell.asks),
                ]
            })
            .collect(),
    }]
}

pub fn load(l: &Load) -> Vec<Table> {
    vec![
        Table {
            name: "distribution",
            caption: "Helpers by how many times they helped",
            header: vec!["helps", "helpers"],
            rows: l
                .distribution
                .iter()
                .map(|b| vec![text(b.helps.clone()), Cell::Count(b.helpers)])
                .collect(),
        },
        Table {
            name: "top",
            caption: "The people carrying the most help",
            header: vec!["name", "team", "helps", "offers_received"],
            rows: l
                .top
                .iter()
                .map(|h| {
                    vec![
                        text(h.name.clone()),
                        name_or(&h.team, ""),
                        Cell::Count(Some(h.helps)),
                        Cell::Count(Some(h.offers)),
                    ]
                })
                .collect(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(escape("a,b"), "\"a,b\"");
        assert_eq!(escape("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(escape("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(escape("-0.5"), "-0.5");
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(600), "10 min");
        assert_eq!(duration(5400 * 2), "3.0 h");
        assert_eq!(percent(0.4), "40%");
        assert_eq!(percent(0.4333), "43.3%");
    }
}
