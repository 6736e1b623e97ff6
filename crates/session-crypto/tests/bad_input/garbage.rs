//! Random input into every parser and decrypter: an error or a value, never a panic.

use proptest::prelude::*;
use session_crypto::padding::unpad;
use session_crypto::{
    AccountId, BlindedId, Identity, Mnemonic, ServerPubkey, SessionId, attachment, blinded_dm,
    ed25519_to_x25519_public, onetoone, sealed_box, verify_ed25519, verify_xed25519,
};

use crate::{SERVER, words};

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Arbitrary text into every parser: an error or a value, never a panic.
    #[test]
    fn parsers_never_panic(text in "\\PC{0,80}", hexish in "[0-9a-fA-Fxé ]{0,70}") {
        for t in [&text, &hexish] {
            let _ = Mnemonic::parse(t);
            let _ = t.parse::<SessionId>();
            let _ = t.parse::<BlindedId>();
            let _ = t.parse::<AccountId>();
            let _ = t.parse::<ServerPubkey>();
            let _ = Identity::from_mnemonic(t);
        }
    }

    /// Phrases built from real words in random order: an error or a valid decode that
    /// re-encodes to the same seed.
    #[test]
    fn random_word_phrases_decode_or_fail_cleanly(picks in proptest::collection::vec(0usize..13, 0..30)) {
        let w = words();
        let phrase: Vec<&str> = picks.iter().map(|&i| w[i]).collect();
        if let Ok(m) = Mnemonic::parse(&phrase.join(" ")) {
            let again = Mnemonic::parse(&m.phrase()).unwrap();
            prop_assert_eq!(again.seed(), m.seed());
        }
    }

    /// Arbitrary bytes into every decrypter and verifier: a typed error, never a panic, and
    /// never a successful decryption.
    #[test]
    fn decrypters_never_panic_on_garbage(data in proptest::collection::vec(any::<u8>(), 0..400), key in any::<[u8; 32]>()) {
        let me = Identity::from_seed(&[8; 16]).unwrap();
        let server: ServerPubkey = SERVER.parse().unwrap();
        let peer = BlindedId::new(session_crypto::BlindingScheme::Blind15, key);
        prop_assert!(sealed_box::open(&data, &me.x25519_keypair()).is_err());
        prop_assert!(onetoone::decrypt(&me, &data).is_err());
        prop_assert!(blinded_dm::decrypt_inbox(&me, &server, &peer, &data).is_err());
        prop_assert!(blinded_dm::decrypt_outbox(&me, &server, &peer, &data).is_err());
        prop_assert!(attachment::decrypt(&data, &[key, key].concat(), &key, None).is_err());
        prop_assert!(attachment::decrypt_profile_picture(&key, &data).is_err());
        let mut s_prefixed = vec![b'S'];
        s_prefixed.extend_from_slice(&data);
        prop_assert!(attachment::deterministic::decrypt(&data, &key).is_err());
        prop_assert!(attachment::deterministic::decrypt(&s_prefixed, &key).is_err());
        prop_assert!(verify_ed25519(&key, &data, &data).is_err());
        prop_assert!(verify_xed25519(&key, &data, &data).is_err());
        let _ = unpad(&data);
        let _ = ed25519_to_x25519_public(&key);
    }
}
