//! An organisation's skill taxonomy in memory: canonical names, aliases and parents, with the
//! lookups every edge needs (resolve a name someone typed, autocomplete, "Excel and everything
//! under it", skills mentioned in free text).

mod build;
mod seed;

use std::collections::HashMap;

pub use build::{OnetTechnologyRow, SeedBuilder, StackExchangeTag};
pub use seed::{SeedSkill, embedded_seed, parse_seed, write_seed};

use crate::FieldError;
use crate::ids::SkillId;
use crate::skill::{Skill, matching_key};

/// The longest skill name, in words, that [`Taxonomy::mentions`] looks for in free text.
const MAX_MENTION_WORDS: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    skills: Vec<Skill>,
    by_id: HashMap<SkillId, usize>,
    /// Matching key of every name and alias → index into `skills`.
    by_key: HashMap<String, usize>,
    children: HashMap<SkillId, Vec<SkillId>>,
}

impl Taxonomy {
    /// Builds the lookups. When two skills claim the same key, the first one keeps it (the store
    /// refuses such duplicates on write, so this only matters for hand-made test data).
    pub fn new(skills: Vec<Skill>) -> Self {
        let mut by_id = HashMap::with_capacity(skills.len());
        let mut by_key = HashMap::with_capacity(skills.len() * 2);
        let mut children: HashMap<SkillId, Vec<SkillId>> = HashMap::new();
        for (i, skill) in skills.iter().enumerate() {
            by_id.insert(skill.id, i);
            by_key.entry(matching_key(&skill.name)).or_insert(i);
            if let Some(parent) = skill.parent_id {
                children.entry(parent).or_default().push(skill.id);
            }
        }
        // Aliases second, so a canonical name always wins over another skill's alias.
        for (i, skill) in skills.iter().enumerate() {
            for alias in &skill.aliases {
                by_key.entry(matching_key(alias)).or_insert(i);
            }
        }
        Self {
            skills,
            by_id,
            by_key,
            children,
        }
    }

    pub fn len(&self) -> usize {
        self.skills.len()
    }

    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }

    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    pub fn get(&self, id: SkillId) -> Option<&Skill> {
        self.by_id.get(&id).map(|&i| &self.skills[i])
    }

    /// The skill a name or alias refers to, however it is spelled or cased.
    pub fn resolve(&self, name: &str) -> Option<&Skill> {
        self.by_key
            .get(&matching_key(name))
            .map(|&i| &self.skills[i])
    }

    /// Resolves a name or an id typed by a user, or explains what is wrong with a suggestion.
    pub fn resolve_or_explain(&self, field: &str, name_or_id: &str) -> Result<&Skill, FieldError> {
        if let Some(skill) = name_or_id
            .trim()
            .parse::<SkillId>()
            .ok()
            .and_then(|id| self.get(id))
        {
            return Ok(skill);
        }
        if let Some(skill) = self.resolve(name_or_id) {
            return Ok(skill);
        }
        let hint = match self.suggest(name_or_id) {
            Some(best) => format!("; did you mean '{}'?", best.name),
            None => String::new(),
        };
        Err(FieldError::new(
            field,
            format!("'{}' is not a known skill{hint}", name_or_id.trim()),
        ))
    }

    /// The skill a mistyped name most likely meant: a prefix or word match first, else the
    /// closest name or alias by edit distance (at most a third of the length, at least two).
    pub fn suggest(&self, name: &str) -> Option<&Skill> {
        if let Some(best) = self.search(name, 1).into_iter().next() {
            return Some(best);
        }
        let key = matching_key(name);
        let budget = (key.chars().count() / 3).max(2);
        self.by_key
            .iter()
            .filter_map(|(k, &i)| {
                let d = edit_distance(&key, k, budget)?;
                Some((d, &self.skills[i]))
            })
            .min_by(|(da, a), (db, b)| {
                da.cmp(db)
                    .then_with(|| b.popularity.cmp(&a.popularity))
                    .then_with(|| a.name.cmp(&b.name))
            })
            .map(|(_, s)| s)
    }

    /// Parents from the nearest up. Stops at a cycle rather than looping (a merge gone wrong must
    /// never hang a request).
    pub fn ancestors(&self, id: SkillId) -> Vec<SkillId> {
        let mut out = Vec::new();
        let mut current = self.get(id).and_then(|s| s.parent_id);
        while let Some(parent) = current {
            if parent == id || out.contains(&parent) {
                break;
            }
            out.push(parent);
            current = self.get(parent).and_then(|s| s.parent_id);
        }
        out
    }

    /// The skill itself and everything below it, e.g. Excel → [Excel, Pivot tables, VLOOKUP].
    pub fn with_descendants(&self, id: SkillId) -> Vec<SkillId> {
        let mut out = vec![id];
        let mut next = 0;
        while next < out.len() {
            if let Some(kids) = self.children.get(&out[next]) {
                for kid in kids {
                    if !out.contains(kid) {
                        out.push(*kid);
                    }
                }
            }
            next += 1;
        }
        out
    }

    /// Autocomplete: exact matches first, then prefixes, then words starting with the query, then
    /// substrings; within each, the more common skill first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Skill> {
        let query = matching_key(query);
        let mut best: HashMap<usize, u8> = HashMap::new();
        if query.is_empty() {
            let mut all: Vec<&Skill> = self.skills.iter().collect();
            all.sort_by(|a, b| {
                b.popularity
                    .cmp(&a.popularity)
                    .then_with(|| a.name.cmp(&b.name))
            });
            all.truncate(limit);
            return all;
        }
        for (key, &i) in &self.by_key {
            let rank = if *key == query {
                0
            } else if key.starts_with(&query) {
                1
            } else if key.split(' ').any(|w| w.starts_with(&query)) {
                2
            } else if key.contains(&query) {
                3
            } else {
                continue;
            };
            best.entry(i)
                .and_modify(|r| *r = (*r).min(rank))
                .or_insert(rank);
        }
        let mut hits: Vec<(u8, &Skill)> = best
            .into_iter()
            .map(|(i, r)| (r, &self.skills[i]))
            .collect();
        hits.sort_by(|(ra, a), (rb, b)| {
            ra.cmp(rb)
                .then_with(|| b.popularity.cmp(&a.popularity))
                .then_with(|| a.name.len().cmp(&b.name.len()))
                .then_with(|| a.name.cmp(&b.name))
        });
        hits.into_iter().take(limit).map(|(_, s)| s).collect()
    }

    /// Skills named in free text ("my pivot table won't refresh" → Pivot tables), longest match
    /// first so "SQL Server" wins over "SQL".
    pub fn mentions(&self, text: &str) -> Vec<SkillId> {
        let key = matching_key(text);
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let mut matched = 0;
            for n in (1..=MAX_MENTION_WORDS.min(words.len() - i)).rev() {
                let phrase = words[i..i + n].join(" ");
                if let Some(&idx) = self.by_key.get(&phrase) {
                    let id = self.skills[idx].id;
                    if !found.contains(&id) {
                        found.push(id);
                    }
                    matched = n;
                    break;
                }
            }
            i += matched.max(1);
        }
        found
    }
}

