//! Several nodes: two real `askaround serve` processes on one fresh PostgreSQL database. Live
//! events cross from one node to the other; when one node is killed with SIGKILL in the middle of
//! routing, its clients reconnect to the other with their last event id and catch up, nothing
//! acknowledged is lost or doubled, and the survivor takes over the dead node's timers and jobs.

mod common;
#[path = "../../askaround-postgres/tests/support/mod.rs"]
mod pg_support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt;
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::ids::{AskId, OrgId, PersonId};
use askaround_core::language;
use askaround_core::person::{PersonFields, Role};
use askaround_core::presence::PresenceSetting;
use askaround_core::skill::SkillLevel;
use askaround_core::taxonomy::{Taxonomy, embedded_seed};
use askaround_core::timezone::TimeZoneName;
use askaround_postgres::PgStore;
use askaround_store::{NewOrg, NewPerson, Store};

use common::Server;

const PASSWORD: &str = "a long test password";
const LEARNER: &str = "lea@acme.test";
/// The only one who knows Kubernetes: the helper of the conversation.
const KUBE: &str = "kai@acme.test";
/// Tableau helpers, who never answer: every offer to them runs out and fires its deadline.
const TABLEAU: [&str; 4] = [
    "h0@acme.test",
    "h1@acme.test",
    "h2@acme.test",
    "h3@acme.test",
];
/// Upper bound for anything to happen; a test fails at it, it never waits it out.
const PATIENCE: Duration = Duration::from_secs(120);

/// Per ask: one helper per wave, three waves of 2 s offers, then the board; nobody is snoozed
/// for ignoring offers (every Tableau helper ignores several).
fn routing(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ASKAROUND_DATABASE_URL", url.to_owned()),
        ("ASKAROUND_ROUTING__OFFERS_PER_WAVE", "1".to_owned()),
        ("ASKAROUND_ROUTING__MAX_WAVES", "3".to_owned()),
        ("ASKAROUND_ROUTING__OFFER_LIFETIME__NOW", "2s".to_owned()),
        ("ASKAROUND_ROUTING__SNOOZE_AFTER_IGNORED", "100".to_owned()),
    ]
}

