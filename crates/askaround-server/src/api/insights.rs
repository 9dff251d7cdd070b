//! Insights for learning & development leads (admins only): is peer learning working, and where
//! are the gaps? Aggregates only, every figure covering fewer than 5 people suppressed (`null`
//! in JSON, empty in CSV), never a conversation's content. Each section answers JSON, or one of
//! its tables as CSV (`?format=csv&table=…`, or `/insights/{section}.csv`).

pub(crate) mod tables;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;
use utoipa::IntoParams;

use askaround_core::ids::OrgId;
use askaround_core::insights::clock::monday_of;
use askaround_core::insights::{self, Scope, ScopeInput};
use askaround_core::timezone::TimeZoneName;
use askaround_core::{FieldError, FieldErrors};

use super::query::ApiQuery;
use crate::auth::Admin;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use tables::Table;

/// Skills listed under "what people learned" before suppression leaves the top ten.
const LEARNED_LIMIT: u32 = 50;
/// People named under "carrying the most".
const TOP_HELPERS: u32 = 10;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightsParams {
    /// First day, in the organisation's time zone (`2026-01-05`). Default: 12 weeks before `to`.
    pub from: Option<String>,
    /// Last day, included (`2026-03-29`). Default: today.
    pub to: Option<String>,
    /// Only people of this team.
    pub team: Option<String>,
    /// Only people of this location.
    pub location: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
    /// With CSV: which table of the section (default its first).
    pub table: Option<String>,
}

impl InsightsParams {
    pub(crate) fn scope_input(&self) -> ScopeInput<'_> {
        ScopeInput {
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            team: self.team.as_deref(),
            location: self.location.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Adoption,
    Speed,
    Quality,
    Skills,
    Connections,
    Load,
}

impl Section {
    pub(crate) const ALL: [Section; 6] = [
        Section::Adoption,
        Section::Speed,
        Section::Quality,
        Section::Skills,
        Section::Connections,
        Section::Load,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Section::Adoption => "adoption",
            Section::Speed => "speed",
            Section::Quality => "quality",
            Section::Skills => "skills",
            Section::Connections => "connections",
            Section::Load => "load",
        }
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One section's figures.
pub(crate) enum Report {
    Adoption(insights::Adoption),
    Speed(insights::Speed),
    Quality(insights::Quality),
    Skills(insights::SkillsReport),
    Connections(insights::Connections),
    Load(insights::Load),
}

impl Report {
    pub(crate) fn tables(&self) -> Vec<Table> {
        match self {
            Report::Adoption(r) => tables::adoption(r),
            Report::Speed(r) => tables::speed(r),
            Report::Quality(r) => tables::quality(r),
            Report::Skills(r) => tables::skills(r),
            Report::Connections(r) => tables::connections(r),
            Report::Load(r) => tables::load(r),
        }
    }

