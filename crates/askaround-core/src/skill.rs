//! Skills as people talk about them: a level of help someone can give, and the matching key that
//! makes "Pivot Tables", "pivot table" and "pivot-tables" the same thing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ids::SkillId;
use crate::text::{bounded, limits};

/// How well someone can help with a skill.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SkillLevel {
    Beginner,
    Intermediate,
    Expert,
}

impl SkillLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            SkillLevel::Beginner => "beginner",
            SkillLevel::Intermediate => "intermediate",
            SkillLevel::Expert => "expert",
        }
    }
}

impl FromStr for SkillLevel {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "beginner" | "1" => Ok(SkillLevel::Beginner),
            "intermediate" | "2" => Ok(SkillLevel::Intermediate),
            "expert" | "3" => Ok(SkillLevel::Expert),
            other => Err(FieldError::new(
                "level",
                format!("'{other}' is not a level (beginner, intermediate or expert)"),
            )),
        }
    }
}

impl fmt::Display for SkillLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A skill in an organisation's taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Skill {
    pub id: SkillId,
    /// The canonical name shown everywhere.
    pub name: String,
    /// The broader skill this one belongs to ("Pivot tables" → "Microsoft Excel").
    pub parent_id: Option<SkillId>,
    /// Other names people use ("k8s" for Kubernetes); each resolves to this skill.
    pub aliases: Vec<String>,
    /// How common the skill is in the seed data; orders autocomplete.
    pub popularity: u32,
}

pub fn parse_skill_name(field: &str, raw: &str) -> Result<String, FieldError> {
    let name = bounded(field, raw, 1, limits::SKILL_NAME, false)?;
    if matching_key(&name).is_empty() {
        return Err(FieldError::new(
            field,
            format!("'{name}' has no letters or digits"),
        ));
    }
    Ok(name)
}

/// The key under which names and aliases are matched: lower case, punctuation folded to spaces
/// (but `+`, `#` and `.` inside words kept, so C++, C# and ASP.NET stay themselves), simple plurals
/// folded (`tables` → `table`).
pub fn matching_key(raw: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '+' || c == '#' || c == '.' {
            word.push(c);
        } else {
            flush_word(&mut word, &mut words);
        }
    }
    flush_word(&mut word, &mut words);
    words.join(" ")
}

fn flush_word(word: &mut String, words: &mut Vec<String>) {
    let trimmed = word.trim_matches('.');
    if !trimmed.is_empty() {
        let stem = singular(trimmed);
        let stem = stem.trim_end_matches('.');
        if !stem.is_empty() {
            words.push(stem.to_owned());
        }
    }
    word.clear();
}

/// A deliberately small stemmer: it only has to make a name and its plural meet.
fn singular(word: &str) -> String {
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_fold_case_punctuation_and_plurals() {
        assert_eq!(matching_key("Pivot Tables"), "pivot table");
        assert_eq!(matching_key("pivot-table"), "pivot table");
        assert_eq!(matching_key("C++"), "c++");
        assert_eq!(matching_key("C#"), "c#");
        assert_eq!(matching_key("ASP.NET"), "asp.net");
        assert_eq!(matching_key("Node.js."), "node.j");
        assert_eq!(matching_key("Queries"), "query");
        assert_eq!(matching_key("Kubernetes"), "kubernete");
        assert_eq!(matching_key("SAS"), "sas");
        assert_eq!(matching_key("Analysis"), "analysis");
    }

    #[test]
    fn levels_parse() {
        assert_eq!("Expert".parse::<SkillLevel>().unwrap(), SkillLevel::Expert);
        assert!(SkillLevel::Beginner < SkillLevel::Expert);
        assert!("guru".parse::<SkillLevel>().is_err());
    }

    #[test]
    fn skill_names_need_a_letter() {
        assert!(parse_skill_name("name", "--").is_err());
        assert_eq!(parse_skill_name("name", " Excel ").unwrap(), "Excel");
    }

    proptest! {
        #[test]
        fn key_is_idempotent(raw in "\\PC{0,30}") {
            let key = matching_key(&raw);
            prop_assert_eq!(matching_key(&key), key);
        }
    }
}
