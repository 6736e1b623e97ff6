//! A small in-process Session network for the tests: a seed on 127.0.0.1 and snodes on
//! 127.0.i.1 (distinct /24s) speaking HTTPS with the test snode certificate, peeling onion
//! layers with `session_net::onion::peel`, relaying, proxying to HTTP servers, and running a
//! minimal storage RPC with swarms. Fault knobs per node: dead, clock skew.
//!
//! (The full local network with every fault knob is `session-testnet`; this keeps
//! session-net's own tests free of a dependency cycle.)

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::{Value, json};
use session_crypto::X25519Keypair;
use session_net::onion::{self, HopInstruction, ServerLayer, V4Response};
use session_net::snode::Snode;
use session_net::{DirectTransport, HttpRequest, Transport, danger};
use tokio::net::TcpListener;

const SNODE_CERT: &[u8] = include_bytes!("../../fixtures/snode.cert.der");
const SNODE_KEY: &[u8] = include_bytes!("../../fixtures/snode.key.der");

/// One fake snode.
pub struct Node {
    pub snode: Snode,
    pub key: X25519Keypair,
    pub dead: AtomicBool,
    pub skew_ms: AtomicI64,
    pub onion_requests: AtomicUsize,
    /// Answers every RPC with 503 `Snode not ready`.
    pub unavailable: AtomicBool,
    /// RPCs run as a destination.
    pub rpcs: AtomicUsize,
}

type Store = Mutex<HashMap<String, Vec<(String, u64, String)>>>;

/// The whole fake network.
pub struct FakeNet {
    pub nodes: Vec<Arc<Node>>,
    /// Snodes the relays know (removing one makes relays answer "Next node not found").
    pub known: Mutex<Vec<[u8; 32]>>,
    pub storage: Store,
    pub seed_url: String,
    pub seed_requests: AtomicUsize,
    relay: DirectTransport,
}

fn now_ms() -> u64 {
    session_net::clock::local_now_ms()
}

