//! SOGS message data: every signing mode round-trips, our signatures verify under libsodium,
//! a libsodium-only blind15 signer produces our exact bytes, and random messages, timestamps,
//! identities and modes survive encode → decode (proptest).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use session_crypto::padding::PaddingRule;
use session_crypto::{AccountId, Identity, SigningMode};
use session_schema::{
    Content, SogsSigner, VisibleMessage, decode_sogs_message, encode_sogs_message,
};

use crate::{identity, server, sodium};

const MODES: [SigningMode; 3] = [
    SigningMode::Blind15,
    SigningMode::Blind25,
    SigningMode::Unblinded,
];

fn sig_bytes(b64: &str) -> [u8; 64] {
    STANDARD.decode(b64).unwrap().try_into().unwrap()
}

#[test]
fn every_mode_round_trips_and_names_the_sender() {
    let id = identity(1);
    let content = VisibleMessage::text("hello")
        .timestamp(1_700_000_000_000)
        .into_content();
    for mode in MODES {
        let post = encode_sogs_message(&content, &id, mode, &server()).unwrap();
        let signer = SogsSigner::new(&id, mode, &server());
        let expected_sender: AccountId = match mode {
            SigningMode::Blind15 => id.blind15(&server()).id().into(),
            SigningMode::Blind25 => id.blind25(&server()).id().into(),
            SigningMode::Unblinded => id.session_id().into(),
        };
        assert_eq!(signer.sender(), expected_sender);
        let read =
            decode_sogs_message(&post.data, &post.signature, &expected_sender, &server()).unwrap();
        assert!(read.is_verified(), "{mode:?}");
        assert!(read.is_from(&id.session_id()), "{mode:?}");
        assert!(!read.is_from(&identity(2).session_id()), "{mode:?}");
        assert_eq!(read.into_verified().unwrap(), content);
    }
}

#[test]
fn padded_data_uses_the_libsession_rule_and_the_legacy_rule_on_request() {
    let id = identity(1);
    let content = VisibleMessage::text("x").timestamp(1).into_content();
    let n = content.as_bytes().len();
    for (rule, want) in [(PaddingRule::Libsession, 160), (PaddingRule::LegacyJs, 159)] {
        let post = SogsSigner::new(&id, SigningMode::Blind15, &server())
            .padding(rule)
            .encode(&content)
            .unwrap();
        let padded = STANDARD.decode(&post.data).unwrap();
        assert_eq!(padded.len(), want);
        assert_eq!(&padded[..n], content.as_bytes());
        assert_eq!(padded[n], 0x80);
        assert!(padded[n + 1..].iter().all(|&b| b == 0));
    }
}

#[test]
fn blinded_signatures_verify_under_libsodium() {
    sodium::init();
    let content = VisibleMessage::text("sodium").timestamp(2).into_content();
    for n in 0..8 {
        let id = identity(n);
        for mode in [SigningMode::Blind15, SigningMode::Blind25] {
            let signer = SogsSigner::new(&id, mode, &server());
            let post = signer.encode(&content).unwrap();
            let padded = STANDARD.decode(&post.data).unwrap();
            let key = *signer.sender().as_blinded().unwrap().public_key();
            assert!(sodium::verify(&sig_bytes(&post.signature), &padded, &key));
            let mut tampered = padded.clone();
            tampered[3] ^= 1;
            assert!(!sodium::verify(
                &sig_bytes(&post.signature),
                &tampered,
                &key
            ));
        }
    }
}

#[test]
fn unblinded_signatures_verify_under_libsodium_with_the_sign_bit_zero_key() {
    sodium::init();
    let content = VisibleMessage::text("xed").timestamp(3).into_content();
    for n in 0..8 {
        let id = identity(n);
        let post = encode_sogs_message(&content, &id, SigningMode::Unblinded, &server()).unwrap();
        let sig = sig_bytes(&post.signature);
        // XEd25519 form: bit 255 of S is 0 and the key is the sign-0 point of X.
        assert_eq!(sig[63] & 0x80, 0);
        let key = curve25519_dalek::MontgomeryPoint(*id.x25519_public_key())
            .to_edwards(0)
            .unwrap()
            .compress()
            .to_bytes();
        let padded = STANDARD.decode(&post.data).unwrap();
        assert!(sodium::verify(&sig, &padded, &key), "seed {n}");
    }
}

