//! The one error type of `session-crypto`.

/// Everything that can go wrong in `session-crypto`.
///
/// Variants carry what a caller needs to act (which word, which field, which length) and never
/// any secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A recovery phrase has a word count no decoder accepts.
    #[error("recovery phrase has {count} words; expected 13 (or 25 for a legacy phrase)")]
    WordCount {
        /// How many words were given.
        count: usize,
    },
    /// A recovery phrase has 12 words: the 13th, the checksum word, is missing.
    #[error("recovery phrase is missing its checksum word (12 words given, 13 expected)")]
    MissingChecksum,
    /// A word of a recovery phrase is not in the word list (by its first three letters).
    #[error("unknown word {word:?} at position {position} of the recovery phrase")]
    UnknownWord {
        /// 1-based position of the word in the phrase.
        position: usize,
        /// The word as given (lower-cased).
        word: String,
    },
    /// A triple of words encodes a value that does not fit in 32 bits.
    #[error("words {first}..{last} of the recovery phrase encode an invalid value", first = group * 3 + 1, last = group * 3 + 3)]
    InvalidValue {
        /// 0-based index of the 3-word group.
        group: usize,
    },
    /// The checksum word of a recovery phrase does not match the other words.
    #[error("the checksum word of the recovery phrase does not match the other words")]
    BadChecksum,
    /// A seed has a length other than 16 or 32 bytes.
    #[error("seed must be 16 or 32 bytes, got {actual}")]
    InvalidSeedLength {
        /// The length given.
        actual: usize,
    },
    /// A key, id, nonce, signature or other fixed-size value has the wrong length.
    #[error("{what} must be {expected} bytes, got {actual}")]
    InvalidLength {
        /// What was being parsed.
        what: &'static str,
        /// The required length in bytes.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// An id has the wrong prefix.
    #[error("{what} must start with {expected}, found {found:?}")]
    InvalidPrefix {
        /// What was being parsed.
        what: &'static str,
        /// The accepted prefixes, e.g. `"05"` or `"15 or 25"`.
        expected: &'static str,
        /// The prefix found.
        found: String,
    },
    /// A value is not valid hex.
    #[error("{what} is not valid hex")]
    InvalidHex {
        /// What was being parsed.
        what: &'static str,
    },
    /// A value is not valid standard base64.
    #[error("{what} is not valid base64")]
    InvalidBase64 {
        /// What was being parsed.
        what: &'static str,
    },
    /// 32 bytes that should be a curve point are not a valid (prime-order, non-identity) point.
    #[error("{what} is not a valid curve point")]
    InvalidPoint {
        /// What was being parsed.
        what: &'static str,
    },
    /// A signature does not verify (or is malformed: non-canonical S, small-order R or key).
    #[error("signature verification failed")]
    BadSignature,
    /// Padded data has no `0x80` marker where one must be.
    #[error("invalid message padding: no 0x80 marker before the trailing zeros")]
    InvalidPadding,
    /// Authenticated decryption failed: wrong key, or the data was tampered with.
    #[error("decryption failed: {what}")]
    DecryptionFailed {
        /// Which decryption failed.
        what: &'static str,
    },
    /// Ciphertext or a framed message is shorter than its fixed overhead.
    #[error("{what} is too short: {actual} bytes, need at least {minimum}")]
    TooShort {
        /// What was being parsed.
        what: &'static str,
        /// The minimum length in bytes.
        minimum: usize,
        /// The length given.
        actual: usize,
    },
    /// Input is longer than its format allows.
    #[error("{what} is too long: {actual} bytes, at most {maximum}")]
    TooLong {
        /// What was too long.
        what: &'static str,
        /// The largest accepted length in bytes.
        maximum: usize,
        /// The length given.
        actual: usize,
    },
    /// An encrypted payload has a version byte this crate does not know.
    #[error("unsupported {what} version {version}")]
    UnsupportedVersion {
        /// Which format.
        what: &'static str,
        /// The version byte found.
        version: u8,
    },
    /// The sender key inside a decrypted message does not match the claimed sender.
    #[error("the sender key inside the message does not match the claimed sender")]
    SenderMismatch,
    /// A Diffie-Hellman exchange produced the all-zero shared secret (a low-order public key).
    #[error("key exchange with a low-order public key")]
    WeakKeyExchange,
    /// The operating system's random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
    /// An onion layer names a cipher (`enc_type`) this crate does not support.
    #[error("unknown onion cipher {name:?} (expected aes-gcm or xchacha20)")]
    UnknownCipher {
        /// The name given (at most 32 characters of it).
        name: String,
    },
    /// Authenticated encryption failed (the plaintext is longer than the cipher allows).
    #[error("encryption failed: {what}")]
    EncryptionFailed {
        /// Which encryption failed.
        what: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
