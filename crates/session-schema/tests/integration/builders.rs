//! Every builder round-trips through the wire format, and the encodings match hand-assembled
//! protobuf bytes (an independent path) and the Session.js message shape of the vectors.

use session_crypto::AccountId;
use session_schema::{
    Attachment, CommunityInvitation, Content, ContentKind, Profile, Quote, Reaction,
    ReactionAction, VisibleMessage, proto,
};

fn author() -> AccountId {
    "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818"
        .parse()
        .unwrap()
}

fn round_trip(m: VisibleMessage) -> Content {
    let built = m.into_content();
    let decoded = Content::decode(built.as_bytes()).unwrap();
    assert_eq!(decoded, built);
    assert_eq!(decoded.as_bytes(), built.as_bytes());
    assert!(decoded.unknown_fields().is_empty());
    decoded
}

#[test]
fn text_and_timestamp_encode_as_hand_assembled_bytes() {
    let c = round_trip(VisibleMessage::text("hi").timestamp(1));
    // Content { dataMessage(1) { body(1) "hi", timestamp(7) 1 }, sigTimestamp(15) 1 }
    assert_eq!(hex::encode(c.as_bytes()), "0a060a02686938017801");
    assert_eq!(c.kind(), ContentKind::Visible);
    assert_eq!(c.text(), Some("hi"));
    assert_eq!(c.timestamp(), Some(1));
}

#[test]
fn text_message_has_the_session_js_shape_plus_sig_timestamp() {
    // onetoone_messages[0].content_plaintext (Session.js wrap()): body + DataMessage.timestamp.
    let sessionjs = "0a1a0a1168656c6c6f2066726f6d2070756666696e38e8d795ffbc31";
    let c = VisibleMessage::text("hello from puffin")
        .timestamp(1_700_000_001_000)
        .into_content();
    // Ours adds Content.sigTimestamp (field 15) with the same value, for current clients.
    assert_eq!(
        hex::encode(c.as_bytes()),
        format!("{sessionjs}78e8d795ffbc31")
    );
    // And the Session.js bytes read back with the legacy timestamp.
    let legacy = Content::decode(&hex::decode(sessionjs).unwrap()).unwrap();
    assert_eq!(legacy.timestamp(), Some(1_700_000_001_000));
    assert_eq!(legacy.text(), Some("hello from puffin"));
}

#[test]
fn quote_round_trips() {
    let q = Quote::new(1_700_000_000_123, &author());
    let c = round_trip(VisibleMessage::text("reply").timestamp(5).quote(q.clone()));
    assert_eq!(c.quote(), Some(q.clone()));
    assert_eq!(q.author_id(), Some(author()));
    let p = c
        .proto()
        .data_message
        .as_ref()
        .unwrap()
        .quote
        .as_ref()
        .unwrap();
    assert_eq!(
        (p.id, p.author.as_str()),
        (1_700_000_000_123, author().to_string().as_str())
    );
}

#[test]
fn reaction_add_and_remove_round_trip() {
    for r in [
        Reaction::add(42, &author(), "👍"),
        Reaction::remove(42, &author(), "👍"),
    ] {
        let c = round_trip(VisibleMessage::new().timestamp(7).reaction(r.clone()));
        assert_eq!(c.reaction(), Some(r.clone()));
        assert_eq!(c.text(), None);
        let wire = c
            .proto()
            .data_message
            .as_ref()
            .unwrap()
            .reaction
            .as_ref()
            .unwrap();
        let expected = match r.action {
            ReactionAction::Add => proto::data_message::reaction::Action::React,
            _ => proto::data_message::reaction::Action::Remove,
        };
        assert_eq!(wire.action(), expected);
    }
}

#[test]
fn unknown_reaction_action_is_kept_as_a_number() {
    let mut p = VisibleMessage::new()
        .timestamp(1)
        .reaction(Reaction::add(1, &author(), "x"))
        .to_proto();
    p.data_message
        .as_mut()
        .unwrap()
        .reaction
        .as_mut()
        .unwrap()
        .action = 9;
    let c = Content::decode(&Content::from_proto(p).into_bytes()).unwrap();
    assert_eq!(c.reaction().unwrap().action, ReactionAction::Unknown(9));
}

