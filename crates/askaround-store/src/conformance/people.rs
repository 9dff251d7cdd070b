use jiff::SignedDuration;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::PersonId;
use askaround_core::person::PersonPatch;
use askaround_core::skill::SkillLevel;

use super::fixtures::*;
use crate::*;

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
        .create_person(
            globex.id,
            &NewPerson::new(fields("ANN@acme.test", "Ann 2")),
            t0(),
        )
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
    assert_eq!(taken, std::slice::from_ref(&email));
    assert!(
        store
            .emails_in_other_orgs(acme.id, std::slice::from_ref(&email))
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
        store.change_password(globex.id, ann, "x", None).await,
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
        refusal(foreign_skill.expect_err("foreign skill")),
        ("invalid", "unknown_skill")
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

pub async fn a_person_is_created_with_skills_goals_and_invitation_or_not_at_all(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let k8s = skill(store, acme.id, "k8s").await;
    let tableau = skill(store, acme.id, "Tableau").await;
    let mut new = NewPerson::new(fields("nia@acme.test", "Nia"));
    new.skills = vec![(k8s, SkillLevel::Expert)];
    new.goals = vec![tableau];
    new.invitation = Some(InvitationToken {
        token_hash: "invite".into(),
        expires_at: t0() + SignedDuration::from_hours(1),
    });
    let nia = store
        .create_person(acme.id, &new, t0())
        .await
        .expect("create");
    assert_eq!(nia.skills[0].skill_id, k8s);
    assert_eq!(nia.goals[0].skill_id, tableau);
    let redeemed = store
        .redeem_invitation("invite", "new-hash", t0())
        .await
        .expect("redeem");
    assert_eq!(redeemed.map(|i| i.person_id), Some(nia.person.id));

    // A skill of another organisation: refused, and the person is not half-created.
    let foreign = skill(store, globex.id, "k8s").await;
    let mut bad = NewPerson::new(fields("zed@acme.test", "Zed"));
    bad.skills = vec![(foreign, SkillLevel::Expert)];
    let refused = store.create_person(acme.id, &bad, t0()).await;
    assert_eq!(
        refusal(refused.expect_err("foreign skill")),
        ("invalid", "unknown_skill")
    );
    let email = Email::parse("zed@acme.test").expect("email");
    assert!(store.credentials(&email).await.expect("lookup").is_none());
}
