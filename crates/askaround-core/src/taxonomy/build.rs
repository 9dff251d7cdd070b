//! Builds the seed taxonomy from real, public data rather than a made-up list:
//! - O*NET 29.2 technology skills: each product ("Microsoft Excel") under its UNSPSC commodity
//!   ("Spreadsheet software"); popularity = how many occupations list it;
//! - Stack Exchange tags ("neural-networks"), under the site's topic;
//! - our curated workplace additions (sub-skills such as "Pivot tables", everyday aliases such as
//!   "k8s"), which win over any derived alias.
//!
//! Derived aliases drop a vendor ("Microsoft Excel" → "Excel") or use a trailing acronym
//! ("Structured query language SQL" → "SQL"). An alias two skills would share is dropped: it would
//! be ambiguous.

use std::collections::{HashMap, HashSet};

use super::SeedSkill;
use crate::skill::matching_key;

/// One row of O*NET's `Technology Skills.txt`.
#[derive(Debug, Clone)]
pub struct OnetTechnologyRow {
    pub product: String,
    pub commodity: String,
}

/// One tag of a Stack Exchange `Tags.xml`.
#[derive(Debug, Clone)]
pub struct StackExchangeTag {
    pub name: String,
    pub count: u32,
}

/// Vendors whose name is routinely left out in speech ("Excel", not "Microsoft Excel").
const VENDORS: &[&str] = &[
    "adobe",
    "amazon",
    "apache",
    "apple",
    "atlassian",
    "autodesk",
    "cisco",
    "corel",
    "esri",
    "google",
    "ibm",
    "intuit",
    "microsoft",
    "oracle",
    "salesforce",
    "sap",
    "the mathworks",
    "vmware",
    "red hat",
    "hubspot",
    "tableau",
    "mozilla",
];

#[derive(Debug)]
struct Entry {
    name: String,
    parent: Option<String>,
    popularity: u32,
    curated_aliases: Vec<String>,
    derived_aliases: Vec<String>,
}

#[derive(Debug, Default)]
pub struct SeedBuilder {
    entries: Vec<Entry>,
    by_name_key: HashMap<String, usize>,
}

