//! A 1:1 message stored in and retrieved from the recipient's swarm through onion requests,
//! built and opened with session-schema (network.md §5.2).

use base64::Engine as _;
use session_net::onion::EncType;
use session_schema::VisibleMessage;
use session_testnet::Testnet;

use crate::common::{client, identity};

const TTL: u64 = 14 * 24 * 3600 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_goes_through_the_swarm_and_only_a_valid_signature_is_shown() {
    let testnet = Testnet::start().await.unwrap();
    let (alice, bob) = (identity(1), identity(2));
    let sender = client(&testnet, EncType::XChaCha20);
    let receiver = client(&testnet, EncType::AesGcm);
    let b64 = base64::engine::general_purpose::STANDARD;

    let now = sender.clock().now_ms();
    let content = VisibleMessage::text("hi bob").timestamp(now).into_content();
    let data = session_schema::wrap(&alice, &bob.session_id(), &content, now).unwrap();
    let account = bob.session_id().to_bytes();
    let stored = sender
        .store(&account, 0, &b64.decode(&data).unwrap(), TTL)
        .await
        .unwrap();
    assert_eq!(stored.stored_by.len(), 4, "replicated to the whole swarm");

    // A forgery: a sealed box for bob claiming alice's key with a signature by someone else.
    let mallory = identity(3);
    let padded = session_crypto::padding::pad(
        VisibleMessage::text("send money")
            .timestamp(now)
            .into_content()
            .as_bytes(),
    );
    let mut inner = padded.clone();
    inner.extend_from_slice(alice.ed25519_public_key());
    let mut signed = inner.clone();
    signed.extend_from_slice(bob.x25519_public_key());
    inner.extend_from_slice(&mallory.sign(&signed));
    let sealed = session_crypto::sealed_box::seal(&inner, bob.x25519_public_key()).unwrap();
    let forged = session_schema::frame(sealed, now);
    sender
        .store(&account, 0, &b64.decode(&forged).unwrap(), TTL)
        .await
        .unwrap();

    let got = receiver.retrieve(&bob, 0, None).await.unwrap();
    assert_eq!(got.messages.len(), 2);
    let first = session_schema::unwrap(&bob, &b64.encode(&got.messages[0].data)).unwrap();
    assert_eq!(first.sender, alice.session_id());
    assert_eq!(first.content.text(), Some("hi bob"));
    assert!(first.timestamps_agree());
    assert!(
        session_schema::unwrap(&bob, &b64.encode(&got.messages[1].data)).is_err(),
        "a forged signature must not be shown as a message"
    );
    // Resuming after the last hash returns nothing new.
    let last = got.messages.last().map(|m| m.hash.clone());
    let rest = receiver.retrieve(&bob, 0, last.as_deref()).await.unwrap();
    assert!(rest.messages.is_empty());
    testnet.shutdown().await;
}
