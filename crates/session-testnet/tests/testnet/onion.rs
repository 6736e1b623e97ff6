//! `/onion_req/v2` relay semantics (network.md §3.5): snode RPC through a path, proxying to
//! an HTTP server on loopback, and every error form a hop produces.

use base64::Engine as _;
use http::StatusCode;
use serde_json::{Value, json};
use session_crypto::X25519Keypair;
use session_crypto::onion::HopCipher;
use session_net::onion::{
    self, Destination, EncType, HopKeys, LayerSecret, OnionError, OnionReply, OnionSecrets,
    PathErrorKind, Protocol, ServerDestination, V4Request,
};
use session_net::rpc::RpcRequest;
use session_net::snode::SnodeError;
use session_net::{HttpRequest, OnionTransport, Transport, TransportError};
use session_testnet::{SnodeInfo, Testnet};
use zeroize::Zeroizing;

use crate::common::{client, snode_transport};
use crate::echo::EchoServer;

/// POSTs an onion body to a guard and returns its status and body.
async fn post_to_guard(guard: &SnodeInfo, body: Vec<u8>) -> (u16, Vec<u8>) {
    let url = format!("{}/onion_req/v2", guard.url()).parse().unwrap();
    let r = snode_transport()
        .send(HttpRequest::post(url, body))
        .await
        .unwrap();
    (r.status.as_u16(), r.body.to_vec())
}

fn path_of(nodes: &[SnodeInfo]) -> Vec<HopKeys> {
    nodes.iter().map(SnodeInfo::hop_keys).collect()
}

