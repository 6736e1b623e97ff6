//! seqno, tombstones and `info_updates` (spec/sogs-api.md §2.10), with the full
//! `pysogs_messages_since_tombstones` table.

use serde_json::{Value, json};
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User, b64};
use crate::vectors::{self, Tally};

fn message_sequence(v: &Value) -> i64 {
    v["message_sequence"].as_i64().unwrap()
}

#[tokio::test]
async fn pysogs_since_tombstones_vector() {
    let server = TestServer::builder().rate_limit(None).spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let v = vectors::get(vectors::PYSOGS, "pysogs_messages_since_tombstones");
    for i in v["inputs"]["posts"].as_array().unwrap() {
        let body = json!({"data": b64(format!("post {i}").as_bytes()), "signature": b64(&[1; 64])});
        c.json_as(&alice, "POST", "/room/lobby/message", &body)
            .await;
    }
    for id in v["inputs"]["delete_order"].as_array().unwrap() {
        let r = c
            .delete_as(&alice, &format!("/room/lobby/message/{id}"))
            .await;
        assert_eq!(r.status, 200);
    }
    let mut tally = Tally::new("pysogs_since_tombstones", "vectors-pysogs.json");
    for (n, want) in v["expected"]["since_to_result"].as_object().unwrap() {
        let got = c
            .get(&format!("/room/lobby/messages/since/{n}"))
            .await
            .json();
        // The vector elides values: `true` means "present", and it omits posted/session_id/
        // reactions. Project our rows the same way.
        let projected: Vec<Value> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let mut p = serde_json::Map::new();
                for (k, val) in m.as_object().unwrap() {
                    match k.as_str() {
                        "posted" | "session_id" | "reactions" => {}
                        "id" | "seqno" | "deleted" => {
                            p.insert(k.clone(), val.clone());
                        }
                        _ if val.is_null() => {
                            p.insert(k.clone(), Value::Null);
                        }
                        _ => {
                            p.insert(k.clone(), json!(true));
                        }
                    }
                }
                Value::Object(p)
            })
            .collect();
        tally.check(Value::Array(projected.clone()) == *want, || {
            format!("since/{n}: got {projected:?}, want {want}")
        });
    }
    // Tombstones carry the deletion time in `edited` and no signature or reactions.
    let t = c.get("/room/lobby/messages/since/10").await.json();
    let first = &t[0];
    assert!(first["edited"].as_f64().unwrap() >= first["posted"].as_f64().unwrap());
    assert!(first.get("signature").is_none() && first.get("reactions").is_none());
    tally.finish();
}

#[tokio::test]
async fn every_change_bumps_the_message_sequence_by_one() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob) = (User::new(&server, 1), User::new(&server, 2));
    let seq = |c: Client| async move { message_sequence(&c.get("/room/lobby").await.json()) };
    let info0 = c.get("/room/lobby").await.json()["info_updates"].clone();

    let id = c.post_text(&alice, "lobby", "x").await.json()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(seq(c.clone()).await, 1, "post");
    c.json_as(
        &alice,
        "PUT",
        &format!("/room/lobby/message/{id}"),
        &alice.post_body("y"),
    )
    .await;
    assert_eq!(seq(c.clone()).await, 2, "edit");
    for (who, r) in [(&alice, "a"), (&bob, "a"), (&bob, "b")] {
        c.send(
            Some(who),
            "PUT",
            &format!("/room/lobby/reaction/{id}/{r}"),
            vec![],
        )
        .await;
    }
    assert_eq!(seq(c.clone()).await, 5, "three reactions");
    c.send(
        Some(&bob),
        "DELETE",
        &format!("/room/lobby/reaction/{id}/b"),
        vec![],
    )
    .await;
    assert_eq!(seq(c.clone()).await, 6, "one reaction removed");
    // Deleting a message with k = 2 reactions bumps by 1 + k.
    c.delete_as(&alice, &format!("/room/lobby/message/{id}"))
        .await;
    assert_eq!(seq(c.clone()).await, 9, "delete with two reactions");
    // None of this touched info_updates.
    assert_eq!(c.get("/room/lobby").await.json()["info_updates"], info0);
}

#[tokio::test]
async fn since_returns_reaction_only_rows_with_t_r() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob) = (User::new(&server, 1), User::new(&server, 2));
    let id = c.post_text(&alice, "lobby", "x").await.json()["id"]
        .as_i64()
        .unwrap();
    let r = c
        .send(
            Some(&bob),
            "PUT",
            &format!("/room/lobby/reaction/{id}/👍"),
            vec![],
        )
        .await;
    assert_eq!(r.json(), json!({"added": true, "seqno": 2}));

    // Without t=r the reaction change is invisible to a client at seqno 1.
    assert_eq!(
        c.get("/room/lobby/messages/since/1").await.json(),
        json!([])
    );
    let rows = c
        .get_as(&bob, "/room/lobby/messages/since/1?t=r&reactors=5")
        .await
        .json();
    assert_eq!(
        rows,
        json!([{"id": id, "seqno": 2, "reactions": {"👍": {"index": 0, "count": 1, "you": true, "reactors": [bob.id()]}}}])
    );
    // An edit plus a reaction comes back as one full row.
    c.json_as(
        &alice,
        "PUT",
        &format!("/room/lobby/message/{id}"),
        &alice.post_body("z"),
    )
    .await;
    let rows = c.get("/room/lobby/messages/since/1?t=r").await.json();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["seqno"], 3);
    assert!(rows[0]["data"].is_string());
}
