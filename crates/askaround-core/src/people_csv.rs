//! The people CSV: what an admin exports from their HR system and imports into askaround.
//!
//! Every row is validated before anything is written, and each problem is reported with its line
//! and column ("line 17: email 'bob@' is not a valid address"). Re-importing a file updates people
//! by email instead of duplicating them; a column that is absent from the file leaves that field
//! untouched on update, while an empty cell in a present column resets it to its default.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use crate::email::Email;
use crate::hours::WorkingHours;
use crate::ids::SkillId;
use crate::language;
use crate::person::{DEFAULT_WEEKLY_BUDGET, PersonFields, Role, fields, parse_weekly_budget};
use crate::skill::SkillLevel;
use crate::taxonomy::Taxonomy;
use crate::timezone::TimeZoneName;
use crate::{FieldError, FieldErrors};

/// The columns, in the order a template lists them. Only `email` and `name` are required.
pub const COLUMNS: &[(&str, &str)] = &[
    (
        "email",
        "work email; identifies the person on re-import (required)",
    ),
    ("name", "full name (required)"),
    ("title", "job title"),
    ("team", "team or department"),
    ("location", "office or city"),
    (
        "timezone",
        "IANA time zone, e.g. Europe/Lisbon (default: the organisation's)",
    ),
    (
        "working_hours",
        "e.g. 'mon-fri 09:00-17:30, sat 10:00-13:00' (default mon-fri 09:00-17:00)",
    ),
    (
        "languages",
        "language tags separated by ';', e.g. 'en; pt-BR' (default en)",
    ),
    ("bio", "a short bio"),
    (
        "weekly_budget",
        "offers per week the person is willing to get, 0-200 (default 5)",
    ),
    ("role", "member or admin (default member)"),
    ("active", "true or false (default true)"),
    (
        "skills",
        "skills the person can help with, 'Excel:expert; SQL:intermediate' (level defaults to intermediate)",
    ),
    (
        "goals",
        "skills the person wants to learn, 'Tableau; Python'",
    ),
];

/// Which optional columns the file has, so an update only touches those.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns(u16);

impl Columns {
    fn index(name: &str) -> Option<usize> {
        COLUMNS.iter().position(|(c, _)| *c == name)
    }

    pub fn has(self, name: &str) -> bool {
        Self::index(name).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    fn insert(&mut self, i: usize) {
        self.0 |= 1 << i;
    }

    pub fn all() -> Self {
        Self((1 << COLUMNS.len()) - 1)
    }

    /// The named columns; unknown names are ignored.
    pub fn of(names: &[&str]) -> Self {
        let mut columns = Self::default();
        for i in names.iter().filter_map(|n| Self::index(n)) {
            columns.insert(i);
        }
        columns
    }
}

/// One valid row, ready for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub line: u64,
    pub fields: PersonFields,
    pub skills: Vec<(SkillId, SkillLevel)>,
    pub goals: Vec<SkillId>,
    /// Whether the `role` and `active` cells were filled in. A blank cell leaves an existing
    /// person's role or status as it is: a blank column in an HR export must never demote every
    /// admin or deactivate anyone.
    pub role_given: bool,
    pub active_given: bool,
}

/// One problem in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: u64,
    /// The column the problem is in, or `None` for a problem with the whole row or file.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}: {column} {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// The outcome of reading a whole file: the valid rows and every problem found.
#[derive(Debug, Clone, Default)]
pub struct ParsedImport {
    pub columns: Columns,
    pub rows: Vec<ImportRow>,
    pub errors: Vec<ImportError>,
    /// Data rows read (valid or not).
    pub total_rows: u64,
}

/// What a row falls back to where a cell is empty.
#[derive(Debug, Clone)]
pub struct ImportDefaults {
    pub timezone: TimeZoneName,
}

/// Reads and validates a whole file. `progress` is called with the bytes read so far (for a
/// progress bar); it is the only side channel.
pub fn parse_people_csv<R: Read>(
    input: R,
    taxonomy: &Taxonomy,
    defaults: &ImportDefaults,
    mut progress: impl FnMut(u64),
) -> ParsedImport {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(input);
    let mut out = ParsedImport::default();

    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors.push(csv_error(&e, 1));
            return out;
        }
    };
    let mut positions: Vec<Option<usize>> = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let key = name
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase()
            .replace([' ', '-'], "_");
        match Columns::index(&key) {
            Some(_) if out.columns.has(&key) => {
                out.errors.push(ImportError {
                    line: 1,
                    column: Some(key),
                    message: format!("appears twice in the header (column {})", i + 1),
                });
                positions.push(None);
            }
            Some(c) => {
                out.columns.insert(c);
                positions.push(Some(c));
            }
            None => {
                let known: Vec<&str> = COLUMNS.iter().map(|(c, _)| *c).collect();
                out.errors.push(ImportError {
                    line: 1,
                    column: None,
                    message: format!(
                        "column '{name}' is not known (known columns: {})",
                        known.join(", ")
                    ),
                });
                positions.push(None);
            }
        }
    }
    for required in ["email", "name"] {
        if !out.columns.has(required) {
            out.errors.push(ImportError {
                line: 1,
                column: None,
                message: format!("the header has no '{required}' column"),
            });
        }
    }
    if !out.errors.is_empty() {
        return out;
    }

    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line().max(2);
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.total_rows += 1;
                out.errors.push(csv_error(&e, line));
                // The reader cannot resync after a broken quote or bad UTF-8: stop here.
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
                continue;
            }
        }
        out.total_rows += 1;
        let line = record.position().map_or(line, |p| p.line());
        progress(record.position().map_or(0, |p| p.byte()));
        if record.iter().all(str::is_empty) {
            continue; // A blank line between rows.
        }
        let mut cells: [&str; COLUMNS.len()] = [""; COLUMNS.len()];
        for (i, value) in record.iter().enumerate() {
            if let Some(Some(c)) = positions.get(i) {
                cells[*c] = value;
            }
        }
        match parse_row(&cells, taxonomy, defaults) {
            Ok(fields) => {
                let key = fields.fields.email.as_str().to_owned();
                if let Some(first) = first_line_of.get(&key) {
                    out.errors.push(ImportError {
                        line,
                        column: Some("email".into()),
                        message: format!("'{key}' already appears on line {first}"),
                    });
                } else {
                    first_line_of.insert(key, line);
                    out.rows.push(ImportRow { line, ..fields });
                }
            }
            Err(errors) => out.errors.extend(errors.into_iter().map(|e| ImportError {
                line,
                column: Some(e.field),
                message: e.message,
            })),
        }
    }
    out
}

