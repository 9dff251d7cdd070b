//! A realistic, deterministic demo organisation: people spread over teams, offices and time
//! zones, with skills drawn from the real taxonomy on a heavy-tailed distribution (a few skills
//! everybody has, a long tail of rare ones), learning goals and working hours.
//!
//! Same options, same organisation, byte for byte: demos, screenshots and benchmarks repeat.

mod catalogue;

use std::collections::HashSet;

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::email::Email;
use crate::hours::WorkingHours;
use crate::ids::SkillId;
use crate::language::{self, Language};
use crate::people_csv::ImportRow;
use crate::person::{PersonFields, Role};
use crate::skill::SkillLevel;
use crate::taxonomy::Taxonomy;
use crate::timezone::TimeZoneName;

use catalogue::{FIRST_NAMES, LAST_NAMES, OFFICES, Office, TEAMS, Team};

pub const DEFAULT_PEOPLE: usize = 300;
pub const MAX_PEOPLE: usize = 100_000;
pub const ORG_NAME: &str = "Northwind Trading";
pub const EMAIL_DOMAIN: &str = "northwind.example";
/// The demo admin (an L&D lead) and a demo member, printed at start so anyone can sign in.
pub const ADMIN_EMAIL: &str = "maria.santos@northwind.example";
pub const MEMBER_EMAIL: &str = "sam.okafor@northwind.example";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub people: usize,
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            people: DEFAULT_PEOPLE,
            seed: 2026,
        }
    }
}

/// Skills ranked by popularity, drawn with a Zipf law so that rank 1 is ~`1/r^s` times likelier
/// than rank r: the heavy tail real organisations show.
struct ZipfSkills {
    ranked: Vec<SkillId>,
    cumulative: Vec<f64>,
}

const ZIPF_EXPONENT: f64 = 1.07;
const ZIPF_POOL: usize = 4000;

impl ZipfSkills {
    fn new(taxonomy: &Taxonomy) -> Self {
        let mut skills: Vec<_> = taxonomy
            .skills()
            .iter()
            .filter(|s| s.parent_id.is_some())
            .collect();
        skills.sort_by(|a, b| {
            b.popularity
                .cmp(&a.popularity)
                .then_with(|| a.name.cmp(&b.name))
        });
        let ranked: Vec<SkillId> = skills.iter().take(ZIPF_POOL).map(|s| s.id).collect();
        let mut total = 0.0;
        let cumulative = (1..=ranked.len())
            .map(|r| {
                total += 1.0 / (r as f64).powf(ZIPF_EXPONENT);
                total
            })
            .collect();
        Self { ranked, cumulative }
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> Option<SkillId> {
        let total = *self.cumulative.last()?;
        let x = rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|c| *c < x);
        self.ranked.get(i.min(self.ranked.len() - 1)).copied()
    }
}

/// Generates the people of the demo organisation as import rows (so the demo goes through the
/// very same path as a CSV import).
pub fn generate(taxonomy: &Taxonomy, options: &DemoOptions) -> Vec<ImportRow> {
    let people = options.people.clamp(2, MAX_PEOPLE);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let zipf = ZipfSkills::new(taxonomy);
    let teams: Vec<(Team, Vec<SkillId>)> = TEAMS
        .iter()
        .map(|t| {
            (
                *t,
                t.skills
                    .iter()
                    .filter_map(|n| taxonomy.resolve(n).map(|s| s.id))
                    .collect(),
            )
        })
        .collect();
    let mut used_emails: HashSet<String> = HashSet::new();
    let mut rows = Vec::with_capacity(people);
    for i in 0..people {
        let (team, team_skills) = weighted(&teams, |(t, _)| t.weight, &mut rng);
        let office = weighted(OFFICES, |o| o.weight, &mut rng);
        let (first, last) = match i {
            0 => ("Maria", "Santos"),
            1 => ("Sam", "Okafor"),
            _ => (
                *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Alex"),
                *LAST_NAMES.choose(&mut rng).unwrap_or(&"Lee"),
            ),
        };
        let email = unique_email(first, last, i, &mut used_emails);
        let team = if i == 0 { &teams[0].0 } else { team };
        let team_skills = if i == 0 { &teams[0].1 } else { team_skills };
        let seniority = rng.random_range(0..10);
        let title = match seniority {
            0..=5 => team.titles[0].to_owned(),
            6..=8 => format!("Senior {}", team.titles[0]),
            _ => team.titles[1].to_owned(),
        };
        let skills = draw_skills(team_skills, &zipf, seniority, &mut rng);
        let goals = draw_goals(team_skills, &zipf, &skills, &mut rng);
        let bio = bio(taxonomy, &title, office, &skills, &goals);
        let fields = PersonFields {
            email,
            name: format!("{first} {last}"),
            title: Some(if i == 0 {
                "Learning & Development Lead".to_owned()
            } else {
                title
            }),
            team: Some(team.name.to_owned()),
            location: Some(office.city.to_owned()),
            timezone: TimeZoneName::parse(office.timezone).unwrap_or_else(|_| TimeZoneName::utc()),
            working_hours: hours(team, &mut rng),
            languages: languages(office, &mut rng),
            bio: Some(bio),
            weekly_budget: *[0u16, 2, 3, 5, 5, 5, 8, 10].choose(&mut rng).unwrap_or(&5),
            role: if i == 0 { Role::Admin } else { Role::Member },
            active: i < 2 || rng.random_ratio(98, 100),
        };
        rows.push(ImportRow {
            line: i as u64 + 2,
            fields,
            skills,
            goals,
            role_given: true,
            active_given: true,
        });
    }
    rows
}

