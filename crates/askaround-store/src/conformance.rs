//! The behaviour every Store backend must have, as plain async functions over `&dyn Store`.
//! A backend runs them all with [`conformance_tests!`](crate::conformance_tests):
//!
//! ```ignore
//! askaround_store::conformance_tests!(fresh_store());
//! ```

use jiff::{SignedDuration, Timestamp};

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::language;
use askaround_core::org::Org;
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::{PersonFields, PersonPatch, Role};
use askaround_core::skill::SkillLevel;
use askaround_core::taxonomy::{SeedSkill, Taxonomy};
use askaround_core::timezone::TimeZoneName;

use crate::{
    NewInvitation, NewOrg, NewSession, NewSkill, PeopleQuery, SkillPatch, Store, StoreError,
};

/// Generates one `#[tokio::test]` per conformance check; `$make` is an expression giving a
/// future of a fresh, empty store.
#[macro_export]
macro_rules! conformance_tests {
    ($make:expr) => {
        $crate::conformance_tests!(@each $make;
            organisations_are_created_and_found_by_slug,
            the_seed_builds_a_taxonomy_and_bumps_its_version,
            names_and_aliases_mean_one_skill_per_organisation,
            a_rename_keeps_the_old_name_as_an_alias,
            a_parent_cycle_is_refused,
            a_merge_moves_holders_learners_aliases_and_children,
            people_are_created_read_and_updated,
            an_email_signs_in_to_one_account_only,
            nothing_is_visible_across_organisations,
            the_directory_pages_by_name_and_filters_by_skill_and_text,
            an_import_creates_then_updates_only_the_columns_present,
            an_import_is_all_or_nothing,
            sessions_expire_and_end_with_deactivation,
            invitations_are_single_use_and_expire
        );
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make.await;
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).expect("a valid instant")
}

fn seed() -> Vec<SeedSkill> {
    let s = |name: &str, parent: Option<&str>, aliases: &[&str]| SeedSkill {
        name: name.into(),
        parent: parent.map(Into::into),
        aliases: aliases.iter().map(|a| (*a).into()).collect(),
        popularity: 1,
    };
    vec![
        s("Spreadsheet software", None, &[]),
        s("Microsoft Excel", Some("Spreadsheet software"), &["Excel"]),
        s("Pivot tables", Some("Microsoft Excel"), &["pivottable"]),
        s("Kubernetes", None, &["k8s"]),
        s("Tableau", None, &[]),
    ]
}

async fn org(store: &dyn Store, name: &str) -> Org {
    let org = store
        .create_org(
            &NewOrg {
                name: name.into(),
                slug: name.to_lowercase(),
            },
            t0(),
        )
        .await
        .expect("create org");
    store.seed_taxonomy(org.id, &seed()).await.expect("seed");
    org
}

async fn taxonomy(store: &dyn Store, org: OrgId) -> Taxonomy {
    Taxonomy::new(store.skills(org).await.expect("skills"))
}

async fn skill(store: &dyn Store, org: OrgId, name: &str) -> SkillId {
    taxonomy(store, org)
        .await
        .resolve(name)
        .map(|s| s.id)
        .expect("skill exists")
}

fn fields(email: &str, name: &str) -> PersonFields {
    PersonFields {
        email: Email::parse(email).expect("email"),
        name: name.into(),
        title: Some("Analyst".into()),
        team: Some("Finance".into()),
        location: Some("Lisbon".into()),
        timezone: TimeZoneName::parse("Europe/Lisbon").expect("tz"),
        working_hours: WorkingHours::office(),
        languages: language::parse_list("pt; en").expect("langs"),
        bio: None,
        weekly_budget: 5,
        role: Role::Member,
        active: true,
    }
}

async fn person(store: &dyn Store, org: OrgId, email: &str, name: &str) -> PersonId {
    store
        .create_person(org, &fields(email, name), Some("hash"), t0())
        .await
        .expect("create person")
        .person
        .id
}