fn start(dir: &std::path::Path, env: &[(&'static str, String)]) -> Server {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Server::start(dir, &[], &env)
}

/// A fresh database with Acme: a learner, Kai (Kubernetes) and four Tableau helpers, all at
/// work around the clock and online.
async fn seed(url: &str) -> OrgId {
    let store = PgStore::connect(url).await.expect("store");
    let now = Timestamp::now();
    let org = store
        .create_org(
            &NewOrg {
                name: "Acme".into(),
                slug: "acme".into(),
            },
            embedded_seed(),
            None,
            now,
        )
        .await
        .expect("org")
        .0;
    let taxonomy = Taxonomy::new(store.skills(org.id).await.expect("skills"));
    let hash = askaround_server::auth::password::hash(PASSWORD.to_owned())
        .await
        .expect("hash");
    let mut people = vec![(LEARNER, "Lea Learner", None), (KUBE, "Kai", Some("k8s"))];
    people.extend(
        TABLEAU
            .iter()
            .map(|e| (*e, "Tableau Helper", Some("tableau"))),
    );
    for (email, name, skill) in people {
        let fields = PersonFields {
            email: Email::parse(email).expect("email"),
            name: name.into(),
            title: None,
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
            password_hash: Some(hash.clone()),
            skills: skill
                .map(|s| vec![(taxonomy.resolve(s).expect("skill").id, SkillLevel::Expert)])
                .unwrap_or_default(),
            ..NewPerson::new(fields)
        };
        let created = store
            .create_person(org.id, &person, now)
            .await
            .expect("person");
        store
            .set_presence(org.id, created.person.id, PresenceSetting::Online, now)
            .await
            .expect("online");
    }
    store.close().await;
    org.id
}

/// A signed-in person: one HTTP client (the session cookie works on every node) and its cookie.
struct Person {
    client: reqwest::Client,
    cookie: String,
}

impl Person {
    async fn sign_in(node: &Server, email: &str) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let response = client
            .post(node.url("/api/v1/session"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 200, "sign-in of {email}");
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .expect("session cookie")
            .to_owned();
        Self { client, cookie }
    }

    async fn post(&self, node: &Server, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(node.url(path))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, node: &Server, path: &str) -> Value {
        self.client
            .get(node.url(path))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    }

    async fn ask(&self, node: &Server, text: &str, skill: &str) -> String {
        let (status, asked) = self
            .post(
                node,
                "/api/v1/asks",
                json!({"text": text, "skills": [skill], "urgency": "now"}),
            )
            .await;
        assert_eq!(status, 201, "{asked}");
        asked["id"].as_str().expect("ask id").to_owned()
    }

    async fn say(&self, node: &Server, conversation: &str, body: &str) -> String {
        let (status, message) = self
            .post(
                node,
                &format!("/api/v1/conversations/{conversation}/messages"),
                json!({ "body": body }),
            )
            .await;
        assert_eq!(status, 201, "{message}");
        message["id"].as_str().expect("message id").to_owned()
    }
}

/// A person's live socket, as the web app keeps it: when the connection drops it reconnects
/// with the last event id it saw.
struct Live {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The node it talks to.
    address: String,
    cookie: String,
    /// Every event received on every connection, in order.
    seen: Vec<Value>,
}

impl Live {
    async fn connect(node: &Server, person: &Person) -> Self {
        Self {
            socket: open(&node.address, &person.cookie, 0).await,
            address: node.address.clone(),
            cookie: person.cookie.clone(),
            seen: Vec::new(),
        }
    }

    fn last_id(&self) -> i64 {
        self.seen.last().and_then(|e| e["id"].as_i64()).unwrap_or(0)
    }

    /// What a client does when its node goes away: reconnects to another with the last id it saw.
    async fn move_to(&mut self, node: &Server) {
        self.address = node.address.clone();
        self.socket = open(&self.address, &self.cookie, self.last_id()).await;
    }

    /// Reads events until `done` holds for what was seen.
    async fn until(&mut self, done: impl Fn(&[Value]) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !done(&self.seen) {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("gave up waiting; saw {:?}", self.kinds()));
            match next {
                Some(Ok(Message::Text(text))) => {
                    let event: Value = serde_json::from_str(&text).expect("json event");
                    if let Some(last) = self.seen.last() {
                        assert!(
                            event["id"].as_i64() > last["id"].as_i64(),
                            "events arrive once and in order: {event} after {last}"
                        );
                    }
                    self.seen.push(event);
                }
                Some(Ok(_)) => {}
                // Closed (say, for not answering pings while the test looked elsewhere).
                Some(Err(_)) | None => {
                    self.socket = open(&self.address, &self.cookie, self.last_id()).await;
                }
            }
        }
    }

    async fn expect(&mut self, kind: &str) -> Value {
        let before = self.seen.len();
        self.until(|seen| seen[before..].iter().any(|e| e["type"] == kind))
            .await;
        self.seen[before..]
            .iter()
            .find(|e| e["type"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("the socket closed before '{kind}'"))
    }

    fn kinds(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect()
    }

    fn ids_of(&self, kind: &str, field: &str) -> Vec<String> {
        self.seen
            .iter()
            .filter(|e| e["type"] == kind)
            .filter_map(|e| pointer(e, field))
            .collect()
    }
}

async fn open(
    address: &str,
    cookie: &str,
    after: i64,
) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let url = format!("ws://{address}/api/v1/events?after={after}");
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("cookie"));
    tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket")
        .0
}

