//! Messages (spec/sogs-api.md §2.3, §2.11): post, read, edit, delete, whispers, the rate
//! limit, and the `pysogs_pagination_limits` / `derived_session_message_padding` vectors.

use serde_json::{Value, json};
use session_sogs_server::testing::TestServer;
use session_sogs_server::{ModScope, RoomPermissions};

use crate::client::{Client, User, b64, unb64};
use crate::vectors::{self, Tally};

fn ids(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_post_returns_the_message_object_and_reads_back_byte_identical() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let body = alice.post_body("hello world");
    let r = c
        .json_as(&alice, "POST", "/room/lobby/message", &body)
        .await;
    assert_eq!(r.status, 201);
    let msg = r.json();
    let mut k: Vec<&String> = msg.as_object().unwrap().keys().collect();
    k.sort();
    assert_eq!(
        k,
        [
            "data",
            "id",
            "posted",
            "reactions",
            "seqno",
            "session_id",
            "signature"
        ]
    );
    assert_eq!(msg["data"], body["data"]);
    assert_eq!(msg["signature"], body["signature"]);
    assert_eq!(msg["reactions"], json!({}));
    assert_eq!(
        (msg["id"].as_i64(), msg["seqno"].as_i64()),
        (Some(1), Some(1))
    );

    let one = c
        .get(&format!("/room/lobby/message/{}", msg["id"]))
        .await
        .json();
    assert_eq!(one, msg, "the stored message is what the post returned");
    assert_eq!(c.get("/room/lobby/message/99").await.status, 404);
}

#[tokio::test]
async fn padding_vector_round_trips_byte_for_byte() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let v = vectors::get(vectors::PYSOGS, "derived_session_message_padding");
    let mut tally = Tally::new("pysogs_padding_roundtrip", "vectors-pysogs.json");
    let padded = hex::decode(v["expected"]["example_padded_hex"].as_str().unwrap()).unwrap();
    // Also odd cases: unpadded data, trailing zeros without a marker, a lone marker.
    let cases = [
        padded,
        b"fake data".to_vec(),
        b"abc\0\0".to_vec(),
        vec![0x80],
        vec![0, 0],
    ];
    for data in cases {
        let body = json!({"data": b64(&data), "signature": b64(&[7u8; 64])});
        let r = c
            .json_as(&alice, "POST", "/room/lobby/message", &body)
            .await;
        let id = r.json()["id"].as_i64().unwrap();
        let got = c.get(&format!("/room/lobby/message/{id}")).await.json();
        let back = unb64(got["data"].as_str().unwrap());
        tally.check(back == data, || {
            format!("{} came back as {}", hex::encode(&data), hex::encode(&back))
        });
    }
    tally.finish();
}

#[tokio::test]
async fn recent_before_and_since_order_their_results() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    for i in 0..5 {
        assert_eq!(
            c.post_text(&alice, "lobby", &format!("m{i}")).await.status,
            201
        );
    }
    assert_eq!(
        ids(&c.get("/room/lobby/messages/recent").await.json()),
        [5, 4, 3, 2, 1]
    );
    assert_eq!(
        ids(&c.get("/room/lobby/messages/recent?limit=2").await.json()),
        [5, 4]
    );
    assert_eq!(
        ids(&c.get("/room/lobby/messages/before/4").await.json()),
        [3, 2, 1]
    );
    assert_eq!(
        ids(&c.get("/room/lobby/messages/before/1").await.json()),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&c.get("/room/lobby/messages/since/2").await.json()),
        [3, 4, 5]
    );
    assert_eq!(
        c.get("/room/lobby/messages/recent?limit=x").await.status,
        400
    );
}