#[test]
fn attachments_round_trip_with_every_field() {
    let plain = Attachment::new(17, "https://host/room/lobby/file/17")
        .content_type("image/png")
        .size(1234)
        .file_name("cat.png")
        .dimensions(640, 480)
        .caption("a cat");
    let encrypted = Attachment::new(18, "https://fs/file/18")
        .encrypted(&[1; 64], &[2; 32])
        .voice_message();
    let c = round_trip(
        VisibleMessage::new()
            .timestamp(9)
            .attachment(plain.clone())
            .attachment(encrypted.clone()),
    );
    assert_eq!(c.attachments(), vec![plain, encrypted.clone()]);
    let wire = &c.proto().data_message.as_ref().unwrap().attachments[1];
    assert_eq!(wire.deprecated_id, 18);
    assert_eq!(wire.flags, Some(1));
    assert!(
        !format!("{encrypted:?}").contains("0101010101"),
        "key leaks in Debug"
    );
}

#[test]
fn profile_round_trips_and_sends_seconds() {
    let p = Profile::new("Alice")
        .picture("https://fs/avatar/1", [3; 32])
        .updated_at(1_700_000_123_000);
    let c = round_trip(VisibleMessage::text("hi").timestamp(1).profile(p.clone()));
    assert_eq!(c.profile(), Some(p.clone()));
    let data = c.proto().data_message.as_ref().unwrap();
    assert_eq!(data.profile_key.as_deref(), Some(&[3u8; 32][..]));
    let wire = data.profile.as_ref().unwrap();
    assert_eq!(wire.display_name.as_deref(), Some("Alice"));
    assert_eq!(wire.profile_picture.as_deref(), Some("https://fs/avatar/1"));
    assert_eq!(wire.last_profile_update_seconds, Some(1_700_000_123));
    assert!(!format!("{p:?}").contains("0303"), "key leaks in Debug");
    // Sub-second precision is lost on the wire (documented).
    let c = round_trip(
        VisibleMessage::new()
            .timestamp(1)
            .profile(Profile::new("B").updated_at(1_999)),
    );
    assert_eq!(c.profile().unwrap().updated_at, Some(1_000));
}

#[test]
fn community_invitation_round_trips() {
    let inv = CommunityInvitation::new(
        "https://open.example/lobby?public_key=a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238",
        "Lobby",
    );
    let c = round_trip(
        VisibleMessage::new()
            .timestamp(3)
            .community_invitation(inv.clone()),
    );
    assert_eq!(c.community_invitation(), Some(inv));
}

#[test]
fn everything_at_once_round_trips_and_serializes_readably() {
    let c = round_trip(
        VisibleMessage::text("all")
            .timestamp(1_700_000_000_000)
            .quote(Quote::new(1, &author()))
            .attachment(Attachment::new(1, "u").size(3))
            .profile(Profile::new("Al").picture("p", [9; 32])),
    );
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["kind"], "visible");
    assert_eq!(json["text"], "all");
    assert_eq!(json["timestamp"], 1_700_000_000_000u64);
    assert_eq!(json["profile"]["display_name"], "Al");
    assert_eq!(json["profile"]["key"], hex::encode([9u8; 32]));
    assert_eq!(json["attachments"][0]["size"], 3);
    assert_eq!(json["quote"]["timestamp"], 1);
    let empty =
        serde_json::to_value(VisibleMessage::text("x").timestamp(1).into_content()).unwrap();
    assert!(empty["profile"].is_null());
    assert_eq!(empty["attachments"], serde_json::json!([]));
}

#[test]
fn other_kinds_are_recognised() {
    let typing = proto::Content {
        typing_message: Some(proto::TypingMessage {
            timestamp: 1,
            action: 0,
        }),
        ..Default::default()
    };
    assert_eq!(Content::from_proto(typing).kind(), ContentKind::Typing);
    assert_eq!(Content::decode(&[]).unwrap().kind(), ContentKind::Other);
}

#[test]
fn new_messages_are_stamped_with_the_current_time() {
    // Only a sanity bound: no assertion on elapsed time.
    let c = VisibleMessage::text("now").into_content();
    let t = c.timestamp().unwrap();
    assert!(t >= 1_600_000_000_000, "{t}");
}
