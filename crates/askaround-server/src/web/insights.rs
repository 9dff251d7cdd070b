//! The admin insights page: filters, a headline, SVG charts each followed by its table, CSV
//! links; and the weekly digest (the same figures as email-ready HTML).

mod charts;
mod digest;

pub use digest::digest_html;

use askama::Template;
use axum::extract::{Query, State};

use askaround_core::insights::Scope;

use crate::api::insights::tables::{Cell, Table, duration, percent};
use crate::api::insights::{InsightsParams, Report, Section, compute, org_calendar};
use crate::state::AppState;
use crate::web::errors::{PageResult, WebError, render};
use crate::web::shell::{Shell, WebCaller};

/// A table as the template shows it: suppressed cells are `None`.
pub struct ShownTable {
    pub name: &'static str,
    pub caption: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl ShownTable {
    fn of(table: &Table) -> Self {
        Self {
            name: table.name,
            caption: table.caption,
            header: table.header.iter().map(|h| header_label(h)).collect(),
            rows: table
                .rows
                .iter()
                .map(|row| row.iter().map(Cell::display).collect())
                .collect(),
        }
    }
}

fn header_label(h: &str) -> &'static str {
    match h {
        "week_start" => "Week of",
        "connected" => "Connected",
        "connected_share" => "Connected %",
        "name" => "Name",
        "people" => "People",
        "asked" => "Asked",
        "asked_share" => "Asked %",
        "helped" => "Helped",
        "helped_share" => "Helped %",
        "hour" => "Hour",
        "skill" => "Skill",
        "asks" => "Asks",
        "answered_share" => "Answered",
        "board_share" => "To the board",
        "accept_p50_secs" => "First accept, median",
        "accept_p90_secs" => "First accept, p90",
        "resolution_p50_secs" => "Resolution, median",
        "resolution_p90_secs" => "Resolution, p90",
        "interrupted_median" => "People interrupted, median",
        "rating" => "Rating",
        "count" => "Ratings",
        "times" => "Times",
        "learners" => "Learners",
        "unmet" => "Unmet",
        "available_helpers" => "Available helpers",
        "helpers_to_date" => "Helpers to date",
        "new_helpers" => "New helpers",
        "learner_team" => "Learner's team",
        "helper_team" => "Helper's team",
        "helps" => "Helps",
        "helpers" => "Helpers",
        "team" => "Team",
        "offers_received" => "Offers received",
        _ => "",
    }
}

/// One section of the page: its charts (SVG markup) and tables.
pub struct Part {
    pub id: &'static str,
    pub title: &'static str,
    pub figures: Vec<(String, String)>,
    pub charts: Vec<String>,
    pub tables: Vec<ShownTable>,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    shell: Option<Shell>,
    from: String,
    to: String,
    team: String,
    location: String,
    /// Field problems with the filters, shown beside the form.
    problems: Vec<(String, String)>,
    headline: String,
    query: String,
    parts: Vec<Part>,
}

