//! Conversations, their participants and messages.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};
use uuid::Uuid;

use askaround_core::ids::{AskId, ConversationId, MessageId, OrgId, PersonId};
use askaround_store::{
    Conversation, EventRecord, Message, MessageKind, NewEvent, Participant, ParticipantRole,
    StoreError, StoreResult,
};

use crate::codec::{corrupt, db_err, get, millis, timestamp};
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
    conn: &mut PgConnection,
    org: OrgId,
    row: Option<PgRow>,
) -> StoreResult<Conversation> {
    let row = row.ok_or(StoreError::NotFound)?;
    let id: Uuid = get(&row, "id")?;
    let closed: Option<i64> = get(&row, "closed_at")?;
    let people = sqlx::query(
        "SELECT p.person_id, p.role, p.added_at, n.name FROM participants p JOIN people n ON n.id = p.person_id \
         WHERE p.conversation_id = $1 ORDER BY p.added_at, p.person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let participants = people
        .iter()
        .map(|p| {
            Ok(Participant {
                person_id: PersonId(get(p, "person_id")?),
                name: get(p, "name")?,
                role: role_from(&get::<String>(p, "role")?)?,
                added_at: timestamp(get(p, "added_at")?)?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Conversation {
        id: ConversationId(id),
        org_id: org,
        ask_id: AskId(get(&row, "ask_id")?),
        participants,
        created_at: timestamp(get(&row, "created_at")?)?,
        closed_at: closed.map(timestamp).transpose()?,
    })
}

pub async fn by_id(
    conn: &mut PgConnection,
    org: OrgId,
    id: ConversationId,
) -> StoreResult<Conversation> {
    let row = sqlx::query(
        "SELECT id, ask_id, created_at, closed_at FROM conversations WHERE id = $1 AND org_id = $2",
    )
    .bind(id.0)
    .bind(org.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    load(conn, org, row).await
}

pub async fn of_ask(conn: &mut PgConnection, org: OrgId, ask: AskId) -> StoreResult<Conversation> {
    let row = sqlx::query(
        "SELECT id, ask_id, created_at, closed_at FROM conversations WHERE ask_id = $1 AND org_id = $2",
    )
    .bind(ask.0)
    .bind(org.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    load(conn, org, row).await
}

pub async fn of_person(
    conn: &mut PgConnection,
    org: OrgId,
    person: PersonId,
    limit: u32,
) -> StoreResult<Vec<Conversation>> {
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT c.id FROM conversations c JOIN participants p ON p.conversation_id = c.id \
         WHERE p.person_id = $1 AND c.org_id = $2 ORDER BY c.created_at DESC LIMIT $3",
    )
    .bind(person.0)
    .bind(org.0)
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(by_id(conn, org, ConversationId(id)).await?);
    }
    Ok(out)
}

fn message_from(row: &PgRow) -> StoreResult<Message> {
    let author: Option<Uuid> = get(row, "author_id")?;
    Ok(Message {
        id: MessageId(get(row, "id")?),
        conversation_id: ConversationId(get(row, "conversation_id")?),
        author_id: author.map(PersonId),
        kind: kind_from(&get::<String>(row, "kind")?)?,
        body: get(row, "body")?,
        data: get(row, "data")?,
        created_at: timestamp(get(row, "created_at")?)?,
    })
}

pub async fn messages(
    pool: &PgPool,
    org: OrgId,
    conversation: ConversationId,
    before: Option<MessageId>,
    limit: u32,
) -> StoreResult<Vec<Message>> {
    // Message ids are UUIDv7, and uuid order is byte order: their order is their time order.
    let rows = sqlx::query(
        "SELECT id, conversation_id, author_id, kind, body, data, created_at FROM messages \
         WHERE conversation_id = $1 AND org_id = $2 AND ($3::uuid IS NULL OR id < $3) \
         ORDER BY id DESC LIMIT $4",
    )
    .bind(conversation.0)
    .bind(org.0)
    .bind(before.map(|b| b.0))
    .bind(i64::from(limit.clamp(1, 200)))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(message_from).collect()
}

pub async fn message(pool: &PgPool, org: OrgId, id: MessageId) -> StoreResult<Message> {
    let row = sqlx::query(
        "SELECT id, conversation_id, author_id, kind, body, data, created_at FROM messages \
         WHERE id = $1 AND org_id = $2",
    )
    .bind(id.0)
    .bind(org.0)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound)?;
    message_from(&row)
}

async fn insert_message(
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    m: &Message,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, org_id, author_id, kind, body, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(m.id.0)
    .bind(m.conversation_id.0)
    .bind(org.0)
    .bind(m.author_id.map(|a| a.0))
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
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    m: &Message,
    new: &[NewEvent],
) -> StoreResult<Vec<EventRecord>> {
    // FOR SHARE: a message and the feedback that closes the conversation cannot cross; the
    // message either lands before the close or sees it.
    let open: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT closed_at FROM conversations WHERE id = $1 AND org_id = $2 FOR SHARE",
    )
    .bind(m.conversation_id.0)
    .bind(org.0)
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
    tx: &mut Transaction<'_, Postgres>,
    org: OrgId,
    conversation: ConversationId,
    person: PersonId,
    added_by: PersonId,
    message: &Message,
    new: &[NewEvent],
) -> StoreResult<(bool, Vec<EventRecord>)> {
    let now = message.created_at;
    let same_org: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM people WHERE id = $1 AND org_id = $2 AND active)",
    )
    .bind(person.0)
    .bind(org.0)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_err)?;
    if !same_org {
        return Err(StoreError::invalid(
            "unknown_person",
            "person_id",
            "no active colleague with this id",
        ));
    }
    let added = sqlx::query(
        "INSERT INTO participants (conversation_id, person_id, role, added_by, added_at) \
         SELECT id, $1, 'guest', $2, $3 FROM conversations WHERE id = $4 AND org_id = $5 \
         ON CONFLICT DO NOTHING",
    )
    .bind(person.0)
    .bind(added_by.0)
    .bind(millis(now))
    .bind(conversation.0)
    .bind(org.0)
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
