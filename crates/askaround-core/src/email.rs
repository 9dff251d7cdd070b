//! Email addresses, parsed once at the edge and trusted everywhere after.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// A syntactically valid email address, lower-cased so that `Ann@X.org` and `ann@x.org` are one
/// account. The rules are the pragmatic subset every mail system accepts, not full RFC 5322
/// (quoted local parts and IP literals are refused on purpose: no workplace directory uses them).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = "email")]
pub struct Email(String);

const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("email", format!("'{raw}' is not a valid address"));
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("email", "is required"));
        }
        if trimmed.len() > MAX_LEN {
            return Err(FieldError::new(
                "email",
                format!("is longer than {MAX_LEN} characters"),
            ));
        }
        let lower = trimmed.to_lowercase();
        let (local, domain) = lower.split_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.len() > MAX_LOCAL_LEN || !local.chars().all(is_local_char) {
            return Err(invalid());
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(invalid());
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || !labels.iter().all(|l| is_domain_label(l)) {
            return Err(invalid());
        }
        Ok(Self(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)
}

fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lower_cases_and_trims() {
        let email = Email::parse("  Ann.Lee@Example.ORG ").unwrap();
        assert_eq!(email.as_str(), "ann.lee@example.org");
    }

    #[test]
    fn refuses_addresses_people_mistype() {
        for bad in [
            "bob@",
            "@x.org",
            "bob",
            "bob@x",
            "bob@@x.org",
            "b ob@x.org",
            "bob@x..org",
            ".bob@x.org",
            "bob@-x.org",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email");
            assert_eq!(
                err.message,
                format!("'{bad}' is not a valid address"),
                "{bad}"
            );
        }
        assert_eq!(Email::parse("  ").unwrap_err().message, "is required");
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_is_idempotent(raw in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
                prop_assert!(email.as_str().contains('@'));
            }
        }

        #[test]
        fn well_formed_addresses_parse(local in "[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{domain}");
            let parsed = Email::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }
    }
}