fn pointer(event: &Value, field: &str) -> Option<String> {
    event["data"]
        .pointer(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The learner asks Kai for help and Kai accepts: their conversation's id.
async fn conversation(
    learner: &Person,
    learner_node: &Server,
    learner_live: &mut Live,
    kai: &Person,
    kai_node: &Server,
    kai_live: &mut Live,
) -> String {
    learner
        .ask(learner_node, "Kubernetes pods keep restarting", "k8s")
        .await;
    let offer = kai_live.expect("offer.received").await;
    let offer_id = pointer(&offer, "/offer_id").expect("offer id");
    let (status, accepted) = kai
        .post(
            kai_node,
            &format!("/api/v1/offers/{offer_id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{accepted}");
    let matched = learner_live.expect("ask.matched").await;
    pointer(&matched, "/conversation_id").expect("conversation id")
}

#[test]
fn offers_and_messages_reach_people_live_on_the_other_node() {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = runtime.block_on(pg_support::fresh_database());
    runtime.block_on(seed(&url));
    let env = routing(&url);
    let (a, b) = (start(dir.path(), &env), start(dir.path(), &env));
    runtime.block_on(async {
        let learner = Person::sign_in(&a, LEARNER).await;
        let kai = Person::sign_in(&b, KUBE).await;
        let mut learner_live = Live::connect(&a, &learner).await;
        let mut kai_live = Live::connect(&b, &kai).await;

        // Asked on A, offered live on B; accepted on B, matched live on A.
        let c = conversation(&learner, &a, &mut learner_live, &kai, &b, &mut kai_live).await;

        let from_b = kai.say(&b, &c, "Check the liveness probe first.").await;
        let event = learner_live.expect("message.created").await;
        assert_eq!(pointer(&event, "/message/id"), Some(from_b));
        let from_a = learner.say(&a, &c, "It was the probe, thanks!").await;
        let mut heard = None;
        while heard.is_none() {
            let event = kai_live.expect("message.created").await;
            heard = pointer(&event, "/message/id").filter(|id| *id == from_a);
        }
    });
    a.kill();
    b.kill();
}

#[test]
fn a_node_killed_mid_routing_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = runtime.block_on(pg_support::fresh_database());
    let org = runtime.block_on(seed(&url));
    let env = routing(&url);
    let (a, b) = (start(dir.path(), &env), start(dir.path(), &env));

    let (learner, kai, mut lives, conversation_id, asks, said) = runtime.block_on(async {
        let learner = Person::sign_in(&a, LEARNER).await;
        let kai = Person::sign_in(&b, KUBE).await;
        let mut learner_live = Live::connect(&a, &learner).await;
        let mut kai_live = Live::connect(&b, &kai).await;
        let c = conversation(&learner, &a, &mut learner_live, &kai, &b, &mut kai_live).await;
        // Two Tableau helpers listen on A (they move to B with the learner), two on B.
        let mut lives = vec![learner_live, kai_live];
        for (i, email) in TABLEAU.iter().enumerate() {
            let node = if i < 2 { &a } else { &b };
            let helper = Person::sign_in(node, email).await;
            lives.push(Live::connect(node, &helper).await);
        }
        // Load on both nodes: asks routed in waves, messages both ways, all acknowledged.
        let mut asks = Vec::new();
        let mut said = Vec::new();
        for i in 0..4 {
            let node = if i % 2 == 0 { &a } else { &b };
            asks.push(
                learner
                    .ask(node, &format!("Tableau dashboard question {i}"), "tableau")
                    .await,
            );
            said.push(learner.say(&a, &c, &format!("from A, {i}")).await);
            said.push(kai.say(&b, &c, &format!("from B, {i}")).await);
        }
        (learner, kai, lives, c, asks, said)
    });
    // While A holds the first waves' jobs, or their deadlines, or is answering them.
    a.kill();

    let store = runtime.block_on(async {
        // A's clients (the learner and two helpers) reconnect to B and catch up.
        for live in [0, 2, 3] {
            lives[live].move_to(&b).await;
        }
        // B takes over A's leases: every ask's three deadlines fire, then it waits on the board.
        for ask in &asks {
            let deadline = tokio::time::Instant::now() + PATIENCE;
            loop {
                let view = learner.get(&b, &format!("/api/v1/asks/{ask}")).await;
                if view["status"]["state"] == "open" {
                    assert_eq!(
                        (
                            view["waves_sent"].as_u64(),
                            view["people_interrupted"].as_u64()
                        ),
                        (Some(3), Some(3)),
                        "three waves of one offer each, each deadline fired once: {view}"
                    );
                    assert_eq!(view["pending_offers"], 0, "{view}");
                    break;
                }
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "ask {ask} never reached the board: {view}"
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
        PgStore::connect(&url).await.expect("store")
    });

    runtime.block_on(async {
        let ask_ids: Vec<AskId> = asks.iter().map(|a| a.parse().expect("ask id")).collect();
        // Straight from the database: every acknowledged ask, one offer per helper per ask, all
        // expired; only the board's deadline left per ask, and no matcher job.
        let mut offers_of: HashMap<PersonId, HashSet<String>> = HashMap::new();
        for id in &ask_ids {
            let ask = store.ask(org, *id).await.expect("every acknowledged ask");
            let helpers: HashSet<_> = ask.offers.iter().map(|o| o.helper).collect();
            assert_eq!(
                helpers.len(),
                3,
                "three different helpers: {:?}",
                ask.offers
            );
            assert_eq!(ask.offers.len(), 3, "nobody offered the ask twice");
            assert!(ask.offers.iter().all(|o| o.state.name() == "expired"));
            for offer in &ask.offers {
                offers_of
                    .entry(offer.helper)
                    .or_default()
                    .insert(offer.id.to_string());
            }
        }
        let far = Timestamp::now() + jiff::SignedDuration::from_hours(48);
        let lease = jiff::SignedDuration::from_secs(30);
        let due = store
            .claim_due_timers(far, 100, lease)
            .await
            .expect("timers");
        let board: Vec<AskId> = due
            .iter()
            .map(|t| t.ask_id)
            .filter(|a| ask_ids.contains(a))
            .collect();
        assert_eq!(
            board.len(),
            ask_ids.len(),
            "one board deadline per ask: {due:?}"
        );
        assert!(
            store
                .claim_jobs(far, 10, lease)
                .await
                .expect("jobs")
                .is_empty()
        );

        // Each helper got each of their offers live exactly once, across the kill.
        for (i, email) in TABLEAU.iter().enumerate() {
            let id = person_id(&store, email).await;
            let expected = offers_of.remove(&id).unwrap_or_default();
            let live = &mut lives[2 + i];
            live.until(|seen| {
                let got: HashSet<String> = seen
                    .iter()
                    .filter(|e| e["type"] == "offer.received")
                    .filter_map(|e| pointer(e, "/offer_id"))
                    .collect();
                got.is_superset(&expected)
            })
            .await;
            let received = live.ids_of("offer.received", "/offer_id");
            let distinct: HashSet<String> = received.iter().cloned().collect();
            assert_eq!(
                distinct.len(),
                received.len(),
                "no offer twice: {received:?}"
            );
            assert_eq!(distinct, expected, "{email} got exactly their offers");
        }

        // Every acknowledged message reached both sides once, the learner via B after the kill.
        let wanted: HashSet<String> = said.iter().cloned().collect();
        for live in &mut lives[..2] {
            live.until(|seen| {
                seen.iter()
                    .filter(|e| e["type"] == "message.created")
                    .filter_map(|e| pointer(e, "/message/id"))
                    .collect::<HashSet<_>>()
                    .is_superset(&wanted)
            })
            .await;
            let heard: Vec<String> = live
                .ids_of("message.created", "/message/id")
                .into_iter()
                .filter(|id| wanted.contains(id))
                .collect();
            assert_eq!(heard.len(), wanted.len(), "each message once: {heard:?}");
        }
        let stored = kai
            .get(
                &b,
                &format!("/api/v1/conversations/{conversation_id}/messages?limit=200"),
            )
            .await;
        let stored: Vec<String> = stored["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["id"].as_str().map(str::to_owned))
            .filter(|id| wanted.contains(id))
            .collect();
        assert_eq!(stored.len(), wanted.len(), "each message stored once");
        store.close().await;
    });
    let (status, _, _) = b.stop();
    assert!(status.success());
}

#[test]
fn a_feed_that_lost_its_connection_says_what_may_have_been_missed() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let url = pg_support::fresh_database().await;
        let org = seed(&url).await;
        let store = PgStore::connect(&url).await.expect("store");
        let mut feed = store.changes().await.expect("listen").expect("a feed");
        let mut next = async || {
            tokio::time::timeout(PATIENCE, feed.next())
                .await
                .expect("the feed answers")
                .expect("the feed goes on")
        };
        // What a network cut or a database restart does to the listening connection.
        let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("admin connection");
        let cut: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query ILIKE 'listen%'",
        )
        .fetch_all(&mut admin)
        .await
        .expect("terminate");
        assert_eq!(cut, vec![true], "one listening connection");
        // Back, it cannot know what was announced meanwhile: catch up on events, reload every
        // organisation.
        assert_eq!(next().await, askaround_store::Change::Events);
        assert_eq!(next().await, askaround_store::Change::Org { org });
        // And it goes on announcing.
        let lea = person_id(&store, LEARNER).await;
        store
            .set_presence(org, lea, PresenceSetting::Away, Timestamp::now())
            .await
            .expect("presence");
        assert_eq!(
            next().await,
            askaround_store::Change::Person { org, person: lea }
        );
        // The feed holds one of the pool's connections: closing waits for it.
        drop(feed);
        store.close().await;
    });
}

async fn person_id(store: &PgStore, email: &str) -> PersonId {
    store
        .credentials(&Email::parse(email).expect("email"))
        .await
        .expect("credentials")
        .expect("a person")
        .person_id
}

/// Presence `auto` across nodes: Kai has the app open on B only, so A counts him online; B is
/// killed, and once its heartbeat runs out A counts him offline, without B ever saying so.
#[test]
fn the_people_of_a_killed_node_go_offline_on_the_others() {
    let dir = tempfile::tempdir().expect("dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let url = runtime.block_on(pg_support::fresh_database());
    let org = runtime.block_on(seed(&url));
    runtime.block_on(async {
        let store = PgStore::connect(&url).await.expect("store");
        let kai = person_id(&store, KUBE).await;
        store
            .set_presence(org, kai, PresenceSetting::Auto, Timestamp::now())
            .await
            .expect("auto");
        store.close().await;
    });
    let env = routing(&url);
    let (a, b) = (start(dir.path(), &env), start(dir.path(), &env));
    let (learner, _kai_socket) = runtime.block_on(async {
        let learner = Person::sign_in(&a, LEARNER).await;
        let kai = Person::sign_in(&b, KUBE).await;
        assert_eq!(kai_presence_seen_by(&learner, &a).await, "offline");
        let socket = open(&b.address, &kai.cookie, 0).await;
        eventually_kai_is(&learner, &a, "online").await;
        (learner, socket)
    });
    b.kill();
    runtime.block_on(eventually_kai_is(&learner, &a, "offline"));
    let (status, _, _) = a.stop();
    assert!(status.success());
}

/// Kai's presence among the reasons node `node` gives for him on a Kubernetes question.
async fn kai_presence_seen_by(learner: &Person, node: &Server) -> String {
    let (status, preview) = learner
        .post(
            node,
            "/api/v1/match/preview",
            json!({"text": "pods keep restarting", "skills": ["k8s"]}),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    let summary = preview["candidates"][0]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ["online", "offline"]
        .into_iter()
        .find(|p| summary.split(" · ").any(|reason| reason == *p))
        .unwrap_or("neither")
        .to_owned()
}

async fn eventually_kai_is(learner: &Person, node: &Server, presence: &str) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let seen = kai_presence_seen_by(learner, node).await;
        if seen == presence {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Kai still {seen} on that node, not {presence}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
