//! The index kept whole across builds: changes made while one runs reach it.

use askaround_core::matching::Presence;
use askaround_core::presence::PresenceSetting;
use askaround_core::taxonomy::SeedSkill;
use askaround_sqlite::SqliteStore;
use askaround_store::conformance::fixtures::{fields, t0, with_password};
use askaround_store::{NewOrg, NewSkill};

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

/// Acme on a real SQLite file, with its index built: where most tests start.
struct Built {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    org: OrgId,
    matchers: Arc<Matchers>,
    old: SharedIndex,
}

async fn built() -> Built {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let matchers = matchers(store.clone());
    let old = matchers.index(org).await.expect("first build");
    Built {
        _dir: dir,
        store,
        org,
        matchers,
        old,
    }
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

/// Makes the next build of an index pause right after reading its snapshot; see
/// [`build_paused_after_snapshot`] for how the barrier is used.
fn pause_next_build(matchers: &Matchers) -> Arc<tokio::sync::Barrier> {
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    if let Ok(mut pause) = matchers.held.after_snapshot.lock() {
        *pause = Some(barrier.clone());
    }
    barrier
}

/// Waits until the paused build has read its snapshot; later builds no longer pause.
async fn snapshot_read(matchers: &Matchers, barrier: &tokio::sync::Barrier) {
    barrier.wait().await;
    if let Ok(mut pause) = matchers.held.after_snapshot.lock() {
        *pause = None;
    }
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
    let barrier = pause_next_build(matchers);
    let building = matchers.clone();
    let build = tokio::spawn(async move {
        building
            .index_younger_than(org, max_age)
            .await
            .expect("build the index")
    });
    snapshot_read(matchers, &barrier).await;
    (barrier, build)
}

/// The index a request gets. A request that finds an index must not wait for a build: the
/// timeout only keeps a test that breaks this from hanging.
async fn served(matchers: &Matchers, org: OrgId) -> SharedIndex {
    tokio::time::timeout(Duration::from_secs(10), matchers.index(org))
        .await
        .expect("a request with an index held does not wait for a build")
        .expect("index")
}

/// Waits for the build of `org`'s index under way, if any, to be over (replay included).
async fn builds_over(matchers: &Matchers, org: OrgId) {
    drop(matchers.gate(org).lock().await);
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
    let Built {
        _dir,
        store,
        org,
        matchers,
        old,
    } = built().await;

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
async fn an_index_built_across_an_invalidation_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let matchers = matchers(store.clone());

    let (barrier, build) = build_paused_after_snapshot(&matchers, org, REFRESH_AFTER).await;
    // A bulk import commits, then invalidates the index: the one being built predates it.
    let dan = hire(store.as_ref(), org, "dan@acme.test").await;
    matchers.invalidate(org);
    barrier.wait().await;
    let stale = build.await.expect("the build ran");
    assert!(!stale.read().expect("stale").contains(dan.person.id));

    // The next use gets it at once and starts a rebuild in the background.
    assert!(Arc::ptr_eq(&served(&matchers, org).await, &stale));
    builds_over(&matchers, org).await;
    let index = served(&matchers, org).await;
    assert!(!Arc::ptr_eq(&stale, &index), "the index was rebuilt");
    assert!(index.read().expect("index").contains(dan.person.id));
}

#[tokio::test]
async fn an_invalidated_index_serves_until_its_replacement_is_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir).await;
    let org = acme(store.as_ref()).await;
    let ann = hire(store.as_ref(), org, "ann@acme.test").await;
    let matchers = matchers(store.clone());
    let old = matchers.index(org).await.expect("first build");

    let barrier = pause_next_build(&matchers);
    matchers.invalidate(org);
    assert!(
        Arc::ptr_eq(&served(&matchers, org).await, &old),
        "the old index serves while its replacement is built"
    );
    snapshot_read(&matchers, &barrier).await;
    // Ann turns on do-not-disturb while the rebuild is held after reading its snapshot.
    let ann = store
        .set_presence(org, ann.person.id, PresenceSetting::Dnd, t0())
        .await
        .expect("set presence");
    matchers.person_changed(&ann).await;
    let presence = |index: &SharedIndex| {
        index
            .read()
            .expect("index")
            .state(ann.person.id)
            .map(|s| s.presence)
    };
    assert_eq!(presence(&old), Some(Presence::DoNotDisturb));
    assert!(
        Arc::ptr_eq(&served(&matchers, org).await, &old),
        "still the old index while its replacement is held"
    );
    barrier.wait().await;
    builds_over(&matchers, org).await;

    let new = served(&matchers, org).await;
    assert!(!Arc::ptr_eq(&old, &new), "the rebuild replaced it");
    assert_eq!(
        presence(&new),
        Some(Presence::DoNotDisturb),
        "a change made while the rebuild was held is in the new index"
    );
}

