//! The one error type of `session-sogs`: every way a SOGS call can fail, mapped from the
//! statuses and bodies of spec/sogs-api.md §6.3 into variants a caller can act on.

use std::time::Duration;

use crate::link::LinkError;

/// How long to back off after a 429, when the server does not say (spec/sogs-api.md §6.3:
/// "Back off 16 s"; pysogs allows 5 posts per 16 s).
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(16);

/// Everything that can go wrong talking to a community server.
///
/// Server error bodies are plain text or HTML, never JSON (spec §2): their text is kept,
/// shortened and cleaned, as `reason`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A join link or server address could not be parsed.
    #[error("invalid community link: {0}")]
    Link(#[from] LinkError),
    /// 400: the request or its authentication headers were malformed.
    #[error("bad request (400): {reason}")]
    BadRequest {
        /// The server's explanation.
        reason: String,
    },
    /// 401: authentication missing, a bad signature, or a blinded key required.
    #[error("not authorized (401): {reason}")]
    Unauthorized {
        /// The server's explanation.
        reason: String,
    },
    /// 403 `Banned`: the user is banned from the whole server; every signed request fails.
    #[error("banned from this server (403)")]
    Banned,
    /// 403: missing permission (write, moderator, admin, or reading a non-public room).
    #[error("forbidden (403): {reason}")]
    Forbidden {
        /// The server's explanation.
        reason: String,
    },
    /// 404: no such room (or not accessible), message, file or DM recipient.
    #[error("not found (404): {reason}")]
    NotFound {
        /// The server's explanation.
        reason: String,
    },
    /// 406: the server refused a value (e.g. a room image that is not a file of the room).
    #[error("not acceptable (406): {reason}")]
    NotAcceptable {
        /// The server's explanation.
        reason: String,
    },
    /// 412: the server lacks capabilities the request required.
    #[error("server lacks required capabilities: {}", missing.join(", "))]
    MissingCapabilities {
        /// The capabilities the server does not have.
        missing: Vec<String>,
    },
    /// 413: the body is larger than the server accepts.
    #[error("request too large (413)")]
    PayloadTooLarge,
    /// 425: the request timestamp is too far from the server's clock (±24 h). The client has
    /// already retried once with the corrected clock when this reaches a caller.
    #[error("clock skew (425): the server's time is {}", server_time.map_or("unknown".to_owned(), |t| t.to_string()))]
    ClockSkew {
        /// The server's Unix time in seconds, from its `Date` header, when it sent one.
        server_time: Option<u64>,
    },
    /// 425 (pysogs) or 400 (bunsogs): a nonce was used twice. Resend with fresh headers.
    #[error("request nonce reused (425)")]
    NonceReused,
    /// 429: rate limited, or a content filter rejected the post. Do not resend the same
    /// content blindly.
    #[error("rate limited (429): {reason}; retry after {}s", retry_after.as_secs())]
    RateLimited {
        /// How long to wait (the `Retry-After` header, else 16 s).
        retry_after: Duration,
        /// The server's explanation (`Rate limited`, or the filter's).
        reason: String,
    },
    /// 5xx: the server failed. Some servers fail *after* applying a change (spec §4), so a
    /// non-idempotent request may have taken effect.
    #[error("server error ({status}): {reason}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        reason: String,
    },
    /// Any other non-success status.
    #[error("unexpected status {status}: {reason}")]
    UnexpectedStatus {
        /// The HTTP status.
        status: u16,
        /// The server's explanation.
        reason: String,
    },
    /// The request never got a response (connection, TLS, timeout, onion path).
    #[error("transport: {0}")]
    Transport(#[from] session_net::TransportError),
    /// A message could not be encoded for posting.
    #[error("cannot encode the message: {0}")]
    Encode(#[from] session_schema::Error),
    /// A success response that does not have the documented shape.
    #[error("malformed response to {endpoint}: {detail}")]
    Decode {
        /// Which request it answered (method and path).
        endpoint: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A caller-supplied value the protocol cannot carry (e.g. a 13-character reaction).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// A cryptographic operation failed (bad key, RNG failure, decryption failure).
    #[error("crypto: {0}")]
    Crypto(#[from] session_crypto::Error),
    /// The request needs a signed-in identity and the client has none.
    #[error("this request needs an identity (the client is anonymous)")]
    NoIdentity,
    /// A `/sequence` stopped before this sub-request: an earlier one failed.
    #[error("not run: an earlier request of the sequence failed")]
    NotRun,
}

impl Error {
    /// Whether retrying the same request later may succeed (transport failures, 5xx, 429,
    /// clock skew, nonce reuse). The poller backs off and retries on these.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Transport(_)
                | Self::Server { .. }
                | Self::RateLimited { .. }
                | Self::ClockSkew { .. }
                | Self::NonceReused
                | Self::Decode { .. }
        )
    }

    /// The HTTP status the server answered with, for errors that come from one.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized { .. } => 401,
            Self::Banned | Self::Forbidden { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::NotAcceptable { .. } => 406,
            Self::MissingCapabilities { .. } => 412,
            Self::PayloadTooLarge => 413,
            Self::ClockSkew { .. } | Self::NonceReused => 425,
            Self::RateLimited { .. } => 429,
            Self::Server { status, .. } | Self::UnexpectedStatus { status, .. } => *status,
            _ => return None,
        })
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