/// Levenshtein distance, or `None` as soon as it must exceed `budget` (most keys are rejected by
/// length alone, so a suggestion over thousands of keys stays cheap).
fn edit_distance(a: &str, b: &str, budget: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > budget {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > budget {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|d| *d <= budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn skill(
        n: u128,
        name: &str,
        parent: Option<u128>,
        aliases: &[&str],
        popularity: u32,
    ) -> Skill {
        Skill {
            id: SkillId(Uuid::from_u128(n)),
            name: name.to_owned(),
            parent_id: parent.map(|p| SkillId(Uuid::from_u128(p))),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            popularity,
        }
    }

    fn sample() -> Taxonomy {
        Taxonomy::new(vec![
            skill(1, "Microsoft Excel", Some(5), &["Excel"], 800),
            skill(
                2,
                "Pivot tables",
                Some(1),
                &["pivot table", "pivottable"],
                50,
            ),
            skill(3, "Kubernetes", None, &["k8s"], 30),
            skill(4, "Microsoft SQL Server", None, &["MSSQL"], 90),
            skill(5, "Spreadsheet software", None, &[], 900),
            skill(6, "Structured query language SQL", None, &["SQL"], 150),
        ])
    }

    #[test]
    fn aliases_resolve_to_the_canonical_skill() {
        let t = sample();
        assert_eq!(t.resolve("k8s").unwrap().name, "Kubernetes");
        assert_eq!(t.resolve("PIVOT TABLES").unwrap().name, "Pivot tables");
        assert_eq!(t.resolve("excel").unwrap().name, "Microsoft Excel");
        assert!(t.resolve("Exccel").is_none());
    }

    #[test]
    fn unknown_skill_error_suggests_the_nearest_name() {
        let t = sample();
        let err = t.resolve_or_explain("skills.0", "kuber").unwrap_err();
        assert_eq!(err.field, "skills.0");
        assert_eq!(
            err.message,
            "'kuber' is not a known skill; did you mean 'Kubernetes'?"
        );
    }

    #[test]
    fn typos_get_the_closest_name() {
        let t = sample();
        assert_eq!(t.suggest("Exccel").unwrap().name, "Microsoft Excel");
        assert_eq!(t.suggest("kubernets").unwrap().name, "Kubernetes");
        assert!(t.suggest("zzzzzzzz").is_none());
        assert_eq!(super::edit_distance("kitten", "sitting", 5), Some(3));
        assert_eq!(super::edit_distance("kitten", "sitting", 2), None);
    }

    #[test]
    fn parents_and_children_follow_the_tree() {
        let t = sample();
        let pivot = t.resolve("pivot table").unwrap().id;
        let names: Vec<&str> = t
            .ancestors(pivot)
            .iter()
            .map(|id| t.get(*id).unwrap().name.as_str())
            .collect();
        assert_eq!(names, ["Microsoft Excel", "Spreadsheet software"]);
        let sheet = t.resolve("Spreadsheet software").unwrap().id;
        assert_eq!(t.with_descendants(sheet).len(), 3);
    }

    #[test]
    fn a_parent_cycle_does_not_hang() {
        let t = Taxonomy::new(vec![
            skill(1, "A", Some(2), &[], 0),
            skill(2, "B", Some(1), &[], 0),
        ]);
        assert_eq!(t.ancestors(SkillId(Uuid::from_u128(1))).len(), 1);
        assert_eq!(t.with_descendants(SkillId(Uuid::from_u128(1))).len(), 2);
    }

    #[test]
    fn search_ranks_exact_then_prefix_then_popularity() {
        let t = sample();
        let names: Vec<&str> = t.search("sql", 5).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["Structured query language SQL", "Microsoft SQL Server"]
        );
        let names: Vec<&str> = t.search("piv", 5).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Pivot tables"]);
    }

    #[test]
    fn mentions_find_the_longest_names_in_text() {
        let t = sample();
        let found = t
            .mentions("How do I make a pivot table refresh from Microsoft SQL Server? (k8s later)");
        let names: Vec<&str> = found
            .iter()
            .map(|id| t.get(*id).unwrap().name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Pivot tables", "Microsoft SQL Server", "Kubernetes"]
        );
    }
}
