//! A large CSV import on PostgreSQL: all or nothing, and fast (a few statements per ten thousand
//! rows, not one per row).

mod support;

use std::time::{Duration, Instant};

use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::skill::SkillLevel;
use askaround_core::taxonomy::Taxonomy;
use askaround_store::Store;

use support::{fields, fresh_store, org, t0};

const ROWS: usize = 50_000;
/// Generous for a shared two-core machine; the point is seconds, not minutes.
const BUDGET: Duration = Duration::from_secs(30);

#[tokio::test]
async fn fifty_thousand_people_import_in_seconds_then_update_instead_of_duplicating() {
    let store = fresh_store().await;
    let acme = org(&store, "Acme").await;
    let taxonomy = Taxonomy::new(store.skills(acme.id).await.expect("skills"));
    let skill = |name: &str| taxonomy.resolve(name).map(|s| s.id).expect("skill");
    let (k8s, excel, tableau) = (skill("k8s"), skill("Excel"), skill("Tableau"));
    let rows: Vec<ImportRow> = (0..ROWS)
        .map(|i| {
            let mut f = fields(&format!("person{i}@acme.test"), &format!("Person {i}"));
            f.team = Some(format!("Team {}", i % 40));
            ImportRow {
                line: i as u64 + 2,
                fields: f,
                skills: match i % 3 {
                    0 => vec![(k8s, SkillLevel::Expert), (excel, SkillLevel::Beginner)],
                    1 => vec![(excel, SkillLevel::Intermediate)],
                    _ => vec![],
                },
                goals: if i % 2 == 0 { vec![tableau] } else { vec![] },
                role_given: true,
                active_given: true,
            }
        })
        .collect();

    let started = Instant::now();
    let first = store
        .import_people(acme.id, &rows, Columns::all(), t0())
        .await
        .expect("import");
    let created_in = started.elapsed();
    assert_eq!((first.created, first.updated), (ROWS as u64, 0));

    let renamed: Vec<ImportRow> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.fields.name = format!("{} Jr", r.fields.name);
            r
        })
        .collect();
    let started = Instant::now();
    let again = store
        .import_people(acme.id, &renamed, Columns::of(&["email", "name"]), t0())
        .await
        .expect("re-import");
    let updated_in = started.elapsed();
    assert_eq!((again.created, again.updated), (0, ROWS as u64));
    assert_eq!(
        store.count_people(acme.id).await.expect("count"),
        ROWS as u64
    );
    eprintln!("{ROWS} rows: created in {created_in:.2?}, updated in {updated_in:.2?}");
    assert!(created_in < BUDGET && updated_in < BUDGET);

    let email = askaround_core::email::Email::parse("person3@acme.test").expect("email");
    let id = store
        .credentials(&email)
        .await
        .expect("lookup")
        .expect("person 3")
        .person_id;
    let person = store.person(acme.id, id).await.expect("person 3");
    assert_eq!(person.person.name, "Person 3 Jr");
    assert_eq!(
        person.person.team.as_deref(),
        Some("Team 3"),
        "columns not in the file are left alone"
    );
    assert_eq!(person.skills.len(), 2, "skills too");
}