fn conflict_code(e: StoreError) -> &'static str {
    match e {
        StoreError::Conflict { code, .. } => code,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

pub async fn organisations_are_created_and_found_by_slug(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    assert_eq!(
        store.org_by_slug("acme").await.expect("by slug").id,
        acme.id
    );
    assert_eq!(store.org(acme.id).await.expect("by id").name, "Acme");
    let again = store
        .create_org(
            &NewOrg {
                name: "Acme".into(),
                slug: "acme".into(),
            },
            t0(),
        )
        .await;
    assert_eq!(
        conflict_code(again.expect_err("duplicate slug")),
        "slug_taken"
    );
    assert!(matches!(
        store.org_by_slug("nope").await,
        Err(StoreError::NotFound)
    ));
    org(store, "Globex").await;
    assert_eq!(store.orgs().await.expect("orgs").len(), 2);
}

pub async fn the_seed_builds_a_taxonomy_and_bumps_its_version(store: &dyn Store) {
    let acme = store
        .create_org(
            &NewOrg {
                name: "Acme".into(),
                slug: "acme".into(),
            },
            t0(),
        )
        .await
        .expect("org");
    let before = store.taxonomy_version(acme.id).await.expect("version");
    assert_eq!(
        store.seed_taxonomy(acme.id, &seed()).await.expect("seed"),
        5
    );
    assert!(store.taxonomy_version(acme.id).await.expect("version") > before);
    // Seeding twice adds nothing.
    assert_eq!(
        store
            .seed_taxonomy(acme.id, &seed())
            .await
            .expect("seed again"),
        0
    );
    let t = taxonomy(store, acme.id).await;
    assert_eq!(t.len(), 5);
    let pivot = t.resolve("PivotTable").expect("alias resolves");
    let names: Vec<&str> = t
        .ancestors(pivot.id)
        .iter()
        .filter_map(|id| t.get(*id))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Microsoft Excel", "Spreadsheet software"]);
}

pub async fn names_and_aliases_mean_one_skill_per_organisation(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let dup = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "K8S".into(),
                ..NewSkill::default()
            },
        )
        .await;
    assert_eq!(conflict_code(dup.expect_err("alias clash")), "skill_exists");
    let alias_dup = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "Docker".into(),
                parent_id: None,
                aliases: vec!["excel".into()],
            },
        )
        .await;
    match alias_dup.expect_err("alias clash") {
        StoreError::Conflict { code, error } => {
            assert_eq!((code, error.field.as_str()), ("skill_exists", "aliases"));
            assert!(
                error.message.contains("Microsoft Excel"),
                "{}",
                error.message
            );
        }
        other => panic!("{other:?}"),
    }
    // Nothing of the refused skill was left behind.
    assert!(taxonomy(store, acme.id).await.resolve("Docker").is_none());
    // Another organisation may use the same names.
    store
        .create_skill(
            globex.id,
            &NewSkill {
                name: "Docker".into(),
                ..NewSkill::default()
            },
        )
        .await
        .expect("other org");
    let docker = store
        .create_skill(
            acme.id,
            &NewSkill {
                name: "Docker".into(),
                parent_id: None,
                aliases: vec!["containers".into()],
            },
        )
        .await
        .expect("create");
    assert_eq!(docker.aliases, ["containers"]);
}

pub async fn a_rename_keeps_the_old_name_as_an_alias(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let k8s = skill(store, acme.id, "Kubernetes").await;
    let renamed = store
        .update_skill(
            acme.id,
            k8s,
            &SkillPatch {
                name: Some("Kubernetes (K8s)".into()),
                ..SkillPatch::default()
            },
        )
        .await
        .expect("rename");
    assert_eq!(renamed.name, "Kubernetes (K8s)");
    let t = taxonomy(store, acme.id).await;
    assert_eq!(t.resolve("kubernetes").map(|s| s.id), Some(k8s));
    assert_eq!(t.resolve("k8s").map(|s| s.id), Some(k8s));
    let patched = store
        .update_skill(
            acme.id,
            k8s,
            &SkillPatch {
                add_aliases: vec!["kube".into()],
                remove_aliases: vec!["k8s".into()],
                ..SkillPatch::default()
            },
        )
        .await
        .expect("aliases");
    assert!(patched.aliases.contains(&"kube".to_owned()));
    assert!(!patched.aliases.contains(&"k8s".to_owned()));
    let other = store
        .update_skill(acme.id, SkillId::generate(), &SkillPatch::default())
        .await;
    assert!(matches!(other, Err(StoreError::NotFound)));
}

pub async fn a_parent_cycle_is_refused(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let sheet = skill(store, acme.id, "Spreadsheet software").await;
    let pivot = skill(store, acme.id, "Pivot tables").await;
    let cycle = store
        .update_skill(
            acme.id,
            sheet,
            &SkillPatch {
                parent_id: Some(Some(pivot)),
                ..SkillPatch::default()
            },
        )
        .await;
    assert_eq!(conflict_code(cycle.expect_err("cycle")), "parent_cycle");
    let to_root = store
        .update_skill(
            acme.id,
            pivot,
            &SkillPatch {
                parent_id: Some(None),
                ..SkillPatch::default()
            },
        )
        .await;
    assert_eq!(to_root.expect("re-parent").parent_id, None);
}

