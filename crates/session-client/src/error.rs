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
    /// A call to the Session network (swarms, 1:1 messages) failed.
    #[error("network: {0}")]
    Network(#[from] session_net::snode::SnodeError),
    /// A message could not be built.
    #[error("message: {0}")]
    Message(#[from] session_schema::Error),
    /// The call needs something the client was built without (an identity, a network).
    #[error("the client has no {0}: set it on the ClientBuilder")]
    NotConfigured(&'static str),
    /// An invariant of this crate did not hold (a bug: please report it).
    #[error("internal error: {0}")]
    Internal(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
