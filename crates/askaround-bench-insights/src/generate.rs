//! The generated organisation: deterministic (seeded), a year of asks ending on [`end_date`].
//! Rows are written with plain SQL in large transactions; the store's own writes would take
//! hours for a million asks, and the insights only read the projected columns.

use anyhow::Context;
use jiff::Timestamp;
use jiff::civil::{Date, date};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

use askaround_core::email::Email;
use askaround_core::hours::WorkingHours;
use askaround_core::language;
use askaround_core::person::{PersonFields, Role};
use askaround_core::taxonomy::embedded_seed;
use askaround_core::timezone::TimeZoneName;
use askaround_sqlite::SqliteStore;
use askaround_store::{NewOrg, NewPerson, Store};

const TEAMS: u32 = 40;
const LOCATIONS: u32 = 25;
/// Skills people hold and ask about (the most common part of the taxonomy).
const SKILLS: usize = 400;
const DAY_MS: i64 = 86_400_000;

pub fn end_date() -> Date {
    date(2026, 11, 22)
}

fn ms(d: Date) -> i64 {
    d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(0, |z| z.timestamp().as_millisecond())
}

pub async fn organisation(
    store: &SqliteStore,
    path: &str,
    people: u32,
    asks: u32,
) -> anyhow::Result<()> {
    let start = ms(end_date()) - 365 * DAY_MS;
    let launched = Timestamp::from_millisecond(start)?;
    let admin = NewPerson::new(PersonFields {
        email: Email::parse("admin@bench.test").map_err(|e| anyhow::anyhow!("{e}"))?,
        name: "Bench Admin".into(),
        title: None,
        team: Some("Team 00".into()),
        location: Some("Office 00".into()),
        timezone: TimeZoneName::parse("Europe/Lisbon").map_err(|e| anyhow::anyhow!("{e}"))?,
        working_hours: WorkingHours::office(),
        languages: language::parse_list("en").map_err(|e| anyhow::anyhow!("{e}"))?,
        bio: None,
        weekly_budget: 5,
        role: Role::Admin,
        active: true,
    });
    let (org, admin) = store
        .create_org(
            &NewOrg {
                name: "Bench".into(),
                slug: "bench".into(),
            },
            embedded_seed(),
            Some(&admin),
            launched,
        )
        .await?;
    let admin = admin.context("admin")?.person.id.to_string();
    let org = org.id.to_string();

    let options: SqliteConnectOptions = format!("sqlite://{path}").parse()?;
    let mut db = SqliteConnection::connect_with(&options).await?;
    let skills: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM skills WHERE org_id = ? ORDER BY popularity DESC, id LIMIT ?",
    )
    .bind(&org)
    .bind(i64::try_from(SKILLS)?)
    .fetch_all(&mut db)
    .await?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);

    // People: 40 teams, 25 offices, three skills each, 2% no longer active.
    let mut ids = Vec::with_capacity(usize::try_from(people)?);
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); skills.len()];
    let mut tx = db.begin().await?;
    for i in 0..people {
        let id = Uuid::now_v7().to_string();
        let name = format!("Person {i:06}");
        sqlx::query(
            "INSERT INTO people (id, org_id, email, name, name_key, team, location, timezone, \
             working_hours, languages, weekly_budget, role, active, created_at, updated_at) \
             SELECT ?, org_id, ?, ?, ?, ?, ?, timezone, working_hours, languages, 5, 'member', ?, \
             created_at, updated_at FROM people WHERE id = ?",
        )
        .bind(&id)
        .bind(format!("p{i}@bench.test"))
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(format!("Team {:02}", i % TEAMS))
        .bind(format!("Office {:02}", (i / 7) % LOCATIONS))
        .bind(i64::from(rng.random_range(0..50) != 0))
        .bind(&admin)
        .execute(&mut *tx)
        .await?;
        for _ in 0..3 {
            let s = skewed(&mut rng, skills.len());
            let added = sqlx::query(
                "INSERT OR IGNORE INTO person_skills (person_id, skill_id, level) VALUES (?, ?, 'expert')",
            )
            .bind(&id)
            .bind(&skills[s])
            .execute(&mut *tx)
            .await?;
            if added.rows_affected() == 1 {
                holders[s].push(ids.len());
            }
        }
        ids.push(id);
    }
    tx.commit().await?;
    eprintln!("{people} people");

    // Asks over the year. 78% are taken (mostly by a holder of the skill), 70% of those closed
    // with feedback; 15% reach the board, half of those are claimed there.
    let mut tx = db.begin().await?;
    for n in 0..asks {
        let id = Uuid::now_v7().to_string();
        let asker = &ids[rng.random_range(0..ids.len())];
        let created = start + rng.random_range(0..365 * DAY_MS);
        let skill = skewed(&mut rng, skills.len());
        let board = rng.random_range(0..100) < 15;
        let taken = if board {
            rng.random_bool(0.5)
        } else {
            rng.random_range(0..100) < 92
        };
        let interrupted: i64 = if board {
            rng.random_range(0..13)
        } else {
            rng.random_range(1..7)
        };
        let helper = taken.then(|| {
            let pool = &holders[skill];
            if pool.is_empty() || rng.random_range(0..10) == 0 {
                ids[rng.random_range(0..ids.len())].clone()
            } else {
                ids[pool[rng.random_range(0..pool.len())]].clone()
            }
        });
        let matched = helper.as_ref().map(|_| {
            created + rng.random_range(20_000..if board { 86_400_000 } else { 1_800_000 })
        });
        let resolved = matched.filter(|_| rng.random_range(0..10) < 7);
        let closed = resolved
            .map(|m| m + rng.random_range(600_000..172_800_000))
            .or_else(|| (!taken && board).then(|| created + 86_400_000));
        let state = match (resolved, matched, board) {
            (Some(_), _, _) => "resolved",
            (None, Some(_), _) => "matched",
            (None, None, true) => "expired",
            (None, None, false) => "cancelled",
        };
        sqlx::query(
            "INSERT INTO asks (id, org_id, asker_id, state, helper_id, urgency, mode, text, version, \
             record, waves_sent, people_interrupted, created_at, updated_at, matched_at, closed_at, \
             went_to_board) VALUES (?, ?, ?, ?, ?, 'now', 'chat', 'generated', 1, '{}', 1, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&org)
        .bind(asker)
        .bind(state)
        .bind(&helper)
        .bind(interrupted)
        .bind(created)
        .bind(closed.or(matched).unwrap_or(created))
        .bind(matched)
        .bind(closed)
        .bind(i64::from(board))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO ask_skills (ask_id, skill_id) VALUES (?, ?)")
            .bind(&id)
            .bind(&skills[skill])
            .execute(&mut *tx)
            .await?;
        for wave in 0..interrupted {
            let to = &ids[rng.random_range(0..ids.len())];
            sqlx::query(
                "INSERT INTO offers (id, org_id, ask_id, helper_id, asker_id, wave, state, sent_at, expires_at) \
                 VALUES (?, ?, ?, ?, ?, ?, 'declined', ?, ?)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(&org)
            .bind(&id)
            .bind(to)
            .bind(asker)
            .bind(wave / 3 + 1)
            .bind(created + wave * 1000)
            .bind(created + 120_000)
            .execute(&mut *tx)
            .await?;
        }
        if let (Some(at), Some(helper)) = (resolved, &helper) {
            let rating = [5, 5, 5, 4, 4, 4, 3, 2, 1, 5][rng.random_range(0..10)];
            sqlx::query(
                "INSERT INTO feedback (ask_id, org_id, learner_id, helper_id, rating, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&org)
            .bind(asker)
            .bind(helper)
            .bind(rating)
            .bind(closed.unwrap_or(at))
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO learned_skills (ask_id, skill_id) VALUES (?, ?)")
                .bind(&id)
                .bind(&skills[skill])
                .execute(&mut *tx)
                .await?;
        }
        if n % 100_000 == 99_999 {
            tx.commit().await?;
            tx = db.begin().await?;
            eprintln!("{} asks", n + 1);
        }
    }
    tx.commit().await?;
    // The rollup the triggers keep as asks are matched; generated asks were inserted matched.
    sqlx::query(
        "INSERT OR IGNORE INTO insights_skill_helpers (org_id, skill_id, helper_id, first_at) \
         SELECT a.org_id, s.skill_id, a.helper_id, min(a.matched_at) \
         FROM asks a JOIN ask_skills s ON s.ask_id = a.id \
         WHERE a.helper_id IS NOT NULL AND a.matched_at IS NOT NULL \
         GROUP BY a.org_id, s.skill_id, a.helper_id",
    )
    .execute(&mut db)
    .await?;
    // What each person had done by when (migration 0006): the insert trigger kept the first ask;
    // the connections are backfilled here as the migration does, for the same reason.
    for statement in PEOPLE_ROLLUP {
        sqlx::query(statement).execute(&mut db).await?;
    }
    sqlx::query("ANALYZE").execute(&mut db).await?;
    db.close().await?;
    Ok(())
}

/// The connection times on `people`, as migration 0006 backfills them.
const PEOPLE_ROLLUP: [&str; 3] = [
    "UPDATE people SET first_learned_at = f.t FROM ( \
       SELECT asker_id AS p, min(matched_at) AS t FROM asks \
       WHERE matched_at IS NOT NULL GROUP BY asker_id \
     ) AS f WHERE f.p = people.id",
    "UPDATE people SET first_helped_at = f.t FROM ( \
       SELECT helper_id AS p, min(matched_at) AS t FROM asks \
       WHERE matched_at IS NOT NULL AND helper_id IS NOT NULL GROUP BY helper_id \
     ) AS f WHERE f.p = people.id",
    "UPDATE people SET first_connected_at = f.first, second_connected_at = f.second FROM ( \
       SELECT p, min(t) FILTER (WHERE n = 1) AS first, min(t) FILTER (WHERE n = 2) AS second \
       FROM ( \
         SELECT p, t, row_number() OVER (PARTITION BY p ORDER BY t) AS n FROM ( \
           SELECT asker_id AS p, matched_at AS t FROM asks WHERE matched_at IS NOT NULL \
           UNION ALL SELECT helper_id, matched_at FROM asks \
           WHERE matched_at IS NOT NULL AND helper_id IS NOT NULL \
         ) AS events \
       ) AS ranked WHERE n <= 2 GROUP BY p \
     ) AS f WHERE f.p = people.id",
];

/// A skill index where the first skills are asked and held far more often (roughly Zipf).
fn skewed(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let x: f64 = rng.random();
    let i = (n as f64).powf(x) - 1.0;
    (i as usize).min(n - 1)
}
