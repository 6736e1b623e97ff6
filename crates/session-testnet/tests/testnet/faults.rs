//! Faults, and how the session-net client copes with them (issue 7 §4).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use session_net::onion::{self, Destination, EncType, OnionError, PathErrorKind};
use session_net::rpc::RpcRequest;
use session_net::snode::{MemoryStore, PathConfig, SnodeError, SnodeStore};
use session_net::{HttpRequest, OnionTransport, Transport, TransportError};
use session_testnet::{Fault, Rate, Target, Testnet};

use crate::common::{client, client_with, expected_hash, identity, snode_transport};
use crate::echo::EchoServer;

const TTL: u64 = 60_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_guard_gets_its_path_rebuilt_and_the_request_succeeds() {
    let testnet = Testnet::start().await.unwrap();
    // One path, so that every attempt goes through the dead guard until the third strike
    // drops the path; the fourth attempt uses the rebuilt one.
    let mut config = testnet
        .network_config()
        .paths(PathConfig::new(1, 3))
        .enc_type(EncType::XChaCha20);
    config.attempts = 4;
    let client = client_with(&testnet, config, Arc::default());
    let old = client.paths().await.unwrap()[0].clone();
    let dead = old.hops[0].clone();
    testnet.set_fault(&dead, Fault::DEAD).unwrap();
    // A server destination, so that no path is ever refused for containing it.
    let echo = EchoServer::start().await;
    let transport = OnionTransport::new(client.clone());
    let r = transport
        .send(
            HttpRequest::get(format!("{}/room/x", echo.url).parse().unwrap())
                .with_destination_key(*echo.key.public_key()),
        )
        .await
        .unwrap();
    assert!(r.is_success());
    assert_eq!(transport.last_path().unwrap().hops.len(), 3);
    let new = client.paths().await.unwrap()[0].clone();
    assert_ne!(
        new.hops[0].ed25519, dead.ed25519,
        "the dead guard was reused"
    );
    assert!(client.pool().await.get(&dead.ed25519).is_none());
    // The dead guard saw exactly the three attempts (dropped), nothing after.
    let s = testnet.stats(&dead).unwrap();
    assert_eq!((s.dropped, s.onion_requests), (3, 0));
    testnet.shutdown().await;
}

/// The unlucky draw with the default two paths: every attempt lands on the dead guard's
/// path (forced here: the destination sits on the other path, so the dead one is the only
/// choice). The third strike drops the paths; the request is still answered, over a freshly
/// built path, and the dead guard is never asked again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_guard_leads_to_a_rebuilt_path_even_when_every_attempt_lands_on_it() {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    let paths = client.paths().await.unwrap();
    assert_eq!(paths.len(), 2);
    let dead = paths[0].hops[0].clone();
    let target = paths[1].hops[1].clone();
    testnet.set_fault(&dead, Fault::DEAD).unwrap();
    let delivered = client
        .send_onion(
            &Destination::Snode(target.hop_keys()),
            &RpcRequest::info().to_bytes(),
        )
        .await
        .unwrap();
    let onion::OnionReply::Snode(reply) = delivered.reply else {
        panic!("server-shaped reply")
    };
    assert_eq!(reply.status, 200);
    assert!(reply.json().unwrap()["timestamp"].as_u64().is_some());
    assert!(!delivered.path.contains(&dead.ed25519));
    assert!(!delivered.path.contains(&target.ed25519));
    assert_eq!(testnet.stats(&target).unwrap().onion_rpcs, 1);
    let s = testnet.stats(&dead).unwrap();
    assert_eq!((s.dropped, s.onion_requests), (3, 0));
    assert!(client.pool().await.get(&dead.ed25519).is_none());
    assert!(
        client
            .paths()
            .await
            .unwrap()
            .iter()
            .all(|p| !p.contains(&dead.ed25519))
    );
    testnet.shutdown().await;
}

/// The same with the draw left to chance, as a SOGS request meets it: 16 fresh clients with
/// the default two paths, each with one guard dead, each answered at its first request
/// (before the fix about 1 in 8 failed: all 16 rounds passed only 12 % of the time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_with_a_dead_guard_gets_its_first_request_answered() {
    let testnet = Testnet::start().await.unwrap();
    let echo = EchoServer::start().await;
    for _ in 0..16 {
        let client = client(&testnet, EncType::XChaCha20);
        let dead = client.paths().await.unwrap()[0].hops[0].clone();
        testnet.set_fault(&dead, Fault::DEAD).unwrap();
        let transport = OnionTransport::new(client.clone());
        let r = transport
            .send(
                HttpRequest::get(format!("{}/room/x", echo.url).parse().unwrap())
                    .with_destination_key(*echo.key.public_key()),
            )
            .await
            .unwrap();
        assert!(r.is_success());
        assert!(!transport.last_path().unwrap().contains(&dead.ed25519));
        testnet.clear_faults(&dead).unwrap();
    }
    testnet.shutdown().await;
}

