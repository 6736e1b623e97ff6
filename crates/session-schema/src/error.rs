//! The one error type of `session-schema`.

/// Everything that can go wrong while encoding or decoding Session messages.
///
/// Each kind of malformed input has its own variant, so a caller can tell a corrupt transport
/// (base64), a sender using a padding rule we refuse (padding), a message we cannot parse
/// (protobuf) and a forged or damaged signature apart. No variant carries secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A base64 field (`data`, `signature`, snode `data`) is not valid standard base64.
    #[error("{field} is not valid base64")]
    InvalidBase64 {
        /// Which field.
        field: &'static str,
    },
    /// A signature is not 64 bytes long.
    #[error("signature must be 64 bytes, got {actual}")]
    InvalidSignatureLength {
        /// The length given.
        actual: usize,
    },
    /// Padded message data has no `0x80` marker before its trailing zeros
    /// (spec/crypto.md §5.2).
    #[error("invalid message padding: no 0x80 marker before the trailing zeros")]
    InvalidPadding,
    /// Bytes do not parse as the named protobuf message.
    #[error("cannot decode {message} protobuf: {source}")]
    Protobuf {
        /// The message type being decoded (`Content`, `Envelope`, `WebSocketMessage`).
        message: &'static str,
        /// What prost reported.
        #[source]
        source: prost::DecodeError,
    },
    /// A signature does not verify. Returned where a caller asked for verified content only
    /// ([`SogsMessage::into_verified`](crate::SogsMessage::into_verified)); decoding itself
    /// reports this as `verified == false`.
    #[error("signature verification failed")]
    BadSignature,
    /// A framed message lacks a field it cannot do without.
    #[error("{message} has no {field}")]
    MissingField {
        /// The message type.
        message: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// An envelope of a type this crate does not handle (only `SESSION_MESSAGE`, 1:1).
    #[error("unsupported envelope type {0}")]
    UnsupportedEnvelopeType(i32),
    /// A timestamp that must be positive is zero.
    #[error("{what} timestamp must be greater than zero")]
    ZeroTimestamp {
        /// Which timestamp.
        what: &'static str,
    },
    /// The cryptographic layer failed (1:1 decryption, sender verification, randomness).
    #[error(transparent)]
    Crypto(#[from] session_crypto::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A protobuf decoding error for `message`.
    pub(crate) fn protobuf(message: &'static str, source: prost::DecodeError) -> Self {
        Self::Protobuf { message, source }
    }
}
