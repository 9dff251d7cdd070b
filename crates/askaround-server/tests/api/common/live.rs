//! A WebSocket client for the live events of one signed-in person.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::Actor;

pub struct Live {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Every event seen, in order.
    pub seen: Vec<Value>,
}

impl Live {
    pub async fn connect(actor: &Actor, after: i64) -> Self {
        let url = format!(
            "{}/api/v1/events?after={after}",
            actor.base.replace("http://", "ws://")
        );
        let mut request = url.into_client_request().expect("request");
        let cookie = actor.session.clone().expect("a signed-in actor");
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie header"));
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket");
        Self {
            socket,
            seen: Vec::new(),
        }
    }

    /// Waits for the next event of `kind` (others are recorded and skipped).
    pub async fn expect(&mut self, kind: &str) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let next = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| {
                    panic!("no '{kind}' event within 10 s; saw {:?}", self.kinds())
                });
            match next {
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).expect("json event");
                    self.seen.push(value.clone());
                    if value["type"] == kind {
                        return value;
                    }
                }
                Some(Ok(Message::Close(frame))) => {
                    panic!("closed while waiting for {kind}: {frame:?}")
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => panic!("socket error while waiting for {kind}: {e}"),
                None => panic!("socket ended while waiting for {kind}"),
            }
        }
    }

    pub fn kinds(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter_map(|e| e["type"].as_str().map(str::to_owned))
            .collect()
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    /// The close code the server ends the socket with.
    pub async fn close_code(&mut self) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => {}
                _ => return None,
            }
        }
    }
}
