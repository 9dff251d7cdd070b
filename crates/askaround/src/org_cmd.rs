//! `askaround org create` (a new organisation with its first admin) and `askaround org invite`
//! (a fresh invitation link for someone, e.g. a person imported from CSV or an admin whose first
//! link expired).

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, anyhow};
use jiff::{SignedDuration, Timestamp};

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::language;
use askaround_core::org::{parse_org_name, slugify};
use askaround_core::person::{DEFAULT_WEEKLY_BUDGET, PersonFields, Role, fields};
use askaround_core::taxonomy::embedded_seed;
use askaround_core::timezone::TimeZoneName;
use askaround_server::auth::session::{new_token, token_hash};
use askaround_store::{InvitationToken, NewInvitation, NewOrg, NewPerson, Store};

use crate::import_cmd::pick_org;

pub struct CreateOrg {
    pub name: String,
    pub admin_email: String,
    pub admin_name: String,
    pub timezone: String,
}

fn flag(name: &str, e: askaround_core::FieldError) -> anyhow::Error {
    anyhow!("{name}: {}", e.message)
}

/// A token for the link and what the store keeps of it (its hash).
fn invitation(ttl: Duration) -> Result<(String, InvitationToken)> {
    let token = new_token();
    let expires_at = Timestamp::now().checked_add(SignedDuration::try_from(ttl)?)?;
    let stored = InvitationToken {
        token_hash: token_hash(&token),
        expires_at,
    };
    Ok((token, stored))
}

fn link(public_url: Option<&str>, token: &str) -> String {
    let base = public_url
        .unwrap_or("http://localhost:8080")
        .trim_end_matches('/');
    format!("{base}/invite/{token}")
}

/// The organisation, its seed taxonomy, its admin and the admin's invitation are written in one
/// transaction: a refused admin address leaves no organisation behind.
pub async fn create(
    store: &Arc<dyn Store>,
    args: &CreateOrg,
    public_url: Option<&str>,
    ttl: Duration,
) -> Result<()> {
    let name = parse_org_name(&args.name).map_err(|e| flag("--name", e))?;
    let email = Email::parse(&args.admin_email).map_err(|e| flag("--admin-email", e))?;
    let admin_name = fields::name(&args.admin_name).map_err(|e| flag("--admin-name", e))?;
    let timezone = TimeZoneName::parse(&args.timezone).map_err(|e| flag("--timezone", e))?;
    let (token, stored) = invitation(ttl)?;
    let admin = NewPerson {
        invitation: Some(stored),
        ..NewPerson::new(PersonFields {
            email,
            name: admin_name,
            title: None,
            team: None,
            location: None,
            timezone,
            working_hours: WorkingHours::office(),
            languages: language::parse_list("en").unwrap_or_default(),
            bio: None,
            weekly_budget: DEFAULT_WEEKLY_BUDGET,
            role: Role::Admin,
            active: true,
        })
    };
    let new = NewOrg {
        slug: slugify(&name),
        name,
    };
    let seed = embedded_seed();
    let (org, admin) = store
        .create_org(&new, seed, Some(&admin), Timestamp::now())
        .await?;
    let admin_name = admin.map_or_else(String::new, |a| a.person.name);
    println!(
        "Created {} ({}) with {} skills in its taxonomy.",
        org.name,
        org.slug,
        seed.len()
    );
    println!(
        "{admin_name} can choose a password and sign in at:\n  {}",
        link(public_url, &token)
    );
    Ok(())
}

pub async fn invite(
    store: &Arc<dyn Store>,
    email: &str,
    org: Option<&str>,
    public_url: Option<&str>,
    ttl: Duration,
) -> Result<()> {
    let org = pick_org(store, org).await?;
    let email = Email::parse(email).map_err(|e| flag("--email", e))?;
    let account = store
        .credentials(&email)
        .await?
        .filter(|c| c.org_id == org.id)
        .ok_or_else(|| anyhow!("{} has nobody with the address {email}", org.name))?;
    if !account.active {
        return Err(anyhow!("{email} is deactivated; reactivate them first"));
    }
    let (token, stored) = invitation(ttl)?;
    store
        .create_invitation(&NewInvitation {
            token_hash: stored.token_hash,
            person_id: account.person_id,
            org_id: org.id,
            created_at: Timestamp::now(),
            expires_at: stored.expires_at,
        })
        .await?;
    println!(
        "{email} can choose a password and sign in at:\n  {}",
        link(public_url, &token)
    );
    Ok(())
}
