//! Small tables of distinct values (time zones, working-hour patterns, teams, places, languages).
//!
//! An organisation of 100,000 people has a few dozen of each. Keeping an index instead of the value
//! per person saves memory, and lets a ranking compute "local time in Lisbon" once per zone instead
//! of once per person.

use std::collections::HashMap;

#[derive(Debug)]
pub(super) struct Interner<T> {
    values: Vec<T>,
    by_key: HashMap<String, u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Self {
            values: Vec::new(),
            by_key: HashMap::new(),
        }
    }
}

impl<T> Interner<T> {
    /// The id of the value with this key, adding `make()` under it the first time.
    pub fn intern(&mut self, key: &str, make: impl FnOnce() -> T) -> u32 {
        if let Some(&id) = self.by_key.get(key) {
            return id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push(make());
        self.by_key.insert(key.to_owned(), id);
        id
    }

    pub fn lookup(&self, key: &str) -> Option<u32> {
        self.by_key.get(key).copied()
    }

    pub fn get(&self, id: u32) -> Option<&T> {
        self.values.get(id as usize)
    }

    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Rough heap size: the values are counted by the caller (only it knows their heap).
    pub fn heap_bytes(&self) -> usize {
        self.values.capacity() * std::mem::size_of::<T>()
            + self.by_key.capacity() * (std::mem::size_of::<(String, u32)>() + 1)
            + self.by_key.keys().map(String::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gets_the_same_id() {
        let mut i: Interner<String> = Interner::default();
        let a = i.intern("Lisbon", || "Lisbon".into());
        let b = i.intern("London", || "London".into());
        assert_eq!(i.intern("Lisbon", || unreachable!()), a);
        assert_ne!(a, b);
        assert_eq!(i.get(b).map(String::as_str), Some("London"));
        assert_eq!(i.lookup("Paris"), None);
    }
}
