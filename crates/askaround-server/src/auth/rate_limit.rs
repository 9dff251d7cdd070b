//! A sliding-window counter per key (an email address, a client address). In memory, per node:
//! with several nodes each enforces its own window, which still bounds guessing to N × limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when `key` is over its limit; does not count this call.
    pub fn check(&self, key: &str) -> Option<u64> {
        let now = Instant::now();
        let mut hits = self.hits.lock().ok()?;
        let entry = hits.get_mut(key)?;
        while entry
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            entry.pop_front();
        }
        if entry.len() as u32 >= self.limit {
            let oldest = entry.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs().max(1));
        }
        None
    }

    pub fn record(&self, key: &str) {
        let now = Instant::now();
        if let Ok(mut hits) = self.hits.lock() {
            // Forget idle keys now and then so the map cannot grow without bound.
            if hits.len() > 10_000 {
                let window = self.window;
                hits.retain(|_, v| v.back().is_some_and(|t| now.duration_since(*t) < window));
            }
            hits.entry(key.to_owned()).or_default().push_back(now);
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut hits) = self.hits.lock() {
            hits.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_and_clears_on_success() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.check("a").is_none());
        limiter.record("a");
        limiter.record("a");
        let wait = limiter.check("a").expect("over the limit");
        assert!((1..=60).contains(&wait));
        assert!(limiter.check("b").is_none());
        limiter.clear("a");
        assert!(limiter.check("a").is_none());
    }
}
