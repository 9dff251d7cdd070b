//! What can be said in a conversation.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// Messages are chat, not documents: 16 KiB is pages of text and keeps one message from
/// flooding everyone's socket.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// A chat message: not blank, at most [`MAX_MESSAGE_BYTES`], no control characters but line
/// breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageBody(String);

impl MessageBody {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let body = raw.trim();
        if body.is_empty() {
            return Err(FieldError::new("body", "is empty"));
        }
        if body.len() > MAX_MESSAGE_BYTES {
            return Err(FieldError::new(
                "body",
                format!(
                    "is {} bytes; a message may be at most {MAX_MESSAGE_BYTES}",
                    body.len()
                ),
            ));
        }
        if body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(FieldError::new("body", "contains control characters"));
        }
        Ok(Self(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for MessageBody {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<MessageBody> for String {
    fn from(value: MessageBody) -> Self {
        value.0
    }
}

/// A meeting link someone proposes for a call: http(s) only, so a link can never run script or
/// open a local file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CallLink(String);

impl CallLink {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let url = raw.trim();
        let bad = |why: &str| FieldError::new("meeting_url", format!("'{url}' {why}"));
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(|| bad("must start with https:// (or http://)"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if host.is_empty() || !host.contains('.') && !host.starts_with("localhost") {
            return Err(bad("has no host"));
        }
        if url.len() > 2048 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("is not a single link"));
        }
        Ok(Self(url.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CallLink {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CallLink> for String {
    fn from(value: CallLink) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bodies_are_trimmed_and_bounded() {
        assert_eq!(
            MessageBody::parse("  hi\nthere ").unwrap().as_str(),
            "hi\nthere"
        );
        assert_eq!(MessageBody::parse(" \n ").unwrap_err().message, "is empty");
        let big = "x".repeat(MAX_MESSAGE_BYTES + 1);
        assert!(
            MessageBody::parse(&big)
                .unwrap_err()
                .message
                .contains("at most 16384")
        );
        assert!(MessageBody::parse("a\u{7}b").is_err());
    }

    #[test]
    fn only_web_links_are_call_links() {
        assert!(CallLink::parse("https://meet.example.com/abc-def").is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "https://",
            "meet.example.com",
            "https://a b.com",
        ] {
            let err = CallLink::parse(bad).unwrap_err();
            assert_eq!(err.field, "meeting_url", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_a_message_or_a_named_error(raw in "\\PC{0,200}") {
            match MessageBody::parse(&raw) {
                Ok(body) => prop_assert!(!body.as_str().is_empty()),
                Err(e) => prop_assert_eq!(e.field, "body"),
            }
        }
    }
}
