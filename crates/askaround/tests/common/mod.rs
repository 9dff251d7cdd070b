//! Runs the real `askaround` binary: one-shot commands, and a server process that can be stopped
//! politely (SIGTERM) or killed (SIGKILL).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

pub fn askaround(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_askaround"))
        .current_dir(dir)
        .args(args)
        .env_remove("ASKAROUND_DATABASE_URL")
        .output()
        .expect("run askaround")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `askaround org create` of Acme with its first admin, root@acme.test, in `dir`'s database;
/// returns the token of the admin's invitation link.
pub fn create_acme(dir: &Path) -> String {
    let out = askaround(
        dir,
        &[
            "org",
            "create",
            "--name",
            "Acme",
            "--admin-email",
            "root@acme.test",
            "--admin-name",
            "Root Admin",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    stdout
        .split("/invite/")
        .nth(1)
        .unwrap_or_else(|| panic!("an invitation link in {stdout}"))
        .trim()
        .to_owned()
}

pub struct Server {
    pub child: Child,
    pub address: String,
    logs: Option<JoinHandle<String>>,
}

impl Server {
    /// Starts `askaround serve --listen 127.0.0.1:0 ARGS` in `dir` and waits until it serves.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_askaround"))
            .current_dir(dir)
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("ASKAROUND_LOG_FORMAT", "json")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Keep draining the log so the server never blocks on (or fails writing to) a full pipe.
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel::<String>();
        let logs = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line.clone());
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let address = rx
            .iter()
            .find(|line| line.contains("askaround is serving"))
            .and_then(|line| serde_json::from_str::<serde_json::Value>(&line).ok())
            .and_then(|value| value["fields"]["address"].as_str().map(str::to_owned))
            .expect("the server logs its address");
        Self {
            child,
            address,
            logs: Some(logs),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// SIGKILL: no chance to clean up, like a power cut for the process.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits up to 20 s; returns the exit status, everything it logged and
    /// everything it printed.
    pub fn stop(mut self) -> (ExitStatus, String, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let mut waited = Duration::ZERO;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                waited < Duration::from_secs(20),
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
            waited += Duration::from_millis(100);
        };
        let logs = self
            .logs
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut stdout, &mut out);
        }
        (status, logs, out)
    }
}