fn csv_error(e: &csv::Error, fallback_line: u64) -> ImportError {
    let line = e.position().map_or(fallback_line, |p| p.line());
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "is not valid UTF-8 (save the file as UTF-8)".to_owned(),
        _ => format!("cannot be read as CSV: {e}"),
    };
    ImportError {
        line,
        column: None,
        message,
    }
}

fn parse_row(
    cells: &[&str; COLUMNS.len()],
    taxonomy: &Taxonomy,
    defaults: &ImportDefaults,
) -> Result<ImportRow, Vec<FieldError>> {
    let [
        email,
        name,
        title,
        team,
        location,
        timezone,
        hours,
        languages,
        bio,
        budget,
        role_cell,
        active_cell,
        skills,
        goals,
    ] = *cells;
    let mut errs = FieldErrors::new();
    let email = errs.check(Email::parse(email));
    let name = errs.check(fields::name(name)).unwrap_or_default();
    let title = errs.check(fields::title(title)).flatten();
    let team = errs.check(fields::team(team)).flatten();
    let location = errs.check(fields::location(location)).flatten();
    let timezone = match timezone {
        "" => Some(defaults.timezone.clone()),
        tz => errs.check(TimeZoneName::parse(tz)),
    };
    let working_hours = match hours {
        "" => Some(WorkingHours::office()),
        h => errs.check(WorkingHours::parse(h)),
    };
    let mut languages = errs
        .check(language::parse_list(languages))
        .unwrap_or_default();
    if languages.is_empty() {
        languages = language::parse_list("en").unwrap_or_default();
    }
    let bio = errs.check(fields::bio(bio)).flatten();
    let weekly_budget = match budget {
        "" => Some(DEFAULT_WEEKLY_BUDGET),
        b => errs.check(
            b.parse::<i64>()
                .map_err(|_| {
                    FieldError::new("weekly_budget", format!("'{b}' is not a whole number"))
                })
                .and_then(parse_weekly_budget),
        ),
    };
    let role = errs.check(role_cell.parse::<Role>());
    let active = errs.check(match active_cell.to_ascii_lowercase().as_str() {
        "" | "true" | "yes" | "1" | "y" => Ok(true),
        "false" | "no" | "0" | "n" => Ok(false),
        other => Err(FieldError::new(
            "active",
            format!("'{other}' is not true or false"),
        )),
    });
    let mut skill_levels = Vec::new();
    for item in split_list(skills) {
        // A few real skill names contain a colon ("HASH Animation:Master"): the whole item is
        // tried as a name before the part after the last colon is read as a level.
        let (skill, level) = match item.rsplit_once(':') {
            Some(_) if taxonomy.resolve(item).is_some() => (item, None),
            Some((s, l)) => (s.trim(), Some(l.trim())),
            None => (item, None),
        };
        let level = match level.map(str::parse::<SkillLevel>) {
            None => Ok(SkillLevel::Intermediate),
            Some(Ok(l)) => Ok(l),
            Some(Err(e)) => Err(FieldError::new(
                "skills",
                format!("'{item}': {}", e.message),
            )),
        };
        let resolved = taxonomy.resolve_or_explain("skills", skill).map(|s| s.id);
        if let (Some(id), Some(level)) = (errs.check(resolved), errs.check(level)) {
            match skill_levels.iter_mut().find(|(s, _)| *s == id) {
                Some(existing) => existing.1 = level.max(existing.1),
                None => skill_levels.push((id, level)),
            }
        }
    }
    let mut goal_ids = Vec::new();
    for item in split_list(goals) {
        if let Some(id) = errs.check(taxonomy.resolve_or_explain("goals", item).map(|s| s.id))
            && !goal_ids.contains(&id)
        {
            goal_ids.push(id);
        }
    }
    match (email, timezone, working_hours, weekly_budget, role, active) {
        (
            Some(email),
            Some(timezone),
            Some(working_hours),
            Some(weekly_budget),
            Some(role),
            Some(active),
        ) if errs.is_empty() => Ok(ImportRow {
            line: 0,
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
                role,
                active,
            },
            skills: skill_levels,
            goals: goal_ids,
            role_given: !role_cell.trim().is_empty(),
            active_given: !active_cell.trim().is_empty(),
        }),
        _ => Err(errs.0),
    }
}

fn split_list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(';').map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests;
