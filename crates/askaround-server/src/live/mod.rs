//! Live events: every user-visible change is appended to the events table and pushed to the
//! recipient's open sockets. A client that reconnects sends the last id it saw and gets what it
//! missed from the table, so a dropped connection or a restart loses nothing.

mod hub;
mod socket;

pub use hub::Hub;
pub use socket::events_socket;

use jiff::Timestamp;

use askaround_core::ids::OrgId;
use askaround_store::{EventRecord, NewEvent, Store, StoreResult};

/// The wire form of an event: `{"id": 7, "type": "offer.received", "at": "…", "data": {…}}`.
/// `data` is stored already serialised and is spliced in as is.
pub fn frame(event: &EventRecord) -> String {
    let kind = serde_json::to_string(&event.kind).unwrap_or_else(|_| "\"unknown\"".to_owned());
    format!(
        "{{\"id\":{},\"type\":{kind},\"at\":\"{}\",\"data\":{}}}",
        event.id, event.at, event.data
    )
}

/// Records events and pushes them to whoever is connected on this node.
pub async fn publish(
    store: &dyn Store,
    hub: &Hub,
    org: OrgId,
    events: &[NewEvent],
) -> StoreResult<Vec<EventRecord>> {
    let records = store.append_events(org, events, Timestamp::now()).await?;
    hub.deliver(&records);
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use askaround_core::ids::PersonId;

    #[test]
    fn frames_splice_the_stored_json() {
        let event = EventRecord {
            id: 7,
            org_id: OrgId::generate(),
            person_id: PersonId::generate(),
            kind: "offer.received".into(),
            data: r#"{"ask":"x"}"#.into(),
            at: Timestamp::from_second(0).unwrap(),
        };
        let value: serde_json::Value = serde_json::from_str(&frame(&event)).unwrap();
        assert_eq!(value["id"], 7);
        assert_eq!(value["type"], "offer.received");
        assert_eq!(value["at"], "1970-01-01T00:00:00Z");
        assert_eq!(value["data"]["ask"], "x");
    }
}
