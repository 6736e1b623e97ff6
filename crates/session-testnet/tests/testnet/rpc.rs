//! The storage RPC over direct `/storage_rpc/v1` calls, and the seed.

use std::time::Duration;

use serde_json::{Value, json};
use session_net::snode::{SeedConfig, parse_service_nodes};
use session_net::{HttpRequest, Transport};
use session_testnet::{Testnet, TestnetError};

use crate::common::{
    b64, direct, expected_hash, identity, retrieve_params, snode_transport, sodium, unb64,
};

const TTL: u64 = 60_000;

fn store_params(account: &str, ns: i16, data: &[u8], timestamp: u64) -> Value {
    json!({"pubkey": account, "namespace": ns, "timestamp": timestamp, "ttl": TTL, "data": b64(data)})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_lists_every_snode_with_the_requested_fields_as_application_json() {
    let testnet = Testnet::builder().snodes(12).seed(1).start().await.unwrap();
    let url = format!("{}json_rpc", testnet.seed_url()).parse().unwrap();
    let body = session_net::snode::get_n_service_nodes_body();
    let r = snode_transport()
        .send(HttpRequest::post(url, body))
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type(), Some("application/json"));
    let parsed = parse_service_nodes(&r.body, r.content_type()).unwrap();
    let mut expected: Vec<_> = testnet.snodes().iter().map(|s| s.snode()).collect();
    let mut got = parsed.clone();
    expected.sort_by_key(|s| s.ed25519);
    got.sort_by_key(|s| s.ed25519);
    assert_eq!(got, expected);
    // Every node is in its own /24, and its X25519 key is the Montgomery form of its
    // Ed25519 key (checked with libsodium).
    let mut subnets: Vec<[u8; 3]> = parsed.iter().map(|s| s.subnet24()).collect();
    subnets.sort_unstable();
    subnets.dedup();
    assert_eq!(subnets.len(), 12);
    for s in &parsed {
        assert_eq!(sodium::ed_to_x(&s.ed25519), s.x25519);
    }
    // Only requested fields come back; swarm ids exceed 2^53 (parsed as u64).
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let first = &v["result"]["service_node_states"][0];
    assert!(first.get("storage_lmq_port").is_none());
    assert!(parsed.iter().any(|s| s.swarm_id.unwrap() > (1u64 << 53)));
    assert_eq!(testnet.swarm_ids().len(), 3);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_seed_is_reached_through_its_pin_and_refused_without_it() {
    let testnet = Testnet::builder().seed_tls(true).start().await.unwrap();
    assert!(testnet.seed_url().starts_with("https://127.0.0.1:"));
    let pinned = testnet.seed_config();
    let nodes = pinned.fetch(&pinned.transport().unwrap()).await.unwrap();
    assert_eq!(nodes.len(), 12);
    // Without the pin (webpki roots) the CA:TRUE self-signed certificate is refused.
    let unpinned = SeedConfig::custom(vec![testnet.seed_url().parse().unwrap()], vec![]);
    assert!(
        unpinned
            .fetch(&unpinned.transport().unwrap())
            .await
            .is_err()
    );
    // A wrong pin is refused too.
    let mut wrong = testnet.seed_pin().unwrap().clone();
    wrong.cert_sha256[0] ^= 1;
    let wrong = SeedConfig::custom(vec![testnet.seed_url().parse().unwrap()], vec![wrong]);
    assert!(wrong.fetch(&wrong.transport().unwrap()).await.is_err());
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_is_replicated_signed_and_deduplicated_across_the_swarm() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let account = bob.session_id().to_bytes();
    let swarm = testnet.swarm_for(&account);
    assert_eq!(swarm.len(), 4);
    let now = testnet.network_time_ms();
    let params = store_params(&bob.session_id().to_string(), 0, b"hello bob", now);
    let (status, body) = direct(&swarm[0], "store", params.clone()).await;
    assert_eq!(status, 200, "{body}");
    let hash = expected_hash(&account, 0, b"hello bob");
    assert_eq!(body["hash"], hash);
    assert!(body["t"].as_u64().unwrap() >= now);
    let members = body["swarm"].as_object().unwrap();
    assert_eq!(members.len(), 4);
    for member in &swarm {
        let entry = &members[&hex::encode(member.ed25519)];
        assert_eq!(entry["hash"], hash);
        assert_eq!(entry["expiry"], now + TTL);
        assert!(entry.get("already").is_none());
        // Each member signs the hash with its own Ed25519 key.
        let sig: [u8; 64] = unb64(entry["signature"].as_str().unwrap())
            .try_into()
            .unwrap();
        assert!(sodium::verify(&sig, hash.as_bytes(), &member.ed25519));
    }
    // The same message again is "already" everywhere and stored once.
    let (status, again) = direct(&swarm[1], "store", params).await;
    assert_eq!(status, 200);
    for entry in again["swarm"].as_object().unwrap().values() {
        assert_eq!(entry["already"], true);
    }
    for member in &swarm {
        let held = testnet.messages(member, &account, 0).unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].data, b"hello bob");
        assert_eq!(testnet.stats(member).unwrap().duplicate_stores, 1);
    }
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_outside_the_swarm_answers_421_with_the_right_swarm() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let account = bob.session_id().to_bytes();
    let swarm = testnet.swarm_for(&account);
    let outsider = testnet
        .snodes()
        .into_iter()
        .find(|s| !swarm.contains(s))
        .unwrap();
    let now = testnet.network_time_ms();
    let (status, body) = direct(
        &outsider,
        "store",
        store_params(&bob.session_id().to_string(), 0, b"x", now),
    )
    .await;
    assert_eq!(status, 421);
    let suggested = session_net::rpc::parse_swarm(&body).unwrap();
    let mut expected: Vec<_> = swarm.iter().map(|s| s.snode()).collect();
    for s in &mut expected {
        s.swarm_id = None;
    }
    assert_eq!(suggested, expected);
    assert_eq!(body["swarm"], format!("{:x}", swarm[0].swarm_id));
    assert!(testnet.messages(&outsider, &account, 0).unwrap().is_empty());
    assert_eq!(testnet.stats(&outsider).unwrap().wrong_swarm, 1);
    // get_swarm works on any node.
    let (status, got) = direct(
        &outsider,
        "get_swarm",
        json!({"pubkey": bob.session_id().to_string()}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(session_net::rpc::parse_swarm(&got).unwrap(), suggested);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retrieve_checks_signatures_and_resumes_after_last_hash_per_namespace() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let id = bob.session_id().to_string();
    let account = bob.session_id().to_bytes();
    let node = testnet.swarm_for(&account)[0].clone();
    let now = testnet.network_time_ms();
    for (ns, data) in [(0, "a"), (0, "b"), (0, "c"), (-10, "legacy")] {
        let (status, body) =
            direct(&node, "store", store_params(&id, ns, data.as_bytes(), now)).await;
        assert_eq!(status, 200, "{body}");
    }
    // Namespace 0 needs a signature to read.
    let (status, body) = direct(&node, "retrieve", json!({"pubkey": id})).await;
    assert_eq!(
        (status, body.as_str()),
        (401, Some("retrieve: request signature required"))
    );
    let (status, all) = direct(&node, "retrieve", retrieve_params(&bob, 0, "", now)).await;
    assert_eq!(status, 200);
    let messages = all["messages"].as_array().unwrap();
    let data: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| unb64(m["data"].as_str().unwrap()))
        .collect();
    assert_eq!(data, [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    assert_eq!(messages[0]["expiration"], now + TTL);
    assert_eq!(all["more"], false);
    let first = messages[0]["hash"].as_str().unwrap();
    let (_, rest) = direct(&node, "retrieve", retrieve_params(&bob, 0, first, now)).await;
    assert_eq!(rest["messages"].as_array().unwrap().len(), 2);
    // Another key's signature does not open bob's inbox.
    let mut forged = retrieve_params(&identity(3), 0, "", now);
    forged["pubkey"] = json!(id);
    let (status, _) = direct(&node, "retrieve", forged).await;
    assert_eq!(status, 401);
    // Namespace −10 is readable without a signature and holds only its own message.
    let (status, legacy) = direct(&node, "retrieve", json!({"pubkey": id, "namespace": -10})).await;
    assert_eq!(status, 200);
    let legacy = legacy["messages"].as_array().unwrap();
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0]["hash"], expected_hash(&account, -10, b"legacy"));
    // max_count limits and says there is more.
    let mut limited = retrieve_params(&bob, 0, "", now);
    limited["max_count"] = json!(2);
    let (_, limited) = direct(&node, "retrieve", limited).await;
    assert_eq!(limited["messages"].as_array().unwrap().len(), 2);
    assert_eq!(limited["more"], true);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_namespaces_need_the_owners_signature_to_store() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let id = bob.session_id().to_string();
    let node = testnet.swarm_for(&bob.session_id().to_bytes())[0].clone();
    let now = testnet.network_time_ms();
    let (status, body) = direct(&node, "store", store_params(&id, 5, b"cfg", now)).await;
    assert_eq!(
        (status, body.as_str()),
        (
            401,
            Some("store: signature required to store to namespace 5")
        )
    );
    let mut signed = store_params(&id, 5, b"cfg", now);
    signed["pubkey_ed25519"] = json!(hex::encode(bob.ed25519_public_key()));
    signed["signature"] = json!(b64(&bob.sign(format!("store5{now}").as_bytes())));
    let (status, body) = direct(&node, "store", signed.clone()).await;
    assert_eq!(status, 200, "{body}");
    signed["signature"] = json!(b64(&bob.sign(format!("store6{now}").as_bytes())));
    let (status, _) = direct(&node, "store", signed).await;
    assert_eq!(status, 401);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttl_limits_clock_checks_and_expiry() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let id = bob.session_id().to_string();
    let account = bob.session_id().to_bytes();
    let node = testnet.swarm_for(&account)[0].clone();
    let now = testnet.network_time_ms();
    let mut short = store_params(&id, 0, b"x", now);
    short["ttl"] = json!(9_999);
    let (status, body) = direct(&node, "store", short).await;
    assert_eq!(
        (status, body.as_str()),
        (403, Some("Provided expiry/TTL is not valid."))
    );
    let mut both = store_params(&id, 0, b"x", now);
    both["expiry"] = json!(now + TTL);
    assert_eq!(direct(&node, "store", both).await.0, 400);
    // More than 10 s in the future is a clock error.
    let (status, body) = direct(&node, "store", store_params(&id, 0, b"x", now + 11_000)).await;
    assert_eq!(
        (status, body.as_str()),
        (406, Some("Timestamp error: check your clock"))
    );
    // A retrieve signed 70 s ago is too old.
    let (status, _) = direct(
        &node,
        "retrieve",
        retrieve_params(&bob, 0, "", now - 70_000),
    )
    .await;
    assert_eq!(status, 406);
    // Expiry: a 10 s message disappears when the network's clock passes it.
    let mut ten = store_params(&id, 0, b"short-lived", now);
    ten["ttl"] = json!(10_000);
    assert_eq!(direct(&node, "store", ten).await.0, 200);
    assert_eq!(
        direct(&node, "store", store_params(&id, 0, b"kept", now))
            .await
            .0,
        200
    );
    assert_eq!(testnet.messages(&node, &account, 0).unwrap().len(), 2);
    testnet.advance_clock(Duration::from_millis(10_001));
    let later = testnet.network_time_ms();
    let (_, got) = direct(&node, "retrieve", retrieve_params(&bob, 0, "", later)).await;
    let got = got["messages"].as_array().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(unb64(got[0]["data"].as_str().unwrap()), b"kept");
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_from_every_member_with_signed_proofs() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let id = bob.session_id().to_string();
    let account = bob.session_id().to_bytes();
    let swarm = testnet.swarm_for(&account);
    let now = testnet.network_time_ms();
    for data in [b"one", b"two"] {
        assert_eq!(
            direct(&swarm[0], "store", store_params(&id, 0, data, now))
                .await
                .0,
            200
        );
    }
    let h1 = expected_hash(&account, 0, b"one");
    let sign = |hashes: &[&str]| b64(&bob.sign(format!("delete{}", hashes.concat()).as_bytes()));
    let params = |hashes: &[&str], sig: String, required: bool| {
        json!({"pubkey": id, "pubkey_ed25519": hex::encode(bob.ed25519_public_key()),
               "messages": hashes, "signature": sig, "required": required})
    };
    let (status, _) = direct(&swarm[1], "delete", params(&[&h1], sign(&["x"]), false)).await;
    assert_eq!(status, 401);
    let (status, body) = direct(&swarm[1], "delete", params(&[&h1], sign(&[&h1]), true)).await;
    assert_eq!(status, 200, "{body}");
    for member in &swarm {
        let entry = &body["swarm"][hex::encode(member.ed25519)];
        assert_eq!(entry["deleted"], json!([h1]));
        let sig: [u8; 64] = unb64(entry["signature"].as_str().unwrap())
            .try_into()
            .unwrap();
        let proof = format!("{}{h1}{h1}", hex::encode(account));
        assert!(sodium::verify(&sig, proof.as_bytes(), &member.ed25519));
        let left = testnet.messages(member, &account, 0).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].data, b"two");
    }
    // Deleting it again with `required` finds nothing: 404.
    let (status, _) = direct(&swarm[2], "delete", params(&[&h1], sign(&[&h1]), true)).await;
    assert_eq!(status, 404);
    // delete_all of namespace 0.
    let sig = b64(&bob.sign(format!("delete_all{now}").as_bytes()));
    let (status, body) = direct(
        &swarm[0],
        "delete_all",
        json!({"pubkey": id, "pubkey_ed25519": hex::encode(bob.ed25519_public_key()),
               "namespace": 0, "timestamp": now, "signature": sig}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let h2 = expected_hash(&account, 0, b"two");
    assert_eq!(
        body["swarm"][hex::encode(swarm[3].ed25519)]["deleted"],
        json!([h2])
    );
    assert!(testnet.messages(&swarm[3], &account, 0).unwrap().is_empty());
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_runs_all_and_sequence_stops_at_the_first_failure() {
    let testnet = Testnet::start().await.unwrap();
    let bob = identity(2);
    let id = bob.session_id().to_string();
    let node = testnet.swarm_for(&bob.session_id().to_bytes())[0].clone();
    let now = testnet.network_time_ms();
    let bad = json!({"method": "retrieve", "params": {"pubkey": id}});
    let good = json!({"method": "store", "params": store_params(&id, 0, b"z", now)});
    let info = json!({"method": "info", "params": {}});
    let (status, body) = direct(
        &node,
        "batch",
        json!({"requests": [bad.clone(), good.clone(), info.clone()]}),
    )
    .await;
    assert_eq!(status, 200);
    let codes: Vec<u64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_u64().unwrap())
        .collect();
    assert_eq!(codes, [401, 200, 200]);
    assert_eq!(
        body["results"][0]["body"],
        "retrieve: request signature required"
    );
    assert_eq!(body["results"][2]["body"]["version"], json!([2, 8, 0]));
    let (_, body) = direct(
        &node,
        "sequence",
        json!({"requests": [info.clone(), bad, good]}),
    )
    .await;
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    let nested = json!({"method": "batch", "params": {"requests": [info.clone()]}});
    let (_, body) = direct(&node, "batch", json!({"requests": [nested]})).await;
    assert_eq!(body["results"][0]["code"], 400);
    let many: Vec<Value> = (0..21).map(|_| info.clone()).collect();
    assert_eq!(
        direct(&node, "batch", json!({"requests": many})).await.0,
        400
    );
    let (status, body) = direct(&node, "no_such_method", json!({})).await;
    assert_eq!(
        (status, body.as_str()),
        (400, Some("no method no_such_method"))
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oxend_requests_list_the_nodes_and_resolve_registered_names() {
    let testnet = Testnet::start().await.unwrap();
    let node = testnet.snodes()[5].clone();
    let (status, body) = direct(
        &node,
        "oxend_request",
        json!({"endpoint": "get_service_nodes", "params": {"fields": {"public_ip": true, "pubkey_ed25519": true}}}),
    )
    .await;
    assert_eq!(status, 200);
    let states = body["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 12);
    assert_eq!(states[0].as_object().unwrap().len(), 2);
    assert!(matches!(
        testnet.register_ons("-bad", &[5; 33]),
        Err(TestnetError::InvalidOnsName { .. })
    ));
    let alice = identity(1).session_id().to_bytes();
    testnet.register_ons("Alice", &alice).unwrap();
    let (_, name_hash) = session_net::rpc::ons_name_hash("alice").unwrap();
    let (status, body) = direct(
        &node,
        "oxend_request",
        json!({"endpoint": "ons_resolve", "params": {"type": 0, "name_hash": b64(&name_hash)}}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        session_net::rpc::decrypt_ons_record("alice", &body).unwrap(),
        alice
    );
    // Through the onion, from three random snodes that must agree.
    let client = crate::common::client(&testnet, session_net::onion::EncType::XChaCha20);
    assert_eq!(client.resolve_ons("ALICE").await.unwrap(), alice);
    assert!(client.resolve_ons("nobody").await.is_err());
    testnet.shutdown().await;
}
