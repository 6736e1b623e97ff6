//! Onion requests per second end to end through the local testnet (issue 7 §6): the
//! session-net client builds each 3-hop onion, the guard and relays peel and forward over
//! loopback HTTPS, and the destination (a snode RPC, or a v4 server behind the last hop)
//! answers; 8 requests in flight. A load generator (`harness = false`): it prints
//! `perf: name=… value=… unit=…` lines for `cargo xtask bench` and stops by itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/testnet/echo.rs"]
mod echo;

use std::sync::Arc;
use std::time::{Duration, Instant};

use session_net::onion::EncType;
use session_net::rpc::RpcRequest;
use session_net::{HttpRequest, OnionTransport, SnodeNetwork, Transport};
use session_testnet::Testnet;

/// Requests in flight.
const IN_FLIGHT: usize = 8;
/// Requests per measurement (a multiple of `IN_FLIGHT`).
const REQUESTS: usize = 800;
/// Untimed requests first (paths built, connections pooled).
const WARM_UP: usize = 40;

async fn run<F, Fut>(make: F, n: usize) -> Duration
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..IN_FLIGHT {
        let make = make.clone();
        workers.spawn(async move {
            for i in 0..n / IN_FLIGHT {
                assert!(make(w * n + i).await, "request failed");
            }
        });
    }
    while let Some(r) = workers.join_next().await {
        r.unwrap();
    }
    start.elapsed()
}

fn report(name: &str, n: usize, elapsed: Duration) {
    let per_sec = n as f64 / elapsed.as_secs_f64();
    println!("perf: name={name} value={per_sec:.1} unit=req/s");
}

async fn snode_rpc(testnet: &Testnet, enc: EncType, label: &str) {
    let client = Arc::new(SnodeNetwork::new(testnet.network_config().enc_type(enc)).unwrap());
    let targets: Arc<Vec<_>> = Arc::new(testnet.snodes().iter().map(|s| s.snode()).collect());
    let request = {
        let (client, targets) = (client.clone(), targets.clone());
        move |i: usize| {
            let (client, targets) = (client.clone(), targets.clone());
            async move {
                let target = &targets[i % targets.len()];
                client.rpc(target, &|_| RpcRequest::info()).await.is_ok()
            }
        }
    };
    let _ = run(request.clone(), WARM_UP).await;
    let elapsed = run(request, REQUESTS).await;
    report(
        &format!("testnet_onion_snode_rpc_{label}"),
        REQUESTS,
        elapsed,
    );
}

async fn server(testnet: &Testnet, enc: EncType, label: &str) {
    let echo = Arc::new(echo::EchoServer::start().await);
    let client = Arc::new(SnodeNetwork::new(testnet.network_config().enc_type(enc)).unwrap());
    let transport = Arc::new(OnionTransport::new(client));
    let request = {
        let (transport, echo) = (transport.clone(), echo.clone());
        move |i: usize| {
            let (transport, echo) = (transport.clone(), echo.clone());
            async move {
                let url = format!("{}/room/bench/message/{i}", echo.url)
                    .parse()
                    .unwrap();
                let r = transport
                    .send(HttpRequest::get(url).with_destination_key(*echo.key.public_key()))
                    .await;
                r.is_ok_and(|r| r.is_success())
            }
        }
    };
    let _ = run(request.clone(), WARM_UP).await;
    let elapsed = run(request, REQUESTS).await;
    report(&format!("testnet_onion_server_{label}"), REQUESTS, elapsed);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let testnet = Testnet::builder().snodes(12).seed(1).start().await.unwrap();
        snode_rpc(&testnet, EncType::XChaCha20, "xchacha20").await;
        snode_rpc(&testnet, EncType::AesGcm, "aes_gcm").await;
        server(&testnet, EncType::XChaCha20, "xchacha20").await;
        testnet.shutdown().await;
    });
}
