//! Matcher speed and memory at 1k, 10k and 100k people, next to SQLite FTS5 over the same
//! profiles (what a user would otherwise build: full-text search, then sort).
//!
//! `cargo bench -p askaround-core --bench matcher` prints, per size, the index memory per person,
//! ranking latency percentiles (one core, many different asks) and the FTS5 ratio, then runs the
//! criterion benchmarks; before those, where a week of offers lands with and without fairness
//! (`MATCHER_BENCH_SKIP_LOAD=1` skips it). No assertions: the figures go to BENCHMARKS.md.

mod load;
mod org;

use std::hint::black_box;
use std::time::{Duration, Instant};

use askaround_core::matching::{Asker, HelpEvidence, MatchConfig, Presence, terms};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use rusqlite::Connection;

use org::{ASKS, Org, ask, build, now, person, taxonomy};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// `MATCHER_BENCH_SIZES=100000` runs only the sizes listed (comma-separated).
fn sizes() -> Vec<usize> {
    std::env::var("MATCHER_BENCH_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect::<Vec<usize>>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| SIZES.to_vec())
}
/// `MATCHER_BENCH_PROFILE=0` ranks only the first ask, repeatedly, for a profiler.
fn profiled_ask() -> Option<usize> {
    std::env::var("MATCHER_BENCH_PROFILE").ok()?.parse().ok()
}

const LATENCY_SAMPLES: usize = 2_000;

/// CPU time this thread has used (user and system), in clock ticks, from `/proc` (Linux only).
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99), samples[samples.len() - 1])
}

fn fts5(org: &Org) -> rusqlite::Result<Connection> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(
        "CREATE VIRTUAL TABLE profiles USING fts5(text, tokenize = 'porter unicode61');",
    )?;
    let tx = db.unchecked_transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO profiles(rowid, text) VALUES (?1, ?2)")?;
        for (i, doc) in org.documents.iter().enumerate() {
            insert.execute(rusqlite::params![i as i64 + 1, doc])?;
        }
    }
    tx.commit()?;
    Ok(db)
}

