//! Organisations: the tenants. Every person, skill and ask belongs to exactly one.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ids::OrgId;
use crate::text::{bounded, limits};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    /// URL-safe short name, unique across the installation.
    pub slug: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

pub fn parse_org_name(raw: &str) -> Result<String, FieldError> {
    bounded("name", raw, 1, limits::ORG_NAME, false)
}

/// `Acme Corp. (EU)` → `acme-corp-eu`. Falls back to `org` for names with no ASCII letters.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug
        .trim_end_matches('-')
        .chars()
        .take(48)
        .collect::<String>();
    if slug.is_empty() {
        "org".to_owned()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Corp. (EU)"), "acme-corp-eu");
        assert_eq!(slugify("Ünïcödé"), "n-c-d");
        assert_eq!(slugify("東京"), "org");
    }
}
