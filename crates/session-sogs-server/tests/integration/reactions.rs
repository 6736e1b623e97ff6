//! Reactions (spec/sogs-api.md §2.3) with the `pysogs_reaction_*` vectors.

use serde_json::{Value, json};
use session_sogs_server::RoomPermissions;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User, b64};
use crate::vectors::{self, Tally};

#[tokio::test]
async fn pysogs_reaction_vectors() {
    let server = TestServer::spawn().await;
    server.add_room("test-room");
    let c = Client::new(&server);
    let (user, user2) = (User::new(&server, 1), User::new(&server, 2));
    let mut tally = Tally::new("pysogs_reactions", "vectors-pysogs.json");

    // pysogs_reaction_url_encoding: message 1 by `user`, "fake data", signature "fake sig".
    let mut sig = b"fake sig".to_vec();
    sig.resize(64, 0);
    let body = json!({"data": b64(b"fake data"), "signature": b64(&sig)});
    assert_eq!(
        c.json_as(&user, "POST", "/room/test-room/message", &body)
            .await
            .status,
        201
    );
    let v = vectors::get(vectors::PYSOGS, "pysogs_reaction_url_encoding");
    let paths = v["inputs"]["paths"].as_array().unwrap();
    // Upstream: 🍍 raw by user, encoded by user2; ❤️ raw by user2, encoded by user.
    for (path, who) in paths.iter().zip([&user, &user2, &user2, &user]) {
        let path = path.as_str().unwrap();
        // Raw UTF-8 is percent-encoded on the wire; an encoded path goes as is. Both sign
        // the decoded form.
        let r = c.send(Some(who), "PUT", path, b"{}".to_vec()).await;
        tally.check(r.status == 200 && r.json()["added"] == true, || {
            format!("PUT {path}: {} {}", r.status, r.text())
        });
    }
    let got = c
        .get_as(&user, "/room/test-room/messages/since/0?t=r&reactors=0")
        .await
        .json();
    let mut msg = got[0].clone();
    // The vector elides `posted` and `session_id`.
    let session_id = msg.as_object_mut().unwrap().remove("session_id");
    msg.as_object_mut().unwrap().remove("posted");
    tally.check(session_id == Some(json!(user.id())), || "author".into());
    let want = v["expected"]["message"].clone();
    tally.check(got.as_array().unwrap().len() == 1 && msg == want, || {
        format!("message after four PUTs: {msg}, want {want}")
    });

    // pysogs_reaction_valid_strings: every example is accepted, the invalid ones are 400.
    let v = vectors::get(vectors::PYSOGS, "pysogs_reaction_valid_strings");
    for r in v["inputs"]["reactions"].as_array().unwrap() {
        let r = r.as_str().unwrap();
        let resp = c
            .send(
                Some(&user2),
                "PUT",
                &format!("/room/test-room/reaction/1/{r}"),
                vec![],
            )
            .await;
        tally.check(resp.status == 200, || {
            format!("reaction {r:?}: {}", resp.status)
        });
    }
    let bad = v["expected"]["invalid_examples"]["13_chars"]
        .as_str()
        .unwrap();
    let resp = c
        .send(
            Some(&user2),
            "PUT",
            &format!("/room/test-room/reaction/1/{bad}"),
            vec![],
        )
        .await;
    tally.check(
        json!(resp.status) == v["expected"]["invalid_status"],
        || format!("13 characters: {}", resp.status),
    );
    tally.finish();
}

