//! Build + peel one onion request (issue 7 §6, target < 50 µs): a 3-hop v4 request to a
//! server with a 256-byte body is built, peeled by each hop, opened by the server, answered,
//! and the reply opened by the client. One group per the bench protocol,
//! `session-net/onion_build_peel`, with one function per cipher.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use session_crypto::X25519Keypair;
use session_net::onion::{
    self, EncType, HopInstruction, HopKeys, Protocol, ServerDestination, ServerLayer, V4Request,
    V4Response,
};

struct Setup {
    hops: Vec<X25519Keypair>,
    path: Vec<HopKeys>,
    server_key: X25519Keypair,
    server: ServerDestination,
    request: V4Request,
    response: V4Response,
}

fn setup() -> Setup {
    let hops: Vec<X25519Keypair> = (1..=3u8)
        .map(|i| X25519Keypair::from_secret([i; 32]))
        .collect();
    let path = hops
        .iter()
        .enumerate()
        .map(|(i, k)| HopKeys {
            ed25519: [i as u8 + 1; 32],
            x25519: *k.public_key(),
        })
        .collect();
    let server_key = X25519Keypair::from_secret([9; 32]);
    let server =
        ServerDestination::new("127.0.0.1", 8080, Protocol::Http, *server_key.public_key());
    let request = V4Request::new("POST", "/room/lobby/message")
        .with_header("Content-Type", "application/json")
        .with_body(vec![b'x'; 256]);
    let response = V4Response::new(200, Default::default(), vec![b'y'; 256]);
    Setup {
        hops,
        path,
        server_key,
        server,
        request,
        response,
    }
}

/// One full round: build, three peels, server open + reply, client open.
fn round(s: &Setup, enc: EncType) -> usize {
    let built = onion::build_v4(&s.path, &s.server, &s.request, enc).unwrap();
    let mut body = built.body;
    let mut payload = Vec::new();
    for key in &s.hops {
        match onion::peel(key, &body).unwrap().instruction {
            relay @ HopInstruction::Relay { .. } => body = relay.forward_body().unwrap(),
            HopInstruction::Server { payload: p, .. } => payload = p,
            other => panic!("{other:?}"),
        }
    }
    let layer = ServerLayer::open(&payload, std::slice::from_ref(&s.server_key)).unwrap();
    let request = layer.request().unwrap();
    let reply = layer.reply(&s.response).unwrap();
    let response = built.reply.open_server(200, &reply).unwrap();
    request.body.map_or(0, |b| b.len()) + response.body.len()
}

fn bench(c: &mut Criterion) {
    let s = setup();
    assert_eq!(round(&s, EncType::AesGcm), 512);
    let mut group = c.benchmark_group("session-net/onion_build_peel");
    group.bench_function("aes-gcm", |b| b.iter(|| round(&s, EncType::AesGcm)));
    group.bench_function("xchacha20", |b| b.iter(|| round(&s, EncType::XChaCha20)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