#[test]
fn libsodium_blind15_signer_produces_our_exact_bytes() {
    let content = VisibleMessage::text("same bytes")
        .timestamp(4)
        .into_content();
    for n in 0..8 {
        let id = identity(n);
        let mut seed = [0u8; 32];
        seed[..16].copy_from_slice(id.mnemonic().seed());
        let reference = sodium::Blind15::new(&seed, server().as_bytes());
        let signer = SogsSigner::new(&id, SigningMode::Blind15, &server());
        assert_eq!(
            &reference.public,
            signer.sender().as_blinded().unwrap().public_key()
        );
        let post = signer.encode(&content).unwrap();
        let padded = STANDARD.decode(&post.data).unwrap();
        assert_eq!(
            reference.sign(&padded),
            sig_bytes(&post.signature),
            "seed {n}"
        );
    }
}

#[test]
fn unblinded_signatures_are_randomised_but_all_verify() {
    let id = identity(5);
    let content = VisibleMessage::text("r").timestamp(5).into_content();
    let a = encode_sogs_message(&content, &id, SigningMode::Unblinded, &server()).unwrap();
    let b = encode_sogs_message(&content, &id, SigningMode::Unblinded, &server()).unwrap();
    assert_eq!(a.data, b.data);
    assert_ne!(a.signature, b.signature);
    let sender = id.session_id().into();
    for post in [a, b] {
        assert!(
            decode_sogs_message(&post.data, &post.signature, &sender, &server())
                .unwrap()
                .is_verified()
        );
    }
}

fn mode_strategy() -> impl Strategy<Value = SigningMode> {
    prop::sample::select(MODES.to_vec())
}

proptest! {
    #[test]
    fn random_messages_round_trip_in_every_mode(
        text in ".{0,400}",
        timestamp in any::<u64>(),
        seed in any::<[u8; 16]>(),
        server_key in any::<[u8; 32]>(),
        mode in mode_strategy(),
    ) {
        let id = Identity::from_seed(&seed).unwrap();
        let server = session_crypto::ServerPubkey::from_bytes(server_key);
        let content = VisibleMessage::text(text.clone()).timestamp(timestamp).into_content();
        let signer = SogsSigner::new(&id, mode, &server);
        let post = signer.encode(&content).unwrap();
        let read = decode_sogs_message(&post.data, &post.signature, &signer.sender(), &server).unwrap();
        prop_assert!(read.is_verified());
        prop_assert_eq!(read.content().text(), Some(text.as_str()));
        prop_assert_eq!(read.content().timestamp(), Some(timestamp));
        prop_assert!(read.is_from(&id.session_id()));
        // Another identity's id never verifies the same post.
        let other = SogsSigner::new(&Identity::from_seed(&[!seed[0]; 16]).unwrap(), mode, &server);
        let forged = decode_sogs_message(&post.data, &post.signature, &other.sender(), &server).unwrap();
        prop_assert!(!forged.is_verified());
    }

    #[test]
    fn decoded_content_bytes_are_the_signed_bytes(body in prop::collection::vec(any::<u8>(), 0..64)) {
        // Arbitrary bytes wrapped as an unknown field: kept exactly through sign and verify.
        let mut raw = vec![0xba, 0x3e]; // field 999, length-delimited
        prost::encoding::encode_varint(body.len() as u64, &mut raw);
        raw.extend_from_slice(&body);
        let content = Content::decode(&raw).unwrap();
        let signer = SogsSigner::new(&identity(3), SigningMode::Blind15, &server());
        let post = signer.encode(&content).unwrap();
        let read = decode_sogs_message(&post.data, &post.signature, &signer.sender(), &server()).unwrap();
        prop_assert!(read.is_verified());
        prop_assert_eq!(read.content().as_bytes(), &raw[..]);
        prop_assert_eq!(read.content().unknown_fields().len(), 1);
    }
}

fn blinded_mode() -> impl Strategy<Value = SigningMode> {
    prop::sample::select(vec![SigningMode::Blind15, SigningMode::Blind25])
}

proptest! {
    #[test]
    fn verification_agrees_with_libsodium(
        seed in any::<[u8; 16]>(),
        text in ".{0,100}",
        flip in 0usize..(64 * 8 + 32),
        mode in blinded_mode(),
    ) {
        sodium::init();
        let signer = SogsSigner::new(&Identity::from_seed(&seed).unwrap(), mode, &server());
        let post = signer.encode(&VisibleMessage::text(text).timestamp(9).into_content()).unwrap();
        let padded = STANDARD.decode(&post.data).unwrap();
        let mut sig = sig_bytes(&post.signature);
        // Flip one bit of R or S (or none, for flip ≥ 512).
        if flip < 512 {
            sig[flip / 8] ^= 1 << (flip % 8);
        }
        let key = *signer.sender().as_blinded().unwrap().public_key();
        let ours = decode_sogs_message(&post.data, &STANDARD.encode(sig), &signer.sender(), &server())
            .unwrap()
            .is_verified();
        prop_assert_eq!(ours, sodium::verify(&sig, &padded, &key));
        prop_assert_eq!(ours, flip >= 512);
    }
}
