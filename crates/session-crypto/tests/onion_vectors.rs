//! Onion hop encryption (`session_crypto::onion`) against every hop-crypto vector of
//! `vectors-onion.json` (copy in `tests/vectors/`, provenance in its README.md), plus
//! differential tests against libsodium on random inputs.
//!
//! Each vector set prints `vectors: set=… source=vectors-onion.json passed=… failed=…` for
//! `cargo xtask vectors` and fails naming the first mismatch.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_crypto::X25519Keypair;
use session_crypto::onion::{EncType, HopCipher, derive_key, shared_secret};

const ONION_JSON: &str = include_str!("vectors/vectors-onion.json");
const SOURCE: &str = "vectors-onion.json";

fn vectors() -> Vec<Value> {
    serde_json::from_str::<Value>(ONION_JSON)
        .expect("embedded vector file is JSON")
        .as_array()
        .expect("top-level array")
        .clone()
}

fn named(prefix: &str) -> Vec<Value> {
    vectors()
        .into_iter()
        .filter(|v| v["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
        .collect()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("field {key} is not a string"))
}

fn hx(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(s(v, key)).unwrap_or_else(|_| panic!("field {key} is not hex"))
}

fn k32(v: &Value, key: &str) -> [u8; 32] {
    hx(v, key).try_into().expect("32-byte key")
}

/// Counts vectors of one set and prints the protocol line.
struct Set {
    name: &'static str,
    passed: usize,
    failed: usize,
    first: Option<String>,
}

impl Set {
    fn new(name: &'static str) -> Self {
        Self {
            name,
            passed: 0,
            failed: 0,
            first: None,
        }
    }

    fn check(&mut self, id: &str, outcome: Result<(), String>) {
        match outcome {
            Ok(()) => self.passed += 1,
            Err(e) => {
                self.failed += 1;
                self.first.get_or_insert(format!("{id}: {e}"));
            }
        }
    }

    fn finish(self) {
        // The leading newline puts the line at column 0 after libtest's "test … " prefix.
        println!(
            "\nvectors: set={} source={SOURCE} passed={} failed={}",
            self.name, self.passed, self.failed
        );
        assert!(
            self.passed + self.failed > 0,
            "set {} ran nothing",
            self.name
        );
        assert_eq!(
            self.failed,
            0,
            "set {}: first mismatch: {}",
            self.name,
            self.first.unwrap_or_default()
        );
    }
}

fn eq_hex(field: &str, actual: &[u8], expected: &str) -> Result<(), String> {
    if hex::encode(actual) == expected {
        Ok(())
    } else {
        Err(format!(
            "{field}: got {}, expected {expected}",
            hex::encode(actual)
        ))
    }
}

fn enc_of(name: &str) -> EncType {
    if name.contains("xchacha") {
        EncType::XChaCha20
    } else {
        EncType::AesGcm
    }
}

/// libsession "Onion request encryption": two valid ciphertexts decrypted by the server side
/// (b, A) and by the client side (a, B), derived secrets and keys, and four corrupted
/// ciphertexts that both ciphers must reject with a typed error.
#[test]
fn hop_encryption_matches_libsession_vectors() {
    let mut set = Set::new("onion_hop_encryption");
    for v in named("hop_encryption_") {
        let name = s(&v, "name").to_owned();
        let (i, e) = (&v["inputs"], &v["expected"]);
        let outcome = (|| {
            let server = X25519Keypair::from_secret(k32(i, "server_x25519_sec_b"));
            let client = X25519Keypair::from_secret(k32(i, "client_ephemeral_x25519_sec_a"));
            eq_hex("B", server.public_key(), s(i, "server_x25519_pub_B"))?;
            eq_hex(
                "A",
                client.public_key(),
                s(i, "client_ephemeral_x25519_pub_A"),
            )?;
            let ct = hx(i, "ciphertext");
            if name.contains("negative") {
                for enc in [EncType::AesGcm, EncType::XChaCha20] {
                    let hop = HopCipher::server(&server, client.public_key(), enc).unwrap();
                    match hop.decrypt(&ct) {
                        // A 39-byte GCM ciphertext is also too short for XChaCha20's 40.
                        Err(
                            session_crypto::Error::DecryptionFailed { .. }
                            | session_crypto::Error::TooShort { .. },
                        ) => {}
                        other => {
                            return Err(format!("{enc}: expected DecryptionFailed, got {other:?}"));
                        }
                    }
                }
                return Ok(());
            }
            let shared = shared_secret(server.secret_bytes(), client.public_key()).unwrap();
            eq_hex("shared", &shared[..], s(e, "x25519_shared_secret_derived"))?;
            let (a, b) = (client.public_key(), server.public_key());
            eq_hex(
                "gcm key",
                &derive_key(EncType::AesGcm, &shared, a, b)[..],
                s(e, "aes_gcm_key_derived_hmac_sha256_key_LOKI"),
            )?;
            eq_hex(
                "xchacha key",
                &derive_key(EncType::XChaCha20, &shared, a, b)[..],
                s(e, "xchacha20_key_derived_blake2b256_ss_A_B"),
            )?;
            let enc = enc_of(&name);
            let by_server = HopCipher::server(&server, client.public_key(), enc).unwrap();
            eq_hex(
                "server plaintext",
                &by_server.decrypt(&ct).unwrap(),
                s(e, "plaintext_hex"),
            )?;
            let by_client = HopCipher::client(&client, server.public_key(), enc).unwrap();
            eq_hex(
                "client plaintext",
                &by_client.decrypt(&ct).unwrap(),
                s(e, "plaintext_hex"),
            )?;
            // Re-encrypting with the vector's nonce reproduces the ciphertext byte for byte.
            let nonce = &ct[..enc.nonce_len()];
            let again = by_client
                .encrypt_with_nonce(&hx(e, "plaintext_hex"), nonce)
                .unwrap();
            eq_hex("re-encryption", &again, s(i, "ciphertext"))
        })();
        set.check(&name, outcome);
    }
    set.finish();
}

/// libsession "Onion request parser": a framed single-layer request decrypted by the node
/// (`u32le(N) ‖ ciphertext ‖ JSON`), and a 13-byte reply whose length and client-side
/// decryption are checked.
#[test]
fn onion_parser_layers_match_libsession_vectors() {
    let mut set = Set::new("onion_parser_layer");
    for v in named("onion_parser_") {
        let name = s(&v, "name").to_owned();
        let (i, e) = (&v["inputs"], &v["expected"]);
        let outcome = (|| {
            let node = X25519Keypair::from_secret(k32(i, "node_x25519_sec_b"));
            eq_hex("B", node.public_key(), s(i, "node_x25519_pub_B"))?;
            let request = hx(i, "request");
            let n = u32::from_le_bytes(request[..4].try_into().unwrap()) as usize;
            if n as u64 != e["length_prefix_N"].as_u64().unwrap() {
                return Err(format!("N = {n}"));
            }
            let (ct, meta) = (&request[4..4 + n], &request[4 + n..]);
            eq_hex("ciphertext", ct, s(e, "ciphertext"))?;
            let meta: Value = serde_json::from_slice(meta).unwrap();
            let enc: EncType = s(&meta, "enc_type").parse().unwrap();
            if enc.as_str() != s(e, "enc_type") {
                return Err(format!("enc_type {enc}"));
            }
            let remote = k32(&meta, "ephemeral_key");
            eq_hex("remote key", &remote, s(e, "remote_pubkey"))?;
            let shared = shared_secret(node.secret_bytes(), &remote).unwrap();
            eq_hex("shared", &shared[..], s(e, "x25519_shared_secret_derived"))?;
            eq_hex(
                "gcm key",
                &derive_key(EncType::AesGcm, &shared, &remote, node.public_key())[..],
                s(e, "aes_gcm_key_derived"),
            )?;
            eq_hex(
                "xchacha key",
                &derive_key(EncType::XChaCha20, &shared, &remote, node.public_key())[..],
                s(e, "xchacha20_key_derived"),
            )?;
            let hop = HopCipher::server(&node, &remote, enc).unwrap();
            eq_hex("payload", &hop.decrypt(ct).unwrap(), s(e, "payload_hex"))?;
            let reply = hop
                .encrypt(s(i, "reply_plaintext_utf8").as_bytes())
                .unwrap();
            if reply.len() as u64 != e["encrypted_reply_length"].as_u64().unwrap() {
                return Err(format!("reply length {}", reply.len()));
            }
            let client = X25519Keypair::from_secret(k32(i, "client_ephemeral_x25519_sec_a"));
            eq_hex("client A", client.public_key(), s(e, "remote_pubkey"))?;
            let opened = HopCipher::client(&client, node.public_key(), enc)
                .unwrap()
                .decrypt(&reply)
                .unwrap();
            if opened != s(i, "reply_plaintext_utf8").as_bytes() {
                return Err("reply does not decrypt on the client".into());
            }
            Ok(())
        })();
        set.check(&name, outcome);
    }
    set.finish();
}

/// oxen-storage-server channel encryption: derived keys in both role orders and the
/// ciphertext overheads (+28 GCM, +40 XChaCha20); a reply cannot be opened with the key of
/// the swapped roles.
#[test]
fn channel_encryption_keys_match_storage_server_vectors() {
    let mut set = Set::new("onion_channel_encryption");
    for v in named("ss_channel_encryption_keys") {
        let (i, e) = (&v["inputs"], &v["expected"]);
        let outcome = (|| {
            let alice = X25519Keypair::from_secret(k32(i, "alice_x25519_sec"));
            let bob = X25519Keypair::from_secret(k32(i, "bob_x25519_sec"));
            eq_hex("alice", alice.public_key(), s(i, "alice_x25519_pub"))?;
            eq_hex("bob", bob.public_key(), s(i, "bob_x25519_pub"))?;
            let shared = shared_secret(alice.secret_bytes(), bob.public_key()).unwrap();
            eq_hex("shared", &shared[..], s(e, "shared_secret"))?;
            let (a, b) = (alice.public_key(), bob.public_key());
            eq_hex(
                "gcm",
                &derive_key(EncType::AesGcm, &shared, a, b)[..],
                s(e, "aes_gcm_key"),
            )?;
            eq_hex(
                "xchacha a→b",
                &derive_key(EncType::XChaCha20, &shared, a, b)[..],
                s(e, "xchacha20_key_alice_client_bob_server"),
            )?;
            eq_hex(
                "xchacha b→a",
                &derive_key(EncType::XChaCha20, &shared, b, a)[..],
                s(e, "xchacha20_key_bob_client_alice_server"),
            )?;
            let pt = s(i, "plaintext_utf8").as_bytes();
            for (enc, key) in [
                (EncType::AesGcm, "gcm_ciphertext_len"),
                (EncType::XChaCha20, "xchacha20_ciphertext_len"),
            ] {
                let ct = HopCipher::client(&alice, b, enc)
                    .unwrap()
                    .encrypt(pt)
                    .unwrap();
                if ct.len() as u64 != e[key].as_u64().unwrap() {
                    return Err(format!("{key}: {}", ct.len()));
                }
            }
            // Alice as client and Alice as server use different XChaCha20 keys.
            let as_client = HopCipher::client(&alice, b, EncType::XChaCha20).unwrap();
            let as_server = HopCipher::server(&alice, b, EncType::XChaCha20).unwrap();
            let ct = as_client.encrypt(pt).unwrap();
            if as_server.decrypt(&ct).is_ok() {
                return Err("swapped roles decrypted".into());
            }
            Ok(())
        })();
        set.check("ss_channel_encryption_keys", outcome);
    }
    set.finish();
}

#[test]
fn tampered_tags_nonces_and_bodies_give_typed_errors() {
    let server = X25519Keypair::from_secret([0x42; 32]);
    let client = X25519Keypair::from_secret([0x24; 32]);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let c = HopCipher::client(&client, server.public_key(), enc).unwrap();
        let s = HopCipher::server(&server, client.public_key(), enc).unwrap();
        let ct = c.encrypt(b"the onion layer").unwrap();
        for pos in [0, enc.nonce_len(), ct.len() - 1] {
            let mut bad = ct.clone();
            bad[pos] ^= 0x80;
            assert!(
                matches!(
                    s.decrypt(&bad),
                    Err(session_crypto::Error::DecryptionFailed { .. })
                ),
                "{enc} byte {pos}"
            );
        }
        assert!(matches!(
            s.decrypt(&ct[..10]),
            Err(session_crypto::Error::TooShort { .. })
        ));
    }
}