#[tokio::test]
async fn pysogs_pagination_vector() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let v = vectors::get(vectors::PYSOGS, "pysogs_pagination_limits");
    let mut tally = Tally::new("pysogs_pagination", "vectors-pysogs.json");
    for i in 0..1000 {
        let body = json!({"data": b64(format!("m{i}").as_bytes()), "signature": b64(&[0; 64])});
        let r = c
            .json_as(&alice, "POST", "/room/lobby/message", &body)
            .await;
        assert_eq!(r.status, 201);
    }
    let recent = ids(&c.get("/room/lobby/messages/recent").await.json());
    let first: Vec<i64> = serde_json::from_value(v["expected"]["first_ids"].clone()).unwrap();
    tally.check(recent[..2] == first[..], || {
        format!("first ids {:?}", &recent[..2])
    });
    tally.check(json!(recent.len()) == v["expected"]["count"], || {
        format!("default page of {}", recent.len())
    });
    // Clamping: 0 → 1, 1000 → 256, -5 → 1.
    for (q, n) in [("0", 1), ("1000", 256), ("-5", 1), ("256", 256)] {
        let got = ids(&c
            .get(&format!("/room/lobby/messages/recent?limit={q}"))
            .await
            .json())
        .len();
        tally.check(got == n, || format!("limit={q} gave {got}"));
    }
    // Walking backwards with before/ covers every message exactly once.
    let mut seen = Vec::new();
    let mut cursor = 1001;
    loop {
        let page = ids(&c
            .get(&format!("/room/lobby/messages/before/{cursor}?limit=256"))
            .await
            .json());
        let Some(&last) = page.last() else { break };
        seen.extend(page);
        cursor = last;
    }
    tally.check(seen == (1..=1000).rev().collect::<Vec<_>>(), || {
        "before walk".into()
    });
    tally.finish();
}

#[tokio::test]
async fn only_the_author_edits_and_an_edit_marks_the_message() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob, gadmin) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.set_moderator(gadmin.id(), &ModScope::Global, true, true);
    let id = c.post_text(&alice, "lobby", "v1").await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/room/lobby/message/{id}");
    let v2 = alice.post_body("v2");
    assert_eq!(c.json_as(&bob, "PUT", &path, &v2).await.status, 403);
    assert_eq!(
        c.json_as(&gadmin, "PUT", &path, &v2).await.status,
        403,
        "even a global admin"
    );
    let r = c.json_as(&alice, "PUT", &path, &v2).await;
    assert_eq!((r.status, r.json()), (200, json!({})));
    let m = c.get(&path).await.json();
    assert_eq!(m["data"], v2["data"]);
    assert!(m["edited"].is_f64());
    assert_eq!(m["seqno"], 2);
    // Editing a deleted message: the reference crashes (500).
    assert_eq!(c.delete_as(&alice, &path).await.status, 200);
    assert_eq!(c.json_as(&alice, "PUT", &path, &v2).await.status, 500);
}

#[tokio::test]
async fn deletes_follow_author_and_moderator_rules() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob, moder) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_moderator("lobby", moder.id());
    let a1 = c.post_text(&alice, "lobby", "a1").await.json()["id"]
        .as_i64()
        .unwrap();
    let a2 = c.post_text(&alice, "lobby", "a2").await.json()["id"]
        .as_i64()
        .unwrap();
    let p1 = format!("/room/lobby/message/{a1}");
    let p2 = format!("/room/lobby/message/{a2}");
    let r = c.delete_as(&bob, &p1).await;
    assert_eq!((r.status, r.text().as_str()), (403, "Permission denied"));
    assert_eq!(c.delete_as(&alice, &p1).await.json(), json!({}));
    assert_eq!(
        c.delete_as(&alice, &p1).await.status,
        404,
        "already deleted"
    );
    assert_eq!(
        c.delete_as(&moder, &p2).await.status,
        200,
        "moderators delete anyone's"
    );
    assert_eq!(c.get(&p2).await.status, 404);
    assert_eq!(c.send(None, "DELETE", &p2, vec![]).await.status, 401);
}

#[tokio::test]
async fn delete_all_of_a_user_in_a_room_and_everywhere() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("a");
    server.add_room("b");
    let c = Client::new(&server);
    let (spammer, moder, gadmin) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_moderator("a", moder.id());
    server.set_moderator(gadmin.id(), &ModScope::Global, true, true);
    for room in ["a", "b", "a"] {
        c.post_text(&spammer, room, "spam").await;
    }
    let r = c
        .delete_as(&moder, &format!("/room/b/all/{}", spammer.id()))
        .await;
    assert_eq!(r.status, 403, "not a moderator of b");
    let r = c
        .delete_as(&moder, &format!("/room/a/all/{}", spammer.id()))
        .await;
    assert_eq!((r.status, r.json()), (200, json!({})));
    assert_eq!(c.get("/room/a/messages/recent").await.json(), json!([]));
    let r = c
        .delete_as(&moder, &format!("/room/a/all/{}", spammer.id()))
        .await;
    assert_eq!(r.status, 404, "nothing left");
    let unknown = User::new(&server, 99);
    assert_eq!(
        c.delete_as(&moder, &format!("/room/a/all/{}", unknown.id()))
            .await
            .status,
        404
    );

    c.post_text(&spammer, "a", "again").await;
    let r = c
        .delete_as(&gadmin, &format!("/rooms/all/{}", spammer.id()))
        .await;
    assert_eq!(r.json(), json!({"total": 2, "rooms": {"a": 1, "b": 1}}));
}

