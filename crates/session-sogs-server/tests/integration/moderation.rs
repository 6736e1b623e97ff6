//! Moderation (spec/sogs-api.md §2.2 permissions, §2.5): moderators and admins, room and
//! global bans with timeouts, permission overrides and scheduled changes.

use serde_json::{Value, json};
use session_sogs_server::ModScope;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User};

async fn call(
    c: &Client,
    who: &User,
    action: &str,
    target: &User,
    body: Value,
) -> crate::client::Resp {
    c.json_as(
        who,
        "POST",
        &format!("/user/{}/{action}", target.id()),
        &body,
    )
    .await
}

#[tokio::test]
async fn room_bans_block_posting_and_reading_until_lifted() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (moder, eve) = (User::new(&server, 1), User::new(&server, 2));
    server.add_moderator("lobby", moder.id());
    let r = call(&c, &moder, "ban", &eve, json!({"rooms": ["lobby"]})).await;
    assert_eq!((r.status, r.json()), (200, json!({})));
    assert_eq!(c.post_text(&eve, "lobby", "hi").await.status, 403);
    assert_eq!(c.get_as(&eve, "/room/lobby").await.status, 404);
    assert_eq!(
        c.get_as(&eve, "/room/lobby/messages/recent").await.status,
        403
    );
    let r = call(&c, &moder, "unban", &eve, json!({"rooms": ["lobby"]})).await;
    assert_eq!(r.status, 200);
    assert_eq!(c.post_text(&eve, "lobby", "back").await.status, 201);
}

#[tokio::test]
async fn timed_bans_are_lifted_by_the_cleanup_job() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (moder, gmod, eve, mallory) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
        User::new(&server, 4),
    );
    server.add_moderator("lobby", moder.id());
    server.set_moderator(gmod.id(), &ModScope::Global, false, false);
    c.get_as(&mallory, "/inbox").await;
    call(
        &c,
        &moder,
        "ban",
        &eve,
        json!({"rooms": ["lobby"], "timeout": 60}),
    )
    .await;
    let r = call(
        &c,
        &gmod,
        "ban",
        &mallory,
        json!({"global": true, "timeout": 120.5}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(c.post_text(&eve, "lobby", "x").await.status, 403);
    assert_eq!(c.get_as(&mallory, "/capabilities").await.text(), "Banned");

    // The scheduled unbans are listed.
    let f = c
        .get_as(&moder, "/room/lobby/futurePermissions")
        .await
        .json();
    assert_eq!(f[0]["session_id"], eve.id());
    assert_eq!(f[0]["banned"], false);

    server.advance_clock(61.0);
    server.run_maintenance();
    assert_eq!(c.post_text(&eve, "lobby", "free").await.status, 201);
    assert_eq!(
        c.get_as(&mallory, "/capabilities").await.status,
        403,
        "still banned"
    );
    server.advance_clock(60.0);
    server.run_maintenance();
    assert_eq!(c.get_as(&mallory, "/capabilities").await.status, 200);
}

#[tokio::test]
async fn ban_permission_rules() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (admin, moder, moder2, gmod, user) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
        User::new(&server, 4),
        User::new(&server, 5),
    );
    server.add_admin("lobby", admin.id());
    server.add_moderator("lobby", moder.id());
    server.add_moderator("lobby", moder2.id());
    server.set_moderator(gmod.id(), &ModScope::Global, false, true);
    let room = json!({"rooms": ["lobby"]});
    assert_eq!(
        call(&c, &moder, "ban", &moder, room.clone()).await.status,
        403,
        "self"
    );
    assert_eq!(
        call(&c, &moder, "ban", &moder2, room.clone()).await.status,
        403,
        "mod bans mod"
    );
    assert_eq!(
        call(&c, &admin, "ban", &gmod, room.clone()).await.status,
        403,
        "global mod"
    );
    assert_eq!(
        call(&c, &user, "ban", &moder, room.clone()).await.status,
        403,
        "not a mod"
    );
    assert_eq!(
        call(&c, &moder, "ban", &user, json!({"global": true}))
            .await
            .status,
        403
    );
    assert_eq!(
        call(&c, &admin, "ban", &moder2, room.clone()).await.status,
        200,
        "admin bans mod"
    );
    // Banning removed moderator status.
    let info = c.get("/room/lobby").await.json();
    assert!(
        !info["moderators"]
            .as_array()
            .unwrap()
            .contains(&json!(moder2.id()))
    );
    // Body shapes.
    for (body, status) in [
        (json!({}), 400),
        (json!({"rooms": ["lobby"], "global": true}), 400),
        (json!({"rooms": "lobby"}), 400),
        (json!({"rooms": ["*", "lobby"]}), 400),
        (json!({"rooms": ["nope"]}), 403),
        (json!({"rooms": [5]}), 404),
        (json!({"rooms": ["lobby"], "timeout": "soon"}), 400),
        (json!({"rooms": ["*"]}), 200),
    ] {
        let r = call(&c, &moder, "ban", &user, body.clone()).await;
        assert_eq!(r.status, status, "{body}");
    }
}

