//! Rooms (spec/sogs-api.md §2.2): the room object as each kind of caller sees it, the room
//! list, updates (with the `pysogs_room_update_*` vectors) and `pollInfo`.

use serde_json::{Value, json};
use session_sogs_server::testing::TestServer;
use session_sogs_server::{ModScope, RoomPermissions};

use crate::client::{Client, User};
use crate::vectors::{self, Tally};

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn room_info_has_every_field_for_each_kind_of_caller() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (admin, hmod, gmod, user) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
        User::new(&server, 4),
    );
    server.add_admin("lobby", admin.id());
    server.set_moderator(hmod.id(), &ModScope::Room("lobby".into()), false, false);
    server.set_moderator(gmod.id(), &ModScope::Global, false, true);

    let anon = c.get("/room/lobby").await.json();
    assert_eq!(
        keys(&anon),
        [
            "active_users",
            "active_users_cutoff",
            "admins",
            "created",
            "info_updates",
            "message_sequence",
            "moderators",
            "name",
            "read",
            "token",
            "upload",
            "write"
        ]
    );
    assert_eq!(anon["token"], "lobby");
    assert_eq!(anon["name"], "lobby");
    assert_eq!(anon["active_users_cutoff"], 604_800);
    assert_eq!(anon["admins"], json!([admin.id()]));
    assert_eq!(
        anon["moderators"],
        json!([gmod.id()]),
        "hidden mods are not listed"
    );
    assert_eq!(
        (&anon["read"], &anon["write"], &anon["upload"]),
        (&json!(true), &json!(true), &json!(true))
    );
    assert!(anon["created"].is_f64());

    let as_user = c.get_as(&user, "/room/lobby").await.json();
    assert_eq!(keys(&as_user), keys(&anon));

    let as_hidden = c.get_as(&hmod, "/room/lobby").await.json();
    assert_eq!(as_hidden["hidden_moderators"], json!([hmod.id()]));
    assert_eq!(as_hidden["moderator"], true);
    assert!(as_hidden.get("admin").is_none());
    for k in [
        "default_read",
        "default_accessible",
        "default_write",
        "default_upload",
    ] {
        assert_eq!(as_hidden[k], true, "{k}");
    }

    let as_admin = c.get_as(&admin, "/room/lobby").await.json();
    assert_eq!(
        (&as_admin["admin"], &as_admin["moderator"]),
        (&json!(true), &json!(true))
    );

    let as_global = c.get_as(&gmod, "/room/lobby").await.json();
    assert_eq!(as_global["global_moderator"], true);
    assert!(as_global.get("global_admin").is_none());
}

#[tokio::test]
async fn room_list_hides_inaccessible_rooms_and_rooms_that_banned_you() {
    let server = TestServer::spawn().await;
    server.add_room("zeta");
    server.add_room("alpha");
    server.add_room_with("secret", "w".parse::<RoomPermissions>().unwrap());
    server.add_room_with("showcase", "a".parse::<RoomPermissions>().unwrap());
    let c = Client::new(&server);
    let tokens = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["token"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        tokens(c.get("/rooms").await.json()),
        ["alpha", "showcase", "zeta"]
    );
    let eve = User::new(&server, 5);
    server.ban(eve.id(), &ModScope::Room("zeta".into()), None);
    assert_eq!(
        tokens(c.get_as(&eve, "/rooms").await.json()),
        ["alpha", "showcase"]
    );
    // A banned user, and anyone for an inaccessible room, gets 404 (not 403).
    assert_eq!(c.get_as(&eve, "/room/zeta").await.status, 404);
    assert_eq!(c.get("/room/secret").await.status, 404);
    // Accessible without read: details yes, messages no.
    let show = c.get("/room/showcase").await.json();
    assert_eq!(show["read"], false);
    let r = c.get("/room/showcase/messages/recent").await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.text(),
        "This endpoint requires room message 'read' permission"
    );
}

#[tokio::test]
async fn unknown_rooms_are_404_and_tokens_are_case_insensitive() {
    let server = TestServer::spawn().await;
    server.add_room("Lobby");
    let c = Client::new(&server);
    let r = c.get("/room/nope").await;
    assert_eq!(r.status, 404);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(c.get("/room/lobby").await.json()["token"], "Lobby");
    assert_eq!(c.get("/room/LOBBY/messages/recent").await.status, 200);
    // An existing path with the wrong method is 405.
    assert_eq!(
        c.raw("DELETE", "/room/lobby", &[], vec![]).await.status,
        405
    );
    // An unknown room beats the wrong method.
    assert_eq!(c.raw("DELETE", "/room/nope", &[], vec![]).await.status, 404);
}

