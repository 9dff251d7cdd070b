//! `GET /api/v1/events?after=ID`: the WebSocket of the signed-in person.
//!
//! Order matters for "nothing is lost": the socket registers with the hub first, then replays
//! the table from `after`, then forwards live events, skipping any id it already sent.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tokio::time::{Instant, interval};

use askaround_store::EventRecord;

use super::frame;
use crate::auth::Caller;
use crate::auth::csrf::is_cross_site;
use crate::error::ApiError;
use crate::state::AppState;

/// Ping every 20 s; a socket silent for 60 s is dead.
const HEARTBEAT: Duration = Duration::from_secs(20);
const SILENCE: Duration = Duration::from_secs(60);
/// Client frames are small commands; anything larger is refused.
pub const MAX_FRAME: usize = 16 * 1024;
const REPLAY_PAGE: u32 = 500;

pub mod close {
    /// The client sent something that is not a command we understand.
    pub const INVALID: u16 = 1007;
    /// The client sent binary data.
    pub const UNSUPPORTED: u16 = 1003;
    /// The client did not keep up with its events; reconnect and catch up.
    pub const TOO_SLOW: u16 = 4008;
    /// No pong for too long.
    pub const SILENT: u16 = 4000;
}

#[derive(Debug, Deserialize)]
pub struct EventsParams {
    /// The last event id the client saw; events after it are replayed first.
    after: Option<i64>,
}

pub async fn events_socket(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(params): Query<EventsParams>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A page on another site must not open a socket with our cookie.
    if is_cross_site(&headers, state.config.public_url.as_deref()) {
        return ApiError::ForbiddenBecause(
            "cross_site_request",
            "this socket was opened from another site".into(),
        )
        .into_response();
    }
    let after = params.after.unwrap_or(0).max(0);
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| run(socket, state, caller, after))
}

async fn run(mut socket: WebSocket, state: AppState, caller: Caller, after: i64) {
    let (handle, mut queue) = state.hub.connect(caller.person_id);
    metrics::gauge!("askaround_live_sockets").increment(1.0);
    presence_follows_connection(&state, &caller).await;
    let outcome = serve(&mut socket, &state, &caller, after, &mut queue).await;
    state.hub.disconnect(caller.person_id, handle);
    metrics::gauge!("askaround_live_sockets").decrement(1.0);
    presence_follows_connection(&state, &caller).await;
    if let Some((code, reason)) = outcome {
        let _ = socket
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }
}

/// Returns the close code to send, if any (none when the client closed or vanished).
async fn serve(
    socket: &mut WebSocket,
    state: &AppState,
    caller: &Caller,
    after: i64,
    queue: &mut super::hub::EventReceiver,
) -> Option<(u16, &'static str)> {
    let mut last_sent = after;
    loop {
        let page = match state
            .store
            .events_after(caller.org_id, caller.person_id, last_sent, REPLAY_PAGE)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(error = %e, "replaying events failed");
                return Some((1011, "server error"));
            }
        };
        for event in &page {
            if send(socket, event).await.is_err() {
                return None;
            }
            last_sent = event.id;
        }
        if (page.len() as u32) < REPLAY_PAGE {
            break;
        }
    }
    let mut beat = interval(HEARTBEAT);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            event = queue.recv() => match event {
                Some(event) if event.id > last_sent => {
                    if send(socket, &event).await.is_err() {
                        return None;
                    }
                    last_sent = event.id;
                }
                Some(_) => {}
                None => return Some((close::TOO_SLOW, "too slow: reconnect with ?after= to catch up")),
            },
            incoming = socket.recv() => {
                heard = Instant::now();
                match incoming {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return None,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                    Some(Ok(Message::Binary(_))) => return Some((close::UNSUPPORTED, "binary frames are not accepted")),
                    Some(Ok(Message::Text(text))) => match ClientCommand::parse(&text) {
                        Some(ClientCommand::Ping) => {
                            if socket.send(Message::Text("{\"type\":\"pong\"}".into())).await.is_err() {
                                return None;
                            }
                        }
                        None => return Some((close::INVALID, "unknown command")),
                    },
                }
            },
            _ = beat.tick() => {
                if heard.elapsed() > SILENCE {
                    return Some((close::SILENT, "no heartbeat"));
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return None;
                }
            }
        }
    }
}

/// With presence `auto`, having the app open is what makes a person "online" to the matcher.
async fn presence_follows_connection(state: &AppState, caller: &Caller) {
    state
        .routing
        .matchers
        .socket_changed(caller.org_id, caller.person_id)
        .await;
}

async fn send(socket: &mut WebSocket, event: &EventRecord) -> Result<(), axum::Error> {
    socket.send(Message::Text(frame(event).into())).await
}

/// What a client may send.
#[derive(Debug, PartialEq, Eq)]
enum ClientCommand {
    /// `{"type":"ping"}`: an application-level heartbeat for clients that cannot see pongs.
    Ping,
}

impl ClientCommand {
    fn parse(text: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(rename = "type")]
            kind: String,
        }
        let raw: Raw = serde_json::from_str(text).ok()?;
        match raw.kind.as_str() {
            "ping" => Some(ClientCommand::Ping),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_commands_parse() {
        assert_eq!(
            ClientCommand::parse(r#"{"type":"ping"}"#),
            Some(ClientCommand::Ping)
        );
        assert_eq!(ClientCommand::parse(r#"{"type":"rm -rf"}"#), None);
        assert_eq!(ClientCommand::parse("not json"), None);
    }
}
