use super::fixtures::*;
use crate::*;
use askaround_core::person::Role;

pub async fn organisations_are_created_and_found_by_slug(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    assert_eq!(
        store.org_by_slug("acme").await.expect("by slug").id,
        acme.id
    );
    assert_eq!(store.org(acme.id).await.expect("by id").name, "Acme");
    let again = store
        .create_org(&new_org("Acme"), &seed(), None, t0())
        .await;
    assert_eq!(
        refusal(again.expect_err("duplicate slug")),
        ("conflict", "slug_taken")
    );
    assert!(matches!(
        store.org_by_slug("nope").await,
        Err(StoreError::NotFound)
    ));
    org(store, "Globex").await;
    assert_eq!(store.orgs().await.expect("orgs").len(), 2);
}

pub async fn an_organisation_starts_with_its_seed_and_first_admin_or_not_at_all(store: &dyn Store) {
    let mut admin = with_password(fields("root@acme.test", "Root"));
    admin.fields.role = Role::Admin;
    let (acme, root) = store
        .create_org(&new_org("Acme"), &seed(), Some(&admin), t0())
        .await
        .expect("create");
    let root = root.expect("the admin");
    assert_eq!(root.person.role, Role::Admin);
    assert!(store.taxonomy_version(acme.id).await.expect("version") > 0);
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

    // The same admin address again: refused, and no half-made organisation is left behind.
    let again = store
        .create_org(&new_org("Globex"), &seed(), Some(&admin), t0())
        .await;
    assert_eq!(
        refusal(again.expect_err("email taken")),
        ("conflict", "email_taken")
    );
    assert!(matches!(
        store.org_by_slug("globex").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.orgs().await.expect("orgs").len(), 1);
}