#[tokio::test]
async fn an_invalidation_during_a_background_rebuild_brings_one_more_rebuild() {
    let Built {
        _dir,
        store,
        org,
        matchers,
        old,
    } = built().await;

    let barrier = pause_next_build(&matchers);
    matchers.invalidate(org);
    served(&matchers, org).await;
    snapshot_read(&matchers, &barrier).await;
    // A bulk import commits during the rebuild, after its snapshot was read.
    let erin = hire(store.as_ref(), org, "erin@acme.test").await;
    matchers.invalidate(org);
    barrier.wait().await;
    builds_over(&matchers, org).await;

    let first = served(&matchers, org).await;
    assert!(!Arc::ptr_eq(&old, &first), "the first rebuild is in place");
    assert!(!first.read().expect("first").contains(erin.person.id));
    // Serving it started the next rebuild, which reads the import.
    builds_over(&matchers, org).await;
    let second = served(&matchers, org).await;
    assert!(
        !Arc::ptr_eq(&first, &second),
        "the invalidation was not lost"
    );
    assert!(second.read().expect("second").contains(erin.person.id));

    // And that is the end of it: the index is fresh, no further rebuild comes.
    builds_over(&matchers, org).await;
    assert!(Arc::ptr_eq(&served(&matchers, org).await, &second));
    builds_over(&matchers, org).await;
    assert!(Arc::ptr_eq(&served(&matchers, org).await, &second));
}

#[tokio::test]
async fn an_index_for_an_older_taxonomy_serves_while_it_is_rebuilt() {
    let Built {
        _dir,
        store,
        org,
        matchers,
        old,
    } = built().await;

    let barrier = pause_next_build(&matchers);
    let new_skill = NewSkill {
        name: "Pivot tables".into(),
        parent_id: None,
        aliases: Vec::new(),
    };
    store
        .create_skill(org, &new_skill)
        .await
        .expect("add a skill");
    assert!(
        Arc::ptr_eq(&served(&matchers, org).await, &old),
        "the index of the older taxonomy serves while the new one is built"
    );
    snapshot_read(&matchers, &barrier).await;
    barrier.wait().await;
    builds_over(&matchers, org).await;

    let new = served(&matchers, org).await;
    assert!(!Arc::ptr_eq(&old, &new), "the rebuild replaced it");
    let new = new.read().expect("new");
    assert!(new.taxonomy().resolve("Pivot tables").is_some());
}

#[tokio::test]
async fn a_session_brought_again_with_a_rating_and_topics_is_replaced_in_place() {
    let Built {
        _dir,
        store,
        org,
        matchers,
        old,
    } = built().await;
    let ann = hire(store.as_ref(), org, "ann@acme.test").await;
    let bob = hire(store.as_ref(), org, "bob@acme.test").await;
    matchers.person_changed(&ann).await;
    matchers.person_changed(&bob).await;
    let excel = old
        .read()
        .expect("index")
        .taxonomy()
        .resolve("Excel")
        .map(|s| s.id)
        .expect("Excel is in the taxonomy");
    let first = HelpEvidence {
        learner: bob.person.id,
        text: "pivot table refresh when rows are added".into(),
        skills: Vec::new(),
        rating: None,
        at: t0(),
    };
    // The ask resolved (counted without a rating), then the learner's feedback and the helper's
    // topics arrived: the same session, with more to it.
    let rated = HelpEvidence {
        skills: vec![excel],
        rating: Some(5),
        ..first.clone()
    };
    let ask = AskId::generate();
    matchers.add_session(org, ask, ann.person.id, &first);
    matchers.add_session(org, ask, ann.person.id, &rated);

    // No rebuild: the index in use is the one built first, now and after any build would end.
    builds_over(&matchers, org).await;
    let now = served(&matchers, org).await;
    builds_over(&matchers, org).await;
    assert!(Arc::ptr_eq(&old, &now), "the session was replaced in place");
    assert!(Arc::ptr_eq(&old, &served(&matchers, org).await));

    // And it holds the session once, as if only the rated version had ever been counted.
    let fresh = matchers_with_only(store.clone(), org, &ann, &rated).await;
    let question = askaround_core::matching::Ask {
        skills: vec![excel],
        ..askaround_core::matching::Ask::new("pivot table refresh")
    };
    let expertise = |index: &SharedIndex| {
        let index = index.read().expect("index");
        assert_eq!(index.helps(ann.person.id), Some(1));
        index.expertise_scores(&question, &[ann.person.id], t0(), &Default::default())[0]
            .expect("Ann is in the index")
    };
    let (replaced, counted_once) = (expertise(&old), expertise(&fresh));
    assert!(
        (replaced - counted_once).abs() <= 1e-6 * counted_once,
        "{replaced} vs {counted_once}"
    );
}

/// A new index of `org` in which `helper`'s only session is `session`.
async fn matchers_with_only(
    store: Arc<dyn Store>,
    org: OrgId,
    helper: &Profile,
    session: &HelpEvidence,
) -> SharedIndex {
    let matchers = matchers(store);
    let index = matchers.index(org).await.expect("build");
    matchers.add_session(org, AskId::generate(), helper.person.id, session);
    index
}
