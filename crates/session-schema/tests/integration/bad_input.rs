//! Bad input gets the right typed error and never a panic.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use session_crypto::{AccountId, SigningMode};
use session_schema::{
    Content, Error, PageItem, SogsSigner, VisibleMessage, decode_page, decode_sogs_message,
};

use crate::{identity, server};

fn signer() -> SogsSigner {
    SogsSigner::new(&identity(1), SigningMode::Blind15, &server())
}

/// Signs arbitrary padded bytes as the test signer would (valid signature, any data).
fn signed(padded: &[u8]) -> (String, String, AccountId) {
    let kp = identity(1).blind15(&server());
    (
        STANDARD.encode(padded),
        STANDARD.encode(kp.sign(padded)),
        kp.id().into(),
    )
}

fn good() -> (String, String, AccountId) {
    let s = signer();
    let post = s
        .encode(&VisibleMessage::text("ok").timestamp(1).into_content())
        .unwrap();
    (post.data, post.signature, s.sender())
}

#[test]
fn non_base64_data_and_signature() {
    let (data, sig, sender) = good();
    assert_eq!(
        decode_sogs_message("%%%", &sig, &sender, &server()),
        Err(Error::InvalidBase64 { field: "data" })
    );
    assert_eq!(
        decode_sogs_message(&data, "sig!", &sender, &server()),
        Err(Error::InvalidBase64 { field: "signature" })
    );
    // Unpadded base64 is accepted (the bytes are what matter).
    let unpadded = data.trim_end_matches('=');
    assert!(
        decode_sogs_message(unpadded, &sig, &sender, &server())
            .unwrap()
            .is_verified()
    );
}

#[test]
fn signature_of_wrong_length() {
    let (data, sig, sender) = good();
    let raw = STANDARD.decode(&sig).unwrap();
    for len in [0, 63, 65, 128] {
        let mut s = raw.clone();
        s.resize(len, 0);
        assert_eq!(
            decode_sogs_message(&data, &STANDARD.encode(&s), &sender, &server()),
            Err(Error::InvalidSignatureLength { actual: len })
        );
    }
}

#[test]
fn wrong_padding() {
    let content = VisibleMessage::text("p").timestamp(1).into_content();
    let bytes = content.as_bytes();
    let mut no_marker = bytes.to_vec();
    no_marker.extend_from_slice(&[0; 20]);
    let mut junk_after_marker = bytes.to_vec();
    junk_after_marker.extend_from_slice(&[0x80, 0, 0, 1, 0]);
    for padded in [
        bytes.to_vec(),
        no_marker,
        junk_after_marker,
        vec![],
        vec![0; 160],
    ] {
        let (data, sig, sender) = signed(&padded);
        assert_eq!(
            decode_sogs_message(&data, &sig, &sender, &server()),
            Err(Error::InvalidPadding),
            "{}",
            hex::encode(&padded)
        );
    }
}

#[test]
fn truncated_protobuf() {
    let content = VisibleMessage::text("truncate me")
        .timestamp(1)
        .into_content();
    let mut cut = content.as_bytes()[..content.as_bytes().len() - 5].to_vec();
    cut.push(0x80);
    let (data, sig, sender) = signed(&cut);
    assert!(matches!(
        decode_sogs_message(&data, &sig, &sender, &server()),
        Err(Error::Protobuf {
            message: "Content",
            ..
        })
    ));
    assert!(matches!(
        Content::decode(&[0x0a, 0x10, 0x01]),
        Err(Error::Protobuf { .. })
    ));
}

#[test]
fn unknown_fields_are_kept_not_fatal() {
    // A newer client's Content: known body plus field 999 inside dataMessage and field 40 at
    // the top level.
    let mut data_message = vec![0x0a, 0x03, b'n', b'e', b'w'];
    data_message.extend_from_slice(&[0xb8, 0x3e, 0x2a]); // 999: varint 42
    let mut raw = vec![0x0a, data_message.len() as u8];
    raw.extend_from_slice(&data_message);
    raw.extend_from_slice(&[0xc2, 0x02, 0x02, 0xbe, 0xef]); // 40: bytes
    let mut padded = raw.clone();
    padded.push(0x80);
    let (data, sig, sender) = signed(&padded);
    let m = decode_sogs_message(&data, &sig, &sender, &server()).unwrap();
    assert!(m.is_verified());
    assert_eq!(m.content().text(), Some("new"));
    assert_eq!(
        m.content().as_bytes(),
        &raw[..],
        "unknown fields are kept byte for byte"
    );
    let unknown: Vec<String> = m
        .content()
        .unknown_fields()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(unknown, ["dataMessage.999", "40"]);
    let json = serde_json::to_value(m.content()).unwrap();
    assert_eq!(
        json["unknown_fields"],
        serde_json::json!(["dataMessage.999", "40"])
    );
}

#[test]
fn signature_of_another_key_is_never_verified() {
    let (data, sig, _) = good();
    let other: AccountId = identity(2).blind15(&server()).id().into();
    let m = decode_sogs_message(&data, &sig, &other, &server()).unwrap();
    assert!(!m.is_verified());
    assert_eq!(
        m.content().text(),
        Some("ok"),
        "content is still readable, marked unverified"
    );
    assert_eq!(m.into_verified(), Err(Error::BadSignature));
    // An all-zero signature and a 05 id whose key has no Ed25519 form (u = -1) too.
    let zero = STANDARD.encode([0u8; 64]);
    let (data, _, sender) = good();
    assert!(
        !decode_sogs_message(&data, &zero, &sender, &server())
            .unwrap()
            .is_verified()
    );
    let mut minus_one = [0xffu8; 32];
    minus_one[0] = 0xec;
    minus_one[31] = 0x7f;
    let odd: AccountId = format!("05{}", hex::encode(minus_one)).parse().unwrap();
    assert!(
        !decode_sogs_message(&data, &sig, &odd, &server())
            .unwrap()
            .is_verified()
    );
}

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(data in ".{0,300}", sig in ".{0,120}") {
        let (_, _, sender) = good();
        let _ = decode_sogs_message(&data, &sig, &sender, &server());
        let item = PageItem { data: &data, signature: &sig, sender: &sender };
        let _ = decode_page([item, item], &server());
    }

    #[test]
    fn arbitrary_signed_bytes_never_panic(padded in prop::collection::vec(any::<u8>(), 0..400)) {
        let (data, sig, sender) = signed(&padded);
        match decode_sogs_message(&data, &sig, &sender, &server()) {
            Ok(m) => prop_assert!(m.is_verified()),
            Err(Error::InvalidPadding | Error::Protobuf { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
        let _ = Content::decode(&padded).map(|c| (c.unknown_fields(), serde_json::to_string(&c)));
    }
}
