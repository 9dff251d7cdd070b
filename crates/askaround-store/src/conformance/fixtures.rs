//! Shared fixtures of the conformance suite.

use jiff::Timestamp;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{OrgId, PersonId, SkillId};
use askaround_core::language;
use askaround_core::org::Org;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::{SeedSkill, Taxonomy};
use askaround_core::timezone::TimeZoneName;

use crate::{NewOrg, NewPerson, Store, StoreError};

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).expect("a valid instant")
}

pub fn seed() -> Vec<SeedSkill> {
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

pub fn new_org(name: &str) -> NewOrg {
    NewOrg {
        name: name.into(),
        slug: name.to_lowercase(),
    }
}

pub async fn org(store: &dyn Store, name: &str) -> Org {
    store
        .create_org(&new_org(name), &seed(), None, t0())
        .await
        .expect("create org")
        .0
}

pub async fn taxonomy(store: &dyn Store, org: OrgId) -> Taxonomy {
    Taxonomy::new(store.skills(org).await.expect("skills"))
}

pub async fn skill(store: &dyn Store, org: OrgId, name: &str) -> SkillId {
    taxonomy(store, org)
        .await
        .resolve(name)
        .map(|s| s.id)
        .expect("skill exists")
}

pub fn fields(email: &str, name: &str) -> PersonFields {
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

pub fn with_password(fields: PersonFields) -> NewPerson {
    NewPerson {
        password_hash: Some("hash".into()),
        ..NewPerson::new(fields)
    }
}

pub async fn person(store: &dyn Store, org: OrgId, email: &str, name: &str) -> PersonId {
    store
        .create_person(org, &with_password(fields(email, name)), t0())
        .await
        .expect("create person")
        .person
        .id
}

/// The stable code of a refused write, with its kind: `Conflict` (409) or `Invalid` (422).
pub fn refusal(e: StoreError) -> (&'static str, &'static str) {
    match e {
        StoreError::Conflict { code, .. } => ("conflict", code),
        StoreError::Invalid { code, .. } => ("invalid", code),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
