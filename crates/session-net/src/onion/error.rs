//! The error type of onion building, peeling and reply parsing.

use super::bencode::BencodeError;

/// What a hop's plain-text error reply (HTTP status ≠ 200 at the guard) means
/// (network.md §3.5, §4.4). The path, not the destination, produced these.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathErrorKind {
    /// `Next node not found: <ed25519>`: that snode is unknown to the network; drop it at once
    /// (network.md §2).
    NodeNotFound {
        /// The missing node's Ed25519 key.
        ed25519: [u8; 32],
    },
    /// `Invalid ciphertext`: a hop could not decrypt its layer.
    InvalidCiphertext,
    /// 504 `Request time out`, or a proxy timeout.
    Timeout,
    /// 503 `Snode not ready`.
    SnodeNotReady,
    /// 502 from the last hop proxying to a server: the server is down (no path penalty).
    BadGateway,
    /// An `Oxen Server error` body: upstream oxend trouble (abort, no penalty).
    OxenServerError,
    /// 400 `Invalid url`: the target of a server destination was refused by the last hop.
    /// Storage servers send it with HTTP 200, sealed with the last hop's layer key
    /// (SS `request_handler.cpp`, `wrap_proxy_response`); not the path's fault, no retry.
    InvalidUrl,
    /// Any other status or text.
    Other,
}

/// Everything that can go wrong building an onion request, peeling a layer, or opening a
/// reply. Messages never contain key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OnionError {
    /// A frame or ciphertext is shorter than its length prefix or fixed overhead says.
    #[error("{what} is truncated: need {needed} bytes, got {actual}")]
    Truncated {
        /// What was being parsed.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        actual: usize,
    },
    /// A request or reply is larger than the 10 MiB the network accepts (network.md §3.2).
    #[error("{what} of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// What.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Authenticated decryption failed: wrong key, wrong cipher, or tampered bytes (a bad
    /// tag).
    #[error("cannot decrypt {what}: bad tag or wrong key")]
    BadTag {
        /// Which layer or reply.
        what: &'static str,
    },
    /// An ephemeral or hop key is a low-order point.
    #[error("weak (low-order) X25519 key in {what}")]
    WeakKey {
        /// Where.
        what: &'static str,
    },
    /// The `enc_type` names a cipher we do not speak (e.g. legacy `aes-cbc`).
    #[error("unknown enc_type {name:?}")]
    UnknownCipher {
        /// The name (at most 32 characters of it).
        name: String,
    },
    /// JSON that must be an object with certain fields is not.
    #[error("invalid JSON in {what}: {reason}")]
    BadJson {
        /// Which JSON.
        what: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// A required field is missing from routing JSON or a reply.
    #[error("missing field {field:?} in {what}")]
    MissingField {
        /// Which JSON.
        what: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong type or an invalid value (e.g. a key that is not 64 hex digits).
    #[error("invalid field {field:?} in {what}: {reason}")]
    BadField {
        /// Which JSON.
        what: &'static str,
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A reply that should be base64 is not.
    #[error("reply is not valid base64")]
    BadBase64,
    /// A v4 payload is not valid bencode.
    #[error("v4 payload: {0}")]
    Bencode(#[from] BencodeError),
    /// A v4 payload is bencode of the wrong shape (not 1 or 2 strings, meta without `code`...).
    #[error("invalid v4 payload: {reason}")]
    BadV4 {
        /// What is wrong.
        reason: String,
    },
    /// A hop answered with an error instead of forwarding the reply: plain text with an
    /// HTTP status ≠ 200 at the guard, or (HTTP 200) `{"status", "body"}` sealed with that
    /// hop's layer key (network.md §3.5).
    #[error("onion path failed with HTTP {status} ({kind:?}): {text}")]
    Path {
        /// The HTTP status the guard returned, or the status inside a hop's sealed error.
        status: u16,
        /// What the text means.
        kind: PathErrorKind,
        /// The plain-text body (at most 200 characters of it).
        text: String,
    },
    /// The destination answered with a non-2xx status (from [`crate::onion::V4Response`] or
    /// [`crate::onion::SnodeReply`] `error_for_status`).
    #[error("destination answered {status}: {text}")]
    Destination {
        /// The destination's status code.
        status: u16,
        /// The body as lossy UTF-8 (at most 200 characters of it).
        text: String,
    },
    /// A target for a server destination that storage servers refuse to proxy to (must start
    /// with `/loki/` or `/oxen/`, end with `/lsrpc`, and have no `?`).
    #[error("target {target:?} is not an allowed onion proxy target")]
    InvalidTarget {
        /// The target.
        target: String,
    },
    /// The path given to the builder is unusable (no hops, too many hops).
    #[error("invalid onion path: {reason}")]
    InvalidPath {
        /// Why.
        reason: String,
    },
    /// Another cryptographic failure (e.g. the OS RNG).
    #[error("crypto: {0}")]
    Crypto(session_crypto::Error),
}

impl OnionError {
    /// Whether this failure is the path's (a hop error, or a reply garbled on the way), so
    /// that the caller should count a strike against the path and retry on another one.
    /// Not the path's: a server that is down (502), oxend trouble, and a refused proxy
    /// target (`Invalid url`: the request's target is wrong, every path refuses it).
    pub fn is_path_failure(&self) -> bool {
        match self {
            Self::Path { kind, .. } => !matches!(
                kind,
                PathErrorKind::BadGateway
                    | PathErrorKind::OxenServerError
                    | PathErrorKind::InvalidUrl
            ),
            Self::Truncated { .. } | Self::BadTag { .. } | Self::BadBase64 => true,
            _ => false,
        }
    }
}

/// Bounds a remote string for inclusion in an error.
pub(crate) fn clip(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Maps a session-crypto error from a given layer to the variant a caller acts on.
pub(crate) fn from_crypto(e: session_crypto::Error, what: &'static str) -> OnionError {
    match e {
        session_crypto::Error::DecryptionFailed { .. } => OnionError::BadTag { what },
        session_crypto::Error::TooShort {
            minimum, actual, ..
        } => OnionError::Truncated {
            what,
            needed: minimum,
            actual,
        },
        session_crypto::Error::WeakKeyExchange => OnionError::WeakKey { what },
        session_crypto::Error::UnknownCipher { name } => OnionError::UnknownCipher { name },
        other => OnionError::Crypto(other),
    }
}