#[tokio::test]
async fn room_updates_need_admin_and_bump_info_updates() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (admin, moder) = (User::new(&server, 1), User::new(&server, 2));
    server.add_admin("lobby", admin.id());
    server.add_moderator("lobby", moder.id());
    let before = c.get("/room/lobby").await.json()["info_updates"]
        .as_i64()
        .unwrap();

    let body = json!({"name": "The Lobby", "description": "chat", "default_write": false});
    let r = c.json_as(&moder, "PUT", "/room/lobby", &body).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.text(), "This endpoint requires admin room permissions");
    let r = c.send(None, "PUT", "/room/lobby", b"{}".to_vec()).await;
    assert_eq!(r.status, 401);

    let r = c.json_as(&admin, "PUT", "/room/lobby", &body).await;
    assert_eq!(r.status, 200);
    // Name and description changed: +2. Default permissions do not count.
    assert_eq!(r.json(), json!({"info_updates": before + 2}));
    let info = c.get("/room/lobby").await.json();
    assert_eq!(info["name"], "The Lobby");
    assert_eq!(info["description"], "chat");
    assert_eq!(info["write"], false);
    // Clearing the description removes the field.
    let r = c
        .json_as(&admin, "PUT", "/room/lobby", &json!({"description": ""}))
        .await;
    assert_eq!(r.json(), json!({"info_updates": before + 3}));
    assert!(
        c.get("/room/lobby")
            .await
            .json()
            .get("description")
            .is_none()
    );
}

#[tokio::test]
async fn pysogs_room_update_vectors() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let admin = User::new(&server, 1);
    server.add_admin("lobby", admin.id());
    let mut tally = Tally::new("pysogs_room_update", "vectors-pysogs.json");

    let v = vectors::get(vectors::PYSOGS, "pysogs_room_update_sanitize");
    let body = json!({"name": v["inputs"]["name"], "description": v["inputs"]["description"]});
    let r = c.json_as(&admin, "PUT", "/room/lobby", &body).await;
    tally.check(r.status == 200, || format!("sanitize: status {}", r.status));
    let info = c.get("/room/lobby").await.json();
    for k in ["name", "description"] {
        tally.check(info[k] == v["expected"][k], || {
            format!("sanitize {k}: {} != {}", info[k], v["expected"][k])
        });
    }

    let v = vectors::get(vectors::PYSOGS, "pysogs_room_update_bad_bodies");
    let statuses = v["expected"]["status"].as_array().unwrap();
    for (body, want) in v["inputs"]["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .zip(statuses)
    {
        let r = c.json_as(&admin, "PUT", "/room/lobby", body).await;
        tally.check(json!(r.status) == *want, || {
            format!("bad body {body}: got {}, want {want}", r.status)
        });
    }
    // Nothing of the rejected bodies was applied.
    let after = c.get("/room/lobby").await.json();
    tally.check(after["name"] == info["name"], || {
        "a rejected update applied".into()
    });
    tally.finish();
}

#[tokio::test]
async fn poll_info_includes_details_only_when_info_changed() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let info = c.get("/room/lobby").await.json();
    let n = info["info_updates"].as_i64().unwrap();

    let r = c
        .get_as(&alice, &format!("/room/lobby/pollInfo/{n}"))
        .await
        .json();
    assert_eq!(
        keys(&r),
        ["active_users", "read", "token", "upload", "write"]
    );
    let r = c
        .get_as(&alice, &format!("/room/lobby/pollInfo/{}", n + 7))
        .await
        .json();
    assert_eq!(r["details"]["token"], "lobby");
    assert_eq!(r["details"]["info_updates"], n);

    // Polling counts as activity once the cleanup job has run.
    server.run_maintenance();
    let r = c
        .get_as(&alice, &format!("/room/lobby/pollInfo/{n}"))
        .await
        .json();
    assert_eq!(r["active_users"], 1);

    // Without read permission: 403.
    server.add_room_with("dark", "a".parse::<RoomPermissions>().unwrap());
    let r = c.get_as(&alice, "/room/dark/pollInfo/0").await;
    assert_eq!(r.status, 403);
}
