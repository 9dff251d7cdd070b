//! Conversations, their participants and messages, feedback and reports.

use jiff::Timestamp;
use sqlx::sqlite::SqliteRow;
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use askaround_core::ids::{AskId, ConversationId, MessageId, OrgId, PersonId, SkillId};
use askaround_store::{
    Conversation, EventRecord, FeedbackRecord, HelpSummary, Learned, Message, MessageKind,
    NewEvent, NewFeedback, Participant, ParticipantRole, Report, StoreError, StoreResult,
};

use crate::codec::{corrupt, db_err, get, millis, timestamp, uuid};
use crate::events;

fn role_from(text: &str) -> StoreResult<ParticipantRole> {
    match text {
        "learner" => Ok(ParticipantRole::Learner),
        "helper" => Ok(ParticipantRole::Helper),
        "guest" => Ok(ParticipantRole::Guest),
        other => Err(corrupt("participant role", other)),
    }
}

fn kind_from(text: &str) -> StoreResult<MessageKind> {
    match text {
        "text" => Ok(MessageKind::Text),
        "call" => Ok(MessageKind::Call),
        "slot" => Ok(MessageKind::Slot),
        "system" => Ok(MessageKind::System),
        other => Err(corrupt("message kind", other)),
    }
}

async fn load(
    conn: &mut SqliteConnection,
    org: OrgId,
    row: Option<SqliteRow>,
) -> StoreResult<Conversation> {
    let row = row.ok_or(StoreError::NotFound)?;
    let id: String = get(&row, "id")?;
    let closed: Option<i64> = get(&row, "closed_at")?;
    let people = sqlx::query(
        "SELECT p.person_id, p.role, p.added_at, n.name FROM participants p JOIN people n ON n.id = p.person_id \
         WHERE p.conversation_id = ? ORDER BY p.added_at, p.person_id",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let participants = people
        .iter()
        .map(|p| {
            Ok(Participant {
                person_id: PersonId(uuid(&get::<String>(p, "person_id")?)?),
                name: get(p, "name")?,
                role: role_from(&get::<String>(p, "role")?)?,
                added_at: timestamp(get(p, "added_at")?)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Conversation {
        id: ConversationId(uuid(&id)?),
        org_id: org,
        ask_id: AskId(uuid(&get::<String>(&row, "ask_id")?)?),
        participants,
        created_at: timestamp(get(&row, "created_at")?)?,
        closed_at: closed.map(timestamp).transpose()?,
    })
}

pub async fn by_id(
    conn: &mut SqliteConnection,
    org: OrgId,
    id: ConversationId,
) -> StoreResult<Conversation> {
    let row = sqlx::query(
        "SELECT id, ask_id, created_at, closed_at FROM conversations WHERE id = ? AND org_id = ?",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    load(conn, org, row).await
}

pub async fn of_ask(
    conn: &mut SqliteConnection,
    org: OrgId,
    ask: AskId,
) -> StoreResult<Conversation> {
    let row = sqlx::query("SELECT id, ask_id, created_at, closed_at FROM conversations WHERE ask_id = ? AND org_id = ?")
        .bind(ask.to_string())
        .bind(org.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    load(conn, org, row).await
}

pub async fn of_person(
    conn: &mut SqliteConnection,
    org: OrgId,
    person: PersonId,
    limit: u32,
) -> StoreResult<Vec<Conversation>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM conversations c JOIN participants p ON p.conversation_id = c.id \
         WHERE p.person_id = ? AND c.org_id = ? ORDER BY c.created_at DESC LIMIT ?",
    )
    .bind(person.to_string())
    .bind(org.to_string())
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(by_id(conn, org, ConversationId(uuid(&id)?)).await?);
    }
    Ok(out)
}

fn message_from(row: &SqliteRow) -> StoreResult<Message> {
    let author: Option<String> = get(row, "author_id")?;
    Ok(Message {
        id: MessageId(uuid(&get::<String>(row, "id")?)?),
        conversation_id: ConversationId(uuid(&get::<String>(row, "conversation_id")?)?),
        author_id: author.as_deref().map(uuid).transpose()?.map(PersonId),
        kind: kind_from(&get::<String>(row, "kind")?)?,
        body: get(row, "body")?,
        data: get(row, "data")?,
        created_at: timestamp(get(row, "created_at")?)?,
    })
}

pub async fn messages(
    pool: &SqlitePool,
    org: OrgId,
    conversation: ConversationId,
    before: Option<MessageId>,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    // Message ids are UUIDv7: their text order is their time order.
    let rows = sqlx::query(
        "SELECT id, conversation_id, author_id, kind, body, data, created_at FROM messages \
         WHERE conversation_id = ? AND org_id = ? AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?",
    )
    .bind(conversation.to_string())
    .bind(org.to_string())
    .bind(before.map(|b| b.to_string()))
    .bind(before.map(|b| b.to_string()))
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(message_from).collect()
}

pub async fn message(pool: &SqlitePool, org: OrgId, id: MessageId) -> StoreResult<Message> {
    let row = sqlx::query(
        "SELECT id, conversation_id, author_id, kind, body, data, created_at FROM messages WHERE id = ? AND org_id = ?",
    )
    .bind(id.to_string())
    .bind(org.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    message_from(&row)
}

pub async fn insert_message(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    m: &Message,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, org_id, author_id, kind, body, data, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(m.id.to_string())
    .bind(m.conversation_id.to_string())
    .bind(org.to_string())
    .bind(m.author_id.map(|a| a.to_string()))
    .bind(m.kind.as_str())
    .bind(&m.body)
    .bind(&m.data)
    .bind(millis(m.created_at))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

pub async fn post(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    m: &Message,
    new: &[NewEvent],
) -> StoreResult<Vec<EventRecord>> {
    let open: Option<Option<i64>> =
        sqlx::query_scalar("SELECT closed_at FROM conversations WHERE id = ? AND org_id = ?")
            .bind(m.conversation_id.to_string())
            .bind(org.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
    match open {
        None => return Err(StoreError::NotFound),
        Some(Some(_)) => {
            return Err(StoreError::invalid(
                "conversation_closed",
                "conversation",
                "this conversation is closed",
            ));
        }
        Some(None) => {}
    }
    insert_message(tx, org, m).await?;
    events::append(tx, org, new, m.created_at).await
}

pub async fn add_participant(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    conversation: ConversationId,
    person: PersonId,
    added_by: PersonId,
    message: &Message,
    new: &[NewEvent],
) -> StoreResult<(bool, Vec<EventRecord>)> {
    let now = message.created_at;
    let same_org: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM people WHERE id = ? AND org_id = ? AND active = 1")
            .bind(person.to_string())
            .bind(org.to_string())
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?;
    if same_org.is_none() {
        return Err(StoreError::invalid(
            "unknown_person",
            "person_id",
            "no active colleague with this id",
        ));
    }
    let added = sqlx::query(
        "INSERT OR IGNORE INTO participants (conversation_id, person_id, role, added_by, added_at) \
         SELECT id, ?, 'guest', ?, ? FROM conversations WHERE id = ? AND org_id = ?",
    )
    .bind(person.to_string())
    .bind(added_by.to_string())
    .bind(millis(now))
    .bind(conversation.to_string())
    .bind(org.to_string())
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected()
        > 0;
    if !added {
        return Ok((false, Vec::new()));
    }
    insert_message(tx, org, message).await?;
    Ok((true, events::append(tx, org, new, now).await?))
}

/// Written by the transition that resolves the ask.
pub async fn write_feedback(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    ask: AskId,
    f: &NewFeedback,
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO feedback (ask_id, org_id, learner_id, helper_id, rating, thanks, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ask.to_string())
    .bind(org.to_string())
    .bind(f.learner.to_string())
    .bind(f.helper.to_string())
    .bind(i64::from(f.rating))
    .bind(&f.thanks)
    .bind(millis(now))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    for skill in &f.learned {
        sqlx::query("INSERT OR IGNORE INTO learned_skills (ask_id, skill_id) SELECT ?, id FROM skills WHERE id = ? AND org_id = ?")
            .bind(ask.to_string())
            .bind(skill.to_string())
            .bind(org.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    sqlx::query("UPDATE conversations SET closed_at = ? WHERE ask_id = ? AND closed_at IS NULL")
        .bind(millis(now))
        .bind(ask.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn skill_list(pool: &SqlitePool, sql: &'static str, ask: AskId) -> StoreResult<Vec<SkillId>> {
    let ids: Vec<String> = sqlx::query_scalar(sql)
        .bind(ask.to_string())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    ids.iter().map(|i| Ok(SkillId(uuid(i)?))).collect()
}

pub async fn feedback(
    pool: &SqlitePool,
    org: OrgId,
    ask: AskId,
) -> StoreResult<Option<FeedbackRecord>> {
    let row = sqlx::query("SELECT learner_id, helper_id, rating, thanks, created_at FROM feedback WHERE ask_id = ? AND org_id = ?")
        .bind(ask.to_string())
        .bind(org.to_string())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    let Some(row) = row else { return Ok(None) };
    let rating: i64 = get(&row, "rating")?;
    Ok(Some(FeedbackRecord {
        ask_id: ask,
        learner: PersonId(uuid(&get::<String>(&row, "learner_id")?)?),
        helper: PersonId(uuid(&get::<String>(&row, "helper_id")?)?),
        rating: u8::try_from(rating).map_err(|e| corrupt("rating", e))?,
        thanks: get(&row, "thanks")?,
        learned: skill_list(
            pool,
            "SELECT skill_id FROM learned_skills WHERE ask_id = ? ORDER BY skill_id",
            ask,
        )
        .await?,
        topics: skill_list(
            pool,
            "SELECT skill_id FROM helped_topics WHERE ask_id = ? ORDER BY skill_id",
            ask,
        )
        .await?,
        created_at: timestamp(get(&row, "created_at")?)?,
    }))
}

pub async fn confirm_topics(
    tx: &mut Transaction<'_, Sqlite>,
    org: OrgId,
    ask: AskId,
    topics: &[SkillId],
    now: Timestamp,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM helped_topics WHERE ask_id = ?")
        .bind(ask.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    for skill in topics {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO helped_topics (ask_id, skill_id, confirmed_at) SELECT ?, id, ? FROM skills WHERE id = ? AND org_id = ?",
        )
        .bind(ask.to_string())
        .bind(millis(now))
        .bind(skill.to_string())
        .bind(org.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::invalid(
                "unknown_skill",
                "topics",
                "names a skill that does not exist in this organisation",
            ));
        }
    }
    Ok(())
}

pub async fn report(
    pool: &SqlitePool,
    org: OrgId,
    ask: AskId,
    reporter: PersonId,
    reason: &str,
    now: Timestamp,
) -> StoreResult<Report> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO reports (id, org_id, ask_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&id)
        .bind(org.to_string())
        .bind(ask.to_string())
        .bind(reporter.to_string())
        .bind(reason)
        .bind(millis(now))
        .execute(pool)
        .await
        .map_err(db_err)?;
    Ok(Report {
        id,
        ask_id: ask,
        reporter,
        reason: reason.to_owned(),
        created_at: now,
    })
}

pub async fn reports(pool: &SqlitePool, org: OrgId, limit: u32) -> StoreResult<Vec<Report>> {
    let rows = sqlx::query("SELECT id, ask_id, reporter_id, reason, created_at FROM reports WHERE org_id = ? ORDER BY created_at DESC LIMIT ?")
        .bind(org.to_string())
        .bind(i64::from(limit.clamp(1, 500)))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            Ok(Report {
                id: get(row, "id")?,
                ask_id: AskId(uuid(&get::<String>(row, "ask_id")?)?),
                reporter: PersonId(uuid(&get::<String>(row, "reporter_id")?)?),
                reason: get(row, "reason")?,
                created_at: timestamp(get(row, "created_at")?)?,
            })
        })
        .collect()
}

pub async fn learned_by(
    pool: &SqlitePool,
    org: OrgId,
    learner: PersonId,
    limit: u32,
) -> StoreResult<Vec<Learned>> {
    let rows = sqlx::query(
        "SELECT l.skill_id, l.ask_id, f.helper_id, f.rating, f.created_at FROM learned_skills l \
         JOIN feedback f ON f.ask_id = l.ask_id WHERE f.learner_id = ? AND f.org_id = ? \
         ORDER BY f.created_at DESC LIMIT ?",
    )
    .bind(learner.to_string())
    .bind(org.to_string())
    .bind(i64::from(limit.clamp(1, 500)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|row| {
            let rating: i64 = get(row, "rating")?;
            Ok(Learned {
                skill: SkillId(uuid(&get::<String>(row, "skill_id")?)?),
                ask_id: AskId(uuid(&get::<String>(row, "ask_id")?)?),
                helper: PersonId(uuid(&get::<String>(row, "helper_id")?)?),
                rating: u8::try_from(rating).map_err(|e| corrupt("rating", e))?,
                at: timestamp(get(row, "created_at")?)?,
            })
        })
        .collect()
}

pub async fn help_summary(
    pool: &SqlitePool,
    org: OrgId,
    helper: PersonId,
) -> StoreResult<HelpSummary> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS sessions, COUNT(f.rating) AS rated, AVG(f.rating) AS average FROM asks a \
         LEFT JOIN feedback f ON f.ask_id = a.id WHERE a.helper_id = ? AND a.org_id = ? AND a.state = 'resolved'",
    )
    .bind(helper.to_string())
    .bind(org.to_string())
    .fetch_one(pool)
    .await
    .map_err(db_err)?;
    let count = |column: &str| -> StoreResult<u32> {
        let n: i64 = get(&row, column)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    };
    let skills = sqlx::query(
        "SELECT skill_id, COUNT(*) AS n FROM ( \
           SELECT s.ask_id, s.skill_id FROM ask_skills s JOIN asks a ON a.id = s.ask_id \
             WHERE a.helper_id = ?1 AND a.org_id = ?2 AND a.state = 'resolved' \
           UNION SELECT t.ask_id, t.skill_id FROM helped_topics t JOIN asks a ON a.id = t.ask_id \
             WHERE a.helper_id = ?1 AND a.org_id = ?2 AND a.state = 'resolved') \
         GROUP BY skill_id ORDER BY n DESC, skill_id LIMIT 10",
    )
    .bind(helper.to_string())
    .bind(org.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(HelpSummary {
        sessions: count("sessions")?,
        rated: count("rated")?,
        average_rating: get(&row, "average")?,
        skills: skills
            .iter()
            .map(|r| {
                let n: i64 = get(r, "n")?;
                Ok((
                    SkillId(uuid(&get::<String>(r, "skill_id")?)?),
                    u32::try_from(n).unwrap_or(u32::MAX),
                ))
            })
            .collect::<StoreResult<Vec<_>>>()?,
    })
}