#[tokio::test]
async fn whispers_are_seen_only_by_their_audience() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (moder, moder2, target, other) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
        User::new(&server, 4),
    );
    server.add_moderator("lobby", moder.id());
    server.add_moderator("lobby", moder2.id());
    c.get_as(&target, "/inbox").await; // the target exists
    let mut to_target = moder.post_body("psst");
    to_target["whisper_to"] = json!(target.id());
    let r = c
        .json_as(&moder, "POST", "/room/lobby/message", &to_target)
        .await;
    assert_eq!(r.status, 201);
    let m = r.json();
    assert_eq!(
        (&m["whisper"], &m["whisper_mods"], &m["whisper_to"]),
        (&json!(true), &json!(false), &json!(target.id()))
    );
    let mut to_mods = moder.post_body("mods only");
    to_mods["whisper_mods"] = json!(true);
    assert_eq!(
        c.json_as(&moder, "POST", "/room/lobby/message", &to_mods)
            .await
            .status,
        201
    );
    c.post_text(&other, "lobby", "public").await;

    let seen = |v: Value| ids(&v);
    assert_eq!(
        seen(c.get("/room/lobby/messages/since/0").await.json()),
        [3]
    );
    assert_eq!(
        seen(
            c.get_as(&other, "/room/lobby/messages/since/0")
                .await
                .json()
        ),
        [3]
    );
    assert_eq!(
        seen(
            c.get_as(&target, "/room/lobby/messages/since/0")
                .await
                .json()
        ),
        [1, 3]
    );
    assert_eq!(
        seen(
            c.get_as(&moder2, "/room/lobby/messages/since/0")
                .await
                .json()
        ),
        [2, 3]
    );
    assert_eq!(
        seen(
            c.get_as(&moder, "/room/lobby/messages/since/0")
                .await
                .json()
        ),
        [1, 2, 3]
    );
    // Only moderators whisper.
    let mut w = other.post_body("x");
    w["whisper_mods"] = json!(true);
    assert_eq!(
        c.json_as(&other, "POST", "/room/lobby/message", &w)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn post_input_errors_get_the_reference_statuses() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    server.add_room_with("readonly", "ra".parse::<RoomPermissions>().unwrap());
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let post = |body: Value| {
        let c = c.clone();
        let alice = alice.clone();
        async move {
            c.json_as(&alice, "POST", "/room/lobby/message", &body)
                .await
                .status
        }
    };
    assert_eq!(
        post(json!({"data": b64(b"x"), "signature": b64(&[0; 63])})).await,
        400
    );
    assert_eq!(post(json!({"signature": b64(&[0; 64])})).await, 500);
    assert_eq!(
        post(json!({"data": "!!!", "signature": b64(&[0; 64])})).await,
        500
    );
    assert_eq!(
        post(json!({"data": "-_-_", "signature": b64(&[0; 64])})).await,
        500,
        "url-safe base64"
    );
    let r = c
        .send(
            Some(&alice),
            "POST",
            "/room/lobby/message",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c.post_text(&alice, "readonly", "hi").await;
    assert_eq!((r.status, r.text().as_str()), (403, "Permission denied"));
    let r = c
        .send(
            None,
            "POST",
            "/room/lobby/message",
            serde_json::to_vec(&alice.post_body("x")).unwrap(),
        )
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn posting_is_rate_limited_except_for_admins() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, moder, admin) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_moderator("lobby", moder.id());
    server.add_admin("lobby", admin.id());
    for who in [&alice, &moder] {
        for _ in 0..5 {
            assert_eq!(c.post_text(who, "lobby", "x").await.status, 201);
        }
        let r = c.post_text(who, "lobby", "one too many").await;
        assert_eq!((r.status, r.text().as_str()), (429, "Rate limited"));
    }
    for _ in 0..8 {
        assert_eq!(c.post_text(&admin, "lobby", "admin").await.status, 201);
    }
    // A deleted post still counts; after the 16 s window the user may post again.
    server.advance_clock(17.0);
    assert_eq!(c.post_text(&alice, "lobby", "later").await.status, 201);
}
