//! Messages: the wire rows of spec §2.3 and the decoded, verified [`Message`].

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use session_crypto::AccountId;
use session_schema::Content;

use super::null_default;
use crate::Result;
use crate::request::{Context, decode_error};

/// One emoji reaction on a message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reaction {
    /// First-added order among the message's reactions, 0-based.
    #[serde(default)]
    pub index: i64,
    /// How many users reacted.
    #[serde(default)]
    pub count: i64,
    /// The first reactors (as many as the `reactors` query asked for).
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub reactors: Vec<String>,
    /// Whether the requesting user is among them.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "is_false"
    )]
    pub you: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A message row exactly as the server sends it (spec §2.3), before decoding.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RawMessage {
    /// Message id.
    pub id: i64,
    /// Room sequence number of the row's latest change.
    pub seqno: i64,
    /// The author (`05`/`15`/`25` id); absent on reaction-only rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Posting time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted: Option<f64>,
    /// Edit or deletion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<f64>,
    /// Base64 of the padded `Content`; `null` on tombstones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// Base64 of the 64-byte signature over the padded data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Reactions by emoji.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reactions: Option<BTreeMap<String, Reaction>>,
    /// `true` on tombstones.
    #[serde(default, deserialize_with = "null_default")]
    pub deleted: bool,
    /// `true` on whispers.
    #[serde(default, deserialize_with = "null_default")]
    pub whisper: bool,
    /// `true` on whispers to all moderators.
    #[serde(default, deserialize_with = "null_default")]
    pub whisper_mods: bool,
    /// The whisper's target: an id (pysogs) or a user object (bunsogs, POST response only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whisper_to: Option<serde_json::Value>,
    /// `true` in the POST response of a silently filtered post.
    #[serde(default, deserialize_with = "null_default")]
    pub filtered: bool,
}

impl RawMessage {
    /// Whether this is a reaction-only update row (`{id, seqno, reactions}`, spec §2.10).
    pub fn is_reaction_only(&self) -> bool {
        self.session_id.is_none() && self.data.is_none() && !self.deleted
    }
}

/// Why a message's `content` is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message was deleted: a tombstone has no data.
    #[error("the message was deleted")]
    Deleted,
    /// The row carries data but no signature.
    #[error("the message has no signature")]
    MissingSignature,
    /// The data or signature is malformed (base64, padding, protobuf).
    #[error(transparent)]
    Schema(#[from] session_schema::Error),
    /// A direct message did not decrypt (not for this identity, or tampered with).
    #[error("cannot decrypt: {0}")]
    Crypto(#[from] session_crypto::Error),
    /// A direct message's `message` field is not base64.
    #[error("the message is not valid base64")]
    InvalidBase64,
    /// A direct message arrived but the client has no identity to decrypt it with.
    #[error("no identity to decrypt with")]
    NoIdentity,
}

/// A message, decoded and verified.
///
/// `content` is the decoded `Content` protobuf, or why there is none; `verified` is true only
/// when the signature over the padded data checks against the sender's key (spec §1.6: the
/// server never checks it). A message whose signature fails is never `verified`, whatever its
/// content says.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Message id (room-wide, increasing with posting order).
    pub id: i64,
    /// Room sequence number of the message's latest change.
    pub seqno: i64,
    /// The author.
    pub sender: AccountId,
    /// Posting time (Unix seconds).
    pub posted: f64,
    /// Time of the last edit, or of the deletion.
    pub edited: Option<f64>,
    /// Whether this is a deletion tombstone.
    pub deleted: bool,
    /// Whether this is a whisper (visible to its target and/or moderators only).
    pub whisper: bool,
    /// Whether the whisper goes to all moderators.
    pub whisper_mods: bool,
    /// The whisper's target, when it has one.
    pub whisper_to: Option<AccountId>,
    /// Whether the server silently filtered this post (POST response only).
    pub filtered: bool,
    /// Reactions by emoji.
    pub reactions: BTreeMap<String, Reaction>,
    /// The decoded content, or why it is not available.
    pub content: Result<Content, DecodeError>,
    /// Whether the signature verified against the sender's key.
    pub verified: bool,
}

impl Message {
    /// Decodes and verifies a raw row on its own (pages use a batch check instead). Fails only
    /// when the row lacks what every message has (a valid sender id); a bad signature or
    /// undecodable data is reported inside.
    pub fn from_raw(raw: RawMessage, cx: &Context<'_>) -> Result<Self, String> {
        decode_rows(vec![raw], cx)
            .pop()
            .unwrap_or_else(|| Err("empty row".to_owned()))
    }

    /// The message text (`dataMessage.body`), if it decoded and has one.
    pub fn text(&self) -> Option<&str> {
        self.content.as_ref().ok()?.text()
    }

    /// Builds the message around an already decoded content.
    fn assemble(raw: RawMessage, sender: AccountId, decoded: crate::content::Decoded) -> Self {
        let whisper_to = raw
            .whisper_to
            .as_ref()
            .and_then(|v| match v {
                serde_json::Value::String(s) => Some(s.as_str()),
                // bunsogs sends a user object: take its id field.
                serde_json::Value::Object(o) => o.get("session_id").and_then(|s| s.as_str()),
                _ => None,
            })
            .and_then(|s| AccountId::from_str(s).ok());
        Self {
            id: raw.id,
            seqno: raw.seqno,
            sender,
            posted: raw.posted.unwrap_or_default(),
            edited: raw.edited,
            deleted: raw.deleted,
            whisper: raw.whisper,
            whisper_mods: raw.whisper_mods,
            whisper_to,
            filtered: raw.filtered,
            reactions: raw.reactions.unwrap_or_default(),
            content: decoded.0,
            verified: decoded.1,
        }
    }
}

