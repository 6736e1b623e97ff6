//! The error type of snodes, paths, seeds and snode RPC.

use crate::onion::OnionError;
use crate::transport::TransportError;

use super::Snode;

/// What went wrong talking to the Session network. Variants map the snode error codes of
/// network.md §4.4 to what a caller does about them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnodeError {
    /// 406 (snode) / 425 (server): our clock is too far from the network's. The client
    /// corrects its offset and retries once; seeing this means the retry failed too.
    #[error("clock out of sync with the network (HTTP {status})")]
    ClockSkew {
        /// 406 or 425.
        status: u16,
        /// The node's time (ms) if it told us.
        node_time_ms: Option<u64>,
    },
    /// 421: the account is not stored by this snode's swarm. `swarm` is the correct swarm
    /// from the reply body (empty if the body had none).
    #[error("wrong swarm for this account ({} snodes suggested)", swarm.len())]
    WrongSwarm {
        /// The swarm the snode says is right.
        swarm: Vec<Snode>,
    },
    /// 400: the snode rejected the request as malformed.
    #[error("bad request: {reason}")]
    BadRequest {
        /// The snode's text.
        reason: String,
    },
    /// 401: signature missing or invalid.
    #[error("unauthorized: {reason}")]
    Unauthorized {
        /// The snode's text.
        reason: String,
    },
    /// 403: e.g. an invalid TTL.
    #[error("forbidden: {reason}")]
    Forbidden {
        /// The snode's text.
        reason: String,
    },
    /// 404: nothing matched (e.g. `delete` with `required`).
    #[error("not found")]
    NotFound,
    /// 429: rate limited (direct RPC only).
    #[error("rate limited")]
    RateLimited,
    /// 502/503: the snode or a relay is unavailable.
    #[error("snode unavailable (HTTP {status})")]
    Unavailable {
        /// 502 or 503.
        status: u16,
    },
    /// 500 or any other status.
    #[error("snode error (HTTP {status}): {text}")]
    Server {
        /// The status.
        status: u16,
        /// Its text (at most 200 characters).
        text: String,
    },
    /// A reply that does not have the documented shape.
    #[error("cannot decode {what}: {reason}")]
    Decode {
        /// What was decoded.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// Too few snodes to build paths or pick a target.
    #[error("not enough snodes: {reason}")]
    InsufficientSnodes {
        /// What was missing.
        reason: String,
    },
    /// No seed node gave a usable snode list.
    #[error("no seed node answered: {reason}")]
    SeedsUnreachable {
        /// The last failure.
        reason: String,
    },
    /// An ONS name that is not valid or not registered, or whose record does not decrypt.
    #[error("ONS: {reason}")]
    Ons {
        /// Why.
        reason: String,
    },
    /// The onion layer failed (path error, bad reply).
    #[error(transparent)]
    Onion(#[from] OnionError),
    /// The transport failed (connection, TLS, timeout).
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl SnodeError {
    /// Maps a non-2xx snode RPC status and body to its variant (network.md §4.4).
    pub fn from_status(status: u16, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body)
            .chars()
            .take(200)
            .collect::<String>();
        match status {
            400 => Self::BadRequest { reason: text },
            401 => Self::Unauthorized { reason: text },
            403 => Self::Forbidden { reason: text },
            404 => Self::NotFound,
            406 | 425 => Self::ClockSkew {
                status,
                node_time_ms: None,
            },
            421 => Self::WrongSwarm {
                swarm: swarm_of_body(body),
            },
            429 => Self::RateLimited,
            502 | 503 => Self::Unavailable { status },
            _ => Self::Server { status, text },
        }
    }
}

/// The snodes of a 421 body (`{"snodes":[…]}`), empty if it has none.
fn swarm_of_body(body: &[u8]) -> Vec<Snode> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("snodes").and_then(|s| s.as_array()).cloned())
        .map(|entries| {
            entries
                .iter()
                .filter_map(|e| Snode::from_json(e).ok().flatten())
                .collect()
        })
        .unwrap_or_default()
}
