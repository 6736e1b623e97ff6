//! HTTP transports: the [`Transport`] trait every higher layer sends through, and its
//! implementations ([`DirectTransport`] over HTTP(S), optionally through SOCKS5; the onion
//! transport of [`crate::onion`] once paths exist).
//!
//! The trait is dyn-compatible so that a client holds an `Arc<dyn Transport>` and does not care
//! whether a request goes straight to the server or through three snodes (architecture.md,
//! "session-net").

mod direct;
mod error;
mod onion;
mod request;
mod socks;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub(crate) use direct::ring_provider;
pub use direct::{DirectTransport, DirectTransportBuilder, webpki_tls_config};
pub use error::TransportError;
pub use onion::OnionTransport;
pub use request::{HttpRequest, HttpResponse};

/// The future a [`Transport`] returns: boxed so that the trait stays dyn-compatible.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'a>>;

/// Sends one HTTP request and returns the server's response.
///
/// Any status the server answers with (including 4xx and 5xx) is a successful `send`: statuses
/// are the caller's protocol. Errors are for requests that got no HTTP answer at all (bad URL,
/// connection refused, TLS failure, timeout, or an onion path that failed).
///
/// Implementations must apply [`HttpRequest::timeout`] when it is set, and a default timeout
/// otherwise, so that no `send` waits forever.
pub trait Transport: Send + Sync + std::fmt::Debug {
    /// Sends `request` and resolves to the server's response.
    fn send(&self, request: HttpRequest) -> TransportFuture<'_>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        (**self).send(request)
    }
}

impl<T: Transport + ?Sized> Transport for &T {
    fn send(&self, request: HttpRequest) -> TransportFuture<'_> {
        (**self).send(request)
    }
}