/// The ask's words OR-ed, best BM25 first, top 10: FTS5's nearest equivalent of a ranking.
fn fts5_query(text: &str) -> String {
    terms(text)
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn fts5_rank(db: &Connection, query: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = db.prepare_cached(
        "SELECT rowid FROM profiles WHERE profiles MATCH ?1 ORDER BY bm25(profiles) LIMIT 10",
    )?;
    let rows = stmt.query_map([query], |r| r.get(0))?;
    rows.collect()
}

fn report(c: &mut Criterion) {
    let taxonomy = taxonomy();
    if std::env::var_os("MATCHER_BENCH_SKIP_LOAD").is_none() {
        load::report(&taxonomy);
    }
    let config = MatchConfig::default();
    println!(
        "| people | index heap | per person | build | rank p50 | rank p99 | rank max | FTS5 p50 | FTS5 p99 | FTS5 / ours (p50) | update p99 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes() {
        let started = Instant::now();
        let mut org = build(&taxonomy, size);
        let build_time = started.elapsed();
        let heap = org.index.heap_bytes();
        let asker = Asker::anonymous(org.people[0]);
        if let Some(which) = profiled_ask() {
            // Rank one ask for ten seconds and stop: for `perf record`, or to compare builds by
            // CPU time (on a shared machine, wall time also counts the other processes' turns).
            let until = Instant::now() + Duration::from_secs(10);
            let cpu_before = thread_cpu_ticks();
            let mut n = 0;
            while Instant::now() < until {
                black_box(
                    org.index
                        .rank(&ask(which + n * ASKS.len()), &asker, now(), &config),
                );
                n += 1;
            }
            let cpu = match (cpu_before, thread_cpu_ticks()) {
                // Clock ticks are hundredths of a second on Linux.
                (Some(a), Some(b)) if n > 0 => format!(
                    ", {:.0} µs of CPU each",
                    (b - a) as f64 * 10_000.0 / n as f64
                ),
                _ => String::new(),
            };
            println!("ranked {:?} {n} times{cpu}", ASKS[which % ASKS.len()]);
            return;
        }

        let mut ours = Vec::with_capacity(LATENCY_SAMPLES);
        let mut per_ask = vec![Vec::new(); ASKS.len()];
        for i in 0..LATENCY_SAMPLES {
            let a = ask(i);
            let t = Instant::now();
            black_box(org.index.rank(&a, &asker, now(), &config));
            let took = t.elapsed();
            ours.push(took);
            per_ask[i % ASKS.len()].push(took);
        }
        let (p50, p99, max) = percentiles(ours);
        // The first ranking after a working day starts or ends somewhere works out again who is
        // outside their hours, for everyone.
        let mut first_in_window = Vec::with_capacity(LATENCY_SAMPLES / 10);
        for i in 0..LATENCY_SAMPLES / 10 {
            let a = ask(i);
            org.index.forget_windows();
            let t = Instant::now();
            black_box(org.index.rank(&a, &asker, now(), &config));
            first_in_window.push(t.elapsed());
        }
        let (new_window_p50, new_window_p99, _) = percentiles(first_in_window);
        let by_ask: Vec<(Duration, Duration, &str)> = per_ask
            .into_iter()
            .zip(ASKS)
            .map(|(samples, text)| {
                let fastest = samples.iter().min().copied().unwrap_or_default();
                (percentiles(samples).0, fastest, *text)
            })
            .collect();

        let (f50, f99) = match fts5(&org) {
            Ok(db) => {
                let queries: Vec<String> = ASKS.iter().map(|a| fts5_query(a)).collect();
                let mut theirs = Vec::with_capacity(LATENCY_SAMPLES / 4);
                for i in 0..LATENCY_SAMPLES / 4 {
                    let t = Instant::now();
                    let _ = black_box(fts5_rank(&db, &queries[i % queries.len()]));
                    theirs.push(t.elapsed());
                }
                let (f50, f99, _) = percentiles(theirs);
                (f50, f99)
            }
            Err(e) => {
                println!("FTS5 unavailable: {e}");
                (Duration::ZERO, Duration::ZERO)
            }
        };

        let mut updates = Vec::with_capacity(LATENCY_SAMPLES);
        for i in 0..LATENCY_SAMPLES {
            let who = org.people[(i * 7919) % org.people.len()];
            let t = Instant::now();
            match i % 3 {
                0 => {
                    if let Ok(state) = org.index.state_mut(who) {
                        state.presence = if i % 2 == 0 {
                            Presence::Away
                        } else {
                            Presence::Online
                        };
                    }
                }
                1 => {
                    let evidence = HelpEvidence {
                        learner: person(i),
                        text: "pivot table refresh when new rows are added".into(),
                        skills: Vec::new(),
                        rating: Some(5),
                        at: now(),
                    };
                    let _ = org.index.add_evidence(who, &evidence);
                }
                _ => {
                    let profile = &org.profiles[(i * 7919) % org.profiles.len()];
                    org.index.upsert_profile(profile);
                }
            }
            updates.push(t.elapsed());
        }
        let (_, u99, _) = percentiles(updates);
        println!(
            "| {size} | {:.1} MiB | {} B | {:.2} s | {:?} | {:?} | {:?} | {:?} | {:?} | {:.1}× | {:?} |",
            heap as f64 / 1048576.0,
            heap / size,
            build_time.as_secs_f64(),
            p50,
            p99,
            max,
            f50,
            f99,
            f50.as_secs_f64() / p50.as_secs_f64().max(1e-12),
            u99
        );
        // Per ask: the fastest run shows the cost without the noise of a shared machine. Beside
        // it, the same ranking screening everyone reached (no pruning), interleaved in the same
        // loop so that both see the same machine.
        println!(
            "  {size} people, first ranking in a new window (who works now worked out again): p50 {new_window_p50:?}, p99 {new_window_p99:?}"
        );
        for (k, (p50, fastest, text)) in by_ask.iter().enumerate() {
            let (mut pruned, mut exhaustive) = (Vec::new(), Vec::new());
            for round in 0..60 {
                let a = ask(k + round * ASKS.len());
                let t = Instant::now();
                black_box(org.index.rank(&a, &asker, now(), &config));
                pruned.push(t.elapsed());
                let t = Instant::now();
                black_box(org.index.rank_exhaustive(&a, &asker, now(), &config));
                exhaustive.push(t.elapsed());
            }
            let (pruned, _, _) = percentiles(pruned);
            let (exhaustive, _, _) = percentiles(exhaustive);
            println!(
                "  {size} people, {text:?}: p50 {p50:?}, fastest {fastest:?}; interleaved p50 {pruned:?} vs {exhaustive:?} without pruning ({:.2}×)",
                exhaustive.as_secs_f64() / pruned.as_secs_f64().max(1e-12)
            );
        }

        let mut group = c.benchmark_group("rank");
        group
            .sample_size(30)
            .measurement_time(Duration::from_secs(3));
        let mut i = 0;
        group.bench_with_input(BenchmarkId::from_parameter(size), &size, |b, _| {
            b.iter(|| {
                i += 1;
                black_box(org.index.rank(&ask(i), &asker, now(), &config))
            })
        });
        group.finish();

        let mut group = c.benchmark_group("update");
        group
            .sample_size(30)
            .measurement_time(Duration::from_secs(2));
        let mut j = 0usize;
        group.bench_with_input(BenchmarkId::new("profile_edit", size), &size, |b, _| {
            b.iter(|| {
                j += 1;
                org.index
                    .upsert_profile(&org.profiles[(j * 7919) % org.profiles.len()]);
            })
        });
        group.bench_with_input(BenchmarkId::new("presence", size), &size, |b, _| {
            b.iter(|| {
                j += 1;
                if let Ok(state) = org
                    .index
                    .state_mut(org.people[(j * 7919) % org.people.len()])
                {
                    state.presence = Presence::Online;
                }
            })
        });
        group.finish();
    }
}

criterion_group!(benches, report);
criterion_main!(benches);
