use super::*;
use crate::ids::SkillId;
use crate::skill::Skill;
use crate::taxonomy::embedded_seed;
use std::collections::HashMap;
use uuid::Uuid;

/// The embedded seed with ids, as an organisation would have it.
fn seeded_taxonomy() -> Taxonomy {
    let seed = embedded_seed();
    let ids: HashMap<&str, SkillId> = seed
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), SkillId(Uuid::from_u128(i as u128 + 1))))
        .collect();
    Taxonomy::new(
        seed.iter()
            .map(|s| Skill {
                id: ids[s.name.as_str()],
                name: s.name.clone(),
                parent_id: s.parent.as_deref().map(|p| ids[p]),
                aliases: s.aliases.clone(),
                popularity: s.popularity,
            })
            .collect(),
    )
}

#[test]
fn same_options_give_the_same_organisation() {
    let t = seeded_taxonomy();
    let a = generate(&t, &DemoOptions::default());
    let b = generate(&t, &DemoOptions::default());
    assert_eq!(a, b);
    assert_eq!(a.len(), DEFAULT_PEOPLE);
    let c = generate(
        &t,
        &DemoOptions {
            seed: 7,
            ..DemoOptions::default()
        },
    );
    assert_ne!(a, c);
}

#[test]
fn the_demo_admin_and_member_are_first() {
    let rows = generate(&seeded_taxonomy(), &DemoOptions::default());
    assert_eq!(rows[0].fields.email.as_str(), ADMIN_EMAIL);
    assert_eq!(rows[0].fields.role, Role::Admin);
    assert_eq!(rows[1].fields.email.as_str(), MEMBER_EMAIL);
    assert!(rows[1].fields.active);
}

#[test]
fn emails_are_unique_and_people_spread_over_teams_offices_and_zones() {
    let rows = generate(
        &seeded_taxonomy(),
        &DemoOptions {
            people: 2000,
            seed: 1,
        },
    );
    let emails: HashSet<&str> = rows.iter().map(|r| r.fields.email.as_str()).collect();
    assert_eq!(emails.len(), rows.len());
    let teams: HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.fields.team.as_deref())
        .collect();
    let zones: HashSet<&str> = rows.iter().map(|r| r.fields.timezone.as_str()).collect();
    assert_eq!(teams.len(), TEAMS.len());
    assert!(zones.len() >= 12, "{zones:?}");
}

#[test]
fn skills_are_heavy_tailed_a_few_common_most_rare() {
    let rows = generate(
        &seeded_taxonomy(),
        &DemoOptions {
            people: 5000,
            seed: 3,
        },
    );
    let mut counts: HashMap<SkillId, usize> = HashMap::new();
    for r in &rows {
        for (s, _) in &r.skills {
            *counts.entry(*s).or_default() += 1;
        }
    }
    let mut freq: Vec<usize> = counts.values().copied().collect();
    freq.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = freq.iter().sum();
    let top10: usize = freq.iter().take(10).sum();
    let rare = freq.iter().filter(|c| **c <= 3).count();
    // The ten most common skills carry a large share; most distinct skills are held by very few.
    assert!(top10 * 4 > total, "top 10 hold {top10} of {total}");
    assert!(
        rare * 2 > freq.len(),
        "{rare} rare of {} distinct",
        freq.len()
    );
    assert!(freq.len() > 500, "only {} distinct skills", freq.len());
}

#[test]
fn every_team_skill_name_exists_in_the_seed() {
    let t = seeded_taxonomy();
    for team in TEAMS {
        for name in team.skills {
            assert!(
                t.resolve(name).is_some(),
                "team {} names unknown skill {name}",
                team.name
            );
        }
    }
}
