//! An ask turned into weighted index terms and skills: the words that tell most (by idf), the
//! skills tagged or named, and the skills those reach through the taxonomy and through the
//! organisation's own sessions (see [`super::associations`]).

use std::collections::{HashMap, HashSet};

use super::analyzer::for_each_term;
use super::ask::Ask;
use super::config::ExpertiseWeights;
use super::index::MatchIndex;
use super::record::TermId;
use super::slots::MAX_TERMS_PER_TEXT;
use crate::ids::SkillId;

/// Query words kept, the most telling first: a 100 KB ask must cost what a paragraph costs.
const MAX_QUERY_TERMS: usize = 64;
/// Skills named in the ask text are looked for in its first few kilobytes only.
const MENTION_SCAN_BYTES: usize = 4_096;
/// A broad skill expands to at most this many narrower ones.
const MAX_DESCENDANTS: usize = 64;
/// An asked skill reaches at most this many skills that sessions tag together with it.
const MAX_ASSOCIATED: usize = 16;
/// In organisations of this size or more, words in more than a tenth of all profiles are skipped
/// by the word channel: BM25 gives them little weight (idf below ln 10), they cost the longest
/// scans, and the skills such a word names ("Excel") still match through the skill channel.
const COMMON_TERM_MIN_PEOPLE: usize = 1_000;
const COMMON_TERM_SHARE: f64 = 0.1;

/// An ask turned into weighted index terms and skills.
#[derive(Debug, Clone, Default)]
pub(super) struct Query {
    /// Term and its query weight (idf × occurrences).
    pub terms: Vec<(TermId, f32)>,
    /// Skill and how strongly it answers the ask: the asked skill's idf, discounted for a relative.
    pub skills: Vec<(SkillId, f32)>,
    /// The skills the ask is about, tagged or named in the text, in order.
    pub asked: Vec<SkillId>,
}

impl MatchIndex {
    pub(super) fn prepare(&self, ask: &Ask, weights: &ExpertiseWeights) -> Query {
        let people = self.len().max(1) as f64;
        let mut counts: HashMap<TermId, u32> = HashMap::new();
        let mut seen = 0usize;
        for_each_term(&ask.text, |word| {
            seen += 1;
            if seen > MAX_TERMS_PER_TEXT {
                return;
            }
            if let Some(&id) = self.dictionary.get(word) {
                *counts.entry(id).or_default() += 1;
            }
        });
        let mut terms: Vec<(TermId, f32)> = counts
            .into_iter()
            .filter_map(|(id, n)| {
                let df = f64::from(self.terms.get(id as usize)?.live());
                if df == 0.0
                    || (self.len() >= COMMON_TERM_MIN_PEOPLE && df / people > COMMON_TERM_SHARE)
                {
                    return None;
                }
                let idf = (1.0 + (people - df + 0.5) / (df + 0.5)).ln();
                Some((id, (idf * f64::from(n)) as f32))
            })
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(MAX_QUERY_TERMS);

        let mut asked: Vec<SkillId> = Vec::new();
        for id in ask.skills.iter().copied().chain(
            self.taxonomy
                .mentions(prefix(&ask.text, MENTION_SCAN_BYTES)),
        ) {
            if self.taxonomy.get(id).is_some() && !asked.contains(&id) {
                asked.push(id);
            }
        }
        let skills = self.expand(&asked, weights);
        Query {
            terms,
            skills,
            asked,
        }
    }

    /// Each asked skill, its ancestors (discounted per level), its descendants and the skills
    /// sessions tag together with it, all valued at the asked skill's idf; a skill reached
    /// several ways keeps its strongest weight.
    fn expand(&self, asked: &[SkillId], weights: &ExpertiseWeights) -> Vec<(SkillId, f32)> {
        let people = self.len().max(1) as f64;
        let mut out: HashMap<SkillId, f32> = HashMap::new();
        let mut keep = |id: SkillId, w: f64| {
            let w = w as f32;
            if w > 0.0 && w.is_finite() {
                let e = out.entry(id).or_insert(0.0);
                *e = e.max(w);
            }
        };
        for &id in asked {
            let df = self.skills.get(&id).map_or(0.0, |l| f64::from(l.live()));
            let idf = (1.0 + (people - df + 0.5) / (df + 0.5)).ln();
            keep(id, idf);
            let mut w = idf;
            for parent in self.taxonomy.ancestors(id) {
                w *= weights.ancestor_decay;
                keep(parent, w);
            }
            for child in self.descendants(id) {
                keep(child, idf * weights.descendant);
            }
            for (other, share) in self.associations.associated(id, MAX_ASSOCIATED) {
                keep(other, idf * weights.associated * f64::from(share));
            }
        }
        let mut skills: Vec<(SkillId, f32)> = out.into_iter().collect();
        skills.sort_by_key(|s| s.0);
        skills
    }

    fn descendants(&self, id: SkillId) -> Vec<SkillId> {
        let mut out = Vec::new();
        let mut seen: HashSet<SkillId> = HashSet::from([id]);
        let mut frontier = vec![id];
        while let Some(next) = frontier.pop() {
            for &child in self.children.get(&next).map_or(&[][..], Vec::as_slice) {
                if out.len() >= MAX_DESCENDANTS {
                    return out;
                }
                if seen.insert(child) {
                    out.push(child);
                    frontier.push(child);
                }
            }
        }
        out
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
