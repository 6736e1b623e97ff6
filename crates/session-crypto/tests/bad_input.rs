//! Bad input gets a typed error, never a panic (issue 3 §3): every mnemonic error; ids and keys
//! of wrong length, prefix or hex; signatures of wrong length or non-canonical S; sealed boxes
//! too short or tampered; padding without 0x80 or with non-zero bytes after it; 1:1 and blinded
//! DM ciphertexts; attachments; onion layers with a tampered tag. Random bytes into every
//! parser and decrypter must not panic either.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use session_crypto::onion::{EncType, HopCipher};
use session_crypto::padding::{unpad, unpad_lenient};
use session_crypto::{
    AccountId, BlindedId, Error, Identity, Mnemonic, ServerPubkey, SessionId, X25519Keypair,
    attachment, blake2b, blinded_dm, ed25519_to_x25519_public, is_valid_ed25519_public_key,
    onetoone, sealed_box, verify_ed25519, verify_xed25519,
};

const PUFFIN: &str =
    "puffin luxury annoyed rustled memoir faxed smidgen puddle kiwi nylon utopia zinger kiwi";
const SID: &str = "054830367d369d94605247999a375dbd0a0f65fdec5de1535612bcb6d4de452c69";
const SERVER: &str = "a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238";
/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn words() -> Vec<&'static str> {
    PUFFIN.split(' ').collect()
}

#[test]
fn rejects_phrases_with_the_wrong_word_count() {
    for n in [0usize, 1, 11, 14, 15, 23, 26, 40] {
        let phrase = vec!["kiwi"; n].join(" ");
        assert_eq!(
            Mnemonic::parse(&phrase),
            Err(Error::WordCount { count: n }),
            "{n} words"
        );
    }
    assert_eq!(
        Mnemonic::parse(" \t\n "),
        Err(Error::WordCount { count: 0 })
    );
}

#[test]
fn rejects_phrases_missing_their_checksum_word() {
    let w = words();
    assert_eq!(
        Mnemonic::parse(&w[..12].join(" ")),
        Err(Error::MissingChecksum)
    );
    let legacy24 = [&w[..12], &w[..12]].concat().join(" ");
    assert_eq!(Mnemonic::parse(&legacy24), Err(Error::MissingChecksum));
}

#[test]
fn rejects_unknown_words_naming_word_and_position() {
    let mut w = words();
    w[4] = "qwerty";
    assert_eq!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::UnknownWord {
            position: 5,
            word: "qwerty".into()
        })
    );
    // Too short to have a 3-letter prefix, non-ASCII, and in the checksum position.
    let mut w = words();
    w[0] = "ki";
    assert_eq!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::UnknownWord {
            position: 1,
            word: "ki".into()
        })
    );
    let mut w = words();
    w[2] = "éèà";
    assert!(matches!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::UnknownWord { position: 3, .. })
    ));
    let mut w = words();
    w[12] = "zzz";
    assert!(matches!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::UnknownWord { position: 13, .. })
    ));
}

#[test]
fn rejects_word_triples_that_overflow_32_bits() {
    // abbey abbey zoom = 1625·1626² ≥ 2³², in the first and in the third group.
    let mut w = words();
    w[..3].copy_from_slice(&["abbey", "abbey", "zoom"]);
    assert_eq!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::InvalidValue { group: 0 })
    );
    let mut w = words();
    w[6..9].copy_from_slice(&["abbey", "abbey", "zoom"]);
    assert_eq!(
        Mnemonic::parse(&w.join(" ")),
        Err(Error::InvalidValue { group: 2 })
    );
}

#[test]
fn rejects_a_wrong_checksum_word() {
    let mut w = words();
    w[12] = "abbey";
    assert_eq!(Mnemonic::parse(&w.join(" ")), Err(Error::BadChecksum));
    // A valid 25-word phrase with its checksum replaced.
    let legacy = Mnemonic::from_seed(&[7; 32]).unwrap().phrase();
    let mut w: Vec<&str> = legacy.split(' ').collect();
    w[24] = if w[24] == "abbey" { "zoom" } else { "abbey" };
    assert_eq!(Mnemonic::parse(&w.join(" ")), Err(Error::BadChecksum));
}

