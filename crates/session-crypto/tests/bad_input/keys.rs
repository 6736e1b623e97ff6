//! Phrases, seeds, ids, curve points and signatures.

use session_crypto::{
    AccountId, BlindedId, Error, Identity, Mnemonic, ServerPubkey, SessionId, X25519Keypair,
    ed25519_to_x25519_public, is_valid_ed25519_public_key, verify_ed25519, verify_xed25519,
};

use crate::{L, PUFFIN, SERVER, SID, words};

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