async fn snode_rpc_goes_through_three_relays(enc: EncType) {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, enc);
    let target = testnet.snodes()[7].clone();
    let delivered = client
        .send_onion(
            &Destination::Snode(target.hop_keys()),
            &RpcRequest::info().to_bytes(),
        )
        .await
        .unwrap();
    let OnionReply::Snode(reply) = delivered.reply else {
        panic!("server-shaped reply")
    };
    assert_eq!(reply.status, 200);
    let info = reply.json().unwrap();
    assert_eq!(info["version"], json!([2, 8, 0]));
    assert_eq!(info["hf"], json!([19, 3]));
    // Path shape: every hop peeled one layer and relayed once; the destination ran the RPC
    // and relayed nothing; nobody else saw an onion request.
    assert!(!delivered.path.contains(&target.ed25519));
    for hop in &delivered.path.hops {
        let s = testnet.stats(hop.ed25519).unwrap();
        assert_eq!((s.onion_requests, s.relayed, s.onion_rpcs), (1, 1, 0));
    }
    let d = testnet.stats(&target).unwrap();
    assert_eq!((d.onion_requests, d.relayed, d.onion_rpcs), (1, 0, 1));
    assert_eq!(
        testnet
            .stats(session_testnet::Target::All)
            .unwrap()
            .onion_requests,
        4
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snode_rpc_goes_through_three_relays_with_xchacha20() {
    snode_rpc_goes_through_three_relays(EncType::XChaCha20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snode_rpc_goes_through_three_relays_with_aes_gcm() {
    snode_rpc_goes_through_three_relays(EncType::AesGcm).await;
}

async fn loopback_servers_are_onion_destinations(enc: EncType) {
    let testnet = Testnet::start().await.unwrap();
    let echo = EchoServer::start().await;
    let transport = OnionTransport::new(client(&testnet, enc));
    let request = HttpRequest::post(
        format!("{}/room/lobby/message", echo.url).parse().unwrap(),
        "hi",
    )
    .with_header(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    )
    .with_destination_key(*echo.key.public_key());
    let r = transport.send(request).await.unwrap();
    assert_eq!(r.status, StatusCode::OK);
    let echoed: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["endpoint"], "/room/lobby/message");
    assert_eq!(echoed["body"], "hi");
    // The last hop proxied it; the server's 404 comes back untouched.
    let path = transport.last_path().unwrap();
    assert_eq!(testnet.stats(path.hops[2].ed25519).unwrap().proxied, 1);
    let missing = transport
        .send(
            HttpRequest::get(format!("{}/missing", echo.url).parse().unwrap())
                .with_destination_key(*echo.key.public_key()),
        )
        .await
        .unwrap();
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_servers_are_onion_destinations_with_xchacha20() {
    loopback_servers_are_onion_destinations(EncType::XChaCha20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_servers_are_onion_destinations_with_aes_gcm() {
    loopback_servers_are_onion_destinations(EncType::AesGcm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_down_is_a_502_bad_gateway_and_hosts_off_loopback_are_refused() {
    let testnet = Testnet::start().await.unwrap();
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let transport = OnionTransport::new(client(&testnet, EncType::XChaCha20));
    let err = transport
        .send(
            HttpRequest::get(format!("http://127.0.0.1:{port}/room").parse().unwrap())
                .with_destination_key([9; 32]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TransportError::Onion(OnionError::Path {
                status: 502,
                kind: PathErrorKind::BadGateway,
                ..
            })
        ),
        "{err:?}"
    );
    // A documentation address (TEST-NET-1) is never contacted.
    let nodes = testnet.snodes();
    let server = ServerDestination::new("192.0.2.1", 80, Protocol::Http, [9; 32]);
    let req = onion::build_v4(
        &path_of(&nodes[..3]),
        &server,
        &V4Request::new("GET", "/"),
        EncType::XChaCha20,
    )
    .unwrap();
    // (The request above may have left through nodes[2]: count from here.)
    let proxied = testnet.stats(&nodes[2]).unwrap().proxied;
    let (status, body) = post_to_guard(&nodes[0], req.body).await;
    assert_eq!(status, 502, "{}", String::from_utf8_lossy(&body));
    assert_eq!(testnet.stats(&nodes[2]).unwrap().proxied, proxied);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_for_the_wrong_key_is_invalid_ciphertext_in_plain_text() {
    let testnet = Testnet::start().await.unwrap();
    let nodes = testnet.snodes();
    let mut path = path_of(&nodes[..3]);
    path[1].x25519 = *X25519Keypair::generate().unwrap().public_key();
    let req = onion::build(
        &path,
        &Destination::Snode(nodes[3].hop_keys()),
        &RpcRequest::info().to_bytes(),
        EncType::AesGcm,
    )
    .unwrap();
    let (status, body) = post_to_guard(&nodes[0], req.body).await;
    assert_eq!((status, body.as_slice()), (400, &b"Invalid ciphertext"[..]));
    assert_eq!(
        req.reply.open(status, &body).unwrap_err(),
        OnionError::Path {
            status: 400,
            kind: PathErrorKind::InvalidCiphertext,
            text: "Invalid ciphertext".into()
        }
    );
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_next_node_is_502_next_node_not_found() {
    let testnet = Testnet::start().await.unwrap();
    let nodes = testnet.snodes();
    testnet.deregister(&nodes[2]).unwrap();
    let req = onion::build(
        &path_of(&nodes[..3]),
        &Destination::Snode(nodes[3].hop_keys()),
        &RpcRequest::info().to_bytes(),
        EncType::XChaCha20,
    )
    .unwrap();
    let (status, body) = post_to_guard(&nodes[0], req.body).await;
    assert_eq!(status, 502);
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        format!("Next node not found: {}", hex::encode(nodes[2].ed25519))
    );
    match req.reply.open(status, &body).unwrap_err() {
        OnionError::Path {
            kind: PathErrorKind::NodeNotFound { ed25519 },
            ..
        } => assert_eq!(ed25519, nodes[2].ed25519),
        other => panic!("{other:?}"),
    }
    // The seed no longer lists it either.
    let pool = testnet.seed_config();
    let listed = pool.fetch(&pool.transport().unwrap()).await.unwrap();
    assert_eq!(listed.len(), 11);
    assert!(listed.iter().all(|s| s.ed25519 != nodes[2].ed25519));
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_fifteen_hops_is_refused() {
    let testnet = Testnet::start().await.unwrap();
    let nodes = testnet.snodes();
    let req = onion::build(
        &path_of(&nodes[..3]),
        &Destination::Snode(nodes[3].hop_keys()),
        &RpcRequest::info().to_bytes(),
        EncType::XChaCha20,
    )
    .unwrap();
    // Claim the guard is already hop 15: the next hop would be the 16th.
    let (ciphertext, meta) = onion::parse_frame(&req.body).unwrap();
    let mut meta: Value = serde_json::from_slice(meta).unwrap();
    meta["hop_no"] = json!(15);
    let body = onion::frame(ciphertext, meta.to_string().as_bytes()).unwrap();
    let (status, text) = post_to_guard(&nodes[0], body).await;
    assert_eq!(
        (status, String::from_utf8(text).unwrap().as_str()),
        (400, "onion request max path length exceeded")
    );
    assert_eq!(testnet.stats(&nodes[1]).unwrap().relayed, 0);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_frames_and_inner_json_get_the_storage_server_answers() {
    let testnet = Testnet::start().await.unwrap();
    let guard = testnet.snodes()[0].clone();
    let (status, text) = post_to_guard(&guard, b"\x01".to_vec()).await;
    assert_eq!(status, 400);
    assert!(
        String::from_utf8(text)
            .unwrap()
            .starts_with("Error parsing onion request: ")
    );
    // A layer that decrypts to something that is not a frame: the answer is 200 with
    // {"status":400,"body":"Invalid json"} encrypted with that layer's key.
    let ephemeral = X25519Keypair::generate().unwrap();
    let cipher = HopCipher::client(&ephemeral, &guard.x25519, EncType::XChaCha20).unwrap();
    let layer = cipher.encrypt(b"not a frame").unwrap();
    let meta =
        json!({"ephemeral_key": hex::encode(ephemeral.public_key()), "enc_type": "xchacha20"});
    let body = onion::frame(&layer, meta.to_string().as_bytes()).unwrap();
    let (status, reply) = post_to_guard(&guard, body).await;
    assert_eq!(status, 200);
    let reply = base64::engine::general_purpose::STANDARD
        .decode(reply)
        .unwrap();
    let plain: Value = serde_json::from_slice(&cipher.decrypt(&reply).unwrap()).unwrap();
    assert_eq!(plain, json!({"status": 400, "body": "Invalid json"}));
    testnet.shutdown().await;
}

fn fixed_secrets(enc: EncType, hops: usize) -> OnionSecrets {
    let nonce_len = match enc {
        EncType::AesGcm => 12,
        _ => 24,
    };
    let layer = |b: u8| LayerSecret {
        ephemeral_secret: Zeroizing::new([b; 32]),
        nonce: vec![b; nonce_len],
    };
    OnionSecrets {
        destination: layer(0x40),
        hops: (0..hops).map(|i| layer(0x41 + i as u8)).collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_proxy_target_is_answered_invalid_url_under_the_last_hops_key() {
    let testnet = Testnet::start().await.unwrap();
    let nodes = testnet.snodes();
    let echo = EchoServer::start().await;
    let port = echo.url.rsplit(':').next().unwrap().parse().unwrap();
    let mut server =
        ServerDestination::new("127.0.0.1", port, Protocol::Http, *echo.key.public_key());
    server.target = "/not/an/onion/endpoint".into();
    let enc = EncType::AesGcm;
    let secrets = fixed_secrets(enc, 3);
    let req = onion::build_with_secrets(
        &path_of(&nodes[..3]),
        &Destination::Server(server),
        &V4Request::new("GET", "/").encode(),
        enc,
        &secrets,
    )
    .unwrap();
    let (status, body) = post_to_guard(&nodes[0], req.body).await;
    assert_eq!(status, 200);
    // The client reads it as the typed path error...
    assert_eq!(
        req.reply.open(status, &body).unwrap_err(),
        OnionError::Path {
            status: 400,
            kind: PathErrorKind::InvalidUrl,
            text: "Invalid url".into()
        }
    );
    // ...because it is sealed with the third hop's layer key (SS wrap_proxy_response).
    let hop3 = X25519Keypair::from_secret(*secrets.hops[2].ephemeral_secret);
    let cipher = HopCipher::client(&hop3, &nodes[2].x25519, enc).unwrap();
    let sealed = base64::engine::general_purpose::STANDARD
        .decode(&body)
        .unwrap();
    let plain: Value = serde_json::from_slice(&cipher.decrypt(&sealed).unwrap()).unwrap();
    assert_eq!(plain, json!({"status": 400, "body": "Invalid url"}));
    assert_eq!(testnet.stats(&nodes[2]).unwrap().proxied, 0);
    testnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_gets_invalid_url_once_and_strikes_no_path() {
    let testnet = Testnet::start().await.unwrap();
    let client = client(&testnet, EncType::XChaCha20);
    let echo = EchoServer::start().await;
    let port = echo.url.rsplit(':').next().unwrap().parse().unwrap();
    let mut server =
        ServerDestination::new("127.0.0.1", port, Protocol::Http, *echo.key.public_key());
    server.target = "/oxen/v4/lsrpc?x=1".into();
    let paths = client.paths().await.unwrap();
    let err = client
        .server_request(&server, &V4Request::new("GET", "/"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SnodeError::Onion(OnionError::Path {
            status: 400,
            kind: PathErrorKind::InvalidUrl,
            text: "Invalid url".into()
        })
    );
    // One attempt (our target is wrong, not the path), no strike, the paths unchanged.
    let total = testnet.stats(session_testnet::Target::All).unwrap();
    assert_eq!((total.onion_requests, total.proxied), (3, 0));
    let pool = client.pool().await;
    for hop in paths.iter().flat_map(|p| &p.hops) {
        assert_eq!(pool.strikes(&hop.ed25519), 0);
    }
    assert_eq!(client.paths().await.unwrap(), paths);
    testnet.shutdown().await;
}
