//! The error type of the facade.

/// What can go wrong using the SDK.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A community call failed (see [`session_sogs::Error`] for the variants to act on).
    #[error(transparent)]
    Sogs(#[from] session_sogs::Error),
    /// A join link, base URL or room token is not valid.
    #[error("invalid community link: {0}")]
    Link(#[from] session_sogs::LinkError),
    /// The default transport could not be created.
    #[error("transport: {0}")]
    Transport(#[from] session_net::TransportError),
    /// A key or id is not valid.
    #[error(transparent)]
    Crypto(#[from] session_crypto::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
