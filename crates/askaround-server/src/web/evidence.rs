//! A person's record as a helper: sessions the learner closed, how they were rated, and the skills
//! they helped with. Shown on their page and their profile: evidence, not a leaderboard.

use askaround_core::ids::{OrgId, PersonId};

use crate::error::ApiError;
use crate::state::AppState;

pub struct HelpRecord {
    /// Help sessions the learner closed with feedback.
    pub sessions: u32,
    pub rated: u32,
    /// Average rating, one decimal ("4.7").
    pub average: Option<String>,
    /// Skills helped with and how often, most frequent first.
    pub skills: Vec<(String, u32)>,
}

impl HelpRecord {
    /// "Helped 3 colleagues · rated 4.7 on average"
    pub fn summary(&self) -> String {
        let people = if self.sessions == 1 {
            "colleague"
        } else {
            "colleagues"
        };
        match &self.average {
            Some(average) => format!(
                "Helped {} {people} · rated {average} out of 5 on average ({} rating{})",
                self.sessions,
                self.rated,
                if self.rated == 1 { "" } else { "s" }
            ),
            None => format!("Helped {} {people}", self.sessions),
        }
    }
}

pub async fn help_record(
    state: &AppState,
    org: OrgId,
    person: PersonId,
) -> Result<HelpRecord, ApiError> {
    let summary = state.store.help_summary(org, person).await?;
    let taxonomy = state.taxonomies.get(state.store.as_ref(), org).await?;
    Ok(HelpRecord {
        sessions: summary.sessions,
        rated: summary.rated,
        average: summary.average_rating.map(|r| format!("{r:.1}")),
        skills: summary
            .skills
            .iter()
            .filter_map(|(id, n)| taxonomy.get(*id).map(|s| (s.name.clone(), *n)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::HelpRecord;

    #[test]
    fn the_summary_reads_naturally() {
        let none = HelpRecord {
            sessions: 0,
            rated: 0,
            average: None,
            skills: vec![],
        };
        assert_eq!(none.summary(), "Helped 0 colleagues");
        let one = HelpRecord {
            sessions: 1,
            rated: 1,
            average: Some("5.0".into()),
            skills: vec![],
        };
        assert_eq!(
            one.summary(),
            "Helped 1 colleague · rated 5.0 out of 5 on average (1 rating)"
        );
    }
}
