//! The signed-in WebSocket clients. Each reads its frames; an offer frame is reported with the
//! instant it arrived, keyed by the ask's marker so latency can be measured end to end.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Result;
use futures_util::{StreamExt, stream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use askaround_core::ids::PersonId;

/// Sockets being opened at once.
const CONNECT_CONCURRENCY: usize = 128;

pub struct Sockets {
    open: Arc<AtomicUsize>,
    pub offers: tokio::sync::Mutex<mpsc::UnboundedReceiver<(u64, Instant)>>,
}

impl Sockets {
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }
}

/// This run's tag in the asks' markers, so that offers for asks of an earlier run on the same
/// database (later waves, expiries) are not taken for this run's asks of the same number.
fn run_tag() -> u32 {
    static TAG: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *TAG.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        (nanos ^ std::process::id().rotate_left(16)) | 0x8000_0000
    })
}

/// The marker that starts the text of this run's ask number `n`: `[lt-<run>-<n>]`.
pub fn tagged(n: u64) -> String {
    format!("[lt-{}-{n}]", run_tag())
}

/// The number in an ask's text marker, if the ask is this run's.
pub fn marker(text: &str) -> Option<u64> {
    let (tag, n) = text
        .strip_prefix("[lt-")?
        .split(']')
        .next()?
        .split_once('-')?;
    (tag.parse::<u32>().ok()? == run_tag())
        .then(|| n.parse().ok())
        .flatten()
}

/// Opens a socket per session, spread over `addresses` round robin.
pub async fn connect_all(addresses: &[String], sessions: &[(PersonId, String)]) -> Result<Sockets> {
    let open = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::unbounded_channel();
    let urls: Vec<String> = addresses
        .iter()
        .map(|a| format!("ws://{a}/api/v1/events"))
        .collect();
    let results: Vec<Result<()>> = stream::iter(sessions.iter().cloned().enumerate())
        .map(|(i, (_, token))| {
            let url = urls[i % urls.len().max(1)].clone();
            let (open, tx) = (open.clone(), tx.clone());
            async move {
                let mut request = url.into_client_request()?;
                request
                    .headers_mut()
                    .insert("cookie", format!("askaround_session={token}").parse()?);
                let (socket, _) = tokio_tungstenite::connect_async(request).await?;
                open.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(read(socket, open, tx));
                Ok(())
            }
        })
        .buffer_unordered(CONNECT_CONCURRENCY)
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    if failed > 0 {
        eprintln!("{failed} sockets failed to connect");
    }
    Ok(Sockets {
        open,
        offers: tokio::sync::Mutex::new(rx),
    })
}

async fn read(
    mut socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    open: Arc<AtomicUsize>,
    tx: mpsc::UnboundedSender<(u64, Instant)>,
) {
    while let Some(Ok(frame)) = socket.next().await {
        if let Message::Text(text) = frame {
            let arrived = Instant::now();
            // Cheap check before parsing: most frames are not offers.
            if !text.contains("\"offer.received\"") {
                continue;
            }
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if let Some(n) = value["data"]["ask"]["text"].as_str().and_then(marker) {
                let _ = tx.send((n, arrived));
            }
        }
    }
    open.fetch_sub(1, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::{marker, tagged};

    #[test]
    fn markers_are_read_from_the_start_of_the_text() {
        assert_eq!(
            marker(&format!("{} How do I use Excel?", tagged(42))),
            Some(42)
        );
        assert_eq!(marker("How do I use Excel?"), None);
    }

    #[test]
    fn another_runs_asks_are_not_this_runs() {
        assert_eq!(marker("[lt-1-42] How do I use Excel?"), None);
        assert_eq!(marker("[lt-42] How do I use Excel?"), None);
    }
}
