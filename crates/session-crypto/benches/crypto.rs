//! session-crypto against libsodium, operation by operation (issue 3 §5).
//!
//! Each group `session-crypto/<operation>` has the function `session-rs` (this crate) and
//! `libsodium` (the same operation built from libsodium calls, through
//! `libsodium-sys-stable`). Before measuring, every group checks that both sides produce the
//! same bytes. Both sides do the same work, except where this crate skips work for the same
//! call (blinded request signing, whose blinded public key is memoized): that group also
//! measures the call that misses the memo. `cargo xtask bench` turns the means into the ratio
//! table of docs/PERFORMANCE.md.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/common/sodium.rs"]
mod sodium;

use std::hint::black_box;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use session_crypto::onion::{EncType, HopCipher};
use session_crypto::{
    Identity, Mnemonic, RequestSigner, ServerPubkey, SigningMode, X25519Keypair, request_message,
    sealed_box, sign_request, verify_ed25519,
};

const PHRASE: &str =
    "puffin luxury annoyed rustled memoir faxed smidgen puddle kiwi nylon utopia zinger kiwi";
const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";
const PATH: &str = "/room/sudoku/messages/since/123?t=r&reactors=5";
const NONCE: [u8; 16] = *b"0123456789abcdef";
const TS: u64 = 1_700_000_000;

/// The Ed25519 seed of [`PHRASE`] (16 decoded bytes, zero-padded).
fn ed_seed() -> [u8; 32] {
    let m = Mnemonic::parse(PHRASE).unwrap();
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(m.seed());
    seed
}

/// libsodium: phrase → Ed25519 keypair → X25519 keypair. The word decoding has no libsodium
/// equivalent, so both sides use this crate's `Mnemonic`.
fn sodium_identity(phrase: &str) -> ([u8; 32], [u8; 32], [u8; 32]) {
    let m = Mnemonic::parse(phrase).unwrap();
    let mut seed = [0u8; 32];
    seed[..m.seed().len()].copy_from_slice(m.seed());
    let (pk, sk) = sodium::sign_seed_keypair(&seed);
    let xpk = sodium::ed25519_pk_to_curve25519(&pk).unwrap();
    let xsk = sodium::ed25519_sk_to_curve25519(&sk);
    (pk, xpk, xsk)
}

fn phrase_to_identity(c: &mut Criterion) {
    let id = Identity::from_mnemonic(PHRASE).unwrap();
    let (pk, xpk, xsk) = sodium_identity(PHRASE);
    assert_eq!(
        (&pk, &xpk),
        (id.ed25519_public_key(), id.x25519_public_key())
    );
    assert_eq!(&xsk, id.x25519_keypair().secret_bytes());

    let mut g = c.benchmark_group("session-crypto/phrase_to_identity");
    g.bench_function("session-rs", |b| {
        b.iter(|| Identity::from_mnemonic(black_box(PHRASE)).unwrap())
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium_identity(black_box(PHRASE)))
    });
    g.finish();
}

/// libsodium: `15 ‖ (reduce(BLAKE2b-512(server)) · (a mod L)) · B`.
fn sodium_blind15(a_mod_l: &[u8; 32], server: &[u8; 32]) -> [u8; 32] {
    let k = sodium::scalar_reduce(&sodium::generichash(64, b"", server).try_into().unwrap());
    let ka = sodium::scalar_mul(&k, a_mod_l);
    sodium::ed25519_base_noclamp(&ka).unwrap()
}

/// `a mod L` for an X25519 secret.
fn reduce32(s: &[u8; 32]) -> [u8; 32] {
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(s);
    sodium::scalar_reduce(&wide)
}

fn blind15_id(c: &mut Criterion) {
    let id = Identity::from_mnemonic(PHRASE).unwrap();
    let server: ServerPubkey = SERVER.parse().unwrap();
    let a = reduce32(id.x25519_keypair().secret_bytes());
    assert_eq!(
        &sodium_blind15(&a, server.as_bytes()),
        id.blind15(&server).public_key()
    );

    let mut g = c.benchmark_group("session-crypto/blind15_id");
    g.bench_function("session-rs", |b| {
        b.iter(|| black_box(&id).blind15_id(black_box(&server)))
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium_blind15(black_box(&a), black_box(server.as_bytes())))
    });
    g.finish();
}

