//! Issue 7 §4: the key cases of the SOGS test suite over onion requests through the local
//! network to session-sogs-server's `/oxen/v4/lsrpc`, with both ciphers. The SOGS client is
//! unchanged: it only gets an `OnionTransport` instead of a direct one.

use std::sync::Arc;

use session_crypto::{AccountId, BlindedId, Identity, SigningMode};
use session_net::onion::EncType;
use session_net::{OnionTransport, Transport};
use session_sogs::{Error, RoomToken, Server, SogsClient, VisibleMessage};
use session_sogs_server::testing::TestServer;
use session_testnet::{Target, Testnet};

use crate::common::client;

fn lobby() -> RoomToken {
    RoomToken::new("lobby").unwrap()
}

async fn sogs_key_cases_over_onion(enc: EncType) {
    let testnet = Testnet::start().await.unwrap();
    let ts = TestServer::builder().rate_limit(None).spawn().await;
    ts.add_room("lobby");
    ts.add_room("annex");
    let transport = OnionTransport::new(client(&testnet, enc));
    let onion: Arc<dyn Transport> = Arc::new(transport.clone());
    let server = Server::new(&ts.url(), ts.public_key()).unwrap();
    let user = || {
        SogsClient::new(server.clone(), onion.clone())
            .with_identity(Arc::new(Identity::generate().unwrap()))
    };
    let (alice, bob) = (user(), user());
    let anonymous = SogsClient::new(server.clone(), onion.clone());
    let room = lobby();

    // Capabilities pick blind15 on the reference configuration.
    assert_eq!(alice.signing_mode().await.unwrap(), SigningMode::Blind15);
    let caps = alice.cached_capabilities().unwrap();
    assert!(caps.has("blind") && caps.has("reactions"));

    // Rooms and room info.
    let rooms = anonymous.rooms().await.unwrap();
    assert_eq!(
        rooms.iter().map(|r| r.token.as_str()).collect::<Vec<_>>(),
        ["annex", "lobby"]
    );
    let info = anonymous.room(&room).await.unwrap();
    assert_eq!(
        (info.token.as_str(), info.read, info.write),
        ("lobby", true, true)
    );

    // Post and read back, signatures verified.
    let me = alice.account_id().await.unwrap();
    assert_eq!(
        me,
        AccountId::from(alice.identity().unwrap().blind15(&ts.public_key()).id())
    );
    let first = alice.post_text(&room, "one").await.unwrap();
    let second = alice
        .post_text(&room, "two, through three snodes")
        .await
        .unwrap();
    assert!(first.verified && second.verified);
    assert_eq!(second.sender, me);
    let recent = anonymous.recent_messages(&room, 10).await.unwrap();
    assert_eq!(
        recent.iter().map(|m| m.text().unwrap()).collect::<Vec<_>>(),
        ["two, through three snodes", "one"]
    );
    assert!(recent.iter().all(|m| m.verified));

    // React.
    let added = bob.react(&room, first.id, "🧅").await.unwrap();
    assert!(added.added);
    alice.react(&room, first.id, "🧅").await.unwrap();
    let reactors = anonymous.reactors(&room, first.id, "🧅").await.unwrap();
    assert_eq!(reactors.len(), 2);
    let read = alice.message(&room, first.id).await.unwrap();
    assert_eq!(read.reactions["🧅"].count, 2);
    assert!(read.reactions["🧅"].you);

    // Blinded DM.
    let bob_id: BlindedId = *bob.account_id().await.unwrap().as_blinded().unwrap();
    assert!(bob.inbox().await.unwrap().is_empty());
    alice
        .send_dm(&bob_id, &VisibleMessage::text("psst").into_content())
        .await
        .unwrap();
    let inbox = bob.inbox().await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].text(), Some("psst"));
    assert!(inbox[0].verified);
    assert_eq!(
        inbox[0].sender_session_id,
        Some(alice.identity().unwrap().session_id())
    );

    // A file of 200 kB each way (larger than any other body here).
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = alice
        .upload(&room, data.clone(), Some("big.bin"))
        .await
        .unwrap();
    assert_eq!(alice.download(&room, file.id).await.unwrap().data, data);

    // Server errors come back as the server's, not as path errors.
    let missing = anonymous
        .room(&RoomToken::new("nope").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");

    // Every one of those requests went through the onion: a last hop proxied it.
    let proxied = testnet.stats(Target::All).unwrap().proxied;
    assert!(proxied >= 16, "{proxied}");
    let path = transport.last_path().unwrap();
    assert_eq!(path.hops.len(), 3);
    ts.shutdown().await;
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sogs_key_cases_pass_over_onion_with_xchacha20() {
    sogs_key_cases_over_onion(EncType::XChaCha20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sogs_key_cases_pass_over_onion_with_aes_gcm() {
    sogs_key_cases_over_onion(EncType::AesGcm).await;
}
