use askaround_core::email::Email;
use askaround_core::ids::SkillId;
use askaround_core::people_csv::{Columns, ImportRow};
use askaround_core::person::Role;
use askaround_core::skill::SkillLevel;

use super::fixtures::*;
use crate::*;

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
        role_given: true,
        active_given: true,
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
    let version = store.taxonomy_version(acme.id).await.expect("version");
    let first = store
        .import_people(acme.id, &rows, Columns::all(), t0())
        .await
        .expect("import");
    assert_eq!((first.created, first.updated), (2, 0));
    // A running node's matcher learns of an import, even one by another process, from this.
    assert!(store.taxonomy_version(acme.id).await.expect("version") > version);
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
        refusal(result.expect_err("foreign email")),
        ("conflict", "email_taken")
    );
    assert_eq!(
        store.count_people(acme.id).await.expect("count"),
        0,
        "the first row was rolled back"
    );
}

pub async fn an_import_never_leaves_an_organisation_without_an_admin(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let mut root = import_row(2, "root@acme.test", "Root", "IT", vec![]);
    root.fields.role = Role::Admin;
    store
        .import_people(acme.id, &[root.clone()], Columns::all(), t0())
        .await
        .expect("admin");

    // A blank role cell on re-import leaves the admin an admin.
    let mut blank = root.clone();
    blank.fields.role = Role::Member;
    blank.role_given = false;
    store
        .import_people(acme.id, &[blank], Columns::all(), t0())
        .await
        .expect("re-import");
    let email = Email::parse("root@acme.test").expect("email");
    let id = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("root")
        .person_id;
    assert_eq!(
        store.person(acme.id, id).await.expect("root").person.role,
        Role::Admin
    );

    // Demoting the last admin is refused, and nothing of the file is written.
    let mut demoted = root.clone();
    demoted.fields.role = Role::Member;
    let newcomer = import_row(3, "new@acme.test", "New", "IT", vec![]);
    let refused = store
        .import_people(acme.id, &[demoted, newcomer], Columns::all(), t0())
        .await;
    assert_eq!(
        refusal(refused.expect_err("last admin")),
        ("invalid", "no_admin_left")
    );
    assert_eq!(store.count_people(acme.id).await.expect("count"), 1);
}