    fn json(&self) -> Response {
        match self {
            Report::Adoption(r) => Json(r).into_response(),
            Report::Speed(r) => Json(r).into_response(),
            Report::Quality(r) => Json(r).into_response(),
            Report::Skills(r) => Json(r).into_response(),
            Report::Connections(r) => Json(r).into_response(),
            Report::Load(r) => Json(r).into_response(),
        }
    }
}

/// The organisation's zone (its first admin's), today there, and its first local day.
pub(crate) async fn org_calendar(
    state: &AppState,
    org: OrgId,
) -> ApiResult<(TimeZoneName, Date, Date)> {
    let zone = state
        .store
        .insights_timezone(org)
        .await?
        .and_then(|name| TimeZoneName::parse(&name).ok())
        .unwrap_or_else(TimeZoneName::utc);
    let today = Timestamp::now()
        .to_zoned_datetime(zone.zone().clone())
        .date();
    let created = state.store.org(org).await?.created_at;
    let launch = created.to_zoned_datetime(zone.zone().clone()).date();
    Ok((zone, today, launch))
}

/// Validates the filters into a scope; 422 naming `from`, `to`, `team` or `location`.
pub(crate) async fn scope_of(
    state: &AppState,
    org: OrgId,
    input: &ScopeInput<'_>,
) -> ApiResult<(Scope, Date)> {
    let (zone, today, launch) = org_calendar(state, org).await?;
    let scope = Scope::parse(input, &zone, today).map_err(ApiError::Invalid)?;
    Ok((scope, launch))
}

pub(crate) async fn compute(
    state: &AppState,
    org: OrgId,
    section: Section,
    scope: &Scope,
    launch: Date,
) -> ApiResult<Report> {
    let store = state.store.as_ref();
    Ok(match section {
        Section::Adoption => Report::Adoption(insights::adoption(
            &store.insights_adoption(org, scope).await?,
            scope,
            launch,
        )),
        Section::Speed => Report::Speed(insights::speed(&store.insights_speed(org, scope).await?)),
        Section::Quality => Report::Quality(insights::quality(
            &store.insights_quality(org, scope, LEARNED_LIMIT).await?,
        )),
        Section::Skills => {
            Report::Skills(insights::skills(&store.insights_skills(org, scope).await?))
        }
        Section::Connections => Report::Connections(insights::connections(
            &store.insights_connections(org, scope).await?,
        )),
        Section::Load => Report::Load(insights::load(
            &store.insights_load(org, scope, TOP_HELPERS).await?,
        )),
    })
}

fn invalid(field: &str, message: String) -> ApiError {
    let mut errors = FieldErrors::new();
    errors.push(FieldError::new(field, message));
    ApiError::Invalid(errors)
}

/// Whether the answer is CSV; anything but `json` or `csv` is refused naming `format`.
fn wants_csv(params: &InsightsParams) -> ApiResult<bool> {
    match params.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(invalid(
            "format",
            format!("'{other}' is not a format; use json or csv"),
        )),
    }
}

async fn answer(
    state: &AppState,
    org: OrgId,
    section: Section,
    params: &InsightsParams,
    csv: bool,
) -> ApiResult<Response> {
    let (scope, launch) = scope_of(state, org, &params.scope_input()).await?;
    let report = compute(state, org, section, &scope, launch).await?;
    if !csv {
        if params.table.is_some() {
            return Err(invalid("table", "only applies with format=csv".into()));
        }
        return Ok(report.json());
    }
    let tables = report.tables();
    let table = match params.table.as_deref().map(str::trim) {
        None | Some("") => tables.first(),
        Some(name) => tables.iter().find(|t| t.name == name),
    };
    let Some(table) = table else {
        let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
        return Err(invalid(
            "table",
            format!("{} has the tables {}", section.name(), names.join(", ")),
        ));
    };
    let file = format!(
        "insights-{}-{}-{}-{}.csv",
        section.name(),
        table.name,
        scope.from_date,
        scope.to_date
    );
    let mut response = table.to_csv().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

macro_rules! section_handler {
    ($name:ident, $section:expr, $path:literal, $body:path, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(get, path = $path, tag = "insights",
            params(InsightsParams),
            responses(
                (status = 200, description = "The figures; with `format=csv` one table as CSV",
                    content(($body = "application/json"), (String = "text/csv"))),
                (status = 401, body = ErrorBody),
                (status = 403, description = "Admins only", body = ErrorBody),
                (status = 422, description = "A filter is invalid; `field` names it", body = ErrorBody)),
            security(("session" = [])))]
        pub async fn $name(
            State(state): State<AppState>,
            Admin(caller): Admin,
            ApiQuery(params): ApiQuery<InsightsParams>,
        ) -> ApiResult<Response> {
            let csv = wants_csv(&params)?;
            answer(&state, caller.org_id, $section, &params, csv).await
        }
    };
}

section_handler!(
    adoption,
    Section::Adoption,
    "/insights/adoption",
    insights::Adoption,
    "Adoption: who connected with a colleague to learn or to help, the weekly curve, by team and location. CSV tables: `curve`, `by_team`, `by_location`."
);
section_handler!(
    speed,
    Section::Speed,
    "/insights/speed",
    insights::Speed,
    "Speed and reach: answered, time to first accept and to resolution, people interrupted, the board; by local hour and skill. CSV tables: `by_hour`, `by_skill`."
);
section_handler!(
    quality,
    Section::Quality,
    "/insights/quality",
    insights::Quality,
    "Quality: ratings and what people say they learned. CSV tables: `ratings`, `learned`."
);
section_handler!(
    skills,
    Section::Skills,
    "/insights/skills",
    insights::SkillsReport,
    "Skills supply and demand: asks, available helpers, answered rate, unmet asks, growth of helpers. CSV tables: `supply`, `top_unmet`."
);
section_handler!(
    connections,
    Section::Connections,
    "/insights/connections",
    insights::Connections,
    "Connections across the organisation: team × team matrix of who helped whom. CSV table: `matrix`."
);
section_handler!(
    load,
    Section::Load,
    "/insights/load",
    insights::Load,
    "Helper load: Gini, distribution, and the people carrying the most. CSV tables: `distribution`, `top`."
);

/// One section as CSV: `/insights/adoption.csv?table=by_team`.
#[utoipa::path(get, path = "/insights/{file}", tag = "insights",
    params(("file" = String, Path, description = "`{section}.csv`, e.g. `speed.csv`"), InsightsParams),
    responses(
        (status = 200, description = "One table as CSV", content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such section", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn csv_file(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(file): Path<String>,
    ApiQuery(params): ApiQuery<InsightsParams>,
) -> ApiResult<Response> {
    let section = file
        .strip_suffix(".csv")
        .and_then(Section::named)
        .ok_or(ApiError::NotFound)?;
    if params.format.as_deref().is_some_and(|f| f != "csv") {
        return Err(invalid("format", "a .csv file is CSV".into()));
    }
    answer(&state, caller.org_id, section, &params, true).await
}

/// The weekly digest, as email-ready HTML (inline styles, no scripts, no images). Without
/// `from`/`to` it covers the last complete week (Monday to Sunday, local).
#[utoipa::path(get, path = "/insights/digest", tag = "insights",
    params(InsightsParams),
    responses(
        (status = 200, description = "text/html", content_type = "text/html", body = String),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("session" = [])))]
pub async fn digest(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiQuery(params): ApiQuery<InsightsParams>,
) -> ApiResult<Response> {
    let org = caller.org_id;
    let (zone, today, launch) = org_calendar(&state, org).await?;
    let last_week = monday_of(today)
        .checked_sub(7.days())
        .map_err(|e| ApiError::Internal(e.into()))?;
    let last_sunday = last_week
        .checked_add(6.days())
        .map_err(|e| ApiError::Internal(e.into()))?;
    let (from, to) = (last_week.to_string(), last_sunday.to_string());
    let input = ScopeInput {
        from: params.from.as_deref().or(Some(from.as_str())),
        to: params.to.as_deref().or(Some(to.as_str())),
        team: params.team.as_deref(),
        location: params.location.as_deref(),
    };
    let scope = Scope::parse(&input, &zone, today).map_err(ApiError::Invalid)?;
    let name = state.store.org(org).await?.name;
    let html = crate::web::insights::digest_html(&state, org, &name, &scope, launch).await?;
    let mut response = Html(html).into_response();
    // Mail clients need inline styles, which the site-wide policy forbids; this document has no
    // scripts, images or forms, so a policy allowing nothing else is set before that one applies.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
    );
    Ok(response)
}
