//! The bridge to session-schema and session-crypto: verifying and decoding posts, and
//! decrypting blinded DMs.

use session_crypto::{AccountId, Identity, ServerPubkey, SessionId, blinded_dm};
use session_schema::{Content, PageItem, SogsMessage, decode_page};

use crate::encoding::decode_base64;
use crate::model::DecodeError;

/// What decoding one post gave: the content or why not, and whether the signature verified.
pub(crate) type Decoded = (Result<Content, DecodeError>, bool);

fn from_schema(r: session_schema::Result<SogsMessage>) -> Decoded {
    match r {
        Ok(m) => {
            let verified = m.is_verified();
            (Ok(m.content().clone()), verified)
        }
        Err(e) => (Err(DecodeError::Schema(e)), false),
    }
}

/// Verifies and decodes a page of posts at once (`(data, signature, sender)` each), with
/// session-schema's batch verification: one multi-scalar check for the whole page, falling
/// back to single checks only when it fails.
pub(crate) fn decode_posts(
    items: &[(&str, &str, AccountId)],
    server: &ServerPubkey,
) -> Vec<Decoded> {
    match items {
        [] => Vec::new(),
        [(data, sig, sender)] => vec![from_schema(session_schema::decode_sogs_message(
            data, sig, sender, server,
        ))],
        _ => decode_page(
            items.iter().map(|(data, signature, sender)| PageItem {
                data,
                signature,
                sender,
            }),
            server,
        )
        .into_iter()
        .map(from_schema)
        .collect(),
    }
}

/// Decrypts a blinded DM: as received when we are the recipient, as sent when we are the
/// sender. Returns the content, the sender's Session ID and whether the sender key inside
/// blinds to the sender id the server gave (decryption fails with `SenderMismatch` if not).
pub(crate) fn decrypt_dm(
    message: &str,
    sender: &AccountId,
    recipient: &AccountId,
    me: &Identity,
    server: &ServerPubkey,
) -> (Result<Content, DecodeError>, Option<SessionId>, bool) {
    let Some(data) = decode_base64(message) else {
        return (Err(DecodeError::InvalidBase64), None, false);
    };
    let (Some(sender), Some(recipient)) = (sender.as_blinded(), recipient.as_blinded()) else {
        return (
            Err(DecodeError::Crypto(session_crypto::Error::InvalidPrefix {
                what: "DM party",
                expected: "15 or 25",
                found: "05".to_owned(),
            })),
            None,
            false,
        );
    };
    let mine = match sender.scheme() {
        session_crypto::BlindingScheme::Blind15 => me.blind15(server).id(),
        session_crypto::BlindingScheme::Blind25 => me.blind25(server).id(),
    };
    let result = if *sender == mine {
        blinded_dm::decrypt_outbox(me, server, recipient, &data)
    } else {
        blinded_dm::decrypt_inbox(me, server, sender, &data)
    };
    match result {
        Ok(dm) => match Content::decode(&dm.content) {
            Ok(c) => (Ok(c), Some(dm.sender), true),
            Err(e) => (Err(DecodeError::Schema(e)), Some(dm.sender), true),
        },
        Err(e) => (Err(DecodeError::Crypto(e)), None, false),
    }
}
