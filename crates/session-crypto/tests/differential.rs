//! Differential tests against libsodium (`libsodium-sys-stable`, dev-dependency only) on random
//! inputs: every primitive this crate reimplements must agree with libsodium byte for byte.
//!
//! proptest runs 256 cases per property by default (`PROPTEST_CASES` overrides; `cargo xtask
//! test` sets 256).
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::sodium;
use proptest::prelude::*;
use session_crypto::attachment::deterministic::{self, Domain};
use session_crypto::blinding::{blind15_factor, blind25_factor};
use session_crypto::{
    Error, Identity, ServerPubkey, X25519Keypair, attachment, blake2b, blinded_dm,
    ed25519_to_x25519_public, sealed_box, verify_ed25519,
};

/// Reduces a 32-byte scalar mod L through libsodium.
fn reduce32(s: &[u8; 32]) -> [u8; 32] {
    let mut wide = [0u8; 64];
    wide[..32].copy_from_slice(s);
    sodium::scalar_reduce(&wide)
}

/// proptest's defaults (256 cases, or `PROPTEST_CASES`), without writing regression files
/// into the source tree.
fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Seed → Ed25519 keypair, for 32-byte seeds and zero-padded 16-byte phrase seeds.
    #[test]
    fn ed25519_keypair_from_seed_matches_libsodium(seed in any::<[u8; 32]>(), short in any::<[u8; 16]>()) {
        let id = Identity::from_seed(&seed).unwrap();
        let (pk, _) = sodium::sign_seed_keypair(&seed);
        prop_assert_eq!(id.ed25519_public_key(), &pk);

        let id16 = Identity::from_seed(&short).unwrap();
        let mut padded = [0u8; 32];
        padded[..16].copy_from_slice(&short);
        let (pk16, _) = sodium::sign_seed_keypair(&padded);
        prop_assert_eq!(id16.ed25519_public_key(), &pk16);
    }

    /// Ed25519 signatures are deterministic (RFC 8032): ours equal libsodium's.
    #[test]
    fn ed25519_signatures_match_libsodium(seed in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..512)) {
        let id = Identity::from_seed(&seed).unwrap();
        let (_, sk) = sodium::sign_seed_keypair(&seed);
        prop_assert_eq!(id.sign(&msg), sodium::sign_detached(&sk, &msg));
    }

    /// Verification both ways, and agreement on corrupted signatures and messages.
    #[test]
    fn ed25519_verification_agrees_with_libsodium(
        seed in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 1..256),
        flip_bit in 0usize..(64 * 8),
        flip_msg in any::<prop::sample::Index>(),
    ) {
        let id = Identity::from_seed(&seed).unwrap();
        let pk = *id.ed25519_public_key();
        let (_, sk) = sodium::sign_seed_keypair(&seed);
        // We verify libsodium's signature; libsodium verifies ours.
        let theirs = sodium::sign_detached(&sk, &msg);
        prop_assert!(verify_ed25519(&pk, &msg, &theirs).is_ok());
        prop_assert!(sodium::verify_detached(&id.sign(&msg), &msg, &pk));
        // A flipped signature bit: both must give the same answer (both reject, except the
        // rare flips libsodium and we both treat as the same valid signature: none exist
        // because S must be canonical and R is fixed).
        let mut bad = theirs;
        bad[flip_bit / 8] ^= 1 << (flip_bit % 8);
        prop_assert_eq!(verify_ed25519(&pk, &msg, &bad).is_ok(), sodium::verify_detached(&bad, &msg, &pk));
        prop_assert!(verify_ed25519(&pk, &msg, &bad).is_err());
        let mut bad_msg = msg.clone();
        let i = flip_msg.index(bad_msg.len());
        bad_msg[i] ^= 0x01;
        prop_assert_eq!(verify_ed25519(&pk, &bad_msg, &theirs), Err(Error::BadSignature));
        prop_assert!(!sodium::verify_detached(&theirs, &bad_msg, &pk));
    }

    /// Random 32-byte "keys" and signatures: the two verifiers agree on every input.
    #[test]
    fn ed25519_verification_agrees_on_garbage(pk in any::<[u8; 32]>(), sig in any::<[u8; 64]>(), msg in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(verify_ed25519(&pk, &msg, &sig).is_ok(), sodium::verify_detached(&sig, &msg, &pk));
    }

    /// Ed25519 → X25519, public (valid keys and random bytes) and secret.
    #[test]
    fn ed25519_to_x25519_matches_libsodium(seed in any::<[u8; 32]>(), random in any::<[u8; 32]>()) {
        let id = Identity::from_seed(&seed).unwrap();
        let (pk, sk) = sodium::sign_seed_keypair(&seed);
        prop_assert_eq!(ed25519_to_x25519_public(&pk).ok(), sodium::ed25519_pk_to_curve25519(&pk));
        prop_assert_eq!(id.x25519_public_key(), &sodium::ed25519_pk_to_curve25519(&pk).unwrap());
        prop_assert_eq!(*id.x25519_keypair().secret_bytes(), sodium::ed25519_sk_to_curve25519(&sk));
        // Arbitrary bytes: accepted by both or rejected by both, with the same result.
        prop_assert_eq!(ed25519_to_x25519_public(&random).ok(), sodium::ed25519_pk_to_curve25519(&random));
    }

    /// Blinding is `crypto_scalarmult_ed25519_base_noclamp` of libsodium scalar products.
    #[test]
    fn blinded_keys_match_libsodium_noclamp(seed in any::<[u8; 32]>(), server in any::<[u8; 32]>()) {
        let id = Identity::from_seed(&seed).unwrap();
        let server = ServerPubkey::from_bytes(server);
        let a = reduce32(id.x25519_keypair().secret_bytes());
        let ka = sodium::scalar_mul(blind15_factor(&server).as_bytes(), &a);
        prop_assert_eq!(sodium::ed25519_base_noclamp(&ka), Some(*id.blind15(&server).public_key()));

        let k25 = *blind25_factor(&id.session_id(), &server).as_bytes();
        let k = if id.ed25519_public_key()[31] & 0x80 != 0 { sodium::scalar_negate(&k25) } else { k25 };
        let ka25 = sodium::scalar_mul(&k, &a);
        prop_assert_eq!(sodium::ed25519_base_noclamp(&ka25), Some(*id.blind25(&server).public_key()));
        // Blinded signatures verify in libsodium.
        let msg = seed.to_vec();
        prop_assert!(sodium::verify_detached(&id.blind15(&server).sign(&msg), &msg, id.blind15(&server).public_key()));
        prop_assert!(sodium::verify_detached(&id.blind25(&server).sign(&msg), &msg, id.blind25(&server).public_key()));
    }

    /// BLAKE2b, unkeyed and keyed, every output length.
    #[test]
    fn blake2b_matches_libsodium(
        len in 1usize..=64,
        key in proptest::collection::vec(any::<u8>(), 0..=64),
        data in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        prop_assert_eq!(blake2b(len, b"", b"", b"", &data).unwrap(), sodium::generichash(len, b"", &data));
        prop_assert_eq!(blake2b(len, &key, b"", b"", &data).unwrap(), sodium::generichash(len, &key, &data));
    }

    /// BLAKE2b with salt and personal strings.
    #[test]
    fn blake2b_salt_personal_matches_libsodium(
        len in 1usize..=64,
        key in proptest::collection::vec(any::<u8>(), 0..=64),
        salt in any::<[u8; 16]>(),
        personal in any::<[u8; 16]>(),
        data in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        prop_assert_eq!(
            blake2b(len, &key, &salt, &personal, &data).unwrap(),
            sodium::generichash_salt_personal(len, &key, &salt, &personal, &data)
        );
    }

    /// X25519: public keys (computed on the Edwards basepoint table here) and Diffie-Hellman
    /// with arbitrary peer bytes (twist points and non-canonical u included).
    #[test]
    fn x25519_matches_libsodium(sk in any::<[u8; 32]>(), peer in any::<[u8; 32]>()) {
        let kp = X25519Keypair::from_secret(sk);
        prop_assert_eq!(*kp.public_key(), sodium::x25519_base(&sk));
        prop_assert_eq!(kp.diffie_hellman(&peer).ok().map(|s| *s), sodium::x25519(&sk, &peer));
    }

    /// Sealed boxes both ways: we seal, libsodium opens; libsodium seals, we open.
    #[test]
    fn sealed_boxes_interoperate_with_libsodium(sk in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..1024)) {
        let kp = X25519Keypair::from_secret(sk);
        prop_assert_eq!(kp.public_key(), &sodium::x25519_base(&sk));
        let ours = sealed_box::seal(&msg, kp.public_key()).unwrap();
        prop_assert_eq!(sodium::box_seal_open(&ours, kp.public_key(), &sk), Some(msg.clone()));
        let theirs = sodium::box_seal(&msg, kp.public_key());
        prop_assert_eq!(sealed_box::open(&theirs, &kp).unwrap(), msg);
    }

    /// Sealed boxes with a chosen ephemeral key are byte-identical to libsodium's construction
    /// (checked through crypto_box_beforenm + the layout) and tampering is rejected by both.
    #[test]
    fn sealed_box_tampering_is_rejected_by_both(sk in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..128), at in any::<prop::sample::Index>()) {
        let kp = X25519Keypair::from_secret(sk);
        let mut sealed = sodium::box_seal(&msg, kp.public_key());
        let i = at.index(sealed.len());
        sealed[i] ^= 0x80;
        prop_assert!(sealed_box::open(&sealed, &kp).is_err());
        prop_assert_eq!(sodium::box_seal_open(&sealed, kp.public_key(), &sk), None);
    }

    /// XChaCha20-Poly1305-IETF as used by blinded DMs: libsodium opens our data with the key it
    /// derives independently, and we open data libsodium encrypts.
    #[test]
    fn xchacha20poly1305_interoperates_with_libsodium(
        seeds in any::<([u8; 16], [u8; 16])>(),
        server in any::<[u8; 32]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..300),
        nonce in any::<[u8; 24]>(),
    ) {
        let server = ServerPubkey::from_bytes(server);
        let (alice, bob) = (Identity::from_seed(&seeds.0).unwrap(), Identity::from_seed(&seeds.1).unwrap());
        let (a15, b15) = (alice.blind15(&server), bob.blind15(&server));
        // Key: BLAKE2b-256(b·kA ‖ kA ‖ kB), all through libsodium.
        let b = reduce32(bob.x25519_keypair().secret_bytes());
        let shared = sodium::ed25519_noclamp(&b, a15.public_key()).unwrap();
        let mut input = shared.to_vec();
        input.extend_from_slice(a15.public_key());
        input.extend_from_slice(b15.public_key());
        let key: [u8; 32] = sodium::generichash(32, b"", &input).try_into().unwrap();

        let data = blinded_dm::encrypt_unpadded_with_nonce(&alice, &server, &b15.id(), &msg, &nonce).unwrap();
        let mut inner = msg.clone();
        inner.extend_from_slice(alice.ed25519_public_key());
        prop_assert_eq!(data[1..data.len() - 24].to_vec(), sodium::xchacha_encrypt(&inner, &nonce, &key));
        prop_assert_eq!(sodium::xchacha_decrypt(&data[1..data.len() - 24], &nonce, &key), Some(inner.clone()));

        let mut theirs = vec![0u8];
        theirs.extend(sodium::xchacha_encrypt(&inner, &nonce, &key));
        theirs.extend_from_slice(&nonce);
        let dm = blinded_dm::decrypt_inbox(&bob, &server, &a15.id(), &theirs).unwrap();
        prop_assert_eq!(dm.sender, alice.session_id());
        prop_assert_eq!(dm.content, session_crypto::padding::unpad_lenient(&msg).to_vec());
    }
}

