//! 1:1 wrapping: wrap → unwrap round trip, the frames other producers write, and failures.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use prost::Message;
use session_crypto::{Identity, onetoone};
use session_schema::{Error, VisibleMessage, frame, proto, unframe, unwrap, wrap};

use crate::identity;

#[test]
fn wrap_unwrap_round_trip_names_the_sender() {
    let (alice, bob) = (identity(1), identity(2));
    let content = VisibleMessage::text("hi bob")
        .timestamp(1_700_000_000_000)
        .into_content();
    let data = wrap(&alice, &bob.session_id(), &content, 1_700_000_000_000).unwrap();
    let received = unwrap(&bob, &data).unwrap();
    assert_eq!(received.sender, alice.session_id());
    assert_eq!(&received.sender_ed25519, alice.ed25519_public_key());
    assert_eq!(received.content, content);
    assert_eq!(received.envelope_timestamp, 1_700_000_000_000);
    assert!(received.timestamps_agree());

    // The frames are the Session.js ones.
    let ws = proto::WebSocketMessage::decode(STANDARD.decode(&data).unwrap().as_slice()).unwrap();
    let req = ws.request.unwrap();
    assert_eq!(ws.r#type, Some(1));
    assert_eq!(
        (req.verb.as_deref(), req.path.as_deref(), req.id),
        (Some("PUT"), Some("/api/v1/message"), Some(0))
    );
    let env = unframe(&data).unwrap();
    assert_eq!(env.r#type(), proto::envelope::Type::SessionMessage);
    assert_eq!(env.source, None);
}

#[test]
fn only_the_recipient_can_unwrap() {
    let (alice, bob, eve) = (identity(1), identity(2), identity(3));
    let content = VisibleMessage::text("secret").timestamp(1).into_content();
    let data = wrap(&alice, &bob.session_id(), &content, 1).unwrap();
    assert!(matches!(unwrap(&eve, &data), Err(Error::Crypto(_))));
}

#[test]
fn a_mismatched_envelope_timestamp_is_reported() {
    let (alice, bob) = (identity(1), identity(2));
    let content = VisibleMessage::text("t").timestamp(5).into_content();
    let data = wrap(&alice, &bob.session_id(), &content, 6).unwrap();
    assert!(!unwrap(&bob, &data).unwrap().timestamps_agree());
    assert_eq!(
        wrap(&alice, &bob.session_id(), &content, 0),
        Err(Error::ZeroTimestamp { what: "envelope" })
    );
}

#[test]
fn libsession_style_frames_unwrap_too() {
    // Empty verb and path, no request id, sourceDevice = 1 and a Pro signature: all ignored.
    let (alice, bob) = (identity(1), identity(2));
    let content = VisibleMessage::text("ls").timestamp(7).into_content();
    let ct = onetoone::encrypt(&alice, &bob.session_id(), content.as_bytes()).unwrap();
    let envelope = proto::Envelope {
        r#type: proto::envelope::Type::SessionMessage as i32,
        timestamp: 7,
        source_device: Some(1),
        content: Some(ct),
        pro_sig: Some(vec![0xaa; 64]),
        ..Default::default()
    };
    let ws = proto::WebSocketMessage {
        r#type: Some(1),
        request: Some(proto::WebSocketRequestMessage {
            verb: Some(String::new()),
            path: Some(String::new()),
            body: Some(envelope.encode_to_vec()),
            ..Default::default()
        }),
        response: None,
    };
    let data = STANDARD.encode(ws.encode_to_vec());
    let received = unwrap(&bob, &data).unwrap();
    assert_eq!(received.content.text(), Some("ls"));
}

#[test]
fn frame_errors_are_typed() {
    let bob = identity(2);
    assert_eq!(
        unwrap(&bob, "@@@"),
        Err(Error::InvalidBase64 {
            field: "snode data"
        })
    );
    assert!(matches!(
        unwrap(&bob, &STANDARD.encode([0x12, 0x05, 0x01])),
        Err(Error::Protobuf {
            message: "WebSocketMessage",
            ..
        })
    ));
    let no_request = STANDARD.encode(
        proto::WebSocketMessage {
            r#type: Some(1),
            ..Default::default()
        }
        .encode_to_vec(),
    );
    assert_eq!(
        unwrap(&bob, &no_request),
        Err(Error::MissingField {
            message: "WebSocketMessage",
            field: "request.body"
        })
    );
    let bad_body = STANDARD.encode(
        proto::WebSocketMessage {
            r#type: Some(1),
            request: Some(proto::WebSocketRequestMessage {
                body: Some(vec![0x42, 0x09]),
                ..Default::default()
            }),
            response: None,
        }
        .encode_to_vec(),
    );
    assert!(matches!(
        unwrap(&bob, &bad_body),
        Err(Error::Protobuf {
            message: "Envelope",
            ..
        })
    ));
    let no_content = frame(Vec::new(), 1);
    assert!(matches!(unwrap(&bob, &no_content), Err(Error::Crypto(_))));
    let group = proto::Envelope {
        r#type: 7,
        timestamp: 1,
        content: Some(vec![1]),
        ..Default::default()
    };
    let group = STANDARD.encode(
        proto::WebSocketMessage {
            r#type: Some(1),
            request: Some(proto::WebSocketRequestMessage {
                body: Some(group.encode_to_vec()),
                ..Default::default()
            }),
            response: None,
        }
        .encode_to_vec(),
    );
    assert_eq!(unwrap(&bob, &group), Err(Error::UnsupportedEnvelopeType(7)));
}

proptest! {
    #[test]
    fn random_one_to_one_messages_round_trip(
        text in ".{0,300}",
        timestamp in 1u64..,
        a in any::<[u8; 16]>(),
        b in any::<[u8; 16]>(),
    ) {
        let (alice, bob) = (Identity::from_seed(&a).unwrap(), Identity::from_seed(&b).unwrap());
        let content = VisibleMessage::text(text.clone()).timestamp(timestamp).into_content();
        let data = wrap(&alice, &bob.session_id(), &content, timestamp).unwrap();
        let received = unwrap(&bob, &data).unwrap();
        prop_assert_eq!(received.sender, alice.session_id());
        prop_assert_eq!(received.content.text(), Some(text.as_str()));
        prop_assert!(received.timestamps_agree());
    }
}
