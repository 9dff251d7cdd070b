//! The gates as bitsets, sixty-four people per word, so that screening a broad ask counts who
//! each gate removes with a few word operations per sixty-four people instead of a lookup and a
//! counter per person.
//!
//! Two parts. [`GateBits`] mirrors the flags of every slot's [`Availability`] and is updated with
//! it. [`OutsideHours`] says who is outside their working hours for one ranking's window; it
//! depends on the clock, so it is computed for a window's `working` vector (per schedule: works in
//! the window) and cached: that vector only changes when a working day starts or ends in some time
//! zone, so rankings in between share one bitset, and a profile edit corrects its one bit.
//!
//! People whose gates need their record (an out-of-office period or a decline to check against
//! the ranking, or a schedule id that did not fit) are marked `special`; screening looks at them
//! one by one, as it does at the asker.

use std::sync::{Arc, Mutex, PoisonError};

use super::postings::Slot;
use super::summary::Availability;

/// The gate flags of sixty-four consecutive slots: bit `i` of each word is slot `64·w + i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct GateWord {
    pub inactive: u64,
    pub do_not_disturb: u64,
    pub paused: u64,
    pub over_budget: u64,
    /// Screened one by one (see the module documentation).
    pub special: u64,
}

/// [`GateWord`]s for every slot, kept equal to the slots' [`Availability`].
#[derive(Debug, Default)]
pub(super) struct GateBits {
    words: Vec<GateWord>,
}

impl GateBits {
    pub fn set(&mut self, slot: Slot, availability: Availability) {
        let (w, bit) = (slot as usize / 64, 1u64 << (slot % 64));
        if self.words.len() <= w {
            self.words.resize(w + 1, GateWord::default());
        }
        let Some(word) = self.words.get_mut(w) else {
            return;
        };
        let put = |field: &mut u64, on: bool| {
            if on {
                *field |= bit;
            } else {
                *field &= !bit;
            }
        };
        put(&mut word.inactive, availability.is_inactive());
        put(&mut word.do_not_disturb, availability.is_do_not_disturb());
        put(&mut word.paused, availability.is_paused());
        put(&mut word.over_budget, availability.is_over_budget());
        put(&mut word.special, availability.needs_record());
    }

    /// The flags of word `w`. Past the end (which [`MatchIndex::set_availability`] should never
    /// let a reached slot be), everyone is `special`: screened one by one on their record rather
    /// than let through.
    ///
    /// [`MatchIndex::set_availability`]: super::index::MatchIndex
    #[inline]
    pub fn word(&self, w: usize) -> GateWord {
        self.words.get(w).copied().unwrap_or(GateWord {
            special: u64::MAX,
            ..GateWord::default()
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * std::mem::size_of::<GateWord>()
    }
}

/// Who is outside their working hours for one `working` vector: bit set for a slot whose schedule
/// does not work in the window.
#[derive(Debug)]
pub(super) struct OutsideHours {
    working: Vec<bool>,
    bits: Vec<u64>,
}

impl OutsideHours {
    fn compute(working: &[bool], availability: &[Availability]) -> Self {
        let mut bits = vec![0u64; availability.len().div_ceil(64)];
        for (word, chunk) in bits.iter_mut().zip(availability.chunks(64)) {
            for (i, a) in chunk.iter().enumerate() {
                *word |= u64::from(outside(working, *a)) << i;
            }
        }
        Self {
            working: working.to_vec(),
            bits,
        }
    }

    /// Word `w`; past the end, everyone is outside (and `special` in [`GateBits`] too).
    #[inline]
    pub fn word(&self, w: usize) -> u64 {
        self.bits.get(w).copied().unwrap_or(u64::MAX)
    }
}

/// Whether a slot is outside its hours: a schedule that is not working, or one the index does not
/// know (the slot is `special` then, and screened on its record).
#[inline]
fn outside(working: &[bool], a: Availability) -> bool {
    !a.schedule()
        .is_some_and(|s| working.get(s as usize).copied().unwrap_or(false))
}

/// How many windows' bitsets are kept: one per urgency is the common case.
const CACHED_WINDOWS: usize = 4;

/// The [`OutsideHours`] of the last few windows rankings asked for.
#[derive(Debug, Default)]
pub(super) struct OutsideHoursCache {
    entries: Mutex<Vec<Arc<OutsideHours>>>,
}

impl OutsideHoursCache {
    /// The bitset for `working`, computed (in time linear in the organisation) when no ranking
    /// has asked for this window since the last change of schedules. The computation runs
    /// outside the lock, so rankings of windows already cached never wait on it.
    pub fn get(&self, working: &[bool], availability: &[Availability]) -> Arc<OutsideHours> {
        if let Some(hit) = self.find(working) {
            return hit;
        }
        let fresh = Arc::new(OutsideHours::compute(working, availability));
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // Another ranking may have computed the same window meanwhile: one copy is enough.
        if let Some(hit) = entries.iter().find(|e| e.working == working) {
            return Arc::clone(hit);
        }
        if entries.len() >= CACHED_WINDOWS {
            entries.remove(0);
        }
        entries.push(Arc::clone(&fresh));
        fresh
    }

    fn find(&self, working: &[bool]) -> Option<Arc<OutsideHours>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .find(|e| e.working == working)
            .map(Arc::clone)
    }

    /// Keeps every cached bitset true to a slot's new availability (its schedule may have
    /// changed). A bitset a ranking still holds, or one that predates a new schedule, is dropped
    /// instead: the next ranking computes it afresh.
    pub fn set(&mut self, slot: Slot, availability: Availability) {
        let entries = self
            .entries
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        let (w, bit) = (slot as usize / 64, 1u64 << (slot % 64));
        entries.retain_mut(|entry| {
            let known = availability
                .schedule()
                .is_none_or(|s| (s as usize) < entry.working.len());
            let Some(entry) = Arc::get_mut(entry).filter(|_| known) else {
                return false;
            };
            if entry.bits.len() <= w {
                entry.bits.resize(w + 1, 0);
            }
            if let Some(word) = entry.bits.get_mut(w) {
                if outside(&entry.working, availability) {
                    *word |= bit;
                } else {
                    *word &= !bit;
                }
            }
            true
        });
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn heap_bytes(&self) -> usize {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .iter()
            .map(|e| e.bits.capacity() * 8 + e.working.capacity())
            .sum()
    }
}
