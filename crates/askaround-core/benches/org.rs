//! A realistic organisation for the matcher benchmarks: the demo generator's people (real skill
//! taxonomy, heavy-tailed skills, offices in 13 time zones) plus synthetic help history and
//! presence, and a set of everyday asks.

use std::sync::Arc;

use askaround_core::demo::{self, DemoOptions};
use askaround_core::ids::{PersonId, SkillId};
use askaround_core::matching::{
    Ask, CandidateProfile, CandidateState, HelpEvidence, IndexOptions, MatchIndex, Presence,
};
use askaround_core::skill::Skill;
use askaround_core::taxonomy::{Taxonomy, embedded_seed};
use jiff::Timestamp;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

pub const ASKS: &[&str] = &[
    "How do I make a pivot table update when rows are added?",
    "vlookup returns #N/A even though the value is there",
    "kubernetes pod stuck in CrashLoopBackOff after a helm upgrade",
    "SQL window function for a running total per customer",
    "Salesforce report that filters opportunities by owner",
    "how to structure a financial model for next year's budget",
    "Figma auto layout keeps resizing my frames",
    "Power BI DAX measure for year over year growth",
    "terraform state lock will not release",
    "giving feedback to a colleague who missed a deadline",
    "pandas groupby then plot",
    "zendesk macro to tag urgent tickets",
    "GDPR question about keeping customer emails",
    "git rebase went wrong, how do I undo it",
    "Excel macro to email every row",
    "public speaking tips for my first all-hands",
];

/// Wednesday 14:00 UTC: Europe in the afternoon, the Americas in the morning, Asia in the evening.
pub fn now() -> Timestamp {
    "2026-11-25T14:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn taxonomy() -> Arc<Taxonomy> {
    let seed = embedded_seed();
    let ids: std::collections::HashMap<&str, SkillId> = seed
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), SkillId(Uuid::from_u128(i as u128 + 1))))
        .collect();
    Arc::new(Taxonomy::new(
        seed.iter()
            .map(|s| Skill {
                id: ids[s.name.as_str()],
                name: s.name.clone(),
                parent_id: s.parent.as_deref().and_then(|p| ids.get(p).copied()),
                aliases: s.aliases.clone(),
                popularity: s.popularity,
            })
            .collect(),
    ))
}

pub struct Org {
    pub index: MatchIndex,
    pub people: Vec<PersonId>,
    pub profiles: Vec<CandidateProfile>,
    /// Each person's profile text as a user would index it elsewhere (title, bio, skills, helped asks).
    pub documents: Vec<String>,
}

pub fn person(i: usize) -> PersonId {
    PersonId(Uuid::from_u128(i as u128 + 1))
}

pub fn build(taxonomy: &Arc<Taxonomy>, people: usize) -> Org {
    let rows = demo::generate(taxonomy, &DemoOptions { people, seed: 2026 });
    let mut index = MatchIndex::new(taxonomy.clone(), IndexOptions::default());
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut ids = Vec::with_capacity(rows.len());
    let mut profiles = Vec::with_capacity(rows.len());
    let mut documents = Vec::with_capacity(rows.len());
    let base = now().as_second();
    for (i, row) in rows.iter().enumerate() {
        let f = &row.fields;
        profiles.push(CandidateProfile {
            id: person(i),
            active: f.active,
            title: f.title.clone(),
            bio: f.bio.clone(),
            team: f.team.clone(),
            location: f.location.clone(),
            timezone: f.timezone.clone(),
            working_hours: f.working_hours.clone(),
            languages: f.languages.clone(),
            skills: row.skills.clone(),
            weekly_budget: f.weekly_budget,
            daily_budget: None,
        });
    }
    // As the server loads an organisation: everyone at once, in the order that keeps the
    // holders of a skill together.
    // `MATCHER_BENCH_SCATTERED=1` keeps the generated order instead, to measure what the order
    // saves.
    if std::env::var_os("MATCHER_BENCH_SCATTERED").is_some() {
        for profile in &profiles {
            index.upsert_profile(profile);
        }
    } else {
        index.upsert_profiles(&profiles);
    }
    for (i, row) in rows.iter().enumerate() {
        let f = &row.fields;
        let mut document = format!(
            "{} {}",
            f.title.as_deref().unwrap_or(""),
            f.bio.as_deref().unwrap_or("")
        );
        for (skill, _) in &row.skills {
            if let Some(s) = taxonomy.get(*skill) {
                document.push(' ');
                document.push_str(&s.name);
            }
        }
        // A third of the organisation has helped before: 1 to 12 sessions about their own skills.
        if rng.random_ratio(1, 3) && !row.skills.is_empty() {
            let mut sessions = Vec::new();
            for _ in 0..rng.random_range(1..=12) {
                let (skill, _) = row.skills[rng.random_range(0..row.skills.len())];
                let name = taxonomy.get(skill).map_or("", |s| s.name.as_str());
                let text = format!(
                    "{} {name} {}",
                    ["how do I", "help with", "stuck on", "question about"][rng.random_range(0..4)],
                    ["formula", "report", "setup", "error", "review"][rng.random_range(0..5)]
                );
                document.push(' ');
                document.push_str(&text);
                let evidence = HelpEvidence {
                    learner: person(rng.random_range(0..rows.len())),
                    text,
                    skills: vec![skill],
                    rating: Some(rng.random_range(3..=5)),
                    at: Timestamp::from_second(base - rng.random_range(0..180 * 86_400))
                        .unwrap_or(now()),
                };
                sessions.push(evidence);
            }
            // As the server loads an organisation: each helper's sessions at once.
            let _ = index.add_evidence_batch(person(i), &sessions);
        }
        let presence = match rng.random_range(0..10) {
            0..=5 => Presence::Online,
            6 | 7 => Presence::Away,
            8 => Presence::Offline,
            _ => Presence::DoNotDisturb,
        };
        let state = CandidateState {
            presence,
            offers_this_week: rng.random_range(0..=f.weekly_budget),
            ..CandidateState::default()
        };
        let _ = index.set_state(person(i), state);
        ids.push(person(i));
        documents.push(document);
    }
    index.compact();
    Org {
        index,
        people: ids,
        profiles,
        documents,
    }
}

pub fn ask(i: usize) -> Ask {
    Ask {
        seed: i as u64,
        ..Ask::new(ASKS[i % ASKS.len()])
    }
}