fn weighted<'a, T>(items: &'a [T], weight: impl Fn(&T) -> u32, rng: &mut ChaCha8Rng) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut x = rng.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if x < w {
            return item;
        }
        x -= w;
    }
    &items[0]
}

fn unique_email(first: &str, last: &str, index: usize, used: &mut HashSet<String>) -> Email {
    let mut base = format!("{}.{}", ascii_lower(first), ascii_lower(last));
    if base.starts_with('.') || base.ends_with('.') {
        base = format!("person{index}");
    }
    let mut candidate = format!("{base}@{EMAIL_DOMAIN}");
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}{n}@{EMAIL_DOMAIN}");
        n += 1;
    }
    // Built from ASCII letters and digits only, so it always parses.
    Email::parse(&candidate).expect("generated demo address is valid")
}

/// "Zoë" → "zoe", "Nguyễn" → "nguyen": emails stay ASCII.
fn ascii_lower(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let folded = match c {
                'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' | 'Á' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'ễ' | 'É' => 'e',
                'í' | 'ì' | 'î' | 'ï' => 'i',
                'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ö' => 'o',
                'ú' | 'ù' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ß' => 's',
                'ł' | 'Ł' => 'l',
                'ś' | 'š' => 's',
                'ń' => 'n',
                'ż' | 'ź' => 'z',
                c => c,
            };
            folded
                .is_ascii_alphanumeric()
                .then(|| folded.to_ascii_lowercase())
        })
        .collect()
}

fn draw_skills(
    team: &[SkillId],
    zipf: &ZipfSkills,
    seniority: u32,
    rng: &mut ChaCha8Rng,
) -> Vec<(SkillId, SkillLevel)> {
    let count = rng.random_range(2..=7) + seniority as usize / 4;
    let mut out: Vec<(SkillId, SkillLevel)> = Vec::with_capacity(count);
    for _ in 0..count * 3 {
        if out.len() >= count {
            break;
        }
        // Two thirds of a person's skills come from their team's craft, the rest from anywhere.
        let skill = if rng.random_ratio(2, 3) && !team.is_empty() {
            team.choose(rng).copied()
        } else {
            zipf.draw(rng)
        };
        let Some(skill) = skill else { continue };
        if out.iter().any(|(s, _)| *s == skill) {
            continue;
        }
        let roll = rng.random_range(0..10) + seniority / 3;
        let level = match roll {
            0..=3 => SkillLevel::Beginner,
            4..=8 => SkillLevel::Intermediate,
            _ => SkillLevel::Expert,
        };
        out.push((skill, level));
    }
    out
}

fn draw_goals(
    team: &[SkillId],
    zipf: &ZipfSkills,
    skills: &[(SkillId, SkillLevel)],
    rng: &mut ChaCha8Rng,
) -> Vec<SkillId> {
    let count = rng.random_range(0..=3);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count * 4 {
        if out.len() >= count {
            break;
        }
        let goal = if rng.random_ratio(1, 2) {
            team.choose(rng).copied()
        } else {
            zipf.draw(rng)
        };
        if let Some(goal) = goal.filter(|g| !out.contains(g) && !skills.iter().any(|(s, _)| s == g))
        {
            out.push(goal);
        }
    }
    out
}

fn hours(team: &Team, rng: &mut ChaCha8Rng) -> WorkingHours {
    let pattern = if team.shifts && rng.random_ratio(1, 4) {
        *[
            "mon-fri 22:00-06:00",
            "sat-sun 08:00-20:00",
            "mon-thu 14:00-22:00",
        ]
        .choose(rng)
        .unwrap_or(&"mon-fri 09:00-17:00")
    } else {
        *[
            "mon-fri 09:00-17:00",
            "mon-fri 09:00-17:00",
            "mon-fri 08:00-16:00",
            "mon-fri 09:30-18:00",
            "mon-fri 10:00-18:30",
            "mon-thu 09:00-17:00",
            "mon-fri 07:30-15:30",
            "mon-wed 09:00-17:00, fri 09:00-13:00",
        ]
        .choose(rng)
        .unwrap_or(&"mon-fri 09:00-17:00")
    };
    WorkingHours::parse(pattern).unwrap_or_else(|_| WorkingHours::office())
}

fn languages(office: &Office, rng: &mut ChaCha8Rng) -> Vec<Language> {
    let mut tags = vec!["en"];
    if office.language != "en" {
        tags.insert(0, office.language);
    }
    if rng.random_ratio(1, 5) {
        tags.push(
            ["es", "fr", "de", "pt", "hi", "zh", "ar"]
                .choose(rng)
                .copied()
                .unwrap_or("es"),
        );
    }
    language::parse_list(&tags.join(";")).unwrap_or_default()
}

fn bio(
    taxonomy: &Taxonomy,
    title: &str,
    office: &Office,
    skills: &[(SkillId, SkillLevel)],
    goals: &[SkillId],
) -> String {
    let name = |id: &SkillId| taxonomy.get(*id).map_or("", |s| s.name.as_str());
    let strong: Vec<&str> = skills
        .iter()
        .filter(|(_, l)| *l >= SkillLevel::Intermediate)
        .take(2)
        .map(|(id, _)| name(id))
        .collect();
    let mut bio = format!("{title} in {}.", office.city);
    if !strong.is_empty() {
        bio.push_str(&format!(" Happy to help with {}.", strong.join(" and ")));
    }
    if let Some(goal) = goals.first() {
        bio.push_str(&format!(" Currently learning {}.", name(goal)));
    }
    bio
}

#[cfg(test)]
mod tests;