/// libsodium reference of the deterministic attachment scheme: the key and header from
/// `crypto_generichash_blake2b_salt_personal`, the stream pushed from a state made by
/// `init_pull` with that header (the state `init_push` would make), chunks of 32 KiB.
fn sodium_deterministic(seed: &[u8; 32], data: &[u8], personal: &[u8; 16]) -> (Vec<u8>, [u8; 32]) {
    let nk = sodium::generichash_salt_personal(56, seed, &[0; 16], personal, data);
    let header: [u8; 24] = nk[..24].try_into().unwrap();
    let key: [u8; 32] = nk[24..].try_into().unwrap();
    let mut stream = vec![0u8; deterministic::padding_len(data.len()) - 1];
    stream.push(1);
    stream.extend_from_slice(data);
    let mut st = sodium::secretstream_init_pull(&header, &key);
    let mut out = vec![b'S'];
    out.extend_from_slice(&header);
    let count = stream.len().div_ceil(deterministic::CHUNK_SIZE);
    for (i, chunk) in stream.chunks(deterministic::CHUNK_SIZE).enumerate() {
        out.extend(sodium::secretstream_push(
            &mut st,
            chunk,
            if i + 1 == count { 3 } else { 0 },
        ));
    }
    (out, key)
}

/// Data of `len` bytes (larger sizes cross 32 KiB chunk boundaries).
fn sized_data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(any::<u8>(), 0..2000),
        1 => (30_000usize..110_000, any::<u8>()).prop_map(|(n, b)| (0..n).map(|i| (i as u8) ^ b).collect()),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// Deterministic attachments are byte-identical to the same construction from libsodium
    /// calls, and libsodium's secretstream opens them.
    #[test]
    fn deterministic_attachments_match_libsodium_secretstream(seed in any::<[u8; 32]>(), data in sized_data(), profile in any::<bool>()) {
        let (domain, personal) = if profile {
            (Domain::ProfilePicture, b"Session_Prof_Pic")
        } else {
            (Domain::Attachment, b"SessionAttachmnt")
        };
        let id = Identity::from_seed(&seed).unwrap();
        let ours = deterministic::encrypt(&id, &data, domain).unwrap();
        let (theirs, key) = sodium_deterministic(&seed, &data, personal);
        prop_assert_eq!(&*ours.key, &key);
        prop_assert_eq!(ours.data.len(), deterministic::encrypted_size(data.len()));
        prop_assert!(ours.data == theirs, "ciphertexts differ for {} bytes", data.len());
        // libsodium pulls every chunk of ours; the last is FINAL.
        let header: [u8; 24] = ours.data[1..25].try_into().unwrap();
        let mut st = sodium::secretstream_init_pull(&header, &key);
        let mut stream = Vec::new();
        let mut last_tag = 0;
        for chunk in ours.data[25..].chunks(deterministic::CHUNK_SIZE + 17) {
            let (m, tag) = sodium::secretstream_pull(&mut st, chunk).unwrap();
            stream.extend(m);
            last_tag = tag;
        }
        prop_assert_eq!(last_tag, 3);
        let start = stream.iter().position(|&b| b != 0).unwrap();
        prop_assert_eq!(stream[start], 1);
        prop_assert_eq!(&stream[start + 1..], &data[..]);
    }

    /// Streams libsodium pushes with a random header, any padding and REKEY/PUSH tags on
    /// inner chunks: we decrypt them, and reject them once a chunk is altered.
    #[test]
    fn libsodium_secretstreams_decrypt_here(
        key in any::<[u8; 32]>(),
        data in sized_data(),
        padding in 1usize..5000,
        inner_tags in proptest::collection::vec(0u8..3, 8),
        flip in any::<prop::sample::Index>(),
    ) {
        let (mut st, header) = sodium::secretstream_init_push(&key);
        let mut stream = vec![0u8; padding - 1];
        stream.push(1);
        stream.extend_from_slice(&data);
        let mut enc = vec![b'S'];
        enc.extend_from_slice(&header);
        let count = stream.len().div_ceil(deterministic::CHUNK_SIZE);
        for (i, chunk) in stream.chunks(deterministic::CHUNK_SIZE).enumerate() {
            let tag = if i + 1 == count { 3 } else { inner_tags[i % inner_tags.len()] };
            enc.extend(sodium::secretstream_push(&mut st, chunk, tag));
        }
        prop_assert_eq!(deterministic::decrypt(&enc, &key).unwrap(), data);
        let i = 25 + flip.index(enc.len() - 25);
        enc[i] ^= 0x01;
        prop_assert!(deterministic::decrypt(&enc, &key).is_err());
    }

    /// AES-256-GCM as used for profile pictures, both ways. libsodium only offers AES-GCM on
    /// CPUs with AES-NI and PCLMUL; without them the property is skipped, visibly.
    #[test]
    fn aes256gcm_interoperates_with_libsodium(
        key in any::<[u8; 32]>(),
        iv in any::<[u8; 12]>(),
        data in proptest::collection::vec(any::<u8>(), 1..1024),
    ) {
        if !sodium::aes256gcm_available() {
            println!("SKIPPED aes256gcm_interoperates_with_libsodium: crypto_aead_aes256gcm_is_available() == 0 on this CPU");
            return Ok(());
        }
        let ours = attachment::encrypt_profile_picture_with_iv(&key, &data, &iv).unwrap();
        prop_assert_eq!(&ours[..12], &iv[..]);
        prop_assert_eq!(ours[12..].to_vec(), sodium::aes256gcm_encrypt(&data, &iv, &key));
        prop_assert_eq!(sodium::aes256gcm_decrypt(&ours[12..], &iv, &key), Some(data.clone()));
        let mut theirs = iv.to_vec();
        theirs.extend(sodium::aes256gcm_encrypt(&data, &iv, &key));
        prop_assert_eq!(attachment::decrypt_profile_picture(&key, &theirs).unwrap(), data);
    }
}

#[test]
fn aes256gcm_availability_is_reported() {
    // Makes the skip visible in the test list as well as in the output above.
    println!(
        "libsodium crypto_aead_aes256gcm_is_available() = {}",
        sodium::aes256gcm_available()
    );
}