/// With a single path, a request to a snode on it (a relay or the guard itself) goes around
/// it: a detour for this request only, the kept path unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_a_snode_on_the_only_path_goes_around_it() {
    let testnet = Testnet::start().await.unwrap();
    let config = testnet.network_config().paths(PathConfig::new(1, 3));
    let client = client_with(&testnet, config, Arc::default());
    let kept = client.paths().await.unwrap();
    assert_eq!(kept.len(), 1);
    for on_path in &kept[0].hops {
        let delivered = client
            .send_onion(
                &Destination::Snode(on_path.hop_keys()),
                &RpcRequest::info().to_bytes(),
            )
            .await
            .unwrap();
        let onion::OnionReply::Snode(reply) = delivered.reply else {
            panic!("server-shaped reply")
        };
        assert_eq!(reply.status, 200);
        assert_eq!(delivered.path.hops.len(), 3);
        assert!(!delivered.path.contains(&on_path.ed25519));
        let mut subnets: Vec<[u8; 3]> = delivered.path.hops.iter().map(|h| h.subnet24()).collect();
        subnets.sort_unstable();
        subnets.dedup();
        assert_eq!(subnets.len(), 3, "hops in distinct /24s");
        assert_eq!(testnet.stats(on_path).unwrap().onion_rpcs, 1);
    }
    assert_eq!(client.paths().await.unwrap(), kept);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_swarm_is_learned_from_the_421_and_the_store_lands_there() {
    let testnet = Testnet::start().await.unwrap();
    let store = Arc::new(MemoryStore::default());
    let client = client_with(&testnet, testnet.network_config(), store.clone());
    client.bootstrap().await.unwrap();
    let bob = identity(2);
    let account = bob.session_id().to_bytes();
    // The client's pool says bob's swarm is `old`; the network swaps it with another.
    let old = testnet.swarm_for(&account);
    let (old_id, other_id) = (old[0].swarm_id, {
        let ids = testnet.swarm_ids();
        *ids.iter().find(|id| **id != old[0].swarm_id).unwrap()
    });
    let other: Vec<_> = testnet
        .snodes()
        .into_iter()
        .filter(|s| s.swarm_id == other_id)
        .collect();
    for s in &old {
        testnet.move_to_swarm(s, other_id).unwrap();
    }
    for s in &other {
        testnet.move_to_swarm(s, old_id).unwrap();
    }
    let new = testnet.swarm_for(&account);
    assert_eq!(
        new.iter().map(|s| s.index).collect::<Vec<_>>(),
        other.iter().map(|s| s.index).collect::<Vec<_>>()
    );
    let stored = client
        .store(&account, 0, b"after the move", TTL)
        .await
        .unwrap();
    assert_eq!(
        stored.hash.unwrap(),
        expected_hash(&account, 0, b"after the move")
    );
    // Exactly one stale member was asked and answered 421; the cached swarm is the new one.
    let refusals: u64 = old
        .iter()
        .map(|s| testnet.stats(s).unwrap().wrong_swarm)
        .sum();
    assert_eq!(refusals, 1);
    let mut cached = store.load_swarm(&account).unwrap();
    let mut expected: Vec<[u8; 32]> = new.iter().map(|s| s.ed25519).collect();
    cached.sort_unstable();
    expected.sort_unstable();
    assert_eq!(cached, expected);
    for s in &new {
        assert_eq!(testnet.messages(s, &account, 0).unwrap().len(), 1);
    }
    for s in &old {
        assert!(testnet.messages(s, &account, 0).unwrap().is_empty());
    }
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_answering_421_are_left_out_and_the_store_reaches_the_rest() {
    let testnet = Testnet::start().await.unwrap();
    let store = Arc::new(MemoryStore::default());
    let client = client_with(&testnet, testnet.network_config(), store.clone());
    let bob = identity(2);
    let account = bob.session_id().to_bytes();
    let swarm = testnet.swarm_for(&account);
    for s in &swarm[1..] {
        testnet.set_fault(s, Fault::Answer(421)).unwrap();
    }
    assert_eq!(testnet.swarm_for(&account), swarm[..1].to_vec());
    client.store(&account, 0, b"x", TTL).await.unwrap();
    assert_eq!(testnet.messages(&swarm[0], &account, 0).unwrap().len(), 1);
    for s in &swarm[1..] {
        assert!(testnet.messages(s, &account, 0).unwrap().is_empty());
    }
    // If the client met a refusing member, it replaced its swarm with the one left.
    if testnet.stats(Target::All).unwrap().wrong_swarm > 0 {
        assert_eq!(store.load_swarm(&account).unwrap(), vec![swarm[0].ed25519]);
    }
    testnet.shutdown().await;
}

async fn clock_offset_is_learned(skew_ms: i64) {
    let testnet = Testnet::start().await.unwrap();
    testnet
        .set_fault(Target::All, Fault::ClockSkew(skew_ms))
        .unwrap();
    let client = client(&testnet, EncType::AesGcm);
    let bob = identity(2);
    assert_eq!(client.clock().offset_ms(), 0);
    // Signed with our clock, the retrieve is 10 minutes off: 406, then the client asks the
    // node's time, corrects its offset, and retries.
    let got = client.retrieve(&bob, 0, None).await.unwrap();
    assert!(got.messages.is_empty());
    let offset = client.clock().offset_ms();
    assert!(
        (offset + skew_ms).abs() < 30_000,
        "offset {offset} for skew {skew_ms}"
    );
    // A store now carries the network's time.
    let account = bob.session_id().to_bytes();
    client.store(&account, 0, b"on time", TTL).await.unwrap();
    let held = testnet
        .messages(&testnet.swarm_for(&account)[0], &account, 0)
        .unwrap();
    let node_now = testnet.network_time_ms() as i64 + skew_ms;
    assert!((held[0].timestamp_ms as i64 - node_now).abs() < 30_000);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_ten_minutes_ahead_is_learned_and_requests_succeed() {
    clock_offset_is_learned(10 * 60 * 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_ten_minutes_behind_is_learned_and_requests_succeed() {
    clock_offset_is_learned(-10 * 60 * 1000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_reply_is_a_typed_error() {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    let target = testnet.snodes()[4].clone();
    testnet
        .set_fault(&target, Fault::CorruptReply(Rate::ALWAYS))
        .unwrap();
    let err = client
        .rpc(&target.snode(), &|_| RpcRequest::info())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SnodeError::Onion(OnionError::BadTag {
            what: "onion reply"
        })
    );
    assert!(testnet.stats(&target).unwrap().corrupted >= 1);
    // A server reply corrupted on its way back is a typed error too.
    testnet.clear_faults(&target).unwrap();
    testnet
        .set_fault(Target::All, Fault::CorruptReply(Rate::ALWAYS))
        .unwrap();
    let echo = EchoServer::start().await;
    let err = OnionTransport::new(client.clone())
        .send(
            HttpRequest::get(format!("{}/x", echo.url).parse().unwrap())
                .with_destination_key(*echo.key.public_key()),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err,
        TransportError::Onion(OnionError::BadTag {
            what: "onion reply"
        })
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_statuses_surface_as_their_error_variants() {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    let nodes = testnet.snodes();
    let (a, b) = (nodes[5].clone(), nodes[6].clone());
    testnet.set_fault(&a, Fault::Answer(406)).unwrap();
    testnet.set_fault(&b, Fault::Answer(425)).unwrap();
    for (node, status) in [(&a, 406), (&b, 425)] {
        match client.rpc(&node.snode(), &|_| RpcRequest::info()).await {
            Err(SnodeError::ClockSkew { status: s, .. }) => assert_eq!(s, status),
            other => panic!("{status}: {other:?}"),
        }
    }
    assert!(matches!(
        testnet.set_fault(&a, Fault::Answer(600)),
        Err(session_testnet::TestnetError::InvalidFault { .. })
    ));
    // 5xx statuses are hop-level: a relay answering 503 fails the path in plain text.
    let path = [
        nodes[0].hop_keys(),
        nodes[1].hop_keys(),
        nodes[2].hop_keys(),
    ];
    testnet.set_fault(&nodes[1], Fault::Answer(503)).unwrap();
    let req = onion::build(
        &path,
        &Destination::Snode(nodes[3].hop_keys()),
        &RpcRequest::info().to_bytes(),
        EncType::AesGcm,
    )
    .unwrap();
    let url = format!("{}/onion_req/v2", nodes[0].url()).parse().unwrap();
    let r = snode_transport()
        .send(HttpRequest::post(url, req.body))
        .await
        .unwrap();
    assert_eq!(
        req.reply.open(r.status.as_u16(), &r.body).unwrap_err(),
        OnionError::Path {
            status: 503,
            kind: PathErrorKind::SnodeNotReady,
            text: format!("Snode not ready: {}", hex::encode(nodes[1].ed25519)),
        }
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_slower_than_the_hop_timeout_is_a_504_request_time_out() {
    let testnet = Testnet::builder()
        .hop_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let nodes = testnet.snodes();
    testnet
        .set_fault(&nodes[1], Fault::Delay(Duration::from_secs(2)))
        .unwrap();
    let path = [
        nodes[0].hop_keys(),
        nodes[1].hop_keys(),
        nodes[2].hop_keys(),
    ];
    let req = onion::build(
        &path,
        &Destination::Snode(nodes[3].hop_keys()),
        &RpcRequest::info().to_bytes(),
        EncType::XChaCha20,
    )
    .unwrap();
    let url = format!("{}/onion_req/v2", nodes[0].url()).parse().unwrap();
    let r = snode_transport()
        .send(HttpRequest::post(url, req.body))
        .await
        .unwrap();
    assert_eq!(
        req.reply.open(r.status.as_u16(), &r.body).unwrap_err(),
        OnionError::Path {
            status: 504,
            kind: PathErrorKind::Timeout,
            text: "Request time out".into(),
        }
    );
    testnet.shutdown().await;
}

/// Issue 7 §4: 1 000 stores with 10 % injected drops (half before the work, half after it,
/// on every snode), retried: each is answered exactly once, and no snode holds a message
/// twice. Bounded: at most `TRIES` calls per message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_stores_with_ten_percent_drops_are_each_answered_once_and_stored_once() {
    const MESSAGES: usize = 1000;
    const WORKERS: usize = 8;
    const TRIES: usize = 10;
    let testnet = Testnet::builder().seed(7).start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    client.bootstrap().await.unwrap();
    testnet
        .set_fault(Target::All, Fault::Drop(Rate::percent(5)))
        .unwrap();
    testnet
        .set_fault(Target::All, Fault::DropReply(Rate::percent(5)))
        .unwrap();
    // One recipient per worker, spread over the swarms.
    let recipients: Vec<[u8; 33]> = (0..WORKERS)
        .map(|w| identity(10 + w as u8).session_id().to_bytes())
        .collect();
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (client, next, recipients) = (client.clone(), next.clone(), recipients.clone());
        workers.spawn(async move {
            let mut answers = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= MESSAGES {
                    break;
                }
                let account = recipients[i % WORKERS];
                let data = format!("message {i}").into_bytes();
                let mut answer = None;
                for _ in 0..TRIES {
                    if let Ok(r) = client.store(&account, 0, &data, TTL).await {
                        answer = Some(r);
                        break;
                    }
                }
                answers.push((i, answer.map(|r| r.hash)));
            }
            answers
        });
    }
    let mut answered: Vec<Option<String>> = vec![None; MESSAGES];
    let mut answers = 0;
    while let Some(batch) = workers.join_next().await {
        for (i, hash) in batch.unwrap() {
            assert!(answered[i].is_none(), "message {i} answered twice");
            let hash = hash.unwrap_or_else(|| panic!("message {i} never answered"));
            answered[i] = Some(hash.expect("a store answer carries the hash"));
            answers += 1;
        }
    }
    assert_eq!(answers, MESSAGES);
    for (i, hash) in answered.iter().enumerate() {
        let data = format!("message {i}");
        assert_eq!(
            hash.as_deref(),
            Some(expected_hash(&recipients[i % WORKERS], 0, data.as_bytes()).as_str())
        );
    }
    // Storage: every swarm member of every recipient holds each of its messages once.
    testnet.clear_faults(Target::All).unwrap();
    for (w, account) in recipients.iter().enumerate() {
        let expected: HashSet<String> = (0..MESSAGES)
            .filter(|i| i % WORKERS == w)
            .map(|i| expected_hash(account, 0, format!("message {i}").as_bytes()))
            .collect();
        for member in testnet.swarm_for(account) {
            let held = testnet.messages(&member, account, 0).unwrap();
            let hashes: HashSet<String> = held.iter().map(|m| m.hash.clone()).collect();
            assert_eq!(hashes.len(), held.len(), "a message stored twice");
            assert_eq!(hashes, expected);
        }
    }
    // The faults did strike, and retries of stores whose answers were lost met the copy
    // already stored instead of storing it again.
    let total = testnet.stats(Target::All).unwrap();
    assert!(total.dropped > 0 && total.dropped_replies > 0, "{total:?}");
    assert!(total.duplicate_stores > 0, "{total:?}");
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_node_dead_is_an_error_not_a_hang() {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    client.bootstrap().await.unwrap();
    testnet.set_fault(Target::All, Fault::DEAD).unwrap();
    let target = testnet.snodes()[0].snode();
    let err = client
        .rpc(&target, &|_| RpcRequest::info())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SnodeError::InsufficientSnodes { .. } | SnodeError::Transport(_)
        ),
        "{err:?}"
    );
    testnet.shutdown().await;
}
