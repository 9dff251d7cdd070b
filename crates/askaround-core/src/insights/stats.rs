//! Percentiles, Gini and the duration rounding shared by every backend.
//!
//! Stores send distributions as `(value, count)` pairs rather than one row per ask, so a
//! percentile over a million asks costs a few hundred rows; these functions read those pairs.

/// `(value, how many times it occurs)`, in any order.
pub type Histogram = Vec<(i64, u64)>;

/// The nearest-rank percentile (`p` in 0–100) of a distribution: the smallest value with at
/// least `p`% of the observations at or below it. `None` when there are none.
pub fn percentile(histogram: &[(i64, u64)], p: u32) -> Option<i64> {
    let total: u64 = histogram.iter().map(|(_, c)| c).sum();
    if total == 0 {
        return None;
    }
    let mut sorted: Vec<(i64, u64)> = histogram.to_vec();
    sorted.sort_unstable();
    // rank = ceil(p/100 · n), at least 1.
    let rank = (u64::from(p.min(100)) * total).div_ceil(100).max(1);
    let mut seen = 0;
    for (value, count) in sorted {
        seen += count;
        if seen >= rank {
            return Some(value);
        }
    }
    None
}

/// The Gini coefficient of non-negative amounts given as `(amount, how many people have it)`:
/// 0 when everyone carries the same, towards 1 when a few carry everything. `None` with no
/// people or nothing carried.
pub fn gini(frequencies: &[(i64, u64)]) -> Option<f64> {
    let mut sorted: Vec<(i64, u64)> = frequencies
        .iter()
        .copied()
        .filter(|(_, c)| *c > 0)
        .collect();
    sorted.sort_unstable();
    let n: u64 = sorted.iter().map(|(_, c)| c).sum();
    let total: f64 = sorted.iter().map(|(v, c)| *v as f64 * *c as f64).sum();
    if n == 0 || total <= 0.0 {
        return None;
    }
    // G = 2·Σ i·x(i) / (n·Σx) − (n+1)/n over the sorted amounts, i from 1. A run of c equal
    // amounts at ranks r+1..=r+c adds x·(c·r + c(c+1)/2).
    let mut rank = 0.0_f64;
    let mut weighted = 0.0_f64;
    for (value, count) in sorted {
        let c = count as f64;
        weighted += value as f64 * (c * rank + c * (c + 1.0) / 2.0);
        rank += c;
    }
    let n = n as f64;
    Some(2.0 * weighted / (n * total) - (n + 1.0) / n)
}

/// Seconds rounded down to two significant digits (0–99 exact, then 100, 110, …, 990, 1000,
/// 1100, …), the precision at which durations are reported. Every store applies the same rule in
/// SQL ([`TWO_DIGITS_SQL`]) so a distribution needs at most a few hundred rows.
pub fn two_significant_digits(secs: i64) -> i64 {
    let mut unit = 1;
    while secs >= unit * 100 {
        unit *= 10;
    }
    secs / unit * unit
}

/// What [`TWO_DIGITS_SQL`] computes, exactly: [`two_significant_digits`] for 0 to 10⁸ − 1,
/// negative values unchanged, and whole millions from 10⁸ on (durations beyond three years).
/// For figures computed outside SQL that must equal those computed in it.
pub fn rounded_like_sql(secs: i64) -> i64 {
    match secs {
        ..100 => secs,
        100..100_000_000 => two_significant_digits(secs),
        _ => secs / 1_000_000 * 1_000_000,
    }
}

/// [`two_significant_digits`] as SQL over an integer expression `{s}` (durations of up to ~3 years).
pub const TWO_DIGITS_SQL: &str = "CASE WHEN {s} < 100 THEN {s} \
     WHEN {s} < 1000 THEN {s} / 10 * 10 \
     WHEN {s} < 10000 THEN {s} / 100 * 100 \
     WHEN {s} < 100000 THEN {s} / 1000 * 1000 \
     WHEN {s} < 1000000 THEN {s} / 10000 * 10000 \
     WHEN {s} < 10000000 THEN {s} / 100000 * 100000 \
     ELSE {s} / 1000000 * 1000000 END";

/// `part / whole` rounded to four decimals; `None` when `whole` is 0.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| round4(part as f64 / whole as f64))
}

pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQL text evaluated by hand, branch by branch, against the function.
    #[test]
    fn rounding_like_sql_follows_each_branch_of_the_sql() {
        let sql = |s: i64| match s {
            ..100 => s,
            100..1000 => s / 10 * 10,
            1000..10_000 => s / 100 * 100,
            10_000..100_000 => s / 1000 * 1000,
            100_000..1_000_000 => s / 10_000 * 10_000,
            1_000_000..10_000_000 => s / 100_000 * 100_000,
            _ => s / 1_000_000 * 1_000_000,
        };
        for s in (-1000..2_000_000).chain([99_999_999, 100_000_000, 123_456_789, i64::MAX]) {
            assert_eq!(rounded_like_sql(s), sql(s), "{s}");
        }
    }
}