/// Decodes message rows, verifying every signed row of the page in one batch.
pub(crate) fn decode_rows(raws: Vec<RawMessage>, cx: &Context<'_>) -> Vec<Result<Message, String>> {
    let senders: Vec<Result<AccountId, String>> = raws
        .iter()
        .map(|raw| {
            let text = raw
                .session_id
                .as_deref()
                .ok_or_else(|| format!("message {} has no session_id", raw.id))?;
            AccountId::from_str(text).map_err(|e| format!("message {}: session_id: {e}", raw.id))
        })
        .collect();
    let items: Vec<(&str, &str, AccountId)> = raws
        .iter()
        .zip(&senders)
        .filter_map(|(raw, sender)| match (raw, sender) {
            (
                RawMessage {
                    deleted: false,
                    data: Some(d),
                    signature: Some(s),
                    ..
                },
                Ok(sender),
            ) => Some((d.as_str(), s.as_str(), *sender)),
            _ => None,
        })
        .collect();
    let mut decoded = crate::content::decode_posts(&items, cx.server).into_iter();
    drop(items);
    raws.into_iter()
        .zip(senders)
        .map(|(raw, sender)| {
            let sender = sender?;
            let d = match (&raw.data, &raw.signature) {
                _ if raw.deleted => (Err(DecodeError::Deleted), false),
                (None, _) => (Err(DecodeError::Deleted), false),
                (Some(_), None) => (Err(DecodeError::MissingSignature), false),
                (Some(_), Some(_)) => decoded
                    .next()
                    .unwrap_or((Err(DecodeError::MissingSignature), false)),
            };
            Ok(Message::assemble(raw, sender, d))
        })
        .collect()
}

/// Reactions of a message changed, and nothing else (a reaction-only row, spec §2.10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionsUpdate {
    /// Message id.
    pub id: i64,
    /// Sequence number of the change.
    pub seqno: i64,
    /// All reactions of the message now.
    pub reactions: BTreeMap<String, Reaction>,
}

/// One row of `messages/since`: a message (new, edited or deleted), a reaction-only update,
/// or a row too malformed to decode, kept so that a poller can move past it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MessageUpdate {
    /// A message, a new version of one, or a tombstone.
    Message(Box<Message>),
    /// Only the reactions changed.
    Reactions(ReactionsUpdate),
    /// A row that is not a message: what was wrong, and its position if readable.
    Malformed {
        /// The message id, if readable.
        id: Option<i64>,
        /// The row's seqno, if readable.
        seqno: Option<i64>,
        /// What is wrong.
        reason: String,
    },
}

impl MessageUpdate {
    /// The row's seqno, if known.
    pub fn seqno(&self) -> Option<i64> {
        match self {
            Self::Message(m) => Some(m.seqno),
            Self::Reactions(r) => Some(r.seqno),
            Self::Malformed { seqno, .. } => *seqno,
        }
    }
}

/// The `{id, seqno}` of a row, read on its own when the row as a whole does not parse.
#[derive(Deserialize)]
struct RowPosition {
    id: Option<i64>,
    seqno: Option<i64>,
}

/// Parses a `messages/since` page row by row: the page must be a JSON array; each bad row
/// becomes [`MessageUpdate::Malformed`] instead of failing the page.
pub(crate) fn parse_updates(
    what: &str,
    body: &[u8],
    cx: &Context<'_>,
) -> Result<Vec<MessageUpdate>> {
    let rows: Vec<&RawValue> = serde_json::from_slice(body).map_err(|e| decode_error(what, &e))?;
    // First pass: structure. Messages are decoded together afterwards (batch verification);
    // `None` marks their places.
    let mut raws = Vec::new();
    let slots: Vec<Option<MessageUpdate>> = rows
        .iter()
        .map(|row| match serde_json::from_str::<RawMessage>(row.get()) {
            Err(e) => {
                let pos: Option<RowPosition> = serde_json::from_str(row.get()).ok();
                Some(MessageUpdate::Malformed {
                    id: pos.as_ref().and_then(|p| p.id),
                    seqno: pos.and_then(|p| p.seqno),
                    reason: e.to_string(),
                })
            }
            Ok(raw) if raw.is_reaction_only() => Some(MessageUpdate::Reactions(ReactionsUpdate {
                id: raw.id,
                seqno: raw.seqno,
                reactions: raw.reactions.unwrap_or_default(),
            })),
            Ok(raw) => {
                raws.push(raw);
                None
            }
        })
        .collect();
    let positions: Vec<(i64, i64)> = raws.iter().map(|r| (r.id, r.seqno)).collect();
    let mut decoded = decode_rows(raws, cx).into_iter().zip(positions);
    Ok(slots
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| match decoded.next() {
                Some((Ok(m), _)) => MessageUpdate::Message(Box::new(m)),
                Some((Err(reason), (id, seqno))) => MessageUpdate::Malformed {
                    id: Some(id),
                    seqno: Some(seqno),
                    reason,
                },
                None => MessageUpdate::Malformed {
                    id: None,
                    seqno: None,
                    reason: "row lost in decoding".to_owned(),
                },
            })
        })
        .collect())
}

/// Parses a page of messages (`recent`, `before`): every row must be a message.
pub(crate) fn parse_messages(what: &str, body: &[u8], cx: &Context<'_>) -> Result<Vec<Message>> {
    let rows: Vec<RawMessage> = serde_json::from_slice(body).map_err(|e| decode_error(what, &e))?;
    decode_rows(rows, cx)
        .into_iter()
        .map(|m| m.map_err(|e| decode_error(what, &e)))
        .collect()
}
