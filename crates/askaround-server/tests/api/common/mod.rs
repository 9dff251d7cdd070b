//! A real askaround server on a random port with its own database, and actors to drive it: a
//! learner and a helper (members), an admin, and an outsider from another organisation.
//!
//! The same tests run on both backends ([`Backend::chosen`]): a fresh SQLite file, or a fresh
//! PostgreSQL database on the server named by `POSTGRES_TEST_URL`.

pub mod live;
// The PostgreSQL crate's own test support: a fresh database per test, cleaned up afterwards.
#[path = "../../../../askaround-postgres/tests/support/mod.rs"]
mod pg_support;

use std::sync::Arc;

use jiff::Timestamp;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::language;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::embedded_seed;
use askaround_core::timezone::TimeZoneName;
use askaround_postgres::PgStore;
use askaround_server::ServerConfig;
use askaround_sqlite::SqliteStore;
use askaround_store::{NewOrg, NewPerson, Store};

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    shutdown: Option<oneshot::Sender<()>>,
    /// Where the database is, for [`TestApp::another_node`] (PostgreSQL only).
    #[allow(dead_code, reason = "read by another_node only")]
    database_url: Option<String>,
    _dir: tempfile::TempDir,
}

/// Which database the test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `ASKAROUND_TEST_BACKEND=sqlite|postgres` decides; without it the `api_postgres` test
    /// target runs on PostgreSQL and every other on SQLite. (Test targets share these modules and
    /// cannot pass them anything else, hence the executable's name.)
    pub fn chosen() -> Self {
        match std::env::var("ASKAROUND_TEST_BACKEND").as_deref() {
            Ok("postgres") => return Backend::Postgres,
            Ok("sqlite") => return Backend::Sqlite,
            _ => {}
        }
        let on_postgres = std::env::current_exe().ok().is_some_and(|exe| {
            exe.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("api_postgres"))
        });
        if on_postgres {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// A fresh, migrated store (`dir` holds SQLite's file), and the PostgreSQL database's URL.
    pub async fn fresh_store(self, dir: &std::path::Path) -> (Arc<dyn Store>, Option<String>) {
        match self {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.join("askaround.db").display());
                let store = SqliteStore::connect(&url).await.expect("store");
                (Arc::new(store), None)
            }
            Backend::Postgres => {
                let url = pg_support::fresh_database().await;
                let store = PgStore::connect(&url).await.expect("store");
                (Arc::new(store), Some(url))
            }
        }
    }
}

pub const ADMIN: &str = "ada.admin@acme.test";
pub const LEARNER: &str = "lea.learner@acme.test";
pub const HELPER: &str = "hal.helper@acme.test";
pub const OUTSIDER: &str = "otto.outsider@globex.test";

impl TestApp {
    pub async fn start() -> Self {
        Self::start_with(ServerConfig::default()).await
    }

    pub async fn start_with(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (store, database_url) = Backend::chosen().fresh_store(dir.path()).await;
        let hash = askaround_server::auth::password::hash(PASSWORD.to_owned())
            .await
            .expect("hash");
        seed_org(
            &store,
            "Acme",
            &[
                (ADMIN, "Ada Admin", Role::Admin),
                (LEARNER, "Lea Learner", Role::Member),
                (HELPER, "Hal Helper", Role::Member),
            ],
            &hash,
        )
        .await;
        seed_org(
            &store,
            "Globex",
            &[(OUTSIDER, "Otto Outsider", Role::Admin)],
            &hash,
        )
        .await;
        Self::serve(store, database_url, config, dir).await
    }

    /// A second server on this one's PostgreSQL database, with its own connections and memory:
    /// another node, as far as it can tell.
    #[allow(dead_code, reason = "only the api_postgres target runs several nodes")]
    pub async fn another_node(&self) -> Self {
        let url = self
            .database_url
            .clone()
            .expect("several nodes need PostgreSQL (the api_postgres target)");
        let store: Arc<dyn Store> = Arc::new(PgStore::connect(&url).await.expect("store"));
        let dir = tempfile::tempdir().expect("temp dir");
        Self::serve(store, Some(url), ServerConfig::default(), dir).await
    }

