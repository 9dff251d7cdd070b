//! The index kept whole across builds: changes made while one runs reach it.

use askaround_core::taxonomy::SeedSkill;
use askaround_sqlite::SqliteStore;
use askaround_store::NewOrg;
use askaround_store::conformance::fixtures::{fields, t0, with_password};

use super::*;

async fn store(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = format!("sqlite://{}", dir.path().join("askaround.db").display());
    Arc::new(SqliteStore::connect(&url).await.expect("open the store"))
}

async fn acme(store: &dyn Store) -> OrgId {
    let new = NewOrg {
        name: "Acme".into(),
        slug: "acme".into(),
    };
    let seed = [SeedSkill {
        name: "Microsoft Excel".into(),
        parent: None,
        aliases: vec!["Excel".into()],
        popularity: 1,
    }];
    let (org, _) = store
        .create_org(&new, &seed, None, t0())
        .await
        .expect("create the organisation");
    org.id
}

async fn hire(store: &dyn Store, org: OrgId, email: &str) -> Profile {
    store
        .create_person(org, &with_password(fields(email, "Someone")), t0())
        .await
        .expect("create a person")
}

fn matchers(store: Arc<dyn Store>) -> Arc<Matchers> {
    let matchers = Matchers::new(
        store,
        Arc::new(Hub::default()),
        Arc::new(TaxonomyCache::default()),
        14,
    );
    Arc::new(matchers)
}

/// Starts a build of `org`'s index (a rebuild if one is held and older than `max_age`) and
/// returns once its snapshot has been read; the build goes on when the returned barrier is
/// waited on again.
async fn build_paused_after_snapshot(
    matchers: &Arc<Matchers>,
    org: OrgId,
    max_age: Duration,
) -> (
    Arc<tokio::sync::Barrier>,
    tokio::task::JoinHandle<SharedIndex>,
) {
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    if let Ok(mut pause) = matchers.after_snapshot.lock() {
        *pause = Some(barrier.clone());
    }
    let building = matchers.clone();
    let build = tokio::spawn(async move {
        building
            .index_younger_than(org, max_age)
            .await
            .expect("build the index")
    });
    barrier.wait().await;
    if let Ok(mut pause) = matchers.after_snapshot.lock() {
        *pause = None;
    }
    (barrier, build)
}

#[tokio::test]
async fn a_person_added_while_the_first_index_is_built_is_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let ann = hire(store.as_ref(), org, "ann@acme.test").await;
    let matchers = matchers(store.clone());

    let (barrier, build) = build_paused_after_snapshot(&matchers, org, REFRESH_AFTER).await;
    let bob = hire(store.as_ref(), org, "bob@acme.test").await;
    matchers.person_changed(&bob).await;
    barrier.wait().await;
    let index = build.await.expect("the build ran");

    let index = index.read().expect("index");
    assert!(index.contains(ann.person.id));
    assert!(
        index.contains(bob.person.id),
        "a person created after the snapshot was read is in the index"
    );
}

#[tokio::test]
async fn a_rebuild_keeps_what_changed_while_it_ran() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let matchers = matchers(store.clone());
    let old = matchers.index(org).await.expect("first build");

    // As the background rebuild does, with the old index serving meanwhile.
    let (barrier, build) = build_paused_after_snapshot(&matchers, org, Duration::ZERO).await;
    let cleo = hire(store.as_ref(), org, "cleo@acme.test").await;
    matchers.person_changed(&cleo).await;
    assert!(old.read().expect("old").contains(cleo.person.id));
    barrier.wait().await;
    let new = build.await.expect("the rebuild ran");

    assert!(!Arc::ptr_eq(&old, &new), "the index was rebuilt");
    assert!(new.read().expect("new").contains(cleo.person.id));
    let served = matchers.index(org).await.expect("index");
    assert!(Arc::ptr_eq(&served, &new), "requests get the new index");
}

#[tokio::test]
async fn an_index_built_across_an_invalidation_is_not_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let matchers = matchers(store.clone());

    let (barrier, build) = build_paused_after_snapshot(&matchers, org, REFRESH_AFTER).await;
    // A bulk import commits, then forgets the index: the one being built predates it.
    let dan = hire(store.as_ref(), org, "dan@acme.test").await;
    matchers.invalidate(org);
    barrier.wait().await;
    let stale = build.await.expect("the build ran");

    let index = matchers.index(org).await.expect("index");
    assert!(!Arc::ptr_eq(&stale, &index), "the next use builds again");
    assert!(index.read().expect("index").contains(dan.person.id));
}