/// libsodium: the four `X-SOGS-*` headers of a blind15 request, with libsession's nonce
/// (`r = H(H(seed ‖ pk)[32..] ‖ kA ‖ M)`), exactly as [`sign_request`] computes them.
fn sodium_sign_request(
    seed: &[u8; 32],
    pk: &[u8; 32],
    a_mod_l: &[u8; 32],
    server: &ServerPubkey,
    body: &[u8],
) -> [String; 4] {
    let k = sodium::scalar_reduce(
        &sodium::generichash(64, b"", server.as_bytes())
            .try_into()
            .unwrap(),
    );
    let ka = sodium::scalar_mul(&k, a_mod_l);
    let big_ka = sodium::ed25519_base_noclamp(&ka).unwrap();
    let ts = TS.to_string();
    let mut msg = Vec::with_capacity(200);
    msg.extend_from_slice(server.as_bytes());
    msg.extend_from_slice(&NONCE);
    msg.extend_from_slice(ts.as_bytes());
    msg.extend_from_slice(b"POST");
    msg.extend_from_slice(PATH.as_bytes());
    if !body.is_empty() {
        msg.extend_from_slice(&sodium::generichash(64, b"", body));
    }
    let mut seed_pk = [0u8; 64];
    seed_pk[..32].copy_from_slice(seed);
    seed_pk[32..].copy_from_slice(pk);
    let nonce_key = sodium::sha512(&seed_pk);
    let mut r_input = Vec::with_capacity(64 + msg.len());
    r_input.extend_from_slice(&nonce_key[32..]);
    r_input.extend_from_slice(&big_ka);
    r_input.extend_from_slice(&msg);
    let r = sodium::scalar_reduce(&sodium::sha512(&r_input));
    let big_r = sodium::ed25519_base_noclamp(&r).unwrap();
    let mut h_input = Vec::with_capacity(64 + msg.len());
    h_input.extend_from_slice(&big_r);
    h_input.extend_from_slice(&big_ka);
    h_input.extend_from_slice(&msg);
    let h = sodium::scalar_reduce(&sodium::sha512(&h_input));
    let s = sodium::scalar_add(&r, &sodium::scalar_mul(&h, &ka));
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(&s);
    [
        format!("15{}", hex::encode(big_ka)),
        STANDARD.encode(NONCE),
        ts,
        STANDARD.encode(sig),
    ]
}

/// libsodium counterpart of a [`RequestSigner`]: `ka`, `kA` and the nonce key kept.
struct SodiumBlindedKey {
    ka: [u8; 32],
    big_ka: [u8; 32],
    nonce_key: [u8; 32],
}

impl SodiumBlindedKey {
    fn new(seed: &[u8; 32], pk: &[u8; 32], a_mod_l: &[u8; 32], server: &ServerPubkey) -> Self {
        let k = sodium::scalar_reduce(
            &sodium::generichash(64, b"", server.as_bytes())
                .try_into()
                .unwrap(),
        );
        let ka = sodium::scalar_mul(&k, a_mod_l);
        let big_ka = sodium::ed25519_base_noclamp(&ka).unwrap();
        let mut seed_pk = [0u8; 64];
        seed_pk[..32].copy_from_slice(seed);
        seed_pk[32..].copy_from_slice(pk);
        let nonce_key = sodium::sha512(&seed_pk)[32..].try_into().unwrap();
        Self {
            ka,
            big_ka,
            nonce_key,
        }
    }

    /// The four `X-SOGS-*` headers of a POST to [`PATH`], as [`RequestSigner::sign_with`]
    /// computes them (the same work on both sides: hashing, signing and the four encodings).
    fn sign(&self, server: &ServerPubkey, body: &[u8]) -> [String; 4] {
        let ts = TS.to_string();
        let mut msg = Vec::with_capacity(200);
        msg.extend_from_slice(server.as_bytes());
        msg.extend_from_slice(&NONCE);
        msg.extend_from_slice(ts.as_bytes());
        msg.extend_from_slice(b"POST");
        msg.extend_from_slice(PATH.as_bytes());
        if !body.is_empty() {
            msg.extend_from_slice(&sodium::generichash(64, b"", body));
        }
        let mut r_input = Vec::with_capacity(64 + msg.len());
        r_input.extend_from_slice(&self.nonce_key);
        r_input.extend_from_slice(&self.big_ka);
        r_input.extend_from_slice(&msg);
        let r = sodium::scalar_reduce(&sodium::sha512(&r_input));
        let big_r = sodium::ed25519_base_noclamp(&r).unwrap();
        let mut h_input = Vec::with_capacity(64 + msg.len());
        h_input.extend_from_slice(&big_r);
        h_input.extend_from_slice(&self.big_ka);
        h_input.extend_from_slice(&msg);
        let h = sodium::scalar_reduce(&sodium::sha512(&h_input));
        let s = sodium::scalar_add(&r, &sodium::scalar_mul(&h, &self.ka));
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(&s);
        [
            format!("15{}", hex::encode(self.big_ka)),
            STANDARD.encode(NONCE),
            ts,
            STANDARD.encode(sig),
        ]
    }
}

