//! [`DirectMessages`]: 1:1 messages to and from Session IDs, stored in the recipient's swarm
//! through onion requests (spec/network.md §5.2), encrypted and signed with the session
//! protocol (session-crypto's `onetoone`, framed by session-schema's `wrap`).

use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use session_crypto::{Identity, SessionId};
use session_net::SnodeNetwork;
use session_schema::{ReceivedMessage, VisibleMessage};

use crate::error::{Error, Result};

/// How long a swarm keeps a 1:1 message: 14 days, as Session clients store them.
pub const DM_TTL_MS: u64 = 14 * 24 * 3600 * 1000;

/// The swarm namespace of 1:1 messages.
const DM_NAMESPACE: i16 = 0;

/// A 1:1 message as [`DirectMessages::send`] stored it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// The message's timestamp (ms, network time), also inside the message.
    pub timestamp: u64,
    /// The swarm's hash of the stored message, when a member reported one.
    pub hash: Option<String>,
    /// How many swarm members stored it.
    pub stored_by: usize,
}

/// One item of the inbox, in the order the swarm returned it.
#[derive(Debug)]
pub struct IncomingMessage {
    /// The swarm's hash of the stored message.
    pub hash: String,
    /// The decrypted message with its verified sender, or why it was refused: a message whose
    /// signature does not check, or that does not decrypt for us, is an error here and never
    /// a message.
    pub message: std::result::Result<ReceivedMessage, session_schema::Error>,
}

/// 1:1 messaging for one identity: send to any Session ID, receive from the own swarm.
///
/// The inbox cursor (the last hash seen) lives in memory; [`DirectMessages::last_hash`] and
/// [`DirectMessages::resume_after`] carry it across restarts.
#[derive(Debug)]
pub struct DirectMessages {
    identity: Arc<Identity>,
    network: Arc<SnodeNetwork>,
    last_hash: Mutex<Option<String>>,
}

impl DirectMessages {
    pub(crate) fn new(identity: Arc<Identity>, network: Arc<SnodeNetwork>) -> Self {
        Self {
            identity,
            network,
            last_hash: Mutex::new(None),
        }
    }

    /// Sends a text to `to`. See [`DirectMessages::send`].
    pub async fn send_text(&self, to: &SessionId, text: &str) -> Result<SentMessage> {
        self.send(to, VisibleMessage::text(text)).await
    }

    /// Sends `message` to `to`, timestamped with the network's clock: padded, signed and
    /// encrypted for `to`, framed as Session clients store it, and stored in `to`'s swarm for
    /// [`DM_TTL_MS`].
    pub async fn send(&self, to: &SessionId, message: VisibleMessage) -> Result<SentMessage> {
        let timestamp = self.network.clock().now_ms();
        let content = message.timestamp(timestamp).into_content();
        let framed = session_schema::wrap(&self.identity, to, &content, timestamp)?;
        // `wrap` returns the base64 text of the framed bytes; the swarm stores the bytes.
        let bytes = STANDARD
            .decode(framed)
            .map_err(|e| Error::Internal(format!("wrap produced invalid base64: {e}")))?;
        let stored = self
            .network
            .store(&to.to_bytes(), DM_NAMESPACE, &bytes, DM_TTL_MS)
            .await?;
        Ok(SentMessage {
            timestamp,
            hash: stored.hash,
            stored_by: stored.stored_by.len(),
        })
    }

    /// The messages that reached the own swarm since the last call (or since
    /// [`DirectMessages::resume_after`]), each decrypted and its sender verified, or refused
    /// with the reason.
    pub async fn receive(&self) -> Result<Vec<IncomingMessage>> {
        let after = self.last_hash();
        let page = self
            .network
            .retrieve(&self.identity, DM_NAMESPACE, after.as_deref())
            .await?;
        if let Some(last) = page.messages.last() {
            self.resume_after(Some(last.hash.clone()));
        }
        Ok(page
            .messages
            .into_iter()
            .map(|stored| IncomingMessage {
                message: session_schema::unwrap(&self.identity, &STANDARD.encode(&stored.data)),
                hash: stored.hash,
            })
            .collect())
    }

    /// The hash of the last message [`DirectMessages::receive`] returned (the inbox cursor).
    pub fn last_hash(&self) -> Option<String> {
        self.last_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Continues the inbox after `hash` (a saved [`DirectMessages::last_hash`]), or from the
    /// start with `None`.
    pub fn resume_after(&self, hash: Option<String>) {
        *self
            .last_hash
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = hash;
    }
}
