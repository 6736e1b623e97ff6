//! Messages read and verified per second from the local server: posts 512 signed messages to
//! a `TestServer` on loopback, then reads them all back with `messages/since` (pages of 256,
//! each verified as one batch) for a fixed number of rounds. Prints a `perf:` line; stops by
//! itself.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use session_crypto::Identity;
use session_net::DirectTransport;
use session_sogs::{MessageUpdate, RoomToken, Server, SogsClient};
use session_sogs_server::testing::TestServer;

const MESSAGES: usize = 512;
const ROUNDS: usize = 10;

#[tokio::main]
async fn main() {
    let ts = TestServer::builder().rate_limit(None).spawn().await;
    ts.add_room("bench");
    let room = RoomToken::new("bench").unwrap();
    let server = Server::new(&ts.url(), ts.public_key()).unwrap();
    let client = SogsClient::new(server, Arc::new(DirectTransport::new().unwrap()))
        .with_identity(Arc::new(Identity::generate().unwrap()));
    for i in 0..MESSAGES {
        client
            .post_text(
                &room,
                &format!("message {i}: some text of a typical length for a chat"),
            )
            .await
            .unwrap();
    }
    let start = Instant::now();
    let mut verified = 0usize;
    for _ in 0..ROUNDS {
        let mut cursor = 0;
        loop {
            let page = client.messages_since(&room, cursor, 256).await.unwrap();
            if page.is_empty() {
                break;
            }
            for row in &page {
                if let MessageUpdate::Message(m) = row {
                    assert!(m.verified);
                    verified += 1;
                    cursor = cursor.max(m.seqno);
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(verified, MESSAGES * ROUNDS);
    println!(
        "perf: name=session-sogs/messages_read_verified value={:.0} unit=msg/s",
        verified as f64 / secs
    );
    ts.shutdown().await;
}
