//! `SnodeNetwork` and `OnionTransport` end to end against the in-process fake network of
//! `fake.rs` (loopback only: 127.0.i.1 snodes, 127.0.0.1 seed and server).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod fake;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use http::{HeaderName, HeaderValue, StatusCode};
use session_crypto::Identity;
use session_net::onion::{EncType, OnionError};
use session_net::snode::{MemoryStore, SeedConfig, SnodeError, SnodeStore};
use session_net::{
    DirectTransport, HttpRequest, NetworkConfig, OnionTransport, SnodeNetwork, Transport,
    TransportError, danger,
};

fn network(net: &fake::FakeNet, enc: EncType, store: Arc<MemoryStore>) -> Arc<SnodeNetwork> {
    let seeds = SeedConfig::custom(vec![net.seed_url.parse().unwrap()], vec![]);
    let config = NetworkConfig::with_seeds(seeds).enc_type(enc);
    let snodes = DirectTransport::builder()
        .tls_config(danger::snode_tls_config())
        .build()
        .unwrap();
    let seed = DirectTransport::new().unwrap();
    Arc::new(SnodeNetwork::with_parts(
        config,
        Arc::new(snodes),
        Arc::new(seed),
        store,
    ))
}

#[tokio::test]
async fn bootstraps_from_the_seed_and_builds_two_three_hop_paths() {
    let net = fake::FakeNet::start(12, 3).await;
    let store = Arc::new(MemoryStore::default());
    let network = network(&net, EncType::XChaCha20, store.clone());
    let paths = network.paths().await.unwrap();
    assert_eq!(network.pool().await.len(), 12);
    assert_eq!(store.load_pool().len(), 12, "pool persisted");
    assert_eq!(paths.len(), 2);
    for p in &paths {
        assert_eq!(p.hops.len(), 3);
    }
    assert_eq!(store.load_guards().len(), 2, "guards persisted");
}