fn blinded_request_signing(c: &mut Criterion) {
    let id = Identity::from_mnemonic(PHRASE).unwrap();
    let server: ServerPubkey = SERVER.parse().unwrap();
    let seed = ed_seed();
    let a = reduce32(id.x25519_keypair().secret_bytes());
    let body = br#"{"data":"aGVsbG8=","signature":"AAAA"}"#;
    let ours = sign_request(
        &id,
        &server,
        SigningMode::Blind15,
        "POST",
        PATH,
        body,
        &NONCE,
        TS,
    );
    let pk = *id.ed25519_public_key();
    let theirs = sodium_sign_request(&seed, &pk, &a, &server, body);
    assert_eq!(
        [ours.pubkey, ours.nonce, ours.timestamp, ours.signature],
        theirs,
        "both sides sign the same bytes identically"
    );
    assert_eq!(
        request_message(&server, &NONCE, &TS.to_string(), "POST", PATH, b"").len(),
        32 + 16 + 10 + 4 + PATH.len()
    );

    let mut g = c.benchmark_group("session-crypto/blinded_request_signing");
    // `sign_request` as a client calls it, request after request to one server: from the second
    // call on, the blinded public key comes from session-crypto's memo (blinding.rs), so this
    // is one fixed-base multiplication against libsodium's two. `session-rs-first-use` below
    // is the cost of a call that misses the memo.
    g.bench_function("session-rs", |b| {
        b.iter(|| {
            sign_request(
                black_box(&id),
                &server,
                SigningMode::Blind15,
                "POST",
                PATH,
                black_box(body),
                &NONCE,
                TS,
            )
        })
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| {
            sodium_sign_request(
                black_box(&seed),
                &pk,
                black_box(&a),
                &server,
                black_box(body),
            )
        })
    });
    // The first request to a server: the keypair's public key `kA` is not in session-crypto's
    // memo of blinded public keys yet (1024 servers in turn, more than the memo keeps), so
    // this is the cost of `sign_request` without the memo, beside `libsodium` (which derives
    // everything each time, as `session-rs` did before the memo).
    let servers: Vec<ServerPubkey> = (0..1024u32)
        .map(|i| {
            let mut key = *server.as_bytes();
            key[..4].copy_from_slice(&i.to_le_bytes());
            ServerPubkey::from_bytes(key)
        })
        .collect();
    let mut next = 0;
    g.bench_function("session-rs-first-use", |b| {
        b.iter(|| {
            next = (next + 1) % servers.len();
            sign_request(
                black_box(&id),
                &servers[next],
                SigningMode::Blind15,
                "POST",
                PATH,
                black_box(body),
                &NONCE,
                TS,
            )
        })
    });
    // How clients sign: a RequestSigner derives the blinded keypair once per server; the
    // libsodium counterpart likewise keeps ka, kA and the nonce key between requests.
    let signer = RequestSigner::new(&id, server, SigningMode::Blind15);
    let cached = SodiumBlindedKey::new(&seed, &pk, &a, &server);
    let auth = signer.sign_with("POST", PATH, body, &NONCE, TS);
    assert_eq!(
        [auth.pubkey, auth.nonce, auth.timestamp, auth.signature],
        cached.sign(&server, body)
    );
    g.bench_function("session-rs-cached-key", |b| {
        b.iter(|| signer.sign_with("POST", PATH, black_box(body), &NONCE, TS))
    });
    g.bench_function("libsodium-cached-key", |b| {
        b.iter(|| cached.sign(&server, black_box(body)))
    });
    g.finish();
}

fn ed25519_verify(c: &mut Criterion) {
    let seed = ed_seed();
    let id = Identity::from_seed(&seed).unwrap();
    let pk = *id.ed25519_public_key();
    let msg = [0x5au8; 200]; // a typical padded SOGS post
    let sig = id.sign(&msg);
    assert!(verify_ed25519(&pk, &msg, &sig).is_ok() && sodium::verify_detached(&sig, &msg, &pk));

    let mut g = c.benchmark_group("session-crypto/ed25519_verify");
    g.bench_function("session-rs", |b| {
        b.iter(|| verify_ed25519(black_box(&pk), black_box(&msg), black_box(&sig)).unwrap())
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| {
            assert!(sodium::verify_detached(
                black_box(&sig),
                black_box(&msg),
                black_box(&pk)
            ))
        })
    });
    g.finish();
}

/// One X25519 (`crypto_scalarmult`) with a key on the curve: the operation that dominates
/// sealed-box opening, every onion layer (two per layer: client and hop) and so the onion
/// build + peel figures of session-net.
fn x25519(c: &mut Criterion) {
    let kp = X25519Keypair::from_secret([0x42; 32]);
    let peer = *X25519Keypair::from_secret([0x43; 32]).public_key();
    assert_eq!(
        sodium::x25519(kp.secret_bytes(), &peer),
        Some(*kp.diffie_hellman(&peer).unwrap())
    );

    let mut g = c.benchmark_group("session-crypto/x25519");
    g.bench_function("session-rs", |b| {
        b.iter(|| kp.diffie_hellman(black_box(&peer)).unwrap())
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium::x25519(kp.secret_bytes(), black_box(&peer)).unwrap())
    });
    g.finish();
}

