//! The askaround server under test, as a separate process so its memory can be read alone.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, anyhow};

use crate::Args;

pub struct Server {
    child: Child,
    pub pid: u32,
    pub address: String,
}

impl Server {
    pub fn start(args: &Args, database_url: &str, dir: &Path, node: usize) -> Result<Self> {
        let bin = match &args.server_bin {
            Some(bin) => bin.clone(),
            None => std::env::current_exe()?.with_file_name("askaround"),
        };
        let log = std::fs::File::create(dir.join(format!("server-{node}.log")))?;
        let mut child = Command::new(&bin)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                database_url,
            ])
            .env("ASKAROUND_LOG_FORMAT", "json")
            .env("ASKAROUND_LOG_LEVEL", "info")
            // The generator's askers ask far more than a person would.
            .env("ASKAROUND_ASKS_PER_HOUR", "100000")
            .stdout(log)
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let stderr = child.stderr.take().ok_or_else(|| anyhow!("no stderr"))?;
        let started = std::time::Instant::now();
        let mut lines = BufReader::new(stderr).lines();
        let address = loop {
            let line = lines
                .next()
                .ok_or_else(|| anyhow!("the server exited before serving"))??;
            if line.contains("askaround is serving") {
                let value: serde_json::Value = serde_json::from_str(&line)?;
                break value["fields"]["address"]
                    .as_str()
                    .ok_or_else(|| anyhow!("no address in {line}"))?
                    .to_owned();
            }
        };
        eprintln!(
            "node {node}: serving {:.1} s after start",
            started.elapsed().as_secs_f64()
        );
        // An existing organisation's history makes the matcher's first build long: asks sent
        // during it would measure the build, not the routing.
        if args.org.is_some() {
            loop {
                let line = lines
                    .next()
                    .ok_or_else(|| anyhow!("the server exited while building its index"))??;
                if line.contains("matcher index built") {
                    eprintln!(
                        "node {node}: matcher index built {:.1} s after start",
                        started.elapsed().as_secs_f64()
                    );
                    break;
                }
            }
        }
        // Keep draining the log in the background, into the run's folder.
        let mut kept = std::io::BufWriter::new(std::fs::File::create(
            dir.join(format!("server-{node}.stderr.log")),
        )?);
        std::thread::spawn(move || {
            use std::io::Write as _;
            for line in lines.map_while(Result::ok) {
                if writeln!(kept, "{line}").is_err() {
                    break;
                }
            }
            let _ = kept.flush();
        });
        Ok(Self {
            pid: child.id(),
            child,
            address,
        })
    }

    fn status_field(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        self.status_field("VmRSS:")
    }

    /// The most resident memory so far, in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.status_field("VmHWM:")
    }

    /// Stops the node (SIGTERM, then waits for it).
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// The sum of a figure over every node, or `None` if any node could not tell.
pub fn total(servers: &[Server], figure: impl Fn(&Server) -> Option<u64>) -> Option<u64> {
    servers.iter().map(figure).sum()
}
