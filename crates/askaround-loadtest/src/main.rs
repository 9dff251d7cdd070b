//! askaround-loadtest: holds thousands of signed-in WebSocket clients on loopback, creates asks at
//! a steady rate, and measures the time from `POST /api/v1/asks` to the first offer frame arriving
//! on a helper's socket, the asks per second sustained, and the server's memory.
//!
//! ```text
//! cargo run --release -p askaround-loadtest -- --people 10000 --sockets 10000 --rate 50 --seconds 60
//! # two nodes on one (empty) PostgreSQL database:
//! cargo run --release -p askaround-loadtest -- --nodes 2 --database-url postgres://postgres@127.0.0.1/lt
//! # an existing organisation with its history (e.g. the insights benchmark's 100,000 people):
//! cargo run --release -p askaround-loadtest -- --database-url sqlite:///tmp/lt.db --org bench
//! ```
//!
//! With several nodes, sockets and asks are spread over them round robin, as a load balancer
//! would, so most offers cross from the node that routed the ask to the node holding the helper's
//! socket.

mod clients;
mod driver;
mod report;
mod server;
mod setup;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "askaround-loadtest",
    about = "Load test askaround: sockets, asks per second, ask-to-offer latency."
)]
pub struct Args {
    /// People in the generated organisation.
    #[arg(long, default_value_t = 10_000)]
    pub people: usize,
    /// Signed-in WebSocket clients to hold open (at most `people`).
    #[arg(long, default_value_t = 10_000)]
    pub sockets: usize,
    /// Asks per second.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Seconds of asking before measuring starts.
    #[arg(long, default_value_t = 5)]
    pub warmup: u64,
    /// The askaround binary to run (default: next to this one).
    #[arg(long)]
    pub server_bin: Option<PathBuf>,
    /// Where the database and logs go (default: a new temporary folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The database to use, which must be empty unless `--org` is given: `sqlite://…` or
    /// `postgres://…` (default: a SQLite file in `--dir`).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Use this existing organisation (its slug) of `--database-url`, history and all, instead
    /// of generating one: its first `--sockets` active people are made always at work with room
    /// in their budget and get the sessions, and the nodes start only once their matcher index
    /// is built.
    #[arg(long)]
    pub org: Option<String>,
    /// askaround nodes to start on that database (several need PostgreSQL).
    #[arg(long, default_value_t = 1)]
    pub nodes: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(run(args.clone()))?;
    if args.json {
        println!("{}", outcome.to_json());
    } else {
        println!("{}", outcome.table());
    }
    Ok(())
}

async fn run(mut args: Args) -> Result<report::Outcome> {
    let dir = match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => tempdir()?,
    };
    let database_url = match &args.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", dir.join("loadtest.db").display()),
    };
    if args.nodes > 1 && !database_url.starts_with("postgres") {
        anyhow::bail!("--nodes {} needs a postgres:// --database-url", args.nodes);
    }
    eprintln!(
        "preparing {} people and {} sessions in {}",
        args.people,
        args.sockets,
        dir.display()
    );
    let prepared = match &args.org {
        Some(slug) => setup::prepare_existing(&database_url, slug, args.sockets).await?,
        None => setup::prepare(&database_url, args.people, args.sockets.min(args.people)).await?,
    };
    args.people = prepared.people;
    let mut servers = Vec::with_capacity(args.nodes.max(1));
    for node in 0..args.nodes.max(1) {
        let server = server::Server::start(&args, &database_url, &dir, node)?;
        eprintln!("node {node}: server {} at {}", server.pid, server.address);
        servers.push(server);
    }
    let addresses: Vec<String> = servers.iter().map(|s| s.address.clone()).collect();
    let sockets = clients::connect_all(&addresses, &prepared.sessions).await?;
    eprintln!("{} sockets open", sockets.open());
    let base_rss = server::total(&servers, server::Server::rss_kib);
    let measured = driver::drive(&args, &addresses, &prepared, &sockets).await?;
    // Let the last offers land.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let outcome = report::Outcome::new(
        &args,
        &measured,
        sockets.open(),
        base_rss,
        server::total(&servers, server::Server::rss_kib),
        server::total(&servers, server::Server::peak_rss_kib),
    );
    for server in servers {
        server.stop();
    }
    Ok(outcome)
}

fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("askaround-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
