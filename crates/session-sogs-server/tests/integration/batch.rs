//! `/capabilities`, `/batch` and `/sequence` (spec/sogs-api.md §2.1) with the
//! `pysogs_capabilities_*`, `pysogs_batch_body_encoding` and `pysogs_sequence_*` vectors.

use serde_json::{Value, json};
use session_sogs_server::RoomPermissions;
use session_sogs_server::testing::TestServer;

use crate::client::{Client, User, b64};
use crate::vectors::{self, Tally};

#[tokio::test]
async fn pysogs_capabilities_vectors() {
    // The vectors come from pysogs' test configuration: blinding not required.
    let server = TestServer::builder()
        .require_blind_keys(false)
        .spawn()
        .await;
    let c = Client::new(&server);
    let mut tally = Tally::new("pysogs_capabilities", "vectors-pysogs.json");
    for v in vectors::with_prefix(vectors::PYSOGS, "pysogs_capabilities_") {
        let target = match v["inputs"]["query_required"].as_str() {
            Some(q) => format!("/capabilities?required={q}"),
            None => "/capabilities".into(),
        };
        let r = c.get(&target).await;
        let ok = json!(r.status) == v["expected"]["status"] && r.json() == v["expected"]["body"];
        tally.check(ok, || format!("{target}: {} {}", r.status, r.text()));
    }
    tally.finish();
}

async fn batch(c: &Client, user: Option<&User>, path: &str, subs: &Value) -> crate::client::Resp {
    let body = serde_json::to_vec(subs).unwrap();
    c.send(user, "POST", path, body).await
}

#[tokio::test]
async fn pysogs_batch_and_sequence_vectors() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    server.add_room_with("secret", "a".parse::<RoomPermissions>().unwrap());
    let c = Client::new(&server);
    let alice = User::new(&server, 1);
    let mut tally = Tally::new("pysogs_batch", "vectors-pysogs.json");

    // Body encoding: non-JSON sub-responses come back as base64 of their bytes.
    let v = vectors::get(vectors::PYSOGS, "pysogs_batch_body_encoding");
    let raws: Vec<Vec<u8>> = v["inputs"]["subresponse_bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| match b.get("raw") {
            Some(r) => r.as_str().unwrap().as_bytes().to_vec(),
            None => hex::decode(b["raw_hex"].as_str().unwrap()).unwrap(),
        })
        .collect();
    // Upload them through a batch with `b64` bodies, then download them through another.
    let uploads: Vec<Value> = raws
        .iter()
        .map(|r| json!({"method": "POST", "path": "/room/lobby/file", "b64": b64(r)}))
        .collect();
    let r = batch(&c, Some(&alice), "/batch", &json!(uploads)).await;
    let ids: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["id"].as_i64().unwrap())
        .collect();
    let downloads: Vec<Value> = ids
        .iter()
        .map(|id| json!({"method": "GET", "path": format!("/room/lobby/file/{id}")}))
        .collect();
    let got = batch(&c, None, "/batch", &json!(downloads)).await.json();
    for (i, want) in v["expected"]["encoded_bodies"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        tally.check(got[i]["body"] == *want, || {
            format!("body {i}: {}", got[i]["body"])
        });
        tally.check(got[i]["code"] == 200, || format!("code {i}"));
        let h = &got[i]["headers"];
        tally.check(
            h["content-type"] == "application/octet-stream" && h.get("content-length").is_none(),
            || format!("headers {h}"),
        );
    }
    // A `b64` sub-request body arrives decoded.
    let up = json!([{"method": "POST", "path": "/room/lobby/file", "b64": v["inputs"]["subrequest_b64"]}]);
    let id = batch(&c, Some(&alice), "/sequence", &up).await.json()[0]["body"]["id"]
        .as_i64()
        .unwrap();
    let raw = c.get(&format!("/room/lobby/file/{id}")).await.body;
    tally.check(
        raw == v["expected"]["subrequest_b64_decoded"]
            .as_str()
            .unwrap()
            .as_bytes(),
        || "b64 body".into(),
    );
    // JSON sub-responses are inline.
    let shape = &v["expected"]["subresponse_shape"];
    let caps = batch(
        &c,
        None,
        "/batch",
        &json!([{"method": "GET", "path": "/capabilities"}]),
    )
    .await
    .json();
    tally.check(
        caps[0]["code"] == shape["code"]
            && caps[0]["headers"] == shape["headers"]
            && caps[0]["body"]["capabilities"].is_array(),
        || format!("{}", caps[0]),
    );

    // /sequence stops at the first non-2xx; /batch runs everything.
    let v = vectors::get(vectors::PYSOGS, "pysogs_sequence_stops_at_first_non_2xx");
    let subs: Vec<Value> = v["inputs"]["subrequest_codes_if_all_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| match code.as_u64().unwrap() {
            200 => json!({"method": "GET", "path": "/capabilities"}),
            412 => json!({"method": "GET", "path": "/capabilities?required=magic"}),
            _ => json!({"method": "GET", "path": "/room/secret/messages/recent"}),
        })
        .collect();
    let all = batch(&c, None, "/batch", &json!(subs)).await.json();
    let codes: Vec<Value> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].clone())
        .collect();
    tally.check(
        json!(codes) == v["inputs"]["subrequest_codes_if_all_run"],
        || format!("batch codes {codes:?}"),
    );
    tally.check(
        json!(all.as_array().unwrap().len()) == v["expected"]["batch_returned_count"],
        || "batch count".into(),
    );
    let seq = batch(&c, None, "/sequence", &json!(subs)).await.json();
    tally.check(
        json!(seq.as_array().unwrap().len()) == v["expected"]["sequence_returned_count"],
        || format!("sequence {seq}"),
    );
    tally.finish();
}