#[tokio::test]
async fn moderator_calls_add_demote_and_remove() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    server.add_room("other");
    let c = Client::new(&server);
    let (admin, gadmin, bob) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_admin("lobby", admin.id());
    server.set_moderator(gadmin.id(), &ModScope::Global, true, false);
    let info = |room: &str| {
        let c = c.clone();
        let room = room.to_owned();
        async move { c.get(&format!("/room/{room}")).await.json() }
    };
    let n0 = info("lobby").await["info_updates"].as_i64().unwrap();

    let r = call(
        &c,
        &admin,
        "moderator",
        &bob,
        json!({"rooms": ["lobby"], "moderator": true}),
    )
    .await;
    assert_eq!(r.json(), json!({"info_updates": {"lobby": n0 + 1}}));
    assert_eq!(info("lobby").await["moderators"], json!([bob.id()]));
    let r = call(
        &c,
        &admin,
        "moderator",
        &bob,
        json!({"rooms": ["lobby"], "admin": true}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(info("lobby").await["admins"].as_array().unwrap().len(), 2);
    // Demote to moderator, then remove.
    call(
        &c,
        &admin,
        "moderator",
        &bob,
        json!({"rooms": ["lobby"], "admin": false, "moderator": true}),
    )
    .await;
    assert_eq!(info("lobby").await["moderators"], json!([bob.id()]));
    call(
        &c,
        &admin,
        "moderator",
        &bob,
        json!({"rooms": ["lobby"], "moderator": false}),
    )
    .await;
    assert_eq!(info("lobby").await["moderators"], json!([]));
    // Invalid combinations.
    for body in [
        json!({"rooms": ["lobby"]}),
        json!({"rooms": ["lobby"], "admin": true, "moderator": false}),
    ] {
        assert_eq!(call(&c, &admin, "moderator", &bob, body).await.status, 400);
    }
    // Room admins cannot make global moderators; global admins can, hidden by default, and
    // every room's info_updates moves.
    let g = json!({"global": true, "moderator": true});
    assert_eq!(
        call(&c, &admin, "moderator", &bob, g.clone()).await.status,
        403
    );
    let before_other = info("other").await["info_updates"].as_i64().unwrap();
    let r = call(&c, &gadmin, "moderator", &bob, g).await;
    assert_eq!(r.json()["info_updates"]["other"], before_other + 1);
    let anon = info("other").await;
    assert!(
        !anon["moderators"]
            .as_array()
            .unwrap()
            .contains(&json!(bob.id()))
    );
    let as_mod = c.get_as(&bob, "/room/other").await.json();
    assert!(
        as_mod["hidden_moderators"]
            .as_array()
            .unwrap()
            .contains(&json!(bob.id()))
    );
    assert_eq!(as_mod["global_moderator"], true);
}

#[tokio::test]
async fn permission_overrides_and_scheduled_changes() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (moder, bob) = (User::new(&server, 1), User::new(&server, 2));
    server.add_moderator("lobby", moder.id());
    c.get_as(&bob, "/inbox").await;
    let path = format!("/room/lobby/permissions/{}", bob.id());

    assert_eq!(c.get_as(&bob, "/room/lobby/permissions").await.status, 403);
    // A user without an override row: the reference crashes (500).
    assert_eq!(c.get_as(&moder, &path).await.status, 500);
    let r = c
        .json_as(&moder, "POST", &path, &json!({"write": false}))
        .await;
    assert_eq!(r.json(), json!({"write": false}));
    assert_eq!(c.post_text(&bob, "lobby", "x").await.status, 403);
    assert_eq!(
        c.get_as(&moder, &path).await.json(),
        json!({"write": false})
    );
    let all = c.get_as(&moder, "/room/lobby/permissions").await.json();
    assert_eq!(all[bob.id()], json!({"write": false}));
    assert_eq!(all[moder.id()], json!({"moderator": true}));
    let r = c
        .json_as(
            &moder,
            "POST",
            &path,
            &json!({"write": true, "default_write": true}),
        )
        .await;
    assert_eq!(r.status, 400);

    // Restore write in 100 s.
    let fp = format!("/room/lobby/futurePermissions/{}", bob.id());
    let r = c
        .json_as(&moder, "POST", &fp, &json!({"write": true, "in": 100}))
        .await;
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["write"], true);
    assert!(list[0].get("session_id").is_none());
    assert_eq!(
        c.get_as(&moder, &fp).await.json(),
        list,
        "one user's schedule"
    );
    let room = c
        .get_as(&moder, "/room/lobby/futurePermissions")
        .await
        .json();
    assert_eq!(room[0]["session_id"], bob.id());
    assert_eq!(c.get_as(&bob, &fp).await.status, 403);
    for bad in [
        json!({"write": true}),
        json!({"in": 5}),
        json!({"write": true, "in": 0}),
        json!({"write": true, "in": 2e9}),
    ] {
        assert_eq!(
            c.json_as(&moder, "POST", &fp, &bad).await.status,
            400,
            "{bad}"
        );
    }
    server.advance_clock(101.0);
    server.run_maintenance();
    assert_eq!(c.post_text(&bob, "lobby", "x").await.status, 201);
    // The applied value equals the room default, so the override is gone again.
    let all = c.get_as(&moder, "/room/lobby/permissions").await.json();
    assert!(all.get(bob.id()).is_none());
}