#[tokio::test]
async fn reactions_index_count_you_and_first_reactors() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let users: Vec<User> = (1..=6).map(|n| User::new(&server, n)).collect();
    let id = c.post_text(&users[0], "lobby", "react to me").await.json()["id"]
        .as_i64()
        .unwrap();
    for u in &users {
        c.send(
            Some(u),
            "PUT",
            &format!("/room/lobby/reaction/{id}/🍆"),
            vec![],
        )
        .await;
    }
    c.send(
        Some(&users[1]),
        "PUT",
        &format!("/room/lobby/reaction/{id}/y/n"),
        vec![],
    )
    .await;
    // Adding again is not an error.
    let r = c
        .send(
            Some(&users[1]),
            "PUT",
            &format!("/room/lobby/reaction/{id}/y/n"),
            vec![],
        )
        .await;
    assert_eq!(r.json(), json!({"added": false, "seqno": 8}));

    let m = c
        .get_as(&users[1], &format!("/room/lobby/message/{id}?reactors=3"))
        .await
        .json();
    let first3: Vec<String> = users[..3].iter().map(User::id).collect();
    assert_eq!(
        m["reactions"],
        json!({
            "🍆": {"index": 0, "count": 6, "you": true, "reactors": first3},
            "y/n": {"index": 1, "count": 1, "you": true, "reactors": [users[1].id()]},
        })
    );
    // The default is 4 reactors; anonymous callers never get `you`.
    let m = c.get(&format!("/room/lobby/message/{id}")).await.json();
    assert_eq!(
        m["reactions"]["🍆"]["reactors"].as_array().unwrap().len(),
        4
    );
    assert!(m["reactions"]["🍆"].get("you").is_none());

    // The reactor list: oldest first, with times; `limit` caps it.
    let list = c
        .get(&format!("/room/lobby/reactors/{id}/🍆?limit=2"))
        .await
        .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0][0], users[0].id());
    assert!(list[0][1].is_f64());
    let all = c.get(&format!("/room/lobby/reactors/{id}/🍆")).await.json();
    assert_eq!(all.as_array().unwrap().len(), 6);

    // Removing the last one of a reaction drops it; re-adding puts it last.
    let r = c
        .send(
            Some(&users[1]),
            "DELETE",
            &format!("/room/lobby/reaction/{id}/y/n"),
            vec![],
        )
        .await;
    assert_eq!(r.json()["removed"], true);
    let r = c
        .send(
            Some(&users[1]),
            "DELETE",
            &format!("/room/lobby/reaction/{id}/y/n"),
            vec![],
        )
        .await;
    assert_eq!(r.json()["removed"], false);
    c.send(
        Some(&users[2]),
        "PUT",
        &format!("/room/lobby/reaction/{id}/‽"),
        vec![],
    )
    .await;
    c.send(
        Some(&users[2]),
        "PUT",
        &format!("/room/lobby/reaction/{id}/y/n"),
        vec![],
    )
    .await;
    let m = c.get(&format!("/room/lobby/message/{id}")).await.json();
    assert_eq!(m["reactions"]["‽"]["index"], 1);
    assert_eq!(m["reactions"]["y/n"]["index"], 2);
}

#[tokio::test]
async fn moderators_clear_reactions() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob, moder) = (
        User::new(&server, 1),
        User::new(&server, 2),
        User::new(&server, 3),
    );
    server.add_moderator("lobby", moder.id());
    let id = c.post_text(&alice, "lobby", "x").await.json()["id"]
        .as_i64()
        .unwrap();
    for (u, r) in [(&alice, "a"), (&bob, "a"), (&bob, "b")] {
        c.send(
            Some(u),
            "PUT",
            &format!("/room/lobby/reaction/{id}/{r}"),
            vec![],
        )
        .await;
    }
    let r = c
        .delete_as(&bob, &format!("/room/lobby/reactions/{id}"))
        .await;
    assert_eq!(r.status, 403);
    let r = c
        .delete_as(&moder, &format!("/room/lobby/reactions/{id}/a"))
        .await;
    assert_eq!(r.json(), json!({"removed": 2, "seqno": 6}));
    let r = c
        .delete_as(&moder, &format!("/room/lobby/reactions/{id}"))
        .await;
    assert_eq!(r.json(), json!({"removed": 1, "seqno": 7}));
    let m = c.get(&format!("/room/lobby/message/{id}")).await.json();
    assert_eq!(m["reactions"], json!({}));
}

#[tokio::test]
async fn reaction_errors_follow_the_reference_order() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    server.add_room_with("blind", "wa".parse::<RoomPermissions>().unwrap());
    let c = Client::new(&server);
    let (alice, moder) = (User::new(&server, 1), User::new(&server, 2));
    server.add_moderator("lobby", moder.id());
    let id = c.post_text(&alice, "lobby", "x").await.json()["id"]
        .as_i64()
        .unwrap();
    let mut w = moder.post_body("whisper");
    w["whisper_mods"] = json!(true);
    let wid = c
        .json_as(&moder, "POST", "/room/lobby/message", &w)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();

    let status = |who: Option<&User>, path: String| {
        let c = c.clone();
        let who = who.cloned();
        async move { c.send(who.as_ref(), "PUT", &path, vec![]).await.status }
    };
    assert_eq!(
        status(None, format!("/room/lobby/reaction/{id}/a")).await,
        401
    );
    assert_eq!(
        status(Some(&alice), format!("/room/blind/reaction/{id}/a")).await,
        403
    );
    assert_eq!(
        status(
            Some(&alice),
            format!("/room/lobby/reaction/{id}/abcdefghijklm")
        )
        .await,
        400
    );
    assert_eq!(
        status(Some(&alice), "/room/lobby/reaction/99/a".into()).await,
        404
    );
    assert_eq!(
        status(Some(&moder), format!("/room/lobby/reaction/{wid}/a")).await,
        404,
        "no reactions on whispers"
    );
    let deleted = c.post_text(&alice, "lobby", "gone").await.json()["id"]
        .as_i64()
        .unwrap();
    c.delete_as(&alice, &format!("/room/lobby/message/{deleted}"))
        .await;
    assert_eq!(
        status(Some(&alice), format!("/room/lobby/reaction/{deleted}/a")).await,
        404
    );
    let v: Value = c
        .get(&format!("/room/lobby/reactors/{id}/a?limit=x"))
        .await
        .status
        .into();
    assert_eq!(v, json!(400));
}
