//! The demo organisation: created once in the database, its two sign-in accounts given a
//! password every time so the one printed always works.

use std::sync::Arc;

use anyhow::{Context, Result};
use jiff::Timestamp;
use rand::Rng;

use askaround_core::demo::{ADMIN_EMAIL, DemoOptions, MEMBER_EMAIL, ORG_NAME, generate};
use askaround_core::email::Email;
use askaround_core::org::{Org, slugify};
use askaround_core::people_csv::Columns;
use askaround_core::taxonomy::{Taxonomy, embedded_seed};
use askaround_store::{NewOrg, Store, StoreError};

pub struct DemoInfo {
    pub org: Org,
    pub people: u64,
    pub password: String,
    pub created: bool,
}

pub async fn ensure(
    store: &Arc<dyn Store>,
    options: &DemoOptions,
    password: Option<String>,
) -> Result<DemoInfo> {
    let slug = slugify(ORG_NAME);
    let (org, created) = match store.org_by_slug(&slug).await {
        Ok(org) => (org, false),
        Err(StoreError::NotFound) => (create(store, &slug).await?, true),
        Err(e) => return Err(e).context("looking for the demo organisation"),
    };
    // People are imported after the organisation exists; an interrupted first start is repaired
    // here (the import updates by email, so running it again is harmless).
    if created || store.count_people(org.id).await? < 2 {
        let taxonomy = Taxonomy::new(store.skills(org.id).await?);
        let rows = generate(&taxonomy, options);
        store
            .import_people(org.id, &rows, Columns::all(), Timestamp::now())
            .await?;
    }
    let password = password.unwrap_or_else(generated_password);
    askaround_core::person::check_password(&password)
        .map_err(|e| anyhow::anyhow!("--demo-password {}", e.message))?;
    let hash = askaround_server::auth::password::hash(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e}"))?;
    for email in [ADMIN_EMAIL, MEMBER_EMAIL] {
        let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = store
            .credentials(&email)
            .await?
            .with_context(|| format!("the demo account {email} is missing"))?;
        store
            .change_password(account.org_id, account.person_id, &hash, None)
            .await?;
    }
    let people = store.count_people(org.id).await?;
    Ok(DemoInfo {
        org,
        people,
        password,
        created,
    })
}

async fn create(store: &Arc<dyn Store>, slug: &str) -> Result<Org> {
    let new = NewOrg {
        name: ORG_NAME.to_owned(),
        slug: slug.to_owned(),
    };
    Ok(store
        .create_org(&new, embedded_seed(), None, Timestamp::now())
        .await?
        .0)
}

fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let group = |rng: &mut rand::rngs::ThreadRng| -> String {
        (0..4)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    };
    format!(
        "demo-{}-{}-{}",
        group(&mut rng),
        group(&mut rng),
        group(&mut rng)
    )
}
