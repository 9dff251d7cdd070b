//! Bounded, trimmed text fields. A name of 10 MB or a title made of control characters is refused
//! at the edge, with the field named.

use crate::FieldError;

/// Trims `raw` and checks it is between `min` and `max` characters with no control characters
/// (newlines are allowed only where `multiline` is set, e.g. a bio).
pub fn bounded(
    field: &str,
    raw: &str,
    min: usize,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let value = raw.trim();
    let chars = value.chars().count();
    if chars < min {
        return Err(FieldError::new(
            field,
            if min == 1 {
                "is required".to_owned()
            } else {
                format!("must be at least {min} characters")
            },
        ));
    }
    if chars > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters (got {chars})"),
        ));
    }
    let bad_control = value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')));
    if bad_control {
        return Err(FieldError::new(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

/// Like [`bounded`] with `min = 0`, mapping an empty value to `None`.
pub fn optional(
    field: &str,
    raw: &str,
    max: usize,
    multiline: bool,
) -> Result<Option<String>, FieldError> {
    let value = bounded(field, raw, 0, max, multiline)?;
    Ok((!value.is_empty()).then_some(value))
}

/// Limits shared by every edge that accepts these fields.
pub mod limits {
    pub const NAME: usize = 120;
    pub const TITLE: usize = 120;
    pub const TEAM: usize = 80;
    pub const LOCATION: usize = 80;
    pub const BIO: usize = 2000;
    pub const SKILL_NAME: usize = 100;
    pub const ORG_NAME: usize = 120;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_counts_characters_not_bytes() {
        assert_eq!(bounded("name", "  Zoë  ", 1, 3, false).unwrap(), "Zoë");
        let err = bounded("name", "Zoëy", 1, 3, false).unwrap_err();
        assert_eq!(err.message, "must be at most 3 characters (got 4)");
    }

    #[test]
    fn empty_required_field_says_required() {
        let err = bounded("name", "   ", 1, 10, false).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("name", "is required")
        );
    }

    #[test]
    fn newlines_only_where_multiline() {
        assert!(bounded("title", "a\nb", 0, 10, false).is_err());
        assert!(bounded("bio", "a\nb", 0, 10, true).is_ok());
        assert!(bounded("bio", "a\u{0}b", 0, 10, true).is_err());
    }

    #[test]
    fn optional_maps_blank_to_none() {
        assert_eq!(optional("bio", "  ", 10, true).unwrap(), None);
    }
}
