//! Shared set-up: a server with a room, clients with fresh identities.

use std::sync::Arc;

use session_crypto::Identity;
use session_net::DirectTransport;
use session_sogs::poller::Event;
use session_sogs::{Poller, RoomToken, Server, SogsClient};
use session_sogs_server::testing::TestServer;

/// A server with an open room `lobby` and no post rate limit.
pub async fn server() -> TestServer {
    let s = TestServer::builder().rate_limit(None).spawn().await;
    s.add_room("lobby");
    s
}

pub fn lobby() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

pub fn sogs_server(ts: &TestServer) -> Server {
    Server::new(&ts.url(), ts.public_key()).unwrap()
}

/// A client with a fresh identity.
pub fn user(ts: &TestServer) -> SogsClient {
    anonymous(ts).with_identity(Arc::new(Identity::generate().unwrap()))
}

/// A client without identity.
pub fn anonymous(ts: &TestServer) -> SogsClient {
    SogsClient::new(sogs_server(ts), Arc::new(DirectTransport::new().unwrap()))
}

/// The id the server sees for a client.
pub async fn id_of(client: &SogsClient) -> String {
    client.account_id().await.unwrap().to_string()
}

/// One poll through the client, sans-I/O style.
pub async fn tick(client: &SogsClient, poller: &mut Poller) -> Vec<Event> {
    let request = poller.poll().unwrap();
    let answer = client.batch(request.batch()).await;
    poller.handle(request, &client.context(), answer)
}

/// A short label per event, for exact assertions.
pub fn labels(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::MessageNew { message, .. } => format!("new {}", message.text().unwrap_or("?")),
            Event::MessageEdited { message, .. } => {
                format!("edited {}", message.text().unwrap_or("?"))
            }
            Event::MessageDeleted { id, .. } => format!("deleted {id}"),
            Event::ReactionsChanged { id, reactions, .. } => {
                format!(
                    "reactions {id} {:?}",
                    reactions
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.count))
                        .collect::<Vec<_>>()
                )
            }
            Event::RoomInfoChanged { info, .. } => format!("info {}", info.info_updates),
            Event::PinsChanged { pinned, .. } => {
                format!("pins {:?}", pinned.iter().map(|p| p.id).collect::<Vec<_>>())
            }
            Event::DirectMessage(d) => format!("dm {}", d.text().unwrap_or("?")),
            Event::DirectMessageSent(d) => format!("dm sent {}", d.text().unwrap_or("?")),
            Event::MalformedRow { reason, .. } => format!("malformed {reason}"),
            Event::Error { error, .. } => format!("error {error}"),
            _ => "other".to_owned(),
        })
        .collect()
}
