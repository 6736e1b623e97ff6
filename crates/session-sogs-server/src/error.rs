//! The one error type of the server's library API (storage, configuration, keys, operator
//! commands). HTTP handlers never surface it to clients: they answer with the reference server's
//! status codes (see `http::HttpError`).

use std::path::PathBuf;

/// Everything that can go wrong when opening, configuring or administering a server.
///
/// Variants name what the operator or caller can act on: the path that could not be read, the
/// room token that does not exist, the id that is malformed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The SQLite database failed (open, migrate, query).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer version of this server.
    #[error("database schema version {found} is newer than this server supports ({supported})")]
    SchemaTooNew {
        /// The version found in the database.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A file could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done ("cannot read key file", …).
        what: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The server key file or stored key is not 32 bytes (or 64 hex digits).
    #[error("invalid server key in {0}: expected 32 raw bytes or 64 hex digits")]
    InvalidKey(String),
    /// The configuration file is not valid TOML for this server.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A room token is not 1–64 characters of `[A-Za-z0-9_-]`.
    #[error("invalid room token {0:?}: use 1-64 characters of A-Z, a-z, 0-9, _ and -")]
    InvalidToken(String),
    /// A room with this token already exists.
    #[error("room {0:?} already exists")]
    RoomExists(String),
    /// No room has this token.
    #[error("no such room: {0}")]
    NoSuchRoom(String),
    /// A permission string has a letter other than r, w, u, a.
    #[error(
        "invalid permission letters {0:?}: use any of r (read), w (write), u (upload), a (accessible)"
    )]
    InvalidPermissions(String),
    /// A Session ID or blinded id is malformed.
    #[error("invalid id {id:?}: {reason}")]
    InvalidId {
        /// The id as given.
        id: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The listening socket could not be bound or served.
    #[error("cannot serve on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A cryptographic operation failed (e.g. the OS random number generator).
    #[error("crypto error: {0}")]
    Crypto(#[from] session_crypto::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
