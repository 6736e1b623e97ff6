//! Blinded DMs (spec/sogs-api.md §2.6) and the `derived_dm_blinded_encrypt` payload.

use serde_json::json;
use session_sogs_server::ModScope;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User, b64};
use crate::vectors::{self, Tally};

#[tokio::test]
async fn inbox_outbox_since_and_clear() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let (alice, bob) = (User::new(&server, 1), User::new(&server, 2));
    assert_eq!(c.get_as(&bob, "/inbox").await.json(), json!([]));
    assert_eq!(c.get_as(&bob, "/inbox/since/0").await.status, 304);

    let v = vectors::get(vectors::PYSOGS, "derived_dm_blinded_encrypt");
    let payload = v["expected"]["message_field_base64"].as_str().unwrap();
    let mut tally = Tally::new("pysogs_dm_payload", "vectors-pysogs.json");
    let r = c
        .json_as(
            &alice,
            "POST",
            &format!("/inbox/{}", bob.id()),
            &json!({"message": payload}),
        )
        .await;
    assert_eq!(r.status, 201);
    let sent = r.json();
    let mut k: Vec<&String> = sent.as_object().unwrap().keys().collect();
    k.sort();
    assert_eq!(k, ["expires_at", "id", "posted_at", "recipient", "sender"]);
    assert_eq!(
        (&sent["sender"], &sent["recipient"]),
        (&json!(alice.id()), &json!(bob.id()))
    );
    let lifetime = sent["expires_at"].as_f64().unwrap() - sent["posted_at"].as_f64().unwrap();
    assert!((lifetime - 15.0 * 86_400.0).abs() < 1e-3);

    let inbox = c.get_as(&bob, "/inbox").await.json();
    tally.check(inbox[0]["message"] == payload, || {
        format!("stored {}", inbox[0]["message"])
    });
    tally.finish();
    assert_eq!(inbox[0]["id"], sent["id"]);
    let outbox = c.get_as(&alice, "/outbox").await.json();
    assert_eq!(outbox[0]["message"], payload);
    assert_eq!(c.get_as(&alice, "/inbox").await.json(), json!([]));

    let id = sent["id"].as_i64().unwrap();
    assert_eq!(
        c.get_as(&bob, &format!("/inbox/since/{id}")).await.status,
        304
    );
    assert_eq!(
        c.get_as(&alice, &format!("/outbox/since/{id}"))
            .await
            .status,
        304
    );
    c.json_as(
        &alice,
        "POST",
        &format!("/inbox/{}", bob.id()),
        &json!({"message": b64(b"2")}),
    )
    .await;
    let newer = c.get_as(&bob, &format!("/inbox/since/{id}")).await.json();
    assert_eq!(newer.as_array().unwrap().len(), 1);
    assert_eq!(
        c.get_as(&bob, "/inbox?limit=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let r = c.delete_as(&bob, "/inbox").await;
    assert_eq!(r.json(), json!({"deleted": 2}));
    assert_eq!(c.get_as(&bob, "/inbox").await.json(), json!([]));
    assert_eq!(
        c.get_as(&alice, "/outbox")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn dms_to_unknown_or_banned_users_are_404_and_expire() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    let (alice, bob, eve) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    let msg = json!({"message": b64(b"hello")});
    let to = |u: &User| format!("/inbox/{}", u.id());
    assert_eq!(
        c.json_as(&alice, "POST", &to(&bob), &msg).await.status,
        404,
        "never seen"
    );
    c.get_as(&bob, "/inbox").await;
    c.get_as(&eve, "/inbox").await;
    server.ban(eve.id(), &ModScope::Global, None);
    assert_eq!(
        c.json_as(&alice, "POST", &to(&eve), &msg).await.status,
        404,
        "banned"
    );
    assert_eq!(
        c.json_as(&alice, "POST", &to(&bob), &json!({}))
            .await
            .status,
        400
    );
    assert_eq!(c.json_as(&alice, "POST", &to(&bob), &msg).await.status, 201);
    // 05 recipients are not routable.
    let r = c
        .json_as(
            &alice,
            "POST",
            &format!("/inbox/{}", bob.session_id()),
            &msg,
        )
        .await;
    assert_eq!(r.status, 404);
    // Anonymous senders: 401.
    let r = c
        .send(None, "POST", &to(&bob), serde_json::to_vec(&msg).unwrap())
        .await;
    assert_eq!(r.status, 401);
    // After 15 days the message is gone.
    server.advance_clock(15.0 * 86_400.0 + 60.0);
    server.run_maintenance();
    server.advance_clock(-(15.0 * 86_400.0 + 60.0));
    assert_eq!(c.get_as(&bob, "/inbox").await.json(), json!([]));
}