async fn sogs_over_onion(enc: EncType) {
    let net = fake::FakeNet::start(12, 3).await;
    let (sogs_url, sogs_key) = fake::fake_sogs().await;
    let network = network(&net, enc, Arc::new(MemoryStore::default()));
    let transport = OnionTransport::new(network.clone());
    let dyn_transport: Arc<dyn Transport> = Arc::new(transport.clone());
    let request = HttpRequest::post(
        format!("{sogs_url}/room/lobby/message?x=1")
            .parse()
            .unwrap(),
        "hello",
    )
    .with_header(
        HeaderName::from_static("x-sogs-pubkey"),
        HeaderValue::from_static("15ab"),
    )
    .with_destination_key(*sogs_key.public_key());
    let response = dyn_transport.send(request).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.content_type(), Some("application/json"));
    let echo: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["endpoint"], "/room/lobby/message?x=1");
    assert_eq!(echo["headers"]["x-sogs-pubkey"], "15ab");
    assert_eq!(echo["body"], "hello");
    // The path used is one of the built paths, and its guard saw the request.
    let path = transport.last_path().unwrap();
    assert!(network.paths().await.unwrap().contains(&path));
    assert!(
        net.node(&path.hops[0].ed25519)
            .onion_requests
            .load(Ordering::SeqCst)
            >= 1
    );

    // A 404 from the server is a response, not an error.
    let missing = dyn_transport
        .send(
            HttpRequest::get(format!("{sogs_url}/missing").parse().unwrap())
                .with_destination_key(*sogs_key.public_key()),
        )
        .await
        .unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&missing.body).unwrap()["body"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn sogs_requests_work_over_onion_with_xchacha20() {
    sogs_over_onion(EncType::XChaCha20).await;
}

#[tokio::test]
async fn sogs_requests_work_over_onion_with_aes_gcm() {
    sogs_over_onion(EncType::AesGcm).await;
}

#[tokio::test]
async fn onion_requests_without_a_server_key_are_rejected() {
    let net = fake::FakeNet::start(12, 3).await;
    let transport = OnionTransport::new(network(
        &net,
        EncType::XChaCha20,
        Arc::new(MemoryStore::default()),
    ));
    let err = transport
        .send(HttpRequest::get("http://127.0.0.1:1/x".parse().unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransportError::InvalidRequest { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_corrupt_server_reply_is_a_typed_error() {
    let net = fake::FakeNet::start(12, 3).await;
    let (sogs_url, sogs_key) = fake::fake_sogs().await;
    let transport = OnionTransport::new(network(
        &net,
        EncType::XChaCha20,
        Arc::new(MemoryStore::default()),
    ));
    let err = transport
        .send(
            HttpRequest::get(format!("{sogs_url}/corrupt").parse().unwrap())
                .with_destination_key(*sogs_key.public_key()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TransportError::Onion(OnionError::BadTag {
            what: "onion reply"
        })
    );
}

#[tokio::test]
async fn dead_guards_are_replaced_and_requests_succeed() {
    let net = fake::FakeNet::start(12, 3).await;
    let (sogs_url, sogs_key) = fake::fake_sogs().await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    let transport = OnionTransport::new(network.clone());
    let first_guards: Vec<[u8; 32]> = network
        .paths()
        .await
        .unwrap()
        .iter()
        .map(|p| p.hops[0].ed25519)
        .collect();
    for g in &first_guards {
        net.node(g).dead.store(true, Ordering::SeqCst);
    }
    let request = || {
        HttpRequest::get(format!("{sogs_url}/room/x").parse().unwrap())
            .with_destination_key(*sogs_key.public_key())
    };
    // Each request makes up to 3 attempts; three strikes drop a path and force a rebuild
    // with freshly tested guards. Bounded: at most 5 requests.
    let mut succeeded = None;
    for _ in 0..5 {
        if let Ok(r) = transport.send(request()).await {
            succeeded = Some(r);
            break;
        }
    }
    assert_eq!(
        succeeded
            .expect("a request succeeded after the rebuild")
            .status,
        StatusCode::OK
    );
    let guard = transport.last_path().unwrap().hops[0].ed25519;
    assert!(!first_guards.contains(&guard), "a dead guard was reused");
}

#[tokio::test]
async fn next_node_not_found_drops_the_node_and_the_request_succeeds() {
    let net = fake::FakeNet::start(12, 3).await;
    let (sogs_url, sogs_key) = fake::fake_sogs().await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    let transport = OnionTransport::new(network.clone());
    let paths = network.paths().await.unwrap();
    // The middle hops of both paths vanish from the network.
    let gone: Vec<[u8; 32]> = paths.iter().map(|p| p.hops[1].ed25519).collect();
    net.known.lock().unwrap().retain(|k| !gone.contains(k));
    let mut ok = false;
    for _ in 0..3 {
        ok |= transport
            .send(
                HttpRequest::get(format!("{sogs_url}/r").parse().unwrap())
                    .with_destination_key(*sogs_key.public_key()),
            )
            .await
            .is_ok();
        if ok {
            break;
        }
    }
    assert!(ok);
    let pool = network.pool().await;
    for g in &gone {
        assert!(pool.get(g).is_none() || !transport.last_path().unwrap().contains(g));
    }
    assert!(
        gone.iter().any(|g| pool.get(g).is_none()),
        "a missing node was dropped from the pool"
    );
}

#[tokio::test]
async fn stores_and_retrieves_a_dm_through_the_swarm() {
    let net = fake::FakeNet::start(12, 3).await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    let bob = Identity::from_seed(&[9u8; 16]).unwrap();
    let account = bob.session_id().to_bytes();
    let stored = network
        .store(&account, 0, b"sealed message", 60_000)
        .await
        .unwrap();
    assert!(stored.hash.is_some());
    assert_eq!(stored.stored_by.len(), 1);
    let got = network.retrieve(&bob, 0, None).await.unwrap();
    assert_eq!(got.messages.len(), 1);
    assert_eq!(got.messages[0].data, b"sealed message");
    assert_eq!(Some(&got.messages[0].hash), stored.hash.as_ref());
}

#[tokio::test]
async fn wrong_swarm_421_refreshes_the_swarm_and_retries() {
    let net = fake::FakeNet::start(12, 3).await;
    let store = Arc::new(MemoryStore::default());
    let network = network(&net, EncType::XChaCha20, store.clone());
    let bob = Identity::from_seed(&[9u8; 16]).unwrap();
    let account = bob.session_id().to_bytes();
    network.bootstrap().await.unwrap();
    // Cache a wrong swarm: the members of another swarm.
    let right = network
        .pool()
        .await
        .swarm_for(&account[1..].try_into().unwrap());
    let right_id = right[0].swarm_id;
    let wrong: Vec<[u8; 32]> = net
        .nodes
        .iter()
        .filter(|n| n.snode.swarm_id != right_id)
        .take(3)
        .map(|n| n.snode.ed25519)
        .collect();
    store.save_swarm(&account, &wrong);
    network.store(&account, 0, b"x", 60_000).await.unwrap();
    let cached = store.load_swarm(&account).unwrap();
    let mut expected: Vec<[u8; 32]> = right.iter().map(|s| s.ed25519).collect();
    let mut cached_sorted = cached.clone();
    expected.sort_unstable();
    cached_sorted.sort_unstable();
    assert_eq!(cached_sorted, expected, "swarm replaced by the 421 body");
}

#[tokio::test]
async fn clock_skew_is_learned_and_the_request_retried() {
    let net = fake::FakeNet::start(12, 3).await;
    for n in &net.nodes {
        n.skew_ms.store(10 * 60 * 1000, Ordering::SeqCst);
    }
    let network = network(&net, EncType::AesGcm, Arc::new(MemoryStore::default()));
    let bob = Identity::from_seed(&[9u8; 16]).unwrap();
    assert_eq!(network.clock().offset_ms(), 0);
    let got = network.retrieve(&bob, 0, None).await.unwrap();
    assert!(got.messages.is_empty());
    // Our clock is 10 minutes behind the network's: the offset is about −600 000 ms.
    assert!(
        network.clock().offset_ms() < -500_000,
        "{}",
        network.clock().offset_ms()
    );
}

#[tokio::test]
async fn network_time_and_ons_resolve() {
    let net = fake::FakeNet::start(12, 3).await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    assert!(network.network_time().await.unwrap() > 1_700_000_000_000);
    assert_eq!(network.resolve_ons("Alice").await.unwrap(), fake::ONS_ID);
    assert!(matches!(
        network.resolve_ons("bad name!").await,
        Err(SnodeError::Ons { .. })
    ));
}

#[tokio::test]
async fn pool_refresh_uses_snode_consensus_or_falls_back_to_the_seed() {
    // 26 nodes: three snodes agree on 26 ≥ 24, so their list is taken.
    let net = fake::FakeNet::start(26, 4).await;
    let big = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    assert_eq!(big.refresh_pool().await.unwrap(), 26);
    assert_eq!(
        net.seed_requests.load(Ordering::SeqCst),
        1,
        "only the bootstrap asked the seed"
    );
    // 12 nodes: too few to agree on; the seed's list is used.
    let net = fake::FakeNet::start(12, 3).await;
    let store = Arc::new(MemoryStore::default());
    let small = network(&net, EncType::XChaCha20, store.clone());
    assert_eq!(small.refresh_pool().await.unwrap(), 12);
    assert_eq!(
        net.seed_requests.load(Ordering::SeqCst),
        2,
        "no consensus: the seed was asked"
    );
    assert_eq!(store.load_pool().len(), 12);
}

#[tokio::test]
async fn unavailable_swarm_members_are_struck_and_another_member_answers() {
    let net = fake::FakeNet::start(12, 3).await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    let bob = Identity::from_seed(&[9u8; 16]).unwrap();
    let account = bob.session_id().to_bytes();
    let swarm = network.swarm_for(&account).await.unwrap();
    assert_eq!(swarm.len(), 4);
    // Two of the four members answer 503; three attempts always reach a healthy one.
    let down: Vec<[u8; 32]> = swarm.iter().take(2).map(|s| s.ed25519).collect();
    for ed in &down {
        net.node(ed).unavailable.store(true, Ordering::SeqCst);
    }
    network.store(&account, 0, b"x", 60_000).await.unwrap();
    let pool = network.pool().await;
    for ed in &down {
        let asked = net.node(ed).rpcs.load(Ordering::SeqCst);
        assert_eq!(usize::from(pool.strikes(ed)), asked, "one strike per 503");
    }
}

#[tokio::test]
async fn retrieves_several_namespaces_in_one_batch() {
    let net = fake::FakeNet::start(12, 3).await;
    let network = network(&net, EncType::XChaCha20, Arc::new(MemoryStore::default()));
    let bob = Identity::from_seed(&[9u8; 16]).unwrap();
    let account = bob.session_id().to_bytes();
    network.store(&account, 0, b"dm", 60_000).await.unwrap();
    network
        .store(&account, -10, b"legacy group", 60_000)
        .await
        .unwrap();
    let results = network
        .retrieve_namespaces(&bob, &[(0, None), (-10, None), (5, None)])
        .await
        .unwrap();
    let data: Vec<Vec<Vec<u8>>> = results
        .into_iter()
        .map(|r| r.unwrap().messages.into_iter().map(|m| m.data).collect())
        .collect();
    assert_eq!(
        data,
        vec![vec![b"dm".to_vec()], vec![b"legacy group".to_vec()], vec![]]
    );
    assert!(matches!(
        network.retrieve_namespaces(&bob, &[]).await,
        Err(SnodeError::BadRequest { .. })
    ));
}
