//! What a learner writes: the ask's text, the skills they tagged and how they want to be helped,
//! parsed once at the edge and trusted by the state machine.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::SkillId;
use crate::matching::Urgency;
use crate::text::bounded;
use crate::{FieldError, FieldErrors};

/// Enough for a question with a pasted error message or query; a longer text is a document, and
/// a document belongs in a link.
pub const MAX_ASK_TEXT: usize = 4_000;

/// More tags than this stop describing the question and start diluting the matcher's scores.
pub const MAX_ASK_SKILLS: usize = 20;

/// The question, trimmed: 1 to [`MAX_ASK_TEXT`] characters, no control characters but line
/// breaks and tabs (people paste code and stack traces, which carry both).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct AskText(String);

impl AskText {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        bounded("text", raw, 1, MAX_ASK_TEXT, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AskText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AskText {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<AskText> for String {
    fn from(value: AskText) -> Self {
        value.0
    }
}

/// The skills the learner tagged, first mention kept, at most [`MAX_ASK_SKILLS`]. A repeated tag
/// is folded rather than refused: a form that sends a skill twice meant it once.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<SkillId>", into = "Vec<SkillId>")]
pub struct AskSkills(Vec<SkillId>);

impl AskSkills {
    pub fn parse(skills: Vec<SkillId>) -> Result<Self, FieldError> {
        let mut unique: Vec<SkillId> = Vec::with_capacity(skills.len());
        for skill in skills {
            if !unique.contains(&skill) {
                unique.push(skill);
            }
        }
        if unique.len() > MAX_ASK_SKILLS {
            return Err(FieldError::new(
                "skills",
                format!(
                    "at most {MAX_ASK_SKILLS} skills may be tagged (got {})",
                    unique.len()
                ),
            ));
        }
        Ok(Self(unique))
    }

    pub fn as_slice(&self) -> &[SkillId] {
        &self.0
    }
}

impl TryFrom<Vec<SkillId>> for AskSkills {
    type Error = FieldError;
    fn try_from(value: Vec<SkillId>) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<AskSkills> for Vec<SkillId> {
    fn from(value: AskSkills) -> Self {
        value.0
    }
}

/// How the learner wants to be helped.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HelpMode {
    #[default]
    Chat,
    Call,
    InPerson,
}

impl HelpMode {
    pub fn as_str(self) -> &'static str {
        match self {
            HelpMode::Chat => "chat",
            HelpMode::Call => "call",
            HelpMode::InPerson => "in_person",
        }
    }
}

impl FromStr for HelpMode {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "chat" => Ok(HelpMode::Chat),
            "call" => Ok(HelpMode::Call),
            "in_person" | "in person" => Ok(HelpMode::InPerson),
            other => Err(FieldError::new(
                "mode",
                format!("'{other}' is not a mode (chat, call or in_person)"),
            )),
        }
    }
}

impl fmt::Display for HelpMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A new ask as the learner submitted it, every field valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAsk {
    pub text: AskText,
    pub skills: AskSkills,
    pub urgency: Urgency,
    pub mode: HelpMode,
}

impl NewAsk {
    /// Checks the free-form fields and reports every problem at once, so a form can show them
    /// together. Urgency and mode are enums the edge has already parsed.
    pub fn parse(
        text: &str,
        skills: Vec<SkillId>,
        urgency: Urgency,
        mode: HelpMode,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = errors.check(AskText::parse(text));
        let skills = errors.check(AskSkills::parse(skills));
        match (text, skills) {
            (Some(text), Some(skills)) => Ok(Self {
                text,
                skills,
                urgency,
                mode,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn skill(n: u128) -> SkillId {
        SkillId(Uuid::from_u128(n))
    }

    #[test]
    fn ask_text_is_trimmed_and_required() {
        assert_eq!(
            AskText::parse("  How do I pivot?  ").unwrap().as_str(),
            "How do I pivot?"
        );
        let err = AskText::parse(" \n ").unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.message.as_str()),
            ("text", "is required")
        );
    }

    #[test]
    fn ask_text_is_at_most_four_thousand_characters() {
        assert!(AskText::parse(&"é".repeat(MAX_ASK_TEXT)).is_ok());
        let err = AskText::parse(&"é".repeat(MAX_ASK_TEXT + 1)).unwrap_err();
        assert_eq!(err.field, "text");
        assert_eq!(err.message, "must be at most 4000 characters (got 4001)");
    }

    #[test]
    fn ask_text_keeps_line_breaks_and_tabs_but_refuses_other_control_characters() {
        assert!(AskText::parse("SELECT *\n\tFROM t").is_ok());
        let err = AskText::parse("bell\u{7}").unwrap_err();
        assert_eq!(err.field, "text");
        assert!(AskText::parse("escape\u{1b}[31m").is_err());
    }

    #[test]
    fn ask_text_is_validated_when_deserialized() {
        assert!(serde_json::from_str::<AskText>("\"   \"").is_err());
        let text: AskText = serde_json::from_str("\" hi \"").unwrap();
        assert_eq!(text.as_str(), "hi");
    }

    #[test]
    fn repeated_skills_are_folded_and_too_many_are_refused() {
        let skills = AskSkills::parse(vec![skill(2), skill(1), skill(2)]).unwrap();
        assert_eq!(skills.as_slice(), &[skill(2), skill(1)]);
        let many: Vec<SkillId> = (0..=MAX_ASK_SKILLS as u128).map(skill).collect();
        let err = AskSkills::parse(many).unwrap_err();
        assert_eq!(err.field, "skills");
    }

    #[test]
    fn a_new_ask_reports_every_problem_at_once() {
        let many: Vec<SkillId> = (0..=MAX_ASK_SKILLS as u128).map(skill).collect();
        let errors = NewAsk::parse("", many, Urgency::Now, HelpMode::Chat).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["text", "skills"]);
        assert!(NewAsk::parse("Help", vec![], Urgency::Today, HelpMode::Call).is_ok());
    }

    #[test]
    fn help_modes_parse_and_name_the_field() {
        assert_eq!("In_Person".parse::<HelpMode>().unwrap(), HelpMode::InPerson);
        assert_eq!("call".parse::<HelpMode>().unwrap().to_string(), "call");
        assert_eq!("fax".parse::<HelpMode>().unwrap_err().field, "mode");
    }
}
