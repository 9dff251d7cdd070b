//! The figures: latency percentiles, throughput, memory.

use std::time::Duration;

use serde_json::json;

use crate::Args;
use crate::driver::Measured;

pub struct Outcome {
    pub nodes: usize,
    pub backend: &'static str,
    pub people: usize,
    pub sockets: usize,
    pub rate: f64,
    pub sent: u64,
    pub failed: u64,
    pub offered: usize,
    pub asks_per_second: f64,
    pub offer_p50_ms: f64,
    pub offer_p99_ms: f64,
    pub offer_max_ms: f64,
    pub post_p50_ms: f64,
    pub post_p99_ms: f64,
    pub rss_idle_mib: Option<f64>,
    pub rss_mib: Option<f64>,
    pub rss_peak_mib: Option<f64>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|k| k as f64 / 1024.0)
}

impl Outcome {
    pub fn new(
        args: &Args,
        m: &Measured,
        sockets: usize,
        idle: Option<u64>,
        now: Option<u64>,
        peak: Option<u64>,
    ) -> Self {
        let postgres = args
            .database_url
            .as_deref()
            .is_some_and(|u| u.starts_with("postgres"));
        Self {
            nodes: args.nodes.max(1),
            backend: if postgres { "postgres" } else { "sqlite" },
            people: args.people,
            sockets,
            rate: args.rate,
            sent: m.sent,
            failed: m.failed,
            offered: m.first_offer.len(),
            asks_per_second: m.first_offer.len() as f64 / m.window.as_secs_f64().max(0.001),
            offer_p50_ms: percentile(&m.first_offer, 50.0),
            offer_p99_ms: percentile(&m.first_offer, 99.0),
            offer_max_ms: percentile(&m.first_offer, 100.0),
            post_p50_ms: percentile(&m.post, 50.0),
            post_p99_ms: percentile(&m.post, 99.0),
            rss_idle_mib: mib(idle),
            rss_mib: mib(now),
            rss_peak_mib: mib(peak),
        }
    }

    pub fn to_json(&self) -> String {
        json!({
            "nodes": self.nodes, "backend": self.backend,
            "people": self.people, "sockets": self.sockets, "target_asks_per_second": self.rate,
            "asks_sent": self.sent, "asks_failed": self.failed, "asks_offered": self.offered,
            "asks_per_second": self.asks_per_second,
            "ask_to_offer_ms": {"p50": self.offer_p50_ms, "p99": self.offer_p99_ms, "max": self.offer_max_ms},
            "post_ms": {"p50": self.post_p50_ms, "p99": self.post_p99_ms},
            // Summed over the nodes.
            "server_rss_mib": {"with_sockets_idle": self.rss_idle_mib, "end": self.rss_mib, "peak": self.rss_peak_mib},
        })
        .to_string()
    }

    pub fn table(&self) -> String {
        let rss = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.0} MiB"));
        format!(
            "{} node(s) on {} · people {} · sockets {} · target {} asks/s\n\
             asks sent {} (failed {}), offered {}, sustained {:.1} asks/s\n\
             POST /asks → first offer frame: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n\
             POST /asks → 201: p50 {:.1} ms, p99 {:.1} ms\n\
             server RSS (all nodes): {} with sockets idle, {} at the end, {} peak",
            self.nodes,
            self.backend,
            self.people,
            self.sockets,
            self.rate,
            self.sent,
            self.failed,
            self.offered,
            self.asks_per_second,
            self.offer_p50_ms,
            self.offer_p99_ms,
            self.offer_max_ms,
            self.post_p50_ms,
            self.post_p99_ms,
            rss(self.rss_idle_mib),
            rss(self.rss_mib),
            rss(self.rss_peak_mib),
        )
    }
}