mod sodium {
    //! The libsodium calls the differential tests compare against.
    use libsodium_sys as ffi;

    pub fn init() {
        // SAFETY: sodium_init is thread-safe and idempotent.
        assert!(unsafe { ffi::sodium_init() } >= 0);
    }

    pub fn scalarmult(n: &[u8; 32], p: &[u8; 32]) -> Option<[u8; 32]> {
        init();
        let mut q = [0u8; 32];
        // SAFETY: all three buffers are 32 bytes, as crypto_scalarmult requires.
        let rc = unsafe { ffi::crypto_scalarmult(q.as_mut_ptr(), n.as_ptr(), p.as_ptr()) };
        (rc == 0).then_some(q)
    }

    pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
        init();
        let mut out = [0u8; 32];
        // SAFETY: the state is plain data initialised by _init; key and msg are valid for
        // their lengths; out is 32 bytes.
        unsafe {
            let mut st: ffi::crypto_auth_hmacsha256_state = std::mem::zeroed();
            ffi::crypto_auth_hmacsha256_init(&mut st, key.as_ptr(), key.len());
            ffi::crypto_auth_hmacsha256_update(&mut st, msg.as_ptr(), msg.len() as u64);
            ffi::crypto_auth_hmacsha256_final(&mut st, out.as_mut_ptr());
        }
        out
    }

    pub fn generichash32(msg: &[u8]) -> [u8; 32] {
        init();
        let mut out = [0u8; 32];
        // SAFETY: out is 32 bytes; msg valid for its length; no key.
        let rc = unsafe {
            ffi::crypto_generichash(
                out.as_mut_ptr(),
                32,
                msg.as_ptr(),
                msg.len() as u64,
                std::ptr::null(),
                0,
            )
        };
        assert_eq!(rc, 0);
        out
    }

    pub fn xchacha_encrypt(key: &[u8; 32], nonce: &[u8; 24], m: &[u8]) -> Vec<u8> {
        init();
        let mut c = vec![0u8; m.len() + 16];
        let mut clen = 0u64;
        // SAFETY: c has room for m + 16-byte tag; nonce 24 and key 32 bytes; no AD.
        let rc = unsafe {
            ffi::crypto_aead_xchacha20poly1305_ietf_encrypt(
                c.as_mut_ptr(),
                &mut clen,
                m.as_ptr(),
                m.len() as u64,
                std::ptr::null(),
                0,
                std::ptr::null(),
                nonce.as_ptr(),
                key.as_ptr(),
            )
        };
        assert_eq!(rc, 0);
        c.truncate(clen as usize);
        c
    }

    pub fn aes256gcm_available() -> bool {
        init();
        // SAFETY: no arguments.
        unsafe { ffi::crypto_aead_aes256gcm_is_available() == 1 }
    }

    pub fn aes256gcm_encrypt(key: &[u8; 32], nonce: &[u8; 12], m: &[u8]) -> Vec<u8> {
        init();
        let mut c = vec![0u8; m.len() + 16];
        let mut clen = 0u64;
        // SAFETY: as for xchacha_encrypt, with a 12-byte nonce; only called when available.
        let rc = unsafe {
            ffi::crypto_aead_aes256gcm_encrypt(
                c.as_mut_ptr(),
                &mut clen,
                m.as_ptr(),
                m.len() as u64,
                std::ptr::null(),
                0,
                std::ptr::null(),
                nonce.as_ptr(),
                key.as_ptr(),
            )
        };
        assert_eq!(rc, 0);
        c.truncate(clen as usize);
        c
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Key derivation and both ciphers agree with libsodium (crypto_scalarmult,
    /// HMAC-SHA256, crypto_generichash, XChaCha20-Poly1305-IETF, AES-256-GCM when the CPU
    /// has it) on random keys, nonces and plaintexts.
    #[test]
    fn hop_layers_match_libsodium(
        client_sec in any::<[u8; 32]>(),
        server_sec in any::<[u8; 32]>(),
        gcm_iv in any::<[u8; 12]>(),
        xnonce in any::<[u8; 24]>(),
        plaintext in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let client = X25519Keypair::from_secret(client_sec);
        let server = X25519Keypair::from_secret(server_sec);
        let shared = sodium::scalarmult(&client_sec, server.public_key()).unwrap();
        let ours = shared_secret(&client_sec, server.public_key()).unwrap();
        prop_assert_eq!(*ours, shared);

        let gcm_key = sodium::hmac_sha256(b"LOKI", &shared);
        prop_assert_eq!(
            *derive_key(EncType::AesGcm, &shared, client.public_key(), server.public_key()),
            gcm_key
        );
        let mut kdf_input = shared.to_vec();
        kdf_input.extend_from_slice(client.public_key());
        kdf_input.extend_from_slice(server.public_key());
        let x_key = sodium::generichash32(&kdf_input);
        prop_assert_eq!(
            *derive_key(EncType::XChaCha20, &shared, client.public_key(), server.public_key()),
            x_key
        );

        let hop = HopCipher::client(&client, server.public_key(), EncType::XChaCha20).unwrap();
        let ct = hop.encrypt_with_nonce(&plaintext, &xnonce).unwrap();
        prop_assert_eq!(&ct[..24], &xnonce[..]);
        prop_assert_eq!(&ct[24..], &sodium::xchacha_encrypt(&x_key, &xnonce, &plaintext)[..]);

        let hop = HopCipher::client(&client, server.public_key(), EncType::AesGcm).unwrap();
        let ct = hop.encrypt_with_nonce(&plaintext, &gcm_iv).unwrap();
        prop_assert_eq!(&ct[..12], &gcm_iv[..]);
        if sodium::aes256gcm_available() {
            prop_assert_eq!(&ct[12..], &sodium::aes256gcm_encrypt(&gcm_key, &gcm_iv, &plaintext)[..]);
        }
        let back = HopCipher::server(&server, client.public_key(), EncType::AesGcm)
            .unwrap()
            .decrypt(&ct)
            .unwrap();
        prop_assert_eq!(back, plaintext);
    }
}