impl SeedBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&mut self, name: &str) -> &mut Entry {
        let key = matching_key(name);
        let index = *self.by_name_key.entry(key).or_insert_with(|| {
            self.entries.push(Entry {
                name: name.trim().to_owned(),
                parent: None,
                popularity: 0,
                curated_aliases: Vec::new(),
                derived_aliases: Vec::new(),
            });
            self.entries.len() - 1
        });
        &mut self.entries[index]
    }

    pub fn add_onet(&mut self, rows: &[OnetTechnologyRow]) {
        // A product is listed once per occupation; a few sit under several commodities: keep the
        // commodity it is filed under most often.
        let mut occupations: HashMap<&str, u32> = HashMap::new();
        let mut filed: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
        let mut commodity_rows: HashMap<&str, u32> = HashMap::new();
        for row in rows {
            *occupations.entry(&row.product).or_default() += 1;
            *filed
                .entry(&row.product)
                .or_default()
                .entry(&row.commodity)
                .or_default() += 1;
            *commodity_rows.entry(&row.commodity).or_default() += 1;
        }
        let mut commodities: Vec<(&str, u32)> = commodity_rows.into_iter().collect();
        commodities.sort();
        for (commodity, count) in commodities {
            self.entry(commodity).popularity += count;
        }
        let mut products: Vec<(&str, u32)> = occupations.into_iter().collect();
        products.sort();
        for (product, count) in products {
            let commodity = filed[product]
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(c, _)| (*c).to_owned());
            let derived = derived_aliases(product);
            let entry = self.entry(product);
            if matching_key(&entry.name) == matching_key(commodity.as_deref().unwrap_or("")) {
                continue; // "Spreadsheet software" listed as its own product.
            }
            entry.popularity += count;
            if entry.parent.is_none() {
                entry.parent = commodity;
            }
            entry.derived_aliases.extend(derived);
        }
    }

    /// Adds a site's tags under a topic skill (e.g. "Artificial intelligence").
    pub fn add_stackexchange(&mut self, topic: &str, tags: &[StackExchangeTag]) {
        let total: u32 = tags.iter().map(|t| t.count).sum();
        self.entry(topic).popularity += total;
        for tag in tags {
            let name = tag_to_name(&tag.name);
            if name.is_empty() {
                continue;
            }
            let entry = self.entry(&name);
            entry.popularity += tag.count;
            if entry.parent.is_none() && matching_key(&entry.name) != matching_key(topic) {
                entry.parent = Some(topic.to_owned());
            }
            if matching_key(&tag.name) != matching_key(&name) {
                entry.derived_aliases.push(tag.name.clone());
            }
        }
    }

    /// Curated lines: `name<TAB>parent<TAB>alias|alias<TAB>popularity`; `#` starts a comment. An
    /// existing skill gets the aliases (and the parent, if given); a new one is created.
    pub fn add_curated(&mut self, text: &str) -> Result<(), String> {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [name, parent, aliases, popularity] = cols[..] else {
                return Err(format!(
                    "curated line {}: expected 4 tab-separated columns",
                    i + 1
                ));
            };
            let popularity: u32 = if popularity.is_empty() {
                0
            } else {
                popularity
                    .parse()
                    .map_err(|_| format!("curated line {}: bad popularity '{popularity}'", i + 1))?
            };
            let parent = (!parent.is_empty()).then(|| parent.to_owned());
            if let Some(p) = &parent
                && !self.by_name_key.contains_key(&matching_key(p))
            {
                return Err(format!("curated line {}: parent '{p}' is unknown", i + 1));
            }
            let entry = self.entry(name);
            entry.popularity = entry.popularity.max(popularity);
            if parent.is_some() {
                entry.parent = parent;
            }
            entry.curated_aliases.extend(
                aliases
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned),
            );
        }
        Ok(())
    }

    /// Resolves alias conflicts and orders skills so every parent precedes its children.
    pub fn finish(self) -> Vec<SeedSkill> {
        let names: HashMap<String, usize> = self.by_name_key;
        let parent_index = |e: &Entry| {
            e.parent
                .as_ref()
                .and_then(|p| names.get(&matching_key(p)).copied())
        };

        // Curated aliases are claimed first; derived ones only where nobody else wants the key.
        let mut curated_claims: HashMap<String, usize> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            for a in &e.curated_aliases {
                curated_claims.insert(matching_key(a), i);
            }
        }
        let mut derived_claims: HashMap<String, HashSet<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            for a in &e.derived_aliases {
                derived_claims.entry(matching_key(a)).or_default().insert(i);
            }
        }

        let mut skills: Vec<(usize, SeedSkill)> = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            let own_key = matching_key(&e.name);
            let mut seen: HashSet<String> = HashSet::from([own_key]);
            let mut aliases = Vec::new();
            for a in e.curated_aliases.iter().chain(&e.derived_aliases) {
                let key = matching_key(a);
                let is_name = names.contains_key(&key);
                let owner_ok = match curated_claims.get(&key) {
                    Some(owner) => *owner == i,
                    None => derived_claims.get(&key).is_some_and(|c| c.len() == 1),
                };
                if !key.is_empty() && !is_name && owner_ok && seen.insert(key) {
                    aliases.push(a.clone());
                }
            }
            skills.push((
                i,
                SeedSkill {
                    name: e.name.clone(),
                    parent: parent_index(e)
                        .filter(|p| *p != i)
                        .map(|p| self.entries[p].name.clone()),
                    aliases,
                    popularity: e.popularity,
                },
            ));
        }

        // Depth-first order from the roots: parents always before children; a cycle is cut.
        let mut depth = vec![usize::MAX; self.entries.len()];
        for (i, slot) in depth.iter_mut().enumerate() {
            let mut chain = vec![i];
            let mut current = parent_index(&self.entries[i]);
            while let Some(p) = current {
                if chain.contains(&p) || chain.len() > 16 {
                    break;
                }
                chain.push(p);
                current = parent_index(&self.entries[p]);
            }
            *slot = chain.len();
        }
        skills.sort_by(|(a, sa), (b, sb)| {
            depth[*a]
                .cmp(&depth[*b])
                .then_with(|| sa.name.cmp(&sb.name))
        });
        let mut placed: HashSet<String> = HashSet::new();
        skills
            .into_iter()
            .map(|(_, mut s)| {
                if s.parent.as_ref().is_some_and(|p| !placed.contains(p)) {
                    s.parent = None;
                }
                placed.insert(s.name.clone());
                s
            })
            .collect()
    }
}

