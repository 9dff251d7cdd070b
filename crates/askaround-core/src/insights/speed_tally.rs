//! Counting one group of asks (overall, an hour, a skill) for [`super::AskFacts::speed`]: the
//! counts, the askers up to a cap, and the three distributions.

use std::collections::{BTreeMap, HashSet};

use super::{Compact, NONE};
use crate::insights::raw::AskStats;
use crate::insights::stats::Histogram;

/// Counts of one group of asks.
pub(super) struct Tally {
    asks: u64,
    answered: u64,
    to_board: u64,
    askers: HashSet<u32>,
    askers_cap: usize,
    accept: Distribution,
    resolution: Distribution,
    interrupted: Distribution,
}

impl Tally {
    pub(super) fn new(askers_cap: usize) -> Self {
        Self {
            asks: 0,
            answered: 0,
            to_board: 0,
            askers: HashSet::new(),
            askers_cap,
            accept: Distribution::default(),
            resolution: Distribution::default(),
            interrupted: Distribution::default(),
        }
    }

    pub(super) fn add(&mut self, fact: &Compact, cells: &Cells) {
        self.asks += 1;
        if self.askers.len() < self.askers_cap {
            self.askers.insert(fact.asker);
        }
        if fact.went_to_board {
            self.to_board += 1;
        }
        if let Some(cell) = cells.accept {
            self.answered += 1;
            self.accept.add(cell);
        }
        if let Some(cell) = cells.resolution {
            self.resolution.add(cell);
        }
        self.interrupted.add(cells.interrupted);
    }

    pub(super) fn finish(self) -> AskStats {
        AskStats {
            asks: self.asks,
            askers: self.askers.len() as u64,
            answered: self.answered,
            to_board: self.to_board,
            accept_secs: self.accept.histogram(),
            resolution_secs: self.resolution.histogram(),
            interrupted: self.interrupted.histogram(),
        }
    }
}

/// Where one value is counted in a [`Distribution`].
#[derive(Clone, Copy)]
enum Cell {
    Dense(usize),
    Other(i64),
}

impl Cell {
    fn of(value: i64) -> Self {
        dense_index(value).map_or(Cell::Other(value), Cell::Dense)
    }
}

/// The cells of one ask's values; `None` where it has no such value.
pub(super) struct Cells {
    accept: Option<Cell>,
    resolution: Option<Cell>,
    interrupted: Cell,
}

impl Cells {
    pub(super) fn of(fact: &Compact) -> Self {
        let cell = |v: i64| (v != NONE).then(|| Cell::of(v));
        Self {
            accept: cell(fact.accept_secs),
            resolution: cell(fact.resolution_secs),
            interrupted: Cell::of(fact.interrupted),
        }
    }
}

/// Values with two significant digits (every rounded duration, and most counts) in an array,
/// anything else in a map.
#[derive(Default)]
struct Distribution {
    /// `u32`: half the bytes of `u64` keeps more of hundreds of skills' arrays in cache.
    dense: Vec<u32>,
    other: BTreeMap<i64, u64>,
}

/// 0–99, then 90 values (10–99 × 10ᵏ) for each power of ten up to 10⁸.
pub(super) const DENSE: usize = 100 + 6 * 90;

impl Distribution {
    fn add(&mut self, cell: Cell) {
        match cell {
            Cell::Dense(at) => {
                if self.dense.is_empty() {
                    self.dense = vec![0; DENSE];
                }
                if let Some(n) = self.dense.get_mut(at) {
                    *n = n.saturating_add(1);
                }
            }
            Cell::Other(value) => *self.other.entry(value).or_default() += 1,
        }
    }

    fn histogram(self) -> Histogram {
        let mut out: Histogram = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(at, n)| (dense_value(at), u64::from(*n)))
            .chain(self.other)
            .collect();
        out.sort_unstable();
        out
    }
}

pub(super) fn dense_index(value: i64) -> Option<usize> {
    if (0..100).contains(&value) {
        return usize::try_from(value).ok();
    }
    let mut unit = 10;
    let mut base = 100;
    while base < DENSE {
        if value < unit * 100 {
            if value % unit != 0 {
                return None;
            }
            return usize::try_from(value / unit - 10).ok().map(|d| base + d);
        }
        unit *= 10;
        base += 90;
    }
    None
}

pub(super) fn dense_value(at: usize) -> i64 {
    if at < 100 {
        return at as i64;
    }
    let (power, digits) = ((at - 100) / 90, (at - 100) % 90);
    (digits as i64 + 10) * 10_i64.pow(power as u32 + 1)
}
