//! A small organisation with a known shape, shared by the matcher's tests.

use std::sync::Arc;

use jiff::Timestamp;
use uuid::Uuid;

use crate::hours::WorkingHours;
use crate::ids::{PersonId, SkillId};
use crate::language::Language;
use crate::matching::{CandidateProfile, HelpEvidence, IndexOptions, MatchIndex, Presence};
use crate::skill::{Skill, SkillLevel};
use crate::taxonomy::Taxonomy;
use crate::timezone::TimeZoneName;

pub const SPREADSHEETS: SkillId = SkillId(Uuid::from_u128(100));
pub const EXCEL: SkillId = SkillId(Uuid::from_u128(101));
pub const PIVOT: SkillId = SkillId(Uuid::from_u128(102));
pub const KUBERNETES: SkillId = SkillId(Uuid::from_u128(103));
pub const SQL: SkillId = SkillId(Uuid::from_u128(104));

pub fn person(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

/// Wednesday 25 November 2026, 10:00 UTC: 10:00 in Lisbon, 05:00 in New York, 19:00 in Tokyo.
pub fn now() -> Timestamp {
    "2026-11-25T10:00:00Z".parse().unwrap()
}

pub fn taxonomy() -> Arc<Taxonomy> {
    let skill = |id: SkillId, name: &str, parent: Option<SkillId>, aliases: &[&str]| Skill {
        id,
        name: name.to_owned(),
        parent_id: parent,
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        popularity: 1,
    };
    Arc::new(Taxonomy::new(vec![
        skill(SPREADSHEETS, "Spreadsheet software", None, &[]),
        skill(EXCEL, "Microsoft Excel", Some(SPREADSHEETS), &["Excel"]),
        skill(PIVOT, "Pivot tables", Some(EXCEL), &["pivot table"]),
        skill(KUBERNETES, "Kubernetes", None, &["k8s"]),
        skill(SQL, "Structured query language SQL", None, &["SQL"]),
    ]))
}

pub fn profile(
    n: u128,
    city: &str,
    zone: &str,
    skills: &[(SkillId, SkillLevel)],
) -> CandidateProfile {
    CandidateProfile {
        id: person(n),
        active: true,
        title: Some("Analyst".into()),
        bio: None,
        team: Some("Finance".into()),
        location: Some(city.into()),
        timezone: TimeZoneName::parse(zone).unwrap(),
        working_hours: WorkingHours::office(),
        languages: vec![Language::parse("en").unwrap()],
        skills: skills.to_vec(),
        weekly_budget: 5,
        daily_budget: None,
    }
}

pub fn session(learner: u128, text: &str, skills: &[SkillId], rating: Option<u8>) -> HelpEvidence {
    HelpEvidence {
        learner: person(learner),
        text: text.into(),
        skills: skills.to_vec(),
        rating,
        at: "2026-11-01T10:00:00Z".parse().unwrap(),
    }
}

pub const ANA: u128 = 1; // Excel expert in Lisbon with a track record
pub const BEN: u128 = 2; // Excel intermediate in Lisbon, no history
pub const CHO: u128 = 3; // Kubernetes in Lisbon
pub const DEV: u128 = 4; // Excel expert in New York (asleep at 05:00)
pub const ASKER: u128 = 9;

/// Ana, Ben, Cho and Dev, all online; Ana has helped six people with Excel.
pub fn org() -> MatchIndex {
    let mut index = MatchIndex::new(taxonomy(), IndexOptions::default());
    index.upsert_profile(&profile(
        ANA,
        "Lisbon",
        "Europe/Lisbon",
        &[(EXCEL, SkillLevel::Expert)],
    ));
    index.upsert_profile(&profile(
        BEN,
        "Lisbon",
        "Europe/Lisbon",
        &[(EXCEL, SkillLevel::Intermediate)],
    ));
    index.upsert_profile(&profile(
        CHO,
        "Lisbon",
        "Europe/Lisbon",
        &[(KUBERNETES, SkillLevel::Expert)],
    ));
    index.upsert_profile(&profile(
        DEV,
        "New York",
        "America/New_York",
        &[(EXCEL, SkillLevel::Expert)],
    ));
    index.upsert_profile(&profile(
        ASKER,
        "London",
        "Europe/London",
        &[(EXCEL, SkillLevel::Expert)],
    ));
    for i in 0..6 {
        let text = "my pivot table does not refresh when I add rows";
        index
            .add_evidence(person(ANA), &session(20 + i, text, &[PIVOT], Some(5)))
            .unwrap();
    }
    for id in [ANA, BEN, CHO, DEV, ASKER] {
        index.state_mut(person(id)).unwrap().presence = Presence::Online;
    }
    index
}
