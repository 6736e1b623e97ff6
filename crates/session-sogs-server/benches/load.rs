//! Load generator (issue 5 §4): N concurrent signed clients against a real server on
//! loopback — signed posts per second, signed `since` polls per second, p50/p99 latency.
//! Bounded: a fixed number of requests per phase; stops by itself. Prints `perf:` lines for
//! `cargo xtask bench` (docs/PERFORMANCE.md).
//!
//! Clients sign every request like a real client (blind15, fresh nonce, current time); each
//! caches its blinded keypair, as a real client caches its id per server.

// A benchmark program: any failure aborts the measurement, which is the right outcome.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use session_crypto::blinding::BlindedKeypair;
use session_crypto::{Identity, ServerPubkey, request_message};
use session_sogs_server::testing::TestServer;

/// Concurrent clients.
const CLIENTS: usize = 32;
/// Signed posts in the post phase (all clients together).
const POSTS: usize = 8_000;
/// Signed polls in the poll phase.
const POLLS: usize = 40_000;

type Http = HyperClient<HttpConnector, Full<Bytes>>;

struct Signer {
    key: BlindedKeypair,
    id: String,
    server: ServerPubkey,
}

impl Signer {
    fn new(n: usize, server: ServerPubkey) -> Self {
        let mut seed = [0x42u8; 16];
        seed[..8].copy_from_slice(&(n as u64).to_le_bytes());
        let identity = Identity::from_seed(&seed).expect("16-byte seed");
        let key = identity.blind15(&server);
        let id = key.id().to_string();
        Self { key, id, server }
    }

    fn headers(&self, method: &str, target: &str, body: &[u8]) -> [(&'static str, String); 4] {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).expect("OS RNG");
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string();
        let msg = request_message(&self.server, &nonce, &ts, method, target, body);
        let sig = self.key.sign(&msg);
        [
            ("X-SOGS-Pubkey", self.id.clone()),
            ("X-SOGS-Nonce", STANDARD.encode(nonce)),
            ("X-SOGS-Timestamp", ts),
            ("X-SOGS-Signature", STANDARD.encode(sig)),
        ]
    }
}

async fn send(
    http: &Http,
    base: &str,
    signer: &Signer,
    method: &str,
    target: &str,
    body: Vec<u8>,
) -> (u16, Bytes) {
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(format!("{base}{target}"));
    for (k, v) in signer.headers(method, target, &body) {
        req = req.header(k, v);
    }
    let req = req
        .body(Full::new(Bytes::from(body)))
        .expect("valid request");
    let resp = http.request(req).await.expect("server answers");
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    (status, body)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs `total` requests spread over the clients; returns (elapsed, latencies).
async fn phase<F, Fut>(
    signers: &Arc<Vec<Signer>>,
    total: usize,
    make: F,
) -> (Duration, Vec<Duration>)
where
    F: Fn(Arc<Vec<Signer>>, usize, usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Vec<Duration>> + Send + 'static,
{
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let count = total / CLIENTS + usize::from(c < total % CLIENTS);
        tasks.push(tokio::spawn(make.clone()(signers.clone(), c, count)));
    }
    let mut lat = Vec::with_capacity(total);
    for t in tasks {
        lat.extend(t.await.expect("client task"));
    }
    let elapsed = start.elapsed();
    lat.sort();
    (elapsed, lat)
}

fn report(what: &str, unit_rate: &str, n: usize, elapsed: Duration, lat: &[Duration]) {
    let rate = n as f64 / elapsed.as_secs_f64();
    println!("perf: name=sogs_server/{what}_per_sec value={rate:.0} unit={unit_rate}");
    println!(
        "perf: name=sogs_server/{what}_latency_p50 value={:.3} unit=ms",
        percentile(lat, 0.50)
    );
    println!(
        "perf: name=sogs_server/{what}_latency_p99 value={:.3} unit=ms",
        percentile(lat, 0.99)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not match "load" skips this target.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args
        .iter()
        .any(|f| !"load".contains(f.as_str()) && !"sogs_server".contains(f.as_str()))
    {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let server = TestServer::builder().rate_limit(None).spawn().await;
        server.add_room("bench");
        let base = server.url();
        let key = server.public_key();
        let signers: Arc<Vec<Signer>> =
            Arc::new((0..CLIENTS).map(|n| Signer::new(n, key)).collect());
        let http: Http = HyperClient::builder(TokioExecutor::new()).build_http();

        // Phase 1: signed posts (each a padded 159-byte message, as clients send).
        let (h, b) = (http.clone(), base.clone());
        let (elapsed, lat) = phase(&signers, POSTS, move |signers, c, count| {
            let (http, base) = (h.clone(), b.clone());
            async move {
                let s = &signers[c];
                let mut lat = Vec::with_capacity(count);
                for i in 0..count {
                    let data =
                        session_crypto::padding::pad(format!("client {c} message {i}").as_bytes());
                    let sig = s.key.sign(&data);
                    let body = serde_json::to_vec(&serde_json::json!({
                        "data": STANDARD.encode(&data), "signature": STANDARD.encode(sig)
                    }))
                    .expect("json");
                    let t = Instant::now();
                    let (status, _) =
                        send(&http, &base, s, "POST", "/room/bench/message", body).await;
                    lat.push(t.elapsed());
                    assert_eq!(status, 201, "post failed");
                }
                lat
            }
        })
        .await;
        report("signed_posts", "posts/s", POSTS, elapsed, &lat);

        // Phase 2: signed `since` polls at the current cursor (the steady state of a client).
        let seqno = POSTS;
        let (h, b) = (http.clone(), base.clone());
        let (elapsed, lat) = phase(&signers, POLLS, move |signers, c, count| {
            let (http, base) = (h.clone(), b.clone());
            async move {
                let s = &signers[c];
                let target = format!("/room/bench/messages/since/{seqno}?t=r&reactors=5");
                let mut lat = Vec::with_capacity(count);
                for _ in 0..count {
                    let t = Instant::now();
                    let (status, body) = send(&http, &base, s, "GET", &target, Vec::new()).await;
                    lat.push(t.elapsed());
                    assert_eq!((status, &body[..]), (200, &b"[]"[..]), "poll failed");
                }
                lat
            }
        })
        .await;
        report("signed_polls", "polls/s", POLLS, elapsed, &lat);
        println!("perf: name=sogs_server/clients value={CLIENTS} unit=clients");
        server.shutdown().await;
    });
}
