//! Onion requests per second end to end (issue 7 §6): a v4 request through a 3-hop path of
//! the in-process loopback network of `tests/network/fake.rs` (TLS snodes on 127.0.i.1) to a
//! SOGS-like server, 8 requests in flight, a fixed number of requests (the run is bounded and
//! stops by itself). Prints `perf:` lines for `cargo xtask bench`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "../tests/integration/network/fake.rs"]
mod fake;

use std::sync::Arc;
use std::time::Instant;

use session_net::onion::EncType;
use session_net::snode::{MemoryStore, SeedConfig};
use session_net::{
    DirectTransport, HttpRequest, NetworkConfig, OnionTransport, SnodeNetwork, Transport, danger,
};

const REQUESTS: usize = 400;
const IN_FLIGHT: usize = 8;

async fn run(enc: EncType) -> (f64, f64) {
    let net = fake::FakeNet::start(12, 3).await;
    let (sogs_url, sogs_key) = fake::fake_sogs().await;
    let seeds = SeedConfig::custom(vec![net.seed_url.parse().unwrap()], vec![]);
    let snodes = DirectTransport::builder()
        .tls_config(danger::snode_tls_config())
        .build()
        .unwrap();
    let network = Arc::new(SnodeNetwork::with_parts(
        NetworkConfig::with_seeds(seeds).enc_type(enc),
        Arc::new(snodes),
        Arc::new(DirectTransport::new().unwrap()),
        Arc::new(MemoryStore::default()),
    ));
    network.paths().await.unwrap();
    let transport = Arc::new(OnionTransport::new(network));
    let url: url::Url = format!("{sogs_url}/room/lobby/messages/recent")
        .parse()
        .unwrap();
    let key = *sogs_key.public_key();
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..IN_FLIGHT {
        let (transport, url) = (transport.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let mut ok = 0usize;
            let mut latency = 0f64;
            for _ in (w..REQUESTS).step_by(IN_FLIGHT) {
                let t = Instant::now();
                let r = transport
                    .send(HttpRequest::get(url.clone()).with_destination_key(key))
                    .await;
                latency += t.elapsed().as_secs_f64();
                ok += usize::from(r.is_ok_and(|r| r.status == 200));
            }
            (ok, latency)
        }));
    }
    let (mut ok, mut latency) = (0, 0.0);
    for w in workers {
        let (o, l) = w.await.unwrap();
        ok += o;
        latency += l;
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(ok, REQUESTS, "every request answered");
    (
        REQUESTS as f64 / elapsed,
        latency / REQUESTS as f64 * 1000.0,
    )
}

fn main() {
    // `cargo bench` passes filters and `--bench`; this generator always runs once.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for (enc, name) in [
        (EncType::XChaCha20, "xchacha20"),
        (EncType::AesGcm, "aes-gcm"),
    ] {
        let (rps, ms) = runtime.block_on(run(enc));
        println!(
            "perf: name=session-net/onion_requests_per_s_8_in_flight_{name} value={rps:.1} unit=req/s"
        );
        println!("perf: name=session-net/onion_request_latency_{name} value={ms:.2} unit=ms");
    }
}
