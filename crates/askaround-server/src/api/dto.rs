//! Request and response bodies of the JSON API, and their conversion into validated core values.
//! Validation collects every problem, so one 422 lists all fields to fix.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::SkillId;
use askaround_core::language::{self, Language};
use askaround_core::person::{
    DEFAULT_WEEKLY_BUDGET, PersonFields, PersonPatch, Profile, Role, check_password, fields,
    parse_weekly_budget,
};
use askaround_core::skill::{Skill, SkillLevel};
use askaround_core::taxonomy::Taxonomy;
use askaround_core::timezone::TimeZoneName;
use askaround_core::{FieldError, FieldErrors};

/// Distinguishes a field that is absent (leave as is) from one set to `null` (clear it).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignedIn {
    pub person: Profile,
    /// Bound to this session; the web pages' forms carry it. (JSON calls are protected by
    /// the same-origin check and need not send it.)
    pub csrf_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    #[serde(flatten)]
    pub profile: Profile,
    pub csrf_token: String,
}

/// Fields a person may change about themselves.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatchRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub team: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// IANA name, e.g. `Europe/Lisbon`.
    pub timezone: Option<String>,
    /// e.g. `mon-fri 09:00-17:30, sat 10:00-13:00`.
    pub working_hours: Option<String>,
    pub languages: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    pub weekly_budget: Option<i64>,
}

/// What an admin may change about anyone.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatchRequest {
    #[serde(flatten)]
    pub profile: ProfilePatchRequest,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

fn optional_text(
    errs: &mut FieldErrors,
    value: &Option<Option<String>>,
    parse: fn(&str) -> Result<Option<String>, FieldError>,
) -> Option<Option<String>> {
    match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => errs.check(parse(text)),
    }
}

pub fn parse_languages(raw: &[String]) -> Result<Vec<Language>, FieldError> {
    let mut out: Vec<Language> = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        let lang = Language::parse(tag)
            .map_err(|e| FieldError::new(format!("languages.{i}"), e.message))?;
        if !out.contains(&lang) {
            out.push(lang);
        }
    }
    Ok(out)
}

impl ProfilePatchRequest {
    pub fn validate(&self, errs: &mut FieldErrors) -> PersonPatch {
        PersonPatch {
            name: self
                .name
                .as_deref()
                .and_then(|n| errs.check(fields::name(n))),
            title: optional_text(errs, &self.title, fields::title),
            team: optional_text(errs, &self.team, fields::team),
            location: optional_text(errs, &self.location, fields::location),
            timezone: self
                .timezone
                .as_deref()
                .and_then(|t| errs.check(TimeZoneName::parse(t))),
            working_hours: self
                .working_hours
                .as_deref()
                .and_then(|h| errs.check(WorkingHours::parse(h))),
            languages: self
                .languages
                .as_deref()
                .and_then(|l| errs.check(parse_languages(l))),
            bio: optional_text(errs, &self.bio, fields::bio),
            weekly_budget: self
                .weekly_budget
                .and_then(|b| errs.check(parse_weekly_budget(b))),
            role: None,
            active: None,
        }
    }
}

impl PersonPatchRequest {
    pub fn validate(&self) -> Result<PersonPatch, FieldErrors> {
        let mut errs = FieldErrors::new();
        let mut patch = self.profile.validate(&mut errs);
        patch.role = self.role;
        patch.active = self.active;
        errs.into_result(|| patch)
    }
}

