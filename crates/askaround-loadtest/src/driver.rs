//! Asks at a steady rate from many askers; matches each ask's first offer frame to the instant
//! its POST was sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use reqwest::header::{COOKIE, HeaderMap, HeaderValue};

use crate::Args;
use crate::clients::Sockets;
use crate::setup::Prepared;

pub struct Measured {
    /// Asks sent during the measured window.
    pub sent: u64,
    /// POSTs that did not answer 201.
    pub failed: u64,
    /// From sending POST to the first offer frame on a helper's socket, for measured asks.
    pub first_offer: Vec<Duration>,
    /// From sending POST to its 201.
    pub post: Vec<Duration>,
    pub window: Duration,
}

pub async fn drive(
    args: &Args,
    addresses: &[String],
    prepared: &Prepared,
    sockets: &Sockets,
) -> Result<Measured> {
    let total = ((args.warmup + args.seconds) as f64 * args.rate).ceil() as u64;
    // Enough askers that none asks more than a person plausibly could in the run.
    let askers = prepared.sessions.len().clamp(1, 500);
    let clients: Vec<reqwest::Client> = prepared.sessions[..askers]
        .iter()
        .map(|(_, token)| {
            let mut headers = HeaderMap::new();
            let cookie = HeaderValue::from_str(&format!("askaround_session={token}"))?;
            headers.insert(COOKIE, cookie);
            Ok(reqwest::Client::builder()
                .default_headers(headers)
                .build()?)
        })
        .collect::<Result<_>>()?;
    let sent_at: Arc<Mutex<HashMap<u64, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let post_times: Arc<Mutex<Vec<(u64, Duration, bool)>>> = Arc::new(Mutex::new(Vec::new()));
    let urls: Vec<String> = addresses
        .iter()
        .map(|a| format!("http://{a}/api/v1/asks"))
        .collect();
    let period = Duration::from_secs_f64(1.0 / args.rate.max(0.01));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let started = Instant::now();
    let measure_from = args.warmup * args.rate.ceil() as u64;
    let mut tasks = Vec::with_capacity(total as usize);
    for n in 0..total {
        ticker.tick().await;
        let topic = prepared
            .topics
            .choose(&mut rng)
            .cloned()
            .unwrap_or_else(|| "Microsoft Excel".to_owned());
        let body = serde_json::json!({"text": format!("{} How do I get started with {topic}?", crate::clients::tagged(n)), "skills": [topic]});
        let client = clients[(n as usize) % clients.len()].clone();
        let url = urls[(n as usize) % urls.len().max(1)].clone();
        let (sent_at, post_times) = (sent_at.clone(), post_times.clone());
        tasks.push(tokio::spawn(async move {
            let t0 = Instant::now();
            if let Ok(mut map) = sent_at.lock() {
                map.insert(n, t0);
            }
            let ok =
                matches!(client.post(&url).json(&body).send().await, Ok(r) if r.status() == 201);
            if let Ok(mut times) = post_times.lock() {
                times.push((n, t0.elapsed(), ok));
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let window = started
        .elapsed()
        .saturating_sub(Duration::from_secs(args.warmup));
    // Collect offer frames until a quiet moment after the last ask.
    let mut first: HashMap<u64, Instant> = HashMap::new();
    let mut offers = sockets.offers.lock().await;
    while let Ok(Some((n, at))) = tokio::time::timeout(Duration::from_secs(3), offers.recv()).await
    {
        first
            .entry(n)
            .and_modify(|t| *t = (*t).min(at))
            .or_insert(at);
    }
    let sent_at = sent_at.lock().map(|m| m.clone()).unwrap_or_default();
    let mut first_offer: Vec<Duration> = first
        .iter()
        .filter(|(n, _)| **n >= measure_from)
        .filter_map(|(n, at)| sent_at.get(n).map(|t0| at.saturating_duration_since(*t0)))
        .collect();
    first_offer.sort();
    let times = post_times.lock().map(|t| t.clone()).unwrap_or_default();
    let measured: Vec<&(u64, Duration, bool)> = times
        .iter()
        .filter(|(n, _, _)| *n >= measure_from)
        .collect();
    let mut post: Vec<Duration> = measured.iter().map(|(_, d, _)| *d).collect();
    post.sort();
    Ok(Measured {
        sent: measured.len() as u64,
        failed: measured.iter().filter(|(_, _, ok)| !ok).count() as u64,
        first_offer,
        post,
        window,
    })
}
