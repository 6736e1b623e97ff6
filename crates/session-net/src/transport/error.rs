//! The error type of the transports.

use std::time::Duration;

/// Why a request got no HTTP response.
///
/// A response with any status code is not an error of the transport; these variants are the
/// cases where there is no response to look at. Messages carry no secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The request cannot be sent as given (no host, bad header, bad port, missing destination
    /// key for an onion request...).
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// What is wrong.
        reason: String,
    },
    /// The URL scheme is neither `http` nor `https`.
    #[error("unsupported URL scheme {scheme:?} (expected http or https)")]
    UnsupportedScheme {
        /// The scheme found.
        scheme: String,
    },
    /// The TCP connection (or name resolution) failed: the server is down or unreachable.
    #[error("cannot connect: {reason}")]
    Connect {
        /// The underlying error, as text.
        reason: String,
    },
    /// The TLS handshake failed (untrusted or mismatched certificate, bad signature...).
    #[error("TLS failure: {reason}")]
    Tls {
        /// The underlying error, as text.
        reason: String,
    },
    /// The SOCKS5 proxy refused or failed the connection.
    #[error("SOCKS5 proxy: {reason}")]
    Proxy {
        /// What the proxy said or what went wrong talking to it.
        reason: String,
    },
    /// No complete response arrived within the timeout.
    #[error("request timed out after {after:?}")]
    Timeout {
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection broke or the server spoke invalid HTTP.
    #[error("HTTP failure: {reason}")]
    Http {
        /// The underlying error, as text.
        reason: String,
    },
    /// The response body is larger than the transport's limit.
    #[error("response body exceeds the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// An onion request failed on its path or its reply could not be opened.
    #[error("onion request: {0}")]
    Onion(#[from] crate::onion::OnionError),
    /// No onion path could be built (too few usable snodes).
    #[error("no onion path available: {reason}")]
    NoPath {
        /// Why.
        reason: String,
    },
}

impl TransportError {
    /// Whether retrying the same request (possibly over another path) may succeed: timeouts,
    /// connection and path failures. Invalid requests and oversized bodies will fail again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Onion(e) => e.is_path_failure(),
            other => matches!(
                other,
                Self::Connect { .. }
                    | Self::Timeout { .. }
                    | Self::Http { .. }
                    | Self::Proxy { .. }
                    | Self::NoPath { .. }
            ),
        }
    }
}
