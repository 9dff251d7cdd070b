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

    /// Takes one slot for `key`, or says how many seconds to wait when the window is full.
    /// Checking and counting happen under one lock, so concurrent callers cannot overshoot.
    pub fn acquire(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut hits) = self.hits.lock() else {
            return Ok(());
        };
        // Forget idle keys now and then so the map cannot grow without bound.
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, v| v.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let entry = hits.entry(key.to_owned()).or_default();
        while entry
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            entry.pop_front();
        }
        if entry.len() as u32 >= self.limit {
            let oldest = entry.front().copied().unwrap_or(now);
            let wait = self.window.saturating_sub(now.duration_since(oldest));
            return Err(wait.as_secs().max(1));
        }
        entry.push_back(now);
        Ok(())
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
        assert!(limiter.acquire("a").is_ok());
        assert!(limiter.acquire("a").is_ok());
        let wait = limiter.acquire("a").expect_err("over the limit");
        assert!((1..=60).contains(&wait));
        assert!(limiter.acquire("b").is_ok());
        limiter.clear("a");
        assert!(limiter.acquire("a").is_ok());
    }

    #[test]
    fn concurrent_callers_never_get_more_than_the_limit() {
        let limiter = std::sync::Arc::new(RateLimiter::new(5, Duration::from_secs(60)));
        let granted: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..20)
                .map(|_| {
                    let limiter = limiter.clone();
                    scope.spawn(move || usize::from(limiter.acquire("k").is_ok()))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        });
        assert_eq!(granted, 5);
    }
}
