//! Sealed boxes, padding, 1:1 messages, blinded DMs, attachments, onion layers, BLAKE2b.

use session_crypto::onion::{EncType, HopCipher};
use session_crypto::padding::{unpad, unpad_lenient};
use session_crypto::{
    BlindedId, Error, Identity, ServerPubkey, SessionId, X25519Keypair, attachment, blake2b,
    blinded_dm, onetoone, sealed_box,
};

use crate::{PUFFIN, SERVER};

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
