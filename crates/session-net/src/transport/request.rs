//! The request and response types of a [`Transport`](super::Transport).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use url::Url;

/// An HTTP request for a [`Transport`](super::Transport).
///
/// `destination_key` is the X25519 public key of the server: an onion transport needs it to
/// encrypt the innermost layer to a SOGS or file server (network.md §3.3, server destination);
/// a direct transport ignores it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL (`http` or `https`).
    pub url: Url,
    /// Request headers.
    pub headers: HeaderMap,
    /// The request body (empty for none).
    pub body: Bytes,
    /// The server's X25519 public key, needed only by onion transports.
    pub destination_key: Option<[u8; 32]>,
    /// A timeout for the whole request (connect, send, receive the whole body); the
    /// transport's default when `None`.
    pub timeout: Option<Duration>,
}

impl HttpRequest {
    /// A request with no headers, no body, no destination key and the default timeout.
    pub fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            destination_key: None,
            timeout: None,
        }
    }

    /// A `GET` of `url`.
    pub fn get(url: Url) -> Self {
        Self::new(Method::GET, url)
    }

    /// A `POST` of `body` to `url`.
    pub fn post(url: Url, body: impl Into<Bytes>) -> Self {
        Self::new(Method::POST, url).with_body(body)
    }

    /// Adds (appends) a header.
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Replaces the body.
    #[must_use]
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets the server's X25519 public key (for onion transports).
    #[must_use]
    pub fn with_destination_key(mut self, key: [u8; 32]) -> Self {
        self.destination_key = Some(key);
        self
    }

    /// Sets a timeout for this request.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

/// An HTTP response: status, headers and the whole body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: StatusCode,
    /// Response headers (names are lower-case, as `http` stores them).
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response from its parts (for transports and test doubles).
    pub fn new(status: StatusCode, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            status,
            headers,
            body: body.into(),
        }
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The `Content-Type` header, if present and ASCII.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }
}
