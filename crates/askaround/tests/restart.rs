//! Durable routing: the server is killed with SIGKILL in the middle of routing and started
//! again; routing resumes where it stopped, and no offer is lost, doubled or left dangling.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use common::{Server, askaround, create_acme, text};

/// Offers live 2 s, one helper per wave, up to 3 waves: a kill lands mid-routing.
const ROUTING: &[(&str, &str)] = &[
    ("ASKAROUND_ROUTING__OFFERS_PER_WAVE", "1"),
    ("ASKAROUND_ROUTING__MAX_WAVES", "3"),
    ("ASKAROUND_ROUTING__OFFER_LIFETIME__NOW", "2s"),
];

fn setup(dir: &std::path::Path) -> String {
    let token = create_acme(dir);
    let mut csv = String::from("email,name,working_hours,skills\n");
    for (i, name) in ["Ana", "Ben", "Cy", "Dee"].iter().enumerate() {
        csv.push_str(&format!(
            "h{i}@acme.test,{name},mon-sun 00:00-24:00,Tableau:expert\n"
        ));
    }
    std::fs::write(dir.join("helpers.csv"), csv).expect("csv");
    let out = askaround(dir, &["import", "helpers.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    token
}

async fn ask_state(client: &reqwest::Client, server: &Server, id: &str) -> Value {
    client
        .get(server.url(&format!("/api/v1/asks/{id}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[test]
fn routing_resumes_after_sigkill_without_losing_or_doubling_offers() {
    let dir = tempfile::tempdir().expect("dir");
    let token = setup(dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    let server = Server::start(dir.path(), &[], ROUTING);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let ask_id = runtime.block_on(async {
        let accepted = client
            .post(server.url(&format!("/api/v1/invitations/{token}/accept")))
            .json(&json!({"password": "root's long password"}))
            .send()
            .await
            .expect("accept");
        assert_eq!(accepted.status(), 200);
        let asked: Value = client
            .post(server.url("/api/v1/asks"))
            .json(&json!({"text": "Tableau level-of-detail expressions", "skills": ["tableau"]}))
            .send()
            .await
            .expect("ask")
            .json()
            .await
            .expect("json");
        let id = asked["id"].as_str().expect("id").to_owned();
        // Wait for wave 1 to go out, then kill the process while its offer is pending.
        for _ in 0..50 {
            if ask_state(&client, &server, &id).await["pending_offers"] == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        id
    });
    server.kill();

    // While it is down the first offer's deadline passes.
    std::thread::sleep(Duration::from_secs(3));
    let server = Server::start(dir.path(), &[], ROUTING);
    let view = runtime.block_on(async {
        // Sessions survive the crash too: the same cookie still works.
        let mut view = Value::Null;
        for _ in 0..100 {
            view = ask_state(&client, &server, &ask_id).await;
            if view["status"]["state"] == "open" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        view
    });
    assert_eq!(
        view["status"]["state"], "open",
        "every wave expired, then the board: {view}"
    );
    assert_eq!(view["waves_sent"], 3, "{view}");
    assert_eq!(view["people_interrupted"], 3, "{view}");
    assert_eq!(view["pending_offers"], 0, "no offer left dangling");
    let (status, _, _) = server.stop();
    assert!(status.success());

    // Straight from the database: one offer per helper, none pending, no timer but the board's.
    runtime.block_on(async {
        let url = format!(
            "sqlite://{}",
            dir.path().join("askaround-data/askaround.db").display()
        );
        let store = askaround_sqlite::SqliteStore::connect(&url)
            .await
            .expect("store");
        use askaround_store::Store;
        let org = store.org_by_slug("acme").await.expect("org");
        let ask = store
            .ask(org.id, ask_id.parse().expect("id"))
            .await
            .expect("ask");
        let helpers: HashSet<_> = ask.offers.iter().map(|o| o.helper).collect();
        assert_eq!(
            helpers.len(),
            ask.offers.len(),
            "nobody was offered the ask twice"
        );
        assert!(ask.offers.iter().all(|o| o.state.name() == "expired"));
        let far = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
        let lease = jiff::SignedDuration::from_secs(30);
        let due = store
            .claim_due_timers(far, 100, lease)
            .await
            .expect("timers");
        assert_eq!(due.len(), 1, "only the board deadline remains: {due:?}");
        assert!(
            store
                .claim_jobs(far, 10, lease)
                .await
                .expect("jobs")
                .is_empty()
        );
    });
}

#[test]
fn a_kill_right_after_an_ask_is_acknowledged_still_routes_it() {
    let dir = tempfile::tempdir().expect("dir");
    let token = setup(dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = Server::start(dir.path(), &[], &[]);
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let ask_id = runtime.block_on(async {
        client
            .post(server.url(&format!("/api/v1/invitations/{token}/accept")))
            .json(&json!({"password": "root's long password"}))
            .send()
            .await
            .expect("accept");
        let asked: Value = client
            .post(server.url("/api/v1/asks"))
            .json(&json!({"text": "Tableau table calculations", "skills": ["tableau"]}))
            .send()
            .await
            .expect("ask")
            .json()
            .await
            .expect("json");
        asked["id"].as_str().expect("id").to_owned()
    });
    // The ask was acknowledged; whether its first wave went out yet is a race we do not care
    // about: after the restart it must be out exactly once.
    server.kill();
    let server = Server::start(dir.path(), &[], &[]);
    let view = runtime.block_on(async {
        let mut view = Value::Null;
        // A job the dead process held comes back when its short lease runs out.
        for _ in 0..300 {
            view = ask_state(&client, &server, &ask_id).await;
            if view["pending_offers"] == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        view
    });
    assert_eq!(
        (
            view["waves_sent"].as_u64(),
            view["pending_offers"].as_u64(),
            view["people_interrupted"].as_u64()
        ),
        (Some(1), Some(3), Some(3)),
        "{view}"
    );
    server.kill();
}
