//! Language tags (a practical subset of BCP 47: `en`, `pt-BR`, `zh-Hant`), used to route an ask to
//! someone who speaks the asker's language.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "pt-BR")]
pub struct Language(String);

impl Language {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        let invalid = || {
            FieldError::new(
                "languages",
                format!("'{raw}' is not a language tag (e.g. en, pt-BR)"),
            )
        };
        let mut parts = raw.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        if !(2..=3).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        let mut tag = primary.to_ascii_lowercase();
        for sub in parts {
            let canonical = match sub.len() {
                // Region: `BR`, or UN M.49 numeric `419`.
                2 if sub.chars().all(|c| c.is_ascii_alphabetic()) => sub.to_ascii_uppercase(),
                3 if sub.chars().all(|c| c.is_ascii_digit()) => sub.to_owned(),
                // Script: `Hant`.
                4 if sub.chars().all(|c| c.is_ascii_alphabetic()) => {
                    let mut s = sub.to_ascii_lowercase();
                    s[..1].make_ascii_uppercase();
                    s
                }
                _ => return Err(invalid()),
            };
            tag.push('-');
            tag.push_str(&canonical);
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language (`pt` for `pt-BR`): two people share a language when these match.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

/// Parses a list separated by `;` or `,` (`en; pt-BR`), dropping duplicates and keeping order.
pub fn parse_list(raw: &str) -> Result<Vec<Language>, FieldError> {
    let mut out: Vec<Language> = Vec::new();
    for part in raw
        .split([';', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let lang = Language::parse(part)?;
        if !out.contains(&lang) {
            out.push(lang);
        }
    }
    Ok(out)
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Language {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Language> for String {
    fn from(value: Language) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn canonicalises_case() {
        assert_eq!(Language::parse("PT_br").unwrap().as_str(), "pt-BR");
        assert_eq!(Language::parse("zh-hant").unwrap().as_str(), "zh-Hant");
        assert_eq!(Language::parse("es-419").unwrap().primary(), "es");
    }

    #[test]
    fn list_drops_duplicates_and_blanks() {
        let list = parse_list("en; pt-BR;; EN").unwrap();
        let tags: Vec<&str> = list.iter().map(Language::as_str).collect();
        assert_eq!(tags, ["en", "pt-BR"]);
    }

    #[test]
    fn refuses_words() {
        assert!(Language::parse("English").is_err());
        assert!(Language::parse("e").is_err());
        assert!(Language::parse("en-").is_err());
    }

    proptest! {
        #[test]
        fn parse_is_idempotent(raw in "\\PC{0,12}") {
            if let Ok(lang) = Language::parse(&raw) {
                prop_assert_eq!(Language::parse(lang.as_str()).unwrap(), lang);
            }
        }
    }
}
