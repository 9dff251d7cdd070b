//! Settings, layered: built-in defaults → a TOML file → `ASKAROUND_*` environment → flags.
//! `askaround default-config` prints the file with every setting and its default.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use askaround_core::asks::RoutingPolicy;
use askaround_server::ServerConfig;

pub const DEFAULT_FILE: &str = "askaround.toml";

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on.
    pub listen: String,
    /// `sqlite://path/to/file.db` (embedded, the default) or, later, `postgres://...`.
    pub database_url: String,
    /// The address people use, e.g. `https://askaround.example.com` (sets Secure cookies).
    pub public_url: Option<String>,
    pub session_ttl_hours: u64,
    pub invitation_ttl_hours: u64,
    pub login_failures_per_email: u32,
    pub login_attempts_per_ip: u32,
    pub login_window_minutes: u64,
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: String,
    /// A tracing filter, e.g. `info` or `askaround=debug,info`.
    pub log_level: String,
    /// Asks one person may create per hour.
    pub asks_per_hour: u32,
    /// Offers per wave, waves, how long offers and open asks last, auto-snooze.
    pub routing: RoutingPolicy,
}

impl Default for Config {
    fn default() -> Self {
        let server = ServerConfig::default();
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            database_url: "sqlite://askaround-data/askaround.db".to_owned(),
            public_url: None,
            session_ttl_hours: server.session_ttl.as_secs() / 3600,
            invitation_ttl_hours: server.invitation_ttl.as_secs() / 3600,
            login_failures_per_email: server.login_failures_per_email,
            login_attempts_per_ip: server.login_attempts_per_ip,
            login_window_minutes: server.login_window.as_secs() / 60,
            trust_proxy: false,
            log_format: "pretty".to_owned(),
            log_level: "info".to_owned(),
            asks_per_hour: server.asks_per_hour,
            routing: server.routing,
        }
    }
}

/// Keeps credentials in a database URL out of logs and `Debug` output.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("public_url", &self.public_url)
            .field("log_format", &self.log_format)
            .finish_non_exhaustive()
    }
}

pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Flags that override everything else (only those given).
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(path) => {
            if !path.exists() {
                anyhow::bail!("config file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file(path));
        }
        None if Path::new(DEFAULT_FILE).exists() => {
            figment = figment.merge(Toml::file(DEFAULT_FILE))
        }
        None => {}
    }
    figment
        // Variables that belong to a flag of one command, not to the configuration.
        .merge(
            Env::prefixed("ASKAROUND_")
                .ignore(&["config", "demo_password"])
                // Nested settings: ASKAROUND_ROUTING__MAX_WAVES=3.
                .split("__"),
        )
        .merge(Serialized::defaults(overrides))
        .extract::<Config>()
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))
        .and_then(|config| {
            config
                .routing
                .validate()
                .map_err(|e| anyhow::anyhow!("configuration: routing.{e}"))?;
            Ok(config)
        })
}

impl Config {
    pub fn server(&self) -> ServerConfig {
        ServerConfig {
            public_url: self.public_url.clone().filter(|u| !u.is_empty()),
            session_ttl: Duration::from_secs(self.session_ttl_hours.max(1) * 3600),
            invitation_ttl: Duration::from_secs(self.invitation_ttl_hours.max(1) * 3600),
            login_failures_per_email: self.login_failures_per_email.max(1),
            login_attempts_per_ip: self.login_attempts_per_ip.max(1),
            login_window: Duration::from_secs(self.login_window_minutes.max(1) * 60),
            trust_proxy: self.trust_proxy,
            routing: self.routing.clone(),
            asks_per_hour: self.asks_per_hour.max(1),
        }
    }

    /// For a SQLite file, makes sure its folder exists.
    pub fn prepare_database_dir(&self) -> Result<()> {
        if let Some(path) = sqlite_path(&self.database_url)
            && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(())
    }
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

pub fn default_file_text() -> Result<String> {
    let body = toml::to_string_pretty(&Config::default())
        .context("rendering the default configuration")?;
    Ok(format!(
        "# askaround configuration. Every setting can also be set as ASKAROUND_<NAME> in the\n\
         # environment (e.g. ASKAROUND_LISTEN=0.0.0.0:8080), and flags override both.\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@db:5432/x"),
            "postgres://***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://a.db"), "sqlite://a.db");
    }

    #[test]
    fn sqlite_paths_are_found() {
        assert_eq!(
            sqlite_path("sqlite://askaround-data/a.db?mode=rwc"),
            Some(PathBuf::from("askaround-data/a.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
    }

    #[test]
    fn the_default_file_parses_back() {
        let text = default_file_text().unwrap();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed.listen, Config::default().listen);
    }
}
