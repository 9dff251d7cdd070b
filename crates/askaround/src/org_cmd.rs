//! `askaround org create`: a new organisation with its first admin, who gets an invitation link.

use std::sync::Arc;

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
use askaround_store::{NewInvitation, NewOrg, Store};

pub struct CreateOrg {
    pub name: String,
    pub admin_email: String,
    pub admin_name: String,
    pub timezone: String,
}

pub async fn create(
    store: &Arc<dyn Store>,
    args: &CreateOrg,
    public_url: Option<&str>,
    invitation_ttl: std::time::Duration,
) -> Result<()> {
    let flag = |flag: &str, e: askaround_core::FieldError| anyhow!("{flag}: {}", e.message);
    let name = parse_org_name(&args.name).map_err(|e| flag("--name", e))?;
    let email = Email::parse(&args.admin_email).map_err(|e| flag("--admin-email", e))?;
    let admin_name = fields::name(&args.admin_name).map_err(|e| flag("--admin-name", e))?;
    let timezone = TimeZoneName::parse(&args.timezone).map_err(|e| flag("--timezone", e))?;
    let now = Timestamp::now();
    let org = store
        .create_org(
            &NewOrg {
                name,
                slug: slugify(&args.name),
            },
            now,
        )
        .await?;
    let skills = store.seed_taxonomy(org.id, embedded_seed()).await?;
    let admin = store
        .create_person(
            org.id,
            &PersonFields {
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
            },
            None,
            now,
        )
        .await?;
    let token = new_token();
    let ttl = SignedDuration::try_from(invitation_ttl)?;
    store
        .create_invitation(&NewInvitation {
            token_hash: token_hash(&token),
            person_id: admin.person.id,
            org_id: org.id,
            created_at: now,
            expires_at: now.checked_add(ttl)?,
        })
        .await?;
    let base = public_url
        .unwrap_or("http://localhost:8080")
        .trim_end_matches('/');
    println!(
        "Created {} ({}) with {skills} skills in its taxonomy.",
        org.name, org.slug
    );
    println!(
        "{} can choose a password and sign in at:\n  {base}/invite/{token}",
        admin.person.name
    );
    Ok(())
}