/// "neural-networks" → "Neural networks".
fn tag_to_name(tag: &str) -> String {
    let spaced = tag.trim().replace('-', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn derived_aliases(product: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = product.to_lowercase();
    for vendor in VENDORS {
        if let Some(rest) = lower.strip_prefix(vendor).filter(|r| r.starts_with(' ')) {
            let rest = product[product.len() - rest.len()..].trim();
            if !rest.is_empty() && !rest.to_lowercase().ends_with("software") {
                out.push(rest.to_owned());
            }
        }
    }
    let words: Vec<&str> = product.split_whitespace().collect();
    if let Some(last) = words.last().filter(|_| words.len() > 1) {
        let is_acronym = (2..=6).contains(&last.len())
            && last
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && last.chars().any(|c| c.is_ascii_uppercase());
        if is_acronym {
            out.push((*last).to_owned());
            out.push(words[..words.len() - 1].join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(product: &str, commodity: &str) -> OnetTechnologyRow {
        OnetTechnologyRow {
            product: product.into(),
            commodity: commodity.into(),
        }
    }

    #[test]
    fn products_sit_under_their_commodity_with_derived_aliases() {
        let mut b = SeedBuilder::new();
        b.add_onet(&[
            row("Microsoft Excel", "Spreadsheet software"),
            row("Microsoft Excel", "Spreadsheet software"),
            row(
                "Structured query language SQL",
                "Development environment software",
            ),
        ]);
        let seed = b.finish();
        let excel = seed.iter().find(|s| s.name == "Microsoft Excel").unwrap();
        assert_eq!(excel.parent.as_deref(), Some("Spreadsheet software"));
        assert_eq!(excel.aliases, ["Excel"]);
        assert_eq!(excel.popularity, 2);
        let sql = seed
            .iter()
            .find(|s| s.name == "Structured query language SQL")
            .unwrap();
        assert_eq!(sql.aliases, ["SQL", "Structured query language"]);
        // Parents come first.
        let pos = |n: &str| seed.iter().position(|s| s.name == n).unwrap();
        assert!(pos("Spreadsheet software") < pos("Microsoft Excel"));
    }

    #[test]
    fn ambiguous_derived_aliases_are_dropped_but_curated_ones_win() {
        let mut b = SeedBuilder::new();
        b.add_onet(&[
            row("Oracle Java", "Languages"),
            row("Sun Java", "Languages"),
            row("Apache Java", "Languages"),
        ]);
        b.add_curated("Kubernetes\t\tk8s\t5\nPivot tables\tLanguages\tpivot table\t1\n")
            .unwrap();
        let seed = b.finish();
        let java = seed.iter().find(|s| s.name == "Oracle Java").unwrap();
        assert!(java.aliases.is_empty(), "{:?}", java.aliases);
        let k8s = seed.iter().find(|s| s.name == "Kubernetes").unwrap();
        assert_eq!(k8s.aliases, ["k8s"]);
    }

    #[test]
    fn stack_exchange_tags_become_named_skills_under_the_topic() {
        let mut b = SeedBuilder::new();
        b.add_stackexchange(
            "Artificial intelligence",
            &[StackExchangeTag {
                name: "neural-networks".into(),
                count: 9,
            }],
        );
        let seed = b.finish();
        let nn = seed.iter().find(|s| s.name == "Neural networks").unwrap();
        assert_eq!(nn.parent.as_deref(), Some("Artificial intelligence"));
        assert!(
            nn.aliases.is_empty(),
            "the tag spells the same key as the name"
        );
    }

    #[test]
    fn curated_errors_name_the_line() {
        let mut b = SeedBuilder::new();
        assert_eq!(
            b.add_curated("# c\nA\tNope\t\t1\n").unwrap_err(),
            "curated line 2: parent 'Nope' is unknown"
        );
    }
}
