//! Append-only posting lists with per-person generations.
//!
//! Updating a person must stay well under 50 µs even when their words are in lists of 100,000
//! people. Removing entries from such lists in place costs a memmove of the whole list, so instead
//! a person's new entries are appended under a new generation and the old ones become stale: a scan
//! skips entries whose generation is not the person's current one. A list is compacted when more
//! than half of it is stale, which keeps scans near their live length at an amortised constant
//! cost per update.

/// A person's position in the index's dense arrays.
pub(super) type Slot = u32;

#[derive(Debug, Clone, Copy)]
pub(super) struct Posting {
    pub slot: Slot,
    pub generation: u32,
    pub weight: f32,
}

/// One term's (or one skill's) list.
#[derive(Debug, Default)]
pub(super) struct PostingList {
    entries: Vec<Posting>,
    /// Live entries: the document frequency.
    live: u32,
    /// No entry weighs more (stale ones included, so it may be above the live maximum): what a
    /// ranking uses to tell that someone this list alone reaches cannot be relevant.
    max_weight: f32,
    /// The median weight of the live entries at the last compaction (zero before any): skipping
    /// the entries under a bound costs a mispredicted branch for each one skipped or not, so a
    /// ranking only tries when most of the list may be under it (see
    /// [`MatchIndex::accumulate`](super::index::MatchIndex)). Only speed depends on it.
    median_weight: f32,
}

impl PostingList {
    pub fn live(&self) -> u32 {
        self.live
    }

    pub fn max_weight(&self) -> f32 {
        self.max_weight
    }

    pub fn median_weight(&self) -> f32 {
        self.median_weight
    }

    pub fn push(&mut self, slot: Slot, generation: u32, weight: f32) {
        self.entries.push(Posting {
            slot,
            generation,
            weight,
        });
        self.live += 1;
        self.max_weight = self.max_weight.max(weight);
    }

    /// Marks one of this list's entries as stale (its person moved to a new generation) and
    /// compacts the list when stale entries outnumber live ones.
    pub fn retire_one(&mut self, generations: &[u32]) {
        self.live = self.live.saturating_sub(1);
        let stale = self.entries.len() - self.live as usize;
        if stale > self.live as usize && stale >= 8 {
            self.entries.retain(|p| is_current(p, generations));
            self.entries.shrink_to(self.entries.len() * 5 / 4 + 4);
            self.measure_weights();
        }
    }

    /// Drops every stale entry and orders the rest by slot, so that a ranking walks the dense
    /// arrays forwards. Takes time in the list's length: for after a bulk load, not per update.
    pub fn compact(&mut self, generations: &[u32]) {
        self.entries.retain(|p| is_current(p, generations));
        self.entries.sort_by_key(|p| p.slot);
        // Room for the updates to come, so the first of them does not copy the whole list.
        self.entries.shrink_to(self.entries.len() * 5 / 4 + 4);
        self.live = self.entries.len() as u32;
        self.measure_weights();
    }

    /// Sets the maximum and median weights from the entries (all live, after a compaction).
    fn measure_weights(&mut self) {
        self.max_weight = self.entries.iter().map(|p| p.weight).fold(0.0, f32::max);
        let mut weights: Vec<f32> = self.entries.iter().map(|p| p.weight).collect();
        let middle = weights.len() / 2;
        self.median_weight = match weights.get(middle) {
            Some(_) => *weights.select_nth_unstable_by(middle, f32::total_cmp).1,
            None => 0.0,
        };
    }

    /// Calls `visit` with every live entry.
    #[inline]
    pub fn for_each_live(&self, generations: &[u32], mut visit: impl FnMut(Slot, f32)) {
        for p in &self.entries {
            if is_current(p, generations) {
                visit(p.slot, p.weight);
            }
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Posting>()
    }
}

#[inline]
fn is_current(p: &Posting, generations: &[u32]) -> bool {
    generations.get(p.slot as usize) == Some(&p.generation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(list: &PostingList, generations: &[u32]) -> Vec<(Slot, f32)> {
        let mut out = Vec::new();
        list.for_each_live(generations, |s, w| out.push((s, w)));
        out
    }

    #[test]
    fn entries_of_an_old_generation_are_skipped() {
        let mut generations = vec![0, 0];
        let mut list = PostingList::default();
        list.push(0, 0, 1.0);
        list.push(1, 0, 2.0);
        generations[0] = 1;
        list.retire_one(&generations);
        list.push(0, 1, 3.0);
        assert_eq!(live(&list, &generations), [(1, 2.0), (0, 3.0)]);
        assert_eq!(list.live(), 2);
    }

    #[test]
    fn compacting_keeps_the_live_entries_in_slot_order() {
        let mut generations = vec![0u32, 0, 0];
        let mut list = PostingList::default();
        list.push(2, 0, 1.0);
        list.push(0, 0, 2.0);
        list.push(1, 0, 3.0);
        generations[2] = 1;
        list.retire_one(&generations);
        list.push(2, 1, 4.0);
        list.compact(&generations);
        assert_eq!(live(&list, &generations), [(0, 2.0), (1, 3.0), (2, 4.0)]);
        assert_eq!(list.entries.len(), 3);
        assert_eq!(list.live(), 3);
        assert_eq!(list.median_weight(), 3.0);
    }

    #[test]
    fn a_mostly_stale_list_is_compacted() {
        let mut generations = vec![0u32];
        let mut list = PostingList::default();
        list.push(0, 0, 1.0);
        for g in 1..100 {
            generations[0] = g;
            list.retire_one(&generations);
            list.push(0, g, 1.0);
        }
        assert!(
            list.entries.len() < 20,
            "{} entries kept",
            list.entries.len()
        );
        assert_eq!(live(&list, &generations), [(0, 1.0)]);
    }
}