#[test]
fn rejects_seeds_of_the_wrong_length() {
    for n in [0usize, 1, 15, 17, 31, 33, 64] {
        assert_eq!(
            Mnemonic::from_seed(&vec![0; n]),
            Err(Error::InvalidSeedLength { actual: n })
        );
        assert!(matches!(
            Identity::from_seed(&vec![0; n]),
            Err(Error::InvalidSeedLength { actual }) if actual == n
        ));
    }
}

#[test]
fn rejects_ids_of_the_wrong_length_prefix_or_hex() {
    let key = &SID[2..];
    for bad in ["", "05", &SID[..65], &format!("{SID}00"), &SID[..64]] {
        assert!(
            matches!(bad.parse::<SessionId>(), Err(Error::InvalidLength { .. })),
            "{bad:?}"
        );
        assert!(
            matches!(bad.parse::<BlindedId>(), Err(Error::InvalidLength { .. })),
            "{bad:?}"
        );
        assert!(
            matches!(bad.parse::<AccountId>(), Err(Error::InvalidLength { .. })),
            "{bad:?}"
        );
    }
    for prefix in ["00", "06", "15", "25", "ff"] {
        let id = format!("{prefix}{key}");
        assert!(
            matches!(id.parse::<SessionId>(), Err(Error::InvalidPrefix { .. })),
            "{id}"
        );
    }
    for prefix in ["05", "00", "16", "24"] {
        let id = format!("{prefix}{key}");
        assert!(
            matches!(id.parse::<BlindedId>(), Err(Error::InvalidPrefix { .. })),
            "{id}"
        );
    }
    assert!(matches!(
        format!("07{key}").parse::<AccountId>(),
        Err(Error::InvalidPrefix { .. })
    ));
    let non_hex = format!("05{}xy", &key[..62]);
    assert_eq!(
        non_hex.parse::<SessionId>(),
        Err(Error::InvalidHex { what: "Session ID" })
    );
    assert!(matches!(
        format!("15{}g0", &key[..62]).parse::<BlindedId>(),
        Err(Error::InvalidHex { .. })
    ));
    // Multi-byte characters never split a prefix or panic.
    assert!(format!("é{}", &SID[2..]).parse::<SessionId>().is_err());
    assert!(format!("0{}é", &SID[1..64]).parse::<AccountId>().is_err());
    for bad in ["", "00", &SERVER[..63], &format!("{SERVER}0")] {
        assert!(
            matches!(
                bad.parse::<ServerPubkey>(),
                Err(Error::InvalidLength { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        format!("{}zz", &SERVER[..62]).parse::<ServerPubkey>(),
        Err(Error::InvalidHex { .. })
    ));
    assert!(serde_json::from_str::<SessionId>("\"05\"").is_err());
    assert!(serde_json::from_str::<BlindedId>("42").is_err());
}

#[test]
fn rejects_invalid_curve_points() {
    // The identity, a small-order point, a non-canonical y (≥ p), and a point with a torsion
    // component (the pysogs small-subgroup vector).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let small_order: [u8; 32] =
        hex::decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
            .unwrap()
            .try_into()
            .unwrap();
    let torsion: [u8; 32] =
        hex::decode("b23654d99fdf890738cd4ac3468a7bc0a21799dd6b0579da7e3a712bef45e2ce")
            .unwrap()
            .try_into()
            .unwrap();
    for bad in [identity, small_order, [0xff; 32], torsion] {
        assert!(!is_valid_ed25519_public_key(&bad));
        assert!(matches!(
            ed25519_to_x25519_public(&bad),
            Err(Error::InvalidPoint { .. })
        ));
    }
    let kp = X25519Keypair::from_secret([1; 32]);
    assert_eq!(kp.diffie_hellman(&[0; 32]), Err(Error::WeakKeyExchange));
    let mut one = [0u8; 32];
    one[0] = 1;
    assert_eq!(kp.diffie_hellman(&one), Err(Error::WeakKeyExchange));
}

#[test]
fn rejects_signatures_of_wrong_length_or_non_canonical_s() {
    let id = Identity::from_mnemonic(PUFFIN).unwrap();
    let pk = *id.ed25519_public_key();
    let sig = id.sign(b"msg");
    for n in [0usize, 1, 63, 65, 128] {
        let wrong = vec![0u8; n];
        let expected = Err(Error::InvalidLength {
            what: "signature",
            expected: 64,
            actual: n,
        });
        assert_eq!(verify_ed25519(&pk, b"msg", &wrong), expected);
        assert_eq!(
            verify_xed25519(id.x25519_public_key(), b"msg", &wrong),
            expected
        );
    }
    // S + L encodes the same scalar non-canonically: rejected (malleability).
    let mut s_plus_l = sig;
    let mut carry = 0u16;
    for (i, l) in L.iter().enumerate() {
        let v = u16::from(s_plus_l[32 + i]) + u16::from(*l) + carry;
        s_plus_l[32 + i] = v as u8;
        carry = v >> 8;
    }
    assert_eq!(
        verify_ed25519(&pk, b"msg", &s_plus_l),
        Err(Error::BadSignature)
    );
    // S with its top bits set, and S = L exactly.
    let mut high = sig;
    high[63] |= 0xe0;
    assert_eq!(verify_ed25519(&pk, b"msg", &high), Err(Error::BadSignature));
    let mut s_is_l = sig;
    s_is_l[32..].copy_from_slice(&L);
    assert_eq!(
        verify_ed25519(&pk, b"msg", &s_is_l),
        Err(Error::BadSignature)
    );
    // A small-order R, and a signature under an invalid key.
    let mut small_r = sig;
    small_r[..32].copy_from_slice(&[0; 32]);
    small_r[0] = 1;
    assert_eq!(
        verify_ed25519(&pk, b"msg", &small_r),
        Err(Error::BadSignature)
    );
    assert_eq!(
        verify_ed25519(&[0xff; 32], b"msg", &sig),
        Err(Error::BadSignature)
    );
    // A blinded signature checked against the wrong message.
    let server: ServerPubkey = SERVER.parse().unwrap();
    let b = id.blind15(&server);
    assert_eq!(
        verify_ed25519(b.public_key(), b"other", &b.sign(b"msg")),
        Err(Error::BadSignature)
    );
}

#[test]
fn rejects_sealed_boxes_too_short_or_tampered() {
    let kp = X25519Keypair::from_secret([9; 32]);
    for n in 0..48 {
        assert_eq!(
            sealed_box::open(&vec![1u8; n], &kp),
            Err(Error::TooShort {
                what: "sealed box",
                minimum: 48,
                actual: n
            })
        );
    }
    let sealed = sealed_box::seal(b"payload", kp.public_key()).unwrap();
    for i in 0..sealed.len() {
        let mut bad = sealed.clone();
        bad[i] ^= 0x20;
        let err = sealed_box::open(&bad, &kp).unwrap_err();
        assert!(
            matches!(err, Error::DecryptionFailed { .. } | Error::WeakKeyExchange),
            "byte {i}: {err:?}"
        );
    }
    let mut truncated = sealed.clone();
    truncated.pop();
    assert_eq!(
        sealed_box::open(&truncated, &kp),
        Err(Error::DecryptionFailed { what: "sealed box" })
    );
}

#[test]
fn rejects_padding_without_marker_or_with_trailing_garbage() {
    for bad in [
        &b""[..],
        b"\0",
        b"\0\0\0",
        b"abc",
        b"abc\0\0",
        b"abc\x80\x01",
        b"\x80\0\x01\0",
    ] {
        assert_eq!(unpad(bad), Err(Error::InvalidPadding), "{bad:?}");
        assert_eq!(unpad_lenient(bad), bad, "lenient keeps {bad:?} unchanged");
    }
    assert_eq!(unpad(b"\x80").unwrap(), b"");
}

#[test]
fn rejects_bad_one_to_one_ciphertexts() {
    let alice = Identity::from_mnemonic(PUFFIN).unwrap();
    let bob = Identity::from_seed(&[2; 16]).unwrap();
    let ct = onetoone::encrypt(&alice, &bob.session_id(), b"hi").unwrap();
    assert!(matches!(
        onetoone::decrypt(&bob, &ct[..100]),
        Err(Error::TooShort { minimum: 144, .. })
    ));
    assert!(matches!(
        onetoone::decrypt(&bob, &[]),
        Err(Error::TooShort { .. })
    ));
    let mut tampered = ct.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        onetoone::decrypt(&bob, &tampered),
        Err(Error::DecryptionFailed { what: "sealed box" })
    );
    assert_eq!(
        onetoone::decrypt(&alice, &ct),
        Err(Error::DecryptionFailed { what: "sealed box" })
    );
    // Well-sealed but with a garbage signature: reported as a bad signature, not a message.
    let mut inner = session_crypto::padding::pad(b"hi");
    inner.extend_from_slice(alice.ed25519_public_key());
    inner.extend_from_slice(&[0x11; 64]);
    let forged = sealed_box::seal(&inner, bob.x25519_public_key()).unwrap();
    assert_eq!(onetoone::decrypt(&bob, &forged), Err(Error::BadSignature));
    // To a low-order "Session ID".
    let zero = SessionId::from_x25519([0; 32]);
    assert_eq!(
        onetoone::encrypt(&alice, &zero, b"x"),
        Err(Error::WeakKeyExchange)
    );
}

#[test]
fn rejects_bad_blinded_dms() {
    let server: ServerPubkey = SERVER.parse().unwrap();
    let alice = Identity::from_mnemonic(PUFFIN).unwrap();
    let bob = Identity::from_seed(&[2; 16]).unwrap();
    let (a15, b15) = (alice.blind15(&server).id(), bob.blind15(&server).id());
    let data = blinded_dm::encrypt(&alice, &server, &b15, b"hi").unwrap();
    assert!(matches!(
        blinded_dm::decrypt_inbox(&bob, &server, &a15, &data[..72]),
        Err(Error::TooShort { minimum: 73, .. })
    ));
    let mut v2 = data.clone();
    v2[0] = 2;
    assert_eq!(
        blinded_dm::decrypt_inbox(&bob, &server, &a15, &v2),
        Err(Error::UnsupportedVersion {
            what: "blinded DM",
            version: 2
        })
    );
    let mut tag = data.clone();
    let at = tag.len() - 25;
    tag[at] ^= 1;
    assert_eq!(
        blinded_dm::decrypt_inbox(&bob, &server, &a15, &tag),
        Err(Error::DecryptionFailed { what: "blinded DM" })
    );
    // Claimed sender is someone else: the key differs, so the tag fails.
    let carol15 = Identity::from_seed(&[3; 16]).unwrap().blind15(&server).id();
    assert!(blinded_dm::decrypt_inbox(&bob, &server, &carol15, &data).is_err());
    // The sign-flipped twin of the sender's id is a different key: rejected.
    let mut flipped = *a15.public_key();
    flipped[31] ^= 0x80;
    let twin = BlindedId::new(a15.scheme(), flipped);
    assert!(blinded_dm::decrypt_inbox(&bob, &server, &twin, &data).is_err());
    // A recipient id that is not a curve point.
    let junk = BlindedId::new(b15.scheme(), [0xff; 32]);
    assert!(matches!(
        blinded_dm::encrypt(&alice, &server, &junk, b"x"),
        Err(Error::InvalidPoint { .. })
    ));
}

#[test]
fn rejects_bad_attachments() {
    let enc = attachment::encrypt(b"file").unwrap();
    let keys = &*enc.keys;
    assert!(matches!(
        attachment::decrypt(&enc.blob, &keys[..32], &enc.digest, None),
        Err(Error::InvalidLength {
            what: "attachment key",
            ..
        })
    ));
    assert!(matches!(
        attachment::decrypt(&enc.blob, keys, &enc.digest[..31], None),
        Err(Error::InvalidLength {
            what: "attachment digest",
            ..
        })
    ));
    assert!(matches!(
        attachment::decrypt(&enc.blob[..63], keys, &enc.digest, None),
        Err(Error::TooShort { .. })
    ));
    let mut mac = enc.blob.clone();
    *mac.last_mut().unwrap() ^= 1;
    assert_eq!(
        attachment::decrypt(&mac, keys, &enc.digest, None),
        Err(Error::DecryptionFailed {
            what: "attachment MAC"
        })
    );
    assert_eq!(
        attachment::decrypt(&enc.blob, keys, &[0; 32], None),
        Err(Error::DecryptionFailed {
            what: "attachment digest"
        })
    );
    let key = [5u8; 32];
    assert!(matches!(
        attachment::decrypt_profile_picture(&key, &[0; 28]),
        Err(Error::TooShort { minimum: 29, .. })
    ));
    let pic = attachment::encrypt_profile_picture(&key, b"avatar").unwrap();
    assert_eq!(
        attachment::decrypt_profile_picture(&[6; 32], &pic),
        Err(Error::DecryptionFailed {
            what: "profile picture"
        })
    );
}

#[test]
fn rejects_bad_deterministic_attachments() {
    use attachment::deterministic::{self, Domain};
    let me = Identity::from_seed(&[1; 16]).unwrap();
    let enc = deterministic::encrypt(&me, b"photo", Domain::Attachment).unwrap();
    assert!(matches!(
        deterministic::decrypt(&[], &enc.key),
        Err(Error::TooShort { .. })
    ));
    assert!(matches!(
        deterministic::decrypt(&enc.data[..30], &enc.key),
        Err(Error::TooShort { .. })
    ));
    let mut other = enc.data.clone();
    other[0] = 0x00;
    assert_eq!(
        deterministic::decrypt(&other, &enc.key),
        Err(Error::UnsupportedVersion {
            what: "attachment",
            version: 0
        })
    );
    let mut tampered = enc.data.clone();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        deterministic::decrypt(&tampered, &enc.key),
        Err(Error::DecryptionFailed {
            what: "attachment stream"
        })
    );
    assert_eq!(
        deterministic::decrypt(&enc.data, &[0; 32]),
        Err(Error::DecryptionFailed {
            what: "attachment stream"
        })
    );
    let big = vec![0u8; deterministic::MAX_REGULAR_SIZE + 1];
    assert!(matches!(
        deterministic::encrypt(&me, &big, Domain::ProfilePicture),
        Err(Error::TooLong { .. })
    ));
}

#[test]
fn rejects_onion_layers_with_a_tampered_tag() {
    let server = X25519Keypair::from_secret([4; 32]);
    let client = X25519Keypair::from_secret([5; 32]);
    for enc in [EncType::AesGcm, EncType::XChaCha20] {
        let ours = HopCipher::client(&client, server.public_key(), enc).unwrap();
        let theirs = HopCipher::server(&server, client.public_key(), enc).unwrap();
        let mut ct = ours.encrypt(b"onion layer").unwrap();
        assert_eq!(theirs.decrypt(&ct).unwrap(), b"onion layer");
        *ct.last_mut().unwrap() ^= 0x01;
        assert!(
            matches!(theirs.decrypt(&ct), Err(Error::DecryptionFailed { .. })),
            "{enc:?}"
        );
    }
}

#[test]
fn rejects_bad_blake2b_parameters() {
    assert!(matches!(
        blake2b(0, b"", b"", b"", b"x"),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        blake2b(65, b"", b"", b"", b"x"),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        blake2b(32, &[0; 65], b"", b"", b"x"),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        blake2b(32, b"", &[0; 17], b"", b"x"),
        Err(Error::InvalidLength { .. })
    ));
    assert!(matches!(
        blake2b(32, b"", b"", &[0; 17], b"x"),
        Err(Error::InvalidLength { .. })
    ));
}

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