#[tokio::test]
async fn sub_requests_run_as_the_batch_user_and_ignore_their_own_headers() {
    let server = TestServer::spawn().await;
    server.add_room("lobby");
    let c = Client::new(&server);
    let (alice, bob) = (User::new(&server, 1), User::new(&server, 2));
    let bob_headers: serde_json::Map<String, Value> = bob
        .auth_headers("POST", "/room/lobby/message", b"")
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let subs = json!([
        {"method": "POST", "path": "/room/lobby/message", "json": alice.post_body("via batch"), "headers": bob_headers},
        {"method": "GET", "path": "/inbox"},
        {"method": "PUT", "path": "/room/lobby/reaction/1/%F0%9F%8D%8D", "json": {}},
        {"method": "PUT", "path": "/room/lobby/reaction/1/❤️", "bytes": "{}"},
    ]);
    let r = batch(&c, Some(&alice), "/batch", &subs).await.json();
    assert_eq!(r[0]["code"], 201);
    assert_eq!(
        r[0]["body"]["session_id"],
        alice.id(),
        "the batch's user, not bob"
    );
    assert_eq!(r[1]["body"], json!([]));
    assert_eq!(r[2]["body"]["added"], true);
    assert_eq!(r[3]["body"]["added"], true);
    let m = c.get("/room/lobby/message/1").await.json();
    assert_eq!(m["reactions"]["🍍"]["count"], 1);
    assert_eq!(m["reactions"]["❤️"]["count"], 1);
    // Anonymous batches stay anonymous.
    let r = batch(
        &c,
        None,
        "/batch",
        &json!([{"method": "GET", "path": "/inbox"}]),
    )
    .await
    .json();
    assert_eq!(r[0]["code"], 401);
    assert!(r[0]["body"].is_string(), "text bodies are base64");
}

#[tokio::test]
async fn malformed_batches_fail_whole_with_400() {
    let server = TestServer::spawn().await;
    let c = Client::new(&server);
    for subs in [
        json!({"method": "GET", "path": "/capabilities"}),
        json!([{"method": "GET"}]),
        json!([{"path": "/capabilities"}]),
        json!([{"method": "PATCH", "path": "/capabilities"}]),
        json!([{"method": "GET", "path": "capabilities"}]),
        json!([{"method": "GET", "path": "/capabilities", "json": {}}]),
        json!([{"method": "POST", "path": "/batch"}]),
        json!([{"method": "POST", "path": "/batch", "json": [], "b64": ""}]),
        json!([{"method": "GET", "path": "/capabilities", "headers": {"a": 1}}]),
        json!([{"method": "GET", "path": "/capabilities"}, 5]),
    ] {
        let r = batch(&c, None, "/batch", &subs).await;
        assert_eq!(r.status, 400, "{subs}");
    }
    let r = c.send(None, "POST", "/sequence", b"[".to_vec()).await;
    assert_eq!(r.status, 400);
    // A path that does not decode to UTF-8 gets the reference's crash element.
    let r = batch(
        &c,
        None,
        "/batch",
        &json!([{"method": "GET", "path": "/room/%FF"}]),
    )
    .await;
    assert_eq!(
        r.json(),
        json!([{"code": 500, "content-type": "text/plain", "body": ""}])
    );
}