pub async fn page(
    State(state): State<AppState>,
    WebCaller(caller): WebCaller,
    Query(params): Query<InsightsParams>,
) -> PageResult {
    if !caller.is_admin() {
        return Err(WebError::admins_only());
    }
    let (shell, _) = Shell::load(&state, &caller, "admin", None).await?;
    let org = caller.org_id;
    let (zone, today, launch) = org_calendar(&state, org).await?;
    let mut page = InsightsPage {
        shell: Some(shell),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        team: params.team.clone().unwrap_or_default(),
        location: params.location.clone().unwrap_or_default(),
        problems: Vec::new(),
        headline: String::new(),
        query: String::new(),
        parts: Vec::new(),
    };
    let scope = match Scope::parse(&params.scope_input(), &zone, today) {
        Ok(scope) => scope,
        Err(errors) => {
            page.problems = errors.0.into_iter().map(|e| (e.field, e.message)).collect();
            return Ok(with_status(
                render(&page),
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    page.from = scope.from_date.to_string();
    page.to = scope.to_date.to_string();
    page.query = query_string(&scope);
    // The sections are independent reads: run them side by side on the store's connections, so
    // the page takes as long as its slowest section rather than the sum.
    let [a, b, c, d, e, f] =
        Section::ALL.map(|section| compute(&state, org, section, &scope, launch));
    let reports = tokio::try_join!(a, b, c, d, e, f)?;
    let reports = [
        reports.0, reports.1, reports.2, reports.3, reports.4, reports.5,
    ];
    for (section, report) in Section::ALL.into_iter().zip(reports) {
        if let Report::Adoption(a) = &report {
            page.headline = a.headline.clone();
        }
        page.parts.push(part(section, &report));
    }
    Ok(render(&page))
}

fn with_status(
    mut response: axum::response::Response,
    status: axum::http::StatusCode,
) -> axum::response::Response {
    *response.status_mut() = status;
    response
}

/// The filters as a query string for the CSV links.
pub(super) fn query_string(scope: &Scope) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("from", &scope.from_date.to_string());
    q.append_pair("to", &scope.to_date.to_string());
    if let Some(team) = &scope.team {
        q.append_pair("team", team);
    }
    if let Some(location) = &scope.location {
        q.append_pair("location", location);
    }
    q.finish()
}

pub(super) fn shown(v: Option<String>) -> String {
    v.unwrap_or_else(|| "hidden".into())
}

fn part(section: Section, report: &Report) -> Part {
    let tables: Vec<ShownTable> = report.tables().iter().map(ShownTable::of).collect();
    let (id, title) = (section.name(), title_of(section));
    let mut part = Part {
        id,
        title,
        figures: Vec::new(),
        charts: Vec::new(),
        tables,
    };
    match report {
        Report::Adoption(a) => {
            part.figures = vec![
                ("Connected".into(), shown(a.connected.share.map(percent))),
                ("Asked for help".into(), shown(a.asked.share.map(percent))),
                ("Helped someone".into(), shown(a.helped.share.map(percent))),
                (
                    "Came back (of those who connected)".into(),
                    shown(a.repeat.share.map(percent)),
                ),
            ];
            let points: Vec<(String, Option<f64>)> = a
                .curve
                .iter()
                .map(|p| {
                    (
                        p.week_start.strftime("%d %b").to_string(),
                        p.connected.share,
                    )
                })
                .collect();
            part.charts.push(charts::share_line(
                "adoption-curve",
                "Share of people who connected with a colleague, cumulative by week",
                "Weeks on the horizontal axis, share of people on the vertical axis; the table below lists every week.",
                &points,
            ));
        }
        Report::Speed(s) => {
            part.figures = vec![
                (
                    "Answered".into(),
                    shown(s.overall.answered_share.map(percent)),
                ),
                (
                    "First accept, median".into(),
                    shown(s.overall.accept_p50_secs.map(duration)),
                ),
                (
                    "First accept, p90".into(),
                    shown(s.overall.accept_p90_secs.map(duration)),
                ),
                (
                    "Resolution, median".into(),
                    shown(s.overall.resolution_p50_secs.map(duration)),
                ),
                (
                    "People interrupted per ask, median".into(),
                    shown(s.overall.interrupted_median.map(|n| n.to_string())),
                ),
                (
                    "Went to the open board".into(),
                    shown(s.overall.board_share.map(percent)),
                ),
            ];
            let bars: Vec<(String, Option<f64>)> = s
                .by_hour
                .iter()
                .map(|h| (format!("{:02}", h.hour), h.figures.asks.map(|n| n as f64)))
                .collect();
            part.charts.push(charts::bars(
                "speed-hours",
                "Asks by local hour of day",
                "One bar per hour from 00 to 23; the table below adds answered share and times.",
                &bars,
                |v| format!("{v:.0}"),
            ));
        }
        Report::Quality(q) => {
            part.figures = vec![
                ("Ratings".into(), shown(q.rated.map(|n| n.to_string()))),
                (
                    "Rated good (4 or 5)".into(),
                    shown(q.good_share.map(percent)),
                ),
            ];
            let bars: Vec<(String, Option<f64>)> = q
                .ratings
                .iter()
                .map(|r| (format!("{}★", r.rating), r.count.map(|n| n as f64)))
                .collect();
            part.charts.push(charts::bars(
                "quality-ratings",
                "Rating distribution",
                "Ratings 1 to 5 and how many learners gave each.",
                &bars,
                |v| format!("{v:.0}"),
            ));
        }
        Report::Skills(r) => {
            let bars: Vec<(String, Option<f64>)> = r
                .top_unmet
                .iter()
                .map(|d| (d.skill.name.clone(), d.unmet.map(|n| n as f64)))
                .collect();
            if !bars.is_empty() {
                part.charts.push(charts::bars(
                    "skills-unmet",
                    "Skills with the most asks nobody could take",
                    "One bar per skill; the table below lists them with available helpers.",
                    &bars,
                    |v| format!("{v:.0}"),
                ));
            }
        }
        Report::Connections(c) => {
            part.figures = vec![
                (
                    "Asks matched".into(),
                    shown(c.matched.map(|n| n.to_string())),
                ),
                (
                    "Help that crossed teams".into(),
                    shown(c.cross_team_share.map(percent)),
                ),
            ];
        }
        Report::Load(l) => {
            part.figures = vec![
                ("Helpers".into(), shown(l.helpers.map(|n| n.to_string()))),
                (
                    "Gini (0 even, 1 one person does it all)".into(),
                    shown(l.gini.map(|g| format!("{g:.2}"))),
                ),
                (
                    "Help given by the busiest tenth".into(),
                    shown(l.top_tenth_share.map(percent)),
                ),
            ];
            let bars: Vec<(String, Option<f64>)> = l
                .distribution
                .iter()
                .map(|b| (b.helps.clone(), b.helpers.map(|n| n as f64)))
                .collect();
            part.charts.push(charts::bars(
                "load-distribution",
                "Helpers by how many times they helped",
                "Bands of helps per helper and how many helpers are in each.",
                &bars,
                |v| format!("{v:.0}"),
            ));
        }
    }
    part
}

fn title_of(section: Section) -> &'static str {
    match section {
        Section::Adoption => "Adoption",
        Section::Speed => "Speed and reach",
        Section::Quality => "Quality",
        Section::Skills => "Skills supply and demand",
        Section::Connections => "Connections across teams",
        Section::Load => "Helper load (admins only)",
    }
}