fn sealed_box_open(c: &mut Criterion) {
    let kp = X25519Keypair::from_secret([0x42; 32]);
    let msg = vec![0x17u8; 400]; // a padded 1:1 message with its signature
    let sealed = sealed_box::seal(&msg, kp.public_key()).unwrap();
    assert_eq!(
        sodium::box_seal_open(&sealed, kp.public_key(), kp.secret_bytes()),
        Some(msg.clone())
    );

    let mut g = c.benchmark_group("session-crypto/sealed_box_open");
    g.bench_function("session-rs", |b| {
        b.iter(|| sealed_box::open(black_box(&sealed), &kp).unwrap())
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| {
            sodium::box_seal_open(black_box(&sealed), kp.public_key(), kp.secret_bytes()).unwrap()
        })
    });
    g.finish();
}

/// libsodium: one XChaCha20 onion layer, client encrypt then server decrypt:
/// key = BLAKE2b-256(X25519 ‖ client_pk ‖ server_pk) on each side.
fn sodium_onion_layer(
    eph: &X25519Keypair,
    server: &X25519Keypair,
    nonce: &[u8; 24],
    payload: &[u8],
) -> Vec<u8> {
    let key_of = |shared: [u8; 32]| -> [u8; 32] {
        let mut input = [0u8; 96];
        input[..32].copy_from_slice(&shared);
        input[32..64].copy_from_slice(eph.public_key());
        input[64..].copy_from_slice(server.public_key());
        sodium::generichash(32, b"", &input).try_into().unwrap()
    };
    let client_key = key_of(sodium::x25519(eph.secret_bytes(), server.public_key()).unwrap());
    let mut ct = nonce.to_vec();
    ct.extend(sodium::xchacha_encrypt(payload, nonce, &client_key));
    let server_key = key_of(sodium::x25519(server.secret_bytes(), eph.public_key()).unwrap());
    let n: [u8; 24] = ct[..24].try_into().unwrap();
    sodium::xchacha_decrypt(&ct[24..], &n, &server_key).unwrap()
}

/// This crate: the same layer through [`HopCipher`].
fn ours_onion_layer(
    eph: &X25519Keypair,
    server: &X25519Keypair,
    nonce: &[u8; 24],
    payload: &[u8],
) -> Vec<u8> {
    let client = HopCipher::client(eph, server.public_key(), EncType::XChaCha20).unwrap();
    let ct = client.encrypt_with_nonce(payload, nonce).unwrap();
    let peer = HopCipher::server(server, eph.public_key(), EncType::XChaCha20).unwrap();
    peer.decrypt(&ct).unwrap()
}

fn onion_layer_encrypt_decrypt(c: &mut Criterion) {
    let eph = X25519Keypair::from_secret([0x11; 32]);
    let server = X25519Keypair::from_secret([0x22; 32]);
    let nonce = [0x33u8; 24];
    let payload = vec![0x44u8; 1024];
    assert_eq!(ours_onion_layer(&eph, &server, &nonce, &payload), payload);
    assert_eq!(sodium_onion_layer(&eph, &server, &nonce, &payload), payload);
    let client = HopCipher::client(&eph, server.public_key(), EncType::XChaCha20).unwrap();
    let ct = client.encrypt_with_nonce(&payload, &nonce).unwrap();
    let n: [u8; 24] = ct[..24].try_into().unwrap();
    let mut input = sodium::x25519(eph.secret_bytes(), server.public_key())
        .unwrap()
        .to_vec();
    input.extend_from_slice(eph.public_key());
    input.extend_from_slice(server.public_key());
    let key: [u8; 32] = sodium::generichash(32, b"", &input).try_into().unwrap();
    assert_eq!(
        sodium::xchacha_decrypt(&ct[24..], &n, &key),
        Some(payload.clone()),
        "same bytes"
    );

    let mut g = c.benchmark_group("session-crypto/onion_layer_encrypt_decrypt");
    g.bench_function("session-rs", |b| {
        b.iter(|| ours_onion_layer(&eph, &server, &nonce, black_box(&payload)))
    });
    g.bench_function("libsodium", |b| {
        b.iter(|| sodium_onion_layer(&eph, &server, &nonce, black_box(&payload)))
    });
    g.finish();
}

criterion_group!(
    benches,
    phrase_to_identity,
    blind15_id,
    blinded_request_signing,
    ed25519_verify,
    x25519,
    sealed_box_open,
    onion_layer_encrypt_decrypt
);
criterion_main!(benches);