pub async fn a_merge_moves_holders_learners_aliases_and_children(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let excel = skill(store, acme.id, "Excel").await;
    let sheet = skill(store, acme.id, "Spreadsheet software").await;
    let tableau = skill(store, acme.id, "Tableau").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let bob = person(store, acme.id, "bob@acme.test", "Bob").await;
    store
        .set_person_skills(
            acme.id,
            ann,
            &[(excel, SkillLevel::Expert), (sheet, SkillLevel::Beginner)],
            t0(),
        )
        .await
        .expect("skills");
    store
        .set_person_skills(acme.id, bob, &[(excel, SkillLevel::Beginner)], t0())
        .await
        .expect("skills");
    store
        .set_person_goals(acme.id, bob, &[excel, tableau], t0())
        .await
        .expect("goals");
    let merged = store
        .merge_skills(acme.id, excel, sheet)
        .await
        .expect("merge");
    assert!(
        merged.aliases.contains(&"Microsoft Excel".to_owned()),
        "{:?}",
        merged.aliases
    );
    assert!(merged.aliases.contains(&"Excel".to_owned()));
    let t = taxonomy(store, acme.id).await;
    assert!(t.get(excel).is_none());
    assert_eq!(t.resolve("excel").map(|s| s.id), Some(sheet));
    assert_eq!(
        t.resolve("pivot tables").and_then(|s| s.parent_id),
        Some(sheet)
    );
    let ann = store.person(acme.id, ann).await.expect("ann");
    assert_eq!(ann.skills.len(), 1);
    assert_eq!(
        (ann.skills[0].skill_id, ann.skills[0].level),
        (sheet, SkillLevel::Expert)
    );
    let bob = store.person(acme.id, bob).await.expect("bob");
    assert_eq!(bob.skills[0].skill_id, sheet);
    let goals: Vec<SkillId> = bob.goals.iter().map(|g| g.skill_id).collect();
    assert!(goals.contains(&sheet) && goals.contains(&tableau) && goals.len() == 2);
    assert_eq!(
        conflict_code(
            store
                .merge_skills(acme.id, sheet, sheet)
                .await
                .expect_err("self")
        ),
        "same_skill"
    );
}

pub async fn people_are_created_read_and_updated(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let id = person(store, acme.id, "ann@acme.test", "Ann Lee").await;
    let read = store.person(acme.id, id).await.expect("read");
    assert_eq!(read.person.email.as_str(), "ann@acme.test");
    assert_eq!(read.person.timezone.as_str(), "Europe/Lisbon");
    assert_eq!(
        read.person
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
        ["pt", "en"]
    );
    let later = t0() + SignedDuration::from_secs(60);
    let patch = PersonPatch {
        title: Some(None),
        weekly_budget: Some(0),
        working_hours: Some(WorkingHours::parse("tue 22:00-06:00").expect("hours")),
        ..PersonPatch::default()
    };
    let updated = store
        .update_person(acme.id, id, &patch, later)
        .await
        .expect("update");
    assert_eq!(updated.person.title, None);
    assert_eq!(updated.person.team.as_deref(), Some("Finance"));
    assert_eq!(updated.person.weekly_budget, 0);
    assert_eq!(updated.person.working_hours.to_string(), "tue 22:00-06:00");
    assert_eq!(updated.person.updated_at, later);
    assert_eq!(updated.person.created_at, t0());
    let unknown = store
        .update_person(acme.id, PersonId::generate(), &patch, later)
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)));
    assert_eq!(store.count_people(acme.id).await.expect("count"), 1);
}

pub async fn an_email_signs_in_to_one_account_only(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    person(store, acme.id, "ann@acme.test", "Ann").await;
    let again = store
        .create_person(globex.id, &fields("ANN@acme.test", "Ann 2"), None, t0())
        .await;
    match again.expect_err("taken") {
        StoreError::Conflict { code, error } => {
            assert_eq!((code, error.field.as_str()), ("email_taken", "email"))
        }
        other => panic!("{other:?}"),
    }
    let email = Email::parse("ann@acme.test").expect("email");
    let taken = store
        .emails_in_other_orgs(globex.id, std::slice::from_ref(&email))
        .await
        .expect("check");
    assert_eq!(taken, [email.clone()]);
    assert!(
        store
            .emails_in_other_orgs(acme.id, &[email.clone()])
            .await
            .expect("check")
            .is_empty()
    );
    let creds = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("found");
    assert_eq!(
        (creds.org_id, creds.password_hash.as_deref(), creds.active),
        (acme.id, Some("hash"), true)
    );
}

