use jiff::SignedDuration;

use askaround_core::email::Email;
use askaround_core::person::{PersonPatch, Role};

use super::fixtures::*;
use crate::*;

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

pub async fn a_password_change_ends_the_other_sessions(store: &dyn Store) {
    let acme = org(store, "Acme").await;
    let ann = person(store, acme.id, "ann@acme.test", "Ann").await;
    for hash in ["laptop", "phone"] {
        store
            .create_session(&NewSession {
                token_hash: hash.into(),
                person_id: ann,
                org_id: acme.id,
                csrf_token: "csrf".into(),
                created_at: t0(),
                expires_at: t0() + SignedDuration::from_hours(1),
            })
            .await
            .expect("session");
    }
    store
        .change_password(acme.id, ann, "new-hash", Some("laptop"))
        .await
        .expect("change");
    assert!(store.session("laptop", t0()).await.expect("read").is_some());
    assert!(store.session("phone", t0()).await.expect("read").is_none());
    let email = Email::parse("ann@acme.test").expect("email");
    let creds = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("ann");
    assert_eq!(creds.password_hash.as_deref(), Some("new-hash"));
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
        .redeem_invitation("i1", "chosen", t0())
        .await
        .expect("redeem")
        .expect("valid");
    assert_eq!((taken.person_id, taken.org_id), (ann, acme.id));
    let email = Email::parse("ann@acme.test").expect("email");
    let creds = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("ann");
    assert_eq!(creds.password_hash.as_deref(), Some("chosen"));
    assert!(
        store
            .redeem_invitation("i1", "again", t0())
            .await
            .expect("redeem")
            .is_none(),
        "single use"
    );
    let late = store
        .redeem_invitation("i2", "late", t0() + SignedDuration::from_hours(2))
        .await;
    assert!(late.expect("redeem").is_none(), "expired");
    assert!(
        store
            .redeem_invitation("nope", "x", t0())
            .await
            .expect("redeem")
            .is_none()
    );
    let creds = store
        .credentials(&email)
        .await
        .expect("creds")
        .expect("ann");
    assert_eq!(
        creds.password_hash.as_deref(),
        Some("chosen"),
        "refused redemptions change nothing"
    );
}