    async fn serve(
        store: Arc<dyn Store>,
        database_url: Option<String>,
        config: ServerConfig,
        dir: tempfile::TempDir,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = oneshot::channel::<()>();
        let server_store = store.clone();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            askaround_server::serve(server_store, config, listener, shutdown)
                .await
                .expect("server");
        });
        Self {
            base,
            store,
            shutdown: Some(tx),
            database_url,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client with its own cookie jar, signed in as nobody.
    pub fn anonymous(&self) -> Actor {
        Actor {
            session: None,
            client: Client::builder()
                .cookie_store(true)
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    pub async fn signed_in(&self, email: &str) -> Actor {
        let mut actor = self.anonymous();
        let response = actor
            .post(
                "/api/v1/session",
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "sign-in of {email}");
        actor.session = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .map(str::to_owned);
        actor
    }

    /// Adds a colleague who is always at work and online, with these skills, and signs them in.
    pub async fn helper(&self, email: &str, name: &str, skills: &[&str]) -> Actor {
        let org = self.store.org_by_slug("acme").await.expect("acme");
        let taxonomy = askaround_core::taxonomy::Taxonomy::new(
            self.store.skills(org.id).await.expect("skills"),
        );
        let hash = askaround_server::auth::password::hash(PASSWORD.to_owned())
            .await
            .expect("hash");
        let fields = PersonFields {
            email: Email::parse(email).expect("email"),
            name: name.into(),
            title: Some("Analyst".into()),
            team: Some("Data".into()),
            location: Some("Lisbon".into()),
            timezone: TimeZoneName::parse("Europe/Lisbon").expect("tz"),
            working_hours: WorkingHours::parse("mon-sun 00:00-24:00").expect("hours"),
            languages: language::parse_list("en").expect("lang"),
            bio: None,
            weekly_budget: 200,
            role: Role::Member,
            active: true,
        };
        let person = NewPerson {
            password_hash: Some(hash),
            skills: skills
                .iter()
                .map(|s| {
                    (
                        taxonomy.resolve(s).expect("skill").id,
                        askaround_core::skill::SkillLevel::Expert,
                    )
                })
                .collect(),
            ..NewPerson::new(fields)
        };
        self.store
            .create_person(org.id, &person, Timestamp::now())
            .await
            .expect("helper");
        // Going online through the app is what tells the server's matcher about them, as it
        // would be for someone invited and signed in; the server never saw the row written.
        let actor = self.signed_in(email).await;
        let response = actor
            .put("/api/v1/me/presence", json!({"status": "online"}))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{email} goes online");
        actor
    }

    pub async fn id_of(&self, email: &str) -> String {
        let email = Email::parse(email).expect("email");
        self.store
            .credentials(&email)
            .await
            .expect("creds")
            .expect("exists")
            .person_id
            .to_string()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

async fn seed_org(store: &Arc<dyn Store>, name: &str, people: &[(&str, &str, Role)], hash: &str) {
    let now = Timestamp::now();
    let new_org = NewOrg {
        name: name.into(),
        slug: name.to_lowercase(),
    };
    let org = store
        .create_org(&new_org, embedded_seed(), None, now)
        .await
        .expect("org")
        .0;
    for (email, person_name, role) in people {
        let fields = PersonFields {
            email: Email::parse(email).expect("email"),
            name: (*person_name).into(),
            title: None,
            team: Some("Finance".into()),
            location: Some("Lisbon".into()),
            timezone: TimeZoneName::parse("Europe/Lisbon").expect("tz"),
            working_hours: WorkingHours::office(),
            languages: language::parse_list("en").expect("lang"),
            bio: None,
            weekly_budget: 5,
            role: *role,
            active: true,
        };
        let person = NewPerson {
            password_hash: Some(hash.to_owned()),
            ..NewPerson::new(fields)
        };
        store
            .create_person(org.id, &person, now)
            .await
            .expect("person");
    }
}

pub struct Actor {
    pub client: Client,
    pub base: String,
    /// The session cookie, for opening a WebSocket with it.
    pub session: Option<String>,
}

impl Actor {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.client
            .put(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.client
            .patch(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_csv(&self, path: &str, csv: String) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("request")
    }
}

/// Status and JSON body of a response.
pub async fn json_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    let value =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, value)
}

/// Asserts the documented error shape and returns (code, field).
pub fn error_parts(body: &Value) -> (String, Option<String>) {
    let error = &body["error"];
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without message: {body}"
    );
    (
        error["code"].as_str().expect("code").to_owned(),
        error["field"].as_str().map(str::to_owned),
    )
}