/// One skill a person can help with. `skill` is a name, an alias or an id.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillLevelInput {
    #[schema(example = "Excel")]
    pub skill: String,
    pub level: Option<SkillLevel>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsRequest {
    pub skills: Vec<SkillLevelInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalsRequest {
    /// Names, aliases or ids of skills the person wants to learn.
    pub goals: Vec<String>,
}

pub const MAX_SKILLS_PER_PERSON: usize = 100;

pub fn resolve_skills(
    taxonomy: &Taxonomy,
    input: &[SkillLevelInput],
) -> Result<Vec<(SkillId, SkillLevel)>, FieldErrors> {
    let mut errs = FieldErrors::new();
    if input.len() > MAX_SKILLS_PER_PERSON {
        errs.push(FieldError::new(
            "skills",
            format!("at most {MAX_SKILLS_PER_PERSON} skills"),
        ));
    }
    let mut out: Vec<(SkillId, SkillLevel)> = Vec::new();
    for (i, item) in input.iter().enumerate() {
        let level = item.level.unwrap_or(SkillLevel::Intermediate);
        if let Some(skill) =
            errs.check(taxonomy.resolve_or_explain(&format!("skills.{i}.skill"), &item.skill))
        {
            match out.iter_mut().find(|(s, _)| *s == skill.id) {
                Some(existing) => existing.1 = existing.1.max(level),
                None => out.push((skill.id, level)),
            }
        }
    }
    errs.into_result(|| out)
}

pub fn resolve_goals(taxonomy: &Taxonomy, input: &[String]) -> Result<Vec<SkillId>, FieldErrors> {
    let mut errs = FieldErrors::new();
    if input.len() > MAX_SKILLS_PER_PERSON {
        errs.push(FieldError::new(
            "goals",
            format!("at most {MAX_SKILLS_PER_PERSON} goals"),
        ));
    }
    let mut out = Vec::new();
    for (i, name) in input.iter().enumerate() {
        if let Some(skill) = errs.check(taxonomy.resolve_or_explain(&format!("goals.{i}"), name))
            && !out.contains(&skill.id)
        {
            out.push(skill.id);
        }
    }
    errs.into_result(|| out)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeRequest {
    pub current_password: String,
    pub new_password: String,
}

/// An admin adding a person. Without a password, an invitation link is returned instead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonRequest {
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    pub timezone: Option<String>,
    pub working_hours: Option<String>,
    pub languages: Option<Vec<String>>,
    pub bio: Option<String>,
    pub weekly_budget: Option<i64>,
    pub role: Option<Role>,
    pub password: Option<String>,
    pub skills: Option<Vec<SkillLevelInput>>,
    pub goals: Option<Vec<String>>,
}

pub struct NewPersonInput {
    pub fields: PersonFields,
    pub password: Option<String>,
    pub skills: Vec<(SkillId, SkillLevel)>,
    pub goals: Vec<SkillId>,
}

impl NewPersonRequest {
    pub fn validate(
        &self,
        taxonomy: &Taxonomy,
        default_tz: &TimeZoneName,
    ) -> Result<NewPersonInput, FieldErrors> {
        let mut errs = FieldErrors::new();
        let email = errs.check(Email::parse(&self.email));
        let name = errs.check(fields::name(&self.name));
        let title = errs
            .check(fields::title(self.title.as_deref().unwrap_or("")))
            .flatten();
        let team = errs
            .check(fields::team(self.team.as_deref().unwrap_or("")))
            .flatten();
        let location = errs
            .check(fields::location(self.location.as_deref().unwrap_or("")))
            .flatten();
        let timezone = match self.timezone.as_deref() {
            Some(t) => errs.check(TimeZoneName::parse(t)),
            None => Some(default_tz.clone()),
        };
        let working_hours = match self.working_hours.as_deref() {
            Some(h) => errs.check(WorkingHours::parse(h)),
            None => Some(WorkingHours::office()),
        };
        let mut languages = errs
            .check(parse_languages(self.languages.as_deref().unwrap_or(&[])))
            .unwrap_or_default();
        if languages.is_empty() {
            languages = language::parse_list("en").unwrap_or_default();
        }
        let bio = errs
            .check(fields::bio(self.bio.as_deref().unwrap_or("")))
            .flatten();
        let weekly_budget = errs.check(parse_weekly_budget(
            self.weekly_budget
                .unwrap_or(i64::from(DEFAULT_WEEKLY_BUDGET)),
        ));
        if let Some(p) = &self.password {
            errs.check(check_password(p));
        }
        let skills = match self.skills.as_deref().map(|s| resolve_skills(taxonomy, s)) {
            Some(Err(e)) => {
                errs.0.extend(e.0);
                Vec::new()
            }
            Some(Ok(s)) => s,
            None => Vec::new(),
        };
        let goals = match self.goals.as_deref().map(|g| resolve_goals(taxonomy, g)) {
            Some(Err(e)) => {
                errs.0.extend(e.0);
                Vec::new()
            }
            Some(Ok(g)) => g,
            None => Vec::new(),
        };
        match (email, name, timezone, working_hours, weekly_budget) {
            (Some(email), Some(name), Some(timezone), Some(working_hours), Some(weekly_budget))
                if errs.is_empty() =>
            {
                Ok(NewPersonInput {
                    fields: PersonFields {
                        email,
                        name,
                        title,
                        team,
                        location,
                        timezone,
                        working_hours,
                        languages,
                        bio,
                        weekly_budget,
                        role: self.role.unwrap_or(Role::Member),
                        active: true,
                    },
                    password: self.password.clone(),
                    skills,
                    goals,
                })
            }
            _ => Err(errs),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPerson {
    pub person: Profile,
    /// Present when no password was set: send this link to the person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<InvitationLink>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationLink {
    pub token: String,
    /// Relative link to the page where the person chooses a password.
    pub url: String,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleList {
    pub items: Vec<Profile>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A skill with its parent named, for display.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillView {
    pub id: SkillId,
    pub name: String,
    pub parent: Option<SkillRef>,
    pub aliases: Vec<String>,
    pub popularity: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillRef {
    pub id: SkillId,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillDetail {
    #[serde(flatten)]
    pub skill: SkillView,
    /// Parents from the nearest up.
    pub ancestors: Vec<SkillRef>,
    pub children: Vec<SkillRef>,
}

impl SkillView {
    pub fn of(skill: &Skill, taxonomy: &Taxonomy) -> Self {
        Self {
            id: skill.id,
            name: skill.name.clone(),
            parent: skill
                .parent_id
                .and_then(|p| taxonomy.get(p))
                .map(SkillRef::of),
            aliases: skill.aliases.clone(),
            popularity: skill.popularity,
        }
    }
}

impl SkillRef {
    pub fn of(skill: &Skill) -> Self {
        Self {
            id: skill.id,
            name: skill.name.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillList {
    pub items: Vec<SkillView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkillRequest {
    pub name: String,
    /// Name, alias or id of the broader skill.
    pub parent: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillPatchRequest {
    /// A rename keeps the old name as an alias.
    pub name: Option<String>,
    /// Name, alias or id of the new parent; `null` makes it a top-level skill.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    #[serde(default)]
    pub add_aliases: Vec<String>,
    #[serde(default)]
    pub remove_aliases: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// Name, alias or id of the skill that absorbs this one.
    pub into: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    /// Data rows read.
    pub rows: u64,
    /// Rows left out (with `skip_invalid=true`), with every problem of each.
    pub skipped: Vec<ImportProblemLine>,
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblemLine {
    pub line: u64,
    /// "line 17: email 'bob@' is not a valid address"
    pub problems: Vec<String>,
}

/// The 422 body of an import refused because of bad rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRefused {
    pub error: crate::error::ErrorDetail,
    pub problems: Vec<ImportProblemLine>,
}
