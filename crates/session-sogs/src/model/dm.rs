//! Blinded direct messages ("message requests", spec §2.6).

use serde::{Deserialize, Serialize};
use session_crypto::{AccountId, SessionId};
use session_schema::Content;

use super::message::DecodeError;
use crate::request::Context;

/// A DM row as the server sends it (`message` is absent in the POST response).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawDirectMessage {
    /// Message id (per server, increasing).
    pub id: i64,
    /// When it was sent (Unix seconds).
    #[serde(default)]
    pub posted_at: f64,
    /// When the server deletes it (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
    /// The sender's blinded id.
    pub sender: String,
    /// The recipient's blinded id.
    pub recipient: String,
    /// Base64 of `0x00 ‖ ciphertext ‖ nonce`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The answer to sending a DM: the stored message without its body.
pub type DmSent = RawDirectMessage;

/// A received or sent DM, decrypted.
///
/// `verified` is true only when the sender key inside the ciphertext blinds to the `sender`
/// id the server gave (spec §6.14), so a server cannot pass one user's message off as
/// another's.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectMessage {
    /// Message id.
    pub id: i64,
    /// When it was sent (Unix seconds).
    pub posted_at: f64,
    /// When the server deletes it.
    pub expires_at: Option<f64>,
    /// The sender's blinded id, as the server reports it.
    pub sender: AccountId,
    /// The recipient's blinded id.
    pub recipient: AccountId,
    /// The sender's real Session ID, recovered from the decrypted message.
    pub sender_session_id: Option<SessionId>,
    /// The decrypted content, or why it is not available.
    pub content: Result<Content, DecodeError>,
    /// Whether the recovered sender blinds to `sender`.
    pub verified: bool,
}

impl DirectMessage {
    /// Decrypts a raw DM with the client's identity.
    pub fn from_raw(raw: RawDirectMessage, cx: &Context<'_>) -> Result<Self, String> {
        let sender: AccountId = raw
            .sender
            .parse()
            .map_err(|e| format!("DM {}: sender: {e}", raw.id))?;
        let recipient: AccountId = raw
            .recipient
            .parse()
            .map_err(|e| format!("DM {}: recipient: {e}", raw.id))?;
        let (content, sender_session_id, verified) = match (&raw.message, cx.identity) {
            (None, _) => (Err(DecodeError::Deleted), None, false),
            (Some(_), None) => (Err(DecodeError::NoIdentity), None, false),
            (Some(m), Some(identity)) => {
                crate::content::decrypt_dm(m, &sender, &recipient, identity, cx.server)
            }
        };
        Ok(Self {
            id: raw.id,
            posted_at: raw.posted_at,
            expires_at: raw.expires_at,
            sender,
            recipient,
            sender_session_id,
            content,
            verified,
        })
    }

    /// The message text, if it decrypted and has one.
    pub fn text(&self) -> Option<&str> {
        self.content.as_ref().ok()?.text()
    }
}
