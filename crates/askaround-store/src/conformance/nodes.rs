use jiff::SignedDuration;

use askaround_core::ids::NodeId;

use super::fixtures::*;
use crate::*;

pub async fn connections_count_while_their_node_is_alive(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let globex = org(store, "Globex").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    let bob = person(store, acme.id, "bob@acme.test", "Bob").await;
    let (a, b) = (NodeId::generate(), NodeId::generate());
    let secs = SignedDuration::from_secs;
    assert!(!store.node_alive(a, t0() + secs(5)).await.expect("a is new"));
    assert!(store.node_alive(a, t0() + secs(30)).await.expect("a beats"));
    assert!(
        !store
            .node_alive(b, t0() + secs(10))
            .await
            .expect("b is new")
    );
    for (node, who) in [(a, ann), (b, bob), (b, ann)] {
        store
            .set_connected(node, acme.id, who, true)
            .await
            .expect("connect");
    }
    // Saying it twice changes nothing.
    store
        .set_connected(a, acme.id, ann, true)
        .await
        .expect("again");
    let connected = |at| async move {
        let mut people = store.connected_people(acme.id, at).await.expect("people");
        people.sort();
        people
    };
    let mut both = vec![ann, bob];
    both.sort();
    assert_eq!(connected(t0()).await, both);
    assert!(
        store
            .connected_people(globex.id, t0())
            .await
            .expect("globex")
            .is_empty()
    );

    // Ann closes the app on node a but still has it open on node b.
    store
        .set_connected(a, acme.id, ann, false)
        .await
        .expect("disconnect");
    assert!(store.is_connected(acme.id, ann, t0()).await.expect("ann"));

    // Node b stops beating: once its time runs out, nobody it held counts.
    let later = t0() + secs(20);
    assert!(connected(later).await.is_empty());
    assert!(!store.is_connected(acme.id, ann, later).await.expect("ann"));
    let mut forgotten = store.forget_nodes(later, None).await.expect("forget");
    forgotten.sort();
    let mut expected = vec![(acme.id, ann), (acme.id, bob)];
    expected.sort();
    assert_eq!(forgotten, expected);
    assert!(
        store
            .forget_nodes(later, None)
            .await
            .expect("again")
            .is_empty()
    );
    // Should node b beat again, it learns that it was forgotten and must say whom it holds.
    assert!(
        !store
            .node_alive(b, later + secs(30))
            .await
            .expect("b again")
    );
    assert!(connected(later).await.is_empty());

    // Node a is alive and holds Bob until it stops.
    store
        .set_connected(a, acme.id, bob, true)
        .await
        .expect("bob on a");
    assert_eq!(connected(later).await, vec![bob]);
    assert_eq!(
        store.forget_nodes(t0(), Some(a)).await.expect("stopped"),
        vec![(acme.id, bob)]
    );
    assert!(connected(t0()).await.is_empty());
}
