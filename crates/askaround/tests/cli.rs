//! The real binary, as a newcomer or an operator runs it.

mod common;

use std::fmt::Write as _;

use common::{Server, askaround, create_acme, text};

/// A realistic HR export: `rows` people, some with skills and goals, a few time zones.
fn people_csv(rows: usize) -> String {
    let zones = ["Europe/Lisbon", "America/New_York", "Asia/Kolkata", ""];
    let skills = [
        "Excel:expert; SQL",
        "k8s:intermediate",
        "",
        "pivot tables; Python:beginner",
    ];
    let mut csv = String::from(
        "email,name,team,location,timezone,working_hours,languages,weekly_budget,skills,goals\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            csv,
            "person{i}@acme.test,Person {i},Team {},City {},{},mon-fri 09:00-17:00,en,{},\"{}\",{}",
            i % 40,
            i % 13,
            zones[i % zones.len()],
            i % 10,
            skills[i % skills.len()],
            if i % 3 == 0 { "Tableau" } else { "" }
        );
    }
    csv
}

#[test]
fn importing_fifty_thousand_people_then_again_updates_instead_of_duplicating() {
    let dir = tempfile::tempdir().expect("dir");
    create_acme(dir.path());
    let file = dir.path().join("people.csv");
    std::fs::write(&file, people_csv(50_000)).expect("write csv");

    let out = askaround(dir.path(), &["import", "people.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("50000 of 50000 rows imported into Acme: 50000 people added, 0 updated"),
        "{}",
        text(&out.stdout)
    );

    let out = askaround(dir.path(), &["import", "people.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 people added, 50000 updated"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_bad_row_is_named_by_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().expect("dir");
    create_acme(dir.path());
    let mut csv = people_csv(20);
    // Line 17 of the file is the 16th person (line 1 is the header).
    csv = csv.replace("person15@acme.test", "bob@");
    csv = csv.replace(
        "person2@acme.test,Person 2,Team 2,City 2,Asia/Kolkata",
        "person2@acme.test,Person 2,Team 2,City 2,Mars/Base",
    );
    std::fs::write(dir.path().join("bad.csv"), &csv).expect("write");

    let out = askaround(dir.path(), &["import", "bad.csv"]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 4: timezone 'Mars/Base' is not an IANA time zone"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 17: email 'bob@' is not a valid address"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 of 20 rows have problems, so nothing was imported"),
        "{stderr}"
    );

    let dry = askaround(
        dir.path(),
        &["import", "--dry-run", "--skip-invalid", "bad.csv"],
    );
    assert!(dry.status.success());
    assert!(
        text(&dry.stdout).contains("20 rows checked; 2 would be skipped; nothing was written"),
        "{}",
        text(&dry.stdout)
    );

    let out = askaround(dir.path(), &["import", "--skip-invalid", "bad.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("skipped line 17: email 'bob@' is not a valid address"));
    assert!(
        text(&out.stdout).contains(
            "18 of 20 rows imported into Acme: 18 people added, 0 updated, 2 rows skipped"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_missing_file_or_bad_flag_is_a_clear_message() {
    let dir = tempfile::tempdir().expect("dir");
    create_acme(dir.path());
    let out = askaround(dir.path(), &["import", "nope.csv"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("opening nope.csv"),
        "{}",
        text(&out.stderr)
    );
    let out = askaround(dir.path(), &["demo", "--people", "1000000"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("must be from 2 to 100000"),
        "{}",
        text(&out.stderr)
    );
}

/// The README's first command: serve the demo organisation, sign in with what it prints, stop
/// cleanly on SIGTERM.
#[test]
fn serve_demo_prints_credentials_that_work_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let server = Server::start(
        dir.path(),
        &[
            "--demo",
            "--people",
            "40",
            "--demo-password",
            "a demo password",
        ],
        &[],
    );
    assert!(
        dir.path().join("askaround-data/askaround.db").exists(),
        "data lives in ./askaround-data"
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
        let signed_in = client
            .post(server.url("/api/v1/session"))
            .json(&serde_json::json!({"email": "maria.santos@northwind.example", "password": "a demo password"}))
            .send()
            .await
            .expect("sign in");
        assert_eq!(signed_in.status(), 200);
        let people: serde_json::Value = client
            .get(server.url("/api/v1/people?limit=100&include_inactive=true"))
            .send()
            .await
            .expect("people")
            .json()
            .await
            .expect("json");
        assert_eq!(people["items"].as_array().map(Vec::len), Some(40));
    });
    let (status, logs, stdout) = server.stop();
    assert!(
        status.success(),
        "graceful shutdown exits 0 ({status}); logs:\n{logs}"
    );
    assert!(
        logs.contains("shutting down") && logs.contains("stopped"),
        "{logs}"
    );
    assert!(
        stdout.contains("maria.santos@northwind.example") && stdout.contains("a demo password"),
        "{stdout}"
    );
}

/// `askaround import` run while a server is up writes behind the server's back: the server's
/// matcher still learns of the new people soon after: the import bumps the organisation's
/// version, and the index in memory is rebuilt in the background while the old one serves.
#[test]
fn people_imported_by_another_process_while_serving_are_matched() {
    let dir = tempfile::tempdir().expect("dir");
    let token = create_acme(dir.path());
    let server = Server::start(dir.path(), &[], &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let relevant = |client: &reqwest::Client| {
        let request = client
            .post(server.url("/api/v1/match/preview"))
            .json(&serde_json::json!({"text": "zyxquasar telemetry pipelines"}));
        async move {
            let response = request.send().await.expect("preview");
            assert_eq!(response.status(), 200);
            let preview: serde_json::Value = response.json().await.expect("json");
            preview["gates"]["relevant"]
                .as_u64()
                .expect("relevant count")
        }
    };
    runtime.block_on(async {
        let accepted = client
            .post(server.url(&format!("/api/v1/invitations/{token}/accept")))
            .json(&serde_json::json!({"password": "root's long password"}))
            .send()
            .await
            .expect("accept");
        assert_eq!(accepted.status(), 200);
        // The server's index exists now and nobody in it knows the word.
        assert_eq!(relevant(&client).await, 0);
    });

    std::fs::write(
        dir.path().join("quinn.csv"),
        "email,name,working_hours,bio\nquinn@acme.test,Quinn,mon-sun 00:00-24:00,Runs our zyxquasar telemetry pipelines\n",
    )
    .expect("csv");
    let out = askaround(dir.path(), &["import", "quinn.csv"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    runtime.block_on(async {
        // The first ranking after the import may still use the old index while the new one is
        // built; the deadline only keeps a broken build from hanging the test.
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
        while relevant(&client).await != 1 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the person imported by another process never reached the server's index"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    let (status, logs, _) = server.stop();
    assert!(status.success(), "{logs}");
}
