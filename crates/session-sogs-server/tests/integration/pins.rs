//! Pinned messages (spec/sogs-api.md §2.3, §2.10): admin only, ordered by pin time, every
//! change bumps `info_updates`.

use serde_json::json;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User};

#[tokio::test]
async fn admins_pin_and_unpin_and_info_updates_follow() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (admin, moder, alice) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_admin("lobby", admin.id());
    server.add_moderator("lobby", moder.id());
    let m1 = c.post_text(&alice, "lobby", "one").await.json()["id"]
        .as_i64()
        .unwrap();
    let m2 = c.post_text(&alice, "lobby", "two").await.json()["id"]
        .as_i64()
        .unwrap();
    let info = |c: Client| async move { c.get("/room/lobby").await.json() };
    let base = info(c.clone()).await["info_updates"].as_i64().unwrap();

    let pin = |who: &User, what: String| {
        let (c, who) = (c.clone(), who.clone());
        async move {
            c.json_as(&who, "POST", &format!("/room/lobby/{what}"), &json!({}))
                .await
        }
    };
    assert_eq!(
        pin(&moder, format!("pin/{m1}")).await.status,
        403,
        "moderators cannot pin"
    );
    assert_eq!(pin(&admin, "pin/99".into()).await.status, 404);
    let r = pin(&admin, format!("pin/{m1}")).await;
    assert_eq!(r.json(), json!({"info_updates": base + 1}));
    pin(&admin, format!("pin/{m2}")).await;
    let pins = info(c.clone()).await["pinned_messages"].clone();
    assert_eq!(pins[0]["id"], m1);
    assert_eq!(pins[1]["id"], m2);
    assert_eq!(pins[0]["pinned_by"], admin.id());
    // Re-pinning moves it last and counts as a change.
    let r = pin(&admin, format!("pin/{m1}")).await;
    assert_eq!(r.json(), json!({"info_updates": base + 3}));
    let pins = info(c.clone()).await["pinned_messages"].clone();
    assert_eq!(
        (pins[0]["id"].as_i64(), pins[1]["id"].as_i64()),
        (Some(m2), Some(m1))
    );

    let r = pin(&admin, format!("unpin/{m2}")).await;
    assert_eq!(
        r.json(),
        json!({"unpinned": true, "info_updates": base + 4})
    );
    let r = pin(&admin, format!("unpin/{m2}")).await;
    assert_eq!(
        r.json(),
        json!({"unpinned": false, "info_updates": base + 4})
    );
    pin(&admin, format!("pin/{m2}")).await;
    let r = pin(&admin, "unpin/all".into()).await;
    assert_eq!(r.json(), json!({"unpinned": 2, "info_updates": base + 7}));
    assert!(info(c.clone()).await.get("pinned_messages").is_none());
}

#[tokio::test]
async fn deleting_a_pinned_message_unpins_it() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let admin = User::new(&server, 1);
    server.add_admin("lobby", admin.id());
    let m = c.post_text(&admin, "lobby", "pinned").await.json()["id"]
        .as_i64()
        .unwrap();
    c.json_as(&admin, "POST", &format!("/room/lobby/pin/{m}"), &json!({}))
        .await;
    let before = c.get("/room/lobby").await.json()["info_updates"]
        .as_i64()
        .unwrap();
    c.delete_as(&admin, &format!("/room/lobby/message/{m}"))
        .await;
    let after = c.get("/room/lobby").await.json();
    assert!(after.get("pinned_messages").is_none());
    assert_eq!(after["info_updates"], before + 1);
    // Whispers cannot be pinned.
    let mut w = admin.post_body("w");
    w["whisper_mods"] = json!(true);
    let wid = c
        .json_as(&admin, "POST", "/room/lobby/message", &w)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = c
        .json_as(
            &admin,
            "POST",
            &format!("/room/lobby/pin/{wid}"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 404);
}
