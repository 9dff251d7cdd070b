//! Small-cell suppression: no figure computed from fewer than [`MIN_PEOPLE`] people is shown, so
//! nobody can be singled out by narrowing a filter.

/// The smallest number of distinct people a shown figure may cover.
pub const MIN_PEOPLE: u64 = 5;

/// Whether a figure covering `people` distinct people may be shown.
pub fn may_show(people: u64) -> bool {
    people >= MIN_PEOPLE
}

/// A count of people, hidden when it is 1–4. Zero is shown: "nobody" singles out no one, and
/// the base the count is taken from is itself checked with [`may_show`].
pub fn people_count(count: u64) -> Option<u64> {
    (count == 0 || count >= MIN_PEOPLE).then_some(count)
}

/// `value` if the figure covers enough people.
pub fn covering<T>(people: u64, value: T) -> Option<T> {
    may_show(people).then_some(value)
}
