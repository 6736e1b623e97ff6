//! 1:1 messages through the facade, over onion requests to the recipients' swarms of a local
//! Session network (`session-testnet`): sent, received once with the verified sender, a forged
//! signature refused, the inbox cursor resumed.

use std::sync::Arc;

use base64::Engine as _;
use session_client::{Client, Error, Identity, SnodeNetwork, VisibleMessage};
use session_testnet::Testnet;

fn client(testnet: &Testnet, seed: u8) -> Client {
    let network = SnodeNetwork::new(testnet.network_config()).unwrap();
    Client::builder()
        .identity(Identity::from_seed(&[seed; 16]).unwrap())
        .network(Arc::new(network))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_reaches_the_recipient_once_with_its_verified_sender() {
    let testnet = Testnet::start().await.unwrap();
    let (alice, bob) = (client(&testnet, 1), client(&testnet, 2));
    let bob_id = bob.identity().unwrap().session_id();
    let alice_id = alice.identity().unwrap().session_id();

    let sent = alice
        .direct_messages()
        .unwrap()
        .send_text(&bob_id, "hi bob")
        .await
        .unwrap();
    assert_eq!(sent.stored_by, 4, "stored by the whole swarm");
    assert!(sent.hash.is_some());

    let inbox = bob.direct_messages().unwrap();
    let got = inbox.receive().await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(Some(&got[0].hash), sent.hash.as_ref());
    let message = got[0].message.as_ref().unwrap();
    assert_eq!(message.sender, alice_id);
    assert_eq!(message.content.text(), Some("hi bob"));
    assert_eq!(message.content.timestamp(), Some(sent.timestamp));
    assert!(message.timestamps_agree());

    // Nothing twice; a later message arrives alone; a saved cursor resumes exactly there.
    assert!(inbox.receive().await.unwrap().is_empty());
    let cursor = inbox.last_hash();
    alice
        .direct_messages()
        .unwrap()
        .send(&bob_id, VisibleMessage::text("second"))
        .await
        .unwrap();
    let restarted = bob.direct_messages().unwrap();
    restarted.resume_after(cursor);
    let later = restarted.receive().await.unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(
        later[0].message.as_ref().unwrap().content.text(),
        Some("second")
    );
    // From the start, a fresh inbox sees both.
    assert_eq!(
        bob.direct_messages()
            .unwrap()
            .receive()
            .await
            .unwrap()
            .len(),
        2
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_direct_message_is_reported_refused_never_shown() {
    let testnet = Testnet::start().await.unwrap();
    let bob = client(&testnet, 2);
    let bob_id = bob.identity().unwrap().session_id();
    let alice = Identity::from_seed(&[1; 16]).unwrap();
    let mallory = Identity::from_seed(&[3; 16]).unwrap();

    // A sealed box for bob that claims alice's key, signed by mallory.
    let now = 1_700_000_000_000;
    let padded = session_crypto::padding::pad(
        VisibleMessage::text("send money")
            .timestamp(now)
            .into_content()
            .as_bytes(),
    );
    let mut inner = padded;
    inner.extend_from_slice(alice.ed25519_public_key());
    let mut signed = inner.clone();
    signed.extend_from_slice(bob_id.x25519_public_key());
    inner.extend_from_slice(&mallory.sign(&signed));
    let sealed = session_crypto::sealed_box::seal(&inner, bob_id.x25519_public_key()).unwrap();
    let forged = base64::engine::general_purpose::STANDARD
        .decode(session_schema::frame(sealed, now))
        .unwrap();
    let network = SnodeNetwork::new(testnet.network_config()).unwrap();
    network
        .store(&bob_id.to_bytes(), 0, &forged, session_client::DM_TTL_MS)
        .await
        .unwrap();

    let got = bob.direct_messages().unwrap().receive().await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        matches!(
            got[0].message,
            Err(session_schema::Error::Crypto(
                session_crypto::Error::BadSignature
            ))
        ),
        "{:?}",
        got[0].message
    );
    testnet.shutdown().await;
}

#[test]
fn direct_messages_need_an_identity_and_a_network() {
    let anonymous = Client::builder().build().unwrap();
    assert!(matches!(
        anonymous.direct_messages(),
        Err(Error::NotConfigured("identity"))
    ));
    let offline = Client::builder()
        .identity(Identity::from_seed(&[1; 16]).unwrap())
        .build()
        .unwrap();
    assert!(matches!(
        offline.direct_messages(),
        Err(Error::NotConfigured("network"))
    ));
}
