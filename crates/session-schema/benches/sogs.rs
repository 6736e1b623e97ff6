//! session-schema benchmarks (issue 4 §6), read by `cargo xtask bench`:
//!
//! - `session-schema/encode_sign_200b`: a 200-byte text message → padded, blind15-signed,
//!   base64 post. `session-rs` is [`SogsSigner::encode`]; `libsodium` does the same steps with
//!   the signature made from libsodium primitives only (the pysogs construction).
//! - `session-schema/decode_verify_200b`: the post → verified `Content`. `session-rs` is
//!   [`decode_sogs_message`]; `libsodium` does the same steps with
//!   `crypto_sign_verify_detached`.
//! - `session-schema/decode_page_100`: a page of 100 posts by 20 senders (5 each, the shape of
//!   an active room's page), `batch` ([`decode_page`]) against `one_by_one`
//!   ([`decode_sogs_message`] in a loop); `batch_100_senders` is the worst case for the batch
//!   (every post by a different sender, so no shared key terms), reported for transparency.
//!
//! Every group first checks that both sides compute the same thing.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/integration/sodium.rs"]
mod sodium;

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_crypto::padding::{pad, unpad};
use session_crypto::{AccountId, Identity, ServerPubkey, SigningMode};
use session_schema::{
    Content, PageItem, SogsMessageData, SogsSigner, VisibleMessage, decode_page,
    decode_sogs_message,
};

const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";

fn server() -> ServerPubkey {
    SERVER.parse().unwrap()
}

/// A visible message whose text is exactly 200 bytes.
fn message_200b() -> Content {
    let text: String = "The quick brown fox jumps over the lazy dog. ".repeat(5)[..200].to_owned();
    VisibleMessage::text(text)
        .timestamp(1_700_000_000_000)
        .into_content()
}

fn seed32(id: &Identity) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(id.mnemonic().seed());
    seed
}

/// The libsodium side of encode: pad, sign with the libsodium blind15 signer, base64.
fn sodium_encode(signer: &sodium::Blind15, content: &Content) -> SogsMessageData {
    let padded = pad(content.as_bytes());
    let sig = signer.sign(&padded);
    SogsMessageData {
        data: STANDARD.encode(&padded),
        signature: STANDARD.encode(sig),
    }
}

/// The libsodium side of decode: base64, verify, unpad, protobuf.
fn sodium_decode(post: &SogsMessageData, key: &[u8; 32]) -> (bool, Content) {
    let padded = STANDARD.decode(&post.data).unwrap();
    let sig: [u8; 64] = STANDARD
        .decode(&post.signature)
        .unwrap()
        .try_into()
        .unwrap();
    let verified = sodium::verify(&sig, &padded, key);
    (verified, Content::decode(unpad(&padded).unwrap()).unwrap())
}

fn encode_sign(c: &mut Criterion) {
    let id = Identity::from_seed(&[0x42; 16]).unwrap();
    let content = message_200b();
    let ours = SogsSigner::new(&id, SigningMode::Blind15, &server());
    let theirs = sodium::Blind15::new(&seed32(&id), server().as_bytes());
    assert_eq!(
        ours.encode(&content).unwrap(),
        sodium_encode(&theirs, &content)
    );

    let mut g = c.benchmark_group("session-schema/encode_sign_200b");
    g.throughput(Throughput::Elements(1));
    g.bench_function("session-rs", |b| {
        b.iter(|| ours.encode(black_box(&content)).unwrap())
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium_encode(&theirs, black_box(&content)))
    });
    g.finish();
}

fn decode_verify(c: &mut Criterion) {
    let id = Identity::from_seed(&[0x42; 16]).unwrap();
    let content = message_200b();
    let signer = SogsSigner::new(&id, SigningMode::Blind15, &server());
    let post = signer.encode(&content).unwrap();
    let sender = signer.sender();
    let key = *sender.as_blinded().unwrap().public_key();
    let ours = decode_sogs_message(&post.data, &post.signature, &sender, &server()).unwrap();
    assert!(ours.is_verified());
    assert_eq!(sodium_decode(&post, &key), (true, ours.content().clone()));

    let mut g = c.benchmark_group("session-schema/decode_verify_200b");
    g.throughput(Throughput::Elements(1));
    g.bench_function("session-rs", |b| {
        b.iter(|| {
            decode_sogs_message(
                black_box(&post.data),
                black_box(&post.signature),
                &sender,
                &server(),
            )
            .unwrap()
        })
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium_decode(black_box(&post), &key))
    });
    g.finish();
}

/// `n` posts of 200-byte texts by `senders` rotating blind15 senders.
fn page(n: usize, senders: usize) -> Vec<(SogsMessageData, AccountId)> {
    let signers: Vec<SogsSigner> = (0..senders)
        .map(|i| {
            let id = Identity::from_seed(&[i as u8; 16]).unwrap();
            SogsSigner::new(&id, SigningMode::Blind15, &server())
        })
        .collect();
    (0..n)
        .map(|i| {
            let signer = &signers[i % senders];
            let text =
                format!("{i:03} {}", "lorem ipsum dolor sit amet ".repeat(8))[..200].to_owned();
            let content = VisibleMessage::text(text)
                .timestamp(1_700_000_000_000 + i as u64)
                .into_content();
            (signer.encode(&content).unwrap(), signer.sender())
        })
        .collect()
}

fn items(page: &[(SogsMessageData, AccountId)]) -> Vec<PageItem<'_>> {
    page.iter()
        .map(|(p, s)| PageItem {
            data: &p.data,
            signature: &p.signature,
            sender: s,
        })
        .collect()
}

fn decode_page_100(c: &mut Criterion) {
    let realistic = page(100, 20);
    let distinct = page(100, 100);
    let (items, distinct_items) = (items(&realistic), items(&distinct));
    for list in [&items, &distinct_items] {
        let batch = decode_page(list.iter().copied(), &server());
        assert!(batch.iter().all(|r| r.as_ref().unwrap().is_verified()));
    }

    let mut g = c.benchmark_group("session-schema/decode_page_100");
    g.throughput(Throughput::Elements(100));
    g.bench_function("batch", |b| {
        b.iter(|| decode_page(black_box(&items).iter().copied(), &server()))
    });
    g.bench_function("one_by_one", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .map(|it| decode_sogs_message(it.data, it.signature, it.sender, &server()))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("batch_100_senders", |b| {
        b.iter(|| decode_page(black_box(&distinct_items).iter().copied(), &server()))
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = encode_sign, decode_verify, decode_page_100
}
criterion_main!(benches);
