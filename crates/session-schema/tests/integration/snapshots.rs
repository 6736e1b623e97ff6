//! insta snapshots of encodings with fixed inputs (committed under `snapshots/`). The values
//! are also pinned by independent checks elsewhere (hand-assembled bytes, libsodium); these
//! catch any unintended change of the wire bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use session_crypto::{AccountId, Identity, SigningMode};
use session_schema::{
    Attachment, CommunityInvitation, Profile, Quote, Reaction, SogsSigner, VisibleMessage,
    decode_sogs_message,
};

use crate::{identity, server, sodium};

const LOVE: &str = "love love love love love love love love love love love love love";

fn full_message() -> VisibleMessage {
    let author: AccountId = "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818"
        .parse()
        .unwrap();
    VisibleMessage::text("hello community")
        .timestamp(1_700_000_000_000)
        .quote(Quote::new(1_699_999_999_000, &author))
        .attachment(
            Attachment::new(42, "https://open.example/room/lobby/file/42")
                .content_type("image/jpeg")
                .size(2048)
                .file_name("photo.jpg")
                .dimensions(800, 600),
        )
        .profile(
            Profile::new("Alice")
                .picture("https://fs.example/file/7", [0x11; 32])
                .updated_at(1_700_000_000_000),
        )
}

#[test]
fn content_encodings() {
    let author: AccountId = identity(9).session_id().into();
    let cases = [
        ("text", VisibleMessage::text("hi").timestamp(1_700_000_000_000)),
        ("full", full_message()),
        (
            "reaction_add",
            VisibleMessage::new()
                .timestamp(1_700_000_000_001)
                .reaction(Reaction::add(1_700_000_000_000, &author, "🎉")),
        ),
        (
            "reaction_remove",
            VisibleMessage::new()
                .timestamp(1_700_000_000_002)
                .reaction(Reaction::remove(1_700_000_000_000, &author, "🎉")),
        ),
        (
            "invitation",
            VisibleMessage::new().timestamp(1_700_000_000_003).community_invitation(
                CommunityInvitation::new(
                    "https://open.example/lobby?public_key=a03c383cf63c3c4efe67acc52112a6dd734b3a946b9545f488aaa93da7991238",
                    "Lobby",
                ),
            ),
        ),
    ];
    let rendered: Vec<String> = cases
        .into_iter()
        .map(|(name, m)| format!("{name}: {}", hex::encode(m.into_content().as_bytes())))
        .collect();
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn sogs_posts_of_the_published_love_identity() {
    sodium::init();
    let id = Identity::from_mnemonic(LOVE).unwrap();
    let content = full_message().into_content();
    let mut lines = Vec::new();
    for mode in [SigningMode::Blind15, SigningMode::Blind25] {
        let signer = SogsSigner::new(&id, mode, &server());
        let post = signer.encode(&content).unwrap();
        // Independent check of the snapshot: libsodium verifies it.
        let padded = STANDARD.decode(&post.data).unwrap();
        let sig: [u8; 64] = STANDARD
            .decode(&post.signature)
            .unwrap()
            .try_into()
            .unwrap();
        let key = *signer.sender().as_blinded().unwrap().public_key();
        assert!(sodium::verify(&sig, &padded, &key));
        lines.push(format!(
            "{mode:?}\nsender: {}\ndata: {}\nsignature: {}",
            signer.sender(),
            post.data,
            post.signature
        ));
    }
    insta::assert_snapshot!(lines.join("\n\n"));
}

#[test]
fn decoded_json_view() {
    let id = Identity::from_mnemonic(LOVE).unwrap();
    let signer = SogsSigner::new(&id, SigningMode::Blind15, &server());
    let post = signer.encode(&full_message().into_content()).unwrap();
    let m = decode_sogs_message(&post.data, &post.signature, &signer.sender(), &server()).unwrap();
    insta::assert_json_snapshot!(serde_json::json!({
        "verified": m.is_verified(),
        "content": m.content(),
    }));
}