pub async fn nothing_is_visible_across_organisations(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let excel = skill(store, acme.id, "Excel").await;
    assert!(matches!(
        store.person(globex.id, ann).await,
        Err(StoreError::NotFound)
    ));
    let patch = PersonPatch {
        name: Some("Hacked".into()),
        ..PersonPatch::default()
    };
    assert!(matches!(
        store.update_person(globex.id, ann, &patch, t0()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_person_skills(globex.id, ann, &[], t0()).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.set_password_hash(globex.id, ann, "x").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .update_skill(globex.id, excel, &SkillPatch::default())
            .await,
        Err(StoreError::NotFound)
    ));
    let globex_ted = person(store, globex.id, "ted@globex.test", "Ted").await;
    let foreign_skill = store
        .set_person_skills(globex.id, globex_ted, &[(excel, SkillLevel::Expert)], t0())
        .await;
    assert_eq!(
        conflict_code(foreign_skill.expect_err("foreign skill")),
        "unknown_skill"
    );
    let page = store
        .list_people(
            globex.id,
            &PeopleQuery {
                limit: 50,
                ..PeopleQuery::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].person.id, globex_ted);
    assert_eq!(
        store
            .person(acme.id, ann)
            .await
            .expect("still Ann")
            .person
            .name,
        "Ann"
    );
}

pub async fn the_directory_pages_by_name_and_filters_by_skill_and_text(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let k8s = skill(store, acme.id, "k8s").await;
    let pivot = skill(store, acme.id, "Pivot tables").await;
    for (i, name) in ["zoe", "Ann", "bob", "Ana", "Carl", "dora", "Eve"]
        .iter()
        .enumerate()
    {
        let id = person(store, acme.id, &format!("p{i}@acme.test"), name).await;
        if i % 2 == 0 {
            store
                .set_person_skills(acme.id, id, &[(k8s, SkillLevel::Expert)], t0())
                .await
                .expect("skills");
        } else {
            store
                .set_person_skills(acme.id, id, &[(pivot, SkillLevel::Beginner)], t0())
                .await
                .expect("skills");
        }
    }
    let mut names = Vec::new();
    let mut query = PeopleQuery {
        limit: 3,
        ..PeopleQuery::default()
    };
    loop {
        let page = store.list_people(acme.id, &query).await.expect("page");
        names.extend(page.items.iter().map(|p| p.person.name.clone()));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["Ana", "Ann", "bob", "Carl", "dora", "Eve", "zoe"]);
    let experts = store
        .list_people(
            acme.id,
            &PeopleQuery {
                skill_ids: vec![k8s],
                limit: 50,
                ..PeopleQuery::default()
            },
        )
        .await
        .expect("by skill");
    assert_eq!(experts.items.len(), 4);
    assert!(
        experts
            .items
            .iter()
            .all(|p| p.skills.iter().any(|s| s.skill_id == k8s))
    );
    let text = store
        .list_people(
            acme.id,
            &PeopleQuery {
                text: Some("ANN".into()),
                limit: 50,
                ..PeopleQuery::default()
            },
        )
        .await
        .expect("by text");
    assert_eq!(
        text.items
            .iter()
            .map(|p| p.person.name.as_str())
            .collect::<Vec<_>>(),
        ["Ann"]
    );
    let wildcard = store
        .list_people(
            acme.id,
            &PeopleQuery {
                text: Some("%".into()),
                limit: 50,
                ..PeopleQuery::default()
            },
        )
        .await
        .expect("literal percent");
    assert!(wildcard.items.is_empty(), "'%' must match literally");
}

fn import_row(
    line: u64,
    email: &str,
    name: &str,
    team: &str,
    skills: Vec<(SkillId, SkillLevel)>,
) -> ImportRow {
    let mut f = fields(email, name);
    f.team = Some(team.into());
    ImportRow {
        line,
        fields: f,
        skills,
        goals: vec![],
    }
}

pub async fn an_import_creates_then_updates_only_the_columns_present(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let k8s = skill(store, acme.id, "k8s").await;
    let rows = vec![
        import_row(
            2,
            "ann@acme.test",
            "Ann",
            "Finance",
            vec![(k8s, SkillLevel::Expert)],
        ),
        import_row(3, "bob@acme.test", "Bob", "Sales", vec![]),
    ];
    let first = store
        .import_people(acme.id, &rows, Columns::all(), t0())
        .await
        .expect("import");
    assert_eq!((first.created, first.updated), (2, 0));
    let again = store
        .import_people(acme.id, &rows, Columns::all(), t0())
        .await
        .expect("re-import");
    assert_eq!((again.created, again.updated), (0, 2));
    assert_eq!(store.count_people(acme.id).await.expect("count"), 2);

    // A file with only email and name renames, and leaves team and skills alone.
    let mut partial = rows.clone();
    partial[0].fields.name = "Ann Lee".into();
    partial[0].fields.team = None;
    partial[0].skills.clear();
    store
        .import_people(
            acme.id,
            &partial[..1],
            Columns::of(&["email", "name"]),
            t0(),
        )
        .await
        .expect("partial");
    let email = Email::parse("ann@acme.test").expect("email");
    let id = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("ann")
        .person_id;
    let ann = store.person(acme.id, id).await.expect("ann");
    assert_eq!(ann.person.name, "Ann Lee");
    assert_eq!(ann.person.team.as_deref(), Some("Finance"));
    assert_eq!(ann.skills.len(), 1);
}

pub async fn an_import_is_all_or_nothing(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    person(store, globex.id, "taken@globex.test", "Taken").await;
    let rows = vec![
        import_row(2, "ann@acme.test", "Ann", "Finance", vec![]),
        import_row(3, "taken@globex.test", "Not yours", "Sales", vec![]),
    ];
    let result = store
        .import_people(acme.id, &rows, Columns::all(), t0())
        .await;
    assert_eq!(
        conflict_code(result.expect_err("foreign email")),
        "email_taken"
    );
    assert_eq!(
        store.count_people(acme.id).await.expect("count"),
        0,
        "the first row was rolled back"
    );
}

pub async fn sessions_expire_and_end_with_deactivation(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let session = |hash: &str, minutes: i64| NewSession {
        token_hash: hash.into(),
        person_id: ann,
        org_id: acme.id,
        csrf_token: "csrf".into(),
        created_at: t0(),
        expires_at: t0() + SignedDuration::from_mins(minutes),
    };
    store
        .create_session(&session("a", 10))
        .await
        .expect("session a");
    store
        .create_session(&session("b", 10))
        .await
        .expect("session b");
    store
        .create_session(&session("c", 1))
        .await
        .expect("session c");
    let live = store.session("a", t0()).await.expect("read").expect("live");
    assert_eq!(
        (live.person_id, live.role, live.csrf_token.as_str()),
        (ann, Role::Member, "csrf")
    );
    assert!(
        store
            .session("c", t0() + SignedDuration::from_mins(2))
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(
        store
            .delete_expired_sessions(t0() + SignedDuration::from_mins(2))
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(
        store
            .delete_sessions_of(acme.id, ann, Some("a"))
            .await
            .expect("others"),
        1
    );
    assert!(store.session("b", t0()).await.expect("read").is_none());
    store
        .update_person(
            acme.id,
            ann,
            &PersonPatch {
                active: Some(false),
                ..PersonPatch::default()
            },
            t0(),
        )
        .await
        .expect("deactivate");
    assert!(
        store.session("a", t0()).await.expect("read").is_none(),
        "a deactivated person's session is dead"
    );
    store.delete_session("a").await.expect("delete");
}

pub async fn invitations_are_single_use_and_expire(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let invitation = |hash: &str| NewInvitation {
        token_hash: hash.into(),
        person_id: ann,
        org_id: acme.id,
        created_at: t0(),
        expires_at: t0() + SignedDuration::from_hours(1),
    };
    store
        .create_invitation(&invitation("i1"))
        .await
        .expect("invite");
    store
        .create_invitation(&invitation("i2"))
        .await
        .expect("invite");
    let taken = store
        .take_invitation("i1", t0())
        .await
        .expect("take")
        .expect("valid");
    assert_eq!((taken.person_id, taken.org_id), (ann, acme.id));
    assert!(
        store
            .take_invitation("i1", t0())
            .await
            .expect("take")
            .is_none(),
        "single use"
    );
    assert!(
        store
            .take_invitation("i2", t0() + SignedDuration::from_hours(2))
            .await
            .expect("take")
            .is_none(),
        "expired"
    );
    assert!(
        store
            .take_invitation("nope", t0())
            .await
            .expect("take")
            .is_none()
    );
}
