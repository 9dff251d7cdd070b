//! The weekly digest: the week's headline figures as one self-contained HTML document.

use askama::Template;
use jiff::civil::Date;

use askaround_core::ids::OrgId;
use askaround_core::insights::Scope;

use super::{query_string, shown};
use crate::api::insights::tables::{duration, percent};
use crate::api::insights::{Report, Section, compute};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "insights_digest.html")]
struct Digest {
    org: String,
    from: String,
    to: String,
    headline: String,
    figures: Vec<(String, String)>,
    unmet: Vec<(String, String)>,
    learned: Vec<(String, String)>,
    link: String,
}

/// The weekly digest for `scope` as a self-contained HTML document (inline styles, tables for
/// layout, no scripts or images) that mail clients render as is.
pub async fn digest_html(
    state: &AppState,
    org: OrgId,
    name: &str,
    scope: &Scope,
    launch: Date,
) -> ApiResult<String> {
    let mut digest = Digest {
        org: name.to_owned(),
        from: scope.from_date.strftime("%-d %B %Y").to_string(),
        to: scope.to_date.strftime("%-d %B %Y").to_string(),
        headline: String::new(),
        figures: Vec::new(),
        unmet: Vec::new(),
        learned: Vec::new(),
        link: format!(
            "{}/admin/insights?{}",
            state
                .config
                .public_url
                .as_deref()
                .unwrap_or("")
                .trim_end_matches('/'),
            query_string(scope)
        ),
    };
    for section in [
        Section::Adoption,
        Section::Speed,
        Section::Quality,
        Section::Skills,
    ] {
        match compute(state, org, section, scope, launch).await? {
            Report::Adoption(a) => {
                digest.headline = a.headline;
                digest.figures.push((
                    "People who connected".into(),
                    shown(a.connected.share.map(percent)),
                ));
            }
            Report::Speed(s) => {
                digest
                    .figures
                    .push(("Asks".into(), shown(s.overall.asks.map(|n| n.to_string()))));
                digest.figures.push((
                    "Answered".into(),
                    shown(s.overall.answered_share.map(percent)),
                ));
                digest.figures.push((
                    "First accept, median".into(),
                    shown(s.overall.accept_p50_secs.map(duration)),
                ));
            }
            Report::Quality(q) => {
                digest
                    .figures
                    .push(("Rated good".into(), shown(q.good_share.map(percent))));
                digest.learned = q
                    .learned
                    .iter()
                    .take(3)
                    .map(|l| (l.skill.name.clone(), format!("{} learners", l.learners)))
                    .collect();
            }
            Report::Skills(r) => {
                digest.unmet = r
                    .top_unmet
                    .iter()
                    .take(3)
                    .filter_map(|d| {
                        d.unmet
                            .map(|n| (d.skill.name.clone(), format!("{n} unmet")))
                    })
                    .collect();
            }
            _ => {}
        }
    }
    digest
        .render()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("digest template: {e}")))
}
