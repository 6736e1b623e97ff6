//! The body of the `message_data` fuzz target, shared with its stable smoke run in session-sogs
//! (`tests/integration/fuzz_corpus.rs`): everything a community or a swarm hands a client as
//! message data. Nothing may panic; every failure is a typed error.

use std::sync::OnceLock;

use session_crypto::{AccountId, Identity, ServerPubkey, padding};
use session_schema::{Content, decode_sogs_message, unframe, unwrap};

/// The senders a post is checked against: a `05` id (two Ed25519 candidates) and a `15` id.
const SENDERS: [&str; 2] = [
    "053db493811f729da20289e31498b8fe2b28edc90358cd3ec11a6b12ac1b9fb818",
    "15c3a36a220ce3a60b51dc2790d2f349ae3e933736046b26b6e5c3c8354ebeb82c",
];

/// The recipient of 1:1 data, derived once.
fn me() -> Option<&'static Identity> {
    static ME: OnceLock<Option<Identity>> = OnceLock::new();
    ME.get_or_init(|| Identity::from_seed(&[7; 16]).ok())
        .as_ref()
}

/// Feeds `data` to every decoder of message data: raw `Content` protobufs, padding, SOGS post
/// data and signature (the input's text split at its first newline), and 1:1 snode data.
pub fn exercise(data: &[u8]) {
    let _ = Content::decode(data);
    let _ = padding::unpad(data);
    let text = String::from_utf8_lossy(data);
    let (post_data, signature) = text.split_once('\n').unwrap_or((&text, ""));
    let server = ServerPubkey::from_bytes([0x42; 32]);
    for sender in SENDERS.iter().filter_map(|s| s.parse::<AccountId>().ok()) {
        let _ = decode_sogs_message(post_data, signature, &sender, &server);
    }
    let _ = unframe(&text);
    if let Some(me) = me() {
        let _ = unwrap(me, &text);
    }
}
