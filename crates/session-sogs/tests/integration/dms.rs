//! Blinded DMs between two identities.

use session_crypto::BlindedId;
use session_sogs::{Error, VisibleMessage};

use crate::common::*;

#[tokio::test]
async fn direct_messages_between_two_identities() {
    let ts = server().await;
    let (alice, bob) = (user(&ts), user(&ts));
    let bob_id: BlindedId = *bob.account_id().await.unwrap().as_blinded().unwrap();
    // The server knows only users who have authenticated; Bob checks his empty inbox first.
    assert!(bob.inbox().await.unwrap().is_empty());

    let sent = alice
        .send_dm(&bob_id, &VisibleMessage::text("hi bob").into_content())
        .await
        .unwrap();
    assert_eq!(sent.recipient, bob_id.to_string());
    assert!(sent.message.is_none());

    let inbox = bob.inbox().await.unwrap();
    assert_eq!(inbox.len(), 1);
    let dm = &inbox[0];
    assert_eq!(dm.text(), Some("hi bob"));
    assert!(dm.verified);
    assert_eq!(
        dm.sender_session_id,
        Some(alice.identity().unwrap().session_id())
    );
    assert_eq!(dm.sender, alice.account_id().await.unwrap());

    // Alice reads her own copy from the outbox.
    let outbox = alice.outbox().await.unwrap();
    assert_eq!(outbox[0].text(), Some("hi bob"));
    assert_eq!(alice.outbox_since(outbox[0].id).await.unwrap().len(), 0);

    // Nothing newer: 304, an empty list.
    assert!(bob.inbox_since(dm.id).await.unwrap().is_empty());
    alice
        .send_dm(&bob_id, &VisibleMessage::text("again").into_content())
        .await
        .unwrap();
    let newer = bob.inbox_since(dm.id).await.unwrap();
    assert_eq!(
        newer.iter().map(|d| d.text().unwrap()).collect::<Vec<_>>(),
        ["again"]
    );

    assert_eq!(bob.clear_inbox().await.unwrap().deleted, 2);
    assert!(bob.inbox().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dm_to_an_unknown_user_is_not_found() {
    let ts = server().await;
    let alice = user(&ts);
    let stranger = session_crypto::Identity::generate()
        .unwrap()
        .blind15(&ts.public_key())
        .id();
    let e = alice
        .send_dm(&stranger, &VisibleMessage::text("hello?").into_content())
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e}");
}
