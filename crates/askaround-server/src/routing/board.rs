//! The honest answer when nobody can help right now: why, and who will see the ask and when.

use jiff::{SignedDuration, Timestamp};

use askaround_core::asks::Ask;
use askaround_core::ids::OrgId;
use askaround_core::matching::Urgency;

use super::Routing;
use crate::error::ApiResult;

/// "No helper for Microsoft Excel is free right now: 4 people who know Microsoft Excel are
/// outside their working hours. 3 of them start work within 2 hours; the ask stays on the board
/// and we will tell you when someone takes it."
pub async fn message(
    routing: &Routing,
    org: OrgId,
    ask: &Ask,
    now: Timestamp,
) -> ApiResult<String> {
    let now_outcome = routing.rank(org, ask, Urgency::Now).await?;
    let taxonomy = routing.taxonomies.get(routing.store.as_ref(), org).await?;
    let topic = now_outcome
        .skills
        .first()
        .and_then(|id| taxonomy.get(*id))
        .map_or_else(String::new, |skill| format!(" for {}", skill.name));
    let later = routing.rank(org, ask, Urgency::Today).await?;
    let mut starts: Vec<Timestamp> = Vec::new();
    for candidate in later.candidates.iter().filter(|c| c.person != ask.asker) {
        if let Ok(profile) = routing.store.person(org, candidate.person).await
            && let Some(start) = profile
                .person
                .working_hours
                .next_start(now, &profile.person.timezone)
        {
            starts.push(start);
        }
    }
    starts.sort();
    let mut sentence = format!("No helper{topic} is free right now");
    let why = now_outcome.explanations();
    if !why.is_empty() {
        sentence.push_str(&format!(": {}", why.join("; ")));
    }
    sentence.push('.');
    match starts.first() {
        Some(first) => {
            let within = hours_until(now, *first);
            let soon = starts.iter().filter(|s| s.duration_since(now) <= SignedDuration::from_hours(within)).count();
            sentence.push_str(&format!(
                " {soon} {} who can help start{} work within {within} hour{}; your ask stays on the board and we will tell you when someone takes it.",
                if soon == 1 { "person" } else { "people" },
                if soon == 1 { "s" } else { "" },
                if within == 1 { "" } else { "s" },
            ));
        }
        None => sentence.push_str(
            " Nobody who can help is due to work in the next day; your ask stays on the board where anyone can pick it up, and we will tell you when someone does.",
        ),
    }
    Ok(sentence)
}

/// Whole hours from `now` to `then`, at least one.
fn hours_until(now: Timestamp, then: Timestamp) -> i64 {
    let secs = then.duration_since(now).as_secs().max(0);
    ((secs + 3599) / 3600).max(1)
}

#[cfg(test)]
mod tests {
    use super::hours_until;

    #[test]
    fn rounds_up_to_whole_hours() {
        let now: jiff::Timestamp = "2026-11-25T07:00:00Z".parse().unwrap();
        assert_eq!(hours_until(now, "2026-11-25T07:10:00Z".parse().unwrap()), 1);
        assert_eq!(hours_until(now, "2026-11-25T09:00:00Z".parse().unwrap()), 2);
        assert_eq!(hours_until(now, "2026-11-25T09:01:00Z".parse().unwrap()), 3);
    }
}