impl FakeNet {
    /// `n` snodes in `swarms` swarms and a seed.
    pub async fn start(n: u8, swarms: u8) -> Arc<Self> {
        let mut nodes = Vec::new();
        let mut listeners = Vec::new();
        for i in 0..n {
            let ip = std::net::Ipv4Addr::new(127, 0, i + 1, 1);
            let listener = TcpListener::bind((ip, 0)).await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let key = X25519Keypair::from_secret([i + 1; 32]);
            let mut ed25519 = [0u8; 32];
            ed25519[0] = i + 1;
            ed25519[31] = 0xed;
            nodes.push(Arc::new(Node {
                snode: Snode {
                    ip,
                    port,
                    ed25519,
                    x25519: *key.public_key(),
                    swarm_id: Some(u64::from(i % swarms) * (u64::MAX / u64::from(swarms))),
                },
                key,
                dead: AtomicBool::new(false),
                skew_ms: AtomicI64::new(0),
                onion_requests: AtomicUsize::new(0),
                unavailable: AtomicBool::new(false),
                rpcs: AtomicUsize::new(0),
            }));
            listeners.push(listener);
        }
        let seed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let seed_url = format!("http://127.0.0.1:{}/", seed.local_addr().unwrap().port());
        let net = Arc::new(Self {
            known: Mutex::new(nodes.iter().map(|n| n.snode.ed25519).collect()),
            nodes,
            storage: Mutex::new(HashMap::new()),
            seed_url,
            seed_requests: AtomicUsize::new(0),
            relay: DirectTransport::builder()
                .tls_config(danger::snode_tls_config())
                .build()
                .unwrap(),
        });
        let tls = tls_acceptor();
        for (node, listener) in net.nodes.clone().into_iter().zip(listeners) {
            let (net, tls) = (net.clone(), tls.clone());
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    if node.dead.load(Ordering::SeqCst) {
                        drop(stream);
                        continue;
                    }
                    let (net, node, tls) = (net.clone(), node.clone(), tls.clone());
                    tokio::spawn(async move {
                        let Ok(stream) = tls.accept(stream).await else {
                            return;
                        };
                        let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                            let (net, node) = (net.clone(), node.clone());
                            async move {
                                // A dead node also kills connections opened before it died.
                                if node.dead.load(Ordering::SeqCst) {
                                    return Err(std::io::Error::other("node is dead"));
                                }
                                let path = req.uri().path().to_owned();
                                let body = req
                                    .into_body()
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                let (status, body) = net.handle(&node, &path, &body).await;
                                Ok(reply(status, body))
                            }
                        });
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    });
                }
            });
        }
        let seed_net = net.clone();
        serve_http(seed, move |_path, _body| {
            seed_net.seed_requests.fetch_add(1, Ordering::SeqCst);
            let states: Vec<Value> = seed_net
                .nodes
                .iter()
                .map(|n| json!({"public_ip": n.snode.ip.to_string(), "storage_port": n.snode.port,
                    "pubkey_ed25519": hex::encode(n.snode.ed25519), "pubkey_x25519": hex::encode(n.snode.x25519),
                    "swarm_id": n.snode.swarm_id}))
                .collect();
            (
                200,
                json!({"result": {"service_node_states": states, "height": 1}})
                    .to_string()
                    .into_bytes(),
            )
        });
        net
    }

    /// The `service_node_states` list of every node.
    pub fn states(&self) -> Vec<Value> {
        self.nodes
            .iter()
            .map(|n| {
                json!({"public_ip": n.snode.ip.to_string(), "storage_port": n.snode.port,
                    "pubkey_ed25519": hex::encode(n.snode.ed25519),
                    "pubkey_x25519": hex::encode(n.snode.x25519), "swarm_id": n.snode.swarm_id})
            })
            .collect()
    }

    pub fn node(&self, ed25519: &[u8; 32]) -> &Arc<Node> {
        self.nodes
            .iter()
            .find(|n| &n.snode.ed25519 == ed25519)
            .unwrap()
    }

    async fn handle(&self, node: &Node, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        match path {
            "/storage_rpc/v1" => (200, br#"{"snodes":[]}"#.to_vec()),
            "/onion_req/v2" => {
                node.onion_requests.fetch_add(1, Ordering::SeqCst);
                let peeled = match onion::peel(&node.key, body) {
                    Ok(p) => p,
                    Err(_) => return (400, b"Invalid ciphertext".to_vec()),
                };
                match &peeled.instruction {
                    HopInstruction::Relay { next_ed25519, .. } => {
                        let known = self.known.lock().unwrap().contains(next_ed25519);
                        if !known {
                            return (
                                502,
                                format!("Next node not found: {}", hex::encode(next_ed25519))
                                    .into_bytes(),
                            );
                        }
                        let next = self.node(next_ed25519).snode.clone();
                        let req = HttpRequest::post(
                            next.url("/onion_req/v2").unwrap(),
                            peeled.forward_body().unwrap(),
                        );
                        match self.relay.send(req).await {
                            Ok(r) => (r.status.as_u16(), r.body.to_vec()),
                            Err(_) => (502, b"Request time out".to_vec()),
                        }
                    }
                    HopInstruction::Server {
                        host,
                        port,
                        protocol,
                        target,
                        payload,
                    } => {
                        if !onion::target_allowed(target) {
                            // SS wrap_proxy_response: sealed with this hop's layer key.
                            let text =
                                onion::snode_reply(&peeled.reply, 400, "Invalid url").unwrap();
                            return (200, text.into_bytes());
                        }
                        let url = format!("{}://{host}:{port}{target}", protocol.as_str());
                        match self
                            .relay
                            .send(HttpRequest::post(url.parse().unwrap(), payload.clone()))
                            .await
                        {
                            Ok(r) => (r.status.as_u16(), r.body.to_vec()),
                            Err(_) => (502, b"Bad Gateway".to_vec()),
                        }
                    }
                    HopInstruction::Final { body, .. } => {
                        let (status, json) = self.rpc(node, body);
                        let text = onion::snode_reply(&peeled.reply, status, &json).unwrap();
                        (200, text.into_bytes())
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
            _ => (404, b"not found".to_vec()),
        }
    }

    fn members(&self, swarm: Option<u64>) -> Vec<Value> {
        self.nodes
            .iter()
            .filter(|n| n.snode.swarm_id == swarm)
            .map(|n| json!({"ip": n.snode.ip.to_string(), "port": n.snode.port.to_string(), "port_https": n.snode.port,
                "pubkey_ed25519": hex::encode(n.snode.ed25519), "pubkey_x25519": hex::encode(n.snode.x25519)}))
            .collect()
    }

    fn swarm_of(&self, pubkey_hex: &str) -> Option<u64> {
        let key: [u8; 32] = hex::decode(pubkey_hex).ok()?.get(1..)?.try_into().ok()?;
        let ids: Vec<u64> = self.nodes.iter().filter_map(|n| n.snode.swarm_id).collect();
        session_net::swarm::swarm_for(&key, &ids)
    }

    /// The storage RPC: info, get_swarm, store, retrieve (signature checked), oxend ONS.
    fn rpc(&self, node: &Node, body: &[u8]) -> (u16, String) {
        let t = (now_ms() as i64 + node.skew_ms.load(Ordering::SeqCst)) as u64;
        let Ok(req) = serde_json::from_slice::<Value>(body) else {
            return (400, "bad json".into());
        };
        let p = &req["params"];
        let method = req["method"].as_str().unwrap_or("");
        if method != "batch" {
            node.rpcs.fetch_add(1, Ordering::SeqCst);
            if node.unavailable.load(Ordering::SeqCst) {
                return (503, "Snode not ready".into());
            }
        }
        // Namespaced storage key; namespace 0 is "" in signatures.
        let ns = p["namespace"].as_i64().unwrap_or(0);
        let ns_text = if ns == 0 {
            String::new()
        } else {
            ns.to_string()
        };
        let pubkey = p["pubkey"].as_str().unwrap_or("").to_owned();
        let in_my_swarm = || self.swarm_of(&pubkey) == node.snode.swarm_id;
        let wrong_swarm = || {
            (
                421,
                json!({"snodes": self.members(self.swarm_of(&pubkey)), "t": t}).to_string(),
            )
        };
        let clock_ok = |ts: u64| (ts as i64 - t as i64).abs() <= 60_000;
        match method {
            "batch" => {
                let results: Vec<Value> = p["requests"]
                    .as_array()
                    .map(|subs| {
                        subs.iter()
                            .map(|sub| {
                                let (code, text) = self.rpc(node, sub.to_string().as_bytes());
                                let body = serde_json::from_str::<Value>(&text)
                                    .unwrap_or(Value::String(text));
                                json!({"code": code, "body": body})
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (200, json!({"results": results}).to_string())
            }
            "info" => (
                200,
                json!({"version": [2, 8, 0], "timestamp": t, "t": t}).to_string(),
            ),
            "get_swarm" => (
                200,
                json!({"snodes": self.members(self.swarm_of(&pubkey)), "t": t}).to_string(),
            ),
            "store" => {
                if !in_my_swarm() {
                    return wrong_swarm();
                }
                if !clock_ok(p["timestamp"].as_u64().unwrap_or(0)) {
                    return (406, "Timestamp error: check your clock".into());
                }
                let data = p["data"].as_str().unwrap_or("").to_owned();
                let hash = hex::encode(&data.as_bytes()[..data.len().min(8)]) + &t.to_string();
                self.storage
                    .lock()
                    .unwrap()
                    .entry(format!("{pubkey}:{ns}"))
                    .or_default()
                    .push((hash.clone(), t, data));
                (
                    200,
                    json!({"swarm": {hex::encode(node.snode.ed25519): {"hash": hash}}, "t": t})
                        .to_string(),
                )
            }
            "retrieve" => {
                if !in_my_swarm() {
                    return wrong_swarm();
                }
                let ts = p["timestamp"].as_u64().unwrap_or(0);
                if !clock_ok(ts) {
                    return (406, "Timestamp error: check your clock".into());
                }
                if !signature_ok(p, &format!("retrieve{ns_text}{ts}")) {
                    return (401, "bad signature".into());
                }
                let stored = self
                    .storage
                    .lock()
                    .unwrap()
                    .get(&format!("{pubkey}:{ns}"))
                    .cloned()
                    .unwrap_or_default();
                let msgs: Vec<Value> = stored.iter().map(|(h, ts, d)| json!({"hash": h, "timestamp": ts, "expiration": ts + 1000, "data": d})).collect();
                (
                    200,
                    json!({"messages": msgs, "more": false, "t": t}).to_string(),
                )
            }
            "oxend_request" if p["endpoint"] == "get_service_nodes" => (
                200,
                json!({"result": {"service_node_states": self.states()}, "t": t, "hf": [19, 3]})
                    .to_string(),
            ),
            "oxend_request" => (200, json!({"result": ons_fixture(), "t": t}).to_string()),
            _ => (400, "unknown method".into()),
        }
    }
}

/// Checks `signature` by `pubkey_ed25519` over `text`, and that the Ed25519 key is the
/// account's (its X25519 form is the 05 id).
fn signature_ok(p: &Value, text: &str) -> bool {
    let (Some(ed), Some(sig), Some(pk)) = (
        p["pubkey_ed25519"].as_str(),
        p["signature"].as_str(),
        p["pubkey"].as_str(),
    ) else {
        return false;
    };
    let ed: [u8; 32] = hex::decode(ed).unwrap().try_into().unwrap();
    let sig: [u8; 64] = base64::engine::general_purpose::STANDARD
        .decode(sig)
        .unwrap()
        .try_into()
        .unwrap();
    let x = session_crypto::ed25519_to_x25519_public(&ed).unwrap();
    pk == format!("05{}", hex::encode(x))
        && session_crypto::verify_ed25519(&ed, text.as_bytes(), &sig).is_ok()
}

/// The name "alice" registered to 05 + [0xaa; 32].
pub const ONS_ID: [u8; 33] = {
    let mut id = [0xaa; 33];
    id[0] = 5;
    id
};

fn ons_fixture() -> Value {
    use blake2::digest::{FixedOutput, KeyInit, Update};
    use chacha20poly1305::aead::Aead;
    let (name, hash) = session_net::rpc::ons_name_hash("alice").unwrap();
    let mut mac = blake2::Blake2bMac::<blake2::digest::consts::U32>::new_from_slice(&hash).unwrap();
    Update::update(&mut mac, name.as_bytes());
    let key: [u8; 32] = mac.finalize_fixed().into();
    let nonce = [3u8; 24];
    let ct = chacha20poly1305::XChaCha20Poly1305::new(&key.into())
        .encrypt(&nonce.into(), &ONS_ID[..])
        .unwrap();
    json!({"encrypted_value": hex::encode(ct), "nonce": hex::encode(nonce)})
}

fn reply(status: u16, body: Vec<u8>) -> http::Response<Full<Bytes>> {
    let mut r = http::Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
    r.headers_mut()
        .insert("content-type", "application/json".parse().unwrap());
    r
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(SNODE_CERT)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(SNODE_KEY)),
    )
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Serves plain HTTP on `listener` with `handler(path, body) -> (status, body)`.
pub fn serve_http<F>(listener: TcpListener, handler: F)
where
    F: Fn(&str, &[u8]) -> (u16, Vec<u8>) + Send + Sync + 'static,
{
    let handler = Arc::new(handler);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let path = req.uri().path().to_owned();
                        let body = req
                            .into_body()
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        let (status, body) = handler(&path, &body);
                        Ok::<_, Infallible>(reply(status, body))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
}

/// A SOGS-like server at `/oxen/v4/lsrpc` that echoes the v4 request as JSON, answers 404
/// for `/missing`, and garbage for `/corrupt`. Returns its URL and X25519 key.
pub async fn fake_sogs() -> (String, X25519Keypair) {
    let key = X25519Keypair::generate().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let server_key = key.clone();
    serve_http(listener, move |path, body| {
        if path != "/oxen/v4/lsrpc" {
            return (404, b"no".to_vec());
        }
        let Ok(layer) = ServerLayer::open(body, std::slice::from_ref(&server_key)) else {
            return (400, b"Invalid ciphertext".to_vec());
        };
        let Ok(req) = layer.request() else {
            return (200, layer.reply_invalid().unwrap());
        };
        if req.endpoint == "/corrupt" {
            return (200, vec![0x42; 80]);
        }
        let code = if req.endpoint == "/missing" { 404 } else { 200 };
        let echo = json!({"method": req.method, "endpoint": req.endpoint, "headers": req.headers,
            "body": req.body.map(|b| String::from_utf8_lossy(&b).into_owned())});
        let headers = [("content-type".to_owned(), "application/json".to_owned())].into();
        (
            200,
            layer
                .reply(&V4Response::new(
                    code,
                    headers,
                    echo.to_string().into_bytes(),
                ))
                .unwrap(),
        )
    });
    (url, key)
}
